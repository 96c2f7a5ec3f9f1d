"""Hostile caches, hostile shapes of text, two builds at once, hostile addresses (issue 12).

A pull request can add any file to the repository, `.cache/edition/` included, and a
source's text is a third party's: neither may run code, publish markup, make the build
grow with the square of its input or stop a page's scripts with an error.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from build_scripts import cachefile
from build_scripts.search import index as search_index
from build_scripts.cleaning.anchors import reconcile
from build_scripts.cleaning.fidelity import letters
from build_scripts.search.index import Analyzer, PageUnits, Unit, analyse
from tests.conftest import MINIMAL_META, make_project, mkdocs_build

TEXT = "한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 한미간 이견 때문이 아니다.\n"
SLUG = "good-source"


def small_project(tmp: Path, search: str = "none") -> Path:
    return make_project(tmp, {SLUG: {"source.txt": TEXT, "meta.yml": MINIMAL_META}}, search=search)


def page_html(proj: Path, slug: str = SLUG) -> str:
    return (proj / "site" / "sources" / slug / "index.html").read_text("utf-8")


def output(r: subprocess.CompletedProcess) -> str:
    return r.stdout + r.stderr


class MakeDir:
    """Unpickling this runs os.mkdir(marker): what a hostile pickle would do."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def unsigned(blob: bytes) -> bytes:
    """A cache file's JSON whatever its format (signed files start with a signature line)."""
    return blob.split(b"\n", 1)[1] if blob.startswith(cachefile.MAGIC) else blob


# --- 1. the search-term cache never runs code -------------------------------------------

def test_a_committed_pickle_never_runs_and_the_index_is_still_right(tmp_path):
    proj = small_project(tmp_path / "p", search="edition")
    cache = proj / ".cache" / "edition"
    cache.mkdir(parents=True)
    old_marker, new_marker = tmp_path / "ran-old-path", tmp_path / "ran-new-path"
    (cache / "search-terms.pickle").write_bytes(pickle.dumps(MakeDir(old_marker)))
    (cache / "search-terms.json").write_bytes(pickle.dumps(MakeDir(new_marker)))
    r = mkdocs_build(proj, "-v")
    out = output(r)
    assert r.returncode == 0 and "Traceback" not in out, out
    assert not old_marker.exists() and not new_marker.exists()
    assert ".cache/edition/search-terms.json ignored: it is not a signed cache file" in out
    assert "search-terms.pickle is an old cache format and is never read" in out
    # The index is the one the text gives: its words are found, in their shards.
    conf = json.loads((proj / "site" / "search" / "search_index.json").read_text("utf-8"))["config"]["edition"]
    shards = (proj / "site" / "search").glob(f"{conf['v']}/t/*.json")
    terms = set().union(*(json.loads(p.read_text("utf-8")) for p in shards))
    assert {"한미동맹", "북핵", "협상"} <= terms


class CountingAnalyzer:
    """Stands in for Kiwi: every text's terms are {"real": 1}; counts what it analyses."""

    def __init__(self):
        self.analysed = 0

    def terms_many(self, texts):
        self.analysed += len(texts)
        return [Counter({"real": 1}) for _ in texts]


PAGES = [PageUnits("x/", "x", [Unit("a", "x", "한미동맹"), Unit("b", "x", "북핵 협상")])]


def hostile_terms_files(good: bytes) -> dict[str, bytes]:
    """A signed terms cache (good), and what a contributor or an accident could put there."""
    body = unsigned(good)
    data = json.loads(body)
    poisoned = json.loads(body)
    for counts in poisoned["terms"].values():
        counts["planted"] = 9
    forged_shape = dict(data, terms={d: {"real": True} for d in data["terms"]})
    return {
        "pickle": pickle.dumps({"code": "x", "terms": {}}),
        "unsigned JSON of the right shape": json.dumps(poisoned).encode(),
        "signed, then edited": good.replace(b'"real":1', b'"planted":1'),
        "signed, truncated": good[:len(good) // 2],
        "signature of another purpose": cachefile.dumps("page x", data, cachefile.secret()),
        "signed but of the wrong shape": cachefile.dumps("search-terms", forged_shape, cachefile.secret()),
        "deeply nested": b"[" * 200_000 + b"]" * 200_000,
        "not UTF-8": b"\xff\xfe\x00garbage",
        "empty": b"",
    }


@pytest.fixture
def own_key(tmp_path, monkeypatch):
    """A cache key of the test's own (XDG_CACHE_HOME), as a fresh machine would have."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cachefile.secret() is not None


def test_a_bad_truncated_or_hostile_terms_cache_is_ignored_and_rebuilt(tmp_path, own_key, caplog):
    cache_file = tmp_path / "search-terms.json"
    first = CountingAnalyzer()
    assert analyse(PAGES, cache_file, first) == [[Counter(real=1), Counter(real=1)]]
    good = cache_file.read_bytes()
    again = CountingAnalyzer()
    analyse(PAGES, cache_file, again)
    assert (first.analysed, again.analysed) == (2, 0)  # the signed cache is used
    for name, blob in hostile_terms_files(good).items():
        cache_file.write_bytes(blob)
        caplog.clear()
        analyzer = CountingAnalyzer()
        with caplog.at_level("INFO", logger="mkdocs.edition"):
            got = analyse(PAGES, cache_file, analyzer)
        assert got == [[Counter(real=1), Counter(real=1)]], name
        assert analyzer.analysed == 2, name  # computed again, not taken from the file
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 1 and "search-terms.json ignored: " in lines[0], (name, lines)
        assert cache_file.read_bytes().startswith(cachefile.MAGIC), name  # and written anew


def test_the_signing_key_lives_outside_the_project_and_a_damaged_one_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = cachefile.key_path()
    assert path == tmp_path / "xdg" / "edition-build" / "cache-key"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"short")
    key = cachefile.secret()
    assert len(key) == cachefile.KEY_BYTES and path.read_bytes() == key
    assert path.stat().st_mode & 0o077 == 0  # this user's alone


def test_compiled_templates_are_kept_in_the_users_own_folder_never_in_the_project(tmp_path):
    """Jinja's bytecode cache holds compiled code that a build loads: it lives in this
    user's own folder (mode 700), beside the signing key, and never in the project, whose
    files anyone's pull request can change. A second build uses it and gives the same page."""
    proj = small_project(tmp_path / "p")
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    r = mkdocs_build(proj, env=xdg)
    assert r.returncode == 0, output(r)
    first = page_html(proj)
    jinja = tmp_path / "xdg" / "edition-build" / "jinja"
    compiled = sorted(jinja.iterdir())
    assert compiled and jinja.stat().st_mode & 0o077 == 0
    assert not [f for f in proj.rglob("__jinja2_*")]
    r = mkdocs_build(proj, env=xdg)
    assert r.returncode == 0, output(r)
    assert page_html(proj) == first and sorted(jinja.iterdir()) == compiled


def test_the_terms_cache_key_covers_the_analysis_and_its_packages(monkeypatch):
    from importlib import metadata
    key = search_index.analysis_version()
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda d: "0.0" if d == "kiwipiepy" else real(d))
    assert search_index.analysis_version() != key
    monkeypatch.setattr(metadata, "version", lambda d: "0.0" if d == "jieba" else real(d))
    assert search_index.analysis_version() != key


def test_no_module_of_the_build_unpickles_or_evaluates():
    for path in Path(search_index.__file__).parent.glob("*.py"):
        code = path.read_text("utf-8")
        for word in ("pickle.load", "marshal.load", "eval(", "exec("):
            assert word not in code, f"{path.name}: {word}"


# --- 2. a committed page or Cite box cache never publishes markup ------------------------

PLANTED = ('<p class="para">한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 한미간 이견 때문이 아니다.</p>\n'
           '<img src="x" onerror="alert(\'planted\')">\n<script src="https://evil.invalid/x.js"></script>\n')


def page_cache_key(proj: Path, slug: str) -> str:
    """The key the build computes for a page (site._cache_key): public, so anyone can."""
    h = hashlib.sha256()
    for p in sorted((proj / "build_scripts").glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h = hashlib.sha256(h.hexdigest()[:16].encode())
    for name in ("source.txt", "meta.yml", "corrections.yml", "anchors.yml"):
        p = proj / "corpus" / "sources" / slug / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def assert_safe(html: str):
    assert "onerror" not in html and "evil.invalid" not in html and "planted" not in html
    assert "비단 북핵 협상 과정에서" in html


def test_a_committed_page_cache_with_its_own_expectation_is_not_published(tmp_path):
    """The entry carries the right key and an `expected` that matches its own HTML: the
    build must not take either from it."""
    proj = small_project(tmp_path)
    key = page_cache_key(proj, SLUG)
    expected = {"body": [letters(TEXT), [[0, 0]]], "notes": ["", []], "moved": ["", []]}
    entry = {"key": key, "slug": SLUG, "parts": {"head": "---\ntitle: x\n---\n\n" + PLANTED, "body": [], "tail": ""}, "paragraphs": [],
             "notes": [], "expected": expected}
    cache = proj / ".cache" / "edition"
    (cache / "pages").mkdir(parents=True)
    for path in (cache / f"{SLUG}.json", cache / "pages" / f"{SLUG}.json"):  # where it was, where it is
        path.write_text(json.dumps(entry, ensure_ascii=False), "utf-8")
    r = mkdocs_build(proj, "-v")
    out = output(r)
    assert r.returncode == 0 and "Traceback" not in out, out
    assert_safe(page_html(proj))
    assert f"cache file .cache/edition/pages/{SLUG}.json ignored: it is not a signed cache file" in out
    assert "1 sources, 0 from cache" in out


def test_a_signed_page_that_differs_from_the_source_fails_clearly(tmp_path):
    """Even a cache entry this machine signed (a leaked key, a bug) is checked against what
    the source yields, never against anything stored."""
    proj = small_project(tmp_path)
    assert mkdocs_build(proj).returncode == 0
    path = proj / ".cache" / "edition" / "pages" / f"{SLUG}.json"
    data, why = cachefile.read(path, f"page {SLUG}")
    parts = json.dumps(data["parts"], ensure_ascii=False)
    assert why is None and parts.count("위기다") == 1
    data["parts"] = json.loads(parts.replace("위기다", "기회다"))
    path.write_bytes(cachefile.dumps(f"page {SLUG}", data, cachefile.secret()))
    r = mkdocs_build(proj)
    out = output(r)
    assert r.returncode != 0 and "Traceback" not in out, out
    assert f"corpus/sources/{SLUG}/source.txt:1: the rendered page does not carry the source's text exactly" in out
    assert "기회다" in out and f"came from the cache file .cache/edition/pages/{SLUG}.json" in out


def test_a_committed_cite_box_cache_is_not_published(tmp_path):
    proj = small_project(tmp_path)
    assert mkdocs_build(proj).returncode == 0
    path = proj / ".cache" / "edition" / "citations.json"
    boxes = json.loads(unsigned(path.read_bytes()))
    assert boxes
    path.write_text(json.dumps({k: PLANTED for k in boxes}), "utf-8")  # the right keys, any HTML
    r = mkdocs_build(proj, "-v")
    out = output(r)
    assert r.returncode == 0 and "Traceback" not in out, out
    assert_safe(page_html(proj))
    assert 'class="cite-box"' in page_html(proj)
    assert "cache file .cache/edition/citations.json ignored" in out


def test_sources_named_like_the_other_caches_are_cached_like_any_other(tmp_path):
    proj = make_project(tmp_path, {slug: {"source.txt": TEXT, "meta.yml": MINIMAL_META.replace("시험 원문", slug)}
                                   for slug in ("citations", "search-terms")})
    assert (r := mkdocs_build(proj)).returncode == 0, output(r)
    r = mkdocs_build(proj, "-v")
    out = output(r)
    assert r.returncode == 0 and "2 sources, 2 from cache" in out and "ignored" not in out, out


# --- 3. linear in the input: counted, not timed -----------------------------------------

def lines_run(fn, *args, modules=("anchors.py", "difflib.py")) -> int:
    """Lines of Python executed in these modules while fn runs: a count of the work done,
    the same on any machine."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename.endswith(modules) else None

    old = sys.gettrace()
    sys.settrace(calls)
    try:
        fn(*args)
    finally:
        sys.settrace(old)
    return count


def paras(*texts):
    return [(letters(t), t) for t in texts]


A = "한미동맹은 위기에 처해 있다. 북핵 협상 과정의 이견 때문만은 아니다."
B = "미국의 확장억제 공약은 견고하다. 핵협의그룹이 그 제도적 장치다."


def distinct(n):
    return [f"{k}번째 문단은 다른 문단과 같지 않다. 북핵 협상의 이견이 {k}가지다." for k in range(n)]


def first_build(n):
    reconcile([], paras(*[A] * n))


def second_build_one_added(n):
    lock = reconcile([], paras(*[A] * n)).entries
    reconcile(lock, paras(*([A] * (n // 2) + [B] + [A] * (n - n // 2))))


def half_of_the_repeats_changed(n):
    lock = reconcile([], paras(*[A] * n)).entries
    reconcile(lock, paras(*[A if k % 2 else A + " 고쳤다" for k in range(n)]))


def neighbours_swapped(n):
    texts = distinct(n)
    lock = reconcile([], paras(*texts)).entries
    swapped = [texts[k ^ 1] if (k ^ 1) < n else texts[k] for k in range(n)]
    reconcile(lock, paras(*swapped))


def half_removed_then_their_landing_place(n):
    texts = distinct(n)
    half = texts[:n // 2]
    step1 = reconcile(reconcile([], paras(*texts)).entries, paras(*half, texts[-1]))
    reconcile(step1.entries, paras(*half))   # the removed ids' landing place goes too


def all_removed_then_back(n):
    texts = distinct(n)
    step1 = reconcile(reconcile([], paras(*texts)).entries, paras(texts[0]))
    reconcile(step1.entries, paras(*texts))  # every removed id returns with its text


def one_long_paragraph_changed(n):
    long_text = " ".join(distinct(n // 4))
    lock = reconcile([], paras(long_text)).entries
    reconcile(lock, paras(long_text.replace("북핵", "북한 핵", 1)))


@pytest.mark.parametrize("shape", [first_build, second_build_one_added, half_of_the_repeats_changed,
                                   neighbours_swapped, half_removed_then_their_landing_place,
                                   all_removed_then_back, one_long_paragraph_changed])
def test_reconcile_is_linear_in_repeated_and_reordered_paragraphs(shape):
    """Twice the paragraphs, about twice the work (n log n allowed), never four times."""
    small, large = lines_run(shape, 400), lines_run(shape, 800)
    assert large / small < 2.5, (small, large)


class CountedToken:
    """A Kiwi token whose start counts how often it is read."""
    reads = 0

    def __init__(self, form, tag, start):
        self.form, self.tag, self._start, self.len = form, tag, start, len(form)

    @property
    def start(self):
        CountedToken.reads += 1
        return self._start


def tails_work(words: int) -> int:
    text = " ".join(["동맹이"] * words)
    tokens = []
    for k in range(words):
        at = k * 4
        tokens += [CountedToken("동맹", "NNG", at), CountedToken("이", "JKS", at + 2)]
    CountedToken.reads = 0
    assert Analyzer._tails(text, tokens) == ["이"] * words
    return CountedToken.reads


def test_tails_reads_each_token_a_bounded_number_of_times():
    small, large = tails_work(2000), tails_work(4000)
    assert large / small < 2.2 and large < 10 * 2 * 4000, (small, large)


def test_a_long_unit_reaches_kiwi_in_pieces_of_bounded_length():
    class Kiwi:
        def __init__(self):
            self.lengths = []

        def tokenize(self, texts):
            self.lengths += [len(t) for t in texts]
            return [[] for _ in texts]

    a = Analyzer()
    a._kiwi = Kiwi()
    a._jieba = SimpleNamespace(tokenize=lambda run, mode: [], lcut=lambda run: [])
    text = "동맹은 위기다. " * 100_000 + "OPCON"
    got = a.terms_many([text, "짧은 문단이다"])
    assert max(a._kiwi.lengths) <= search_index.MAX_CHUNK
    assert sum(a._kiwi.lengths) == len(search_index.normalize(text)) + len("짧은 문단이다")
    assert got[0]["opcon"] == 1


# --- 4. two builds at once ---------------------------------------------------------------

def test_two_builds_of_one_project_at_once_both_succeed(tmp_path):
    proj = small_project(tmp_path, search="edition")  # the search step writes caches too
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"]
    procs = [subprocess.Popen(cmd, cwd=proj, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    for p, out in zip(procs, outs):
        assert p.returncode == 0 and "Traceback" not in out, out
    assert sum("another build of this project is running" in out for out in outs) == 1, outs
    assert "비단 북핵 협상 과정에서" in page_html(proj)
    assert (proj / "site" / "search" / "search_index.json").is_file()


def test_a_build_that_waits_too_long_stops_with_one_clear_message(tmp_path, monkeypatch):
    import fcntl

    from mkdocs.exceptions import PluginError

    from build_scripts.engines import mkdocs_hooks as hooks
    lock = tmp_path / ".cache" / "edition" / "build.lock"
    lock.parent.mkdir(parents=True)
    monkeypatch.setattr(hooks, "LOCK_WAIT", 0.5)
    monkeypatch.setattr(hooks, "_state", {})
    with open(lock, "w") as held:  # another build holds the lock
        held.write("build process 12345")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(PluginError, match=r"^\.cache/edition/build\.lock: another build of this project is "
                                              r"still running after 0\.5 s; expected one build at a time; "
                                              r"found build process 12345 holding the lock"):
            hooks._take_build_lock(tmp_path)
    hooks._take_build_lock(tmp_path)  # released: taken at once
    assert lock.read_text() == f"build process {os.getpid()}"
    hooks._release_build_lock()


# --- 5. hostile addresses in the browser --------------------------------------------------

BROWSER_SLUG = "2024-yang-trump-second-term-alliance"


def test_a_huge_highlight_parameter_raises_no_error(page, page_errors, server, built_site):
    html_file = built_site / "sources" / BROWSER_SLUG / "index.html"
    # Python's test server refuses an address this long; the browser is given the page itself.
    # search.js reads a few hundred characters of hl: 20,000 (180 KB as a Korean address) is
    # far past that, and Chromium takes seconds just to navigate to an address of megabytes.
    page.route(lambda url: "hl=" in url, lambda route: route.fulfill(path=str(html_file)))
    for hl in ["a" * 20_000, "가" * 20_000, " ".join(f"w{k}" for k in range(4_000)), "(" * 1000 + "[\\"]:
        page.goto(f"{server}/sources/{BROWSER_SLUG}/?hl={hl}")
        page.wait_for_load_state("load")
        assert page.locator("p.para").count() > 0
    page.goto(f"{server}/sources/{BROWSER_SLUG}/?hl=동맹 " + "x" * 20_000)
    page.wait_for_load_state("load")
    assert page.locator("mark[data-md-highlight]").count() > 0  # the sane part still marks
    assert not page_errors, page_errors


@pytest.mark.parametrize("fragment", ["#%", "#%E0%A4%A", "#p-%zz:~:text=%"])
def test_a_malformed_fragment_raises_no_error(page, page_errors, server, fragment):
    page.goto(f"{server}/sources/{BROWSER_SLUG}/{fragment}")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.locator("button.para-cite").count() > 0  # cite.js ran to the end
    assert not page_errors, page_errors
