"""The embedded pyoxigraph store, kept as generations: written aside, switched by one rename.

Layout of a store directory:

    <store>/quanze-generation      the pointer: the name of the live generation ("00000007")
    <store>/generations/00000007/  a complete pyoxigraph (RocksDB) store
    <store>/generations/00000006/  the previous one, kept for readers still on it
    <store>/.build.lock            held by a build while it writes

A build writes a new generation beside the live one, checks it, and replaces the pointer
with `os.replace` — one rename — so `kill -9` at any moment leaves either the old or the new
generation live, never a half-written one. Generations newer than the pointer are the
remains of killed builds and are removed by the next build (or server start). A plain
pyoxigraph store directory (the old layout) still opens: it is the live store until the
first build writes a generation beside it.

Readers (the CLI, the server's workers) resolve the pointer when they open the store; the
server checks it between requests (`Generation.probe` costs one stat) and so never mixes two
generations inside one request.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import queue
import re
import shutil
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from quanze.graph.map.catalogue import CATALOGUE_GRAPH
from quanze.graph.map.quads import Quads

Chunk = bytes | Quads
"""Part of a build as `write_store` takes it: named-graph N-Quads (bytes), or Quads with their current copy."""

POINTER = "quanze-generation"
GENERATIONS = "generations"
LOCK = ".build.lock"
_NAME = re.compile(r"^\d{8}$")
_ROCKSDB = re.compile(r"^(CURRENT|IDENTITY|LOCK|LOG(\.old\..*)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.(sst|log|blob))$")
HEADROOM = 64 * 1024 * 1024
"""Free disk a build wants beyond its estimate before it starts writing."""


class StoreError(RuntimeError):
    """The store is missing, unreadable or cannot be written; the message is one line."""


class QueryError(ValueError):
    """A SPARQL query could not be parsed or evaluated."""


@dataclass(frozen=True)
class Generation:
    """One complete store: `name` identifies it ("legacy" for an old-layout store), `path` opens it."""

    name: str
    path: Path


def _is_rocksdb(directory: Path) -> bool:
    return (directory / "CURRENT").is_file()


def current_generation(store: Path) -> Generation:
    """The live generation of the store at `store`; StoreError (one line) if there is none."""
    if not store.exists():
        raise StoreError(f"no store at {store}: run `quanze build` first")
    if not store.is_dir():
        raise StoreError(f"{store} is not a store directory (it is a file)")
    pointer = store / POINTER
    try:
        name = pointer.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        name = None
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"the store at {store} is damaged: cannot read {POINTER} ({error})") from error
    if name is not None:
        if not _NAME.match(name):
            raise StoreError(f"the store at {store} is damaged: {POINTER} names no generation ({name[:40]!r})")
        path = store / GENERATIONS / name
        if not _is_rocksdb(path):
            raise StoreError(f"the store at {store} is damaged: generation {name} is missing or incomplete")
        return Generation(name, path)
    if _is_rocksdb(store):
        return Generation("legacy", store)
    try:
        empty = not any(p for p in store.iterdir() if p.name not in (LOCK, GENERATIONS) and not p.name.startswith(f".{POINTER}.tmp-"))
    except OSError as error:
        raise StoreError(f"cannot read the store directory {store}: {error.strerror or error}") from error
    if empty:
        raise StoreError(f"no store at {store} (the directory is empty): run `quanze build` first")
    raise StoreError(f"{store} is not a Quanze store (no {POINTER} and no pyoxigraph database in it)")


def open_read_only(generation: Generation) -> ox.Store:
    """Open a generation read-only; StoreError (one line) if RocksDB finds it corrupt or unreadable."""
    try:
        return ox.Store.read_only(str(generation.path))
    except (OSError, RuntimeError, ValueError) as error:
        detail = " ".join(str(error).split())[:300]
        raise StoreError(f"the store at {generation.path} is corrupt or unreadable: {detail}") from error


def check_store(store: Path) -> Generation:
    """Resolve and open the live generation once (as `serve`, `query`, `export` do at start)."""
    if _remote(store):
        from quanze.graph.store.remote import check_remote

        check_remote(store)  # type: ignore[arg-type]
        return Generation("remote", Path(str(store)))
    generation = current_generation(store)
    handle = open_read_only(generation)
    del handle
    return generation


class GenerationWatch:
    """The live generation of a store, re-read only when the pointer file changes (one stat per probe)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._stamp: tuple[int, int, int] | None = None
        self.current = check_store(store)
        self._stamp = self._pointer_stamp()

    def _pointer_stamp(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self.store / POINTER)
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def probe(self) -> Generation:
        stamp = self._pointer_stamp()
        if stamp != self._stamp:
            try:
                fresh = current_generation(self.store)
            except StoreError:
                return self.current  # a damaged pointer: keep serving what we have
            self.current, self._stamp = fresh, stamp
        return self.current


def _remote(store: object) -> bool:
    """A SPARQL server named by a sparql+http:// location (graph/store/remote.py) rather than a directory."""
    from quanze.graph.paths import is_remote

    return is_remote(store)


# --- writing --------------------------------------------------------------------------------


@contextmanager
def _build_lock(store: Path, wait: bool = True) -> Iterator[bool]:
    store.mkdir(parents=True, exist_ok=True)
    with open(store / LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _generation_names(store: Path) -> list[str]:
    folder = store / GENERATIONS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if _NAME.match(p.name))


def _recover_old_layout(store: Path) -> None:
    """Undo what the old two-rename swap could leave behind (`store.new-PID`, `store.old-PID`)."""
    parent = store.parent
    if not parent.is_dir():
        return
    leftovers = sorted(parent.glob(f"{store.name}.old-*"))
    if not store.exists() and len(leftovers) == 1 and _is_rocksdb(leftovers[0]):
        leftovers[0].rename(store)  # killed between the two renames: the old store goes back
        leftovers = []
    for path in [*parent.glob(f"{store.name}.new-*"), *leftovers]:
        shutil.rmtree(path, ignore_errors=True)


def _clean(store: Path) -> None:
    """Remove what killed or failed builds left; keep the live generation and the one before it.

    Called with the build lock held, so no build is writing.
    """
    _recover_old_layout(store)
    if not store.is_dir():
        return
    for stray in store.glob(f".{POINTER}.tmp-*"):
        stray.unlink(missing_ok=True)
    names = _generation_names(store)
    folder = store / GENERATIONS
    for stray in folder.glob("*") if folder.is_dir() else ():
        if not _NAME.match(stray.name):  # e.g. a partial generation's temporary name
            shutil.rmtree(stray, ignore_errors=True)
    try:
        live = current_generation(store)
    except StoreError:
        if (store / POINTER).exists():
            return  # a damaged pointer: touch nothing, a person must look
        live = None
    if live is None or live.name == "legacy":
        keep = set()  # nothing a pointer names: every generation directory is a leftover
    else:
        older = [n for n in names if n < live.name]
        keep = {live.name, *older[-1:]}
        if older:  # a generation before the live one exists: the old-layout files are not needed
            _remove_legacy_files(store)
    for name in names:
        if name not in keep:
            shutil.rmtree(folder / name, ignore_errors=True)


def _remove_legacy_files(store: Path) -> None:
    for path in store.iterdir():
        if path.is_file() and _ROCKSDB.match(path.name):
            path.unlink(missing_ok=True)


def clean_orphans(store: Path) -> bool:
    """Remove leftovers of killed builds if no build is running now; True if it could look."""
    if _remote(store):
        return True  # a remote build removes its leftovers itself
    if not store.is_dir():
        _recover_old_layout(store)
        return True
    with _build_lock(store, wait=False) as locked:
        if locked:
            _clean(store)
        return locked


def _check_space(folder: Path, needed: int) -> None:
    try:
        status = os.statvfs(folder)
    except OSError:
        return
    free = status.f_bavail * status.f_frsize
    if free < needed:
        raise StoreError(
            f"not enough free disk space at {folder}: {free // 2**20} MiB free, the build needs about "
            f"{needed // 2**20} MiB; the previous store is unchanged"
        )


SEGMENT_BYTES = 512 * 1024 * 1024
"""Spool bytes handed to the loader at a time (about two million quads)."""


class _Loader:
    """Bulk-loads spooled segments into a store on a thread of its own, one after another.

    `Store.bulk_load` releases the GIL, so the build's main process goes on taking the
    workers' chunks while the store is written: the load no longer waits for the last
    county. Loading many segments costs what loading their whole does (the loader writes
    sorted index files either way). The first error stops the loading and is raised again
    in the caller's thread.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self.error: BaseException | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="quanze-bulk-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (segment := self._queue.get()) is not None:
            if self.error is None and not self._closing:
                try:
                    self._store.bulk_load(path=str(segment), format=ox.RdfFormat.N_QUADS)
                except BaseException as error:  # raised again by `check` in the build's thread
                    self.error = error
            segment.unlink(missing_ok=True)

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def load(self, segment: Path) -> None:
        self.check()
        self._queue.put(segment)

    def finish(self) -> None:
        """Wait until every segment handed over is loaded; raise the loader's error if there was one."""
        self._queue.put(None)
        self._thread.join()
        self.check()

    def abandon(self) -> None:
        """Skip the segments not yet begun and wait for the one being loaded (the store is thrown away)."""
        self._closing = True
        self._queue.put(None)
        self._thread.join()


def _bulk_load(path: Path, nquads: Chunk | Iterable[Chunk]) -> int:
    """A new store at `path` holding the chunks' quads and their current facts; the quad count.

    The chunks are spooled beside the store in segments of about SEGMENT_BYTES, each
    bulk-loaded as soon as it is full (see `_Loader`): `bulk_load` writes sorted index files
    directly, where loading chunk by chunk into a growing RocksDB (`bulk_extend`) made it
    compact the same data again and again (30 GB written for a 5 GB store at 1,000 counties).
    The spool is removed whatever happens.
    """
    spool = path.with_name(path.name + ".spool")
    spool.mkdir()
    store = ox.Store(str(path))
    loader = _Loader(store)
    out, size, count = None, 0, 0
    try:
        for chunk in [nquads] if isinstance(nquads, (bytes, Quads)) else nquads:
            chunk = chunk if isinstance(chunk, Quads) else Quads(chunk)
            if out is None:
                count += 1
                out = open(spool / f"quads-{count:05d}.nq", "wb")
            current = chunk.current if chunk.current is not None else current_copy(chunk.named)
            out.write(chunk.named)
            out.write(current)
            size += len(chunk.named) + len(current)
            if size >= SEGMENT_BYTES:
                out.close()
                loader.load(Path(out.name))
                out, size = None, 0
        if out is not None:
            out.close()
            loader.load(Path(out.name))
            out = None
        loader.finish()
        store.flush()
        return len(store)
    finally:
        if out is not None:
            out.close()
        loader.abandon()
        del loader, store
        gc.collect()  # RocksDB holds its lock until the handle is freed
        shutil.rmtree(spool, ignore_errors=True)


def _as_current(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Named-graph quads as the default graph's current facts: every graph but the register catalogue,
    whose file copies no query needs (earlier versions `quanze add` takes out of it)."""
    catalogue = str(CATALOGUE_GRAPH)
    for q in quads:
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == catalogue):
            yield ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())


def current_copy(nquads: bytes) -> bytes:
    """The current facts of named-graph N-Quads, as default-graph N-Quads lines."""
    return ox.serialize(_as_current(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)), format=ox.RdfFormat.N_QUADS)


def load_current(store: ox.Store, nquads: Chunk, also: Iterable[ox.Quad] = ()) -> int:
    """Quads into their named graphs, and their triples into the default graph too (the current facts),
    so queries need no union over thousands of named graphs; `also` (e.g. catalogue entries, no current
    facts) is written as it is; the number of named-graph quads.

    The current copy is the one the mapper wrote beside the quads where there is one (as `_bulk_load`
    takes it), parsed rather than rebuilt quad by quad in Python. One `bulk_extend`: each call adds files
    of its own to RocksDB's level 0, which later compactions must merge. (Not `bulk_load`: it renames
    blank nodes, and a blank node a report shares with reports loaded earlier must stay one node.)"""
    quads = list(ox.parse(nquads.named if isinstance(nquads, Quads) else nquads, format=ox.RdfFormat.N_QUADS))
    if isinstance(nquads, Quads) and nquads.current is not None:
        current: Iterable[ox.Quad] = ox.parse(nquads.current, format=ox.RdfFormat.N_QUADS)
    else:
        current = _as_current(quads)
    store.bulk_extend([*quads, *current, *also])
    return len(quads)


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_store(nquads: Chunk | Iterable[Chunk], target: Path) -> int:
    """Write `nquads` (N-Quads, whole or in chunks) as a new generation of the store at `target` and make it
    live; the quad count.

    The previous generation stays live until the new one is complete and checked; then one
    `os.replace` of the pointer switches. A full disk or any write error removes the partial
    generation and raises StoreError with the previous store untouched.
    """
    if _remote(target):
        from quanze.graph.store.remote import write_dataset

        chunks = [nquads] if isinstance(nquads, (bytes, Quads)) else nquads
        return write_dataset(target, (c.named if isinstance(c, Quads) else c for c in chunks))  # type: ignore[arg-type]
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover_old_layout(target)
    with _build_lock(target):
        _clean(target)
        folder = target / GENERATIONS
        folder.mkdir(exist_ok=True)
        names = _generation_names(target)
        name = f"{int(names[-1]) + 1 if names else 1:08d}"
        fresh = folder / name
        partial = folder / f"{name}.partial-{os.getpid()}"
        _check_space(folder, 3 * (len(nquads) if isinstance(nquads, bytes) else _live_size(target)) + HEADROOM)
        try:
            count = _bulk_load(partial, nquads)
            check = ox.Store.read_only(str(partial))
            del check
            partial.rename(fresh)
            _fsync_directory(folder)
        except BaseException as error:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(error, SyntaxError):
                raise StoreError(f"cannot write the store: a mapped quad is not valid N-Quads ({error}); the previous store is unchanged") from error
            if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError(f"the disk is full ({error.strerror or error}); the previous store is unchanged") from error
            if isinstance(error, (OSError, RuntimeError)):
                raise StoreError(f"cannot write the store ({' '.join(str(error).split())[:200]}); the previous store is unchanged") from error
            raise
        _switch(target, name)
        _clean(target)
    return count


def _live_size(store: Path) -> int:
    """Bytes of the live generation: the estimate of a build from chunks or of an update."""
    try:
        live = current_generation(store)
    except StoreError:
        return 0
    paths = live.path.iterdir() if live.name != "legacy" else (p for p in live.path.iterdir() if _ROCKSDB.match(p.name))
    return sum(p.stat().st_size for p in paths if p.is_file())


@contextmanager
def updating(target: Path, codes: Iterable[str] = ()) -> Iterator[ox.Store]:
    """A writable copy of the live generation (a RocksDB checkpoint: hard links, cheap), made the next
    generation with one rename of the pointer only if the block succeeds; the live one is untouched otherwise.

    The block must not keep the store once it ends (`del` the name it was bound to): RocksDB keeps
    writing into its directory (compactions, its manifest) until the handle is freed, so the handle has
    to be closed before that directory is renamed into place.

    On a remote store (graph/store/remote.py) the copy holds what a change of the jurisdictions
    `codes` touches, and the changes are written back graph by graph."""
    if _remote(target):
        from quanze.graph.store.remote import updating_remote

        with updating_remote(target, codes) as store:  # type: ignore[arg-type]
            yield store
        return
    live = current_generation(target)
    _recover_old_layout(target)
    with _build_lock(target):
        _clean(target)
        live = current_generation(target)  # what is live now that no other writer runs
        folder = target / GENERATIONS
        folder.mkdir(exist_ok=True)
        names = _generation_names(target)
        name = f"{int(names[-1]) + 1 if names else 1:08d}"
        partial = folder / f"{name}.partial-{os.getpid()}"
        _check_space(folder, _live_size(target) + HEADROOM)
        source = open_read_only(live)
        try:
            source.backup(str(partial))
        except (OSError, RuntimeError) as error:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(f"cannot copy the store for the update ({' '.join(str(error).split())[:200]}); it is unchanged") from error
        finally:
            del source
        store = ox.Store(str(partial))
        try:
            yield store
            store.flush()
        except BaseException as error:
            del store
            gc.collect()  # RocksDB holds its lock until the handle is freed
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreError(f"the disk is full ({error.strerror or error}); the store is unchanged") from error
            raise
        held = sys.getrefcount(store) > 2  # referenced elsewhere than here (and by the call's argument)
        del store
        if held:
            gc.collect()  # RocksDB writes into its directory until the handle is freed: close it before the rename
        partial.rename(folder / name)
        _fsync_directory(folder)
        _switch(target, name)
        _clean(target)


def _switch(store: Path, name: str) -> None:
    """Make generation `name` live: write the pointer aside, then one rename."""
    temporary = store / f".{POINTER}.tmp-{os.getpid()}"
    try:
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, store / POINTER)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        shutil.rmtree(store / GENERATIONS / name, ignore_errors=True)
        raise StoreError(f"cannot switch the store to the new build ({error.strerror or error}); the previous store is unchanged") from error
    _fsync_directory(store)


# --- reading --------------------------------------------------------------------------------


@contextmanager
def open_store(path: Path) -> Iterator[ox.Store]:
    """Open the live generation read-only; StoreError with one clear line if there is none or it is corrupt.

    A `sparql+http://` location opens a RemoteStore (graph/store/remote.py) with the same reading methods."""
    if _remote(path):
        from quanze.graph.store.remote import check_remote

        yield check_remote(path)  # type: ignore[arg-type,misc]
        return
    store = open_read_only(current_generation(path))
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
