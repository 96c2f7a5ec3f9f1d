"""What one `mkdocs serve` process keeps from one build to the next.

`mkdocs build` is one build in one process: it keeps nothing here. Under `mkdocs serve` an
edit rebuilds the whole site, and most of that work would give the same result as the
build before: every other source cleaned again, every other page converted from the same
Markdown, checked and read for the index again, Kiwi's model loaded again. The session
remembers, in memory only, what the last build made, by a key that holds everything the
result depends on, so the next build does again only what its inputs changed.

Nothing here is read from or written to disk: a result is reused only by the process that
made it, from the same code (the process's modules are not reloaded between builds), so
it is exactly what doing the work again would give. The steps themselves know nothing of
MkDocs: they take a memo (anything with get and put) and the adapter passes these.

Like serve_watch, this module is the state that outlives a build, kept apart from the
hooks' per-build `_state` (MkDocs 1.6 happens to load a hooks file once a process, but
does not promise it).
"""
from __future__ import annotations

import threading

from build_scripts.memo import Memo

serving = False          # set by the hooks' on_startup when the command is `mkdocs serve`


sources = Memo()     # a source's files (their bytes; the code) -> the source as read, and as cleaned
rendered = Memo()    # a page's Markdown, URL and render context -> its HTML, toc, title, anchors
checked = Memo()     # a page's HTML and the letters it must carry -> True (passed)
units = Memo()       # a built page's HTML and URL -> its search units
analyzer = None      # the search's Analyzer: Kiwi and jieba loaded once a session


_job: threading.Thread | None = None
kept_index = None    # where the last build's search index waits while MkDocs empties the site folder


def after_build(work) -> None:
    """Run work() (the search index) while the server already serves the build's pages; the
    next build, and the end of the session, wait for it (wait())."""
    global _job
    wait()
    _job = threading.Thread(target=work, name="edition-search-index", daemon=True)
    _job.start()


def wait() -> None:
    global _job
    if _job is not None:
        _job.join()
        _job = None


def begin_build() -> None:
    for memo in (sources, rendered, checked, units):
        memo.turn()


def report() -> str:
    """What this build took from the last, for the log."""
    return (f"taken from the last build: {sources.reused} sources' readings and cleanings, {rendered.reused} "
            f"pages' conversions, {checked.reused} pages' checks, {units.reused} pages' search units")
