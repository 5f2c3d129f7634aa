"""The bounds every register is read within, so a hostile or broken file ends with one line.

Each limit is checked before the work it bounds (a file's size before it is read, a zip
member's size before it is inflated, a row count while rows are streamed, a graph's size
before SHACL runs). A value may be changed with the environment variable of the same name;
README.md ("Limits") lists them. Crossing one raises `OverLimit`, an UnreadableInput: exit 2
in the CLI, HTTP 400/413 in POST /validate.
"""

from __future__ import annotations

import os

from quanze.graph.read.text import UnreadableInput

DEFAULTS = {
    "QUANZE_MAX_FILE_BYTES": 64 * 1024 * 1024,
    "QUANZE_MAX_ROWS": 2_000,
    "QUANZE_MAX_COLUMNS": 16_384,
    "QUANZE_MAX_CELL_CHARS": 1_048_576,
    "QUANZE_MAX_SHEETS": 1_000,
    "QUANZE_MAX_XLSX_BYTES": 100 * 1024 * 1024,
    "QUANZE_MAX_XLSX_CELLS": 2_000_000,
    "QUANZE_MAX_TRIPLES": 100_000,
    "QUANZE_MAX_REGISTER_TRIPLES": 200_000,
}
"""Setting → default. A county's register has well under 500 rows. SHACL's time and memory
grow with the graph, so QUANZE_MAX_REGISTER_TRIPLES (the register as mapped, checked before
SHACL runs) keeps a validation within 30 s and 1 GB (1,000 items of one row each, about
105,000 triples: about 9 s on two busy cores); QUANZE_MAX_TRIPLES bounds a file given as RDF
while it is parsed (rdflib's parsers need several times the memory of the graph they make);
QUANZE_MAX_ROWS stops the reading of a huge table early."""

ZIP_MEMBERS = 10_000
"""Members of an XLSX archive: a workbook of QUANZE_MAX_SHEETS sheets has a few hundred at most."""


class OverLimit(UnreadableInput):
    """The input is larger than a limit allows."""


def limit(name: str) -> int:
    """The value of a limit: its environment variable if it is a positive integer, else the default."""
    value = os.environ.get(name, "").strip().replace("_", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULTS[name]


def over(file: str, what: str, name: str, value: int | None = None) -> OverLimit:
    """The error for `what` of `file` crossing the limit `name` (the message names the setting)."""
    amount = f" ({value:,})" if value is not None else ""
    return OverLimit(f"{file}: {what}{amount} is over the limit of {limit(name):,} ({name}); 超出限制")
