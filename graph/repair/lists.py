"""Split enumerated lists in register cells into one entry per item.

Cells enumerate risk points, controls, duties and accountability cases in many styles:
"1. …；2.…", "1、…", "1．…", "（一）…", "(1)…", "①…", over one line or several. OCR adds
duplicated enumerators ("2. 2.调查取证…"), glues a number to its text ("4严格执行…"), loses the
first numbers ("甲；\\n乙；\\n3、丙") or repeats one (5、 then 5、). The list's style is the style
of its first enumerator; enumerators of other styles inside an entry (nested "（一）…" under
"1.…：") stay inside it. A lead-in line ending in "：" is the list's preamble, not an entry.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache


from quanze.graph.model import Span
from quanze.graph.numerals import to_int

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_DIGITS = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_BOUNDARY = r"(?:^|(?<=[\s；;。：:]))"
"""An enumerator opens the text, a line, or follows whitespace or a clause end; a number in
mid-sentence ("处骗取金额2倍") is never one."""
_SOFT_BOUNDARY = r"(?:^|(?<=[\s；;。：:,，]))"
"""Parenthesised enumerators may also follow a comma ("…依法给予处分,(一)没有…"), but only
where the number is the one due next (see _due): "第二十七条第（五）项" never has a comma."""
_TRAILING = "；;。. \t\r\n\u3000\u00a0"
_PREAMBLE_END = ("：", ":")
_PREAMBLE_PHRASE = re.compile(r"(?:下列|所列|以下)情形|情形之一|应(?:当)?承担(?:相应)?责任")
"""Words of a list's lead-in ("有下列情形之一的，…应承担相应责任："): a head holding them is the
preamble even where OCR lost its closing colon."""


@dataclass(frozen=True)
class EnumeratedList:
    """A cell's lead-in (if any) and its entries, each with the number printed before it."""

    preamble: Span | None
    entries: list[Span] = field(default_factory=list)
    numbers: list[int | None] = field(default_factory=list)
    """The printed enumerator of each entry, None where the entry has none (lost by OCR)."""


@dataclass(frozen=True)
class _Style:
    name: str
    pattern: re.Pattern[str]
    value: Callable[[str], int]


def _cn_value(token: str) -> int:
    """Value of a Chinese numeral; 0 (never a valid item number) for OCR garbage like "十十"."""
    try:
        return to_int(token)
    except ValueError:
        return 0


_STYLES: tuple[_Style, ...] = (
    # "1." "1、" "1．" "1）"; or a bare number glued to its text ("4严格…", group "glued")
    _Style(
        "arabic",
        re.compile(_BOUNDARY + rf"(?P<n>\d{{1,2}})(?:\s*[、.．,，)）](?!\d)|(?P<glued>)(?=[{_CJK}]))"),
        int,
    ),
    _Style("paren_cn", re.compile(_SOFT_BOUNDARY + rf"[（(](?P<n>[{_CN_DIGITS}]{{1,3}})[）)]"), _cn_value),
    _Style("paren_arabic", re.compile(_SOFT_BOUNDARY + r"[（(](?P<n>\d{1,2})[）)]"), int),
    _Style("circled", re.compile(rf"(?P<n>[{_CIRCLED}])"), lambda token: _CIRCLED.index(token) + 1),
    _Style("cn", re.compile(_BOUNDARY + rf"(?P<n>[{_CN_DIGITS}]{{1,3}})[、．.]"), _cn_value),
)


@dataclass
class _Marker:
    start: int
    end: int
    number: int


def _is_glued(match: re.Match[str]) -> bool:
    return match.groupdict().get("glued") is not None


def _after_comma(match: re.Match[str]) -> bool:
    """An enumerator that follows a comma: one only where its number is due."""
    start = match.start()
    return start > 0 and match.string[start - 1] in ",，"


@lru_cache(maxsize=8)
def _newlines(text: str) -> tuple[int, ...]:
    """Offsets of the line breaks of `text`, found once per text (a cell is asked for many lines)."""
    return tuple(m.start() for m in re.finditer("\n", text))


def _line_of(text: str, index: int, first_line: int) -> int:
    """The line of `text`'s character at `index`, counting from `first_line` (a binary search, not a recount)."""
    return first_line + bisect_left(_newlines(text), index)


def _clean(text: str) -> str:
    """Entry text without surrounding whitespace and trailing clause punctuation."""
    return text.strip().rstrip(_TRAILING).strip()


def _opens(match: re.Match[str], style: _Style) -> bool:
    """Whether a match can open a list: a number of its own, not glued to text."""
    number = style.value(match.group("n"))
    return not _is_glued(match) and number > 0 and (number == 1 or not _after_comma(match))


def _first_style(text: str) -> _Style | None:
    """The style of the earliest enumerator (a number glued to text never opens a list)."""
    best: tuple[int, _Style] | None = None
    for style in _STYLES:
        match = next((m for m in style.pattern.finditer(text) if _opens(m, style)), None)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), style)
    return best[1] if best else None


def _markers(text: str, style: _Style) -> list[_Marker]:
    """The list's enumerators in order, with OCR's duplicates and stray numbers sorted out."""
    found: list[_Marker] = []
    for match in style.pattern.finditer(text):
        number = style.value(match.group("n"))
        if number <= 0:
            continue  # "0." or a garbled numeral such as "十十"
        last = found[-1] if found else None
        due = last.number + 1 if last else 1
        if (_is_glued(match) or _after_comma(match)) and number != due:
            continue  # a bare number glued to text, or one after a comma, is an enumerator only where it is due
        if last and number == last.number and not text[last.end : match.start()].strip():
            last.end = match.end()  # "2. 2.调查…": one enumerator printed twice
            continue
        if last and number < last.number:
            continue  # a smaller number mid-list is part of an entry ("同 1."), not a new item
        found.append(_Marker(match.start(), match.end(), number))
    return found


_NON_SPACE = re.compile(r"\S")


def _first_char(text: str, offset: int = 0) -> int:
    """Index of the first non-space character at or after `offset` (the text's end if there is none)."""
    match = _NON_SPACE.search(text, offset)
    return match.start() if match else len(text)


def _head(head: str, first_line: int) -> tuple[Span | None, list[Span]]:
    """Text before the first enumerator: a preamble ("…应承担相应责任：") or unnumbered items."""
    stripped = head.strip()
    if not stripped:
        return None, []
    if stripped.endswith(_PREAMBLE_END) or _PREAMBLE_PHRASE.search(stripped):
        return Span(stripped, _line_of(head, _first_char(head), first_line)), []
    items = [
        Span(_clean(line), first_line + offset)
        for offset, line in enumerate(head.split("\n"))
        if _clean(line)
    ]
    return None, items


def split_enumerated(text: str, first_line: int = 1) -> EnumeratedList:
    """Preamble and entries of an enumerated cell; `first_line` is the line the text starts on."""
    if not text or not text.strip():
        return EnumeratedList(None)
    style = _first_style(text)
    markers = _markers(text, style) if style else []
    if not markers:
        return _unmarked(text, first_line)
    preamble, entries = _head(text[: markers[0].start], first_line)
    numbers: list[int | None] = [None] * len(entries)
    for index, marker in enumerate(markers):
        stop = markers[index + 1].start if index + 1 < len(markers) else len(text)
        body = _clean(text[marker.end : stop])
        if not body:
            continue
        if numbers and numbers[-1] == marker.number and _same_entry(entries[-1].text, body):
            # OCR printed one entry twice ("(五)执法人员…的。 (五)执法人员…的。行政机关…"): keep the fuller
            if len(body) > len(entries[-1].text):
                entries[-1] = Span(body, entries[-1].line)
            continue
        entries.append(Span(body, _line_of(text, marker.start, first_line)))
        numbers.append(marker.number)
    return EnumeratedList(preamble, entries, numbers)


def _same_entry(a: str, b: str) -> bool:
    """Two entries under one number are one printed twice when one begins with the other or
    they are nearly the same text."""
    a, b = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return a.startswith(b) or b.startswith(a) or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


_DUTY_HEADINGS = re.compile(rf"(?:^|(?<=[\s。；;]))[{_CJK}]{{2,8}}责任\s*[：:]")
"""Unnumbered duty headings ("救助责任：… 保密责任：…"): each opens an entry."""
_LOOSE_SEPARATOR = re.compile(r"[；;][ \t\u3000\u00a0]+(?=\S)")
"""A clause end followed by a gap on the same line: where OCR lost the numbers of a list
("甲; 乙; 丙。"); a line break after "；" is only the cell wrapping."""
_MIN_ITEM = 4


def _cjk_count(text: str) -> int:
    return len(re.findall(rf"[{_CJK}]", text))


def _unmarked(text: str, first_line: int) -> EnumeratedList:
    """A cell without enumerators: a lead-in alone, unnumbered items, or one entry."""
    start = _first_char(text)
    body = _clean(text)
    if body.endswith(_PREAMBLE_END):  # "…的，行政机关及相关工作人员应承担相应责任：" and nothing after it
        return EnumeratedList(Span(body, _line_of(text, start, first_line)), [], [])
    headings = [m.start() for m in _DUTY_HEADINGS.finditer(text)]
    if len(headings) >= 2 and not text[:headings[0]].strip():
        bounds = [*headings, len(text)]
        parts = [(bounds[i], text[bounds[i] : bounds[i + 1]]) for i in range(len(headings))]
    else:
        cuts = [0, *(m.end() for m in _LOOSE_SEPARATOR.finditer(text)), len(text)]
        parts = [(cuts[i], text[cuts[i] : cuts[i + 1]]) for i in range(len(cuts) - 1)]
        if len(parts) < 2 or any(_cjk_count(part) < _MIN_ITEM for _, part in parts):
            parts = [(start, text)]
    entries = [Span(_clean(part), _line_of(text, _first_char(text, offset), first_line)) for offset, part in parts if _clean(part)]
    return EnumeratedList(None, entries, [None] * len(entries))


_CN_COUNT = "〇零一二两三四五六七八九十百"
_COUNT = re.compile(rf"(\d+|[{_CN_COUNT}]+)\s*个")
_BARE_COUNT = re.compile(rf"^\s*(\d+|[{_CN_COUNT}]+)\s*$")


def parse_declared_count(text: str) -> int | None:
    """The count a register declares ("3个", "2 个", "三个"), so a mismatch can be reported."""
    match = _COUNT.search(text or "") or _BARE_COUNT.match(text or "")
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    try:
        return to_int(token)
    except (ValueError, KeyError):
        return None
