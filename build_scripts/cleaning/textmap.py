"""Text that remembers, character by character, where it stands in source.txt.

Every cleaning step works on an MText, so that whatever the pipeline joins, removes or
moves can be traced back to a line of the original: that is what makes the ledger and
the fidelity check exact rather than approximate.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

INSERTED = -1  # offset of a character that is not from the source (e.g. a joining space)


class MText:
    """A string plus, for each character, its offset in the source (or INSERTED).

    >>> src = "ab\\ncd"
    >>> t = MText.from_source(src, 0, 2) + MText.inserted(" ") + MText.from_source(src, 3, 5)
    >>> t.s, t.offsets
    ('ab cd', [0, 1, -1, 3, 4])
    """

    __slots__ = ("s", "offsets")

    def __init__(self, s: str, offsets: list[int]):
        if len(s) != len(offsets):
            raise ValueError("text and offsets differ in length")
        self.s = s
        self.offsets = offsets

    @classmethod
    def from_source(cls, src: str, start: int, end: int) -> "MText":
        return cls(src[start:end], list(range(start, end)))

    @classmethod
    def inserted(cls, s: str) -> "MText":
        return cls(s, [INSERTED] * len(s))

    @classmethod
    def join(cls, parts: Iterable["MText"]) -> "MText":
        s, o = [], []
        for p in parts:
            s.append(p.s)
            o.extend(p.offsets)
        return cls("".join(s), o)

    def __add__(self, other: "MText") -> "MText":
        return MText(self.s + other.s, self.offsets + other.offsets)

    def __getitem__(self, key) -> "MText":
        if not isinstance(key, slice):
            key = slice(key, key + 1)
        return MText(self.s[key], self.offsets[key])

    def __len__(self) -> int:
        return len(self.s)

    def __repr__(self) -> str:
        return f"MText({self.s!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, MText) and self.s == other.s and self.offsets == other.offsets

    def strip(self, chars: str | None = None) -> "MText":
        left = len(self.s) - len(self.s.lstrip(chars))
        right = len(self.s.rstrip(chars))
        return self[left:max(left, right)]

    def rstrip(self, chars: str | None = None) -> "MText":
        return self[: len(self.s.rstrip(chars))]

    def lstrip(self, chars: str | None = None) -> "MText":
        return self[len(self.s) - len(self.s.lstrip(chars)):]

    def first_offset(self) -> int:
        return next((o for o in self.offsets if o != INSERTED), INSERTED)

    def last_offset(self) -> int:
        return next((o for o in reversed(self.offsets) if o != INSERTED), INSERTED)

    def sub(self, pattern: re.Pattern, repl: Callable[[re.Match], "MText"]) -> "MText":
        """Replace each match of `pattern` by the MText that `repl` returns for it."""
        out, pos = [], 0
        for m in pattern.finditer(self.s):
            out.append(self[pos:m.start()])
            out.append(repl(m))
            pos = m.end()
        out.append(self[pos:])
        return MText.join(out)
