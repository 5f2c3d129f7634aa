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

from quanze.graph.model import TableRow
from quanze.graph.read.table import NoHeader, rows_from_cells
from quanze.graph.read.text import UnreadableInput


def read_csv(text: str, file: str) -> list[TableRow]:
    """Rows of a CSV register; the delimiter (comma, tab, semicolon) is sniffed."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return rows_from_cells([(reader.line_num, row) for row in reader], file)


def read_xlsx(data: bytes, file: str) -> list[TableRow]:
    """Rows of every sheet of an XLSX workbook that has a register header."""
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise UnreadableInput(f"{file}: not an XLSX workbook")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:  # SyntaxError: XML ParseError
        raise UnreadableInput(f"{file}: not a readable XLSX workbook ({error})") from error
    rows: list[TableRow] = []
    for sheet in workbook.worksheets:
        grid = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, merged.max_col):
                    if c < len(grid[r]):
                        grid[r][c] = value
        try:
            found = rows_from_cells([(n, row) for n, row in enumerate(grid, start=1)], f"{file}#{sheet.title}")
        except NoHeader:
            continue
        rows.extend(found)
    if not rows:
        raise NoHeader(f"{file}: no sheet has a header row with known register columns (序号, 事项名称, 权力类型 …)")
    return rows
