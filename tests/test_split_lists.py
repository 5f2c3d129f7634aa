"""Enumerated lists in register cells, in every style the registers use."""

import pytest

from graph.split_lists import parse_declared_count, split_enumerated


def texts(cell: str) -> list[str]:
    return [e.text for e in split_enumerated(cell).entries]


def test_numbered_lines_with_their_line_numbers():
    result = split_enumerated("1. 甲的；\n2.乙的；\n3.丙的。", first_line=18)
    assert [(e.text, e.line) for e in result.entries] == [("甲的", 18), ("乙的", 19), ("丙的", 20)]
    assert result.numbers == [1, 2, 3]


def test_several_entries_on_one_line_keep_inner_semicolons():
    assert texts("1.严格办事；2.规范审理；对案审情况进行记录；3.提高意识") == ["严格办事", "规范审理；对案审情况进行记录", "提高意识"]


def test_duplicated_enumerators_are_swallowed():
    assert texts("1. 立案阶段责任：甲；\n2. 2.调查取证阶段责任：乙\n3. 3.审核阶段责任：丙") == [
        "立案阶段责任：甲", "调查取证阶段责任：乙", "审核阶段责任：丙"]


def test_number_glued_to_text_only_where_it_is_due():
    assert texts("1. 甲；\n2.乙；\n3.丙。\n4严格执行听证制度") == ["甲", "乙", "丙", "严格执行听证制度"]
    assert texts("1. 处骗取金额2倍以上5倍以下的罚款") == ["处骗取金额2倍以上5倍以下的罚款"]


def test_lost_leading_numbers_and_repeated_number():
    result = split_enumerated("严把材料审核关；\n严格按照办法要求；\n3、严格内部监督。\n4、民主议事；\n5、纪检监察。\n5、严格责任追究制。")
    assert result.numbers == [None, None, 3, 4, 5, 5]
    assert len(result.entries) == 6


def test_preamble_is_returned_apart():
    result = split_enumerated("因不履行职责，有下列情形的，应承担相应责任：\n1.没有依据的；\n2.显失公正的；")
    assert result.preamble is not None and result.preamble.text.startswith("因不履行职责")
    assert [e.text for e in result.entries] == ["没有依据的", "显失公正的"]


def test_nested_items_stay_inside_their_entry():
    cell = "1.《社会保险法》第七十九条：有权采取下列措施：\n（一）查阅；\n（二）询问；\n2.《价格法》第三十四条"
    entries = texts(cell)
    assert len(entries) == 2 and "（二）询问" in entries[0]


@pytest.mark.parametrize(
    "cell,expected",
    [("（一）甲；（二）乙；（三）丙", ["甲", "乙", "丙"]), ("①甲；②乙", ["甲", "乙"]), ("(1)甲；(2)乙", ["甲", "乙"]), ("一、甲；二、乙", ["甲", "乙"])],
)
def test_other_enumerator_styles(cell, expected):
    assert texts(cell) == expected


def test_text_without_enumerators_is_one_entry_per_line():
    assert texts("对符合条件的不予受理；对不符合条件的予以受理.") == ["对符合条件的不予受理；对不符合条件的予以受理"]
    assert texts("") == []


@pytest.mark.parametrize("text,count", [("3个", 3), ("2 个", 2), ("三个", 3), ("十二个", 12), ("", None), ("若干", None)])
def test_declared_counts(text, count):
    assert parse_declared_count(text) == count
