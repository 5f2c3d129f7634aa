"""The validation report a clerk can act on: sheet, Excel row, column, cell, what to change;
one finding per problem; HTML, JSON, CSV and XLSX (the register with the cells marked)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from quanze.graph import paths

TEMPLATE = paths.data_dir() / "templates" / "权责清单模板.xlsx"
CONTRACT_KEYS = {"severity", "file", "row", "item", "message", "constraint", "path", "value"}


def defective_workbook(path: Path) -> Path:
    """The template with three defects on three rows, plus a second sheet (so sheets must be told apart)."""
    from openpyxl import load_workbook

    workbook = load_workbook(TEMPLATE)
    sheet = workbook["权责清单"]
    example = [c.value for c in sheet[3]]
    sheet.cell(3, 6).value = "《中华人民共和国社会保险法》第九百条"  # an article the law does not have
    second = list(example)
    second[0], second[2], second[3] = "2", "对定点医药机构违法使用医疗保障基金的处罚", "4105030039X0002"  # X: no such type letter
    sheet.append(second)
    third = list(example)
    third[0], third[2], third[3], third[12] = "3", "对参保人员违法使用医疗保障基金的处罚", "4105030039B0003", ""  # no role for 2 risks
    sheet.append(third)
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return defective_workbook(tmp_path_factory.mktemp("clerk") / "北关区清单.xlsx")


def upload(server, path: Path, accept="application/json", **params):
    with path.open("rb") as f:
        return httpx.post(server + "/validate", params=params, files={"file": (path.name, f)}, headers={"Accept": accept}, timeout=60)


def test_json_names_sheet_excel_row_column_cell_and_what_to_change(server, workbook):
    report = upload(server, workbook).json()
    results = report["results"]
    assert all(CONTRACT_KEYS <= set(r) for r in results)
    missing = next(r for r in results if r["path"] == "qz:missingArticle")
    assert (missing["sheet"], missing["excel_row"], missing["column"], missing["column_letter"]) == ("权责清单", 3, "实施依据", "F")
    assert missing["cell"] == "《中华人民共和国社会保险法》第九百条" and "不存在" in missing["advice"]
    code = next(r for r in results if r["path"] == "qz:codeLetterType")
    assert (code["excel_row"], code["column"], code["cell"]) == (4, "事项编码", "4105030039X0002")
    role = [r for r in results if r["path"] == "qz:responsibleRole"]
    assert len(role) == 1 and role[0]["count"] == 2 and (role[0]["excel_row"], role[0]["column_letter"]) == (5, "M")
    # the missing article is the problem; "实施依据为空或无法解析" would be false
    assert not any(r["constraint"].startswith("ArticleBasis/") for r in results)
    assert {r["rule"]: r["count"] for r in report["rules"]}["RiskPointShape/MinCount|qz:responsibleRole"] == 1
    assert "ArticleBasis" not in str(results[0]["advice"])


def test_english_advice(server, workbook):
    results = upload(server, workbook, lang="en").json()["results"]
    role = next(r for r in results if r["path"] == "qz:responsibleRole")
    assert role["advice"].startswith("Write the responsible person") and "责任人" in role["advice"]


def test_html_report_groups_by_rule_in_the_site_layout(server, workbook):
    page = upload(server, workbook, accept="text/html").text
    assert 'class="brand"' in page and 'id="rules"' in page  # the site's layout, rules with counts
    assert '<td class="sheet">权责清单</td><td class="excel-row">3</td>' in page
    assert "F · 实施依据" in page and "ArticleBasis/MinCount" not in page and "qz:legalBasis" not in page


def test_csv_and_xlsx_reports(server, workbook):
    from openpyxl import load_workbook

    response = upload(server, workbook, format="csv")
    assert response.content.startswith("\ufeff".encode()) and ".csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["级别", "文件", "工作表", "行", "列", "列名"]
    assert ["违规", "北关区清单.xlsx", "权责清单", "3", "F", "实施依据"] in [r[:6] for r in rows]
    response = upload(server, workbook, format="xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["权责清单"]
    assert sheet["F3"].comment is not None and "不存在" in sheet["F3"].comment.text
    assert sheet["F3"].fill.fgColor.rgb.endswith("FFC7CE")  # a violation: red
    assert sheet["D4"].comment is not None and sheet["D4"].fill.fgColor.rgb.endswith("FFEB9C")  # a warning: yellow
    assert sheet["M5"].comment is not None and sheet["C3"].comment is None
    assert sheet["C3"].value == "对医疗保障经办机构骗取医疗保障基金支出的处罚"  # the register itself
    assert "校验结果" in book.sheetnames


def test_report_page_links_to_the_other_formats(server, workbook):
    import re

    page = upload(server, workbook, accept="text/html").text
    link = re.search(r'href="(/validate/report/\w+\?format=xlsx&(?:amp;)?lang=zh)"', page).group(1).replace("&amp;", "&")
    response = httpx.get(server + link)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert httpx.get(server + "/validate/report/nosuchtoken", headers={"Accept": "text/html"}).status_code == 404


def test_csv_register_rows_are_excel_rows(server):
    path = Path(__file__).parent / "data" / "invalid" / "nonexistent-article.csv"
    results = upload(server, path).json()["results"]
    hit = next(r for r in results if r["path"] == "qz:missingArticle")
    assert hit["excel_row"] == 2 and hit["sheet"] is None and hit["column"] == "实施依据" and hit["column_letter"] == "F"


@pytest.mark.parametrize("lang, words", [("zh", "没有找到清单的表头"), ("en", "No register header was found")])
def test_upload_errors_are_pages_in_the_users_language(server, lang, words):
    readme = Path(__file__).resolve().parent.parent / "README.md"
    response = upload(server, readme, accept="text/html,application/xhtml+xml", lang=lang)
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert words in response.text and 'class="brand"' in response.text
    response = upload(server, readme)
    assert response.status_code == 400 and "error" in response.json()


def test_cli_text_csv_and_xlsx(workbook, tmp_path):
    import subprocess
    import sys

    from openpyxl import load_workbook

    run = lambda *a: subprocess.run([sys.executable, "-m", "quanze.graph.cli", "validate", str(workbook), *a], capture_output=True, text=True)
    text = run()
    assert text.returncode == 1 and "工作表“权责清单”，第 3 行，F 列（实施依据）" in text.stdout
    english = run("--lang", "en")
    assert "sheet “权责清单”, row 3, column F (实施依据)" in english.stdout and "does not exist in that law" in english.stdout
    table = run("--format", "csv")
    assert table.stdout.startswith("\ufeff级别,文件,工作表,行,列")
    refused = run("--format", "xlsx")
    assert refused.returncode == 2 and "-o" in refused.stderr
    target = tmp_path / "marked.xlsx"
    assert run("--format", "xlsx", "-o", str(target)).returncode == 1
    assert load_workbook(target)["权责清单"]["M5"].comment is not None
