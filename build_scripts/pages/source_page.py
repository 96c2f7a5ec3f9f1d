"""Page assembly: a cleaned source and what the apparatus gathered about it -> its page.

A source page is written once, at the end, from data:

    render_parts(src, cleaned, cite_links) -> PageParts   (the source's own text; cached)
    assemble(parts, extras)                -> the page's Markdown

`PageExtras` holds what other parts of the edition say about the source: its Cite box
(citations), the positions it takes and, per paragraph, the issue pages that quote it
(issues). Nothing edits a rendered page afterwards: each of these has its own place in
the page, and `assemble` only joins the parts.
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field

from build_scripts.cleaning.corpus import LANGUAGES, Source
from build_scripts.cleaning.pipeline import Cleaned
from build_scripts.cleaning.structure import in_reference_list
from build_scripts.pages.render import (ED, FOOTNOTES_HERE, citable_pieces, front_matter, missing_notes,
                                        notes_missing_statement, plain_text, render_block, render_notes)
from build_scripts.cleaning.ledger import ACTIONS

TYPE_NAMES = {
    "op-ed": "기고문 (op-ed)", "issue-brief": "이슈브리프 (issue brief)",
    "policy-paper": "정책 보고서 (policy paper)", "journal-article": "학술 논문 (journal article)",
    "report": "보고서 (report)", "book-chapter": "단행본 장 (book chapter)", "other": "기타",
}


# --- the page --------------------------------------------------------------------------

def page_title(meta: dict) -> str:
    """The page's title as text (the sidebar, lists, exports); escaped where it lands."""
    if meta.get("title"):
        return meta["title"]
    return f"{meta.get('title_supplied', '제목 미상')} (편집자 제목)"


def _mark(meta: dict, key: str) -> str:
    why = (meta.get("inferred") or {}).get(key)
    if why:
        return f' <span class="mark-inferred" title="{html.escape(why)}">추정 (inferred: {html.escape(why)})</span>'
    return ""


UNKNOWN = '<span class="unknown">미상 (unknown)</span>'


def header_html(src: Source) -> str:
    m = src.meta
    e = lambda s: html.escape(str(s))  # noqa: E731
    rows = []

    def row(label, value):
        rows.append(f"<dt>{label}</dt><dd>{value}</dd>")
    lang = m["language"]
    if m.get("title"):
        row("원제 (title)", f'<span lang="{lang}">{e(m["title"])}</span>{_mark(m, "title")}')
    else:
        row("원제 (title)", UNKNOWN + (f' — 위 제목은 편집자가 붙인 것입니다 (title supplied by the editors: '
                                      f'<span lang="{lang}">{e(m["title_supplied"])}</span>)' if m.get("title_supplied") else ""))
    # Keys and list items are the contributor's text too: escaped like the values.
    for k, v in (m.get("title_published") or {}).items():
        row(f"{e(LANGUAGES.get(k, k))} 제목 (as published)", f'<span lang="{e(k)}">{e(v)}</span>')
    for k, v in (m.get("title_translated") or {}).items():
        row(f"{e(LANGUAGES.get(k, k))} 제목 (editors' translation)",
            f'<span lang="{e(k)}">{e(v)}</span> <span class="mark-ed">편집자 번역</span>')
    if m["authors"]:
        people = []
        for a in m["authors"]:
            names = [a["name"]] + [a[k] for k in ("name_zh", "name_ko", "name_en") if a.get(k)]
            s = e(names[0]) + (f" ({e(', '.join(names[1:]))})" if len(names) > 1 else "")
            aff = "; ".join(e(a[k]) for k in ("affiliation", "affiliation_en") if a.get(k))
            people.append(s + (f' — <span class="affiliation">{aff}</span>' if aff else ""))
        row("저자 (authors)", "<br>".join(people) + _mark(m, "authors"))
    else:
        aff = m.get("affiliation_inferred")
        row("저자 (authors)", UNKNOWN + (f" — 소속 추정: {e(aff)}{_mark(m, 'affiliation_inferred')}" if aff else ""))
    if m.get("type"):
        row("유형 (type)", TYPE_NAMES[m["type"]])
    if m.get("venue"):
        venue = e(m["venue"])
        vi = ""
        if m.get("volume"):
            vi += f" {e(m['volume'])}"
        if m.get("issue"):
            vi += f"({e(m['issue'])})"
        if m.get("pages"):
            vi += f", {e(m['pages']).replace('-', '–')}"
        row("게재 (venue)", f"<i>{venue}</i>{vi}{_mark(m, 'venue')}")
    for key, label in (("publisher", "발행처 (publisher)"), ("series", "총서 (series)"), ("number", "번호 (number)")):
        if m.get(key):
            row(label, e(m[key]) + _mark(m, key))
        elif key in m.get("unknown", []):
            row(label, UNKNOWN)
    dates = m.get("dates") or {}
    extra = ", ".join(f"{e({'received': '접수', 'accepted': '게재 확정', 'published': '발행'}.get(k, k))} {e(v)}"
                      for k, v in dates.items())
    row("날짜 (date)", e(m["date"]) + (f" ({extra})" if extra else "") + _mark(m, "date"))
    langs = m.get("languages") or [lang]
    row("언어 (language)", ", ".join(f"{e(LANGUAGES.get(x, x))} ({e(x)})" for x in langs))
    if m.get("doi"):
        d = e(m["doi"])
        row("DOI", f'<a href="https://doi.org/{d}">{d}</a>')
    if m.get("url"):
        row("원문 (original URL)", f'<a href="{e(m["url"])}">{e(m["url"])}</a>')
    elif "url" in m.get("unknown", []):
        row("원문 (original URL)", UNKNOWN)
    for r in m.get("related_urls") or []:
        if isinstance(r, dict) and r.get("url"):
            row(e(r.get("label", "관련 자료")), f'<a href="{e(r["url"])}">{e(r["url"])}</a>')
    if m.get("notes"):
        row("편집자 주 (editors' note)", e(m["notes"]))
    return f'<div class="source-header" {ED}>\n<dl>\n' + "\n".join(rows) + "\n</dl>\n</div>"


def ledger_html(cleaned: Cleaned) -> str:
    e = lambda s: html.escape(str(s), quote=False)  # noqa: E731
    rows = []
    for en in sorted(cleaned.ledger.entries, key=lambda x: x.line):
        text = en.text.strip()
        shown = f"<code>{e(text[:80])}{'…' if len(text) > 80 else ''}</code>" if text else ""
        rows.append(f"<tr><td>{en.line}</td><td>{ACTIONS.get(en.action, en.action)}</td>"
                    f"<td>{shown}</td><td>{e(en.reason)}</td></tr>")
    st = cleaned.stats
    # Only what there is: "문단 10개를 복원했다", not "문단 10개와 제목 0개, 각주 0개".
    made = [f"{what} {st[key]}개" for what, key in (("문단", "paragraphs"), ("제목", "headings"), ("각주", "notes"))
            if st[key]]
    summary = f"원문 추출본 {st['lines']}줄"
    if made:
        joined = f"줄바꿈 {st['wrap_joins']}곳을 이어 붙여 " if st["wrap_joins"] else ""
        listed = made[0] if len(made) == 1 else ", ".join(made[:-1]) + "와 " + made[-1]
        summary += f"에서 {joined}{listed}를 복원했다. "
    else:
        summary += ". "
    if not rows:
        summary += ("지우거나 옮긴 글자 없이 원문의 모든 글자와 숫자가 이 쪽에 실려 있다 (빌드할 때마다 검사한다; "
                    "nothing removed or moved).")
        return f'<div class="ledger" {ED}>\n<p>{e(summary)}</p>\n</div>'
    summary += ("원문의 모든 글자와 숫자는 이 쪽에 실리거나, 아래 표에 무엇을 왜 지우거나 옮겼는지 기록되어 있다 "
                "(빌드할 때마다 검사한다).")
    return (f'<div class="ledger" {ED}>\n<p>{e(summary)}</p>\n<details>\n<summary>처리 기록 {len(rows)}건 '
            f'(줄 번호는 원문 추출본의 줄)</summary>\n<table>\n<thead><tr><th>줄</th><th>처리</th><th>원문</th>'
            f'<th>이유</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>\n</details>\n</div>")


@dataclass
class PageParts:
    """A source page without the apparatus. `body` is its blocks in reading order, each a
    list of [anchor, before, after] pieces: one per citable paragraph (a list has one per
    item), or one with no anchor for any other block. A paragraph's issue backlinks go
    between `before` (its number and text) and `after` (its attribute line)."""
    title: str                         # as text (front matter)
    slug: str
    head: str                          # the title and the source header
    body: list[list[list[str]]]
    tail: str                          # the footnotes' place, the ledger, the notes

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> "PageParts | None":
        """The parts from a cache file, or None when it is not of this shape."""
        def piece(x):
            return isinstance(x, list) and len(x) == 3 and all(isinstance(y, str) for y in x)
        if not (isinstance(data, dict) and set(data) == {"title", "slug", "head", "body", "tail"}
                and all(isinstance(data[k], str) for k in ("title", "slug", "head", "tail"))
                and isinstance(data["body"], list)
                and all(isinstance(b, list) and b and all(piece(x) for x in b) for b in data["body"])):
            return None
        return cls(data["title"], data["slug"], data["head"], data["body"], data["tail"])


@dataclass
class PageExtras:
    """What the rest of the edition says about one source page."""
    cite_box: str = ""                 # HTML (citations: cite.cite_box)
    positions: str = ""                # Markdown (apparatus.source_extras)
    backlinks: dict[str, str] = field(default_factory=dict)   # paragraph anchor -> Markdown
    # <meta name content> pairs for the page's <head> (cite.meta_tags): the theme's
    # override (build_scripts/engines/theme/main.html) writes them from the front matter.
    meta: list[tuple[str, str]] = field(default_factory=list)
    # The page's own description (<meta name="description">, link previews): the source's
    # abstract, else its opening sentences (cite.summary).
    description: str = ""


def render_parts(src: Source, cleaned: Cleaned, cite_links: dict | None = None) -> PageParts:
    """The page's own parts, from the source alone. cite_links: paragraph anchor ->
    [(text, entry anchor, title)], the author-date citations of the running text that have
    an entry in the source's own reference list (works_cited.in_text_links)."""
    md = src.format == "markdown"
    h1 = html.escape(src.meta.get("title") or src.meta.get("title_supplied") or "제목 미상", quote=False)
    # The badge's parentheses are in the text, only hidden on screen: a title copied, read
    # without styles, or shown as a search result reads "… (편집자 제목)", not "… 편집자 제목".
    badge = ("" if src.meta.get("title") else
             f' <span class="ed-title-mark" {ED}><span class="paren">(</span>편집자 제목<span class="paren">)</span></span>')
    head = f'<h1 lang="{src.meta["language"]}">{h1}{badge}</h1>\n\n{header_html(src)}'
    body: list[list[list[str]]] = []
    missing = missing_notes(cleaned.notes)
    section = ""
    shown = [b for b in cleaned.blocks if b.kind not in ("note", "notebody", "furniture", "rule")]
    for k, b in enumerate(shown):
        if b.kind == "heading":
            section = plain_text(b.text, md)
        prev = shown[k - 1] if k else None
        if (b.kind == "pubnote" and prev is not None and prev.kind == "pubnote"
                and (prev.label, prev.moved) == (b.label, b.moved)):
            # One box for consecutive notes of one kind (a date line and a copyright line).
            inner = render_block(b, md, missing).split("\n\n", 1)[1]
            last = body[-1][0]
            last[1] = last[1].rsplit("</div>", 1)[0] + inner.rsplit("</div>", 1)[0] + "</div>"
            continue
        if b.kind in ("para", "list"):
            body.append([list(x) for x in citable_pieces(b, md, cite_links, missing,
                                                         reference=in_reference_list(section))])
        else:
            body.append([["", render_block(b, md, missing), ""]])
    tail = []
    if len(missing) < len(cleaned.notes):  # without notes the extension would leave the marker text in the page
        tail += [FOOTNOTES_HERE, ""]
    if missing:
        tail += [notes_missing_statement(cleaned.notes), ""]
    tail += ['## 편집 기록 <span lang="en">(Editorial notes)</span> {: #editorial-notes data-ed="1" }', "",
             ledger_html(cleaned), "", render_notes(cleaned.notes, md), ""]
    return PageParts(page_title(src.meta), src.slug, head, body, "\n".join(tail))


def assemble(parts: PageParts, extras: PageExtras | None = None) -> str:
    """The page's Markdown: the parts, with the Cite box and the positions under the
    header and each paragraph's issue backlinks after its text."""
    x = extras or PageExtras()
    meta = {"head_meta": [[k, v] for k, v in x.meta]} if x.meta else {}
    if x.description:
        meta["description"] = x.description
    out = [front_matter(parts.title, source_slug=parts.slug, **meta), "", parts.head, "", x.cite_box, "",
           x.positions, ""]
    for block in parts.body:
        out.append("\n".join(before + (x.backlinks.get(anchor, "") if anchor else "") + after
                              for anchor, before, after in block))
        out.append("")
    out.append(parts.tail)
    return "\n".join(out)
