"""Hostile-input benchmark: sources shaped to find a step that grows faster than its input.

    python -m build_scripts.tools.hostile_benchmark [--mb 1] [--paragraphs 20000] [--json FILE]

A source's text comes from a third party, so its shape is not ours to choose. Each hostile
source is built (`mkdocs build`, search index included) beside a normal source of the same
size, and the time of the hostile build is reported as a multiple of the normal one:

* one line of 1 MB: the whole text is one paragraph, one search unit, one Kiwi input;
* 20,000 repeated paragraphs: the same short paragraph again and again (every id is the
  same text's, every match against the lock is ambiguous), built twice (the second build
  matches the text against the lock the first one wrote).

The normal sources are the same sentences in paragraphs, each paragraph different: of
three to five sentences beside the one-line source, of one sentence beside the repeated
paragraphs. Goal (issue 12): every hostile build under 10x its normal one.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "sources" / "2024-yang-trump-second-term-alliance" / "source.txt"
META = "title: 부하 시험 원문\nauthors: []\ndate: 2024-05-01\nlanguage: ko\n"
GOAL = 10.0


def sentences() -> list[str]:
    """The seed's Korean sentences, one line each."""
    text = " ".join(SEED.read_text("utf-8").split())
    out = [s.strip() + "." for s in text.split(". ") if len(s.strip()) > 20]
    return out


def normal_text(size: int) -> str:
    """Paragraphs of three to five sentences, each different (it carries its own number),
    separated by blank lines: what a long policy paper looks like, `size` bytes of it."""
    pool, out, total, n = sentences(), [], 0, 0
    while total < size:
        k = 3 + n % 3
        para = f"{n + 1}번째 논점을 보자. " + " ".join(pool[(n * 5 + i) % len(pool)] for i in range(k))
        out.append(para)
        total += len(para.encode()) + 2
        n += 1
    return "\n\n".join(out) + "\n"


def one_line_text(size: int) -> str:
    """The same text as normal_text, on one line: one paragraph of `size` bytes."""
    return " ".join(normal_text(size).split()) + "\n"


def repeated_text(n: int) -> str:
    """One short paragraph, n times."""
    return "\n\n".join([f"1번째 문단. {sentences()[0]}"] * n) + "\n"


def distinct_text(n: int) -> str:
    """n short paragraphs, each different: the normal counterpart of repeated_text."""
    pool = sentences()
    return "\n\n".join(f"{k + 1}번째 문단. {pool[k % len(pool)]}" for k in range(n)) + "\n"


def make_project(dest: Path, text: str) -> Path:
    """dest/ becomes a project with the real config, docs and pipeline and this one source."""
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "build_scripts", dest / "build_scripts", ignore=shutil.ignore_patterns("__pycache__"))
    src = dest / "corpus" / "sources" / "load-test"
    src.mkdir(parents=True)
    (src / "source.txt").write_text(text, "utf-8")
    (src / "meta.yml").write_text(META, "utf-8")
    return dest


def build(project: Path) -> float:
    """Seconds for `mkdocs build --strict` of the project, in a process of its own."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site"], cwd=project,
                       capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{project}: the build failed:\n{r.stdout}{r.stderr}")
    return took


def compare(work: Path, name: str, hostile: str, normal: str, builds: int = 1) -> dict:
    rows = {}
    for kind, text in (("normal", normal), ("hostile", hostile)):
        proj = make_project(work / f"{name}-{kind}", text)
        rows[kind] = [build(proj) for _ in range(builds)]
    ratio = max(h / n for h, n in zip(rows["hostile"], rows["normal"]))
    row = {"case": name, "bytes": len(hostile.encode()), "normal_s": [round(t, 2) for t in rows["normal"]],
           "hostile_s": [round(t, 2) for t in rows["hostile"]], "ratio": round(ratio, 2), "goal": GOAL,
           "ok": ratio < GOAL}
    print(f"{name}: {row['bytes'] / 1e6:.2f} MB; normal source {', '.join(f'{t:.1f}s' for t in rows['normal'])}; "
          f"hostile {', '.join(f'{t:.1f}s' for t in rows['hostile'])}; {ratio:.2f}x "
          f"({'under' if row['ok'] else 'OVER'} the goal of {GOAL:.0f}x)")
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=1.0, help="size of the one-line source, in MB")
    ap.add_argument("--paragraphs", type=int, default=20_000, help="repeated paragraphs")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="edition-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    size = int(args.mb * 1_000_000)
    rows = [compare(work, "one-line", one_line_text(size), normal_text(size))]
    rep = repeated_text(args.paragraphs)
    rows.append(compare(work, "repeated-paragraphs", rep, distinct_text(args.paragraphs), builds=2))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
