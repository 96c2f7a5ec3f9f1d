"""A memo of one build's results for the next, and the keys they are found by.

The steps (cleaning, the check, the search index) take a memo as an optional argument and
know nothing of who keeps it; engines/session.py keeps them for one `mkdocs serve` process.
"""
from __future__ import annotations

import hashlib


class Memo:
    """Results of the last build by key. A build's lookups and new results become the
    memo the next build sees; anything the last build did not use is let go, so the memo
    never holds more than one build's worth.

    >>> m = Memo()
    >>> m.put("a", 1); m.turn(); m.get("a"), m.get("b")
    (1, None)
    >>> m.turn(); m.get("a")       # used by the build before, so kept
    1
    >>> m.turn(); m.turn(); m.get("a") is None    # a build that did not use it: gone
    True
    """

    def __init__(self):
        self._last: dict = {}
        self._now: dict = {}
        self.reused = 0          # lookups this build answered from the last

    def get(self, key):
        value = self._now.get(key)
        if value is None:
            value = self._last.get(key)
            if value is not None:
                self._now[key] = value
                self.reused += 1
        return value

    def put(self, key, value) -> None:
        self._now[key] = value

    def turn(self) -> None:
        """A new build begins."""
        self._last, self._now = self._now, {}
        self.reused = 0

    def __len__(self) -> int:
        return len(self._now)


def remember(memo: "Memo | None", key, make):
    """make(), or what `memo` holds for key() (make()'s result from the last build, kept
    for the next). Without a memo nothing is remembered and no key is computed.

    >>> m, calls = Memo(), []
    >>> [remember(m, lambda: "k", lambda: calls.append(1) or len(calls)) for _ in range(2)], calls
    ([1, 1], [1])
    >>> remember(None, lambda: 1 / 0, lambda: "made")
    'made'
    """
    if memo is None:
        return make()
    k = key()
    value = memo.get(k)
    if value is None:
        value = make()
        memo.put(k, value)
    return value


def digest(*parts: str | bytes) -> str:
    """One key of several texts (each length-prefixed, so no two lists of parts collide)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()
