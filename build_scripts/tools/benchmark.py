"""Benchmark: a synthetic corpus of 200 (and 400) sources made from the seeds under new slugs.

    python -m build_scripts.tools.benchmark [--sizes 200 400] [--keep DIR]

For each size it builds the site once from a cold cache and prints, from that one run:
seconds per source for cleaning and for page generation, MkDocs' own rendering time (the
rest of the build), and the share of the build spent before MkDocs renders. Then it builds
the largest corpus again, unchanged, to show that no page is rendered twice (every source is
still cleaned: the fidelity check takes what a page must carry from the source, never from
the cache).
Goals (issue 2): everything before MkDocs renders costs at most a quarter of the build;
time grows linearly (400 sources <= 2.2 x 200).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_corpus(dest: Path, n: int) -> None:
    """dest/ becomes a project: the real config, docs and pipeline, and n sources."""
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "build_scripts", dest / "build_scripts", ignore=shutil.ignore_patterns("__pycache__"))
    seeds = sorted(p for p in (ROOT / "corpus" / "sources").iterdir() if p.is_dir())
    base = dest / "corpus" / "sources"
    base.mkdir(parents=True)
    for i in range(n):
        seed = seeds[i % len(seeds)]
        copy = base / f"bench-{i:04d}-{seed.name}"
        shutil.copytree(seed, copy)
        _distinct(copy / "meta.yml", i)


def _distinct(meta: Path, i: int) -> None:
    """Each copy reads as a work of its own (title and DOI numbered), so the build does not
    warn, once per copy, that one work was added twice: the benchmark measures building, not
    that warning."""
    lines = meta.read_text("utf-8").splitlines(keepends=True)
    for k, line in enumerate(lines):
        if line.startswith("title: ") and line.strip() != "title: null":
            value = line[len("title: "):].strip()
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
            lines[k] = f"title: {json.dumps(f'{value} ({i})', ensure_ascii=False)}\n"
        elif line.startswith("doi: "):
            lines[k] = line.rstrip("\n") + f".b{i}\n"
    meta.write_text("".join(lines), "utf-8")


def build_once(project: Path, **edition) -> dict:
    """One `mkdocs build` of the project, with `extra.edition` settings added (e.g.
    search="material"); returns the stages' own timings and the total."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    timings = project / "timings.json"
    cwd = os.getcwd()
    os.chdir(project)
    try:
        cfg = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site"))
        cfg["extra"].setdefault("edition", {}).update(edition, timings_file=str(timings))
        t0 = time.perf_counter()
        build(cfg)
        total = time.perf_counter() - t0
    finally:
        os.chdir(cwd)
    t = json.loads(timings.read_text())
    t["total"] = total
    return t


def report(n: int, t: dict) -> dict:
    before = t["load"] + t["clean"] + t["render"]
    mkdocs_time = t["total"] - before
    row = {"sources": n, "cached": t["cached"], "total_s": round(t["total"], 3),
           "load_s": round(t["load"], 3), "clean_s": round(t["clean"], 3), "generate_s": round(t["render"], 3),
           "clean_per_source_ms": round(1000 * t["clean"] / n, 2),
           "generate_per_source_ms": round(1000 * t["render"] / n, 2),
           "mkdocs_render_s": round(mkdocs_time, 3),
           "pipeline_share_of_build": round(before / t["total"], 3),
           "pipeline_to_mkdocs_ratio": round(before / mkdocs_time, 3) if mkdocs_time else None}
    print(f"{n:4d} sources{' (unchanged, from cache)' if t['cached'] else ''}: build {t['total']:.2f}s | "
          f"cleaning {row['clean_per_source_ms']:.2f} ms/source, page generation {row['generate_per_source_ms']:.2f} "
          f"ms/source, loading {t['load']:.2f}s | MkDocs rendering {mkdocs_time:.2f}s | "
          f"before-MkDocs share {row['pipeline_share_of_build']:.1%} (ratio to MkDocs {row['pipeline_to_mkdocs_ratio']})")
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 400])
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    import logging
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    rows = []
    work = args.keep or Path(tempfile.mkdtemp(prefix="edition-bench-"))
    for n in args.sizes:
        proj = work / f"corpus-{n}"
        if proj.exists():
            shutil.rmtree(proj)
        proj.mkdir(parents=True)
        make_corpus(proj, n)
        rows.append(report(n, build_once(proj)))
    rows.append(report(args.sizes[-1], build_once(work / f"corpus-{args.sizes[-1]}")))
    if len(args.sizes) >= 2:
        a, b = rows[0], rows[1]
        print(f"growth: {b['sources']} sources took {b['total_s'] / a['total_s']:.2f}x the build time of "
              f"{a['sources']} (goal <= {2.2 * b['sources'] / a['sources'] / 2:.1f}x for 2x the sources); "
              f"pipeline alone {(b['clean_s'] + b['generate_s'] + b['load_s']) / (a['clean_s'] + a['generate_s'] + a['load_s']):.2f}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
