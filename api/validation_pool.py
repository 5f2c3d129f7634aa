"""POST /validate's work, done in worker processes that can be stopped.

A register's validation (read → repair → link → map → SHACL) is the most expensive thing a
request can ask for, and an upload decides how expensive: it must not take the server with
it. So each server process keeps a small persistent pool of validation processes:

- **Bounded.** At most `workers` validations run and `queue` wait, per server process; the
  next upload is refused with 503 + Retry-After before its body is read (`admit`, called by
  the upload middleware in routers/validate.py).
- **Timed.** A validation running past `timeout` seconds has its process killed (pySHACL
  cannot be interrupted otherwise); the upload is answered 503, a fresh process takes the slot.
- **Memory-capped.** A worker loads its code and reference data (shapes, statutes, the
  catalogue) once, then limits its own address space (RLIMIT_AS) to what it holds plus
  `memory` bytes: a register that needs more fails there (413), not in the server, and the
  worker is replaced.
- **Persistent.** Workers are started on the first upload (from the forkserver the query
  workers use) and kept: the second upload pays no start-up. A worker is ready only once its
  reference data is loaded; the time cap counts from when the register is handed over.

Every way out other than a read reply discards the worker, so no reply is ever read by the
wrong upload (the same rule as the query workers in api/repository.py).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from dataclasses import dataclass

from quanze.api.repository import kill_worker
from quanze.graph.read.flowchart import FlowchartError
from quanze.graph.read.limits import OverLimit
from quanze.graph.read.table import NoHeader
from quanze.graph.read.text import UnreadableInput

READY_TIMEOUT = 120.0
"""Seconds a new worker may take to load its code and reference data."""

_ERRORS = {"over-limit": OverLimit, "no-header": NoHeader, "flowchart": FlowchartError, "unreadable": UnreadableInput}


class ValidationBusy(RuntimeError):
    """Every validation slot of this server process is taken (503, Retry-After)."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationTimeout(RuntimeError):
    """The validation ran past the time cap; its worker was killed (503)."""


class ValidationMemory(RuntimeError):
    """The validation needed more memory than a worker may use; its worker was replaced (413)."""


class ValidationFailed(RuntimeError):
    """The worker died or could not start for another reason (503)."""


# --- in the worker process ------------------------------------------------------------------


def _address_space() -> int:
    """This process's current address space in bytes (0 when unknown)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _error_kind(error: UnreadableInput) -> str:
    for kind, cls in _ERRORS.items():
        if isinstance(error, cls):
            return kind
    return "unreadable"


def _settings_environment() -> dict[str, str]:
    """The QUANZE_* variables of the server now (the reading limits are read from the environment)."""
    return {name: value for name, value in os.environ.items() if name.startswith("QUANZE_")}


def _worker_main(connection, memory_bytes: int, environment: dict[str, str] | None = None) -> None:  # runs in the worker process
    if environment is not None:  # the forkserver's environment is the one it started with: take the server's
        for name in [n for n in os.environ if n.startswith("QUANZE_") and n not in environment]:
            del os.environ[name]
        os.environ.update(environment)
    try:
        from quanze.graph.validate import clerk
        from quanze.graph.validate.shapes import toolkit, validate_files

        toolkit()  # shapes, statutes, catalogue: loaded once, before the cap
        if memory_bytes:
            import resource

            base = _address_space()
            if base:
                limit = base + memory_bytes
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        connection.send(("ready", None, None))
    except Exception as error:  # noqa: BLE001 - reported to the server, which answers 503
        connection.send(("broken", f"{type(error).__name__}: {error}", None))
        return
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ident, files, lang = message
        try:
            report = clerk.build(validate_files(files, lang), files, lang)
            reply = (ident, "ok", report)
        except MemoryError:
            report = None
            reply = (ident, "memory", None)
        except UnreadableInput as error:
            reply = (ident, _error_kind(error), str(error))
        except RecursionError as error:
            reply = (ident, "unreadable", f"the register is nested too deeply to read ({error})")
        try:
            connection.send(reply)
        except MemoryError:
            return  # no room even to answer: the server sees the pipe close and replaces this worker
        if reply[1] == "memory":
            return  # after a MemoryError a fresh process is the safe state


# --- in the server --------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: object
    connection: object


class ValidationPool:
    """Validation worker processes of one server process, with admission and caps."""

    def __init__(self, workers: int = 1, queue: int = 1, timeout: float = 120.0, memory_bytes: int = 1024 * 2**20) -> None:
        self.workers = workers
        self.slots = workers + queue
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.admitted = 0
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self._running: asyncio.Semaphore | None = None
        self.spawned = 0
        self.killed = 0

    @classmethod
    def from_settings(cls, settings) -> ValidationPool:
        return cls(settings.validation_workers, settings.validation_queue, settings.validation_timeout, settings.validation_memory)

    # admission (from the event loop, before the body is read) -----------------------------

    def admit(self) -> bool:
        """Take a slot (running or waiting) for one upload; False when all are taken."""
        with self.lock:
            if self.admitted >= self.slots:
                return False
            self.admitted += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.admitted = max(0, self.admitted - 1)

    # workers ---------------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        """A new worker, once it says it is ready (blocking; run in a thread)."""
        from quanze.api.repository import _mp_context

        context = _mp_context()
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, args=(child, self.memory_bytes, _settings_environment()), daemon=True)
        process.start()
        child.close()
        self.spawned += 1
        worker = _Worker(process, parent)
        try:
            if not parent.poll(READY_TIMEOUT):
                raise ValidationFailed(f"the validation worker did not start within {READY_TIMEOUT:g} s")
            status, detail, _ = parent.recv()
        except (EOFError, OSError) as error:
            self._kill(worker)
            raise ValidationFailed(f"the validation worker could not start ({type(error).__name__})") from error
        except ValidationFailed:
            self._kill(worker)
            raise
        if status != "ready":
            self._kill(worker)
            raise ValidationFailed(f"the validation worker could not start: {detail}")
        return worker

    def _kill(self, worker: _Worker) -> None:
        self.killed += 1
        kill_worker(worker.process, worker.connection)  # type: ignore[attr-defined]

    def _take(self) -> _Worker:
        with self.lock:
            worker = self.idle.pop() if self.idle else None
        if worker is not None and worker.process.is_alive():  # type: ignore[attr-defined]
            return worker
        if worker is not None:
            self._kill(worker)
        return self._spawn()

    def _run(self, files: list[tuple[str, bytes]], lang: str):
        """One validation on one worker (blocking; run in a thread). Any way out but a read reply discards the worker."""
        worker = self._take()
        ident = next(self._ids)
        replied = False
        try:
            try:
                worker.connection.send((ident, files, lang))  # type: ignore[attr-defined]
                if not worker.connection.poll(self.timeout):  # type: ignore[attr-defined]
                    raise ValidationTimeout(f"the validation ran longer than {self.timeout:g} s and was stopped (QUANZE_VALIDATION_TIMEOUT)")
                reply_id, status, payload = worker.connection.recv()  # type: ignore[attr-defined]
            except (EOFError, OSError) as error:
                worker.process.join(timeout=1)  # type: ignore[attr-defined]
                code = worker.process.exitcode  # type: ignore[attr-defined]
                if code is not None and code < 0 and self.memory_bytes:  # killed by a signal: a failed allocation in C code
                    raise ValidationMemory(self._memory_message()) from error
                raise ValidationFailed(f"the validation worker died ({type(error).__name__}, exit {code})") from error
            if reply_id != ident:
                raise ValidationFailed("the validation worker answered another upload; it was replaced")
            replied = status != "memory"
        finally:
            if replied:
                with self.lock:
                    self.idle.append(worker)
            else:
                self._kill(worker)
        if status == "ok":
            return payload
        if status == "memory":
            raise ValidationMemory(self._memory_message())
        raise _ERRORS.get(status, UnreadableInput)(payload)

    def _memory_message(self) -> str:
        return (f"validating this register needs more than the {self.memory_bytes // 2**20} MiB of memory a validation may use "
                "(QUANZE_VALIDATION_MEMORY); it was stopped")

    async def validate(self, files: list[tuple[str, bytes]], lang: str):
        """The clerk's report of `files` (ClerkReport); the errors above, or the reader's (UnreadableInput …)."""
        from anyio import to_thread

        if self._running is None:
            self._running = asyncio.Semaphore(self.workers)
        async with self._running:  # at most `workers` at once; admission bounded the waiters
            return await to_thread.run_sync(self._run, files, lang, abandon_on_cancel=False)

    def close(self) -> None:
        with self.lock:
            workers, self.idle = self.idle, []
        for worker in workers:
            try:
                worker.connection.send(None)  # type: ignore[attr-defined]
            except OSError:
                pass
        for worker in workers:
            worker.process.join(timeout=2)  # type: ignore[attr-defined]
            if worker.process.is_alive():  # type: ignore[attr-defined]
                worker.process.kill()  # type: ignore[attr-defined]
