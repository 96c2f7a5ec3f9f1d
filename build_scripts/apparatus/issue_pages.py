"""Stage 9: issues -> the issue pages (positions side by side, the author's words quoted
with links to the paragraph, every mention of the issue's terms) and the issues index
with its authors x issues matrix.

Every link to a paragraph is a Markdown link to `sources/<slug>.md#<anchor>`, so MkDocs
itself checks that it lands (`validation.anchors`, and `--strict` in CI).
"""
from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field

from build_scripts.apparatus.author_pages import Author, authors_of
from build_scripts.apparatus.issues import RELATIONS, Issue, Position, Quote, find_terms
from build_scripts.apparatus.markup import (NO_POSITION, cell, esc, nobr, position_anchor, src_link,
                                            short_citation_md, stance_label, stance_legend, venue_short, year)
from build_scripts.cleaning.corpus import Source, reading_order
from build_scripts.cleaning.structure import in_reference_list
from build_scripts.citations.cite import summary
from build_scripts.pages.render import attr, front_matter
from build_scripts.pages.source_page import page_title

SNIPPET_BEFORE, SNIPPET_AFTER = 40, 80


def _para_link(slug: str, para: dict, prefix: str = "../") -> str:
    return f"{prefix}sources/{slug}.md#{para['anchor']}"


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
    positions = sorted(issue.positions, key=lambda p: reading_order(by_slug[p.slug]))
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
        link = src_link(src)
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
    for src in sorted(by_slug.values(), key=reading_order):
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
    srcs = sorted(sources, key=reading_order)
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


