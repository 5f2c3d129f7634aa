"""The reading limits (graph/read/limits.py, README "Limits"): each is enforced, names its
setting, and can be moved with the environment; and the encodings and spreadsheet details the
hostile suite found."""

from __future__ import annotations

import asyncio
import codecs
import io
import zipfile

import pytest

from quanze.graph.cli import main, one_line
from quanze.graph.read.limits import OverLimit, limit
from quanze.graph.read.rdf import parse_rdf
from quanze.graph.read.sheet import read_csv, read_xlsx
from quanze.graph.read.table import read_table
from quanze.graph.read.text import UnreadableInput, decode
from tests.hostile_corpus import HEADER, ROWS, register_csv, register_sheet, row, write_xlsx


def _xlsx(tmp_path, sheets, shared=None) -> bytes:
    return write_xlsx(tmp_path / "book.xlsx", sheets, shared).read_bytes()


def test_limits_come_from_the_environment(monkeypatch):
    assert limit("QUANZE_MAX_ROWS") == 2_000
    monkeypatch.setenv("QUANZE_MAX_ROWS", "7")
    assert limit("QUANZE_MAX_ROWS") == 7
    for bad in ("0", "-3", "many", ""):
        monkeypatch.setenv("QUANZE_MAX_ROWS", bad)
        assert limit("QUANZE_MAX_ROWS") == 2_000


def test_rows_over_the_limit_are_refused_while_streaming(monkeypatch):
    text = register_csv(rows=[row(n) for n in range(1, 12)])
    assert len(read_csv(text, "a.csv")) == 11
    monkeypatch.setenv("QUANZE_MAX_ROWS", "10")
    with pytest.raises(OverLimit, match=r"over the limit of 10 \(QUANZE_MAX_ROWS\)"):
        read_csv(text, "a.csv")
    with pytest.raises(OverLimit, match="QUANZE_MAX_ROWS"):
        read_table(text.replace(",", "\t"), "a.txt")


def test_columns_and_cells_over_the_limit_are_refused(monkeypatch):
    monkeypatch.setenv("QUANZE_MAX_COLUMNS", "20")
    with pytest.raises(OverLimit, match="QUANZE_MAX_COLUMNS"):
        read_csv(register_csv() + "3" + "," * 30 + "\n", "wide.csv")
    monkeypatch.setenv("QUANZE_MAX_CELL_CHARS", "1000")
    with pytest.raises(OverLimit, match="QUANZE_MAX_CELL_CHARS"):
        read_csv(register_csv(rows=[row(1, 实施依据="依" * 2000)]), "cell.csv")
    with pytest.raises(OverLimit, match="QUANZE_MAX_CELL_CHARS"):  # an unclosed quote swallows the rest
        read_csv(",".join(HEADER) + '\n1,"行政处罚,' + "x" * 5000 + "\n", "quote.csv")
    with pytest.raises(OverLimit, match="QUANZE_MAX_CELL_CHARS"):
        read_table("\t".join(HEADER) + "\n1\t" + "长" * 2000 + "\n", "line.txt")


def test_a_cell_over_the_csv_modules_default_limit_is_read():
    big = "《中华人民共和国社会保险法》第八十七条" + "依法" * 100_000
    rows = read_csv(register_csv(rows=[row(1, 实施依据=big), ROWS[1]]), "big.csv")
    assert rows[0].cells["legal_basis"].text == big


def test_triples_over_the_limit_are_refused_while_parsing(monkeypatch):
    triples = "".join(f'<urn:x:{i}> <urn:x:p> "{i}" .\n' for i in range(50)).encode()
    quads = triples.replace(b" .\n", b" <urn:x:g> .\n")
    for name in ("a.ttl", "a.nt"):
        assert len(parse_rdf(triples, name)) == 50
    monkeypatch.setenv("QUANZE_MAX_TRIPLES", "49")
    for data, name in ((triples, "a.ttl"), (triples, "a.nt"), (quads, "a.nq")):
        with pytest.raises(OverLimit, match="QUANZE_MAX_TRIPLES"):
            parse_rdf(data, name)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + "序号\t事项名称\r\n1\t医疗保障待遇支付\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "序号\t事项名称\r\n1\t医疗保障待遇支付\r\n".encode("utf-16-be"),
        "序号\t事项名称\r\n1\t医疗保障待遇支付\r\n".encode("utf-16-le"),  # no BOM: its zero bytes tell
        "序号\t事项名称\r\n1\t医疗保障待遇支付\r\n".encode("utf-32"),
        codecs.BOM_UTF8 + "序号\t事项名称\n1\t医疗保障待遇支付\n".encode(),
    ],
)
def test_unicode_encodings_are_decoded(data):
    assert decode(data) == "序号\t事项名称\n1\t医疗保障待遇支付\n"


def test_binary_with_a_bom_like_start_is_still_refused():
    with pytest.raises(UnreadableInput, match="neither"):
        decode(b"\xff\xfe\xfa\xfb" * 4)
    with pytest.raises(UnreadableInput, match="binary"):
        decode(b"\x00\x01\x02\x03" * 10)


def test_xlsx_over_the_sheet_and_size_limits_is_refused_before_opening(tmp_path, monkeypatch):
    data = _xlsx(tmp_path, [(f"第{i}页", register_sheet()) for i in range(3)])
    assert len(read_xlsx(data, "book.xlsx")) == 6
    monkeypatch.setenv("QUANZE_MAX_SHEETS", "2")
    with pytest.raises(OverLimit, match="QUANZE_MAX_SHEETS"):
        read_xlsx(data, "book.xlsx")
    monkeypatch.setenv("QUANZE_MAX_XLSX_BYTES", "1000")
    with pytest.raises(OverLimit, match="QUANZE_MAX_XLSX_BYTES"):
        read_xlsx(data, "book.xlsx")


def test_xlsx_with_a_doctype_anywhere_is_refused(tmp_path):
    shared = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    with pytest.raises(UnreadableInput, match="DOCTYPE"):
        read_xlsx(_xlsx(tmp_path, [("Sheet1", register_sheet())], shared), "book.xlsx")


def test_xlsx_far_cells_and_huge_merges_cost_nothing(tmp_path):
    sheet = register_sheet(tail='<mergeCells count="2"><mergeCell ref="A4:XFD1048576"/><mergeCell ref="E2:E3"/></mergeCells>')
    sheet = sheet.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    rows = read_xlsx(_xlsx(tmp_path, [("Sheet1", sheet)]), "book.xlsx")
    assert [r.cells["name"].text for r in rows[:2]] == [ROWS[0][2], ROWS[1][2]]
    assert rows[1].cells["agency"].text == ROWS[0][4]  # E2:E3 merged: the first cell's value fills both
    assert all(r.file == "book.xlsx#Sheet1" for r in rows)  # the sheet travels with every row


def test_xlsx_formula_without_a_cached_value_keeps_its_text(tmp_path):
    sheet = register_sheet().replace(
        f'<c r="C2" t="inlineStr"><is><t xml:space="preserve">{ROWS[0][2]}</t></is></c>',
        '<c r="C2"><f>CONCATENATE("医疗","保障")</f></c><c r="N2"><f>1+1</f><v>2</v></c>',
    )
    rows = read_xlsx(_xlsx(tmp_path, [("Sheet1", sheet)]), "book.xlsx")
    assert rows[0].cells["name"].text == '=CONCATENATE("医疗","保障")'


def test_corrupt_xlsx_is_one_line(tmp_path):
    data = bytearray(_xlsx(tmp_path, [("Sheet1", register_sheet())]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode())
    data[start : start + info.compress_size] = bytes(info.compress_size)
    with pytest.raises(UnreadableInput, match="not a readable XLSX"):
        read_xlsx(bytes(data), "book.xlsx")


def test_cli_errors_are_one_line(capsys, tmp_path):
    assert one_line("a\nb\r\x1b[1m\u2028c\td") == "a\\nb\\r\\x1b[1m\\u2028c\td"
    path = tmp_path / "bad\nname.csv"
    path.write_bytes(b"")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad\\nname.csv" in err
    with pytest.raises(SystemExit) as exit:
        main(["validate", "-rf.csv"])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1 and "--" in err


def test_upload_over_the_limit_is_refused_from_its_content_length():
    from quanze.api.routers.validate import UploadLimit

    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    async def receive():
        raise AssertionError("the body must not be read")

    async def send(message):
        sent.append(message)

    middleware = UploadLimit(app, max_bytes=1000)
    scope = {"type": "http", "method": "POST", "path": "/validate", "headers": [(b"content-length", b"10000000")]}
    asyncio.run(middleware(scope, receive, send))
    assert not reached and sent[0]["status"] == 413
    asyncio.run(middleware(scope | {"headers": [(b"content-length", b"900")]}, receive, send))
    asyncio.run(middleware(scope | {"path": "/sparql"}, receive, send))
    assert reached == ["/validate", "/sparql"]


def test_findings_of_a_workbook_name_the_sheet(capsys, tmp_path):
    import csv
    import io

    from tests.hostile_corpus import BENEFIT

    path = write_xlsx(
        tmp_path / "two.xlsx", [("北关", register_sheet()), ("第二页", register_sheet([row(7, BENEFIT, 权力类型="", 实施依据="")]))]
    )
    assert main(["validate", "--format", "csv", str(path)]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    sheets = {value for r in rows for key, value in r.items() if key in ("sheet", "工作表")}
    assert "第二页" in sheets


def test_post_validate_answers_413_over_a_limit_and_400_for_unreadable(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from quanze.api.main import create_app

    client = TestClient(create_app())  # no `with`: the store is never opened, /validate does not need it
    monkeypatch.setenv("QUANZE_MAX_ROWS", "1")
    over = client.post("/validate", files={"file": ("a.csv", register_csv().encode(), "text/csv")})
    assert over.status_code == 413 and "QUANZE_MAX_ROWS" in over.json()["error"]
    bad = client.post("/validate", files={"file": ("a.csv", b"\x00\x01\x02", "text/csv")})
    assert bad.status_code == 400
    huge = client.post("/validate", content=b"x" * 100, headers={"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(1 << 30)})
    assert huge.status_code == 413
