"""Stable paragraph ids: the lock in anchors.yml, and every published link still landing
on its text after the source changes."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import yaml

from build_scripts.cleaning.anchors import Entry, dump_lock, read_lock, reconcile, text_hash
from build_scripts.cleaning.fidelity import letters
from tests.conftest import make_project, mkdocs_build

SLUG = "2024-segye-alliance-nuclear-deterrence"


def paras(*texts):
    return [(letters(t), t) for t in texts]


def lock_of(result):
    return [e for e in result.entries]


A = "한미동맹은 위기에 처해 있다. 북핵 협상 과정의 이견 때문만은 아니다."
B = "미국의 확장억제 공약은 견고하다. 핵협의그룹이 그 제도적 장치다."
C = "그러나 미국 대선의 결과에 따라 동맹의 운명이 달라질 수 있다."
D = "새로 추가된 문단이다. 편집자가 받은 새 판본에 들어 있었다."


def first(*texts):
    return reconcile([], paras(*texts))


# --- units: the matching -------------------------------------------------------------

def test_first_build_ids_come_from_the_text_and_repeat_with_a_suffix():
    r = first(A, B, A)
    h = text_hash(letters(A))[:6]
    assert r.ids == [f"p-{h}", f"p-{text_hash(letters(B))[:6]}", f"p-{h}-2"]
    assert r.log == []  # nothing published before: nothing moved


def test_an_added_paragraph_gets_a_new_id_and_the_others_keep_theirs():
    old = first(A, B, C)
    new = reconcile(lock_of(old), paras(A, D, B, C))
    assert [new.ids[0], new.ids[2], new.ids[3]] == old.ids
    assert new.ids[1] not in old.ids
    assert any("moved ¶2 → ¶3" in line for line in new.log)
    assert any("new at ¶2" in line for line in new.log)


def test_a_changed_paragraph_keeps_its_id_with_a_note():
    old = first(A, B, C)
    edited = B.replace("견고하다", "여전히 견고하다")
    new = reconcile(lock_of(old), paras(A, edited, C))
    assert new.ids == old.ids
    assert new.changed == {old.ids[1]: "text changed since this id was first published"}
    entry = next(e for e in new.entries if e.id == old.ids[1])
    assert entry.status == "changed" and entry.first_hash == text_hash(letters(B))
    # The note stays on later builds, and the original text is remembered.
    again = reconcile(new.entries, paras(A, edited, C))
    assert again.changed == new.changed and again.log == []


def test_a_changed_paragraph_removed_and_restored_keeps_its_id_and_its_mark():
    """A → edited → removed → edited text back: the id returns with the hash it was first
    published under, so the mark stays and the lock still passes its id check."""
    old = first(A, B, C)
    edited = B.replace("견고하다", "여전히 견고하다")
    changed = reconcile(lock_of(old), paras(A, edited, C))
    removed = reconcile(lock_of(changed), paras(A, C))
    back = reconcile(lock_of(removed), paras(A, edited, C))
    assert back.ids == old.ids
    entry = next(e for e in back.entries if e.id == old.ids[1])
    assert (entry.status, entry.first_hash) == ("changed", text_hash(letters(B)))
    assert back.changed == {old.ids[1]: "text changed since this id was first published"}
    assert any("restored at ¶2" in line for line in back.log)


def test_a_split_paragraph_keeps_its_id_on_the_first_part():
    old = first(A, B + " " + C)
    new = reconcile(lock_of(old), paras(A, B, C))
    assert new.ids[:2] == old.ids and new.ids[2] not in old.ids
    assert old.ids[1] in new.changed


def test_merged_paragraphs_keep_the_first_id_and_the_second_lands_on_the_merge():
    old = first(A, B, C)
    new = reconcile(lock_of(old), paras(A, B + " " + C))
    assert new.ids == old.ids[:2]
    assert new.aliases == {old.ids[1]: [old.ids[2]]}
    removed = next(e for e in new.entries if e.id == old.ids[2])
    assert removed.status == "removed" and removed.at == old.ids[1]


def test_a_removed_paragraph_lands_where_it_stood_and_returns_if_its_text_does():
    old = first(A, B, C)
    new = reconcile(lock_of(old), paras(A, C))
    assert new.ids == [old.ids[0], old.ids[2]]
    assert new.aliases == {old.ids[2]: [old.ids[1]]}  # the paragraph now at its place
    back = reconcile(new.entries, paras(A, B, C))
    assert back.ids == old.ids and back.aliases == {}


def test_a_removed_id_follows_its_landing_place_when_that_goes_too():
    old = first(A, B, C, D)
    step1 = reconcile(lock_of(old), paras(A, C, D))        # B removed, lands on C
    step2 = reconcile(step1.entries, paras(A, D))          # C removed too
    assert list(step2.aliases) == [old.ids[3]]
    assert sorted(step2.aliases[old.ids[3]]) == sorted([old.ids[1], old.ids[2]])


def test_an_id_in_the_lock_is_never_given_to_other_text():
    old = first(A, B)
    gone = reconcile(lock_of(old), paras(A))
    # A different text whose hash prefix collides cannot take B's id: simulate by
    # locking B's id under another hash.
    forged = [Entry(old.ids[1], "f" * 16, "다른 글", 2, "removed", old.ids[0])] + \
        [e for e in gone.entries if e.id != old.ids[1]]
    new = reconcile(forged, paras(A, B))
    assert new.ids[1] != old.ids[1] and new.ids[1].startswith(old.ids[1] + "-")


def test_the_lock_file_round_trips(tmp_path):
    old = first(A, B, C)
    new = reconcile(lock_of(old), paras(A, C))
    path = tmp_path / "anchors.yml"
    path.write_text(dump_lock(new.entries, "0" * 64), "utf-8")
    back = read_lock(path)
    assert [(e.id, e.status, e.at, e.number) for e in back] == [(e.id, e.status, e.at, e.number) for e in new.entries]
    assert yaml.safe_load(path.read_text("utf-8"))["text_sha256"] == "0" * 64


# --- the built site -------------------------------------------------------------------

class _Paras(HTMLParser):
    """id -> the paragraph's own words; alias id -> the id of the paragraph holding it."""

    def __init__(self):
        super().__init__()
        self.text, self.alias_of, self._stack, self._skip = {}, {}, [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("p", "li") and "para" in (a.get("class") or "").split():
            self._stack.append(a["id"])
            self.text[a["id"]] = ""
        elif self._stack and ("data-ed" in a or tag == "sup"):
            self._skip += 1
            if a.get("class") == "anchor-alias":
                self.alias_of[a["id"]] = self._stack[-1]
        elif self._stack and self._skip:
            self._skip += 1

    def handle_endtag(self, tag):
        if self._skip:
            self._skip -= 1
        elif self._stack and tag in ("p", "li"):
            self._stack.pop()

    def handle_data(self, data):
        if self._stack and not self._skip:
            self.text[self._stack[-1]] += data


def _page(proj):
    p = _Paras()
    p.feed((proj / "site" / "sources" / SLUG / "index.html").read_text("utf-8"))
    return {k: " ".join(v.split()) for k, v in p.text.items()}, p.alias_of


def test_adding_a_paragraph_to_a_source_keeps_every_old_link(tmp_path):
    proj = make_project(tmp_path, copy_real=True)
    assert (r := mkdocs_build(proj)).returncode == 0, r.stderr
    before, _ = _page(proj)
    lock_before = (proj / "corpus" / "sources" / SLUG / "anchors.yml").read_text("utf-8")
    # A new version of the text arrives with one paragraph more, in the middle.
    src = proj / "corpus" / "sources" / SLUG / "source.txt"
    text = src.read_text("utf-8")
    cut = "한국이 자체 핵무장을 고려해야"
    gap = " \n\n \n\n\n\n \n\n \n\n"  # the paragraph gap of this extraction, as it stands above
    assert text.count(cut) == 1 and (gap + cut) in text
    src.write_text(text.replace(cut, "새 판본에 더해진 문단이다. 편집 시험을 위해 넣었다." + gap + cut, 1), "utf-8")
    r = mkdocs_build(proj, "-v")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    after, _ = _page(proj)
    for anchor, words in before.items():  # every old link lands on the same words
        assert after.get(anchor) == words, anchor
    added = [a for a in after if a not in before]
    assert len(added) == 1 and after[added[0]].startswith("새 판본에 더해진 문단이다.")
    # The log lists the anchors that moved, and the lock records the new id.
    moved = re.findall(r"anchors\.yml: (p-[0-9a-f]+) moved ¶(\d+) → ¶(\d+)", out)
    assert moved and all(int(b) == int(a) + 1 for _, a, b in moved)
    assert "a new version of the text" in out
    lock_after = (proj / "corpus" / "sources" / SLUG / "anchors.yml").read_text("utf-8")
    assert lock_after != lock_before and added[0] in lock_after


def _remove_paragraph(proj):
    src = proj / "corpus" / "sources" / SLUG / "source.txt"
    text = src.read_text("utf-8")
    # The paragraph that begins "분명 한·미동맹이 강화되는 모습이지만" is dropped.
    start = text.index("분명 한·미동맹이 강화되는")
    end = text.index("한국이 자체 핵무장을")
    src.write_text(text[:start] + text[end:], "utf-8")


def test_removing_a_paragraph_keeps_its_link_landing_where_it_stood(tmp_path):
    proj = make_project(tmp_path, copy_real=True)
    shutil.rmtree(proj / "corpus" / "issues")  # an issue quotes this paragraph: see below
    assert (r := mkdocs_build(proj)).returncode == 0, r.stderr
    before, _ = _page(proj)
    order = list(before)
    _remove_paragraph(proj)
    assert (r := mkdocs_build(proj)).returncode == 0, r.stdout + r.stderr
    after, alias_of = _page(proj)
    gone = next(a for a in order if before[a].startswith("분명 한·미동맹이 강화되는"))
    assert gone not in after and gone in alias_of
    # It lands on the paragraph now standing where it stood: the one after it.
    assert alias_of[gone] == order[order.index(gone) + 1]
    lock = read_lock(proj / "corpus" / "sources" / SLUG / "anchors.yml")
    assert next(e for e in lock if e.id == gone).status == "removed"


def test_a_quote_from_a_removed_paragraph_is_one_clear_error(tmp_path):
    proj = make_project(tmp_path, copy_real=True)
    assert (r := mkdocs_build(proj)).returncode == 0, r.stderr
    _remove_paragraph(proj)
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out
    # Two issue files quote that paragraph: one message each, naming file and line.
    assert "2 problems in the corpus" in out, out
    for name in ("alliance-endurance", "extended-deterrence"):  # the line of the quote's paragraph key
        lines = (proj / "corpus" / "issues" / f"{name}.yml").read_text("utf-8").splitlines()
        line = next(k for k, text in enumerate(lines, 1) if text.strip() == "- paragraph: p-52595e")
        assert f"corpus/issues/{name}.yml:{line}: paragraph p-52595e was removed" in out, out
    assert out.count("its id now lands on paragraph 3, p-f202e1") == 2
