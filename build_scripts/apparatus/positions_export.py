"""The positions export: every quote of every position, one row each, as CSV (safe to open
in a spreadsheet) and JSON, with the address of the paragraph quoted."""
from __future__ import annotations

import csv
import io
import json

from build_scripts.apparatus.issues import Issue
from build_scripts.apparatus.markup import credit
from build_scripts.cleaning.corpus import Source, reading_order
from build_scripts.pages.source_page import page_title


# The site's addresses, for the exports' paragraph_url.
def page_url(path: str, use_directory_urls: bool, site_url: str | None) -> str:
    """`sources/x.md` -> its URL, absolute when the site's URL is configured.

    >>> page_url("sources/x.md", True, "https://ed.example.org/"), page_url("sources/x.md", False, None)
    ('https://ed.example.org/sources/x/', 'sources/x.html')
    """
    stem = path[:-3]
    rel = (stem + "/") if use_directory_urls else (stem + ".html")
    if stem.endswith("/index") or stem == "index":
        rel = stem[:-5] if use_directory_urls else stem + ".html"
    return (site_url.rstrip("/") + "/" + rel) if site_url else rel


# New columns go at the end, so programs reading the columns by place keep working.
EXPORT_FIELDS = ["issue", "issue_name_ko", "issue_name_en", "source", "title", "author", "date", "stance",
                 "summary", "gloss", "quote", "paragraph", "paragraph_number", "paragraph_url",
                 "cut_before", "cut_after", "stance_note", "editors_note"]


def export_records(issues: list[Issue], by_slug: dict[str, Source], url_of) -> list[dict]:
    rows = []
    for i in issues:
        for p in sorted(i.positions, key=lambda p: reading_order(by_slug[p.slug])):
            src = by_slug[p.slug]
            for q in p.quotes:
                rows.append({
                    "issue": i.id, "issue_name_ko": i.names["ko"], "issue_name_en": i.names["en"],
                    "source": p.slug, "title": page_title(src.meta), "author": credit(src),
                    "date": src.meta["date"], "stance": p.stance or "", "summary": p.summary, "gloss": p.gloss,
                    "quote": q.text, "paragraph": q.paragraph["anchor"], "paragraph_number": q.paragraph["number"],
                    "paragraph_url": url_of(f"sources/{p.slug}.md") + "#" + q.paragraph["anchor"],
                    # `quote` stays the author's words; the marks the page adds are flags.
                    "cut_before": q.cut_before, "cut_after": q.cut_after,
                    "stance_note": p.stance_note, "editors_note": p.editors_note,
                })
    return rows


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...),
# +cmd|..., -2+3, @SUM(...)), or drops the tab or carriage return and reads what follows.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(v):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (CSV injection):
    text starting with = + - @, a tab or a carriage return gets a leading ' (OWASP's advice),
    which spreadsheets hide. Numbers stay numbers; the JSON exports keep the exact text.

    >>> [spreadsheet_cell(x) for x in ["=1+1", "+82", "-2", "@SUM(A1)", "\\t=1", "한미", 3, True]]
    ["'=1+1", "'+82", "'-2", "'@SUM(A1)", "'\\t=1", '한미', 3, 'true']
    """
    if isinstance(v, bool):  # as JSON writes flags (true/false), not Python's True/False
        return str(v).lower()
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def csv_text(header: list[str], rows) -> str:
    """The exports' CSV: a header, every cell through spreadsheet_cell, CRLF line ends, and a
    BOM, so spreadsheet programs read the UTF-8 as UTF-8."""
    return "".join(csv_pieces(header, [rows]))


def csv_pieces(header: list[str], row_groups):
    """csv_text, a group of rows at a time (for a file too large to hold whole).

    >>> list(csv_pieces(["a", "b"], [[["1", "=x"]], [], [["동맹", "y,z"]]]))
    ['\\ufeffa,b\\r\\n', "1,'=x\\r\\n", '', '동맹,"y,z"\\r\\n']
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    yield "\ufeff" + buf.getvalue()
    for rows in row_groups:
        buf.seek(0)
        buf.truncate()
        w.writerows([spreadsheet_cell(v) for v in row] for row in rows)
        yield buf.getvalue()


def export_csv(rows: list[dict]) -> str:
    return csv_text(EXPORT_FIELDS, ([r[k] for k in EXPORT_FIELDS] for r in rows))


def export_json(issues: list[Issue], rows: list[dict]) -> str:
    meta = [{"id": i.id, "names": i.names, "question": i.question, "description": i.description,
             "terms": i.terms, "related": i.related, "updated": i.updated} for i in issues]
    return json.dumps({"issues": meta, "quotes": rows}, ensure_ascii=False, indent=1) + "\n"
