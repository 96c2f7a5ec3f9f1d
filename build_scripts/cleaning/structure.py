"""Stage 3: groups -> typed blocks.

Decides what each block is, from signals every extraction style shares:

* heading: one short line, no sentence end, followed by text; or an explicit Markdown
  heading. Levels come from the numbering, not from the extraction's `#` counts:
  chapters (I., II., 1.) and unnumbered sections at level 2, sub-sections (3.1, #4.) at 3.
* front matter: a run of two or more short lines (title, subtitle, byline, affiliation).
* back matter: short lines after the text (date line, copyright, manuscript history).
* list: consecutive bullet lines (`-`, `•`, `⚫` ...); items split by a page break rejoined.
* figure: a caption line (`<图1> ...`, `[그림 2]`) and its source line (`出处：...`).
* publication note: a lone `* ...` disclaimer, an author note (`\\* Name, ...`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from build_scripts.cleaning.chardata import (BULLET_RE, DECIMAL_HEADING_RE, FIGURE_CAPTION_RE, FIGURE_SOURCE_RE,
                       HASH_NUMBER_HEADING_RE, MD_HEADING_RE, PLAIN_NUMBER_HEADING_RE,
                       ROMAN_HEADING_RE)
from build_scripts.cleaning.clean import collapse_letter_spacing, dominant_script, ends_sentence
from build_scripts.cleaning.segment import Group
from build_scripts.cleaning.textmap import MText

HEADING_MAX = 60          # characters
BACK_MATTER_MAX = 100     # characters


@dataclass
class Block:
    kind: str                 # para heading list front pubnote figure table note furniture rule
    text: MText | None = None
    first_line: int = 0
    last_line: int = 0
    level: int = 0            # headings
    items: list = field(default_factory=list)      # list: [Block(kind="item")]
    parts: dict = field(default_factory=dict)      # figure: caption/source; table: data
    label: str = ""           # publication notes: what kind of note
    lang: str = ""
    moved: bool = False       # lifted out of the paragraph a page break cut
    note_no: int | None = None
    anchor: str = ""          # id of a citable block
    number: int = 0           # visible paragraph number
    aliases: list = field(default_factory=list)  # ids of removed paragraphs that land here
    changed: str = ""         # why the text differs from when its id was first published
    group: Group | None = None
    correction: object = None


# Headings under which a source lists the works it cites (works_cited reads the entries; the
# page shows them without paragraph tools, issue pages leave them out of "all mentions").
REFERENCE_HEADINGS = ("参考文献", "참고문헌", "references", "bibliography")


def in_reference_list(section: str) -> bool:
    """Whether a paragraph under this heading is an entry of a reference list.

    >>> in_reference_list("参考文献"), in_reference_list("IV. 결론")
    (True, False)
    """
    return any(h in section.casefold() for h in REFERENCE_HEADINGS)


def _numbered_heading(s: str) -> bool:
    return bool(ROMAN_HEADING_RE.match(s) or DECIMAL_HEADING_RE.match(s)
                or HASH_NUMBER_HEADING_RE.match(s))


def heading_level(s: str) -> int:
    """Level from the numbering: chapters at 2, sub-sections at 3.

    >>> [heading_level(s) for s in ["I. 引言", "3.1 案例", "#4. 연합방위체계 간명화", "결론", "2. 본론"]]
    [2, 3, 3, 2, 2]
    """
    if DECIMAL_HEADING_RE.match(s) or HASH_NUMBER_HEADING_RE.match(s):
        return 3
    if ROMAN_HEADING_RE.match(s) or PLAIN_NUMBER_HEADING_RE.match(s):
        return 2
    return 2


BOLD_ONLY_RE = re.compile(r"^\*\*([^*]+)\*\*$")


def _short_line(g: Group) -> bool:
    if g.kind == "mdheading":
        return True
    if g.kind != "text" or len(g.lines) != 1:
        return False
    s = g.text.s.strip()
    return 0 < len(s) <= HEADING_MAX and not ends_sentence(s) and not s.endswith((",", "，"))


def _heading_text(g: Group) -> MText:
    t = g.text.strip()
    m = MD_HEADING_RE.match(t.s)
    if g.kind == "mdheading" and m:
        t = t[m.start(2):m.end(2)]
    b = BOLD_ONLY_RE.match(t.s)
    if b:
        t = t[b.start(1):b.end(1)]
    collapsed = collapse_letter_spacing(t.s)
    if collapsed != t.s:  # drop the spaces between spaced-out syllables
        keep = [i for i, c in enumerate(t.s) if not c.isspace()]
        t = MText("".join(t.s[i] for i in keep), [t.offsets[i] for i in keep])
    return t


def classify(groups: list[Group], markdown: bool) -> list[Block]:
    """Groups of lines -> blocks. Each group is offered to the steps of CLASSIFIERS in
    turn; the first that takes it appends its block(s) and says where to go on.

    >>> from build_scripts.cleaning.segment import detect_style, group_lines, split_lines
    >>> lines = split_lines("제목\\n\\n한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 문제만이 아니다.\\n")
    >>> [b.kind for b in classify(group_lines(lines, detect_style(lines, False), set()), False)]
    ['heading', 'para']
    """
    ctx = _Context(groups, _last_prose(groups))
    blocks: list[Block] = []
    i = 0
    while i < len(groups):
        for step in CLASSIFIERS:
            j = step(ctx, i, blocks)
            if j is not None:
                i = j
                break
    moved = {id(s) for g in groups for s in g.moved_in}
    for b in blocks:
        b.moved = b.group is not None and id(b.group) in moved
    return blocks


@dataclass
class _Context:
    groups: list[Group]
    last_prose: int      # the last group of running text: back matter can only stand after it


def _last_prose(groups: list[Group]) -> int:
    return max((i for i, g in enumerate(groups)
                if g.kind in ("text", "bullet") and not _short_line(g)
                and len(g.text.s.strip()) > BACK_MATTER_MAX), default=-1)


def _base(g: Group) -> dict:
    return dict(first_line=g.first_line, last_line=g.last_line, group=g)


# Group kinds that segment.py already decided, and the block each becomes.
_AS_IS = {"reserved": {}, "furniture": {}, "rule": {}, "notebody": {}, "authornote": {"label": "author"}}


def _decided(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    """A table a correction reserved, a page number, a separator, a note's text, an
    author's note: kind known from the lines alone."""
    g = ctx.groups[i]
    if g.kind not in _AS_IS:
        return None
    if g.kind == "reserved":
        blocks.append(Block("reserved", correction=g.reserved, **_base(g)))
    else:
        kind = "pubnote" if g.kind == "authornote" else g.kind
        blocks.append(Block(kind, text=g.text, **_AS_IS[g.kind], **_base(g)))
    return i + 1


def _caption(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    """A figure's caption (and its source line): the figure itself is not in the text."""
    return _figure(ctx.groups, i, blocks) if _is_caption(ctx.groups[i]) else None


def _short_run(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    """A run of short lines: back matter after the running text, or a title page (two
    lines or more) before it. A single short line is left to the later steps."""
    groups, g = ctx.groups, ctx.groups[i]
    if not _short_line(g) or _numbered_heading(_heading_text(g).s):
        return None
    j = i
    while (j < len(groups) and _short_line(groups[j]) and not _is_caption(groups[j])
           and not _numbered_heading(_heading_text(groups[j]).s)):
        j += 1
    run = groups[i:j]
    if i > ctx.last_prose >= 0:
        for r in run:
            blocks.append(Block("pubnote", text=r.text.strip(), label="back", **_base(r)))
        return j
    if sum(1 for r in run if r.kind != "mdheading") < 2:
        return None
    # A title page: the lines are front matter, except an explicit Markdown heading that
    # closes a longer run ("## Abstract" after the byline).
    tail = run[-1:] if len(run) >= 3 and run[-1].kind == "mdheading" else []
    front = run[: len(run) - len(tail)]
    blocks.append(Block("front", items=[_front_line(r) for r in front],
                        first_line=front[0].first_line, last_line=front[-1].last_line))
    for h in tail:
        t = _heading_text(h)
        blocks.append(Block("heading", text=t, level=heading_level(t.s), **_base(h)))
    return j


def _heading(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    """A Markdown heading (the document's own `# title` is front matter), or a short line
    followed by text."""
    groups, g = ctx.groups, ctx.groups[i]
    if g.kind == "mdheading":
        t = _heading_text(g)
        if i == 0 and g.text.s.startswith("# "):  # the document's own title
            blocks.append(Block("front", items=[_front_line(g)], **_base(g)))
        else:
            blocks.append(Block("heading", text=t, level=heading_level(t.s), **_base(g)))
        return i + 1
    if _short_line(g) and i + 1 < len(groups):
        nxt = groups[i + 1]
        if nxt.kind in ("text", "bullet", "reserved", "mdheading", "notebody"):
            t = _heading_text(g)
            blocks.append(Block("heading", text=t, level=heading_level(t.s), **_base(g)))
            return i + 1
    return None


def _bullets(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    return _list(ctx.groups, i, blocks) if ctx.groups[i].kind == "bullet" else None


def _back_line(ctx: _Context, i: int, blocks: list[Block]) -> int | None:
    """One short line after the running text that is not a sentence: back matter."""
    g = ctx.groups[i]
    if (g.kind == "text" and i > ctx.last_prose >= 0 and len(g.lines) == 1
            and len(g.text.s.strip()) <= BACK_MATTER_MAX and not ends_sentence(g.text.s)):
        blocks.append(Block("pubnote", text=g.text.strip(), label="back", **_base(g)))
        return i + 1
    return None


def _paragraph(ctx: _Context, i: int, blocks: list[Block]) -> int:
    g = ctx.groups[i]
    blocks.append(Block("para", text=g.text.strip(), **_base(g)))
    return i + 1


# In order: the first step that takes a group decides it; a paragraph takes anything.
CLASSIFIERS = (_decided, _caption, _short_run, _heading, _bullets, _back_line, _paragraph)


def _is_caption(g: Group) -> bool:
    """A figure's caption line: `<图1> ...`, `〈图2〉 ...`, `[그림 3] ...` (short; a sentence
    that begins by naming the figure is text)."""
    return (g.kind == "text" and len(g.lines) == 1 and len(g.text.s.strip()) <= HEADING_MAX
            and bool(FIGURE_CAPTION_RE.match(g.text.s)) and not ends_sentence(g.text.s))


def _front_line(g: Group) -> Block:
    t = g.text.strip()
    if g.kind == "mdheading":
        t = _heading_text(g)
    return Block("frontline", text=t, first_line=g.first_line, last_line=g.last_line, group=g)


def _figure(groups: list[Group], i: int, blocks: list[Block]) -> int:
    g = groups[i]
    parts = {"caption": g.text.strip()}
    last = g.last_line
    j = i + 1
    if j < len(groups) and groups[j].kind == "text" and FIGURE_SOURCE_RE.match(groups[j].text.s):
        parts["source"] = groups[j].text.strip()
        last = groups[j].last_line
        j += 1
    blocks.append(Block("figure", parts=parts, first_line=g.first_line, last_line=last, group=g))
    return j


def _list(groups: list[Group], i: int, blocks: list[Block]) -> int:
    """Consecutive bullets make one list; note bodies a page break put between them stay out
    of it (they become footnotes). A lone `* ...` line is a disclaimer, not a list."""
    items: list[Block] = []
    after: list[Block] = []
    j = i
    while j < len(groups):
        g = groups[j]
        if g.kind == "notebody" and items and j + 1 < len(groups) and groups[j + 1].kind == "bullet":
            after.append(Block("notebody", text=g.text, first_line=g.first_line, last_line=g.last_line, group=g))
            j += 1
            continue
        if g.kind != "bullet":
            break
        m = BULLET_RE.match(g.text.s)
        body = g.text[m.end():].strip()
        if items and _continues_item(items[-1], g, body):
            items[-1].text = items[-1].text + MText.inserted(" ") + body
            items[-1].last_line = g.last_line
            items[-1].parts.setdefault("rejoined", []).append(g.first_line)
        else:
            items.append(Block("item", text=body, first_line=g.first_line, last_line=g.last_line,
                               group=g, parts={"marker": g.text.s[:m.end()].strip()}))
        j += 1
    if len(items) == 1 and items[0].parts["marker"] == "*":
        it = items[0]
        blocks.append(Block("pubnote", text=it.text, label="disclaimer", first_line=it.first_line,
                            last_line=it.last_line, group=it.group))
    else:
        blocks.append(Block("list", items=items, first_line=items[0].first_line,
                            last_line=items[-1].last_line))
    blocks.extend(after)
    return j


def _continues_item(prev: Block, g: Group, body: MText) -> bool:
    """A page break can split a list item: the rest comes as a new item after an empty line
    in an otherwise tight list, starting in lower case or after an unfinished item."""
    if g.gap_before.none:
        return False
    s = body.s
    return bool(s) and (s[0].islower() or not ends_sentence(prev.text.s))


def assign_languages(blocks: list[Block]) -> None:
    for b in blocks:
        texts = [b.text.s] if b.text else []
        texts += [it.text.s for it in b.items if it.text]
        texts += [p.s for p in b.parts.values() if isinstance(p, MText)]
        b.lang = dominant_script(" ".join(texts)[:400])  # a sample decides a homogeneous block
        if b.kind == "figure":  # the caption's language; the source line keeps its own
            b.lang = dominant_script(b.parts["caption"].s)
            if "source" in b.parts:
                b.label = dominant_script(b.parts["source"].s)
        for it in b.items:
            it.lang = dominant_script(it.text.s[:400]) if it.text else b.lang
