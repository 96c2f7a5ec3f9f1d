"""The editors' worklist: where the issue files may be inconsistent or incomplete.

Nothing here stops the build or changes a page. After the issues are loaded, the build
writes `issues/review.json` and lists the items in its log, for an editor to read:

- `paragraphs`: every paragraph quoted on two or more issue pages, with each use (issue,
  stance, the position's summary and gloss, the quoted spans). `stances_differ` marks
  those coded differently: one paragraph may well answer one question yes and another no,
  so most of these are fine. `same_words_differ` marks the sharper case, where the very
  same words (overlapping quotes) carry different codes: that is where one reading may
  have gone wrong, and only those are logged.
- `unpositioned`: every source whose body paragraphs carry an issue's search terms (the
  same matching as the issue page's "all mentions" list) while the issue has no position
  for that source: a position may be missing, or the mentions may be in passing.

A reference-list entry is not the author's body text: a book title with "동맹" in it is not
a position on the alliance. The paragraph records carry no role, only the heading of the
section they stand in, so an entry is a paragraph under one of the reference-list headings
works_cited knows (参考文献, 참고문헌, References, Bibliography). A sub-heading inside such
a section (say, "국내 문헌") would hide it; the corpus has none.
"""
from __future__ import annotations

import json

from build_scripts.cleaning.corpus import Source, reading_order
from build_scripts.apparatus.issue_pages import mentions
from build_scripts.apparatus.issues import Issue
from build_scripts.cleaning.structure import in_reference_list

LOG_PREFIX = "edition: editors' worklist:"
LOG_ANCHORS = 5  # anchors named per log line; the file has them all


def is_reference_entry(paragraph: dict) -> bool:
    """A paragraph of a reference list, by the heading of its section.

    >>> is_reference_entry({"section": "参考文献"}), is_reference_entry({"section": "II. 理论背景"})
    (True, False)
    """
    return in_reference_list(paragraph.get("section") or "")


def shared_paragraphs(issues: list[Issue]) -> list[dict]:
    """Paragraphs quoted on two or more issue pages, each with its uses in issue order."""
    uses: dict[tuple[str, str], dict] = {}
    for issue in issues:
        for pos in issue.positions:
            for q in pos.quotes:
                entry = uses.setdefault((pos.slug, q.paragraph["anchor"]), {
                    "source": pos.slug, "paragraph": q.paragraph["anchor"], "number": q.paragraph["number"],
                    "uses": []})
                use = next((u for u in entry["uses"] if u["issue"] == issue.id), None)
                if use is None:  # two quotes of one paragraph in one position are one use
                    use = {"issue": issue.id, "stance": pos.stance, "summary": pos.summary,
                           "gloss": pos.gloss, "spans": []}
                    entry["uses"].append(use)
                use["spans"] += [list(s) for s in q.spans]
    out = []
    for entry in uses.values():
        if len(entry["uses"]) >= 2:
            entry["stances_differ"] = len({u["stance"] for u in entry["uses"]}) > 1
            entry["same_words_differ"] = _same_words_differ(entry["uses"])
            out.append(entry)
    return sorted(out, key=lambda e: (e["source"], e["number"]))


def _same_words_differ(uses: list[dict]) -> bool:
    """Two uses with different codes whose quotes overlap in the paragraph.

    >>> a = {"stance": "supports", "spans": [[0, 10]]}
    >>> _same_words_differ([a, {"stance": "opposes", "spans": [[5, 20]]}])
    True
    >>> _same_words_differ([a, {"stance": "opposes", "spans": [[10, 20]]}, {"stance": "supports", "spans": [[0, 4]]}])
    False
    """
    for i, u in enumerate(uses):
        for v in uses[i + 1:]:
            if u["stance"] != v["stance"] and any(a < z2 and a2 < z for a, z in u["spans"] for a2, z2 in v["spans"]):
                return True
    return False


def unpositioned(issues: list[Issue], sources: list[Source], paragraphs: dict[str, list[dict]]) -> list[dict]:
    """(source, issue) pairs where the source's body mentions the issue and takes no position."""
    out = []
    for issue in issues:
        taken = {p.slug for p in issue.positions}
        for src in sorted(sources, key=reading_order):
            if src.slug in taken:
                continue
            body = [p for p in paragraphs[src.slug] if not is_reference_entry(p)]
            found = mentions(issue, body)
            if found:
                out.append({"issue": issue.id, "source": src.slug, "paragraphs": len(found),
                            "anchors": [p["anchor"] for p, _ in found]})
    return out


def build_review(issues: list[Issue], sources: list[Source], paragraphs: dict[str, list[dict]]) -> dict:
    return {"about": "The editors' worklist: nothing here stops the build. 'paragraphs' are quoted on "
                     "two or more issue pages (look at those whose stances differ); 'unpositioned' are "
                     "sources that mention an issue's search terms in their body but have no position "
                     "on it (reference-list entries aside).",
            "paragraphs": shared_paragraphs(issues),
            "unpositioned": unpositioned(issues, sources, paragraphs)}


def review_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def log_lines(report: dict) -> list[str]:
    """One summary line, then one line per item to look at.

    >>> r = {"paragraphs": [{"source": "s", "paragraph": "p-1", "number": 4, "stances_differ": True,
    ...                      "same_words_differ": True,
    ...                      "uses": [{"issue": "a", "stance": "supports"}, {"issue": "b", "stance": None}]},
    ...                     {"source": "s", "paragraph": "p-9", "number": 7, "stances_differ": True,
    ...                      "same_words_differ": False, "uses": []},
    ...                     {"source": "s", "paragraph": "p-2", "number": 5, "stances_differ": False,
    ...                      "same_words_differ": False, "uses": []}],
    ...      "unpositioned": [{"issue": "a", "source": "t", "paragraphs": 2, "anchors": ["p-3", "p-4"]}]}
    >>> for line in log_lines(r): print(line)
    edition: editors' worklist: 2 of 3 paragraphs quoted on several issue pages are coded with different stances, 1 of them in the same words; 1 source–issue pairs mention the issue without a position (issues/review.json; no action is needed for the build to pass)
    edition: editors' worklist: s ¶4 (p-1): the same words are coded differently: a supports, b no stance code
    edition: editors' worklist: t mentions issue a in 2 paragraphs (p-3, p-4) without a position
    """
    differ = [e for e in report["paragraphs"] if e["stances_differ"]]
    same = [e for e in differ if e["same_words_differ"]]
    lines = [f"{LOG_PREFIX} {len(differ)} of {len(report['paragraphs'])} paragraphs quoted on several issue pages "
             f"are coded with different stances, {len(same)} of them in the same words; "
             f"{len(report['unpositioned'])} source–issue pairs mention the issue without a position "
             "(issues/review.json; no action is needed for the build to pass)"]
    for e in same:
        uses = ", ".join(f"{u['issue']} {u['stance'] or 'no stance code'}" for u in e["uses"])
        lines.append(f"{LOG_PREFIX} {e['source']} ¶{e['number']} ({e['paragraph']}): the same words are coded "
                     f"differently: {uses}")
    for u in report["unpositioned"]:
        shown = ", ".join(u["anchors"][:LOG_ANCHORS]) + (", …" if len(u["anchors"]) > LOG_ANCHORS else "")
        lines.append(f"{LOG_PREFIX} {u['source']} mentions issue {u['issue']} in {u['paragraphs']} paragraphs "
                     f"({shown}) without a position")
    return lines
