"""MkDocs hooks: `mkdocs build` / `mkdocs serve` turn corpus/ into the site.

Generated pages are virtual files (File.generated); nothing generated is written into
docs/ or committed, so a page can never be stale. A problem in the corpus stops the build
with one message per problem, naming the file and line: never a traceback, never a
silently dropped source.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.nav import Section

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(ROOT))

from build_scripts.config import load_edition_config  # noqa: E402
from build_scripts.errors import CorpusErrors, EditionError  # noqa: E402
from build_scripts.fidelity import check_html  # noqa: E402
from build_scripts.glossary import extension as glossary_extension  # noqa: E402
from build_scripts.glossary import load_glossary  # noqa: E402
from build_scripts.pipeline import source_inputs  # noqa: E402
from build_scripts.search_index import analyse, extract_units, stub_index, write_index  # noqa: E402
from build_scripts.site import build_site, sort_key  # noqa: E402

log = logging.getLogger("mkdocs.edition")
_state: dict = {}


def on_config(config):
    """One build of a project at a time; the glossary's abbreviations become hover
    explanations on every page."""
    try:
        _state["edition"] = load_edition_config(config.extra, "mkdocs.yml")
    except CorpusErrors as e:
        raise PluginError(str(e)) from None
    except EditionError as e:
        raise PluginError(e.format()) from None
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
        raise PluginError(e.format()) from None
    config.markdown_extensions.append(glossary_extension(entries))
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


def on_build_error(error):
    _release_build_lock()


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
        site = build_site(corpus, root / ".cache" / "edition",
                          use_directory_urls=config.use_directory_urls, site_url=config.site_url or None,
                          site_name=config.site_name)
    except CorpusErrors as e:
        raise PluginError(str(e)) from None
    except EditionError as e:
        raise PluginError(e.format()) from None
    _state["site"] = site
    _state["pages"] = {p.path: p for p in site.pages}
    for p in site.pages:
        files.append(File.generated(config, p.path, content=p.markdown))
    files.append(File.generated(config, "sources/index.md", content=site.index_markdown))
    for path, content in {**site.generated.pages, **site.generated.files, **site.files, **site.files_md}.items():
        files.append(File.generated(config, path, content=content))
    t = site.timings
    if _state["edition"].timings_file:  # the benchmark reads the stages' own timings
        Path(_state["edition"].timings_file).write_text(json.dumps(t))
    log.info(f"edition: {t['sources']} sources, {t['cached']} from cache; cleaning {t['clean']:.3f}s, "
             f"page generation {t['render']:.3f}s")
    return files


def on_nav(nav, config, files):
    """The generated sections get Korean titles; sources are listed by date, issues in
    their editorial order, and the sections stand in reading order.

    Past `extra.edition.nav_sources_max` sources (default 30) the sidebar shows only the
    sources index: a table serves readers better than a sidebar of hundreds of titles, and
    every page renders the sidebar, so listing every source makes the build quadratic."""
    site = _state.get("site")
    by_path = {p.path: p for p in site.pages} if site else {}
    limit = _state["edition"].nav_sources_max

    def source_of(child):
        return by_path.get(getattr(getattr(child, "file", None), "src_uri", ""))
    for item in nav.items:
        if isinstance(item, Section) and item.title.lower() == "sources":
            item.children.sort(key=lambda c: (0, "") if source_of(c) is None else (1, *sort_key(source_of(c).source)))
            if len(by_path) > limit:
                item.children = [c for c in item.children if source_of(c) is None]
        elif isinstance(item, Section) and item.title.lower() == "issues" and site:
            order = {f"issues/{i.id}.md": k for k, i in enumerate(site.issues)}
            item.children.sort(key=lambda c: order.get(getattr(getattr(c, "file", None), "src_uri", ""), -1))
        elif isinstance(item, Section) and item.title.lower() == "authors":
            # One page per author grows with the corpus as sources do: same threshold.
            item.children.sort(key=lambda c: (getattr(c, "file", None) is None
                                              or not c.file.src_uri.endswith("index.md"), "미상" in (c.title or ""),
                                              c.title or ""))
            if len(by_path) > limit:
                item.children = [c for c in item.children if getattr(c, "file", None) and c.file.src_uri.endswith("index.md")]
        if isinstance(item, Section) and item.title.lower() in NAV_TITLES:
            item.title = NAV_TITLES[item.title.lower()]
    # Reading order: home, sources, issues, authors, glossary, works cited, method.
    rank = {"index.md": 0, "sources": 1, "issues": 2, "authors": 3, "glossary.md": 4, "works-cited.md": 5,
            "method.md": 6}

    def place(item):
        f = getattr(item, "file", None)
        if f is not None:
            return rank.get(f.src_uri, 9)
        kids = [c for c in getattr(item, "children", []) if getattr(c, "file", None)]
        top = kids[0].file.src_uri.split("/")[0] if kids else ""
        return rank.get(top, 9)
    nav.items.sort(key=place)
    return nav


NAV_TITLES = {"sources": "원문", "issues": "쟁점", "authors": "저자"}


def on_page_content(html, page, config, files):
    p = _state.get("pages", {}).get(page.file.src_uri)
    if p is not None:
        try:
            check_html(html, p.expected, p.source.rel("source.txt"), p.source.line_of,
                       inputs=lambda: source_inputs(p.source))  # to name the file a mismatch comes from
        except EditionError as e:
            # The expectation is the source's; a page taken from the cache that does not meet
            # it says where it came from, so deleting that file is the way out.
            where = (f" (this page came from the cache file .cache/edition/pages/{p.slug}.json: delete it and "
                     "build again)") if p.from_cache else ""
            raise PluginError(e.format() + where) from None
    return html


def on_post_page(output, page, config):
    """Reference managers and Google Scholar read a source's citation from its <head>; the
    header search box talks to the edition's search worker; the page is kept for the index."""
    p = _state.get("pages", {}).get(page.file.src_uri)
    if p is not None and p.head:
        output = output.replace("</head>", p.head + "\n</head>", 1)
    if not _edition_search():
        return output
    output, n = MATERIAL_WORKER.subn(r'\1javascripts/search-worker.js"', output, count=1)
    if n != 1 and 'id="__config"' in output:
        raise PluginError(f"{page.file.src_uri}: the page's search settings (Material's __config) name no search "
                          "worker to replace; expected Material 9's assets/javascripts/workers/search.*.min.js")
    _state.setdefault("search_pages", []).append((page.url, output))
    return output


# Material's page settings name its own (Lunr) worker; the edition's reads a split index.
MATERIAL_WORKER = re.compile(r'("search":\s*"[^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')


def on_pre_build(config):
    _state["search_pages"] = []


def _edition_search() -> bool:
    """Whether the edition's search stands behind the header box (`extra.edition.search`
    edition or none); `material` keeps Material's own Lunr search (one whole index), only so
    the search benchmark can measure it beside the edition's."""
    return _state["edition"].search != "material"


def on_post_build(config):
    """The search index, from the pages as built (see build_scripts/search_index.py); then
    the build lock is released."""
    try:
        _write_search_index(config)
    finally:
        _release_build_lock()


def _write_search_index(config):
    if _state["edition"].search != "edition":  # material: Lunr's own; none: no index at all
        return
    t0 = time.perf_counter()
    site_dir = Path(config.site_dir)
    root = Path(config.config_file_path).resolve().parent
    pages = [extract_units(html, url) for url, html in _state.get("search_pages", [])]
    cache = root / ".cache" / "edition"
    if (cache / "search-terms.pickle").exists():  # the old format: never read, it could run code
        log.info("edition: .cache/edition/search-terms.pickle is an old cache format and is never read; "
                 "it may be deleted")
    try:
        terms = analyse(pages, cache / "search-terms.json")
    except ImportError as e:  # Kiwi or jieba missing: the environment, not the corpus
        raise PluginError(f"search index: {e.name or e} is not installed; expected the packages of "
                          "requirements.txt (python -m pip install -r requirements.txt)") from None
    search_conf = write_index(pages, terms, site_dir / "search" / "edition")
    search_conf["v"] = "edition/" + search_conf["v"]
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "search_index.json").write_text(stub_index(search_conf), encoding="utf-8")
    log.info(f"edition: search index of {search_conf['pages']} pages, {search_conf['units']} units, "
             f"{search_conf['files']} files, {search_conf['bytes'] / 1e6:.1f} MB, in {time.perf_counter() - t0:.1f}s")
