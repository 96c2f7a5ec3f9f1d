"""Generalisation: paragraphs of one seed, re-extracted in another seed's style, come back whole.

The cleaning was tuned on five extractions; these tests feed it text it was not tuned to:
each seed's paragraphs re-wrapped as the other seeds' extractions wrap theirs.
"""
import re

import pytest

from build_scripts.cleaning.chardata import is_han
from build_scripts.cleaning.clean import dominant_script
from build_scripts.cleaning.corpus import load_source
from build_scripts.cleaning.notes import TOKEN_RE
from build_scripts.cleaning.pipeline import clean_source
from build_scripts.cleaning.segment import detect_style, group_lines, mend_page_joins, split_lines
from build_scripts.cleaning.structure import classify
from tests.conftest import CORPUS

WIDTH = 46


def paragraphs(slug):
    src = load_source(CORPUS / "sources" / slug)
    out = []
    for b in clean_source(src).blocks:
        if b.kind == "para":
            t = TOKEN_RE.sub("", b.text.s)
            if len(t) > 60:
                out.append(re.sub(r"\s+", " ", t).strip())
    return out


def wrap(p, width=WIDTH):
    """Break a paragraph into lines as a PDF extraction does: Korean and English at spaces
    (the space stays at the line end), Chinese between two Chinese characters."""
    lines, cur = [], ""
    for i, ch in enumerate(p):
        cur += ch
        nxt = p[i + 1] if i + 1 < len(p) else ""
        breakable = ch == " " or (is_han(ch) and nxt and is_han(nxt))
        if len(cur) >= width and breakable:
            lines.append(cur)
            cur = ""
    if cur:
        lines.append(cur)
    return lines


def style_000(paras):   # every line then an empty line; a line of spaces between paragraphs
    return "".join("".join(l + ("" if l.endswith(" ") else "") + "\n\n" for l in wrap(p)) + "  \n\n" for p in paras)


def style_003(paras):   # lines end in one space, the paragraph's last line in two
    out = []
    for p in paras:
        ls = wrap(p)
        ls = [l if l.endswith(" ") else l + ("" if is_han(l[-1]) else " ") for l in ls]
        ls[-1] = ls[-1].rstrip() + "  "
        out.append("\n\n".join(ls))
    return "\n\n".join(out) + "\n"


def style_002(paras):   # one line per paragraph
    return "\n\n".join(paras) + "\n"


def style_004(paras):   # one line per paragraph; page breaks cut sentences, notes spliced in
    out, n = [], 0
    for k, p in enumerate(paras):
        if k % 2 == 0 and len(p) > 120:
            cut = len(p) // 2
            # a page break that cuts a sentence (one that falls after a full stop cannot
            # be told from a paragraph break by anyone)
            zh = dominant_script(p) == "zh"   # Chinese breaks between characters, not at spaces
            while cut < len(p) - 1 and not (((p[cut] == " " and not zh) or (is_han(p[cut - 1]) and is_han(p[cut])))
                                            and p[cut - 1] not in ".。!?！？" and p[cut - 2] not in ".。!?！？"):
                cut += 1
            n += 1
            out.append(p[:cut].rstrip())
            out.append(f"{n}) 参见 Snyder (1984), pp.461-495。")
            out.append(p[cut:].lstrip())
        else:
            out.append(p)
    return "\n\n".join(out) + "\n"


def reparse(text, markdown=False):
    lines = split_lines(text)
    style = detect_style(lines, markdown)
    blocks = classify(mend_page_joins(group_lines(lines, style, {}), style), markdown)
    return [re.sub(r"\s+", " ", b.text.s).strip() for b in blocks if b.kind == "para"]


SEEDS = ["2019-digitaltimes-alliance-two-storms", "2024-segye-alliance-nuclear-deterrence",
         "2025-son-alliance-modernization", "2024-yang-trump-second-term-alliance",
         "2025-gu-kim-alliance-diplomatic-dilemma"]
STYLES = {"000-wrapped-spaces-line": style_000, "003-wrapped-trailing-spaces": style_003,
          "002-one-line-per-paragraph": style_002, "004-page-breaks-and-notes": style_004}


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("seed", SEEDS)
def test_every_paragraph_comes_back_whole(seed, style):
    paras = paragraphs(seed)[:12]
    assert len(paras) >= 5
    text = STYLES[style](paras)
    got = reparse(text, markdown=False)
    if style == "004-page-breaks-and-notes":
        got = [g for g in got if not re.match(r"^\d+\) 参见", g)]
    assert got == paras


def test_styles_really_differ():
    paras = paragraphs(SEEDS[0])[:3]
    assert detect_style(split_lines(style_000(paras)), False).wrapped
    assert not detect_style(split_lines(style_002(paras)), False).wrapped
