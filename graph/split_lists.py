"""Split enumerated lists in register cells into one entry per item.

Cells enumerate risk points, controls, duties and accountability cases in many styles:
"1. …；2.…", "1、…", "（一）…", "(1)…", "①…", over one line or several. OCR adds duplicated
enumerators ("2. 2.调查取证…"), glues a number to its text ("4严格执行…"), loses the first
numbers ("…；3、…") or repeats one (5、 then 5、). The list's style is the style of its first
enumerator; enumerators of other styles inside an entry stay inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cn2an

from graph.model import Span

_CN_DIGITS = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# style name → pattern of an enumerator at a boundary (start of text/line or after ；;。)
_STYLES: dict[str, str] = {
    "arabic": r"(?P<n>\d{1,2})\s*(?:[、.．,，]|(?=[\u4e00-\u9fff]))",
    "paren_cn": rf"[（(](?P<n>[{_CN_DIGITS}]{{1,3}})[）)]",
    "paren_arabic": r"[（(](?P<n>\d{1,2})[）)]",
    "circled": rf"(?P<n>[{_CIRCLED}])",
    "cn": rf"(?P<n>[{_CN_DIGITS}]{{1,3}})、",
}
_BOUNDARY = r"(?:(?<=^)|(?<=\n)|(?<=[；;。:：])|(?<=[；;。]\s)|(?<=\s))\s*"
_TRAILING = " \t\n；;。.，,、"


@dataclass(frozen=True)
class EnumeratedList:
    preamble: Span | None
    entries: list[Span] = field(default_factory=list)
    numbers: list[int | None] = field(default_factory=list)


def _value(style: str, token: str) -> int:
    if style == "circled":
        return _CIRCLED.index(token) + 1
    if style in ("paren_cn", "cn"):
        return int(cn2an.cn2an(token, "smart"))
    return int(token)


def _line_of(text: str, index: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, index)


def _find_style(text: str) -> str | None:
    """The style of the first enumerator in the text."""
    best: tuple[int, str] | None = None
    for style, pattern in _STYLES.items():
        match = re.search(_BOUNDARY + pattern, text)
        if match and (style != "arabic" or match.group("n") in ("1", "2", "3")):
            start = match.start("n")
            if best is None or start < best[0]:
                best = (start, style)
    return best[1] if best else None


def _markers(text: str, style: str) -> list[tuple[int, int, int]]:
    """(start, end, number) of each enumerator of the list, in order, sanity-checked."""
    found: list[tuple[int, int, int]] = []
    glued = style == "arabic"
    for match in re.finditer(_BOUNDARY + _STYLES[style], text):
        number = _value(style, match.group("n"))
        token_end = match.end()
        is_glued = glued and not re.match(r"\d+\s*[、.．,，]", text[match.start("n") : token_end + 1])
        expected = found[-1][2] + 1 if found else None
        if is_glued and number != expected:
            continue  # a bare number glued to text is an enumerator only where the next one is due
        start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        if found and number == found[-1][2] and start <= found[-1][1] + 2:
            # duplicated enumerator ("2. 2.调查…"): swallow the second one
            found[-1] = (found[-1][0], token_end, number)
            continue
        if found and number < found[-1][2] and number != 1:
            continue  # a smaller number mid-list is a reference inside an entry ("第3项"), not an item
        found.append((start, token_end, number))
    return found


def _clean(text: str) -> str:
    return text.strip().strip(_TRAILING).strip()


def split_enumerated(text: str, first_line: int = 1) -> EnumeratedList:
    """Preamble (a lead-in ending in "：") and entries of an enumerated cell."""
    if not text or not text.strip():
        return EnumeratedList(None)
    style = _find_style(text)
    markers = _markers(text, style) if style else []
    if not markers:
        return _unnumbered(text, first_line)
    entries: list[Span] = []
    numbers: list[int | None] = []
    preamble: Span | None = None
    head = text[: markers[0][0]]
    if head.strip():
        stripped = head.strip()
        if stripped.endswith(("：", ":")) and markers[0][2] == 1:
            preamble = Span(_clean(stripped), _line_of(text, text.index(stripped[0]), first_line))
        else:
            for part in _unnumbered(head, first_line).entries:  # lost leading numbers: items 1, 2 …
                entries.append(part)
                numbers.append(None)
    for index, (start, end, number) in enumerate(markers):
        stop = markers[index + 1][0] if index + 1 < len(markers) else len(text)
        body = _clean(text[end:stop])
        if body:
            entries.append(Span(body, _line_of(text, start, first_line)))
            numbers.append(number)
    return EnumeratedList(preamble, entries, numbers)


def _unnumbered(text: str, first_line: int) -> EnumeratedList:
    """Lines with no enumerator: each non-empty line one entry (a cell's lines are its items)."""
    entries, numbers = [], []
    for offset, line in enumerate(text.split("\n")):
        if _clean(line):
            entries.append(Span(_clean(line), first_line + offset))
            numbers.append(None)
    preamble = None
    if len(entries) > 1 and entries[0].text.endswith(("：", ":")):
        preamble, entries, numbers = entries[0], entries[1:], numbers[1:]
    return EnumeratedList(preamble, entries, numbers)


def parse_declared_count(text: str) -> int | None:
    """"3个" → 3, "三个" → 3, "" → None."""
    match = re.search(r"(\d+|[零一二两三四五六七八九十百]+)\s*个?", text or "")
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    try:
        return int(cn2an.cn2an(token.replace("两", "二"), "smart"))
    except ValueError:
        return None
