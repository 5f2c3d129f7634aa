"""Map a register's header cells to field keys by what the header means (data/columns.csv).

Registers name the same column differently (权力类型 / 事项类型 / 职权类别 / 项目类别 /
执法类别 …); OCR adds spaces and stray marks ("职权 类别", "· 项目名称"). Each row of
data/columns.csv is one rule: an `exact` header, a `keyword` the header contains, or a
`regex` it matches; exact rules win, then the others by `priority` (highest first, file
order among equals). Keys, not headers, travel on.

A header printed over two or three rows (职权名称 over 项目 | 子项, 风险等级 over 高 | 中 | 低)
is given as its parts, outermost first: the innermost part that names a field decides, and
a 高 / 中 / 低 part under a level header is a tick column ("level_tick:高").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from quanze.graph.paths import reference_file

_NOISE = re.compile(r"[\s·•\-—_#*:：]+")
LEVEL_WORDS = ("高", "中", "低")
MAX_HEADER_CHARS = 24
"""A header cell is short; a longer cell is data."""


def normalise_header(cell: str) -> str:
    """Strip whitespace and stray marks OCR leaves in header cells."""
    return _NOISE.sub("", cell)


@dataclass(frozen=True)
class Rule:
    field: str
    kind: str  # exact | keyword | regex
    pattern: str
    priority: int

    def matches(self, header: str) -> bool:
        if self.kind == "exact":
            return header == self.pattern
        if self.kind == "keyword":
            return self.pattern in header
        return re.search(self.pattern, header) is not None


@dataclass(frozen=True)
class ColumnRules:
    exact: dict[str, str]
    ordered: tuple[Rule, ...]

    def field_of(self, cell: str) -> str | None:
        header = normalise_header(cell)
        if not header or len(header) > MAX_HEADER_CHARS or header.isdigit():
            return None
        if header in self.exact:
            return self.exact[header]
        for rule in self.ordered:
            if rule.matches(header):
                return rule.field
        return None


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> ColumnRules:
    path = path or reference_file("columns.csv")
    exact: dict[str, str] = {}
    others: list[tuple[int, int, Rule]] = []
    with path.open(encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            kind = (row.get("kind") or "exact").strip() or "exact"
            priority = int(row.get("priority") or 0)
            if kind == "exact":
                exact.setdefault(normalise_header(row["header"]), row["field"])
            else:
                pattern = row["header"] if kind == "regex" else normalise_header(row["header"])
                others.append((-priority, index, Rule(row["field"], kind, pattern, priority)))
    return ColumnRules(exact, tuple(rule for _, _, rule in sorted(others)))


@lru_cache(maxsize=4)
def load_synonyms(path: Path | None = None) -> dict[str, str]:
    """Normalised exact header → field key (the `exact` rules only)."""
    return dict(load_rules(path).exact)


def field_of(cell: str, synonyms: dict[str, str] | None = None) -> str | None:
    """The field key a header cell names, or None if it names no known column."""
    if synonyms is not None and (hit := synonyms.get(normalise_header(cell))):
        return hit
    return load_rules().field_of(cell)


def field_of_parts(parts: list[str]) -> str | None:
    """The field of a stacked header (outermost part first): the innermost part that names one."""
    parts = [p for p in parts if normalise_header(p)]
    if not parts:
        return None
    leaf = normalise_header(parts[-1])
    if leaf in LEVEL_WORDS and any(field_of(p) == "level" for p in parts[:-1]):
        return f"level_tick:{leaf}"
    for part in reversed(parts):
        if field := field_of(part):
            return field
    return field_of("".join(parts))


def header_text(parts: list[str]) -> str:
    """How a stacked header is named in reports: 职权名称/子项."""
    return "/".join(normalise_header(p) for p in parts if normalise_header(p))
