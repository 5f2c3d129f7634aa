"""Benchmark: the typical cross-county questions through HTTP on `quanze serve`, against rdflib and Virtuoso.

For a store (given, or built from bench/synth_country.py at a size), runs through HTTP each
example query (queries/*.rq, POST /sparql), the compare of two counties (GET /api/compare),
the matrix (GET /compare/matrix/download?format=csv), the home page (GET /: the whole store, or
its first province when the store is larger than a page), every jurisdiction with its counts
(GET /api/jurisdictions) and the compare page (GET /compare: one province at a country's size),
N times each after one warm-up, and prints p50 / p95 wall time and the server's CPU time per request (its process and its query workers, from /proc).
Wall time is the HTTP exchange: the client's parsing of the answer (3 MB of JSON for 01 at 2,848 counties)
is done after the clock stops.
With --warm-wait S, the same on a server with the caches on and its warm-up forced on (QUANZE_WARM=1), S
seconds after it started: each question's first request and the p50 of the next ones.

The server runs with the result cache off (QUANZE_CACHE_BYTES=0), so every request is evaluated
by the engine; the text of each query is the same in every run, so the server reads (parses) it
once, at the warm-up, as it does in service. The result cache and the parse cache are measured
apart (the "caches" table): a repeated query with the cache on, and a query text never seen before.

The same questions then run on rdflib (the export loaded into an rdflib Dataset, default graph =
union of the named graphs but the register catalogue; skipped above --rdflib-max-quads, since
loading takes minutes and gigabytes) and on Virtuoso when /usr/bin/virtuoso-t is installed (a
private server on 127.0.0.1, tests/virtuoso.py, the same export bulk-loaded; non-ASCII variable
names renamed to ASCII as bench/bench_virtuoso.py does). compare / matrix / home run there as the
same Python code (graph/query/compare.py, api/services/views.py) over a select function on that
store, in-process: no HTTP, which favours rdflib and Virtuoso. Rows are counted on each store.

    .venv/bin/python bench/bench_queries.py --store /tmp/c1000-store --repeat 20
    .venv/bin/python bench/bench_queries.py --counties 100 --seed 1 --repeat 20

Traffic goes to 127.0.0.1 only, bounded by --repeat, and every server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

CATALOGUE = "https://w3id.org/quanze/id/graph/registers"
_TICKS = os.sysconf("SC_CLK_TCK")


# --- measuring ----------------------------------------------------------------------------------


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICKS
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo += [child for child, parent in parents.items() if parent == current]
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(run: Callable[[], int], repeat: int, cpu: Callable[[], float] | None = None) -> dict[str, float]:
    """One warm-up, then `repeat` runs: p50 / p95 wall (ms), CPU per run (ms) where `cpu` says, rows."""
    rows = run()
    walls = []
    before = cpu() if cpu else 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = run()
        walls.append((time.perf_counter() - start) * 1000)
    spent = ((cpu() - before) * 1000 / repeat) if cpu else float("nan")
    return {"p50": statistics.median(walls), "p95": percentile(walls, 0.95), "cpu": spent, "rows": _counted(rows)}


def _counted(rows) -> int:
    """A run gives its number of rows, or (HTTP runs) a function counting them from the response, called
    after the clock stopped: the client's parsing of a large answer is not the server's time."""
    return rows() if callable(rows) else rows


# --- the store ----------------------------------------------------------------------------------


def build_country(counties: int, seed: int, folder: Path, workers: int | None) -> Path:
    import synth_country

    data = folder / "country"
    synth_country.generate(data / "registers", counties, seed=seed)
    store = folder / "store"
    command = [str(ROOT / ".venv" / "bin" / "quanze"), "--store", str(store), "build", "--data", str(data), "--quiet"]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    print(f"built {counties} counties (seed {seed}) in {time.perf_counter() - start:.0f} s", flush=True)
    return store


def export_named(store: Path, target: Path) -> int:
    """The store's named graphs but the register catalogue, as N-Quads (what rdflib and Virtuoso load)."""
    import pyoxigraph as ox

    from quanze.graph.store.oxigraph import open_store

    count = 0
    with open_store(store) as source, target.open("wb") as out:
        batch = []
        for quad in source.quads_for_pattern(None, None, None, None):
            if isinstance(quad.graph_name, ox.DefaultGraph) or quad.graph_name.value == CATALOGUE:
                continue
            batch.append(quad)
            if len(batch) >= 100_000:
                out.write(ox.serialize(batch, format=ox.RdfFormat.N_QUADS))
                count += len(batch)
                batch = []
        out.write(ox.serialize(batch, format=ox.RdfFormat.N_QUADS))
        count += len(batch)
    return count


# --- the questions ------------------------------------------------------------------------------


SETTINGS = {"queries": ROOT / "queries"}


def questions() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SETTINGS["queries"].glob("*.rq"))]


def json_rows(data: dict) -> int:
    return len(data["results"]["bindings"]) if "results" in data else 1


def select_of(run_json: Callable[[str], dict]) -> Callable[[str], list[dict[str, str | None]]]:
    def select(sparql: str) -> list[dict[str, str | None]]:
        data = run_json(sparql)
        names = data["head"]["vars"]
        return [{n: (b[n]["value"] if n in b else None) for n in names} for b in data["results"]["bindings"]]

    return select


def python_questions(select, a: str, b: str) -> list[tuple[str, Callable[[], int]]]:
    """compare, matrix and home as the product's own Python code over a select function."""
    from quanze.api.services import comparison, views
    from quanze.graph.query import compare

    def run_compare() -> int:
        c = compare.compare(select, a, b)
        return len(c.both) + len(c.only_a) + len(c.only_b)

    def run_matrix() -> int:
        return sum(1 for n in compare.matrix(select)[2].values() if n)

    def run_home() -> int:  # the home page's rows: the whole store when small, else its first province
        return len(views.jurisdictions(select, comparison.scope(select, "", "", "").codes))

    return [
        ("compare", run_compare),
        ("matrix", run_matrix),
        ("home", run_home),
        ("all jurisdictions", lambda: len(views.jurisdictions(select))),
    ]


# --- the three stores ---------------------------------------------------------------------------


def _compared(c: dict) -> int:
    return len(c["both"]) + len(c["only_a"]) + len(c["only_b"])


def _cells(csv_text: str) -> int:
    """Non-empty cells of the matrix CSV (canonical power, id, then one count per jurisdiction)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))[1:]
    return sum(1 for row in rows for cell in row[2:] if cell not in ("", "0"))


def on_quanze(store: Path, repeat: int, a: str, b: str, page_repeat: int = 3) -> tuple[dict[str, dict], dict[str, float]]:
    import httpx
    from _server import running_server

    results: dict[str, dict] = {}
    settings = {"QUANZE_CACHE_BYTES": "0", "QUANZE_QUERY_TIMEOUT": "600", "QUANZE_MAX_RESULTS": "10000000",
                "QUANZE_MAX_RESULT_BYTES": str(2**31), "QUANZE_SLOW_QUERY_SECONDS": "600", "QUANZE_QUEUE_WAIT": "600"}
    with running_server(store, **settings) as url, httpx.Client(base_url=url, timeout=900) as client:
        pid = _server_pid(url)

        def cpu() -> float:
            return tree_cpu(pid) if pid else float("nan")

        for name, text in questions():
            def run(text=text):
                response = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
                response.raise_for_status()
                return lambda: json_rows(response.json())

            results[name] = timed(run, repeat, cpu)
            print(f"  quanze {name}: {results[name]['p50']:.1f} ms", flush=True)
        pages = _page_runs(client, a, b)
        del pages["compare page (default pair)"]
        for name, run in pages.items():
            results[name] = timed(run, page_repeat if name == "compare page" else repeat, cpu)
            print(f"  quanze {name}: {results[name]['p50']:.1f} ms", flush=True)
    caches = measure_caches(store)
    return results, caches


def on_quanze_warm(store: Path, repeat: int, a: str, b: str, wait: float) -> dict[str, dict]:
    """The same questions on a server with the result cache on and the warm-up forced on (QUANZE_WARM=1),
    `wait` seconds after it started: the first request of each (what a visitor gets once the warm-up has
    passed it: the example queries, the matrix, every jurisdiction and the compare page of the default pair
    are warmed; the compare of a and b and their compare page are not) and the p50 of `repeat` more."""
    import httpx
    from _server import running_server

    results: dict[str, dict] = {}
    settings = {"QUANZE_WARM": "1", "QUANZE_QUERY_TIMEOUT": "600", "QUANZE_MAX_RESULTS": "10000000",
                "QUANZE_MAX_RESULT_BYTES": str(2**31), "QUANZE_SLOW_QUERY_SECONDS": "600", "QUANZE_QUEUE_WAIT": "600"}
    with running_server(store, **settings) as url, httpx.Client(base_url=url, timeout=900) as client:
        pid = _server_pid(url)
        time.sleep(wait)
        runs: list[tuple[str, Callable[[], object]]] = []
        for name, text in questions():
            def run(text=text):
                response = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
                response.raise_for_status()
                return lambda: json_rows(response.json())

            runs.append((name, run))
        runs += list(_page_runs(client, a, b).items())
        for name, run in runs:
            start, before = time.perf_counter(), tree_cpu(pid) if pid else float("nan")
            rows = run()
            first, first_cpu = (time.perf_counter() - start) * 1000, ((tree_cpu(pid) if pid else float("nan")) - before) * 1000
            results[name] = {**timed(run, repeat, (lambda: tree_cpu(pid)) if pid else None), "first": first, "first_cpu": first_cpu,
                             "rows": _counted(rows)}
            print(f"  quanze warm {name}: first {first:.1f} ms, then p50 {results[name]['p50']:.1f} ms", flush=True)
    return results


def _page_runs(client, a: str, b: str) -> dict[str, Callable[[], object]]:
    """The pages and REST routes, each run giving a function that counts its rows (called off the clock)."""
    def get(path: str, count: Callable, **params):
        def run():
            response = _ok(client.get(path, params=params))
            return lambda: count(response)

        return run

    return {
        "compare": get("/api/compare", lambda r: _compared(r.json()), a=a, b=b),
        "matrix": get("/compare/matrix/download", lambda r: _cells(r.text), format="csv"),
        "home": get("/", lambda r: r.text.count("<tr") - 1),
        "all jurisdictions": get("/api/jurisdictions", lambda r: len(r.json())),
        "compare page (default pair)": get("/compare", lambda r: len(r.content)),
        "compare page": get("/compare", lambda r: len(r.content), a=a, b=b),
    }


def _ok(response):
    response.raise_for_status()
    return response


def _server_pid(url: str) -> int | None:
    """The uvicorn process listening on the URL's port (found in /proc/net/tcp and the fds)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inodes.add(fields[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd).startswith("socket:[") and os.readlink(fd)[8:-1] in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def measure_caches(store: Path) -> dict[str, float]:
    """The result cache (per store generation) and the parse cache, through HTTP."""
    import httpx
    from _server import running_server

    text = next(t for name, t in questions() if name.startswith("01"))
    out: dict[str, float] = {}
    with running_server(store, QUANZE_QUERY_TIMEOUT="600") as url, httpx.Client(base_url=url, timeout=900) as client:
        def post(query: str) -> float:
            start = time.perf_counter()
            _ok(client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}))
            return (time.perf_counter() - start) * 1000

        out["01, first request (parse + evaluate)"] = post(text)
        out["01, repeated, result cache on (p50 of 20)"] = statistics.median(post(text) for _ in range(20))
        fresh = [post(f"# {n}\n" + text) for n in range(5)]
        out["01, new text each time (comment added): parse + evaluate (p50 of 5)"] = statistics.median(fresh)
        ask = [post(f"ASK {{ ?s ?p ?o }} # {n}") for n in range(5)]
        out["a tiny new text each time (ASK): parse (p50 of 5)"] = statistics.median(ask)
        out["the same tiny text again (parse cached, result cached)"] = statistics.median(post("ASK { ?s ?p ?o } # 0") for _ in range(5))
    return out


def on_rdflib(nquads: Path, repeat: int, a: str, b: str) -> dict[str, dict]:
    from rdflib import Dataset

    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(nquads), format="nquads")
    print(f"  rdflib loaded {len(dataset):,} triples in {time.perf_counter() - start:.0f} s", flush=True)

    def run_json(sparql: str) -> dict:
        return json.loads(dataset.query(sparql).serialize(format="json"))

    results = {}
    for name, text in questions():
        results[name] = timed(lambda text=text: json_rows(run_json(text)), repeat)
        print(f"  rdflib {name}: {results[name]['p50']:.0f} ms", flush=True)
    for name, run in python_questions(select_of(run_json), a, b):
        results[name] = timed(run, repeat)
        print(f"  rdflib {name}: {results[name]['p50']:.0f} ms", flush=True)
    return results


def on_virtuoso(nquads: Path, repeat: int, a: str, b: str) -> dict[str, dict] | None:
    from bench_virtuoso import ascii_variables
    from virtuoso import running_virtuoso, virtuoso_binaries

    if virtuoso_binaries() is None:
        print("  Virtuoso is not installed: skipped")
        return None
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="virtuoso-bench-") as folder, running_virtuoso(Path(folder), buffers=170000) as server:
        start = time.perf_counter()
        loaded = server.load(nquads, loaders=2)
        print(f"  Virtuoso loaded {loaded:,} quads in {time.perf_counter() - start:.0f} s", flush=True)
        for name, text in questions():
            ascii_text, _ = ascii_variables(text)
            results[name] = timed(lambda q=ascii_text: json_rows(server.query(q, timeout=600)), repeat)
            print(f"  virtuoso {name}: {results[name]['p50']:.1f} ms", flush=True)
        for name, run in python_questions(select_of(lambda q: server.query(q, timeout=600)), a, b):
            results[name] = timed(run, repeat)
            print(f"  virtuoso {name}: {results[name]['p50']:.1f} ms", flush=True)
    return results


# --- the report ---------------------------------------------------------------------------------


def table(quanze: dict, rdflib: dict | None, virtuoso: dict | None) -> str:
    head = ("| question | Quanze p50 ms | p95 | CPU ms/req | rows | Virtuoso p50 | rows | Quanze/Virtuoso "
            "| rdflib p50 | rows | rdflib/Quanze |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, q in quanze.items():
        v = (virtuoso or {}).get(name)
        r = (rdflib or {}).get(name)
        cells = [name, f"{q['p50']:.1f}", f"{q['p95']:.1f}", f"{q['cpu']:.1f}", str(q["rows"]),
                 f"{v['p50']:.1f}" if v else "—", str(v["rows"]) if v else "—", f"{q['p50'] / v['p50']:.2f}" if v else "—",
                 f"{r['p50']:.0f}" if r else "—", str(r["rows"]) if r else "—", f"{r['p50'] / q['p50']:.0f}×" if r else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (else one is built from --counties)")
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, help="build workers")
    parser.add_argument("--repeat", type=int, default=20, help="runs per question on Quanze and Virtuoso")
    parser.add_argument("--page-repeat", type=int, default=3, help="runs of the compare page (the slowest)")
    parser.add_argument("--rdflib-repeat", type=int, default=3)
    parser.add_argument("--rdflib-max-quads", type=int, default=1_500_000, help="skip rdflib above this many quads")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--queries", type=Path, default=SETTINGS["queries"], help="the query files (e.g. tests/data/queries-before)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--warm-wait", type=float, default=-1,
                        help="also measure a server with the cache on and the warm-up forced on, this many seconds after it started")
    parser.add_argument("--a", help="first county of the compare (default: the first with a risk register)")
    parser.add_argument("--b", help="second county of the compare")
    args = parser.parse_args()
    SETTINGS["queries"] = args.queries
    with tempfile.TemporaryDirectory(prefix="quanze-bench-queries-") as tmp:
        folder = Path(tmp)
        store = args.store or build_country(args.counties, args.seed, folder, args.workers)
        a, b = args.a, args.b
        if not (a and b):
            a, b = _two_counties(store)
        print(f"store {store}; compare {a} with {b}", flush=True)
        quanze, caches = on_quanze(store, args.repeat, a, b, args.page_repeat)
        print(table(quanze, None, None), flush=True)
        if args.warm_wait >= 0:
            warm = on_quanze_warm(store, args.repeat, a, b, args.warm_wait)
            caches = {**caches, **{f"warm: {name}, first request after {args.warm_wait:g} s / then p50 / CPU ms of the first":
                                   (v["first"], v["p50"], v["first_cpu"]) for name, v in warm.items()}}
        if args.json:
            args.json.write_text(json.dumps({"quanze": quanze, "caches": caches}, ensure_ascii=False, indent=1))
        nquads = folder / "named.nq"
        quads = export_named(store, nquads) if not (args.no_rdflib and args.no_virtuoso) else 0
        print(f"  exported {quads:,} quads (named graphs but the register catalogue)", flush=True)
        virtuoso = None if args.no_virtuoso else on_virtuoso(nquads, args.repeat, a, b)
        rdflib = None
        if not args.no_rdflib:
            if quads > args.rdflib_max_quads:
                print(f"  rdflib skipped: {quads:,} quads is over --rdflib-max-quads {args.rdflib_max_quads:,}")
            else:
                rdflib = on_rdflib(nquads, args.rdflib_repeat, a, b)
    if args.json:
        args.json.write_text(json.dumps({"quanze": quanze, "caches": caches, "rdflib": rdflib, "virtuoso": virtuoso},
                                        ensure_ascii=False, indent=1))
    print()
    print(table(quanze, rdflib, virtuoso))
    print()
    print("| cache | ms |\n|---|---|")
    for name, value in caches.items():
        print(f"| {name} | {' / '.join(f'{v:.1f}' for v in value) if isinstance(value, tuple) else f'{value:.1f}'} |")


def _two_counties(store: Path) -> tuple[str, str]:
    from quanze.graph.store.oxigraph import open_store

    with open_store(store) as s:
        rows = s.query("""PREFIX qz: <https://w3id.org/quanze/ontology#>
            SELECT ?code (COUNT(?r) AS ?n) WHERE { ?j qz:divisionCode ?code . ?i qz:jurisdiction ?j ; qz:hasRiskPoint ?r }
            GROUP BY ?code ORDER BY DESC(?n) ?code LIMIT 2""")
        codes = [row["code"].value for row in rows]
    return codes[0], codes[-1]


if __name__ == "__main__":
    main()
