"""Cleaning one source: source.txt + meta.yml + corrections.yml -> its blocks, notes and ledger.

    clean_source(src)       -> Cleaned (blocks, notes, ledger, paragraph and note records),
                               with the coverage check passed
    page_expected(cleaned)  -> what the page's HTML must carry (fidelity.check_html)

The page itself is written by source_page.py, from the Cleaned result and what the
apparatus (issues, citations) says about it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from build_scripts.cleaning import corrections as corr
from build_scripts.cleaning.clean import collapse_letter_spacing
from build_scripts.cleaning.corpus import Source
from build_scripts.cleaning.fidelity import FromFile, check_order, expected_streams
from build_scripts.cleaning.ledger import KIND_NAMES, Ledger, check_coverage
from build_scripts.cleaning.notes import TOKEN_RE, Note, link_notes
from build_scripts.pages.render import plain_text
from build_scripts.cleaning.segment import detect_style, group_lines, mend_page_joins, split_lines
from build_scripts.cleaning.structure import Block, assign_languages, classify
from build_scripts.cleaning.textmap import MText
from build_scripts.cleaning.anchors import LOCK_NAME
from build_scripts.cleaning.anchors import reconcile
from build_scripts.cleaning.fidelity import letters
from build_scripts.errors import CorrectionError

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
                        f"{KIND_NAMES.get(old, old)} → {KIND_NAMES.get(role, role)}: {c.reason} (교정 기록 {c.line}행)")


def _build_tables(blocks: list[Block], ledger: Ledger, line_of) -> None:
    n = 0
    for b in blocks:
        if b.kind != "reserved":
            continue
        c = b.correction
        n += 1
        b.kind, b.anchor = "table", f"table-{n}"
        orig = MText.join([l.text + MText.inserted("\n") for l in b.group.lines])
        ledger.replaced(orig, "(표로 재구성)", f"{c.reason} (교정 기록 {c.line}행)", line_of)
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


def page_expected(cleaned: Cleaned) -> dict:
    """What the page's HTML must carry (fidelity.check_html), from the cleaned source alone:
    the check never takes its expectation from a cache."""
    return expected_streams({
        "body": [_from_file(b, t) for b, t in _body_parts(cleaned.blocks)],
        "notes": [n.body for n in cleaned.notes if n.body is not None],
        "moved": _moved_parts(cleaned.blocks),
    })
