"""The apparatus's pages and files, each made by its own module: the issue pages and the
matrix (issue_pages), the author pages (author_pages), the glossary page (glossary_page)
and the positions export (positions_export).

Every link to a paragraph is a Markdown link to `sources/<slug>.md#<anchor>`, so MkDocs
itself checks that it lands (`validation.anchors`, and `--strict` in CI).
"""
from __future__ import annotations

from dataclasses import dataclass

from build_scripts.apparatus.author_pages import collect_authors, render_author, render_authors_index
from build_scripts.apparatus.glossary import Entry
from build_scripts.apparatus.glossary_page import render_glossary
from build_scripts.apparatus.issue_pages import IssueCite, render_issue, render_issues_index
from build_scripts.apparatus.issues import Issue
from build_scripts.apparatus.positions_export import export_csv, export_json, export_records
from build_scripts.cleaning.corpus import Source


@dataclass
class Generated:
    pages: dict[str, str]          # docs-relative path -> Markdown
    files: dict[str, str]          # docs-relative path -> other content (CSV, JSON)


def generate(sources: list[Source], paragraphs: dict[str, list[dict]], issues: list[Issue], glossary: list[Entry], url_of,
             citations: dict[str, IssueCite] | None = None) -> Generated:
    """The apparatus' pages and files. citations: issue id -> its Cite box and meta tags
    (none: the pages are made without them)."""
    by_slug = {s.slug: s for s in sources}
    by_id = {i.id: i for i in issues}
    authors = collect_authors(sources)
    pages: dict[str, str] = {}
    # The index pages and the export exist even for a corpus without issue files, so that
    # links to them (from the home page) always land.
    pages["issues/index.md"] = render_issues_index(issues, sources, authors)
    for i in issues:
        pages[f"issues/{i.id}.md"] = render_issue(i, by_slug, paragraphs, by_id, authors, (citations or {}).get(i.id))
    pages["authors/index.md"] = render_authors_index(authors)
    for a in authors.values():
        pages[f"authors/{a.id}.md"] = render_author(a, issues)
    pages["glossary.md"] = render_glossary(glossary, sources, paragraphs)
    rows = export_records(issues, by_slug, url_of)
    files = {"issues/positions.csv": export_csv(rows), "issues/positions.json": export_json(issues, rows)}
    return Generated(pages, files)
