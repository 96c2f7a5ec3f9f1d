"""`mkdocs serve`: one edit, exactly one build.

The build writes anchors.yml (the lock of paragraph ids) inside the watched corpus/; without
hooks.on_serve that write started a second build, and an edit was served two or three
builds later."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import MINIMAL_META, make_project

TEXT = "한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 문제만이 아니다.\n\n둘째 문단이다.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mkdocs_serve(project: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def builds_in(log: list[str]) -> int:
    """Builds finished: the first before "Serving on", then one per "Reloading browsers".
    Not "Documentation built in N seconds": MkDocs logs each message of its build module
    once per process (DuplicateFilter), so a rebuild as quick as an earlier one is silent."""
    return sum(1 for line in log if re.search(r"Serving on |Reloading browsers", line))


def follow(proc) -> list[str]:
    """The server's log, filled by a thread as lines come."""
    import threading
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    return log


def wait_for(log: list[str], pred, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred(log):
            return True
        time.sleep(0.1)
    return pred(log)


def test_an_edit_to_a_source_is_built_once(tmp_path):
    proj = make_project(tmp_path, {"s": {"source.txt": TEXT, "meta.yml": MINIMAL_META}})
    lock = proj / "corpus" / "sources" / "s" / "anchors.yml"
    proc = mkdocs_serve(proj, free_port())
    log = follow(proc)
    try:
        assert wait_for(log, lambda l: builds_in(l) == 1, 120), "".join(log)
        assert lock.exists()
        time.sleep(1.5)   # let the watcher settle
        src = proj / "corpus" / "sources" / "s" / "source.txt"
        src.write_text(TEXT + "\n셋째 문단이 새로 붙었다.\n", "utf-8")
        assert wait_for(log, lambda l: builds_in(l) == 2, 120), "".join(log)
        assert "셋째" in lock.read_text("utf-8")           # the build wrote the lock again ...
        wait_for(log, lambda l: builds_in(l) > 2, 3)  # ... and that write starts no build (one takes < 1 s)
        assert builds_in(log) == 2, "".join(log)
        # A hand edit of the lock is an edit like any other: it is built.
        lock.write_text(lock.read_text("utf-8") + "\n", "utf-8")
        assert wait_for(log, lambda l: builds_in(l) == 3, 120), "".join(log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


SERVE_BUILDS = r'''
import json, logging, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
site, edits = sys.argv[1], json.loads(sys.argv[2])
logging.basicConfig(level=logging.INFO)
config = load_config("mkdocs.yml", site_dir=site)
config.plugins.on_startup(command="serve", dirty=False)   # as `mkdocs serve` does, once
build(config)
for path, old, new in edits:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1) if old else text + new)
    build(load_config("mkdocs.yml", site_dir=site))     # a rebuild of `mkdocs serve`: a new config
config.plugins.on_shutdown()                            # as `mkdocs serve` does when it stops
'''


def test_a_rebuild_under_serve_gives_the_site_a_fresh_build_gives(tmp_path, built_site):
    """Under `mkdocs serve` a rebuild takes what did not change from the build before
    (engines/session.py): every file it writes must be the one a fresh `mkdocs build` of
    the edited corpus writes. The edits: a paragraph added to one source, then another
    source's title changed (the sidebar, the indexes and the issues that quote it)."""
    import json
    proj = make_project(tmp_path / "p", copy_real=True, search="edition")
    shutil.copytree(built_site.parent / ".cache", proj / ".cache")   # an editor's caches, as after a build
    from tests.conftest import SLUGS, mkdocs_build
    first, second = SLUGS[0], SLUGS[-1]
    meta = (proj / "corpus" / "sources" / second / "meta.yml").read_text("utf-8")
    title = next(line for line in meta.splitlines() if line.startswith("title:"))
    edits = [[f"corpus/sources/{first}/source.txt", "", "\n\n편집 시험으로 덧붙인 새 문단이다.\n"],
             [f"corpus/sources/{second}/meta.yml", title, title.rstrip("'\"") + " 개정" + title[-1]
              if title[-1] in "'\"" else title + " 개정"]]
    served = tmp_path / "served"
    r = subprocess.run([sys.executable, "-c", SERVE_BUILDS, str(served), json.dumps(edits)], cwd=proj,
                       capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    reports = re.findall(r"taken from the last build: (\d+) sources' readings and cleanings, (\d+) pages' "
                         r"conversions, (\d+) pages' checks, (\d+) pages' search units", r.stderr)
    assert len(reports) == 3, r.stderr
    assert reports[0] == ("0", "0", "0", "0")
    for report in reports[1:]:   # most of the work was taken from the build before ...
        assert all(int(n) > 0 for n in report), reports
    fresh = mkdocs_build(proj, "-d", str(tmp_path / "fresh"))   # ... and gave the same site
    assert fresh.returncode == 0, fresh.stderr
    files = lambda root: sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())  # noqa: E731
    assert not (tmp_path / "served.edition-search").exists()   # the index set aside meanwhile is gone
    assert files(served) == files(tmp_path / "fresh")
    differ = [f for f in files(served) if not f.endswith(".gz")   # gzip headers carry the time
              and (served / f).read_bytes() != (tmp_path / "fresh" / f).read_bytes()]
    assert differ == []
    page = (served / "sources" / first / "index.html").read_text("utf-8")
    assert "편집 시험으로 덧붙인 새 문단이다." in page
    assert "개정" in (served / "sources" / second / "index.html").read_text("utf-8")
