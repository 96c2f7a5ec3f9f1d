"""Golden files: generated Markdown pages beside their input.

- Source pages, finished. Input: corpus/sources/<slug>/ (source.txt, meta.yml,
  corrections.yml) and the issue files that quote it. Expected: tests/golden/<slug>.md.
- Issue pages. Input: corpus/issues/<id>.yml and the paragraphs it quotes.
  Expected: tests/golden/issues/<id>.md, for each id in GOLDEN_ISSUES and each file there
  (to add one, put its id in GOLDEN_ISSUES and run with --update-golden).

A mismatch fails with a unified diff; after reading the diff,
`python -m pytest tests/test_golden.py --update-golden` rewrites the expected files.
"""
import difflib
from pathlib import Path

import pytest

from build_scripts.pages.site import build_site
from tests.conftest import CORPUS, SLUGS

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_ISSUES = sorted({"defense-cost-sharing", "tactical-nuclear-redeployment"} | {p.stem for p in (GOLDEN / "issues").glob("*.md")})


def compare(generated: str, golden: Path, update: bool):
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(generated, encoding="utf-8")
        pytest.skip("golden file rewritten")
    assert golden.exists(), f"no golden file {golden}; run with --update-golden after reading the output"
    expected = golden.read_text(encoding="utf-8")
    if generated != expected:
        name = golden.relative_to(GOLDEN)
        diff = "".join(difflib.unified_diff(expected.splitlines(True), generated.splitlines(True),
                                            f"golden/{name}", f"generated/{name}", n=2))
        pytest.fail(f"generated page differs from the golden file:\n{diff[:20000]}")


@pytest.fixture(scope="module")
def site():
    """The corpus built with the real mkdocs.yml's name and editors."""
    from build_scripts.config import load_edition_config
    from build_scripts.engines.project import read_mkdocs_yml
    raw = read_mkdocs_yml(CORPUS.parent / "mkdocs.yml")
    return build_site(CORPUS, cache_dir=None, site_name=raw["site_name"],
                      editors=load_edition_config(raw["extra"]).editors)


@pytest.mark.parametrize("slug", SLUGS)
def test_source_page_matches_golden(slug, site, update_golden):
    """The finished page: its text, the Cite box, its positions and backlinks."""
    page = next(p for p in site.pages if p.slug == slug)
    compare(page.markdown, GOLDEN / f"{slug}.md", update_golden)


@pytest.fixture(scope="module")
def issue_pages(site):
    return site.generated.pages


@pytest.mark.parametrize("issue", GOLDEN_ISSUES)
def test_issue_page_matches_golden(issue, issue_pages, update_golden):
    page = issue_pages.get(f"issues/{issue}.md")
    assert page is not None, f"no issue '{issue}' in corpus/issues/ for tests/golden/issues/{issue}.md"
    compare(page, GOLDEN / "issues" / f"{issue}.md", update_golden)
