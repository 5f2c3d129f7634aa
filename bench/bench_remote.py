"""The same commands on the embedded store and on a SPARQL server: `quanze build`, the example queries, `add`.

Starts a private Virtuoso on 127.0.0.1 (tests/virtuoso.py), then runs, for a data folder
(e.g. one written by bench/synth_country.py), `quanze build` into a fresh embedded store and
into the server (`--store sparql+http://…`), every `queries/*.rq` on both (rows compared as
multisets), and `quanze add` of one more register on both. Prints wall time, the CPU time of
the quanze process (user+sys, children included) and, for the server runs, Virtuoso's own CPU
time, so that figures taken on a shared machine can be read.

    .venv/bin/python bench/synth_country.py --counties 50 --seed 1 --out /tmp/c50/registers
    .venv/bin/python bench/bench_remote.py --data /tmp/c50 [--add FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from virtuoso import running_virtuoso  # noqa: E402

QUANZE = str(ROOT / ".venv" / "bin" / "quanze")


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(argv: list[str], env: dict[str, str], engine_pid: int | None = None) -> tuple[str, float, float, float]:
    """Output, wall seconds, CPU seconds of the command (children included), CPU seconds of the engine meanwhile."""
    engine_before = _cpu_of(engine_pid) if engine_pid else 0.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([QUANZE, *argv], env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"quanze {' '.join(argv[:3])} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, wall, cpu, (_cpu_of(engine_pid) - engine_before) if engine_pid else 0.0


def rows(text: str) -> Counter:
    result = json.loads(text)
    if "boolean" in result:
        return Counter([result["boolean"]])
    names = result["head"]["vars"]
    return Counter(tuple(json.dumps(b.get(n), sort_keys=True) for n in names) for b in result["results"]["bindings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a data folder with registers/")
    parser.add_argument("--add", type=Path, help="a register to add to both stores at the end")
    parser.add_argument("--buffers", type=int, default=170000, help="Virtuoso NumberOfBuffers (8 KiB each)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp, running_virtuoso(Path(tmp), buffers=args.buffers) as server:
        env = {**os.environ, "QUANZE_STORE_USER": server.user, "QUANZE_STORE_PASSWORD": server.password}
        stores = {"embedded": str(Path(tmp) / "store"), "virtuoso": f"sparql+http://127.0.0.1:{server.http_port}/sparql"}
        pids = {"embedded": None, "virtuoso": server.process.pid}
        for name, store in stores.items():
            out, wall, cpu, engine = run(["--store", store, "build", "--quiet", "--data", str(args.data), "--workers", str(args.workers)],
                                         env, pids[name])
            quads = out.splitlines()[0]
            print(f"build {name:9s}: {wall:7.1f} s wall, quanze CPU {cpu:6.1f} s, engine CPU {engine:6.1f} s  ({quads})")
        for query in sorted((ROOT / "queries").glob("*.rq")):
            line, answers = [], []
            for name, store in stores.items():
                out, wall, cpu, engine = run(["--store", store, "query", str(query), "--format", "json"], env, pids[name])
                answers.append(rows(out))
                line.append(f"{name} {wall * 1000:6.0f} ms (engine CPU {engine * 1000:5.0f} ms)")
            same = "same rows" if answers[0] == answers[1] else "DIFFERENT ROWS"
            print(f"{query.name[:34]:34s} {sum(answers[0].values()):6d} rows  {'; '.join(line)}; {same}")
        if args.add:
            for name, store in stores.items():
                out, wall, cpu, engine = run(["--store", store, "add", str(args.add), "--data", str(args.data)], env, pids[name])
                print(f"add {name:9s}: {wall:6.1f} s wall, quanze CPU {cpu:5.1f} s, engine CPU {engine:5.1f} s  ({out.splitlines()[0]})")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
