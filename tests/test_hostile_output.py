"""Hostile output: whatever a source, its metadata, its corrections, an issue file or the
glossary holds is shown as written on every page, never run; the citation downloads keep it
as data; the CSV exports never start a cell with a formula; a bad key, label or id stops the
build with one clear message; and a page that does not carry its text names the file the
wrong text came from.

One throwaway project is built with hostile text in every place a contributor can put text
(built once, shared by the tests); the real corpus, built once for the session, is the
clean reference for the site's own scripts. "Safe" is checked on every built page with
html.parser: no script but the site's own, no event-handler attribute, no javascript: URL,
no element or attribute the text put there, and the hostile text readable as text.
"""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from build_scripts.cleaning.anchors import text_hash
from build_scripts.errors import FidelityError
from build_scripts.cleaning.fidelity import FromFile, check_html, expected_streams, letters
from build_scripts.cleaning.textmap import MText
from tests.conftest import MINIMAL_META, make_project, mkdocs_build

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '![i](x){: onerror="alert(1)"}',
    "[x](javascript:alert(1))",
    '{: .injected onclick="alert(1)"}',
    "| a | b |",
]
H = " ".join(HOSTILE)


def M(name: str) -> str:
    """Hostile text with a marker saying where it was put, to find it on the pages."""
    return f"⟦{name}⟧ {H}"


# attr_list reads `{: ...}` at the very end of a heading or paragraph.
ATTR_END = ' {: .injected onclick="alert(1)"}'
# Character references in text show as typed, never as the characters they name.
ENTITIES = "&lt;b&gt; &#60;i&#62; R&D"
# LaTeX would run it from a BibTeX download.
BACKSLASH = r" \input{/etc/passwd}"
# The footnotes extension moves the notes to where a text spells its place marker.
MARKER = "///Footnotes Go Here///"


# A title with a quote, a colon, line breaks of three kinds and front matter's own `---`.
TITLE = f'⟦title⟧ T "q": x\u2028y\u2029z\nw --- {H}'

QUOTED = f"{M('quote')} 인용할 말이다."
FORMULA = '=HYPERLINK("https://evil.example","클릭") 첫 문단이다.'
# An in-text citation with a backtick: written in a code span, it would end the span.
BACKTICK_CITATION = "(`<img src=x onerror=alert&#40;1&#41;>, 2019)"

# Paragraphs stand two empty lines apart: the extraction's strongest paragraph break.
SOURCE = f"""{M('body')} 본문 첫 문단이다. HX 약어도 쓴다. {MARKER} 동맹은 깨지기 쉽다(홍길동, 2019).¹⁾


{QUOTED}


둘째 문단은 설명 각주를 단다.²⁾ 그리고 {BACKTICK_CITATION} 인용도 있다.

1) Victor Cha, “{M('note-title')}” (CSIS, 2025).

2) {M('expl')}

[표 1] 시험 표
{M('table')}
자료: 저자

게재 정보 {M('pubnote')}

참고문헌

- 홍길동.(2019). {M('ref')} 동맹론. 서울: 출판사.{ATTR_END}
"""

MD_SOURCE = f"""## ⟦heading⟧ 소제목{ATTR_END}

{M('md-body')} 마크다운 본문이다. 동맹은 깨지기 쉽다(김철수, 2020).¹⁾

1) Kim, “{M('md-note')}” (2020).

참고문헌

- 김철수.(2020). {M('md-ref')} 동맹 연구. 서울: 출판사.
"""

FORMULAS = f"""{FORMULA}


+82 10 1234 둘째 문단이다.


-5% 감소를 말하는 셋째 문단이다.


@SUM(1+1) 넷째 문단이다.
"""


def _yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def _anchor(paragraph: str) -> str:
    """The id the build gives a new paragraph (anchors.py): p- and its letters' hash."""
    return "p-" + text_hash(letters(paragraph))[:6]


META = _yaml({
    "title": TITLE, "title_translated": {"en": M("tt")}, "title_published": {"zh": M("tp")},
    "authors": [{"name": M("author"), "affiliation": M("aff")}],
    "date": "2024-05-01", "language": "ko", "type": "report",
    "publisher": M("publisher") + BACKSLASH, "series": M("series"), "venue": M("venue"), "notes": M("notes"),
    "related_urls": [{"url": "https://a.example/r", "label": M("rel")}],
    "url": "https://a.example/[x](javascript:alert(1))",
    "inferred": {"venue": M("inferred")},
})
CORRECTIONS = _yaml([
    {"type": "table", "from": "[표 1] 시험 표", "to": "자료: 저자", "reason": "시험",
     "caption": "[표 1] 시험 표", "columns": [M("table")], "rows": [], "source": "자료: 저자"},
    {"type": "role", "at": f"게재 정보 {M('pubnote')}", "role": "pubnote", "label": "author", "reason": "시험"},
])
UNTITLED_META = _yaml({
    "title": None, "unknown": ["title", "authors"], "title_supplied": M("supplied"), "authors": [],
    "affiliation_inferred": M("affinf"), "date": "2023-01-01", "language": "ko", "type": "op-ed",
    "venue": M("venue2"),
})
MD_META = _yaml({"title": "마크다운 원문", "authors": ["김철수"], "date": "2022-01-01", "language": "ko",
                 "format": "markdown"})
FORMULAS_META = _yaml({"title": "=1+2 제목", "authors": ["@작가"], "date": "2021-01-01", "language": "ko"})
ISSUE = _yaml({
    "id": "hostile-issue", "order": 1, "updated": "2026-01-10",
    "names": {"ko": M("name-ko") + ATTR_END, "en": M("name-en") + ATTR_END, "zh": M("name-zh")},
    "question": {"ko": M("question-ko"), "en": M("question-en")},
    "description": f"{M('description')} {ENTITIES}",
    "terms": {"ko": ["본문"], "zh": ["本文"], "en": ["onerror", M("term")]},
    "related": [],
    "positions": [
        {"source": "hostile", "stance": "supports", "summary": M("summary"), "gloss": M("gloss"),
         "stance_note": M("stance-note"), "editors_note": M("editors-note"),
         "quotes": [{"paragraph": _anchor(QUOTED), "text": QUOTED}]},
        {"source": "formulas", "stance_note": "+1 입장 근거", "summary": "\t=SUM(1) 요지", "gloss": "\r=1 gloss",
         "editors_note": "-1 해석", "quotes": [{"paragraph": _anchor(FORMULA), "text": FORMULA}],
         "relations": [{"type": "agrees", "with": "hostile", "note": M("rel-note")}]},
    ],
})
GLOSSARY = _yaml([{"abbr": "HX", "en": M("gl-en"), "ko": M("gl-ko"), "zh": M("gl-zh"), "note": M("gl-note")}])

# Where each hostile text must be readable (pages as folders of the site; "authors/*" is
# the page of the hostile source's author).
VISIBLE = {
    "sources/hostile": ["body", "quote", "note-title", "expl", "table", "pubnote", "ref", "tt", "tp", "author",
                        "aff", "publisher", "series", "venue", "notes", "rel", "inferred"],
    "sources/hostile-md": ["md-body", "md-note", "md-ref"],
    "sources/untitled": ["supplied", "affinf", "venue2"],
    "sources": ["supplied", "author", "venue"],
    "works-cited": ["note-title", "ref", "md-note", "md-ref"],
    "issues/hostile-issue": ["name-ko", "name-en", "name-zh", "question-ko", "question-en", "description",
                             "summary", "gloss", "stance-note", "editors-note", "rel-note", "quote", "author",
                             "term"],
    "issues": ["name-ko", "name-en", "name-zh", "author"],
    "authors": ["author"],
    "authors/*": ["author", "aff", "name-ko", "summary"],
    "authors/unattributed-untitled": ["venue2", "affinf"],
    "glossary": ["gl-en", "gl-ko", "gl-zh", "gl-note"],
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    proj = make_project(tmp_path_factory.mktemp("hostile"), {
        "hostile": {"source.txt": SOURCE, "meta.yml": META, "corrections.yml": CORRECTIONS},
        "hostile-md": {"source.txt": MD_SOURCE, "meta.yml": MD_META},
        "untitled": {"source.txt": "제목 없는 기고문의 본문이다.\n", "meta.yml": UNTITLED_META},
        "formulas": {"source.txt": FORMULAS, "meta.yml": FORMULAS_META},
    }, issues={"hostile-issue.yml": ISSUE})
    (proj / "corpus" / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    return proj / "site"


# --- reading the built pages ---------------------------------------------------------------

class _Page(HTMLParser):
    """Every element with its attributes, every script, and the text a reader sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[list] = []
        self.text: list[str] = []
        self.title = ""
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "script":
            self.scripts.append([a.get("src", ""), ""])
        if tag in ("script", "style", "title"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if not self._in:
            self.text.append(data)
        elif self._in[-1] == "script":
            self.scripts[-1][1] += data
        elif self._in[-1] == "title":
            self.title += data


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text("utf-8"))
    return p


def _pages(site: Path) -> dict[str, _Page]:
    return {str(f.relative_to(site)): _parse(f) for f in sorted(site.rglob("*.html"))}


def _flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def hostile_pages(hostile_site) -> dict[str, _Page]:
    return _pages(hostile_site)


@pytest.fixture(scope="module")
def own_scripts(built_site) -> set[tuple[str, str]]:
    """The site's own scripts, as a clean build of the real corpus has them."""
    return {(s, _flat(body)) for page in _pages(built_site).values() for s, body in page.scripts}


DANGEROUS_TAGS = {"img", "iframe", "object", "embed", "frame", "applet", "base", "style", "textarea",
                  "video", "audio", "portal"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def test_no_page_runs_or_injects_anything(hostile_pages, own_scripts):
    assert len(hostile_pages) > 10
    problems = []
    for name, page in hostile_pages.items():
        for src, body in page.scripts:
            if (src, _flat(body)) not in own_scripts:
                problems.append((name, "script", src, body[:60]))
        for tag, attrs in page.elements:
            if tag in DANGEROUS_TAGS:
                problems.append((name, "element", tag, attrs))
            for k, v in attrs.items():
                if k.startswith("on"):
                    problems.append((name, "event handler", tag, k, v))
                if k in URL_ATTRS and re.sub(r"\s", "", v).lower().startswith(("javascript:", "vbscript:", "data:")):
                    problems.append((name, "script URL", tag, k, v))
                if k == "style" or (k == "class" and "injected" in v.split()):
                    problems.append((name, "injected attribute", tag, k, v))
    assert not problems, problems[:10]


@pytest.mark.parametrize("page", sorted(VISIBLE))
def test_hostile_text_is_shown_as_written(hostile_pages, page):
    if page.endswith("/*"):   # the one page of that folder that names the hostile author
        names = [n for n, p in hostile_pages.items() if n.startswith(page[:-1]) and n.count("/") == 2
                 and p.title.startswith("⟦author⟧")]
        assert len(names) == 1, names
    else:
        names = [f"{page}/index.html"]
    text = _flat("".join(hostile_pages[names[0]].text))
    missing = [m for m in VISIBLE[page] if _flat(M(m)) not in text]
    assert not missing, (page, missing)
    if page == "issues/hostile-issue":
        assert _flat(M("description")) + " " + ENTITIES in text
        assert _flat(M("name-ko") + ATTR_END) in text and _flat(M("name-en") + ATTR_END) in text
    if page == "sources/hostile-md":
        assert "⟦heading⟧ 소제목" + ATTR_END in text
    if page in ("sources/hostile", "works-cited"):
        assert "서울: 출판사." + ATTR_END in text
    if page == "sources/hostile":
        assert f"HX 약어도 쓴다. {MARKER} 동맹은" in text


def test_titles_with_quotes_colons_and_line_breaks_stay_whole(hostile_pages):
    """The title reaches Material's templates (the page's <title>, the header, the sidebar of
    every page) through the front matter: whole, as text."""
    page = hostile_pages["sources/hostile/index.html"]
    assert page.title.startswith(_flat(TITLE) + " - ")
    assert _flat(TITLE) in _flat("".join(page.text))   # the heading and the header
    sidebar = _flat("".join(hostile_pages["glossary/index.html"].text))
    assert _flat(TITLE) in sidebar and _flat(M("name-ko")) in sidebar
    assert hostile_pages["issues/hostile-issue/index.html"].title.startswith(_flat(M("name-ko") + ATTR_END) + " - ")


def test_an_in_text_citation_with_a_backtick_is_listed_as_text(hostile_pages):
    text = _flat("".join(hostile_pages["works-cited/index.html"].text))
    assert BACKTICK_CITATION in text


def test_a_reference_entry_in_a_citations_hover_text_is_an_attribute_only(hostile_pages):
    """The in-text citation links to its entry with the entry as hover text (title=): today's
    misleading fidelity error came from Markdown reading the entry inside the attribute."""
    refs = [a for tag, a in hostile_pages["sources/hostile/index.html"].elements
            if tag == "a" and "cite-ref" in a.get("class", "").split()]
    assert len(refs) == 1 and refs[0]["title"].startswith("홍길동.(2019). " + M("ref")[:40])


def test_citation_downloads_keep_the_text_as_data(hostile_site):
    """BibTeX: no text ends a field, adds one or runs a LaTeX command; RIS: no text starts a
    tag of its own (one tag a line)."""
    import rispy
    from pybtex.database import parse_string
    bib = (hostile_site / "cite" / "hostile.bib").read_text("utf-8")
    entry = parse_string(bib, "bibtex").entries["hostile"]
    assert set(entry.fields) == {"title", "institution", "series", "year", "month", "date", "url", "language", "note"}
    assert "\\input" not in bib and "\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{}" in bib
    ris = (hostile_site / "cite" / "hostile.ris").read_text("utf-8")
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in ris.splitlines())
    [record] = rispy.loads(ris)
    assert record["title"] == _flat(TITLE) and record["publisher"] == _flat(M("publisher") + BACKSLASH)


# --- CSV exports -----------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv(site: Path, path: str) -> list[dict]:
    # Bytes, not read_text(): universal newlines would turn a cell's carriage return into "\n".
    return list(csv.DictReader(io.StringIO((site / path).read_bytes().decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("path", ["export/paragraphs.csv", "issues/positions.csv"])
def test_no_csv_cell_starts_a_formula(hostile_site, path):
    rows = _csv(hostile_site, path)
    cells = [v for r in rows for v in r.values()]
    assert not [v for v in cells if v.startswith(FORMULA_START)]
    assert any(v.startswith("'=HYPERLINK(") for v in cells)


def test_csv_cells_are_neutralised_and_the_json_keeps_the_text(hostile_site):
    paragraphs = {r["anchor"]: r for r in _csv(hostile_site, "export/paragraphs.csv")}
    data = json.loads((hostile_site / "export" / "corpus.json").read_text("utf-8"))
    formulas = next(s for s in data["sources"] if s["slug"] == "formulas")
    assert [p["text"][:3] for p in formulas["paragraphs"]] == ["=HY", "+82", "-5%", "@SU"]
    for p in formulas["paragraphs"]:
        assert paragraphs[p["anchor"]]["text"] == "'" + p["text"]
    row = next(r for r in _csv(hostile_site, "issues/positions.csv") if r["source"] == "formulas")
    quote = next(q for q in json.loads((hostile_site / "issues" / "positions.json").read_text("utf-8"))["quotes"]
                 if q["source"] == "formulas")
    for key in ("title", "author", "summary", "gloss", "quote", "stance_note", "editors_note"):
        assert quote[key][:1] in "=+-@\t\r" and row[key] == "'" + quote[key], key
    assert row["cut_before"] == "false" and row["paragraph_number"] == "1"


# --- keys, labels and ids: one clear message ------------------------------------------------

TEXT = "한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 이견 때문이 아니다.\n\n둘째 문단은 다르다.\n"
INJECT = '"><b onclick=alert(1)>주입</b><span class="'
BAD = {
    "label": {"corrections.yml": _yaml([{"type": "role", "at": "둘째 문단은 다르다.", "role": "pubnote",
                                         "label": INJECT, "reason": "시험"}])},
    "lock-id": {"anchors.yml": _yaml({"paragraphs": [{"id": "p-abcdef" + INJECT, "status": "removed", "number": 1,
                                                      "hash": "abcdef0123456789", "text": "x"}]})},
    "translated-key": {"meta.yml": MINIMAL_META + _yaml({"title_translated": {"en" + INJECT: "번역"}})},
    "published-key": {"meta.yml": MINIMAL_META + _yaml({"title_published": {INJECT: "제목"}})},
    "dates-key": {"meta.yml": MINIMAL_META + _yaml({"dates": {"received" + INJECT: "2024-01-01"}})},
    "languages-item": {"meta.yml": MINIMAL_META + _yaml({"languages": ["ko", "<img src=x onerror=alert(1)>"]})},
}
WHERE = {"label": "corrections.yml:4", "lock-id": "anchors.yml:2", "translated-key": "meta.yml:6",
         "published-key": "meta.yml:6", "dates-key": "meta.yml:6", "languages-item": "meta.yml:7"}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    proj = make_project(tmp_path_factory.mktemp("bad-keys"),
                        {f"bad-{k}": {"source.txt": TEXT, "meta.yml": MINIMAL_META, **v} for k, v in BAD.items()})
    return mkdocs_build(proj)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_key_label_or_id_is_one_clear_message(bad_build, case):
    out = bad_build.stdout + bad_build.stderr
    assert bad_build.returncode != 0 and "Traceback" not in out
    assert f"corpus/sources/bad-{case}/{WHERE[case]}: " in out, out
    line = next(x for x in out.splitlines() if f"bad-{case}/" in x)
    assert "expected" in line and "found" in line


def test_the_header_escapes_keys_and_items_even_unvalidated():
    """Defence in depth: the header escapes map keys and list items as it escapes values."""
    from build_scripts.cleaning.corpus import Source
    from build_scripts.pages.source_page import header_html
    meta = {"title": "제목", "authors": [], "date": "2024", "language": "ko",
            "title_translated": {'en"><img src=x onerror=alert(1)>': "번역"},
            "dates": {"<b onclick=alert(1)>received": "2024-01-01"},
            "languages": ["ko", "<img src=x onerror=alert(1)>"]}
    p = _Page()
    p.feed(header_html(Source("s", Path("s"), "본문", meta)))
    assert [t for t, _ in p.elements if t in ("img", "b")] == []
    assert not [a for _, a in p.elements if any(k.startswith("on") for k in a)]
    assert "<b onclick=alert(1)>received" in "".join(p.text)


# --- fidelity errors name the file the wrong text came from ---------------------------------

# Four blocks: two paragraphs, a heading and a reference entry (lines 1, 3, 5 and 7).
ALL = ("한미동맹이 위기다.", "둘째 문단은 다르다.", "참고문헌", "홍길동.(2019). 동맹론 이론의 정치. 서울.")
SRC = f"{ALL[0]}\n\n{ALL[1]}\n\n{ALL[2]}\n\n- {ALL[3]}\n"
SRC_PATH = "corpus/sources/s/source.txt"
LINE_OF = lambda o: SRC.count("\n", 0, o) + 1  # noqa: E731


def _expected():
    parts = [MText.from_source(SRC, SRC.index(t), SRC.index(t) + len(t)) for t in ALL]
    return expected_streams({"body": parts, "notes": [], "moved": []})


def _inputs(meta="title: 시험\n", corrections="", lock=""):
    return lambda: [("corpus/sources/s/meta.yml", meta), ("corpus/sources/s/corrections.yml", corrections),
                    (SRC_PATH, SRC), ("corpus/sources/s/anchors.yml", lock)]


def _body(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_text_leaking_from_meta_yml_is_blamed_on_meta_yml():
    meta = "title: 시험\ntitle_translated:\n  'x\"></dd></dl></div><p>주입된 제목': 번역\n"
    page = '<div class="source-header" data-ed=""><dl><dd></dd></dl></div><p>주입된 제목</p>' + _body(*ALL)
    check_html(_body(*ALL), _expected(), SRC_PATH, LINE_OF, inputs=_inputs(meta))   # a good page passes
    with pytest.raises(FidelityError) as e:
        check_html(page, _expected(), SRC_PATH, LINE_OF, inputs=_inputs(meta))
    assert str(e.value).startswith("corpus/sources/s/meta.yml:3: this file's text shows in the text of the page "
                                   f"of {SRC_PATH}, at {SRC_PATH}:1")


@pytest.mark.parametrize("file,content,where", [
    ("corrections", "- type: role\n  at: 둘째 문단은 다르다.\n  label: 'x\"><b>잘못된 꼬리표</b>'\n", "corrections.yml:3"),
    ("lock", "paragraphs:\n- id: p-abcdef\n  text: 잘못된 꼬리표\n", "anchors.yml:3")], ids=["corrections", "lock"])
def test_text_leaking_from_a_correction_or_the_lock_is_blamed_on_that_file(file, content, where):
    page = _body(ALL[0]) + "<p><b>잘못된 꼬리표</b>둘째 문단은 다르다.</p>" + _body(*ALL[2:])
    with pytest.raises(FidelityError) as e:
        check_html(page, _expected(), SRC_PATH, LINE_OF, inputs=_inputs(**{file: content}))
    assert str(e.value).startswith(f"corpus/sources/s/{where}: this file's text shows in the text of the page")
    assert f"at {SRC_PATH}:3" in str(e.value)


def test_a_reference_entry_shown_in_another_paragraph_is_blamed_on_the_entrys_line():
    page = _body(ALL[0]) + '<p><a title="홍길동.(2019).">동맹론 이론의 정치.</a>둘째 문단은 다르다.</p>' + _body(*ALL[2:])
    with pytest.raises(FidelityError) as e:
        check_html(page, _expected(), SRC_PATH, LINE_OF, inputs=_inputs())
    assert str(e.value).startswith(f"{SRC_PATH}:7: this line's text shows again in the page's text, at {SRC_PATH}:3")


def test_a_rebuilt_table_that_does_not_show_is_blamed_on_its_correction():
    expected = expected_streams({"body": [MText.from_source(SRC, 0, 10),
                                          FromFile("구분 미국 한국", "corpus/sources/s/corrections.yml:4")]})
    with pytest.raises(FidelityError) as e:
        check_html("<p>한미동맹이 위기다.</p><table><tr><th>구분</th><th>미국</th></tr></table>",
                   expected, SRC_PATH, LINE_OF, inputs=_inputs())
    assert str(e.value).startswith("corpus/sources/s/corrections.yml:4: the rendered page of "
                                   f"{SRC_PATH} does not carry the text this file gives it")


def test_text_lost_from_the_source_is_still_blamed_on_its_line():
    with pytest.raises(FidelityError, match=rf"^{SRC_PATH}:3: the rendered page does not carry the source's text"):
        check_html(_body(ALL[0], "둘째 문단은", *ALL[2:]), _expected(), SRC_PATH, LINE_OF, inputs=_inputs())
