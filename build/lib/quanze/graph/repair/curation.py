"""Human decisions about what a damaged cell says, kept as data (data/curation/fields.csv).

Each row names the file, the row's 序号, the field, the raw text it replaces, the value, a
confidence and the reason. A decision whose raw text no longer matches the register is not
applied: the register changed and the person must look again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from quanze.graph.repair.text import compact


@dataclass(frozen=True)
class Decision:
    file: str
    row: int
    field: str
    raw: str
    value: str
    confidence: str
    reason: str

    def applies_to(self, raw: str) -> bool:
        return compact(self.raw) == compact(raw)


def load_curation(path: Path) -> dict[tuple[str, int, str], Decision]:
    """(file, row, field) → the person's decision."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        decisions = [
            Decision(r["file"], int(r["row"]), r["field"], r["raw"], r["value"], r["confidence"], r["reason"])
            for r in csv.DictReader(handle)
        ]
    return {(d.file, d.row, d.field): d for d in decisions}
