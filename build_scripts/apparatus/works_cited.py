"""The works the sources cite, on one page.

Three kinds of reference occur in the corpus:

* notes that each cite one work (002): `Victor Cha and Andy Lim, “Trump’s Prism: ...” (CSIS, ...)`;
* a reference list (004's 参考文献): `Glenn H. Snyder.(1984). The Security Dilemma ... pp.461-495.`;
* author-date citations in the running text (004): `(Snyder,1984,pp.461-495)`,
  `(“Trump Harps on Korea’s Defense Spending”, 2019)`, `(이근욱, 2009, p.42)`.

A work is identified by its title (letters only, case folded), so the same work cited in two
notes, or by two sources, is listed once, with a link to every place that cites it. The
entries are shown as the sources print them: the authors' own words, never rewritten.
In-text citations are linked to their entry in the reference list; one with no entry is
reported in the build log and listed on the page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from build_scripts.citations.cite import URL_RE
from build_scripts.cleaning.fidelity import letters
from build_scripts.cleaning.structure import in_reference_list
from build_scripts.pages.render import escape_plain, front_matter, url_attr
from build_scripts.apparatus.markup import short_citation

QUOTED_RE = re.compile(r"[“\"「『‘]\s*(.+?)\s*[”\"」』’]")
# "Author.(2019). Title. Rest" and "Author. (1991). Title" — the reference-list form.
ENTRY_RE = re.compile(r"^(?P<who>(?:[^()]|\(eds?\.\))+?)\.?\s*\((?P<when>[^()]*?(?P<year>1[89]\d\d|20\d\d)[^()]*?)\)\.?\s*(?P<rest>.+)$")
# (Snyder,1984,pp.461-495) · (Stephen M. Walt, 2025) · (“Title”, 2019) · (이근욱, 2009, p.42)
IN_TEXT_RE = re.compile(r"\(\s*(?P<who>“[^”]+”|[^(),“”]{2,40}?)\s*,\s*(?P<year>1[89]\d\d|20\d\d)\s*(?:,\s*(?P<loc>[^()]{1,40}))?\)")


@dataclass
class Place:
    slug: str
    kind: str          # note | reference | in-text
    label: str         # "주 1", "참고문헌 ¶52", "본문 ¶12"
    href: str          # docs-relative link: ../sources/<slug>.md#...
    text: str = ""


@dataclass
class Work:
    key: str
    display: str
    year: str
    places: list[Place] = field(default_factory=list)
    entry_anchor: dict = field(default_factory=dict)   # slug -> anchor of its reference-list entry


@dataclass
class InText:
    slug: str
    paragraph: str
    number: int
    raw: str           # the citation as printed, brackets included
    who: str
    year: str
    work: Work | None = None


@dataclass
class WorksCited:
    works: list[Work]
    in_text: list[InText]
    explanatory: list[tuple[str, int]]    # (slug, note number): notes that cite no work
    missing_notes: list[str]              # sources whose notes are not in the extraction

    @property
    def unmatched(self) -> list[InText]:
        return [c for c in self.in_text if c.work is None]


def key_of(title: str) -> str:
    return letters(title).casefold()


def title_of_note(text: str) -> str | None:
    """The quoted title in a note that cites a work; None for an explanatory note."""
    m = QUOTED_RE.search(text)
    return m.group(1).rstrip(",.") if m and len(letters(m.group(1))) >= 4 else None


def parse_entry(text: str) -> tuple[str, str, str] | None:
    """(authors, year, title) of a reference-list entry.

    >>> parse_entry("Glenn H. Snyder.(1984). The Security Dilemma in Alliance Politics. World Politics, Vol.36 No.4.")
    ('Glenn H. Snyder', '1984', 'The Security Dilemma in Alliance Politics')
    >>> parse_entry("이근욱.(2009). 왈츠 이후: 국제정치이론의 변화와 발전. 서울: 한울아카데미.p.42.")[2]
    '왈츠 이후: 국제정치이론의 변화와 발전'
    """
    m = ENTRY_RE.match(text.strip())
    if not m:
        return None
    rest = m.group("rest").strip()
    q = QUOTED_RE.match(rest)
    if q:
        title = q.group(1)
    else:
        # The title runs to the first full stop that ends a sentence ("?." and "." both).
        t = re.match(r"(.+?[^.A-Z])[.．](?:\s|$|(?=[*A-Z가-힣一-龥]))", rest)
        title = t.group(1) if t else rest
    return m.group("who").strip(), m.group("year"), title.strip().rstrip(".,")


def _href(slug: str, frag: str) -> str:
    return f"sources/{slug}.md#{frag}"  # from works-cited.md, at the top of the site


def _source_label(src) -> str:
    return short_citation(src)


def collect(slugs: list[str], pages: dict) -> WorksCited:
    """slugs: the sources in order; pages: slug -> (paragraph records, note records)."""
    works: dict[str, Work] = {}
    in_text: list[InText] = []
    explanatory: list[tuple[str, int]] = []
    missing: list[str] = []

    def work_for(title: str, display: str, year: str) -> Work:
        k = key_of(title)
        w = works.get(k)
        if w is None:
            w = works[k] = Work(k, display, year)
        elif len(display) > len(w.display):
            w.display = display   # the fullest form (e.g. the one with the URL)
        return w

    for slug in slugs:
        paragraphs, notes = pages[slug]
        if notes and all(n["text"] is None for n in notes):
            missing.append(slug)
        # The reference list: list items under a references heading.
        entries: list[tuple[dict, tuple[str, str, str]]] = []
        for p in paragraphs:
            if not in_reference_list(p["section"]):
                continue
            parsed = parse_entry(p["text"])
            if parsed is None and entries:
                # A page break split the entry in the extraction ("- pp.1124-1126."): it
                # belongs to the entry before.
                prev, pe = entries[-1]
                entries[-1] = ({**prev, "text": prev["text"] + " " + p["text"]}, pe)
                continue
            if parsed is not None:
                entries.append((p, parsed))
        ref_works: list[tuple[Work, str, str]] = []   # (work, authors, year)
        for p, (who, year, title) in entries:
            w = work_for(title, p["text"], year)
            w.entry_anchor[slug] = p["anchor"]
            w.places.append(Place(slug, "reference", f"참고문헌 ¶{p['number']}", _href(slug, p["anchor"])))
            ref_works.append((w, who, year))
        # Notes: a note citing one work (its quoted title), or notes that cite entries of
        # the reference list by title.
        for n in notes:
            if n["text"] is None:
                continue
            hits = [w for w, _, _ in ref_works if len(w.key) >= 8 and w.key in key_of(n["text"])]
            if hits:
                for w in hits:
                    w.places.append(Place(slug, "note", f"주 {n['number']}", _href(slug, f"fn:{n['number']}")))
                continue
            title = title_of_note(n["text"])
            if title is None:
                explanatory.append((slug, n["number"]))
                continue
            year = (re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", URL_RE.sub("", n["text"])) or [""])[-1]
            w = work_for(title, n["text"], year)
            w.places.append(Place(slug, "note", f"주 {n['number']}", _href(slug, f"fn:{n['number']}")))
        # Author-date citations in the running text.
        if not ref_works:
            continue
        for p in paragraphs:
            if in_reference_list(p["section"]):
                continue
            for m in IN_TEXT_RE.finditer(p["text"]):
                c = InText(slug, p["anchor"], p["number"], m.group(0), m.group("who").strip(), m.group("year"))
                c.work = _match(c, ref_works)
                in_text.append(c)
                if c.work is not None:
                    c.work.places.append(Place(slug, "in-text", f"본문 ¶{p['number']}",
                                               _href(slug, p["anchor"]), c.raw))
    ordered = sorted(works.values(), key=lambda w: (_script_rank(w.display), w.display.casefold()))
    return WorksCited(ordered, in_text, explanatory, missing)


def _script_rank(s: str) -> int:
    first = next((ch for ch in s if ch.isalpha()), "a")
    return 0 if first.isascii() else 1 if "\uac00" <= first <= "\ud7a3" else 2


def _match(c: InText, ref_works: list[tuple[Work, str, str]]) -> Work | None:
    if c.who.startswith("“"):
        k = key_of(c.who)
        for w, _, year in ref_works:
            if year == c.year and (k in w.key or w.key in k) and min(len(k), len(w.key)) >= 6:
                return w
        return None
    # Names: every name token of the citation must stand among the entry's authors.
    tokens = [t for t in re.split(r"[\s&,]+|\band\b", c.who) if t and t not in ("et", "al", "al.")]
    for w, who, year in ref_works:
        if year != c.year:
            continue
        authors = letters(who).casefold()
        if tokens and all(letters(t).casefold() in authors for t in tokens):
            return w
    return None


# --- the page and the links -------------------------------------------------------------

def render(wc: WorksCited, sources_by_slug: dict) -> str:
    # The entries are the sources' own text (as a reader sees it: Markdown syntax of a
    # Markdown source is already gone): escaped exactly as the body of a plain-text source.
    e = escape_plain
    out = [front_matter("인용 문헌", description="원문들이 각주와 참고문헌에서 인용한 문헌을 원문에 적힌 그대로 모은 목록."), "",
           '# 인용 문헌 <span lang="en">(Works cited)</span>', "",
           "원문들이 각주와 참고문헌에서 인용한 문헌을 한곳에 모은다. 각 항목은 원문에 적힌 그대로 싣고(같은 문헌이 "
           "여러 번 인용되면 가장 자세한 형태 하나), 그 문헌을 인용한 각주, 참고문헌 항목, 본문의 저자-연도 인용으로 "
           "이어진다. 같은 제목의 문헌은 한 번만 싣는다.", ""]
    for slug in wc.missing_notes:
        out.append(f"- {e(_source_label(sources_by_slug[slug]))}의 각주는 추출본에 번호만 있고 본문이 없어 "
                   "여기 실리지 않는다. <span lang=\"en\">(Its notes are not in the extraction.)</span>")
    if wc.missing_notes:
        out.append("")
    out.append(f"문헌 {len(wc.works)}건. <span lang=\"en\">({len(wc.works)} works.)</span>")
    out.append("")
    for w in wc.works:
        body = _linkify(w.display, e)
        by_src: dict[str, list[Place]] = {}
        for p in w.places:
            by_src.setdefault(p.slug, []).append(p)
        cited = "; ".join(
            f"{e(_source_label(sources_by_slug[slug]))}: " + " · ".join(f"[{e(p.label)}]({p.href})" for p in ps)
            for slug, ps in by_src.items())
        out.append(f"- {body}  \n  <span class=\"cited-by\">인용: {cited}</span>")
    out.append("")
    if wc.in_text:
        out += ['## 참고문헌에 없는 본문 인용 <span lang="en">(in-text citations with no entry)</span>', ""]
        if wc.unmatched:
            out.append("본문의 저자-연도 인용 가운데 참고문헌 목록에서 짝을 찾지 못한 것이다. 이름이나 연도가 목록과 "
                       "다르거나 목록에 빠진 문헌이다. 원문 그대로 둔다.")
            out.append("")
            for c in wc.unmatched:
                # Not a code span: a backtick in the citation would end it.
                out.append(f"- {e(_source_label(sources_by_slug[c.slug]))} "
                           f"[¶{c.number}]({_href(c.slug, c.paragraph)}): <code>{e(c.raw)}</code>")
        else:
            out.append("모든 본문 인용이 참고문헌 항목과 이어진다.")
        out.append("")
    if wc.explanatory:
        out += ['## 설명 각주 <span lang="en">(explanatory notes)</span>', "",
                "문헌을 인용하지 않고 내용을 풀이하는 각주는 여기 싣지 않는다: " +
                ", ".join(f"[{e(_source_label(sources_by_slug[s]))} 주 {n}]({_href(s, f'fn:{n}')})" for s, n in wc.explanatory)
                + ".", ""]
    return "\n".join(out)


def _linkify(s: str, escape) -> str:
    """The entry as printed, its addresses made clickable (the source's own angle
    brackets around them stay, as printed)."""
    out, i = [], 0
    for m in URL_RE.finditer(s):
        out.append(escape(s[i:m.start()]))
        out.append(f'<a href="{url_attr(m.group(0))}">{escape(m.group(0))}</a>')
        i = m.end()
    out.append(escape(s[i:]))
    return "".join(out)


def in_text_links(slug: str, paragraphs: list[dict], notes: list[dict]) -> dict[str, list[tuple[str, str, str]]]:
    """The author-date citations of one source's running text that have an entry in its
    own reference list, for its page (source_page.render_parts): paragraph anchor ->
    [(the citation without its brackets, the entry's paragraph anchor, the entry's text)].
    It depends on the source alone, so it is cached with the page."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for c in collect([slug], {slug: (paragraphs, notes)}).in_text:
        if c.work is not None and slug in c.work.entry_anchor:
            out.setdefault(c.paragraph, []).append((c.raw[1:-1], c.work.entry_anchor[slug], c.work.display[:120]))
    return out
