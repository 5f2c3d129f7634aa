"""Benchmark: latency of the example queries through the HTTP SPARQL endpoint (p50, p90).

Starts `uvicorn quanze.api.main:create_app` on the built store (var/store, or QUANZE_STORE) and
sends each queries/*.rq N times with httpx, as a client would.

    .venv/bin/python bench/bench_server.py --repeat 20
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from quanze.graph import paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "quanze.api.main:create_app", "--factory", "--port", str(port), "--log-level", "warning"],
        cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "QUANZE_STORE": str(paths.store_dir())},
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(100):
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(timeout=60) as client:
            for path in sorted(paths.queries_dir().glob("*.rq")):
                query = path.read_text(encoding="utf-8")
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    response = client.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
                    response.raise_for_status()
                    times.append((time.perf_counter() - start) * 1000)
                times.sort()
                p90 = times[int(0.9 * (len(times) - 1))]
                print(f"{path.stem:36} p50 {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
