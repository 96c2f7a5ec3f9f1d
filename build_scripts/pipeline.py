"""One source, start to finish: source.txt + meta.yml + corrections.yml -> a Markdown page.

    clean_source(src)  -> Cleaned (blocks, notes, ledger), with the coverage check passed
    render_page(src, cleaned) -> the page's Markdown and what its HTML must carry
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import yaml

from . import corrections as corr
from .clean import collapse_letter_spacing
from .corpus import LANGUAGES, Source
from .fidelity import FromFile, check_order, expected_streams
from .ledger import Ledger, check_coverage
from .notes import TOKEN_RE, Note, link_notes
from .render import ED, FOOTNOTES_HERE, plain_text, render_block, render_notes
from .segment import detect_style, group_lines, mend_page_joins, split_lines
from .structure import Block, assign_languages, classify
from .textmap import MText

TYPE_NAMES = {
    "op-ed": "기고문 (op-ed)", "issue-brief": "이슈브리프 (issue brief)",
    "policy-paper": "정책 보고서 (policy paper)", "journal-article": "학술 논문 (journal article)",
    "report": "보고서 (report)", "book-chapter": "단행본 장 (book chapter)", "other": "기타",
}


@dataclass
class Cleaned:
    blocks: list[Block]
    notes: list[Note]
    ledger: Ledger
    wrapped: bool
    stats: dict = field(default_factory=dict)
    paragraphs: list[dict] = field(default_factory=list)
    anchors: object = None    # anchors.Result: the lock to write and what moved
    note_records: list[dict] = field(default_factory=list)


def clean_source(src: Source) -> Cleaned:
    path = src.rel("source.txt")
    ledger = Ledger()
    line_of = src.line_of
    corr.resolve(src.corrections, src.text)
    lines = split_lines(src.text)
    style = detect_style(lines, src.format == "markdown")
    groups = group_lines(lines, style, corr.reserved_lines(src.corrections))
    groups = mend_page_joins(groups, style)
    blocks = classify(groups, style.markdown)
    _apply_roles(blocks, src, ledger)
    _build_tables(blocks, ledger, line_of)
    notes = link_notes(blocks, ledger, line_of)
    _record_structure(blocks, groups, ledger, line_of)
    assign_languages(blocks)
    anchors = _assign_anchors(blocks, src)
    published = [t for _, t in _body_parts(blocks)] + [t for t in _moved_parts(blocks)] \
        + [n.body for n in notes if n.body is not None]
    check_coverage(src.text, [p for p in published if isinstance(p, MText)], ledger, path)
    check_order([t for _, t in _body_parts(blocks) if isinstance(t, MText)], path, line_of)
    stats = {"lines": len(lines), "wrap_joins": sum(1 for g in groups for _, how in g.joins if how == "wrap"),
             "paragraphs": sum(1 for b in blocks if b.kind == "para"),
             "headings": sum(1 for b in blocks if b.kind == "heading"), "notes": len(notes)}
    cleaned = Cleaned(blocks, notes, ledger, style.wrapped, stats, paragraph_records(blocks, src.format == "markdown"),
                      anchors)
    cleaned.note_records = note_records(blocks, notes, src.format == "markdown")
    return cleaned


def paragraph_records(blocks: list[Block], markdown: bool) -> list[dict]:
    """The citable paragraphs as issue pages use them: anchor, number, the words as a
    reader sees them, language, and the heading of the section they stand in."""
    out, section = [], ""
    for b in blocks:
        if b.moved:
            continue
        if b.kind == "heading":
            section = plain_text(b.text, markdown)
        for it in (b.items if b.kind == "list" else [b] if b.kind == "para" else []):
            out.append({"anchor": it.anchor, "number": it.number, "text": plain_text(it.text, markdown),
                        "lang": it.lang, "section": section, "aliases": list(it.aliases)})
    return out


def note_records(blocks: list[Block], notes: list[Note], markdown: bool) -> list[dict]:
    """The notes as the works-cited page uses them: number, words (None where the
    extraction lacks the note's text), and the paragraph whose text carries the marker."""
    where: dict[int, tuple[str, int]] = {}
    for b in blocks:
        for it in (b.items if b.kind == "list" else [b] if b.kind == "para" else []):
            for m in TOKEN_RE.finditer(it.text.s):
                where.setdefault(int(m.group(1)), (it.anchor, it.number))
    return [{"number": n.number, "text": plain_text(n.body, markdown) if n.body is not None else None,
             "paragraph": where.get(n.number, ("", 0))[0], "paragraph_number": where.get(n.number, ("", 0))[1]}
            for n in notes]


def _apply_roles(blocks: list[Block], src: Source, ledger: Ledger) -> None:
    for c in src.corrections:
        if c.type != "role":
            continue
        a, z = c.lines
        hit = [b for b in blocks if b.first_line <= z and b.last_line >= a and b.kind != "reserved"]
        if not hit:
            from .errors import CorrectionError
            raise CorrectionError(c.path, "anchor matches no block of the text", line=c.line,
                                  expected="text of a paragraph, heading or line", found=f"lines {a}-{z}")
        role = c.data["role"]
        for b in hit:
            text = b.text if b.text is not None else MText.join(it.text for it in b.items)
            old = b.kind
            if role == "heading":
                b.kind, b.level = "heading", int(c.data.get("level", 2))
            elif role == "front":
                b.kind, b.items = "front", [Block("frontline", text=text, first_line=b.first_line)]
            else:
                b.kind = role
                b.text = text
                b.label = c.data.get("label", "publication") if role == "pubnote" else ""
            ledger.note("restructured", text.s[:60], b.first_line,
                        f"{old} → {role}: {c.reason} (corrections.yml:{c.line})")


def _build_tables(blocks: list[Block], ledger: Ledger, line_of) -> None:
    n = 0
    for b in blocks:
        if b.kind != "reserved":
            continue
        c = b.correction
        n += 1
        b.kind, b.anchor = "table", f"table-{n}"
        orig = MText.join([l.text + MText.inserted("\n") for l in b.group.lines])
        ledger.replaced(orig, "(표로 재구성)", f"{c.reason} (corrections.yml:{c.line})", line_of)
        b.parts["text"] = c.table_text()


def _record_structure(blocks: list[Block], groups, ledger: Ledger, line_of) -> None:
    for b in blocks:
        if b.kind == "furniture":
            ledger.removed(b.text.strip(), "쪽 번호 (page number)", line_of)
        elif b.kind == "rule":
            ledger.removed(b.text.strip(), "주석 앞 구분선 (separator before notes)", line_of)
        elif b.kind == "heading" and b.group is not None:
            raw = b.group.text.strip().s
            if collapse_letter_spacing(raw) != raw:
                ledger.note("converted", raw, b.first_line, "자간을 띄운 제목을 한 단어로 (letter-spaced heading closed up)")
        if b.moved:
            ledger.moved(b.text if b.text is not None else MText.inserted(""),
                         "쪽 나눔으로 문단 중간에 끼어든 주석을 문단 뒤로 옮김 (note spliced into a paragraph by a page break, moved after it)",
                         line_of)
    for g in groups:
        for no, how in g.joins:
            if how == "page":
                ledger.note("joined", "", no, "쪽 나눔으로 끊긴 문장을 이어 붙임 (sentence cut by a page break rejoined)")
    for b in blocks:
        if b.kind == "list":
            for it in b.items:
                for no in it.parts.get("rejoined", []):
                    ledger.note("joined", "", no, "쪽 나눔으로 나뉜 목록 항목을 합침 (list item split by a page break rejoined)")


def _assign_anchors(blocks: list[Block], src: Source):
    """Paragraph ids: made from the paragraph's text once, then kept by the lock in
    anchors.yml (see anchors.py); the visible number is the reading position."""
    from .anchors import reconcile
    from .fidelity import letters
    md = src.format == "markdown"
    citable = []
    for b in blocks:
        if b.kind == "para":
            citable.append(b)
        elif b.kind == "list":
            citable.extend(b.items)
    result = reconcile(src.anchor_lock, [(letters(b.text.s), plain_text(b.text, md)) for b in citable])
    for number, (b, a) in enumerate(zip(citable, result.ids), start=1):
        b.number, b.anchor = number, a
        b.aliases = sorted(result.aliases.get(a, []))
        b.changed = result.changed.get(a, "")
    used = set(result.ids) | {e.id for e in result.entries}
    figures = 0
    for b in blocks:
        if b.kind == "figure":
            # The figure's own number (<图5> -> figure-5) keeps links stable.
            figures += 1
            m = re.search(r"\d+", b.parts["caption"].s)
            b.anchor = f"figure-{m.group() if m else figures}"
            if b.anchor in used:
                b.anchor = f"figure-{figures}-{len(used)}"
            used.add(b.anchor)
    return result


def _body_parts(blocks: list[Block]):
    """(block, text) of everything in the body stream, in reading order."""
    for b in blocks:
        if b.moved or b.kind in ("note", "notebody", "furniture", "rule"):
            continue
        if b.kind in ("heading", "para", "pubnote"):
            yield b, b.text
        elif b.kind in ("list", "front"):
            for it in b.items:
                yield it, it.text
        elif b.kind == "figure":
            yield b, b.parts["caption"]
            if "source" in b.parts:
                yield b, b.parts["source"]
        elif b.kind == "table":
            yield b, b.parts["text"]


def _from_file(b: Block, t):
    """A rebuilt table's text is written in corrections.yml: a mismatch in it names that line."""
    if b.kind == "table" and not isinstance(t, MText):
        return FromFile(t, f"{b.correction.path}:{b.correction.line}")
    return t


def source_inputs(src: Source) -> list[tuple[str, str]]:
    """(file, text) of what a source page is made from, for fidelity.check_html to name the
    file a mismatch comes from: the metadata and corrections first, then the text, then the
    lock (which repeats the paragraphs' text)."""
    from .anchors import LOCK_NAME
    out = []
    for name in ("meta.yml", "corrections.yml", "source.txt", LOCK_NAME):
        f = src.folder / name
        if name == "source.txt":
            out.append((src.rel(name), src.text))
        elif f.is_file():
            out.append((src.rel(name), f.read_text("utf-8", errors="replace")))
    return out


def _moved_parts(blocks: list[Block]):
    return [b.text for b in blocks if b.moved and b.kind == "pubnote"]


# --- the page --------------------------------------------------------------------------

def page_title(meta: dict) -> str:
    """The page's title as text (the sidebar, lists, exports); escaped where it lands."""
    if meta.get("title"):
        return meta["title"]
    return f"{meta.get('title_supplied', '제목 미상')} (편집자 제목)"


def front_matter(title: str, **fields) -> str:
    """A page's YAML front matter, written by a YAML serializer, so no title (a quote, a
    colon, a line break, `---`) can end it early or add a key.

    Material's templates put the page title into the HTML as it stands (the sidebar, the
    header, <title>), so the title is HTML-escaped here: it shows as written, never as markup.

    >>> print(front_matter('A "B": <i>c</i>\\n---', source_slug="x"))
    ---
    title: 'A &quot;B&quot;: &lt;i&gt;c&lt;/i&gt; ---'
    source_slug: x
    ---
    """
    data = {"title": html.escape(" ".join(str(title).split())), **fields}
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))
    return f"---\n{body}---"


def _mark(meta: dict, key: str) -> str:
    why = (meta.get("inferred") or {}).get(key)
    if why:
        return f' <span class="mark-inferred" title="{html.escape(why)}">추정 (inferred: {html.escape(why)})</span>'
    return ""


# Replaced by the list of issue positions this source takes (or nothing): the issue
# pages are built after the cached source pages.
POSITIONS_HERE = "<!-- edition:positions -->"
# Replaced by the "Cite" box (cite.py), which needs the site's URL and name.
CITE_HERE = "<!-- edition:cite -->"
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
    from .ledger import ACTIONS
    e = lambda s: html.escape(str(s), quote=False)  # noqa: E731
    rows = []
    for en in sorted(cleaned.ledger.entries, key=lambda x: x.line):
        text = en.text.strip()
        shown = f"<code>{e(text[:80])}{'…' if len(text) > 80 else ''}</code>" if text else ""
        rows.append(f"<tr><td>{en.line}</td><td>{ACTIONS.get(en.action, en.action)}</td>"
                    f"<td>{shown}</td><td>{e(en.reason)}</td></tr>")
    st = cleaned.stats
    summary = (f"원문 추출본 {st['lines']}줄에서 줄바꿈 {st['wrap_joins']}곳을 이어 붙여 문단 "
               f"{st['paragraphs']}개와 제목 {st['headings']}개, 각주 {st['notes']}개를 복원했다. "
               "원문의 모든 글자와 숫자는 이 쪽에 실리거나, 아래 표에 무엇을 왜 지우거나 옮겼는지 기록되어 있다 "
               "(빌드할 때마다 검사한다).")
    if not rows:
        return f'<div class="ledger" {ED}>\n<p>{e(summary)}</p>\n<p>지우거나 옮긴 글자는 없다 (nothing removed or moved).</p>\n</div>'
    return (f'<div class="ledger" {ED}>\n<p>{e(summary)}</p>\n<details>\n<summary>처리 기록 {len(rows)}건 '
            f'(줄 번호는 source.txt 기준)</summary>\n<table>\n<thead><tr><th>줄</th><th>처리</th><th>원문</th>'
            f'<th>이유</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>\n</details>\n</div>")


def render_page(src: Source, cleaned: Cleaned) -> tuple[str, dict]:
    md = src.format == "markdown"
    title = page_title(src.meta)
    h1 = html.escape(src.meta.get("title") or src.meta.get("title_supplied") or "제목 미상", quote=False)
    badge = "" if src.meta.get("title") else f' <span class="ed-title-mark" {ED}>편집자 제목</span>'
    parts = [
        front_matter(title, source_slug=src.slug),
        "",
        f'<h1 lang="{src.meta["language"]}">{h1}{badge}</h1>',
        "",
        header_html(src),
        "",
        CITE_HERE,
        "",
        POSITIONS_HERE,
        "",
    ]
    shown = [b for b in cleaned.blocks if b.kind not in ("note", "notebody", "furniture", "rule")]
    for k, b in enumerate(shown):
        out = render_block(b, md)
        prev = shown[k - 1] if k else None
        if (b.kind == "pubnote" and prev is not None and prev.kind == "pubnote"
                and (prev.label, prev.moved) == (b.label, b.moved)):
            # One box for consecutive notes of one kind (a date line and a copyright line).
            out = out.split("\n\n", 1)[1]
            parts[-2] = parts[-2].rsplit("</div>", 1)[0]
            parts[-2] += out.rsplit("</div>", 1)[0] + "</div>"
            continue
        parts.append(out)
        parts.append("")
    if cleaned.notes:  # without notes the extension would leave the marker text in the page
        parts.append(FOOTNOTES_HERE)
        parts.append("")
    parts.append('## 편집 기록 <span lang="en">(Editorial notes)</span> {: #editorial-notes data-ed="1" }')
    parts.append("")
    parts.append(ledger_html(cleaned))
    parts.append("")
    parts.append(render_notes(cleaned.notes, md))
    parts.append("")
    return "\n".join(parts), page_expected(cleaned)


def page_expected(cleaned: Cleaned) -> dict:
    """What the page's HTML must carry (fidelity.check_html), from the cleaned source alone:
    the check never takes its expectation from a cache."""
    return expected_streams({
        "body": [_from_file(b, t) for b, t in _body_parts(cleaned.blocks)],
        "notes": [n.body for n in cleaned.notes if n.body is not None],
        "moved": _moved_parts(cleaned.blocks),
    })
