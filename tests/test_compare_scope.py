"""The compare page at country size (api/services/comparison.py `scope`): a store of a few
jurisdictions is drawn whole; a larger one one province at a time, the province of the first
jurisdiction chosen unless another is asked for; a and b are always among the matrix's columns."""

from __future__ import annotations

import re

import pytest

from quanze.api.services.comparison import scope

# 北京市 (11) 3 districts, 安徽省 (34) 4, 河南省 (41) 2: nine jurisdictions
CODES = ["110101", "110102", "110105", "340102", "340103", "340104", "340406", "410503", "410522"]


def _select(codes: list[str]):
    def run(query: str) -> list[dict[str, str | None]]:
        if "SELECT DISTINCT ?code" in query:
            return [{"code": code} for code in codes]
        values = re.search(r"VALUES \?code \{(.*?)\}", query, re.S)
        wanted = re.findall(r'"(\d{6})"', values.group(1)) if values else codes
        return [{"code": code, "name": f"县{code}"} for code in sorted(wanted) if code in codes]

    return run


def _shown(result) -> list[str]:
    return [row["code"] for row in result.jurisdictions]


def test_a_small_store_is_drawn_whole():
    result = scope(_select(CODES), "340406", "410503", limit=20)
    assert (result.codes, result.province, result.limited) == (None, "", False)
    assert _shown(result) == CODES
    assert [p for p, _, _ in result.provinces] == ["11", "34", "41"]
    assert dict((p, n) for p, _, n in result.provinces) == {"11": 3, "34": 4, "41": 2}
    assert dict((p, name) for p, name, _ in result.provinces)["34"] == "安徽省"


def test_a_large_store_shows_the_province_of_a_with_b_beside_it():
    result = scope(_select(CODES), "340406", "410503", limit=5)
    assert result.province == "34" and (result.a, result.b) == ("340406", "410503")
    assert result.codes == ["340102", "340103", "340104", "340406", "410503"] == _shown(result)
    assert (result.province_name, result.province_size, result.total) == ("安徽省", 4, 9)


def test_a_province_asked_for_brings_its_own_jurisdictions():
    result = scope(_select(CODES), "340406", "410503", province="11", limit=5)
    assert result.province == "11" and (result.a, result.b) == ("110101", "110102")
    assert result.codes == ["110101", "110102", "110105"]
    kept = scope(_select(CODES), "110105", "110101", province="11", limit=5)
    assert (kept.a, kept.b) == ("110105", "110101")


def test_the_whole_country_asked_for_is_refused_with_a_note():
    result = scope(_select(CODES), "410522", "340406", province="all", limit=5)
    assert result.limited and result.province == "41"
    assert result.codes == ["340406", "410503", "410522"]


@pytest.mark.parametrize("province", ["", "62", "all"])
def test_an_unknown_first_jurisdiction_falls_back_to_the_first_province(province):
    result = scope(_select(CODES), "620922", "999999", province=province, limit=5)
    assert result.province == "11" and result.codes == ["110101", "110102", "110105"]


def test_an_empty_store():
    result = scope(_select([]), "340406", "410503", limit=5)
    assert result.jurisdictions == [] and result.provinces == [] and result.codes is None
