"""A validation report a bureau clerk can act on.

Each problem names the sheet, the row number as Excel shows it, the column (its header as
printed and its letter), the cell's value and what to change, in plain Chinese (or English);
problems are grouped by rule with counts, and one problem in one cell is reported once. The
same report is written as JSON (the contract's keys plus new ones), CSV, and XLSX — the
register itself with the problem cells highlighted and a comment on each.

The reader carries where each cell was: `TableRow.file` ("name.xlsx#sheet"), `TableRow.line`
(the sheet row, or the CSV line where the record ends), `TableRow.headers` and `Span.column`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from quanze.graph.model import TableRow
from quanze.graph.validate.shapes import Finding, Report

# --- which column a rule is about ----------------------------------------------------------------

_FIELD_OF_PATH = [  # (fragment of the result path, field key of the register column)
    ("qz:missingArticle", "legal_basis"), ("qz:isReplacedBy", "legal_basis"), ("qz:resolution", "legal_basis"),
    ("qz:quoteMatch", "legal_basis"), ("qz:citesInstrument", "legal_basis"), ("qz:legalBasis", "legal_basis"),
    ("qz:hasCitation", "legal_basis"), ("qz:codeJurisdiction", "code"), ("qz:codeLetterType", "code"), ("qz:itemCode", "code"),
    ("qz:riskLevel", "level"), ("qz:control", "controls"), ("qz:responsibleRole", "role"), ("qz:declaredRiskCount", "risk_count"),
    ("qz:hasStage", "duties"), ("qz:powerType", "power_type"), ("qz:jurisdiction", "agency"), ("rdfs:label", "name"),
]
DEFAULT_HEADERS = {
    "zh": {"name": "事项名称", "power_type": "权力类型", "agency": "实施主体", "legal_basis": "实施依据", "code": "事项编码",
           "level": "等级", "controls": "防控措施", "role": "责任人", "risk_count": "风险点数量", "duties": "责任事项", "risks": "表现形式"},
    "en": {"name": "item name", "power_type": "power type", "agency": "agency", "legal_basis": "legal basis", "code": "item code",
           "level": "risk level", "controls": "controls", "role": "responsible role", "risk_count": "number of risk points",
           "duties": "duties", "risks": "risk points"},
}
POWER_TYPES_ZH = "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力"


def field_of(finding: Finding) -> str | None:
    path = finding.path or ""
    for fragment, key in _FIELD_OF_PATH:
        if fragment in path:
            return key
    return "duties" if finding.constraint.split("/")[0].endswith("Stage") else None


def rule_key(finding: Finding) -> str:
    return f"{finding.constraint}|{finding.path or ''}"


def advice(finding: Finding, column: str, lang: str) -> str:
    """What to change, in plain words, for the clerk who fills in the register."""
    shape = finding.constraint.split("/")[0]
    path = finding.path or ""
    value = finding.value or ""
    zh = lang != "en"
    c = f"“{column}”" if zh else f"“{column}”"
    if shape.endswith("Stage"):
        stage = re.search(r"“([^”]+)”", finding.message)
        named = stage.group(1) if stage else ""
        return (f"在{c}列补写“{named}”环节的责任（按法定程序）：{finding.message}" if zh
                else f"Add the stage {named} to column {c}: {finding.message}")
    table = {
        "rdfs:label": ("在{c}列填写事项名称。", "Fill in the item's name in column {c}."),
        "qz:powerType": (f"在{{c}}列填写十类法定权力类型之一：{POWER_TYPES_ZH}。",
                         "Write one of the ten statutory power types in column {c} (行政许可, 行政处罚 … 其他行政权力)."),
        "qz:jurisdiction": ("在{c}列写明实施主体的全称（如“北关区医疗保障局”），以便确定所属行政区划。",
                            "Write the agency's full name in column {c} (e.g. 北关区医疗保障局) so its jurisdiction can be found."),
        "qz:inRegister": ("文件未能作为清单读取：请从模板开始填写。", "The file could not be read as a register: start from the template."),
        "qz:legalBasis": ("在{c}列写明法律文件全称和具体条款，如“《中华人民共和国社会保险法》第八十七条”。",
                          "Write the law's full title and the article in column {c}, e.g. 《中华人民共和国社会保险法》第八十七条."),
        "qz:missingArticle": ("所引“{v}”在该法律文件中不存在：核对条款序号，改为该法实际有的条款。",
                              "“{v}” does not exist in that law: check the article number and cite an article the law has."),
        "qz:isReplacedBy": ("所引文件已被替代或废止：改引现行文件（{v}）。", "The cited instrument was superseded or repealed: cite the one in force ({v})."),
        "qz:resolution": ("无法识别所引法律文件：写出文件的完整名称（加书名号）或文号（{v}）。",
                          "The cited instrument cannot be identified: write its full title in 《》 or its document number ({v})."),
        "qz:quoteMatch": ("引文与法条原文不一致：按官方文本更正引文，或只保留条款号（{v}）。",
                          "The quote differs from the official text: correct it from the official text, or keep only the article number ({v})."),
        "qz:citesInstrument": ("在{c}列写明所依据的法律、法规或规章名称（加书名号）。", "Name the law or regulation in column {c}, in 《》."),
        "qz:codeJurisdiction": ("事项编码中的行政区划代码应为实施主体所在辖区的 6 位代码：核对{c}。",
                                "The division code inside the item code must be the agency's jurisdiction: check column {c}."),
        "qz:codeLetterType": ("{c}中的类型字母与权力类型（{v}）不一致（如行政处罚为 B）：核对编码或权力类型。",
                              "The type letter in column {c} does not match the power type ({v}; e.g. B for 行政处罚): check the code or the type."),
        "qz:riskLevel": ("在{c}列为每个风险点填写“高”“中”“低”之一。", "Write 高, 中 or 低 for each risk point in column {c}."),
        "qz:control": ("在{c}列为每个风险点写明防控措施（与风险点逐条对应）。", "Write a control for each risk point in column {c}, one per risk point."),
        "qz:responsibleRole": ("在{c}列写明负责防控的责任人或岗位，如“科室负责人”。",
                               "Write the responsible person or post in column {c}, e.g. 科室负责人."),
        "qz:declaredRiskCount": ("{c}与列出的风险点条数不一致：改正数量，或补全风险点（{v}）。",
                                 "Column {c} differs from the number of risk points listed: correct the number or complete the list ({v})."),
    }
    for fragment in ("qz:missingArticle", "qz:isReplacedBy", "qz:resolution", "qz:quoteMatch", "qz:codeJurisdiction",
                     "qz:codeLetterType", "qz:declaredRiskCount", "qz:riskLevel", "qz:responsibleRole", "qz:control",
                     "qz:citesInstrument", "qz:legalBasis", "qz:powerType", "qz:jurisdiction", "qz:inRegister", "rdfs:label"):
        if fragment in path:
            text = table[fragment][0 if zh else 1]
            text = text.format(c=c, v=value or "—")
            return text.replace("（—）", "").replace(" (—)", "")
    return finding.message


# --- one problem, located ------------------------------------------------------------------------


@dataclass
class Problem:
    finding: Finding
    sheet: str | None
    excel_row: int | None
    column: str | None
    """The column's header as printed."""
    column_letter: str | None
    cell: str | None
    """The cell's value as it stands in the register."""
    advice: str
    count: int = 1
    """How many results of the shapes this one problem stands for (e.g. two risk points of one cell)."""

    def as_json(self) -> dict[str, object]:
        return {**self.finding.as_json(), "sheet": self.sheet, "excel_row": self.excel_row, "column": self.column,
                "column_letter": self.column_letter, "cell": self.cell, "advice": self.advice, "rule": rule_key(self.finding),
                "count": self.count}


@dataclass
class ClerkReport:
    report: Report
    problems: list[Problem] = field(default_factory=list)
    lang: str = "zh"

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def rules(self) -> list[dict[str, object]]:
        """The rules that found something, worst first, each with its number of problems."""
        counts: Counter[str] = Counter()
        first: dict[str, Problem] = {}
        for p in self.problems:
            counts[rule_key(p.finding)] += 1
            first.setdefault(rule_key(p.finding), p)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        rules = [{"rule": k, "severity": first[k].finding.severity, "message": _rule_title(first[k].finding), "count": n}
                 for k, n in counts.items()]
        return sorted(rules, key=lambda r: (order.get(str(r["severity"]), 3), -int(r["count"]), str(r["message"])))

    def severity_counts(self) -> Counter[str]:
        return Counter(p.finding.severity for p in self.problems)


def _rule_title(finding: Finding) -> str:
    return finding.message


def table_rows(data: bytes, name: str) -> list[TableRow]:
    """The register's rows as the readers see them (none for flowcharts and RDF)."""
    from quanze.graph.read.sheet import read_csv, read_xlsx
    from quanze.graph.read.table import read_table
    from quanze.graph.read.text import decode

    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".xlsx":
            return read_xlsx(data, name)
        if suffix in (".ttl", ".jsonld", ".json", ".nt", ".nq", ".trig", ".rdf"):
            return []
        text = decode(data, name)
        if "职权编码" in text:
            return []
        return read_csv(text, name) if suffix == ".csv" else read_table(text, name)
    except Exception:  # the validation itself reported what it could read; locating is best effort
        return []


def _csv_records(data: bytes, name: str) -> dict[int, int]:
    """CSV: the physical line where each record ends → the record's number (Excel's row)."""
    from quanze.graph.read.text import decode

    text = decode(data, name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return {reader.line_num: index for index, _ in enumerate(reader, start=1)}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and re.sub(r"\s", "", a or "") == re.sub(r"\s", "", b or "")


def _find_row(finding: Finding, rows: list[TableRow]) -> TableRow | None:
    if finding.line is not None:
        candidates = [r for r in rows if r.line == finding.line]
    else:
        candidates = [r for r in rows if r.number == finding.row]
    if len(candidates) > 1:  # the same row number on several sheets: the one naming the item
        named = [r for r in candidates if _same(r.cells.get("name").text if r.cells.get("name") else None, finding.item)]
        numbered = [r for r in (named or candidates) if r.number == finding.row]
        candidates = numbered or named or candidates
    return candidates[0] if candidates else None


def build(report: Report, files: list[tuple[str, bytes]], lang: str = "zh") -> ClerkReport:
    """Locate every finding in its file's cells and merge the findings that are one problem."""
    from openpyxl.utils import get_column_letter

    by_file: dict[str, tuple[list[TableRow], dict[int, int] | None]] = {}
    for path, data in files:
        name = Path(path).name
        rows = table_rows(data, name)
        by_file[name] = (rows, _csv_records(data, name) if Path(name).suffix.lower() == ".csv" and rows else None)
    findings = _without_false_alarms(report.findings)
    problems: dict[tuple[object, ...], Problem] = {}
    for f in findings:
        rows, records = by_file.get(f.file, ([], None))
        row = _find_row(f, rows)
        key = field_of(f)
        span = row.cells.get(key) if row and key else None
        sheet = row.file.split("#", 1)[1] if row and "#" in row.file else None
        excel_row = (records.get(row.line, row.line) if records is not None else row.line) if row else f.line
        header = (row.headers.get(key) if row and key else None) or (DEFAULT_HEADERS[lang].get(key) if key else None)
        letter = get_column_letter(span.column) if span is not None and span.column else None
        cell = span.text if span is not None else None
        identity = (f.file, sheet, excel_row, f.item, f.severity, rule_key(f), f.message)
        if identity in problems:
            problems[identity].count += 1
            continue
        problems[identity] = Problem(f, sheet, excel_row, header, letter, cell, advice(f, header or "", lang))
    ordered = sorted(problems.values(), key=lambda p: (p.finding.file, p.sheet or "", p.excel_row or 10**9,
                                                       {"Violation": 0, "Warning": 1, "Info": 2}.get(p.finding.severity, 3),
                                                       p.column_letter or "", p.finding.message))
    return ClerkReport(report, ordered, lang)


def _without_false_alarms(findings: list[Finding]) -> list[Finding]:
    """An item whose only cited article does not exist has no legal basis *because* of that:
    the missing-article finding says what is wrong, "实施依据为空或无法解析" would be false."""
    missing = {(f.file, f.row, f.item) for f in findings if "qz:missingArticle" in (f.path or "")}
    return [f for f in findings if not (f.constraint.startswith("ArticleBasis/") and (f.file, f.row, f.item) in missing)]


# --- formats ----------------------------------------------------------------------------------------

WORDS = {
    "zh": dict(severity="级别", file="文件", sheet="工作表", row="行", column="列", header="列名", cell="单元格内容",
               problem="问题", advice="修改建议", item="事项", rule="规则", count="次数", Violation="违规", Warning="警告", Info="提示",
               results="校验结果"),
    "en": dict(severity="Severity", file="File", sheet="Sheet", row="Row", column="Column", header="Header", cell="Cell value",
               problem="Problem", advice="What to change", item="Item", rule="Rule", count="Count", Violation="Violation",
               Warning="Warning", Info="Info", results="Validation results"),
}


def to_json(clerk: ClerkReport) -> str:
    report = clerk.report
    data: dict[str, object] = {
        "conforms": clerk.conforms,
        "results": [p.as_json() for p in clerk.problems],
        "rules": clerk.rules(),
    }
    if report.alignments:
        data["alignments"] = [
            {"file": file, "row": row, "item": item, "canonical": a.canonical, "score": a.score, "method": a.method, "evidence": a.evidence}
            for file, row, item, a in report.alignments
        ]
    return json.dumps(data, ensure_ascii=False, indent=2)


def table(clerk: ClerkReport) -> tuple[list[str], list[list[object]]]:
    w = WORDS[clerk.lang]
    header = [w["severity"], w["file"], w["sheet"], w["row"], w["column"], w["header"], w["cell"], w["problem"], w["advice"], w["item"], w["count"]]
    rows = [[w[p.finding.severity], p.finding.file, p.sheet or "", p.excel_row or "", p.column_letter or "", p.column or "", p.cell or "",
             p.finding.message, p.advice, p.finding.item or "", p.count] for p in clerk.problems]
    return header, rows


def to_csv(clerk: ClerkReport) -> str:
    from quanze.graph.query.spreadsheet import csv_text

    header, rows = table(clerk)
    return csv_text(header, rows)


FILLS = {"Violation": "FFC7CE", "Warning": "FFEB9C", "Info": "DDEBF7"}


def to_xlsx(clerk: ClerkReport, files: list[tuple[str, bytes]]) -> bytes:
    """The register itself with each problem cell filled (red, yellow, blue by severity) and a
    comment saying what to change; a last sheet lists every problem. CSV registers become a
    workbook of their cells first. Formulas in cells written by us are neutralised."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from quanze.graph.query.spreadsheet import safe_cell

    w = WORDS[clerk.lang]
    name, data = files[0]
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        workbook = load_workbook(io.BytesIO(data))
    else:
        from quanze.graph.read.text import decode

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = Path(name).stem[:31] or "register"
        text = decode(data, name)
        if suffix == ".csv":
            try:
                dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
            except csv.Error:
                dialect = csv.excel
            records = list(csv.reader(io.StringIO(text), dialect))
        else:
            records = [line.split("\t") for line in text.split("\n")]
        for record in records:
            sheet.append([safe_cell(v) for v in record])
    default = workbook.worksheets[0]
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in clerk.problems:
        if p.finding.file != Path(name).name or p.excel_row is None:
            continue
        sheet = workbook[p.sheet] if p.sheet and p.sheet in workbook.sheetnames else default
        coordinate = f"{p.column_letter or 'A'}{p.excel_row}"
        notes.setdefault((sheet.title, coordinate), []).append(p)
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    for (title, coordinate), problems in notes.items():
        cell = workbook[title][coordinate]
        worst = min(problems, key=lambda p: order.get(p.finding.severity, 3))
        cell.fill = PatternFill("solid", fgColor=FILLS.get(worst.finding.severity, "FFC7CE"))
        text = "\n".join(f"[{w[p.finding.severity]}] {p.advice}" for p in problems)
        cell.comment = Comment(text, "Quanze", width=320, height=min(400, 60 + 40 * len(problems)))
    header, rows = table(clerk)
    results = workbook.create_sheet(w["results"][:31])
    results.append(header)
    for cell in results[1]:
        cell.font = Font(bold=True)
    for row in rows:
        results.append([safe_cell(v) for v in row])
    results.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJK", (8, 18, 12, 6, 6, 12, 30, 36, 50, 30, 6)):
        results.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_text(clerk: ClerkReport) -> str:
    """The report for a terminal: verdict, counts per rule, then each problem where Excel shows it."""
    zh = clerk.lang != "en"
    w = WORDS[clerk.lang]
    counts = clerk.severity_counts()
    out = [("通过：未发现违规。" if zh else "Conforms: no violations.") if clerk.conforms
           else (f"未通过：发现 {counts['Violation']} 处违规。" if zh else f"Does not conform: {counts['Violation']} violations.")]
    out.append(f"{w['Violation']} {counts['Violation']} · {w['Warning']} {counts['Warning']} · {w['Info']} {counts['Info']}")
    if clerk.problems:
        out += ["", "== 按规则汇总" if zh else "== By rule"]
        out += [f"  [{w[str(r['severity'])]}] {r['message']}  ×{r['count']}" for r in clerk.rules()]
        out += ["", "== 逐条问题与修改建议" if zh else "== Each problem and what to change"]
    for p in clerk.problems:
        where = [p.finding.file]
        if p.sheet:
            where.append(f"{w['sheet']}“{p.sheet}”" if zh else f"sheet “{p.sheet}”")
        if p.excel_row:
            where.append(f"第 {p.excel_row} 行" if zh else f"row {p.excel_row}")
        if p.column_letter or p.column:
            where.append((f"{p.column_letter} 列" if zh else f"column {p.column_letter}") + (f"（{p.column}）" if zh else f" ({p.column})") if p.column_letter
                         else (f"“{p.column}”列" if zh else f"column “{p.column}”"))
        out.append(("，".join(where) if zh else ", ".join(where)) + f"  [{w[p.finding.severity]}] {p.finding.item or ''}")
        if p.column_letter:
            out.append(f"    {w['cell']}{'：' if zh else ': '}{p.cell or ('（空）' if zh else '(empty)')}")
        out.append(f"    → {p.advice}" + (f" ×{p.count}" if p.count > 1 else ""))
    return "\n".join(out) + "\n"
