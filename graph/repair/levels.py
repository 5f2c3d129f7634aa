"""Read a risk-level cell in every form registers print it.

* one level: 高 / 中 / 低 (and 高风险, 较高 … the altLabels of ontology/risk-levels.ttl);
* a grade: 重大 / 较大 / 一般 (→ 高 / 中 / 低; 一般 only where the register grades this way,
  i.e. it prints 重大 or 较大 somewhere or its notes name the three grades);
* stars: ★★★ / ★★ / ★ (→ 高 / 中 / 低);
* ticks: a √ under one of 高 | 中 | 低 sub-columns (the reader gives the ticked word);
* counts for the whole item: 1中2低, 高1个、中1个, 2中 — where every count names one level each
  risk point has it, otherwise the levels of the single points stay open and the counts are kept.

The mapping is documented in ontology/risk-levels.ttl (skos:altLabel and qz:levelGrade).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quanze.graph.vocab import Vocabulary

_WORD = {"高": "High", "中": "Medium", "低": "Low"}
_GRADE = {"重大": "高", "较大": "中", "一般": "低"}
_STARS = {3: "高", 2: "中", 1: "低"}
_NUM = r"(?:\d+|[一二两三四五六七八九十])"
_COUNT_BEFORE = re.compile(rf"(?P<n>{_NUM})\s*个?\s*(?P<l>[高中低])(?:风险)?")
_COUNT_AFTER = re.compile(rf"(?P<l>[高中低])(?:风险)?\s*[:：]?\s*(?P<n>{_NUM})\s*个?")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class LevelReading:
    word: str | None
    """高, 中 or 低 for every risk point of the cell, or None."""
    counts: dict[str, int] | None = None
    """Counts per level where the cell gives them."""
    method: str = "word"
    """word, grade, stars, counts."""


def _n(token: str) -> int:
    return int(token) if token.isdigit() else _CN.get(token, 0)


def uses_grades(texts: list[str]) -> bool:
    """Whether a register grades its risks 重大 / 较大 / 一般."""
    return any("重大" in t or "较大" in t for t in texts if t and len(t) <= 40)


def read_level(text: str, vocabulary: Vocabulary, graded: bool = False) -> LevelReading | None:
    cell = re.sub(r"\s+", "", text or "").strip("：:。.、；;")
    if not cell:
        return None
    concept = vocabulary.level_for(cell)
    if concept is not None:
        word = next((w for w, local in _WORD.items() if str(concept).endswith("#" + local)), None)
        return LevelReading(word, None, "word")
    stripped = cell.removesuffix("风险")
    if stripped in _GRADE and (stripped != "一般" or graded):
        return LevelReading(_GRADE[stripped], None, "grade")
    stars = cell.count("★")
    if stars and not cell.replace("★", "").replace("☆", ""):
        return LevelReading(_STARS.get(min(stars, 3)), None, "stars")
    if len(cell) == 1 and cell in _WORD:
        return LevelReading(cell, None, "word")
    counts: dict[str, int] = {}
    for pattern in (_COUNT_BEFORE, _COUNT_AFTER):
        found = {m["l"]: _n(m["n"]) for m in pattern.finditer(cell)}
        consumed = pattern.sub("", cell).strip("、，,；; ")
        if found and not consumed:
            counts = found
            break
    if counts:
        word = next(iter(counts)) if len(counts) == 1 else None
        return LevelReading(word, counts, "counts")
    return None


def level_iri(word: str | None) -> str | None:
    return f"https://w3id.org/quanze/ontology#{_WORD[word]}" if word in _WORD else None
