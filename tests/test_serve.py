"""`mkdocs serve`: one edit, exactly one build.

The build writes anchors.yml (the lock of paragraph ids) inside the watched corpus/; without
hooks.on_serve that write started a second build, and an edit was served two or three
builds later."""
from __future__ import annotations

import os
import re
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
