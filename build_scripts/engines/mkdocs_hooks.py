"""The MkDocs adapter: `mkdocs build` / `mkdocs serve` turn corpus/ into the site.

A thin layer over the engine-independent steps, the same ones `python -m
build_scripts.engines.project OUT` writes out as a plain project:

    on_files       the generator's pages and files (build_scripts/generate.project_files)
                   as virtual files, and its nav;
    on_post_build  the fidelity check over the built site (build_scripts/check.py) and the
                   search index (build_scripts/search/index.py).

The theme overrides (build_scripts/engines/theme/, `custom_dir` in mkdocs.yml) write the citation
tags from each page's front matter and point the search box to the edition's worker.

Nothing generated is written into docs/ or committed, so a page can never be stale. A
problem in the corpus stops the build with one message per problem, naming the file and
line: never a traceback, never a silently dropped source.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(ROOT))

from build_scripts.check import Expectation, check_site  # noqa: E402
from build_scripts.config import load_edition_config  # noqa: E402
from build_scripts.errors import CorpusErrors, EditionError, message  # noqa: E402
from build_scripts.engines.project import hidden_from_nav, nav, project_files  # noqa: E402
from build_scripts.apparatus.glossary import extension as glossary_extension  # noqa: E402
from build_scripts.apparatus.glossary import load_glossary  # noqa: E402
from build_scripts.cleaning.pipeline import source_inputs  # noqa: E402
from build_scripts.search.index import Analyzer, index_site  # noqa: E402
from build_scripts.pages.corpus_export import Streamed  # noqa: E402
from build_scripts.pages.site import build_site  # noqa: E402
from build_scripts.engines import serve_watch, session  # noqa: E402
from build_scripts.engines.mkdocs_pages import RememberedPage, render_context  # noqa: E402
from build_scripts import cachefile, memory  # noqa: E402

log = logging.getLogger("mkdocs.edition")
_state: dict = {}


def on_startup(command, dirty):
    """Under `mkdocs serve` the process keeps what a build made for the next one
    (engines/session.py)."""
    session.serving = command == "serve"


def on_config(config):
    """One build of a project at a time; the glossary's abbreviations become hover
    explanations on every page."""
    if session.serving:
        session.wait()   # the last build's search index is finished (and its lock let go) first
        session.begin_build()
    try:
        _state["edition"] = load_edition_config(config.extra, "mkdocs.yml")
    except (CorpusErrors, EditionError) as e:
        raise PluginError(message(e)) from None
    _take_build_lock(Path(config.config_file_path).resolve().parent)
    try:  # jieba (used by Material's search plugin and the index) logs its start to stderr
        import jieba
        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    root = Path(config.config_file_path).resolve().parent
    try:
        entries = load_glossary(root / "corpus")
    except EditionError as e:
        raise PluginError(message(e)) from None
    config.markdown_extensions.append(glossary_extension(entries))
    _state["glossary"] = entries
    if _edition_search():
        _quiet_material_index(config)
    return config


LOCK_WAIT = 900  # seconds a build waits for another build of the same project


def _take_build_lock(root: Path) -> None:
    """Two builds of one project at once would write the same site folder, locks and caches
    under each other. The second waits for the first (an exclusive lock on
    .cache/edition/build.lock, released when a build ends, fails or its process dies) and
    says so in the log; after LOCK_WAIT seconds it stops with one clear message."""
    if _state.get("lock") is not None:      # this process holds it already (mkdocs serve)
        return
    try:
        import fcntl
    except ImportError:                     # not a POSIX system: builds are not serialised
        return
    path = root / ".cache" / "edition" / "build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline, told = time.monotonic() + LOCK_WAIT, False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 100, 0).decode("utf-8", "replace").strip() or "another process"
            if time.monotonic() > deadline:
                os.close(fd)
                raise PluginError(f".cache/edition/build.lock: another build of this project is still running "
                                  f"after {LOCK_WAIT} s; expected one build at a time; found {holder} holding "
                                  "the lock (wait for it, or stop it)") from None
            if not told:
                log.info(f"edition: another build of this project is running ({holder}); waiting for it to finish")
                told = True
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"build process {os.getpid()}".encode(), 0)
    _state["lock"] = fd


def _release_build_lock() -> None:
    fd = _state.pop("lock", None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the lock


def on_pre_build(config):
    """Under `mkdocs serve`, the last build's search index is set aside before MkDocs empties
    the site folder, and put back once the new pages are written, so a reader can search
    while the new index is made (engines/session.py runs it after the build)."""
    if not session.serving:
        return
    index, kept = Path(config.site_dir) / "search", Path(config.site_dir + ".edition-search")
    if index.is_dir():       # else the last build failed, and what it set aside is still the last index
        if kept.exists():
            shutil.rmtree(kept)
        index.rename(kept)
    session.kept_index = kept if kept.is_dir() else None


def _restore_index(site_dir: Path) -> None:
    kept, session.kept_index = session.kept_index, None
    if kept is None or not kept.is_dir():
        return
    index = site_dir / "search"
    index.mkdir(exist_ok=True)
    for item in kept.iterdir():
        if not (index / item.name).exists():
            item.rename(index / item.name)
    shutil.rmtree(kept, ignore_errors=True)


def on_shutdown():
    """The end of `mkdocs serve`: the search index being written is finished."""
    session.wait()
    if session.kept_index is not None:
        shutil.rmtree(session.kept_index, ignore_errors=True)


def on_build_error(error):
    serve_watch.building.clear()
    _remove_spill()
    _release_build_lock()


SPILL_CHARS = 1 << 20   # generated files larger than this go through a temporary file


def _remove_spill() -> None:
    spill = _state.pop("spill", None)
    if spill:
        shutil.rmtree(spill, ignore_errors=True)


def _quiet_material_index(config):
    """Material's search plugin stays for the header search box it renders, but its Lunr
    index of every page (15 MB at 200 sources) would only be thrown away: the edition
    writes its own. Its page and build handlers are taken off the event lists."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None:
        return
    for event in ("page_context", "post_build"):
        handlers = config.plugins.events.get(event, [])
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]


def on_files(files, config):
    root = Path(config.config_file_path).resolve().parent
    corpus = root / "corpus"
    try:  # messages name files as the user sees them: corpus/sources/...
        corpus = corpus.relative_to(Path.cwd().resolve())
    except ValueError:
        pass
    try:
        serve_watch.building.set()
        site = build_site(corpus, root / ".cache" / "edition",
                          use_directory_urls=config.use_directory_urls, site_url=config.site_url or None,
                          site_name=config.site_name, editors=_state["edition"].editors,
                          on_write=serve_watch.record, memo=session.sources if session.serving else None)
    except (CorpusErrors, EditionError) as e:
        raise PluginError(message(e)) from None
    # What the check after the build needs, and nothing more: the pages' Markdown now
    # belongs to MkDocs' files, and the rest of the site is let go before MkDocs renders
    # (a build's peak memory is the rendered pages plus the search analysis).
    _state["expectations"] = [
        Expectation(p.slug, p.expected, p.source,
                    # The expectation is the source's; a page taken from the cache that does
                    # not meet it says where it came from, so deleting that file is the way out.
                    why_not=(f" (this page came from the cache file .cache/edition/pages/{p.slug}.json: "
                             "delete it and build again)") if p.from_cache else "")
        for p in site.pages]
    _state["files"] = files
    limit = _state["edition"].nav_sources_max
    hidden = hidden_from_nav(site, limit)
    hand_written = sorted(f.src_uri for f in files if f.is_documentation_page() and not f.generated_by)
    config.nav = nav(site, hand_written, limit)
    generated, t = project_files(site), site.timings
    del site  # from here on each page's text is held once, in `generated` and then in MkDocs' files
    spill = None
    for path in list(generated):
        content = generated.pop(path)
        inclusion = InclusionLevel.NOT_IN_NAV if path in hidden else InclusionLevel.UNDEFINED
        if isinstance(content, Streamed) or (not path.endswith(".md") and len(content) > SPILL_CHARS):
            # MkDocs holds a generated file's content until the build ends, and renders
            # every page before it copies any file. A large one (the corpus exports, 150
            # MB at 2,000 sources) is written to a temporary file, which MkDocs copies.
            spill = spill or _state.setdefault("spill", tempfile.mkdtemp(prefix="edition-files-"))
            target = Path(spill) / f"{len(files)}-{Path(path).name}"
            if isinstance(content, Streamed):
                content.write(target)
            else:
                target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
            files.append(File.generated(config, path, abs_src_path=str(target), inclusion=inclusion))
        else:
            files.append(File.generated(config, path, content=content, inclusion=inclusion))
    if session.serving:  # pages converted only when they changed (engines/mkdocs_pages.py)
        context = render_context(Path(config.config_file_path).read_bytes(), _state["glossary"], files)
        for f in files:
            if f.generated_by and f.is_documentation_page():
                RememberedPage(None, f, config).context = context
    memory.return_freed(collect=not session.serving)
    if _state["edition"].timings_file:  # the benchmark reads the stages' own timings
        Path(_state["edition"].timings_file).write_text(json.dumps(t))
    log.info(f"edition: {t['sources']} sources, {t['cached']} from cache; cleaning {t['clean']:.3f}s, "
             f"page generation {t['render']:.3f}s")
    log.debug(f"edition: pages generated; {memory.resident_mb()} MB resident")
    return files


def _edition_search() -> bool:
    """Whether the edition's search stands behind the header box (`extra.edition.search`
    edition or none); `material` keeps Material's own Lunr search (one whole index), only so
    the search benchmark can measure it beside the edition's."""
    return _state["edition"].search != "material"


def on_serve(server, config, builder):
    """One edit, one build (see build_scripts/engines/serve_watch.py)."""
    serve_watch.watch_corpus(server, config)
    return server


def on_post_build(config):
    """The search index, from the pages as built (see build_scripts/search/index.py); then
    the build lock is released."""
    try:
        _check_and_index(config)
        if session.serving and _state["edition"].search != "edition":   # else logged with the index
            log.info(f"edition: {session.report()}")
    finally:
        serve_watch.building.clear()
        _remove_spill()
        _release_build_lock()


def on_env(env, config, files):
    """The theme's templates compiled once per machine, not at every build (0.15 s of a
    small build's 0.45 s; `mkdocs serve` rebuilds and the test suite's 70 builds pay it each
    time): Jinja's bytecode cache, which loads compiled code, so it is kept in this user's
    private folder (cachefile.private_dir, mode 700, where jieba keeps its dictionary),
    never in the repository, whose caches anyone's pull request can change. Jinja writes
    each file whole (a temporary file renamed), keyed by the template's source."""
    from jinja2 import FileSystemBytecodeCache
    private = cachefile.private_dir()
    if private is not None:
        folder = private / "jinja"
        folder.mkdir(mode=0o700, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env


def on_page_content(html, page, config, files):
    """A page's Markdown is let go as soon as it is HTML. MkDocs renders every page before
    it writes any, and keeps each page's Markdown (twice: the file's text and the page's,
    without front matter) to the end: at 2,000 sources that is some 200 MB under all the
    rendered pages. The page's title stays: it comes from the front matter or the
    rendered heading, and MkDocs reads it only while `markdown` is not None."""
    page.file._content = None   # MkDocs' own field: a generated page's text, read by now
    page.markdown = ""
    return html


def on_post_page(output, page, config):
    """A page's HTML is let go once the themed page is made (MkDocs writes it next); the
    steps after the build read the site from disk."""
    page.content = None
    page.toc = []  # type: ignore[assignment]
    return output


def _release_rendered_pages(files) -> None:
    """Let go of what MkDocs still holds of the pages and generated files once it has
    written them (after on_page_content and on_post_page, little but the small files).

    Freed before the search step, that memory is what Kiwi's model and the index are then
    built in, instead of on top of it: a build's peak is the larger of the two, not their sum."""
    if files is None:
        return
    for f in files:
        page = f.page
        if page is not None:
            page.markdown = page.content = None
            page.toc = []  # type: ignore[assignment]
        if f.generated_by:
            f._content = None  # MkDocs' own field: a generated file's text, read by then
    memory.return_freed(collect=not session.serving)
    log.debug(f"edition: pages released; {memory.resident_mb()} MB resident")


def _check_and_index(config):
    """The steps over the built site: every source letter published (check.py); then the
    edition's search index (search_index.py), which replaces Material's."""
    pages = _state.pop("expectations", None)
    _release_rendered_pages(_state.pop("files", None))
    if pages is None:
        return
    site_dir = Path(config.site_dir)
    root = Path(config.config_file_path).resolve().parent
    try:
        check_site(site_dir, pages, inputs=source_inputs, memo=session.checked if session.serving else None)
    except CorpusErrors as e:
        raise PluginError(message(e)) from None
    # The check's expectations (every source's text) are not needed by the search step.
    del pages
    memory.return_freed(collect=not session.serving)
    log.debug(f"edition: site checked; {memory.resident_mb()} MB resident")
    if _state["edition"].search != "edition":  # material: Lunr's own; none: no index at all
        return
    t0 = time.perf_counter()
    cache = root / ".cache" / "edition"
    if (cache / "search-terms.pickle").exists():  # the old format: never read, it could run code
        log.info("edition: .cache/edition/search-terms.pickle is an old cache format and is never read; "
                 "it may be deleted")
    if not session.serving:
        _index(site_dir, cache, t0)
        return
    # `mkdocs serve`: the pages are served at once, with the last index, while this one is
    # made (Kiwi and jieba loaded once a session; pages read only when they changed). The
    # build lock is held until it is written.
    _restore_index(site_dir)
    session.analyzer = session.analyzer or Analyzer()
    lock = _state.pop("lock", None)

    def work():
        try:
            _index(site_dir, cache, t0, session.analyzer, session.units)
            log.info(f"edition: {session.report()}")
        except PluginError as e:
            log.error(str(e))
        except Exception as e:  # noqa: BLE001 (a thread's error would otherwise go unseen)
            log.error(f"edition: the search index was not written: {type(e).__name__}: {e}")
        finally:
            if lock is not None:
                os.close(lock)
    session.after_build(work)


def _index(site_dir: Path, cache: Path, t0: float, analyzer=None, memo=None) -> None:
    try:
        conf = index_site(site_dir, cache / "search-terms.json", analyzer, memo)
    except ImportError as e:  # Kiwi or jieba missing: the environment, not the corpus
        raise PluginError(f"search index: {e.name or e} is not installed; expected the packages of "
                          "requirements.txt (python -m pip install -r requirements.txt)") from None
    log.debug(f"edition: search index written; {memory.resident_mb()} MB resident")
    log.info(f"edition: search index of {conf['pages']} pages, {conf['units']} units, "
             f"{conf['files']} files, {conf['bytes'] / 1e6:.1f} MB, in {time.perf_counter() - t0:.1f}s")
