"""Shared fixtures: the real corpus, and throwaway projects built the way a user builds."""
from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SLUGS = sorted(p.name for p in (CORPUS / "sources").iterdir() if p.is_dir())

sys.path.insert(0, str(ROOT))


# Markers, set here from what a test does rather than by hand, so that a new test that
# builds a site or drives Chromium cannot forget its marker:
# - browser: the test (or a fixture it uses) drives Chromium;
# - slow: it runs a whole `mkdocs build` (about 2-5 s each), or is a browser test.
# `python -m pytest -m "not slow"` is the quick loop while editing; CI runs everything.
_BROWSER_CALLS = ("need_chromium(", "chromium.launch(")
_BUILD_CALLS = ("mkdocs_build(", "mkdocs_serve(", "hostile_benchmark", "_build_real(")
_source_cache: dict = {}


def _source(func) -> str:
    if func not in _source_cache:
        try:
            _source_cache[func] = inspect.getsource(func)
        except (OSError, TypeError):
            _source_cache[func] = ""
    return _source_cache[func]


def _code_of(item):
    """The test function and every fixture it uses, directly or through other fixtures."""
    if getattr(item, "function", None) is not None:
        yield item.function
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixturedef in (info.name2fixturedefs.get(name, ()) if info else ()):
            yield fixturedef.func


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium (set automatically)")
    config.addinivalue_line("markers", "slow: runs a whole mkdocs build or a browser (set automatically)")


# Seconds each long file takes alone (`python -m pytest -n 0 --durations=0`, summed by
# file, on the 2-CPU machine of .ci/run), for the order below. A file not listed is
# estimated from what its tests do. Measured 2026-11-22; a stale figure only makes the
# order less good, never a result wrong.
FILE_SECONDS = {
    "tests/test_reading.py": 24, "tests/test_search.py": 20, "tests/test_serve.py": 15,
    "tests/test_hostile_caches.py": 14, "tests/test_engines.py": 12, "tests/test_browser.py": 9,
    "tests/test_anchors.py": 7, "tests/test_issues.py": 7, "tests/test_bad_input.py": 4,
}


def pytest_collection_modifyitems(config, items):
    cost: dict[str, float] = {}
    fixtures_seen: dict[str, set] = {}
    for item in items:
        code = "".join(_source(f) for f in _code_of(item))
        browser = any(c in code for c in _BROWSER_CALLS)
        if browser:
            item.add_marker(pytest.mark.browser)
        builds = any(c in code for c in _BUILD_CALLS)
        reads_site = "built_site" in code or "built_site" in getattr(item, "fixturenames", ())
        if browser or builds or reads_site:
            item.add_marker(pytest.mark.slow)
        # Not measured: half a second for each test in a browser, a second for each build
        # the test runs itself, three for a build in a fixture (counted once a file).
        file, func = item.nodeid.split("::")[0], getattr(item, "function", None)
        own = sum(_source(func).count(c) for c in _BUILD_CALLS) if func else 0
        building = {f for f in _code_of(item) if f is not func and any(c in _source(f) for c in _BUILD_CALLS)}
        seen = fixtures_seen.setdefault(file, set())
        cost[file] = cost.get(file, 0) + 0.5 * browser + own + 3 * len(building - seen) + 0.01
        seen.update(building)
    cost.update((f, s) for f, s in FILE_SECONDS.items() if f in cost)
    # The longest files first (the order within a file kept): pytest-xdist hands whole files
    # to its workers in this order (--dist loadfile --no-loadscope-reorder, pytest.ini), and
    # a long file started last would leave one worker busy while the other waits.
    order = {f: i for i, f in enumerate(sorted(cost, key=lambda f: -cost[f]))}
    items.sort(key=lambda item: order[item.nodeid.split("::")[0]])


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.md from the current output (read the diff first)")


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


_compiled: list[Path] = []


def _compiled_pipeline() -> Path:
    """build_scripts with its bytecode, compiled once a run (per worker) in a folder of
    this run's own. PYTHONDONTWRITEBYTECODE may be set (it is on the CI machine), and then
    each of the suite's builds would compile the pipeline again (some 0.06 s each). The
    copies keep the files' times, by which Python finds the bytecode current."""
    if not _compiled:
        import atexit
        import compileall
        import tempfile
        folder = Path(tempfile.mkdtemp(prefix="edition-pipeline-"))
        atexit.register(shutil.rmtree, folder, True)
        target = folder / "build_scripts"
        shutil.copytree(ROOT / "build_scripts", target, ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(target, quiet=1)
        _compiled.append(target)
    return _compiled[0]


def make_project(tmp: Path, sources: dict[str, dict[str, str | bytes]] | None = None,
                 copy_real: bool = False, issues: dict[str, str] | None = None, search: str = "none") -> Path:
    """A project folder with the real mkdocs.yml, docs/ and pipeline, and a corpus of our own.

    sources: slug -> {filename: text or bytes}. With copy_real, the real sources, issues and
    glossary; issues: file name -> YAML text, added to corpus/issues/."""
    tmp.mkdir(parents=True, exist_ok=True)
    # A test builds only what it checks: the search index (Kiwi and jieba, a second or more
    # a build) is off unless the test asks for it with search="edition".
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    assert "    search: edition\n" in config, "mkdocs.yml's extra.edition.search moved: update make_project"
    (tmp / "mkdocs.yml").write_text(config.replace("    search: edition\n", f"    search: {search}\n"), "utf-8")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    shutil.copytree(_compiled_pipeline(), tmp / "build_scripts")
    base = tmp / "corpus" / "sources"
    base.mkdir(parents=True)
    if copy_real:
        for slug in SLUGS:
            shutil.copytree(CORPUS / "sources" / slug, base / slug)
        shutil.copytree(CORPUS / "issues", tmp / "corpus" / "issues")
        shutil.copy(CORPUS / "glossary.yml", tmp / "corpus" / "glossary.yml")
    for name, text in (issues or {}).items():
        (tmp / "corpus" / "issues").mkdir(exist_ok=True)
        (tmp / "corpus" / "issues" / name).write_text(text, encoding="utf-8")
    for slug, files in (sources or {}).items():
        d = base / slug
        d.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            if isinstance(content, bytes):
                (d / name).write_bytes(content)
            else:
                (d / name).write_text(content, encoding="utf-8")
    return tmp


def mkdocs_build(project: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site", *extra],
                          cwd=project, capture_output=True, text=True, env=env, timeout=300)


def shared_site(tmp_path_factory, name: str, make) -> Path:
    """The site that make(folder) builds and returns, built once per test run.

    pytest-xdist's workers (pytest.ini) each run the session fixtures: the first to come
    builds under a lock in the run's common temporary folder, the others wait and read the
    same site. No test may change it (a test that needs to copies it)."""
    import fcntl
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent       # the run's folder, above each worker's own
    folder, done = base / name, base / f"{name}.done"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # let go when the file is closed
        if not done.exists():
            if folder.exists():  # a worker's build that failed
                shutil.rmtree(folder)
            site = make(folder)
            done.write_text(site.relative_to(folder).as_posix(), "utf-8")
    return folder / done.read_text("utf-8")


def _build_real(folder: Path, site_url: str | None = None, cache_from: Path | None = None) -> Path:
    proj = make_project(folder, copy_real=True, search="edition")
    if cache_from is not None:  # another project's caches, as an editor's second build has its own
        shutil.copytree(cache_from, proj / ".cache")
    if site_url:
        cfg = proj / "mkdocs.yml"
        cfg.write_text(f"site_url: {site_url}\n" + cfg.read_text("utf-8"), "utf-8")
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    return proj / "site"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real corpus, built once with `mkdocs build --strict`; returns the site folder."""
    return shared_site(tmp_path_factory, "site", _build_real)


SUBPATH_URL = "https://example.org/edition/alliance/"


# --- the browser ---------------------------------------------------------------------------
# Debian's Chromium, driven by Playwright (its own browser download does not work here). One
# browser, one server of built_site and one tab per worker, shared by every browser test:
# a new tab costs Chromium a renderer process, about half a CPU-second, more than most checks.

from build_scripts.tools.search_benchmark import CHROMIUM  # noqa: E402 - one place says where it is (EDITION_CHROMIUM)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need_chromium():
    """Skip without Chromium, unless EDITION_REQUIRE_BROWSER=1 (as in CI): then fail."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("EDITION_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("Debian's chromium is not installed")


@pytest.fixture(scope="session")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(built_site):
    """built_site over HTTP on 127.0.0.1; its address, without a final slash."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def _tab(browser, server):
    """[the worker's tab], in a context that may read and write the clipboard on the site
    (the ❝ and Cite box's copy buttons are checked by what lands there)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield [ctx.new_page()]
    ctx.close()


# What a test may leave in the site's storage (the chosen citation style, Material's
# palette) and on the clipboard. A clipboard that cannot be cleared is an error, not a skip.
_CLEAR_SITE = "async () => { localStorage.clear(); sessionStorage.clear(); await navigator.clipboard.writeText(''); }"


@pytest.fixture
def page(_tab, server):
    """The worker's tab, as a new one would be: 1280 × 900, light, no routes, nothing in the
    site's storage or on the clipboard. What a test leaves is undone after it, however it
    ended: its routes, the other tabs it opened, the site's local and session storage and
    the clipboard. The tab is left on about:blank, so that the next test's first address
    loads its page: an address that differs from the last only in its #fragment would
    otherwise only scroll."""
    from playwright.sync_api import Error as BrowserError
    tab = _tab[0]
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.emulate_media(color_scheme="light")
    yield tab
    tab.unroute_all(behavior="ignoreErrors")
    for other in tab.context.pages:
        if other is not tab:
            other.close()
    try:   # from the page of the site the test ended on
        cleared = tab.url.startswith(server) and tab.evaluate(_CLEAR_SITE) is None
        if cleared:
            tab.goto("about:blank")
    except BrowserError:
        cleared = False
    if not cleared:
        # The test ended on another host, or while a page was going (a click it did not
        # wait for), whose navigation could come in between any step here: a new tab,
        # which has none, clears from the site's 404 page. An error there fails the
        # test's teardown, as it should. (The new tab comes first: closing a context's
        # last tab can hang Chromium.)
        old, tab = tab, tab.context.new_page()
        _tab[0] = tab
        old.close()
        tab.goto(f"{server}/404.html")
        tab.evaluate(_CLEAR_SITE)
        tab.goto("about:blank")


@contextlib.contextmanager
def errors_on(page):
    """The uncaught script errors of `page` while the block runs, as a list of messages."""
    errors: list[str] = []

    def record(e):
        errors.append(str(e))
    page.on("pageerror", record)
    try:
        yield errors
    finally:
        page.remove_listener("pageerror", record)


@pytest.fixture
def page_errors(page):
    """The uncaught script errors of the test's page (a list that fills as they come)."""
    with errors_on(page) as errors:
        yield errors


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory, built_site) -> Path:
    """The real corpus built for a site published under a sub-path (site_url with a path,
    as a GitHub Pages project site is). It starts from built_site's caches: what does not
    depend on the address is not made again (and what does must not be taken from them)."""
    return shared_site(tmp_path_factory, "subpath",
                       lambda folder: _build_real(folder, SUBPATH_URL, cache_from=built_site.parent / ".cache"))


MINIMAL_META = """title: 시험 원문
authors: [홍길동]
date: 2024-05-01
language: ko
"""
