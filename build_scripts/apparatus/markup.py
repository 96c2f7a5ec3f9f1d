"""How the apparatus pages write a source, an author and a stance: the small Markdown and
HTML pieces the issue pages, the matrix, the author pages, the glossary and the source
pages' positions box share, so they never drift apart.

Attribution follows the metadata exactly: a source without a known author is cited by
its venue and date with "author unknown", never by a name.
"""
from __future__ import annotations

import html

from build_scripts.apparatus.issues import NO_STANCE_LABEL, STANCE_DEFINITIONS, STANCES
from build_scripts.cleaning.corpus import Source
from build_scripts.pages.render import attr, escape_plain
from build_scripts.pages.source_page import page_title


def esc(s) -> str:
    """Editors' text inside Markdown: shown as written."""
    return escape_plain(str(s))


def cell(s) -> str:
    """Text in a Markdown table cell. escape_plain escapes "|" already: a second backslash
    would escape the backslash, and the "|" would end the cell.

    >>> cell("a | b")
    'a \\\\| b'
    """
    return esc(s)


def year(src: Source) -> str:
    return src.meta["date"][:4]


def venue_short(src: Source) -> str:
    v = src.meta.get("venue") or src.meta.get("publisher") or "출처 미상"
    return v.split(" (")[0]


def credit(src: Source) -> str:
    """Who wrote it, as the reader should cite it: names, or venue and "author unknown".

    The op-eds' authors are unknown; they are credited to their venue, never to a name."""
    if src.meta["authors"]:
        return "·".join(a["name"] for a in src.meta["authors"])
    kind = "기고" if src.meta.get("type") == "op-ed" else "게재"
    return f"{venue_short(src)} {kind} (저자 미상)"


def short_citation(src: Source) -> str:
    """`양욱 2024` or `디지털타임스 기고 (저자 미상), 2019-01-27`."""
    if src.meta["authors"]:
        return f"{credit(src)} {year(src)}"
    return f"{credit(src)}, {src.meta['date']}"


def nobr(text: str) -> str:
    """HTML text kept on one line: a date, which a browser would otherwise break after a
    hyphen ("2019-01-" / "27") in a narrow column or at the end of a heading.

    >>> nobr("2019-01-27")
    '<span class="nobr">2019-01-27</span>'
    """
    return f'<span class="nobr">{html.escape(text)}</span>'


def short_citation_md(src: Source) -> str:
    """short_citation as Markdown (or HTML) text, its date kept whole."""
    if src.meta["authors"]:
        return esc(short_citation(src))
    return f"{esc(credit(src))}, {nobr(src.meta['date'])}"


def stance_label(code: str | None, note: str = "") -> str:
    """The stance as a small badge: the Korean label, its definition on hover; a position
    without a code carries the editors' reason (its stance_note) there too.

    >>> stance_label("supports")
    '<span class="stance stance-supports" title="저자가 질문에 &#39;그렇다&#39;고 답한다.">찬성</span>'
    >>> stance_label(None, "핵무장을 논하지 않는다.")
    '<span class="stance stance-none" title="저자가 질문을 다루지만 맞는 코드가 없다. 그 까닭은 편집자의 입장 분류 근거에 적는다. — 입장 분류 근거&#58; 핵무장을 논하지 않는다.">입장 코드 없음</span>'
    """
    title = STANCE_DEFINITIONS[code]
    if not code and note:
        title += f" — 입장 분류 근거: {note}"
    label = STANCES[code][0] if code else NO_STANCE_LABEL
    return f'<span class="stance stance-{code or "none"}" title="{attr(title)}">{label}</span>'


NO_POSITION_NOTE = "이 원문의 입장이 이 쟁점에 정리되지 않았다 (언급은 그 쟁점 쪽의 '모든 언급'에 있다)."


# A matrix cell with no position: a dash for the eye, the words for a screen reader.
NO_POSITION_LABEL = "입장 정리 안 됨"


NO_POSITION = (f'<span class="no-position" title="{NO_POSITION_LABEL}"><span aria-hidden="true">–</span>'
               f'<span class="sr-only">{NO_POSITION_LABEL}</span></span>')


def stance_legend(no_position: bool = False) -> str:
    """What the badges mean, beside them on every page that shows them (issue pages, the
    matrix, author pages, the positions box of source pages): one list, so they never
    drift apart. `no_position` adds the matrix's empty cell.

    >>> print(stance_legend(True).splitlines()[2])
    <dt><span class="stance stance-supports">찬성</span> <span lang="en">supports</span></dt><dd>저자가 질문에 &#x27;그렇다&#x27;고 답한다.</dd>
    """
    rows = [f'<dt><span class="stance stance-{code}">{ko}</span> <span lang="en">{en}</span></dt>'
            f"<dd>{html.escape(STANCE_DEFINITIONS[code])}</dd>" for code, (ko, en) in STANCES.items()]
    rows.append(f'<dt><span class="stance stance-none">{NO_STANCE_LABEL}</span></dt>'
                f"<dd>{html.escape(STANCE_DEFINITIONS[None])}</dd>")
    if no_position:
        rows.append(f'<dt><span class="no-position"><span aria-hidden="true">–</span></span> {NO_POSITION_LABEL}</dt>'
                    f"<dd>{html.escape(NO_POSITION_NOTE)}</dd>")
    return "\n".join(['<dl class="stance-legend" data-ed="">',
                      '<dt class="stance-legend-title">입장 분류 <span lang="en">(stance codes)</span></dt>'
                      "<dd>각 쟁점의 질문에 대한 저자의 답</dd>", *rows, "</dl>"])


def src_link(src: Source, prefix: str = "../") -> str:
    return f"[{esc(page_title(src.meta))}]({prefix}sources/{src.slug}.md)"


def position_anchor(slug: str) -> str:
    return f"pos-{slug}"


def position_item(issue, p, slug: str) -> str:
    """A position as a list item (author pages, a source page's positions box): the issue
    linked to the position on its page, the stance badge, the editors' summary."""
    return (f"- [{esc(issue.names['ko'])}](../issues/{issue.id}.md#{position_anchor(slug)}) — "
            f"{stance_label(p.stance, p.stance_note)}: {esc(p.summary)}")
