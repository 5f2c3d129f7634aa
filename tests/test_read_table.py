"""The header-driven table reader on both text layouts, and on bad input."""

import pytest

from quanze.graph.read.table import NoHeader, read_table
from quanze.graph.read.text import UnreadableInput, decode
from tests.conftest import seed


def test_cell_layout_reads_nine_rows_of_the_risk_register():
    name, text = seed("000")
    rows = read_table(text, name)
    assert [r.number for r in rows] == list(range(1, 10))
    first = rows[0]
    assert first.cells["power_type"].text == "行政处罚"
    assert first.cells["risk_count"].text == "3个"
    assert first.cells["level"].text == "中"
    assert first.cells["risks"].text.count("\n") == 2  # a cell spanning three lines
    assert "role" not in rows[8].cells  # the last row has no 责任人 cell


def test_cell_layout_header_cell_broken_over_two_lines():
    text = "\t序号\n\t事项\n类型\n\t事项名称\n\n\t1\n\t行政处罚\n\t对某行为的处罚\n"
    rows = read_table(text, "x.txt")
    assert rows[0].cells["power_type"].text == "行政处罚"


def test_cell_layout_rows_without_serial_number_keep_their_columns():
    name, text = seed("003")
    rows = read_table(text, name)
    assert len(rows) == 9
    assert [r.number for r in rows[6:]] == [None, None, None]
    assert rows[6].cells["power_type"].text == "行政强制"
    assert rows[8].cells["name"].text == "医疗救助待遇审核"
    assert rows[6].cells["phone"].text == "0554-2792368"


def test_tsv_layout_skips_repeated_headers():
    name, text = seed("004")
    rows = read_table(text, name)
    assert len(rows) == 25
    assert rows[21].number is None and rows[21].cells["code"].text == "4105030039Н0008"
    assert rows[0].cells["code"].text == "410503003980001"
    assert rows[3].cells["name"].text == ""  # the scan left row 4's name empty


def test_tsv_header_with_ocr_marks_is_recognised():
    name, text = seed("002")
    rows = read_table(text, name)
    assert len(rows) == 8
    assert rows[2].cells["agency"].text == "瓜州县医疗保障 局"


def test_text_without_a_register_header_is_refused():
    with pytest.raises(NoHeader, match="no header row"):
        read_table("名称\t数量\n苹果\t3\n", "fruit.tsv")


@pytest.mark.parametrize(
    "data,message",
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"\xff\xfe\xfa\xfb" * 4, "neither")],
)
def test_undecodable_input_is_refused(data, message):
    with pytest.raises(UnreadableInput, match=message):
        decode(data, "bad.csv")


def test_gbk_input_is_decoded():
    assert decode("序号\t事项名称".encode("gbk")) == "序号\t事项名称"
