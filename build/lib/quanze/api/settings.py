"""Server settings, read from environment variables (documented defaults in README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from quanze.graph import paths


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    store: Path
    query_timeout: float
    """Seconds a SPARQL query may run before its worker is killed (QUANZE_QUERY_TIMEOUT, 30)."""
    max_results: int
    """Rows (or triples) a query may return (QUANZE_MAX_RESULTS, 100000)."""
    max_query_bytes: int
    """Size of a query text (QUANZE_MAX_QUERY_BYTES, 100000)."""
    max_upload_bytes: int
    """Size of a register uploaded to /validate (QUANZE_MAX_UPLOAD_BYTES, 10 MiB)."""
    workers: int
    """Query worker processes (QUANZE_QUERY_WORKERS, 2)."""

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            store=paths.store_dir(),
            query_timeout=_float("QUANZE_QUERY_TIMEOUT", 30.0),
            max_results=_int("QUANZE_MAX_RESULTS", 100_000),
            max_query_bytes=_int("QUANZE_MAX_QUERY_BYTES", 100_000),
            max_upload_bytes=_int("QUANZE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
            workers=max(1, _int("QUANZE_QUERY_WORKERS", 2)),
        )
