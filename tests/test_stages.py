"""Unit tests, one stage at a time, on small examples taken from the seeds."""
from build_scripts.cleaning.ledger import Ledger
from build_scripts.cleaning.notes import link_notes
from build_scripts.pages.render import escape_plain, inline
from build_scripts.cleaning.segment import detect_style, group_lines, join_text, mend_page_joins, split_lines
from build_scripts.cleaning.structure import classify
from build_scripts.cleaning.textmap import MText


def groups_of(text, markdown=False):
    lines = split_lines(text)
    style = detect_style(lines, markdown)
    return mend_page_joins(group_lines(lines, style, {}), style), style


def blocks_of(text, markdown=False):
    groups, style = groups_of(text, markdown)
    blocks = classify(groups, markdown)
    return blocks


WRAPPED_000 = (" 한미동맹이 위기다. 비단 북핵 협상 과정에서 발생하는 한미간 이견이나, 방위비 분담금을 \n\n"
               "둘러싼 갈등 때문이 아니다. 국제정세와 리더십의 변화에서 나타나는 비전통적 상황이 두 \n\n"
               "개의 태풍으로 발전해 충돌하는 '최악의 상황'(perfect storm)을 맞을 수 있기 때문이다. \n\n"
               "  \n\n"
               "오늘날 한미동맹은 국제정세의 변화와 리더십의 변화로 새로운 도전을 맞고 있다. 먼저 \n\n"
               "국제질서의 변화 속에 미국의 위상이 과거와 달라졌다. 냉전 시기 경제력의 절대적 우위를 \n\n"
               "하나다.  \n\n")


def test_wrapped_lines_join_with_a_space_and_a_spaces_only_line_ends_the_paragraph():
    groups, style = groups_of(WRAPPED_000)
    assert style.wrapped
    texts = [g.text.s.strip() for g in groups]
    assert len(texts) == 2
    assert texts[0].startswith("한미동맹이 위기다.") and "분담금을 둘러싼 갈등" in texts[0]
    assert texts[1].endswith("우위를 하나다.")


def test_line_end_hyphen_in_a_compound_keeps_no_space():
    src = "한·미 공동 핵작계의 핵심은 CNI, 즉 재래식-\n\n핵전력 통합이다. 미국의 핵전력으로 북핵을 억제하고 한·미 양국 군의 \n\n재래전력으로 분쟁을 억제한다."
    groups, _ = groups_of(src)
    assert "재래식-핵전력 통합이다." in groups[0].text.s


def test_chinese_lines_join_without_a_space_and_page_joins_mend_numbers():
    src = ("依据统计，在全世界出现过的304个不同种类的同盟中仅有44个得以维持(Ashley&Burcu,2007,pp.112\n\n"
           "4-1126)。有学者认为，比起外部因素的干扰，同盟内部运作机制的缺陷更加容易使得同盟发生弱化。" + "同盟" * 60)
    groups, style = groups_of(src, markdown=True)
    assert not style.wrapped
    assert "pp.1124-1126)。有学者" in groups[0].text.s


def test_trailing_double_space_and_short_last_line_end_paragraphs_003_style():
    lines = ["트럼프 정부의 외교안보 리스트에는 여전히 중국에 대한 대응이 제일 첫 번째 과제로 ",
             "남겠지만, 우크라이나 전쟁과 이스라엘-하마스 전쟁의 종결을 최우선 과제로 삼을 것이다. ",
             "이스라엘을 주축으로 이란을 압박할 것으로 예상된다.  ",
             "트럼프 정부의 한반도 안보 정책은 1기와 기조는 변함없으나 전개는 크게 달라질 수 있다. ",
             "애초에 한반도 정책이 대중 정책의 하위요소라는 위상은 변함없겠지만, 한국의 국제적 ",
             " 역할 확대와 북한의 핵전력 강화 및 우크라이나 참전 등으로 조건이 달라졌다. 무엇보다도 ",
             "배제할 수 없다.12 ",
             "한편 트럼프 정부는 한국에 대한 다양한 청구서를 제시하면서 1기에서 이루지 못했던 "]
    src = lines[0] + "\n\n" + lines[1] + "\n\n" + lines[2] + "\n\n" + lines[3] + "\n\n" + lines[4] + "\n" + lines[5] \
        + "\n\n" + lines[6] + "\n\n" + lines[7] + "\n\n"
    groups, _ = groups_of(src)
    texts = [g.text.s.strip() for g in groups]
    assert len(texts) == 3, texts
    assert "국제적 역할 확대와" in texts[1]          # a line beginning with a space continues
    assert texts[1].endswith("배제할 수 없다.12")    # a short last line ends the paragraph


def test_page_number_is_furniture_and_is_ledgered(tmp_path):
    blocks = blocks_of("가" * 45 + "다.  \n\n  - 4 - \n\n대(對) 중국 정책 \n\n" + "나" * 45 + "라. \n\n")
    kinds = [b.kind for b in blocks]
    assert kinds == ["para", "furniture", "heading", "para"]


def test_heading_levels_follow_numbering_not_hash_counts():
    src = "\n\n".join(["## I. 引言", "同盟作为共同对抗威胁的一种手段，普遍存在于国际政治中。" * 3,
                       "### III. 案例分析", "#### 3.1 案例 韩美对朝政策", "在朝核问题上，特朗普采取所谓双轨并行的方式。" * 3,
                       "#### IV. 特朗普2.0时代", "特朗普曾在2024年参加竞选时强调，将继续奉行政策。" * 3])
    heads = [(b.level, b.text.s) for b in blocks_of(src, markdown=True) if b.kind == "heading"]
    assert heads == [(2, "I. 引言"), (2, "III. 案例分析"), (3, "3.1 案例 韩美对朝政策"), (2, "IV. 特朗普2.0时代")]


def test_letter_spaced_heading_is_closed_up():
    src = "가" * 44 + "다.  \n\n 결 론  \n\n" + "트럼프의 귀환으로 국제안보 체제는 또다른 변혁을 겪을 것이다. 트럼프는 미국 \n\n" + "나" * 30 + "다.  \n\n"
    heads = [b.text.s for b in blocks_of(src) if b.kind == "heading"]
    assert heads == ["결론"]


def test_title_page_lines_are_front_matter_not_headings():
    src = "\n\n".join(["한미동맹 현대화:", "포괄적 · 역동적 · 호혜적 동맹 구현을 위한 청사진", "손한별", "국방대학교 전략학부",
                       "[기획자 註] 트럼프 2기 행정부 출범 이후 미국은 한국은 물론, EU와 일본 등 주요 동맹국들에 비용 및 부담 분담을 강하게 요구하고 있다." * 2,
                       "초록"] + ["한미동맹 현대화는 급변하는 안보환경 속에서 더이상 피할 수 없는 과제가 되었다." * 3] * 5)
    blocks = blocks_of(src, markdown=True)
    assert [b.kind for b in blocks] == ["front", "para", "heading"] + ["para"] * 5
    assert [it.text.s for it in blocks[0].items][2] == "손한별"


def test_lone_asterisk_line_is_a_publication_note_not_a_list():
    blocks = blocks_of("가" * 45 + "다. \n\n \n\n* 본 글은 1 월 27 일자 디지털타임스에 기고한 글이며, 아산정책연구원의 공식적인 의견이 \n\n아닙니다. \n\n")
    assert blocks[-1].kind == "pubnote" and blocks[-1].label == "disclaimer"
    assert blocks[-1].text.s.startswith("본 글은") and blocks[-1].text.s.strip().endswith("아닙니다.")


def test_bullets_make_a_list_and_a_page_split_item_is_rejoined():
    src = ("- Leeds B. Ashley & Savun, Burcu.(2007). Terminating Alliances: Why Do States Abrogate Agree-ments?. Vol.69 No.4.\n\n"
           "- pp.1124-1126.\n"
           "- Michael F. Altfeld.(1984). The Decision to Ally: A Theory and Test. Vol.37 No.4. p.524.\n") + "x" * 300
    blocks = blocks_of(src, markdown=True)
    lst = blocks[0]
    assert lst.kind == "list" and len(lst.items) == 2
    assert lst.items[0].text.s.endswith("Vol.69 No.4. pp.1124-1126.")


def test_superscript_markers_link_to_bodies_spliced_between_paragraphs():
    src = "\n\n".join(["미국은 “동맹 현대화”를 명분으로 역할 확대와 비용 분담을 강하게 요구하고 있다.¹⁾ 한미 정상회담에서 논의되었다.",
                       "1) Victor Cha and Andy Lim, “Trump’s Prism: No Ally Is Good Enough” (CSIS, February 18, 2025.).",
                       "동맹 현대화의 전략적 방향성은 분명했다.²⁾ 이후에도 방향성을 재확인했다.",
                       "2) 김준태, “[전문] 한미동맹 국방비전,” 『연합뉴스』 (2023.11.12.)."])
    blocks = blocks_of(src, markdown=True)
    ledger = Ledger()
    notes = link_notes(blocks, ledger, lambda o: 1)
    assert [n.number for n in notes] == [1, 2]
    assert notes[0].body.s.startswith("Victor Cha")
    paras = [b for b in blocks if b.kind == "para"]
    assert "\ue0001\ue001" in paras[0].text.s and "¹⁾" not in paras[0].text.s


def test_bare_digit_markers_are_told_apart_from_real_numbers():
    src = "\n\n".join([
        "노련한 베테랑들을 기용했던 1기와는 달리, 트럼프 2기는 인사들을 바탕으로 과감하게 정책을 추진할 것이다. 1  트럼프 1기 때 공화당 내 전문가들이 기용되었다." * 1,
        "미국은 러시아-우크라이나 전쟁에 약 1,830억 달러를 지원했다. 이를 통해 전쟁을 억제했다고 자평한다.2 국가부채만 해도 35조 달러이다." * 1,
        "2034년에는 56조 달러에 이를 전망이다. 트럼프는 방위비 지불을 주장해왔기에3 제12차 협정과 350척 함대와 입장4까지 보였다." * 1,
    ])
    blocks = blocks_of(src, markdown=False)
    notes = link_notes(blocks, Ledger(), lambda o: 1)
    assert [n.number for n in notes] == [1, 2, 3, 4]
    assert all(n.body is None for n in notes)
    text = " ".join(b.text.s for b in blocks if b.kind == "para")
    for real in ["1,830억", "35조", "2034년", "56조", "제12차", "350척", "1기와는", "2기는"]:
        assert real in text
    assert "것이다.\ue0001\ue001 트럼프" in text and "입장\ue0004\ue001까지" in text


def test_fewer_than_three_bare_numbers_are_not_notes():
    blocks = blocks_of("이러한 상황은 2 월말로 예정된 2 차 북미 정상회담에서도 반복될 수 있다. 작년 6·12 회담." * 2)
    assert link_notes(blocks, Ledger(), lambda o: 1) == []


def _html(md_text):
    import markdown
    return markdown.markdown(md_text, extensions=["attr_list", "footnotes", "md_in_html", "tables", "abbr"])


HOSTILE = '<script>alert(1)</script> <img src=x onerror="a()"> [x](javascript:alert(1)) <a href="javascript:b()">y</a> *a* _b_ #c |d|'


def test_plain_text_renders_literally_and_raw_html_never_passes():
    out = _html(inline(MText.inserted(HOSTILE), False))
    assert "<script" not in out and "<img" not in out and "<a " not in out and "<em>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "[x](javascript:alert(1))" in out and "*a* _b_ #c |d|" in out


def test_markdown_source_never_passes_raw_html_either():
    out = _html(inline(HOSTILE, True))
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert "&lt;script&gt;" in out and "<em>a</em>" in out


def test_markdown_source_keeps_emphasis_math_and_links_but_not_html():
    out = inline("**도전요인:** *USSC Insights* \\$1.3 $X_m$ <https://www.korea.kr/x> <sup>9</sup> <b onclick=x>", True)
    assert out.startswith("**도전요인:** *USSC Insights* $1.3 <math")
    assert "<msub><mi>X</mi><mi>m</mi></msub>" in out
    assert "<https://www.korea.kr/x>" in out
    assert "&lt;sup&gt;9&lt;/sup&gt;" in out and "&lt;b onclick=x&gt;" in out


def test_escape_keeps_a_paragraph_from_becoming_a_list():
    assert escape_plain("- 4 -") == "\\- 4 -" and escape_plain("1. 서론") == "1\\. 서론"


def test_join_text_records_source_offsets():
    src = "분담금을 \n\n둘러싼"
    t = join_text(MText.from_source(src, 0, 5), MText.from_source(src, 7, 10))
    assert t.s == "분담금을 둘러싼" and t.offsets[0] == 0 and t.offsets[-1] == 9
