"""Write data/templates/权责清单模板.xlsx: the standard register columns, a filled example row
and an instructions sheet. The template must validate clean (tests/test_validate.py checks).

    .venv/bin/python tools/make_template.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "valid" / "北关区-权责清单.csv"
TARGET = ROOT / "data" / "templates" / "权责清单模板.xlsx"

INSTRUCTIONS = [
    ("列名", "填写要求", "校验规则"),
    ("序号", "从 1 起连续编号；校验报告按序号指明问题所在行。", "—"),
    ("权力类型", "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力之一。", "须为十类之一（违规）"),
    ("事项名称", "按设定依据表述权力事项名称。", "不得为空（违规）"),
    ("事项编码", "按本省编码规则填写，含本辖区 GB/T 2260 代码和权力类型字母。", "区划代码、类型字母须与辖区、类型一致（警告）"),
    ("实施主体", "写明全称，如“北关区医疗保障局”，用以确定辖区。", "须能识别辖区（违规）"),
    ("实施依据", "写明《法律文件全称》第X条；可引原文，引文须与法条原文一致。", "处罚、强制、检查、征收、许可须有可核实的条款（违规）；条款须存在（违规）；文件已被替代时提示（警告）"),
    ("责任事项", "按环节逐条列出，如“1.立案阶段责任：……”。行政处罚须含立案、调查取证、审核、告知、决定、送达、执行，"
     "并写明法制审核（行政处罚法 第五十八条）、集体讨论（第五十七条第二款），依据规定较大数额罚款的写明听证告知（第六十三条）；"
     "适用简易程序的写明“简易程序”。行政强制须含批准、决定、告知、解除（可在决定环节文字中写明“经负责人批准”“告知理由、依据和权利”）；"
     "查封、扣押、封存写明两名以上执法人员、现场笔录、当场交付决定书、三十日期限。行政许可写明办理时限；行政检查写明“双随机、一公开”。",
     "缺少法定环节（违规）；清单未写明的程序要求（警告）"),
    ("追责情形", "逐条列出。", "—"),
    ("风险点数量", "如“2个”，须与“表现形式”所列条数一致。", "数量不符（违规）"),
    ("表现形式", "逐条列出廉政风险点。", "—"),
    ("等级", "高、中、低之一。", "须有且只有一个等级（违规）"),
    ("防控措施", "逐条列出。", "每个风险点须有防控措施（违规）"),
    ("责任人", "如“科室负责人”“具体承办人”。", "每个风险点须有责任人（违规）"),
]


def main() -> None:
    with EXAMPLE.open(encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    sheet.title = "权责清单"
    sheet.append(["北关区医疗保障局权责清单（模板）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append(rows[0])
    for column, width in zip("ABCDEFGHIJKLM", (6, 10, 30, 18, 18, 36, 48, 36, 10, 30, 6, 30, 14)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes = book.create_sheet("填写说明")
    for line in INSTRUCTIONS:
        notes.append(list(line))
    for column, width in zip("ABC", (12, 80, 50)):
        notes.column_dimensions[column].width = width
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    book.save(TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
