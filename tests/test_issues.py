"""Issue pages: the data checks (each bad input a clear message naming the file, through a
real `mkdocs build`), the quote and term matching, and what the built site carries."""
import csv
import datetime
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from build_scripts.cleaning.corpus import load_source
from build_scripts.apparatus.glossary_markdown import abbr_pattern
from build_scripts.apparatus.issues import find_terms, load_issues, locate_quote, read_issue
from build_scripts.cleaning.pipeline import clean_source
from build_scripts.apparatus.issues import IssueError
from build_scripts.reading import read_yaml
from tests.conftest import CORPUS, MINIMAL_META, ROOT, make_project, mkdocs_build

TEXT = ("방위비 분담금을 둘러싼 한미간 갈등이 커지고 있다. 국민의 세금으로 충당되는\n"
        "방위비 분담금은 한 푼도 소홀히 써서는 안 된다고\n본다.\n\n"
        "SMA를 다시 협상하기보다 새 틀을 만들자는 제안도 있다.\n")
SOURCES = {"test-source": {"source.txt": TEXT, "meta.yml": MINIMAL_META},
           "anon-source": {"source.txt": TEXT.replace("제안도", "의견도"),
                           "meta.yml": MINIMAL_META.replace("authors: [홍길동]", "authors: []")
                           + "type: op-ed\nvenue: 가상일보\n"}}


def anchors(tmp_path: Path, slug="test-source") -> list[str]:
    proj = make_project(tmp_path / "probe", SOURCES)
    src = load_source(proj / "corpus" / "sources" / slug)
    return [p["anchor"] for p in clean_source(src).paragraphs]


def issue_yaml(a1: str, a2: str, **over) -> str:
    data = {
        "id": "cost-sharing",
        "names": "names:\n  ko: 방위비 분담금\n  en: Cost sharing\n  zh: 防卫费分担\n",
        "question": "question:\n  ko: 받아들여야 하는가?\n  en: Should Seoul accept?\n",
        "description": "description: 시험용 쟁점이다. 두 문장이다.\n",
        "terms": "terms:\n  ko: [분담금]\n  zh: [防卫费]\n  en: [SMA]\n",
        "positions": (
            "positions:\n"
            "  - source: test-source\n    stance: conditional\n    summary: 조건부로 받아들이자고 한다.\n"
            "    gloss: Accept on conditions.\n    quotes:\n"
            f"      - paragraph: {a1}\n        text: 국민의 세금으로 충당되는 방위비\n          분담금은 한 푼도\n"
            "    relations:\n      - type: contrasts\n        with: anon-source\n"
            "  - source: anon-source\n    stance: describes\n    summary: 서술한다.\n    gloss: Describes.\n"
            f"    quotes:\n      - paragraph: {a2}\n        text: SMA를 다시 협상하기보다\n"),
    }
    updated = over.pop("updated", "updated: 2026-01-10\n")  # last, so the other lines keep their numbers
    data.update(over)
    return f"id: {data.pop('id')}\n" + "".join(v for v in data.values() if v) + updated


# --- matching -------------------------------------------------------------------------

def test_quote_matches_across_whitespace_and_line_breaks_only():
    t = "국민의 세금으로 충당되는\n방위비 분담금은 한 푼도 소홀히 써서는 안 된다."
    assert locate_quote("국민의 세금으로 충당되는 방위비 분담금은", t) == [(0, 22)]
    assert locate_quote("국민의세금으로충당되는방위비분담금은", t) is not None
    assert locate_quote("국민의 세금으로 충당하는 방위비", t) is None       # one letter differs
    assert locate_quote("“국민의 세금으로”", t) is None                 # quote marks are text
    assert locate_quote("써서는 안 된다 […] 국민의", t) is None            # elided parts keep their order


def test_terms_find_compounds_particles_spacing_and_whole_acronyms():
    t = "방위비분담금과 방위비 분담금, OPCON을 (OPCON) SMART SMA. 驻韩美军防卫费分担问题"
    found = [t[a:z] for a, z in find_terms(t, ["방위비 분담금", "OPCON", "SMA", "防卫费"])]
    assert found == ["방위비분담금", "방위비 분담금", "OPCON", "OPCON", "SMA", "防卫费"]


def test_abbreviations_match_before_korean_particles_not_inside_words():
    rx = abbr_pattern(["NCG", "SMA", "SLCM-N"])
    assert [m.group() for m in rx.finditer("NCG를 통해 SMA는 SLCM-N(Nuclear) SMART NCGs")] == ["NCG", "SMA", "SLCM-N"]


def test_real_issues_load_and_every_quote_stands_in_its_paragraph():
    from build_scripts.pages.site import build_site
    site = build_site(CORPUS, cache_dir=None)
    paras = {p.slug: {x["anchor"]: x["text"] for x in p.paragraphs} for p in site.pages}
    n = 0
    for issue in site.issues:
        for pos in issue.positions:
            for q in pos.quotes:
                for part in q.text.split(" […] "):
                    assert part in paras[pos.slug][q.paragraph["anchor"]]
                n += 1
    assert n >= 30


def test_coverage_of_the_issue_set():
    from build_scripts.pages.site import build_site
    issues = build_site(CORPUS, cache_dir=None).issues
    assert len(issues) >= 12
    assert sum(1 for i in issues if len(i.positions) >= 3) >= 8
    assert sum(len(p.quotes) for i in issues for p in i.positions) >= 30
    for i in issues:
        assert all(i.names[k].strip() for k in ("ko", "en", "zh"))
        assert all(i.terms[k] for k in ("ko", "en", "zh"))


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def test_every_issue_is_dated_no_earlier_than_its_last_commit():
    """`updated` is the page's date when it is cited: an editor who changes an issue file
    and forgets to change it is told here. One day of slack: a commit's date is in its
    committer's time zone, the editor's date may be in another."""
    if shutil.which("git") is None or _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("no git history to compare with")
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone: the commit that last touched a file is not known")
    stale, checked = [], 0
    for path in sorted((CORPUS / "issues").glob("*.yml")):
        last = _git("log", "-1", "--format=%cs", "--", str(path.relative_to(ROOT))).stdout.strip()
        if not last:  # not committed yet
            continue
        checked += 1
        updated = read_yaml(path, IssueError)[1]["updated"]
        if datetime.date.fromisoformat(updated) < datetime.date.fromisoformat(last) - datetime.timedelta(days=1):
            stale.append(f"corpus/issues/{path.name}: updated {updated}, last changed in a commit of {last}")
    assert checked, "no committed issue file"
    assert not stale, ("an issue file changed without its 'updated' date; set it to the date of the change:\n  "
                       + "\n  ".join(stale))


# --- bad input -----------------------------------------------------------------------

BAD = {
    "unknown source": (lambda a1, a2: issue_yaml(a1, a2).replace("source: anon-source", "source: no-such-source"),
                       ["corpus/issues/bad.yml:", "unknown source", "found no-such-source"]),
    "unknown paragraph": (lambda a1, a2: issue_yaml("p-000000", a2),
                          ["corpus/issues/bad.yml:", "no paragraph p-000000 in source test-source",
                           "this text stands in paragraph 1"]),
    "quote that does not match": (
        lambda a1, a2: issue_yaml(a1, a2).replace("한 푼도", "두 푼도"),
        ["corpus/issues/bad.yml:", "quote does not stand in paragraph 1", "두 푼도"]),
    "quote in another paragraph": (
        lambda a1, a2: issue_yaml(a1, a2).replace("text: 국민의 세금으로 충당되는 방위비\n          분담금은 한 푼도",
                                                  "text: SMA를 다시 협상하기보다"),
        ["corpus/issues/bad.yml:", "quote does not stand in paragraph 1", "this text stands in paragraph 2"]),
    "relation to a missing position": (
        lambda a1, a2: issue_yaml(a1, a2).replace("with: anon-source", "with: other-source"),
        ["corpus/issues/bad.yml:", "relation to a position this issue does not have", "found other-source"]),
    "missing Chinese name": (
        lambda a1, a2: issue_yaml(a1, a2, names="names:\n  ko: 방위비 분담금\n  en: Cost sharing\n"),
        ["corpus/issues/bad.yml:", "'names' has no zh text", "a name in Chinese"]),
    "bad stance": (lambda a1, a2: issue_yaml(a1, a2).replace("stance: describes", "stance: neutral"),
                   ["corpus/issues/bad.yml:", "bad value for 'stance'", "'neutral'"]),
    "too many quotes": (
        lambda a1, a2: issue_yaml(a1, a2).replace(
            f"    quotes:\n      - paragraph: {a2}\n        text: SMA를 다시 협상하기보다\n",
            "    quotes:\n" + f"      - paragraph: {a2}\n        text: SMA를\n" * 4),
        ["corpus/issues/bad.yml:", "one to three quotes", "4 quotes"]),
    "related issue that does not exist": (
        lambda a1, a2: issue_yaml(a1, a2, related="related: [no-such-issue]\n"),  # the last line
        ["corpus/issues/bad.yml:33", "related issue does not exist", "found no-such-issue"]),
    "malformed YAML": (lambda a1, a2: "id: x\nnames: [unclosed\n", ["corpus/issues/bad.yml:", "malformed YAML"]),
    "no updated date": (
        lambda a1, a2: issue_yaml(a1, a2, updated=""),
        ["corpus/issues/bad.yml:1: missing 'updated'; expected 'updated:' the date of the issue's last change, "
         "YYYY-MM-DD (a real day); found no such key"]),
    "an updated date that is no day": (
        lambda a1, a2: issue_yaml(a1, a2, updated="updated: 2026-13-01\n"),
        ["corpus/issues/bad.yml:33: bad value for 'updated'; expected the date of the issue's last change, "
         "YYYY-MM-DD (a real day); found '2026-13-01'"]),
}


@pytest.fixture(scope="module")
def anchor_pair(tmp_path_factory):
    a = anchors(tmp_path_factory.mktemp("a"))
    b = anchors(tmp_path_factory.mktemp("b"), "anon-source")
    return a[0], b[1]


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_issue_file_gives_one_clear_message_and_fails(case, tmp_path, anchor_pair):
    make, needles = BAD[case]
    proj = make_project(tmp_path, SOURCES, issues={"bad.yml": make(*anchor_pair)})
    r = mkdocs_build(proj)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "Traceback" not in out, out
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"


def test_duplicate_issue_id_names_both_files(tmp_path, anchor_pair):
    y = issue_yaml(*anchor_pair)
    proj = make_project(tmp_path, SOURCES, issues={"a.yml": y, "b.yml": y})
    out = (r := mkdocs_build(proj)).stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out
    assert "corpus/issues/b.yml: duplicate issue id 'cost-sharing'" in out and "corpus/issues/a.yml" in out


def test_bad_glossary_names_file_and_line(tmp_path):
    proj = make_project(tmp_path, SOURCES)
    (proj / "corpus" / "glossary.yml").write_text("- abbr: SMA\n  en: Special Measures Agreement\n  ko: 협정\n",
                                                   encoding="utf-8")
    out = (r := mkdocs_build(proj)).stdout + r.stderr
    assert r.returncode != 0 and "Traceback" not in out
    assert "corpus/glossary.yml:1" in out and "has no 'zh'" in out


def test_good_issue_builds_with_pages_backlinks_and_export(tmp_path, anchor_pair):
    proj = make_project(tmp_path, SOURCES, issues={"cost.yml": issue_yaml(*anchor_pair)})
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    site = proj / "site"
    page = (site / "issues" / "cost-sharing" / "index.html").read_text("utf-8")
    a1, a2 = anchor_pair
    assert f'href="../../sources/test-source/#{a1}"' in page
    # the quote is shown as published: the line break in the YAML is not the author's
    assert "국민의 세금으로 충당되는 방위비 분담금은 한 푼도" in page
    # an unattributed op-ed is cited by venue and date, never by a name
    assert "가상일보 기고 (저자 미상), 2024-05-01" in page
    src = (site / "sources" / "test-source" / "index.html").read_text("utf-8")
    assert 'class="backlinks"' in src and "../../issues/cost-sharing/#pos-test-source" in src
    rows = list(csv.DictReader(io.StringIO((site / "issues" / "positions.csv").read_text("utf-8-sig"))))
    by = {r["source"]: r for r in rows}
    assert len(rows) == 2 and by["anon-source"]["author"] == "가상일보 기고 (저자 미상)"
    assert by["test-source"]["author"] == "홍길동"
    assert by["test-source"]["paragraph_url"] == f"sources/test-source/#{a1}"


def test_issue_files_are_read_without_a_build(tmp_path, anchor_pair):
    p = tmp_path / "x.yml"
    p.write_text(issue_yaml(*anchor_pair), encoding="utf-8")
    proj = make_project(tmp_path / "p", SOURCES)
    paras = {s: clean_source(load_source(proj / "corpus" / "sources" / s)).paragraphs for s in SOURCES}
    issue = read_issue(p, paras)
    assert issue.positions[0].quotes[0].text == "국민의 세금으로 충당되는 방위비 분담금은 한 푼도"
    assert load_issues(tmp_path / "nothing", paras) == []


# --- the real site --------------------------------------------------------------------

def test_an_abbreviation_with_an_ampersand_is_explained_and_references_stay_text(built_site, tmp_path):
    """R&D gets its hover explanation in the body text; an "&" that would start a character
    reference in a source (&lt;, &#60;) still shows as typed, never as the character."""
    son = (built_site / "sources" / "2025-son-alliance-modernization" / "index.html").read_text("utf-8")
    times = (CORPUS / "sources" / "2025-son-alliance-modernization" / "source.txt").read_text("utf-8").count("R&D")
    assert son.count('<abbr title="Research and Development · 연구개발 · 研究与开发（研发）">R&amp;D</abbr>') == times == 4
    proj = make_project(tmp_path / "amp", {"amp-source": {
        "source.txt": "R&D 예산과 &lt;b&gt;굵게&lt;/b&gt;, &#60;script&#62; 그리고 Ashley&Burcu.\n",
        "meta.yml": MINIMAL_META}})
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    page = (proj / "site" / "sources" / "amp-source" / "index.html").read_text("utf-8")
    assert "&amp;lt;b&amp;gt;굵게&amp;lt;/b&amp;gt;, &amp;#60;script&amp;#62;" in page
    assert "Ashley&amp;Burcu" in page and "<script" not in page.split("<body")[1].split("R&amp;D")[1].split("Burcu")[0]


def test_every_export_row_points_at_a_paragraph_that_holds_the_quote(built_site):
    data = json.loads((built_site / "issues" / "positions.json").read_text("utf-8"))
    rows = list(csv.DictReader(io.StringIO((built_site / "issues" / "positions.csv").read_text("utf-8-sig"))))
    assert len(rows) == len(data["quotes"]) >= 30
    assert set(rows[0]) >= {"issue", "source", "author", "date", "stance", "quote", "paragraph_url"}
    pages = {}
    for r in rows:
        path, anchor = r["paragraph_url"].split("#")
        html = pages.setdefault(path, (built_site / path / "index.html").read_text("utf-8"))
        m = re.search(r'<(p|li) [^>]*id="' + anchor + r'".*?</\1>', html, re.S)
        assert m, (path, anchor)
        text = re.sub(r"<[^>]+>", "", re.sub(r"<sup .*?</sup>", "", m.group()))  # not the note numbers
        for part in r["quote"].split(" […] "):
            assert re.sub(r"\s+", "", part) in re.sub(r"\s+", "", text)


def test_unknown_authors_are_never_named(built_site):
    for slug in ("2019-digitaltimes-alliance-two-storms", "2024-segye-alliance-nuclear-deterrence"):
        page = (built_site / "authors" / f"unattributed-{slug}" / "index.html").read_text("utf-8")
        assert "저자 미상" in page and "저자는 알려져 있지 않다" in page
    rows = list(csv.DictReader(io.StringIO((built_site / "issues" / "positions.csv").read_text("utf-8-sig"))))
    assert {r["author"] for r in rows if r["source"].startswith("2019-")} == {"디지털타임스 기고 (저자 미상)"}


def test_matrix_has_one_linked_cell_per_position(built_site):
    html = (built_site / "issues" / "index.html").read_text("utf-8")
    data = json.loads((built_site / "issues" / "positions.json").read_text("utf-8"))
    positions = {(q["issue"], q["source"]) for q in data["quotes"]}
    cells = set(re.findall(r'href="([a-z-]+)/#pos-([a-z0-9-]+)"', html))
    assert cells == positions


def test_source_page_lists_its_positions_and_quoted_paragraphs_link_back(built_site):
    html = (built_site / "sources" / "2025-son-alliance-modernization" / "index.html").read_text("utf-8")
    assert 'class="source-positions"' in html
    assert html.count('class="backlinks"') >= 10
    assert 'href="../../issues/opcon-transition/#pos-2025-son-alliance-modernization"' in html


def test_abbreviations_explained_in_korean_running_text(built_site):
    html = (built_site / "sources" / "2024-yang-trump-second-term-alliance" / "index.html").read_text("utf-8")
    assert '<abbr title="Nuclear Consultative Group · 핵협의그룹 · 核磋商小组">NCG</abbr>를' in html
    glossary = (built_site / "glossary" / "index.html").read_text("utf-8")
    for abbr in ("SMA", "NCG", "OPCON", "SCM", "MCM", "KIDD", "EDSCG", "FOC", "COTP", "CNI", "TTX", "UFS", "QRF",
                 "C4ISR", "SLCM-N", "CVID"):
        assert f">{abbr}<" in glossary, abbr


def test_all_mentions_find_spacing_variants(built_site):
    html = (built_site / "issues" / "defense-cost-sharing" / "index.html").read_text("utf-8")
    mentions = html.split('id="mentions"')[1]
    assert "<mark>방위비분담금</mark>" in mentions and "<mark>방위비 분담금</mark>" in mentions
    assert "<mark>防卫费分担</mark>" in mentions


def test_short_name_heads_the_matrix_column_and_is_checked(tmp_path, anchor_pair):
    """`short` names the issue's column of the matrix (the whole name without it); one too
    long for a column stops the build with the file and line."""
    from build_scripts.errors import EditionError
    proj = make_project(tmp_path / "p", SOURCES)
    paras = {s: clean_source(load_source(proj / "corpus" / "sources" / s)).paragraphs for s in SOURCES}
    names = "names:\n  ko: 방위비 분담금\n  en: Cost sharing\n  zh: 防卫费分担\n"
    p = tmp_path / "x.yml"
    p.write_text(issue_yaml(*anchor_pair), encoding="utf-8")
    assert read_issue(p, paras).short_name == "방위비 분담금"
    p.write_text(issue_yaml(*anchor_pair, names=names + "short: 분담금\n"), encoding="utf-8")
    assert read_issue(p, paras).short_name == "분담금"
    p.write_text(issue_yaml(*anchor_pair, names=names + "short: 방위비 분담금과 방위비분담특별협정\n"), encoding="utf-8")
    with pytest.raises(EditionError) as e:
        read_issue(p, paras)
    assert "x.yml:6" in str(e.value) and "'short' is too long" in str(e.value) and "at most 12 letters" in str(e.value)
