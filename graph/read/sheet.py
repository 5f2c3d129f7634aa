"""Readers for registers exported from spreadsheets: CSV (any common delimiter) and XLSX.

Both end in graph.read_table.rows_from_cells, so the header synonyms, repeated headers and
title rows are handled the same way as in the text layouts. In XLSX the header may sit under
title rows, merged cells carry their value into every cell they cover, and every sheet with a
header row is read.
"""

from __future__ import annotations

import csv
import io
import zipfile

from collections import Counter

from quanze.graph.model import TableRow
from quanze.graph.read.grid import GridRead, finish, read_grid
from quanze.graph.read.table import NoHeader
from quanze.graph.read.text import UnreadableInput

_NO_HEADER = "no header row with known register columns (序号, 事项名称, 权力类型 …)"


def _delimiter(text: str, tab: bool) -> str:
    """The delimiter that splits the most of the first lines into the same number (≥ 3) of
    fields; a full-width comma inside a cell is text, so it is tried last."""
    if tab:
        return "\t"
    lines = [line for line in text.split("\n")[:30] if line.strip()]
    best, score = ",", -1
    for candidate in (",", "\t", ";", "，"):
        widths = Counter(len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate))
        width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0])) if widths else (1, 0)
        if width >= 3 and count > score:
            best, score = candidate, count
    return best


def read_csv(text: str, file: str) -> list[TableRow]:
    """Rows of a CSV register; the delimiter (comma, tab, semicolon) is told from the text."""
    return read_csv_grid(text, file).rows


def read_csv_grid(text: str, file: str) -> GridRead:
    tab = file.lower().endswith(".tsv")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text, tab))
    out = read_grid([(reader.line_num, row) for row in reader], file)
    if not out.found_header:
        raise NoHeader(f"{file}: {_NO_HEADER}")
    finish(out.rows)
    return out


def read_xlsx(data: bytes, file: str) -> list[TableRow]:
    """Rows of every sheet of an XLSX workbook that has a register header."""
    return read_xlsx_grid(data, file).rows


def read_xlsx_grid(data: bytes, file: str) -> GridRead:
    """Every sheet of an XLSX workbook that has a register header; its name and title rows
    become context (they may name the jurisdiction or the power type)."""
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise UnreadableInput(f"{file}: not an XLSX workbook")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:  # SyntaxError: XML ParseError
        raise UnreadableInput(f"{file}: not a readable XLSX workbook ({error})") from error
    result = GridRead()
    for sheet in workbook.worksheets:
        grid = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, merged.max_col):
                    if c < len(grid[r]):
                        grid[r][c] = value
        found = read_grid([(n, row) for n, row in enumerate(grid, start=1)], f"{file}#{sheet.title}", sheet=sheet.title)
        if not found.found_header:
            continue
        result.found_header = True
        result.rows.extend(finish(found.rows))
        result.context.append(("sheet", sheet.title))
        result.context.extend(found.context)
        for header, key in found.columns.items():
            result.columns.setdefault(header, key)
        result.unknown.extend(u for u in found.unknown if u not in result.unknown)
    if not result.found_header:
        raise NoHeader(f"{file}: no sheet has a header row with known register columns (序号, 事项名称, 权力类型 …)")
    return result
