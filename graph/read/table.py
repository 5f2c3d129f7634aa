"""Header-driven reader for tabular registers, in the two text layouts OCR leaves them in.

* Tab-separated rows (one row per line) whose header row repeats on every page
  (瓜州县, 北关区 registers).
* Cell-per-line layout: every cell starts on a line that begins with a tab, and a cell
  may continue on following lines (潘集区 registers). A row's 序号 cell may be missing.

Both are found by their header row (see graph.columns), so a register with other columns
or another column order reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import unicodedata

from quanze.graph.read.columns import field_of, load_synonyms
from quanze.graph.model import Span, TableRow
from quanze.graph.read.grid import GridRead, context_line, finish, parse_number, read_grid
from quanze.graph.read.text import UnreadableInput


class NoHeader(UnreadableInput):
    """No row of the input names enough known register columns."""


_CELL_START = re.compile(r"^( *)\t(.*)$")
_INTEGER = re.compile(r"^\s*(\d{1,4})\s*$")
_MIN_HEADER_FIELDS = 3


def read_table(text: str, file: str) -> list[TableRow]:
    """Read every data row of a tabular register; raise NoHeader if none is recognisable."""
    return read_table_grid(text, file).rows


def read_table_grid(text: str, file: str) -> GridRead:
    """The records of a text register and what surrounds them (titles, notes, unknown columns).

    Layouts: label | value cards, one cell per tab-led line (OCR), tab-separated rows, and
    columns aligned with spaces (PDF to text)."""
    text = text.replace("\f", "\n")
    lines = text.split("\n")
    if _is_card_layout(lines):
        return _read_cards(lines, file)
    if _is_cell_layout(lines):
        rows = _read_cell_layout(lines, file)
        head = [(i, line.strip()) for i, line in enumerate(lines[:8], start=1) if line.strip() and not line.startswith("\t")]
        out = GridRead(rows=rows, found_header=True)
        for _, line in head:
            out.context.append(context_line(line, [line], out.context))
        return out
    if sum("\t" in line for line in lines) >= 2:
        return _read_tsv(lines, file)
    return _read_aligned(lines, file)


def _header_fields(cells: list[str]) -> list[str | None] | None:
    """Field keys of a candidate header row, or None if it is not a header."""
    synonyms = load_synonyms()
    fields = [field_of(cell, synonyms) for cell in cells]
    known = [f for f in fields if f]
    if len(known) >= _MIN_HEADER_FIELDS and "name" in known:
        return fields
    return None


def _is_cell_layout(lines: list[str]) -> bool:
    """True when most non-blank lines hold one cell that begins with a tab."""
    starts = [line for line in lines if _CELL_START.match(line)]
    multi = [line for line in lines if line.count("\t") >= 2]
    return len(starts) > len(multi)


# --- one row per line -------------------------------------------------------------------


def _read_tsv(lines: list[str], file: str) -> GridRead:
    grid = [(number, line.split("\t")) for number, line in enumerate(lines, start=1) if line.strip()]
    out = read_grid(grid, file)
    if not out.found_header:
        raise NoHeader(f"{file}: no header row with known register columns (序号, 事项名称, 权力类型 …)")
    finish(out.rows)
    return out


def rows_from_cells(rows: list[tuple[int, list[str]]], file: str) -> list[TableRow]:
    """Data rows of a grid of cells (TSV, CSV, a spreadsheet): found under their header row
    (see graph.read.grid). `rows` pairs each row's line or row number with its cells."""
    out = read_grid(rows, file)
    if not out.found_header:
        raise NoHeader(f"{file}: no header row with known register columns (序号, 事项名称, 权力类型 …)")
    return finish(out.rows)


# --- label | value cards --------------------------------------------------------------------

_CARD_LINE = re.compile(r"^(?P<text>.*?)\s*\|\s*$")
_CARD_RULE = re.compile(r"^\s*[-=—_]{8,}\s*$")


def _is_card_layout(lines: list[str]) -> bool:
    filled = [line for line in lines if line.strip()]
    return len(filled) >= 6 and sum(bool(_CARD_LINE.match(line)) for line in filled) * 2 >= len(filled)


def _read_cards(lines: list[str], file: str) -> GridRead:
    """One card per item: label line, value line (each ending in |), cards between rules."""
    cards: list[tuple[int, list[tuple[str, str]]]] = []
    context: list[str] = []
    pending: tuple[str, int] | None = None
    card: list[tuple[str, str]] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        match = _CARD_LINE.match(line)
        if _CARD_RULE.match(line) or (not line.strip() and not pending):
            if card:
                cards.append((start, card))
                card = []
            continue
        if not match:
            if pending:  # a value wrapped over lines before its bar
                pending = (pending[0] + "\n" + line.strip(), pending[1])
            elif not cards and not card:
                context.append(line.strip())
            continue
        if not card and pending is None:
            start = number
        if pending is None:
            pending = (match["text"].strip(), number)
        else:
            card.append((pending[0], match["text"].strip()))
            pending = None
    if card:
        cards.append((start, card))
    labels: list[str] = []
    for _, entries in cards:
        for label, _ in entries:
            if label not in labels:
                labels.append(label)
    grid = [(start, [dict(entries).get(label, "") for label in labels]) for start, entries in cards]
    out = read_grid(grid, file, header=labels)
    if not out.found_header:
        raise NoHeader(f"{file}: no card labels name known register fields (职权名称, 实施依据 …)")
    out.context = _context(context) + out.context
    finish(out.rows)
    return out


def _context(lines: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for line in lines:
        found.append(context_line(line, [line], found))
    return found


# --- columns aligned with spaces (PDF to text) ------------------------------------------------


def _width(text: str, wide: bool = True) -> int:
    """Display width (a CJK character is two columns), or the plain count of characters."""
    if not wide:
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _tokens(line: str, wide: bool = True) -> list[tuple[int, str]]:
    """(column, text) of each run separated by two or more spaces."""
    found = []
    for match in re.finditer(r"\S+(?: \S+)*", line):
        found.append((_width(line[: match.start()], wide), match.group()))
    return found


def _misalignment(lines: list[str], header: str, wide: bool) -> int:
    """How far the runs of the lines start from the header's columns, measured one way."""
    starts = [column for column, _ in _tokens(header, wide)]
    return sum(min(abs(column - s) for s in starts) for line in lines for column, _ in _tokens(line, wide))


def _split_at(line: str, starts: list[int], wide: bool = True) -> list[str]:
    """A line's text cut into columns at the header's positions (a cell belongs to the column
    whose start is nearest at or before it)."""
    cells = [""] * len(starts)
    for column, text in _tokens(line, wide):
        index = max((i for i, s in enumerate(starts) if s <= column + 1), default=0)
        cells[index] = (cells[index] + " " + text).strip() if cells[index] else text
    return cells


def _read_aligned(lines: list[str], file: str) -> GridRead:
    header_at = None
    for number, line in enumerate(lines):
        tokens = _tokens(line)
        if len(tokens) >= 3 and _header_fields([t for _, t in tokens]):
            header_at = number
            break
    if header_at is None:
        raise NoHeader(f"{file}: no header row with known register columns (序号, 事项名称, 权力类型 …)")
    header_line = lines[header_at]
    sample = [line for line in lines[header_at + 1 : header_at + 40] if line.strip()]
    # PDF-to-text tools align columns by display width or by characters: take the one that fits
    wide = _misalignment(sample, header_line, True) <= _misalignment(sample, header_line, False)
    tokens = _tokens(header_line, wide)
    starts = [column for column, _ in tokens]
    headers = [text for _, text in tokens]
    number_col = next((i for i, h in enumerate(headers) if field_of(h) == "number"), 0)
    records: list[tuple[int, list[str]]] = []
    context = [line.strip() for line in lines[:header_at] if line.strip()]
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or line.strip() == header_line.strip():
            continue
        if re.match(r"^\s*(?:[—\-－]\s*\d+\s*[—\-－]|第\s*\d+\s*页.*)\s*$", line):
            continue
        cells = _split_at(line, starts, wide)
        if parse_number(cells[number_col]):
            records.append((number, cells))
        elif records:
            held = records[-1][1]
            for index, text in enumerate(cells):
                if text:
                    joiner = "\n" if re.match(r"^(?:\d{1,2}\s*[、.．]|[（(][一二三四五六七八九十\d])", text) else ""
                    held[index] = held[index] + joiner + text if held[index] else text
        else:
            context.append(line.strip())
    out = read_grid(records, file, header=headers)
    out.context = _context(context) + out.context
    finish(out.rows)
    return out


# --- cell per line --------------------------------------------------------------------


@dataclass
class _Cell:
    text: str
    line: int
    marked: bool
    """The line began with spaces before its tab: a row whose first column is empty."""
    after_blank: bool


def _cells(lines: list[str]) -> list[_Cell]:
    cells: list[_Cell] = []
    blank = True
    for number, line in enumerate(lines, start=1):
        match = _CELL_START.match(line)
        if match:
            cells.append(_Cell(match.group(2), number, bool(match.group(1)), blank))
        elif cells:
            cells[-1].text += "\n" + line
        blank = not line.strip()
    return cells


def _read_cell_layout(lines: list[str], file: str) -> list[TableRow]:
    cells = _cells(lines)
    header: list[str | None] = []
    synonyms = load_synonyms()
    while len(header) < len(cells) and field_of(_joined(cells[len(header)].text), synonyms):
        header.append(field_of(_joined(cells[len(header)].text), synonyms))
    if _header_fields([_joined(c.text) for c in cells[: len(header)]]) is None:
        raise NoHeader(f"{file}: no header row with known register columns (序号, 事项名称, 权力类型 …)")
    width = len(header)
    records: list[list[_Cell]] = []
    for cell in cells[width:]:
        if not records or _starts_record(cell, records[-1], width):
            records.append([])
        records[-1].append(cell)
    return [_record_row(file, lines, header, record) for record in records]


def _joined(text: str) -> str:
    """A header cell broken over lines ("事项\\n类型") read as one word."""
    return "".join(part.strip() for part in text.split("\n"))


def _starts_record(cell: _Cell, current: list[_Cell], width: int) -> bool:
    if len(current) >= width or cell.marked:
        return True
    return cell.after_blank and bool(_INTEGER.match(cell.text)) and len(current) * 2 >= width


def _record_row(file: str, lines: list[str], header: list[str | None], record: list[_Cell]) -> TableRow:
    fields = list(header)
    if "number" in fields and not _INTEGER.match(record[0].text):
        fields.remove("number")  # the row left its 序号 out; the other cells keep their order
    spans = {
        field: Span(cell.text.strip(), cell.line)
        for field, cell in zip(fields, record)
        if field
    }
    first, last = record[0].line, record[-1].line + record[-1].text.count("\n")
    raw = "\n".join(lines[first - 1 : last])
    return _row(file, first, spans, raw)


def _row(file: str, line: int, spans: dict[str, Span], raw: str) -> TableRow:
    number_cell = spans.pop("number", None)
    match = _INTEGER.match(number_cell.text) if number_cell else None
    return TableRow(file=file, line=line, number=int(match.group(1)) if match else None, cells=spans, raw=raw)
