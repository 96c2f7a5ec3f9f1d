"""The fidelity check over a built site: `python -m build_scripts.check SITE`.

Whatever engine built the site (this repository's `mkdocs build`, plain MkDocs or Zensical
on the generated project), each source's page must carry exactly the letters its source
yields, stream by stream (fidelity.check_html), inside the page's content area. The
expectation comes from cleaning the source again, never from anything the build stored.

The MkDocs adapter (hooks.py) runs `check_site` after every build; the command runs it on
any built site.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from build_scripts.memo import digest
from build_scripts.errors import CorpusErrors, EditionError, FidelityError, message
from build_scripts.cleaning.fidelity import CONTENT_CLASS, check_html, content_area
from build_scripts.cleaning.corpus import load_corpus
from build_scripts.cleaning.pipeline import clean_source, page_expected
from build_scripts.cleaning.pipeline import source_inputs


@dataclass
class Expectation:
    """One source page to check: where its source is, and what its HTML must carry."""
    slug: str
    expected: dict
    source: object                      # corpus.Source
    why_not: str = ""                   # added to a failure's message (e.g. the cache file it came from)


def page_file(site_dir: Path, slug: str) -> Path | None:
    """The built page of a source, with directory URLs (sources/<slug>/index.html) or
    without (sources/<slug>.html)."""
    for f in (site_dir / "sources" / slug / "index.html", site_dir / "sources" / f"{slug}.html"):
        if f.is_file():
            return f
    return None


def check_site(site_dir: Path, pages: list[Expectation], inputs: Callable | None = None, memo=None) -> int:
    """Every source page checked; the problems are raised together (CorpusErrors), one
    message each. Returns the number of pages checked.

    `memo` (memo.Memo; engines.session.checked) remembers the pages that passed, by
    their content area and the letters they must carry: a page that passed with exactly
    these passes again. Only a memo this process keeps may be given: a verdict read from disk
    could be anyone's."""
    problems = []
    for p in pages:
        path = p.source.rel("source.txt")
        f = page_file(site_dir, p.slug)
        if f is None:
            problems.append(FidelityError(path, "the built site has no page for this source",
                                          expected=f"{site_dir}/sources/{p.slug}/index.html", found="no such file"))
            continue
        html = f.read_text("utf-8")
        key = _passed_key(html, p.expected) if memo is not None else None
        if key is not None and memo.get(key):
            continue
        try:
            check_html(html, p.expected, path, p.source.line_of,
                       inputs=(lambda s=p.source: inputs(s)) if inputs else None, content_class=CONTENT_CLASS)
        except EditionError as e:
            if p.why_not:
                e.message += p.why_not
            problems.append(e)
            continue
        if key is not None:
            memo.put(key, True)
    if problems:
        raise CorpusErrors(problems)
    return len(pages)


def _passed_key(html: str, expected: dict) -> str:
    """What a page's verdict depends on: its content area (check_html reads nothing else)
    and each stream's expected letters (the index beside them only names a failure's line)."""
    return digest(content_area(html, CONTENT_CLASS), *(part for name in sorted(expected) for part in (name, expected[name][0])))


def expectations(corpus: Path) -> list[Expectation]:
    """Each source cleaned again: what its page must carry."""
    return [Expectation(src.slug, page_expected(clean_source(src)), src) for src in load_corpus(corpus)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m build_scripts.check",
                                 description="Check that every source letter is published in a built site.")
    ap.add_argument("site", type=Path, help="the built site (e.g. site/ or OUT/site/)")
    ap.add_argument("--corpus", type=Path, default=Path("corpus"), help="the corpus (default: corpus/)")
    a = ap.parse_args(argv)
    if not a.site.is_dir():
        print(f"{a.site}: expected a built site (a folder with sources/); found no such folder", file=sys.stderr)
        return 2
    try:
        n = check_site(a.site, expectations(a.corpus), inputs=source_inputs)
    except (CorpusErrors, EditionError) as e:
        print(message(e), file=sys.stderr)
        return 1
    print(f"{a.site}: {n} source pages carry every letter of their sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
