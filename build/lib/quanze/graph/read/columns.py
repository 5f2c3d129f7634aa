"""Map a register's header cells to field keys, from the synonyms in data/columns.csv.

Registers name the same column differently (权力类型 / 事项类型 / 职权类别); OCR adds spaces
and stray marks ("职权 类别", "· 项目名称", "- 行使主体"). Keys, not headers, travel on.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from quanze.graph.paths import reference_file

_NOISE = re.compile(r"[\s·•\-—_#*:：]+")


def normalise_header(cell: str) -> str:
    """Strip whitespace and stray marks OCR leaves in header cells."""
    return _NOISE.sub("", cell)


@lru_cache(maxsize=4)
def load_synonyms(path: Path | None = None) -> dict[str, str]:
    """Normalised header → field key."""
    path = path or reference_file("columns.csv")
    with path.open(encoding="utf-8") as handle:
        return {normalise_header(row["header"]): row["field"] for row in csv.DictReader(handle)}


def field_of(cell: str, synonyms: dict[str, str] | None = None) -> str | None:
    """The field key a header cell names, or None if it names no known column."""
    return (synonyms or load_synonyms()).get(normalise_header(cell))
