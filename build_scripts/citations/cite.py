"""How each source is cited: one CSL-JSON item built from meta.yml, and everything else
derived from it — the formatted references (by citeproc-py, see csl.py), BibTeX, RIS,
and the Highwire Press / Dublin Core meta tags that Zotero and Google Scholar read.

Citations point at the original publication (its DOI or URL); this edition's URL is given
as where the text was read, never as the work's own address.

An issue page is the editors' own work, cited as an entry of the edition (`issue_citation`):
no author (never the sources' authors), the edition's editors as editors, the edition as
the container, the date of the issue's last change, the page's own address.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from build_scripts.cleaning.corpus import PAGES_RE, Source
from build_scripts.citations.csl import LOCATOR_TOKEN, STYLES, citation_html, html_to_text, reference_html

# meta.yml `type` -> CSL type, BibTeX entry type, RIS type, Zotero item type
TYPES = {
    "journal-article": ("article-journal", "article", "JOUR", "journalArticle"),
    "op-ed": ("article-newspaper", "article", "NEWS", "newspaperArticle"),
    "issue-brief": ("report", "techreport", "RPRT", "report"),
    "policy-paper": ("report", "techreport", "RPRT", "report"),
    "report": ("report", "techreport", "RPRT", "report"),
    "book-chapter": ("chapter", "incollection", "CHAP", "bookSection"),
    "other": ("document", "misc", "GEN", "document"),
    # An issue page: an unsigned entry of an edited online reference work, the edition.
    # BibTeX's @incollection keeps the editors and the container (Zotero: a book section;
    # @misc would become a book); RIS ENCYC is Zotero's encyclopedia article, its editors A2.
    "issue-page": ("entry-encyclopedia", "incollection", "ENCYC", "encyclopediaArticle"),
}
ISSUE_PAGE = "issue-page"
# Report subtypes as printed after the title (Zotero's "Report Type", BibTeX `type`).
REPORT_GENRE = {"issue-brief": "Issue Brief", "policy-paper": "Policy Paper"}


@dataclass
class Citation:
    item: dict            # CSL-JSON for the original publication
    edition_url: str      # where the text was read: this edition's page
    edition_name: str
    kind: str = "other"   # meta.yml `type`
    abstract: str = ""    # the source's own abstract, if it has one (see `abstract_of`)
    native_names: dict = field(default_factory=dict)  # style key -> CSL names in own script
    title_en: str = ""    # the title in English (as published, else the editors'), for APA

    @property
    def read_in(self) -> str:
        return f"Read in {self.edition_name}, {self.edition_url}"

    @property
    def url_is_edition(self) -> bool:
        """The original has no address of its own: the item's URL is this edition's page."""
        return self.item.get("URL") == self.edition_url

    @property
    def is_issue_page(self) -> bool:
        """The item is the edition's own page (an issue page), not a work read in it."""
        return self.kind == ISSUE_PAGE

    @property
    def read_in_needed(self) -> bool:
        """Whether to say where it was read: not when the item is the page itself."""
        return not (self.url_is_edition or self.is_issue_page)

    @property
    def pages(self) -> tuple[str | None, str | None]:
        first, _, last = self.item.get("page", "").partition("-")
        return first or None, last or None


def original_name(s: str) -> str:
    """A name as published, without the editors' gloss in another script.

    >>> original_name("아산정책연구원 (Asan Institute for Policy Studies)")
    '아산정책연구원'
    >>> original_name("Analyses & Alternatives")
    'Analyses & Alternatives'
    """
    m = re.match(r"^(.*[^\x00-\x7f].*?)\s*\(([\x00-\x7f]+)\)$", s)
    return m.group(1).strip() if m else s


def page_range(pages: str) -> tuple[str, str | None]:
    """'35-65' -> ('35', '65'); checked by corpus.validate_meta before this is called."""
    m = PAGES_RE.match(pages.strip())
    return m.group(1), m.group(2)


def date_parts(date: str) -> list[int]:
    return [int(x) for x in date.split("-")]


def csl_names(meta: dict) -> list[dict]:
    """Authors for CSL. A name written family-first in English (Korean usage: "Yang Uk")
    stays as written, so no style inverts it; others are split into family and given."""
    out = []
    for a in meta["authors"]:
        fam, giv, en = a.get("family_en"), a.get("given_en"), a.get("name_en")
        if fam and en and en.startswith(fam):
            out.append({"literal": en})
        elif fam:
            out.append({"family": fam, **({"given": giv} if giv else {})})
        else:
            out.append({"literal": en or a["name"]})
    return out


def title_for_citation(meta: dict) -> str:
    """The original title; an unknown one is the editors' title in square brackets, the
    usual mark of a supplied title."""
    if meta.get("title"):
        return meta["title"]
    return f"[{meta.get('title_supplied', '제목 미상')}]"


def csl_item(src: Source) -> dict:
    m = src.meta
    kind = m.get("type", "other")
    item = {"id": src.slug, "type": TYPES[kind][0], "title": title_for_citation(m),
            "issued": {"date-parts": [date_parts(m["date"])]}, "language": m["language"]}
    names = csl_names(m)
    if names:
        item["author"] = names
    if kind in ("journal-article", "op-ed") and m.get("venue"):
        item["container-title"] = original_name(m["venue"])
    if m.get("publisher"):
        item["publisher"] = original_name(m["publisher"])
    if m.get("series"):
        item["collection-title"] = original_name(m["series"])
    if kind in REPORT_GENRE:
        item["genre"] = REPORT_GENRE[kind]
    for k, csl in (("volume", "volume"), ("issue", "issue"), ("number", "number")):
        if m.get(k):
            item[csl] = str(m[k])
    if m.get("pages"):
        first, last = page_range(m["pages"])
        item["page"] = f"{first}-{last}" if last else first
        item["page-first"] = first
    if m.get("doi"):
        item["DOI"] = m["doi"]
    if m.get("url"):
        item["URL"] = m["url"]
    return item


def is_absolute(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def citation(src: Source, edition_url: str, edition_name: str, abstract: str = "") -> Citation:
    """The citation of a source read at `edition_url`. An original with no address of its
    own (no URL, no DOI) is found at the edition's page: that is its URL everywhere (page,
    BibTeX, RIS, CSL-JSON), when the edition's address is known (a configured site_url)."""
    item = csl_item(src)
    if not item.get("URL") and not item.get("DOI") and is_absolute(edition_url):
        item["URL"] = edition_url
    if abstract:
        item["abstract"] = abstract
    m = src.meta
    title_en = ((m.get("title_published") or {}).get("en") or (m.get("title_translated") or {}).get("en") or "")
    return Citation(item, edition_url, edition_name, m.get("type", "other"), abstract,
                    native_names(m), "" if m["language"] == "en" else title_en)


def native_names(meta: dict) -> dict[str, list[dict]]:
    """Authors as the Korean and the Chinese style print them: in their own script, family
    name first, kept whole (CJK names are written without a space, so never split).

    >>> native_names({"authors": [{"name": "김재관", "name_zh": "金在寬"}]})
    {'ko': [{'literal': '김재관'}], 'zh': [{'literal': '金在寬'}]}
    """
    return {key: [{"literal": a.get(f"name_{key}") or a["name"]} for a in meta["authors"]] for key in ("ko", "zh")}


def issue_citation(issue, edition_url: str, edition_name: str, editors: list[dict]) -> Citation:
    """An issue page as the reference managers and styles should see it: an entry of the
    edition (CSL entry-encyclopedia), titled by its Korean name, with no author (the page
    is the editors' synthesis, never the sources' authors' words), the edition's editors
    (`extra.edition.editors`; none when that list is empty) as editors, the edition as the
    container, the issue's `updated` date as its date, and the page as its address (when
    the site's address is known), its description as the abstract.

    >>> from types import SimpleNamespace as N
    >>> i = N(id="x", names={"ko": "쟁점", "en": "Issue"}, updated="2026-11-21", description="설명.")
    >>> c = issue_citation(i, "https://ed.example/issues/x/", "판", [{"literal": "편집진"}])
    >>> c.item["type"], c.item["editor"], c.item["issued"], c.item["URL"], "author" in c.item
    ('entry-encyclopedia', [{'literal': '편집진'}], {'date-parts': [[2026, 11, 21]]}, 'https://ed.example/issues/x/', False)
    >>> "editor" in issue_citation(i, "issues/x/", "판", []).item, "URL" in issue_citation(i, "issues/x/", "판", []).item
    (False, False)
    """
    item = {"id": f"issue-{issue.id}", "type": TYPES[ISSUE_PAGE][0], "title": issue.names["ko"],
            "container-title": edition_name, "issued": {"date-parts": [date_parts(issue.updated)]}, "language": "ko"}
    if editors:
        item["editor"] = [dict(e) for e in editors]
    if is_absolute(edition_url):
        item["URL"] = edition_url
    item["abstract"] = " ".join(issue.description.split())
    return Citation(item, edition_url, edition_name, ISSUE_PAGE, item["abstract"], {}, issue.names.get("en", ""))


# Headings under which a source gives its abstract, by language (the section a paragraph
# stands in, pipeline.paragraph_records).
ABSTRACT_HEADINGS = {"abstract": "en", "summary": "en", "摘要": "zh", "内容摘要": "zh", "内容提要": "zh",
                     "提要": "zh", "초록": "ko", "국문초록": "ko", "국문 초록": "ko", "요약": "ko", "요지": "ko"}


def abstract_of(paragraphs: list[dict], language: str) -> str:
    """The source's own abstract: the paragraphs under an "Abstract"/"摘要"/"초록" heading,
    the one in the source's language first (004 gives an English and a Chinese one).

    >>> ps = [{"section": "Abstract", "text": "An."}, {"section": "摘要", "text": "甲。"},
    ...       {"section": "摘要", "text": "乙。"}, {"section": "引言", "text": "丙。"}]
    >>> abstract_of(ps, "zh"), abstract_of(ps, "ko"), abstract_of(ps[3:], "zh")
    ('甲。 乙。', 'An.', '')
    """
    found: dict[str, list[str]] = {}
    for p in paragraphs:
        lang = ABSTRACT_HEADINGS.get(p["section"].strip().lower())
        if lang:
            found.setdefault(p["section"], []).append(p["text"])
    if not found:
        return ""
    own = [k for k in found if ABSTRACT_HEADINGS[k.strip().lower()] == language]
    return " ".join(" ".join(found[(own or list(found))[0]]).split())


# A sentence ends at one of these, followed by a space or the end (Chinese needs no space).
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


def summary(text: str, limit: int = 160) -> str:
    """A page's description: whole sentences from the start of `text` up to `limit`
    characters; one longer first sentence is cut at a space (or the limit) with "…".

    >>> summary("첫 문장이다. 둘째 문장이다. 셋째.", 18)
    '첫 문장이다. 둘째 문장이다.'
    >>> summary("아주 긴 한 문장이 여기에 있다", 10)
    '아주 긴 한…'
    """
    text = " ".join(text.split())
    out = ""
    for sentence in _SENTENCE_END_RE.split(text):
        joined = f"{out} {sentence}".strip() if out and not out.endswith(("。", "！", "？")) else out + sentence
        if len(joined) > limit:
            break
        out = joined
    if out:
        return out
    cut = text[:limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


# --- BibTeX -----------------------------------------------------------------------------

# BibTeX counts every brace, escaped or not, to find where a field ends, and LaTeX runs a
# backslash as a command (\input, \write18): a brace or backslash of the text becomes a
# command that prints it, so no text can end a field or add one, or run anything.
_BIB_SPECIAL = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}", "\\": r"\textbackslash{}",
                "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}


def _bib_escape(s: str) -> str:
    r"""Text for a BibTeX field: shown as written, whatever it holds.

    >>> print(_bib_escape("R&D {x}, \\input{a} 50%"))
    R\&D \textbraceleft{}x\textbraceright{}, \textbackslash{}input\textbraceleft{}a\textbraceright{} 50\%
    """
    return re.sub(r"[&%$#_{}\\]", lambda m: _BIB_SPECIAL[m.group()], str(s))


def _bib_url(s: str) -> str:
    """An address for BibTeX's verbatim url and doi fields: braces and backslashes
    percent-encoded, the same address to a browser."""
    return str(s).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _bib_name(n: dict) -> str:
    """One name of an author list. A whole name ("Yang Uk", family first) is braced, so
    BibTeX reads it as one family name, never as given "Yang", family "Uk"; the field's
    own braces go round the whole list (`author = {{Yang Uk} and Gu, Wei-Jian}`)."""
    if "literal" in n:
        return "{" + _bib_escape(n["literal"]) + "}"
    return _bib_escape(n["family"]) + (", " + _bib_escape(n["given"]) if n.get("given") else "")


def bibtex(c: Citation) -> str:
    it = c.item
    entry = TYPES[c.kind][1]
    parts = it["issued"]["date-parts"][0]
    fields = []

    def add(k, v):
        if v:
            fields.append((k, v))
    add("author", " and ".join(_bib_name(n) for n in it.get("author", [])))
    add("editor", " and ".join(_bib_name(n) for n in it.get("editor", [])))
    # Braced twice: the title keeps its capitals and is never re-cased by a style.
    add("title", "{" + _bib_escape(it["title"]) + "}")
    if entry == "incollection":
        add("booktitle", _bib_escape(it.get("container-title", "")))
    if entry == "article":
        add("journal", _bib_escape(it.get("container-title", "")))
    if entry == "techreport":
        add("institution", _bib_escape(it.get("publisher", "")))
        add("type", it.get("genre"))
        add("series", _bib_escape(it.get("collection-title", "")))
    elif it.get("publisher"):
        add("publisher", _bib_escape(it["publisher"]))
    add("volume", _bib_escape(it.get("volume", "")))
    add("number", _bib_escape(it.get("issue") or it.get("number") or ""))
    add("pages", it.get("page", "").replace("-", "--"))
    add("year", str(parts[0]))
    if len(parts) > 1:
        add("month", ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"][parts[1] - 1])
    add("date", "-".join(f"{x:02d}" if i else str(x) for i, x in enumerate(parts)))
    add("doi", _bib_url(it.get("DOI", "")))
    add("url", _bib_url(it.get("URL", "")))
    add("language", it.get("language"))
    add("abstract", _bib_escape(c.abstract))
    if c.read_in_needed:
        add("note", _bib_escape(c.read_in))
    body = ",\n".join(f"  {k} = {v if k == 'month' else '{' + v + '}'}" for k, v in fields)
    return f"@{entry}{{{it['id']},\n{body}\n}}\n"


# --- RIS --------------------------------------------------------------------------------

def ris(c: Citation) -> str:
    it = c.item
    lines = [("TY", TYPES[c.kind][2])]
    for tag, role in (("AU", "author"), ("A2", "editor")):  # A2: Zotero's editor of an encyclopedia article
        for n in it.get(role, []):
            lines.append((tag, n["literal"] if "literal" in n else f"{n['family']}, {n.get('given', '')}".rstrip(", ")))
    lines.append(("TI", it["title"]))
    if it.get("container-title"):
        lines.append(("T2", it["container-title"]))
    if it.get("collection-title"):
        # Zotero reads a report's series from T2 (a report has no container); T3 otherwise.
        lines.append(("T2" if TYPES[c.kind][2] == "RPRT" else "T3", it["collection-title"]))
    parts = it["issued"]["date-parts"][0]
    lines.append(("PY", str(parts[0])))
    lines.append(("DA", "/".join([str(parts[0])] + [f"{x:02d}" for x in parts[1:]]) + ("/" if len(parts) < 3 else "")))
    for tag, key in (("VL", "volume"), ("IS", "issue"), ("PB", "publisher"), ("DO", "DOI"),
                     ("UR", "URL"), ("LA", "language"), ("M3", "genre")):
        if it.get(key):
            lines.append((tag, it[key]))
    first, last = c.pages
    lines += [("SP", first), ("EP", last), ("AB", c.abstract or None),
              ("N1", c.read_in if c.read_in_needed else None)]
    lines.append(("ER", ""))
    # One tag a line: a line break inside a value would start a tag of its own.
    return "".join(f"{t}  - {' '.join(str(v).split())}\r\n" for t, v in lines if v is not None)


def csl_json(c: Citation) -> str:
    item = dict(c.item)
    if c.read_in_needed:
        item["note"] = c.read_in
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


# --- meta tags --------------------------------------------------------------------------

def scholar_date(date: str) -> str:
    """Google Scholar's form: YYYY/MM/DD, YYYY/MM or YYYY.

    >>> scholar_date("2019-01-27"), scholar_date("2025-12"), scholar_date("2025")
    ('2019/01/27', '2025/12', '2025')
    """
    return date.replace("-", "/")


def meta_tags(src: Source, c: Citation) -> list[tuple[str, str]]:
    """(name, content) pairs: Highwire Press tags (Google Scholar's inclusion guidelines)
    first, Dublin Core as the fallback Zotero's Embedded Metadata translator also reads.

    Zotero chooses the item type from these: `citation_journal_title` makes a journal
    article, `citation_technical_report_institution` a report, and DC.type names Zotero's
    type outright (newspaperArticle for op-eds, which Highwire has no tag for)."""
    m, it, kind = src.meta, c.item, c.kind
    tags = [("citation_title", it["title"])]
    for a in m["authors"]:
        # "Family, Given": Zotero splits on the comma, so Korean family-first names survive.
        if a.get("family_en"):
            tags.append(("citation_author", f"{a['family_en']}, {a['given_en']}" if a.get("given_en") else a["family_en"]))
        else:
            tags.append(("citation_author", a.get("name_en") or a["name"]))
    tags.append(("citation_publication_date", scholar_date(m["date"])))
    tags.append(("citation_language", m["language"]))
    if it.get("publisher"):
        tags.append(("citation_publisher", it["publisher"]))
    if kind == "journal-article":
        tags.append(("citation_journal_title", it.get("container-title", "")))
        for k, tag in (("volume", "citation_volume"), ("issue", "citation_issue")):
            if it.get(k):
                tags.append((tag, it[k]))
        tags += [("citation_firstpage", c.pages[0]), ("citation_lastpage", c.pages[1])]
        if it.get("DOI"):
            tags.append(("citation_doi", it["DOI"]))
    elif TYPES[kind][0] == "report":
        tags.append(("citation_technical_report_institution", it.get("publisher", "")))
        if it.get("number"):
            tags.append(("citation_technical_report_number", it["number"]))
        if it.get("collection-title"):
            tags.append(("citation_series_title", it["collection-title"]))
    elif kind == "op-ed" and it.get("container-title"):
        # Not citation_journal_title: Zotero would type the item as a journal article.
        tags.append(("DC.source", it["container-title"]))
    if it.get("URL"):
        tags.append(("citation_public_url", it["URL"]))
    tags.append(("citation_fulltext_html_url", c.edition_url))
    if c.abstract:
        tags.append(("citation_abstract", c.abstract))
    tags.append(("DC.title", it["title"]))
    for a in m["authors"]:
        tags.append(("DC.creator", a["name"]))
    tags.append(("DC.date", m["date"]))
    tags.append(("DC.language", m["language"]))
    # Zotero reads DC.type as the item type when Highwire names none (op-eds), and as the
    # report type for reports (Highwire's institution tag already made them reports).
    tags.append(("DC.type", REPORT_GENRE.get(kind) or TYPES[kind][3]))
    if it.get("publisher"):
        tags.append(("DC.publisher", it["publisher"]))
    if it.get("DOI"):
        tags.append(("DC.identifier", f"doi:{it['DOI']}"))
    elif it.get("URL"):
        tags.append(("DC.identifier", it["URL"]))
    return [(k, v) for k, v in tags if v]


def _tag_name(n: dict) -> str:
    """A name for a meta tag: "Family, Given" (Zotero splits on the comma), a group whole."""
    return n["literal"] if "literal" in n else ", ".join(x for x in (n["family"], n.get("given")) if x)


def issue_meta_tags(c: Citation) -> list[tuple[str, str]]:
    """An issue page's <head> tags: Highwire Press with the editors as `citation_editor`
    (no `citation_author`: nobody signs the page), the date of its last change, and Dublin
    Core, whose DC.type names Zotero's type (an encyclopedia article) and DC.source the
    edition it is part of (`citation_book_title` would make Zotero call it a book section).

    >>> from types import SimpleNamespace as N
    >>> i = N(id="x", names={"ko": "쟁점", "en": "Issue"}, updated="2026-11-21", description="설명.")
    >>> tags = issue_meta_tags(issue_citation(i, "issues/x/", "판", [{"family": "Kim", "given": "Chul"}]))
    >>> [t for t in tags if t[0] in ("citation_editor", "citation_publication_date", "DC.type")]
    [('citation_editor', 'Kim, Chul'), ('citation_publication_date', '2026/11/21'), ('DC.type', 'encyclopediaArticle')]
    """
    it = c.item
    date = "-".join(f"{x:02d}" if k else str(x) for k, x in enumerate(it["issued"]["date-parts"][0]))
    tags = [("citation_title", it["title"])]
    tags += [("citation_editor", _tag_name(n)) for n in it.get("editor", [])]
    tags += [("citation_publication_date", scholar_date(date)), ("citation_language", it["language"]),
             ("citation_public_url", it.get("URL", "")), ("citation_fulltext_html_url", c.edition_url),
             ("citation_abstract", c.abstract),
             ("DC.title", it["title"]), ("DC.date", date), ("DC.language", it["language"]),
             ("DC.type", TYPES[ISSUE_PAGE][3]), ("DC.source", it["container-title"]),
             ("DC.identifier", it.get("URL", ""))]
    return [(k, v) for k, v in tags if v]


# --- the Cite box -----------------------------------------------------------------------

# An address in running text: it ends before a closing bracket or a sentence's punctuation.
URL_RE = re.compile(r"https?://[^\s<>)\]\"]*[^\s<>)\]\".,;]")
# Places the page's script fills in (cite.js): the paragraph's number and permalink, the
# page's own address (absolute only in the browser when no site_url is set), and today's
# date (a reader's access date; the build's would be wrong the next day).
PARA_TOKEN, PERMALINK_TOKEN, EDITION_TOKEN, ACCESSED_TOKEN = LOCATOR_TOKEN, "__PERMALINK__", "__EDITION__", "__ACCESSED__"
# Today as GB/T 7714 writes an access date ([2026-11-22]), for cite.js.
ACCESSED_ISO_TOKEN = "__ACCESSED_ISO__"
# Formatted as a date, then replaced by the token of the form the style printed it in.
_ACCESSED_SENTINEL = ({"date-parts": [[1999, 2, 3]]}, "1999년 2월 3일")
_ACCESSED_FORMS = {"1999년 2월 3일": ACCESSED_TOKEN, "1999-02-03": ACCESSED_ISO_TOKEN}
# "Read in <edition>, <address>" in each style's language.
READ_IN = {"en": "Read in", "ko": "읽은 곳:", "zh": "阅读于"}


def linkify(s: str) -> str:
    return URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', s)


def style_item(c: Citation, key: str) -> dict:
    """The item as a style prints it:
    - 한국어 and 中文: names in their own script (`name_ko`/`name_zh`, else `name`), whole;
    - APA: a non-English title followed by its English translation in square brackets
      (APA 7, 9.38), when meta.yml has one;
    - an original without an address of its own: the edition's page as its URL;
    - 한국어: today's date as the access date of an online item;
    - an issue page, which changes as the editors revise it: the access date in 中文 too
      (GB/T 7714—2015 requires it of an online resource, after the date of its last
      change); in Chicago a web page (CMOS 18, 14.104: the site's page, "last modified" and
      its date), since Chicago leaves an unsigned entry of a reference work out of the
      bibliography (14.130), where the Cite box's Chicago reference stands."""
    item = {k: v for k, v in c.item.items() if k != "abstract"}
    if key in c.native_names and item.get("author"):
        item["author"] = c.native_names[key]
    if item.get("editor"):
        item["editor"] = [whole_cjk_name(n) for n in item["editor"]]
    if key == "apa" and c.title_en and not item["title"].startswith("["):
        item["title"] = f"{item['title']} [{c.title_en}]"
    if c.url_is_edition or not (item.get("URL") or item.get("DOI")):
        item["URL"] = EDITION_TOKEN
    if key == "ko" or key == "zh" and c.is_issue_page:
        item["accessed"] = _ACCESSED_SENTINEL[0]
    if key == "chicago" and c.is_issue_page:
        # The style prints the status as written after the site's name; with no editors the
        # site's name stands first (14.104) and the status begins a sentence of its own.
        item.update(type="webpage", status="last modified" if item.get("editor") else "Last modified")
    return item


# Hangul, kana and Han: a name written in them is never inverted or initialised.
_CJK_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def whole_cjk_name(n: dict) -> dict:
    """A person named in Hangul, kana or Han as CSL prints one: family name then given name,
    with no space, never inverted or initialised (CSL 1.0.2, "Name-part Order" for
    non-romanesque names, which citeproc-py does not follow: "철수 김", "김 철").

    >>> whole_cjk_name({"family": "김", "given": "철수"}), whole_cjk_name({"family": "Kim", "given": "Chul"})
    ({'literal': '김철수'}, {'family': 'Kim', 'given': 'Chul'})
    """
    if "literal" in n or not _CJK_RE.search(n.get("family", "") + n.get("given", "")):
        return n
    return {"literal": n.get("family", "") + n.get("given", "")}


def _filled(s: str) -> str:
    for sentinel, token in _ACCESSED_FORMS.items():
        s = s.replace(sentinel, token)
    return s


def reference_text(c: Citation, key: str) -> str:
    """A style's reference as plain text, with the script's tokens in place."""
    return html_to_text(_filled(reference_html(style_item(c, key), key)))


def paragraph_template(c: Citation, key: str) -> str:
    """What the ❝ button copies for one paragraph in style `key`, as plain text with tokens.

    Chicago: the note, whose locator is this edition's paragraph, so its address is the
    paragraph's permalink. The author-date styles: the reference, then the in-text citation
    with the paragraph ("(손한별 2025, 7문단)"), then the permalink."""
    if key == "chicago":
        item = {k: v for k, v in style_item(c, key).items() if k not in ("DOI", "URL", "accessed")}
        item["URL"] = PERMALINK_TOKEN
        return html_to_text(citation_html(item, key, PARA_TOKEN))
    located = html_to_text(citation_html(style_item(c, key), key, PARA_TOKEN))
    return f"{reference_text(c, key)} {located} {PERMALINK_TOKEN}"


def _read_in_html(c: Citation, ref: str, lang: str, edition_link: str) -> str:
    """The reference with where it was read; none when the edition is the item's address.
    After a reference ending in a period, a sentence; after one ending in an address (APA's
    DOI), in parentheses, so no address runs into the words."""
    if c.url_is_edition or not (c.item.get("URL") or c.item.get("DOI")):
        return ref
    words = f"{READ_IN[lang]} <i>{html.escape(c.edition_name)}</i>, {edition_link}"
    return f"{ref} {words}." if ref.endswith(".") else f"{ref} ({words})"


def cite_box(c: Citation, files: dict[str, str], self_href: str) -> str:
    """The "Cite" box under a source's header: the reference in each style the reader may
    choose (cite.js offers the choice and remembers it), copy buttons, downloads, and what
    the paragraphs' ❝ buttons copy in each style. An issue page's box is the same, with no
    paragraphs to cite (its own text has no numbered paragraphs: its quotes link to theirs).

    `self_href` is the page's address relative to itself ("./"): without a configured
    site_url the page's script makes it absolute from where the reader found the page."""
    e = lambda s: html.escape(s, quote=True)  # noqa: E731
    href = c.edition_url if is_absolute(c.edition_url) else self_href
    edition_link = f'<a class="edition-url" href="{e(href)}">{e(c.edition_url)}</a>'
    entries = []
    for key, (_, label, lang) in STYLES.items():
        ref = linkify(_filled(reference_html(style_item(c, key), key)))
        ref = _read_in_html(c, ref, lang, edition_link).replace(EDITION_TOKEN, edition_link)
        ref = ref.replace(ACCESSED_TOKEN, '<span class="cite-today">오늘</span>')
        ref = ref.replace(ACCESSED_ISO_TOKEN, '<span class="cite-today" data-form="iso">今天</span>')
        para = "" if c.is_issue_page else f' data-para="{e(paragraph_template(c, key))}"'
        entries.append(f'<div class="cite-entry" data-style="{key}"{para}>\n'
                       f'<p class="cite-label">{e(label)}</p>\n'
                       f'<p class="cite-text" lang="{lang}">{ref}</p>\n'
                       f'<button type="button" class="md-button cite-copy">복사 <span lang="en">(copy)</span></button>\n</div>')
    downloads = " · ".join(f'[{label}]({path}){{: download="{path.rsplit("/", 1)[-1]}" type="{mime}" }}'
                           for label, (path, mime) in files.items())
    if c.is_issue_page:
        return (f'<details class="cite-box" data-ed="" markdown="1">\n'
                f'<summary>이 쟁점 쪽 인용하기 <span lang="en">(Cite this page)</span></summary>\n\n'
                + "\n".join(entries) + "\n\n"
                f'내려받기 <span lang="en">(download)</span>: {downloads}\n{{: .cite-files }}\n\n'
                '이 쪽은 편집진이 원문들의 입장을 정리한 것이다. 편집진을 편자로, 이 판을 수록처로, 마지막으로 고친 날을 '
                '날짜로 인용한다. 저자의 말은 인용문의 문단 링크를 따라가 그 원문 쪽에서 인용한다. '
                '<span lang="en">(This page is the editors\' synthesis: cite it with the editors as editors, the '
                'edition as the container and the date of its last change; cite an author\'s words from the source '
                'page its quote links to.)</span>\n{: .cite-note }\n\n'
                f'<div class="cite-data" hidden data-url="{e(href)}"></div>\n\n'
                '</details>')
    return (f'<details class="cite-box" data-ed="" markdown="1">\n'
            f'<summary>이 글 인용하기 <span lang="en">(Cite this source)</span></summary>\n\n'
            + "\n".join(entries) + "\n\n"
            f'내려받기 <span lang="en">(download)</span>: {downloads}\n{{: .cite-files }}\n\n'
            '문단을 인용하려면 문단 번호 옆의 ❝ 단추를 누른다. 고른 양식의 인용과 그 문단의 고유 주소가 복사된다. '
            '문단 번호는 이 판의 번호이므로 주소도 이 판을 가리킨다. '
            '<span lang="en">(To cite a paragraph, use the ❝ button beside its number: it copies a citation in '
            'the chosen style with the paragraph\'s number and permalink.)</span>\n{: .cite-hint }\n\n'
            f'<div class="cite-data" hidden data-url="{e(href)}"></div>\n\n'
            '</details>')
