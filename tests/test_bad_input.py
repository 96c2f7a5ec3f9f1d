"""Bad input: one clear message naming the file (and line), what was expected and what was
found, a non-zero exit, no traceback, and no source silently dropped."""
import pytest

from tests.conftest import MINIMAL_META, make_project, mkdocs_build

TEXT = "한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 한미간 이견 때문이 아니다.\n"
GOOD = {"source.txt": TEXT, "meta.yml": MINIMAL_META}

CASES = {
    "malformed YAML": (
        {"meta.yml": "title: [unclosed\nauthors: []\n"},
        ["corpus/sources/bad-source/meta.yml:", "malformed YAML"]),
    "missing meta.yml": (
        {"meta.yml": None},
        ["corpus/sources/bad-source/meta.yml", "meta.yml is missing"]),
    "missing required key": (
        {"meta.yml": "title: 제목\nauthors: []\nlanguage: ko\n"},
        ["meta.yml", "missing required key 'date'", "expected 'date:'"]),
    "unknown key": (
        {"meta.yml": MINIMAL_META + "autor: 홍길동\n"},
        ["meta.yml:5", "unknown key 'autor'", "expected one of", "found 'autor'"]),
    "bad date": (
        {"meta.yml": MINIMAL_META.replace("2024-05-01", "2024-13-40")},
        ["meta.yml:3", "bad value for 'date'", "YYYY, YYYY-MM or YYYY-MM-DD", "'2024-13-40'"]),
    "bad language": (
        {"meta.yml": MINIMAL_META.replace("language: ko", "language: korean")},
        ["meta.yml:4", "bad value for 'language'", "found 'korean'"]),
    "authors not a list": (
        {"meta.yml": MINIMAL_META.replace("authors: [홍길동]", "authors: 홍길동")},
        ["meta.yml:2", "bad value for 'authors'", "expected a list"]),
    "not UTF-8": (
        {"source.txt": "한미동맹".encode("euc-kr") + b"\n"},
        ["source.txt:1", "not UTF-8", "byte 0x"]),
    "empty text": (
        {"source.txt": "  \n\n"},
        ["source.txt", "source text is empty"]),
    "missing text": (
        {"source.txt": None},
        ["source.txt", "source.txt is missing"]),
    "DOI that is not a DOI": (
        {"meta.yml": MINIMAL_META + "doi: https://doi.org/10.22931/aanda.2025.9.2.002\n"},
        ["meta.yml:5", "bad value for 'doi'", "no https://doi.org/ prefix", "found 'https://doi.org/10.22931"]),
    "page range that is not one": (
        {"meta.yml": MINIMAL_META + "pages: 65-35\n"},
        ["meta.yml:5", "bad value for 'pages'", "a page range like 35-65", "found '65-35'"]),
    "pages that are not numbers": (
        {"meta.yml": MINIMAL_META + "pages: pp. 35 to 65\n"},
        ["meta.yml:5", "bad value for 'pages'", "found 'pp. 35 to 65'"]),
    "date that cannot be formatted": (
        {"meta.yml": MINIMAL_META.replace("2024-05-01", "2024-02-30")},
        ["meta.yml:3", "bad value for 'date'", "found '2024-02-30'"]),
    "URL that is not one": (
        {"meta.yml": MINIMAL_META + "url: www.asaninst.org/brief 1\n"},
        ["meta.yml:5", "bad value for 'url'", "http:// or https://"]),
    "given name without family name": (
        {"meta.yml": MINIMAL_META.replace("authors: [홍길동]", "authors:\n  - name: 홍길동\n    given_en: Gil-dong")},
        ["meta.yml:2", "given_en but no family_en", "found 'Gil-dong'"]),
    "malformed anchor lock": (
        {"anchors.yml": "paragraphs:\n  - id: p-aaaaaa\n"},
        ["corpus/sources/bad-source/anchors.yml", "malformed", "expected id: p-…, hash: …"]),
    "checksum not hex": (
        {"meta.yml": MINIMAL_META + "sha256: " + "0g" * 32 + "\n"},
        ["meta.yml:5", "bad value for 'sha256'", "64 hexadecimal digits"]),
    "stale anchor": (
        {"corrections.yml": "- type: role\n  at: 이 문장은 원문에 없다\n  role: pubnote\n  reason: 시험\n"},
        ["corrections.yml:1", "anchor no longer matches", "이 문장은 원문에 없다"]),
    "correction without reason": (
        {"corrections.yml": "- type: role\n  at: 한미동맹이 위기다.\n  role: pubnote\n"},
        ["corrections.yml:1", "needs a reason"]),
    "table that loses text": (
        {"corrections.yml": "- type: table\n  from: 한미동맹이\n  to: 아니다.\n  reason: 시험\n"
                            "  columns: [a]\n  rows: [[한미동맹이 위기다.]]\n"},
        ["corrections.yml:1", "does not carry exactly the text it replaces"]),
}


def _files(override):
    files = dict(GOOD)
    files.update(override)
    return {k: v for k, v in files.items() if v is not None}


def _generate(proj, monkeypatch, capsys) -> tuple[int, str]:
    """The generator's command (python -m build_scripts.generate OUT), run in this process
    from the project folder, as a user would: its exit code and what it printed."""
    from build_scripts.engines.project import main
    monkeypatch.chdir(proj)
    rc = main([str(proj.parent / "out"), "--root", "."])
    out = capsys.readouterr()
    return rc, out.out + out.err


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_clear_message_and_fails(case, tmp_path, monkeypatch, capsys):
    """Each case through the generator, in this process: any exception but the corpus's own
    errors fails the test (so no traceback reaches a user). The same message through
    `mkdocs build`, its exit code and its output, is checked below for a case of each stage."""
    override, needles = CASES[case]
    proj = make_project(tmp_path / "p", {"bad-source": _files(override), "good-source": GOOD})
    rc, out = _generate(proj, monkeypatch, capsys)
    assert rc != 0, out
    assert str(tmp_path) not in out  # paths as the user sees them
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"
    assert "good-source" not in out  # only the bad source is named


@pytest.mark.parametrize("case", ["malformed YAML", "stale anchor"])  # read, then cleaned
def test_mkdocs_build_stops_with_the_same_one_message(case, tmp_path):
    override, needles = CASES[case]
    proj = make_project(tmp_path, {"bad-source": _files(override), "good-source": GOOD})
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "Traceback" not in out, out
    assert "/tmp/" not in out  # paths as the user sees them
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"
    assert "good-source" not in out


def test_unsafe_slug_is_refused(tmp_path):
    proj = make_project(tmp_path, {"Bad Slug..": GOOD})
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out
    assert "not a safe slug" in out and "'Bad Slug..'" in out


def test_several_problems_are_reported_together(tmp_path):
    proj = make_project(tmp_path, {"a-source": _files({"source.txt": ""}),
                                   "b-source": _files({"meta.yml": MINIMAL_META.replace("ko", "xx")})})
    out = (r := mkdocs_build(proj)).stdout + r.stderr
    assert r.returncode != 0
    assert "2 problems in the corpus" in out and "a-source/source.txt" in out and "b-source/meta.yml" in out


def test_bom_and_crlf_are_accepted_and_normalised(tmp_path):
    text = ("\ufeff" + "한미동맹이 위기다.\r\n\r\n비단 북핵 협상 과정에서 발생하는 이견 때문이 아니다.\r\n").encode("utf-8")
    proj = make_project(tmp_path, {"crlf-source": _files({"source.txt": text})})
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    html = (proj / "site" / "sources" / "crlf-source" / "index.html").read_text("utf-8")
    assert "한미동맹이 위기다." in html and "\r" not in html and "\ufeff" not in html


def test_a_good_source_beside_nothing_else_builds(tmp_path):
    r = mkdocs_build(make_project(tmp_path, {"good-source": GOOD}))
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_new_version_of_source_txt_is_accepted_and_logged(tmp_path):
    """The checksum in meta.yml records the text as first received; a new version of the
    text is accepted (its paragraphs keep their published ids), and the log says so."""
    proj = make_project(tmp_path, {"good-source": _files({"meta.yml": MINIMAL_META + "sha256: " + "0a" * 32 + "\n"})})
    r = mkdocs_build(proj, "-v")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "good-source/source.txt: differs from the sha256 in meta.yml" in out
    assert "accepted as a new version of the text" in out


def test_bad_edition_settings_in_mkdocs_yml_are_one_message_each(tmp_path):
    """extra.edition is checked like MkDocs checks its own settings, all problems at once;
    `off` (YAML 1.1's false) is not taken for `none`."""
    proj = make_project(tmp_path, {"test-source": {"source.txt": "본문이다.\n", "meta.yml": MINIMAL_META}})
    cfg = proj / "mkdocs.yml"
    text = cfg.read_text("utf-8")
    text = text.replace("    search: none\n", "    search: off\n    colour: red\n")
    cfg.write_text(text.replace("    nav_sources_max: 30\n", "    nav_sources_max: many\n"), "utf-8")
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out, out
    assert "3 problems" in out
    assert "mkdocs.yml: bad value for extra.edition.search; expected one of ['edition', 'material', 'none']; " \
           "found False" in out
    assert "mkdocs.yml: bad value for extra.edition.nav_sources_max; expected a whole number, 1 or more; " \
           "found 'many'" in out
    assert "mkdocs.yml: unknown setting extra.edition.colour" in out


EDITORS_EXPECTED = ("expected a list of names, each {family: …, given: …} (a person) or {literal: …} (a group), "
                    "every value non-empty text")


@pytest.mark.parametrize("value, found", [
    ("편집진", "'편집진'"),
    ("[{name: 편집진}]", "{'name': '편집진'}"),
    ("[{literal: ''}]", "{'literal': ''}"),
    ("[{literal: 편집진, family: Kim}]", "{'literal': '편집진', 'family': 'Kim'}"),
    ("[{given: Chul}]", "{'given': 'Chul'}"),
])
def test_bad_editors_are_one_clear_message(value, found):
    from build_scripts.config import load_edition_config
    from build_scripts.errors import CorpusErrors
    import yaml
    with pytest.raises(CorpusErrors) as e:
        load_edition_config({"edition": {"editors": yaml.safe_load(value)}})
    assert str(e.value) == ("1 problem in the corpus:\n  mkdocs.yml: bad value for extra.edition.editors; "
                            f"{EDITORS_EXPECTED}; found {found}")


def test_editors_may_be_people_a_group_or_none():
    from build_scripts.config import load_edition_config
    people = [{"family": "Kim", "given": "Chul"}, {"literal": "편집진"}, {"family": "Lee"}]
    assert load_edition_config({"edition": {"editors": people}}).editors == people
    assert load_edition_config({"edition": {"editors": []}}).editors == []
    assert load_edition_config({}).editors == []


def test_bad_editors_in_mkdocs_yml_stop_the_build_with_the_message(tmp_path):
    proj = make_project(tmp_path, {"test-source": {"source.txt": "본문이다.\n", "meta.yml": MINIMAL_META}})
    cfg = proj / "mkdocs.yml"
    text = cfg.read_text("utf-8")
    assert "      - literal: 한미동맹 정책 논평 읽기판 편집진\n" in text
    cfg.write_text(text.replace("      - literal: 한미동맹 정책 논평 읽기판 편집진\n", "      - name: 편집진\n"), "utf-8")
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out, out
    assert f"mkdocs.yml: bad value for extra.edition.editors; {EDITORS_EXPECTED}; found {{'name': '편집진'}}" in out
