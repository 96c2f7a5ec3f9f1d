"""Small named cleaning steps, each a pure function with a doctest (after ftfy's fixes.py).

They work on plain strings; segment.py applies them to source-mapped text.
"""
from __future__ import annotations

import re

from build_scripts.cleaning.chardata import (CLOSERS, HAN_RE, HANGUL_RE, KANA_RE, LATIN_RE, SENTENCE_FINAL,
                       SUPERSCRIPT_DIGITS, is_cjk_punct, is_han, is_hangul, is_kana)


def strip_bom(text: str) -> str:
    """Drop a leading byte-order mark.

    >>> strip_bom("\\ufeff한미동맹")
    '한미동맹'
    """
    return text[1:] if text.startswith("\ufeff") else text


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF.

    >>> normalize_newlines("가\\r\\n나\\r다")
    '가\\n나\\n다'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def ends_sentence(text: str) -> bool:
    """Does this line end a sentence? Trailing quotes, brackets and note markers
    ("다.2", "했다.¹⁾", "이다.’") are looked through.

    >>> [ends_sentence(s) for s in ["위기다. ", "자평한다.2   ", "했다.¹⁾", "방위비 분담금을 ", "均衡。", "pp.112"]]
    [True, True, True, False, True, False]
    """
    s = text.rstrip()
    s = re.sub(r"(?:[" + SUPERSCRIPT_DIGITS + r"]+⁾|\d{1,2})$", "", s) if re.search(r"[.!?。！？’”\"']\s*(?:[" + SUPERSCRIPT_DIGITS + r"]+⁾|\d{1,2})$", s) else s
    s = re.sub(r"[" + SUPERSCRIPT_DIGITS + r"]+⁾$", "", s).rstrip()
    s = s.rstrip(CLOSERS)
    return bool(s) and s[-1] in SENTENCE_FINAL


def trailing_spaces(line: str) -> int:
    """How many spaces end the line (two or more mark a paragraph end in some extractions).

    >>> trailing_spaces("예상된다.  "), trailing_spaces("전망되고, ")
    (2, 1)
    """
    return len(line) - len(line.rstrip(" \t\u00a0"))


def needs_no_space(left: str, right: str) -> bool:
    """Chinese and Japanese lines join without a space; so does a line-end hyphen in a compound.

    >>> needs_no_space("재래식-", "핵전력"), needs_no_space("盟友间的", "冲突"), needs_no_space("분담금을", "둘러싼")
    (True, True, False)
    """
    if not left or not right:
        return True
    a, b = left[-1], right[0]
    if a == "-" and len(left) > 1 and not left[-2].isspace():
        return True
    cjk = lambda c: is_han(c) or is_kana(c) or is_cjk_punct(c)  # noqa: E731
    return cjk(a) or cjk(b)


def dominant_script(text: str) -> str:
    """'ko', 'zh', 'ja' or 'en': the language a passage is in, judged by its letters.

    >>> dominant_script("韩美同盟 (US-ROK alliance) 的困境"), dominant_script("한미동맹(韩美同盟)은"), dominant_script("This paper uses")
    ('zh', 'ko', 'en')
    """
    hangul = len(HANGUL_RE.findall(text))
    han = len(HAN_RE.findall(text))
    kana = len(KANA_RE.findall(text))
    latin = len(LATIN_RE.findall(text))
    if hangul and hangul >= han / 3:
        return "ko"
    if kana > 0 and kana >= han / 4:
        return "ja"
    if han and han * 2 >= latin / 2:
        return "zh"
    if latin:
        return "en"
    return "ko" if hangul else "zh" if han else "und"


def collapse_letter_spacing(heading: str) -> str:
    """Headings set with spaced-out syllables ("결 론") are one word ("결론").

    Only when every token is a single Hangul syllable, so real spaces in headings stay.

    >>> collapse_letter_spacing("결 론"), collapse_letter_spacing("대(對) 중국 정책"), collapse_letter_spacing("한미 동맹")
    ('결론', '대(對) 중국 정책', '한미 동맹')
    """
    tokens = heading.split()
    if len(tokens) >= 2 and all(len(t) == 1 and is_hangul(t) for t in tokens):
        return "".join(tokens)
    return heading


def superscript_to_int(s: str) -> int:
    """¹⁹ -> 19.

    >>> superscript_to_int("¹⁹")
    19
    """
    return int("".join(str(SUPERSCRIPT_DIGITS.index(c)) for c in s))
