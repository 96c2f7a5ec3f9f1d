"""Works cited (notes, reference list, author-date citations) and the corpus export."""
from __future__ import annotations

import csv
import io
import json
import re

from build_scripts.cleaning.fidelity import letters
from build_scripts.apparatus.works_cited import collect, parse_entry
from tests.conftest import SLUGS
from tests.test_anchors import _Paras

SON = "2025-son-alliance-modernization"
GU_KIM = "2025-gu-kim-alliance-diplomatic-dilemma"


def _para(n, text, section=""):
    return {"anchor": f"p-{n:06x}", "number": n, "text": text, "lang": "ko", "section": section}


def test_notes_citing_the_same_work_are_merged_and_explanatory_notes_left_out():
    notes = [{"number": 1, "text": "Victor Cha, “The Quiet Crisis in the U.S.-Korea Alliance” (CSIS, April 3, 2025).", "paragraph": "p-000001"},
             {"number": 2, "text": "동맹을 설명하는 각주로, 문헌을 인용하지 않는다.", "paragraph": "p-000001"},
             {"number": 3, "text": "Victor Cha, \"The Quiet Crisis in the U.S.-Korea Alliance\" (CSIS, April 3, 2025), <https://csis.org/x>.", "paragraph": "p-000002"}]
    wc = collect(["a"], {"a": ([_para(1, "본문"), _para(2, "본문")], notes)})
    assert len(wc.works) == 1
    assert [p.label for p in wc.works[0].places] == ["주 1", "주 3"]
    assert "https://csis.org/x" in wc.works[0].display  # the fullest form is shown
    assert wc.explanatory == [("a", 2)]


def test_in_text_citations_match_their_entry_or_are_reported():
    paras = [_para(1, "동맹은 깨지기 쉽다(Snyder,1984,pp.461-495). 그러나(韩栋,2006,p.19) 그렇지 않다"
                      "(“Trump Harps on Korea’s Defense Spending”, 2019)."),
             _para(2, "Glenn H. Snyder.(1984). The Security Dilemma in Alliance Politics. World Politics.", "参考文献"),
             _para(3, "韩献栋.(2006).同盟政治的安全困境.国际论坛.p.19.", "参考文献"),
             _para(4, "Jung Hyo-Sik and Esther Chung.(2019. Sunday April 28,). Trump Harps on Korea’s Defense Spending. "
                      "Korea JoongAng Daily.", "参考文献")]
    wc = collect(["b"], {"b": (paras, [])})
    by_raw = {c.raw: c for c in wc.in_text}
    assert by_raw["(Snyder,1984,pp.461-495)"].work.entry_anchor["b"] == "p-000002"
    assert by_raw["(“Trump Harps on Korea’s Defense Spending”, 2019)"].work.entry_anchor["b"] == "p-000004"
    # 韩栋 is not 韩献栋: the citation is reported, not guessed.
    assert [c.raw for c in wc.unmatched] == ["(韩栋,2006,p.19)"]


def test_parse_entry_handles_editors_and_dates_in_the_year():
    assert parse_entry("Kraybill, R. L. and Smart, G. R(eds.).(1985). Department of Defense Report on")[:2] == \
        ("Kraybill, R. L. and Smart, G. R(eds.)", "1985")
    assert parse_entry("김동현.(2020년10월15일).주한미군 유지 빠진 한미안보성명, 미 방위비 압박 거세지나. *연합뉴스*")[1] == "2020"
    assert parse_entry("pp.1124-1126.") is None


# --- the built site -------------------------------------------------------------------

def _ids(built_site, slug):
    return set(re.findall(r'id="([^"]+)"', (built_site / "sources" / slug / "index.html").read_text("utf-8")))


def test_works_cited_page_lists_each_work_once_with_links_to_every_note(built_site):
    page = (built_site / "works-cited" / "index.html").read_text("utf-8")
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    prism = [i for i in items if "Trump’s Prism" in i]
    quiet = [i for i in items if "The Quiet Crisis in the U.S.-Korea Alliance" in i]
    assert len(prism) == 1 and len(quiet) == 1
    assert re.findall(r'#fn:(\d+)"', prism[0]) == ["1", "14"]
    assert re.findall(r'#fn:(\d+)"', quiet[0]) == ["9", "13"]
    # Every link lands on an element of the page it points to.
    for slug, frag in re.findall(r'href="\.\./sources/([^/]+)/#([^"]+)"', page):
        assert frag in _ids(built_site, slug), (slug, frag)
    assert '<a href="https://www.whitehouse.gov/fact-sheets/2025/11/' in page  # URLs clickable
    assert "양욱 2024" in page and "추출본에 번호만 있고 본문이 없어" in page  # 003's notes are not there


def test_author_date_citations_link_to_their_reference_entry(built_site):
    html = (built_site / "sources" / GU_KIM / "index.html").read_text("utf-8")
    p = _Paras()
    p.feed(html)
    by_text = {text: anchor for anchor, text in
               re.findall(r'<a class="cite-ref" href="#(p-[0-9a-f]+)"[^>]*>([^<]+)</a>', html)}
    assert p.text[by_text["Snyder,1984,pp.461-495"]].strip().startswith("Glenn H. Snyder.(1984)")
    assert p.text[by_text["Morrow,1991,pp.904-933"]].strip().startswith("James D. Morrow.")
    assert p.text[by_text["이근욱, 2009, p.42"]].strip().startswith("이근욱.(2009)")
    assert p.text[by_text["Stephen M. Walt, 2025"]].strip().startswith("Stephen M. Walt.(2025")
    page = (built_site / "works-cited" / "index.html").read_text("utf-8")
    article = page.split('<article', 1)[1]
    unmatched = next(c for c in article.split("<h2") if "in-text citations with no entry" in c)
    assert "(韩栋,2006,p.19)" in unmatched and "(김성환, 2019, pp.84-85)" in unmatched
    assert "Snyder" not in unmatched


def test_corpus_export_paragraphs_stand_at_their_urls(built_site):
    data = json.loads((built_site / "export" / "corpus.json").read_text("utf-8"))
    assert sorted(s["slug"] for s in data["sources"]) == SLUGS
    total = 0
    for s in data["sources"]:
        assert s["metadata"]["title"] == s["csl"]["title"] or s["metadata"]["title"] is None
        p = _Paras()
        p.feed((built_site / "sources" / s["slug"] / "index.html").read_text("utf-8"))
        for k, para in enumerate(s["paragraphs"], start=1):
            assert para["number"] == k
            assert para["url"].endswith(f"sources/{s['slug']}/#{para['anchor']}")
            # The same words (the export keeps $...$ math as TeX, the page shows MathML).
            assert letters(p.text[para["anchor"]]).startswith(letters(para["text"])[:40]), para["anchor"]
            total += 1
    rows = list(csv.DictReader(io.StringIO((built_site / "export" / "paragraphs.csv").read_text("utf-8-sig"))))
    assert len(rows) == total and rows[0].keys() >= {"source", "anchor", "number", "text", "url"}
