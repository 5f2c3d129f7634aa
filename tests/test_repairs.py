"""Focused tests of the pure repair functions: text, codes, power types, scrambled names."""

from pathlib import Path

import pytest

from quanze.graph import paths
from quanze.graph.repair.codes import load_schemes, normalise_code
from quanze.graph.repair.items import infer_row_numbers
from quanze.graph.repair.labels import BigramModel, detranspose, unscramble
from quanze.graph.repair.text import collapse_cjk_spaces, is_garbled, normalise_code_chars, repetition_start, strip_truncation
from quanze.graph.repair.power_types import resolve_power_type

TYPES = {
    "Penalty": ["行政处罚", "处罚"],
    "Coercion": ["行政强制"],
    "Benefit": ["行政给付"],
    "Confirmation": ["行政确认"],
    "Inspection": ["行政检查", "行政监督检查", "监督检查"],
    "Reward": ["行政奖励"],
    "OtherPower": ["其他行政权力", "其他权力", "其他职权"],
}


@pytest.mark.parametrize(
    "raw,expected,method",
    [
        ("行政处罚", "Penalty", "exact"),
        ("行政处罚类", "Penalty", "exact"),
        ("行政 给付", "Benefit", "exact"),
        ("行处政罚", "Penalty", "ocr"),
        ("行处罚", "Penalty", "ocr"),
        ("行处", "Penalty", "ocr"),
        ("行强制", "Coercion", "ocr"),
        ("行确", "Confirmation", "ocr"),
        ("行给付", "Benefit", "ocr"),
        ("行监督", "Inspection", "ocr"),
        ("其他职权", "OtherPower", "exact"),
        ("行政财", None, "unresolved"),
        ("行政", None, "unresolved"),
        ("", None, "unresolved"),
    ],
)
def test_power_type_resolution(raw, expected, method):
    assert resolve_power_type(raw, TYPES) == (expected, method)


@pytest.fixture(scope="module")
def schemes():
    return load_schemes(paths.data_dir())


@pytest.mark.parametrize(
    "raw,power_type,code,repairs",
    [
        ("4105030039Н0001", "OtherPower", "4105030039H0001", ("homoglyph",)),
        ("410503003980001", "Penalty", "4105030039B0001", ("digit-for-letter 8→B",)),
        ("410503003910001", "Reward", "410503003910001", ()),  # I for 行政奖励 is an inferred rule: not applied
        ("410503003980001", "Benefit", "410503003980001", ()),  # 8 is no look-alike of E: left alone
        ("4105030039B0002", "Penalty", "4105030039B0002", ()),
        ("3400-B-00100-140423", "Penalty", "3400-B-00100-140423", ()),
        (" 3400-Ｃ-00100-140423", "Coercion", "3400-C-00100-140423", ()),
        ("ABC", None, "ABC", ()),
    ],
)
def test_item_code_normalisation(schemes, raw, power_type, code, repairs):
    result = normalise_code(raw, power_type, *schemes)
    assert (result.code, result.repairs) == (code, repairs)


def test_inferred_letter_rule_only_suggests(schemes):
    result = normalise_code("410503003910001", "Reward", *schemes)
    assert (result.code, result.suggestion) == ("410503003910001", "4105030039I0001")


def test_code_scheme_exposes_division_and_letter(schemes):
    result = normalise_code("4105010039E0001", "Benefit", *schemes)
    assert (result.division, result.letter) == ("410501", "E")


def test_cjk_spaces_from_wrapped_cells_are_removed_but_not_others():
    assert collapse_cjk_spaces("对侵占、挪 用医疗保障 基金的处罚") == "对侵占、挪用医疗保障基金的处罚"
    assert collapse_cjk_spaces("第 735号 令") == "第 735号令"


def test_truncated_cell_is_kept_and_marked():
    assert strip_truncation("送达事人,告\ufffd") == ("送达事人,告", True)
    assert strip_truncation("完整") == ("完整", False)


def test_ocr_repetition_loops_are_found():
    assert repetition_start("对参保基础为工工工工工工工") == 6
    assert repetition_start("对于不是一个人,不是一个人,不是一个人,不是一个人,不是") == 2
    assert not is_garbled("对定点医疗机构、定点零售药店违反医保管理制度的处罚")


def test_code_characters_are_normalised():
    assert normalise_code_chars("4105030039Н0001") == "4105030039H0001"


def test_missing_serial_numbers_are_inferred_from_neighbours():
    assert infer_row_numbers([20, 21, None, 23]) == [(20, False), (21, False), (22, True), (23, False)]
    assert infer_row_numbers([5, 6, None, None, None]) == [(5, False), (6, False), (7, True), (8, True), (9, True)]
    assert infer_row_numbers([1, None, 5]) == [(1, False), (None, False), (5, False)]


def test_detranspose_reads_a_column_major_grid_back():
    original = "药品经营企业和医疗机构"  # 11 characters in 3 lines of 4
    columns = "".join(original[i::4] for i in range(4))
    assert detranspose(columns, 3) == original


@pytest.fixture(scope="module")
def language() -> BigramModel:
    texts = [p.read_text(encoding="utf-8") for p in (paths.data_dir() / "statutes").glob("*.md")]
    return BigramModel.from_texts(texts)


def test_scrambled_name_is_read_back(language):
    scrambled = "建药员理入信台关系国定立机等制全息和信统家实定构信度国共其息,有施点、用,信享他公按关惩医人管纳用平相示照规戒"
    reading = unscramble(scrambled, language, min_gain=3.5)
    assert reading is not None
    assert reading.text == "建立定点医药机构、人员等信用管理制度,纳入全国信用信息共享平台和其他相关信息公示系统,按照国家有关规定实施惩戒"


def test_legible_name_is_left_alone(language):
    assert unscramble("对不办理医疗保险和生育保险登记的处罚", language) is None
