"""Reading on every screen, in Debian's Chromium (issue 14): table cells never break a
Korean or Chinese word, nothing spills off a phone's screen, the paragraph tools are a
real tap target, and axe-core finds no serious or critical violation in either palette.

Shares the built site, the browser and the tab of tests/conftest.py with the other browser
tests. axe-core comes from npm (package.json; `npm ci`): without it the axe test is skipped,
unless EDITION_REQUIRE_BROWSER=1 (as in CI), when that is a failure.
"""
import contextlib
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import SUBPATH_URL, errors_on

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
TABLE_PAGES = {
    "matrix": "issues/",
    "issue": "issues/defense-cost-sharing/",
    "glossary": "glossary/",
    "ledger": "sources/2025-gu-kim-alliance-diplomatic-dilemma/",
}
PAGE_KINDS = {
    "home": "",
    "source": "sources/2025-son-alliance-modernization/",
    "source-zh": "sources/2025-gu-kim-alliance-diplomatic-dilemma/",
    "issue": "issues/defense-cost-sharing/",
    "matrix": "issues/",
    "author": "authors/yang-uk/",
    "glossary": "glossary/",
    "works-cited": "works-cited/",
    "404": "404.html",
}

# For each text node in a table cell, the characters on either side of every line break,
# from the client rects of each character (a Range per character): a new line starts where
# a character's top is below the previous one's.
LINE_BREAKS_JS = r"""
(sel) => {
  const out = [];
  document.querySelectorAll('details').forEach(d => d.open = true);
  for (const cell of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      // A <br> or a block (a list item) is a line the author asked for, not a wrap.
      if (n.nodeType === 1) {
        if (n.tagName === 'BR' || getComputedStyle(n).display !== 'inline') chars.push(['\n', 0, 0]);
        continue;
      }
      // A space between two elements (words kept whole in spans) is where a line may
      // break; at the end of a line it has no box of its own to see.
      if (!n.data.trim()) {
        const last = chars[chars.length - 1];
        if (last) chars.push([' ', last[1], last[2]]);
        continue;
      }
      const el = n.parentElement;
      if (!el || el.closest('.sr-only, [hidden]') || !el.getClientRects().length) continue;
      for (let i = 0; i < n.data.length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const rects = r.getClientRects();
        if (!rects.length || n.data[i] === '\n') continue;
        chars.push([n.data[i], rects[0].top, rects[0].height]);
      }
    }
    for (let i = 1; i < chars.length; i++) {
      const [c, top] = chars[i], [p, ptop, h] = chars[i - 1];
      if (c === '\n' || p === '\n') continue;
      if (top > ptop + h * 0.5) out.push([p, c, cell.textContent.trim().slice(0, 40)]);
    }
  }
  return out;
}
"""
HANGUL_OR_HAN = r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


def need_axe():
    if AXE.exists():
        return AXE.read_text("utf-8")
    if os.environ.get("EDITION_REQUIRE_BROWSER"):
        pytest.fail("axe-core is required: run `npm ci` (package.json)")
    pytest.skip("axe-core is not installed (npm ci)")


@pytest.fixture
def context(page):
    """The shared tab (conftest's page) at a width and colour scheme: context(390, "dark")."""
    def at(width=1280, scheme="light"):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        return page
    return at


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", sorted(TABLE_PAGES))
def test_table_cells_break_only_between_words(context, server, kind, width):
    import re
    page = context(width)
    page.goto(f"{server}/{TABLE_PAGES[kind]}")
    breaks = page.evaluate(LINE_BREAKS_JS, "table th, table td")
    assert breaks is not None
    cjk = re.compile(HANGUL_OR_HAN)
    inside = [b for b in breaks if cjk.fullmatch(b[0]) and cjk.fullmatch(b[1])]
    assert not inside, f"{len(inside)} words broken, e.g. {inside[:5]}"
    # The check sees real breaks: a long cell wraps somewhere.
    assert breaks or width == 1280


PHONE_OVERFLOW_JS = r"""
() => {
  const out = [];
  const vw = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= vw + 1) continue;
    // Inside a box that scrolls sideways (a table's, a formula's) is fine.
    let p = el.parentElement, scrolls = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (/(auto|scroll)/.test(s.overflowX) && p.getBoundingClientRect().right <= vw + 1) { scrolls = true; break; }
      if (s.position === 'fixed' || el.closest('[popover]')) { scrolls = true; break; }
      p = p.parentElement;
    }
    if (!scrolls) out.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 30));
  }
  return out;
}
"""


@pytest.mark.parametrize("kind", ["source", "source-zh", "issue", "matrix", "glossary", "works-cited"])
def test_nothing_wider_than_a_phone_outside_a_scroll_box(context, server, kind):
    page = context(390)
    page.goto(f"{server}/{PAGE_KINDS[kind]}")
    if kind.startswith("source"):
        page.click("details.cite-box summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(PHONE_OVERFLOW_JS) == []


def test_at_a_glance_text_is_visible_on_a_phone(context, server):
    page = context(390)
    page.goto(f"{server}/issues/defense-cost-sharing/")
    cells = page.locator(".glance td:last-child")
    assert cells.count() == 4
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] > 250, box
        assert cells.nth(i).is_visible()
    # Every summary is laid out in full: no cell a sliver a syllable wide.
    heights = [cells.nth(i).bounding_box()["height"] for i in range(cells.count())]
    assert max(heights) < 400, heights


@pytest.mark.parametrize("width", WIDTHS)
def test_paragraph_tools_are_one_tap_target_with_a_korean_name(context, server, width):
    page = context(width)
    page.goto(f"{server}/sources/2025-son-alliance-modernization/")
    para = page.locator("p.para").nth(3)
    para.hover()
    num, cite = para.locator("a.pn"), para.locator("button.para-cite")
    a, b = num.bounding_box(), cite.bounding_box()
    for box in (a, b):
        assert box["width"] >= 24 and box["height"] >= 24, box
    # Side by side, as one tool.
    assert abs(a["y"] - b["y"]) < 4 and 0 <= b["x"] - (a["x"] + a["width"]) < 8
    assert cite.evaluate("e => getComputedStyle(e).opacity") == "1"
    name = cite.get_attribute("aria-label")
    assert name.startswith("문단 4") and "인용" in name and not any("a" <= c <= "z" for c in name.lower())


def test_keyboard_reaches_the_cite_button_and_it_copies(page, server):
    page.goto(f"{server}/sources/2019-digitaltimes-alliance-two-storms/")
    page.locator("p.para a.pn").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('para-cite')")
    assert page.evaluate("getComputedStyle(document.activeElement).opacity") == "1"
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    copied = page.evaluate("navigator.clipboard.readText()")
    # The default style is 한국어: the in-text citation names the paragraph as 1문단.
    assert "2019, 1문단)" in copied and "/sources/2019-digitaltimes-alliance-two-storms/#p-" in copied


def test_reference_entries_carry_no_cite_button(context, server):
    page = context(1280)
    page.goto(f"{server}/sources/2025-gu-kim-alliance-diplomatic-dilemma/")
    entries = page.locator("li.ref-entry")
    assert entries.count() >= 20
    assert all(not b.is_visible() for b in entries.locator("button.para-cite").all())
    assert page.locator("p.para:not(.ref-entry) button.para-cite").first.count() == 1


def test_backlinks_are_one_control_that_opens_the_list(context, server):
    page = context(390)
    page.goto(f"{server}/sources/2019-digitaltimes-alliance-two-storms/")
    toggle = page.locator("button.backlinks-toggle").nth(1)
    toggle.scroll_into_view_if_needed()
    # One accessible name, said once: no title repeating it as a description; what the
    # button shows ("쟁점 2개") is inside the name.
    assert toggle.get_attribute("title") is None
    assert toggle.evaluate("e => e.textContent") == "↗이 문단을 인용한 쟁점 2개"
    assert toggle.locator(".sr-only").bounding_box()["width"] <= 1   # on screen: "↗ 쟁점 2개"
    assert toggle.aria_snapshot() == '- button "이 문단을 인용한 쟁점 2개"'

    box = toggle.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24
    lst = page.locator("#" + toggle.get_attribute("popovertarget"))
    assert not lst.is_visible()
    toggle.click()
    assert lst.is_visible() and lst.locator("a").count() == 2
    page.keyboard.press("Escape")
    assert not lst.is_visible()


@contextlib.contextmanager
def static_host(site: Path, prefix: str = "/"):
    """The built site as a static host serves it: under `prefix` (a GitHub Pages project
    site is served under /<project>/), and 404.html, with status 404, for any address that
    leads nowhere, at any depth. Yields the host's address."""
    class Host(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(site), **kw)

        def translate_path(self, path):
            if not path.startswith(prefix):
                return str(site / "no such file")
            return super().translate_path("/" + path[len(prefix):])

        def send_error(self, code, *a, **kw):
            if code != 404:
                return super().send_error(code, *a, **kw)
            body = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Host)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def check_404_page(page, missing: str, home: str):
    """A missing address gets the Korean 404 page, whose search box talks to the edition's
    worker and whose results lead to pages of the site under `home`."""
    with errors_on(page) as errors:
        _check_404_page(page, missing, home)
    assert not errors


def _check_404_page(page, missing: str, home: str):
    resp = page.goto(missing)
    assert resp.status == 404
    assert "찾는 쪽이 없습니다" in page.locator("h1").inner_text()
    search(page, "방위비")
    assert "일치하는" in page.locator(".md-search-result__meta").inner_text()
    first = page.locator(".md-search-result__item a").first
    assert first.get_attribute("href").startswith(home), first.get_attribute("href")
    for link in page.locator("article a").all():
        assert link.evaluate("a => a.href").startswith(home)
    first.click()
    page.wait_for_load_state()
    assert page.url.startswith(home + "issues/") and "찾는 쪽이 없습니다" not in page.locator("h1").inner_text()


def test_404_page_is_korean_and_its_search_answers(context, built_site):
    """A missing address deep in the site gets 404.html, as a static host serves it; its
    search box talks to the edition's worker like every other page's. Without site_url the
    site is taken to stand at the root: the page's addresses start with "/"."""
    html = (built_site / "404.html").read_text("utf-8")
    assert '"search": "/javascripts/search-worker.js"' in html
    with static_host(built_site) as host:
        check_404_page(context(1280), f"{host}/sources/no-such-source/p-1/", f"{host}/")


SUBPATH = urlsplit(SUBPATH_URL).path   # the site of conftest.subpath_site


def test_404_page_works_under_a_sub_path(context, subpath_site):
    """A 404 page is served at whatever depth the missing address had, so its addresses can
    be neither relative nor "/": like Material's own 404 page, they start with site_url's
    path (MkDocs renders a static template with that base). The search worker, the
    scripts, the styles and the links all stand under the sub-path, and the search works."""
    import json
    import re
    html = (subpath_site / "404.html").read_text("utf-8")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["base"] == SUBPATH and config["search"] == SUBPATH + "javascripts/search-worker.js"
    local = re.findall(r'(?:src|href)="(/[^"]*)"', html)
    assert local and all(u.startswith(SUBPATH) for u in local), [u for u in local if not u.startswith(SUBPATH)]
    with static_host(subpath_site, SUBPATH) as host:
        check_404_page(context(390), f"{host}{SUBPATH}sources/no-such-source/p-1/x/", f"{host}{SUBPATH}")


def search(page, words):
    """Type into the header's search box once its worker is ready (the box says "검색
    초기화" until then, and forever if the worker cannot start), and wait for results. On a
    phone the box opens from the header's search button first."""
    if page.viewport_size["width"] < 960:     # Material's breakpoint for the header's box
        page.click("label.md-header__button[for=__search]")
    page.click(".md-search__input")
    page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                           " return m && m.textContent.trim() && !m.textContent.includes('초기화'); }", timeout=15000)
    page.keyboard.type(words)
    # Korean is typed as inserted text, with no key events; the box searches on keyup.
    page.keyboard.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=10000)


# Dark mode changes colours only: there, only axe's colour rules are run again. Material
# follows the reader's system palette as it changes (the palette's first choice is
# "automatic"), so each state of each page is loaded once and checked in both palettes.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"


def _axe(page, where="document", rules=None):
    return page.evaluate("""async ([where, rules]) => {
        const context = where === 'document' ? document : where;
        const r = await axe.run(context, rules ? {resultTypes: ['violations'], runOnly: rules}
                                               : {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' '
                + (n.any[0] || {message: ''}).message.split('. Expected')[0].slice(-90)).join(' | '));
    }""", [where, rules])


def _both_palettes(page, found, label, where="document"):
    """All of axe's rules in the light palette, then its colour rules in the dark one (set
    as a reader's system would set it, the page left as it was), and back to light."""
    page.wait_for_function(SETTLED)   # Material fades colours in: measure them settled
    found[label] = _axe(page, where)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_function(SETTLED)
    found[f"{label}, dark"] = _axe(page, where, COLOUR_RULES)
    page.emulate_media(color_scheme="light")
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'default'")


def test_axe_finds_no_serious_violation_in_either_palette(context, server):
    script = need_axe()
    page = context(1280)
    found = {}
    for kind, path in PAGE_KINDS.items():
        page.goto(f"{server}/{path}")
        page.add_script_tag(content=script)
        _both_palettes(page, found, kind)
        # The Cite box open, on a source page and an issue page (its copy buttons are
        # coloured): the box itself checked again, the page around it was.
        if kind in ("source", "issue"):
            page.click("details.cite-box summary")
            _both_palettes(page, found, f"{kind}, Cite box open", "details.cite-box")
    page.goto(f"{server}/issues/")
    page.add_script_tag(content=script)
    search(page, "확장억제")
    _both_palettes(page, found, "search open", ".md-search")
    assert len(found) == 2 * (len(PAGE_KINDS) + 3)
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"{k}: {x}" for k, v in bad.items() for x in v)
