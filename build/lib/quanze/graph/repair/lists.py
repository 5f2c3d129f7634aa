"""Split enumerated lists in register cells into one entry per item.

Cells enumerate risk points, controls, duties and accountability cases in many styles:
"1. …；2.…", "1、…", "1．…", "（一）…", "(1)…", "①…", over one line or several. OCR adds
duplicated enumerators ("2. 2.调查取证…"), glues a number to its text ("4严格执行…"), loses the
first numbers ("甲；\\n乙；\\n3、丙") or repeats one (5、 then 5、). The list's style is the style
of its first enumerator; enumerators of other styles inside an entry (nested "（一）…" under
"1.…：") stay inside it. A lead-in line ending in "：" is the list's preamble, not an entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import cn2an

from quanze.graph.model import Span

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_DIGITS = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_BOUNDARY = r"(?:^|(?<=[\s；;。：:]))"
"""An enumerator opens the text, a line, or follows whitespace or a clause end; a number in
mid-sentence ("处骗取金额2倍") is never one."""
_TRAILING = "；;。. \t\r\n\u3000"
_PREAMBLE_END = ("：", ":")


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
        return int(cn2an.cn2an(token, "normal"))
    except ValueError:
        return 0


_STYLES: tuple[_Style, ...] = (
    # "1." "1、" "1．" "1）"; or a bare number glued to its text ("4严格…", group "glued")
    _Style(
        "arabic",
        re.compile(_BOUNDARY + rf"(?P<n>\d{{1,2}})(?:\s*[、.．,，)）](?!\d)|(?P<glued>)(?=[{_CJK}]))"),
        int,
    ),
    _Style("paren_cn", re.compile(_BOUNDARY + rf"[（(](?P<n>[{_CN_DIGITS}]{{1,3}})[）)]"), _cn_value),
    _Style("paren_arabic", re.compile(_BOUNDARY + r"[（(](?P<n>\d{1,2})[）)]"), int),
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


def _line_of(text: str, index: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, index)


def _clean(text: str) -> str:
    """Entry text without surrounding whitespace and trailing clause punctuation."""
    return text.strip().rstrip(_TRAILING).strip()


def _opens(match: re.Match[str], style: _Style) -> bool:
    """Whether a match can open a list: a number of its own, not glued to text."""
    return not _is_glued(match) and style.value(match.group("n")) > 0


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
        if _is_glued(match) and (last is None or number != last.number + 1):
            continue  # a bare number glued to text is an enumerator only where it is due
        if last and number == last.number and not text[last.end : match.start()].strip():
            last.end = match.end()  # "2. 2.调查…": one enumerator printed twice
            continue
        if last and number < last.number:
            continue  # a smaller number mid-list is part of an entry ("同 1."), not a new item
        found.append(_Marker(match.start(), match.end(), number))
    return found


def _first_char(text: str, offset: int = 0) -> int:
    """Index of the first non-space character at or after `offset`."""
    return offset + len(text[offset:]) - len(text[offset:].lstrip())


def _head(head: str, first_line: int) -> tuple[Span | None, list[Span]]:
    """Text before the first enumerator: a preamble ("…应承担相应责任：") or unnumbered items."""
    stripped = head.strip()
    if not stripped:
        return None, []
    if stripped.endswith(_PREAMBLE_END):
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
        body = _clean(text)
        return EnumeratedList(None, [Span(body, _line_of(text, _first_char(text), first_line))], [None])
    preamble, entries = _head(text[: markers[0].start], first_line)
    numbers: list[int | None] = [None] * len(entries)
    for index, marker in enumerate(markers):
        stop = markers[index + 1].start if index + 1 < len(markers) else len(text)
        body = _clean(text[marker.end : stop])
        if body:
            entries.append(Span(body, _line_of(text, marker.start, first_line)))
            numbers.append(marker.number)
    return EnumeratedList(preamble, entries, numbers)


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
        return int(cn2an.cn2an(token, "normal"))
    except (ValueError, KeyError):
        return None
