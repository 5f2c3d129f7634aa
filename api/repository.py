"""The store behind one interface, queried in worker processes that can be stopped.

pyoxigraph's Python API has no query timeout or cancellation, so every query runs in a
worker process that holds the store open read-only. What keeps the server answering:

- **No reply is ever read by the wrong request.** Each query carries an id the worker
  echoes; a worker whose reply was not read (timeout, a client gone, any exception between
  send and receive, a mismatched id) is killed and replaced, never reused.
- **Admission control.** A query waits for a worker in a bounded queue (past it:
  `Overloaded`, 503 with Retry-After at once) for at most `queue_wait` seconds; one client may
  have at most `client_concurrency` queries running or waiting (429).
- **A slow lane.** A query still running after `slow_query_seconds` leaves the ordinary
  workers: its process is moved, at low CPU priority, into the slow lane (of `slow_workers`
  slots) and a fresh ordinary worker takes its place; its text is remembered, so the next time
  it goes straight to the slow lane. Runaway queries wait for each other there, not for the
  ordinary ones. If the slow lane is full, the query is stopped (503).
- **Cheap work made cheap.** Results are cached per store generation (key: generation, query
  text, dataset, format, caps, and the base IRI unless the text cannot depend on it) within a
  byte budget; identical queries in flight share one evaluation; results are written by
  pyoxigraph's own W3C writers into a sink that counts bytes and rows and stops at the cap
  (`ResultTooLarge`, 422). Tables the pages compute from several queries (the matrix, every
  jurisdiction's counts, a province's compare page) are kept per generation too (`derived`).
- **Warm after a change.** With the cache on, jobs registered with `warm_with` (api/services/warm.py:
  the example queries, the matrix, the jurisdictions' counts, the default compare page) run in a background thread when the
  server starts and whenever a request finds a new generation live, so the first visitor of a
  country-sized store does not pay for them; each job asks the engine as a request would.
- **Generations.** Each request is pinned to the store generation live when it started
  (`pin`); workers open generations by path, so a rebuild is picked up between requests and
  one page's several queries never mix two generations.

`Repository` is the interface routes and services use; `OxigraphRepository` is the embedded
implementation (a remote SPARQL endpoint could implement the same methods).
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import hashlib
import itertools
import json
import logging
import multiprocessing as mp
import os
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from quanze.api.gate import parked
from quanze.api.sparql_results import GRAPH_FORMATS
from quanze.graph.store.oxigraph import Generation, GenerationWatch

T = TypeVar("T")
log = logging.getLogger("quanze.api")

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class QueryTimeout(RuntimeError):
    """The query ran past the deadline; its worker was stopped."""


class ResultTooLarge(RuntimeError):
    """The query returned more rows, triples or bytes than allowed."""


class QueryFailed(ValueError):
    """The engine rejected or could not evaluate the query."""


class Overloaded(RuntimeError):
    """The query was refused before it ran: too many waiting (503) or too many from one client (429)."""

    def __init__(self, message: str, status: int = 503, retry_after: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Cancelled(RuntimeError):
    """The client went away; the query was not run, or its worker was stopped."""


@dataclass(frozen=True)
class QueryRequest:
    sparql: str
    media_type: str
    """The negotiated result format (a key of RESULT_FORMATS or GRAPH_FORMATS)."""
    kind: str
    """select, ask, construct or describe (from the parsed query)."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_results: int = 100_000
    max_bytes: int = 50 * 1024 * 1024
    base_iri: str | None = None
    """Base for relative IRIs in the query (the SPARQL Protocol: the request IRI)."""
    substitutions: tuple[tuple[str, object], ...] = ()
    """Variables bound to RDF terms before evaluation (name, pyoxigraph term): values never go into query text."""


class Repository(Protocol):
    def query(self, request: QueryRequest, timeout: float) -> tuple[bytes, str]: ...
    def derived(self, name: Hashable, compute: Callable[[], T]) -> T: ...
    def select(self, sparql: str, timeout: float | None = None, bindings: dict[str, object] | None = None) -> list[dict[str, str | None]]: ...
    def close(self) -> None: ...


# --- in the worker process ------------------------------------------------------------------


class _Sink:
    """A binary output for pyoxigraph's writers that counts bytes and rows and stops at the caps."""

    def __init__(self, media_type: str, max_bytes: int, max_rows: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.rows = _RowCounter(media_type)

    def write(self, data) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise ResultTooLarge(f"the result is larger than {self.max_bytes} bytes")
        if self.rows.feed(chunk) > self.max_rows:
            raise ResultTooLarge(f"the query returns more than {self.max_rows} rows")
        self.parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


_ESCAPE = re.compile(rb"\\.", re.DOTALL)


class _RowCounter:
    """Rows in a stream of W3C results as pyoxigraph writes them, exactly, at C speed per chunk.

    TSV: one line per row (newlines in values are escaped). CSV: newlines outside quotes.
    XML: `<result>` elements (`<` in values is escaped). JSON: objects that are array elements
    (`[{` or `,{` outside strings; the only arrays holding objects are the bindings).
    """

    def __init__(self, media_type: str) -> None:
        self.kind = {"text/tab-separated-values": "tsv", "text/csv": "csv", "application/sparql-results+xml": "xml"}.get(media_type, "json")
        self.count = 0
        self.in_string = False
        self.carry = b""
        self.last = b""

    def feed(self, chunk: bytes) -> int:
        if self.kind == "tsv":
            self.count += chunk.count(b"\n")
            return self.count - 1  # the header line
        if self.kind == "xml":
            data = self.carry + chunk
            self.count += data.count(b"<result>") - self.carry.count(b"<result>")
            self.carry = data[-7:]
            return self.count
        if self.kind == "csv":
            segments = chunk.split(b'"')
            for index, segment in enumerate(segments):
                if (index % 2 == 0) != self.in_string:
                    self.count += segment.count(b"\n")
            if len(segments) % 2 == 0:
                self.in_string = not self.in_string
            return self.count - 1
        data = self.carry + chunk
        trailing = len(data) - len(data.rstrip(b"\\"))
        self.carry = b"\\" if trailing % 2 else b""
        if self.carry:
            data = data[:-1]
        segments = _ESCAPE.sub(b"", data).split(b'"')
        outside = b"".join(s for i, s in enumerate(segments) if (i % 2 == 0) != self.in_string)
        if len(segments) % 2 == 0:
            self.in_string = not self.in_string
        structure = self.last + outside
        self.count += structure.count(b"[{") + structure.count(b",{")
        self.last = outside[-1:] or self.last
        return self.count


def _evaluate(store: ox.Store, request: QueryRequest) -> bytes:
    options: dict[str, object] = {}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    if request.substitutions:
        options["substitutions"] = {ox.Variable(name): term for name, term in request.substitutions}
    if request.base_iri:
        options["base_iri"] = request.base_iri
    result = store.query(request.sparql, **options)
    sink = _Sink(request.media_type, request.max_bytes, request.max_results)
    if isinstance(result, ox.QueryTriples):
        counted = itertools.count(1)
        limit = request.max_results

        def triples():
            for triple in result:
                if next(counted) > limit:
                    raise ResultTooLarge(f"the query returns more than {limit} triples")
                yield triple

        sink.rows.kind = "none"
        sink.rows.feed = lambda chunk: 0  # triples are counted above
        ox.serialize(triples(), sink, format=GRAPH_FORMATS[request.media_type])
        return sink.value()
    result.serialize(sink, format=RESULT_FORMATS[request.media_type])
    return sink.value()


def _worker_main(connection, niceness: int, memory_bytes: int = 0) -> None:  # runs in the worker process
    if memory_bytes:  # a query that needs more dies here (and is answered as such), not the machine
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        except (ImportError, ValueError, OSError):
            pass
    if niceness:
        try:
            os.nice(niceness)
        except OSError:
            pass
    stores: OrderedDict[str, ox.Store] = OrderedDict()
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ident, path, request = message
        store = stores.get(path)
        if store is None:
            try:
                store = ox.Store.read_only(path)
            except (OSError, RuntimeError, ValueError) as error:  # a generation removed or damaged under us
                connection.send((ident, "store", " ".join(str(error).split())[:300]))
                continue
            stores[path] = store
            while len(stores) > 2:  # the live generation and the one before it
                stores.popitem(last=False)
        try:
            reply = (ident, "ok", _evaluate(store, request))
        except ResultTooLarge as error:
            reply = (ident, "too-large", str(error))
        except OSError as error:
            if any(mark in str(error) for mark in ("IO error", "Corruption", "No such file")):
                stores.pop(path, None)
                reply = (ident, "store", " ".join(str(error).split())[:300])
            else:
                reply = (ident, "failed", f"{type(error).__name__}: {error}")
        except (SyntaxError, ValueError, RuntimeError, KeyError, TypeError) as error:
            reply = (ident, "failed", f"{type(error).__name__}: {error}")
        connection.send(reply)


# --- in the server --------------------------------------------------------------------------

_context = None
_pinned: contextvars.ContextVar[Generation | None] = contextvars.ContextVar("quanze_generation", default=None)


def _mp_context():
    global _context
    if _context is None:
        try:
            _context = mp.get_context("forkserver")
            _context.set_forkserver_preload(["pyoxigraph", "quanze.api.repository"])
        except ValueError:
            _context = mp.get_context("spawn")
    return _context


@dataclass(eq=False)
class _Worker:
    process: mp.process.BaseProcess
    connection: object
    lane: str


@dataclass
class _Lane:
    name: str
    size: int
    queue_size: int
    niceness: int
    idle: list[_Worker] = field(default_factory=list)
    busy: int = 0
    waiters: deque[Future] = field(default_factory=deque)


class WorkerPool:
    """Query worker processes in two lanes ("main", "slow") with bounded queues."""

    def __init__(self, workers: int, slow_workers: int, queue_size: int, slow_queue_size: int | None = None,
                 memory_bytes: int = 0) -> None:
        self._lock = threading.Lock()
        self.memory_bytes = memory_bytes
        self._ids = itertools.count(1)
        self.lanes = {
            "main": _Lane("main", workers, queue_size, 0),
            "slow": _Lane("slow", slow_workers, slow_queue_size if slow_queue_size is not None else 2 * slow_workers, 10),
        }
        self.spawned = 0
        self.killed = 0
        for _ in range(workers):
            self.lanes["main"].idle.append(self._spawn("main"))

    def _spawn(self, lane: str) -> _Worker:
        context = _mp_context()
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, self.lanes[lane].niceness, self.memory_bytes), daemon=True)
        process.start()
        child.close()
        self.spawned += 1
        return _Worker(process, parent, lane)

    # admission ----------------------------------------------------------------------------

    def acquire(self, lane_name: str) -> Future:
        """A future of a worker of the lane; Overloaded at once if the lane's queue is full."""
        lane = self.lanes[lane_name]
        ticket: Future = Future()
        with self._lock:
            if lane.idle:
                worker = lane.idle.pop()
            elif lane.busy + len(lane.idle) < lane.size:
                worker = None  # a slot without a process yet (the slow lane starts empty)
            else:
                if sum(1 for w in lane.waiters if not w.cancelled()) >= lane.queue_size:
                    raise Overloaded(f"the server is busy ({lane.size} {lane_name} workers busy, {lane.queue_size} queries waiting); retry shortly", 503, 1)
                lane.waiters.append(ticket)
                return ticket
            lane.busy += 1
        try:
            ticket.set_result(worker or self._spawn(lane_name))
        except BaseException:
            with self._lock:
                lane.busy -= 1
            raise
        return ticket

    def give_back(self, ticket: Future) -> None:
        """Undo an acquire whose caller stopped waiting: cancel it, or return the worker it got."""
        if not ticket.cancel():
            self.release(ticket.result())

    def release(self, worker: _Worker) -> None:
        """A worker whose last reply was read: to the next waiter of its lane, or idle."""
        lane = self.lanes[worker.lane]
        with self._lock:
            while lane.waiters:
                waiter = lane.waiters.popleft()
                if waiter.set_running_or_notify_cancel():
                    waiter.set_result(worker)
                    return
            lane.busy -= 1
            lane.idle.append(worker)

    def discard(self, worker: _Worker) -> None:
        """A worker in an unknown state: kill it and put a fresh one in its place."""
        self._kill(worker)
        lane = self.lanes[worker.lane]
        if lane.name == "slow":
            with self._lock:  # the slow lane refills on demand
                while lane.waiters:
                    waiter = lane.waiters.popleft()
                    if waiter.set_running_or_notify_cancel():
                        break
                else:
                    lane.busy -= 1
                    return
            try:
                waiter.set_result(self._spawn("slow"))
            except BaseException as error:
                waiter.set_exception(error)
                with self._lock:
                    lane.busy -= 1
            return
        self._replace_in_main()

    def _replace_in_main(self) -> None:
        """A fresh main-lane worker in the place of one that left; if none can be started, the slot
        stays empty and the next acquire starts one."""
        try:
            fresh = self._spawn("main")
        except Exception:
            with self._lock:
                self.lanes["main"].busy -= 1
            return
        self.release(fresh)

    def demote(self, worker: _Worker) -> bool:
        """Move a main-lane worker running a slow query into a free slow-lane slot; False if none is free."""
        slow = self.lanes["slow"]
        with self._lock:
            if slow.busy + len(slow.idle) >= slow.size:
                if not slow.idle:
                    return False
                spare = slow.idle.pop()  # an idle slow process makes room for the demoted one
            else:
                spare = None
            slow.busy += 1
        if spare is not None:
            self._kill(spare)
        worker.lane = "slow"
        try:
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, slow.niceness)
        except (OSError, AttributeError):
            pass
        self._replace_in_main()  # the main lane gets a fresh worker in its place
        return True

    def _kill(self, worker: _Worker) -> None:
        self.killed += 1
        kill_worker(worker.process, worker.connection)  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            workers = [w for lane in self.lanes.values() for w in lane.idle]
            for lane in self.lanes.values():
                lane.idle.clear()
                for waiter in lane.waiters:
                    waiter.cancel()
        for worker in workers:
            try:
                worker.connection.send(None)  # type: ignore[attr-defined]
            except OSError:
                pass
        for worker in workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()

    # one query on one worker --------------------------------------------------------------

    def run(self, worker: _Worker, path: str, request: QueryRequest, timeout: float, slow_after: float | None,
            cancel: threading.Event | None, on_slow) -> bytes:
        """Send one query, read its reply. Any way out other than a read reply discards the worker."""
        ident = next(self._ids)
        replied = False
        try:
            worker.connection.send((ident, path, request))  # type: ignore[attr-defined]
            started = time.monotonic()
            deadline = started + timeout
            while True:
                now = time.monotonic()
                if cancel is not None and cancel.is_set():
                    raise Cancelled("the client went away; the query was stopped")
                if now >= deadline:
                    raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
                if slow_after is not None and worker.lane == "main" and now - started >= slow_after:
                    on_slow()
                    if not self.demote(worker):
                        raise QueryTimeout(f"the query ran longer than {slow_after:g} s while the lane for slow queries was busy; it was stopped, retry later")
                step = deadline - now
                if slow_after is not None and worker.lane == "main":
                    step = min(step, started + slow_after - now)
                if cancel is not None:
                    step = min(step, 0.1)
                if worker.connection.poll(max(0.0, step)):  # type: ignore[attr-defined]
                    break
            reply_id, status, payload = worker.connection.recv()  # type: ignore[attr-defined]
            if reply_id != ident:
                raise QueryFailed("the query worker answered another request; it was replaced")
            replied = True
        except (EOFError, OSError) as error:
            worker.process.join(timeout=1)
            if self.memory_bytes and worker.process.exitcode is not None and worker.process.exitcode < 0:
                raise QueryFailed(f"the query needed more than the {self.memory_bytes // 2**20} MiB of memory a query may use "
                                  "(QUANZE_WORKER_MEMORY); it was stopped") from error
            raise QueryFailed(f"the query worker died ({type(error).__name__}); the query was not answered") from error
        finally:
            if replied:
                self.release(worker)
            else:
                self.discard(worker)
        if status == "too-large":
            raise ResultTooLarge(payload)
        if status == "failed":
            raise QueryFailed(payload)
        if status == "store":
            raise Overloaded(f"the store changed while the query ran ({payload}); retry", 503, 1)
        return payload


class _ResultCache:
    """Results of one store generation, least recently used first out, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self.generation: str | None = None
        self.entries: OrderedDict[tuple, tuple[str, object]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _size(outcome: tuple[str, object]) -> int:
        value = outcome[1]
        return 256 + (len(value) if isinstance(value, (bytes, str)) else 0)

    def get(self, generation: str, key: tuple) -> tuple[str, object] | None:
        with self.lock:
            if generation != self.generation:
                return None
            outcome = self.entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, generation: str, key: tuple, outcome: tuple[str, object]) -> None:
        size = self._size(outcome)
        if size > self.budget // 8:
            return
        with self.lock:
            if generation != self.generation:
                self.entries.clear()
                self.used = 0
                self.generation = generation
            if key in self.entries:
                return
            self.entries[key] = outcome
            self.used += size
            while self.used > self.budget and self.entries:
                _, old = self.entries.popitem(last=False)
                self.used -= self._size(old)


_BASE_WORDS = re.compile(r"(?i)\b(?:BASE|IRI|URI)\b")
_IRI_REFERENCE = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def cache_form(request: QueryRequest) -> QueryRequest:
    """The request as the result cache files it: without its base IRI when the text cannot depend on it
    (no BASE, IRI( or URI( anywhere, every <…> absolute), so /sparql's answers do not depend on the
    host name a client used, and a warm-up can fill the cache for every client. Conservative: a word
    BASE in a comment or a `<` comparison written without spaces only keeps the base in the key."""
    if request.base_iri is None or _BASE_WORDS.search(request.sparql):
        return request
    if all(_ABSOLUTE.match(reference) for reference in _IRI_REFERENCE.findall(request.sparql)):
        return dataclasses.replace(request, base_iri=None)
    return request


class OxigraphRepository:
    """The embedded store: generations, a cache, admission control and a pool of killable workers."""

    def __init__(
        self, store: Path, workers: int = 2, *, query_timeout: float = 30.0, queue_size: int | None = None,
        queue_wait: float = 5.0, client_concurrency: int | None = None, slow_query_seconds: float = 1.0,
        slow_workers: int = 1, cache_bytes: int = 64 * 1024 * 1024, worker_memory: int = 0,
    ) -> None:
        self.watch = GenerationWatch(store)  # StoreError (one line) on a missing, foreign or corrupt store
        self.path = str(store)
        self.query_timeout = query_timeout
        self.queue_wait = queue_wait
        self.client_concurrency = client_concurrency or 4 * workers
        self.slow_query_seconds = slow_query_seconds
        self.pool = WorkerPool(workers, slow_workers, queue_size if queue_size is not None else 16 * workers,
                               memory_bytes=worker_memory)
        self.cache = _ResultCache(cache_bytes)
        self._slow: OrderedDict[bytes, None] = OrderedDict()
        self._inflight: dict[tuple, Future] = {}
        self._clients: dict[str, int] = {}
        self._lock = threading.Lock()
        self._limiter = None
        self._derived: OrderedDict[tuple[str, Hashable], object] = OrderedDict()
        self._derived_locks: dict[tuple[str, Hashable], threading.Lock] = {}
        self._warmers: list[Callable[[], object]] = []
        self._warmed: str | None = None
        self._closed = False

    @classmethod
    def from_settings(cls, settings) -> OxigraphRepository:
        return cls(
            settings.store, settings.workers, query_timeout=settings.query_timeout, queue_size=settings.queue_size,
            queue_wait=settings.queue_wait, client_concurrency=settings.client_concurrency,
            slow_query_seconds=settings.slow_query_seconds, slow_workers=settings.slow_workers, cache_bytes=settings.cache_bytes,
            worker_memory=settings.worker_memory,
        )

    # generations ---------------------------------------------------------------------------

    def pin(self) -> contextvars.Token:
        """Pin the current request to the live generation (checked with one stat); reset with `unpin`.
        A generation not seen before starts the warm-up (`warm_with`)."""
        generation = self.watch.probe()
        if self._warmers and generation.name != self._warmed:
            self.warm(generation)
        return _pinned.set(generation)

    @staticmethod
    def unpin(token: contextvars.Token) -> None:
        _pinned.reset(token)

    def generation(self) -> Generation:
        return _pinned.get() or self.watch.probe()

    # tables computed per generation, and the warm-up --------------------------------------------

    DERIVED_ENTRIES = 48
    """Computed tables kept at most (a province's compare page is the largest: about 1 MB)."""

    def derived(self, name: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` — a table built from several queries of the pinned generation — kept until that
        generation is no longer live (as query results are), so it is computed once per generation.
        Concurrent callers of one name wait for one computation. With the cache off (cache_bytes 0)
        it is computed on every call."""
        if self.cache.budget <= 0:
            return compute()
        key = (self.generation().name, name)
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]  # type: ignore[return-value]
            lock = self._derived_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._derived:
                    return self._derived[key]  # type: ignore[return-value]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._derived_locks.pop(key, None)
            with self._lock:
                live = self.watch.current.name
                for old in [k for k in self._derived if k[0] != live]:  # an earlier generation's tables
                    del self._derived[old]
                if key[0] == live:
                    self._derived[key] = value
                    while len(self._derived) > self.DERIVED_ENTRIES:
                        self._derived.popitem(last=False)
            return value

    def warm_with(self, *jobs: Callable[[], object]) -> None:
        """Jobs that fill the caches (each runs queries as a request would), run in order by `warm`;
        one that returns False ends that warm-up."""
        self._warmers.extend(jobs)

    def warm(self, generation: Generation | None = None) -> threading.Thread | None:
        """Run the warm-up jobs on the live generation in a background thread, once per generation
        (nothing when the cache is off or no job is registered). A job that fails is logged in one line;
        the warm-up stops when the live generation changes under it (the next request starts it again)."""
        generation = generation or self.watch.probe()
        with self._lock:
            if self.cache.budget <= 0 or not self._warmers or self._closed or generation.name == self._warmed:
                return None
            self._warmed = generation.name
            thread = threading.Thread(target=self._warm, args=(generation, list(self._warmers)), daemon=True, name="quanze-warm")
        thread.start()
        return thread

    def _warm(self, generation: Generation, jobs: list[Callable[[], object]]) -> None:
        token = _pinned.set(generation)
        try:
            for job in jobs:
                if self._closed or self.watch.probe().name != generation.name:
                    return
                try:
                    if job() is False:  # nothing (more) worth warming
                        return
                except Exception as error:  # a busy server, a store removed: the visitors pay instead
                    log.warning("warming the cache of generation %s: %s: %s", generation.name, type(error).__name__,
                                " ".join(str(error).split())[:200])
        finally:
            _pinned.reset(token)

    # slow queries ----------------------------------------------------------------------------

    @staticmethod
    def _fingerprint(request: QueryRequest) -> bytes:
        text = "\x00".join((request.sparql, *request.default_graphs, "\x01", *request.named_graphs))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _mark_slow(self, fingerprint: bytes) -> None:
        with self._lock:
            self._slow[fingerprint] = None
            self._slow.move_to_end(fingerprint)
            while len(self._slow) > 4096:
                self._slow.popitem(last=False)

    def _is_slow(self, fingerprint: bytes) -> bool:
        with self._lock:
            return fingerprint in self._slow

    # clients ---------------------------------------------------------------------------------

    def _enter_client(self, client: str | None) -> None:
        if client is None:
            return
        with self._lock:
            count = self._clients.get(client, 0)
            if count >= self.client_concurrency:
                raise Overloaded(f"too many queries from this client at once (at most {self.client_concurrency}); retry shortly", 429, 1)
            self._clients[client] = count + 1

    def _leave_client(self, client: str | None) -> None:
        if client is None:
            return
        with self._lock:
            count = self._clients.get(client, 1) - 1
            if count <= 0:
                self._clients.pop(client, None)
            else:
                self._clients[client] = count

    # the query path --------------------------------------------------------------------------

    @staticmethod
    def _unwrap(outcome: tuple[str, object], media: str) -> tuple[bytes, str]:
        status, value = outcome
        if status == "too-large":
            raise ResultTooLarge(str(value))
        return value, media  # type: ignore[return-value]

    def _lookup(self, request: QueryRequest) -> tuple[Generation, tuple, tuple[str, object] | None, Future | None, bool]:
        generation = self.generation()
        key = (generation.name, cache_form(request))
        outcome = self.cache.get(generation.name, key)
        if outcome is not None:
            return generation, key, outcome, None, False
        with self._lock:
            shared = self._inflight.get(key)
            if shared is not None:
                return generation, key, None, shared, False
            shared = Future()
            self._inflight[key] = shared
        return generation, key, None, shared, True

    def _finish(self, key: tuple, shared: Future, generation: Generation, outcome: tuple[str, object] | None,
                error: BaseException | None) -> None:
        with self._lock:
            self._inflight.pop(key, None)
        if outcome is not None:
            self.cache.put(generation.name, key, outcome)
            shared.set_result(outcome)
        elif isinstance(error, Exception) and not isinstance(error, Cancelled):
            shared.set_exception(error)
        else:  # the leader was cancelled or its client went away: the others ask again themselves
            shared.set_exception(Cancelled("the query that was answering this one was stopped"))

    def _execute(self, worker: _Worker, generation: Generation, request: QueryRequest, timeout: float,
                 cancel: threading.Event | None, fingerprint: bytes) -> tuple[str, object]:
        try:
            data = self.pool.run(worker, str(generation.path), request, timeout, self.slow_query_seconds, cancel,
                                 lambda: self._mark_slow(fingerprint))
        except ResultTooLarge as error:
            return ("too-large", str(error))
        return ("ok", data)

    def query(self, request: QueryRequest, timeout: float | None = None, client: str | None = None) -> tuple[bytes, str]:
        """Answer a query (blocking; for code running in a thread)."""
        timeout = min(timeout or self.query_timeout, self.query_timeout)
        while True:
            generation, key, outcome, shared, leader = self._lookup(request)
            if outcome is not None:
                return self._unwrap(outcome, request.media_type)
            if not leader:
                try:
                    return self._unwrap(shared.result(timeout=self.queue_wait + timeout + 5), request.media_type)
                except (Cancelled, FutureTimeout):
                    continue
                except Overloaded as error:
                    if error.status == 429:
                        continue
                    raise
            outcome, error = None, None
            try:
                self._enter_client(client)
                try:
                    fingerprint = self._fingerprint(request)
                    ticket = self.pool.acquire("slow" if self._is_slow(fingerprint) else "main")
                    try:
                        worker = ticket.result(timeout=self.queue_wait)
                    except FutureTimeout:
                        self.pool.give_back(ticket)
                        raise Overloaded(f"no query worker was free within {self.queue_wait:g} s; retry shortly", 503, 2) from None
                    outcome = self._execute(worker, generation, request, timeout, None, fingerprint)
                finally:
                    self._leave_client(client)
            except BaseException as caught:
                error = caught
                raise
            finally:
                self._finish(key, shared, generation, outcome, error)
            return self._unwrap(outcome, request.media_type)

    async def query_async(self, request: QueryRequest, timeout: float | None = None, client: str | None = None,
                          disconnected=None) -> tuple[bytes, str]:
        """Answer a query from the event loop: waiting for a worker costs no thread; `disconnected` is an
        async callable telling whether the client has gone (checked before dispatch and while running)."""
        from anyio import CapacityLimiter, to_thread

        timeout = min(timeout or self.query_timeout, self.query_timeout)
        while True:
            generation, key, outcome, shared, leader = self._lookup(request)
            if outcome is not None:
                return self._unwrap(outcome, request.media_type)
            if not leader:
                try:
                    with parked:  # waiting for another request's evaluation, not for this process's CPU
                        outcome = await asyncio.wait_for(asyncio.wrap_future(shared), self.queue_wait + timeout + 5)
                    return self._unwrap(outcome, request.media_type)
                except (Cancelled, asyncio.TimeoutError):
                    continue
                except Overloaded as error:
                    if error.status == 429:
                        continue
                    raise
            outcome, error = None, None
            try:
                if disconnected is not None and await disconnected():
                    raise Cancelled("the client went away before the query ran")
                self._enter_client(client)
                ticket = None
                try:
                    fingerprint = self._fingerprint(request)
                    ticket = self.pool.acquire("slow" if self._is_slow(fingerprint) else "main")
                    parked.__enter__()  # waiting for a worker and its answer, not for this process's CPU (api/gate.py)
                    try:
                        worker = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(ticket)), self.queue_wait)
                    except asyncio.TimeoutError:
                        self.pool.give_back(ticket)
                        raise Overloaded(f"no query worker was free within {self.queue_wait:g} s; retry shortly", 503, 2) from None
                    except asyncio.CancelledError:
                        self.pool.give_back(ticket)
                        raise
                    if disconnected is not None and await disconnected():
                        self.pool.release(worker)
                        raise Cancelled("the client went away before the query ran")
                    cancel = threading.Event()
                    watcher = asyncio.ensure_future(self._watch_client(disconnected, cancel)) if disconnected else None
                    if self._limiter is None:  # threads of our own: page queries waiting in the shared pool cannot hold them
                        self._limiter = CapacityLimiter(sum(lane.size for lane in self.pool.lanes.values()) + 2)
                    try:
                        outcome = await to_thread.run_sync(
                            self._execute, worker, generation, request, timeout, cancel, fingerprint,
                            abandon_on_cancel=True, limiter=self._limiter,
                        )
                    except asyncio.CancelledError:
                        cancel.set()
                        raise
                    finally:
                        if watcher is not None:
                            watcher.cancel()
                finally:
                    if ticket is not None:
                        parked.__exit__()
                    self._leave_client(client)
            except BaseException as caught:
                error = caught
                raise
            finally:
                self._finish(key, shared, generation, outcome, error)
            return self._unwrap(outcome, request.media_type)

    @staticmethod
    async def _watch_client(disconnected, cancel: threading.Event) -> None:
        while not cancel.is_set():
            await asyncio.sleep(0.25)
            if await disconnected():
                cancel.set()
                return

    def select(self, sparql: str, timeout: float | None = None, bindings: dict[str, object] | None = None) -> list[dict[str, str | None]]:
        """Rows of a SELECT as plain strings (for services and pages).

        `bindings` maps variable names to pyoxigraph terms (ox.Literal, ox.NamedNode) that the
        engine substitutes before evaluation: a value never becomes query text.
        """
        return select_rows(self.query, sparql, timeout, bindings)

    def close(self) -> None:
        self._closed = True
        self.pool.close()


def select_rows(query, sparql: str, timeout: float | None, bindings: dict[str, object] | None) -> list[dict[str, str | None]]:
    """Rows of a SELECT as plain strings, through a repository's `query` (embedded or remote alike)."""
    substitutions = tuple(sorted((bindings or {}).items(), key=lambda item: item[0]))
    data, _ = query(QueryRequest(sparql, "application/sparql-results+json", "select", substitutions=substitutions), timeout)
    parsed = json.loads(data)
    names = parsed["head"]["vars"]
    return [{n: (b[n]["value"] if n in b else None) for n in names} for b in parsed["results"]["bindings"]]


def kill_worker(process, connection) -> None:
    """Stop a worker process for good and close our end of its pipe (it may be dead already)."""
    try:
        process.kill()
        process.join(timeout=5)
    except (OSError, ValueError, AssertionError):
        pass
    try:
        connection.close()
    except OSError:
        pass
