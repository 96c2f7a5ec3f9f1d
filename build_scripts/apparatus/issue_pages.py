"""Stage 9: issues -> issue pages, the author x issue matrix, author pages, the glossary
page, backlinks on the source pages, and the positions export (CSV, JSON).

Every link to a paragraph is a Markdown link to `sources/<slug>.md#<anchor>`, so MkDocs
itself checks that it lands (`validation.anchors`, and `--strict` in CI).
Attribution follows the metadata exactly: a source without a known author is cited by
its venue and date with "author unknown", never by a name.
"""
from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
from dataclasses import dataclass, field

from build_scripts.cleaning import corpus
from build_scripts.cleaning.corpus import Source
from build_scripts.cleaning.structure import in_reference_list
from build_scripts.apparatus.glossary import Entry
from build_scripts.apparatus.glossary_markdown import abbr_pattern
from build_scripts.apparatus.issues import (NO_STANCE_LABEL, RELATIONS, STANCE_DEFINITIONS, STANCES, Issue, Position, Quote,
                     find_terms)
from build_scripts.citations.cite import summary
from build_scripts.pages.render import attr, escape_plain, front_matter
from build_scripts.pages.source_page import page_title

SNIPPET_BEFORE, SNIPPET_AFTER = 40, 80


def esc(s) -> str:
    """Editors' text inside Markdown: shown as written."""
    return escape_plain(str(s))


def cell(s) -> str:
    """Text in a Markdown table cell. escape_plain escapes "|" already: a second backslash
    would escape the backslash, and the "|" would end the cell.

    >>> cell("a | b")
    'a \\\\| b'
    """
    return esc(s)


def year(src: Source) -> str:
    return src.meta["date"][:4]


def venue_short(src: Source) -> str:
    v = src.meta.get("venue") or src.meta.get("publisher") or "출처 미상"
    return v.split(" (")[0]


def credit(src: Source) -> str:
    """Who wrote it, as the reader should cite it: names, or venue and "author unknown".

    The op-eds' authors are unknown; they are credited to their venue, never to a name."""
    if src.meta["authors"]:
        return "·".join(a["name"] for a in src.meta["authors"])
    kind = "기고" if src.meta.get("type") == "op-ed" else "게재"
    return f"{venue_short(src)} {kind} (저자 미상)"


def short_citation(src: Source) -> str:
    """`양욱 2024` or `디지털타임스 기고 (저자 미상), 2019-01-27`."""
    if src.meta["authors"]:
        return f"{credit(src)} {year(src)}"
    return f"{credit(src)}, {src.meta['date']}"


def nobr(text: str) -> str:
    """HTML text kept on one line: a date, which a browser would otherwise break after a
    hyphen ("2019-01-" / "27") in a narrow column or at the end of a heading.

    >>> nobr("2019-01-27")
    '<span class="nobr">2019-01-27</span>'
    """
    return f'<span class="nobr">{html.escape(text)}</span>'


def short_citation_md(src: Source) -> str:
    """short_citation as Markdown (or HTML) text, its date kept whole."""
    if src.meta["authors"]:
        return esc(short_citation(src))
    return f"{esc(credit(src))}, {nobr(src.meta['date'])}"


# --- authors ---------------------------------------------------------------------------

@dataclass
class Author:
    id: str
    name: str
    names: list[str]
    affiliation: str
    sources: list[Source] = field(default_factory=list)
    unattributed: bool = False


def _ascii_slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def author_id(a: dict, src: Source, i: int) -> str:
    """An explicit `id`, else the romanised name, else the source and position; checked
    (pattern, reserved names, one person per id) by corpus.check_authors when loading."""
    return corpus.author_id(a, src.slug, i)


def collect_authors(sources: list[Source]) -> dict[str, Author]:
    """One entry per person (one person may write several sources), and one per source
    whose author is unknown: those are never merged, since nobody knows they are one."""
    out: dict[str, Author] = {}
    for src in sorted(sources, key=lambda s: (s.meta["date"], s.slug)):
        if not src.meta["authors"]:
            aid = f"unattributed-{src.slug}"
            out[aid] = Author(aid, f"{venue_short(src)} {src.meta['date']} (저자 미상)", [], "", [src], True)
            continue
        for i, a in enumerate(src.meta["authors"]):
            aid = author_id(a, src, i)
            if aid not in out:
                names = [a["name"]] + [a[k] for k in ("name_en", "name_zh", "name_ko") if a.get(k)]
                aff = " / ".join(a[k] for k in ("affiliation", "affiliation_en") if a.get(k))
                out[aid] = Author(aid, a["name"], names, aff)
            out[aid].sources.append(src)
    return out


def authors_of(src: Source, authors: dict[str, Author]) -> list[Author]:
    return [a for a in authors.values() if src in a.sources]


# --- the site's URLs (for the export) -------------------------------------------------

def page_url(path: str, use_directory_urls: bool, site_url: str | None) -> str:
    """`sources/x.md` -> its URL, absolute when the site's URL is configured.

    >>> page_url("sources/x.md", True, "https://ed.example.org/"), page_url("sources/x.md", False, None)
    ('https://ed.example.org/sources/x/', 'sources/x.html')
    """
    stem = path[:-3]
    rel = (stem + "/") if use_directory_urls else (stem + ".html")
    if stem.endswith("/index") or stem == "index":
        rel = stem[:-5] if use_directory_urls else stem + ".html"
    return (site_url.rstrip("/") + "/" + rel) if site_url else rel


# --- the pages ---------------------------------------------------------------------------

@dataclass
class Generated:
    pages: dict[str, str]          # docs-relative path -> Markdown
    files: dict[str, str]          # docs-relative path -> other content (CSV, JSON)


def stance_label(code: str | None, note: str = "") -> str:
    """The stance as a small badge: the Korean label, its definition on hover; a position
    without a code carries the editors' reason (its stance_note) there too.

    >>> stance_label("supports")
    '<span class="stance stance-supports" title="저자가 질문에 &#39;그렇다&#39;고 답한다.">찬성</span>'
    >>> stance_label(None, "핵무장을 논하지 않는다.")
    '<span class="stance stance-none" title="저자가 질문을 다루지만 맞는 코드가 없다. 그 까닭은 편집자의 입장 분류 근거에 적는다. — 입장 분류 근거&#58; 핵무장을 논하지 않는다.">입장 코드 없음</span>'
    """
    title = STANCE_DEFINITIONS[code]
    if not code and note:
        title += f" — 입장 분류 근거: {note}"
    label = STANCES[code][0] if code else NO_STANCE_LABEL
    return f'<span class="stance stance-{code or "none"}" title="{attr(title)}">{label}</span>'


NO_POSITION_NOTE = "이 원문의 입장이 이 쟁점에 정리되지 않았다 (언급은 그 쟁점 쪽의 '모든 언급'에 있다)."
# A matrix cell with no position: a dash for the eye, the words for a screen reader.
NO_POSITION_LABEL = "입장 정리 안 됨"
NO_POSITION = (f'<span class="no-position" title="{NO_POSITION_LABEL}"><span aria-hidden="true">–</span>'
               f'<span class="sr-only">{NO_POSITION_LABEL}</span></span>')


def stance_legend(no_position: bool = False) -> str:
    """What the badges mean, beside them on every page that shows them (issue pages, the
    matrix, author pages, the positions box of source pages): one list, so they never
    drift apart. `no_position` adds the matrix's empty cell.

    >>> print(stance_legend(True).splitlines()[2])
    <dt><span class="stance stance-supports">찬성</span> <span lang="en">supports</span></dt><dd>저자가 질문에 &#x27;그렇다&#x27;고 답한다.</dd>
    """
    rows = [f'<dt><span class="stance stance-{code}">{ko}</span> <span lang="en">{en}</span></dt>'
            f"<dd>{html.escape(STANCE_DEFINITIONS[code])}</dd>" for code, (ko, en) in STANCES.items()]
    rows.append(f'<dt><span class="stance stance-none">{NO_STANCE_LABEL}</span></dt>'
                f"<dd>{html.escape(STANCE_DEFINITIONS[None])}</dd>")
    if no_position:
        rows.append(f'<dt><span class="no-position"><span aria-hidden="true">–</span></span> {NO_POSITION_LABEL}</dt>'
                    f"<dd>{html.escape(NO_POSITION_NOTE)}</dd>")
    return "\n".join(['<dl class="stance-legend" data-ed="">',
                      '<dt class="stance-legend-title">입장 분류 <span lang="en">(stance codes)</span></dt>'
                      "<dd>각 쟁점의 질문에 대한 저자의 답</dd>", *rows, "</dl>"])


def _src_link(src: Source, prefix: str = "../") -> str:
    return f"[{esc(page_title(src.meta))}]({prefix}sources/{src.slug}.md)"


def _para_link(slug: str, para: dict, prefix: str = "../") -> str:
    return f"{prefix}sources/{slug}.md#{para['anchor']}"


def position_anchor(slug: str) -> str:
    return f"pos-{slug}"


@dataclass
class IssueCite:
    """How an issue page is cited (citations.cite): its Cite box (HTML) and the <meta>
    tags of its <head>, which the theme writes from the front matter."""
    box: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)


def issue_description(issue: Issue) -> str:
    """The page's description (<meta name="description">, link previews): its question,
    then the editors' description as far as it fits.

    >>> from types import SimpleNamespace as N
    >>> issue_description(N(question={"ko": "받아들여야 하는가?"}, description="첫 문장이다. 둘째 문장이다."))
    '받아들여야 하는가? 첫 문장이다. 둘째 문장이다.'
    """
    return summary(f"{issue.question['ko']} {issue.description}")


def render_issue(issue: Issue, by_slug: dict[str, Source], paragraphs: dict[str, list[dict]],
                 issues_by_id: dict[str, Issue], authors: dict[str, Author], cite: IssueCite | None = None) -> str:
    n = issue.names
    cite = cite or IssueCite()
    positions = sorted(issue.positions, key=lambda p: (by_slug[p.slug].meta["date"], p.slug))
    meta = {"head_meta": [[k, v] for k, v in cite.meta]} if cite.meta else {}
    out = [front_matter(n["ko"], issue_id=issue.id, updated=issue.updated, description=issue_description(issue), **meta),
           "", f"# {esc(n['ko'])}", "",
           f'<p class="issue-names" data-ed=""><span lang="en">{html.escape(n["en"])}</span> · '
           f'<span lang="zh">{html.escape(n["zh"])}</span></p>', "",
           '<div class="issue-question" data-ed="" markdown="1">', "",
           f"**질문:** {esc(issue.question['ko'])}  ",
           f'<span lang="en">*{esc(issue.question["en"])}*</span>', "", "</div>", ""]
    if cite.box:
        out += [cite.box, ""]
    out += [esc(issue.description), "",
           "## 한눈에 보기 <span lang=\"en\">(At a glance)</span> {: #at-a-glance }", "",
           # The wrapper lets a phone show each row as a card (edition.css) instead of a
           # table five columns wide.
           '<div class="glance" markdown="1">', "",
           "| 원문 | 저자 | 날짜 | 입장 | 요지 |", "|---|---|---|---|---|"]
    for p in positions:
        src = by_slug[p.slug]
        who = ", ".join(f"[{cell(a.name)}](../authors/{a.id}.md)" for a in authors_of(src, authors))
        link = _src_link(src)
        out.append(f"| {link} | {who} | {nobr(src.meta['date'])} | "
                   f"[{stance_label(p.stance, p.stance_note)}](#{position_anchor(p.slug)}) | {cell(p.summary)} |")
    out += ["", "</div>", "", stance_legend(), "", "## 입장 <span lang=\"en\">(Positions)</span> {: #positions }", ""]
    for p in positions:
        out += _render_position(p, by_slug, positions)
    if issue.related:
        out += ["## 관련 쟁점 <span lang=\"en\">(Related issues)</span> {: #related .no-index }", ""]
        for r in issue.related:
            ri = issues_by_id[r]
            out.append(f"- [{esc(ri.names['ko'])}]({r}.md) <span lang=\"en\">({esc(ri.names['en'])})</span>")
        out.append("")
    out += _render_mentions(issue, by_slug, paragraphs)
    return "\n".join(out)


def _render_position(p: Position, by_slug: dict[str, Source], positions: list[Position]) -> list[str]:
    src = by_slug[p.slug]
    # Without a code, the reason stands beside the badge; with one, under the position.
    why = (f' <span class="stance-note">입장 분류 근거: {html.escape(p.stance_note)}</span>'
           if p.stance_note and not p.stance else "")
    out = [f"### {short_citation_md(src)} {{: #{position_anchor(p.slug)} }}", "",
           f'<p class="position-meta" data-ed="">{_html_src_line(src)} · '
           f"{stance_label(p.stance, p.stance_note)}{why}</p>", "",
           esc(p.summary), "",
           f"*{esc(p.gloss)}*", "{: lang=\"en\" .gloss }", ""]
    for q in p.quotes:
        lang = q.paragraph["lang"] or src.meta["language"]
        out += [f"> {_quote_line(q)}", f"> {{: lang=\"{lang}\" }}", ">",
                f"> — [{short_citation_md(src)}, 문단 {q.paragraph['number']}]({_para_link(p.slug, q.paragraph)})",
                "> {: .quote-source data-ed=\"\" }", "", *quote_context(q, lang)]
    if p.editors_note:
        out += [f'<p class="editors-note" data-ed=""><span class="ed-label">편집자 해석</span> '
                f"{html.escape(p.editors_note)}</p>", ""]
    if p.stance_note and p.stance:
        out += [f'<p class="stance-note" data-ed=""><span class="ed-label">입장 분류 근거:</span> '
                f"{html.escape(p.stance_note)}</p>", ""]
    if p.relations:
        rel = []
        for r in p.relations:
            other = by_slug[r.target]
            ko, en = RELATIONS[r.type]
            note = f": {esc(r.note)}" if r.note else ""
            rel.append(f"- {ko} <span lang=\"en\">({en})</span> → "
                       f"[{short_citation_md(other)}](#{position_anchor(r.target)}){note}")
        out += ['<div class="relations" data-ed="" markdown="1">', "", *rel, "", "</div>", ""]
    return out


def _cut(why: str) -> str:
    """The editors' mark in a quote: "…" where the author's sentence goes on, why on hover."""
    return f'<span class="cut" data-ed="" title="{attr(why)}">…</span>'


CUT_BEFORE = _cut("문장의 앞부분을 줄임 (the sentence begins before the quote)")
CUT_AFTER = _cut("문장의 뒷부분을 줄임 (the sentence goes on after the quote)")


def _quote_line(q: Quote) -> str:
    """The quote as shown: the author's words, with "…" where it starts or stops inside a
    sentence (the build finds the cuts in the paragraph; the issue file holds only the
    words) and " […] " where the editors elided."""
    return (CUT_BEFORE + " " if q.cut_before else "") + esc(q.text) + (" " + CUT_AFTER if q.cut_after else "")


def quote_context(q: Quote, lang: str) -> list[str]:
    """The quoted paragraph whole, one step away: a native <details> (it opens without
    script), the quoted words marked. The search index skips it (class quote-context):
    a search should land on the paragraph on its own page.

    >>> para = {"number": 3, "text": "앞 <b>말</b>. 인용할 말이다. 뒤", "anchor": "p-1"}
    >>> print("\\n".join(quote_context(Quote(para, "인용할 말이다.", [(12, 20)]), "ko")))
    <details class="quote-context">
    <summary data-ed="">문단 3 전체 보기</summary>
    <p lang="ko">앞 &lt;b&gt;말&lt;/b&gt;. <mark>인용할 말이다.</mark> 뒤</p>
    </details>
    <BLANKLINE>
    """
    text, at, parts = q.paragraph["text"], 0, []
    for a, z in q.spans:
        parts += [html.escape(text[at:a]), f"<mark>{html.escape(text[a:z])}</mark>"]
        at = z
    parts.append(html.escape(text[at:]))
    return ['<details class="quote-context">',
            f'<summary data-ed="">문단 {q.paragraph["number"]} 전체 보기</summary>',
            f'<p lang="{lang}">{"".join(parts)}</p>', "</details>", ""]


def _html_src_line(src: Source) -> str:
    t = html.escape(page_title(src.meta))
    return f'<span lang="{src.meta["language"]}">{t}</span>, {nobr(src.meta["date"])}'


def snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """A window of text around the first match, every match in it marked.

    >>> snippet("가" * 50 + "분담금" + "나" * 100, [(50, 53)])[:12]
    '…가가가가가가가가가가가'
    >>> "<mark>분담금</mark>" in snippet("가" * 50 + "분담금", [(50, 53)])
    True
    """
    a0 = max(0, spans[0][0] - SNIPPET_BEFORE)
    z0 = min(len(text), spans[0][1] + SNIPPET_AFTER)
    out, at = [], a0
    for a, z in spans:
        if a < a0 or z > z0:
            continue
        out.append(esc(text[at:a]))
        out.append(f"<mark>{esc(text[a:z])}</mark>")
        at = z
    out.append(esc(text[at:z0]))
    return ("…" if a0 > 0 else "") + "".join(out) + ("…" if z0 < len(text) else "")


def mentions(issue: Issue, paragraphs: list[dict]) -> list[tuple[dict, list[tuple[int, int]]]]:
    terms = [t for lang in issue.terms for t in issue.terms[lang]]
    out = []
    for p in paragraphs:
        spans = find_terms(p["text"], terms)
        if spans:
            out.append((p, spans))
    return out


def _render_mentions(issue: Issue, by_slug: dict[str, Source], paragraphs: dict[str, list[dict]]) -> list[str]:
    terms = " · ".join(f"{t}" for lang in ("ko", "zh", "en") for t in issue.terms[lang])
    body, total, nsrc = [], 0, 0
    for src in sorted(by_slug.values(), key=lambda s: (s.meta["date"], s.slug)):
        # A reference list's entries are left out: a cited title that names the issue is
        # not the author saying anything on it.
        found = mentions(issue, [p for p in paragraphs[src.slug] if not in_reference_list(p["section"])])
        if not found:
            continue
        nsrc += 1
        total += len(found)
        body += [f'<p class="mentions-source" data-ed=""><strong>{short_citation_md(src)}</strong> — '
                 f"{_html_src_line(src)} (문단 {len(found)}개)</p>", ""]
        for p, spans in found:
            sec = f" · {esc(p['section'])}" if p["section"] else ""
            body.append(f"- [문단 {p['number']}]({_para_link(src.slug, p)}){sec}: "
                        f"<span lang=\"{p['lang'] or src.meta['language']}\">{snippet(p['text'], spans)}</span>")
        body.append("")
    head = ["## 모든 언급 <span lang=\"en\">(All mentions)</span> {: #mentions .no-index }", "",
            f"검색어 <span class=\"terms\">{esc(terms)}</span> 가운데 하나라도 나오는 문단 {total}개 "
            f"(원문 {nsrc}편). 띄어쓰기와 대소문자는 가리지 않는다.", ""]
    return head + (body or ["이 검색어가 나오는 문단이 없다.", ""])


def render_issues_index(issues: list[Issue], sources: list[Source], authors: dict[str, Author]) -> str:
    srcs = sorted(sources, key=lambda s: (s.meta["date"], s.slug))
    n_pos = sum(len(i.positions) for i in issues)
    n_q = sum(len(p.quotes) for i in issues for p in i.positions)
    out = [front_matter("쟁점", description=f"정책 쟁점 {len(issues)}개에 대한 원문 {len(srcs)}편의 입장과 인용문, 저자 × 쟁점 표."), "", "# 쟁점 <span lang=\"en\">(Issues)</span>", "",
           f"정책 쟁점 {len(issues)}개에 대해 원문들이 취하는 입장 {n_pos}개를 인용문 {n_q}개와 함께 모았다. "
           "각 쟁점 쪽은 입장마다 요지와 저자의 원문 그대로의 인용을 싣고, 인용마다 그 문단으로 가는 링크를 단다. "
           "요지와 입장 분류는 편집자가 쓴 것이고, 인용문은 빌드할 때마다 원문과 대조한다.", "",
           "입장 분류는 각 쟁점의 질문에 대한 저자의 답이다 (아래 표 밑의 범례).", "",
           "내려받기: [CSV](positions.csv) · [JSON](positions.json) (쟁점, 원문, 저자, 날짜, 입장, 인용문, 문단 주소)", "",
           "## 저자 × 쟁점 <span lang=\"en\">(Authors × issues)</span> {: #matrix }", "",
           "한 줄이 원문 한 편, 한 칸이 한 쟁점이다. 원문은 해마다 묶여 날짜순으로 있고, 저자와 연도로 거를 수 있다 "
           "(저자마다의 입장은 [저자 쪽](../authors/index.md)에도 있다). 쟁점 이름은 줄인 것이며, 온전한 이름은 "
           "표 아래 [쟁점 목록](#list)에 있다.", "",
           *_matrix(issues, srcs, authors)]
    out += ["", stance_legend(no_position=True), "",
            "## 쟁점 목록 <span lang=\"en\">(All issues)</span> {: #list }", ""]
    for i in issues:
        # Inside an inline tag the text is still Markdown: escaped as such, not as HTML only.
        out.append(f"- **[{esc(i.names['ko'])}]({i.id}.md)** <span lang=\"en\">{esc(i.names['en'])}</span> · "
                   f"<span lang=\"zh\">{esc(i.names['zh'])}</span> — 입장 {len(i.positions)}개")
    out.append("")
    return "\n".join(out)


def _matrix(issues: list[Issue], srcs: list[Source], authors: dict[str, Author]) -> list[str]:
    """The authors × issues matrix: sources are the rows, since they grow to hundreds while
    the issues stay a screen wide, grouped under a heading row per year. HTML (Markdown in
    its cells, md_in_html) for what a Markdown table cannot say: a column header's scope, a
    row header per source, one <tbody> per year headed by a rowgroup header. The wrapper
    holds the sticky headers and the filter (matrix.js reads the rows' data-*)."""
    width = len(issues) + 1
    heads = []
    for i in issues:
        # The column carries the short name, each word kept whole (a browser breaks a Korean
        # word before "·" even under keep-all: "확장억제 / ·NCG"); the whole name on hover
        # and in the list below.
        full = f' title="{attr(i.names["ko"])}"' if i.short_name != i.names["ko"] else ""
        words = " ".join(f'<span class="nobr">{esc(w)}</span>' for w in i.short_name.split())
        heads.append(f'<th scope="col"{full} markdown="span">[{words}]({i.id}.md)</th>')
    out = ['<div class="matrix" markdown="1">', "", '<table markdown="1">',
           '<thead markdown="1"><tr markdown="1"><th scope="col">원문</th>' + "".join(heads) + "</tr></thead>"]
    by_issue = {i.id: {p.slug: p for p in i.positions} for i in issues}
    for y, group in itertools.groupby(srcs, key=year):
        group = list(group)
        out += [f'<tbody markdown="1" data-year="{attr(y)}">',
                f'<tr class="matrix-year"><th scope="rowgroup" colspan="{width}"><span class="matrix-year-label">'
                f'{html.escape(y)}년 <span class="matrix-year-count">원문 {len(group)}편</span></span></th></tr>']
        for s in group:
            people = authors_of(s, authors)
            # An unknown author's page is named by venue and date; the date follows anyway.
            shown = {a.id: f"{venue_short(s)} (저자 미상)" if a.unattributed else a.name for a in people}
            who = " · ".join(f"[{cell(shown[a.id])}](../authors/{a.id}.md)" for a in people)
            names = "|".join(shown[a.id] for a in people)
            cells = []
            for i in issues:
                p = by_issue[i.id].get(s.slug)
                cells.append(f'<td markdown="span">[{stance_label(p.stance, p.stance_note)}]'
                             f"({i.id}.md#{position_anchor(s.slug)})</td>" if p else f"<td>{NO_POSITION}</td>")
            out.append(f'<tr markdown="1" data-authors="{attr(names)}"><th scope="row" markdown="span">{who}<br>'
                       f"[{nobr(s.meta['date'])}](../sources/{s.slug}.md)</th>" + "".join(cells) + "</tr>")
        out.append("</tbody>")
    return out + ["</table>", "", "</div>"]


def render_author(a: Author, issues: list[Issue]) -> str:
    title = a.name
    what = (f"{venue_short(a.sources[0])} {a.sources[0].meta['date']} 기고문(저자 미상)" if a.unattributed
            else f"{a.name}의 원문 {len(a.sources)}편")
    out = [front_matter(title, description=f"{what}과 쟁점별 입장."), "", f"# {esc(title)}", ""]
    if a.unattributed:
        src = a.sources[0]
        out += [f"이 글의 저자는 알려져 있지 않다. {esc(venue_short(src))}에 {src.meta['date']}에 실린 "
                "기고문으로만 인용한다.", ""]
        if src.meta.get("affiliation_inferred"):
            out += [f"본문 끝 주기로 보아 소속은 {esc(src.meta['affiliation_inferred'])}으로 추정되지만, "
                    "이름은 알 수 없다.", ""]
    else:
        if len(a.names) > 1:
            out += [" · ".join(esc(n) for n in a.names), ""]
        if a.affiliation:
            out += [f"소속: {esc(a.affiliation)}", ""]
    out += ["## 원문 <span lang=\"en\">(Sources)</span> {: .no-index }", ""]
    for s in a.sources:
        out.append(f"- {_src_link(s)} — {s.meta['date']}, {esc(venue_short(s))}")
    out += ["", "## 쟁점별 입장 <span lang=\"en\">(Positions)</span> {: .no-index }", ""]
    any_pos = False
    for s in a.sources:
        for i in issues:
            for p in i.positions:
                if p.slug == s.slug:
                    any_pos = True
                    out.append(f"- [{esc(i.names['ko'])}](../issues/{i.id}.md#{position_anchor(s.slug)}) — "
                               f"{stance_label(p.stance, p.stance_note)}: {esc(p.summary)}")
    if not any_pos:
        out.append("아직 쟁점 쪽에 정리된 입장이 없다.")
    else:
        out += ["", stance_legend()]
    out.append("")
    return "\n".join(out)


def render_authors_index(authors: dict[str, Author]) -> str:
    out = [front_matter("저자", description="이 판에 실린 원문의 저자와 저자 미상 기고문 목록."), "", "# 저자 <span lang=\"en\">(Authors)</span>", "",
           "저자가 알려지지 않은 글은 저자 이름 대신 게재처와 날짜로 따로 싣는다.", ""]
    for a in sorted(authors.values(), key=lambda a: (a.unattributed, a.name)):
        srcs = ", ".join(f"{s.meta['date'][:4]}" for s in a.sources)
        out.append(f"- [{esc(a.name)}]({a.id}.md) — 원문 {len(a.sources)}편 ({srcs})")
    out.append("")
    return "\n".join(out)


def render_glossary(entries: list[Entry], sources: list[Source], paragraphs: dict[str, list[dict]]) -> str:
    out = [front_matter("용어집", description="원문에 나오는 약어의 영어·한국어·중국어 풀이와 그 약어가 나오는 원문."), "", "# 용어집 <span lang=\"en\">(Glossary)</span>", "",
           "원문에 나오는 약어를 영어, 한국어, 중국어로 풀었다. 사이트 어디서든 약어에 마우스를 올리면 같은 풀이가 뜬다. "
           "'원문'은 그 약어가 본문에 나오는 글이다.", "",
           # The wrapper lets a phone show each entry as a card (edition.css).
           '<div class="glossary-table" markdown="1">', "",
           "| 약어 | English | 한국어 | 中文 | 원문 |", "|---|---|---|---|---|"]
    srcs = sorted(sources, key=lambda s: (s.meta["date"], s.slug))
    for e in sorted(entries, key=lambda e: e.abbr.lower()):
        rx = abbr_pattern([e.abbr])
        where = [s for s in srcs if any(rx.search(p["text"]) for p in paragraphs[s.slug])]
        # Links to the sources, not the entry's words: not indexed (a search for an author's
        # name should not bring up the glossary).
        links = ", ".join(f"[{short_citation_md(s)}](sources/{s.slug}.md)" for s in where) or "·"
        links = f'<span class="no-index">{links}</span>'
        note = f"<br><small>{cell(e.note)}</small>" if e.note else ""
        out.append(f"| **{cell(e.abbr)}** {{: #{_ascii_slug(e.abbr)} }} | <span lang=\"en\">{cell(e.en)}</span> | "
                   f"{cell(e.ko)}{note} | <span lang=\"zh\">{cell(e.zh)}</span> | {links} |")
    out += ["", "</div>", ""]
    return "\n".join(out)


# --- source pages: backlinks and positions ------------------------------------------

def backlinks_control(anchor: str, links: list[tuple[str, str]]) -> str:
    """The issue pages that quote a paragraph, as one small control at its end: an icon and
    a count that opens the list. A native popover (no script; it sits inside the paragraph's
    <p>, where a <details> may not); a browser without popovers shows the list inline.

    >>> print(backlinks_control("p-1", [("방위비", "../issues/x.md#pos-a")]))  # doctest: +NORMALIZE_WHITESPACE
     <span class="backlinks" data-ed=""><button type="button" class="backlinks-toggle" popovertarget="bl-p-1"><span
     aria-hidden="true">↗</span><span class="sr-only">이 문단을 인용한</span> 쟁점 1개</button><span
     class="backlinks-list" id="bl-p-1" popover="auto"><strong>이 문단을 인용한 쟁점</strong>
     [방위비](../issues/x.md#pos-a)</span></span>
    """
    # One name, the button's own text, said once: "이 문단을 인용한 쟁점 2개", of which
    # "쟁점 2개" is shown (a voice-control user says what is shown). No title: it repeated
    # the name as a description, read a second time.
    items = " · ".join(f"[{text}]({href})" for text, href in links)
    return (f' <span class="backlinks" data-ed=""><button type="button" class="backlinks-toggle" '
            f'popovertarget="bl-{anchor}"><span aria-hidden="true">↗</span>'
            f'<span class="sr-only">이 문단을 인용한</span> 쟁점 {len(links)}개</button>'
            f'<span class="backlinks-list" id="bl-{anchor}" popover="auto">'
            f"<strong>이 문단을 인용한 쟁점</strong> {items}</span></span>")


def source_extras(issues: list[Issue]) -> dict[str, tuple[str, dict[str, str]]]:
    """What the issue pages say about each source, for its page (source_page.PageExtras):
    slug -> (the box of positions it takes, and for each quoted paragraph the issue pages
    that quote it: paragraph anchor -> Markdown put after the paragraph's text)."""
    quoted: dict[str, dict[str, list[Issue]]] = {}
    mine: dict[str, list[tuple[Issue, Position]]] = {}
    for i in issues:
        for p in i.positions:
            mine.setdefault(p.slug, []).append((i, p))
            for q in p.quotes:
                lst = quoted.setdefault(p.slug, {}).setdefault(q.paragraph["anchor"], [])
                if i not in lst:
                    lst.append(i)
    out = {}
    for slug in mine:
        backlinks = {}
        for anchor, lst in quoted.get(slug, {}).items():
            backlinks[anchor] = backlinks_control(anchor, [(esc(i.names["ko"]), f"../issues/{i.id}.md#{position_anchor(slug)}")
                                                           for i in lst])
        items = [f"- [{esc(i.names['ko'])}](../issues/{i.id}.md#{position_anchor(slug)}) — "
                 f"{stance_label(p.stance, p.stance_note)}: {esc(p.summary)}"
                 for i, p in sorted(mine[slug], key=lambda x: x[0].names["ko"])]
        box = ('<div class="source-positions" data-ed="" markdown="1">\n\n'
               "**쟁점 쪽에 실린 이 글의 입장** <span lang=\"en\">(positions in the issue pages)</span>\n\n"
               + "\n".join(items) + "\n\n" + stance_legend() + "\n\n</div>")
        out[slug] = (box, backlinks)
    return out


# --- export -----------------------------------------------------------------------------

# New columns go at the end, so programs reading the columns by place keep working.
EXPORT_FIELDS = ["issue", "issue_name_ko", "issue_name_en", "source", "title", "author", "date", "stance",
                 "summary", "gloss", "quote", "paragraph", "paragraph_number", "paragraph_url",
                 "cut_before", "cut_after", "stance_note", "editors_note"]


def export_records(issues: list[Issue], by_slug: dict[str, Source], url_of) -> list[dict]:
    rows = []
    for i in issues:
        for p in sorted(i.positions, key=lambda p: (by_slug[p.slug].meta["date"], p.slug)):
            src = by_slug[p.slug]
            for q in p.quotes:
                rows.append({
                    "issue": i.id, "issue_name_ko": i.names["ko"], "issue_name_en": i.names["en"],
                    "source": p.slug, "title": page_title(src.meta), "author": credit(src),
                    "date": src.meta["date"], "stance": p.stance or "", "summary": p.summary, "gloss": p.gloss,
                    "quote": q.text, "paragraph": q.paragraph["anchor"], "paragraph_number": q.paragraph["number"],
                    "paragraph_url": url_of(f"sources/{p.slug}.md") + "#" + q.paragraph["anchor"],
                    # `quote` stays the author's words; the marks the page adds are flags.
                    "cut_before": q.cut_before, "cut_after": q.cut_after,
                    "stance_note": p.stance_note, "editors_note": p.editors_note,
                })
    return rows


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...),
# +cmd|..., -2+3, @SUM(...)), or drops the tab or carriage return and reads what follows.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(v):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (CSV injection):
    text starting with = + - @, a tab or a carriage return gets a leading ' (OWASP's advice),
    which spreadsheets hide. Numbers stay numbers; the JSON exports keep the exact text.

    >>> [spreadsheet_cell(x) for x in ["=1+1", "+82", "-2", "@SUM(A1)", "\\t=1", "한미", 3, True]]
    ["'=1+1", "'+82", "'-2", "'@SUM(A1)", "'\\t=1", '한미', 3, 'true']
    """
    if isinstance(v, bool):  # as JSON writes flags (true/false), not Python's True/False
        return str(v).lower()
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def csv_text(header: list[str], rows) -> str:
    """The exports' CSV: a header, every cell through spreadsheet_cell, CRLF line ends, and a
    BOM, so spreadsheet programs read the UTF-8 as UTF-8."""
    return "".join(csv_pieces(header, [rows]))


def csv_pieces(header: list[str], row_groups):
    """csv_text, a group of rows at a time (for a file too large to hold whole).

    >>> list(csv_pieces(["a", "b"], [[["1", "=x"]], [], [["동맹", "y,z"]]]))
    ['\\ufeffa,b\\r\\n', "1,'=x\\r\\n", '', '동맹,"y,z"\\r\\n']
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    yield "\ufeff" + buf.getvalue()
    for rows in row_groups:
        buf.seek(0)
        buf.truncate()
        w.writerows([spreadsheet_cell(v) for v in row] for row in rows)
        yield buf.getvalue()


def export_csv(rows: list[dict]) -> str:
    return csv_text(EXPORT_FIELDS, ([r[k] for k in EXPORT_FIELDS] for r in rows))


def export_json(issues: list[Issue], rows: list[dict]) -> str:
    meta = [{"id": i.id, "names": i.names, "question": i.question, "description": i.description,
             "terms": i.terms, "related": i.related, "updated": i.updated} for i in issues]
    return json.dumps({"issues": meta, "quotes": rows}, ensure_ascii=False, indent=1) + "\n"


def generate(sources: list[Source], paragraphs: dict[str, list[dict]], issues: list[Issue], glossary: list[Entry], url_of,
             citations: dict[str, IssueCite] | None = None) -> Generated:
    """The apparatus' pages and files. citations: issue id -> its Cite box and meta tags
    (none: the pages are made without them)."""
    by_slug = {s.slug: s for s in sources}
    by_id = {i.id: i for i in issues}
    authors = collect_authors(sources)
    pages: dict[str, str] = {}
    # The index pages and the export exist even for a corpus without issue files, so that
    # links to them (from the home page) always land.
    pages["issues/index.md"] = render_issues_index(issues, sources, authors)
    for i in issues:
        pages[f"issues/{i.id}.md"] = render_issue(i, by_slug, paragraphs, by_id, authors, (citations or {}).get(i.id))
    pages["authors/index.md"] = render_authors_index(authors)
    for a in authors.values():
        pages[f"authors/{a.id}.md"] = render_author(a, issues)
    pages["glossary.md"] = render_glossary(glossary, sources, paragraphs)
    rows = export_records(issues, by_slug, url_of)
    files = {"issues/positions.csv": export_csv(rows), "issues/positions.json": export_json(issues, rows)}
    return Generated(pages, files)
