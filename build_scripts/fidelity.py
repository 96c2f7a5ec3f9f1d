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

from html.parser import HTMLParser

from .chardata import is_letter_or_digit
from .errors import FidelityError
from .notes import TOKEN_RE
from .textmap import INSERTED, MText

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def letters(s: str) -> str:
    return "".join(c for c in TOKEN_RE.sub("", s) if is_letter_or_digit(c))


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


def expected_streams(model: dict[str, list[MText | str]]) -> dict[str, tuple[str, list[int]]]:
    """Letters of each stream of the block model, with the source offset of each letter."""
    out = {}
    for name, parts in model.items():
        ls, offs = [], []
        for p in parts:
            t = p if isinstance(p, MText) else MText.inserted(p)
            in_token = False   # a footnote token's digits are the editors' numbering
            for ch, o in zip(t.s, t.offsets):
                if ch in "\ue000\ue001":
                    in_token = ch == "\ue000"
                elif is_letter_or_digit(ch) and not in_token:
                    ls.append(ch)
                    offs.append(o)
        out[name] = ("".join(ls), offs)
    return out


def check_html(html: str, expected: dict[str, tuple[str, list[int]]], path: str, line_of) -> None:
    parser = Streams()
    parser.feed(html)
    got = parser.result()
    for name, (want, offs) in expected.items():
        have = got.get(name, "")
        if have == want:
            continue
        i = next((k for k in range(min(len(want), len(have))) if want[k] != have[k]), min(len(want), len(have)))
        off = next((o for o in offs[i:] if o != INSERTED), offs[-1] if offs else 0)
        where = {"body": "text", "notes": "footnotes", "moved": "moved passages"}[name]
        raise FidelityError(path, f"the rendered page does not carry the source's {where} exactly",
                            line=line_of(off) if off >= 0 else None,
                            expected=f"…{want[max(0, i - 12):i + 12]}…",
                            found=f"…{have[max(0, i - 12):i + 12]}… in the HTML")


def check_order(body: list[MText], path: str, line_of) -> None:
    """The body keeps the source's order: its source offsets only go forward."""
    last = -1
    for t in body:
        for ch, o in zip(t.s, t.offsets):
            if o == INSERTED or not is_letter_or_digit(ch):
                continue
            if o < last:
                raise FidelityError(path, "the published body does not keep the source's order",
                                    line=line_of(o), expected="text in the order of source.txt",
                                    found=f"{ch!r} from line {line_of(o)} after text from line {line_of(last)}")
            last = o
