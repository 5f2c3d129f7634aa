"""The embedded pyoxigraph store: built aside and swapped in, opened read-only to query.

A build writes a complete new store next to the old one and renames it into place only
when it is complete, so a failed build leaves the previous store untouched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox


class StoreError(RuntimeError):
    """The store is missing or cannot be opened."""


class QueryError(ValueError):
    """A SPARQL query could not be parsed or evaluated."""


def write_store(nquads: bytes | Iterable[bytes], target: Path) -> int:
    """Replace the store at `target` with one holding `nquads` (N-Quads, whole or in chunks); return its quad count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f"{target.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    store = ox.Store(str(fresh))
    try:
        for chunk in [nquads] if isinstance(nquads, bytes) else nquads:
            store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
        store.flush()
        count = len(store)
    finally:
        del store
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return count


@contextmanager
def open_store(path: Path) -> Iterator[ox.Store]:
    """Open the store read-only; StoreError with a clear message if there is none."""
    if not path.is_dir() or not any(path.iterdir()):
        raise StoreError(f"no store at {path}: run `quanze build` first")
    try:
        store = ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreError(f"cannot open the store at {path}: {error}") from error
    try:
        yield store
    finally:
        del store


def run_query(store: ox.Store, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Evaluate a SPARQL query over the union of all named graphs."""
    try:
        return store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from error
    except OSError as error:
        raise QueryError(f"query failed: {error}") from error
