"""Normalise item codes (事项编码 / 职权编码) that OCR damaged.

Two kinds of damage are undone, both checked against data rather than guessed:
homoglyphs (a Cyrillic Н inside 4105030039Н0001), and a letter read as a digit in the
code's type position (410503003980001 → 4105030039B0001), accepted only when exactly one
look-alike letter is the one the code scheme uses for the item's power type.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from quanze.graph.repair.text import normalise_code_chars


@dataclass(frozen=True)
class CodeScheme:
    name: str
    pattern: re.Pattern[str]
    letters: dict[str, str]
    """Type letter → local name of the power type (Penalty, Benefit …)."""
    inferred: frozenset[str] = frozenset()
    """Letters whose meaning was inferred, not observed (data/code_letters.csv status): never
    used to rewrite a printed code, only to suggest a reading."""


@dataclass(frozen=True)
class CodeResult:
    code: str
    scheme: CodeScheme | None
    repairs: tuple[str, ...] = field(default=())
    suggestion: str | None = None
    """The reading an inferred letter rule would give ("4105030039I0001"), not applied."""

    @property
    def letter(self) -> str | None:
        match = self.scheme.pattern.match(self.code) if self.scheme else None
        return match.group("letter") if match else None

    @property
    def division(self) -> str | None:
        match = self.scheme.pattern.match(self.code) if self.scheme else None
        return match.group("division") if match else None


def load_schemes(data: Path) -> tuple[list[CodeScheme], dict[str, set[str]]]:
    """Code schemes with their type letters, and the digit → look-alike letters table."""
    letters: dict[str, dict[str, str]] = {}
    inferred: dict[str, set[str]] = {}
    with (data / "code_letters.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            letters.setdefault(row["scheme"], {})[row["letter"]] = row["power_type"]
            if (row.get("status") or "observed").strip() == "inferred":
                inferred.setdefault(row["scheme"], set()).add(row["letter"])
    with (data / "code_schemes.csv").open(encoding="utf-8") as handle:
        schemes = [
            CodeScheme(
                row["scheme"], re.compile(row["pattern"]), letters.get(row["scheme"], {}),
                frozenset(inferred.get(row["scheme"], set())),
            )
            for row in csv.DictReader(handle)
        ]
    confusions: dict[str, set[str]] = {}
    with (data / "ocr_digit_letters.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            confusions.setdefault(row["digit"], set()).add(row["letter"])
    return schemes, confusions


def normalise_code(
    raw: str,
    power_type: str | None,
    schemes: list[CodeScheme],
    confusions: dict[str, set[str]],
) -> CodeResult:
    """The repaired code and the repairs applied; `power_type` is a local name like "Penalty"."""
    code = normalise_code_chars(raw)
    repairs: list[str] = []
    if code != re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper():
        repairs.append("homoglyph")  # full-width forms are normalised silently: they are not OCR damage
    for scheme in schemes:
        match = scheme.pattern.match(code)
        if not match:
            continue
        letter = match.group("letter")
        if letter.isdigit():
            candidates = {
                candidate
                for candidate in confusions.get(letter, set())
                if power_type and scheme.letters.get(candidate) == power_type
            }
            if len(candidates) == 1:
                (new,) = candidates
                start = match.start("letter")
                reading = code[:start] + new + code[start + 1 :]
                if new in scheme.inferred:  # an inferred rule suggests, it does not rewrite what is printed
                    return CodeResult(code, scheme, tuple(repairs), suggestion=reading)
                code = reading
                repairs.append(f"digit-for-letter {letter}→{new}")
        return CodeResult(code, scheme, tuple(repairs))
    return CodeResult(code, None, tuple(repairs))
