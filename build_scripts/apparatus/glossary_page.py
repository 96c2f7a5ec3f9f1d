"""The glossary page: each abbreviation of corpus/glossary.yml in English, Korean and
Chinese, and the sources whose text uses it. (The tooltips on every page are
glossary_markdown's; the entries are read by glossary.)"""
from __future__ import annotations

from build_scripts.apparatus.glossary import Entry
from build_scripts.apparatus.glossary_markdown import abbr_pattern
from build_scripts.apparatus.markup import cell, short_citation_md
from build_scripts.cleaning.corpus import Source, ascii_slug, reading_order
from build_scripts.pages.render import front_matter


def render_glossary(entries: list[Entry], sources: list[Source], paragraphs: dict[str, list[dict]]) -> str:
    out = [front_matter("용어집", description="원문에 나오는 약어의 영어·한국어·중국어 풀이와 그 약어가 나오는 원문."), "", "# 용어집 <span lang=\"en\">(Glossary)</span>", "",
           "원문에 나오는 약어를 영어, 한국어, 중국어로 풀었다. 사이트 어디서든 약어에 마우스를 올리면 같은 풀이가 뜬다. "
           "'원문'은 그 약어가 본문에 나오는 글이다.", "",
           # The wrapper lets a phone show each entry as a card (edition.css).
           '<div class="glossary-table" markdown="1">', "",
           "| 약어 | English | 한국어 | 中文 | 원문 |", "|---|---|---|---|---|"]
    srcs = sorted(sources, key=reading_order)
    for e in sorted(entries, key=lambda e: e.abbr.lower()):
        rx = abbr_pattern([e.abbr])
        where = [s for s in srcs if any(rx.search(p["text"]) for p in paragraphs[s.slug])]
        # Links to the sources, not the entry's words: not indexed (a search for an author's
        # name should not bring up the glossary).
        links = ", ".join(f"[{short_citation_md(s)}](sources/{s.slug}.md)" for s in where) or "·"
        links = f'<span class="no-index">{links}</span>'
        note = f"<br><small>{cell(e.note)}</small>" if e.note else ""
        out.append(f"| **{cell(e.abbr)}** {{: #{ascii_slug(e.abbr)} }} | <span lang=\"en\">{cell(e.en)}</span> | "
                   f"{cell(e.ko)}{note} | <span lang=\"zh\">{cell(e.zh)}</span> | {links} |")
    out += ["", "</div>", ""]
    return "\n".join(out)
