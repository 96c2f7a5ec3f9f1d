"""Citing sources and issue pages: the CSL processor's output, the downloads read back with
real parsers (pybtex, rispy), and the meta tags read back from the built HTML."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rispy
from pybtex.database import parse_string

from build_scripts.citations.cite import (bibtex, citation, csl_item, csl_json, meta_tags, paragraph_template, reference_text,
                                          ris, scholar_date)
from build_scripts.citations.csl import STYLES
from build_scripts.cleaning.corpus import load_corpus
from build_scripts.citations.csl import html_to_text, note_html, reference_html
from build_scripts.pages.source_page import page_title
from tests.conftest import CORPUS, SLUGS, SUBPATH_URL

GU_KIM = "2025-gu-kim-alliance-diplomatic-dilemma"
YANG = "2024-yang-trump-second-term-alliance"
SON = "2025-son-alliance-modernization"
DT = "2019-digitaltimes-alliance-two-storms"
SEGYE = "2024-segye-alliance-nuclear-deterrence"
OP_EDS = [DT, "2024-segye-alliance-nuclear-deterrence"]


@pytest.fixture(scope="module")
def sources():
    return {s.slug: s for s in load_corpus(CORPUS)}


# --- the formatted references (citeproc-py with the CSL styles) --------------------------

def test_chicago_and_apa_for_the_journal_article(sources):
    item = csl_item(sources[GU_KIM])
    assert reference_html(item, "chicago") == (
        "Gu, Wei-Jian, and Jae-kwan Kim. “韩美同盟外交困境探析：以文在寅—特朗普政府为例.” "
        "<i>Analyses &amp; Alternatives</i> 9, no. 2 (2025): 35–65. https://doi.org/10.22931/aanda.2025.9.2.002.")
    assert reference_html(item, "apa") == (
        "Gu, W.-J., &amp; Kim, J.-K. (2025). 韩美同盟外交困境探析：以文在寅—特朗普政府为例. "
        "<i>Analyses &amp; Alternatives</i>, <i>9</i>(2), 35–65. https://doi.org/10.22931/aanda.2025.9.2.002")


def test_an_unsigned_op_ed_is_cited_by_its_newspaper_never_by_a_name(sources):
    item = csl_item(sources[DT])
    assert "author" not in item
    chicago = reference_html(item, "chicago")
    apa = reference_html(item, "apa")
    # Chicago puts the paper first; neither style prints the title twice or a stray label.
    assert chicago == "<i>디지털타임스</i>. “[두 개의 태풍 앞의 한미동맹].” January 27, 2019."
    assert apa == "[두 개의 태풍 앞의 한미동맹]. (2019, January 27). <i>디지털타임스</i>."


def test_korean_names_stay_family_first_and_reports_carry_their_genre(sources):
    item = csl_item(sources[YANG])
    chicago = reference_html(item, "chicago")
    assert chicago.startswith("Yang Uk. <i>트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정</i>. Issue Brief. 아산 이슈브리프. 아산정책연구원, 2024.")
    assert "Uk, Yang" not in chicago and "Yang, U." not in chicago


def test_a_paragraph_note_uses_the_paragraph_as_locator(sources):
    note = note_html(csl_item(sources[SON]), 7)
    assert note == "Son Han-byul, <i>한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진</i>, Policy Paper (제주평화연구원, 2025), para. 7."


def test_substituted_names_are_printed_once_and_labels_take_their_case():
    """CSL 1.0.2 "Substitution": editors standing in for a missing author are not printed
    again, and keep the label of the names they stand in for; APA's label is "(Ed.)"."""
    item = {"id": "x", "type": "webpage", "title": "쪽 제목", "container-title": "사이트",
            "editor": [{"literal": "편집진"}], "issued": {"date-parts": [[2026, 1, 10]]}}
    assert html_to_text(reference_html(item, "chicago")) == "편집진, ed. “쪽 제목.” 사이트, January 10, 2026."
    entry = dict(item, type="entry-encyclopedia", editor=[{"family": "Kim", "given": "Chul"}])
    assert html_to_text(reference_html(entry, "apa")) == "쪽 제목. (2026). In C. Kim (Ed.), 사이트."


def test_scholar_dates():
    assert [scholar_date(d) for d in ("2019-01-27", "2025-12", "2025")] == ["2019/01/27", "2025/12", "2025"]


# --- the downloads, read back ---------------------------------------------------------------

# Each source's authors as a reference manager must read them: (family, given). A name
# written family-first in English is one family name, kept whole (never given "Yang").
NAMES = {
    "2019-digitaltimes-alliance-two-storms": [],
    "2024-segye-alliance-nuclear-deterrence": [],
    YANG: [("Yang Uk", "")],
    GU_KIM: [("Gu", "Wei-Jian"), ("Kim", "Jae-kwan")],
    SON: [("Son Han-byul", "")],
}
SERIES = {YANG: "아산 이슈브리프"}


def _pybtex_name(p) -> tuple[str, str]:
    # pybtex keeps the protecting braces of a whole name in its last_names.
    return " ".join(p.last_names).strip("{}"), " ".join(p.first_names + p.middle_names)


@pytest.mark.parametrize("slug", SLUGS)
def test_bibtex_parses_with_pybtex(built_site, sources, slug):
    text = (built_site / "cite" / f"{slug}.bib").read_text("utf-8")
    entry = parse_string(text, "bibtex").entries[slug]
    m = sources[slug].meta
    assert entry.fields["year"] == m["date"][:4]
    # Braced twice: a style never re-cases the title.
    assert entry.fields["title"] == "{" + (m["title"] or f"[{m['title_supplied']}]") + "}"
    assert [_pybtex_name(p) for p in entry.persons.get("author", [])] == NAMES[slug]
    assert entry.fields.get("series") == SERIES.get(slug)
    assert "Read in" in entry.fields["note"] and f"sources/{slug}/" in entry.fields["note"]
    if slug == GU_KIM:
        assert entry.type == "article"
        assert entry.fields["doi"] == "10.22931/aanda.2025.9.2.002" and entry.fields["pages"] == "35--65"
        assert entry.fields["journal"] == "Analyses \\& Alternatives"
        assert entry.fields["abstract"].startswith("本文运用自主-安全交易模型作为分析框架")
    if slug in (YANG, SON):
        assert entry.type == "techreport" and entry.fields["institution"]


def test_an_author_list_that_starts_with_a_whole_name_is_valid_bibtex(sources):
    meta = dict(sources[YANG].meta)
    meta["authors"] = meta["authors"] + sources[GU_KIM].meta["authors"]
    src = type(sources[YANG])(**{**sources[YANG].__dict__, "meta": meta})
    text = bibtex(citation(src, "https://ed.example/sources/x/", "판"))
    assert "author = {{Yang Uk} and Gu, Wei-Jian and Kim, Jae-kwan}," in text
    people = parse_string(text, "bibtex").entries[YANG].persons["author"]
    assert [_pybtex_name(p) for p in people] == [("Yang Uk", ""), ("Gu", "Wei-Jian"), ("Kim", "Jae-kwan")]


@pytest.mark.parametrize("slug", SLUGS)
def test_ris_parses_with_rispy(built_site, sources, slug):
    text = (built_site / "cite" / f"{slug}.ris").read_text("utf-8")
    [rec] = rispy.loads(text)
    m = sources[slug].meta
    expected_type = {"journal-article": "JOUR", "op-ed": "NEWS"}.get(m["type"], "RPRT")
    assert rec["type_of_reference"] == expected_type
    assert rec["year"] == m["date"][:4]
    assert [tuple((a.split(", ") + [""])[:2]) for a in rec.get("authors", [])] == NAMES[slug]
    # A report's series in T2, where Zotero reads it (rispy: secondary_title); none in T3.
    if slug in SERIES:
        assert rec["secondary_title"] == SERIES[slug] and "tertiary_title" not in rec
    if slug == GU_KIM:
        assert (rec["doi"], rec["start_page"], rec["end_page"], rec["volume"], rec["number"]) == \
            ("10.22931/aanda.2025.9.2.002", "35", "65", "9", "2")
        assert rec["secondary_title"] == "Analyses & Alternatives"
        assert rec["abstract"].startswith("本文运用自主-安全交易模型作为分析框架")


def test_the_editions_page_is_the_url_of_an_original_without_one(sources):
    """Son's paper has no URL of its own: with a known site address, the edition's page is its
    URL in the CSL-JSON, BibTeX, RIS and meta tags alike, and no "Read in" repeats it."""
    url = f"https://ed.example/sources/{SON}/"
    c = citation(sources[SON], url, "판")
    [item] = json.loads(csl_json(c))
    assert item["URL"] == url and "note" not in item
    bib = parse_string(bibtex(c), "bibtex").entries[SON]
    assert bib.fields["url"] == url and "note" not in bib.fields
    [rec] = rispy.loads(ris(c))
    assert rec["urls"] == [url] and "notes" not in rec
    tags = meta_tags(sources[SON], c)
    assert ("citation_public_url", url) in tags and ("DC.identifier", url) in tags
    # An original with its own address keeps it; the edition is where it was read.
    c = citation(sources[YANG], f"https://ed.example/sources/{YANG}/", "판")
    assert c.item["URL"] == sources[YANG].meta["url"] and "Read in 판" in bibtex(c)
    # Without a site address the edition's page has no absolute URL to give: none is made up.
    assert "URL" not in citation(sources[SON], f"sources/{SON}/", "판").item


@pytest.mark.parametrize("slug", SLUGS)
def test_csl_json_is_one_item(built_site, slug):
    [item] = json.loads((built_site / "cite" / f"{slug}.json").read_text("utf-8"))
    assert item["id"] == slug and item["type"] and item["issued"]["date-parts"][0][0] >= 2019


# --- the meta tags, read back from the HTML ------------------------------------------------

class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self._in_head = [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "meta" and self._in_head:
            name = a.get("name") or a.get("property") or ""
            if name.startswith(("citation_", "DC.", "og:")) or name == "description":
                self.tags.append((name, a.get("content", "")))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def head_tags(built_site: Path, slug: str, folder: str = "sources") -> list[tuple[str, str]]:
    p = _Head()
    p.feed((built_site / folder / slug / "index.html").read_text("utf-8"))
    return p.tags


def _one(tags, name):
    values = [v for k, v in tags if k == name]
    assert len(values) == 1, (name, values)
    return values[0]


def test_meta_tags_for_the_journal_article(built_site):
    tags = head_tags(built_site, GU_KIM)
    assert [v for k, v in tags if k == "citation_author"] == ["Gu, Wei-Jian", "Kim, Jae-kwan"]
    assert _one(tags, "citation_title") == "韩美同盟外交困境探析：以文在寅—特朗普政府为例"
    assert _one(tags, "citation_journal_title") == "Analyses & Alternatives"
    assert (_one(tags, "citation_volume"), _one(tags, "citation_issue"), _one(tags, "citation_firstpage"),
            _one(tags, "citation_lastpage"), _one(tags, "citation_doi")) == ("9", "2", "35", "65", "10.22931/aanda.2025.9.2.002")
    assert _one(tags, "citation_publication_date") == "2025/06/30"
    assert _one(tags, "citation_language") == "zh"
    assert "citation_technical_report_institution" not in dict(tags)


@pytest.mark.parametrize("slug", [YANG, SON])
def test_reports_carry_the_institution_zotero_reads_as_a_report(built_site, sources, slug):
    tags = dict(head_tags(built_site, slug))
    assert tags["citation_technical_report_institution"] in sources[slug].meta["publisher"]
    assert "citation_journal_title" not in tags
    assert tags["citation_publication_date"] == sources[slug].meta["date"].replace("-", "/")


@pytest.mark.parametrize("slug", OP_EDS)
def test_op_eds_are_newspaper_articles_with_no_author(built_site, sources, slug):
    tags = head_tags(built_site, slug)
    names = [k for k, _ in tags]
    assert "citation_author" not in names and "DC.creator" not in names
    # No citation_journal_title: Zotero would call it a journal article. DC.type names the type.
    assert "citation_journal_title" not in names
    assert _one(tags, "DC.type") == "newspaperArticle"
    assert _one(tags, "DC.source") in sources[slug].meta["venue"]
    assert _one(tags, "citation_title").startswith("[")  # the editors' title, marked as supplied


def test_every_source_page_has_title_date_and_language(built_site):
    for slug in SLUGS:
        tags = dict(head_tags(built_site, slug))
        assert tags["citation_title"] and tags["citation_language"] and tags["DC.language"]
        assert tags["citation_fulltext_html_url"].endswith(f"sources/{slug}/")


def test_citation_objects_match_the_meta(sources):
    for slug, s in sources.items():
        c = citation(s, f"https://ed.example/sources/{slug}/", "판")
        assert ("citation_author" in dict(meta_tags(s, c))) == bool(s.meta["authors"])


# --- descriptions and link previews ----------------------------------------------------------

# A source's description: its abstract where it has one (004 in Chinese, its own language;
# 002's 초록), else its opening sentences; never the site's tagline.
DESCRIPTION_STARTS = {
    GU_KIM: "本文运用自主-安全交易模型作为分析框架",
    SON: "한미동맹 현대화는 급변하는 안보환경 속에서 더이상 피할 수 없는 과제가 되었다.",
    YANG: "도널드 트럼프 당선인(이하 트럼프)이 이번 미 대선에서 승리하면서",
    DT: "한미동맹이 위기다. 비단 북핵 협상 과정에서",
    "2024-segye-alliance-nuclear-deterrence": "이번 미국 대선은 한·미동맹의 운명을 가를지도 모른다.",
}


@pytest.mark.parametrize("slug", SLUGS)
def test_each_source_page_has_its_own_description_and_preview(built_site, sources, slug):
    tags = head_tags(built_site, slug)
    desc = _one(tags, "description")
    assert desc.startswith(DESCRIPTION_STARTS[slug]) and len(desc) <= 160
    assert _one(tags, "og:description") == desc
    assert _one(tags, "og:title") == page_title(sources[slug].meta)
    assert _one(tags, "og:locale") == "ko_KR" and _one(tags, "og:type") == "article"
    assert "og:url" not in dict(tags)  # no site_url configured: no address to give
    abstract = dict(tags).get("citation_abstract")
    assert (abstract is not None) == (slug in (GU_KIM, SON))
    if abstract:
        assert abstract.startswith(DESCRIPTION_STARTS[slug]) and len(abstract) > len(desc)


def test_no_two_pages_share_a_description(built_site):
    pages = [("sources", s) for s in SLUGS] + [("issues", p.name) for p in (built_site / "issues").iterdir()
                                               if (p / "index.html").exists()]
    pages += [("", "issues"), ("", "authors"), ("", "glossary"), ("", "works-cited"), ("", "sources"), ("", "method")]
    seen = {}
    for folder, name in pages:
        desc = _one(head_tags(built_site, name, folder) if folder else head_tags(built_site, name, "."), "description")
        assert desc not in seen, (folder, name, seen.get(desc))
        assert "(a cross-referenced reading edition" not in desc  # the site's tagline
        seen[desc] = (folder, name)
    home = _Head()
    home.feed((built_site / "index.html").read_text("utf-8"))
    assert _one(home.tags, "og:title") == "한미동맹 정책 논평 읽기판"
    assert _one(home.tags, "description") not in seen


def test_a_preview_carries_the_pages_address_when_the_site_has_one(subpath_site):
    """A site with a site_url (here under a sub-path) gives each page's full address in its
    tags and downloads."""
    url = f"{SUBPATH_URL}sources/{SON}/"
    tags = head_tags(subpath_site, SON)
    assert _one(tags, "og:url") == url and _one(tags, "citation_public_url") == url
    [item] = json.loads((subpath_site / "cite" / f"{SON}.json").read_text("utf-8"))
    assert item["URL"] == url
    # An issue page is cited at its own address, in its tags and its downloads alike.
    url = f"{SUBPATH_URL}issues/{ISSUE}/"
    tags = head_tags(subpath_site, ISSUE, "issues")
    assert _one(tags, "og:url") == url and _one(tags, "citation_public_url") == url
    assert _one(tags, "DC.identifier") == url and _one(tags, "citation_fulltext_html_url") == url
    [item] = json.loads((subpath_site / "cite" / "issues" / f"{ISSUE}.json").read_text("utf-8"))
    assert item["URL"] == url
    bib = parse_string((subpath_site / "cite" / "issues" / f"{ISSUE}.bib").read_text("utf-8"), "bibtex")
    assert bib.entries[f"issue-{ISSUE}"].fields["url"] == url
    [rec] = rispy.loads((subpath_site / "cite" / "issues" / f"{ISSUE}.ris").read_text("utf-8"))
    assert rec["urls"] == [url]


# --- one golden string per style per source ----------------------------------------------------
# Written out and checked by hand against each style's published rules:
#   한국어: the edition's Korean author-date style (styles/korean-author-date.csl; 한국정치학회보
#     pattern: 저자. 연도. “제목.” 『학술지』 권 호, 쪽. 발행처. URL (접속일: …); in the text
#     (저자 연도, N문단)); names in their own script, "·" between them;
#   中文: GB/T 7714—2015 著者-出版年制 (主要责任者, 出版年. 题名[文献类型标识/载体]. 出版者. 获取和访问路径.
#     DOI; 佚名 for no author; in the text (著者, 年), the paragraph after it as the standard
#     sets a page, 第N段);
#   Chicago 18 notes-bibliography (bibliography entry; the note with "para. N" and the URL last);
#   APA 7 (reference with the English title in square brackets, 9.38; in the text
#     (Author, year, para. N), 8.28).
# __EDITION__, __ACCESSED__, __PARA__, __PERMALINK__ are filled in by cite.js: the page's
# address, today's date, the paragraph's number and permalink.
# value: (the reference, the paragraph citation: Chicago's whole note, else the in-text part).
GOLDEN = {
    DT: {
        'ko': ('『디지털타임스』. 2019. “[두 개의 태풍 앞의 한미동맹].” 1월 27일. __EDITION__ (접속일: __ACCESSED__)',
               '(『디지털타임스』 2019, __PARA__문단)'),
        'zh': ('佚名, 2019. [두 개의 태풍 앞의 한미동맹][N/OL]. 디지털타임스, 2019-01-27. __EDITION__.',
               '(佚名, 2019)第__PARA__段'),
        'chicago': ('디지털타임스. “[두 개의 태풍 앞의 한미동맹].” January 27, 2019. __EDITION__.',
               '“[두 개의 태풍 앞의 한미동맹],” 디지털타임스, January 27, 2019, para. __PARA__, __PERMALINK__.'),
        'apa': ('[두 개의 태풍 앞의 한미동맹]. (2019, January 27). 디지털타임스. __EDITION__',
               '(“[두 개의 태풍 앞의 한미동맹],” 2019, para. __PARA__)'),
    },
    SEGYE: {
        'ko': ('『세계일보』. 2024. “[미국 대선과 한·미 핵억제 동맹].” 7월 18일. __EDITION__ (접속일: __ACCESSED__)',
               '(『세계일보』 2024, __PARA__문단)'),
        'zh': ('佚名, 2024. [미국 대선과 한·미 핵억제 동맹][N/OL]. 세계일보, 2024-07-18. __EDITION__.',
               '(佚名, 2024)第__PARA__段'),
        'chicago': ('세계일보. “[미국 대선과 한·미 핵억제 동맹].” July 18, 2024. __EDITION__.',
               '“[미국 대선과 한·미 핵억제 동맹],” 세계일보, July 18, 2024, para. __PARA__, __PERMALINK__.'),
        'apa': ('[미국 대선과 한·미 핵억제 동맹]. (2024, July 18). 세계일보. __EDITION__',
               '(“[미국 대선과 한·미 핵억제 동맹],” 2024, para. __PARA__)'),
    },
    YANG: {
        'ko': ('양욱. 2024. “트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정.” 아산 이슈브리프. 아산정책연구원. https://www.asaninst.org/contents/트럼프-집권-2기의-안보정책-전망과-한미동맹의-재조/ (접속일: __ACCESSED__)',
               '(양욱 2024, __PARA__문단)'),
        'zh': ('양욱, 2024. 트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정[R/OL]. 아산정책연구원. https://www.asaninst.org/contents/트럼프-집권-2기의-안보정책-전망과-한미동맹의-재조/.',
               '(양욱, 2024)第__PARA__段'),
        'chicago': ('Yang Uk. 트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정. Issue Brief. 아산 이슈브리프. 아산정책연구원, 2024. https://www.asaninst.org/contents/트럼프-집권-2기의-안보정책-전망과-한미동맹의-재조/.',
               'Yang Uk, 트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정, Issue Brief, 아산 이슈브리프 (아산정책연구원, 2024), para. __PARA__, __PERMALINK__.'),
        'apa': ("Yang Uk. (2024). 트럼프 집권 2기의 안보정책 전망과 한미동맹의 재조정 [Outlook for Trump's Second-Term Security Policy and the Readjustment of the ROK–US Alliance] (아산 이슈브리프) [Issue Brief]. 아산정책연구원. https://www.asaninst.org/contents/트럼프-집권-2기의-안보정책-전망과-한미동맹의-재조/",
               '(Yang Uk, 2024, para. __PARA__)'),
    },
    GU_KIM: {
        'ko': ('顾卫建·김재관. 2025. “韩美同盟外交困境探析：以文在寅—特朗普政府为例.” 『Analyses & Alternatives』 9권 2호, 35–65. https://doi.org/10.22931/aanda.2025.9.2.002',
               '(顾卫建·김재관 2025, __PARA__문단)'),
        'zh': ('顾卫建, 金在寬, 2025. 韩美同盟外交困境探析：以文在寅—特朗普政府为例[J/OL]. Analyses & Alternatives, 9(2): 35-65. https://journal.kci.go.kr/aanda/archive/articleView?artiId=ART003214949. DOI:10.22931/aanda.2025.9.2.002.',
               '(顾卫建 等, 2025)第__PARA__段'),
        'chicago': ('Gu, Wei-Jian, and Jae-kwan Kim. “韩美同盟外交困境探析：以文在寅—特朗普政府为例.” Analyses & Alternatives 9, no. 2 (2025): 35–65. https://doi.org/10.22931/aanda.2025.9.2.002.',
               'Wei-Jian Gu and Jae-kwan Kim, “韩美同盟外交困境探析：以文在寅—特朗普政府为例,” Analyses & Alternatives 9, no. 2 (2025): para. __PARA__, __PERMALINK__.'),
        'apa': ('Gu, W.-J., & Kim, J.-K. (2025). 韩美同盟外交困境探析：以文在寅—特朗普政府为例 [Analysis on the Diplomatic Dilemma of the US-ROK Alliance: Take the Trump-Moon Jae-in administration as an example]. Analyses & Alternatives, 9(2), 35–65. https://doi.org/10.22931/aanda.2025.9.2.002',
               '(Gu & Kim, 2025, para. __PARA__)'),
    },
    SON: {
        'ko': ('손한별. 2025. “한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진.” 제주평화연구원. __EDITION__ (접속일: __ACCESSED__)',
               '(손한별 2025, __PARA__문단)'),
        'zh': ('손한별, 2025. 한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진[R/OL]. 제주평화연구원. __EDITION__.',
               '(손한별, 2025)第__PARA__段'),
        'chicago': ('Son Han-byul. 한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진. Policy Paper. 제주평화연구원, 2025. __EDITION__.',
               'Son Han-byul, 한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진, Policy Paper (제주평화연구원, 2025), para. __PARA__, __PERMALINK__.'),
        'apa': ('Son Han-byul. (2025). 한미동맹 현대화: 포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진 [Modernizing the ROK–US Alliance: A Blueprint for a Comprehensive, Dynamic and Reciprocal Alliance] [Policy Paper]. 제주평화연구원. __EDITION__',
               '(Son Han-byul, 2025, para. __PARA__)'),
    },
}


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("style", list(STYLES))
def test_each_style_gives_the_golden_string(sources, slug, style):
    c = citation(sources[slug], f"https://ed.example/sources/{slug}/", "한미동맹 정책 논평 읽기판")
    reference, para = GOLDEN[slug][style]
    assert reference_text(c, style) == reference
    expected = para if style == "chicago" else f"{reference} {para} __PERMALINK__"
    assert paragraph_template(c, style) == expected


def test_formatting_is_cached_per_item_and_style_and_varies_only_the_locator(sources):
    """One processor run per item and style, whatever the paragraph: the citation of
    paragraph 7 is the token's citation with 7 put in, byte for byte."""
    from build_scripts.citations import csl
    item = csl_item(sources[SON])
    csl._citation.cache_clear()
    notes = [note_html(item, n) for n in (7, 8, 12)]
    assert csl._citation.cache_info().misses == 1 and csl._citation.cache_info().hits == 2
    assert notes[0].endswith("para. 7.") and notes[2].endswith("para. 12.")
    with csl.corrected_citeproc():  # the same, formatted the long way
        from citeproc import Citation as C, CitationItem, CitationStylesBibliography, Locator, formatter
        from citeproc.source.json import CiteProcJSON
        bib = CitationStylesBibliography(csl._style("chicago-notes-bibliography"), CiteProcJSON([dict(item)]), formatter.html)
        cit = C([CitationItem(item["id"], locator=Locator("paragraph", "8"))])
        bib.register(cit)
        assert csl._tidy(str(bib.cite(cit, lambda *_: None))) == notes[1]



# --- issue pages: the editors' synthesis, cited as an entry of the edition ---------------------

ISSUE = "defense-cost-sharing"
EDITION = "한미동맹 정책 논평 읽기판"
EDITORS = [{"literal": "한미동맹 정책 논평 읽기판 편집진"}]   # mkdocs.yml's extra.edition.editors


@pytest.fixture(scope="module")
def issue():
    """The issue file as the build reads it; its date pinned, so an editor's next change of
    `updated` does not move the golden strings."""
    from types import SimpleNamespace
    from build_scripts.apparatus.issues import IssueError
    from build_scripts.reading import read_yaml
    data = read_yaml(CORPUS / "issues" / f"{ISSUE}.yml", IssueError)[1]
    return SimpleNamespace(id=data["id"], names=data["names"], updated="2026-11-21", description=data["description"])


def test_the_real_editors_are_the_group_in_mkdocs_yml():
    from build_scripts.config import load_edition_config
    from build_scripts.engines.project import read_mkdocs_yml
    raw = read_mkdocs_yml(CORPUS.parent / "mkdocs.yml")
    assert load_edition_config(raw["extra"]).editors == EDITORS
    assert raw["copyright"].startswith(EDITION) and raw["site_name"] == EDITION


# Written from each style's rules for an unsigned entry of an edited online reference work
# (or, in Chicago, a page of a website), then checked against citeproc's output:
#   한국어: the edition's own style, a chapter of an edited book as Korean journals cite it,
#     the unsigned entry led by its title: “제목.” 연도. 편자 편. 『책』. 월 일 수정. URL (접속일: …);
#   中文: GB/T 7714—2015 (佚名 where nobody signed; a part of a work, 析出文献题名[M/OL]//专著
#     主要责任者. 专著题名; an online resource's date of update in parentheses, the date it was
#     cited in brackets, both required of it; the URL);
#   Chicago 18: 14.104 (a web page: listed under its owner, here the editors, with "ed." as
#     an edited work with no author is; “Title of page.” then the site's name in roman,
#     "last modified" and the date, the URL); Chicago puts an unsigned entry of a reference
#     work in the notes only (14.130), and the box gives a bibliography entry;
#   APA 7: 10.3 (an entry in an online reference work with no author: the title first, then
#     the date, "In" the editors "(Ed.)", the work in italics, the URL), 9.38 (the English
#     title in square brackets).
ISSUE_GOLDEN = {
    "ko": "“방위비 분담금과 방위비분담특별협정(SMA).” 2026. 한미동맹 정책 논평 읽기판 편집진 편. 『한미동맹 정책 논평 읽기판』. "
          "11월 21일 수정. __EDITION__ (접속일: __ACCESSED__)",
    "zh": "佚名, 2026. 방위비 분담금과 방위비분담특별협정(SMA)[M/OL]//한미동맹 정책 논평 읽기판 편집진. 한미동맹 정책 논평 읽기판. "
          "(2026-11-21)[__ACCESSED_ISO__]. __EDITION__.",
    "chicago": "한미동맹 정책 논평 읽기판 편집진, ed. “방위비 분담금과 방위비분담특별협정(SMA).” 한미동맹 정책 논평 읽기판, "
               "last modified November 21, 2026. __EDITION__.",
    "apa": "방위비 분담금과 방위비분담특별협정(SMA) [Defence cost sharing and the Special Measures Agreement (SMA)]. (2026). "
           "In 한미동맹 정책 논평 읽기판 편집진 (Ed.), 한미동맹 정책 논평 읽기판. __EDITION__",
}
# With no editors (extra.edition.editors: []): no editor, and nothing in its place.
ISSUE_GOLDEN_NO_EDITORS = {
    "ko": "“방위비 분담금과 방위비분담특별협정(SMA).” 2026. 『한미동맹 정책 논평 읽기판』. 11월 21일 수정. __EDITION__ "
          "(접속일: __ACCESSED__)",
    "zh": "佚名, 2026. 방위비 분담금과 방위비분담특별협정(SMA)[M/OL]//한미동맹 정책 논평 읽기판. (2026-11-21)[__ACCESSED_ISO__]. "
          "__EDITION__.",
    "chicago": "한미동맹 정책 논평 읽기판. “방위비 분담금과 방위비분담특별협정(SMA).” Last modified November 21, 2026. __EDITION__.",
    "apa": "방위비 분담금과 방위비분담특별협정(SMA) [Defence cost sharing and the Special Measures Agreement (SMA)]. (2026). "
           "In 한미동맹 정책 논평 읽기판. __EDITION__",
}


@pytest.mark.parametrize("style", list(STYLES))
def test_an_issue_page_in_each_style_gives_the_golden_string(issue, style):
    from build_scripts.citations.cite import issue_citation
    url = f"https://ed.example/issues/{ISSUE}/"
    assert reference_text(issue_citation(issue, url, EDITION, EDITORS), style) == ISSUE_GOLDEN[style]
    assert reference_text(issue_citation(issue, url, EDITION, []), style) == ISSUE_GOLDEN_NO_EDITORS[style]


def test_an_issue_page_names_no_author_and_its_editors_as_editors(issue):
    from build_scripts.citations.cite import issue_citation
    c = issue_citation(issue, f"https://ed.example/issues/{ISSUE}/", EDITION, EDITORS)
    assert "author" not in c.item and c.item["editor"] == EDITORS
    assert (c.item["type"], c.item["container-title"], c.item["title"]) == ("entry-encyclopedia", EDITION, issue.names["ko"])
    assert c.item["issued"] == {"date-parts": [[2026, 11, 21]]} and c.item["URL"] == f"https://ed.example/issues/{ISSUE}/"
    # Never the sources' authors: nobody's name but the editors' anywhere in the citation.
    text = " ".join(reference_text(c, k) for k in STYLES) + bibtex(c) + ris(c) + csl_json(c)
    for name in ("양욱", "Yang", "손한별", "Son", "Gu", "Kim", "顾卫建", "김재관", "디지털타임스"):
        assert name not in text, name


def test_a_korean_editors_name_is_never_inverted_or_initialised(issue):
    from build_scripts.citations.cite import issue_citation
    c = issue_citation(issue, f"https://ed.example/issues/{ISSUE}/", EDITION, [{"family": "김", "given": "철수"}])
    refs = {k: reference_text(c, k) for k in STYLES}
    assert "김철수 편." in refs["ko"] and "//김철수. " in refs["zh"]
    assert refs["chicago"].startswith("김철수, ed. ") and "In 김철수 (Ed.), " in refs["apa"]
    assert [n.last_names for n in parse_string(bibtex(c), "bibtex").entries[f"issue-{ISSUE}"].persons["editor"]] == [["김"]]


def test_issue_page_downloads_read_back_as_an_edited_entry(built_site, issue):
    bib = parse_string((built_site / "cite" / "issues" / f"{ISSUE}.bib").read_text("utf-8"), "bibtex")
    entry = bib.entries[f"issue-{ISSUE}"]
    assert entry.type == "incollection" and "author" not in entry.persons
    # A group is one name, braced: never given "한미동맹 정책 논평 읽기판", family "편집진".
    assert [_pybtex_name(p) for p in entry.persons["editor"]] == [("한미동맹 정책 논평 읽기판 편집진", "")]
    assert entry.fields["title"] == "{" + issue.names["ko"] + "}" and entry.fields["booktitle"] == EDITION
    updated = (CORPUS / "issues" / f"{ISSUE}.yml").read_text("utf-8").split("\nupdated: ")[1][:10]
    assert (entry.fields["year"], entry.fields["date"]) == (updated[:4], updated)
    assert "note" not in entry.fields  # the page is the item, not a place where it was read
    [rec] = rispy.loads((built_site / "cite" / "issues" / f"{ISSUE}.ris").read_text("utf-8"))
    assert rec["type_of_reference"] == "ENCYC" and "authors" not in rec
    assert rec["secondary_authors"] == ["한미동맹 정책 논평 읽기판 편집진"]   # A2: Zotero's editor
    assert (rec["title"], rec["secondary_title"]) == (issue.names["ko"], EDITION)
    assert (rec["year"], rec["date"]) == (updated[:4], updated.replace("-", "/"))
    [item] = json.loads((built_site / "cite" / "issues" / f"{ISSUE}.json").read_text("utf-8"))
    assert (item["type"], item["editor"], item["container-title"]) == ("entry-encyclopedia", EDITORS, EDITION)
    assert "author" not in item and "note" not in item


def test_every_issue_page_has_its_cite_box_downloads_and_tags(built_site):
    import re
    ids = [p.stem for p in (CORPUS / "issues").glob("*.yml")]
    assert len(ids) >= 12
    for iid in ids:
        page = (built_site / "issues" / iid / "index.html").read_text("utf-8")
        assert page.count('class="cite-box"') == 1 and page.count('class="cite-entry"') == len(STYLES)
        assert "data-para=" not in page and "cite-hint" not in page   # no paragraphs of its own to cite
        for ext in ("bib", "ris", "json"):
            assert f'href="../../cite/issues/{iid}.{ext}"' in page and (built_site / "cite" / "issues" / f"{iid}.{ext}").exists()
        tags = dict(head_tags(built_site, iid, "issues"))
        assert tags["citation_editor"] == EDITORS[0]["literal"] and tags["DC.type"] == "encyclopediaArticle"
        updated = re.search(r"^updated: (\S+)", (CORPUS / "issues" / f"{iid}.yml").read_text("utf-8"), re.M).group(1)
        assert tags["citation_publication_date"] == updated.replace("-", "/") and tags["DC.date"] == updated


def test_issue_page_meta_tags_read_back_from_the_html(built_site, issue):
    tags = head_tags(built_site, ISSUE, "issues")
    names = [k for k, _ in tags]
    assert "citation_author" not in names and "DC.creator" not in names   # nobody signs the page
    assert _one(tags, "citation_title") == _one(tags, "DC.title") == issue.names["ko"]
    assert _one(tags, "citation_editor") == "한미동맹 정책 논평 읽기판 편집진"
    assert _one(tags, "DC.source") == EDITION and _one(tags, "DC.type") == "encyclopediaArticle"
    assert _one(tags, "citation_language") == _one(tags, "DC.language") == "ko"
    assert _one(tags, "citation_fulltext_html_url") == f"issues/{ISSUE}/"   # no site_url: the path
    assert "citation_public_url" not in names and "og:url" not in names
    assert _one(tags, "citation_abstract") == " ".join(issue.description.split())
    question = "한국은 미국의 방위비 분담 증액 요구를 받아들여야 하는가?"
    assert _one(tags, "description").startswith(question + " 주한미군 주둔 비용") and len(_one(tags, "description")) <= 160
    assert _one(tags, "og:description") == _one(tags, "description")
    assert _one(tags, "og:type") == "article" and _one(tags, "og:title") == issue.names["ko"]


def test_issue_page_citations_escape_everything_for_where_it_lands():
    """Issue files and mkdocs.yml may come from a pull request: a name with markup, braces,
    a backslash or a line break is shown as written in every format."""
    from types import SimpleNamespace
    from build_scripts.citations.cite import cite_box, issue_citation, issue_meta_tags
    from build_scripts.pages.render import front_matter
    name = 'A <script>x()</script> {b} \\input{c} 50% & "d"\n---\nTY  - JOUR'
    i = SimpleNamespace(id="x", names={"ko": name, "en": "E <i>"}, updated="2026-11-21", description="설명 <b>.")
    c = issue_citation(i, "https://ed.example/issues/x/", EDITION, [{"literal": "편집진 } and {X"}])
    box = cite_box(c, {"BibTeX": ("../cite/issues/x.bib", "application/x-bibtex")}, "./")
    assert "<script>" not in box and "&lt;script&gt;" in box
    entry = parse_string(bibtex(c), "bibtex").entries["issue-x"]
    assert len(entry.persons["editor"]) == 1 and "input" in entry.fields["title"]
    assert "\\input{" not in bibtex(c)
    [rec] = rispy.loads(ris(c))
    assert rec["type_of_reference"] == "ENCYC" and rec["secondary_authors"] == ["편집진 } and {X"]
    assert rec["title"] == " ".join(name.split())           # one line: no tag of its own
    [item] = json.loads(csl_json(c))
    assert item["title"] == name
    fm = front_matter(name, head_meta=[[k, v] for k, v in issue_meta_tags(c)])
    assert fm.count("\n---") == 1 and "<script>" not in fm.split("head_meta")[0]
