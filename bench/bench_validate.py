"""Benchmark: validating a 100-item register, after start-up (vocabulary, statutes and shapes loaded).

Builds a synthetic register of N items from the clean example (penalty and benefit rows with
fresh serial numbers and codes), then times `validate_files` on it. Target: under 1 s for 100
items on the 2-core CI machine. Prints per-phase figures.

    .venv/bin/python bench/bench_validate.py --items 100 --repeat 5
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time
from pathlib import Path

from quanze.graph.validate.shapes import toolkit, validate_files

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--defective", action="store_true", help="rows with findings, to time the report too")
    args = parser.parse_args()
    start = time.perf_counter()
    kit = toolkit()
    print(f"start-up (vocabulary, curation, statutes, shapes): {time.perf_counter() - start:.2f} s")
    data = register(args.items, args.defective)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = validate_files([("bench.csv", data)], "zh", kit)
        times.append(time.perf_counter() - start)
    print(f"validate {args.items} items: median {statistics.median(times):.3f} s, min {min(times):.3f} s "
          f"({len(report.findings)} findings, conforms={report.conforms})")
    print(f"per item: {statistics.median(times) / args.items * 1000:.1f} ms; target < 1 s for 100 items")


if __name__ == "__main__":
    main()
