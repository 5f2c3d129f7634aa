"""Benchmark: `quanze add` of a new version of one register into a store, the whole command.

Each run adds the register with one item's name changed (so its digest is new) as a later
version, in a fresh process, and measures wall time and the process's CPU (user + system).
With --baseline PYTHON the same is timed with another installation's interpreter (e.g. main's
checkout: `/work/main/.venv/bin/python`), the two alternating, and the ratio is printed. The
store grows by one version per run: point it at a copy. With --fresh each run adds instead to its own
copy of the store as it is (its live generation's SST files hard-linked, RocksDB never changes one
in place; the rest copied) in --scratch (default: the temporary directory; the same file system as
the store), removed afterwards: every run starts from the same state, and the store named is only read.

    .venv/bin/python bench/bench_add.py --store /tmp/copy-of-store --register FILE.csv [--repeat 3] [--baseline PYTHON] [--fresh [--scratch DIR]]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def edited(register: Path, run: str) -> bytes:
    """The register with its first item's name changed (a CSV register: the column whose header names the item)."""
    rows = list(csv.reader(io.StringIO(register.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    column = next((i for i, h in enumerate(header) if any(k in h for k in ("名称", "权力事项", "事项"))), min(2, len(header) - 1))
    rows[1][column] += f"（修订{run}）"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def fresh_copy(store: Path, folder: Path) -> Path:
    """A store at `folder` whose one generation is the live generation of `store`, its SST files hard-linked."""
    name = (store / "quanze-generation").read_text(encoding="ascii").strip()
    source, target = store / "generations" / name, folder / "generations" / name
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.suffix == ".sst":
            os.link(path, target / path.name)
        elif path.name != "LOCK":
            shutil.copy2(path, target / path.name)
    (folder / "quanze-generation").write_text(name + "\n", encoding="ascii")
    return folder


def timed_add(python: str, store: Path, register: Path, run: str, scratch: Path | None = None) -> tuple[float, float]:
    """One `quanze add` in a fresh process: wall and CPU seconds. With `scratch`, into a fresh copy of the store made there."""
    with tempfile.TemporaryDirectory(prefix="bench-add-") as folder:
        path = Path(folder) / register.name
        path.write_bytes(edited(register, run))
        if scratch is not None:
            store = fresh_copy(store, Path(tempfile.mkdtemp(prefix="bench-add-store-", dir=scratch)))
        try:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run([python, "-m", "quanze", "--store", str(store), "add", str(path), "--version", f"bench-{run}"],
                                  capture_output=True, text=True, timeout=600, cwd=folder)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            if scratch is not None:
                shutil.rmtree(store, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"quanze add failed ({python}): {done.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--register", type=Path, required=True, help="a CSV register of a jurisdiction the store holds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="another interpreter with quanze installed, timed alternately")
    parser.add_argument("--fresh", action="store_true", help="each run adds to its own hard-linked copy of the store as it is")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()), help="where --fresh makes its copies")
    args = parser.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%S")
    runs: dict[str, list[tuple[float, float]]] = {"this": [], "baseline": []}
    for n in range(args.repeat):
        for name, python in (("this", sys.executable), ("baseline", args.baseline)):
            if python:
                scratch = args.scratch if args.fresh else None
                runs[name].append(timed_add(python, args.store, args.register, f"{stamp}-{name}-{n}", scratch))
    print(f"load average before the last run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, times in runs.items():
        if times:
            print(f"quanze add ({name}): median {statistics.median(w for w, _ in times):.2f} s wall, "
                  f"{statistics.median(c for _, c in times):.2f} s CPU; runs (wall/CPU): "
                  + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in times))
    if runs["baseline"]:
        cpu = statistics.median(c for _, c in runs["baseline"]) / statistics.median(c for _, c in runs["this"])
        wall = statistics.median(w for w, _ in runs["baseline"]) / statistics.median(w for w, _ in runs["this"])
        print(f"baseline/this (medians): {cpu:.2f}x CPU, {wall:.2f}x wall; goal: < 2 s wall on an idle machine")


if __name__ == "__main__":
    main()
