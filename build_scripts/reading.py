"""Reading files of the corpus, all of which may come from a pull request.

    refuse_links   no symbolic link anywhere the build reads: every path stays in corpus/
    decode_text    UTF-8 only (a BOM and CRLF accepted), no control characters; other
                   encodings named in the message
    read_yaml      strict YAML: plain values stay text (no YAML 1.1 guessing), no aliases,
                   tags or duplicate keys, bounded nesting; the line of every value kept

Every stage that reads a file of the corpus (sources, corrections, the anchors lock, issues,
the glossary) reads it here, so no stage imports another to read its input.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from build_scripts.errors import MetadataError
from build_scripts.cleaning.clean import normalize_newlines, strip_bom


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
    build_scripts.reading.YamlProblem: YAML alias '*x'
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
