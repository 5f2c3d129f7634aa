"""Write the .xlsx registers of tests/data/layouts/ (test data, not product code).

Run:  .venv/bin/python tests/data/layouts/make_xlsx.py
Each workbook imitates a layout that county bureaus publish (see README.md in this
folder for the register each one is modelled on).  The files are byte-reproducible:
the core properties carry a fixed date and every zip member a fixed timestamp.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
FIXED = _dt.datetime(2024, 1, 1, 0, 0, 0)
WRAP = Alignment(wrap_text=True, vertical="center")
BOLD = Font(bold=True)


def _rows(ws, start_row, rows):
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=1):
            if value not in (None, ""):
                cell = ws.cell(row=r, column=c, value=value)
                cell.alignment = WRAP


def _save(wb: Workbook, name: str) -> None:
    wb.properties.creator = "quanze-tests"
    wb.properties.created = FIXED
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps dcterms:modified and the zip members with the current time;
    # rewrite both so the file is identical on every run.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    (HERE / name).write_bytes(out.getvalue())


# --------------------------------------------------------------------------------------
# L04: jurisdiction only in the sheet name; two-row header 项目名称 = 主项 | 子项;
# 序号 and 主项 merged down over their 子项 rows (modelled on 建平县医疗保障局权责清单).
def l04() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "建平县医保局"
    ws.cell(row=1, column=1, value="权责清单").font = BOLD
    ws.merge_cells("A1:H1")
    _rows(ws, 2, [
        ["序号", "项目类型", "项目名称", None, "设定依据", "主管部门", "责任事项", "备注"],
        [None, None, "主项", "子项", None, None, None, None],
    ])
    for col in "ABEFGH":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:D2")
    duty_penalty = ("1.立案责任：对发现的违法线索依法审查，决定是否立案。2.调查责任：执法人员不少于两人，"
                    "出示证件，收集证据。3.审查责任：审查调查报告，提出处理意见。4.告知责任：告知拟处罚的事实、"
                    "理由、依据及陈述申辩权利。5.决定责任：制作处罚决定书。6.送达责任：依法送达。7.执行责任：督促履行。")
    rows = [
        ["1", "行政处罚", "对违反《中华人民共和国社会保险法》行为的处罚",
         "1.对定点医药机构以欺诈、伪造证明材料等手段骗取医疗保障基金支出的处罚",
         "【法律】《中华人民共和国社会保险法》第八十七条", "市医疗保障局", duty_penalty, None],
        [None, None, None,
         "2.对个人以欺诈、伪造证明材料等手段骗取医疗保障待遇的处罚",
         "【法律】《中华人民共和国社会保险法》第八十八条", "市医疗保障局", duty_penalty, None],
        ["2", "行政处罚", "对违反《医疗保障基金使用监督管理条例》行为的处罚",
         "1.对定点医药机构违规使用医疗保障基金造成损失的处罚",
         "【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号，2021年1月15日公布）第三十八条",
         "市医疗保障局", duty_penalty, None],
        [None, None, None,
         "2.对定点医药机构未按规定保管财务账目、传送数据等行为的处罚",
         "【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号）第三十九条",
         "市医疗保障局", duty_penalty, None],
        [None, None, None,
         "3.对定点医药机构骗取医疗保障基金支出的处罚",
         "【行政法规】《医疗保障基金使用监督管理条例》（国务院令第735号）第四十条",
         "市医疗保障局", duty_penalty, None],
        ["3", "行政给付", "医疗救助待遇给付", None,
         "【行政法规】《社会救助暂行办法》（国务院令第649号）第二十八条、第二十九条\n"
         "【规范性文件】《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
         "市医疗保障局",
         "1.受理责任：受理乡镇（街道）报送的救助申请。2.审核责任：核对救助对象身份及费用。3.给付责任：按标准给付。",
         "与民政部门共同认定救助对象"],
    ]
    _rows(ws, 4, rows)
    ws.merge_cells("A4:A5")
    ws.merge_cells("B4:B5")
    ws.merge_cells("C4:C5")
    ws.merge_cells("A6:A8")
    ws.merge_cells("B6:B8")
    ws.merge_cells("C6:C8")
    for col, width in zip("ABCDEFGH", (6, 10, 28, 36, 40, 12, 50, 16)):
        ws.column_dimensions[col].width = width
    _save(wb, "L04-sheet-name-main-sub.xlsx")


# --------------------------------------------------------------------------------------
# L05: two tables on one sheet with different headers; the agency named only on the
# line 执法主体1：… between the title and the first table (modelled on 宁强县医疗保障局
# 执法主体事项清单).
def l05() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.cell(row=1, column=1, value="执法主体事项清单").font = BOLD
    ws.merge_cells("A1:F1")
    ws.cell(row=2, column=1, value="执法主体1：宁强县医疗保障局")
    ws.merge_cells("A2:F2")
    _rows(ws, 3, [
        ["序号", "执法事项名称", "执法类别", "执法依据", "责任机构", "责任人员"],
        ["1", "对用人单位不办理医疗保险和生育保险登记的处罚", "行政处罚",
         "《中华人民共和国社会保险法》（中华人民共和国主席令第35号）第八十四条", "监督审计股", "股长"],
        ["2", "对定点医药机构以欺诈、伪造证明材料等手段骗取医疗保障基金支出的处罚", "行政处罚",
         "《中华人民共和国社会保险法》第八十七条；《中华人民共和国基本医疗卫生与健康促进法》（中华人民共和国主席令第38号）第一百零四条",
         "监督审计股", "股长"],
        ["3", "对参保人员将本人医疗保障凭证交由他人冒名使用等行为的处罚", "行政处罚",
         "《医疗保障基金使用监督管理条例》（中华人民共和国国务院令第735号）第四十一条", "监督审计股", "股长"],
        ["4", "调查期间暂停定点医药机构医疗保障基金结算", "行政强制",
         "《医疗保障基金使用监督管理条例》第三十条", "监督审计股", "分管副局长"],
    ])
    # a blank row, then the second table with its own title and header
    ws.cell(row=9, column=1, value="行政检查事项").font = BOLD
    ws.merge_cells("A9:F9")
    _rows(ws, 10, [
        ["序号", "检查事项", "检查对象", "检查依据", "检查方式", "责任股室"],
        ["1", "对定点医药机构医疗保障基金使用情况的检查", "定点医疗机构、定点零售药店",
         "《医疗保障基金使用监督管理条例》第二十五条、第二十七条", "双随机抽查、专项检查", "监督审计股"],
        ["2", "对医疗保障经办机构基金支付情况的检查", "县医疗保障经办中心",
         "《中华人民共和国社会保险法》第七十九条", "年度检查", "监督审计股"],
    ])
    for col, width in zip("ABCDEF", (6, 40, 14, 48, 20, 14)):
        ws.column_dimensions[col].width = width
    _save(wb, "L05-two-tables-one-sheet.xlsx")


# --------------------------------------------------------------------------------------
# L06: report form with 附件/报送单位/报送人 rows; the jurisdiction only in the
# 行政区划代码 column (modelled on 海南区人力资源和社会保障局权责清单数据.xlsx).
def l06() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.cell(row=1, column=1, value="附件3")
    ws.cell(row=2, column=1, value="权责清单数据").font = BOLD
    ws.merge_cells("A2:H2")
    ws.cell(row=3, column=1, value="报送单位（加盖公章）：")
    ws.cell(row=3, column=6, value="报送日期：2021.9.18")
    _rows(ws, 4, [
        ["序号", "权力名称", "权力类别", "设定依据", "责任事项", "追责情形及追责依据", "责任主体", "行政区划代码"],
        ["1", "定点医疗机构医疗保障服务协议签订", "其他权力",
         "1.【部门规章】《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）第十五条",
         "1.受理责任：公示申请条件与材料。2.评估责任：组织专业评估。3.协商签约责任：协商一致后签订服务协议。",
         "因不履行或不正确履行职责，有违规签约、索取财物等情形的，依法追究责任。依据：《医疗保障基金使用监督管理条例》第四十七条",
         "区医疗保障局", "150303"],
        ["2", "定点零售药店医疗保障服务协议签订", "其他权力",
         "1.【部门规章】《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）第十四条",
         "1.受理责任。2.评估责任。3.协商签约责任。",
         "同上。依据：《医疗保障基金使用监督管理条例》第四十七条", "区医疗保障局", "150303"],
        ["3", "城乡居民基本医疗保险待遇支付", "行政给付",
         "1.【法律】《中华人民共和国社会保险法》第二十五条、第二十八条",
         "1.审核责任：审核医疗费用。2.支付责任：按规定结算支付。",
         "对不符合条件的人员支付待遇或者应付未付的，依法追究责任。依据：《中华人民共和国社会保险法》第八十九条",
         "区医疗保障局", "150303"],
        ["4", "对个人骗取医疗保障基金的处罚", "行政处罚",
         "1.【法律】《中华人民共和国社会保险法》第八十八条\n2.【行政法规】《医疗保障基金使用监督管理条例》第四十一条",
         "1.立案责任。2.调查责任。3.审查责任。4.告知责任。5.决定责任。6.送达责任。7.执行责任。",
         "没有法定依据实施处罚的等情形，依法追究责任。依据：《中华人民共和国行政处罚法》第七十六条",
         "区医疗保障局", "150303"],
    ])
    ws.cell(row=9, column=1, value="报送人：")
    ws.cell(row=9, column=4, value="联系电话：")
    for col, width in zip("ABCDEFGH", (6, 30, 10, 44, 40, 44, 14, 12)):
        ws.column_dimensions[col].width = width
    _save(wb, "L06-report-form-division-code-column.xlsx")


# --------------------------------------------------------------------------------------
# L07: three-row header; the level is a tick (√) under one of three columns 高/中/低;
# two responsibility columns (modelled on the 风险防控责任领导 / 责任股室 registers and
# the multi-row headers of 西吉县 / 吉林省 lists).
def l07() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "风险防控"
    ws.cell(row=1, column=1, value="南充市顺庆区医疗保障局行政权力廉政风险防控一览表").font = BOLD
    ws.merge_cells("A1:I1")
    _rows(ws, 2, [
        ["序号", "权力事项", "廉政风险", None, None, None, "防控措施", "风险防控责任", None],
        [None, None, "风险点", "风险等级", None, None, None, "责任领导", "责任股室"],
        [None, None, None, "高", "中", "低", None, None, None],
    ])
    ws.merge_cells("A2:A4")
    ws.merge_cells("B2:B4")
    ws.merge_cells("C2:F2")
    ws.merge_cells("C3:C4")
    ws.merge_cells("D3:F3")
    ws.merge_cells("G2:G4")
    ws.merge_cells("H2:I2")
    ws.merge_cells("H3:H4")
    ws.merge_cells("I3:I4")
    rows = [
        ["1", "对定点医药机构违法违规使用医疗保障基金的处罚",
         "调查取证不全面，选择性收集证据", "√", None, None,
         "执法人员不少于两人；全过程记录；重大案件法制审核", "分管副局长", "基金监管股"],
        [None, None,
         "处罚幅度畸轻畸重，滥用自由裁量权", "√", None, None,
         "严格执行行政处罚裁量基准；集体讨论决定", "分管副局长", "基金监管股"],
        [None, None,
         "未依法告知当事人陈述、申辩和听证权利", None, "√", None,
         "使用统一文书；法制审核把关", "分管副局长", "办公室"],
        ["2", "医疗救助待遇给付",
         "降低标准审核，违规认定救助对象", None, "√", None,
         "与民政部门数据比对；定期公示", "分管副局长", "待遇保障股"],
        [None, None,
         "救助资金拨付不及时", None, None, "√",
         "建立台账，限时拨付", "分管副局长", "财务股"],
        ["3", "医疗保障基金使用情况的监督检查",
         "检查中接受宴请、收受礼品", None, "√", None,
         "签订廉洁承诺；纪检人员随机参与", "局长", "基金监管股"],
    ]
    _rows(ws, 5, rows)
    ws.merge_cells("A5:A7")
    ws.merge_cells("B5:B7")
    ws.merge_cells("A8:A9")
    ws.merge_cells("B8:B9")
    for col, width in zip("ABCDEFGHI", (6, 30, 34, 5, 5, 5, 36, 12, 12)):
        ws.column_dimensions[col].width = width
    _save(wb, "L07-three-row-header-tick-levels.xlsx")


# --------------------------------------------------------------------------------------
# L08: one sheet per power type; the type appears only in the sheet name and the sheet
# title row; jurisdiction only in the 实施主体 column (modelled on 青铜峡市人力资源和
# 社会保障局权力清单及责任清单 and county lists split by type).
def l08() -> None:
    wb = Workbook()
    header = ["序号", "事项名称", "子项名称", "地方权力编码", "实施主体", "实施依据",
              "责任事项内容", "责任事项依据", "追责情形"]
    duty = "1.立案阶段责任。2.调查阶段责任。3.审查阶段责任。4.告知阶段责任。5.决定阶段责任。6.送达阶段责任。7.执行阶段责任。"
    sheets = {
        "行政处罚（3项）": [
            ["1", "对定点医药机构违规使用医疗保障基金的处罚", None, "118001001", "青铜峡市医疗保障局",
             "【行政法规】《医疗保障基金使用监督管理条例》第三十八条", duty,
             "《医疗保障行政处罚程序暂行规定》（国家医疗保障局令第4号）", "没有法定依据实施处罚的，依法追究责任。"],
            ["2", "对定点医药机构骗取医疗保障基金支出的处罚", None, "118001002", "青铜峡市医疗保障局",
             "【法律】《中华人民共和国社会保险法》第八十七条【行政法规】《医疗保障基金使用监督管理条例》第四十条",
             duty, "《医疗保障行政处罚程序暂行规定》（国家医疗保障局令第4号）", "同上。"],
            ["3", "对个人骗取医疗保障基金的处罚", None, "118001003", "青铜峡市医疗保障局",
             "【法律】《中华人民共和国社会保险法》第八十八条", duty,
             "《中华人民共和国行政处罚法》第五十四条至第五十七条", "同上。"],
        ],
        "行政检查（1项）": [
            ["1", "医疗保障基金使用监督检查", "对定点零售药店医疗保障基金使用的检查", "118006001",
             "青铜峡市医疗保障局",
             "【行政法规】《医疗保障基金使用监督管理条例》第二十七条【部门规章】《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）第三十六条",
             "1.检查责任。2.处置责任。3.信息公开责任。", "《医疗保障基金使用监督管理条例》第二十九条",
             "检查中滥用职权、玩忽职守的，依法追究责任。"],
        ],
        "其他行政权力（1项）": [
            ["1", "医疗保障信用评价", None, "118010001", "青铜峡市医疗保障局",
             "【行政法规】《医疗保障基金使用监督管理条例》第三十三条",
             "1.采集责任。2.评价责任。3.公示责任。", "《医疗保障基金使用监督管理条例》第三十三条",
             "违规评价、泄露信用信息的，依法追究责任。"],
        ],
    }
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = name
        ws.cell(row=1, column=1, value=name.split("（")[0] + "类权责事项").font = BOLD
        ws.merge_cells("A1:I1")
        _rows(ws, 2, [header] + rows)
        for col, width in zip("ABCDEFGHI", (6, 30, 26, 18, 18, 44, 40, 30, 30)):
            ws.column_dimensions[col].width = width
    _save(wb, "L08-sheet-per-power-type.xlsx")


if __name__ == "__main__":
    for make in (l04, l05, l06, l07, l08):
        make()
    print("written:", ", ".join(sorted(p.name for p in HERE.glob("*.xlsx"))))
