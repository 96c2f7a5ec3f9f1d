"""What a reader sees, in Debian's Chromium driven by Playwright.

Needs /usr/bin/chromium and fonts-noto-cjk (CI installs them). Without them the tests are
skipped, unless EDITION_REQUIRE_BROWSER=1 (as in CI), when a missing browser is a failure.
The browser, the server of the built site and the tab are conftest's, shared by every
browser test. Screenshots go to a temporary folder, never into git.
"""
import datetime
import json
import re

import pytest

from tests.conftest import SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_each_source_page_loads(page, page_errors, server, slug, tmp_path):
    resp = page.goto(f"{server}/sources/{slug}/")
    assert resp.status == 200
    assert page.locator("article h1").first.is_visible()
    assert page.locator("p.para").count() > 0
    assert page.locator(".source-header dl").is_visible()
    page.screenshot(path=str(tmp_path / f"{slug}.png"))
    assert not page_errors


def hover_note(page, url, note, expect, href=None):
    """Hover footnote reference `note` and return the tooltip Material opens for it."""
    page.goto(url)
    ref = page.locator(f'a.footnote-ref[href="{href or f"#fn:{note}"}"]', has_text=str(note)).first
    ref.scroll_into_view_if_needed()
    ref.hover()
    tip = page.locator(".md-tooltip2").filter(has_text=expect).first
    tip.wait_for(state="visible", timeout=5000)
    return tip


def test_footnote_tooltip_opens_on_hover(page, server):
    tip = hover_note(page, f"{server}/sources/2025-son-alliance-modernization/", 1, "Trump’s Prism")
    assert "Victor Cha" in tip.inner_text()


def test_missing_note_tooltip_says_so(page, server):
    # 003's notes lost their text: each marker opens the one statement that says so.
    tip = hover_note(page, f"{server}/sources/2024-yang-trump-second-term-alliance/", 14, "원문 추출본에 없습니다",
                     href="#notes-missing")
    assert "not in the source" in tip.inner_text()


def test_korean_is_keep_all_and_chinese_is_not(page, server):
    page.goto(f"{server}/sources/2024-yang-trump-second-term-alliance/")
    wb = page.eval_on_selector("p.para[lang=ko]", "e => getComputedStyle(e).wordBreak")
    assert wb == "keep-all"
    page.goto(f"{server}/sources/2025-gu-kim-alliance-diplomatic-dilemma/")
    assert page.eval_on_selector("p.para[lang=zh]", "e => getComputedStyle(e).wordBreak") != "keep-all"
    font = page.eval_on_selector("p.para[lang=zh]", "e => getComputedStyle(e).fontFamily")
    assert "Noto Sans SC" in font or "PingFang SC" in font


def test_paragraph_number_links_to_its_paragraph(page, server):
    page.goto(f"{server}/sources/2019-digitaltimes-alliance-two-storms/")
    num = page.locator("p.para a.pn").nth(6)
    target = num.get_attribute("href")
    num.click()
    assert page.url.endswith(target)
    assert page.eval_on_selector(target, "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")


def test_math_renders_as_a_subscript(page, server):
    page.goto(f"{server}/sources/2025-gu-kim-alliance-diplomatic-dilemma/")
    m = page.locator("math msub").first
    m.scroll_into_view_if_needed()
    box_x = page.locator("math msub mi").nth(0).bounding_box()
    box_m = page.locator("math msub mi").nth(1).bounding_box()
    assert box_m["y"] > box_x["y"]  # the subscript sits lower than its base


def test_issue_quote_link_lands_on_the_highlighted_paragraph(page, server):
    page.goto(f"{server}/issues/defense-cost-sharing/")
    link = page.locator(".quote-source a").nth(2)
    anchor = link.get_attribute("href").split("#")[1]
    quote = link.locator("xpath=ancestor::blockquote").locator("p").first.inner_text()
    link.click()
    page.wait_for_url(f"**/sources/**#{anchor}")
    target = page.locator(f"#{anchor}")
    state = target.evaluate("e => [e.matches(':target'), getComputedStyle(e).backgroundColor,"
                            " e.getBoundingClientRect().top, innerHeight]")
    assert state[0] is True
    assert state[1] not in ("rgba(0, 0, 0, 0)", "transparent")      # highlighted
    assert 0 <= state[2] < state[3]                                    # and in view
    assert quote.split(" ")[0] in target.inner_text()                  # the quoted words are there


def test_abbreviation_tooltip_opens_beside_a_korean_particle(page, server):
    page.goto(f"{server}/sources/2024-yang-trump-second-term-alliance/")
    abbr = page.locator("p.para abbr", has_text="NCG").first
    abbr.scroll_into_view_if_needed()
    abbr.hover()
    tip = page.locator(".md-tooltip2").filter(has_text="Nuclear Consultative Group").first
    tip.wait_for(state="visible", timeout=5000)
    assert "핵협의그룹" in tip.inner_text() and "核磋商小组" in tip.inner_text()


def test_issue_index_matrix_links_to_positions(page, server, tmp_path):
    page.goto(f"{server}/issues/")
    cells = page.locator("table a[href*='#pos-']")
    assert cells.count() >= 40
    page.screenshot(path=str(tmp_path / "issues.png"), full_page=True)
    href = cells.first.get_attribute("href")
    cells.first.click()
    # The click navigates to another page: wait for it rather than reading the old one.
    page.wait_for_url("**/issues/*/#pos-*")
    target = page.locator("#" + href.split("#")[1])
    target.wait_for(state="visible")
    assert "#pos-" in page.url and target.is_visible()


def _filled(golden: str, server: str, slug: str, para: str = "", permalink: str = "") -> str:
    """A golden string (tests/test_cite.py) as the page's script fills it in."""
    d = datetime.date.today()
    return (golden.replace("__EDITION__", f"{server}/sources/{slug}/").replace("__PARA__", para)
            .replace("__PERMALINK__", permalink).replace("__ACCESSED__", f"{d.year}년 {d.month}월 {d.day}일"))


def test_copy_citation_puts_the_right_text_on_the_clipboard(page, server):
    """The Cite box's copy button and a paragraph's ❝ button, read back from the clipboard:
    exactly the golden string of the chosen style plus the paragraph's short permalink. The
    choice of style holds on the next page; the text-fragment link is there when asked for."""
    from tests.test_cite import GOLDEN
    slug, son = "2025-gu-kim-alliance-diplomatic-dilemma", "2025-son-alliance-modernization"
    edition = "한미동맹 정책 논평 읽기판"
    ctx = page.context
    page.goto(f"{server}/sources/{slug}/")
    page.click("details.cite-box summary")
    # The default is Korean; one style shown at a time.
    assert page.locator(".cite-entry:visible").count() == 1
    assert page.locator(".cite-entry[data-style=ko]").is_visible()
    page.locator(".cite-entry[data-style=ko] .cite-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        GOLDEN[slug]["ko"][0] + f" (읽은 곳: {edition}, {server}/sources/{slug}/)")
    page.check(".cite-styles input[value=chicago]")
    page.locator(".cite-entry[data-style=chicago] .cite-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        GOLDEN[slug]["chicago"][0] + f" Read in {edition}, {server}/sources/{slug}/.")

    para = page.locator(".para").nth(6)
    anchor = para.get_attribute("id")
    para.hover()
    para.locator("button.para-cite").click()
    permalink = f"{server}/sources/{slug}/#{anchor}"
    assert page.evaluate("navigator.clipboard.readText()") == _filled(GOLDEN[slug]["chicago"][1], server, slug, "7", permalink)

    # APA chosen here holds on another page, for the box and for ❝.
    page.check(".cite-styles input[value=apa]")
    page.goto(f"{server}/sources/{son}/")
    page.click("details.cite-box summary")
    assert page.locator(".cite-entry[data-style=apa]").is_visible()
    assert page.locator(".cite-entry:visible").count() == 1
    assert page.is_checked(".cite-styles input[value=apa]")
    para = page.locator(".para").nth(2)
    para.hover()
    para.locator("button.para-cite").click()
    reference, intext = GOLDEN[son]["apa"]
    permalink = f"{server}/sources/{son}/#{para.get_attribute('id')}"
    assert page.evaluate("navigator.clipboard.readText()") == _filled(f"{reference} {intext} {permalink}", server, son, "3")

    # Korean, with today's date as the access date; then with the text fragment asked for.
    page.check(".cite-styles input[value=ko]")
    para.locator("button.para-cite").click()
    reference, intext = GOLDEN[son]["ko"]
    assert page.evaluate("navigator.clipboard.readText()") == _filled(f"{reference} {intext} {permalink}", server, son, "3")
    page.check(".cite-fragment input")
    para.locator("button.para-cite").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(_filled(f"{reference} {intext} {permalink}:~:text=", server, son, "3"))
    link = copied.rsplit(" ", 1)[-1]
    fragment = link.split(":~:text=")[1]
    assert "%EC" not in fragment and re.search("[가-힣]", fragment)   # Hangul as a browser shows it
    other = ctx.new_page()
    other.goto(link)
    other.wait_for_timeout(400)
    anchor = para.get_attribute("id")
    assert other.evaluate(f"document.getElementById('{anchor}').matches(':target, .is-target')")
    box = other.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top")
    assert 0 <= box < 900
    # Had the words changed, the directive would match nothing: the id still lands.
    stale = ctx.new_page()
    stale.goto(f"{server}/sources/{son}/#{anchor}:~:text=%EC%97%86%EB%8A%94%20%EB%A7%90")
    stale.wait_for_timeout(400)
    top = stale.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top")
    assert 0 <= top < 900 and stale.evaluate("scrollY") > 0


def test_an_issue_pages_cite_box_keeps_the_chosen_style_and_copies_it(page, server):
    """An issue page's Cite box is the source pages' box: the style chosen on a source page
    holds there; its copy button gives the reference with the page's address and today's
    date in the style's own form; it has no paragraphs to cite, so no ❝ and no fragment option."""
    from types import SimpleNamespace
    from build_scripts.apparatus.issues import IssueError
    from build_scripts.citations.cite import issue_citation, reference_text
    from build_scripts.reading import read_yaml
    from tests.conftest import CORPUS
    from tests.test_cite import EDITION, EDITORS
    iid, slug = "defense-cost-sharing", "2025-son-alliance-modernization"
    data = read_yaml(CORPUS / "issues" / f"{iid}.yml", IssueError)[1]
    c = issue_citation(SimpleNamespace(**{k: data[k] for k in ("id", "names", "updated", "description")}),
                       f"https://x/issues/{iid}/", EDITION, EDITORS)
    d = datetime.date.today()

    def expected(style):
        return (reference_text(c, style).replace("__EDITION__", f"{server}/issues/{iid}/")
                .replace("__ACCESSED_ISO__", d.isoformat()).replace("__ACCESSED__", f"{d.year}년 {d.month}월 {d.day}일"))
    page.goto(f"{server}/sources/{slug}/")
    page.click("details.cite-box summary")
    page.check(".cite-styles input[value=zh]")
    page.goto(f"{server}/issues/{iid}/")
    page.click("details.cite-box summary")
    assert page.is_checked(".cite-styles input[value=zh]")
    assert page.locator(".cite-entry:visible").count() == 1 and page.locator(".cite-entry[data-style=zh]").is_visible()
    assert page.locator(".cite-styles input").count() == 4
    assert page.locator(".cite-fragment").count() == 0 and page.locator("button.para-cite").count() == 0
    page.locator(".cite-entry[data-style=zh] .cite-copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == expected("zh")
    for style in ("ko", "chicago", "apa"):
        page.check(f".cite-styles input[value={style}]")
        page.locator(f".cite-entry[data-style={style}] .cite-copy").click()
        assert page.evaluate("navigator.clipboard.readText()") == expected(style), style


def test_a_removed_paragraphs_id_lands_on_the_paragraph_in_its_place(page, server):
    """Aliases (ids of removed paragraphs) scroll to and highlight the paragraph holding them."""
    page.goto(f"{server}/sources/2024-segye-alliance-nuclear-deterrence/")
    # The real corpus has no removed paragraph: add an alias the way the renderer does.
    page.evaluate("""() => { const p = document.querySelectorAll('.para')[3];
        const s = document.createElement('span'); s.className = 'anchor-alias'; s.id = 'p-000000';
        s.setAttribute('data-ed', ''); p.querySelector('.pn').after(s); }""")
    page.evaluate("location.hash = '#p-000000'")
    page.wait_for_timeout(200)
    top = page.evaluate("document.querySelectorAll('.para')[3].getBoundingClientRect().top")
    assert 0 <= top < 300
    bg = page.evaluate("getComputedStyle(document.querySelectorAll('.para')[3]).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")


def _context_paragraphs(built_site) -> dict:
    corpus = json.loads((built_site / "export" / "corpus.json").read_text("utf-8"))
    return {p["anchor"]: p["text"] for s in corpus["sources"] for p in s["paragraphs"]}


def check_quote_context(page, server, paragraphs):
    """The first quote's <details>: closed at first, opened by a click on its summary, the
    whole paragraph inside with the quoted words marked; its attribution link lands on the
    paragraph on the source page."""
    page.goto(f"{server}/issues/defense-cost-sharing/")
    quote = page.locator("blockquote").nth(1)
    link = quote.locator(".quote-source a")
    href = link.get_attribute("href")
    assert re.fullmatch(r"\.\./\.\./sources/[a-z0-9-]+/#p-[0-9a-f]{6}", href), href
    anchor = href.split("#")[1]
    details = quote.locator("xpath=following-sibling::*[1]")
    assert details.evaluate("e => e.matches('details.quote-context') && !e.open")
    body = details.locator("p")
    assert not body.is_visible()
    details.locator("summary").click()
    assert details.evaluate("e => e.open") and body.is_visible()
    assert " ".join(body.inner_text().split()) == " ".join(paragraphs[anchor].split())
    marked = body.locator("mark").inner_text()
    shown = quote.locator("p").first.inner_text()
    assert marked and marked in shown and marked in paragraphs[anchor]
    link.click()
    page.wait_for_url(f"**/sources/**#{anchor}")
    target = page.locator(f"#{anchor}")
    assert target.evaluate("e => e.matches(':target') && e.getBoundingClientRect().top >= 0"
                           " && e.getBoundingClientRect().top < innerHeight")
    assert marked.split()[0] in target.inner_text()


def test_quote_context_opens_and_shows_the_whole_paragraph(page, server, built_site):
    check_quote_context(page, server, _context_paragraphs(built_site))


def test_quote_context_works_without_javascript(browser, server, built_site):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        check_quote_context(ctx.new_page(), server, _context_paragraphs(built_site))
    finally:
        ctx.close()
