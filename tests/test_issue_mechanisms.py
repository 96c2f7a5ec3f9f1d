"""Issue pages' reading aids: cut marks, the quoted paragraph one step away, editors' and
stance notes with the stance legend, and the editors' worklist (issues/review.json).

The cut marks are checked twice over: on examples, and over every quote of the real corpus
against an independent reading of the rule (a regex over the paragraph, not the build's
function), on the pages as built."""
import csv
import html as htmllib
import io
import json
import logging
import re
import unicodedata

import pytest

from build_scripts.apparatus.issues import cut_marks, locate_quote
from build_scripts.search.index import extract_units
from tests.conftest import MINIMAL_META, make_project, mkdocs_build
from tests.test_issues import SOURCES, anchors, issue_yaml

# --- cut marks: examples -----------------------------------------------------------------

KO = "방위비 분담금을 둘러싼 갈등이 커지고 있다. 국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다. 끝으로 한마디."
ZH = "韩国认为美国的要价并不合理。但在防卫费协商中，韩国依然处于相对被动的局面。其理由如下"
EN = ("This study examines the U.S. and South Korea alliance under Moon and Trump. "
      "It finds that the asymmetric alliance (Glenn H. Snyder) limits Seoul's autonomy.")


@pytest.mark.parametrize("text, quote, expected", [
    (KO, "방위비 분담금은 한 푼도 소홀히 써서는 안 된다.", (True, False)),          # starts mid-sentence
    (KO, "국민의 세금으로 충당되는", (False, True)),                                # stops mid-sentence
    (KO, "방위비 분담금은 한 푼도", (True, True)),                                   # both
    (KO, "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다.", (False, False)),  # whole
    (KO, "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다", (False, False)),   # "." left
    (KO, "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안", (False, True)),        # "된다." left
    (KO, "국민의 세금으로 […] 소홀히 써서는 안 된다", (False, False)),              # an elision is no cut
    (KO, "갈등이 커지고 있다. 국민의 세금으로 […] 한 푼도", (True, True)),           # the outer ends count
    (ZH, "但在防卫费协商中，韩国依然处于相对被动的局面", (False, False)),             # "。" needs no space
    (ZH, "韩国依然处于相对被动的局面。", (True, False)),
    (ZH, "其理由", (False, True)),
    (EN, "the U.S. and South Korea alliance under Moon and Trump.", (True, False)),  # U.S. ends nothing
    (EN, "It finds that the asymmetric alliance (Glenn H. Snyder) limits", (False, True)),
    (EN, "the asymmetric alliance (Glenn H. Snyder) limits Seoul's autonomy.", (True, False)),
    ("증가율은 1.10%였다. 다음", "증가율은 1.10%였다", (False, False)),               # 1.10 ends nothing
    ("그는 “그대로다.”라고 말했다. 다음", "그대로다.", (True, True)),                 # reported speech
    ("“동맹은 중요하다.” 그는 말했다.", "동맹은 중요하다.", (False, False)),          # quote marks are no letters
])
def test_cut_marks(text, quote, expected):
    assert cut_marks(text, locate_quote(quote, text)) == expected


# --- cut marks: every quote of the real corpus, on the built pages ------------------------

CLOSE = re.escape("'\"’”»」』】）)]〉>")
# A sentence ends at . ? ! … (then closing quotes or brackets) before a space or the
# paragraph's end, or at 。！？ whatever follows; a capital's '.' (U.S., H. Snyder) is no end.
SENTENCE_END = re.compile(rf"[。！？][{CLOSE}]*|(?<![^A-Za-z][A-Z])(?<!^[A-Z])[.?!…]+[{CLOSE}]*(?=\s|$)")


def has_letter(s: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in s)


def where_quoted(quote: str, text: str) -> tuple[int, int]:
    """First and last character of the quote's parts in the paragraph, whitespace aside."""
    at, first = 0, None
    for part in quote.split(" […] "):
        rx = r"\s*".join(re.escape(c) for c in part if not c.isspace())
        m = re.compile(rx).search(text, at)
        assert m, (quote, text)
        first = m.start() if first is None else first
        at = m.end()
    return first, at


def shown_quotes(page: str) -> list[tuple[str, str]]:
    """(text as shown, attribution link) of each quote on a built issue page."""
    out = []
    for m in re.finditer(r'<blockquote>\s*<p lang="[a-z]+">(.*?)</p>\s*<p class="quote-source"[^>]*>.*?href="([^"]+)"',
                         page, re.S):
        out.append((htmllib.unescape(re.sub(r"<[^>]+>", "", m.group(1))), m.group(2)))
    return out


def test_every_quote_shows_its_cuts_as_the_paragraph_has_them(built_site):
    rows = json.loads((built_site / "issues" / "positions.json").read_text("utf-8"))["quotes"]
    corpus = json.loads((built_site / "export" / "corpus.json").read_text("utf-8"))
    para = {(s["slug"], p["anchor"]): p["text"] for s in corpus["sources"] for p in s["paragraphs"]}
    seen = {"before": 0, "after": 0, "whole": 0}
    for issue in dict.fromkeys(r["issue"] for r in rows):
        mine = [r for r in rows if r["issue"] == issue]
        shown = shown_quotes((built_site / "issues" / issue / "index.html").read_text("utf-8"))
        assert len(shown) == len(mine), issue
        for r, (text, href) in zip(mine, shown):
            assert href.endswith(f"/sources/{r['source']}/#{r['paragraph']}"), (href, r)
            p = para[(r["source"], r["paragraph"])]
            start, stop = where_quoted(r["quote"], p)
            ends = [m.end() for m in SENTENCE_END.finditer(p)]
            before = p[max([e for e in ends if e <= start], default=0):start]
            after = p[stop:min([e for e in ends if e >= stop], default=len(p))]
            assert text.startswith("… ") == has_letter(before), (issue, r["source"], before, text)
            assert text.endswith(" …") == has_letter(after), (issue, r["source"], after, text)
            # the export flags say the same, and its quote column is the author's words alone
            assert (r["cut_before"], r["cut_after"]) == (has_letter(before), has_letter(after))
            core = text.removeprefix("… ").removesuffix(" …")
            assert re.sub(r"\s", "", core) == re.sub(r"\s", "", r["quote"])
            assert not r["quote"].startswith("…") and not r["quote"].endswith("…")
            seen["before"] += has_letter(before)
            seen["after"] += has_letter(after)
            seen["whole"] += not has_letter(before) and not has_letter(after)
    assert min(seen.values()) >= 3, seen  # the corpus has all three kinds: the check is not empty


# --- the quoted paragraph one step away --------------------------------------------------

def test_quote_context_holds_the_whole_paragraph_and_is_not_indexed(built_site):
    page = (built_site / "issues" / "defense-cost-sharing" / "index.html").read_text("utf-8")
    corpus = json.loads((built_site / "export" / "corpus.json").read_text("utf-8"))
    para = {p["anchor"]: p for s in corpus["sources"] for p in s["paragraphs"]}
    blocks = re.findall(r'<details class="quote-context">\s*<summary[^>]*>(.*?)</summary>\s*<p lang="([a-z]+)">(.*?)</p>',
                        page, re.S)
    links = [h for _, h in shown_quotes(page)]
    assert len(blocks) == len(links) >= 9
    for (summary, lang, body), href in zip(blocks, links):
        p = para[href.split("#")[1]]
        assert summary == f"문단 {p['number']} 전체 보기" and lang == p["lang"]
        assert htmllib.unescape(re.sub(r"</?mark>", "", body)) == p["text"]
        assert "<mark>" in body
    units = extract_units(page, "issues/defense-cost-sharing/").units
    context = htmllib.unescape(re.sub(r"</?mark>", "", blocks[0][2]))
    assert not any(context in u.text or "전체 보기" in u.text or "저울질" in u.text for u in units)
    assert any("현 상황에서는 미국 트럼프 행정부의" in u.text for u in units)  # the quote itself is indexed


def test_stance_legend_beside_every_set_of_badges(built_site):
    pages = ["issues/defense-cost-sharing", "issues", "authors/yang-uk", "sources/2024-yang-trump-second-term-alliance"]
    for path in pages:
        page = (built_site / path / "index.html").read_text("utf-8")
        assert page.count('<dl class="stance-legend"') == 1, path
        for label in ("찬성", "반대", "조건부", "양면적", "서술", "입장 코드 없음"):
            assert f">{label}</span>" in page.split('<dl class="stance-legend"')[1], (path, label)
        # the badges' hover text is the Korean definition, not an English code
        assert 'title="conditional"' not in page and 'title="저자가 ' in page
    # The matrix's empty cell is in the legend too, and says "no position" to a screen reader.
    matrix = (built_site / "issues" / "index.html").read_text("utf-8")
    legend = matrix.split('<dl class="stance-legend"')[1].split("</dl>")[0]
    assert '<span class="no-position"><span aria-hidden="true">–</span></span> 입장 정리 안 됨</dt>' in legend
    cells = matrix.split('<div class="matrix">')[1].split("</table>")[0]
    assert cells.count('<span class="sr-only">입장 정리 안 됨</span>') > 20 and "<td>·</td>" not in cells


# --- bad input ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def anchor_pair(tmp_path_factory):
    return anchors(tmp_path_factory.mktemp("a"))[0], anchors(tmp_path_factory.mktemp("b"), "anon-source")[1]


def failing_build(tmp_path, yaml_text):
    proj = make_project(tmp_path, SOURCES, issues={"bad.yml": yaml_text})
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out, out
    return out


def test_position_without_stance_or_stance_note_is_one_clear_error(tmp_path, anchor_pair):
    y = issue_yaml(*anchor_pair).replace("    stance: describes\n", "")
    line = y.splitlines().index("  - source: anon-source") + 1
    out = failing_build(tmp_path, y)
    assert "1 problem" in out, out
    assert (f"corpus/issues/bad.yml:{line}: position of anon-source has no stance; "
            "expected stance_note: why this position has no stance code; found no stance and no stance_note") in out, out


def test_editors_note_must_be_text(tmp_path, anchor_pair):
    y = issue_yaml(*anchor_pair).replace("    stance: describes\n", "    stance: describes\n    editors_note: [a, b]\n")
    line = y.splitlines().index("    editors_note: [a, b]") + 1
    out = failing_build(tmp_path, y)
    assert f"corpus/issues/bad.yml:{line}: bad value for 'editors_note'" in out and "found ['a', 'b']" in out, out


# --- notes, badges, export and the worklist on a small project ----------------------------

REF_SOURCE = ("# 동맹의 미래\n\n동맹의 미래를 생각한다. 한미 관계는 오래되었고 앞으로도 이어질 것이다.\n\n## 참고문헌\n\n"
              "- 홍길동.(2020). 방위비 분담금의 정치경제. 서울: 가상출판.\n- 김철수.(2019). 동맹론. 서울: 가상출판.\n")
HOSTILE = "<script>x()</script> *강조* [링크](javascript:y) `코드` a|b"


def second_issue(a1: str) -> str:
    return ("id: second\nnames:\n  ko: 둘째 쟁점\n  en: Second\n  zh: 第二\n"
            "question:\n  ko: 둘째 질문인가?\n  en: Second?\n"
            "description: 시험용 둘째 쟁점이다.\nterms:\n  ko: [분담금]\n  zh: [分担]\n  en: [cost sharing]\n"
            "positions:\n  - source: test-source\n    stance: opposes\n    summary: 반대한다.\n    gloss: Opposes.\n"
            f"    quotes:\n      - paragraph: {a1}\n        text: 국민의 세금으로\n" "updated: 2026-01-10\n")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory, anchor_pair):
    """Two issues quoting one paragraph with different stances; a position without a code
    (with its note) and an editors' note, both hostile text; a source whose only mention
    of the terms is in its reference list."""
    first = issue_yaml(*anchor_pair).replace(
        "    stance: describes\n",
        f"    stance_note: '{HOSTILE}'\n    editors_note: '{HOSTILE} 편집자'\n")
    sources = {**SOURCES, "ref-source": {"source.txt": REF_SOURCE, "meta.yml": MINIMAL_META + "format: markdown\n"}}
    proj = make_project(tmp_path_factory.mktemp("small"), sources,
                        issues={"first.yml": first, "second.yml": second_issue(anchor_pair[0])})
    return proj


def test_review_lists_shared_paragraphs_and_unpositioned_mentions(small_project, anchor_pair, caplog):
    from build_scripts.apparatus.issue_pages import mentions
    from build_scripts.pages.site import build_site
    with caplog.at_level(logging.INFO, logger="mkdocs.edition"):
        site = build_site(small_project / "corpus", cache_dir=None)
    report = json.loads(site.generated.files["issues/review.json"])
    a1, a2 = anchor_pair
    [shared] = report["paragraphs"]
    assert (shared["source"], shared["paragraph"], shared["stances_differ"]) == ("test-source", a1, True)
    assert shared["same_words_differ"]  # both quote 국민의 세금으로
    uses = {u["issue"]: u for u in shared["uses"]}   # in the issues' order (둘째 쟁점 before 방위비)
    assert {k: u["stance"] for k, u in uses.items()} == {"cost-sharing": "conditional", "second": "opposes"}
    assert uses["cost-sharing"]["summary"] == "조건부로 받아들이자고 한다." and uses["second"]["gloss"] == "Opposes."
    # anon-source mentions 분담금 and has no position on 'second'; ref-source mentions it
    # only in its reference list, which is not the author's body text
    assert [(u["issue"], u["source"]) for u in report["unpositioned"]] == [("second", "anon-source")]
    assert report["unpositioned"][0]["paragraphs"] == 1 and report["unpositioned"][0]["anchors"] == [
        p["anchor"] for p in next(pg for pg in site.pages if pg.slug == "anon-source").paragraphs[:1]]
    second = next(i for i in site.issues if i.id == "second")
    ref_paras = next(pg for pg in site.pages if pg.slug == "ref-source").paragraphs
    assert mentions(second, ref_paras)  # the entry does carry the term: leaving it out is the rule's doing
    log = [r.getMessage() for r in caplog.records if "editors' worklist" in r.getMessage()]
    assert len(log) == 3 and "no action is needed for the build to pass" in log[0]
    assert f"test-source ¶1 ({a1}): the same words are coded differently: second opposes, cost-sharing conditional" \
        in log[1]
    assert "anon-source mentions issue second in 1 paragraphs" in log[2]


def test_notes_badges_and_export_on_the_built_pages(small_project):
    r = mkdocs_build(small_project)
    assert r.returncode == 0, r.stdout + r.stderr
    site = small_project / "site"
    assert json.loads((site / "issues" / "review.json").read_text("utf-8"))["paragraphs"]
    page = (site / "issues" / "cost-sharing" / "index.html").read_text("utf-8")
    pos = page.split('id="pos-anon-source"')[1].split("<h2")[0]
    shown = htmllib.escape(HOSTILE, quote=False)
    # no code: the badge says so, with the editors' reason beside it and on hover
    assert '<span class="stance stance-none" title="' in pos and ">입장 코드 없음</span>" in pos
    assert f'<span class="stance-note">입장 분류 근거: {shown}</span>' in pos
    assert f'<p class="editors-note" data-ed=""><span class="ed-label">편집자 해석</span> {shown} 편집자</p>' in pos
    assert "<script>x()" not in page and "javascript:y" not in page.replace(shown, "")
    glance = page.split('id="at-a-glance"')[1].split("</table>")[0]
    title = re.search(r'stance-none" title="([^"]*)"', glance).group(1)
    assert htmllib.unescape(title).endswith(f"입장 분류 근거: {HOSTILE}")
    matrix = (site / "issues" / "index.html").read_text("utf-8")
    assert htmllib.unescape(re.search(r'stance-none" title="([^"]*)"', matrix).group(1)).endswith(HOSTILE)
    # cut marks: the quote stops inside its sentence; the export keeps the author's words
    assert "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 <span class=\"cut\"" in page
    rows = {r["source"]: r for r in csv.DictReader(io.StringIO(
        (site / "issues" / "positions.csv").read_text("utf-8-sig"))) if r["issue"] == "cost-sharing"}
    assert rows["test-source"]["quote"] == "국민의 세금으로 충당되는 방위비 분담금은 한 푼도"
    assert (rows["test-source"]["cut_before"], rows["test-source"]["cut_after"]) == ("false", "true")
    assert rows["anon-source"]["stance"] == "" and rows["anon-source"]["stance_note"] == HOSTILE
    assert rows["anon-source"]["editors_note"] == HOSTILE + " 편집자"
    data = json.loads((site / "issues" / "positions.json").read_text("utf-8"))["quotes"]
    assert {(q["source"], q["cut_before"], q["cut_after"]) for q in data if q["issue"] == "cost-sharing"} == {
        ("test-source", False, True), ("anon-source", False, True)}


def test_stance_note_beside_a_code_is_shown_under_the_position(tmp_path, anchor_pair):
    y = issue_yaml(*anchor_pair).replace("    stance: conditional\n",
                                         "    stance: conditional\n    stance_note: 조건을 밝혀서 조건부로 본다.\n")
    proj = make_project(tmp_path, SOURCES, issues={"cost.yml": y})
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    page = (proj / "site" / "issues" / "cost-sharing" / "index.html").read_text("utf-8")
    pos = page.split('id="pos-test-source"')[1].split("<h3")[0]
    assert '<p class="stance-note" data-ed=""><span class="ed-label">입장 분류 근거:</span> 조건을 밝혀서 조건부로 본다.</p>' in pos
    assert "stance-note" not in pos.split("</p>")[0]  # not beside the badge: the code stands alone there
