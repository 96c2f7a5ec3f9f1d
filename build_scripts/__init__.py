"""The build pipeline of the reading edition.

One source travels through these stages, one module each:

    corpus.py      load and validate  corpus/sources/<slug>/{source.txt, meta.yml, corrections.yml}
    clean.py       small named text fixers (str -> str), each with a doctest
    segment.py     physical lines -> blocks: hard wraps joined, paragraph breaks restored
    structure.py   blocks classified: headings, front matter, lists, figures, notes about the publication
    corrections.py editorial corrections (data beside the source) applied on their anchors
    notes.py       footnote markers found and linked to their bodies
    anchors.py     paragraph ids locked in anchors.yml; a changed text matched to the ids published
    ledger.py      what was removed or moved and why; every letter of the source accounted for
    render.py      blocks -> the Markdown page MkDocs renders
    fidelity.py    the rendered HTML checked against the source, letter by letter
    cite.py        each source's citation: CSL-JSON, BibTeX, RIS, Highwire/Dublin Core tags, Cite box
    csl.py         formatted references by citeproc-py (Chicago, APA), with its CSL fixes
    works_cited.py the works the sources cite, on one page; author-date citations linked
    issues.py, issue_pages.py, glossary.py   issue pages, author pages, glossary
    review.py      the editors' worklist (issues/review.json): shared paragraphs, unpositioned mentions
    site.py        the whole corpus -> generated pages (with a cache of unchanged pages), export
    cachefile.py   cache files as signed JSON: one this machine did not write is never read
    hooks.py       the MkDocs hooks that run all of this inside `mkdocs build`
"""
