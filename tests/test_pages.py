"""The pages and downloads people use (issue 15): right counts, spreadsheets Excel opens safely,
the query editor's assets, the compare page, linked data and its documentation."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import httpx
import pytest

FORMULA_QUERY = 'SELECT ?a ?b ?c ?d ?e WHERE { BIND("=1+1" AS ?a) BIND("+86 10" AS ?b) BIND("-x" AS ?c) BIND("@SUM(A1)" AS ?d) BIND("普通" AS ?e) }'


def test_jurisdiction_counts_are_distinct_power_items_as_integers(server, select):
    expected = {
        r["code"]: int(r["n"])
        for r in select("SELECT ?code (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a qz:PowerItem ; qz:jurisdiction/qz:divisionCode ?code } GROUP BY ?code")
    }
    rows = httpx.get(server + "/api/jurisdictions").json()
    assert {r["code"]: r["powers"] for r in rows} == expected
    assert all(isinstance(r["powers"], int) and isinstance(r["risks"], int) for r in rows)
    page = httpx.get(server + "/").text
    for code, n in expected.items():
        assert f"<td>{code}</td><td>{n}</td>" in page


def test_query_download_is_a_spreadsheet_csv_with_formulas_neutralised(server):
    response = httpx.get(server + "/query/download", params={"query": FORMULA_QUERY, "format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert 'filename="quanze-query.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["a", "b", "c", "d", "e"], ["'=1+1", "'+86 10", "'-x", "'@SUM(A1)", "普通"]]


def test_query_download_xlsx_keeps_formulas_as_text(server):
    from openpyxl import load_workbook

    response = httpx.get(server + "/query/download", params={"query": FORMULA_QUERY, "format": "xlsx"})
    assert response.status_code == 200 and "quanze-query.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[2]]
    assert values == ["'=1+1", "'+86 10", "'-x", "'@SUM(A1)", "普通"]
    assert all(c.data_type == "s" for c in sheet[2])


def test_sparql_csv_stays_the_exact_w3c_format(server):
    response = httpx.get(server + "/sparql", params={"query": FORMULA_QUERY}, headers={"Accept": "text/csv"})
    assert not response.content.startswith("\ufeff".encode())
    assert response.text.splitlines()[1] == "=1+1,+86 10,-x,@SUM(A1),普通"


def test_query_download_refuses_what_sparql_refuses(server):
    assert httpx.get(server + "/query/download", params={"query": "ASK { ?s ?p ?o }"}).status_code == 400
    assert httpx.get(server + "/query/download", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"}).status_code == 403
    assert httpx.get(server + "/query/download", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "ods"}).status_code == 422


def test_compare_and_matrix_downloads(server):
    from openpyxl import load_workbook

    response = httpx.get(server + "/compare/download", params={"a": "340406", "b": "410503", "format": "csv"})
    assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
    assert "quanze-compare-340406-410503.csv" in response.headers["content-disposition"]
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[0] == "标准权力事项" and "潘集区" in header[3]
    response = httpx.get(server + "/compare/download", params={"a": "340406", "b": "410503", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["比较", "矩阵"]
    matrix = httpx.get(server + "/compare/matrix/download", params={"lang": "en"})
    rows = list(csv.reader(io.StringIO(matrix.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Canonical power", "Id"] and all(cell.isdigit() for row in rows[1:] for cell in row[2:])
    assert httpx.get(server + "/compare/download", params={"a": "999999", "b": "410503"}).status_code == 404


def test_cli_matrix_as_csv(store_path):
    out = subprocess.run([sys.executable, "-m", "quanze.graph.cli", "--store", str(store_path), "compare", "--matrix", "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["标准权力事项", "编号"] and len(rows[0]) == 6
    assert all(cell.isdigit() for row in rows[1:] for cell in row[2:]) and len(rows) > 10


@pytest.mark.parametrize("value, expected", [("=A1", "'=A1"), ("-", "'-"), ("a=b", "a=b"), (None, ""), (3, 3)])
def test_safe_cell(value, expected):
    from quanze.graph.query.spreadsheet import safe_cell

    assert safe_cell(value) == expected


ASSETS = __import__("pathlib").Path(__file__).resolve().parent.parent / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"


@pytest.mark.skipif(not ASSETS.exists(), reason="web assets not installed (npm ci)")
def test_query_page_serves_yasgui_from_the_server_itself(server):
    page = httpx.get(server + "/query").text
    assert '<script src="/vendor/yasgui/yasgui.min.js">' in page and "cdn" not in page.lower()
    assert httpx.get(server + "/vendor/yasgui/yasgui.min.js").status_code == 200
    assert httpx.get(server + "/vendor/yasgui/yasgui.min.css").status_code == 200


def test_vocabulary_for_completion_comes_from_the_ontology(server):
    vocabulary = httpx.get(server + "/ontology/vocabulary.json").json()
    assert vocabulary["prefixes"]["qz"] == "https://w3id.org/quanze/ontology#"
    assert "https://w3id.org/quanze/ontology#PowerItem" in vocabulary["classes"]
    assert "https://w3id.org/quanze/ontology#legalBasis" in vocabulary["properties"]
    assert "http://www.w3.org/2000/01/rdf-schema#label" in vocabulary["properties"]
    assert vocabulary["labels"]["https://w3id.org/quanze/ontology#PowerItem"]["zh"] == "权力事项"


def test_query_page_library_and_share_link_prefill(server):
    page = httpx.get(server + "/query", params={"query": "SELECT ?x WHERE { ?x ?y ?z } LIMIT 1", "lang": "en"}).text
    assert 'id="example-search"' in page and "01-powers-per-jurisdiction.rq" in page
    assert "Power items per jurisdiction and power type" in page
    assert '"initial": "SELECT ?x WHERE { ?x ?y ?z } LIMIT 1"' in page


def test_missing_prefix_is_explained_in_one_line(server):
    response = httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s a qz:PowerItem }"})
    assert response.status_code == 400
    assert "qz: is not declared" in response.text and "PREFIX qz: <https://w3id.org/quanze/ontology#>" in response.text
    assert "\\u{" not in response.text and "\n" not in response.text.strip()


def test_compare_page_is_tables_with_chinese_names_and_links(server, select):
    import re

    page = httpx.get(server + "/compare", params={"a": "340406", "b": "410503"}).text
    assert 'id="side-table"' in page and 'id="matrix-table"' in page and "<pre" not in page
    canonical = select("SELECT ?id ?name WHERE { ?c a qz:CanonicalPower ; skos:notation ?id ; rdfs:label ?name . ?i qz:canonicalPower ?c }")
    names = {r["name"] for r in canonical}
    matrix = page[page.index('id="matrix-table"'):]
    rows = re.findall(r'<th scope="row" title="([^"]+)">([^<]+)</th>', matrix)
    assert {name for _, name in rows} == names  # every canonical power with an item, by its Chinese name
    links = re.findall(r'<td class="cell (lv-\w+)"[^>]*><a href="(/id/power/[^"?]+)', matrix)
    assert len(links) == len(select("SELECT DISTINCT ?code ?c WHERE { ?i qz:canonicalPower ?c ; qz:jurisdiction/qz:divisionCode ?code }"))
    assert {"lv-high", "lv-medium", "lv-none"} <= {cls for cls, _ in links}
    assert httpx.get(server + links[0][1], headers={"Accept": "text/html"}).status_code == 200
    side = page[page.index('id="side-table"'):page.index('id="matrix-table"')]
    assert 'class="only-a' in side and 'class="only-b' in side and 'class="diff"' in side


def test_compare_page_in_english(server):
    page = httpx.get(server + "/compare", params={"lang": "en"}).text
    for words in ("Side by side", "Jurisdictions × canonical powers", "highest risk level: high", "Charts", "Most-cited articles"):
        assert words in page
    for words in ("两地对照", "最高风险等级", "统计图", "下载", "两地均有", "法律依据"):
        assert words not in page


def test_jurisdiction_page_names_canonical_powers_in_chinese(server):
    page = httpx.get(server + "/id/jurisdiction/410503", headers={"Accept": "text/html"}).text
    assert "benefit-fraud-penalty" not in page and "对单位和个人以欺诈" in page


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(store_path):
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "quanze.graph.cli", "--store", str(store_path), "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"port {port}" in result.stderr and "in use" in result.stderr


@pytest.mark.parametrize("lang, words", [("zh", "没有找到含已知列名"), ("en", "no header row with known register columns")])
def test_validate_errors_in_the_language_asked(tmp_path, lang, words):
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n今天讨论了清单。\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "quanze.graph.cli", "validate", str(path), "--lang", lang], capture_output=True, text=True)
    assert result.returncode == 2 and words in result.stderr and result.stderr.count("\n") == 1
