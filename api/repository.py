"""The store behind one interface, queried in worker processes that can be stopped.

pyoxigraph's Python API has no query timeout or cancellation, so every query runs in a
worker process that holds the store open read-only; at the deadline the worker is killed
and replaced, and the server goes on answering. A worker reads at most `max_results + 1`
solutions, so a result that is too large is refused rather than serialised.

`Repository` is the interface routes and services use; `OxigraphRepository` is the embedded
implementation (a remote SPARQL endpoint could implement the same methods).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from quanze.api.sparql_results import GRAPH_FORMATS, SELECT_WRITERS


class QueryTimeout(RuntimeError):
    """The query ran past the deadline; its worker was stopped."""


class ResultTooLarge(RuntimeError):
    """The query returned more rows or triples than allowed."""


class QueryFailed(ValueError):
    """The engine rejected or could not evaluate the query."""


@dataclass(frozen=True)
class QueryRequest:
    sparql: str
    media_type: str
    """The negotiated result format (a key of SELECT_WRITERS or GRAPH_FORMATS)."""
    kind: str
    """select, ask, construct or describe (from the parsed query)."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_results: int = 100_000


class Repository(Protocol):
    def query(self, request: QueryRequest, timeout: float) -> tuple[bytes, str]: ...
    def select(self, sparql: str, timeout: float = 30.0) -> list[dict[str, str | None]]: ...
    def close(self) -> None: ...


def _evaluate(store: ox.Store, request: QueryRequest) -> bytes:
    options: dict[str, object] = {}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    result = store.query(request.sparql, **options)
    if isinstance(result, ox.QueryBoolean):
        return SELECT_WRITERS[request.media_type][1](bool(result))
    if isinstance(result, ox.QueryTriples):
        triples = list(itertools.islice(result, request.max_results + 1))
        if len(triples) > request.max_results:
            raise ResultTooLarge(f"the query returns more than {request.max_results} triples")
        return ox.serialize(triples, format=GRAPH_FORMATS[request.media_type]) or b""
    variables = [v.value for v in result.variables]
    rows = [[solution[v] for v in variables] for solution in itertools.islice(result, request.max_results + 1)]
    if len(rows) > request.max_results:
        raise ResultTooLarge(f"the query returns more than {request.max_results} rows")
    return SELECT_WRITERS[request.media_type][0](variables, rows)


def _worker(path: str, connection) -> None:  # runs in the worker process
    store = ox.Store.read_only(path)
    while True:
        request = connection.recv()
        if request is None:
            return
        try:
            connection.send(("ok", _evaluate(store, request)))
        except ResultTooLarge as error:
            connection.send(("too-large", str(error)))
        except (SyntaxError, ValueError, OSError, KeyError) as error:
            connection.send(("failed", f"{type(error).__name__}: {error}"))


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    connection: object


class OxigraphRepository:
    """The embedded store, with a pool of killable query workers."""

    def __init__(self, store: Path, workers: int = 2) -> None:
        if not store.is_dir():
            raise FileNotFoundError(f"no store at {store}: run `quanze build` first")
        self.path = str(store)
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(self.path, child), daemon=True)
        process.start()
        return _Worker(process, parent)

    def query(self, request: QueryRequest, timeout: float) -> tuple[bytes, str]:
        worker = self._idle.get()
        try:
            worker.connection.send(request)  # type: ignore[attr-defined]
            if not worker.connection.poll(timeout):  # type: ignore[attr-defined]
                worker.process.kill()
                worker.process.join()
                worker = self._spawn()
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            status, payload = worker.connection.recv()  # type: ignore[attr-defined]
        except (EOFError, BrokenPipeError, ConnectionResetError):
            worker.process.kill()
            worker = self._spawn()
            raise QueryFailed("the query worker died; the query was not answered")
        finally:
            self._idle.put(worker)
        if status == "too-large":
            raise ResultTooLarge(payload)
        if status == "failed":
            raise QueryFailed(payload)
        return payload, request.media_type

    def select(self, sparql: str, timeout: float = 30.0) -> list[dict[str, str | None]]:
        """Rows of a SELECT as plain strings (for services and pages)."""
        import json

        data, _ = self.query(QueryRequest(sparql, "application/sparql-results+json", "select"), timeout)
        parsed = json.loads(data)
        names = parsed["head"]["vars"]
        return [{n: (b[n]["value"] if n in b else None) for n in names} for b in parsed["results"]["bindings"]]

    def close(self) -> None:
        while not self._idle.empty():
            worker = self._idle.get_nowait()
            try:
                worker.connection.send(None)  # type: ignore[attr-defined]
            except (BrokenPipeError, OSError):
                pass
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
