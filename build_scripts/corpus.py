"""Stage 1: load one source folder and validate it.

A source is `corpus/sources/<slug>/` with `source.txt` (the text as received, never edited),
`meta.yml` (bibliographic data) and, optionally, `corrections.yml` (editorial decisions
anchored on the original text). Everything a user can get wrong here raises an
EditionError naming the file, the line where there is one, what was expected and what
was found.

Every file of the corpus may come from a pull request, so it is read as untrusted: no
symbolic links are followed, YAML is read without aliases, tags or YAML 1.1 guessing
(every value stays the text written), and text must be UTF-8 without control characters.
"""
from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CorpusErrors, EditionError, MetadataError, SourceTextError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
LANGUAGES = {"ko": "한국어", "zh": "중국어", "en": "영어", "ja": "일본어"}
TYPES = ["op-ed", "issue-brief", "policy-paper", "journal-article", "report", "book-chapter", "other"]
FORMATS = ["text", "markdown"]
log = logging.getLogger("mkdocs.edition")


# --- files inside the corpus, and nowhere else --------------------------------------------

def refuse_links(path: Path, root: Path, error=MetadataError) -> None:
    """Refuse a symbolic link at `path` or at any folder between it and the corpus root
    (the root included), and a path that resolves outside the root.

    A pull request can commit a link: `source.txt -> /etc/passwd` would publish the file
    (and copy it into anchors.yml, which the build writes), a linked folder a whole tree.
    """
    p = path
    while True:
        if p.is_symlink():
            raise error(p, "symbolic link in the corpus", expected="a real file or folder inside corpus/ "
                        "(links are not followed: they could publish any file of the machine that builds)",
                        found="a symbolic link")
        if p == root or p == p.parent:
            break
        p = p.parent
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise error(path, "path lies outside the corpus", expected="a file or folder inside corpus/",
                    found=f"a path resolving to {path.resolve()}") from None


# --- text: UTF-8, no control characters ------------------------------------------------

# C0 and C1 controls but tab, line feed and carriage return: a NUL, a form feed or an
# escape has no place in published text (a U+0085 is mostly a "…" read in the wrong code page).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0b: "vertical tab", 0x0c: "form feed",
                 0x1b: "escape", 0x7f: "delete", 0x85: "next line (a '…' in Windows-1252?)"}
BOMS = ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"), (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
        (b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)"))


def char_name(c: str) -> str:
    """
    >>> char_name("\\x00"), char_name("\\u200b")
    ('U+0000 (NUL)', 'U+200B (ZERO WIDTH SPACE)')
    """
    name = CONTROL_NAMES.get(ord(c)) or unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")


def other_encoding(raw: bytes) -> tuple[str, str] | None:
    """(encoding, how it shows) when bytes that should be UTF-8 are plainly UTF-16 or UTF-32:
    a byte-order mark, or NUL bytes nearly all in every second place (ASCII letters, spaces
    and line ends of UTF-16 text). None when they are not.

    >>> other_encoding("한미 ok\\n".encode("utf-16"))
    ('UTF-16 (little-endian)', 'the byte-order mark FF FE at the start')
    >>> other_encoding("alliance 동맹\\n".encode("utf-16-be"))[1]
    'NUL bytes in every second place (10 of 24 bytes)'
    >>> other_encoding("한미\\x00동맹".encode()), other_encoding("한미동맹".encode())
    (None, None)
    """
    for bom, name in BOMS:
        if raw.startswith(bom):
            return name, f"the byte-order mark {bom.hex(' ').upper()} at the start"
    zeros = raw.count(0)
    if not zeros or len(raw) % 2:
        return None
    odd = raw[1::2].count(0)
    name, codec, most = (("UTF-16 (little-endian)", "utf-16-le", odd) if odd >= zeros - odd
                         else ("UTF-16 (big-endian)", "utf-16-be", zeros - odd))
    if most < 0.9 * zeros:
        return None
    if zeros * 4 < len(raw):  # few NULs: UTF-16 only if the bytes are no UTF-8 at all
        try:
            raw.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return name, f"NUL bytes in every second place ({zeros} of {len(raw)} bytes)"


def decode_text(path: Path, raw: bytes, error, what: str) -> str:
    """Bytes -> text: UTF-8 (a BOM is dropped), never UTF-16, no control characters."""
    enc = other_encoding(raw)
    if enc:
        raise error(path, f"{what} is {enc[0]}, not UTF-8", expected="UTF-8 text (convert it, e.g. "
                    "iconv -f UTF-16 -t UTF-8)", found=enc[1])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise error(path, f"{what} is not UTF-8", line=line,
                    expected="UTF-8 text", found=f"byte {raw[e.start]:#04x} at offset {e.start}") from None
    from .clean import normalize_newlines, strip_bom
    text = normalize_newlines(strip_bom(text))
    m = CONTROL_RE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        n = len(CONTROL_RE.findall(text))
        raise error(path, f"control character in the {'text' if what == 'source text' else 'file'}", line=line,
                    expected="text without control characters (tab and line breaks only)",
                    found=f"{char_name(m.group())} at column {col}" + (f" ({n} in all)" if n > 1 else ""))
    return text


# --- YAML: data as written ------------------------------------------------------------

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that keeps every plain value as the text written: `2025-12`, `010`, `1.10`,
    `On` and `No` stay strings (YAML 1.1 would read a date, 8, 1.1 and booleans). Only
    null (`null`, `~`, nothing) is recognised; a field that wants a number converts it."""


NULL_TAG, STR_TAG = "tag:yaml.org,2002:null", "tag:yaml.org,2002:str"
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag == NULL_TAG]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Explicit tags that change nothing; any other (!!int, !!binary, !!set, !!python/...) is refused.
PLAIN_TAGS = {None, "!", STR_TAG, NULL_TAG, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
MAX_DEPTH = 20   # the corpus nests 5 deep; libyaml's composer crashes past ~100,000


class YamlProblem(Exception):
    def __init__(self, line, message, expected=None, found=None):
        super().__init__(message)
        self.line, self.message, self.expected, self.found = line, message, expected, found


def check_events(text: str) -> None:
    """One pass over the YAML events, before anything is built: no alias (`*x` would copy
    its anchor's value, and nested aliases grow exponentially: "billion laughs"), no tag
    but the plain ones, no nesting past MAX_DEPTH, no key twice in a mapping (YAML keeps
    the last), no key that is not text, no control character in a value.

    >>> check_events("a: &x [1]\\nb: *x\\n")
    Traceback (most recent call last):
    ...
    build_scripts.corpus.YamlProblem: YAML alias '*x'
    >>> try: check_events("a: 1\\nb: 2\\na: 3\\n")
    ... except YamlProblem as e: print(e.line, e.message, e.found)
    3 duplicate key 'a' 'a' again; the first at line 1
    """
    frames: list[list] = []   # per open collection: [is_mapping, expecting a key, {key: line}]
    for ev in yaml.parse(text, Loader=_Loader):
        line = ev.start_mark.line + 1 if ev.start_mark else None
        if isinstance(ev, yaml.AliasEvent):
            raise YamlProblem(line, f"YAML alias '*{ev.anchor}'", expected="every value written out "
                              "(anchors '&' and aliases '*' are not read in the corpus)", found=f"*{ev.anchor}")
        if isinstance(ev, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            if ev.tag not in PLAIN_TAGS:
                raise YamlProblem(line, f"YAML tag '{ev.tag}'", expected="plain values (put a value in quotes "
                                  "to keep it text)", found=repr(ev.tag))
            if frames and frames[-1][0]:
                parent = frames[-1]
                if parent[1]:
                    if not isinstance(ev, yaml.ScalarEvent) or ev.tag == NULL_TAG or (
                            ev.implicit[0] and ev.tag is None and ev.value in ("", "~", "null", "Null", "NULL")):
                        raise YamlProblem(line, "a key that is not text",
                                          expected="key: value, the key a plain word", found=_event_text(ev))
                    if ev.value in parent[2]:
                        raise YamlProblem(line, f"duplicate key '{ev.value}'", expected="each key once in a "
                                          "mapping (YAML would keep only the last)",
                                          found=f"'{ev.value}' again; the first at line {parent[2][ev.value]}")
                    parent[2][ev.value] = line
                parent[1] = not parent[1]
        if isinstance(ev, yaml.ScalarEvent):
            m = CONTROL_RE.search(ev.value)
            if m:
                raise YamlProblem(line, "control character in a value", expected="text without control "
                                  "characters (tab and line breaks only)", found=char_name(m.group()))
        elif isinstance(ev, yaml.CollectionStartEvent):
            frames.append([isinstance(ev, yaml.MappingStartEvent), True, {}])
            if len(frames) > MAX_DEPTH:
                raise YamlProblem(line, "YAML nested too deep", expected=f"at most {MAX_DEPTH} levels of "
                                  "lists and mappings", found=f"more than {MAX_DEPTH}")
        elif isinstance(ev, yaml.CollectionEndEvent):
            frames.pop()


def _event_text(ev) -> str:
    if isinstance(ev, yaml.SequenceStartEvent):
        return "a list"
    if isinstance(ev, yaml.MappingStartEvent):
        return "a mapping"
    return "an empty key" if ev.value in ("", "~") else repr(ev.value)


def compose_and_load(text: str):
    """Check the events, then compose once: the node tree (for line numbers) and the data built from it.

    >>> compose_and_load("volume: 010\\nissue: 1.10\\nok: On\\ndate: 2024-11-20\\ntitle: ~\\n")[1]
    {'volume': '010', 'issue': '1.10', 'ok': 'On', 'date': '2024-11-20', 'title': None}
    """
    check_events(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def read_yaml(path: Path, error=MetadataError):
    """Read and parse a YAML file of the corpus; return (node tree, data). Problems are
    raised as `error` (MetadataError, CorrectionError) naming the file and line."""
    text = decode_text(path, path.read_bytes(), error, "file")
    try:
        return compose_and_load(text)
    except YamlProblem as e:
        raise error(path, e.message, line=e.line, expected=e.expected, found=e.found) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        if problem.startswith("but ") and getattr(e, "context", None):   # "expected a single document ..., but found another"
            problem = f"{e.context}, {problem}"
        raise error(path, f"malformed YAML: {problem}", line=mark.line + 1 if mark else None) from None


def node_lines(node, path: tuple = ()) -> dict[tuple, int]:
    """Line of every value in a YAML node tree, by its path of keys and indexes.

    >>> node, _ = compose_and_load("a:\\n  - x: 1\\n    y: 2\\n")
    >>> node_lines(node)[("a", 0, "y")]
    3
    """
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out.update(node_lines(v, path + (str(k.value),)))
            out[path + (str(k.value),)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(node_lines(v, path + (i,)))
    return out


def load_yaml(path: Path) -> tuple[Any, dict[str, int], dict[tuple, int]]:
    """Parse a YAML file; return (data, {top-level key: line}, {path of keys: line})."""
    node, data = read_yaml(path)
    paths = node_lines(node) if node is not None else {}
    return data, {k[0]: v for k, v in paths.items() if len(k) == 1}, paths


def whole_number(value, low: int = 0, high: int | None = None) -> int | None:
    """A field that wants a number: the digits written (YAML here reads them as text).

    >>> whole_number("3"), whole_number("010"), whole_number("two"), whole_number("7", 1, 6)
    (3, 10, None, None)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        n = int(value)
    else:
        return None
    return n if n >= low and (high is None or n <= high) else None


# --- the schema of meta.yml -------------------------------------------------------------

@dataclass
class Field:
    kind: str  # "str", "str?", "list", "map", "date", "choice"
    required: bool = False
    choices: list[str] | None = None
    help: str = ""


META_SCHEMA: dict[str, Field] = {
    "title": Field("str?", True, help="the original title, or null when unknown"),
    "title_supplied": Field("str", help="a short title supplied by the editors when the original is unknown"),
    "title_translated": Field("map", help="editors' translations of the title, by language"),
    "title_published": Field("map", help="parallel titles as the publication gives them, by language"),
    "authors": Field("list", True, help="a list of authors; empty when unknown"),
    "affiliation_inferred": Field("str", help="an affiliation implied by the text when the author is unknown"),
    "date": Field("date", True),
    "dates": Field("map", help="received / accepted / published dates"),
    "language": Field("choice", True, choices=sorted(LANGUAGES)),
    "languages": Field("list"),
    "type": Field("choice", choices=TYPES),
    "publisher": Field("str"),
    "venue": Field("str"),
    "series": Field("str"),
    "number": Field("str"),
    "volume": Field("str"),
    "issue": Field("str"),
    "pages": Field("str"),
    "doi": Field("str"),
    "url": Field("str"),
    "related_urls": Field("list"),
    "format": Field("choice", choices=FORMATS),
    "sha256": Field("str", help="checksum of source.txt as received"),
    "unknown": Field("list", help="fields nobody could establish"),
    "inferred": Field("map", help="fields inferred from the text, with how"),
    "notes": Field("str"),
}
AUTHOR_KEYS = {"id", "name", "name_en", "name_zh", "name_ko", "family_en", "given_en",
               "affiliation", "affiliation_en", "role"}
# An author's id names the page authors/<id>/ and says "the same person" across sources.
AUTHOR_ID_RE = SLUG_RE
RESERVED_AUTHOR_IDS = {"index"}          # authors/index is the list of authors
UNATTRIBUTED = "unattributed-"           # authors/unattributed-<slug>: a source whose author is unknown
DATE_KEYS = {"received", "accepted", "published"}
LANG_TAG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Citation fields whose form reference managers rely on: checked here, so a bad value
# is reported against meta.yml instead of surfacing as a broken BibTeX or meta tag.
DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s\"<>]+$")
PAGES_RE = re.compile(r"^(\d+)\s*(?:[-–—]\s*(\d+))?$")
URL_RE = re.compile(r"^https?://[^\s<>\"]+$")


@dataclass
class Source:
    slug: str
    folder: Path
    text: str          # normalised: no BOM, LF line ends
    meta: dict
    corrections: list = field(default_factory=list)
    corrections_lines: list = field(default_factory=list)
    raw_bytes: bytes = b""
    anchor_lock: list = field(default_factory=list)   # anchors.Entry, from anchors.yml
    notices: list = field(default_factory=list)       # things the build log should say
    meta_lines: dict = field(default_factory=dict)    # line of each value of meta.yml, by path

    @property
    def format(self) -> str:
        return self.meta.get("format", "text")

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, max(0, offset)) + 1

    def rel(self, name: str) -> str:
        return f"corpus/sources/{self.slug}/{name}"


def _check_value(path: Path, key: str, spec: Field, value: Any, line: int | None) -> Any:
    def bad(expected: str):
        raise MetadataError(path, f"bad value for '{key}'", line=line,
                            expected=expected, found=repr(value))
    if spec.kind == "str":
        if not isinstance(value, str) or not value.strip():
            bad("a non-empty string")
        return value
    if spec.kind == "str?":
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            bad("a non-empty string, or null when unknown")
        return value
    if spec.kind == "list":
        if value is None:
            bad("a list (use [] when empty)")
        if not isinstance(value, list):
            bad("a list")
        return value
    if spec.kind == "map":
        if not isinstance(value, dict):
            bad("a mapping of key: value")
        for v in value.values():
            if not isinstance(v, str) or not v.strip():
                raise MetadataError(path, f"bad value in '{key}'", line=line,
                                    expected="key: text, each value a non-empty string", found=repr(v))
        return dict(value)
    if spec.kind == "choice":
        if value not in spec.choices:
            bad(f"one of {spec.choices}")
        return value
    if spec.kind == "date":
        if not isinstance(value, str) or not valid_date(value):
            bad("a date YYYY, YYYY-MM or YYYY-MM-DD")
        return value
    raise AssertionError(spec.kind)


def valid_date(s: str) -> bool:
    """True for YYYY, YYYY-MM and YYYY-MM-DD with a real month and day.

    >>> [valid_date(x) for x in ["2025", "2025-12", "2019-01-27", "2025-13", "2025-02-30", "27.1.2019"]]
    [True, True, True, False, False, False]
    """
    import datetime
    m = DATE_RE.match(s)
    if not m:
        return False
    y, mo, d = m.groups()
    try:
        datetime.date(int(y), int(mo or 1), int(d or 1))
    except ValueError:
        return False
    return True


def validate_meta(path: Path, data: Any, lines: dict[str, int], paths: dict[tuple, int] | None = None) -> dict:
    """meta.yml's data -> the checked metadata. lines: top-level key -> line; paths: the
    line of every nested value (node_lines), for problems inside lists and mappings."""
    paths = paths or {}

    def at(*where) -> int | None:
        for k in range(len(where), 0, -1):
            if where[:k] in paths:
                return paths[where[:k]]
        return lines.get(where[0])
    if data is None:
        raise MetadataError(path, "meta.yml is empty", expected="a mapping with title, authors, date, language")
    if not isinstance(data, dict):
        raise MetadataError(path, "meta.yml must be a mapping of key: value", line=1,
                            expected="a mapping", found=type(data).__name__)
    meta = {}
    for key, value in data.items():
        key = str(key)
        if key not in META_SCHEMA:
            raise MetadataError(path, f"unknown key '{key}'", line=lines.get(key),
                                expected=f"one of {sorted(META_SCHEMA)}", found=repr(key))
        meta[key] = _check_value(path, key, META_SCHEMA[key], value, lines.get(key))
    for key, spec in META_SCHEMA.items():
        if spec.required and key not in data:
            raise MetadataError(path, f"missing required key '{key}'",
                                expected=f"'{key}:' ({spec.help or spec.kind})", found="no such key")
    meta["authors"] = list(meta["authors"])
    for i, a in enumerate(meta["authors"]):
        if isinstance(a, str):
            meta["authors"][i] = a = {"name": a}
        if not isinstance(a, dict) or not a.get("name"):
            raise MetadataError(path, f"author {i + 1} has no name", line=at("authors", i),
                                expected="a name string or a mapping with 'name'", found=repr(a))
        extra = set(a) - AUTHOR_KEYS
        if extra:
            raise MetadataError(path, f"unknown key in author {i + 1}", line=at("authors", i, sorted(extra)[0]),
                                expected=f"one of {sorted(AUTHOR_KEYS)}", found=repr(sorted(extra)[0]))
        for k, v in a.items():
            if not isinstance(v, str) or not v.strip():
                raise MetadataError(path, f"bad value for '{k}' of author {i + 1}", line=at("authors", i, k),
                                    expected="a non-empty string", found=repr(v))
        if "id" in a:
            problem = author_id_problem(a["id"])
            if problem:
                raise MetadataError(path, f"bad author id of author {i + 1}", line=at("authors", i, "id"),
                                    expected=problem, found=repr(a["id"]))
    _check_lists(path, meta, at)
    for k, v in (meta.get("dates") or {}).items():
        if k not in DATE_KEYS:
            raise MetadataError(path, "unknown key in 'dates'", line=at("dates", k),
                                expected=f"one of {sorted(DATE_KEYS)}", found=repr(k))
        if not valid_date(v):
            raise MetadataError(path, f"bad date in 'dates.{k}'", line=at("dates", k),
                                expected="YYYY, YYYY-MM or YYYY-MM-DD", found=repr(v))
    for key in ("title_translated", "title_published"):
        for k in meta.get(key) or {}:
            if not LANG_TAG_RE.match(k):
                raise MetadataError(path, f"bad language in '{key}'", line=at(key, k),
                                    expected="a language code such as en, zh or ko", found=repr(k))
    _check_citation_fields(path, meta, lines)
    sha = data.get("sha256")
    if sha is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
        raise MetadataError(path, "bad value for 'sha256'", line=lines.get("sha256"),
                            expected="64 hexadecimal digits", found=repr(sha))
    for f in meta.get("inferred", {}):
        if f not in META_SCHEMA:
            raise MetadataError(path, "unknown field named in 'inferred'", line=at("inferred", f),
                                expected=f"one of {sorted(META_SCHEMA)}", found=repr(f))
    if meta["title"] is None and "title" not in meta.get("unknown", []):
        raise MetadataError(path, "title is null but not marked unknown", line=lines.get("title"),
                            expected="a title, or 'title' listed in 'unknown'", found="title: null")
    return meta


def _check_lists(path: Path, meta: dict, at) -> None:
    """The items of `unknown` and `languages`: plain words, never lists or mappings."""
    for i, f in enumerate(meta.get("unknown", [])):
        if not isinstance(f, str) or f not in META_SCHEMA:
            raise MetadataError(path, "unknown field named in 'unknown'", line=at("unknown", i),
                                expected=f"one of {sorted(META_SCHEMA)}", found=repr(f))
    for i, code in enumerate(meta.get("languages", [])):
        if not isinstance(code, str) or not LANG_TAG_RE.match(code):
            raise MetadataError(path, f"bad value in 'languages' item {i + 1}", line=at("languages", i),
                                expected="a language code such as ko, zh or en", found=repr(code))


def _check_citation_fields(path: Path, meta: dict, lines: dict[str, int]) -> None:
    def bad(key, expected):
        raise MetadataError(path, f"bad value for '{key}'", line=lines.get(key), expected=expected,
                            found=repr(meta[key]))
    if meta.get("doi") is not None and not DOI_RE.match(meta["doi"]):
        bad("doi", "a DOI such as 10.22931/aanda.2025.9.2.002 (no https://doi.org/ prefix, no spaces)")
    if meta.get("pages") is not None:
        m = PAGES_RE.match(meta["pages"].strip())
        if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            bad("pages", "a page or a page range like 35-65 (first page not after the last)")
    if meta.get("url") is not None and not URL_RE.match(meta["url"]):
        bad("url", "an http:// or https:// address without spaces")
    for i, r in enumerate(meta.get("related_urls") or []):
        u = r.get("url") if isinstance(r, dict) else None
        label = r.get("label", "-") if isinstance(r, dict) else None
        if not (isinstance(u, str) and URL_RE.match(u) and isinstance(label, str) and label.strip()
                and set(r) <= {"url", "label"}):
            raise MetadataError(path, f"bad value in 'related_urls' item {i + 1}", line=lines.get("related_urls"),
                                expected="a mapping with url: http(s)://... and an optional label", found=repr(r))
    for i, a in enumerate(meta["authors"]):
        if a.get("given_en") and not a.get("family_en"):
            raise MetadataError(path, f"author {i + 1} has given_en but no family_en", line=lines.get("authors"),
                                expected="family_en (the family name as romanized) beside given_en",
                                found=repr(a.get("given_en")))


# --- authors across sources ---------------------------------------------------------------

def author_id_problem(aid: str) -> str | None:
    """What is wrong with an author id, as the 'expected' of a message; None when it is good.

    >>> [author_id_problem(x) is None for x in ["yang-uk", "kim-2", "index", "..", "Yang Uk", "unattributed-x"]]
    [True, True, False, False, False, False]
    """
    if not AUTHOR_ID_RE.match(aid):
        return "lowercase ASCII letters and digits in words joined by single hyphens, e.g. yang-uk"
    if aid in RESERVED_AUTHOR_IDS or aid.startswith(UNATTRIBUTED):
        return f"an id other than {sorted(RESERVED_AUTHOR_IDS)} or '{UNATTRIBUTED}…' (names the site uses itself)"
    return None


def ascii_slug(s: str) -> str:
    """
    >>> ascii_slug("Wei-Jian Gu"), ascii_slug("..")
    ('wei-jian-gu', '')
    """
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def author_id(a: dict, slug: str, i: int) -> str:
    """An explicit `id`, else the romanised name, else the source and position."""
    return a.get("id") or ascii_slug(a.get("name_en", "")) or f"{slug}-author-{i + 1}"


def check_authors(sources: list[Source]) -> list[EditionError]:
    """One id, one person: the same id on two people (two different `name`s) would merge
    their works on one author page; the same person in two sources is what an id is for."""
    errors, seen = [], {}   # id -> (name, where)
    for src in sources:
        mine = set()
        for i, a in enumerate(src.meta["authors"]):
            aid = author_id(a, src.slug, i)
            line = src.meta_lines.get(("authors", i, "id")) or src.meta_lines.get(("authors", i))
            where = f"{src.rel('meta.yml')}:{line}" if line else src.rel("meta.yml")
            made = "" if a.get("id") else f" (made from name_en {a.get('name_en')!r})"
            problem = author_id_problem(aid)
            if problem:
                errors.append(MetadataError(src.rel("meta.yml"), f"bad author id of author {i + 1}{made}", line=line,
                                            expected=f"{problem}; give the author an 'id:'", found=repr(aid)))
                continue
            if aid in mine:
                errors.append(MetadataError(src.rel("meta.yml"), f"author id '{aid}' listed twice in one source",
                                            line=line, expected="each author once", found=f"author {i + 1}{made}"))
                continue
            mine.add(aid)
            if aid in seen and seen[aid][0] != a["name"]:
                errors.append(MetadataError(src.rel("meta.yml"), f"author id '{aid}'{made} names two people",
                                            line=line, expected="one id per person (give one of them another 'id:')",
                                            found=f"{a['name']!r} here and {seen[aid][0]!r} in {seen[aid][1]}"))
                continue
            seen.setdefault(aid, (a["name"], where))
    return errors


def warn_duplicates(sources: list[Source]) -> None:
    """The same DOI or the same title on two sources is most likely one work added twice:
    a warning (which `mkdocs build --strict` treats as an error), naming both files."""
    for key, norm in (("doi", str.casefold), ("title", lambda t: " ".join(unicodedata.normalize("NFKC", t).casefold().split()))):
        first: dict[str, Source] = {}
        for src in sources:
            v = src.meta.get(key)
            if not v:
                continue
            other = first.setdefault(norm(v), src)
            if other is not src:
                line = src.meta_lines.get((key,))
                log.warning(f"edition: {src.rel('meta.yml')}{f':{line}' if line else ''}: the same {key} as "
                            f"{other.rel('meta.yml')} ({v!r}); one work added twice?")


# --- a source folder ------------------------------------------------------------------

def decode_source(path: Path, raw: bytes) -> str:
    """Decode source.txt: UTF-8 required; a BOM and CRLF/CR line ends are accepted and normalised.

    A text must carry letters: one of only spaces, ideographic spaces or zero-width
    characters would publish an empty page.
    """
    if not raw.strip():
        raise SourceTextError(path, "source text is empty", expected="the text as received", found="an empty file")
    text = decode_text(path, raw, SourceTextError, "source text")
    if not any(c.isalnum() for c in text):
        chars = sorted({c for c in text if c not in " \n"})
        raise SourceTextError(path, "source text has no letter or digit",
                              expected="the text as received, with its letters",
                              found="only " + (", ".join(char_name(c) for c in chars[:5]) or "spaces")
                              + (" …" if len(chars) > 5 else ""))
    return text


def load_source(folder: Path, root: Path | None = None) -> Source:
    root = root if root is not None else folder.parent.parent
    slug = folder.name
    if not SLUG_RE.match(slug):
        raise MetadataError(folder, "source folder name is not a safe slug",
                            expected="lowercase letters, digits and single hyphens, e.g. 2025-son-alliance-modernization",
                            found=repr(slug))
    refuse_links(folder, root)
    meta_path, text_path = folder / "meta.yml", folder / "source.txt"
    for p, error in ((meta_path, MetadataError), (text_path, SourceTextError)):
        if p.exists() or p.is_symlink():
            refuse_links(p, root, error)
    if not meta_path.is_file():
        raise MetadataError(meta_path, "meta.yml is missing", expected="a meta.yml beside source.txt", found="no file")
    if not text_path.is_file():
        raise SourceTextError(text_path, "source.txt is missing", expected="the text as received", found="no file")
    data, lines, paths = load_yaml(meta_path)
    meta = validate_meta(meta_path, data, lines, paths)
    raw = text_path.read_bytes()
    text = decode_source(text_path, raw)
    src = Source(slug=slug, folder=folder, text=text, meta=meta, raw_bytes=raw, meta_lines=paths)
    want = meta.get("sha256")
    if want:
        # A new version of the text as received is accepted: its paragraphs are matched
        # to the published ids (anchors.yml), and the log says what moved.
        got = hashlib.sha256(raw).hexdigest()
        if got != want.lower():
            src.notices.append(f"{src.rel('source.txt')}: differs from the sha256 in meta.yml "
                               f"({want[:12]}… → {got[:12]}…); accepted as a new version of the text")
    from .anchors import LOCK_NAME, AnchorLockError, read_lock
    lock_path = folder / LOCK_NAME
    if lock_path.exists() or lock_path.is_symlink():
        refuse_links(lock_path, root, AnchorLockError)   # the build writes this file: never through a link
    src.anchor_lock = read_lock(lock_path)
    corr_path = folder / "corrections.yml"
    if corr_path.exists() or corr_path.is_symlink():
        from .corrections import load_corrections
        from .errors import CorrectionError
        refuse_links(corr_path, root, CorrectionError)
        src.corrections = load_corrections(corr_path)
    if src.format == "markdown":
        from .render import invalid_formulas
        for offset, tex, why in invalid_formulas(text):
            log.warning(f"edition: {src.rel('source.txt')}:{src.line_of(offset)}: formula ${tex}$ is not valid "
                        f"TeX ({why}); shown as text")
    return src


def load_corpus(root: Path) -> list[Source]:
    """Load every source under root/sources; report all problems at once."""
    base = root / "sources"
    if not base.is_dir():
        raise CorpusErrors([EditionError(base, "no sources folder", expected="corpus/sources/<slug>/", found="nothing")])
    refuse_links(base, root)
    sources, errors = [], []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            log.info(f"edition: {folder}: skipped (a folder whose name starts with '.' is not a source)")
            continue
        try:
            sources.append(load_source(folder, root))
        except EditionError as e:
            errors.append(e)
    errors += check_authors(sources)
    if errors:
        raise CorpusErrors(errors)
    warn_duplicates(sources)
    return sources
