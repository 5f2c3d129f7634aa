"""Virtuoso as the store: load an exported dataset, run the example queries, compare with the embedded store.

Starts a private Virtuoso on 127.0.0.1 (tests/virtuoso.py), bulk-loads an N-Quads file (e.g.
`quanze --store S export -o dataset.nq`), prints the load rate, then runs every `queries/*.rq`
on Virtuoso (over HTTP, SPARQL 1.1 Protocol) and on the embedded store (`quanze --store S
query --format json`), and compares the two result tables row for row (as multisets, since
ORDER BY ties may differ). Virtuoso rejects non-ASCII variable names (?辖区), so they are
renamed to ASCII before sending and named back in the results.

    .venv/bin/python bench/bench_virtuoso.py --nquads /tmp/c100.nq --store /tmp/c100 [--buffers 170000] [--loaders 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from virtuoso import running_virtuoso  # noqa: E402

from quanze.graph.query.variables import ascii_variables  # noqa: E402  (tokenizer-aware; tests/test_remote_offline.py)


def _term(value: dict[str, str] | None) -> tuple[str, ...] | None:
    """A result term in a comparable form: 'typed-literal' (Virtuoso) is a literal; numbers by value."""
    if value is None:
        return None
    kind = "literal" if value["type"] in ("literal", "typed-literal") else value["type"]
    text = value["value"]
    datatype = value.get("datatype", "")
    if datatype.endswith(("#integer", "#decimal", "#double", "#float", "#long", "#int")):
        number = float(text)
        text = str(int(number)) if number.is_integer() else repr(number)
        datatype = "number"
    if datatype.endswith("#string"):
        datatype = ""
    return kind, text, value.get("xml:lang", "").lower(), datatype


def table(result: dict, back: dict[str, str] | None = None) -> tuple[list[str], Counter]:
    """Variables and the multiset of rows of a SPARQL JSON result (or the boolean of an ASK)."""
    if "boolean" in result:
        return ["boolean"], Counter([(("literal", str(result["boolean"]).lower(), "", ""),)])
    back = back or {}
    names = list(result["head"]["vars"])
    rows = Counter(tuple(_term(b.get(n)) for n in names) for b in result["results"]["bindings"])
    return [back.get(n, n) for n in names], rows


def embedded(store: Path, query_file: Path) -> tuple[dict, float]:
    start = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "quanze"), "--store", str(store), "query",
                           str(query_file), "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nquads", type=Path, required=True, help="the dataset, as exported by quanze export")
    parser.add_argument("--store", type=Path, help="the embedded store it came from, to compare results")
    parser.add_argument("--buffers", type=int, default=170000, help="Virtuoso NumberOfBuffers (8 KiB each)")
    parser.add_argument("--loaders", type=int, default=2, help="parallel bulk loaders (the file is split by graph)")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries")
    args = parser.parse_args()
    quads = sum(1 for line in args.nquads.open("rb") if line.strip() and not line.startswith(b"#"))
    with tempfile.TemporaryDirectory(prefix="virtuoso-bench-") as tmp:
        start = time.perf_counter()
        with running_virtuoso(Path(tmp), buffers=args.buffers) as server:
            started = time.perf_counter() - start
            start = time.perf_counter()
            loaded = server.load(args.nquads, loaders=args.loaders)
            seconds = time.perf_counter() - start
            print(f"start-up {started:.1f} s; loaded {loaded} of {quads} quads "
                  f"({args.nquads.stat().st_size / 1e6:.0f} MB) with {args.loaders} loader(s) in {seconds:.1f} s: {quads / seconds:,.0f} quads/s")
            graphs = server.query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            print(f"named graphs in Virtuoso (its own system graphs included): "
                  f"{graphs['results']['bindings'][0]['n']['value']}")
            for query_file in sorted(args.queries.glob("*.rq")):
                text, back = ascii_variables(query_file.read_text(encoding="utf-8"))
                start = time.perf_counter()
                try:
                    result = server.query(text, timeout=300)
                except Exception as error:  # noqa: BLE001 - report and go on with the next query
                    print(f"{query_file.name}: Virtuoso error: {str(error)[:300]}")
                    continue
                remote = time.perf_counter() - start
                names, rows = table(result, back)
                line = f"{query_file.name}: Virtuoso {remote * 1000:.0f} ms, {sum(rows.values())} rows"
                if args.store:
                    local, local_seconds = embedded(args.store, query_file)
                    local_names, local_rows = table(local)
                    same = names == local_names and rows == local_rows
                    line += (f"; embedded (CLI, incl. start-up) {local_seconds * 1000:.0f} ms, "
                             f"{sum(local_rows.values())} rows; {'same' if same else 'DIFFERENT'}")
                    if not same:
                        only_v = list((rows - local_rows).elements())[:2]
                        only_e = list((local_rows - rows).elements())[:2]
                        line += f"\n    vars {names} vs {local_names}\n    only Virtuoso {only_v}\n    only embedded {only_e}"
                print(line, flush=True)


if __name__ == "__main__":
    main()
