"""Stage 5b: paragraph ids that keep working.

A paragraph's id is made once, from its text (`p-` + 6 hex digits of the SHA-1 of its
letters and digits), and then locked in `corpus/sources/<slug>/anchors.yml`, which the build
writes and the project commits. On every later build the paragraphs are matched against
the lock, so a correction or a new version of source.txt never breaks a published link:

* an unchanged paragraph keeps its id wherever it now stands;
* a changed paragraph (re-cleaned, corrected, part of a split or a merge) keeps its id,
  and the lock and the page say that its text changed since the id was published;
* a removed paragraph's id lands at the place it stood (the paragraph now there carries
  it as an alias), never at the top of the page;
* an id in the lock is never given to other text.

Matching is by exact text first, in reading order (the common start and end, then the
texts found once on each side, then repeated texts in turn), then, inside each stretch that
differs, by how much of the shorter text the longer one contains. Every step is linear in
the paragraphs (or n log n), however often a text repeats: a source is untrusted input.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from build_scripts.errors import EditionError
from build_scripts.cleaning.fidelity import letters
from build_scripts.reading import node_lines, read_yaml
from build_scripts.reading import whole_number

LOCK_NAME = "anchors.yml"
SAME_TEXT = 0.6      # share of the shorter text found in the longer: "the same paragraph"
HEADER = ("# Paragraph ids published for this source: written by the build, committed with the corpus.\n"
          "# An id listed here is never given to other text. A removed paragraph's id stays listed\n"
          "# (status: removed) and lands on the paragraph now standing where it was (at:).\n")


class AnchorLockError(EditionError):
    """anchors.yml is malformed."""


@dataclass
class Entry:
    id: str
    hash: str
    text: str                        # the paragraph as published: for matching and for people
    number: int = 0
    status: str = "current"          # current | changed | removed
    at: str | None = None            # removed: the id now standing where it was
    first_hash: str | None = None    # changed: the text the id was first published for
    note: str = ""


@dataclass
class Result:
    ids: list[str]                            # one per paragraph, in reading order
    aliases: dict[str, list[str]]             # id -> removed ids that now land on it
    changed: dict[str, str]                   # id -> note for readers
    entries: list[Entry]                      # the new lock
    log: list[str] = field(default_factory=list)


def text_hash(letters: str) -> str:
    return hashlib.sha1(letters.encode("utf-8")).hexdigest()


def head_of(text: str) -> str:
    t = " ".join(text.split())
    return t[:30] + ("…" if len(t) > 30 else "")


def _letters(text: str) -> str:
    return letters(text)


# --- the lock file ----------------------------------------------------------------------

ID_RE = re.compile(r"^p-([0-9a-f]{6})(?:-[2-9]|-[1-9]\d+)?$")
HASH_RE = re.compile(r"^[0-9a-f]{16,40}$")
ENTRY_KEYS = {"id", "status", "number", "at", "hash", "first_hash", "text", "note"}


def read_lock(path: Path) -> list[Entry]:
    """The lock, checked: a hand edit that would give an id to other text (two ids swapped,
    an id made up) stops the build, since an id is made once from its text's hash."""
    if not path.is_file():
        return []
    node, data = read_yaml(path, AnchorLockError)
    if data is None:
        return []
    rows = data.get("paragraphs") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise AnchorLockError(path, "anchors.yml has no list of paragraphs", expected="paragraphs: [...]",
                              found=type(data).__name__ if not isinstance(data, dict) else repr(sorted(data)))
    lines = node_lines(node)
    out, first = [], {}
    for k, r in enumerate(rows):
        def fail(key, message, expected, found, k=k):
            line = lines.get(("paragraphs", k, key)) or lines.get(("paragraphs", k))
            raise AnchorLockError(path, message, line=line, expected=expected, found=found)
        if not (isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("hash"), str)):
            fail("id", f"paragraph {k + 1} of anchors.yml is malformed", "id: p-…, hash: …", repr(r))
        entry = _read_entry(r, fail)
        if entry.id in first:
            fail("id", "an id is listed twice in anchors.yml", "each id once",
                 f"{entry.id} again; the first at line {first[entry.id]}")
        first[entry.id] = lines.get(("paragraphs", k, "id"))
        out.append(entry)
    return out


def _read_entry(r: dict, fail) -> Entry:
    extra = sorted(set(r) - ENTRY_KEYS)
    if extra:
        fail(extra[0], f"unknown key in the entry of {r['id']}", f"one of {sorted(ENTRY_KEYS)}", repr(extra[0]))
    m = ID_RE.match(r["id"])
    if not m:
        fail("id", "bad paragraph id", "p- and 6 hexadecimal digits, then -2, -3 … for repeated text",
             repr(r["id"]))
    for key in ("hash", "first_hash"):
        v = r.get(key)
        if (v is not None or key == "hash") and not (isinstance(v, str) and HASH_RE.match(v)):
            fail(key, f"bad {key} for {r['id']}", "16 to 40 lowercase hexadecimal digits", repr(v))
    made_from = r.get("first_hash") or r["hash"]
    if m.group(1) != made_from[:6]:
        fail("id", f"id {r['id']} does not belong to its text",
             f"the id made from its hash {made_from[:16]}: p-{made_from[:6]} (ids are written by the build, "
             "never by hand)", r["id"])
    status = r.get("status", "current")
    if status not in ("current", "changed", "removed"):
        fail("status", f"bad status for {r['id']}", "current, changed or removed", repr(status))
    number = whole_number(r.get("number", 0))
    if number is None:
        fail("number", f"bad number for {r['id']}", "a whole number (the paragraph's place)", repr(r.get("number")))
    at = r.get("at")
    if at is not None and not (isinstance(at, str) and ID_RE.match(at)):
        fail("at", f"bad 'at' for {r['id']}", "the id of the paragraph a removed one lands on (p-…)", repr(at))
    for key in ("text", "note"):
        if r.get(key) is not None and not isinstance(r[key], str):
            fail(key, f"bad {key} for {r['id']}", "text", repr(r[key]))
    return Entry(r["id"], r["hash"], r.get("text") or "", number, status, at, r.get("first_hash"),
                 r.get("note") or "")


def dump_lock(entries: list[Entry], text_sha256: str) -> str:
    rows = []
    for e in entries:
        r = {"id": e.id}
        if e.status != "current":
            r["status"] = e.status
        r["number"] = e.number
        if e.at:
            r["at"] = e.at
        r["hash"] = e.hash[:16]
        if e.first_hash:
            r["first_hash"] = e.first_hash[:16]
        r["text"] = e.text
        if e.note:
            r["note"] = e.note
        rows.append(r)
    body = yaml.dump({"text_sha256": text_sha256, "paragraphs": rows}, allow_unicode=True,
                     sort_keys=False, width=1000, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return HEADER + body


# --- matching ---------------------------------------------------------------------------

WINDOW = 8          # a changed paragraph is looked for this many places either side of where it stood
PAIR_BUDGET = 256   # a stretch of at most this many (old, new) pairs is compared whole
LONG_TEXT = 2000    # letters: longer texts are compared by their shared runs of letters
RUN = 4             # letters in one run


def _containment(a: str, b: str) -> float:
    """Share of the shorter text found, in order, in the longer.

    A text longer than LONG_TEXT letters is compared by its runs of RUN letters instead
    (the share of the shorter text's runs that stand in the longer), which costs its
    length, where matching letters in order costs up to its square.

    >>> round(_containment("가나다라마바", "가나다라마바사아"), 2), _containment("가나", "다라")
    (1.0, 0.0)
    >>> long_text = "가나다라마바사아자차카타파하" * 200
    >>> _containment(long_text, long_text + "거너더"), _containment(long_text, "거너더러머버서" * 400)
    (1.0, 0.0)
    """
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(long_) > LONG_TEXT:
        return _run_containment(short, long_)
    sm = difflib.SequenceMatcher(None, short, long_, autojunk=False)
    if sm.real_quick_ratio() * (len(a) + len(b)) / 2 / len(short) < SAME_TEXT:
        return 0.0
    if sm.quick_ratio() * (len(a) + len(b)) / 2 / len(short) < SAME_TEXT:
        return 0.0
    return sum(m.size for m in sm.get_matching_blocks()) / len(short)


def _run_containment(short: str, long_: str) -> float:
    if len(short) < RUN:
        return 1.0 if short in long_ else 0.0
    runs = {long_[k:k + RUN] for k in range(len(long_) - RUN + 1)}
    n = len(short) - RUN + 1
    return sum(1 for k in range(n) if short[k:k + RUN] in runs) / n


def _same(h: str, e: Entry) -> bool:
    return h[:16] == e.hash[:16]  # the lock keeps 16 hex digits


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (old, new) pairs, given in order of new, whose old indexes also
    rise (patience sorting: n log n).

    >>> _increasing([(1, 0), (0, 1), (2, 2), (3, 3)])
    [(0, 1), (2, 2), (3, 3)]
    """
    import bisect
    tails: list[int] = []          # old index ending the best run of each length
    ends: list[int] = []           # position in pairs of that end
    back = [-1] * len(pairs)
    for k, (i, _) in enumerate(pairs):
        n = bisect.bisect_left(tails, i)
        if n == len(tails):
            tails.append(i)
            ends.append(k)
        else:
            tails[n], ends[n] = i, k
        back[k] = ends[n - 1] if n else -1
    out, k = [], ends[-1] if ends else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def _same_text_in_order(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """(old index, new index) of paragraphs whose text is unchanged, in reading order on both
    sides: the common start and end, then the texts that stand once on each side (the
    anchors of patience diff), then, between two anchors, the common start and end again
    and the n-th repetition of a text with its n-th. Every step is linear (or n log n),
    however often a text repeats; difflib's matcher is quadratic there.

    >>> _same_text_in_order(list("AXAYA"), list("XAYA"))
    [(1, 0), (2, 1), (3, 2), (4, 3)]
    >>> _same_text_in_order(list("ABCD"), list("BCDA"))
    [(1, 0), (2, 1), (3, 2)]
    >>> _same_text_in_order(list("AAAA"), list("AAXAA"))
    [(0, 0), (1, 1), (2, 3), (3, 4)]
    """
    from collections import Counter
    out: list[tuple[int, int]] = []

    def ends(i1, i2, j1, j2):
        """The common start and end of old[i1:i2] and new[j1:j2], and the rest between."""
        start = []
        while i1 < i2 and j1 < j2 and old[i1] == new[j1]:
            start.append((i1, j1))
            i1, j1 = i1 + 1, j1 + 1
        end = []
        while i1 < i2 and j1 < j2 and old[i2 - 1] == new[j2 - 1]:
            i2, j2 = i2 - 1, j2 - 1
            end.append((i2, j2))
        return start, (i1, i2, j1, j2), end[::-1]

    def repeats(i1, i2, j1, j2):
        """The n-th occurrence of a text in old[i1:i2] with its n-th in new[j1:j2], in order."""
        where: dict[str, list[int]] = {}
        for i in range(i2 - 1, i1 - 1, -1):
            where.setdefault(old[i], []).append(i)
        pairs = []
        for j in range(j1, j2):
            stack = where.get(new[j])
            if stack:
                pairs.append((stack.pop(), j))
        return _increasing(pairs)

    start, (i1, i2, j1, j2), end = ends(0, len(old), 0, len(new))
    out.extend(start)
    n_old, n_new = Counter(old[i1:i2]), Counter(new[j1:j2])
    at_old = {old[i]: i for i in range(i1, i2) if n_old[old[i]] == 1}
    anchors = _increasing([(at_old[new[j]], j) for j in range(j1, j2)
                           if n_new[new[j]] == 1 and new[j] in at_old])
    prev_i, prev_j = i1, j1
    for i, j in anchors + [(i2, j2)]:
        s, inner, e = ends(prev_i, i, prev_j, j)
        out.extend(s)
        out.extend(repeats(*inner))
        out.extend(e)
        if i < i2:
            out.append((i, j))
        prev_i, prev_j = i + 1, j + 1
    out.extend(end)
    return out


def _candidates(olds: list[int], news: list[int]):
    """(old, new) pairs worth comparing in a stretch that differs: all of them in a small
    stretch; in a large one, those within WINDOW places of each other counted from the
    stretch's start or from its end, so the work grows with the stretch, not its square."""
    if len(olds) * len(news) <= PAIR_BUDGET:
        for a, i in enumerate(olds):
            for b, j in enumerate(news):
                yield a, b, i, j
        return
    for a, i in enumerate(olds):
        near = set(range(max(0, a - WINDOW), min(len(news), a + WINDOW + 1)))
        from_end = len(news) - (len(olds) - a)
        near.update(range(max(0, from_end - WINDOW), min(len(news), from_end + WINDOW + 1)))
        for b in sorted(near):
            yield a, b, i, news[b]


def reconcile(lock: list[Entry], paragraphs: list[tuple[str, str]]) -> Result:
    """paragraphs: (letters the id is made from, visible text) of each citable paragraph,
    in reading order. Linear in the paragraphs and the lock (n log n), however often a text
    repeats: every step below visits each paragraph or entry a bounded number of times.

    >>> r = reconcile([], [("가나다라", "가나다라."), ("마바사아", "마바사아.")])
    >>> r.ids == [f"p-{text_hash('가나다라')[:6]}", f"p-{text_hash('마바사아')[:6]}"]
    True
    >>> r2 = reconcile(r.entries, [("가나다라", "가나다라."), ("자차카", "자차카."), ("마바사아", "마바사아.")])
    >>> r2.ids[0] == r.ids[0] and r2.ids[2] == r.ids[1], r2.log[0].split(' ', 1)[1]
    (True, 'new at ¶2: 자차카.')
    """
    m = _Matching(lock, paragraphs)
    for step in RECONCILE_STEPS:
        step(m)
    return Result(list(m.ids), m.aliases, m.changed, m.entries, m.log)


class _Matching:
    """The state the steps of reconcile share: the lock's entries, the new paragraphs,
    and the id each paragraph gets."""

    def __init__(self, lock: list[Entry], paragraphs: list[tuple[str, str]]):
        self.lock, self.paragraphs = lock, paragraphs
        self.hashes = [text_hash(letters) for letters, _ in paragraphs]
        self.live = sorted((e for e in lock if e.status != "removed"), key=lambda e: e.number)
        self.dead = [e for e in lock if e.status == "removed"]
        self.taken = {e.id for e in lock}
        self.ids: list[str | None] = [None] * len(paragraphs)
        self.matched_from: dict[int, Entry] = {}
        self.gone: list[tuple[Entry, int]] = []     # (entry, index of the paragraph now at its place)
        self.same: list[tuple[int, int]] = []
        self.revived_ids: set[str] = set()
        self.entries: list[Entry] = []
        self.changed: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = {}
        self.log: list[str] = []

    def keep(self, j: int, old: Entry) -> None:
        self.ids[j] = old.id
        self.matched_from[j] = old


def _match_unchanged(m: _Matching) -> None:
    """Paragraphs whose text the lock has, in the same order, keep their ids."""
    m.same = _same_text_in_order([e.hash[:16] for e in m.live], [h[:16] for h in m.hashes])
    for i, j in m.same:
        m.keep(j, m.live[i])


def _match_stretches(m: _Matching) -> None:
    """Between two unchanged paragraphs, a stretch that differs: changed, split, merged,
    added or removed paragraphs, matched by how much of the shorter text the longer holds.
    An old paragraph left over is gone: it will land on the paragraph that holds its text,
    else on the one now standing where it stood."""
    old_letters = [_letters(e.text) for e in m.live]
    new_letters = [_letters(t) for _, t in m.paragraphs]
    prev_i = prev_j = -1
    for i_next, j_next in m.same + [(len(m.live), len(m.paragraphs))]:
        olds, news = list(range(prev_i + 1, i_next)), list(range(prev_j + 1, j_next))
        j1 = prev_j + 1
        prev_i, prev_j = i_next, j_next
        if not olds:
            continue
        scores: dict[tuple[int, int], float] = {}
        pairs = []
        for a, b, i, j in _candidates(olds, news):
            score = scores[i, j] = _containment(old_letters[i], new_letters[j])
            if score >= SAME_TEXT:
                pairs.append((-score, abs(a - b), i, j))
        used_i, used_j = set(), set()
        for _, _, i, j in sorted(pairs):
            if i in used_i or j in used_j:
                continue
            used_i.add(i)
            used_j.add(j)
            m.keep(j, m.live[i])
        best: dict[int, tuple[float, int]] = {}   # old -> (score, new): the best place, later on a tie
        for (i, j), score in scores.items():
            if score > 0 and (score, j) > best.get(i, (0.0, -1)):
                best[i] = (score, j)
        for i in olds:
            if i not in used_i:
                score, j = best.get(i, (0.0, None))
                m.gone.append((m.live[i], j if score >= SAME_TEXT else min(j1, len(m.paragraphs) - 1)))


def _assign_new_ids(m: _Matching) -> None:
    """Texts the lock has never seen get new ids; a removed text that came back gets its id
    back. The first build reproduces the ids published before the lock existed (hash, then
    -2, -3 for repeated text)."""
    dead_by_hash: dict[str, list[Entry]] = {}
    for e in reversed(m.dead):
        dead_by_hash.setdefault(e.hash[:16], []).append(e)
    next_suffix: dict[str, int] = {}       # base id -> the next suffix to try
    for j, h in enumerate(m.hashes):
        if m.ids[j] is None:
            waiting = dead_by_hash.get(h[:16])
            if waiting:                          # the same text came back: its id returns
                revived = waiting.pop()
                m.keep(j, revived)               # so a changed text's first hash and note come back too
                m.revived_ids.add(revived.id)
                m.log.append(f"{revived.id} restored at ¶{j + 1} (its text is back)")
                continue
            base = f"p-{h[:6]}"
            k = next_suffix.get(base, 1)
            a = base if k == 1 else f"{base}-{k}"
            while a in m.taken:
                k += 1
                a = f"{base}-{k}"
            next_suffix[base] = k + 1
            m.ids[j] = a
            if m.lock:
                m.log.append(f"{a} new at ¶{j + 1}: {head_of(m.paragraphs[j][1])}")
        m.taken.add(m.ids[j])
    m.dead = [e for e in m.dead if e.id not in m.revived_ids]


def _lock_entries(m: _Matching) -> None:
    """One entry per paragraph: a text changed under a kept id is marked, with the hash it
    was first published with; a paragraph that moved is logged."""
    for j, (a, h) in enumerate(zip(m.ids, m.hashes)):
        old = m.matched_from.get(j)
        e = Entry(a, h, " ".join(m.paragraphs[j][1].split()), j + 1)
        if old is not None:
            if not _same(h, old):
                e.status = "changed"
                e.first_hash = old.first_hash or old.hash
                e.note = old.note or "text changed since this id was first published"
                m.log.append(f"{a} ¶{old.number} → ¶{j + 1}: text changed, id kept ({head_of(m.paragraphs[j][1])})")
            elif old.first_hash:                 # changed before (and maybe removed and restored since)
                e.status, e.first_hash, e.note = "changed", old.first_hash, old.note
            if old.number and old.number != j + 1 and _same(h, old) and old.id not in m.revived_ids:
                m.log.append(f"{a} moved ¶{old.number} → ¶{j + 1}")
        if e.status == "changed":
            m.changed[a] = e.note
        m.entries.append(e)


def _land_removed(m: _Matching) -> None:
    """Every removed id (now, or in an earlier version) lands on a paragraph that exists: its
    landing place, or where a chain of removed ids through it ends, or the paragraph at its
    number; it becomes an alias there."""
    for e, place in m.gone:
        at = m.ids[place] if m.paragraphs else None
        m.dead.append(Entry(e.id, e.hash, e.text, e.number, "removed", at, e.first_hash, e.note))
        m.log.append(f"{e.id} (¶{e.number}) removed: now lands at {at}")
    final_ids = set(m.ids)
    removed_at = {d.id: d.at for d in m.lock if d.status == "removed"}
    landing: dict[str, str | None] = {}    # id -> where a chain of removed ids through it ends

    def land(at: str | None) -> str | None:
        """Each id of a chain is walked once for all the entries landing on it."""
        path: dict[str, None] = {}
        while at and at not in final_ids and at not in landing and at not in path:
            path[at] = None
            at = removed_at.get(at)
        end = at if at in final_ids else landing.get(at) if at else None
        for p in path:
            landing[p] = end
        return end

    for e in m.dead:
        at = land(e.at)
        if at is None and m.paragraphs:  # its landing place is gone too: the paragraph at its number
            at = m.ids[min(len(m.ids) - 1, max(0, e.number - 1))]
        e.at = at
        m.aliases.setdefault(at, []).append(e.id)
    m.entries.extend(sorted(m.dead, key=lambda d: d.id))


# In order; each step reads what the ones before it decided.
RECONCILE_STEPS = (_match_unchanged, _match_stretches, _assign_new_ids, _lock_entries, _land_removed)
