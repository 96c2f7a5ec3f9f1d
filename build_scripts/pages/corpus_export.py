"""The corpus export (export/corpus.json, export/paragraphs.csv): every source with its
metadata, citation, paragraphs and notes, for programs and spreadsheets; and Streamed, a
generated file written a piece at a time."""
from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from build_scripts.apparatus.positions_export import csv_pieces

if TYPE_CHECKING:
    from build_scripts.pages.site import SourcePage


@dataclass(frozen=True)
class Streamed:
    """A generated file too large to hold whole (the corpus exports: 150 MB at 2,000
    sources): its text is made a piece at a time, again at each call of pieces(), and
    written as it is made."""
    pieces: Callable[[], Iterable[str]]

    def write(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as f:  # the text's own line ends
            for piece in self.pieces():
                f.write(piece)


EXPORT_FORMAT = 1  # bumped when a field changes meaning; new fields may be added without it


def corpus_files(pages: list[SourcePage], url_of, site_name: str) -> dict[str, Streamed]:
    """The corpus for reuse, from the source pages in the order they are listed: every
    source's metadata and citation, its paragraphs (anchor, number, text as published, URL)
    and notes. JSON for programs, CSV for spreadsheets.

    Both are Streamed, made a source at a time as they are written: at 2,000 sources they
    are 150 MB, and the JSON encoded at once took some 400 MB more at the build's peak."""
    head = {"format": EXPORT_FORMAT, "edition": site_name,
            "about": "Paragraph text is the source's text as published in this edition (notes markers "
                     "removed); anchors are stable (see anchors.yml in the corpus). URLs are relative "
                     "to the site unless the site was built with a site_url."}
    return {
        "export/corpus.json": Streamed(lambda: json_pieces(head, "sources", (_export_source(p, url_of) for p in pages))),
        # Cells a spreadsheet would run as a formula are neutralised (see positions_export.csv_text).
        "export/paragraphs.csv": Streamed(lambda: csv_pieces(
            ["source", "date", "number", "anchor", "lang", "section", "text", "url"],
            ([[p.slug, p.source.meta["date"], r["number"], r["anchor"], r["lang"], r["section"], r["text"],
               f"{url_of(p.path)}#{r['anchor']}"] for r in p.paragraphs] for p in pages))),
    }


def _export_source(p: SourcePage, url_of) -> dict:
    page = url_of(p.path)
    meta = {k: v for k, v in p.source.meta.items() if k not in ("sha256", "format")}
    paragraphs = [{"anchor": r["anchor"], "number": r["number"], "text": r["text"], "lang": r["lang"],
                   "section": r["section"], "url": f"{page}#{r['anchor']}",
                   **({"former_anchors": r["aliases"]} if r.get("aliases") else {})} for r in p.paragraphs]
    return {"slug": p.slug, "url": page, "metadata": meta, "csl": p.citation.item if p.citation else None,
            "paragraphs": paragraphs,
            "notes": [{"number": n["number"], "text": n["text"], "url": f"{page}#fn:{n['number']}"} for n in p.notes]}


def json_pieces(head: dict, key: str, items):
    """json.dumps({**head, key: [*items]}, ensure_ascii=False, indent=1) + "\\n", to the
    byte, an item at a time (so only one item's objects are held at once).

    >>> head, items = {"format": 1, "about": "동맹"}, [{"a": [1, {"b": "x"}]}, {"c": []}]
    >>> whole = lambda items: json.dumps({**head, "items": items}, ensure_ascii=False, indent=1) + "\\n"
    >>> "".join(json_pieces(head, "items", iter(items))) == whole(items)
    True
    >>> "".join(json_pieces(head, "items", iter([]))) == whole([])
    True
    """
    start = json.dumps({**head, key: []}, ensure_ascii=False, indent=1)
    assert start.endswith(": []\n}")
    sep, empty = start[:-len("]\n}")] + "\n", True
    for item in items:
        # JSON strings hold no raw line break, so every line of an item is indented alike.
        yield sep + textwrap.indent(json.dumps(item, ensure_ascii=False, indent=1), "  ")
        sep, empty = ",\n", False
    yield start + "\n" if empty else "\n ]\n}\n"
