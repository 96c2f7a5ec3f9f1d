"""Hostile and careless input (issue 12, input validation): every bad input gives one
clear message naming the file and line, what was expected and what was found, or a
documented safe outcome; no symlink is followed, no YAML alias expanded, no value
guessed at.

Each case runs on a throwaway project (make_project). Most are read with the corpus
loaders themselves, from the project's root as `mkdocs build` reads them (so the
messages name `corpus/...` as a user sees it); a full `mkdocs build` runs only where
the end-to-end outcome is the point (a linked /etc/passwd, what a page publishes).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.cleaning.anchors import read_lock
from build_scripts.cleaning.corpus import load_corpus
from build_scripts.errors import CorpusErrors, EditionError
from build_scripts.apparatus.glossary import load_glossary
from build_scripts.apparatus.issues import load_issues
from tests.conftest import MINIMAL_META, make_project, mkdocs_build

TEXT = "한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 한미간 이견 때문이 아니다.\n"
GOOD = {"source.txt": TEXT, "meta.yml": MINIMAL_META}
BAD = "corpus/sources/bad-source/"
META = BAD + "meta.yml"
# MINIMAL_META is four lines: title, authors, date, language; a line added is line 5.


def _files(override: dict) -> dict:
    files = dict(GOOD)
    files.update(override)
    return {k: v for k, v in files.items() if v is not None}


def only_error(proj: Path, monkeypatch) -> str:
    """The one message loading the corpus gives, with paths as the user sees them."""
    monkeypatch.chdir(proj)
    with pytest.raises(CorpusErrors) as e:
        load_corpus(Path("corpus"))
    assert len(e.value.errors) == 1, str(e.value)
    return e.value.errors[0].format()


def load_bad(tmp_path, monkeypatch, override: dict) -> str:
    proj = make_project(tmp_path, {"bad-source": _files(override), "good-source": GOOD})
    return only_error(proj, monkeypatch)


def loads(tmp_path, monkeypatch, override: dict, slug="ok-source"):
    proj = make_project(tmp_path, {slug: _files(override)})
    monkeypatch.chdir(proj)
    return {s.slug: s for s in load_corpus(Path("corpus"))}[slug]


# --- YAML: no aliases, no tags, no guessing, no key twice ---------------------------------

# Billion laughs as reported: nine levels of nine, the last one given as an author (its
# repr in the old "author has no name" message reached 6 GB).
LAUGHS = ("title: x\nunknown:\n" + "".join(f"  - &l{k} [" + ", ".join([f"*l{k - 1}" if k else "lol"] * 9) + "]\n"
                                           for k in range(9))
          + "authors: [*l8]\ndate: 2024-05-01\nlanguage: ko\n")
ALIAS = "YAML alias '*{0}'; expected every value written out (anchors '&' and aliases '*' are not read in the corpus); found *{0}"
TAG = "YAML tag '{0}'; expected plain values (put a value in quotes to keep it text); found '{0}'"
ONE_KEY = "expected each key once in a mapping (YAML would keep only the last)"

META_CASES = {
    "billion laughs (aliases nested 9 deep)": (LAUGHS, f"{META}:4: " + ALIAS.format("l0")),
    "alias in an author field": (
        MINIMAL_META.replace("authors: [홍길동]", "authors: [&p 홍길동, *p]"), f"{META}:2: " + ALIAS.format("p")),
    "merge key <<: *alias": (
        MINIMAL_META + "dates: &d {received: 2024-01-01}\ninferred:\n  <<: *d\n", f"{META}:7: " + ALIAS.format("d")),
    "duplicate top-level key": (
        MINIMAL_META + "title: 다른 제목\n",
        f"{META}:5: duplicate key 'title'; {ONE_KEY}; found 'title' again; the first at line 1"),
    "duplicate key inside an author": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    name: 김철수"),
        f"{META}:4: duplicate key 'name'; {ONE_KEY}; found 'name' again; the first at line 3"),
    "duplicate key in a flow mapping": (
        MINIMAL_META + "dates: {received: 2024-01-01, received: 2024-02-01}\n",
        f"{META}:5: duplicate key 'received'; {ONE_KEY}; found 'received' again; the first at line 5"),
    "explicit !!int tag": (
        MINIMAL_META + "volume: !!int 10\n", f"{META}:5: " + TAG.format("tag:yaml.org,2002:int")),
    "explicit !!bool tag": (
        MINIMAL_META + "notes: !!bool yes\n", f"{META}:5: " + TAG.format("tag:yaml.org,2002:bool")),
    "explicit !!binary tag": (
        MINIMAL_META + "notes: !!binary aGk=\n", f"{META}:5: " + TAG.format("tag:yaml.org,2002:binary")),
    "explicit !!timestamp tag": (
        MINIMAL_META.replace("date: 2024-05-01", "date: !!timestamp 2024-05-01"),
        f"{META}:3: " + TAG.format("tag:yaml.org,2002:timestamp")),
    "explicit !!set tag": (
        MINIMAL_META + "unknown: !!set {url: null}\n", f"{META}:5: " + TAG.format("tag:yaml.org,2002:set")),
    "python object tag": (
        MINIMAL_META + "notes: !!python/object/apply:os.system [id]\n",
        f"{META}:5: " + TAG.format("tag:yaml.org,2002:python/object/apply:os.system")),
    "local tag": (
        MINIMAL_META + "notes: !shell x\n", f"{META}:5: " + TAG.format("!shell")),
    "a list as a key": (
        MINIMAL_META + "? [a, b]\n: c\n", f"{META}:5: a key that is not text; expected key: value, the key a plain word; found a list"),
    "a null key": (
        MINIMAL_META + "~: x\n", f"{META}:5: a key that is not text; expected key: value, the key a plain word; found an empty key"),
    "a key tagged !!null": (
        MINIMAL_META + "!!null x: y\n", f"{META}:5: a key that is not text; expected key: value, the key a plain word; found 'x'"),
    "nested 50 deep": (
        MINIMAL_META + "notes: " + "[" * 50 + "]" * 50 + "\n",
        f"{META}:5: YAML nested too deep; expected at most 20 levels of lists and mappings; found more than 20"),
    "nested 200,000 deep (crashed libyaml's composer)": (
        MINIMAL_META + "notes: " + "[" * 200_000 + "]" * 200_000 + "\n",
        f"{META}:5: YAML nested too deep; expected at most 20 levels of lists and mappings; found more than 20"),
    "two YAML documents": (
        MINIMAL_META + "---\ntitle: 둘째\n", f"{META}:5: malformed YAML: expected a single document in the stream, but found another document"),
    "NUL escaped in a quoted value": (
        MINIMAL_META + 'notes: "a\\0b"\n',
        f"{META}:5: control character in a value; expected text without control characters (tab and line breaks only); "
        "found U+0000 (NUL)"),
    "escape sequence (ANSI colour) in a quoted value": (
        MINIMAL_META + 'publisher: "\\e[31mred"\n',
        f"{META}:5: control character in a value; expected text without control characters (tab and line breaks only); "
        "found U+001B (escape)"),
    "raw control character in meta.yml": (
        MINIMAL_META + "notes: a\x01b\n",
        f"{META}:5: control character in the file; expected text without control characters (tab and line breaks only); "
        "found U+0001 at column 9"),
    "meta.yml in UTF-16": (
        MINIMAL_META.encode("utf-16"),
        f"{META}: file is UTF-16 (little-endian), not UTF-8; expected UTF-8 text (convert it, e.g. iconv -f UTF-16 "
        "-t UTF-8); found the byte-order mark FF FE at the start"),
    # --- types ---
    "a list where a string is expected (name: [Yes])": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: [Yes]"),
        f"{META}:3: bad value for 'name' of author 1; expected a non-empty string; found ['Yes']"),
    "a mapping as an affiliation": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    affiliation: {a: b}"),
        f"{META}:4: bad value for 'affiliation' of author 1; expected a non-empty string; found {{'a': 'b'}}"),
    "an empty name_en": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    name_en:"),
        f"{META}:4: bad value for 'name_en' of author 1; expected a non-empty string; found None"),
    "nested list in unknown": (
        MINIMAL_META + "unknown: [[url]]\n",
        f"{META}:5: unknown field named in 'unknown'; expected one of {{fields}}; found ['url']"),
    "mapping in unknown": (
        MINIMAL_META + "unknown:\n  - url: x\n",
        f"{META}:6: unknown field named in 'unknown'; expected one of {{fields}}; found {{'url': 'x'}}"),
    "nested list in languages": (
        MINIMAL_META + "languages: [ko, [en]]\n",
        f"{META}:5: bad value in 'languages' item 2; expected a language code such as ko, zh or en; found ['en']"),
    "markup in languages": (
        MINIMAL_META + "languages: ['<b>ko</b>']\n",
        f"{META}:5: bad value in 'languages' item 1; expected a language code such as ko, zh or en; found '<b>ko</b>'"),
    "a list as a translated title": (
        MINIMAL_META + "title_translated:\n  en: [a, b]\n",
        f"{META}:5: bad value in 'title_translated'; expected key: text, each value a non-empty string; found ['a', 'b']"),
    "markup as a language key": (
        MINIMAL_META + "title_translated:\n  '<i>en</i>': Title\n",
        f"{META}:6: bad language in 'title_translated'; expected a language code such as en, zh or ko; found '<i>en</i>'"),
    "unknown key in dates": (
        MINIMAL_META + "dates:\n  sent: 2024-01-01\n",
        f"{META}:6: unknown key in 'dates'; expected one of ['accepted', 'published', 'received']; found 'sent'"),
    "a list as a related_urls label": (
        MINIMAL_META + "related_urls:\n  - url: https://example.org/\n    label: [a]\n",
        f"{META}:5: bad value in 'related_urls' item 1; expected a mapping with url: http(s)://... and an optional label; "
        "found {'url': 'https://example.org/', 'label': ['a']}"),
    "a list as an inferred reason": (
        MINIMAL_META + "inferred:\n  date: [x]\n",
        f"{META}:5: bad value in 'inferred'; expected key: text, each value a non-empty string; found ['x']"),
    # --- author ids (hole 8) ---
    "author id 'index' (would replace the authors index)": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    id: index"),
        f"{META}:4: bad author id of author 1; expected an id other than ['index'] or 'unattributed-…' (names the site "
        "uses itself); found 'index'"),
    "author id '..' (dropped a page)": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    id: '..'"),
        f"{META}:4: bad author id of author 1; expected lowercase ASCII letters and digits in words joined by single "
        "hyphens, e.g. yang-uk; found '..'"),
    "author id with spaces and capitals": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    id: Hong Gil-dong"),
        f"{META}:4: bad author id of author 1; expected lowercase ASCII letters and digits in words joined by single "
        "hyphens, e.g. yang-uk; found 'Hong Gil-dong'"),
    "author id taking an unattributed page's name": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    id: unattributed-good-source"),
        f"{META}:4: bad author id of author 1; expected an id other than ['index'] or 'unattributed-…' (names the site "
        "uses itself); found 'unattributed-good-source'"),
    "author id made from name_en 'Index'": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    name_en: Index"),
        f"{META}:3: bad author id of author 1 (made from name_en 'Index'); expected an id other than ['index'] or "
        "'unattributed-…' (names the site uses itself); give the author an 'id:'; found 'index'"),
    "the same author twice in one source": (
        MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    id: hong\n  - name: 홍길동\n    id: hong"),
        f"{META}:6: author id 'hong' listed twice in one source; expected each author once; found author 2"),
}


@pytest.mark.parametrize("case", sorted(META_CASES))
def test_bad_meta_gives_one_clear_message(case, tmp_path, monkeypatch):
    from build_scripts.cleaning.corpus import META_SCHEMA
    meta, want = META_CASES[case]
    got = load_bad(tmp_path, monkeypatch, {"meta.yml": meta})
    assert got == want.replace("{fields}", str(sorted(META_SCHEMA)))


def test_billion_laughs_is_refused_at_once(tmp_path, monkeypatch):
    """9^10 strings if expanded; refused at the first alias, long before any expansion."""
    import time
    t0 = time.perf_counter()
    load_bad(tmp_path, monkeypatch, {"meta.yml": LAUGHS})
    assert time.perf_counter() - t0 < 2


YAML11 = MINIMAL_META.replace("title: 시험 원문", "title: No").replace(
    "authors: [홍길동]", "authors:\n  - name: Yes\n    affiliation: 2024\n    name_en: On\n") + (
    "volume: 010\nissue: 1.10\nnumber: 0x1F\nseries: 1_000\npages: '12'\npublisher: off\nvenue: .inf\n"
    "notes: 1:20\nlanguages: [no]\n")


def test_yaml_1_1_values_stay_the_text_written(tmp_path, monkeypatch):
    """YAML 1.1 reads 010 as 8, 1.10 as 1.1, 1:20 as 80 and No/Yes/On/off as booleans;
    the corpus keeps what was written (and null and dates as before)."""
    src = loads(tmp_path, monkeypatch, {"meta.yml": YAML11})
    m = src.meta
    assert (m["title"], m["volume"], m["issue"], m["number"], m["series"], m["publisher"], m["venue"], m["notes"]) == \
        ("No", "010", "1.10", "0x1F", "1_000", "off", ".inf", "1:20")
    assert m["authors"] == [{"name": "Yes", "affiliation": "2024", "name_en": "On"}]
    assert m["date"] == "2024-05-01" and m["languages"] == ["no"] and m["pages"] == "12"
    # null, a year and dates read as before
    meta = MINIMAL_META.replace("title: 시험 원문", "title: ~\nunknown: [title]").replace("2024-05-01", "2024") \
        + "dates:\n  received: 2024-11-20\n"
    m = loads(tmp_path / "2", monkeypatch, {"meta.yml": meta}).meta
    assert m["title"] is None and m["date"] == "2024" and m["dates"] == {"received": "2024-11-20"}


# --- author ids across sources (hole 8) ----------------------------------------------------

def meta_with(author: str) -> str:
    return MINIMAL_META.replace("authors: [홍길동]", "authors:\n" + author)


def test_one_id_on_two_people_names_both_files(tmp_path, monkeypatch):
    """`id: yang-uk` on another person would merge their works on one author page; the
    same person (the same name) in two sources is what an id is for."""
    from build_scripts.apparatus.author_pages import collect_authors
    proj = make_project(tmp_path / "same", {
        "a-source": _files({"meta.yml": meta_with("  - name: 양욱\n    id: yang-uk\n")}),
        "b-source": _files({"meta.yml": meta_with("  - name: 양욱\n    name_en: Yang Uk\n")})})
    monkeypatch.chdir(proj)
    authors = collect_authors(load_corpus(Path("corpus")))
    assert [(a.id, [s.slug for s in a.sources]) for a in authors.values()] == [("yang-uk", ["a-source", "b-source"])]
    proj = make_project(tmp_path / "two", {
        "a-source": _files({"meta.yml": meta_with("  - name: 양욱\n    id: yang-uk\n")}),
        "b-source": _files({"meta.yml": meta_with("  - name: 김철수\n    id: yang-uk\n")})})
    assert only_error(proj, monkeypatch) == (
        "corpus/sources/b-source/meta.yml:4: author id 'yang-uk' names two people; expected one id per person "
        "(give one of them another 'id:'); found '김철수' here and '양욱' in corpus/sources/a-source/meta.yml:4")


def test_one_romanised_name_on_two_people_names_both_files(tmp_path, monkeypatch):
    proj = make_project(tmp_path, {
        "a-source": _files({"meta.yml": meta_with("  - name: 김민수\n    name_en: Kim Min-su\n")}),
        "b-source": _files({"meta.yml": meta_with("  - name: 金敏洙\n    name_en: Kim Min-su\n")})})
    assert only_error(proj, monkeypatch) == (
        "corpus/sources/b-source/meta.yml:3: author id 'kim-min-su' (made from name_en 'Kim Min-su') names two people; "
        "expected one id per person (give one of them another 'id:'); found '金敏洙' here and '김민수' in "
        "corpus/sources/a-source/meta.yml:3")


# --- the anchor lock ------------------------------------------------------------------

LOCK = ("paragraphs:\n"
        "- id: p-173c59\n  number: 1\n  hash: 173c59d6c63880b4\n  text: 가\n"
        "- id: p-223e0c\n  number: 2\n  hash: 223e0c70ad13dd60\n  text: 나\n")
LOCK_FILE = BAD + "anchors.yml"
LOCK_CASES = {
    "number: two": (LOCK.replace("number: 2", "number: two"),
                    f"{LOCK_FILE}:7: bad number for p-223e0c; expected a whole number (the paragraph's place); found 'two'"),
    "at: a list": (LOCK.replace("number: 2", "number: 2\n  status: removed\n  at: [p-173c59]"),
                   f"{LOCK_FILE}:9: bad 'at' for p-223e0c; expected the id of the paragraph a removed one lands on "
                   "(p-…); found ['p-173c59']"),
    "two ids swapped by hand": (
        LOCK.replace("p-173c59", "p-XXXXXX").replace("p-223e0c", "p-173c59").replace("p-XXXXXX", "p-223e0c"),
        f"{LOCK_FILE}:2: id p-223e0c does not belong to its text; expected the id made from its hash "
        "173c59d6c63880b4: p-173c59 (ids are written by the build, never by hand); found p-223e0c"),
    "an id made up": (LOCK.replace("p-223e0c", "p-my-id"),
                      f"{LOCK_FILE}:6: bad paragraph id; expected p- and 6 hexadecimal digits, then -2, -3 … for "
                      "repeated text; found 'p-my-id'"),
    "markup as an id": (LOCK.replace("p-223e0c", '"p-223e0c\\" onmouseover=x"'),
                        f"{LOCK_FILE}:6: bad paragraph id; expected p- and 6 hexadecimal digits, then -2, -3 … for "
                        "repeated text; found 'p-223e0c\" onmouseover=x'"),
    "a hash that is not hex": (LOCK.replace("223e0c70ad13dd60", "223e0c70ad13dd6z"),
                               f"{LOCK_FILE}:8: bad hash for p-223e0c; expected 16 to 40 lowercase hexadecimal digits; "
                               "found '223e0c70ad13dd6z'"),
    "an id listed twice": (LOCK + "- id: p-173c59\n  number: 3\n  hash: 173c59d6c63880b4\n",
                           f"{LOCK_FILE}:10: an id is listed twice in anchors.yml; expected each id once; found p-173c59 "
                           "again; the first at line 2"),
    "an unknown key": (LOCK.replace("number: 2", "number: 2\n  url: x"),
                       f"{LOCK_FILE}:8: unknown key in the entry of p-223e0c; expected one of ['at', 'first_hash', "
                       "'hash', 'id', 'note', 'number', 'status', 'text']; found 'url'"),
    "a list as the text": (LOCK.replace("text: 나", "text: [나]"),
                           f"{LOCK_FILE}:9: bad text for p-223e0c; expected text; found ['나']"),
    "a duplicate key in an entry": (LOCK.replace("number: 2", "number: 2\n  number: 3"),
                                    f"{LOCK_FILE}:8: duplicate key 'number'; {ONE_KEY}; found 'number' again; the "
                                    "first at line 7"),
}


@pytest.mark.parametrize("case", sorted(LOCK_CASES))
def test_bad_lock_gives_one_clear_message(case, tmp_path, monkeypatch):
    lock, want = LOCK_CASES[case]
    assert load_bad(tmp_path, monkeypatch, {"anchors.yml": lock}) == want


def test_ids_are_checked_against_their_hashes_and_good_locks_still_read(tmp_path):
    """Every id the build wrote is made from its text's hash (p- and its first six hex
    digits; the first text's, for a changed paragraph): the real locks pass, a swap does not."""
    from tests.conftest import CORPUS, SLUGS
    for slug in SLUGS:
        assert read_lock(CORPUS / "sources" / slug / "anchors.yml")
    proj = make_project(tmp_path, {"ok-source": _files({"anchors.yml": LOCK})})
    path = proj / "corpus/sources/ok-source/anchors.yml"
    assert [(e.id, e.number) for e in read_lock(path)] == [("p-173c59", 1), ("p-223e0c", 2)]
    path.write_text(LOCK.replace("id: p-223e0c", "id: p-173c59-2"), "utf-8")
    with pytest.raises(EditionError, match="p-173c59-2 does not belong to its text"):
        read_lock(path)


# --- corrections ----------------------------------------------------------------------------

CORR = BAD + "corrections.yml"
ROLE = "- type: role\n  at: 한미동맹이 위기다.\n  role: heading\n  reason: 시험\n"
CORRECTION_CASES = {
    "level: two": (ROLE + "  level: two\n",
                   f"{CORR}:1: bad value for 'level'; expected a heading level from 2 to 6, with role: heading; found 'two'"),
    "level: 9": (ROLE + "  level: 9\n",
                 f"{CORR}:1: bad value for 'level'; expected a heading level from 2 to 6, with role: heading; found '9'"),
    "level on a pubnote": (ROLE.replace("heading", "pubnote") + "  level: 2\n",
                           f"{CORR}:1: bad value for 'level'; expected a heading level from 2 to 6, with role: heading; "
                           "found '2'"),
    "a list as the anchor": (ROLE.replace("at: 한미동맹이 위기다.", "at: [한미동맹이 위기다.]"),
                             f"{CORR}:1: bad value for 'at'; expected a non-empty string; found ['한미동맹이 위기다.']"),
    "a mapping as the reason": (ROLE.replace("reason: 시험", "reason: {a: b}"),
                                f"{CORR}:1: bad value for 'reason'; expected a non-empty string; found {{'a': 'b'}}"),
    "a null table cell": ("- type: table\n  from: 한미동맹이\n  to: 아니다.\n  reason: 시험\n  columns: [a]\n  rows: [[~]]\n",
                          f"{CORR}:1: bad table cell; expected a cell is text, or a list of texts (one per line); found None"),
    "a table cell nested two deep": (
        "- type: table\n  from: 한미동맹이\n  to: 아니다.\n  reason: 시험\n  columns: [a]\n  rows: [[[[x]]]]\n",
        f"{CORR}:1: bad table cell; expected a cell is text, or a list of texts (one per line); found [['x']]"),
    "a duplicate key": (ROLE + "  role: para\n",
                        f"{CORR}:5: duplicate key 'role'; {ONE_KEY}; found 'role' again; the first at line 3"),
}


@pytest.mark.parametrize("case", sorted(CORRECTION_CASES))
def test_bad_correction_gives_one_clear_message(case, tmp_path, monkeypatch):
    corr, want = CORRECTION_CASES[case]
    assert load_bad(tmp_path, monkeypatch, {"corrections.yml": corr}) == want


def test_a_heading_level_is_read_as_a_number(tmp_path, monkeypatch):
    src = loads(tmp_path, monkeypatch, {"corrections.yml": ROLE + "  level: '3'\n"})
    assert src.corrections[0].data["level"] == 3


# --- source text ------------------------------------------------------------------------

TXT = BAD + "source.txt"
NO_CONTROL = "control character in the text; expected text without control characters (tab and line breaks only)"
TEXT_CASES = {
    "only ideographic and no-break spaces": (
        "\u3000\u00a0\n\u3000\n", f"{TXT}: source text has no letter or digit; expected the text as received, with its "
        "letters; found only U+00A0 (NO-BREAK SPACE), U+3000 (IDEOGRAPHIC SPACE)"),
    "only zero-width characters": (
        "\u200b\u200d\n\u2060\ufeff", f"{TXT}: source text has no letter or digit; expected the text as received, with "
        "its letters; found only U+200B (ZERO WIDTH SPACE), U+200D (ZERO WIDTH JOINER), U+2060 (WORD JOINER), "
        "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    "only punctuation": ("…\n※ ※\n", f"{TXT}: source text has no letter or digit; expected the text as received, "
                         "with its letters; found only U+2026 (HORIZONTAL ELLIPSIS), U+203B (REFERENCE MARK)"),
    "a NUL": (TEXT + "둘째 줄\x00이다.\n", f"{TXT}:2: {NO_CONTROL}; found U+0000 (NUL) at column 5"),
    "NULs on several lines": (TEXT + "a\x00\nb\x00\n", f"{TXT}:2: {NO_CONTROL}; found U+0000 (NUL) at column 2 (2 in all)"),
    "an ANSI escape": ("\x1b[31m" + TEXT, f"{TXT}:1: {NO_CONTROL}; found U+001B (escape) at column 1"),
    "a form feed": (TEXT + "\x0c" + TEXT, f"{TXT}:2: {NO_CONTROL}; found U+000C (form feed) at column 1"),
    "a vertical tab": (TEXT.replace(" 비단", "\x0b비단"), f"{TXT}:1: {NO_CONTROL}; found U+000B (vertical tab) at column 11"),
    "a delete": (TEXT + "\x7f", f"{TXT}:2: {NO_CONTROL}; found U+007F (delete) at column 1"),
    "a C1 control U+0085": (TEXT.replace("다.", "다\x85", 1),
                            f"{TXT}:1: {NO_CONTROL}; found U+0085 (next line (a '…' in Windows-1252?)) at column 10"),
    "UTF-16 little-endian with BOM": (TEXT.encode("utf-16-le").join([b"\xff\xfe", b""]),
                                      f"{TXT}: source text is UTF-16 (little-endian), not UTF-8; expected UTF-8 text "
                                      "(convert it, e.g. iconv -f UTF-16 -t UTF-8); found the byte-order mark FF FE at the start"),
    "UTF-16 big-endian with BOM": (b"\xfe\xff" + TEXT.encode("utf-16-be"),
                                   f"{TXT}: source text is UTF-16 (big-endian), not UTF-8; expected UTF-8 text "
                                   "(convert it, e.g. iconv -f UTF-16 -t UTF-8); found the byte-order mark FE FF at the start"),
    "UTF-16 without BOM": (TEXT.encode("utf-16-le"),
                           f"{TXT}: source text is UTF-16 (little-endian), not UTF-8; expected UTF-8 text (convert it, "
                           "e.g. iconv -f UTF-16 -t UTF-8); found NUL bytes in every second place (13 of 92 bytes)"),
    "ASCII text in UTF-16 without BOM": ("The alliance is in crisis.\n".encode("utf-16-le"),
                                         f"{TXT}: source text is UTF-16 (little-endian), not UTF-8; expected UTF-8 text "
                                         "(convert it, e.g. iconv -f UTF-16 -t UTF-8); found NUL bytes in every second "
                                         "place (27 of 54 bytes)"),
    "UTF-32 with BOM": (TEXT.encode("utf-32"),
                        f"{TXT}: source text is UTF-32 (little-endian), not UTF-8; expected UTF-8 text (convert it, e.g. "
                        "iconv -f UTF-16 -t UTF-8); found the byte-order mark FF FE 00 00 at the start"),
}


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_bad_text_gives_one_clear_message(case, tmp_path, monkeypatch):
    text, want = TEXT_CASES[case]
    assert load_bad(tmp_path, monkeypatch, {"source.txt": text}) == want


def test_only_tab_and_line_breaks_pass_among_control_characters(tmp_path, monkeypatch):
    """A BOM, CRLF, a tab and a zero-width character inside words are text as received;
    a backspace (or any other control character) is not."""
    src = loads(tmp_path, monkeypatch, {"source.txt": ("\ufeff한미\t동맹\u200b이 위기다.\r\n").encode()})
    assert src.text == "한미\t동맹\u200b이 위기다.\n"
    assert load_bad(tmp_path / "2", monkeypatch, {"source.txt": "한미\x08동맹\n"}) == \
        f"{TXT}:1: {NO_CONTROL}; found U+0008 (backspace) at column 3"


# --- symbolic links (hole 4) -----------------------------------------------------------------

LINK = "symbolic link in the corpus; expected a real file or folder inside corpus/ (links are not followed: they " \
       "could publish any file of the machine that builds); found a symbolic link"


def _link(at: Path, to: Path | str) -> None:
    if at.exists():
        at.unlink()
    at.symlink_to(to)


@pytest.mark.parametrize("name", ["source.txt", "meta.yml", "anchors.yml", "corrections.yml"])
def test_a_linked_file_in_a_source_is_refused(name, tmp_path, monkeypatch):
    outside = tmp_path / "outside.txt"
    outside.write_text({"source.txt": TEXT, "meta.yml": MINIMAL_META}.get(name, "[]\n"), "utf-8")
    proj = make_project(tmp_path / "p", {"bad-source": GOOD, "good-source": GOOD})
    _link(proj / BAD / name, outside)
    assert only_error(proj, monkeypatch) == f"{BAD}{name}: {LINK}"


def test_a_link_inside_the_corpus_is_refused_too(tmp_path, monkeypatch):
    proj = make_project(tmp_path, {"bad-source": GOOD, "good-source": GOOD})
    _link(proj / BAD / "source.txt", Path("../good-source/source.txt"))
    assert only_error(proj, monkeypatch) == f"{BAD}source.txt: {LINK}"


def test_a_dangling_link_is_named_as_a_link(tmp_path, monkeypatch):
    proj = make_project(tmp_path, {"bad-source": GOOD, "good-source": GOOD})
    _link(proj / BAD / "source.txt", tmp_path / "nothing-here")
    assert only_error(proj, monkeypatch) == f"{BAD}source.txt: {LINK}"


def test_a_linked_source_folder_is_refused(tmp_path, monkeypatch):
    elsewhere = make_project(tmp_path / "elsewhere", {"x-source": GOOD}) / "corpus/sources/x-source"
    proj = make_project(tmp_path / "p", {"good-source": GOOD})
    _link(proj / "corpus/sources/bad-source", elsewhere)
    assert only_error(proj, monkeypatch) == f"corpus/sources/bad-source: {LINK}"


def test_a_linked_sources_folder_is_refused(tmp_path, monkeypatch):
    elsewhere = make_project(tmp_path / "elsewhere", {"x-source": GOOD}) / "corpus/sources"
    proj = make_project(tmp_path / "p", {})
    (proj / "corpus/sources").rmdir()
    _link(proj / "corpus/sources", elsewhere)
    monkeypatch.chdir(proj)
    with pytest.raises(EditionError) as e:
        load_corpus(Path("corpus"))
    assert e.value.format() == f"corpus/sources: {LINK}"


def test_linked_issue_files_and_glossary_are_refused(tmp_path, monkeypatch):
    outside = tmp_path / "outside.yml"
    outside.write_text("- abbr: X\n  en: x\n  ko: 엑스\n  zh: 艾克斯\n", "utf-8")
    proj = make_project(tmp_path / "p", {"good-source": GOOD}, issues={"a.yml": "id: a\n"})
    monkeypatch.chdir(proj)
    _link(Path("corpus/glossary.yml"), outside)
    with pytest.raises(EditionError) as e:
        load_glossary(Path("corpus"))
    assert e.value.format() == f"corpus/glossary.yml: {LINK}"
    _link(Path("corpus/issues/a.yml"), outside)
    with pytest.raises(CorpusErrors) as e:
        load_issues(Path("corpus"), {})
    assert [x.format() for x in e.value.errors] == [f"corpus/issues/a.yml: {LINK}"]
    os.rename("corpus/issues", "issues-elsewhere")
    _link(Path("corpus/issues"), Path("../issues-elsewhere"))
    with pytest.raises(EditionError) as e:
        load_issues(Path("corpus"), {})
    assert e.value.format() == f"corpus/issues: {LINK}"


def test_source_linked_to_etc_passwd_fails_the_build_and_publishes_nothing(tmp_path):
    """End to end: the file is named, the build stops, and nothing of it reaches the site
    or the lock the build writes (before: published on the page and the exports)."""
    target = Path("/etc/passwd")
    if not target.is_file():
        pytest.skip("no /etc/passwd here")
    proj = make_project(tmp_path, {"good-source": GOOD, "bad-source": GOOD})
    _link(proj / BAD / "source.txt", target)
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out
    assert f"{BAD}source.txt: {LINK}" in out
    first_line = target.read_text("utf-8", "replace").splitlines()[0]
    assert not (proj / BAD / "anchors.yml").exists()
    for f in (proj / "site").rglob("*") if (proj / "site").exists() else []:
        assert not f.is_file() or first_line not in f.read_text("utf-8", "replace")


# --- issue files --------------------------------------------------------------------------

PARAS = {"good-source": [{"anchor": "p-173c59", "number": 1, "text": TEXT.strip(), "lang": "ko", "section": "",
                          "aliases": []}]}


def issue(quote="한미동맹이 위기다", order="10", extra=""):
    return (f"id: crisis\norder: {order}\nnames: {{ko: 위기, en: Crisis, zh: 危机}}\n"
            "question: {ko: 위기인가?, en: Is it a crisis?}\ndescription: 시험용 쟁점이다.\n"
            "terms: {ko: [위기], en: [crisis], zh: [危机]}\npositions:\n"
            "  - source: good-source\n    stance: describes\n    summary: 서술한다.\n    gloss: Describes.\n"
            f"    quotes:\n      - paragraph: p-173c59\n        text: {quote}\n" + extra + "updated: 2026-01-10\n")


ISSUE = "corpus/issues/crisis.yml"
UPDATED = "the date of the issue's last change, YYYY-MM-DD (a real day)"
ISSUE_CASES = {
    "a one-character quote": (issue(quote="위"), f"{ISSUE}:14: quote too short to be meaningful; expected at least 2 "
                              "letters or digits of the author's words; found '위'"),
    "a quote of punctuation only": (issue(quote="'. …'"), f"{ISSUE}:14: quote too short to be meaningful; expected at "
                                    "least 2 letters or digits of the author's words; found '. …'"),
    "a one-letter quote around an elision": (issue(quote="한 […]"), f"{ISSUE}:14: quote too short to be meaningful; "
                                             "expected at least 2 letters or digits of the author's words; found '한 […]'"),
    "a duplicate key": (issue(extra="order: 3\n"), f"{ISSUE}:15: duplicate key 'order'; {ONE_KEY}; found 'order' "
                        "again; the first at line 2"),
    "stance: yes (was a boolean)": (issue().replace("stance: describes", "stance: yes"),
                                    f"{ISSUE}:9: bad value for 'stance'; expected one of ['supports', 'opposes', "
                                    "'conditional', 'mixed', 'describes']; found 'yes'"),
    "an alias": (issue().replace("summary: 서술한다.", "summary: &s 서술한다.").replace("gloss: Describes.", "gloss: *s"),
                 f"{ISSUE}:11: " + ALIAS.format("s")),
    "no updated date": (issue().replace("updated: 2026-01-10\n", ""),
                        f"{ISSUE}:1: missing 'updated'; expected 'updated:' {UPDATED}; found no such key"),
    "an updated date that is no day": (issue().replace("2026-01-10", "2026-02-30"),
                                       f"{ISSUE}:15: bad value for 'updated'; expected {UPDATED}; found '2026-02-30'"),
    "an updated month only": (issue().replace("2026-01-10", "2026-01"),
                              f"{ISSUE}:15: bad value for 'updated'; expected {UPDATED}; found '2026-01'"),
    "an updated date written day first": (issue().replace("2026-01-10", "10.01.2026"),
                                          f"{ISSUE}:15: bad value for 'updated'; expected {UPDATED}; found '10.01.2026'"),
    "an empty updated": (issue().replace("2026-01-10", ""),
                         f"{ISSUE}:15: bad value for 'updated'; expected {UPDATED}; found None"),
}


@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_bad_issue_gives_one_clear_message(case, tmp_path, monkeypatch):
    text, want = ISSUE_CASES[case]
    proj = make_project(tmp_path, {"good-source": GOOD}, issues={"crisis.yml": text})
    monkeypatch.chdir(proj)
    with pytest.raises(CorpusErrors) as e:
        load_issues(Path("corpus"), PARAS)
    assert [x.format() for x in e.value.errors] == [want]


def test_a_two_letter_quote_and_a_numeric_order_still_read(tmp_path, monkeypatch):
    proj = make_project(tmp_path, {"good-source": GOOD}, issues={"crisis.yml": issue(quote="위기", order="010")})
    monkeypatch.chdir(proj)
    [i] = load_issues(Path("corpus"), PARAS)
    assert i.order == 10 and i.positions[0].quotes[0].text == "위기"   # YAML 1.1 read 010 as 8


def test_glossary_keeps_no_as_text_and_refuses_a_key_twice(tmp_path, monkeypatch):
    proj = make_project(tmp_path, {"good-source": GOOD})
    monkeypatch.chdir(proj)
    Path("corpus/glossary.yml").write_text("- abbr: NO\n  en: x\n  ko: 엑스\n  zh: 艾克斯\n", "utf-8")
    assert [e.abbr for e in load_glossary(Path("corpus"))] == ["NO"]   # YAML 1.1: False
    Path("corpus/glossary.yml").write_text("- abbr: NO\n  en: x\n  en: y\n  ko: 엑스\n  zh: 艾克斯\n", "utf-8")
    with pytest.raises(EditionError) as e:
        load_glossary(Path("corpus"))
    assert e.value.format() == f"corpus/glossary.yml:3: duplicate key 'en'; {ONE_KEY}; found 'en' again; the first at line 2"


# --- warnings and log lines ---------------------------------------------------------------------

def test_the_same_doi_or_title_on_two_sources_is_a_warning_naming_both(tmp_path, monkeypatch, caplog):
    doi = "doi: 10.22931/aanda.2025.9.2.002\n"
    proj = make_project(tmp_path, {
        "a-source": _files({"meta.yml": MINIMAL_META + doi}),
        "b-source": _files({"meta.yml": MINIMAL_META.replace("시험 원문", "'시험  원문 '") + doi.replace("aanda", "AANDA")}),
        "c-source": _files({"meta.yml": MINIMAL_META.replace("시험 원문", "다른 글")})})
    monkeypatch.chdir(proj)
    with caplog.at_level(logging.WARNING, logger="mkdocs.edition"):
        assert len(load_corpus(Path("corpus"))) == 3
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "edition: corpus/sources/b-source/meta.yml:5: the same doi as corpus/sources/a-source/meta.yml "
                    "('10.22931/AANDA.2025.9.2.002'); one work added twice?"),
        ("WARNING", "edition: corpus/sources/b-source/meta.yml:1: the same title as corpus/sources/a-source/meta.yml "
                    "('시험  원문 '); one work added twice?")]


def test_a_dot_folder_is_skipped_and_said_so(tmp_path, monkeypatch, caplog):
    proj = make_project(tmp_path, {"good-source": GOOD, ".draft": {"meta.yml": "title: [broken\n"}})
    (proj / "corpus/sources/.linked").symlink_to("/etc")
    monkeypatch.chdir(proj)
    with caplog.at_level(logging.INFO, logger="mkdocs.edition"):
        assert [s.slug for s in load_corpus(Path("corpus"))] == ["good-source"]
    assert [r.getMessage() for r in caplog.records] == [
        "edition: corpus/sources/.draft: skipped (a folder whose name starts with '.' is not a source)",
        "edition: corpus/sources/.linked: skipped (a folder whose name starts with '.' is not a source)"]


MD_META = MINIMAL_META + "format: markdown\n"
MD_TEXT = "한미동맹이 위기다. 비용은 $X_m$ 이다.\n\n둘째 문단의 식 $a_$ 와\n셋째 $\\left(x$ 이다.\n"


def test_invalid_tex_is_a_warning_naming_the_line(tmp_path, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs.edition"):
        loads(tmp_path, monkeypatch, {"meta.yml": MD_META, "source.txt": MD_TEXT})
    assert [r.getMessage() for r in caplog.records] == [
        "edition: corpus/sources/ok-source/source.txt:3: formula $a_$ is not valid TeX (missing super script or "
        "subscript); shown as text",
        "edition: corpus/sources/ok-source/source.txt:4: formula $\\left(x$ is not valid TeX (extra left or missing "
        "right); shown as text"]


def _build(project: Path, *extra: str) -> subprocess.CompletedProcess:
    """`mkdocs build` with its log (mkdocs_build passes -q, which hides warnings and so
    keeps --strict from counting them)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", "site", *extra], cwd=project,
                          capture_output=True, text=True, env=env, timeout=300)


def test_what_a_page_publishes_from_hostile_but_readable_input(tmp_path):
    """End to end: invalid TeX shows as the text written (with the warning in the log),
    YAML 1.1 look-alikes show as written, and a dot folder is skipped and said so.
    (`mkdocs build --strict`, as CI runs it, stops on the TeX warning.)"""
    proj = make_project(tmp_path, {"md-source": {"meta.yml": MD_META, "source.txt": MD_TEXT},
                                   "yaml-source": {"meta.yml": YAML11, "source.txt": TEXT},
                                   ".draft": {"source.txt": b"\xff\xfe"}})
    r = _build(proj)   # as a contributor builds locally: warnings do not stop it
    out = r.stdout + r.stderr
    assert r.returncode == 0 and "Traceback" not in out, out
    assert "WARNING -  edition: corpus/sources/md-source/source.txt:3: formula $a_$ is not valid TeX" in out
    assert "edition: corpus/sources/.draft: skipped" in out
    md = (proj / "site/sources/md-source/index.html").read_text("utf-8")
    assert "$a_$" in md and "$\\left(x$" in md and md.count("<math") == 1
    page = (proj / "site/sources/yaml-source/index.html").read_text("utf-8")
    for shown in ("<dd><i>.inf</i> 010(1.10), 12</dd>", 'Yes (On) — <span class="affiliation">2024</span>',
                  "<dd>off</dd>", "<dd>1_000</dd>", "<dd>0x1F</dd>", "<dd>1:20</dd>", 'citation_title" content="No"'):
        assert shown in page, shown
    strict = _build(proj, "--strict")
    assert strict.returncode != 0 and "Traceback" not in strict.stdout + strict.stderr
    assert "formula $a_$ is not valid TeX" in strict.stdout + strict.stderr
