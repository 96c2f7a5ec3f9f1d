"""Stage 4: footnote markers found and linked to their bodies.

Three styles occur in extractions:

* markers `¹⁾`, `<sup>1)</sup>` or `1)` in the text, bodies as lines `1) ...` (at page ends,
  so in the middle of the running text);
* bare digits with no bodies at all: `자평한다.2`, `입장14까지`, `것이다. 1  트럼프`. They are
  told apart from real numbers (`1,830억`, `2034년`, `제12차`, `350척`) by their running
  sequence 1, 2, 3 ... and by what stands around them.

A marker becomes a placeholder token in the text (rendered as `[^n]`), recorded in the ledger.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from build_scripts.cleaning.chardata import NOTE_BODY_RE, SUPERSCRIPT_DIGITS, is_hangul
from build_scripts.cleaning.ledger import Ledger
from build_scripts.cleaning.structure import Block
from build_scripts.cleaning.textmap import MText

TOKEN_OPEN, TOKEN_CLOSE = "\ue000", "\ue001"   # private-use characters: never in a source
TOKEN_RE = re.compile(TOKEN_OPEN + r"(\d+)" + TOKEN_CLOSE)
MIN_BARE_RUN = 3            # fewer bare-digit markers than this are taken for numbers
COUNTERS = set("년월일차기척억조만천명개배시분세위호권번회대건점%")
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass
class Note:
    number: int
    body: MText | None        # None: the source carries the marker but not the note's text
    body_block: Block | None
    marker_line: int = 0


def to_superscript(n: int) -> str:
    return "".join(SUPERSCRIPT_DIGITS[int(d)] for d in str(n))


def token(n: int) -> MText:
    return MText.inserted(f"{TOKEN_OPEN}{n}{TOKEN_CLOSE}")


def text_slots(blocks: list[Block]):
    """Every piece of running text that can carry a marker, in document order, as
    (block, key, i): key names the attribute or part holding the MText, i is the index of
    the top-level block (a list item's list)."""
    for i, b in enumerate(blocks):
        if b.kind in ("para", "heading", "pubnote") and b.text is not None:
            yield b, "text", i
        elif b.kind == "list":
            for it in b.items:
                yield it, "text", i
        elif b.kind == "figure":
            for k in ("caption", "source"):
                if k in b.parts:
                    yield b, k, i


def _get(b: Block, key: str) -> MText:
    return b.text if key == "text" else b.parts[key]


def _set(b: Block, key: str, value: MText) -> None:
    if key == "text":
        b.text = value
    else:
        b.parts[key] = value


def _marker_patterns(n: int) -> list[re.Pattern]:
    sup = re.escape(to_superscript(n))
    return [
        re.compile(rf"<sup>\s*{n}\)?\s*</sup>"),
        re.compile(rf"(?<![{SUPERSCRIPT_DIGITS}]){sup}⁾"),
        re.compile(rf"(?<![\d(（A-Za-z]){n}\)(?!\d)"),
    ]


def link_notes(blocks: list[Block], ledger: Ledger, line_of) -> list[Note]:
    bodies = [b for b in blocks if b.kind == "notebody"]
    notes = _link_bodies(blocks, bodies, ledger, line_of) if bodies else []
    if not notes:
        for b in bodies:          # not notes after all: numbered paragraphs
            b.kind = "para"
        notes = _bare_markers(blocks, ledger, line_of)
    return notes


def _link_bodies(blocks, bodies, ledger, line_of) -> list[Note]:
    numbers = [int(NOTE_BODY_RE.match(b.text.s).group(1)) for b in bodies]
    if numbers != list(range(1, len(numbers) + 1)):
        return []
    order = {id(b): i for i, b in enumerate(blocks)}
    slots = list(text_slots(blocks))
    notes = []
    pos = (0, 0)  # (slot index, character index) after the previous marker
    for n, body in zip(numbers, bodies):
        found = None
        for si in range(pos[0], len(slots)):
            b, key, top = slots[si]
            if top > order[id(body)]:
                break  # a marker stands before its note's body
            text = _get(b, key)
            start = pos[1] if si == pos[0] else 0
            hits = [m for p in _marker_patterns(n) for m in [p.search(text.s, start)] if m]
            if hits:
                found = (si, min(hits, key=lambda m: m.start()))
                break
        if not found:
            return []   # a body without a marker: treat none of them as notes
        si, m = found
        b, key, _ = slots[si]
        text = _get(b, key)
        ledger.converted(text[m.start():m.end()], f"각주 표시 → 각주 {n} (note marker)", line_of)
        _set(b, key, text[:m.start()] + token(n) + text[m.end():])
        pos = (si, m.start() + len(token(n)))
        label = NOTE_BODY_RE.match(body.text.s)
        ledger.converted(body.text[:label.end()].strip(), f"각주 {n} 본문 앞의 번호 → 각주 번호 매김 (note number)", line_of)
        notes.append(Note(n, body.text[label.end():].strip(), body, marker_line=line_of(text.offsets[m.start()])))
        body.kind = "note"
        body.note_no = n
    return notes


def _bare_candidate(s: str, m: re.Match) -> str | None:
    """'attached' (자평한다.2, 입장14까지), 'spaced' (것이다. 1  트럼프) or None (a real number)."""
    a, z = m.start(), m.end()
    after = s[z:z + 1]
    if after and (after.isdigit() or after in COUNTERS or after in ".,%"):
        if not (after in ".," and (z + 1 >= len(s) or not s[z + 1].isdigit())):
            return None
    before = s[a - 1] if a > 0 else ""
    if not before:
        return None
    if before.isspace():
        prev = s[:a].rstrip()
        return "spaced" if prev and prev[-1] in ".。!?！？,，’”" else None
    if before.isascii() and before.isalnum() or before in "-–(（[$₩#":
        return None
    if is_hangul(before) or before in ".。!?！？’”\"'),，":
        return "attached"
    return None


def _bare_markers(blocks: list[Block], ledger: Ledger, line_of) -> list[Note]:
    """Markers with no note bodies, found by their running sequence."""
    slots = list(text_slots(blocks))
    found = []
    expected, si0, ci0 = 1, 0, 0
    while True:
        hit = None
        for si in range(si0, len(slots)):
            b, key, _ = slots[si]
            s = _get(b, key).s
            for m in NUMBER_RE.finditer(s, ci0 if si == si0 else 0):
                if m.group() == str(expected) and _bare_candidate(s, m):
                    hit = (si, m)
                    break
            if hit:
                break
        if not hit:
            break
        found.append((expected, hit[0], hit[1].start(), hit[1].end(),
                      _bare_candidate(_get(*slots[hit[0]][:2]).s, hit[1])))
        si0, ci0 = hit[0], hit[1].end()
        expected += 1
    if len(found) < MIN_BARE_RUN:
        return []
    notes = []
    # Replace from the end so earlier character positions stay valid.
    for n, si, a, z, how in reversed(found):
        b, key, _ = slots[si]
        text = _get(b, key)
        marker = text[a:z]
        if how == "spaced":
            left = text[:a].rstrip()
            right = text[z:].lstrip()
            new = left + token(n) + (MText.inserted(" ") + right if right.s else right)
        else:
            new = text[:a] + token(n) + text[z:]
        ledger.converted(marker, f"본문의 각주 표시 → 각주 {n} (각주 본문은 원문 추출본에 없음)", line_of)
        _set(b, key, new)
        notes.append(Note(n, None, None, marker_line=line_of(marker.offsets[0])))
    notes.reverse()
    return notes
