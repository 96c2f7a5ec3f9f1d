"""Editorial corrections: data beside the source, anchored on the original text.

`corpus/sources/<slug>/corrections.yml` holds a list; each entry names the exact original
text it concerns (`at`, or `from` ... `to` for a longer stretch), what to do, and `reason`.

    - type: table            # rebuild a table the extraction flattened
      from: "[표 1] 한미 양국의 국익 비교"
      to: "자료: 저자 작성"
      caption: ...
      columns: [구분, 미국, 한국]
      rows: [[기조, [item, ...], [item, ...]], ...]
      source: "자료: 저자 작성"
      reason: ...
    - type: role             # say what a block is when the heuristics cannot
      at: "저자소개: 손한별"
      role: pubnote          # pubnote | para | heading | front
      label: author          # for a pubnote, its kind: author, bio, editor, back, disclaimer, publication
      reason: ...

Anchors match the source with any run of white space standing for any other (extractions
differ in spaces and line breaks, the words do not). An anchor that matches nothing, or more
than once, fails the build with the file and line of the correction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


from build_scripts.errors import CorrectionError
from build_scripts.pages.render import PUBNOTE_LABELS
from build_scripts.cleaning.fidelity import letters
from build_scripts.reading import read_yaml
from build_scripts.reading import whole_number

TYPES = {"table", "role"}
ROLES = {"pubnote", "para", "heading", "front"}
KEYS = {
    "table": {"type", "from", "to", "caption", "columns", "rows", "source", "reason"},
    "role": {"type", "at", "from", "to", "role", "label", "level", "reason"},
}


@dataclass
class Correction:
    type: str
    data: dict
    path: str
    line: int
    span: tuple[int, int] | None = None          # resolved in the source text
    lines: tuple[int, int] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.data["reason"]

    def table_text(self) -> str:
        """All the text the rebuilt table shows, in reading order."""
        d = self.data
        parts = [d.get("caption", "")] + list(d["columns"])
        for row in d["rows"]:
            for cell in row:
                parts.extend(cell if isinstance(cell, list) else [cell])
        parts.append(d.get("source", ""))
        return "\n".join(str(p) for p in parts)


def load_corrections(path: Path) -> list[Correction]:
    node, data = read_yaml(path, CorrectionError)
    if data is None:
        return []
    if not isinstance(data, list):
        raise CorrectionError(path, "corrections.yml must be a list of corrections", line=1,
                              expected="a YAML list (- type: ...)", found=type(data).__name__)
    out = []
    for item, item_node in zip(data, node.value):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            raise CorrectionError(path, "a correction must be a mapping", line=line,
                                  expected="type, anchor and reason", found=repr(item))
        kind = item.get("type")
        if kind not in TYPES:
            raise CorrectionError(path, "unknown correction type", line=line,
                                  expected=f"one of {sorted(TYPES)}", found=repr(kind))
        unknown = set(item) - KEYS[kind]
        if unknown:
            raise CorrectionError(path, f"unknown key in a '{kind}' correction", line=line,
                                  expected=f"one of {sorted(KEYS[kind])}", found=repr(sorted(unknown)[0]))
        if not str(item.get("reason") or "").strip():
            raise CorrectionError(path, "a correction needs a reason", line=line,
                                  expected="reason: why the text is changed", found="no reason")
        if not (item.get("at") or (item.get("from") and item.get("to"))):
            raise CorrectionError(path, "a correction needs an anchor", line=line,
                                  expected="'at: <original text>' or 'from:' and 'to:'", found="neither")
        if kind == "table":
            if not isinstance(item.get("columns"), list) or not isinstance(item.get("rows"), list):
                raise CorrectionError(path, "a table needs columns and rows", line=line,
                                      expected="columns: [..] and rows: [[..], ..]", found="missing or not lists")
            for r in item["rows"]:
                if not isinstance(r, list) or len(r) != len(item["columns"]):
                    raise CorrectionError(path, "a table row does not match the columns", line=line,
                                          expected=f"{len(item['columns'])} cells", found=repr(r))
        if kind == "role" and item.get("role") not in ROLES:
            raise CorrectionError(path, "unknown role", line=line,
                                  expected=f"one of {sorted(ROLES)}", found=repr(item.get("role")))
        if kind == "role" and "label" in item and not (isinstance(item["label"], str)
                                                       and item["label"] in PUBNOTE_LABELS):
            # The label names the note's kind on the page and in its class (pubnote-<label>).
            raise CorrectionError(path, "unknown label", line=_line_of(item_node, "label", line),
                                  expected=f"one of {sorted(PUBNOTE_LABELS)}", found=repr(item["label"]))
        _check_types(path, item, line)
        out.append(Correction(kind, item, str(path), line))
    return out


TEXT_KEYS = ("at", "from", "to", "reason", "caption", "source", "label")


def _check_types(path: Path, item: dict, line: int) -> None:
    """Every value is the text written (corpus.read_yaml keeps `2024` and `No` as text), a
    table cell is text or a list of texts, and a heading's level is a number from 2 to 6
    (the page's title is the only level 1)."""
    for key in TEXT_KEYS:
        if key in item and not (isinstance(item[key], str) and item[key].strip()):
            raise CorrectionError(path, f"bad value for '{key}'", line=line, expected="a non-empty string",
                                  found=repr(item[key]))
    if "level" in item:
        level = whole_number(item["level"], 2, 6)
        if level is None or item.get("role") != "heading":
            raise CorrectionError(path, "bad value for 'level'", line=line,
                                  expected="a heading level from 2 to 6, with role: heading", found=repr(item["level"]))
        item["level"] = level
    if item.get("type") == "table":
        for cell in [*item["columns"], *(c for r in item["rows"] for c in r)]:
            items = cell if isinstance(cell, list) else [cell]
            if not all(isinstance(x, str) for x in items):
                raise CorrectionError(path, "bad table cell", line=line,
                                      expected="a cell is text, or a list of texts (one per line)", found=repr(cell))


def _line_of(node, key: str, default: int) -> int:
    """The line of `key` in a correction's YAML mapping (its (key, value) node pairs)."""
    return next((k.start_mark.line + 1 for k, _ in node.value if k.value == key), default)


def _anchor_re(anchor: str) -> re.Pattern:
    words = str(anchor).split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _find_once(c: Correction, text: str, anchor: str, start: int = 0) -> re.Match:
    rx = _anchor_re(anchor)
    hits = list(rx.finditer(text, start))
    if not hits:
        raise CorrectionError(c.path, "anchor no longer matches source.txt", line=c.line,
                              expected=f"the original text {anchor!r}", found="no such text")
    if len(hits) > 1 and start == 0:
        lines = [text.count("\n", 0, h.start()) + 1 for h in hits]
        raise CorrectionError(c.path, "anchor matches more than one place in source.txt", line=c.line,
                              expected=f"{anchor!r} once", found=f"{len(hits)} matches, at lines {lines}")
    return hits[0]


def resolve(corrections: list[Correction], text: str) -> None:
    """Find each correction's anchor in the source; fail loudly when it is gone."""
    for c in corrections:
        d = c.data
        if d.get("at"):
            m = _find_once(c, text, d["at"])
            c.span = (m.start(), m.end())
        else:
            a = _find_once(c, text, d["from"])
            z = _find_once(c, text, d["to"], a.end())
            c.span = (a.start(), z.end())
        c.lines = (text.count("\n", 0, c.span[0]) + 1, text.count("\n", 0, c.span[1]) + 1)
        if c.type == "table":
            _check_table_letters(c, text)


def _letters(s: str) -> str:
    return letters(s)


def _check_table_letters(c: Correction, text: str) -> None:
    """A rebuilt table must carry exactly the letters it replaces, in the same order."""
    want = _letters(text[c.span[0]:c.span[1]])
    got = _letters(c.table_text())
    if want != got:
        i = next((k for k in range(min(len(want), len(got))) if want[k] != got[k]), min(len(want), len(got)))
        raise CorrectionError(c.path, "the rebuilt table does not carry exactly the text it replaces",
                              line=c.line, expected=f"…{want[max(0, i - 10):i + 15]}… (source)",
                              found=f"…{got[max(0, i - 10):i + 15]}… (table)")


def reserved_lines(corrections: list[Correction]) -> dict[int, Correction]:
    """Lines a structural correction takes over (segmentation leaves them to it)."""
    out = {}
    for c in corrections:
        if c.type == "table":
            for no in range(c.lines[0], c.lines[1] + 1):
                out[no] = c
    return out
