"""Benchmark: `quanze add` of a new version of one register into a store, the whole command.

Each run adds the register with one item's name changed (so its digest is new) as a later
version, in a fresh process, and measures wall time and the process's CPU (user + system).
With --baseline PYTHON the same is timed with another installation's interpreter (e.g. main's
checkout: `/work/main/.venv/bin/python`), the two alternating, and the ratio is printed. The
store grows by one version per run: point it at a copy.

    .venv/bin/python bench/bench_add.py --store /tmp/copy-of-store --register FILE.csv [--repeat 3] [--baseline PYTHON]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
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


def timed_add(python: str, store: Path, register: Path, run: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-add-") as folder:
        path = Path(folder) / register.name
        path.write_bytes(edited(register, run))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([python, "-m", "quanze", "--store", str(store), "add", str(path), "--version", f"bench-{run}"],
                              capture_output=True, text=True, timeout=600, cwd=folder)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"quanze add failed ({python}): {done.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--register", type=Path, required=True, help="a CSV register of a jurisdiction the store holds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="another interpreter with quanze installed, timed alternately")
    args = parser.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%S")
    runs: dict[str, list[tuple[float, float]]] = {"this": [], "baseline": []}
    for n in range(args.repeat):
        for name, python in (("this", sys.executable), ("baseline", args.baseline)):
            if python:
                runs[name].append(timed_add(python, args.store, args.register, f"{stamp}-{name}-{n}"))
    print(f"load average before the last run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, times in runs.items():
        if times:
            print(f"quanze add ({name}): median {statistics.median(w for w, _ in times):.2f} s wall, "
                  f"{statistics.median(c for _, c in times):.2f} s CPU; runs (wall/CPU): "
                  + ", ".join(f"{w:.2f}/{c:.2f}" for w, c in times))
    if runs["baseline"]:
        ratio = statistics.median(c for _, c in runs["baseline"]) / statistics.median(c for _, c in runs["this"])
        print(f"baseline/this (median CPU): {ratio:.2f}x; goal: < 2 s wall on an idle machine")


if __name__ == "__main__":
    main()
