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
from collections.abc import Iterable
from dataclasses import dataclass

from quanze.graph.read.columns import field_of, load_synonyms
from quanze.graph.model import Span, TableRow
from quanze.graph.read.limits import limit, over
from quanze.graph.read.text import UnreadableInput


class NoHeader(UnreadableInput):
    """No row of the input names enough known register columns."""


_CELL_START = re.compile(r"^( *)\t(.*)$")
_INTEGER = re.compile(r"^\s*(\d{1,4})\s*$")
_MIN_HEADER_FIELDS = 3


def read_table(text: str, file: str) -> list[TableRow]:
    """Read every data row of a tabular register; raise NoHeader if none is recognisable."""
    lines = text.split("\n")
    longest = max(lines, key=len)
    if len(longest) > limit("QUANZE_MAX_CELL_CHARS"):
        raise over(file, f"line {lines.index(longest) + 1:,}: its length in characters", "QUANZE_MAX_CELL_CHARS", len(longest))
    if _is_cell_layout(lines):
        return _read_cell_layout(lines, file)
    return _read_tsv(lines, file)


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


def _read_tsv(lines: list[str], file: str) -> list[TableRow]:
    return rows_from_cells(
        [(number, line.split("\t")) for number, line in enumerate(lines, start=1) if "\t" in line], file
    )


def rows_from_cells(rows: Iterable[tuple[int, list[str]]], file: str) -> list[TableRow]:
    """Data rows of a grid of cells (TSV, CSV, a spreadsheet): found under their header row.

    Rows before the first header (titles) are skipped; a header repeated on every page is
    recognised again and skipped; blank rows are ignored. `rows` pairs each row's line or row
    number with its cells; it may be a stream, read only as far as the limits allow
    (QUANZE_MAX_ROWS rows of data, QUANZE_MAX_COLUMNS cells a row, QUANZE_MAX_CELL_CHARS a cell).
    """
    header: list[str | None] | None = None
    result: list[TableRow] = []
    max_rows, max_columns, max_cell = limit("QUANZE_MAX_ROWS"), limit("QUANZE_MAX_COLUMNS"), limit("QUANZE_MAX_CELL_CHARS")
    for number, cells in rows:
        if len(cells) > max_columns:
            raise over(file, f"row {number:,}: the number of cells", "QUANZE_MAX_COLUMNS", len(cells))
        if not any(cell.strip() for cell in cells):
            continue
        if max(map(len, cells)) > max_cell:
            raise over(file, f"row {number:,}: a cell's length in characters", "QUANZE_MAX_CELL_CHARS", max(map(len, cells)))
        if len(result) >= max_rows:
            raise over(file, "the number of rows", "QUANZE_MAX_ROWS", None)
        fields = _header_fields(cells)
        if fields:
            header = fields
            continue
        if header is None:
            continue
        spans = {field: Span(cell.strip(), number) for field, cell in zip(header, cells) if field}
        result.append(_row(file, number, spans, "\t".join(cells)))
    if header is None:
        raise NoHeader(f"{file}: no header row with known register columns (序号, 事项名称, 权力类型 …)")
    return result


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
            if len(records) >= limit("QUANZE_MAX_ROWS"):
                raise over(file, "the number of rows", "QUANZE_MAX_ROWS", None)
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
