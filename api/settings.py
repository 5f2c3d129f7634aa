"""Server settings, read from environment variables and checked at start.

Every value is validated when the server starts: a negative, NaN, infinite, absurdly large or
non-numeric value is refused with one line (`quanze serve` prints it and exits 2), never
carried into a request where it would fail half-way (issue 9: a 1e9 s timeout overflowed
between sending a query to a worker and reading its answer).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from quanze.graph import paths

MiB = 1024 * 1024


class SettingsError(ValueError):
    """A setting that makes no sense; the message is one line naming the variable."""


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _number(name: str, default: float, low: float, high: float, integer: bool) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    kind = "a whole number" if integer else "a number"
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not {kind} (allowed: {low:g} to {high:g})") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingsError(f"{name}={raw!r} must be a finite number (allowed: {low:g} to {high:g})")
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is out of range (allowed: {low:g} to {high:g})")
    return value


def _int(name: str, default: int, low: int, high: int) -> int:
    return int(_number(name, default, low, high, integer=True))


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower() or default
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value[:40]!r}")
    return value


def _float(name: str, default: float, low: float, high: float) -> float:
    return float(_number(name, default, low, high, integer=False))


@dataclass(frozen=True)
class Settings:
    store: Path
    query_timeout: float = 30.0
    """Seconds a SPARQL query may run before its worker is killed (QUANZE_QUERY_TIMEOUT, 30; 0.1–3600)."""
    max_results: int = 100_000
    """Rows (or triples) a query may return (QUANZE_MAX_RESULTS, 100000)."""
    max_query_bytes: int = 100_000
    """Size of a query text (QUANZE_MAX_QUERY_BYTES, 100000)."""
    max_upload_bytes: int = 10 * MiB
    """Size of a register uploaded to /validate (QUANZE_MAX_UPLOAD_BYTES, 10 MiB)."""
    workers: int = 2
    """Query worker processes per server process (QUANZE_QUERY_WORKERS; default: the cores, at least 2,
    shared out among the server processes)."""
    max_result_bytes: int = 50 * MiB
    """Bytes of a serialised result (QUANZE_MAX_RESULT_BYTES, 50 MiB); past it 422."""
    queue_size: int = 32
    """Queries waiting for a worker (QUANZE_QUEUE_SIZE; default 16 per worker); past it 503 at once."""
    queue_wait: float = 5.0
    """Seconds a query may wait for a worker (QUANZE_QUEUE_WAIT, 5); then 503."""
    client_concurrency: int = 8
    """Queries one client (address) may have running or waiting in this server process: QUANZE_CLIENT_CONCURRENCY
    (default 16 per server process, or 4 per query worker if more) is for the whole server and shared out
    evenly among its processes, each counting its own share."""
    slow_query_seconds: float = 1.0
    """A query running longer than this leaves the ordinary workers for the slow lane (QUANZE_SLOW_QUERY_SECONDS, 1)."""
    slow_workers: int = 1
    """Worker processes of the slow lane (QUANZE_SLOW_WORKERS, 1), run at low CPU priority."""
    cache_bytes: int = 64 * MiB
    """Memory for cached results of the live store generation (QUANZE_CACHE_BYTES, 64 MiB; 0 turns it off)."""
    worker_memory: int = 2048 * MiB
    """Address space of one query worker (QUANZE_WORKER_MEMORY, in MiB, 2048): a query needing more is stopped."""
    http_workers: int = 1
    """Server processes of `quanze serve`, each with its own query workers and cache
    (QUANZE_HTTP_WORKERS; default the cores, at most 4)."""
    max_in_flight: int = 16
    """HTTP requests one server process has parsed and not answered, less those waiting for a query worker
    (QUANZE_MAX_IN_FLIGHT, 16: about 20 ms of cached answers); past it 503 with Retry-After before routing
    (api/http.py, api/gate.py). An event loop uses one core, so the bound is per process, not per core."""
    validation_workers: int = 1
    """Validation worker processes per server process (QUANZE_VALIDATION_WORKERS, 1)."""
    validation_queue: int = 1
    """Uploads that may wait for a busy validation worker, per server process (QUANZE_VALIDATION_QUEUE; default one
    per worker); past it 503 with Retry-After before the body is read."""
    validation_timeout: float = 120.0
    """Seconds one validation may run before its worker is killed (QUANZE_VALIDATION_TIMEOUT, 120; 0.01–3600)."""
    validation_memory: int = 1024 * MiB
    """Memory a validation may allocate beyond the worker's loaded code and reference data
    (QUANZE_VALIDATION_MEMORY, in MiB, 1024; 0: no cap)."""

    warm: str = "auto"
    """Fill the caches in the background when the server starts and when a new store generation goes live
    (QUANZE_WARM: `auto`, the default, when the store holds more jurisdictions than a page lists — a
    country-sized store, whose matrix and country-wide counts cost hundreds of milliseconds; `1` always;
    `0` never). Nothing is warmed with the cache off (QUANZE_CACHE_BYTES=0). api/services/warm.py."""
    page_jurisdictions: int = 200
    """The most jurisdictions the home and compare pages list at once (QUANZE_PAGE_JURISDICTIONS, 200); a larger
    store is shown one province at a time (api/services/comparison.py `scope`)."""

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings from the environment; SettingsError (one line) on any nonsense."""
        http_workers = _int("QUANZE_HTTP_WORKERS", min(_cores(), 4), 1, 64)
        # the query workers are shared out among the server processes `quanze serve` starts (it sets
        # QUANZE_HTTP_WORKERS for them); a server started otherwise is one process and gets them all
        sharing = http_workers if os.environ.get("QUANZE_HTTP_WORKERS") else 1
        workers = _int("QUANZE_QUERY_WORKERS", max(1, max(2, _cores()) // sharing), 1, 64)
        queue_size = _int("QUANZE_QUEUE_SIZE", 16 * workers, 0, 100_000)
        slow_workers = _int("QUANZE_SLOW_WORKERS", 1, 1, 64)
        # one client's limit is for the whole server: each of the `sharing` processes counts its own share
        # (a client's connections may land unevenly, so it can be refused before it reaches the total)
        clients_total = _int("QUANZE_CLIENT_CONCURRENCY", sharing * max(16, 4 * workers), 1, 100_000)
        validation_workers = _int("QUANZE_VALIDATION_WORKERS", 1, 1, 64)
        return cls(
            store=paths.store_dir(),
            query_timeout=_float("QUANZE_QUERY_TIMEOUT", 30.0, 0.1, 3600.0),
            page_jurisdictions=_int("QUANZE_PAGE_JURISDICTIONS", 200, 1, 100_000),
            warm=_choice("QUANZE_WARM", "auto", ("auto", "1", "0")),
            max_results=_int("QUANZE_MAX_RESULTS", 100_000, 1, 100_000_000),
            max_query_bytes=_int("QUANZE_MAX_QUERY_BYTES", 100_000, 16, 10 * MiB),
            max_upload_bytes=_int("QUANZE_MAX_UPLOAD_BYTES", 10 * MiB, 1, 1024 * MiB),
            workers=workers,
            max_result_bytes=_int("QUANZE_MAX_RESULT_BYTES", 50 * MiB, 1024, 2048 * MiB),
            queue_size=queue_size,
            queue_wait=_float("QUANZE_QUEUE_WAIT", 5.0, 0.0, 600.0),
            client_concurrency=max(1, math.ceil(clients_total / sharing)),
            slow_query_seconds=_float("QUANZE_SLOW_QUERY_SECONDS", 1.0, 0.01, 3600.0),
            slow_workers=slow_workers,
            cache_bytes=_int("QUANZE_CACHE_BYTES", 64 * MiB, 0, 16 * 1024 * MiB),
            worker_memory=_int("QUANZE_WORKER_MEMORY", 2048, 1024, 1024 * 1024) * MiB,
            http_workers=http_workers,
            max_in_flight=_int("QUANZE_MAX_IN_FLIGHT", 16, 1, 100_000),
            validation_workers=validation_workers,
            validation_queue=_int("QUANZE_VALIDATION_QUEUE", validation_workers, 0, 1000),
            validation_timeout=_float("QUANZE_VALIDATION_TIMEOUT", 120.0, 0.01, 3600.0),
            validation_memory=_int("QUANZE_VALIDATION_MEMORY", 1024, 0, 1024 * 1024) * MiB,
        )
