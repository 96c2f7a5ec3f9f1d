"""Search index: the built pages -> a split index the header search box reads piece by piece.

Three steps, each a function you can test with an example:

1. `extract_units(html)` reads a built page's article and cuts it into units: each
   paragraph, heading, list item, table row and definition is one unit with the anchor a
   search result links to, the heading it sits under and its paragraph number.
2. `Analyzer.terms(text)` turns a unit's text into index terms with tools made for each
   language: Kiwi (kiwipiepy) for Korean morphemes, jieba for Chinese words, and a word
   pattern for English and numbers. Korean compounds and Chinese phrases are indexed
   whole and by their parts, and runs of nouns are joined across a space, so 분담금 finds
   방위비분담금, 억제 finds 확장억제 and 방위비분담금 finds 방위비 분담금.
3. `write_index(pages, out)` writes the terms into shards by their first two characters, the units'
   text into small blocks, and a list of pages. A reader's browser fetches only the
   shards for the characters it types and the blocks of the results it shows, so what a
   search costs does not grow with the corpus the way one whole index does.

The query side (`docs/javascripts/search-worker.js`) reads the same files; the shard
hash and the term normalisation below must stay as they are there.
"""
from __future__ import annotations

import hashlib
import html as htmllib
import json
import logging
import re
import shutil
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from build_scripts.cleaning.fidelity import content_area
from build_scripts.cleaning.chardata import HAN_RE, HANGUL_RE, LATIN_WORD_RANGES, char_class, js_ranges
from build_scripts import cachefile, memory
from build_scripts.memo import digest as memo_key, remember

log = logging.getLogger("mkdocs.edition")

# --- 1. units ------------------------------------------------------------------------

# A unit is the innermost of these around a piece of text.
UNIT_TAGS = {"p", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figcaption", "caption"}
CELL_TAGS = {"td", "th", "div", "section", "ul", "ol", "table"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "area", "base", "embed"}
# Not the author's words and not what a reader searches for: permalink signs, paragraph
# numbers, note back-links, the editors' "cited by issue" links and the citation box; on
# issue pages, a quote's whole paragraph (`quote-context`, a repeat of the source's
# paragraph: a search should land there) and the stance legend repeated on every page
# that shows stance badges.
SKIP_CLASSES = {"headerlink", "pn", "footnote-backref", "footnote-ref", "backlinks", "cite-box", "cite-data",
                "quote-context", "stance-legend"}
SKIP_TAGS = {"script", "style", "template", "button", "svg"}
# What the generator marks with this class is not indexed: the element itself and, on a
# heading, its whole section (to the next heading of its level or above). A glossary row's
# links to the sources that use the term are not the entry's words. The sections are
# navigation or repeats, not content: an issue page's "All mentions" (snippets of source
# paragraphs: a search should land on the paragraph itself) and "Related issues" (links),
# an author page's lists of sources and positions (the issue pages say it first).
SKIP_SECTION_CLASS = "no-index"
# The author's own words (a source's paragraphs and notes) weigh more in the ranking than
# what the editors wrote about them.
AUTHOR_CLASSES = {"para", "footnote"}
# A page's name in its other languages (an issue's English and Chinese names) weighs as
# its title does.
NAME_CLASSES = {"issue-names"}
# An entry of a source's reference list (the generator marks it, source_page): the
# author's text, but a search for what the author argues should land on the argument first.
REFERENCE_CLASS = "ref-entry"


@dataclass
class Unit:
    anchor: str        # id to link to ("" = top of the page)
    title: str         # what the result shows as its heading
    text: str
    kind: str = "p"    # "h1", "name" (the title in other languages), "h" (other heading),
    #                    "text" (the author's), "ref" (an entry of the author's reference
    #                    list), "entry" (a glossary row) or "p"
    lang: str = ""     # the language the page marks it with ("" = the site's, Korean)


@dataclass
class PageUnits:
    url: str
    title: str
    units: list[Unit] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth_in_article = 0      # >0 inside <article class="md-content__inner">
        self.skip = 0                  # >0 inside something not indexed
        self.stack: list[tuple] = []   # (tag, opened a unit, started a skip, entered the author's text)
        self.units: list[dict] = []    # open units, innermost last
        self.done: list[Unit] = []
        self.heading = ""              # text of the last heading
        self.heading_id = ""
        self.h1 = ""
        self.skipped_section = 0       # level of the heading whose section is left out
        self.in_author = 0             # >0 inside the author's text (paragraphs, notes)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in VOID:
            if tag == "br" and self.units:
                self.units[-1]["text"].append(" ")
            return
        classes = set((a.get("class") or "").split())
        if tag in CELL_TAGS and self.units:   # cells and blocks inside a unit are words apart
            self.units[-1]["text"].append(" ")
        if tag == "article" and "md-content__inner" in classes:
            self.depth_in_article += 1
        opened = skipped = False
        if self.depth_in_article and classes & AUTHOR_CLASSES:
            self.in_author += 1
        if self.depth_in_article:
            if (tag in SKIP_TAGS or classes & SKIP_CLASSES or "hidden" in a
                    or (SKIP_SECTION_CLASS in classes and tag not in HEADINGS)):
                self.skip += 1
                skipped = True
            elif not self.skip and tag in UNIT_TAGS:
                self.units.append({"tag": tag, "id": a.get("id") or "", "text": [], "number": "",
                                   "lang": a.get("lang") or self._lang(),
                                   "author": bool(classes & AUTHOR_CLASSES) or self.in_author > 0,
                                   "name": bool(classes & NAME_CLASSES), "ref": REFERENCE_CLASS in classes,
                                   "skip_section": SKIP_SECTION_CLASS in classes})
                opened = True
            elif not self.skip and self.units and a.get("id") and not self.units[-1]["id"]:
                self.units[-1]["id"] = a["id"]     # e.g. the glossary's <td id="opcon">
            if self.units and "pn" in classes:
                self.units[-1]["number_open"] = True
        self.stack.append((tag, opened, skipped, bool(self.depth_in_article and classes & AUTHOR_CLASSES),
                           a.get("lang") or self._lang()))

    def _lang(self) -> str:
        return self.stack[-1][4] if self.stack else ""

    def handle_endtag(self, tag):
        # Pop to the matching open tag (HTML in the wild leaves some unclosed).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        while len(self.stack) > i:
            t, opened, skipped, author, _ = self.stack.pop()
            if author:
                self.in_author -= 1
            if skipped:
                self.skip -= 1
            if opened:
                self._close_unit(self.units.pop())
            if t == "article" and self.depth_in_article and not self.skip:
                self.depth_in_article -= 1

    def handle_data(self, data):
        if self.units and self.units[-1].get("number_open"):
            self.units[-1]["number"] += data.strip()
            self.units[-1]["number_open"] = False
        if self.depth_in_article and not self.skip and self.units:
            self.units[-1]["text"].append(data)

    def _close_unit(self, u):
        text = " ".join("".join(u["text"]).split())
        tag = u["tag"]
        if tag in HEADINGS:
            level = int(tag[1])
            if self.skipped_section and level <= self.skipped_section:
                self.skipped_section = 0
            if u["skip_section"]:
                self.skipped_section = level
        if not text or self.skipped_section:
            return
        if tag in HEADINGS:
            self.heading, self.heading_id = text, u["id"] or self.heading_id
            if tag == "h1" and not self.h1:
                self.h1 = text
            self.done.append(Unit(u["id"] or self.heading_id, text, text, "h1" if tag == "h1" else "h", u["lang"]))
            return
        title = self.heading or self.h1
        if u["number"]:
            title = f"¶{u['number']} · {title}" if title else f"¶{u['number']}"
        # A table row or definition whose own cell carries the id is an entry (the glossary's).
        kind = ("name" if u["name"] else "ref" if u["ref"]
                else "text" if u["author"] else "entry" if tag == "tr" and u["id"] else "p")
        self.done.append(Unit(u["id"] or self.heading_id, title, text, kind, u["lang"]))


TITLE_RE = re.compile(r"<title>(.*?)</title>", re.S)


def units_key(html: str, url: str) -> str:
    """All that extract_units reads of a page: its content area, its <title> and its URL
    (not the navigation around them, which one changed title changes on every page)."""
    m = TITLE_RE.search(html)
    return memo_key(content_area(html), m.group(1) if m else "\0", url)


def extract_units(html: str, url: str) -> PageUnits:
    """A built page -> its title and units.

    >>> p = extract_units('<article class="md-content__inner"><h1 id="t">제목</h1>'
    ...     '<p class="para" id="p-1"><a class="pn" href="#p-1">1</a> 방위비분담금이 늘었다.</p>'
    ...     '<p>둘째<a class="headerlink">¶</a></p></article>', "x/")
    >>> [(u.anchor, u.title, u.text, u.kind) for u in p.units]
    [('t', '제목', '제목', 'h1'), ('p-1', '¶1 · 제목', '방위비분담금이 늘었다.', 'text'), ('t', '제목', '둘째', 'p')]
    """
    ex = _Extractor()
    ex.feed(content_area(html))
    ex.close()
    m = TITLE_RE.search(html)
    title = ex.h1 or (htmllib.unescape(m.group(1)).split(" - ")[0].strip() if m else url)
    # An h1 with no id is the top of the page.
    units = [Unit("" if u.kind == "h1" and not u.anchor else u.anchor, u.title, u.text, u.kind, u.lang)
             for u in ex.done]
    return PageUnits(url, title, units)


# --- 2. terms ------------------------------------------------------------------------

# The project's character classes (chardata); the worker's query chunking uses the same.
HAN_RUN = re.compile(HAN_RE.pattern + "+")
# English and other Latin-script words, numbers, and acronyms such as C4ISR or OPCON.
LATIN_WORD = re.compile(char_class(LATIN_WORD_RANGES) + "+")

# Kiwi tags indexed as terms: common and proper nouns, numerals, roots; verb and
# adjective stems of two syllables or more (강화하다 is 강화 + 하다 already).
KO_TERM_TAGS = {"NNG", "NNP", "NR", "XR"}
KO_STEM_TAGS = {"VV", "VA"}
# Tags that join into compounds: nouns, roots and noun-forming affixes (통제+권 = 통제권).
KO_SPAN_TAGS = {"NNG", "NNP", "NR", "XR", "XSN", "XPN"}
# Tags that may follow a noun in a particle or ending besides J* and E*: the copula (이다)
# and the verb- and adjective-forming suffixes (하다, 되다).
TAIL_TAGS = {"VCP", "XSV", "XSA"}
# Words that stand alone without content of their own: adverbs, determiners, interjections.
FUNCTION_TAGS = {"MAG", "MAJ", "MM", "IC"}
TAIL = "\x00"          # marks a particle or ending among a unit's terms (not indexed as a term)
MAX_SPAN = 4           # morphemes or words joined into one compound term
MAX_SPAN_CHARS = 12

# A page's title weighs most, then glossary entries, headings and the author's paragraphs,
# then the editors' notes, tables and lists.
BOOST = {"h1": 4, "name": 4, "entry": 3, "h": 2, "text": 2, "p": 1, "ref": 1}


def normalize(s: str) -> str:
    """What both sides compare: compatibility forms folded, lower case.

    >>> normalize("ＯＰＣＯＮ (OPCON)")
    'opcon (opcon)'
    """
    return unicodedata.normalize("NFKC", s).lower()


MAX_CHUNK = 4000       # characters of a unit analysed at once
SENTENCE_ENDS = (". ", "? ", "! ", "。", "？", "！")


def chunks(text: str, size: int = MAX_CHUNK) -> list[str]:
    """A text in pieces of at most `size` characters, cut after a sentence's end in the second
    half of a piece where there is one, else at a space there, else anywhere: each piece is
    at least half as long as it may be, so this is linear.

    >>> chunks("가나. 다라. 마바", 8)
    ['가나. 다라. ', '마바']
    >>> chunks("가나다 라마바사아", 5), chunks("가 나다라마바사", 3)
    (['가나다 ', '라마바사아'], ['가 ', '나다라', '마바사'])
    >>> "".join(chunks("동맹은 위기다. " * 1000)) == "동맹은 위기다. " * 1000
    True
    """
    out, start = [], 0
    while len(text) - start > size:
        end, half = start + size, start + size // 2
        cut = max((k + len(e) for e in SENTENCE_ENDS if (k := text.rfind(e, half, end)) >= 0), default=0)
        if cut <= half:  # every piece is at least half as long as it may be: linear
            k = text.rfind(" ", half, end)
            cut = k + 1 if k >= 0 else end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


class Analyzer:
    """Index terms of a text. Kiwi and jieba load once, on first use (some seconds, so the
    examples of the steps share one):

    >>> a = Analyzer()
    >>> t = a.terms("‘확장억제’를 강화하고 방위비 분담금을 (OPCON) 驻韩美军的地位")
    >>> [x in t for x in ["확장억제", "억제", "방위비분담금", "분담금", "opcon", "驻韩美军", "美军"]]
    [True, True, True, True, True, True, True]
    >>> [x in a.terms("NCG(핵협의그룹) 체제") for x in ["핵협의그룹", "협의그룹", "그룹"]]
    [True, True, True]

    _unanalysed_words:

    >>> words = lambda t: a._unanalysed_words(t, a.kiwi.tokenize(t))
    >>> words("양욱"), words("한국의 재래식 전력 홀로서기는 동맹의 요구사항이 되고 있다"), words("특히 그렇다")
    (['양욱'], ['홀로서기'], [])

    _tails:

    >>> a._tails("한미동맹이 방위비분담금을 강화했다", a.kiwi.tokenize("한미동맹이 방위비분담금을 강화했다"))
    ['이', '을', '했다']
    """

    def __init__(self):
        self._kiwi = None
        self._jieba = None
        self._parts: dict[str, list[str]] = {}

    @property
    def kiwi(self):
        if self._kiwi is None:
            from kiwipiepy import Kiwi
            self._kiwi = Kiwi()
        return self._kiwi

    @property
    def jieba(self):
        if self._jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            # jieba keeps its dictionary as marshal data, by default in the shared temporary
            # folder, where another user could put a file of their own: keep it in ours.
            private = cachefile.private_dir()
            if private is not None:
                jieba.dt.tmp_dir = str(private)
            jieba.initialize()
            self._jieba = jieba
        return self._jieba

    def terms(self, text: str) -> Counter:
        """The terms of one text, with their counts (examples: the class)."""
        return self.terms_many([text])[0]

    def terms_many(self, texts: list[str]) -> list[Counter]:
        # A long unit (a one-line source is one) is analysed in pieces of a bounded length:
        # Kiwi's time grows faster than a single text's length, and a piece's terms are the
        # same as in the whole but where a compound would span a cut between sentences.
        pieces, owner = [], []
        for k, t in enumerate(texts):
            for piece in chunks(normalize(t)):
                pieces.append(piece)
                owner.append(k)
        found = [Counter(w for w in LATIN_WORD.findall(t) if len(w) > 1 or w.isdigit()) for t in pieces]
        korean = [i for i, t in enumerate(pieces) if HANGUL_RE.search(t)]
        for i, tokens in zip(korean, self.kiwi.tokenize([pieces[i] for i in korean])):
            found[i].update(self._korean_terms(pieces[i], tokens))
        for i, t in enumerate(pieces):
            for run in HAN_RUN.findall(t):
                found[i].update(self._chinese_terms(run))
        out = [Counter() for _ in texts]
        for k, c in zip(owner, found):
            out[k].update(c)
        return out

    def _noun_parts(self, noun: str) -> list[str]:
        """A long noun Kiwi kept whole in context (핵협의그룹 after "NCG(" is one proper
        noun) analysed on its own, where Kiwi splits it (핵 + 협의 + 그룹): its parts and
        the compounds of its parts, so 협의그룹 finds it."""
        if noun not in self._parts:
            forms = [t.form for t in self.kiwi.tokenize(noun) if t.tag in KO_SPAN_TAGS]
            out = []
            if "".join(forms) == noun and len(forms) > 1:
                for i in range(len(forms)):
                    for j in range(i + 1, len(forms) + 1):
                        if (i, j) != (0, len(forms)):
                            out.append("".join(forms[i:j]))
            self._parts[noun] = out
        return self._parts[noun]

    def _korean_terms(self, text: str, tokens) -> list[str]:
        terms = []
        run: list = []   # consecutive compound-forming morphemes, at most a space apart

        def flush():
            forms = [t.form for t in run]
            tags = [t.tag for t in run]
            for i in range(len(run)):
                if tags[i] == "XSN":
                    continue
                for j in range(i + 2, min(len(run), i + MAX_SPAN) + 1):
                    if tags[j - 1] == "XPN":
                        continue
                    span = "".join(forms[i:j])
                    if len(span) <= MAX_SPAN_CHARS:
                        terms.append(span)
            run.clear()

        for t in tokens:
            if not HANGUL_RE.search(t.form):
                flush()
                continue
            if t.tag in KO_TERM_TAGS or (t.tag in KO_STEM_TAGS and len(t.form) > 1):
                terms.append(t.form)
                if t.tag in ("NNG", "NNP") and len(t.form) >= 4:
                    terms.extend(self._noun_parts(t.form))
            if t.tag in KO_SPAN_TAGS:
                if run:
                    prev = run[-1]
                    gap = text[prev.start + prev.len:t.start]
                    if gap.strip() or len(gap) > 1:
                        flush()
                run.append(t)
            else:
                flush()
        flush()
        terms.extend(TAIL + tail for tail in self._tails(text, tokens))
        terms.extend(self._unanalysed_words(text, tokens))
        return terms

    @staticmethod
    def _unanalysed_words(text: str, tokens) -> list[str]:
        """A written word in which Kiwi finds no term is indexed as written, without its
        particles: a name alone (양욱 as a page title is 양 + 욱 to Kiwi, though 양욱 in a
        sentence is a proper noun) or a nominalised verb (홀로서기는 -> 홀로서기). Words
        that end as a predicate (그렇다), and lone adverbs and determiners, are not
        (examples: the class).
        """
        out = []
        for word in Analyzer._tokens_by_word(text, tokens):
            if not word or any(t.tag in KO_TERM_TAGS or (t.tag in KO_STEM_TAGS and len(t.form) > 1) for t in word):
                continue
            core = list(word)
            while core and core[-1].tag.startswith("J"):
                core.pop()
            if not core or (core[-1].tag.startswith("E") and core[-1].tag != "ETN"):
                continue
            if len(core) == 1 and core[0].tag in FUNCTION_TAGS:
                continue
            surface = text[core[0].start:core[-1].start + core[-1].len]
            if len(surface) >= 2 and all("\uac00" <= c <= "\ud7a3" for c in surface):
                out.append(surface)
        return out

    @staticmethod
    def _tails(text: str, tokens) -> list[str]:
        """What follows a noun inside a written word, as Kiwi analyses it: particles and
        endings (한미동맹이 -> 이, 동맹국들의 -> 의, 강화했다 -> 했다). The worker strips
        these from a query word, so it is Kiwi, not a hand-made list, that says what a
        particle is (examples: the class).
        """
        out = []
        for inside in Analyzer._tokens_by_word(text, tokens):
            last = max((i for i, t in enumerate(inside) if t.tag in KO_SPAN_TAGS), default=None)
            if last is None or last == len(inside) - 1:
                continue
            rest = inside[last + 1:]
            if all(t.tag[0] in "JE" or t.tag in TAIL_TAGS for t in rest):
                start = inside[last].start + inside[last].len
                tail = text[start:rest[-1].start + rest[-1].len]
                if 0 < len(tail) <= 4 and all("\uac00" <= c <= "\ud7a3" for c in tail):
                    out.append(tail)
        return out

    @staticmethod
    def _tokens_by_word(text: str, tokens):
        """The tokens starting inside each written word, in one walk over both (Kiwi gives
        its tokens in text order): linear in the unit's length, where asking every token
        for every word grew with its square (a one-line source is one unit).

        >>> from types import SimpleNamespace as T
        >>> toks = [T(start=0, form="가"), T(start=1, form="나"), T(start=3, form="다")]
        >>> [[t.form for t in w] for w in Analyzer._tokens_by_word("가나 다 라", toks)]
        [['가', '나'], ['다'], []]
        """
        tokens = sorted(tokens, key=lambda t: t.start)  # already in order; a guarantee, not a cost
        k = 0
        for m in re.finditer(r"\S+", text):
            while k < len(tokens) and tokens[k].start < m.start():
                k += 1
            first = k
            while k < len(tokens) and tokens[k].start < m.end():
                k += 1
            yield tokens[first:k]

    def _chinese_terms(self, run: str) -> list[str]:
        # Search mode gives words and the words inside them (驻韩美军 -> 韩美, 美军, ...);
        # phrases of up to four consecutive words are indexed whole (驻 + 韩美军).
        terms = [w for w, _, _ in self.jieba.tokenize(run, mode="search")]
        words = self.jieba.lcut(run)
        for i in range(len(words)):
            for j in range(i + 2, min(len(words), i + MAX_SPAN) + 1):
                span = "".join(words[i:j])
                if len(span) <= MAX_SPAN_CHARS // 2 + 2:
                    terms.append(span)
        return terms


# --- 3. files -------------------------------------------------------------------------

BLOCK = 4              # units per text block fetched for excerpts
SHARD_TARGET = 24_000  # bytes of postings aimed at per shard
# Postings are split by page range, so what the first query fetches stops growing with the
# corpus: the worker ranks the first range's pages and shows them, then fetches the other
# ranges a term occurs in (each term's entry says which) and shows the results again as
# each arrives. A range is this many pages, or more where there would be over MAX_RANGES.
RANGE_PAGES = 512
MAX_RANGES = 32        # a term's ranges are one 32-bit mask in the worker


def range_pages(pages: int) -> int:
    """Pages per range for an index of this many pages.

    >>> range_pages(1411), range_pages(12_000), range_pages(20_000)
    (512, 512, 625)
    """
    return max(RANGE_PAGES, -(-pages // MAX_RANGES))


def shard_key(term: str) -> str:
    """Terms are sharded by their first two characters, so every term a prefix of two or
    more characters can reach is in one shard; a one-character term has a shard key of its
    own, so a one-character query finds that word exactly.

    >>> shard_key("방위비분담금"), shard_key("핵"), shard_key("opcon"), shard_key("𠀀가")
    ('방위', '핵', 'op', '𠀀')

    Two UTF-16 code units, as JavaScript's slice(0, 2) counts: a character outside the
    Basic Multilingual Plane is two of them.
    """
    return term.encode("utf-16-le", "surrogatepass")[:4].decode("utf-16-le", "surrogatepass")


def fnv1a(s: str) -> int:
    """32-bit FNV-1a over UTF-16 code units, as JavaScript's charCodeAt sees the string.

    >>> fnv1a("방"), fnv1a("op")
    (726230660, 1597254826)
    """
    h = 0x811C9DC5
    b = s.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(b), 2):
        h ^= b[i] | (b[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class IndexWriter:
    """The index, page by page, written as it is made: postings go into compact arrays, and
    each page's text blocks go to disk at once, so the search step holds the postings and
    one page, never the whole index (at 2,000 sources the index is some 250 MB).

    Files are written under out/.partial/ and the folder is renamed to the version (a hash
    of every file's name and content) when the index is complete: a reader's browser that
    still holds the previous version's settings never mixes files of two builds."""

    def __init__(self, out: Path):
        self.out = out
        self.staging = out / ".partial"
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        self.postings: dict[str, array] = {}   # term -> page, unit, tf * 16 + boost, ...
        self.tails: Counter = Counter()
        self.pages: list[list[str]] = []
        self.digests: dict[str, bytes] = {}     # file name -> SHA-256 of its content
        self.bytes = 0
        self.units = 0

    def _put(self, name: str, data: bytes) -> None:
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.digests[name] = hashlib.sha256(data).digest()
        self.bytes += len(data)

    def add(self, page: PageUnits, counts: list[Counter]) -> None:
        self.add_postings(self.add_text(page), [BOOST[u.kind] for u in page.units], counts)

    def add_text(self, page: PageUnits) -> int:
        """Write a page's text blocks and list it; returns its number, for add_postings."""
        p = len(self.pages)
        self.pages.append([page.url, page.title])
        self.units += len(page.units)
        for b in range(0, len(page.units), BLOCK):
            # The language goes along, so an excerpt is shown in its own script's font and
            # line breaking (Chinese must not take Korean's keep-all).
            self._put(f"b/{p}.{b // BLOCK}.json", _dump([[u.anchor, u.title, u.text] + ([u.lang] if u.lang else [])
                                                         for u in page.units[b:b + BLOCK]]))
        return p

    def add_postings(self, p: int, boosts, counts: list[Counter]) -> None:
        """Page p's units' terms (counts, with each unit's boost) into the postings; pages
        must come in the order add_text numbered them."""
        for u, (boost, c) in enumerate(zip(boosts, counts)):
            for term, tf in c.items():  # the worker reads tf = v >> 4, weight = v & 15
                if term.startswith(TAIL):
                    self.tails[term[1:]] += tf
                else:
                    posting = self.postings.get(term)
                    if posting is None:
                        posting = self.postings[term] = array("I")
                    posting.extend((p, u, min(tf, 4095) * 16 + boost))

    def write(self) -> dict:
        """Finish the index as out/<version>/ and return the config the worker needs.

        t/<shard>.json holds every term of the shard, each as [units it occurs in, mask of
        the page ranges it occurs in, postings of range 0...]; t/<range>/<shard>.json holds
        the postings of a later range, for the terms that occur there."""
        per = range_pages(len(self.pages))
        ranges = max(1, -(-len(self.pages) // per))
        first = per * 3  # postings are triples: range 0 is the first `first` numbers of a term
        size = sum(len(t) * 3 + 4 * min(len(v), first) for t, v in self.postings.items())
        nb = 16
        while nb < 4096 and size / nb > SHARD_TARGET:
            nb *= 2
        shards: list[list[str]] = [[] for _ in range(nb)]
        for term in sorted(self.postings):
            shards[fnv1a(shard_key(term)) % nb].append(term)
        for i, terms in enumerate(shards):  # one shard's JSON at a time
            if not terms:
                continue
            split = {t: _by_range(self.postings[t], per) for t in terms}
            self._put(f"t/{i}.json", _dump({
                t: [len(self.postings[t]) // 3, sum(1 << r for r in parts), *parts.get(0, ())]
                for t, parts in split.items()}))
            for r in range(1, ranges):
                later = {t: parts[r] for t, parts in split.items() if r in parts}
                if later:
                    self._put(f"t/{r}/{i}.json", _dump(later))
        # Particles and endings seen at least twice, longest first (the worker strips the
        # longest that leaves a word of the index).
        tails = self.tails
        tail_list = sorted((t for t, n in tails.items() if n >= 2), key=lambda t: (-len(t), -tails[t], t))
        self._put("pages.json", _dump(self.pages))
        self._put("tails.json", _dump(tail_list))
        h = hashlib.sha256()
        for name in sorted(self.digests):
            h.update(name.encode() + b"\0" + self.digests[name])
        version = h.hexdigest()[:10]
        for old in self.out.iterdir():  # earlier builds' versions
            if old != self.staging:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        self.staging.rename(self.out / version)
        return {"v": version, "nb": nb, "block": BLOCK, "units": self.units, "pages": len(self.pages),
                "ranges": ranges,
                "chars": js_ranges(), "files": len(self.digests), "bytes": self.bytes}


def _by_range(postings: array, per: int) -> dict[int, list[int]]:
    """A term's postings (page, unit, value triples, in page order) by page range.

    >>> _by_range(array("I", [0, 1, 17, 511, 0, 18, 512, 2, 33, 1100, 0, 16]), 512)
    {0: [0, 1, 17, 511, 0, 18], 1: [512, 2, 33], 2: [1100, 0, 16]}
    >>> _by_range(array("I", [3, 0, 17, 4, 1, 18]), 512)
    {0: [3, 0, 17, 4, 1, 18]}
    """
    values = postings.tolist()
    n = len(values) // 3
    out: dict[int, list[int]] = {}
    start = 0
    while start < n:   # the triples are in page order: each range is one slice, found by bisection
        r = values[3 * start] // per
        end = bisect_left(range(n), (r + 1) * per, lo=start, key=lambda i: values[3 * i])
        out[r] = values[3 * start:3 * end]
        start = end
    return out


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def write_index(pages: list[PageUnits], term_counts: list[list[Counter]], out: Path) -> dict:
    """Write the index of these pages under out/<version>/; returns the worker's config."""
    w = IndexWriter(out)
    for page, counts in zip(pages, term_counts):
        w.add(page, counts)
    return w.write()


# --- the whole step ---------------------------------------------------------------------

TERMS_CACHE_FORMAT = 2
DIGEST_RE = re.compile(r"[0-9a-f]{40}")


def analysis_version() -> str:
    """What a unit's terms depend on besides its text: this code, the character classes,
    the Unicode tables of NFKC, and the versions of Kiwi, its model and jieba."""
    from importlib import metadata
    h = hashlib.sha256(f"terms {TERMS_CACHE_FORMAT} unicode {unicodedata.unidata_version}".encode())
    pkg = Path(__file__).resolve().parents[1]
    for name in ("search/index.py", "cleaning/chardata.py"):
        h.update(name.encode() + b"\0" + (pkg / name).read_bytes())
    for dist in ("kiwipiepy", "kiwipiepy_model", "jieba"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=missing".encode())
    return h.hexdigest()[:32]


def valid_terms_cache(data, key: str) -> str | None:
    """Why a stored terms cache cannot be used (None: it can): it must be exactly
    {"key": <this analysis version>, "terms": {sha1 of a text: {term: count > 0}}}.

    >>> valid_terms_cache({"key": "k", "terms": {"0" * 40: {"동맹": 2, "\\x00이": 1}}}, "k") is None
    True
    >>> valid_terms_cache({"key": "old", "terms": {}}, "k")
    'it was made by another version of the analysis'
    >>> valid_terms_cache({"key": "k", "terms": {"0" * 40: {"동맹": True}}}, "k")
    'the terms of 0000000000000000000000000000000000000000 are not {term: count}'
    >>> valid_terms_cache([1, 2], "k")
    'it is not {"key": ..., "terms": {...}}'
    """
    if not (isinstance(data, dict) and set(data) == {"key", "terms"} and isinstance(data["terms"], dict)):
        return 'it is not {"key": ..., "terms": {...}}'
    if data["key"] != key:
        return "it was made by another version of the analysis"
    for digest, counts in data["terms"].items():
        if not DIGEST_RE.fullmatch(digest):
            return f"{digest[:50]!r} is not the SHA-1 of a text"
        if not (isinstance(counts, dict) and all(
                isinstance(t, str) and t and type(n) is int and n > 0 for t, n in counts.items())):
            return f"the terms of {digest} are not {{term: count}}"
    return None


def load_terms_cache(cache_file: Path | None, key: str) -> dict[str, Counter]:
    """The cached terms, if this machine's builds wrote them for this analysis; anything
    else (a committed, old, truncated or hostile file) is ignored, with one line in the log."""
    if cache_file is None:
        return {}
    data, why = cachefile.read(cache_file, "search-terms")
    if data is not None:
        why = valid_terms_cache(data, key)
        if why == "it was made by another version of the analysis":
            return {}  # the code or a package changed: an ordinary miss
    if data is None or why:
        if why:
            log.info(f"edition: {cachefile.shown(cache_file)} ignored: {why}; the search terms are computed again")
        return {}
    return {d: Counter(c) for d, c in data["terms"].items()}


class Terms:
    """Terms of units' texts. A text's terms depend only on it and the analysis (see
    analysis_version), so they are cached by both: an unchanged paragraph is not analysed
    again (Kiwi is the slow part of the build's search step), and Kiwi and jieba are not
    even loaded when every text is in the cache. The cache is JSON signed by this machine
    (cachefile), never pickle: reading it cannot run code."""

    def __init__(self, cache_file: Path | None, analyzer: Analyzer | None = None):
        self.cache_file = cache_file
        self.key = analysis_version()
        self.cached = load_terms_cache(cache_file, self.key)
        self.loaded = len(self.cached)
        self.used: set[str] = set()
        self.computed = 0
        self._analyzer = analyzer
        self._own = analyzer is None   # an analyzer this object loaded, and so may let go

    def of(self, texts: list[str]) -> list[Counter]:
        digests = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        todo = {d: t for d, t in zip(digests, texts) if d not in self.cached}
        if todo:
            self._analyzer = self._analyzer or Analyzer()
            for d, c in zip(todo, self._analyzer.terms_many(list(todo.values()))):
                self.cached[d] = c
            self.computed += len(todo)
        self.used.update(digests)
        return [self.cached[d] for d in digests]

    def release(self) -> None:
        """Let Kiwi and jieba go (some 500 MB once Kiwi has analysed), if this object
        loaded them; a later missing text loads them again."""
        if self._own and self._analyzer is not None:
            self._analyzer = None
            memory.return_freed()

    def save(self) -> None:
        """Keep the terms this build used (those of texts gone are dropped), if anything changed."""
        if self.cache_file and (self.computed or len(self.used) != self.loaded):
            cachefile.write(self.cache_file, "search-terms",
                            {"key": self.key, "terms": {d: dict(self.cached[d]) for d in sorted(self.used)}})


def analyse(pages: list[PageUnits], cache_file: Path | None, analyzer: Analyzer | None = None) -> list[list[Counter]]:
    """Terms of every unit of these pages (Terms, with its cache)."""
    terms = Terms(cache_file, analyzer)
    out = [terms.of([u.text for u in pg.units]) for pg in pages]
    terms.save()
    return out


def stub_index(config: dict) -> str:
    """What stands in search/search_index.json: Material's page script fetches this file on
    every page load and hands its `config` to the worker, so it carries only the settings
    (the index is fetched piece by piece by the worker)."""
    return json.dumps({"config": {"lang": ["ko"], "separator": r"[\s\-]+", "pipeline": [], "edition": config},
                       "docs": []}, ensure_ascii=False, separators=(",", ":"))


# --- 4. the step over a built site --------------------------------------------------------

SKIP_PAGES = {"404.html"}
PAGES_PER_BATCH = 64


def _page_rank(rel: str) -> tuple:
    """The sources' pages first, then the issue pages, then the rest: the worker gives a
    tie in score to the page listed first, and the authors' own words come first."""
    if rel.startswith("sources/") and rel not in ("sources/index.html", "sources/index/index.html"):
        return (0, rel)
    return (1 if rel.startswith("issues/") else 2, rel)


def site_pages(site_dir: Path) -> list[tuple[str, Path]]:
    """(url, file) of every page of a built site, in a stable order (_page_rank): the 404
    page and the theme's assets are not content."""
    out = []
    for f in sorted(site_dir.rglob("*.html"), key=lambda f: _page_rank(f.relative_to(site_dir).as_posix())):
        rel = f.relative_to(site_dir).as_posix()
        if rel in SKIP_PAGES or rel.startswith(("assets/", "search/")):
            continue
        url = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        out.append((url, f))
    return out


def index_site(site_dir: Path, cache_file: Path | None, analyzer: Analyzer | None = None, memo=None) -> dict:
    """The edition's index of a built site (by any engine): written to
    SITE/search/edition/, with the settings the worker reads in SITE/search/search_index.json.

    An `analyzer` given is used and kept (not let go after the first pass); `memo`
    (memo.Memo) remembers each page's units by what they are read from (units_key), so a
    page built the same as last time is not read again (engines/session.py keeps both for
    `mkdocs serve`)."""
    terms, writer, batch = Terms(cache_file, analyzer), IndexWriter(site_dir / "search" / "edition"), []
    # Two passes, so that Kiwi's memory and the postings' are never held at once (at 2,000
    # sources they are some 500 and 200 MB): the first reads every page, writes its text
    # and finds its units' terms (analysing those not cached); the second, with Kiwi let
    # go, builds the postings from the terms kept, which are shared with the cache.
    found: list[tuple[int, bytes, list[Counter]]] = []

    def flush():
        counts = terms.of([u.text for pg in batch for u in pg.units])
        k = 0
        for pg in batch:
            found.append((writer.add_text(pg), bytes(BOOST[u.kind] for u in pg.units), counts[k:k + len(pg.units)]))
            k += len(pg.units)
        batch.clear()

    # Pages a batch at a time: Kiwi is given many texts at once (it is faster so), and a
    # page's units are let go once its text is written.
    for url, f in site_pages(site_dir):
        html = f.read_text("utf-8")
        batch.append(remember(memo, lambda: units_key(html, url), lambda: extract_units(html, url)))
        if len(batch) == PAGES_PER_BATCH:
            flush()
    flush()
    terms.release()
    for p, boosts, counts in found:
        writer.add_postings(p, boosts, counts)
    found.clear()
    terms.save()
    conf = writer.write()
    conf["v"] = "edition/" + conf["v"]
    (site_dir / "search").mkdir(exist_ok=True)
    (site_dir / "search" / "search_index.json").write_text(stub_index(conf), encoding="utf-8")
    return conf


def main(argv=None) -> int:
    import argparse
    import sys
    ap = argparse.ArgumentParser(prog="python -m build_scripts.search.index",
                                 description="Write the edition's search index into a built site.")
    ap.add_argument("site", type=Path, help="the built site (e.g. site/ or OUT/site/)")
    ap.add_argument("--cache", type=Path, default=Path(".cache/edition/search-terms.json"),
                    help="the analysed terms kept between runs (default: .cache/edition/search-terms.json)")
    a = ap.parse_args(argv)
    if not a.site.is_dir():
        print(f"{a.site}: expected a built site; found no such folder", file=sys.stderr)
        return 2
    try:
        conf = index_site(a.site, a.cache)
    except ImportError as e:
        print(f"search index: {e.name or e} is not installed; expected the packages of requirements.txt "
              "(python -m pip install -r requirements.txt)", file=sys.stderr)
        return 1
    print(f"{a.site}: search index of {conf['pages']} pages, {conf['units']} units, {conf['files']} files, "
          f"{conf['bytes'] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
