"""Search: the index builder's steps, the built site's search files, and the header search
box in Chromium (the benchmark of tests/search/queries.yml, landing and highlighting)."""
from __future__ import annotations

import contextlib
import json
from collections import Counter
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from build_scripts.search import index as search_index
from build_scripts.tools import search_benchmark as bench
from tests.conftest import ROOT, need_chromium
from build_scripts.search.index import BOOST, Analyzer, extract_units, fnv1a, shard_key, write_index


# --- steps ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.mark.parametrize("text, terms, absent", [
    # Korean: the compound, its parts, and the compound joined across a space.
    ("방위비분담금이 늘었다", ["방위비분담금", "방위비", "분담금"], ["이", "방위비분담금이"]),
    ("방위비 분담금을 놓고", ["방위비분담금", "분담금"], ["을"]),
    ("‘확장억제’를 강화", ["확장억제", "확장", "억제", "강화"], ["‘확장억제"]),
    ("전시작전통제권(OPCON) 전환", ["전시작전통제권", "작전통제권", "통제권", "opcon", "전환"], ["권"]),
    ("한미동맹의 미래", ["한미동맹", "동맹", "미래"], ["의"]),
    # A noun Kiwi keeps whole in context is also split on its own.
    ("NCG(핵협의그룹) 체제", ["핵협의그룹", "협의그룹", "협의", "ncg"], ["핵협"]),
    # Chinese: words and phrases inside an unspaced sentence.
    ("由于驻韩美军防卫费分担问题", ["驻韩美军", "美军", "防卫费", "防卫费分担", "分担"], []),
    ("美国的印太战略与搭便车", ["印太战略", "印太", "搭便车"], []),
    # Han outside the Basic Multilingual Plane is Han too (chardata's class).
    ("韩国的𠮷野家", ["𠮷野家", "𠮷"], []),
    # English and acronyms, in any case, without their brackets.
    ("(C4ISR) and Extended Deterrence", ["c4isr", "extended", "deterrence"], ["(c4isr)", "and extended"]),
])
def test_terms(analyzer, text, terms, absent):
    got = analyzer.terms(text)
    assert all(t in got for t in terms), {t: t in got for t in terms}
    assert not any(t in got for t in absent), [t for t in absent if t in got]


def test_extract_units_skips_what_is_not_text():
    html = ('<article class="md-content__inner md-typeset"><h1>제목</h1>'
            '<p class="para" id="p-aa"><a class="pn" href="#p-aa">7</a> 본문<sup id="fnref:1">'
            '<a class="footnote-ref" href="#fn:1">1</a></sup> <span class="backlinks">인용한 쟁점: 쟁점</span></p>'
            '<details class="cite-box"><p>Chicago 참고문헌</p></details>'
            '<p class="issue-names"><span lang="en">Name</span></p>'
            '<details class="quote-context"><summary>문단 7 전체 보기</summary><p lang="ko">본문 <mark>되풀이</mark></p></details>'
            '<dl class="stance-legend"><dt><span class="stance">찬성</span></dt><dd>그렇다고 답한다.</dd></dl>'
            '<h2 id="mentions" class="no-index">모든 언급</h2><p>원문의 토막</p><h3>안</h3><p>아직 아님</p>'
            '<h2 id="after">뒤</h2><p>다시 색인</p>'
            '<table><tr><td id="opcon"><strong>OPCON</strong></td><td>전시작전통제권</td>'
            '<td><span class="no-index"><a href="s/">손한별 2025</a></span></td></tr></table>'
            '<script>var x = "<p>no</p>"</script></article><p>밖</p>')
    page = extract_units(html, "x/")
    got = [(u.anchor, u.title, u.text, u.kind) for u in page.units]
    assert got == [
        ("", "제목", "제목", "h1"),
        ("p-aa", "¶7 · 제목", "본문", "text"),
        ("", "제목", "Name", "name"),
        ("after", "뒤", "뒤", "h"),
        ("after", "뒤", "다시 색인", "p"),
        ("opcon", "뒤", "OPCON 전시작전통제권", "entry"),
    ]
    assert page.title == "제목"


def test_reference_list_entries_are_their_own_kind_and_weigh_less():
    html = ('<nav><p>탐색 <article>열린 채</nav><article class="md-content__inner"><h1>제목</h1>'
            '<h2 id="결론">结论</h2><p class="para" id="p-1">防卫费分担是核心问题。</p>'
            '<h2 id="参考文献">参考文献</h2><ul><li class="para ref-entry" id="p-2">防卫费分担研究.(2019).</li></ul>'
            '<h2 id="notes">편집 기록</h2><p>방위비 분담</p></article><footer><p>밖</p></footer>')
    got = [(u.anchor, u.kind) for u in extract_units(html, "x/").units]
    assert got == [("", "h1"), ("결론", "h"), ("p-1", "text"), ("参考文献", "h"), ("p-2", "ref"),
                   ("notes", "h"), ("notes", "p")]
    assert BOOST["ref"] < BOOST["text"]


def test_shard_hash_matches_the_worker():
    """The worker computes the same FNV-1a over UTF-16 code units; its source says so."""
    js = (bench.ROOT / "docs" / "javascripts" / "search-worker.js").read_text(encoding="utf-8")
    assert "0x811c9dc5" in js and "0x01000193" in js and "charCodeAt" in js
    assert fnv1a("") == 0x811C9DC5
    # A character outside the BMP is two code units, as in JavaScript's slice(0, 2).
    assert shard_key("𠀀가나") == "𠀀" and fnv1a("𠀀") != fnv1a("\ud840")
    assert shard_key("방위비분담금") == "방위" and shard_key("핵") == "핵"


def test_write_index_shards_by_first_two_characters(tmp_path, analyzer):
    pages = [extract_units('<article class="md-content__inner"><h1>가</h1><p class="para" id="p-1">'
                           '방위비분담금과 확장억제</p></article>', "a/")]
    terms = [analyzer.terms_many([u.text for u in p.units]) for p in pages]
    conf = write_index(pages, terms, tmp_path / "idx")
    base = tmp_path / "idx" / conf["v"]
    shard = json.loads((base / "t" / f"{fnv1a('분담') % conf['nb']}.json").read_text(encoding="utf-8"))
    assert "분담금" in shard
    units, ranges, page, unit, v = shard["분담금"]
    assert (units, ranges) == (1, 0b1)                      # one unit, in the first page range
    assert (page, unit, v >> 4, v & 15) == (0, 1, 1, 2)   # the author's paragraph weighs 2
    block = json.loads((base / "b" / "0.0.json").read_text(encoding="utf-8"))
    assert block[1] == ["p-1", "가", "방위비분담금과 확장억제"]
    assert json.loads((base / "pages.json").read_text(encoding="utf-8")) == [["a/", "가"]]


def test_write_index_replaces_the_last_version_and_leaves_no_partial_files(tmp_path, analyzer):
    def page(text):
        return extract_units('<article class="md-content__inner"><h1>가</h1><p class="para" id="p-1">'
                             f'{text}</p></article>', "a/")
    out = tmp_path / "idx"
    first = write_index([page("확장억제")], [[analyzer.terms("가"), analyzer.terms("확장억제")]], out)
    again = write_index([page("확장억제")], [[analyzer.terms("가"), analyzer.terms("확장억제")]], out)
    assert again["v"] == first["v"]       # the version names the content
    other = write_index([page("방위비")], [[analyzer.terms("가"), analyzer.terms("방위비")]], out)
    assert other["v"] != first["v"]
    assert [p.name for p in out.iterdir()] == [other["v"]]   # no older version, no .partial
    files = [p for p in (out / other["v"]).rglob("*") if p.is_file()]
    assert (len(files), sum(p.stat().st_size for p in files)) == (other["files"], other["bytes"])


class _CountingAnalyzer:
    """Stands in for Kiwi and jieba: counts how many are loaded and alive."""
    loaded = alive = 0

    def __init__(self):
        type(self).loaded += 1
        type(self).alive += 1

    def __del__(self):
        type(self).alive -= 1

    def terms_many(self, texts):
        return [Counter(t.split()) for t in texts]


def _tiny_site(root, pages):
    for i, paras in enumerate(pages):
        d = root / "sources" / f"s{i}"
        d.mkdir(parents=True)
        body = "".join(f'<p class="para" id="p{k}">{t}</p>' for k, t in enumerate(paras))
        (d / "index.html").write_text(f"<html><head><title>s{i}</title></head><body><article class='md-content__inner'>"
                                      f"<h1>s{i}</h1>{body}</article></body></html>", encoding="utf-8")


def test_index_lets_the_analyzer_go_before_the_postings_are_built(tmp_path, monkeypatch):
    """Kiwi's memory and the postings' are never held at once: every text is analysed in a
    first pass, the analyzer is let go, then the postings are built from the terms kept."""
    monkeypatch.setattr(search_index, "Analyzer", _CountingAnalyzer)
    monkeypatch.setattr(_CountingAnalyzer, "loaded", 0)
    monkeypatch.setattr(_CountingAnalyzer, "alive", 0)
    monkeypatch.setattr(search_index, "PAGES_PER_BATCH", 2)
    _tiny_site(tmp_path / "site", [["가 나", "다"], ["나 라"], ["마"], ["가 나"], ["바 사"]])
    alive_while_posting = []
    add_postings = search_index.IndexWriter.add_postings

    def watched(self, *a):
        alive_while_posting.append(_CountingAnalyzer.alive)
        return add_postings(self, *a)

    monkeypatch.setattr(search_index.IndexWriter, "add_postings", watched)
    cache = tmp_path / "terms.json"
    conf = search_index.index_site(tmp_path / "site", cache)
    assert conf["pages"] == 5 and _CountingAnalyzer.loaded == 1
    assert alive_while_posting and set(alive_while_posting) == {0}
    # Built again with every text cached: the analyzer is not even loaded.
    search_index.index_site(tmp_path / "site", cache)
    assert _CountingAnalyzer.loaded == 1
    given = _CountingAnalyzer()                  # an analyzer passed in is the caller's
    other = search_index.Terms(None, given)
    other.of(["라"])
    other.release()
    assert other._analyzer is given


# --- the built site -----------------------------------------------------------------------

def test_site_search_files(built_site):
    stub = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] == [], "the whole index must not be downloaded on page load"
    conf = stub["config"]["edition"]
    assert (built_site / "search" / conf["v"] / "pages.json").exists()
    assert len((built_site / "search" / "search_index.json").read_bytes()) < 1000
    for page in [built_site / "index.html", *built_site.glob("sources/*/index.html")]:
        cfg = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                   page.read_text(encoding="utf-8"), re.S).group(1))
        assert cfg["search"].endswith("javascripts/search-worker.js"), page


# --- in Chromium ----------------------------------------------------------------------

@contextlib.contextmanager
def search_page(browser, url: str, on_request=None):
    """A fresh page (its own context: nothing cached) at `url`, ready for bench.type_query."""
    context = browser.new_context()
    try:
        page = context.new_page()
        if on_request:
            page.on("request", on_request)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.evaluate(bench.WATCH)
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def site_url(built_site):
    need_chromium()
    base, stop = bench.serve(built_site)
    yield base
    stop()


@pytest.fixture(scope="module")
def box(browser, site_url):
    """One search box for the module's benchmark queries (a page a reader keeps open)."""
    with bench.search_box(site_url, browser) as page:
        yield page


def test_benchmark_recall(box, site_url, capsys):
    """Every query of the benchmark finds all its expected pages among the first ten."""
    outcomes = bench.run_queries(site_url, bench.load_queries(), box=box)
    recall = bench.report(outcomes)
    assert len(outcomes) >= 60
    assert {o.query.lang for o in outcomes} == {"ko", "zh", "en"}
    misses = [(o.query.q, o.missing) for o in outcomes if not o.ok]
    assert recall == 1.0, misses


def test_ranking_puts_the_wanted_paragraph_first(box, site_url, built_site):
    """The ranking benchmark: for each query the one paragraph (entry, page) a reader wants
    first, chosen from the texts; the mean reciprocal rank meets the goal of issue 14."""
    wanted = bench.load_ranking()
    assert len(wanted) >= 30
    for w in wanted:  # a target that no longer exists would make the figure meaningless
        page, _, anchor = w.first.partition("#")
        html = (built_site / page / "index.html").read_text("utf-8")
        assert not anchor or f'id="{anchor}"' in html, w
    results = bench.run_ranking(site_url, wanted, box=box)
    mrr = bench.report_ranking(results)
    assert mrr >= bench.MRR_GOAL, [(w.q, rank) for w, rank, _ in results if rank != 1]


def test_result_lands_on_paragraph_with_terms_marked(browser, site_url):
    """A result for 방위비분담금 leads to the paragraph; the page marks the term, also where
    the author wrote it with a space (방위비 분담금)."""
    with search_page(browser, site_url) as page:
        bench.type_query(page, "방위비분담금")
        results = page.locator("li.md-search-result__item")
        assert results.count() > 0
        # The excerpt shows the term marked and the source's words as they are.
        first = page.locator("li.md-search-result__item a.md-search-result__link mark").first
        assert re.sub(r"\s", "", first.inner_text()) == "방위비분담금"
        link = page.locator("a.md-search-result__link[href*='sources/2019-digitaltimes'][href*='#p-']").first
        href = link.get_attribute("href")
        link.click()
        page.wait_for_load_state("load")
        url = urlsplit(page.url)
        assert parse_qs(url.query)["hl"] == ["방위비분담금"]
        anchor = unquote(url.fragment)
        target = page.locator(f"[id='{anchor}']")
        assert target.count() == 1 and href.endswith(anchor)
        assert page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect();"
                             " return r.top >= 0 && r.top < innerHeight }", anchor)
        marks = target.locator("mark[data-md-highlight]").all_inner_texts()
        assert marks and all(re.sub(r"\s", "", m) == "방위비분담금" for m in marks)
        spaced = page.locator("article mark[data-md-highlight]", has_text=" ")
        assert spaced.count() > 0, "방위비 분담금 (with a space) is marked too"


def test_page_load_fetches_no_index(browser, site_url):
    """On page load only the settings stub and the worker come; shards only with a query."""
    urls: list[str] = []
    with search_page(browser, site_url + "sources/2025-gu-kim-alliance-diplomatic-dilemma/",
                     lambda r: urls.append(r.url)) as page:
        search = [u for u in urls if bench.SEARCH_FILES.search(u)]
        assert any(u.endswith("search_index.json") for u in search)
        assert not any("/t/" in u or "/b/" in u or "pages.json" in u for u in search), search
        bench.type_query(page, "驻韩美军")
        page.wait_for_load_state("networkidle")
        shards = [u for u in urls if "/search/edition/" in u and "/t/" in u]
        assert 1 <= len(shards) <= 3, shards


HOSTILE = ('<script>alert("x")</script> 본문에 <img src=x onerror="window.__pwned=1"> 와 '
           '<b onmouseover="window.__pwned=2">굵게</b> 방위비분담금 이야기.\n')


def test_raw_html_in_a_source_is_shown_in_results_never_run(browser, tmp_path):
    """A source's text that looks like HTML stays text in the search results and on the
    page a result leads to (the excerpt and the marks are built from text, not markup)."""
    need_chromium()
    from tests.conftest import MINIMAL_META, make_project, mkdocs_build
    proj = make_project(tmp_path, {"hostile": {"source.txt": HOSTILE * 3, "meta.yml": MINIMAL_META}},
                        search="edition")
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    base, stop = bench.serve(proj / "site")
    try:
        with search_page(browser, base) as page:
            bench.type_query(page, "script onerror")
            result = page.locator("li.md-search-result__item").first
            text = result.inner_text()
            assert '<script>alert("x")</script>' in text and '<img src=x onerror=' in text
            assert result.locator("script, img, b[onmouseover]").count() == 0
            result.locator("a.md-search-result__link[href*='#p-']").first.click()
            page.wait_for_load_state("load")
            article = page.locator("article")
            assert article.locator("mark[data-md-highlight]", has_text="onerror").count() > 0
            assert article.locator("img, b[onmouseover]").count() == 0
            page.locator("mark[data-md-highlight]").first.hover()
            assert page.evaluate("() => window.__pwned") is None
    finally:
        stop()


def test_postings_split_by_page_range_give_the_same_answer(browser, built_site, tmp_path, monkeypatch):
    """The real site's index written again with ranges of 8 pages: the worker shows the first
    range's results, then the others as they arrive; its last answer is the one-range answer."""
    need_chromium()
    import shutil
    split = tmp_path / "site"
    shutil.copytree(built_site, split)
    monkeypatch.setattr(search_index, "RANGE_PAGES", 8)
    conf = search_index.index_site(split, built_site.parent / ".cache" / "edition" / "search-terms.json")
    assert conf["ranges"] > 4
    queries = ["방위비분담금", "확장억제 강화", "驻韩美军", "Trump", "동맹"]
    answers = {}
    for name, site in (("one", built_site), ("split", split)):
        base, stop = bench.serve(site)
        try:
            with bench.search_box(base, browser) as page:
                answers[name] = []
                for q in queries:
                    bench.type_query(page, q)
                    bench.wait_final(page)
                    answers[name].append(bench.ranked(page))
        finally:
            stop()
    assert answers["split"] == answers["one"]
    assert all(answers["one"])


@pytest.mark.parametrize("query, first", [
    ("Alliance theory", "issues/alliance-theory/"),          # English name of an issue
    ("同盟理论", "issues/alliance-theory/"),                  # its Chinese name
    ("전시작전통제권 전환", "issues/opcon-transition/"),        # a Korean name
    ("澳英美", "glossary/"),                                 # a glossary entry in Chinese
])
def test_names_put_their_page_first(box, site_url, query, first):
    [outcome] = bench.run_queries(site_url, [bench.Query(query, "", [first])], box=box)
    assert outcome.listed[0][0] == first, outcome.listed[:3]


def test_the_worker_takes_its_character_ranges_from_the_config():
    """The worker's Hangul/Han/Latin classes come from chardata through the search config,
    not from a copy kept in step by hand."""
    from build_scripts.cleaning.chardata import HAN_RE, HANGUL_RE, js_ranges
    js = (ROOT / "docs" / "javascripts" / "search-worker.js").read_text("utf-8")
    assert not re.search(r"\\u(ac00|4e00|3400|1100)|\\u\{20000\}", js), "a character range is copied into the worker"
    assert "setCharacters(conf.chars)" in js
    chars = js_ranges()
    assert all(HANGUL_RE.match(chr(a)) and HANGUL_RE.match(chr(b)) for a, b in chars["hangul"])
    assert all(HAN_RE.match(chr(a)) and HAN_RE.match(chr(b)) for a, b in chars["han"])
    assert not HANGUL_RE.match(chr(chars["hangul"][0][0] - 1))
