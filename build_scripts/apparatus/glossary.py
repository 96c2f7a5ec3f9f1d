"""The glossary: `corpus/glossary.yml` -> hover explanations on every page, and a page.

Each entry names an abbreviation and what it stands for in English, Korean and Chinese.
Every page gets them as <abbr title="..."> through Python-Markdown's abbreviations, which
Material shows as tooltips. Python-Markdown finds an abbreviation only between `\\b` word
boundaries, and Hangul counts as a word character, so it would miss `SMA를` and `NCG는`:
in Korean a particle follows the word without a space. Here the boundary is "no Latin
letter or digit on either side" instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from build_scripts.reading import node_lines, read_yaml, refuse_links
from build_scripts.errors import EditionError
from build_scripts.apparatus.glossary_markdown import GlossaryExtension

ENTRY_KEYS = {"abbr", "en", "ko", "zh", "note"}


class GlossaryError(EditionError):
    """corpus/glossary.yml is malformed."""


@dataclass
class Entry:
    abbr: str
    en: str
    ko: str
    zh: str
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.en} · {self.ko} · {self.zh}"


def load_glossary(root: Path) -> list[Entry]:
    path = root / "glossary.yml"
    if not path.is_file():
        return []
    refuse_links(path, root, GlossaryError)
    node, data = read_yaml(path, GlossaryError)
    lines = node_lines(node) if node is not None else {}
    if not isinstance(data, list):
        raise GlossaryError(path, "the glossary must be a list of entries", line=1,
                            expected="- abbr: SMA / en: ... / ko: ... / zh: ...", found=type(data).__name__)
    out, seen = [], {}
    for i, e in enumerate(data):
        line = lines.get((i,))
        if not isinstance(e, dict):
            raise GlossaryError(path, f"entry {i + 1} is not a mapping", line=line,
                                expected="abbr, en, ko, zh", found=repr(e))
        extra = set(e) - ENTRY_KEYS
        if extra:
            raise GlossaryError(path, f"unknown key in entry {i + 1}", line=line,
                                expected=f"one of {sorted(ENTRY_KEYS)}", found=repr(sorted(extra)[0]))
        for k in ("abbr", "en", "ko", "zh"):
            if not isinstance(e.get(k), str) or not e[k].strip():
                raise GlossaryError(path, f"entry {i + 1} ({e.get('abbr', '?')}) has no '{k}'",
                                    line=lines.get((i, k), line),
                                    expected=f"'{k}:' a non-empty string", found=repr(e.get(k)))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-&/.]*", e["abbr"]):
            raise GlossaryError(path, f"bad abbreviation in entry {i + 1}", line=line,
                                expected="Latin letters, digits, '-', '&', '/' or '.'", found=repr(e["abbr"]))
        if e["abbr"] in seen:
            raise GlossaryError(path, f"abbreviation '{e['abbr']}' defined twice", line=line,
                                expected="one entry per abbreviation", found=f"another at line {seen[e['abbr']]}")
        seen[e["abbr"]] = line
        out.append(Entry(e["abbr"].strip(), e["en"].strip(), e["ko"].strip(), e["zh"].strip(),
                         str(e.get("note") or "").strip()))
    return out


def extension_config(entries: list[Entry]) -> dict:
    """The extension's settings, as a `markdown_extensions` entry would give them."""
    return {"glossary": {e.abbr: e.title for e in entries}}


def extension(entries: list[Entry]) -> GlossaryExtension:
    return GlossaryExtension(**extension_config(entries))
