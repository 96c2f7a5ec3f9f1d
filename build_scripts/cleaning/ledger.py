"""The ledger: every editorial act that touches the text, and why.

Published on each source page as "editorial notes". It also closes the books: together with
the published blocks it must account for every letter and digit of source.txt, or the build
fails (see `check_coverage`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress

from build_scripts.errors import FidelityError
from build_scripts.cleaning.textmap import INSERTED, MText

# How each kind of act is introduced on the page (Korean UI, English gloss).
ACTIONS = {
    "removed": "삭제 (removed)",
    "moved": "이동 (moved)",
    "converted": "변환 (converted)",
    "replaced": "교정 (corrected)",
    "joined": "이어 붙임 (joined)",
    "restructured": "구조 (structure)",
}
# The kinds of block, as a restructuring entry names them to a Korean reader.
KIND_NAMES = {
    "para": "문단", "heading": "제목", "list": "목록", "front": "표제면", "pubnote": "게재 정보",
    "figure": "그림", "table": "표", "note": "각주", "notebody": "각주 본문", "furniture": "쪽 머리·꼬리",
    "rule": "구분선",
}


@dataclass
class Entry:
    action: str
    text: str
    line: int
    reason: str
    offsets: list[int] = field(default_factory=list)   # source offsets this entry accounts for
    replacement: str = ""


class Ledger:
    def __init__(self):
        self.entries: list[Entry] = []

    def _add(self, action: str, t: MText | None, reason: str, line_of, line: int = 0, **kw) -> Entry:
        offsets = [o for o in (t.offsets if t else []) if o != INSERTED]
        if not line and offsets:
            line = line_of(offsets[0])
        e = Entry(action, t.s if t else "", line, reason, offsets, **kw)
        self.entries.append(e)
        return e

    def removed(self, t: MText, reason: str, line_of) -> Entry:
        return self._add("removed", t, reason, line_of)

    def converted(self, t: MText, reason: str, line_of) -> Entry:
        return self._add("converted", t, reason, line_of)

    def moved(self, t: MText, reason: str, line_of) -> Entry:
        # Moved text is still published (elsewhere): the entry explains, it does not account.
        e = self._add("moved", t, reason, line_of)
        e.offsets = []
        return e

    def replaced(self, original: MText, replacement: str, reason: str, line_of) -> Entry:
        return self._add("replaced", original, reason, line_of, replacement=replacement)

    def note(self, action: str, text: str, line: int, reason: str) -> Entry:
        e = Entry(action, text, line, reason)
        self.entries.append(e)
        return e

    def accounted(self) -> set[int]:
        return {o for e in self.entries for o in e.offsets}


def check_coverage(source_text: str, published: list[MText], ledger: Ledger, path: str) -> None:
    """Every letter and digit of the source is either published or in the ledger.

    >>> src = "가나 - 4 - 다"
    >>> led = Ledger(); _ = led.removed(MText.from_source(src, 3, 8), "page number", lambda o: 1)
    >>> check_coverage(src, [MText.from_source(src, 0, 2), MText.from_source(src, 9, 10)], led, "x")
    >>> check_coverage(src, [MText.from_source(src, 0, 2)], led, "x")
    Traceback (most recent call last):
    ...
    build_scripts.errors.FidelityError: x:1: 1 letter(s) or digit(s) of the source are neither published nor in the ledger; expected every letter published or recorded as removed, with why; found '다' missing, first at line 1: '가나 - 4 - 다'
    """
    seen = ledger.accounted()
    for t in published:
        seen.update(t.offsets)
    seen.discard(INSERTED)
    # str.isalnum is exactly "letter or digit" (Unicode L or N); issuperset keeps it in C.
    if seen.issuperset(compress(range(len(source_text)), map(str.isalnum, source_text))):
        return
    missing = [i for i in compress(range(len(source_text)), map(str.isalnum, source_text)) if i not in seen]
    if missing:
        first = missing[0]
        line = source_text.count("\n", 0, first) + 1
        line_text = source_text.split("\n")[line - 1].strip()
        lost = "".join(source_text[i] for i in missing[:40])
        raise FidelityError(path, f"{len(missing)} letter(s) or digit(s) of the source are neither "
                            "published nor in the ledger", line=line,
                            expected="every letter published or recorded as removed, with why",
                            found=f"{lost!r} missing, first at line {line}: {line_text[:80]!r}")
