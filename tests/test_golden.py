"""Golden files: for each source, the cleaned Markdown page beside its input.

Input: corpus/sources/<slug>/ (source.txt, meta.yml, corrections.yml).
Expected: tests/golden/<slug>.md. A mismatch fails with a unified diff; after reading the
diff, `python -m pytest tests/test_golden.py --update-golden` rewrites the expected files.
"""
import difflib
from pathlib import Path

import pytest

from build_scripts.corpus import load_source
from build_scripts.pipeline import clean_source, render_page
from tests.conftest import CORPUS, SLUGS

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("slug", SLUGS)
def test_source_page_matches_golden(slug, update_golden):
    src = load_source(CORPUS / "sources" / slug)
    markdown, _ = render_page(src, clean_source(src))
    golden = GOLDEN / f"{slug}.md"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(markdown, encoding="utf-8")
        pytest.skip("golden file rewritten")
    assert golden.exists(), f"no golden file {golden}; run with --update-golden after reading the output"
    expected = golden.read_text(encoding="utf-8")
    if markdown != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), markdown.splitlines(True),
                                            f"golden/{slug}.md", f"generated/{slug}.md", n=2))
        pytest.fail(f"generated page differs from the golden file:\n{diff[:20000]}")
