"""The store as generations behind one pointer: atomic swaps, leftovers, old layout, corrupt stores, full disk.

Issue 11 (faults): `kill -9` between the two renames of the old swap left no store; orphan
`store.new-PID` directories piled up; after a rebuild the server mixed old and new answers;
a corrupt store gave a traceback and `serve` started on it; an empty directory was a store.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from quanze.graph.cli import main
from quanze.graph.store import oxigraph as store_module
from quanze.graph.store.oxigraph import (
    GENERATIONS, POINTER, StoreError, clean_orphans, current_generation, open_store, write_store,
)
from tests._server import ROOT, running_server

MARK = "<urn:quanze:test> <urn:quanze:generation> \"{n}\" <urn:quanze:test-graph> .\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
WHICH = "SELECT ?g WHERE { <urn:quanze:test> <urn:quanze:generation> ?g }"


def synthetic(quads: int, mark: int) -> bytes:
    """N-Quads with `quads` filler quads and one quad saying which build this is."""
    lines = [f"<urn:s:{i}> <urn:p:{i % 7}> \"value {i}\" <urn:g:{i % 3}> .\n" for i in range(quads)]
    return ("".join(lines) + MARK.format(n=mark)).encode()


def count(store: Path) -> int:
    with open_store(store) as handle:
        return len(handle)


def which(store: Path) -> str:
    with open_store(store) as handle:
        return next(iter(handle.query(WHICH, use_default_graph_as_union=True)))["g"].value


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_each_build_is_a_generation_and_the_previous_one_is_kept(tmp_path):
    store = tmp_path / "store"
    for n in range(1, 5):
        assert write_store(synthetic(100 + n, n), store) == 2 * (101 + n)  # each quad also in the default graph
        assert which(store) == str(n)
    assert (store / POINTER).read_text().strip() == "00000004"
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == ["00000003", "00000004"]


def test_an_old_layout_store_still_opens_and_the_next_build_moves_beside_it(tmp_path):
    store = tmp_path / "store"
    old = ox.Store(str(store))
    old.bulk_load(synthetic(50, 0), format=ox.RdfFormat.N_QUADS)
    old.flush()
    del old
    assert current_generation(store).name == "legacy" and which(store) == "0"
    write_store(synthetic(60, 1), store)
    assert which(store) == "1" and (store / "CURRENT").exists()  # the old files are the previous generation
    write_store(synthetic(70, 2), store)
    assert which(store) == "2" and not (store / "CURRENT").exists()  # now they are gone
    assert not list(store.glob("*.sst"))


def test_leftovers_of_killed_builds_are_removed_and_the_live_store_kept(tmp_path):
    store = tmp_path / "store"
    write_store(synthetic(10, 1), store)
    write_store(synthetic(20, 2), store)
    partial = store / GENERATIONS / "00000003"  # a build killed before its pointer switch
    partial.mkdir()
    (partial / "000001.sst").write_bytes(b"half")
    (store / GENERATIONS / "00000004.partial-999").mkdir()
    (store / f".{POINTER}.tmp-999").write_text("00000003")
    old_style = tmp_path / "store.new-12345"  # what the old two-rename swap left behind
    old_style.mkdir()
    assert clean_orphans(store)
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == ["00000001", "00000002"]
    assert not old_style.exists() and not list(store.glob(".*.tmp-*"))
    assert which(store) == "2"


def test_the_old_swap_killed_between_its_two_renames_is_recovered(tmp_path):
    store = tmp_path / "store"
    old = ox.Store(str(tmp_path / "store.old-4242"))
    old.bulk_load(synthetic(5, 7), format=ox.RdfFormat.N_QUADS)
    old.flush()
    del old
    assert clean_orphans(store)
    assert which(store) == "7"


KILLER = """
import sys
from pathlib import Path
from quanze.graph.store.oxigraph import write_store
store = Path(sys.argv[1])
n = int(sys.argv[2])
while True:
    n += 1
    lines = [f"<urn:s:{i}> <urn:p:{i % 7}> \\"value {i}\\" <urn:g:{i % 3}> .\\n" for i in range(20000 + n)]
    write_store(("".join(lines) + f'<urn:quanze:test> <urn:quanze:generation> "{n}" <urn:quanze:test-graph> .\\n').encode(), store)
    print(n, flush=True)
"""


def test_kill_9_at_any_moment_of_a_build_leaves_a_complete_store(tmp_path):
    store = tmp_path / "store"
    write_store(synthetic(20000, 0), store)
    rng = random.Random(11)
    built = 0
    for attempt in range(8):
        process = subprocess.Popen([sys.executable, "-c", KILLER, str(store), str(built)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, 1.5))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        built = max([built, *(int(x) for x in out.split())])
        live = int(which(store))
        assert live >= built, (attempt, live, built)  # every finished build is live or superseded
        assert count(store) == 2 * (20001 + live)  # complete: the quads of exactly one build (and their default-graph copies)
    clean_orphans(store)
    assert len(list((store / GENERATIONS).iterdir())) <= 2


def test_a_full_disk_is_exit_2_and_the_old_store_is_untouched(capsys, tmp_path, monkeypatch):
    store = tmp_path / "store"
    write_store(synthetic(30, 1), store)
    before = sorted(p.name for p in (store / GENERATIONS).iterdir())

    def full(path, nquads):
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "000001.sst").write_bytes(b"x" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "_bulk_load", full)
    code, _, err = run(capsys, "--store", str(store), "build", "--quiet")
    assert code == 2 and err.count("\n") == 1 and "disk is full" in err and "unchanged" in err, err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == before
    assert which(store) == "1" and count(store) == 62


def test_too_little_free_space_is_refused_before_writing(tmp_path, monkeypatch):
    store = tmp_path / "store"
    write_store(synthetic(30, 1), store)

    class Tiny:
        f_bavail, f_frsize = 10, 4096

    monkeypatch.setattr(store_module.os, "statvfs", lambda path: Tiny)
    with pytest.raises(StoreError, match="not enough free disk space"):
        write_store(synthetic(40, 2), store)
    monkeypatch.undo()
    assert which(store) == "1" and len(list((store / GENERATIONS).iterdir())) == 1


def _corrupt(kind: str, root: Path, good: Path) -> Path:
    target = root / kind
    if kind == "empty":
        target.mkdir()
    elif kind == "random-files":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
        (target / "photo.jpg").write_bytes(os.urandom(300))
    elif kind == "a-file":
        target.write_text("not a directory")
    elif kind in ("truncated-sst", "bad-pointer", "pointer-to-nothing"):
        shutil.copytree(good, target)
        generation = current_generation(target)
        if kind == "truncated-sst":
            for sst in generation.path.glob("*.sst"):
                os.truncate(sst, sst.stat().st_size // 2)
        elif kind == "bad-pointer":
            (target / POINTER).write_bytes(b"\xff\xfe../../etc")
        else:
            (target / POINTER).write_text("00000099\n")
    return target


@pytest.mark.parametrize("kind", ["empty", "random-files", "a-file", "truncated-sst", "bad-pointer", "pointer-to-nothing"])
@pytest.mark.parametrize("command", [["query", "ASK { ?s ?p ?o }"], ["export"], ["serve", "--port", "1"]])
def test_a_corrupt_or_foreign_store_is_one_line_and_exit_2(capsys, tmp_path, kind, command):
    good = tmp_path / "good"
    write_store(synthetic(200, 1), good)
    target = _corrupt(kind, tmp_path, good)
    if command[0] == "serve":
        command = ["serve", "--port", "8"]  # refused before any port is opened
    code, out, err = run(capsys, "--store", str(target), *command)
    assert code == 2 and err.startswith("quanze: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""


def test_a_rebuild_while_serving_is_picked_up_between_requests_without_a_failure(tmp_path):
    store = tmp_path / "store"
    write_store(synthetic(3000, 1), store)
    answers: list[tuple[int, str]] = []
    stop = threading.Event()

    with running_server(store, QUANZE_QUERY_WORKERS="2") as url:
        def client() -> None:
            with httpx.Client(timeout=30) as http:
                while not stop.is_set():
                    response = http.get(url + "/sparql", params={"query": WHICH, "format": "csv"})
                    answers.append((response.status_code, response.text.splitlines()[-1] if response.status_code == 200 else response.text))

        threads = [threading.Thread(target=client) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            for n in range(2, 6):
                time.sleep(0.4)
                write_store(synthetic(3000 + n, n), store)
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        final = httpx.get(url + "/sparql", params={"query": COUNT, "format": "csv"}).text.splitlines()[-1]
    failed = [a for a in answers if a[0] != 200]
    assert not failed, failed[:5]
    seen = [int(a[1]) for a in answers]
    assert len(seen) > 20 and seen[-1] == 5 and final == str(3001 + 5)
    assert set(seen) <= {1, 2, 3, 4, 5}


def test_one_request_never_mixes_two_generations(tmp_path):
    """A page makes several queries: all of them run on the generation live when the request came."""
    from quanze.api.repository import OxigraphRepository

    store = tmp_path / "store"
    write_store(synthetic(100, 1), store)
    repository = OxigraphRepository(store, 1)
    try:
        token = repository.pin()
        first = repository.select(WHICH)[0]["g"]
        write_store(synthetic(100, 2), store)  # a build finishes in the middle of the request
        second = repository.select(WHICH + " LIMIT 1")[0]["g"]
        repository.unpin(token)
        assert first == second == "1"
        token = repository.pin()  # the next request sees the new build
        assert repository.select(WHICH)[0]["g"] == "2"
        repository.unpin(token)
    finally:
        repository.close()


def test_an_update_is_the_next_generation_and_a_failed_one_changes_nothing(tmp_path):
    from quanze.graph.store.oxigraph import updating

    store = tmp_path / "store"
    write_store(synthetic(40, 1), store)
    with updating(store) as writable:
        writable.add(ox.Quad(ox.NamedNode("urn:quanze:extra"), ox.NamedNode("urn:p"), ox.Literal("x")))
    assert current_generation(store).name == "00000002" and count(store) == 2 * 41 + 1
    with pytest.raises(OSError):
        with updating(store) as writable:
            writable.add(ox.Quad(ox.NamedNode("urn:quanze:lost"), ox.NamedNode("urn:p"), ox.Literal("y")))
            raise OSError(errno.EIO, "Input/output error")
    assert current_generation(store).name == "00000002" and count(store) == 2 * 41 + 1
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == ["00000001", "00000002"]


def test_a_build_that_fails_while_spooling_leaves_neither_spool_nor_partial_store(tmp_path):
    """A build spools its chunks to one file beside the new generation and bulk-loads it at the end:
    a failure in the middle of the chunks, or a quad that is not N-Quads, removes both and the live
    store stays as it was."""
    store = tmp_path / "store"
    write_store(synthetic(50, 1), store)

    def chunks():
        yield synthetic(40, 2)
        raise OSError(errno.EIO, "the reader died")

    with pytest.raises(StoreError, match="previous store is unchanged"):
        write_store(chunks(), store)
    with pytest.raises(StoreError, match="not valid N-Quads"):
        write_store([synthetic(40, 3), b"<urn:s> <urn:p> not-a-term <urn:g> .\n"], store)
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == ["00000001"]
    assert which(store) == "1" and count(store) == 2 * 51


def test_a_build_loaded_segment_by_segment_holds_what_one_load_holds(tmp_path, monkeypatch):
    """The build hands the store its spool in segments while it goes on mapping: with a segment per
    chunk, the store holds the same quads as from one segment, and every segment file is gone."""
    chunks = [synthetic(30, mark) for mark in range(1, 6)]
    write_store(chunks, tmp_path / "whole")
    seen: list[list[str]] = []
    load = store_module._Loader.load

    def watched(self, segment):
        seen.append(sorted(p.name for p in segment.parent.iterdir()))
        return load(self, segment)

    monkeypatch.setattr(store_module, "SEGMENT_BYTES", 1)
    monkeypatch.setattr(store_module._Loader, "load", watched)
    write_store(chunks, tmp_path / "segments")
    assert len(seen) == len(chunks) and seen[-1][-1] == "quads-00005.nq"
    with open_store(tmp_path / "whole") as whole, open_store(tmp_path / "segments") as segments:
        assert len(whole) == len(segments) == 2 * (30 + 5) and set(whole) == set(segments)
    assert not list((tmp_path / "segments" / GENERATIONS).glob("*.spool"))


def test_a_bad_quad_in_a_later_segment_fails_the_build_and_keeps_the_store(tmp_path, monkeypatch):
    """A segment the loader refuses while the build is still spooling stops the build with one line;
    the live store is unchanged and neither the partial generation nor the spool is left."""
    store = tmp_path / "store"
    write_store(synthetic(50, 1), store)
    monkeypatch.setattr(store_module, "SEGMENT_BYTES", 1)
    bad = b"<urn:s> <urn:p> not-a-term <urn:g> .\n"
    with pytest.raises(StoreError, match="not valid N-Quads"):
        write_store([synthetic(40, 2), bad, *(synthetic(40, m) for m in range(3, 9))], store)
    assert sorted(p.name for p in (store / GENERATIONS).iterdir()) == ["00000001"]
    assert which(store) == "1" and count(store) == 2 * 51
