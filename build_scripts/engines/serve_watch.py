"""`mkdocs serve`: one edit, one build.

A build writes anchors.yml (the lock of published paragraph ids) inside the watched corpus/.
MkDocs would take that write for an edit and build again (and that build's write once more).
This module watches corpus/ instead of MkDocs, and lets pass every change except a file the
build itself wrote, with exactly the content it wrote (or any change to such a file while a
build runs, when the file may be half written).

It is state that lives as long as the `mkdocs serve` process (with engines/session.py),
kept apart from the hooks' per-build `_state` (MkDocs 1.6 happens to load a hooks file
once a process, but does not promise it).
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("mkdocs.edition")

written: dict[str, str] = {}        # real path -> sha256 of what the build wrote there
building = threading.Event()        # set while a build runs


def record(path: Path, content: str) -> None:
    """Called just before the build writes `content` to `path`."""
    written[os.path.realpath(path)] = hashlib.sha256(content.encode("utf-8")).hexdigest()


def is_own_write(path: str) -> bool:
    want = written.get(os.path.realpath(path))
    if want is None:
        return False
    if building.is_set():
        return True
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() == want
    except OSError:
        return False


def watch_corpus(server, config) -> None:
    """Take corpus/ out of MkDocs' `watch` list and watch it here, through the server's own
    rebuild signal. With an MkDocs whose server differs, MkDocs' watching stays."""
    import watchdog.events
    corpus = os.path.abspath(Path(config.config_file_path).resolve().parent / "corpus")
    cond = getattr(server, "_rebuild_cond", None)
    if cond is None or not hasattr(server, "observer") or corpus not in [os.path.abspath(w) for w in config.watch]:
        return
    config.watch[:] = [w for w in config.watch if os.path.abspath(w) != corpus]

    def callback(event):
        if event.is_directory or is_own_write(getattr(event, "dest_path", "") or event.src_path):
            return
        log.debug(f"edition: {event}")
        with cond:
            server._want_rebuild = True
            cond.notify_all()
    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = callback
    server.observer.schedule(handler, corpus, recursive=True)
