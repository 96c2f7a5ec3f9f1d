"""What the issue pages say about a source, gathered as data for its page (rendered once,
last, by pages.source_page): the box of positions it takes, and after each quoted
paragraph a control listing the issue pages that quote it."""
from __future__ import annotations

from build_scripts.apparatus.issues import Issue, Position
from build_scripts.apparatus.markup import esc, position_anchor, position_item, stance_legend


def backlinks_control(anchor: str, links: list[tuple[str, str]]) -> str:
    """The issue pages that quote a paragraph, as one small control at its end: an icon and
    a count that opens the list. A native popover (no script; it sits inside the paragraph's
    <p>, where a <details> may not); a browser without popovers shows the list inline.

    >>> print(backlinks_control("p-1", [("방위비", "../issues/x.md#pos-a")]))  # doctest: +NORMALIZE_WHITESPACE
     <span class="backlinks" data-ed=""><button type="button" class="backlinks-toggle" popovertarget="bl-p-1"><span
     aria-hidden="true">↗</span><span class="sr-only">이 문단을 인용한</span> 쟁점 1개</button><span
     class="backlinks-list" id="bl-p-1" popover="auto"><strong>이 문단을 인용한 쟁점</strong>
     [방위비](../issues/x.md#pos-a)</span></span>
    """
    # One name, the button's own text, said once: "이 문단을 인용한 쟁점 2개", of which
    # "쟁점 2개" is shown (a voice-control user says what is shown). No title: it repeated
    # the name as a description, read a second time.
    items = " · ".join(f"[{text}]({href})" for text, href in links)
    return (f' <span class="backlinks" data-ed=""><button type="button" class="backlinks-toggle" '
            f'popovertarget="bl-{anchor}"><span aria-hidden="true">↗</span>'
            f'<span class="sr-only">이 문단을 인용한</span> 쟁점 {len(links)}개</button>'
            f'<span class="backlinks-list" id="bl-{anchor}" popover="auto">'
            f"<strong>이 문단을 인용한 쟁점</strong> {items}</span></span>")


def source_extras(issues: list[Issue]) -> dict[str, tuple[str, dict[str, str]]]:
    """What the issue pages say about each source, for its page (source_page.PageExtras):
    slug -> (the box of positions it takes, and for each quoted paragraph the issue pages
    that quote it: paragraph anchor -> Markdown put after the paragraph's text)."""
    quoted: dict[str, dict[str, list[Issue]]] = {}
    mine: dict[str, list[tuple[Issue, Position]]] = {}
    for i in issues:
        for p in i.positions:
            mine.setdefault(p.slug, []).append((i, p))
            for q in p.quotes:
                lst = quoted.setdefault(p.slug, {}).setdefault(q.paragraph["anchor"], [])
                if i not in lst:
                    lst.append(i)
    out = {}
    for slug in mine:
        backlinks = {}
        for anchor, lst in quoted.get(slug, {}).items():
            backlinks[anchor] = backlinks_control(anchor, [(esc(i.names["ko"]), f"../issues/{i.id}.md#{position_anchor(slug)}")
                                                           for i in lst])
        items = [position_item(i, p, slug) for i, p in sorted(mine[slug], key=lambda x: x[0].names["ko"])]
        box = ('<div class="source-positions" data-ed="" markdown="1">\n\n'
               "**쟁점 쪽에 실린 이 글의 입장** <span lang=\"en\">(positions in the issue pages)</span>\n\n"
               + "\n".join(items) + "\n\n" + stance_legend() + "\n\n</div>")
        out[slug] = (box, backlinks)
    return out
