"""Search benchmark: queries typed into the header search box of a built site, in Chromium.

    python -m build_scripts.tools.search_benchmark [--site site] [--queries tests/search/queries.yml]
                                                   [--ranking tests/search/ranking.yml]
    python -m build_scripts.tools.search_benchmark --scale 200 [--keep DIR]

The first form serves a built site on 127.0.0.1, types each query of the benchmark into
Material's search box (Debian's Chromium, driven by Playwright), and prints the recall:
the share of queries whose expected pages are all among the first ten results. A miss
prints what was listed instead. Then the ranking: for each query of ranking.yml, the one
paragraph (or entry, or page) a reader wants first, and where the search shows it; the
mean reciprocal rank is the figure (goal: at least 0.9).

The second builds the synthetic corpus of the build benchmark (build_scripts/tools/benchmark.py:
N sources copied from the five seeds) and measures what a reader's browser downloads for
search, on page load and on the first query (bytes as sent, and gzip-compressed as a web
server would send them), and the time from the keystroke to the first results on the
screen. Goals (issue 5): at most 300 KB compressed on page load plus the first query,
first results in under 0.3 s, and the recall kept.

At that scale the corpus holds many copies of each seed with the same text; they rank
together, so recall there counts copies of one seed as one page (`sources/bench-0007-x/`
stands for `sources/x/`). Queries expecting issue pages or glossary entries are left out
there, since the synthetic corpus has sources only.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import statistics
import tempfile
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "tests" / "search" / "queries.yml"
CHROMIUM = os.environ.get("EDITION_CHROMIUM", "/usr/bin/chromium")
TOP = 10
MRR_GOAL = 0.9         # mean reciprocal rank of the result a reader wants first (issue 14)


@dataclass
class Query:
    q: str
    lang: str
    expect: list[str]      # site paths, "path#anchor" for an anchor in that result


@dataclass
class Outcome:
    query: Query
    listed: list[tuple[str, list[str]]]    # first results: (page path, anchors linked)
    ms: float
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = data.get("pages") or {}
    out = []
    for item in data["queries"]:
        expect = []
        for e in item["expect"]:
            page, _, anchor = e.partition("#")
            page = names.get(page, page)
            expect.append(f"{page}#{anchor}" if anchor else page)
        out.append(Query(str(item["q"]), item["lang"], expect))
    return out


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path):
    """A static server for the built site on a free port; returns (base URL, stop)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/", httpd.shutdown


# In the page: time from the keystroke that sends the query to the first results shown.
# Material sends a query on keyup and writes the result count when the answer comes.
WATCH = """() => {
  const input = document.querySelector("input.md-search__input")
  const meta = document.querySelector(".md-search-result__meta")
  window.__search = { sent: 0, shown: 0 }
  input.addEventListener("keyup", () => { window.__search.sent = performance.now() }, true)
  new MutationObserver(() => {
    if (window.__search.sent && !window.__search.shown) window.__search.shown = performance.now()
  }).observe(meta, { childList: true, characterData: true, subtree: true })
}"""


def type_query(page, text: str) -> float:
    """Type a query the way a reader does (the text, then a key released) and wait for the
    results; returns milliseconds from the keystroke to the results on screen."""
    # The box is emptied without events, so that the query typed is the only one sent.
    page.evaluate("() => { window.__search.sent = 0; window.__search.shown = 0; window.__result = null;"
                  " document.querySelector('.md-search-result__meta').textContent = '';"
                  " document.querySelector('input.md-search__input').value = '' }")
    box = page.locator("input.md-search__input")
    box.focus()
    # Korean and Chinese come from an input method; Playwright inserts such text without
    # key events, so a key is released after it, as the input method's last key would be.
    page.keyboard.insert_text(text)
    page.keyboard.press("End")
    page.wait_for_function("() => window.__search.shown > 0", timeout=15000)
    return page.evaluate("() => window.__search.shown - window.__search.sent")


def listed(page, base: str) -> list[tuple[str, list[str]]]:
    out = []
    items = page.locator("li.md-search-result__item")
    for i in range(min(items.count(), TOP)):
        hrefs = items.nth(i).locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
        parts = [urlsplit(h) for h in hrefs]
        path = unquote(parts[0].path)[len(urlsplit(base).path):] if parts else ""
        out.append((path, [unquote(p.fragment) for p in parts if p.fragment]))
    return out


# Keeps the worker's last answer in the page: at scale the whole ranked list is read from it,
# since the list on screen shows ten results before the reader scrolls.
KEEP_RESULT = """(() => {
  const Native = window.Worker
  window.Worker = function (url, options) {
    const worker = new Native(url, options)
    worker.addEventListener("message", ev => {
      if (ev.data && ev.data.type === 3) window.__result = ev.data.data
    })
    return worker
  }
})()"""


def wait_final(page, timeout: float = 15000) -> None:
    """Wait for the worker's last answer to the query (KEEP_RESULT must be in the page): the
    first results come from the first page range, and the rest follow as they arrive."""
    page.wait_for_function("() => window.__result && window.__result.final", timeout=timeout)


def ranked(page) -> list[tuple[str, list[str]]]:
    """Every result of the last answer, in order: (page path, anchors linked)."""
    items = page.evaluate("() => (window.__result || {items: []}).items.map(group => group.map(d => d.location))")
    out = []
    for group in items:
        parts = [urlsplit(loc) for loc in group]
        out.append((unquote(parts[0].path), [unquote(p.fragment) for p in parts if p.fragment]))
    return out


def judge(query: Query, found: list[tuple[str, list[str]]]) -> list[str]:
    missing = []
    for e in query.expect:
        page, _, anchor = e.partition("#")
        if not any(path == page and (not anchor or anchor in anchors) for path, anchors in found):
            missing.append(e)
    return missing


def open_browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


@contextmanager
def search_box(base: str, browser=None):
    """A page of the site in Chromium, ready to type queries into (type_query), keeping the
    worker's last answer (ranked). In a browser given (its page closed after), or in one of
    its own."""
    if browser is not None:
        context = browser.new_context()
        try:
            yield _ready(context.new_page(), base)
        finally:
            context.close()
        return
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = open_browser(pw)
        try:
            yield _ready(b.new_page(), base)
        finally:
            b.close()


def _ready(page, base: str):
    page.add_init_script(KEEP_RESULT)
    page.goto(base)
    page.evaluate(WATCH)
    return page


def _box(base: str, browser=None, box=None):
    """The search box given (from search_box, kept open for several runs), or a new one."""
    return nullcontext(box) if box is not None else search_box(base, browser)


def run_queries(base: str, queries: list[Query], collapse=None, browser=None, box=None) -> list[Outcome]:
    outcomes = []
    with _box(base, browser, box) as page:
        for q in queries:
            ms = type_query(page, q.q)
            wait_final(page)
            if collapse:  # copies of one text count once: read the whole ranking
                seen, found = set(), []
                for path, anchors in ranked(page):
                    if collapse(path) not in seen:
                        seen.add(collapse(path))
                        found.append((collapse(path), anchors))
                found = found[:TOP]
            else:
                found = listed(page, base)
            outcomes.append(Outcome(q, found, ms, judge(q, found)))
    return outcomes


def report(outcomes: list[Outcome]) -> float:
    by_lang: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_lang.setdefault(o.query.lang, []).append(o)
    for o in outcomes:
        if not o.ok:
            print(f"MISS {o.query.q!r}: expected {o.missing}; first results: {[p for p, _ in o.listed]}")
    recall = sum(o.ok for o in outcomes) / len(outcomes)
    parts = ", ".join(f"{lang} {sum(o.ok for o in os_)}/{len(os_)}" for lang, os_ in sorted(by_lang.items()))
    print(f"recall: {recall:.1%} of {len(outcomes)} queries ({parts}); "
          f"time to results: median {statistics.median(o.ms for o in outcomes):.0f} ms")
    return recall


# --- ranking ----------------------------------------------------------------------------

RANKING = ROOT / "tests" / "search" / "ranking.yml"


@dataclass
class Wanted:
    q: str
    first: str             # "page/#anchor" (a paragraph, an entry) or "page/" (a page)
    why: str = ""


def load_ranking(path: Path = RANKING) -> list[Wanted]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Wanted(str(item["q"]), str(item["first"]), str(item.get("why", "")))
            for item in data["queries"]]


def rank_of(first: str, groups: list[tuple[str, list[str]]]) -> int | None:
    """Where the wanted result stands in what the reader sees (1 = first; None = not shown).
    A paragraph or entry is counted among the paragraphs and entries listed, page after
    page in the order shown; a page among the pages.

    >>> groups = [("sources/a/", ["p-1", "p-2"]), ("sources/b/", ["p-9"]), ("issues/x/", [])]
    >>> rank_of("sources/b/#p-9", groups), rank_of("sources/a/#p-2", groups), rank_of("issues/x/", groups)
    (3, 2, 3)
    >>> rank_of("sources/b/#p-1", groups) is None
    True
    """
    page, _, anchor = first.partition("#")
    if not anchor:
        return next((k for k, (path, _) in enumerate(groups, 1) if path == page), None)
    flat = [(path, a) for path, anchors in groups for a in anchors]
    return next((k for k, hit in enumerate(flat, 1) if hit == (page, anchor)), None)


def run_ranking(base: str, wanted: list[Wanted], browser=None, box=None) -> list[tuple[Wanted, int | None, list]]:
    """Each query typed; the rank of its wanted result in the worker's whole answer."""
    out = []
    with _box(base, browser, box) as page:
        for w in wanted:
            type_query(page, w.q)
            wait_final(page)
            root = urlsplit(base).path   # the worker's locations are relative to the site's root
            groups = [(path[len(root):] if path.startswith(root) else path, anchors)
                      for path, anchors in ranked(page)]
            out.append((w, rank_of(w.first, groups), groups))
    return out


def report_ranking(results: list[tuple[Wanted, int | None, list]]) -> float:
    """Print the queries not answered first, and the mean reciprocal rank."""
    for w, rank, groups in results:
        if rank != 1:
            shown = [f"{p}#{a[0]}" if a else p for p, a in groups[:3]]
            print(f"RANK {rank or '-'} {w.q!r}: wanted {w.first}; first shown {shown}")
    mrr = sum(1 / r for _, r, _ in results if r) / len(results)
    firsts = sum(1 for _, r, _ in results if r == 1)
    print(f"ranking: mean reciprocal rank {mrr:.3f} over {len(results)} queries "
          f"({firsts} answered first, {sum(1 for _, r, _ in results if not r)} not shown)")
    return mrr


# --- scale ------------------------------------------------------------------------------

# What a reader's browser fetches for search: the settings stub and the index pieces, the
# worker (the edition's, or Material's with Lunr), and the page's term highlighter.
SEARCH_FILES = re.compile(r"/search/|search-worker\.js|javascripts/search\.js|workers/search\.|javascripts/lunr/")


def measure_load_and_first_query(base: str, page_path: str, query: str) -> dict:
    """Bytes for search on page load and on the first query, and the time to results, on a
    fresh browser (nothing cached)."""
    from playwright.sync_api import sync_playwright
    got: list[tuple[str, int, int, str]] = []     # url, bytes, gzip bytes, phase
    phase = ["load"]
    with sync_playwright() as pw:
        b = open_browser(pw)
        page = b.new_page()

        def on_response(r):
            try:
                body = r.body()
            except Exception:
                return
            got.append((r.url, len(body), len(gzip.compress(body, 6)), phase[0]))
        page.on("response", on_response)
        page.goto(base + page_path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(WATCH)
        phase[0] = "query"
        ms = type_query(page, query)
        page.wait_for_load_state("networkidle")
        b.close()

    def total(ph, i):
        return sum(g[i] for g in got if g[3] == ph and SEARCH_FILES.search(g[0]))
    return {"query": query, "ms": round(ms, 1),
            "load_bytes": total("load", 1), "load_gzip": total("load", 2),
            "query_bytes": total("query", 1), "query_gzip": total("query", 2),
            "query_requests": sum(1 for g in got if g[3] == "query" and SEARCH_FILES.search(g[0]))}


def scale(n: int, keep: Path | None, reuse: bool = False, engine: str = "edition") -> int:
    from build_scripts.tools.benchmark import build_once, make_corpus
    work = keep or Path(tempfile.mkdtemp(prefix="edition-search-"))
    proj = work / f"corpus-{n}-{engine}"
    site = proj / "site"
    if not (reuse and (site / "index.html").exists()):
        if proj.exists():
            shutil.rmtree(proj)
        proj.mkdir(parents=True)
        make_corpus(proj, n)
        t = build_once(proj, search=engine)
        print(f"{n} sources built in {t['total']:.1f}s")
    gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in (site / "search").rglob("*.json"))
    print(f"engine: {engine}")
    files = sum(1 for _ in (site / "search").rglob("*.json"))
    print(f"search files: {files}, {gz / 1e6:.2f} MB gzip in all (a reader downloads only what a query needs)")
    base, stop = serve(site)
    try:
        seeds = {p.name for p in (ROOT / "corpus" / "sources").iterdir() if p.is_dir()}
        qs = [q for q in load_queries() if all(e.startswith("sources/") for e in q.expect)]
        # Cold: a new browser per query, opening a source page, then typing.
        rows = [measure_load_and_first_query(base, "sources/bench-0000-" + sorted(seeds)[0] + "/", q.q)
                for q in qs[::6]]
        for r in rows:
            print(f"  first query {r['query']!r}: page load {r['load_gzip'] / 1e3:.1f} KB gzip "
                  f"({r['load_bytes'] / 1e3:.1f} KB), first query {r['query_gzip'] / 1e3:.1f} KB gzip "
                  f"({r['query_bytes'] / 1e3:.1f} KB, {r['query_requests']} requests), results after {r['ms']:.0f} ms")
        worst = max(r["load_gzip"] + r["query_gzip"] for r in rows)
        print(f"search bytes on page load plus first query: worst {worst / 1e3:.1f} KB gzip (goal <= 300 KB); "
              f"time to first results: median {statistics.median(r['ms'] for r in rows):.0f} ms, "
              f"worst {max(r['ms'] for r in rows):.0f} ms (goal < 300 ms)")

        def collapse(path):
            m = re.match(r"sources/bench-\d+-(.+)", path)
            return f"sources/{m.group(1)}" if m else path
        outcomes = run_queries(base, qs, collapse)
        recall = report(outcomes)
    finally:
        stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if recall == 1.0 else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "site", help="a built site (mkdocs build)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--ranking", type=Path, default=RANKING, help="queries with the one result wanted first")
    ap.add_argument("--scale", type=int, help="build a synthetic corpus of this many sources and measure it")
    ap.add_argument("--keep", type=Path, help="with --scale: build in this folder and keep it")
    ap.add_argument("--reuse", action="store_true", help="with --keep: measure the site built there before")
    ap.add_argument("--engine", choices=["edition", "material"], default="edition",
                    help="with --scale: 'material' measures Material's own Lunr search for comparison")
    args = ap.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if args.scale:
        import logging
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        return scale(args.scale, args.keep, args.reuse, args.engine)
    if not (args.site / "index.html").exists():
        print(f"{args.site}: no built site here; run `mkdocs build` first")
        return 2
    base, stop = serve(args.site)
    try:
        recall = report(run_queries(base, load_queries(args.queries)))
        mrr = report_ranking(run_ranking(base, load_ranking(args.ranking)))
    finally:
        stop()
    return 0 if recall == 1.0 and mrr >= MRR_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
