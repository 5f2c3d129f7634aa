"""The embedded pyoxigraph store: built aside and swapped in, opened read-only to query.

A build writes a complete new store next to the old one and renames it into place only
when it is complete, so a failed build leaves the previous store untouched.
"""

from __future__ import annotations

import gc
import os
import uuid
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from quanze.graph.map.catalogue import CATALOGUE_GRAPH


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
            load_current(store, chunk)
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


def load_current(store: ox.Store, nquads: bytes) -> int:
    """Quads into their named graphs, and their triples into the default graph too.

    The default graph holds the current facts (every graph but the register catalogue, whose
    file copies no query needs and earlier versions, which `quanze add` takes out of it), so
    queries need no union over thousands of named graphs.
    """
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    store.bulk_extend(quads)
    store.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in quads
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == str(CATALOGUE_GRAPH))
    )
    return len(quads)


@contextmanager
def updating(target: Path) -> Iterator[ox.Store]:
    """A writable copy of the store (a RocksDB checkpoint: hard links, cheap), made live only if the block succeeds."""
    if not target.is_dir() or not any(target.iterdir()):
        raise StoreError(f"no store at {target}: run `quanze build` or `quanze add` into an empty store first")
    fresh = target.with_name(f"{target.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    live = ox.Store.read_only(str(target))
    live.backup(str(fresh))
    del live
    store = ox.Store(str(fresh))
    try:
        yield store
        store.flush()
    except BaseException:
        del store
        gc.collect()  # RocksDB holds its lock until the handle is freed
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    del store
    gc.collect()
    old = target.with_name(f"{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


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
    """Evaluate a SPARQL query over the default graph: the current facts (GRAPH ?g reaches every named graph)."""
    try:
        return store.query(sparql)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from error
    except OSError as error:
        raise QueryError(f"query failed: {error}") from error
