"""Undo the scrambling OCR does to item names read column by column.

A name printed in a narrow cell wraps over R lines; OCR that reads the cell down its
columns emits the first character of every line, then the second, and so on. Reading the
text back row by row for the right R restores it. Which R is right is decided by a
character-bigram model of legal Chinese (built from the statute texts): the true reading
is far more probable than the scramble. Names no reshaping makes plausible are left for a
person to decide (data/curation/fields.csv).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class BigramModel:
    """Interpolated character-bigram model; `score` is the mean log-probability per bigram."""

    unigrams: Counter[str]
    bigrams: Counter[str]
    total: int

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> BigramModel:
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        for text in texts:
            for run in re.findall(r"[\u3400-\u9fff]+", text):
                unigrams.update(run)
                bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
        return cls(unigrams, bigrams, max(sum(unigrams.values()), 1))

    def score(self, text: str) -> float:
        chars = [c for c in text if _HAN.match(c)]
        if len(chars) < 2:
            return 0.0
        vocabulary = len(self.unigrams) + 1
        total = 0.0
        for a, b in zip(chars, chars[1:]):
            p_b = (self.unigrams[b] + 1) / (self.total + vocabulary)
            p_ab = self.bigrams[a + b] / self.unigrams[a] if self.unigrams[a] else 0.0
            total += math.log(0.8 * p_ab + 0.2 * p_b)
        return total / (len(chars) - 1)


def detranspose(text: str, rows: int) -> str | None:
    """Read back `text` that was read column by column from a grid of `rows` lines.

    Lines are filled left to right, so the last line may be shorter: the first columns hold
    `rows` characters and the rest `rows - 1`. None if the length does not fit the shape.
    """
    n = len(text)
    width = -(-n // rows)
    last = n - (rows - 1) * width
    if rows < 2 or width < 2 or last <= 0:
        return None
    columns, start = [], 0
    for column in range(width):
        height = rows if column < last else rows - 1
        columns.append(text[start : start + height])
        start += height
    return "".join(col[row] for row in range(rows) for col in columns if row < len(col))


def readings(text: str) -> Iterator[tuple[int, str]]:
    """Every row-by-row reading of `text` for the grid shapes its length allows."""
    for rows in range(2, len(text) // 2 + 1):
        candidate = detranspose(text, rows)
        if candidate and candidate != text:
            yield rows, candidate


@dataclass(frozen=True)
class Unscrambled:
    text: str
    rows: int
    gain: float
    """How much more probable per bigram (in nats) the reading is than the raw text."""


def unscramble(text: str, model: BigramModel, min_gain: float = 1.5, min_score: float = -5.5) -> Unscrambled | None:
    """The reading that makes `text` plausible Chinese, or None if the raw text is the best one."""
    raw_score = model.score(text)
    best: Unscrambled | None = None
    for rows, candidate in readings(text):
        score = model.score(candidate)
        gain = score - raw_score
        if gain >= min_gain and score >= min_score and (best is None or gain > best.gain):
            best = Unscrambled(candidate, rows, gain)
    return best


def plausibility(text: str, model: BigramModel) -> float:
    """Mean bigram log-probability: legible names score well above scrambled ones."""
    return model.score(text)
