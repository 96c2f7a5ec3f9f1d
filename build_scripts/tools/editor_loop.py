#!/usr/bin/env python
"""The editor's loop, measured: this project (hooks, caches, edition search) against a naive
MkDocs + Material project of the same raw texts (issue 13's table).

    python -m build_scripts.tools.editor_loop [--sizes 200 1000 2000] [--work DIR] [--out FILE]

For each N: edition cold / naive cold / edition warm / naive warm / edition one-source-edited /
naive one-source-edited, each `python -m mkdocs build -q` in its own subprocess; wall-clock
seconds and peak RSS of the child (os.wait4), load averages before and after. At N=1000
(when in --sizes) a separate cProfile run of the edition cold build.
Results go to --out (JSON, rewritten after every measurement).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from build_scripts.tools.benchmark import make_corpus

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
WORK = Path("/tmp/edition-editor-loop")
EDIT = "\n\n편집 시험 문단이다. 한미동맹 benchmark edit.\n"
PROFILE_N = 1000
PROFILE_OUT = WORK / "prof-1000.out"
MAX_WAIT = 180.0  # s to wait, before each build, for the machine's other work to go quiet

RESULTS: dict = {}
OUT: Path = WORK / "results.json"


def save() -> None:
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False))
    tmp.replace(OUT)


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def busy_jiffies() -> int:
    """CPU time of the whole machine in clock ticks (all cores, everything but idle/iowait)."""
    f = Path("/proc/stat").read_text().split("\n")[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return user + nice + system + irq + softirq + steal


HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count()


def busy_cores(seconds: float) -> float:
    a = busy_jiffies()
    time.sleep(seconds)
    return (busy_jiffies() - a) / HZ / seconds


def wait_quiet(max_wait: float, threshold: float = 0.3) -> dict:
    """Wait (up to max_wait s) until the machine's other work uses under `threshold` cores
    (sampled over 3 s), so that builds are timed on an idle machine where possible."""
    t0 = time.perf_counter()
    while True:
        b = busy_cores(3.0)
        waited = time.perf_counter() - t0
        if b < threshold or waited >= max_wait:
            return {"waited_s": waited, "busy_cores_before": b, "quiet": b < threshold}
        time.sleep(10)


def env() -> dict:
    e = dict(os.environ)
    e["NO_MKDOCS_2_WARNING"] = "1"
    return e


def run_build(project: Path, argv: list[str] | None = None, label: str = "") -> dict:
    """One build in a child process; wall clock, the child's peak RSS, return code, stderr."""
    argv = argv or [PY, "-m", "mkdocs", "build", "-q"]
    errf = project.parent / f"{project.name}.{label}.stderr"
    q = wait_quiet(MAX_WAIT)
    la0 = loadavg()
    j0 = busy_jiffies()
    with open(errf, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, cwd=project, env=env(), stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    j1 = busy_jiffies()
    p.returncode = os.waitstatus_to_exitcode(status)
    la1 = loadavg()
    others = max(0.0, (j1 - j0) / HZ - ru.ru_utime - ru.ru_stime)
    stderr = errf.read_text("utf-8", errors="replace")
    row = {"wall_s": wall, "peak_rss_kb": ru.ru_maxrss, "peak_rss_gb": ru.ru_maxrss / 1024 / 1024,
           "user_s": ru.ru_utime, "sys_s": ru.ru_stime, "returncode": p.returncode,
           "cpu_s": ru.ru_utime + ru.ru_stime,
           "loadavg_start": la0, "loadavg_end": la1, **q,
           "other_processes_cpu_s_during": others,
           "other_processes_mean_cores_during": others / wall,
           "stderr_lines": len(stderr.splitlines()), "stderr_tail": stderr[-2000:]}
    ok = "ok" if p.returncode == 0 else f"FAILED rc={p.returncode}"
    print(f"  {label:<14} {wall:9.3f} s (cpu {row['cpu_s']:.3f} s)  peak RSS {row['peak_rss_gb']:.4f} GB  {ok}  "
          f"load {la0.split()[0]} -> {la1.split()[0]}  waited {q['waited_s']:.0f} s (busy {q['busy_cores_before']:.2f})  "
          f"others {others / wall:.2f} cores during  stderr lines {row['stderr_lines']}", flush=True)
    if p.returncode != 0:
        print(stderr[-3000:], flush=True)
    return row


def add_timings_file(project: Path, timings: Path) -> None:
    cfg = project / "mkdocs.yml"
    lines = cfg.read_text("utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("  edition:") and i and lines[i - 1].startswith("extra:"):
            lines.insert(i + 1, f"    timings_file: {timings}\n")
            break
    else:
        raise SystemExit("mkdocs.yml: no `extra:\\n  edition:` block")
    cfg.write_text("".join(lines), "utf-8")


def make_naive(edition: Path, naive: Path) -> None:
    """The same raw texts as plain Material pages: title in front matter, source.txt as is."""
    site_name = yaml.safe_load((edition / "mkdocs.yml").read_text("utf-8").split("\ntheme:")[0])["site_name"]
    docs = naive / "docs"
    (docs / "sources").mkdir(parents=True)
    (naive / "mkdocs.yml").write_text(
        f"site_name: {json.dumps(site_name, ensure_ascii=False)}\n"
        "theme:\n  name: material\n  language: ko\n"
        "plugins:\n  - search\n", "utf-8")
    sources = sorted(p for p in (edition / "corpus" / "sources").iterdir() if p.is_dir())
    (docs / "index.md").write_text(f"# {site_name}\n\n{len(sources)} sources.\n", "utf-8")
    for src in sources:
        meta = yaml.safe_load((src / "meta.yml").read_text("utf-8")) or {}
        title = meta.get("title") or src.name
        body = (src / "source.txt").read_text("utf-8")
        (docs / "sources" / f"{src.name}.md").write_text(
            f"---\ntitle: {json.dumps(str(title), ensure_ascii=False)}\n---\n\n{body}", "utf-8")


def append_edit(path: Path) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(EDIT)


def serve_edits(project: Path, source: Path, url_path: str, label: str, edits: int = 3) -> dict:
    """Edit-to-served under `mkdocs serve`: seconds from writing an edit to `source` until the
    server returns the page at `url_path` with the edit in it, for `edits` edits in a row
    (the first may pay for loading what later ones reuse); and how many builds each edit
    caused (one per "Reloading browsers" in the log, counted 5 s after the page was served)."""
    import socket
    import threading
    import urllib.request
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}{url_path}"
    log: list[str] = []
    p = subprocess.Popen([PY, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project, env=env(),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    threading.Thread(target=lambda: log.extend(iter(p.stdout.readline, "")), daemon=True).start()

    def get() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def get_path(path: str) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def reloads() -> int:
        return sum("Reloading browsers" in line for line in log)

    original = source.read_bytes()
    row: dict = {"edits": []}
    try:
        t0 = time.perf_counter()
        while not get():
            if p.poll() is not None or time.perf_counter() - t0 > 900:
                raise SystemExit(f"{label}: mkdocs serve did not start:\n{''.join(log)[-3000:]}")
            time.sleep(0.2)
        row["first_build_s"] = time.perf_counter() - t0
        for i in range(edits):
            time.sleep(3)            # let the watcher settle
            wait_quiet(MAX_WAIT)
            before = reloads()
            index_before = get_path("/search/search_index.json")
            marker = f"served edit {label} {i} {time.time_ns()}"
            with open(source, "a", encoding="utf-8") as f:
                f.write(f"\n\n{marker}.\n")
            t0 = time.perf_counter()
            while marker not in get():
                if time.perf_counter() - t0 > 900:
                    raise SystemExit(f"{label}: edit {i} not served after 900 s:\n{''.join(log)[-3000:]}")
                time.sleep(0.05)
            served = time.perf_counter() - t0
            # the edition writes its search index after the pages are served: when the
            # settings file names a new version, the edit can be searched
            while get_path("/search/search_index.json") == index_before and time.perf_counter() - t0 < 120:
                time.sleep(0.05)
            searchable = time.perf_counter() - t0
            time.sleep(5)
            row["edits"].append({"served_s": served, "searchable_s": searchable, "builds": reloads() - before})
            print(f"  {label:<14} edit {i}: served after {served:.3f} s, searchable after {searchable:.3f} s, "
                  f"{reloads() - before} build(s)", flush=True)
    finally:
        p.terminate()
        p.wait(timeout=60)
        source.write_bytes(original)
    return row


def rm(p: Path) -> None:
    if p.exists():
        shutil.rmtree(p)


def profile(proj: Path, n: int) -> dict:
    print(f"[N={n}] profiling the edition cold build (separate run) ...", flush=True)
    rm(proj / ".cache")
    rm(proj / "site")
    row = run_build(proj, [PY, "-m", "cProfile", "-o", str(PROFILE_OUT), "-m", "mkdocs", "build", "-q"],
                    label="profiled-cold")
    out = {"run": row, "file": str(PROFILE_OUT)}
    if PROFILE_OUT.exists():
        for key in ("cumulative", "tottime"):
            s = io.StringIO()
            pstats.Stats(str(PROFILE_OUT), stream=s).sort_stats(key).print_stats(25)
            text = s.getvalue()
            (WORK / f"prof-1000-{key}.txt").write_text(text)
            print(f"\n--- top 25 by {key} ---\n{text}", flush=True)
            out[f"top25_{key}"] = text
    return out


def table(sizes: list[int]) -> str:
    rows = ["| | this project | naive MkDocs | ratio |", "|---|---:|---:|---:|"]

    def line(label, a, b, unit, fmt):
        if a is None or b is None:
            rows.append(f"| {label} | {'' if a is None else fmt.format(a) + unit} | "
                        f"{'' if b is None else fmt.format(b) + unit} | |")
        else:
            rows.append(f"| {label} | {fmt.format(a)}{unit} | {fmt.format(b)}{unit} | {a / b:.3f}× |")

    def get(n, k, f="wall_s"):
        return RESULTS.get("sizes", {}).get(str(n), {}).get(k, {}).get(f)

    for n in sizes:
        line(f"cold build {n} sources", get(n, "edition_cold"), get(n, "naive_cold"), " s", "{:.3f}")
    for n in sizes:
        line(f"warm build (all cached) {n}", get(n, "edition_warm"), get(n, "naive_warm"), " s", "{:.3f}")
    for n in sizes:
        line(f"one source edited {n}", get(n, "edition_edit"), get(n, "naive_edit"), " s", "{:.3f}")
    for n in sizes:
        for i in range(3):
            a = (RESULTS["sizes"].get(str(n), {}).get("edition_serve") or {}).get("edits", [])
            b = (RESULTS["sizes"].get(str(n), {}).get("naive_serve") or {}).get("edits", [])
            if i < len(a) or i < len(b):
                line(f"edit {i + 1} served under `mkdocs serve` {n}", a[i]["served_s"] if i < len(a) else None,
                     b[i]["served_s"] if i < len(b) else None, " s", "{:.3f}")
    for n in sizes:
        # peak over the three builds of each project at this size
        ed = [get(n, k, "peak_rss_gb") for k in ("edition_cold", "edition_warm", "edition_edit")]
        nv = [get(n, k, "peak_rss_gb") for k in ("naive_cold", "naive_warm", "naive_edit")]
        ed = [x for x in ed if x is not None]
        nv = [x for x in nv if x is not None]
        line(f"peak memory {n} (GB)", max(ed) if ed else None, max(nv) if nv else None, "", "{:.4f}")
    return "\n".join(rows)


def main(argv=None) -> int:
    global OUT, MAX_WAIT
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 2000])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--no-serve", action="store_true", help="skip the edit-to-served runs under `mkdocs serve`")
    ap.add_argument("--max-wait", type=float, default=MAX_WAIT,
                    help="seconds to wait before each build for other work to go quiet (0: never)")
    args = ap.parse_args(argv)
    OUT = args.out
    MAX_WAIT = args.max_wait
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.update({"started": time.strftime("%Y-%m-%d %H:%M:%S"), "python": PY, "sizes_requested": args.sizes,
                    "repo_commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                                                  text=True).stdout.strip(),
                    "loadavg_at_start": loadavg(), "sizes": {}})
    save()
    for n in args.sizes:
        res = RESULTS["sizes"].setdefault(str(n), {})
        proj, naive = WORK / f"edition-{n}", WORK / f"naive-{n}"
        timings = WORK / f"timings-{n}.json"
        print(f"[N={n}] making projects ...", flush=True)
        t0 = time.perf_counter()
        rm(proj)
        rm(naive)
        proj.mkdir(parents=True)
        make_corpus(proj, n)
        add_timings_file(proj, timings)
        make_naive(proj, naive)
        res["setup_s"] = time.perf_counter() - t0
        edited = sorted((proj / "corpus" / "sources").iterdir())[0]
        res["edited_source"] = edited.name
        save()

        def edition(label):
            if timings.exists():
                timings.unlink()
            row = run_build(proj, label=label)
            if timings.exists():
                row["timings"] = json.loads(timings.read_text())
            res[label] = row
            save()
            return row

        def naive_build(label):
            res[label] = run_build(naive, label=label)
            save()

        # a. edition cold
        rm(proj / ".cache")
        rm(proj / "site")
        edition("edition_cold")
        shutil.copy(timings, WORK / f"timings-{n}-cold.json") if timings.exists() else None
        # b. naive cold
        rm(naive / "site")
        naive_build("naive_cold")
        # c. edition warm
        edition("edition_warm")
        # d. naive warm
        naive_build("naive_warm")
        # e. edition, one source edited
        original = (edited / "source.txt").read_bytes()
        append_edit(edited / "source.txt")
        edition("edition_edit")
        # f. naive, the same edit on the matching page
        append_edit(naive / "docs" / "sources" / f"{edited.name}.md")
        naive_build("naive_edit")
        # g. edit-to-served under `mkdocs serve`, both projects (the edits are undone after)
        if not args.no_serve:
            res["edition_serve"] = serve_edits(proj, edited / "source.txt", f"/sources/{edited.name}/",
                                               "edition_serve")
            save()
            res["naive_serve"] = serve_edits(naive, naive / "docs" / "sources" / f"{edited.name}.md",
                                             f"/sources/{edited.name}/", "naive_serve")
            save()
        # the profile is of the unedited corpus, from a cold cache
        if n == PROFILE_N and not args.no_profile:
            (edited / "source.txt").write_bytes(original)
            res["profile"] = profile(proj, n)
            save()
    RESULTS["loadavg_at_end"] = loadavg()
    RESULTS["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    RESULTS["table_md"] = table(args.sizes)
    save()
    print()
    print(table(args.sizes))
    print("\ncold-build stage timings (s):")
    for n in args.sizes:
        t = RESULTS["sizes"][str(n)].get("edition_cold", {}).get("timings")
        print(f"  N={n}: {json.dumps(t)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
