"""Character classes and patterns the cleaning steps share (kept apart from the logic)."""
import re
import unicodedata

# Sentence-final punctuation, and what may trail it (closing quotes/brackets, note markers).
SENTENCE_FINAL = ".!?。！？…"
CLOSERS = "'\"’”»」』】）)]〉>"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_MAP = {c: str(i) for i, c in enumerate(SUPERSCRIPT_DIGITS)}

# A line that is only a page number: "- 4 -", "– 12 –".
PAGE_NUMBER_RE = re.compile(r"^\s*[-–—]\s*\d{1,4}\s*[-–—]\s*$")
# Bullets used as list markers in extracted text.
BULLET_RE = re.compile(r"^\s*(?:[-+•●⚫▪■◦○]|\*(?=\s))\s+")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MD_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
NOTE_BODY_RE = re.compile(r"^\s*(\d{1,3})\)\s+")
# An author note in a Markdown extraction: "\* Name, ...", "\*\* Name, ..." (or unescaped).
AUTHOR_NOTE_RE = re.compile(r"^\s*(?:\\\*)+\s+|^\s*\*{2,}\s+")
FIGURE_CAPTION_RE = re.compile(
    r"^\s*[<〈《\[［]\s*(?:图|圖|그림|Figure|Fig\.)\s*\d+\s*[>〉》\]］]|^\s*(?:Figure|Fig\.)\s*\d+[.:]")
FIGURE_SOURCE_RE = re.compile(r"^\s*(?:出处|出處|资料来源|資料來源|자료|출처|Source)\s*[:：]")
# Numbered headings: "I. 引言", "3.1 案例", "#4. 연합방위체계", "1. 서론".
ROMAN_HEADING_RE = re.compile(r"^(?:[IVX]{1,5})\.\s")
DECIMAL_HEADING_RE = re.compile(r"^\d{1,2}\.\d{1,2}\.?\s")
HASH_NUMBER_HEADING_RE = re.compile(r"^#\d{1,2}\.\s")
PLAIN_NUMBER_HEADING_RE = re.compile(r"^\d{1,2}\.\s")


def is_letter_or_digit(ch: str) -> bool:
    """The characters the fidelity check counts: letters and digits of any script.

    >>> [is_letter_or_digit(c) for c in "가A1¹顾 .·"]
    [True, True, True, True, True, False, False, False]
    """
    return unicodedata.category(ch)[0] in "LN"


# The same class as a regex (str.isalnum, i.e. Unicode categories L and N): one C-level
# scan instead of a Python call per character.
LETTER_OR_DIGIT_RE = re.compile(r"[^\W_]")
NOT_LETTER_OR_DIGIT_RE = re.compile(r"[\W_]+")
# Script ranges as data: the regexes here and the search worker's (docs/javascripts/
# search-worker.js builds its own from `chars` in the search config) come from these.
HANGUL_SYLLABLES = ((0xAC00, 0xD7A3),)
HANGUL_RANGES = HANGUL_SYLLABLES + ((0x1100, 0x11FF), (0x3130, 0x318F))   # syllables, jamo, compatibility jamo
HAN_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
# A search term in Latin script: digits, lower-case letters (text is case-folded first), Latin-1 to Latin Extended-B.
LATIN_WORD_RANGES = ((0x30, 0x39), (0x61, 0x7A), (0xC0, 0x24F))


def char_class(ranges) -> str:
    """A regex character class of code point ranges.

    >>> char_class(((0x30, 0x39), (0xAC00, 0xD7A3)))
    '[0-9가-힣]'
    """
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"


def js_ranges() -> dict[str, list[list[int]]]:
    """The ranges for the search worker, as [first, last] code points."""
    return {"hangul": [list(r) for r in HANGUL_RANGES], "syllables": [list(r) for r in HANGUL_SYLLABLES],
            "han": [list(r) for r in HAN_RANGES], "latin": [list(r) for r in LATIN_WORD_RANGES]}


HANGUL_RE = re.compile(char_class(HANGUL_RANGES))
HAN_RE = re.compile(char_class(HAN_RANGES))
KANA_RE = re.compile(r"[\u3040-\u30ff]")
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_han(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FFFF)


def is_kana(ch: str) -> bool:
    return 0x3040 <= ord(ch) <= 0x30FF


def is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def is_cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFF65


def is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha() or ("LATIN" in unicodedata.name(ch, "") and ch.isalpha())
