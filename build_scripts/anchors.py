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

Matching is by exact text first, in reading order (difflib over the hashes), then, inside
each stretch that differs, by how much of the shorter text the longer one contains.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import EditionError

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
    from .fidelity import letters
    return letters(text)


# --- the lock file ----------------------------------------------------------------------

def read_lock(path: Path) -> list[Entry]:
    if not path.is_file():
        return []
    from .corpus import read_yaml
    _, data = read_yaml(path, AnchorLockError)
    if data is None:
        return []
    rows = data.get("paragraphs") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise AnchorLockError(path, "anchors.yml has no list of paragraphs", expected="paragraphs: [...]",
                              found=type(data).__name__ if not isinstance(data, dict) else repr(sorted(data)))
    out = []
    for k, r in enumerate(rows):
        if not (isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("hash"), str)):
            raise AnchorLockError(path, f"paragraph {k + 1} of anchors.yml is malformed",
                                  expected="id: p-…, hash: …", found=repr(r))
        if r.get("status", "current") not in ("current", "changed", "removed"):
            raise AnchorLockError(path, f"bad status for {r['id']}", expected="current, changed or removed",
                                  found=repr(r.get("status")))
        out.append(Entry(r["id"], r["hash"], str(r.get("text", "")), int(r.get("number", 0)),
                         r.get("status", "current"), r.get("at"), r.get("first_hash"), str(r.get("note", ""))))
    ids = [e.id for e in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise AnchorLockError(path, "an id is listed twice in anchors.yml", expected="each id once",
                              found=sorted(dup)[0])
    return out


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

def _containment(a: str, b: str) -> float:
    """Share of the shorter text found, in order, in the longer."""
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    sm = difflib.SequenceMatcher(None, short, long_, autojunk=False)
    if sm.real_quick_ratio() * (len(a) + len(b)) / 2 / len(short) < SAME_TEXT:
        return 0.0
    return sum(m.size for m in sm.get_matching_blocks()) / len(short)


def _same(h: str, e: Entry) -> bool:
    return h[:16] == e.hash[:16]  # the lock keeps 16 hex digits


def reconcile(lock: list[Entry], paragraphs: list[tuple[str, str]]) -> Result:
    """paragraphs: (letters the id is made from, visible text) of each citable paragraph,
    in reading order."""
    hashes = [text_hash(letters) for letters, _ in paragraphs]
    live = sorted((e for e in lock if e.status != "removed"), key=lambda e: e.number)
    dead = [e for e in lock if e.status == "removed"]
    taken = {e.id for e in lock}
    ids: list[str | None] = [None] * len(paragraphs)
    matched_from: dict[int, Entry] = {}
    gone: list[tuple[Entry, int]] = []     # (entry, index of the paragraph now at its place)
    log: list[str] = []
    old_letters = [_letters(e.text) for e in live]
    new_letters = [_letters(t) for _, t in paragraphs]
    old_keys = [e.hash[:16] for e in live]
    new_keys = [h[:16] for h in hashes]
    sm = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                ids[j1 + k] = live[i1 + k].id
                matched_from[j1 + k] = live[i1 + k]
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        pairs = []
        for i in olds:
            for j in news:
                score = _containment(old_letters[i], new_letters[j])
                if score >= SAME_TEXT:
                    pairs.append((-score, abs((i - i1) - (j - j1)), i, j))
        used_i, used_j = set(), set()
        for _, _, i, j in sorted(pairs):
            if i in used_i or j in used_j:
                continue
            used_i.add(i)
            used_j.add(j)
            ids[j] = live[i].id
            matched_from[j] = live[i]
        for i in olds:
            if i in used_i:
                continue
            # Merged into a neighbour, or removed: land on the paragraph that contains its
            # text, else on the one now standing where it stood.
            best = max(((_containment(old_letters[i], new_letters[j]), j) for j in news), default=(0, None))
            place = best[1] if best[0] >= SAME_TEXT else min(j1, len(paragraphs) - 1)
            gone.append((live[i], place))
    # Texts the lock has never seen get new ids; the first build reproduces the ids that
    # were published before the lock existed (hash, then -2, -3 for repeated text).
    for j, h in enumerate(hashes):
        if ids[j] is None:
            revived = next((e for e in dead if _same(h, e)), None)
            if revived is not None:             # the same text came back: its id returns
                ids[j] = revived.id
                dead.remove(revived)
                log.append(f"{revived.id} restored at ¶{j + 1} (its text is back)")
                continue
            base, k = f"p-{h[:6]}", 2
            a = base
            while a in taken:
                a, k = f"{base}-{k}", k + 1
            ids[j] = a
            if lock:
                log.append(f"{a} new at ¶{j + 1}: {head_of(paragraphs[j][1])}")
        taken.add(ids[j])
    entries: list[Entry] = []
    changed: dict[str, str] = {}
    for j, (a, h) in enumerate(zip(ids, hashes)):
        old = matched_from.get(j)
        e = Entry(a, h, " ".join(paragraphs[j][1].split()), j + 1)
        if old is not None:
            if not _same(h, old):
                e.status = "changed"
                e.first_hash = old.first_hash or old.hash
                e.note = old.note or "text changed since this id was first published"
                log.append(f"{a} ¶{old.number} → ¶{j + 1}: text changed, id kept ({head_of(paragraphs[j][1])})")
            elif old.status == "changed":
                e.status, e.first_hash, e.note = "changed", old.first_hash, old.note
            if old.number and old.number != j + 1 and _same(h, old):
                log.append(f"{a} moved ¶{old.number} → ¶{j + 1}")
        if e.status == "changed":
            changed[a] = e.note
        entries.append(e)
    aliases: dict[str, list[str]] = {}
    for e, place in gone:
        at = ids[place] if paragraphs else None
        entries_removed = Entry(e.id, e.hash, e.text, e.number, "removed", at, e.first_hash, e.note)
        dead.append(entries_removed)
        log.append(f"{e.id} (¶{e.number}) removed: now lands at {at}")
    final_ids = set(ids)
    for e in dead:
        # A removed id follows its landing place if that paragraph is itself gone.
        at = e.at
        seen = set()
        while at and at not in final_ids and at not in seen:
            seen.add(at)
            nxt = next((d for d in lock if d.id == at), None)
            at = nxt.at if nxt is not None and nxt.status == "removed" else None
        if at is None and paragraphs:  # its landing place is gone too: the paragraph at its number
            at = ids[min(len(ids) - 1, max(0, e.number - 1))]
        e.at = at
        aliases.setdefault(at, []).append(e.id)
    entries.extend(sorted(dead, key=lambda d: d.id))
    return Result(list(ids), aliases, changed, entries, log)
