"""Generated pages under `mkdocs serve`: each converted from Markdown only when it changed.

MkDocs converts every page at every build of `mkdocs serve`, though an edit to one source
changes a handful of pages (its own, the issues that quote it, its author, the indexes).
A generated page is made a `RememberedPage` (MkDocs lets the `on_files` event give a file
its Page, as its plugins do); its `render` keeps what MkDocs' own render set, in
engines/session.py, and gives it back when the page's Markdown, its address and the
render context (the Markdown settings, the glossary, the site's files and their URLs) are
those of a page converted before. The warnings a conversion logged are logged again, so
`--strict` fails the same. `mkdocs build` never uses it.
"""
from __future__ import annotations

import logging

from mkdocs.structure.pages import Page

from build_scripts.engines import session
from build_scripts.memo import digest

_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")   # where render's link warnings go


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


class RememberedPage(Page):
    context: str = ""       # set by the adapter for each build (render_context)

    def render(self, config, files) -> None:
        key = digest(self.markdown or "", self.file.src_uri, self.file.url, self.context)
        kept = session.rendered.get(key)
        if kept is not None:
            self.content, self.toc, self._title_from_render, anchors, links, records = kept
            self.present_anchor_ids = set(anchors)
            if links is not None:
                self.links_to_anchors = {f: dict(v) for uri, v in links.items()
                                         if (f := files.get_file_from_path(uri)) is not None}
            for r in records:
                logging.getLogger(r.name).handle(r)
            return
        handler = _Kept()
        _PAGES_LOG.addHandler(handler)
        try:
            super().render(config, files)
        finally:
            _PAGES_LOG.removeHandler(handler)
        links = ({f.src_uri: dict(v) for f, v in self.links_to_anchors.items()}
                 if self.links_to_anchors is not None else None)
        session.rendered.put(key, (self.content, self.toc, self._title_from_render,
                                   frozenset(self.present_anchor_ids or ()), links, handler.records))


def render_context(config_text: bytes, glossary: object, files) -> str:
    """What a page's HTML depends on besides its own Markdown and address: mkdocs.yml (the
    Markdown extensions and their settings), the glossary's entries (an extension of
    their own) and every file's address (links between pages are resolved against them)."""
    return digest(config_text, repr(glossary), *(f"{f.src_uri}\0{f.url}" for f in sorted(files, key=lambda f: f.src_uri)))
