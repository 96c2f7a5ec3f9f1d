"""The authors: one entry per person across the sources, one per source whose author is
unknown (never merged: nobody knows they are one), and a page for each with their
sources and their positions on the issues."""
from __future__ import annotations

from dataclasses import dataclass, field

from build_scripts.apparatus.issues import Issue
from build_scripts.apparatus.markup import esc, position_item, src_link, stance_legend, venue_short
from build_scripts.cleaning import corpus
from build_scripts.cleaning.corpus import Source, reading_order
from build_scripts.pages.render import front_matter


@dataclass
class Author:
    id: str
    name: str
    names: list[str]
    affiliation: str
    sources: list[Source] = field(default_factory=list)
    unattributed: bool = False


def author_id(a: dict, src: Source, i: int) -> str:
    """An explicit `id`, else the romanised name, else the source and position; checked
    (pattern, reserved names, one person per id) by corpus.check_authors when loading."""
    return corpus.author_id(a, src.slug, i)


def collect_authors(sources: list[Source]) -> dict[str, Author]:
    """One entry per person (one person may write several sources), and one per source
    whose author is unknown: those are never merged, since nobody knows they are one."""
    out: dict[str, Author] = {}
    for src in sorted(sources, key=reading_order):
        if not src.meta["authors"]:
            aid = f"unattributed-{src.slug}"
            out[aid] = Author(aid, f"{venue_short(src)} {src.meta['date']} (저자 미상)", [], "", [src], True)
            continue
        for i, a in enumerate(src.meta["authors"]):
            aid = author_id(a, src, i)
            if aid not in out:
                names = [a["name"]] + [a[k] for k in ("name_en", "name_zh", "name_ko") if a.get(k)]
                aff = " / ".join(a[k] for k in ("affiliation", "affiliation_en") if a.get(k))
                out[aid] = Author(aid, a["name"], names, aff)
            out[aid].sources.append(src)
    return out


def authors_of(src: Source, authors: dict[str, Author]) -> list[Author]:
    return [a for a in authors.values() if src in a.sources]


def render_author(a: Author, issues: list[Issue]) -> str:
    title = a.name
    what = (f"{venue_short(a.sources[0])} {a.sources[0].meta['date']} 기고문(저자 미상)" if a.unattributed
            else f"{a.name}의 원문 {len(a.sources)}편")
    out = [front_matter(title, description=f"{what}과 쟁점별 입장."), "", f"# {esc(title)}", ""]
    if a.unattributed:
        src = a.sources[0]
        out += [f"이 글의 저자는 알려져 있지 않다. {esc(venue_short(src))}에 {src.meta['date']}에 실린 "
                "기고문으로만 인용한다.", ""]
        if src.meta.get("affiliation_inferred"):
            out += [f"본문 끝 주기로 보아 소속은 {esc(src.meta['affiliation_inferred'])}으로 추정되지만, "
                    "이름은 알 수 없다.", ""]
    else:
        if len(a.names) > 1:
            out += [" · ".join(esc(n) for n in a.names), ""]
        if a.affiliation:
            out += [f"소속: {esc(a.affiliation)}", ""]
    out += ["## 원문 <span lang=\"en\">(Sources)</span> {: .no-index }", ""]
    for s in a.sources:
        out.append(f"- {src_link(s)} — {s.meta['date']}, {esc(venue_short(s))}")
    out += ["", "## 쟁점별 입장 <span lang=\"en\">(Positions)</span> {: .no-index }", ""]
    any_pos = False
    for s in a.sources:
        for i in issues:
            for p in i.positions:
                if p.slug == s.slug:
                    any_pos = True
                    out.append(position_item(i, p, s.slug))
    if not any_pos:
        out.append("아직 쟁점 쪽에 정리된 입장이 없다.")
    else:
        out += ["", stance_legend()]
    out.append("")
    return "\n".join(out)


def render_authors_index(authors: dict[str, Author]) -> str:
    out = [front_matter("저자", description="이 판에 실린 원문의 저자와 저자 미상 기고문 목록."), "", "# 저자 <span lang=\"en\">(Authors)</span>", "",
           "저자가 알려지지 않은 글은 저자 이름 대신 게재처와 날짜로 따로 싣는다.", ""]
    for a in sorted(authors.values(), key=lambda a: (a.unattributed, a.name)):
        srcs = ", ".join(f"{s.meta['date'][:4]}" for s in a.sources)
        out.append(f"- [{esc(a.name)}]({a.id}.md) — 원문 {len(a.sources)}편 ({srcs})")
    out.append("")
    return "\n".join(out)
