"""Benchmark: the embedded pyoxigraph store against plain rdflib on the built graph.

Prints load time and the time of each example query (queries/*.rq) on both engines, and
their ratios. The graph can be scaled up by copying it under renamed IRIs (--copies), to see
how both behave on a graph of many counties.

    .venv/bin/python bench/bench_store.py --copies 20 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from quanze.graph import paths
from quanze.graph.store.build import build_dataset
from quanze.graph.store.oxigraph import load_current


def scaled(nquads: bytes, copies: int) -> bytes:
    """The dataset repeated `copies` times, each copy's instance IRIs made distinct."""
    parts = [nquads]
    for n in range(1, copies):
        parts.append(nquads.replace(b"<https://w3id.org/quanze/id/", f"<https://w3id.org/quanze/id/copy{n}/".encode()))
    return b"".join(parts)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    dataset, _ = build_dataset(paths.data_dir(), paths.ontology_dir())
    build_s = time.perf_counter() - start
    data = scaled(dataset.serialize(format="nquads", encoding="utf-8"), args.copies)
    print(f"build of the five registers (read, repair, map): {build_s:.2f} s")
    quads = data.count(b"\n")
    print(f"dataset: {args.copies} copies, {quads} quads")

    def load_ox() -> ox.Store:
        store = ox.Store()
        load_current(store, data)  # named graphs, and the current facts in the default graph, as a build writes them
        return store

    def load_rdflib() -> Dataset:
        ds = Dataset(default_union=True)
        ds.parse(data=data, format="nquads")
        return ds

    t_ox = timed(load_ox, args.repeat)
    t_rl = timed(load_rdflib, 1)
    print(f"load      pyoxigraph {t_ox * 1000:9.1f} ms   rdflib {t_rl * 1000:9.1f} ms   ratio {t_rl / t_ox:6.1f}x")
    store, ds = load_ox(), load_rdflib()
    for query_file in sorted(paths.queries_dir().glob("*.rq")):
        sparql = query_file.read_text(encoding="utf-8")
        q_ox = timed(lambda: list(store.query(sparql)), args.repeat)
        q_rl = timed(lambda: list(ds.query(sparql)), 1)
        print(f"{query_file.stem:36} pyoxigraph {q_ox * 1000:8.1f} ms   rdflib {q_rl * 1000:9.1f} ms   ratio {q_rl / q_ox:6.1f}x")


if __name__ == "__main__":
    main()
