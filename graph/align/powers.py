"""Align power items of any jurisdiction to the canonical catalogue (data/canonical_powers.csv).

The score weighs three kinds of evidence:

* the statute articles both cite (overlap coefficient: citing a subset of a power's core
  articles counts fully) — the strongest sign of the same power;
* name similarity that survives OCR which read a table column by column: the characters
  survive, their order does not, so names are compared as character multisets, each
  character weighted by how rare it is among catalogue names (医, 保, 的 say little), and
  as sequences; the better of the two counts;
* the power type.

A link is made when the best score clears a threshold and beats the runner-up by a margin;
otherwise the item goes to a review list. A person's decision (data/curation/alignment.csv)
overrides the method, with its reason.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

ACCEPT = 0.5
MARGIN = 0.05
WEIGHTS = {"articles": 0.45, "name": 0.40, "type": 0.15}


@dataclass(frozen=True)
class Canonical:
    id: str
    name: str
    power_type: str
    articles: frozenset[str]
    """"instrument-id:number" keys, e.g. "social-insurance-law:87"."""
    alt_names: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class ItemFacts:
    """What alignment needs to know of a power item."""

    key: str
    names: tuple[str, ...]
    """The label, and the raw label where OCR scrambled it."""
    power_type: str | None
    """Local name: Penalty, Benefit …"""
    articles: frozenset[str]


@dataclass(frozen=True)
class Alignment:
    item: str
    canonical: str | None
    score: float
    runner_up: str | None
    evidence: str
    method: str  # "method", "curation", "review"


@dataclass(frozen=True)
class Decision:
    item: str
    canonical: str
    reason: str


def load_catalogue(path: Path) -> list[Canonical]:
    with path.open(encoding="utf-8") as handle:
        return [
            Canonical(
                id=row["id"],
                name=row["name"],
                power_type=row["power_type"],
                articles=frozenset(filter(None, row["core_articles"].split("|"))),
                alt_names=tuple(filter(None, row["alt_names"].split("|"))),
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        ]


def load_decisions(path: Path) -> dict[str, Decision]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["item"]: Decision(row["item"], row["canonical"], row["reason"]) for row in csv.DictReader(handle)}


def _chars(text: str) -> Counter[str]:
    return Counter(re.findall(r"[\u4e00-\u9fff]", text))


class Aligner:
    """Scores items against a catalogue; character weights come from the catalogue's names."""

    def __init__(self, catalogue: list[Canonical]) -> None:
        self.catalogue = catalogue
        documents = [set(_chars(" ".join((c.name, *c.alt_names)))) for c in catalogue]
        frequency = Counter(ch for doc in documents for ch in doc)
        total = len(documents)
        self.weights = {ch: math.log((1 + total) / (1 + n)) + 1 for ch, n in frequency.items()}
        self._targets = {
            c.id: [(name, _chars(name), self._mass(_chars(name))) for name in (c.name, *c.alt_names)] for c in catalogue
        }

    def _weight(self, ch: str) -> float:
        return self.weights.get(ch, math.log(1 + len(self.catalogue)) + 1)

    def _mass(self, chars: Counter[str]) -> float:
        return sum(n * self._weight(c) for c, n in chars.items())

    def multiset_similarity(self, a: str, b: str) -> float:
        """Weighted Dice over character multisets: order-blind, as OCR scrambling is."""
        ca, cb = _chars(a), _chars(b)
        return self._dice(ca, self._mass(ca), cb, self._mass(cb))

    def _dice(self, ca: Counter[str], mass_a: float, cb: Counter[str], mass_b: float) -> float:
        shared = sum(min(n, cb[c]) * self._weight(c) for c, n in ca.items() if c in cb)
        return 2 * shared / (mass_a + mass_b) if mass_a + mass_b else 0.0

    def _prepared(self, names: tuple[str, ...]) -> list[tuple[str, Counter[str], float]]:
        """Each name with its characters and their weight: computed once per item, not per canonical power."""
        return [(name, chars, self._mass(chars)) for name in names for chars in (_chars(name),)]

    def name_similarity(self, names: list[tuple[str, Counter[str], float]], canonical: Canonical) -> float:
        best = 0.0
        for name, chars, mass in names:
            for target, target_chars, target_mass in self._targets[canonical.id]:
                sequence = fuzz.ratio(name, target) / 100
                best = max(best, self._dice(chars, mass, target_chars, target_mass), sequence)
        return best

    def score(
        self, item: ItemFacts, canonical: Canonical, names: list[tuple[str, Counter[str], float]] | None = None
    ) -> tuple[float, dict[str, float]]:
        parts: dict[str, float] = {}
        if item.articles:
            # overlap coefficient: an item citing a subset of a power's core articles is that power
            smaller = min(len(item.articles), len(canonical.articles)) or 1
            parts["articles"] = len(item.articles & canonical.articles) / smaller
        if any(item.names):
            prepared = names if names is not None else self._prepared(tuple(n for n in item.names if n))
            parts["name"] = self.name_similarity(prepared, canonical)
        if item.power_type:
            parts["type"] = 1.0 if item.power_type == canonical.power_type else 0.0
        weight = sum(WEIGHTS[k] for k in parts)
        return (sum(WEIGHTS[k] * v for k, v in parts.items()) / weight if weight else 0.0), parts

    def align(self, item: ItemFacts, decisions: dict[str, Decision] | None = None) -> Alignment:
        if decisions and item.key in decisions:
            decision = decisions[item.key]
            return Alignment(item.key, decision.canonical, 1.0, None, f"人工判定：{decision.reason}", "curation")
        names = self._prepared(tuple(n for n in item.names if n))
        ranked = sorted(((self.score(item, c, names), c) for c in self.catalogue), key=lambda x: x[0][0], reverse=True)
        (best, parts), top = ranked[0]
        runner = ranked[1] if len(ranked) > 1 else None
        gap = best - runner[0][0] if runner else best
        evidence = "；".join(f"{_LABELS[k]} {v:.2f}" for k, v in parts.items())
        if runner:
            evidence += f"；次优 {runner[1].id} {runner[0][0]:.2f}"
        accepted = best >= ACCEPT and gap >= MARGIN
        return Alignment(
            item.key,
            top.id if accepted else None,
            round(best, 3),
            runner[1].id if runner else None,
            f"{top.id} {best:.2f}（{evidence}）",
            "method" if accepted else "review",
        )


_LABELS = {"articles": "条款重合", "name": "名称相似", "type": "类型一致"}
