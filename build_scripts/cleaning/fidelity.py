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
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from build_scripts.cleaning.chardata import LETTER_OR_DIGIT_RE, NOT_LETTER_OR_DIGIT_RE
from build_scripts.errors import FidelityError
from build_scripts.cleaning.notes import TOKEN_RE
from build_scripts.cleaning.textmap import INSERTED, MText

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def letters(s: str) -> str:
    """The letters and digits of a text, footnote tokens (the editors' numbering) left out.

    >>> letters("가나, 다\ue0003\ue001 (AB) 12.")
    '가나다AB12'
    """
    return NOT_LETTER_OR_DIGIT_RE.sub("", TOKEN_RE.sub("", s))


# The element that holds a page's content in a themed page (Material for MkDocs and
# Zensical alike): the check of a built site reads only what is inside it.
CONTENT_CLASS = "md-content__inner"


def content_area(html: str, content_class: str = CONTENT_CLASS) -> str:
    """The element of `content_class` in a themed page, start tag to matching end tag ("" if
    the page has none). A themed page repeats the whole navigation, which at a thousand
    sources is most of its bytes; cutting it off before the Python HTML parser runs keeps
    reading a built site linear in its content (the regexes run in C).

    >>> content_area('<nav>x</nav><article class="a md-content__inner"><article>i</article>t</article><p>f')
    '<article class="a md-content__inner"><article>i</article>t</article>'
    >>> content_area('<div>no content</div>')
    ''
    """
    m = re.search(r'<([a-zA-Z][\w-]*)\b[^>]*\bclass\s*=\s*["\']?[^"\'>]*(?<![\w-])' + re.escape(content_class)
                  + r'(?![\w-])', html)
    if not m:
        return ""
    tag, depth = m.group(1).lower(), 0
    for t in re.compile(rf"<(/?){tag}\b", re.I).finditer(html, m.start()):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            end = html.find(">", t.end())
            return html[m.start(): len(html) if end < 0 else end + 1]
    return html[m.start():]  # never closed: the rest of the page


class Streams(HTMLParser):
    """Collect the letters of the page's text, stream by stream. With `content_class`, only
    inside the element of that class (a whole themed page); without, all of it (the page's
    content as the engine rendered it)."""

    def __init__(self, content_class: str | None = None):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []   # (tag, skipping, stream)
        self.out = {"body": [], "notes": [], "moved": []}
        self.content_class = content_class
        self.found = content_class is None

    def _state(self):
        return self.stack[-1][1:] if self.stack else (self.content_class is not None, "body")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skipping, stream = self._state()
        cls = (a.get("class") or "").split()
        if self.content_class and self.content_class in cls and not self.found:
            skipping, self.found = False, True
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


@dataclass(frozen=True)
class FromFile:
    """Text a page carries from another file than source.txt, and where it is written there
    ("corpus/sources/x/corrections.yml:12": a rebuilt table's cells), so that a mismatch in it
    names that file and line."""
    text: str
    origin: str


def expected_streams(model: dict[str, list[MText | FromFile | str]]) -> dict[str, tuple[str, list[list]]]:
    """Letters of each stream of the block model, and an index [[letters before part, first
    source offset of part (, file:line where the part is not source text)], ...] that is
    enough to name the line of a mismatch.

    >>> src = "가나\\n다라"
    >>> expected_streams({"body": [MText.from_source(src, 0, 2), MText.from_source(src, 3, 5)]})
    {'body': ('가나다라', [[0, 0], [2, 3]])}
    >>> expected_streams({"body": [FromFile("마바", "c.yml:4")]})
    {'body': ('마바', [[0, -1, 'c.yml:4']])}
    """
    out = {}
    for name, parts in model.items():
        chunks, index, count = [], [], 0
        for p in parts:
            t = p if isinstance(p, MText) else MText.inserted(p.text if isinstance(p, FromFile) else p)
            ls = letters(t.s)
            index.append([count, t.first_offset()] + ([p.origin] if isinstance(p, FromFile) else []))
            chunks.append(ls)
            count += len(ls)
        out[name] = ("".join(chunks), index)
    return out


def _part_at(index: list[list], i: int) -> tuple[int, str | None]:
    """(source offset, file:line of a part from another file) for letter i of a stream:
    the part holding it, and the last source offset at or before it."""
    off, origin = INSERTED, None
    for entry in index:
        if entry[0] > i:
            break
        origin = entry[2] if len(entry) > 2 else None
        if entry[1] != INSERTED:
            off = entry[1]
    return off, origin


def check_html(html: str, expected: dict[str, tuple[str, list]], path: str, line_of, inputs=None,
               content_class: str | None = None) -> None:
    """The page's HTML carries exactly the expected letters of each stream.

    A mismatch is blamed on the file whose content made it: a part from another file (a
    rebuilt table) on that file's line; text the HTML shows but the source does not have
    there on the input file that holds it (`inputs()`: (file, text) of meta.yml,
    corrections.yml, source.txt, anchors.yml, read only when the check fails); anything
    else on the line of source.txt where the difference starts.
    """
    parser = Streams(content_class)
    parser.feed(content_area(html, content_class) if content_class else html)
    parser.close()
    if not parser.found:
        raise FidelityError(path, "the built page has no content area to check", expected=f'an element of class "{content_class}" '
                            "(Material for MkDocs or Zensical)", found="none")
    got = parser.result()
    for name, (want, offs) in expected.items():
        have = got.get(name, "")
        if have == want:
            continue
        i = next((k for k in range(min(len(want), len(have))) if want[k] != have[k]), min(len(want), len(have)))
        off, origin = _part_at(offs, i)
        where = {"body": "text", "notes": "footnotes", "moved": "moved passages"}[name]
        expected_text = f"…{want[max(0, i - 12):i + 12]}…"
        found = f"…{have[max(0, i - 12):i + 12]}… in the HTML"
        here = f"{path}:{line_of(off)}" if off >= 0 else path
        if origin is None:
            blame = _origin_of(_extra(want, have, i), inputs() if inputs else [], here)
            if blame is not None:
                file, line = blame
                what = (f"this line's text shows again in the page's {where}, at {here}" if file == path else
                        f"this file's text shows in the {where} of the page of {path}, at {here}")
                raise FidelityError(file, what, line=line, expected=expected_text, found=found)
            raise FidelityError(path, f"the rendered page does not carry the source's {where} exactly",
                                line=line_of(off) if off >= 0 else None, expected=expected_text, found=found)
        file, _, line = origin.rpartition(":")
        raise FidelityError(file, f"the rendered page of {path} does not carry the {where} this file gives it",
                            line=int(line) if line.isdigit() else None, expected=expected_text, found=found)


WINDOW = 200     # letters from a mismatch on, compared to tell what the HTML added there
MIN_SHOWN = 3    # fewer added letters than this are too common to say where they come from


def _extra(want: str, have: str, i: int) -> str:
    """The letters the HTML adds at letter i: shown there instead of the source's, and more
    often in the page than in the source ("" when the HTML only lacks or reorders text).
    Compares a bounded window, so it costs the same on any page.

    >>> _extra("가나다라마", "가나XYZ다라마", 2), _extra("가나다라마", "가나라마", 2), _extra("가나다라", "다라가나", 0)
    ('XYZ', '', '')
    """
    import difflib
    a, b = want[i:i + WINDOW], have[i:i + WINDOW]
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            shown = b[j1:j2][:40] if tag in ("insert", "replace") else ""
            return shown if shown and have.count(shown) > want.count(shown) else ""
    return ""


def _origin_of(shown: str, inputs: list[tuple[str, str]], here: str) -> tuple[str, int] | None:
    """(file, line) of the first input holding the shown letters; None when they are too few,
    are nowhere, or stand at the very place of source.txt the check expected."""
    if len(shown) < MIN_SHOWN:
        return None
    probe = shown
    for file, text in inputs:
        where = [m.start() for m in LETTER_OR_DIGIT_RE.finditer(text)]
        k = "".join(text[w] for w in where).find(probe)
        if k >= 0:
            line = text.count("\n", 0, where[k]) + 1
            return None if f"{file}:{line}" == here else (file, line)
    return None


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
