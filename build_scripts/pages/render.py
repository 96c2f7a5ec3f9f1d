"""Stage 6: blocks -> the Markdown page MkDocs renders.

Source text is data. In a plain-text source every character that Markdown or HTML would
read as syntax (`*`, `_`, `#`, `[`, `|`, `<`, `&` ...) is escaped, so it shows as written.
A source whose metadata says `format: markdown` keeps a safe subset: emphasis, backslash
escapes, `<https://...>` links and `$...$` math (rendered to MathML at build time, no
script). Raw HTML never passes through, whatever the format.

Everything the editors add (header, paragraph numbers, notices, ledger) carries the
attribute `data-ed`, so readers' tools and the fidelity check can tell it from the text.
"""
from __future__ import annotations

import functools
import html
import re

import yaml

from build_scripts.cleaning.notes import TOKEN_RE, Note
from build_scripts.cleaning.structure import Block
from build_scripts.cleaning.textmap import MText

FOOTNOTES_HERE = "///Footnotes Go Here///"
PLAIN_ESCAPES = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "{": "\\{", "}": "\\}",
    "[": "\\[", "]": "\\]", "#": "\\#", "|": "\\|", "!": "\\!",
    "<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": " ", "\r": " ",
}
AUTOLINK_RE = re.compile(r"<(https?://[^\s<>]+)>")
# $...$ as in TeX: not after a backslash (\$1.3 is a dollar), no space just inside the dollars.
MATH_RE = re.compile(r"(?<![\\$])\$(?=[^\s$])([A-Za-z0-9_^{}\s+\-=,.()\\]{1,60}?)(?<=[^\s\\])\$(?!\d)")
BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC_RE = re.compile(r"(?<![*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?!\*)")
ED = 'data-ed=""'


def escape_plain(s: str) -> str:
    """Escape everything Markdown or HTML would read as syntax.

    >>> escape_plain("<script>alert(1)</script> *a* [x](javascript:y) #1 a|b & _c_")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\\\*a\\\\* \\\\[x\\\\](javascript:y) \\\\#1 a\\\\|b & \\\\_c\\\\_'
    >>> escape_plain("R&D, &lt; &#60; &amp")
    'R&D, &amp;lt; &amp;\\\\#60; &amp'
    >>> escape_plain("a\\r=b\\nc")   # Markdown reads a carriage return as a line break
    'a =b c'
    """
    # A bare "&" (R&D, Ashley&Burcu) stays: Markdown writes it out as &amp; itself, and an
    # abbreviation like R&D is then found in the text. Only an "&" that would read as a
    # character reference (&lt;, &#60;) is escaped, so the source's letters show as typed.
    out = _PLAIN_RE.sub(lambda m: PLAIN_ESCAPES[m.group()], s)
    # A block must not start like a list or an ordered list when it is text.
    out = re.sub(r"^([-+])(\s)", r"\\\1\2", out)
    return re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", out)


# Markdown reads its syntax inside an inline tag's attributes too (a link, a code span,
# a table's "|"): in an attribute, these are character references, which it leaves alone.
_ATTR_SPECIAL = set("&<>\"'`*_[](){}|\\#!~^:")


def attr(s) -> str:
    """Text for an HTML attribute anywhere in the Markdown: shown as written.

    >>> attr('a "b" [c](d) | x')
    'a &#34;b&#34; &#91;c&#93;&#40;d&#41; &#124; x'
    >>> attr('x" onclick="alert(1)')
    'x&#34; onclick=&#34;alert&#40;1&#41;'
    """
    return "".join(f"&#{ord(c)};" if c in _ATTR_SPECIAL else c for c in str(s))


def url_attr(url: str) -> str:
    """An http(s) address for an href anywhere in the Markdown: as attr(), its scheme's ':'
    left readable (no Markdown syntax starts with it).

    >>> url_attr("https://x.org/a_b*c[d]?q=1&r='2'")
    'https://x.org/a&#95;b&#42;c&#91;d&#93;?q=1&#38;r=&#39;2&#39;'
    """
    return "".join(f"&#{ord(c)};" if c in _ATTR_SPECIAL and c != ":" else c for c in str(url))


NOTES_MISSING_ID = "notes-missing"


def _footnote_refs(s: str, missing: frozenset = frozenset()) -> str:
    """Note tokens -> footnote references. Text that spells the footnotes' place marker gets
    a character reference in it: the footnotes would move there, and the text would be lost.
    A note whose text is not in the source (its number in `missing`) links to the one
    statement that says so for all of them (render_notes), not to a note of its own.

    >>> _footnote_refs("a\ue0003\ue001 ///Footnotes Go Here///")
    'a[^3] &#47;//Footnotes Go Here///'
    >>> _footnote_refs("a\ue0004\ue001", frozenset({"4"}))
    'a<sup class="note-missing-ref" data-ed=""><a class="footnote-ref" href="#notes-missing">4</a></sup>'
    """
    def ref(m):
        if m.group(1) in missing:
            return (f'<sup class="note-missing-ref" {ED}><a class="footnote-ref" href="#{NOTES_MISSING_ID}">'
                    f"{m.group(1)}</a></sup>")
        return f"[^{m.group(1)}]"
    return TOKEN_RE.sub(ref, s).replace(FOOTNOTES_HERE, "&#47;" + FOOTNOTES_HERE[1:])


@functools.lru_cache(maxsize=1024)
def _math(tex: str) -> str | None:
    """MathML for a formula; None when it is not valid TeX: the formula is then shown as
    the text it is (corpus.load_source logs the line)."""
    return _convert(tex)[0]


def _convert(tex: str) -> tuple[str | None, str]:
    from latex2mathml.converter import convert
    try:
        return convert(tex.strip()), ""
    except Exception as e:  # noqa: BLE001 - any failure of the converter means "not a formula it can render"
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(e).__name__.removesuffix("Error")).lower()
        return None, words + (f": {e}" if str(e) else "")


def invalid_formulas(text: str) -> list[tuple[int, str, str]]:
    """(offset, formula, why) of each `$...$` of a Markdown source that is not valid TeX.

    >>> invalid_formulas("ok $X_m$, bad $a_$ and $\\\\left(x$.")
    [(14, 'a_', 'missing super script or subscript'), (23, '\\\\left(x', 'extra left or missing right')]
    """
    out = []
    for m in MATH_RE.finditer(text):
        mathml, why = _convert(m.group(1))
        if mathml is None:
            out.append((m.start(), m.group(1), why))
    return out


def inline(t: MText | str, markdown: bool, missing: frozenset = frozenset()) -> str:
    """Source text -> safe Markdown for one block.

    >>> inline("**도전요인:** <b>x</b> \\\\* 顾 $X_m$", True).split(" display")[0]
    '**도전요인:** &lt;b&gt;x&lt;/b&gt; \\\\* 顾 <math xmlns="http://www.w3.org/1998/Math/MathML"'
    >>> inline("$a_$ and $\\\\left(x$", True)
    '$a\\\\_$ and $\\\\\\\\left(x$'
    """
    s = t.s if isinstance(t, MText) else t
    s = s.strip()
    if not markdown:
        return _footnote_refs(escape_plain(s), missing)
    out, i = [], 0
    protected = []  # (start, end, rendered) spans that pass through as given

    for rx, fn in ((AUTOLINK_RE, lambda m: f"<{m.group(1)}>"),
                   (MATH_RE, lambda m: _math(m.group(1)))):
        for m in rx.finditer(s):
            if not any(a <= m.start() < z for a, z, _ in protected):
                rendered = fn(m)
                if rendered is not None:   # invalid TeX stays text, escaped like the rest
                    protected.append((m.start(), m.end(), rendered))
    protected.sort()
    text_parts = []
    for a, z, rendered in protected + [(len(s), len(s), "")]:
        text_parts.append(_md_text(s[i:a]))
        text_parts.append(rendered)
        i = z
    out = "".join(text_parts)
    out = re.sub(r"^([-+])(\s)", r"\\\1\2", out)
    return _footnote_refs(out, missing)


# As in plain text, a bare "&" stays and only one that would start a character reference is escaped.
_ENTITY_AMP = r"&(?=#?[0-9A-Za-z]+;)"
_PLAIN_RE = re.compile(_ENTITY_AMP + r"|[\\`*_{}\[\]#|!<>\n\r]")
MD_SPECIAL_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>&$~^'\"])|" + _ENTITY_AMP + r"|[\\`*_{}\[\]#|!<>\n\r]")


def _md_text(s: str) -> str:
    """Text of a Markdown source: keep emphasis and backslash escapes, escape the rest."""
    keep = set()
    for m in BOLD_RE.finditer(s):
        keep.update((m.start(), m.start() + 1, m.end() - 2, m.end() - 1))
    for m in ITALIC_RE.finditer(s):
        keep.update((m.start(), m.end() - 1))

    def sub(m: re.Match) -> str:
        if m.group(1) is not None:          # a backslash escape: the character itself
            c = m.group(1)
            return PLAIN_ESCAPES.get(c, c)
        c = m.group()
        return c if c == "*" and m.start() in keep else PLAIN_ESCAPES.get(c, c)
    return MD_SPECIAL_RE.sub(sub, s)


def plain_text(t: MText | str, markdown: bool) -> str:
    """The words of a block as a reader sees them: no note markers, no Markdown syntax.
    Issue pages quote and search this text.

    >>> plain_text("**도전요인:** 비용 \\\\$1.3 증가\ue0003\ue001", True)
    '도전요인: 비용 $1.3 증가'
    """
    s = t.s if isinstance(t, MText) else t
    s = TOKEN_RE.sub("", s).strip()
    if markdown:
        s = BOLD_RE.sub(r"\1", s)
        s = ITALIC_RE.sub(r"\1", s)
        s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>&$~^'\"])", r"\1", s)
    return re.sub(r"\s+", " ", s)


def _attr_lang(lang: str) -> str:
    return f' lang="{lang}"' if lang and lang != "und" else ""


def _html_text(t: MText | str, markdown: bool) -> str:
    """For text inside raw HTML (no Markdown processing there)."""
    s = t.s if isinstance(t, MText) else t
    if markdown:
        s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>&$])", r"\1", s)
    return html.escape(s.strip(), quote=False)


CHANGED_TITLE = ("이 문단의 글은 이 주소가 처음 공개된 뒤 바뀌었다 "
                 "(the text of this paragraph changed after its address was first published)")


def _number(b: Block) -> str:
    """The paragraph number (a link to the paragraph itself), the ids of removed
    paragraphs that now land here, and a mark on text changed since its id was published."""
    out = f'<a class="pn" href="#{b.anchor}" {ED} title="문단 {b.number}">{b.number}</a>'
    out += "".join(f'<span class="anchor-alias" id="{attr(a)}" {ED}></span>' for a in b.aliases)
    if b.changed:
        out += f'<span class="para-changed" {ED} title="{CHANGED_TITLE}">†</span>'
    return out + " "


def citable_pieces(b: Block, md: bool, cite_links: dict | None = None, missing: frozenset = frozenset(),
                   reference: bool = False) -> list[tuple[str, str, str]]:
    """A paragraph, or each item of a list, as (anchor, before, after): its number and
    text, then its attribute line. Whatever the edition adds after a paragraph's text (the
    issue pages that quote it) goes between the two.

    cite_links: anchor -> [(text, entry anchor, title)], author-date citations of the text
    that become links to their reference-list entry (works_cited.in_text_links).
    missing: the numbers of notes whose text is not in the source; reference: the block is
    an entry of a reference list (class ref-entry: the page gives it no citation tools).

    >>> from build_scripts.cleaning.structure import Block
    >>> p = Block("para", text="왈츠(Waltz, 1979)는", anchor="p-1a2b3c", number=4, lang="ko")
    >>> citable_pieces(p, False, {"p-1a2b3c": [("Waltz, 1979", "p-99aa00", "Waltz. (1979).")]})[0][1]
    '<a class="pn" href="#p-1a2b3c" data-ed="" title="문단 4">4</a> 왈츠(<a class="cite-ref" href="#p-99aa00" title="Waltz. &#40;1979&#41;.">Waltz, 1979</a>)는'
    """
    links = cite_links or {}
    out = []
    for it, bullet, indent in ([(b, "", "")] if b.kind == "para" else [(it, "- ", "    ") for it in b.items]):
        text = _cite_links(inline(it.text, md, missing), links.get(it.anchor, ()))
        cls = " .ref-entry" if reference else ""
        out.append((it.anchor, f"{bullet}{_number(it)}{text}",
                    f"\n{indent}{{: #{it.anchor} .para{cls}{_attr_lang(it.lang)} }}"))
    return out


def _cite_links(text: str, links) -> str:
    """Each citation's first occurrence in a paragraph's Markdown, as a link to its entry.
    The citation is found as printed, or as the Markdown escapes it; one printed otherwise
    stays text (the works-cited page still lists it)."""
    for raw, target, title in links:
        inner = next((x for x in (raw, escape_plain(raw)) if x in text), None)
        if inner is not None:
            text = text.replace(inner, f'<a class="cite-ref" href="#{attr(target)}" title="{attr(title)}">{inner}</a>', 1)
    return text


def render_block(b: Block, md: bool, missing: frozenset = frozenset()) -> str:
    if b.kind == "heading":
        return f"{'#' * b.level} {inline(b.text, md, missing)} {{{_attr_lang(b.lang).strip()} }}"
    if b.kind in ("para", "list"):
        return "\n".join(before + after for _, before, after in citable_pieces(b, md, missing=missing))
    if b.kind == "front":
        inner = "\n".join(f'<p{_attr_lang(it.lang)}>{_html_text(it.text, md)}</p>' for it in b.items)
        return f'<div class="source-front">\n{inner}\n</div>'
    if b.kind == "pubnote":
        label = PUBNOTE_LABELS.get(b.label, PUBNOTE_LABELS["publication"])
        moved = ' data-moved=""' if b.moved else ""
        return (f'<div class="pubnote pubnote-{attr(b.label or "publication")}"{moved} markdown="1">\n'
                f'<p class="pubnote-label" {ED}>{label}</p>\n\n'
                f"{inline(b.text, md, missing)}\n{{:{_attr_lang(b.lang)} }}\n\n</div>")
    if b.kind == "figure":
        cap = b.parts["caption"]
        src = b.parts.get("source")
        out = [f'<figure class="figure-missing" id="{b.anchor}"{_attr_lang(b.lang)} markdown="1">',
               f'<figcaption markdown="span">{inline(cap, md, missing)}</figcaption>',
               f'<p class="figure-absent" {ED}>그림은 원문 추출본에 포함되어 있지 않습니다. '
               f'<span lang="en">(Figure not included in the source.)</span></p>']
        if src is not None:
            out.append(f'<p class="figure-source"{_attr_lang(b.label)} markdown="span">{inline(src, md, missing)}</p>')
        out.append("</figure>")
        return "\n".join(out)
    if b.kind == "table":
        return render_table(b)
    raise ValueError(f"cannot render a {b.kind} block")


PUBNOTE_LABELS = {
    "disclaimer": "게재 정보",
    "author": "저자 주",
    "back": "발행 정보",
    "editor": "기획자 주",
    "bio": "저자 소개",
    "publication": "게재 정보",
}


def render_table(b: Block) -> str:
    d = b.correction.data
    esc = lambda s: html.escape(str(s).strip(), quote=False)  # noqa: E731

    def cell(c, tag):
        if isinstance(c, list):
            return f"<{tag}><ul>" + "".join(f"<li>{esc(x)}</li>" for x in c) + f"</ul></{tag}>"
        return f"<{tag}>{esc(c)}</{tag}>"
    rows = ["<tr>" + "".join(cell(c, "th") for c in d["columns"]) + "</tr>"]
    for r in d["rows"]:
        rows.append("<tr>" + cell(r[0], "th") + "".join(cell(c, "td") for c in r[1:]) + "</tr>")
    cap = f"<caption>{esc(d['caption'])}</caption>" if d.get("caption") else ""
    src = f'<p class="table-source">{esc(d["source"])}</p>' if d.get("source") else ""
    return (f'<figure class="rebuilt-table" id="{b.anchor}"{_attr_lang(b.lang)}>\n<table>{cap}\n'
            f"<thead>{rows[0]}</thead>\n<tbody>{''.join(rows[1:])}</tbody>\n</table>\n{src}\n"
            f'<p class="table-note" {ED}>추출본에서 한 줄로 흩어진 표를 편집자가 원래 표 형태로 재구성함.</p>\n</figure>')


def missing_notes(notes: list[Note]) -> frozenset:
    """The numbers (as the note tokens write them) of the notes whose text is not in the source."""
    return frozenset(str(n.number) for n in notes if n.body is None)


def number_ranges(numbers) -> str:
    """1, 2, 3, 5, 7, 8 -> "1–3, 5, 7–8".

    >>> number_ranges([5, 1, 2, 3, 7, 8])
    '1–3, 5, 7–8'
    """
    ns, out = sorted(set(numbers)), []
    for n in ns:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(str(a) if a == z else f"{a}–{z}" for a, z in out)


def notes_missing_statement(notes: list[Note]) -> str:
    """One statement for every note whose text the source lacks; each such marker links here
    (a source that lost all its notes would otherwise repeat one line per note)."""
    nums = [int(n) for n in missing_notes(notes)]
    if not nums:
        return ""
    which = number_ranges(nums)
    return (f'<div class="notes-missing" id="{NOTES_MISSING_ID}" {ED}>\n<p>각주 {which}의 본문은 원문 추출본에 '
            f'없습니다. <span lang="en">(The text of note{"s" if len(nums) > 1 else ""} {which} is not in the '
            "source.)</span></p>\n</div>")


def render_notes(notes: list[Note], md: bool) -> str:
    """The footnotes' definitions; a note without text has none (notes_missing_statement)."""
    out = []
    for n in notes:
        if n.body is None:
            continue
        else:
            lang = _attr_lang(n.body_block.lang if n.body_block else "")
            out.append(f"[^{n.number}]: <span{lang}>{inline(n.body, md)}</span>")
    return "\n".join(out)


def front_matter(title: str, **fields) -> str:
    """A page's YAML front matter, written by a YAML serializer, so no title (a quote, a
    colon, a line break, `---`) can end it early or add a key.

    Material's templates put the page title and description into the HTML as they stand
    (the sidebar, the header, <title>, <meta name="description">), so both are HTML-escaped
    here: they show as written, never as markup.

    >>> print(front_matter('A "B": <i>c</i>\\n---', source_slug="x"))
    ---
    title: 'A &quot;B&quot;: &lt;i&gt;c&lt;/i&gt; ---'
    source_slug: x
    ---
    """
    data = {"title": html.escape(" ".join(str(title).split())), **fields}
    if "description" in data:
        data["description"] = html.escape(" ".join(str(data["description"]).split()))
    # libyaml's emitter where PyYAML has it (as anchors.dump_lock): the same text, some
    # seven times faster, and a build writes a front matter for every page.
    body = yaml.dump(data, allow_unicode=True, sort_keys=False, width=2**31 - 1,
                     Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return f"---\n{body}---"
