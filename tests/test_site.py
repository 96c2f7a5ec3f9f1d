"""The built site, as a reader's browser receives it."""
import csv
import io
import json
import re
from pathlib import Path

import pytest

from build_scripts.errors import FidelityError
from build_scripts.cleaning.fidelity import check_html, expected_streams
from build_scripts.cleaning.textmap import MText
from build_scripts.pages.site import build_site
from tests.conftest import CORPUS, MINIMAL_META, SLUGS, make_project, mkdocs_build


def page(site: Path, slug: str) -> str:
    return (site / "sources" / slug / "index.html").read_text("utf-8")


def paras(html):
    return re.findall(r'<p class="para" id="(p-[0-9a-f-]+)"', html)


def test_every_source_has_a_page_and_the_index_links_them(built_site):
    index = (built_site / "sources" / "index.html").read_text("utf-8")
    for slug in SLUGS:
        assert (built_site / "sources" / slug / "index.html").exists()
        assert f'href="{slug}/"' in index


@pytest.mark.parametrize("slug,n", [("2019-digitaltimes-alliance-two-storms", 10),
                                    ("2024-segye-alliance-nuclear-deterrence", 7)])
def test_op_eds_have_their_body_paragraphs_and_a_publication_note(built_site, slug, n):
    html = page(built_site, slug)
    assert len(paras(html)) == n
    assert html.count('class="pubnote pubnote-disclaimer"') == 1
    assert "저자 미상" not in html or "미상 (unknown)" in html
    assert "<dt>저자 (authors)</dt><dd><span class=\"unknown\">미상 (unknown)</span>" in html


def test_paragraph_numbers_link_to_their_own_anchor(built_site):
    for slug in SLUGS:
        html = page(built_site, slug)
        for pid in paras(html):
            assert re.search(rf'id="{pid}"[^>]*><a class="pn" href="#{pid}" data-ed="" title="문단 \d+">\d+</a>', html)
        assert len(set(paras(html))) == len(paras(html))


def test_headings_of_002_and_003(built_site):
    h002 = re.findall(r"<h([23])[^>]*>(.*?)<a class=\"headerlink\"", page(built_site, "2025-son-alliance-modernization"))
    h002 = [(lvl, t) for lvl, t in h002 if "Editorial notes" not in t]
    assert len(h002) == 14
    assert [t for lvl, t in h002 if lvl == "3"] == [f"#{i}. " + x for i, x in enumerate(
        ["위협인식의 공유", "확장억제의 신뢰성 강화", "비군사 안보협력 확대", "연합방위체계 간명화", "주한미군 태세 최적화",
         "한국의 역할·비용 확대", "협의 메커니즘의 통합·효율화", "다자 안보네트워크 심화", "통합혁신과 기술협력"], 1)]
    h003 = [t for lvl, t in re.findall(r"<h([23])[^>]*>(.*?)<a class=\"headerlink\"",
                                       page(built_site, "2024-yang-trump-second-term-alliance")) if "Editorial" not in t]
    assert len(h003) == 11 and h003[-1] == "결론"


def test_footnotes_are_real_and_bidirectional(built_site):
    html = page(built_site, "2025-son-alliance-modernization")
    refs = re.findall(r'<sup id="fnref:(\d+)"><a class="footnote-ref" href="#fn:\1"', html)
    assert refs == [str(i) for i in range(1, 20)]
    for i in range(1, 20):
        assert re.search(rf'<li id="fn:{i}">.*?<a class="footnote-backref" href="#fnref:{i}"', html, re.S)
    text = html.split('id="editorial-notes"')[0]   # the ledger quotes the markers it converted
    assert "¹⁾" not in text and "1) Victor Cha" not in text
    h003 = page(built_site, "2024-yang-trump-second-term-alliance")
    # 003 lost all 24 note texts: one statement says so, and every marker links to it.
    assert h003.count('class="notes-missing"') == 1 and "각주 1–24의 본문은 원문 추출본에 없습니다" in h003
    assert re.findall(r'<a class="footnote-ref" href="#notes-missing">(\d+)</a>', h003) == [str(i) for i in range(1, 25)]
    assert 'id="fn:' not in h003 and "///Footnotes Go Here///" not in h003
    h004 = page(built_site, "2025-gu-kim-alliance-diplomatic-dilemma")
    t004 = h004.split('id="editorial-notes"')[0]
    assert "&lt;sup&gt;" not in t004 and "<sup>1)" not in t004 and 'href="#fn:2"' in t004


def test_004_languages_math_figures_and_whole_abstract(built_site):
    html = page(built_site, "2025-gu-kim-alliance-diplomatic-dilemma")
    assert re.search(r'<p class="para" id="p-[0-9a-f]+" lang="en">.*make concessions on the issue of autonomy\.', html)
    assert re.search(r'<p class="para" id="p-[0-9a-f]+" lang="zh">.*pp\.1124-1126(?:</a>)?\)。有学者认为', html)
    assert "<msub><mi>X</mi><mi>m</mi></msub>" in html and "$X_m$" not in html
    assert html.count('class="figure-missing"') == 6
    assert html.count("그림은 원문 추출본에 포함되어 있지 않습니다") == 6
    assert re.search(r'<h2 id="[^"]*" lang="zh">I\. 引言', html)
    assert re.search(r'<h3 id="[^"]*" lang="zh">3\.1 案例', html)


def test_003_table_is_a_real_table(built_site):
    html = page(built_site, "2024-yang-trump-second-term-alliance")
    table = re.search(r"<table><caption>\[표 1\] 한미 양국의 국익 비교</caption>(.*?)</table>", html, re.S).group(1)
    assert re.findall(r"<th>(.*?)</th>", table)[:3] == ["구분", "미국", "한국"]
    assert [r for r in re.findall(r"<tr><th>(.*?)</th>", table)][1:] == ["기조", "경제", "군사", "동맹"]
    assert "미중 패권경쟁과 연대 재결성으로 인한 공급망 위기 대응" in table
    assert "- 4 -" not in html.split("editorial-notes")[0]


def test_typography_declares_languages_and_needs_no_font_cdn(built_site):
    html = page(built_site, "2024-yang-trump-second-term-alliance")
    assert '<html lang="ko"' in html
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    css = (built_site / "stylesheets" / "edition.css").read_text("utf-8")
    assert re.search(r":lang\(ko\)[^{]*\{[^}]*word-break:\s*keep-all", css)
    assert "Apple SD Gothic Neo" in css and "Malgun Gothic" in css and "PingFang SC" in css and "Microsoft YaHei" in css


def test_editorial_notes_list_what_was_removed(built_site):
    html = page(built_site, "2024-yang-trump-second-term-alliance")
    ledger = html.split('id="editorial-notes"')[1]
    assert "<code>- 4 -</code>" in ledger and "쪽 번호 (page number)" in ledger
    # Korean throughout: the reasons and the heading name no file and no English step.
    assert "본문의 각주 표시 → 각주 14 (각주 본문은 원문 추출본에 없음)" in ledger
    assert "source.txt" not in ledger and "bare note marker" not in ledger


def test_unknown_fields_say_so_and_editors_titles_are_marked(built_site):
    html = page(built_site, "2019-digitaltimes-alliance-two-storms")
    assert "편집자 제목" in html and "위 제목은 편집자가 붙인 것입니다" in html
    h = page(built_site, "2025-son-alliance-modernization")
    assert "editors&#x27; translation" in h or "editors' translation" in h
    assert "편집자 번역" in h


def elements(html):
    """(tag, attributes) of every element, as a browser's parser sees them."""
    from html.parser import HTMLParser
    found = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))
    P().feed(html)
    return found


HOSTILE = ('<script>alert("x")</script> 본문에 <img src=x onerror="alert(1)"> 와 '
           '[링크](javascript:alert(1)) <a href="javascript:alert(2)">a</a> 그리고 *별* _밑줄_ #해시 [대괄호] |표|.\n')


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_raw_html_in_a_source_is_shown_never_run(tmp_path, fmt):
    proj = make_project(tmp_path, {"hostile": {"source.txt": HOSTILE * 3,
                                               "meta.yml": MINIMAL_META + f"format: {fmt}\n"}})
    r = mkdocs_build(proj)
    assert r.returncode == 0, r.stdout + r.stderr
    html = (proj / "site" / "sources" / "hostile" / "index.html").read_text("utf-8")
    body = html.split('<article')[1].split("</article>")[0]
    tags = elements(body)
    assert not [t for t, a in tags if t in ("script", "img", "iframe")]
    assert not [a for t, a in tags if any(k.startswith("on") for k in a)]
    assert not [a for t, a in tags if (a.get("href") or "").strip().lower().startswith("javascript")]
    assert "&lt;script&gt;alert(" in body and "&lt;img src=x onerror=" in body
    if fmt == "text":
        assert "*별* _밑줄_ #해시 [대괄호] |표|" in body


def test_the_exports_go_through_a_temporary_folder_that_the_build_removes(tmp_path):
    """MkDocs holds a generated file's content to the end of the build: the corpus exports
    (Streamed, made a source at a time) are written to a temporary folder MkDocs copies
    from, and the build removes it."""
    proj = make_project(tmp_path / "p", {slug: {"source.txt": "동맹은 중요하다.\n\n두 번째 문단.\n", "meta.yml": MINIMAL_META}
                                         for slug in ("b-source", "a-source")})
    temp = tmp_path / "temp"
    temp.mkdir()
    r = mkdocs_build(proj, env={"TMPDIR": str(temp)})
    assert r.returncode == 0, r.stdout + r.stderr
    corpus = json.loads((proj / "site" / "export" / "corpus.json").read_text("utf-8"))
    assert [s["slug"] for s in corpus["sources"]] == ["a-source", "b-source"]
    paragraphs = [p["text"] for s in corpus["sources"] for p in s["paragraphs"]]
    assert paragraphs and paragraphs[0].startswith("동맹은 중요하다.")
    rows = list(csv.reader(io.StringIO((proj / "site" / "export" / "paragraphs.csv").read_text("utf-8-sig"))))
    assert rows[0][:3] == ["source", "date", "number"] and [r[6] for r in rows[1:]] == paragraphs
    assert list(temp.iterdir()) == []


def test_fidelity_check_fails_when_the_html_loses_text():
    src = "가나\n다라"
    expected = expected_streams({"body": [MText.from_source(src, 0, 2), MText.from_source(src, 3, 5)],
                                 "notes": [], "moved": []})
    check_html("<p>가나 다라</p>", expected, "x/source.txt", lambda o: 1)
    line_of = lambda o: src.count("\n", 0, o) + 1  # noqa: E731
    with pytest.raises(FidelityError, match=r"x/source.txt:2: the rendered page does not carry"):
        check_html("<p>가나라</p>", expected, "x/source.txt", line_of)
    # editorial additions (data-ed) do not count as text
    check_html('<p><a data-ed="">12</a>가나다라</p>', expected, "x", lambda o: 1)


def test_an_unchanged_source_is_not_cleaned_again(tmp_path):
    cache = tmp_path / "cache"
    first = build_site(CORPUS, cache)
    second = build_site(CORPUS, cache)
    assert first.timings["cached"] == 0 and second.timings["cached"] == len(SLUGS)
    assert [p.markdown for p in first.pages] == [p.markdown for p in second.pages]


def test_cache_key_changes_with_the_packages_whose_output_is_cached(monkeypatch):
    """A page cached with one latex2mathml (its MathML) or citeproc-py (its Cite box) is not
    reused under another."""
    import importlib.metadata
    from build_scripts.pages.site import CACHED_PACKAGES, code_version
    assert {"latex2mathml", "citeproc-py"} <= set(CACHED_PACKAGES)
    before = code_version()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "99.0" if name == "latex2mathml" else real(name))
    assert code_version() != before
