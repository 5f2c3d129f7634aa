"""Risk levels in every form registers print them (graph/repair/levels.py, ontology/risk-levels.ttl)."""

import pytest

from quanze.graph.register import reference
from quanze.graph.repair.levels import read_level, uses_grades


@pytest.fixture(scope="module")
def vocabulary():
    return reference().context.vocabulary


@pytest.mark.parametrize(
    "cell,word",
    [("高", "高"), (" 中 ", "中"), ("低风险", "低"), ("重大", "高"), ("较大", "中"), ("★★★", "高"), ("★★", "中"), ("★", "低"), ("高", "高")],
)
def test_one_level(vocabulary, cell, word):
    assert read_level(cell, vocabulary).word == word


def test_general_is_low_only_in_a_graded_register(vocabulary):
    assert read_level("一般", vocabulary) is None
    assert read_level("一般", vocabulary, graded=True).word == "低"
    assert uses_grades(["一般", "重大"]) and not uses_grades(["高", "一般"])


@pytest.mark.parametrize(
    "cell,counts,word",
    [("1中2低", {"中": 1, "低": 2}, None), ("高1个、中1个", {"高": 1, "中": 1}, None), ("2中", {"中": 2}, "中"), ("高2个", {"高": 2}, "高")],
)
def test_counts_per_item(vocabulary, cell, counts, word):
    reading = read_level(cell, vocabulary)
    assert reading.counts == counts and reading.word == word


def test_not_a_level(vocabulary):
    assert read_level("见附件", vocabulary) is None and read_level("", vocabulary) is None
