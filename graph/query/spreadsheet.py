"""Tables made for people to open in a spreadsheet: CSV with a BOM and XLSX, formulas neutralised.

Excel on Chinese Windows reads a CSV without a byte-order mark as GBK and garbles UTF-8, so
every CSV for people starts with U+FEFF. A cell that begins with = + - or @ would be run as a
formula when the file is opened (CSV injection), so it gets a leading apostrophe, which
spreadsheets show as text. The W3C SPARQL result formats of /sparql are machine formats and
are not written here: they stay exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

FORMULA_STARTS = ("=", "+", "-", "@")
BOM = "\ufeff"

def safe_cell(value: object) -> object:
    """The value as a spreadsheet should store it: text starting like a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]], bom: bool = True) -> str:
    """CSV (CRLF line ends, as Excel writes them) with formulas neutralised; BOM first unless bom=False."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([c if type(c) is int else safe_cell(c) for c in row])  # counts (the matrix: 90,000 at 2,848 counties) as they are
    return (BOM if bom else "") + out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[object], Iterable[Sequence[object]]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows); bold frozen header, formulas neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.append([safe_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max((_width(c.value) for c in column), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    if not workbook.worksheets:
        workbook.create_sheet("Sheet1")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text.split("\n")[0])


def _sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Sheet"
    return cleaned[:31]


def content_disposition(filename: str) -> str:
    """An attachment header that names the file, ASCII fallback plus the UTF-8 name (RFC 6266/5987)."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
