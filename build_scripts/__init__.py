"""The build of the reading edition, folder by folder in the order a source travels.

    cleaning/      one source: source.txt + meta.yml + corrections.yml -> blocks, notes, ledger
      corpus.py        load and validate corpus/sources/<slug>/ (strict YAML, no links out)
      clean.py         small named text fixers (str -> str), each with a doctest
      segment.py       physical lines -> blocks: hard wraps joined, paragraph breaks restored
      structure.py     blocks classified: headings, front matter, lists, figures, publication notes
      corrections.py   editorial corrections (data beside the source) applied on their anchors
      notes.py         footnote markers found and linked to their bodies
      anchors.py       paragraph ids locked in anchors.yml; a changed text matched to the ids published
      ledger.py        what was removed or moved and why; every letter of the source accounted for
      fidelity.py      a page's HTML checked against the source, letter by letter
      pipeline.py      the steps above in order: clean_source(src) -> Cleaned
      chardata.py, textmap.py   character classes; text that remembers its source offsets
    apparatus/     what the edition says about the sources
      issues.py        issue files checked against the published paragraphs
      issue_pages.py   issue pages, and the issues index with its authors x issues matrix
      author_pages.py  the authors across the sources (an unknown author never merged), their pages
      glossary.py      corpus/glossary.yml; glossary_markdown.py, the Korean-aware abbr extension;
                       glossary_page.py, the glossary page
      source_extras.py what the issue pages say about a source, as data for its page: positions, backlinks
      positions_export.py  every quote of every position as CSV and JSON
      markup.py        the pieces those pages share: a source's credit, a stance badge, the legend
      assemble.py      the apparatus's pages and files, each from its module
      works_cited.py   the works the sources cite; author-date citations linked to their entry
      review.py        the editors' worklist (issues/review.json)
    citations/     cite.py (CSL-JSON, BibTeX, RIS, meta tags, Cite box), csl.py (citeproc-py)
    pages/         render.py (safe Markdown), source_page.py (a source page assembled once,
                   last, from its parts and the apparatus's data), site.py (the corpus -> every
                   page and file, with the page cache), corpus_export.py (the corpus as JSON and CSV)
    search/        index.py: the Korean/Chinese index, written over a built site
    engines/       project.py (the plain MkDocs project), mkdocs_hooks.py (the adapter inside
                   `mkdocs build`), serve_watch.py (`mkdocs serve`: one edit, one build),
                   theme/ (overrides: citation tags, the search worker)
    tools/         benchmarks; not part of the build

    generate.py, check.py, search_index.py   the commands: `python -m build_scripts.<name>`
    config.py, errors.py, cachefile.py       settings, error messages, signed cache files
"""
