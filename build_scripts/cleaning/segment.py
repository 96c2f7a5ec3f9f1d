"""Stage 2: physical lines -> blocks.

Extractions come in two styles, told apart by their line lengths:

* wrapped: the PDF's lines kept as lines (about 45 characters each, often with an empty
  line after every line). A paragraph ends where the extraction leaves a signal: a line of
  spaces only, two or more empty lines, two trailing spaces, or a short last line.
* unwrapped: one line per paragraph (web pages, Markdown conversions). An empty line ends a
  paragraph, except where a page break cut a sentence in two.

Pass 1 groups lines into blocks by those signals. Pass 2 mends page joins: a prose block
that stops mid-sentence continues in the next prose block, looking through what a page
break spliced in between (page numbers, note bodies, author notes, separators).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from build_scripts.cleaning.chardata import (AUTHOR_NOTE_RE, BULLET_RE, HAN_RE, MD_HEADING_RE, MD_RULE_RE, NOTE_BODY_RE,
                       PAGE_NUMBER_RE, is_latin)
from build_scripts.cleaning.clean import dominant_script, ends_sentence, needs_no_space, trailing_spaces
from build_scripts.cleaning.textmap import MText

WRAPPED_MEDIAN_MAX = 80     # median line length at or below which an extraction is hard-wrapped
SHORT_LINE_RATIO = 0.6      # a wrapped line shorter than this share of the median ends its paragraph
FULL_LINE_RATIO = 0.8       # a wrapped line at least this long runs to the margin (may continue)

# Groups a page break can splice into the middle of a paragraph.
TRANSPARENT = {"furniture", "notebody", "authornote", "rule"}


@dataclass
class Line:
    no: int            # 1-based line number in source.txt
    text: MText        # without the newline

    @property
    def s(self) -> str:
        return self.text.s


@dataclass
class Gap:
    """What stands between two text lines: empty lines and lines of spaces only."""
    empty: int = 0
    spaces: int = 0

    @property
    def none(self) -> bool:
        return self.empty == 0 and self.spaces == 0

    @property
    def strong(self) -> bool:
        return self.spaces > 0 or self.empty >= 2


@dataclass
class Group:
    """A block in the making: consecutive lines of one kind."""
    kind: str                  # text, bullet, notebody, authornote, mdheading, rule, furniture, reserved
    lines: list[Line]
    gap_before: Gap = field(default_factory=Gap)
    text: MText | None = None  # joined text (set by pass 1/2)
    moved_in: list["Group"] = field(default_factory=list)   # groups lifted out of this one (page joins)
    joins: list[tuple[int, str]] = field(default_factory=list)  # (line no, how) for the ledger
    reserved: object = None    # a correction that owns these lines

    @property
    def first_line(self) -> int:
        return self.lines[0].no if self.lines else 0

    @property
    def last_line(self) -> int:
        return self.lines[-1].no if self.lines else 0


@dataclass
class Style:
    wrapped: bool
    median: float
    markdown: bool


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for no, raw in enumerate(text.split("\n"), 1):
        lines.append(Line(no, MText.from_source(text, pos, pos + len(raw))))
        pos += len(raw) + 1
    return lines


def detect_style(lines: list[Line], markdown: bool) -> Style:
    """Hard-wrapped or one line per paragraph, judged by the median length of text lines.

    >>> detect_style(split_lines("가" * 45 + "\\n\\n" + "나" * 40), False).wrapped
    True
    """
    lengths = [len(l.s.strip()) for l in lines if l.s.strip()]
    median = statistics.median(lengths) if lengths else 0
    return Style(wrapped=median <= WRAPPED_MEDIAN_MAX, median=median, markdown=markdown)


def line_kind(line: Line, style: Style, prev_kind: str | None) -> str:
    s = line.s
    if PAGE_NUMBER_RE.match(s):
        return "furniture"
    if style.markdown:
        if MD_RULE_RE.match(s):
            return "rule"
        if MD_HEADING_RE.match(s):
            return "mdheading"
        if AUTHOR_NOTE_RE.match(s) and prev_kind in ("rule", "authornote"):
            return "authornote"
    if NOTE_BODY_RE.match(s):
        return "notebody"
    if BULLET_RE.match(s):
        return "bullet"
    return "text"


def join_text(left: MText, right: MText) -> MText:
    """Join two pieces of one paragraph: a space between Korean or English words, nothing
    between Chinese or Japanese characters or after a compound's line-end hyphen."""
    a, b = left.rstrip(), right.lstrip()
    if not a.s or not b.s:
        return a + b
    no_space = needs_no_space(a.s, b.s)
    if (not no_space and HAN_RE.search(a.s[-40:] + b.s[:40])
            and dominant_script(a.s[-200:] + b.s[:200]) in ("zh", "ja")):
        # In a Chinese paragraph only two Latin words keep a space between them.
        no_space = not (is_latin(a.s[-1]) and is_latin(b.s[0]))
    if len(left) > len(a) and not a.s.endswith("-"):
        # The line ended in a space the extraction kept: it is the author's ("比例, 盟友").
        return a + left[len(a):len(a) + 1] + b
    return a + b if no_space else a + MText.inserted(" ") + b


def _wrapped_continues(prev: Line, nxt: Line, gap: Gap, style: Style) -> bool:
    """In a hard-wrapped extraction, does `nxt` continue the paragraph `prev` ends?"""
    if gap.strong or trailing_spaces(prev.s) >= 2:
        return False
    if len(prev.s.strip()) < SHORT_LINE_RATIO * style.median:
        return False
    return True


def group_lines(lines: list[Line], style: Style, reserved_lines: dict[int, object]) -> list[Group]:
    """Pass 1: lines -> groups, by the paragraph signals of the extraction style."""
    groups: list[Group] = []
    cur: Group | None = None
    gap = Gap()
    prev_kind = None
    for line in lines:
        if line.no in reserved_lines:
            owner = reserved_lines[line.no]
            if cur is None or cur.reserved is not owner:
                cur = Group("reserved", [line], gap, reserved=owner)
                groups.append(cur)
            else:
                cur.lines.append(line)
            gap, prev_kind = Gap(), "reserved"
            continue
        if not line.s.strip():
            if line.s:
                gap.spaces += 1
            else:
                gap.empty += 1
            continue
        kind = line_kind(line, style, prev_kind)
        standalone = kind in ("furniture", "rule", "mdheading")
        if (cur is not None and kind == "text" and cur.kind in ("text", "bullet", "notebody", "authornote")
                and (_wrapped_continues(cur.lines[-1], line, gap, style) if style.wrapped else gap.none)
                # a note or list item runs on only while visibly unfinished: after a full stop
                # the next line is the text the note was set under
                and (cur.kind == "text" or not ends_sentence(cur.lines[-1].s))):
            cur.lines.append(line)
        else:
            cur = Group(kind, [line], gap)
            groups.append(cur)
            if standalone:
                cur = Group("closed", [])  # nothing continues a standalone line
        gap, prev_kind = Gap(), kind
    groups = [g for g in groups if g.kind != "closed"]
    for g in groups:
        if g.kind != "reserved":
            text = g.lines[0].text
            for l in g.lines[1:]:
                text = join_text(text, l.text)
                g.joins.append((l.no, "wrap"))
            g.text = text
    return groups


def _is_prose(g: Group) -> bool:
    return g.kind == "text" and g.text is not None


def _ends_mid_sentence(g: Group, style: Style) -> bool:
    """Did a page break cut this block off in the middle of a sentence?"""
    s = g.text.s.rstrip()
    if not s or ends_sentence(s):
        return False
    last = g.lines[-1].s.strip()
    if style.wrapped:
        return len(last) >= FULL_LINE_RATIO * style.median and len(g.lines) > 1
    # One line per paragraph: only running prose (it has sentence punctuation inside)
    # can break off; a label, keyword list or byline cannot.
    return len(s) >= 20 and any(p in s for p in "，。,.、")


def _looks_like_heading(g: Group) -> bool:
    s = g.text.s.strip()
    return len(g.lines) == 1 and len(s) <= 60 and not ends_sentence(s)


def mend_page_joins(groups: list[Group], style: Style) -> list[Group]:
    """Pass 2: a prose block cut by a page break is joined with its continuation; what the
    break spliced in between (page numbers, notes, separators) is kept, after the paragraph.

    >>> src = "小国虽然牺牲了一定的自主，但并非对小国不利。然而盟友间的利益\\n\\n4) 注释。\\n\\n重合度降低。"
    >>> style = Style(wrapped=False, median=100, markdown=False)
    >>> out = mend_page_joins(group_lines(split_lines(src), style, {}), style)
    >>> [(g.kind, g.text.s) for g in out]
    [('text', '小国虽然牺牲了一定的自主，但并非对小国不利。然而盟友间的利益重合度降低。'), ('notebody', '4) 注释。')]
    """
    out: list[Group] = []
    i = 0
    while i < len(groups):
        g = groups[i]
        i += 1
        out.append(g)
        if not _is_prose(g):
            continue
        after: list[Group] = []   # spliced groups, re-placed after the mended paragraph
        while _ends_mid_sentence(g, style):
            j = i
            while j < len(groups) and groups[j].kind in TRANSPARENT:
                j += 1
            if j >= len(groups) or not _is_prose(groups[j]) or _looks_like_heading(groups[j]):
                break
            # A sentence does not change language across a page break (English keywords
            # followed by a Chinese abstract are two blocks).
            la, lb = dominant_script(g.text.s[-300:]), dominant_script(groups[j].text.s[:300])
            if la != lb and "und" not in (la, lb):
                break
            nxt = groups[j]
            spliced = groups[i:j]
            g.text = join_text(g.text, nxt.text)
            g.joins.append((nxt.first_line, "page"))
            g.joins.extend(nxt.joins)
            g.lines = g.lines + nxt.lines
            g.moved_in.extend(spliced)
            after.extend(spliced)
            i = j + 1
        out.extend(after)
    return out
