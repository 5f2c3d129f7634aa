"""Enumerated lists in register cells, in every style the registers use."""

from __future__ import annotations

import pytest

from quanze.graph.model import Span
from quanze.graph.repair.lists import parse_declared_count, split_enumerated


def texts(cell: str) -> list[str]:
    return [e.text for e in split_enumerated(cell).entries]


# --- styles -------------------------------------------------------------------------------


def test_one_line_list():
    result = split_enumerated("1. 甲的；2.乙的；3.丙的。")
    assert [e.text for e in result.entries] == ["甲的", "乙的", "丙的"]
    assert result.numbers == [1, 2, 3]
    assert result.preamble is None


def test_numbered_lines_keep_their_line_numbers():
    result = split_enumerated("1. 甲的；\n2.乙的；\n\n3.丙的。", first_line=18)
    assert result.entries == [Span("甲的", 18), Span("乙的", 19), Span("丙的", 21)]


@pytest.mark.parametrize(
    "cell,numbers",
    [
        ("1、甲；2、乙；3、丙", [1, 2, 3]),
        ("1．甲；\n2．乙；\n3．丙", [1, 2, 3]),
        ("（一）甲；（二）乙；（三）丙", [1, 2, 3]),
        ("(1)甲；(2)乙；(3)丙", [1, 2, 3]),
        ("①甲；②乙；③丙", [1, 2, 3]),
        ("一、甲；二、乙；三、丙", [1, 2, 3]),
        ("1）甲 2）乙 3）丙", [1, 2, 3]),
    ],
)
def test_every_enumerator_style(cell, numbers):
    result = split_enumerated(cell)
    assert [e.text for e in result.entries] == ["甲", "乙", "丙"]
    assert result.numbers == numbers


def test_tenth_item_and_beyond():
    cell = "".join(f"{n}、第{n}项；" for n in range(1, 13))
    assert split_enumerated(cell).numbers == list(range(1, 13))
    assert split_enumerated("（九）甲；（十）乙；（十一）丙").numbers == [9, 10, 11]


def test_several_entries_on_one_line_keep_inner_semicolons():
    assert texts("1.严格办事；2.规范审理；对案审情况进行记录；3.提高意识") == [
        "严格办事", "规范审理；对案审情况进行记录", "提高意识"]


def test_two_entries_on_one_of_several_lines():
    result = split_enumerated("1、不按程序审核；2、不按标准审核；\n3、徇私舞弊。", first_line=5)
    assert result.entries == [Span("不按程序审核", 5), Span("不按标准审核", 5), Span("徇私舞弊", 6)]


# --- OCR damage ---------------------------------------------------------------------------


def test_duplicated_enumerators_are_swallowed():
    result = split_enumerated("1. 立案阶段责任：甲；\n2. 2.调查取证阶段责任：乙\n3. 3.审核阶段责任：丙")
    assert [e.text for e in result.entries] == ["立案阶段责任：甲", "调查取证阶段责任：乙", "审核阶段责任：丙"]
    assert result.numbers == [1, 2, 3]


def test_number_glued_to_text_only_where_it_is_due():
    result = split_enumerated("1. 甲；\n2.乙；\n3.丙。\n4严格执行听证制度，重大案件集体讨论。")
    assert [e.text for e in result.entries] == ["甲", "乙", "丙", "严格执行听证制度，重大案件集体讨论"]
    assert result.numbers == [1, 2, 3, 4]
    assert split_enumerated("1.严格执行；\n2执行内部监督检查制度").numbers == [1, 2]


def test_glued_numbers_that_are_not_due_stay_text():
    assert texts("1. 处骗取金额 5倍以下的罚款；2.责令退回") == ["处骗取金额 5倍以下的罚款", "责令退回"]
    assert texts("1. 处骗取金额2倍以上5倍以下的罚款") == ["处骗取金额2倍以上5倍以下的罚款"]
    assert texts("1个") == ["1个"]  # a glued number never opens a list


def test_unnumbered_leading_lines_are_the_first_items():
    result = split_enumerated("严把材料审核关；\n严格按照办法要求；\n3、严格内部监督。\n4、民主议事；", first_line=10)
    assert result.entries == [Span("严把材料审核关", 10), Span("严格按照办法要求", 11), Span("严格内部监督", 12), Span("民主议事", 13)]
    assert result.numbers == [None, None, 3, 4]


def test_unnumbered_first_item_on_its_own_line():
    result = split_enumerated("无故不受理认定申请；\n2、无原因超时办理；")
    assert [e.text for e in result.entries] == ["无故不受理认定申请", "无原因超时办理"]
    assert result.numbers == [None, 2]


def test_repeated_number_keeps_both_entries():
    result = split_enumerated("4、民主议事；\n5、纪检监察。\n5、严格责任追究制。")
    assert result.numbers == [4, 5, 5]
    assert [e.text for e in result.entries] == ["民主议事", "纪检监察", "严格责任追究制"]


def test_garbled_numerals_are_no_enumerators():
    result = split_enumerated("（十十）甲；（二）乙")
    assert result.numbers == [None, 2]
    assert [e.text for e in result.entries] == ["（十十）甲", "乙"]


def test_smaller_number_inside_an_entry_is_text():
    assert texts("1.甲；2.乙，同 1.；3.丙") == ["甲", "乙，同 1", "丙"]


# --- preamble, nesting, plain text --------------------------------------------------------


def test_preamble_is_returned_apart():
    result = split_enumerated(
        "因不履行或不正确履行行政职责，有下列情形的，行政机关及相关工作人员应承担相应责任：\n1.没有依据的；\n2.显失公正的；",
        first_line=7,
    )
    assert result.preamble == Span("因不履行或不正确履行行政职责，有下列情形的，行政机关及相关工作人员应承担相应责任：", 7)
    assert result.entries == [Span("没有依据的", 8), Span("显失公正的", 9)]
    assert result.numbers == [1, 2]


def test_preamble_on_the_same_line_as_the_list():
    result = split_enumerated("直接实施责任: 1. 制定计划; 2. 开展检查。")
    assert result.preamble is not None and result.preamble.text == "直接实施责任:"
    assert [e.text for e in result.entries] == ["制定计划", "开展检查"]


def test_nested_items_stay_inside_their_entry():
    cell = "1.《社会保险法》第七十九条：有权采取下列措施：\n（一）查阅；\n（二）询问；\n2.《价格法》第三十四条"
    result = split_enumerated(cell)
    assert len(result.entries) == 2 and result.numbers == [1, 2]
    assert "（一）查阅" in result.entries[0].text and "（二）询问" in result.entries[0].text


def test_the_first_enumerator_sets_the_style():
    result = split_enumerated("（一）总则：1.甲；2.乙；（二）分则：1.丙")
    assert result.numbers == [1, 2]
    assert result.entries[0].text == "总则：1.甲；2.乙"


def test_text_without_enumerators_is_one_entry():
    assert split_enumerated("对符合条件的不予受理；对不符合条件的予以受理.", 4).entries == [
        Span("对符合条件的不予受理；对不符合条件的予以受理", 4)]
    result = split_enumerated("\n  政务公开，明确工作程序；\n实行责任追究制度。", 4)
    assert result.entries == [Span("政务公开，明确工作程序；\n实行责任追究制度", 5)]
    assert result.numbers == [None]


@pytest.mark.parametrize("cell", ["", "   ", "\n\n"])
def test_empty_text_has_no_entries(cell):
    result = split_enumerated(cell)
    assert result.entries == [] and result.numbers == [] and result.preamble is None


def test_trailing_punctuation_is_stripped():
    assert texts("1、政务公开。；\n2、加强内部监管，落实责任追究； \n3、其他. ") == [
        "政务公开", "加强内部监管，落实责任追究", "其他"]


# --- declared counts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,count",
    [("3个", 3), ("2 个", 2), ("三个", 3), ("两个", 2), ("十二个", 12), ("4", 4), ("", None), ("若干", None)],
)
def test_declared_counts(text, count):
    assert parse_declared_count(text) == count


# --- size -----------------------------------------------------------------------------------


def test_line_numbers_of_a_20000_line_cell():
    """Each entry's line is found by a binary search over the cell's line breaks, not by counting
    them again from the cell's start: a 20,000-line cell splits correctly (and in linear time)."""
    lines = [f"审核责任：按规定办理第{n}项； 另行记录" for n in range(20_000)]
    result = split_enumerated("\n".join(lines), first_line=7)
    assert len(result.entries) == 20_000
    assert result.entries[0] == Span("审核责任：按规定办理第0项； 另行记录", 7)
    assert result.entries[-1] == Span("审核责任：按规定办理第19999项； 另行记录", 7 + 19_999)
    assert [e.line for e in result.entries] == list(range(7, 7 + 20_000))


def test_numbered_entries_of_a_long_cell_keep_their_lines():
    cell = "\n".join(["有下列情形之一的："] + ["说明文字" * 3] * 10_000 + [f"{n}.第{n}项" for n in range(1, 60)])
    result = split_enumerated(cell, first_line=3)
    assert result.numbers == list(range(1, 60))
    assert [e.line for e in result.entries[-3:]] == [3 + 10_001 + 56, 3 + 10_001 + 57, 3 + 10_001 + 58]
