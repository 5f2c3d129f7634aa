"""Pure repairs of what OCR does to any cell's text.

Each function fixes one kind of damage and says what it found, so the mapper can both use
the repaired text and record the damage (qz:truncatedField, qz:garbledField) on the item.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}、，；：（）《》“”])\s+(?=[{_CJK}、，；：（）《》“”])")

# Cyrillic and Greek capitals that look like Latin ones; OCR picks them inside item codes.
_HOMOGLYPHS = str.maketrans(
    {
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K",
        "М": "M", "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
    }
)


def collapse_cjk_spaces(text: str) -> str:
    """Remove the spaces OCR puts where a cell's line wrapped ("北关区医疗 保障局")."""
    return _SPACE_BETWEEN_CJK.sub("", text).strip()


def strip_truncation(text: str) -> tuple[str, bool]:
    """Drop U+FFFD left where a cell was cut mid-character; say whether there was one."""
    if REPLACEMENT not in text:
        return text, False
    return text.replace(REPLACEMENT, "").rstrip(), True


def repetition_start(text: str, min_repeats: int = 4, max_unit: int = 12) -> int | None:
    """Index where OCR noise begins: a short unit repeated at least `min_repeats` times in a row.

    OCR engines that lose their place emit "工工工工…" or "不是一个人,不是一个人,…"; the
    text before the loop is usually real, the loop never is.
    """
    span = repetition_span(text, min_repeats, max_unit)
    return span[0] if span else None


_FILLER = re.compile(r"[\s,，、;；.。．·…\-—_]")
"""What a repeated unit may consist of and still not be a loop: whitespace (U+00A0 and
U+3000 included: tables pad cells with them) and punctuation runs."""


def repetition_span(text: str, min_repeats: int = 4, max_unit: int = 12) -> tuple[int, int] | None:
    """(start, end) of the earliest OCR repetition loop of the text, or None."""
    best: tuple[int, int] | None = None
    for unit in range(1, max_unit + 1):
        pattern = re.compile(rf"(.{{{unit}}})\1{{{min_repeats - 1},}}", re.DOTALL)
        for match in pattern.finditer(text):
            if not _FILLER.sub("", match.group(1)):
                continue  # padding, not noise
            if best is None or match.start() < best[0]:
                best = (match.start(), match.end())
            break
    return best


def cut_at_loop(text: str) -> tuple[str, bool]:
    """The text before its first OCR repetition loop, and whether there was one."""
    start = repetition_start(text)
    if start is None:
        return text, False
    return text[:start], True


def is_garbled(text: str) -> bool:
    """True when a cell contains an OCR repetition loop."""
    return repetition_start(text) is not None


def normalise_code_chars(text: str) -> str:
    """Latin capitals and ASCII digits for an item code: homoglyphs and full-width forms undone."""
    text = unicodedata.normalize("NFKC", text).translate(_HOMOGLYPHS)
    return re.sub(r"\s+", "", text).upper()


def compact(text: str) -> str:
    """Text with all whitespace removed, for comparing labels."""
    return re.sub(r"\s+", "", text)
