"""Benchmark: validating a 100-item register, after start-up (vocabulary, statutes and shapes loaded).

Builds a synthetic register of N items from the clean example (penalty and benefit rows with
fresh serial numbers and codes), then times `validate_files` on it (wall and CPU). Target: under
1 s for 100 items on the 2-core CI machine. With --compare it also times the same register the
way validation ran before issue 13's tuning (pySHACL as shipped, the shapes' SPARQL targets by
rdflib), alternating the two, prints the ratio and checks that the findings are the same.

    .venv/bin/python bench/bench_validate.py --items 100 --repeat 5 [--defective] [--compare]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time
from pathlib import Path

from quanze.graph.validate import engine
from quanze.graph.validate.shapes import _PreparedQueries, toolkit, validate_files

EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "valid" / "北关区-权责清单.csv"


def register(items: int, defective: bool = False) -> bytes:
    with EXAMPLE.open(encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n in range(1, items + 1):
        row = list(rows[n % len(rows)])
        row[0] = str(n)
        row[3] = row[3][:-4] + f"{n:04d}"
        if defective:  # every row loses its 责任人 and its legal basis: many findings to report
            row[5] = row[12] = ""
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _timed(data: bytes, kit, before: bool):
    """(wall, CPU, report) of one validation; `before`: pySHACL as shipped and rdflib's SPARQL targets."""
    if before:
        _PreparedQueries._copy = False  # the class default: rdflib answers every query
    try:
        with engine.as_shipped() if before else _nothing():
            wall, cpu = time.perf_counter(), time.process_time()
            report = validate_files([("bench.csv", data)], "zh", kit)
            return time.perf_counter() - wall, time.process_time() - cpu, report
    finally:
        _PreparedQueries._copy = None


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--defective", action="store_true", help="rows with findings, to time the report too")
    parser.add_argument("--compare", action="store_true", help="also time validation as it ran before the tuning, with ratios")
    args = parser.parse_args()
    start = time.perf_counter()
    kit = toolkit()
    print(f"start-up (vocabulary, curation, statutes, shapes): {time.perf_counter() - start:.2f} s")
    data = register(args.items, args.defective)
    validate_files([("bench.csv", data)], "zh", kit)  # warm: the first run parses and builds what later runs reuse
    runs = {"after": [], "before": []}
    reports = {}
    for _ in range(args.repeat):
        for name in ("after", "before") if args.compare else ("after",):
            wall, cpu, reports[name] = _timed(data, kit, name == "before")
            runs[name].append((wall, cpu))
    for name, times in runs.items():
        if not times:
            continue
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        report = reports[name]
        print(f"validate {args.items} items ({name}): median {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU; "
              f"min {min(walls):.3f} s wall ({len(report.findings)} findings, conforms={report.conforms})")
    after = statistics.median(c for _, c in runs["after"])
    print(f"per item: {after / args.items * 1000:.1f} ms CPU; target < 1 s for 100 items")
    if args.compare:
        before = statistics.median(c for _, c in runs["before"])
        same = [f.as_json() for f in reports["after"].findings] == [f.as_json() for f in reports["before"].findings]
        print(f"before/after (median CPU): {before / after:.2f}x; same findings: {same}")
        if not same:
            raise SystemExit("the findings differ")


if __name__ == "__main__":
    main()
