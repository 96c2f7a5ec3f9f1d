"""Stage 8: the issue files -> positions resolved against the published paragraphs.

An issue is `corpus/issues/<id>.yml`: names in Korean, English and Chinese, a neutral
description, search terms in the three languages, related issues, and the positions the
sources take, each with one to three verbatim quotes anchored on a paragraph id. The
quotes are checked against the paragraph as published (whitespace aside), so an issue
page can never put words in an author's mouth; a quote that no longer matches stops the
build, naming the YAML file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from build_scripts.cleaning.chardata import CLOSERS, LETTER_OR_DIGIT_RE, SENTENCE_FINAL
from build_scripts.reading import node_lines, read_yaml, refuse_links, whole_number
from build_scripts.errors import CorpusErrors, EditionError

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ANCHOR_RE = re.compile(r"^p-[0-9a-f]{6}(?:-\d+)?$")
LANGS = ("ko", "en", "zh")
STANCES = {  # code -> (Korean label, English label)
    "supports": ("찬성", "supports"),
    "opposes": ("반대", "opposes"),
    "conditional": ("조건부", "conditional"),
    "mixed": ("양면적", "mixed"),
    "describes": ("서술", "describes"),
}
# What each code says about the author's answer to the issue's question: the badges'
# titles, the legend beside them and docs/method.md use these words.
STANCE_DEFINITIONS = {
    "supports": "저자가 질문에 '그렇다'고 답한다.",
    "opposes": "저자가 질문에 '아니다'라고 답한다.",
    "conditional": "저자가 밝힌 조건이 갖추어질 때에만 '그렇다'고 답한다.",
    "mixed": "저자가 양쪽을 저울질하되 결론을 내리지 않거나, 질문의 한 부분에는 '그렇다', "
             "다른 부분에는 '아니다'라고 답한다.",
    "describes": "저자가 질문에 답하지 않고 분석하거나 전하거나 전망한다.",
    None: "저자가 질문을 다루지만 맞는 코드가 없다. 그 까닭은 편집자의 입장 분류 근거에 적는다.",
}
NO_STANCE_LABEL = "입장 코드 없음"
RELATIONS = {  # type -> (Korean label, English label)
    "agrees": ("같은 견해", "agrees with"),
    "contrasts": ("대조되는 견해", "contrasts with"),
    "builds_on": ("발전시킨 견해", "builds on"),
}
# Scholarly elision inside a quote: the parts must stand in the paragraph in this order.
ELISION_RE = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")
MAX_QUOTES = 3
MIN_QUOTE_LETTERS = 2


class IssueError(EditionError):
    """An issue file is malformed, or a quote or reference does not hold."""


@dataclass
class Quote:
    paragraph: dict          # the paragraph record: anchor, number, text, lang, section
    text: str                # as published, with " […] " where the editors elided
    spans: list[tuple[int, int]] = field(default_factory=list)  # where the parts stand in the paragraph
    cut_before: bool = False  # the quote starts inside a sentence (shown "… " before it)
    cut_after: bool = False   # the quote stops inside a sentence (shown " …" after it)


@dataclass
class Relation:
    type: str
    target: str              # source slug of another position on the same issue
    note: str = ""


@dataclass
class Position:
    slug: str
    stance: str | None
    summary: str
    gloss: str
    quotes: list[Quote]
    relations: list[Relation] = field(default_factory=list)
    editors_note: str = ""   # the editors' reading of what the text does not say
    stance_note: str = ""    # why the editors coded the stance so (or coded none)


@dataclass
class Issue:
    id: str
    path: str
    names: dict[str, str]
    question: dict[str, str]
    description: str
    terms: dict[str, list[str]]
    related: list[str]
    positions: list[Position]
    order: int = 1000
    updated: str = ""        # the date of the page's last change, YYYY-MM-DD (cited as its date)
    related_lines: list[int | None] = field(default_factory=list)  # checked once all issues are read
    short: str = ""          # a short Korean name for the matrix's column; names["ko"] when empty

    @property
    def short_name(self) -> str:
        return self.short or self.names["ko"]


# --- text matching ------------------------------------------------------------------

def squash(s: str) -> tuple[str, list[int]]:
    """Text without whitespace, and where each remaining character stood.

    >>> squash("방위비 분담금\\n협정")
    ('방위비분담금협정', [0, 1, 2, 4, 5, 6, 8, 9])
    """
    keep = [i for i, c in enumerate(s) if not c.isspace()]
    return "".join(s[i] for i in keep), keep


def locate_quote(quote: str, text: str) -> list[tuple[int, int]] | None:
    """Spans of `text` holding the quote, whitespace and line breaks aside; elided parts
    (`[…]`) must follow in order. None when the quote does not stand in the text.

    >>> t = "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다."
    >>> locate_quote("방위비분담금은 한 푼도\\n소홀히", t)
    [(14, 31)]
    >>> locate_quote("국민의 세금으로 […] 안 된다", t), locate_quote("안 된다 […] 국민", t)
    ([(0, 8), (36, 40)], None)
    """
    flat, where = squash(text)
    spans, at = [], 0
    for part in ELISION_RE.split(quote.strip()):
        p, _ = squash(part)
        if not p:
            return None
        k = flat.find(p, at)
        if k < 0:
            return None
        spans.append((where[k], where[k + len(p) - 1] + 1))
        at = k + len(p)
    return spans


LATIN = re.compile(r"[A-Za-z0-9]")


def find_terms(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where any of the terms occurs in text: case and spacing aside (방위비분담금 finds
    방위비 분담금), and Latin terms only as whole words (SMA is not in SMART).

    >>> t = "방위비 분담금과 SMA(Special Measures Agreement), SMART, 방위비분담금을"
    >>> [t[a:z] for a, z in find_terms(t, ["방위비분담금", "SMA", "special measures"])]
    ['방위비 분담금', 'SMA', 'Special Measures', '방위비분담금']
    >>> [t[a:z] for a, z in find_terms(t, ["방위비", "분담금"])]
    ['방위비 분담금', '방위비분담금']
    """
    flat, where = squash(text)
    low = flat.casefold()
    hits = []
    for term in terms:
        p = squash(term)[0].casefold()
        if not p:
            continue
        k = low.find(p)
        while k >= 0:
            a, z = where[k], where[k + len(p) - 1] + 1
            ok = True
            if LATIN.match(p[0]) and a > 0 and LATIN.match(text[a - 1]):
                ok = False
            if LATIN.match(p[-1]) and z < len(text) and LATIN.match(text[z]):
                ok = False
            if ok:
                hits.append((a, z))
            k = low.find(p, k + 1)
    hits.sort()
    merged: list[tuple[int, int]] = []
    for a, z in hits:  # overlapping hits, or hits only a space apart (방위비 분담금), are one
        if merged and (a < merged[-1][1] or not text[merged[-1][1]:a].strip()):
            merged[-1] = (merged[-1][0], max(z, merged[-1][1]))
        else:
            merged.append((a, z))
    return merged


# --- cut marks ---------------------------------------------------------------------------

# Full-width and Chinese final punctuation ends a sentence even with text right after it
# (Chinese sets no space between sentences); the others need a space or the paragraph end,
# so 1.10, U.S.-ROK and 했다.”라고 do not end one.
FINAL_UNSPACED = "。！？"


def _initial(text: str, i: int) -> bool:
    """The '.' at i follows a lone capital, as in U.S. or Glenn H. Snyder: not a full stop."""
    return (i >= 1 and "A" <= text[i - 1] <= "Z"
            and (i == 1 or not text[i - 2].isalpha()))


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of a paragraph end: just after the final punctuation and any
    closing quotes or brackets that follow it.

    >>> t = "미국은 1.10% 늘렸다. 그러나 U.S. forces는 “그대로다.”라고 했다.” 끝"
    >>> ends = sentence_ends(t)
    >>> [t[a:z].strip() for a, z in zip([0] + ends, ends + [len(t)])]
    ['미국은 1.10% 늘렸다.', '그러나 U.S. forces는 “그대로다.”라고 했다.”', '끝']
    >>> sentence_ends("韩国认为不合理。但是韩国依然被动")
    [8]
    """
    ends, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in SENTENCE_FINAL:
            i += 1
            continue
        k = i + 1
        while k < n and text[k] in SENTENCE_FINAL:   # "?!", "...", "…。" end once
            k += 1
        j = k
        while j < n and text[j] in CLOSERS:
            j += 1
        unspaced = any(c in FINAL_UNSPACED for c in text[i:k])
        if (unspaced or j == n or text[j].isspace()) and not (text[i:k] == "." and _initial(text, i)):
            ends.append(j)
        i = j
    return ends


def cut_marks(text: str, spans: list[tuple[int, int]]) -> tuple[bool, bool]:
    """Whether a quote (its spans in the paragraph `text`) starts and stops inside a sentence.

    A cut is a letter or digit of the author's sentence left out: punctuation, quote marks
    and spaces are not, so a quote that stops before the final "." or "。" is whole.

    >>> t = "국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다. 다음 문장."
    >>> def marks(q, t=t): return cut_marks(t, locate_quote(q, t))
    >>> marks("방위비 분담금은 한 푼도"), marks("국민의 세금으로"), marks("분담금은 한 푼도 소홀히 써서는 안 된다.")
    ((True, True), (False, True), (True, False))
    >>> marks("국민의 세금으로 충당되는 방위비 분담금은 한 푼도 소홀히 써서는 안 된다")   # only "." is left
    (False, False)
    >>> marks("국민의 세금으로 […] 소홀히 써서는 안 된다."), marks("다음 문장")
    ((False, False), (False, False))
    >>> z = "尽管韩国认为美国的要价并不合理，但在防卫费协商中，韩国依然处于相对被动的局面。特朗普提出"
    >>> marks("但在防卫费协商中，韩国依然处于相对被动的局面", z), marks("特朗普", z)
    ((True, False), (False, True))
    >>> e = "This study examines the U.S. and South Korea alliance. It finds a dilemma."
    >>> marks("the U.S. and South Korea alliance.", e), marks("It finds", e)
    ((True, False), (False, True))
    >>> marks("그대로다.", "그는 “그대로다.”라고 말했다.")   # reported speech inside a sentence
    (True, True)
    """
    ends = sentence_ends(text)
    start, stop = spans[0][0], spans[-1][1]
    begin = max((e for e in ends if e <= start), default=0)
    end = min((e for e in ends if e >= stop), default=len(text))
    return (LETTER_OR_DIGIT_RE.search(text, begin, start) is not None,
            LETTER_OR_DIGIT_RE.search(text, stop, end) is not None)


# --- loading and validation -------------------------------------------------------------

class _Checker:
    """Reads one issue file; every problem names the file, the line and the value."""

    def __init__(self, path: Path, lines: dict[tuple, int]):
        self.path, self.lines = path, lines

    def fail(self, where: tuple, message: str, expected: str | None = None, found=None):
        line = None
        for k in range(len(where), -1, -1):
            line = self.lines.get(where[:k])
            if line:
                break
        raise IssueError(self.path, message, line=line, expected=expected,
                         found=None if found is None else (found if isinstance(found, str) else repr(found)))

    def text(self, data: dict, key: str, where: tuple, required=True, what="a non-empty string") -> str | None:
        v = data.get(key)
        if v is None:
            if required:
                self.fail(where, f"missing '{key}'", expected=f"'{key}:' ({what})", found="no such key")
            return None
        if not isinstance(v, str) or not v.strip():
            self.fail(where + (key,), f"bad value for '{key}'", expected=what, found=repr(v))
        return v.strip()

    def keys(self, data, allowed: set[str], where: tuple, what: str):
        if not isinstance(data, dict):
            self.fail(where, f"{what} must be a mapping of key: value", expected="a mapping",
                      found=type(data).__name__)
        for k in data:
            if k not in allowed:
                self.fail(where + (str(k),), f"unknown key '{k}' in {what}", expected=f"one of {sorted(allowed)}",
                          found=repr(k))

    def languages(self, data: dict, key: str, where: tuple, need=LANGS) -> dict[str, str]:
        v = data.get(key)
        if not isinstance(v, dict):
            self.fail(where, f"missing '{key}'" if v is None else f"bad value for '{key}'",
                      expected=f"'{key}:' with {', '.join(need)}", found="no such key" if v is None else repr(v))
        for lang in need:
            if not isinstance(v.get(lang), str) or not v[lang].strip():
                self.fail(where + (key,), f"'{key}' has no {lang} text",
                          expected=f"'{key}.{lang}:' (a name in {LANG_NAMES[lang]})",
                          found=repr(v.get(lang)) if lang in v else "no such key")
        extra = set(v) - set(LANGS)
        if extra:
            self.fail(where + (key,), f"unknown language in '{key}'", expected=f"one of {list(LANGS)}",
                      found=repr(sorted(extra)[0]))
        return {k: str(x).strip() for k, x in v.items()}


LANG_NAMES = {"ko": "Korean", "en": "English", "zh": "Chinese"}
ISSUE_KEYS = {"id", "order", "updated", "names", "short", "question", "description", "terms", "related", "positions"}
UPDATED_EXPECTED = "the date of the issue's last change, YYYY-MM-DD (a real day)"


def full_date(value) -> bool:
    """A real day written YYYY-MM-DD.

    >>> [full_date(x) for x in ["2026-11-21", "2026-02-30", "2026-11", "21.11.2026", 20261121, " 2026-11-21"]]
    [True, False, False, False, False, False]
    """
    import datetime
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True
SHORT_MAX = 12   # letters in a matrix column's name: two short lines at most
POSITION_KEYS = {"source", "stance", "summary", "gloss", "quotes", "relations", "editors_note", "stance_note"}
QUOTE_KEYS = {"paragraph", "text"}
RELATION_KEYS = {"type", "with", "note"}


def read_issue(path: Path, paragraphs: dict[str, list[dict]]) -> Issue:
    """One issue file, validated and with every quote found in its paragraph.
    paragraphs: source slug -> that source's paragraph records."""
    node, data = read_yaml(path, IssueError)
    lines = node_lines(node) if node is not None else {}
    c = _Checker(path, lines)
    if data is None:
        c.fail((), "issue file is empty", expected="a mapping with id, names, question, description, terms, positions")
    c.keys(data, ISSUE_KEYS, (), "the issue")
    iid = c.text(data, "id", (), what="a lowercase id like defense-cost-sharing")
    if not ID_RE.match(iid):
        c.fail(("id",), "bad value for 'id'", expected="lowercase letters, digits and single hyphens", found=iid)
    names = c.languages(data, "names", ())
    short = c.text(data, "short", (), required=False, what=f"a Korean name of at most {SHORT_MAX} letters") or ""
    if len(short.replace(" ", "")) > SHORT_MAX:
        c.fail(("short",), "'short' is too long for a column of the matrix",
               expected=f"at most {SHORT_MAX} letters (spaces aside)", found=short)
    question = c.languages(data, "question", (), need=("ko", "en"))
    description = c.text(data, "description", (), what="two to four neutral sentences in Korean")
    terms_raw = data.get("terms")
    if not isinstance(terms_raw, dict):
        c.fail((), "missing 'terms'" if terms_raw is None else "bad value for 'terms'",
               expected="'terms:' with lists of search terms under ko, en and zh",
               found="no such key" if terms_raw is None else repr(terms_raw))
    terms = {}
    for lang in LANGS:
        v = terms_raw.get(lang)
        if not isinstance(v, list) or not v or not all(isinstance(t, str) and t.strip() for t in v):
            c.fail(("terms", lang) if lang in terms_raw else ("terms",), f"'terms' has no {lang} terms",
                   expected=f"'terms.{lang}:' a list of search terms in {LANG_NAMES[lang]}",
                   found=repr(v) if lang in terms_raw else "no such key")
        terms[lang] = [t.strip() for t in v]
    related = data.get("related") or []
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        c.fail(("related",), "bad value for 'related'", expected="a list of issue ids", found=repr(related))
    raw_positions = data.get("positions")
    if not isinstance(raw_positions, list) or not raw_positions:
        c.fail(("positions",) if "positions" in data else (), "an issue needs positions",
               expected="'positions:' a list of at least one position", found=repr(raw_positions))
    positions, seen = [], set()
    for i, pos in enumerate(raw_positions):
        positions.append(_read_position(c, pos, ("positions", i), paragraphs, seen))
    for i, p in enumerate(positions):
        for j, r in enumerate(p.relations):
            if r.target not in seen:
                c.fail(("positions", i, "relations", j, "with"), "relation to a position this issue does not have",
                       expected=f"one of the sources with a position here: {sorted(seen)}", found=r.target)
            if r.target == p.slug:
                c.fail(("positions", i, "relations", j, "with"), "a position cannot relate to itself",
                       expected="another source's position", found=r.target)
    order = whole_number(data.get("order", 1000))
    if order is None:
        c.fail(("order",), "bad value for 'order'", expected="a whole number (the issue's place in lists)",
               found=repr(data.get("order")))
    # The page's date when it is cited: an editor who changes the issue changes it too
    # (tests/test_issues.py compares it with the file's last commit).
    updated = data.get("updated")
    if "updated" not in data:
        c.fail((), "missing 'updated'", expected=f"'updated:' {UPDATED_EXPECTED}", found="no such key")
    if not full_date(updated):
        c.fail(("updated",), "bad value for 'updated'", expected=UPDATED_EXPECTED, found=repr(updated))
    return Issue(iid, str(path), names, question, description, terms, list(related), positions, order, updated,
                 [lines.get(("related", k)) for k in range(len(related))], short)


def _read_position(c: _Checker, pos, where: tuple, paragraphs: dict[str, list[dict]], seen: set) -> Position:
    c.keys(pos, POSITION_KEYS, where, "a position")
    slug = c.text(pos, "source", where, what="the slug of a source folder in corpus/sources/")
    if slug not in paragraphs:
        c.fail(where + ("source",), "unknown source", expected=f"one of {sorted(paragraphs)}", found=slug)
    if slug in seen:
        c.fail(where + ("source",), "two positions for one source", expected="one position per source and issue",
               found=slug)
    seen.add(slug)
    stance = pos.get("stance")
    if stance is not None and stance not in STANCES:
        c.fail(where + ("stance",), "bad value for 'stance'", expected=f"one of {list(STANCES)}", found=repr(stance))
    stance_note = c.text(pos, "stance_note", where, required=False,
                         what="the editors' reason for the stance code, in Korean")
    if stance is None and stance_note is None:
        # A position without a code must say why none fits, or readers take it for an oversight.
        c.fail(where, f"position of {slug} has no stance",
               expected="stance_note: why this position has no stance code",
               found="no stance and no stance_note")
    summary = c.text(pos, "summary", where, what="a one- or two-sentence summary in Korean")
    gloss = c.text(pos, "gloss", where, what="a one-line English gloss")
    editors_note = c.text(pos, "editors_note", where, required=False,
                          what="the editors' reading the text does not state, in Korean")
    raw_quotes = pos.get("quotes")
    if not isinstance(raw_quotes, list) or not 1 <= len(raw_quotes) <= MAX_QUOTES:
        c.fail(where + ("quotes",) if "quotes" in pos else where, "a position needs one to three quotes",
               expected=f"'quotes:' a list of 1 to {MAX_QUOTES} quotes",
               found=f"{len(raw_quotes)} quotes" if isinstance(raw_quotes, list) else repr(raw_quotes))
    by_anchor = {p["anchor"]: p for p in paragraphs[slug]}
    quotes = []
    for k, q in enumerate(raw_quotes):
        qw = where + ("quotes", k)
        c.keys(q, QUOTE_KEYS, qw, "a quote")
        anchor = c.text(q, "paragraph", qw, what="a paragraph id like p-afcec7 (the # part of its link)")
        text = c.text(q, "text", qw, what="the author's words, verbatim")
        if len(LETTER_OR_DIGIT_RE.findall(text)) < MIN_QUOTE_LETTERS:
            # One letter "stands" in almost any paragraph: it proves nothing and shows nothing.
            c.fail(qw + ("text",), "quote too short to be meaningful",
                   expected=f"at least {MIN_QUOTE_LETTERS} letters or digits of the author's words", found=repr(text))
        para = by_anchor.get(anchor)
        landed = next((p for p in paragraphs[slug] if anchor in p.get("aliases", ())), None)
        if para is None and landed is not None:
            c.fail(qw + ("paragraph",), f"paragraph {anchor} was removed from source {slug} "
                   f"(its id now lands on paragraph {landed['number']}, {landed['anchor']})",
                   expected="the id of the paragraph where the quoted words now stand" + _where_is(text, paragraphs[slug]),
                   found=anchor)
        if para is None:
            c.fail(qw + ("paragraph",), f"no paragraph {anchor} in source {slug}",
                   expected="the id of a paragraph of that source" + _where_is(text, paragraphs[slug]),
                   found=anchor)
        spans = locate_quote(text, para["text"])
        if spans is None:
            c.fail(qw + ("text",), f"quote does not stand in paragraph {para['number']} ({anchor}) of {slug}",
                   expected="the author's words as published, whitespace aside" + _where_is(text, paragraphs[slug]),
                   found=f"quote {_short(text)!r}; paragraph begins {_short(para['text'])!r}")
        shown = " […] ".join(para["text"][a:z] for a, z in spans)
        quotes.append(Quote(para, shown, spans, *cut_marks(para["text"], spans)))
    relations = []
    raw_rel = pos.get("relations") or []
    if not isinstance(raw_rel, list):
        c.fail(where + ("relations",), "bad value for 'relations'", expected="a list", found=repr(raw_rel))
    for k, r in enumerate(raw_rel):
        rw = where + ("relations", k)
        c.keys(r, RELATION_KEYS, rw, "a relation")
        t = r.get("type")
        if t not in RELATIONS:
            c.fail(rw + ("type",), "bad relation type", expected=f"one of {list(RELATIONS)}", found=repr(t))
        target = c.text(r, "with", rw, what="the source slug of another position on this issue")
        relations.append(Relation(t, target, c.text(r, "note", rw, required=False) or ""))
    return Position(slug, stance, summary, gloss, quotes, relations, editors_note or "", stance_note or "")


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "…"


def _where_is(text: str, paras: list[dict]) -> str:
    """A hint for the fix: the paragraph where the quote does stand, if any."""
    for p in paras:
        if locate_quote(text, p["text"]):
            return f" (this text stands in paragraph {p['number']}, {p['anchor']})"
    return ""


def load_issues(root: Path, paragraphs: dict[str, list[dict]]) -> list[Issue]:
    """Every corpus/issues/*.yml, checked against each other; all problems at once."""
    folder = root / "issues"
    if not folder.is_dir():
        return []
    refuse_links(folder, root, IssueError)
    issues, errors, failed = [], [], set()
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        try:
            refuse_links(path, root, IssueError)
            issues.append(read_issue(path, paragraphs))
        except EditionError as e:
            errors.append(e)
            failed.add(path.stem)  # one problem, one message: not again as a missing related issue
    by_id: dict[str, Issue] = {}
    for issue in issues:
        if issue.id in by_id:
            errors.append(IssueError(issue.path, f"duplicate issue id '{issue.id}'",
                                     expected="an id no other issue file uses",
                                     found=f"the same id in {by_id[issue.id].path}"))
        by_id.setdefault(issue.id, issue)
    for issue in issues:
        for r, line in zip(issue.related, issue.related_lines):
            if r not in by_id and r not in failed:
                errors.append(IssueError(issue.path, "related issue does not exist", line=line,
                                         expected=f"one of {sorted(by_id)}", found=r))
            elif r == issue.id:
                errors.append(IssueError(issue.path, "an issue cannot be related to itself", line=line,
                                         expected="another issue's id", found=r))
    if errors:
        raise CorpusErrors(errors)
    return sorted(issues, key=lambda i: (i.order, i.names["ko"]))
