"""Chinese numerals of article numbers and counts (八十七 ↔ 87), the standard spellings read and
written here, everything else by cn2an as before.

cn2an compiles its patterns when it is imported: about 0.3 s in every fresh process
(`quanze add`, `quanze validate`, each build worker), most of an `add`'s start-up. The
numbers registers and statutes write, 一 to 九千九百九十九 in their standard spelling (and
一十四 for 十四), are read and written here; any other text (OCR noise such as 十十, 万, digits
mixed in) goes to cn2an, imported then. tests/test_numerals.py checks both directions against
cn2an for every number from 1 to 9,999.
"""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_DIGIT_VALUES = {c: n for n, c in enumerate(_DIGITS) if n}
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
_UNIT_VALUES = {c: n for n, c in _UNITS}


def spell(number: int) -> str | None:
    """87 → 八十七, 14 → 十四, 1010 → 一千零一十: the standard spelling of 1 … 9,999; None outside."""
    if not 0 < number < 10000:
        return None
    parts: list[str] = []
    started = gap = False
    for value, unit in (*_UNITS, (1, "")):
        digit = number // value % 10
        if digit:
            if gap:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit)
            started, gap = True, False
        elif started:
            gap = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def read(text: str) -> int | None:
    """The number a standard spelling names (八十七 → 87, 一十四 → 14); None for any other text."""
    total, digit = 0, None
    for char in text:
        if char in _DIGIT_VALUES:
            if digit is not None:
                return None
            digit = _DIGIT_VALUES[char]
        elif char in _UNIT_VALUES:
            total += (1 if digit is None else digit) * _UNIT_VALUES[char]
            digit = None
        elif char != "零":
            return None
    total += digit or 0
    standard = spell(total)
    if standard is None or text not in (standard, "一" + standard if standard.startswith("十") else standard):
        return None
    return total


def to_int(text: str, mode: str = "normal") -> int:
    """cn2an.cn2an(text, mode) as an int: ValueError (or cn2an's own error) for text that is no number."""
    number = read(text)
    if number is not None:
        return number
    import cn2an

    return int(cn2an.cn2an(text, mode))


def to_chinese(number: int) -> str:
    """cn2an.an2cn(number), with 十四 for 一十四 as the law writes it."""
    text = spell(number)
    if text is not None:
        return text
    import cn2an

    text = cn2an.an2cn(number)
    return text[1:] if text.startswith("一十") else text
