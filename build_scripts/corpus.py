"""Stage 1: load one source folder and validate it.

A source is `corpus/sources/<slug>/` with `source.txt` (the text as received, never edited),
`meta.yml` (bibliographic data) and, optionally, `corrections.yml` (editorial decisions
anchored on the original text). Everything a user can get wrong here raises an
EditionError naming the file, the line where there is one, what was expected and what
was found.
"""
from __future__ import annotations

import hashlib
import re
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


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that keeps dates as strings: `2025-12` and `2019-01-27` are both data
    the edition validates itself, not datetime objects YAML guesses at."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def compose_and_load(text: str):
    """Parse once: the node tree (for line numbers) and the data built from it."""
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
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(path, "file is not UTF-8", expected="UTF-8 text",
                    found=f"byte {e.object[e.start]:#04x} at offset {e.start}") from None
    try:
        return compose_and_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
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


def load_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Parse a YAML file; return (data, {top-level key: line number})."""
    node, data = read_yaml(path)
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            lines[str(k.value)] = k.start_mark.line + 1
    return data, lines


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
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
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
        return {str(k): (str(v) if v is not None else v) for k, v in value.items()}
    if spec.kind == "choice":
        if value not in spec.choices:
            bad(f"one of {spec.choices}")
        return value
    if spec.kind == "date":
        s = str(value) if isinstance(value, int) else value
        if not isinstance(s, str) or not valid_date(s):
            bad("a date YYYY, YYYY-MM or YYYY-MM-DD")
        return s
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


def validate_meta(path: Path, data: Any, lines: dict[str, int]) -> dict:
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
    for i, a in enumerate(meta["authors"]):
        if isinstance(a, str):
            meta["authors"][i] = a = {"name": a}
        if not isinstance(a, dict) or not a.get("name"):
            raise MetadataError(path, f"author {i + 1} has no name", line=lines.get("authors"),
                                expected="a name string or a mapping with 'name'", found=repr(a))
        extra = set(a) - AUTHOR_KEYS
        if extra:
            raise MetadataError(path, f"unknown key in author {i + 1}", line=lines.get("authors"),
                                expected=f"one of {sorted(AUTHOR_KEYS)}", found=repr(sorted(extra)[0]))
    for k, v in (meta.get("dates") or {}).items():
        if v is None or not valid_date(v):
            raise MetadataError(path, f"bad date in 'dates.{k}'", line=lines.get("dates"),
                                expected="YYYY, YYYY-MM or YYYY-MM-DD", found=repr(v))
    _check_citation_fields(path, meta, lines)
    sha = data.get("sha256")
    if sha is not None and not (isinstance(sha, str) and re.fullmatch(r"[0-9a-fA-F]{64}", sha)):
        raise MetadataError(path, "bad value for 'sha256'", line=lines.get("sha256"),
                            expected="64 hexadecimal digits, in quotes if they could be read as a number",
                            found=repr(sha))
    for f in meta.get("unknown", []):
        if f not in META_SCHEMA:
            raise MetadataError(path, "unknown field named in 'unknown'", line=lines.get("unknown"),
                                expected=f"one of {sorted(META_SCHEMA)}", found=repr(f))
    for f in meta.get("inferred", {}):
        if f not in META_SCHEMA:
            raise MetadataError(path, "unknown field named in 'inferred'", line=lines.get("inferred"),
                                expected=f"one of {sorted(META_SCHEMA)}", found=repr(f))
    if meta["title"] is None and "title" not in meta.get("unknown", []):
        raise MetadataError(path, "title is null but not marked unknown", line=lines.get("title"),
                            expected="a title, or 'title' listed in 'unknown'", found="title: null")
    return meta


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
        if not (isinstance(u, str) and URL_RE.match(u)):
            raise MetadataError(path, f"bad value in 'related_urls' item {i + 1}", line=lines.get("related_urls"),
                                expected="a mapping with url: http(s)://... and an optional label", found=repr(r))
    for i, a in enumerate(meta["authors"]):
        if a.get("given_en") and not a.get("family_en"):
            raise MetadataError(path, f"author {i + 1} has given_en but no family_en", line=lines.get("authors"),
                                expected="family_en (the family name as romanized) beside given_en",
                                found=repr(a.get("given_en")))


def decode_source(path: Path, raw: bytes) -> str:
    """Decode source.txt: UTF-8 required; a BOM and CRLF/CR line ends are accepted and normalised."""
    if not raw.strip():
        raise SourceTextError(path, "source text is empty", expected="the text as received", found="an empty file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise SourceTextError(path, "source text is not UTF-8", line=line,
                              expected="UTF-8 text", found=f"byte {raw[e.start]:#04x} at offset {e.start}") from None
    from .clean import normalize_newlines, strip_bom
    return normalize_newlines(strip_bom(text))


def load_source(folder: Path) -> Source:
    slug = folder.name
    if not SLUG_RE.match(slug):
        raise MetadataError(folder, "source folder name is not a safe slug",
                            expected="lowercase letters, digits and single hyphens, e.g. 2025-son-alliance-modernization",
                            found=repr(slug))
    meta_path, text_path = folder / "meta.yml", folder / "source.txt"
    if not meta_path.is_file():
        raise MetadataError(meta_path, "meta.yml is missing", expected="a meta.yml beside source.txt", found="no file")
    if not text_path.is_file():
        raise SourceTextError(text_path, "source.txt is missing", expected="the text as received", found="no file")
    data, lines = load_yaml(meta_path)
    meta = validate_meta(meta_path, data, lines)
    raw = text_path.read_bytes()
    text = decode_source(text_path, raw)
    src = Source(slug=slug, folder=folder, text=text, meta=meta, raw_bytes=raw)
    want = meta.get("sha256")
    if want:
        # A new version of the text as received is accepted: its paragraphs are matched
        # to the published ids (anchors.yml), and the log says what moved.
        got = hashlib.sha256(raw).hexdigest()
        if got != want.lower():
            src.notices.append(f"{src.rel('source.txt')}: differs from the sha256 in meta.yml "
                               f"({want[:12]}… → {got[:12]}…); accepted as a new version of the text")
    from .anchors import LOCK_NAME, read_lock
    src.anchor_lock = read_lock(folder / LOCK_NAME)
    corr_path = folder / "corrections.yml"
    if corr_path.is_file():
        from .corrections import load_corrections
        src.corrections = load_corrections(corr_path)
    return src


def load_corpus(root: Path) -> list[Source]:
    """Load every source under root/sources; report all problems at once."""
    base = root / "sources"
    if not base.is_dir():
        raise CorpusErrors([EditionError(base, "no sources folder", expected="corpus/sources/<slug>/", found="nothing")])
    sources, errors = [], []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            sources.append(load_source(folder))
        except EditionError as e:
            errors.append(e)
    if errors:
        raise CorpusErrors(errors)
    return sources
