"""Where the project's data, ontology and store live; each can be moved by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """`data/` (registers, statutes, curation); QUANZE_DATA overrides."""
    return Path(os.environ.get("QUANZE_DATA", ROOT / "data"))


def ontology_dir() -> Path:
    """`ontology/` (Turtle vocabulary); QUANZE_ONTOLOGY overrides."""
    return Path(os.environ.get("QUANZE_ONTOLOGY", ROOT / "ontology"))


def shapes_dir() -> Path:
    """`shapes/` (SHACL shapes); QUANZE_SHAPES overrides."""
    return Path(os.environ.get("QUANZE_SHAPES", ROOT / "shapes"))


def store_dir() -> Path:
    """The embedded store, `var/store` by default; QUANZE_STORE overrides."""
    return Path(os.environ.get("QUANZE_STORE", ROOT / "var" / "store"))
