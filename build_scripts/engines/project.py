"""The edition as a plain MkDocs project: `python -m build_scripts.engines.project OUT`.

    OUT/mkdocs.yml          this repository's settings, with no hooks: an explicit nav,
                            the theme overrides as `custom_dir`, the glossary as an
                            ordinary `markdown_extensions` entry
    OUT/docs/               the hand-written pages, the generated pages (front matter
                            carries each source's citation metadata), JS, CSS, downloads
    OUT/overrides/          the theme overrides (build_scripts/engines/theme/)
    OUT/edition_glossary.py the glossary extension (build_scripts/apparatus/glossary_markdown.py)

Build it from inside OUT, where Python finds `edition_glossary`:

    cd OUT && python -m mkdocs build       # Material for MkDocs
    cd OUT && python -m zensical build     # Zensical (requirements-zensical.txt)

then, over the built site, the steps that are not an engine's job:

    python -m build_scripts.check OUT/site          # every source letter published
    python -m build_scripts.search.index OUT/site   # the edition's Korean/Chinese index

This repository's own `mkdocs build` runs the same generator in memory (build_scripts/engines/mkdocs_hooks.py
is the adapter), so the two agree by construction; tests/test_engines.py compares them.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml
from build_scripts.apparatus.glossary import extension_config, load_glossary
from build_scripts.apparatus.author_pages import collect_authors
from build_scripts.cleaning.corpus import reading_order
from build_scripts.config import load_edition_config
from build_scripts.errors import CorpusErrors, EditionError, message
from build_scripts.pages.corpus_export import Streamed
from build_scripts.pages.site import build_site

THEME_DIR = Path(__file__).resolve().parent / "theme"
GLOSSARY_EXTENSION = Path(__file__).resolve().parents[1] / "apparatus" / "glossary_markdown.py"
NAV_TITLES = {"sources": "원문", "issues": "쟁점", "authors": "저자"}


# --- mkdocs.yml read and written without running anything in it ------------------------

class Tagged:
    """A value MkDocs' loader would construct from a Python tag (`!!python/...`), kept as
    written: the generator copies it, never runs it."""

    def __init__(self, tag: str, node: yaml.Node):
        self.tag, self.node = tag, node


class _Loader(yaml.SafeLoader):
    pass


def _tagged(loader, suffix, node):
    return Tagged("tag:yaml.org,2002:python/" + suffix, node)


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)
_Loader.add_constructor("!ENV", lambda loader, node: Tagged("!ENV", node))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper, t: Tagged):
    return _copy_node(t.tag, t.node)   # the node as read, its tag and all


def _copy_node(tag, n):
    if isinstance(n, yaml.MappingNode):
        return yaml.MappingNode(tag, [(_copy_node(k.tag, k), _copy_node(v.tag, v)) for k, v in n.value],
                                flow_style=n.flow_style)
    if isinstance(n, yaml.SequenceNode):
        return yaml.SequenceNode(tag, [_copy_node(x.tag, x) for x in n.value], flow_style=n.flow_style)
    return yaml.ScalarNode(tag, n.value, style=n.style)


_Dumper.add_representer(Tagged, _represent_tagged)


def read_mkdocs_yml(path: Path) -> dict:
    return yaml.load(path.read_text("utf-8"), Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


# --- what the project holds --------------------------------------------------------------

def project_files(site) -> dict[str, str | Streamed]:
    """docs-relative path -> content of every generated page and file (Streamed: one too
    large to hold whole, written as it is made)."""
    out = {p.path: p.markdown for p in site.pages}
    out["sources/index.md"] = site.index_markdown
    out.update(site.generated.pages)
    out.update(site.generated.files)
    out.update(site.files)
    out.update(site.files_md)
    return out


def nav(site, hand_written: list[str], nav_sources_max: int) -> list:
    """The sidebar, in reading order: home, sources (by date), issues (editorial order),
    authors, glossary, works cited, method, then any other hand-written page.

    Past `nav_sources_max` sources the sidebar lists only the sources index (and the
    authors index): a table serves readers better than hundreds of titles, and every page
    renders the sidebar, so listing every source would make the build quadratic."""
    few = len(site.pages) <= nav_sources_max
    sources = ["sources/index.md"]
    if few:
        sources += [p.path for p in sorted(site.pages, key=lambda p: reading_order(p.source))]
    issues = ["issues/index.md"] + [f"issues/{i.id}.md" for i in site.issues]
    authors = ["authors/index.md"]
    if few:
        people = sorted(collect_authors(site.sources).values(), key=lambda a: ("미상" in a.name, a.name))
        authors += [f"authors/{a.id}.md" for a in people]
    items = []
    if "index.md" in hand_written:
        items.append("index.md")
    items += [{NAV_TITLES["sources"]: sources}, {NAV_TITLES["issues"]: issues}, {NAV_TITLES["authors"]: authors}]
    files = project_files(site)
    items += [p for p in ("glossary.md", "works-cited.md") if p in files or p in hand_written]
    items += [p for p in sorted(hand_written) if p not in ("index.md", "glossary.md", "works-cited.md")]
    return items


def hidden_from_nav(site, nav_sources_max: int) -> set[str]:
    """Pages deliberately left out of the sidebar (see nav()), so the engine does not
    report them as forgotten."""
    if len(site.pages) <= nav_sources_max:
        return set()
    return {p for p in project_files(site) if p.endswith(".md") and p.startswith(("sources/", "authors/"))
            and not p.endswith("/index.md")}


def not_in_nav(site, nav_sources_max: int) -> str:
    """hidden_from_nav as mkdocs.yml's `not_in_nav` (gitignore patterns)."""
    return "".join(f"/{p}\n" for p in sorted(hidden_from_nav(site, nav_sources_max)))


def hand_written_pages(docs: Path) -> list[str]:
    return sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))


def project_config(root: Path, site, glossary_config: dict, nav_sources_max: int) -> dict:
    """OUT/mkdocs.yml: this repository's settings, made plain."""
    cfg = read_mkdocs_yml(root / "mkdocs.yml")
    for key in ("hooks", "watch"):
        cfg.pop(key, None)
    cfg["docs_dir"] = "docs"
    cfg.setdefault("theme", {})["custom_dir"] = "overrides"
    extra = dict(cfg.get("extra") or {})
    extra.pop("edition", None)              # read by the hooks only
    if extra:
        cfg["extra"] = extra
    else:
        cfg.pop("extra", None)
    cfg["nav"] = nav(site, hand_written_pages(root / cfg.get("docs_dir", "docs")), nav_sources_max)
    skip = not_in_nav(site, nav_sources_max)
    if skip:
        cfg["not_in_nav"] = skip
    exts = list(cfg.get("markdown_extensions") or [])
    exts.append({"edition_glossary": glossary_config})
    cfg["markdown_extensions"] = exts
    return cfg


def write_project(root: Path, out: Path, *, site_url: str | None = None, nav_sources_max: int = 30,
                  cache_dir: Path | None = None) -> dict:
    """Build the edition from root/corpus and write it as a plain project in `out`."""
    raw = read_mkdocs_yml(root / "mkdocs.yml")
    site_url = site_url or raw.get("site_url")
    use_directory_urls = raw.get("use_directory_urls", True)
    # The edition's settings, checked as the hooks check them (a bad one: one message each).
    edition = load_edition_config(raw.get("extra") if isinstance(raw.get("extra"), dict) else None,
                                  str(root / "mkdocs.yml"))
    site = build_site(root / "corpus", cache_dir, use_directory_urls=use_directory_urls, site_url=site_url,
                      site_name=raw.get("site_name", "Reading edition"), editors=edition.editors)
    cfg = project_config(root, site, extension_config(load_glossary(root / "corpus")), nav_sources_max)
    if site_url:
        cfg["site_url"] = site_url
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(root / raw.get("docs_dir", "docs"), docs)
    files = project_files(site)
    for rel, content in files.items():
        f = docs / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Streamed):
            content.write(f)
        else:
            f.write_text(content, "utf-8")
    if (out / "overrides").exists():
        shutil.rmtree(out / "overrides")
    shutil.copytree(THEME_DIR, out / "overrides")
    shutil.copyfile(GLOSSARY_EXTENSION, out / "edition_glossary.py")
    (out / "mkdocs.yml").write_text("# Generated by `python -m build_scripts.engines.project`; build with\n"
                                    "# `python -m mkdocs build` (or `python -m zensical build`) from this folder.\n"
                                    + dump_yaml(cfg), "utf-8")
    return {"pages": sum(1 for r in files if r.endswith(".md")), "files": len(files)}


def _shown(root: Path) -> Path:
    """The repository as messages name it: corpus/sources/... from inside it."""
    try:
        return root.relative_to(Path.cwd().resolve())
    except ValueError:
        return root


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m build_scripts.engines.project",
                                 description="Write the edition as a plain MkDocs project (no hooks).")
    ap.add_argument("out", type=Path, help="the folder to write (created; its docs/ and overrides/ are replaced)")
    ap.add_argument("--root", type=Path, default=Path("."), help="the repository (default: the current folder)")
    ap.add_argument("--site-url", default=None)
    a = ap.parse_args(argv)
    root = a.root.resolve()
    out = a.out.resolve()
    if out == root or root in out.parents and out.relative_to(root).parts[0] in ("corpus", "docs", "build_scripts"):
        print(f"{a.out}: expected a folder outside corpus/, docs/ and build_scripts/; found one inside", file=sys.stderr)
        return 2
    try:
        out.mkdir(parents=True, exist_ok=True)
        n = write_project(_shown(root), out, site_url=a.site_url, cache_dir=root / ".cache" / "edition")
    except (CorpusErrors, EditionError) as e:
        print(message(e), file=sys.stderr)
        return 1
    print(f"{a.out}: {n['pages']} generated pages, {n['files']} files; build with "
          f"`cd {a.out} && python -m mkdocs build`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
