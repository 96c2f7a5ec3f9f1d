"""Stage 7: the rendered page checked against the source, letter by letter.

Two checks run at every build:

1. coverage (ledger.check_coverage): every letter and digit of source.txt is in a published
   block or in the ledger, and the body keeps the source's order;
2. rendering (check_html): what the reader gets in HTML carries exactly the letters of those
   blocks, in order. It reads three streams: the body, the footnotes, and passages a page
   break had spliced into a paragraph (`data-moved`). Everything marked `data-ed` (the
   editors' header, paragraph numbers, notices, the ledger) is not source text and is skipped.
"""
from __future__ import annotations

import operator
from html.parser import HTMLParser

from .chardata import NOT_LETTER_OR_DIGIT_RE
from .errors import FidelityError
from .notes import TOKEN_RE
from .textmap import INSERTED, MText

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def letters(s: str) -> str:
    """The letters and digits of a text, footnote tokens (the editors' numbering) left out.

    >>> letters("가나, 다\ue0003\ue001 (AB) 12.")
    '가나다AB12'
    """
    return NOT_LETTER_OR_DIGIT_RE.sub("", TOKEN_RE.sub("", s))


class Streams(HTMLParser):
    """Collect the letters of the page's text, stream by stream."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []   # (tag, skipping, stream)
        self.out = {"body": [], "notes": [], "moved": []}

    def _state(self):
        return self.stack[-1][1:] if self.stack else (False, "body")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skipping, stream = self._state()
        cls = (a.get("class") or "").split()
        if ("data-ed" in a or tag in ("h1", "annotation") or "headerlink" in cls
                or "footnote-ref" in cls or "footnote-backref" in cls):
            skipping = True
        if tag == "div" and "footnote" in cls:
            stream = "notes"
        if "data-moved" in a:
            stream = "moved"
        if tag not in VOID:
            self.stack.append((tag, skipping, stream))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        skipping, stream = self._state()
        if not skipping:
            self.out[stream].append(data)

    def result(self) -> dict[str, str]:
        return {k: letters("".join(v)) for k, v in self.out.items()}


def expected_streams(model: dict[str, list[MText | str]]) -> dict[str, tuple[str, list[list[int]]]]:
    """Letters of each stream of the block model, and an index [[letters before part, first
    source offset of part], ...] that is enough to name the source line of a mismatch.

    >>> src = "가나\\n다라"
    >>> expected_streams({"body": [MText.from_source(src, 0, 2), MText.from_source(src, 3, 5)]})
    {'body': ('가나다라', [[0, 0], [2, 3]])}
    """
    out = {}
    for name, parts in model.items():
        chunks, index, count = [], [], 0
        for p in parts:
            t = p if isinstance(p, MText) else MText.inserted(p)
            ls = letters(t.s)
            index.append([count, t.first_offset()])
            chunks.append(ls)
            count += len(ls)
        out[name] = ("".join(chunks), index)
    return out


def _offset_at(index: list[list[int]], i: int) -> int:
    off = INSERTED
    for count, first in index:
        if count > i:
            break
        if first != INSERTED:
            off = first
    return off


def check_html(html: str, expected: dict[str, tuple[str, list[int]]], path: str, line_of) -> None:
    parser = Streams()
    parser.feed(html)
    got = parser.result()
    for name, (want, offs) in expected.items():
        have = got.get(name, "")
        if have == want:
            continue
        i = next((k for k in range(min(len(want), len(have))) if want[k] != have[k]), min(len(want), len(have)))
        off = _offset_at(offs, i)
        where = {"body": "text", "notes": "footnotes", "moved": "moved passages"}[name]
        raise FidelityError(path, f"the rendered page does not carry the source's {where} exactly",
                            line=line_of(off) if off >= 0 else None,
                            expected=f"…{want[max(0, i - 12):i + 12]}…",
                            found=f"…{have[max(0, i - 12):i + 12]}… in the HTML")


def check_order(parts: list[MText], path: str, line_of) -> None:
    """The body keeps the source's order: source offsets only go forward, within and across blocks.

    >>> src = "가나다"
    >>> check_order([MText.from_source(src, 0, 1), MText.from_source(src, 2, 3)], "x", lambda o: 1)
    >>> check_order([MText.from_source(src, 2, 3), MText.from_source(src, 0, 1)], "x", lambda o: 1)
    Traceback (most recent call last):
    ...
    build_scripts.errors.FidelityError: x:1: the published body does not keep the source's order; expected text in the order of source.txt; found text from line 1 after text from line 1
    """
    last = -1
    for t in parts:
        offs = [o for o in t.offsets if o != INSERTED]
        if not offs:
            continue
        bad = offs[0] < last or not all(map(operator.lt, offs, offs[1:]))
        if bad:
            o = next(o for o, p in zip(offs, [last] + offs) if o < p)
            raise FidelityError(path, "the published body does not keep the source's order",
                                line=line_of(o), expected="text in the order of source.txt",
                                found=f"text from line {line_of(o)} after text from line {line_of(last)}")
        last = offs[-1]
