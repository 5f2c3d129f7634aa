"""Readers for registers exported from spreadsheets: CSV (any common delimiter) and XLSX.

Both end in graph.read_table.rows_from_cells, so the header synonyms, repeated headers and
title rows are handled the same way as in the text layouts. In XLSX the header may sit under
title rows, merged cells carry their value into every cell they cover, and every sheet with a
header row is read.
"""

from __future__ import annotations

import csv
import io
import warnings
from bisect import bisect_left, bisect_right

from quanze.graph.model import TableRow
from quanze.graph.read.table import NoHeader, rows_from_cells
from quanze.graph.read.limits import limit, over
from quanze.graph.read.text import UnreadableInput
from quanze.graph.read.workbook import Scan, scan_xlsx


def read_csv(text: str, file: str) -> list[TableRow]:
    """Rows of a CSV register; the delimiter (comma, tab, semicolon) is sniffed.

    The rows are streamed into the header finder, within the limits of graph/read/limits.py:
    a cell longer than QUANZE_MAX_CELL_CHARS (the csv module's own field limit, so an
    unclosed quote cannot swallow the file), more than QUANZE_MAX_COLUMNS cells in a row or
    more than QUANZE_MAX_ROWS rows end the reading with one line.
    """
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(limit("QUANZE_MAX_CELL_CHARS"))
    reader = csv.reader(io.StringIO(text), dialect)

    def records():
        for row in reader:
            yield reader.line_num, row

    try:
        return rows_from_cells(records(), file)
    except csv.Error as error:
        if "field limit" in str(error):
            raise over(file, f"near line {reader.line_num:,} (an unclosed quote?): a cell's length in characters", "QUANZE_MAX_CELL_CHARS") from error
        raise UnreadableInput(f"{file}: not readable as CSV (line {reader.line_num:,}: {error})") from error


def read_xlsx(data: bytes, file: str) -> list[TableRow]:
    """Rows of every sheet of an XLSX workbook that has a register header.

    The archive is checked first (graph/read/workbook.py: sizes, sheet count, no DTD); the
    sheets are then streamed (openpyxl read-only), so neither a far-away cell, a lying
    <dimension> nor a huge merged range makes a grid of millions of cells. A formula cell
    reads as its cached value, or as its formula text where it has none.
    """
    scan = scan_xlsx(data, file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns on stderr about styles, extensions …
        try:
            sheets = _sheets(data, file, scan, data_only=True)
            if scan.formulas:
                formulas = _sheets(data, file, scan, data_only=False)
                sheets = [(title, _cached_or_formula(grid, formulas[i][1])) for i, (title, grid) in enumerate(sheets)]
        except UnreadableInput:
            raise
        except Exception as error:  # openpyxl and the XML parser raise many types on broken parts
            message = " ".join(str(error).split())[:160]
            raise UnreadableInput(f"{file}: not a readable XLSX workbook ({type(error).__name__}: {message})") from error
    rows: list[TableRow] = []
    headed = False
    for title, grid in sheets:
        try:
            found = rows_from_cells(sorted(grid.items()), f"{file}#{title}")
        except NoHeader:
            continue
        headed = True
        rows.extend(found)
        if len(rows) > limit("QUANZE_MAX_ROWS"):
            raise over(file, "the number of rows", "QUANZE_MAX_ROWS", len(rows))
    if not headed:
        raise NoHeader(f"{file}: no sheet has a header row with known register columns (序号, 事项名称, 权力类型 …)")
    return rows


def _sheets(data: bytes, file: str, scan: Scan, data_only: bool) -> list[tuple[str, dict[int, list[str]]]]:
    """Each sheet's title and non-empty rows (row number → cells as text, merged ranges filled)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    try:
        if len(workbook.worksheets) > limit("QUANZE_MAX_SHEETS"):
            raise over(file, "the number of sheets", "QUANZE_MAX_SHEETS", len(workbook.worksheets))
        budget = limit("QUANZE_MAX_XLSX_CELLS")
        result = []
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # a chartsheet
            sheet.reset_dimensions()  # never trust <dimension>: read the rows that are there
            grid: dict[int, list[str]] = {}
            width = 0
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                budget -= len(row)
                if budget < 0:
                    raise over(file, "the number of cells read", "QUANZE_MAX_XLSX_CELLS")
                cells = ["" if v is None else str(v) for v in row]
                if any(cells):
                    grid[number] = cells
                    width = max(width, len(cells))
                    if len(grid) > limit("QUANZE_MAX_ROWS") + 100:
                        raise over(file, "the number of rows", "QUANZE_MAX_ROWS")
            budget -= sum(width - len(cells) for cells in grid.values())
            if budget < 0:
                raise over(file, "the number of cells read", "QUANZE_MAX_XLSX_CELLS")
            for cells in grid.values():
                cells.extend([""] * (width - len(cells)))
            budget = _fill_merged(grid, scan.merged.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"), set()), file, budget)
            result.append((sheet.title, grid))
        return result
    finally:
        workbook.close()


def _fill_merged(grid: dict[int, list[str]], merged: set[tuple[int, int, int, int]], file: str, budget: int) -> int:
    """Carry each merged range's value into the cells it covers (within the rows read)."""
    numbers = sorted(grid)
    for min_row, min_col, max_row, max_col in sorted(merged):
        origin = grid.get(min_row)
        value = origin[min_col - 1] if origin and min_col - 1 < len(origin) else ""
        covered = numbers[bisect_left(numbers, min_row) : bisect_right(numbers, max_row)]
        for number in covered:
            cells = grid[number]
            stop = min(max_col, len(cells))
            budget -= max(0, stop - min_col + 1)
            if budget < 0:
                raise over(file, "the cells covered by merged ranges", "QUANZE_MAX_XLSX_CELLS")
            for c in range(min_col - 1, stop):
                cells[c] = value
    return budget


def _cached_or_formula(cached: dict[int, list[str]], formulas: dict[int, list[str]]) -> dict[int, list[str]]:
    """The cached values, with a formula's text where a formula cell has no cached value."""
    result = {n: list(cells) for n, cells in cached.items()}
    for number, cells in formulas.items():
        row = result.setdefault(number, [""] * len(cells))
        row.extend([""] * (len(cells) - len(row)))
        for c, text in enumerate(cells):
            if not row[c] and text.startswith("="):
                row[c] = text
    return result
