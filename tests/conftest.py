"""Shared fixtures: the real corpus, and throwaway projects built the way a user builds."""
from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SLUGS = sorted(p.name for p in (CORPUS / "sources").iterdir() if p.is_dir())

sys.path.insert(0, str(ROOT))


# Markers, set here from what a test does rather than by hand, so that a new test that
# builds a site or drives Chromium cannot forget its marker:
# - browser: the test (or a fixture it uses) drives Chromium;
# - slow: it runs a whole `mkdocs build` (about 2-5 s each), or is a browser test.
# `python -m pytest -m "not slow"` is the quick loop while editing; CI runs everything.
_BROWSER_CALLS = ("need_chromium(", "chromium.launch(")
_SLOW_CALLS = ("mkdocs_build(", "mkdocs_serve(", "hostile_benchmark", "built_site")
_source_cache: dict = {}


def _source(func) -> str:
    if func not in _source_cache:
        try:
            _source_cache[func] = inspect.getsource(func)
        except (OSError, TypeError):
            _source_cache[func] = ""
    return _source_cache[func]


def _code_of(item):
    """The test function and every fixture it uses, directly or through other fixtures."""
    if getattr(item, "function", None) is not None:
        yield item.function
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fixturedef in (info.name2fixturedefs.get(name, ()) if info else ()):
            yield fixturedef.func


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium (set automatically)")
    config.addinivalue_line("markers", "slow: runs a whole mkdocs build or a browser (set automatically)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        code = "".join(_source(f) for f in _code_of(item))
        browser = any(c in code for c in _BROWSER_CALLS)
        if browser:
            item.add_marker(pytest.mark.browser)
        if browser or any(c in code for c in _SLOW_CALLS) or "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.md from the current output (read the diff first)")


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


def make_project(tmp: Path, sources: dict[str, dict[str, str | bytes]] | None = None,
                 copy_real: bool = False, issues: dict[str, str] | None = None, search: str = "none") -> Path:
    """A project folder with the real mkdocs.yml, docs/ and pipeline, and a corpus of our own.

    sources: slug -> {filename: text or bytes}. With copy_real, the real sources, issues and
    glossary; issues: file name -> YAML text, added to corpus/issues/."""
    tmp.mkdir(parents=True, exist_ok=True)
    # A test builds only what it checks: the search index (Kiwi and jieba, a second or more
    # a build) is off unless the test asks for it with search="edition".
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    assert "    search: edition\n" in config, "mkdocs.yml's extra.edition.search moved: update make_project"
    (tmp / "mkdocs.yml").write_text(config.replace("    search: edition\n", f"    search: {search}\n"), "utf-8")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    shutil.copytree(ROOT / "build_scripts", tmp / "build_scripts",
                    ignore=shutil.ignore_patterns("__pycache__"))
    base = tmp / "corpus" / "sources"
    base.mkdir(parents=True)
    if copy_real:
        for slug in SLUGS:
            shutil.copytree(CORPUS / "sources" / slug, base / slug)
        shutil.copytree(CORPUS / "issues", tmp / "corpus" / "issues")
        shutil.copy(CORPUS / "glossary.yml", tmp / "corpus" / "glossary.yml")
    for name, text in (issues or {}).items():
        (tmp / "corpus" / "issues").mkdir(exist_ok=True)
        (tmp / "corpus" / "issues" / name).write_text(text, encoding="utf-8")
    for slug, files in (sources or {}).items():
        d = base / slug
        d.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            if isinstance(content, bytes):
                (d / name).write_bytes(content)
            else:
                (d / name).write_text(content, encoding="utf-8")
    return tmp


def mkdocs_build(project: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site", *extra],
                          cwd=project, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real corpus, built once with `mkdocs build --strict`; returns the site folder."""
    proj = make_project(tmp_path_factory.mktemp("site"), copy_real=True, search="edition")
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    return proj / "site"


MINIMAL_META = """title: 시험 원문
authors: [홍길동]
date: 2024-05-01
language: ko
"""
