"""Read the records of a register from a grid of cells, whatever the form of its table.

A grid is what CSV, TSV, XLSX sheets, space-aligned PDF text and label | value cards all
become: rows of cells with the line (or sheet row) each starts on. This module finds the
table(s) in it by their header rows and turns the rows below into records:

* the header may sit under title, meta and form rows (索引号, 附件3, 报送单位（加盖公章）) and
  may be stacked over two or three rows (职权名称 over 项目 | 子项, 风险等级 over 高 | 中 | 低;
  merged cells arrive filled in from XLSX and empty from CSV);
* a header repeated at a page break is skipped, a different header starts another table;
* rows of one cell are titles, section headings (一、行政处罚（3项）), page lines
  (第 1 页，共 2 页; — 1 —) or notes (注：…): context, not items;
* a row without 序号, name and 子项 continues the record above (a row cut by a page break),
  or, where it gives a risk point, adds one more risk row to it, as does a row repeating the
  序号 and name above (merged cells of an item with one row per risk point);
* a 子项 row whose 主项 cell is empty takes the 主项 (and its type) from the row above; agency
  and office cells printed once for several rows are carried down; 同上 repeats the cell above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quanze.graph.model import Span, TableRow
from quanze.graph.read.columns import LEVEL_WORDS, field_of, field_of_parts, header_text, normalise_header

MIN_HEADER_FIELDS = 3
_NUMBER = re.compile(
    r"^\s*(?:(?P<n>\d{1,5})\s*[.、．]?|[（(]\s*(?P<cn>[一二三四五六七八九十百]{1,4})\s*[）)]|(?P<dash>\d{1,3}\s*[-—－–]\s*\d{1,3}))\s*$"
)
_PAGE = re.compile(r"^\s*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|[—\-－]\s*\d+\s*[—\-－]|\d+\s*/\s*\d+)\s*$")
_NOTE = re.compile(r"^\s*(?:注|说明|备注|附注)\s*[\d一二三四五六七八九十]*\s*[：:]")
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*\S")
_FORM = re.compile(r"[：:]\s*$|^(?:报送|填报|联系|制表|审核人|负责人)[^，。；]{0,12}[：:]")
_TICK = re.compile(r"^\s*[√✓✔●■☑是Yy]\s*$")
_SAME = re.compile(r"^\s*(?:同上|同前|同上述?|同[\u4e00-\u9fff]{1,12}?(?:一般|通用)?程序)\s*[。.]?\s*$")
"""同上, and 同行政处罚类一般程序: the cell repeats the one above (the same procedure)."""
SAME_AS_ABOVE = ("legal_basis", "duties", "accountability", "duty_basis", "accountability_basis", "controls", "role", "leader")
CARRIED_DOWN = ("agency", "department", "supervising_dept", "exercise_level")
_CN = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


def parse_number(text: str) -> tuple[str, int | None] | None:
    """(as printed, value) of a 序号 cell: 1, "1.", "（一）" → 1; "1-1" → None; not a 序号 → None."""
    match = _NUMBER.match(text or "")
    if not match:
        return None
    printed = text.strip()
    if match["n"]:
        return printed, int(match["n"])
    if match["cn"]:
        return printed, _cn_value(match["cn"])
    return printed, None


def _cn_value(token: str) -> int | None:
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _CN.get(token[1:], 0)
    if "十" in token:
        tens, _, units = token.partition("十")
        return _CN.get(tens, 0) * 10 + (_CN.get(units, 0) if units else 0)
    return _CN.get(token)


def header_fields(cells: list[str]) -> list[str | None] | None:
    """Field keys of a candidate header row, or None if it is not a header."""
    if any(len(normalise_header(c)) > 40 for c in cells):
        return None
    fields = [field_of(cell) for cell in cells]
    fields = _settle(fields)
    known = [f for f in fields if f]
    if len(set(known)) >= MIN_HEADER_FIELDS and "name" in known:
        return fields
    return None


def _settle(fields: list[str | None]) -> list[str | None]:
    """Without a name column, the first of two risk columns names the matter (风险点 | 表现形式)."""
    if "name" not in fields and fields.count("risks") >= 2:
        fields = list(fields)
        fields[fields.index("risks")] = "name"
    return fields


@dataclass
class GridRead:
    rows: list[TableRow] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)
    """(kind, text) of the text around the tables: "title" (the first line), "text", "section", "note"."""
    unknown: list[str] = field(default_factory=list)
    """Headers of columns no field covers, once each, in order."""
    columns: dict[str, str | None] = field(default_factory=dict)
    """Every header as read (stacked parts joined by /) → its field."""
    found_header: bool = False


@dataclass
class _Header:
    fields: list[str | None]
    texts: list[str]

    def same(self, other: _Header) -> bool:
        return self.fields == other.fields


def _is_subheader(cells: list[str], above: list[str], number_col: int | None) -> bool:
    """A row continuing a stacked header: only header words or copies of the cells above."""
    new = False
    for index, cell in enumerate(cells):
        text = normalise_header(cell)
        if not text:
            continue
        upper = normalise_header(above[index]) if index < len(above) else ""
        if text == upper:
            continue
        if index == number_col and parse_number(cell):
            return False
        if field_of(cell) is None and text not in LEVEL_WORDS:
            return False
        new = True
    return new


def _stacked(rows: list[list[str]]) -> list[list[str]]:
    """Header parts per column, outermost first; a CSV's horizontally merged top cell is empty
    beyond its first column, so an empty top takes the one on its left where a part sits below."""
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    for level in range(len(grid) - 1):
        for col in range(1, width):
            below = any(normalise_header(grid[d][col]) for d in range(level + 1, len(grid)))
            if not normalise_header(grid[level][col]) and below and normalise_header(grid[level][col - 1]):
                left_below = any(normalise_header(grid[d][col - 1]) for d in range(level + 1, len(grid)))
                if left_below:
                    grid[level][col] = grid[level][col - 1]
    parts = []
    for col in range(width):
        column: list[str] = []
        for row in grid:
            text = row[col].strip()
            if text and (not column or normalise_header(column[-1]) != normalise_header(text)):
                column.append(text)
        parts.append(column)
    return parts


def read_grid(
    rows: list[tuple[int, list[str]]],
    file: str,
    sheet: str | None = None,
    joiner: str = "\n",
    header: list[str] | None = None,
) -> GridRead:
    """Records of every table of a grid. `header` gives the column headers where the grid has
    no header row (label | value cards)."""
    out = GridRead()
    current_header: _Header | None = None
    if header is not None:
        current_header = _make_header([[h] for h in header], out)
        out.found_header = current_header is not None
    records: list[TableRow] = []
    current: TableRow | None = None
    table = 1 if current_header else 0
    titles: list[str] = []  # one-cell rows since the last header: the next table's title
    table_context: list[str] = []
    section: str | None = None
    index = 0
    while index < len(rows):
        line, cells = rows[index]
        cells = [c if isinstance(c, str) else "" for c in cells]
        filled = [c.strip() for c in cells if c.strip()]
        if not filled:
            index += 1
            continue
        fields = header_fields(cells) if header is None else None
        if fields:
            stack = [cells]
            number_col = fields.index("number") if "number" in fields else None
            while index + 1 < len(rows) and len(stack) < 3 and _is_subheader(rows[index + 1][1], stack[-1], number_col):
                index += 1
                stack.append(rows[index][1])
            made = _make_header(_stacked(stack), out)
            if made is not None:
                if current_header is None or not made.same(current_header):
                    table += 1
                    current = None
                    section = None
                    if current_header is not None:  # titles between tables were held back
                        out.context.extend(("text", t) for t in titles)
                    table_context = titles[-1:]
                    titles = []
                current_header = made
                out.found_header = True
                index += 1
                continue
        distinct = list(dict.fromkeys(filled))
        name_cols = _columns_of(current_header, ("name", "sub_item"))
        # one text in the row (a merged title cell arrives copied into every cell it spans)
        one_cell = len(distinct) == 1 and (len(filled) >= 3 or not any(i in name_cols for i, c in enumerate(cells) if c.strip()))
        if current_header is None or one_cell or _is_form_row(cells, current_header):
            text = distinct[0] if len(distinct) == 1 else " ".join(distinct)
            if _PAGE.match(text):
                pass
            elif _NOTE.match(text):
                out.context.append(("note", text))
            elif current_header is not None and _SECTION.match(text):
                section = text
                out.context.append(("section", text))
            elif current_header is None:
                out.context.append(context_line(text, distinct, out.context))
                titles.append(out.context[-1][1])
            else:
                titles.append(text)
            index += 1
            continue
        # the power type a section row, table title or sheet name gives, where no column does
        context = [c for c in (section, *table_context, sheet) if c] if "power_type" not in current_header.fields else []
        current = _data_row(file, line, cells, current_header, current, records, joiner, context, table, sheet, out)
        index += 1
    if current_header is not None:
        out.context.extend(("text", t) for t in titles)
    out.rows = records
    return out


_ATTACHMENT = re.compile(r"^\s*附件\s*[\d一二三四五六七八九十]*\s*[：:]?\s*$")
_TITLE_LABEL = re.compile(r"^\s*(?:标题|名称|文件名称)\s*[：:]?\s*$")


def context_line(text: str, cells: list[str], before: list[tuple[str, str]]) -> tuple[str, str]:
    """("title", text) for a register's title line, else ("text", text): the title is the first
    line that is not an attachment mark (附件3) or a meta row (索引号 …); a 标题 | … meta row
    gives it too."""
    if len(cells) >= 2 and _TITLE_LABEL.match(cells[0]):
        return "title", " ".join(cells[1:])
    has_title = any(kind == "title" for kind, _ in before)
    if has_title or len(cells) > 1 or _ATTACHMENT.match(text) or (_FORM.search(text) and len(text) <= 16):
        return "text", text
    return "title", text


def _columns_of(header: _Header | None, wanted: tuple[str, ...]) -> set[int]:
    if header is None:
        return set()
    return {i for i, f in enumerate(header.fields) if f in wanted}


def _is_form_row(cells: list[str], header: _Header | None) -> bool:
    """报送人：, 联系电话：: a form's label rows above or below the table, not data."""
    filled = [c.strip() for c in cells if c.strip()]
    if not filled or not all(_FORM.search(c) for c in filled):
        return False
    if header is None:
        return True
    number_col = header.fields.index("number") if "number" in header.fields else None
    return number_col is None or not parse_number(cells[number_col] if number_col < len(cells) else "")


def _make_header(parts: list[list[str]], out: GridRead) -> _Header | None:
    fields = _settle([field_of_parts(p) for p in parts])
    texts = [header_text(p) for p in parts]
    known = [f for f in fields if f]
    if len(set(known)) < MIN_HEADER_FIELDS or "name" not in known:
        return None
    for text, f in zip(texts, fields):
        if text:
            out.columns.setdefault(text, f)
            if f is None and text not in out.unknown:
                out.unknown.append(text)
    return _Header(fields, texts)


def _data_row(
    file: str,
    line: int,
    cells: list[str],
    header: _Header,
    current: TableRow | None,
    records: list[TableRow],
    joiner: str,
    context: list[str],
    table: int,
    sheet: str | None,
    out: GridRead,
) -> TableRow | None:
    spans: dict[str, Span] = {}
    extra: dict[str, Span] = {}
    ticks: list[str] = []
    for column, (f, text, cell) in enumerate(zip(header.fields, header.texts, cells), start=1):
        value = cell.strip()
        if f is None:
            if value and text:
                extra[text] = Span(value, line, column)
            continue
        if f.startswith("level_tick:"):
            if _TICK.match(cell):
                ticks.append(f.split(":", 1)[1])
            continue
        if f not in spans or (value and not spans[f].text):
            spans[f] = Span(value, line, column)  # empty cells too: a reader may ask for the cell
    if ticks and not _filled(spans, "level"):
        spans["level"] = Span("".join(ticks), line)
    full = {k: v for k, v in spans.items() if v.text}
    number = full.get("number")
    parsed = parse_number(number.text) if number else None
    if number and not parsed and "name" not in full and "sub_item" not in full:
        return current  # a stray label in the 序号 column
    name, sub = full.get("name"), full.get("sub_item")
    raw = "\t".join(cells)
    if number is None and name is None and sub is None and "code" not in full:
        if current is None:
            return None
        if "risks" in full and (_filled(current.cells, "risks") or current.risk_rows):
            current.risk_rows.append(_same_as_above(full, current.risk_rows[-1] if current.risk_rows else current.cells))
        else:
            for key, span in full.items():
                held = current.cells.get(key)
                current.cells[key] = Span(held.text + joiner + span.text, held.line) if held and held.text else span
            for key, span in extra.items():
                held = current.extra.get(key)
                current.extra[key] = Span(held.text + joiner + span.text, held.line) if held else span
        current.raw += "\n" + raw
        return current
    if (
        current is not None
        and number is not None
        and "risks" in full
        and _text(current.cells.get("number")) == number.text
        and _text(current.cells.get("name")) == _text(name)
        and _text(current.cells.get("sub_item")) == _text(sub)
    ):
        current.risk_rows.append(full)
        current.raw += "\n" + raw
        return current
    if current is not None:
        if name is None and sub is not None and _filled(current.cells, "name"):
            spans["name"] = current.cells["name"]
            if not _filled(spans, "power_type") and _filled(current.cells, "power_type"):
                spans["power_type"] = current.cells["power_type"]
        for key in CARRIED_DOWN:
            if not _filled(spans, key) and _filled(current.cells, key):
                spans[key] = current.cells[key]
        spans = _same_as_above(spans, current.cells)
    label = parsed[0] if parsed else None
    value = parsed[1] if parsed else None
    row = TableRow(
        file=file, line=line, number=value, cells=spans, raw=raw,
        label=label if label is not None and label != str(value) else None,
        extra=extra, context=list(context), table=table, sheet=sheet,
        type_column="power_type" in header.fields,
        headers={f: text for f, text in zip(header.fields, header.texts) if f and not f.startswith("level_tick:")},
    )
    row.cells.pop("number", None)
    row.cells["number"] = number if number is not None else Span("", line)
    records.append(row)
    return row


def _same_as_above(spans: dict[str, Span], above: dict[str, Span]) -> dict[str, Span]:
    """同上 in a cell repeats the cell above."""
    for key in SAME_AS_ABOVE:
        span = spans.get(key)
        if span and _SAME.match(span.text) and key in above:
            spans[key] = Span(above[key].text, span.line)
    return spans


def _filled(spans: dict[str, Span], key: str) -> bool:
    return bool(key in spans and spans[key].text)


def _text(span: Span | None) -> str:
    return span.text if span else ""


def finish(rows: list[TableRow]) -> list[TableRow]:
    """Rows as the repairers take them: the 序号 cell removed (it is TableRow.number)."""
    for row in rows:
        row.cells.pop("number", None)
    return rows
