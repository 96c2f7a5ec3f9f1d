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

from build_scripts.errors import CorpusErrors, EditionError, MetadataError, SourceTextError
from build_scripts.reading import char_name, decode_text, load_yaml, refuse_links
from build_scripts.cleaning.anchors import LOCK_NAME, AnchorLockError, read_lock
from build_scripts.cleaning.corrections import load_corrections
from build_scripts.errors import CorrectionError
from build_scripts.memo import digest, remember
from build_scripts.pages.render import invalid_formulas

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
LANGUAGES = {"ko": "한국어", "zh": "중국어", "en": "영어", "ja": "일본어"}
TYPES = ["op-ed", "issue-brief", "policy-paper", "journal-article", "report", "book-chapter", "other"]
FORMATS = ["text", "markdown"]
log = logging.getLogger("mkdocs.edition")


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
    text_sha256: str = ""   # of source.txt's bytes as received (the bytes are not kept)
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


def reading_order(src: Source) -> tuple[str, str]:
    """The edition's order of sources, everywhere they are listed: by date, then slug."""
    return (src.meta["date"], src.slug)


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


def load_source(folder: Path, root: Path | None = None, memo=None) -> Source:
    """A source folder read and checked. `memo` (memo.Memo), if given, keeps the Source by
    the folder's files' bytes, so an unchanged source is not parsed again (`mkdocs serve`);
    the checks on links and the log's warnings are done every time."""
    root = root if root is not None else folder.parent.parent
    slug = folder.name
    if not SLUG_RE.match(slug):
        raise MetadataError(folder, "source folder name is not a safe slug",
                            expected="lowercase letters, digits and single hyphens, e.g. 2025-son-alliance-modernization",
                            found=repr(slug))
    refuse_links(folder, root)
    meta_path, text_path = folder / "meta.yml", folder / "source.txt"
    lock_path, corr_path = folder / LOCK_NAME, folder / "corrections.yml"
    for p, error in ((meta_path, MetadataError), (text_path, SourceTextError)):
        if p.exists() or p.is_symlink():
            refuse_links(p, root, error)
    if not meta_path.is_file():
        raise MetadataError(meta_path, "meta.yml is missing", expected="a meta.yml beside source.txt", found="no file")
    if not text_path.is_file():
        raise SourceTextError(text_path, "source.txt is missing", expected="the text as received", found="no file")
    if lock_path.exists() or lock_path.is_symlink():
        refuse_links(lock_path, root, AnchorLockError)   # the build writes this file: never through a link
    if corr_path.exists() or corr_path.is_symlink():
        refuse_links(corr_path, root, CorrectionError)
    src = remember(memo, lambda: digest("load", str(folder), *(p.read_bytes() if p.is_file() else b"\0"
                                                               for p in (meta_path, text_path, lock_path, corr_path))),
                   lambda: _read_source(folder, slug, meta_path, text_path, lock_path, corr_path))
    if src.format == "markdown":
        for offset, tex, why in invalid_formulas(src.text):
            log.warning(f"edition: {src.rel('source.txt')}:{src.line_of(offset)}: formula ${tex}$ is not valid "
                        f"TeX ({why}); shown as text")
    return src


def _read_source(folder: Path, slug: str, meta_path: Path, text_path: Path, lock_path: Path,
                 corr_path: Path) -> Source:
    data, lines, paths = load_yaml(meta_path)
    meta = validate_meta(meta_path, data, lines, paths)
    raw = text_path.read_bytes()
    text = decode_source(text_path, raw)
    got = hashlib.sha256(raw).hexdigest()
    src = Source(slug=slug, folder=folder, text=text, meta=meta, text_sha256=got, meta_lines=paths)
    del raw
    want = meta.get("sha256")
    if want:
        # A new version of the text as received is accepted: its paragraphs are matched
        # to the published ids (anchors.yml), and the log says what moved.
        if got != want.lower():
            src.notices.append(f"{src.rel('source.txt')}: differs from the sha256 in meta.yml "
                               f"({want[:12]}… → {got[:12]}…); accepted as a new version of the text")
    src.anchor_lock = read_lock(lock_path)
    if corr_path.exists():
        src.corrections = load_corrections(corr_path)
    return src


def load_corpus(root: Path, memo=None) -> list[Source]:
    """Load every source under root/sources; report all problems at once (`memo`: see
    load_source)."""
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
            sources.append(load_source(folder, root, memo))
        except EditionError as e:
            errors.append(e)
    errors += check_authors(sources)
    if errors:
        raise CorpusErrors(errors)
    warn_duplicates(sources)
    return sources
