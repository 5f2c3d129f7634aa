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
from collections import Counter

from quanze.graph.model import TableRow
from quanze.graph.read.grid import GridRead, finish, read_grid
from quanze.graph.read.limits import limit, over
from quanze.graph.read.table import NoHeader, bounded, capped
from quanze.graph.read.text import UnreadableInput
from quanze.graph.read.workbook import Scan, scan_xlsx

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
    """The rows of a CSV or TSV register, streamed into the header finder within the limits
    of graph/read/limits.py: a cell longer than QUANZE_MAX_CELL_CHARS (the csv module's own
    field limit, so an unclosed quote cannot swallow the file), more than QUANZE_MAX_COLUMNS
    cells in a row or more than QUANZE_MAX_ROWS rows end the reading with one line."""
    tab = file.lower().endswith(".tsv")
    csv.field_size_limit(limit("QUANZE_MAX_CELL_CHARS"))
    line = 0

    def records(reader):
        nonlocal line
        for row in reader:
            line = reader.line_num
            yield line, row

    try:
        out = capped(read_grid(bounded(records(csv.reader(io.StringIO(text), delimiter=_delimiter(text, tab))), file), file), file)
    except csv.Error as error:
        if "field limit" in str(error):
            raise over(file, f"near line {line:,} (an unclosed quote?): a cell's length in characters", "QUANZE_MAX_CELL_CHARS") from error
        raise UnreadableInput(f"{file}: not readable as CSV (line {line:,}: {error})") from error
    if not out.found_header:
        raise NoHeader(f"{file}: {_NO_HEADER}")
    finish(out.rows)
    return out


def read_xlsx(data: bytes, file: str) -> list[TableRow]:
    """Rows of every sheet of an XLSX workbook that has a register header."""
    return read_xlsx_grid(data, file).rows


def read_xlsx_grid(data: bytes, file: str) -> GridRead:
    """Every sheet of an XLSX workbook that has a register header; its name and title rows
    become context (they may name the jurisdiction or the power type).

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
    result = GridRead()
    for title, grid in sheets:
        found = read_grid(bounded(sorted(grid.items()), file), f"{file}#{title}", sheet=title)
        if not found.found_header:
            continue
        result.found_header = True
        result.rows.extend(finish(found.rows))
        if len(result.rows) > limit("QUANZE_MAX_ROWS"):
            raise over(file, "the number of rows", "QUANZE_MAX_ROWS", len(result.rows))
        result.context.append(("sheet", title))
        result.context.extend(found.context)
        for header, key in found.columns.items():
            result.columns.setdefault(header, key)
        result.unknown.extend(u for u in found.unknown if u not in result.unknown)
    if not result.found_header:
        raise NoHeader(f"{file}: no sheet has a header row with known register columns (序号, 事项名称, 权力类型 …)")
    return result


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
