"""Every command on a real SPARQL server: `--store sparql+http://…` against a private Virtuoso on loopback.

One server for the module (tests/virtuoso.py: loopback only, random DBA password, stopped at
the end). The seed registers are built into it with `quanze build`; then the example queries,
`compare`, `law`, `validate --store`, `export` and `serve` must answer as they do on the
embedded store built from the same data, and `add` / `registers` / `diff` / `remove` must
change both stores alike. Skipped when Virtuoso is not installed (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from quanze.graph.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_registers import _register  # noqa: E402
from virtuoso import running_virtuoso, virtuoso_binaries  # noqa: E402

pytestmark = pytest.mark.skipif(virtuoso_binaries() is None, reason="Virtuoso (virtuoso-t, isql-vt) not installed")

QUERIES = sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))
DEFAULT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"
CURRENT_ITEMS = ("SELECT ?i ?label WHERE { ?i a <https://w3id.org/quanze/ontology#PowerItem> ; "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """The URL of a Virtuoso holding `quanze build` of the seeds; the credentials are in the environment meanwhile."""
    folder = tmp_path_factory.mktemp("virtuoso")
    saved = {k: os.environ.get(k) for k in ("QUANZE_STORE_USER", "QUANZE_STORE_PASSWORD")}
    with running_virtuoso(folder) as server:
        os.environ["QUANZE_STORE_USER"], os.environ["QUANZE_STORE_PASSWORD"] = server.user, server.password
        try:
            url = f"sparql+http://127.0.0.1:{server.http_port}/sparql"
            assert main(["--store", url, "build", "--quiet", "--workers", "1"]) == 0
            yield url
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="module")
def local(tmp_path_factory, store_path) -> Path:
    """A copy of the embedded store of the same seeds, changed alongside the remote one."""
    copy = tmp_path_factory.mktemp("local") / "store"
    shutil.copytree(store_path, copy)
    return copy


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _table(capsys, store, query: str) -> tuple[list[str], Counter]:
    """Variables and the multiset of rows of `quanze query --format json` (numbers compared by value)."""
    code, out, err = _run(capsys, "--store", str(store), "query", query, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    if "boolean" in result:
        return ["boolean"], Counter([result["boolean"]])

    def term(value):
        if value is None:
            return None
        text = value["value"]
        if value.get("datatype", "").endswith(("#integer", "#decimal", "#double")):
            text = float(text)
        return value["type"], text, value.get("xml:lang", ""), value["type"] == "bnode"

    return result["head"]["vars"], Counter(tuple(term(b.get(v)) for v in result["head"]["vars"]) for b in result["results"]["bindings"])


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem[:2] for q in QUERIES])
def test_every_example_query_gives_the_same_rows(capsys, remote, local, query):
    names, rows = _table(capsys, remote, str(query))
    assert any(not n.isascii() for n in names), "the example queries name their columns in Chinese"
    assert (names, rows) == _table(capsys, local, str(query))
    assert rows, f"{query.name} should have rows on the seeds"


def test_current_facts_and_graphs_are_those_of_the_embedded_store(capsys, remote, local):
    assert _table(capsys, remote, DEFAULT_TRIPLES) == _table(capsys, local, DEFAULT_TRIPLES)
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"  # not the current-facts graph, not Virtuoso's own
    assert _table(capsys, remote, graphs) == _table(capsys, local, graphs)
    code, out, err = _run(capsys, "--store", remote, "query", "SELECT ?辖区 WHERE { BIND(\"潘集区\" AS ?辖区) }", "--format", "csv")
    assert code == 0 and out.splitlines() == ["辖区", "潘集区"], err


@pytest.mark.parametrize("argv", [["compare", "340406", "410503", "--format", "json"], ["compare", "--matrix", "--format", "csv"],
                                  ["law", "社会保险法", "87"], ["registers", "--format", "json"]])
def test_commands_answer_as_on_the_embedded_store(capsys, remote, local, argv):
    code, there, err = _run(capsys, "--store", remote, *argv)
    assert code == 0, err
    code, here, _ = _run(capsys, "--store", str(local), *argv)
    if argv[0] == "registers":  # the time each register was added differs
        strip = lambda text: [{k: v for k, v in r.items() if k != "added"} for r in json.loads(text)]  # noqa: E731
        there, here = strip(there), strip(here)
    assert there == here


def test_validate_store_reads_the_stored_reports(capsys, remote, local):
    results = []
    for store in (remote, local):
        code, out, err = _run(capsys, "--store", str(store), "validate", "--store", "--format", "json")
        assert code in (0, 1), err
        report = json.loads(out)
        results.append((code, report["conforms"], Counter(json.dumps(r, sort_keys=True) for r in report["results"])))
    assert results[0] == results[1]


def test_export_holds_the_same_named_graphs(capsys, remote, local, tmp_path):
    import pyoxigraph as ox

    counts = []
    for store, name in ((remote, "remote.nq"), (str(local), "local.nq")):
        assert _run(capsys, "--store", store, "export", "-o", str(tmp_path / name))[0] == 0
        per_graph = Counter(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
                            for q in ox.parse(path=str(tmp_path / name), format=ox.RdfFormat.N_QUADS))
        counts.append(per_graph)
    assert counts[0] == counts[1]


def test_serve_answers_sparql_and_pages_from_the_remote_store(remote):
    import httpx

    from tests._server import running_server

    with running_server(remote, QUANZE_QUERY_TIMEOUT="20") as url:
        answer = httpx.post(url + "/sparql", data={"query": QUERIES[0].read_text(encoding="utf-8")},
                            headers={"Accept": "text/csv"}, timeout=30)
        assert answer.status_code == 200 and answer.text.splitlines()[0].startswith("辖区,代码")
        assert httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"},
                         timeout=30).status_code == 403
        page = httpx.get(url + "/id/jurisdiction/340406", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "潘集区" in page.text
        assert httpx.get(url + "/api/jurisdictions", timeout=30).status_code == 200


def test_add_registers_diff_and_remove_change_both_stores_alike(capsys, remote, local, tmp_path):
    old = _register(tmp_path / "文峰区-2023.csv")
    new = _register(tmp_path / "文峰区-2024.csv", lambda rows: [rows[0], [*rows[1][:5], rows[1][5] + "；《医疗保障基金使用监督管理条例》第三十八条", *rows[1][6:]]])
    outputs = []
    for store in (remote, str(local)):
        run = [_run(capsys, "--store", store, "add", str(old), "--version", "2023"),
               _run(capsys, "--store", store, "add", str(new), "--version", "2024"),
               _run(capsys, "--store", store, "add", str(new), "--version", "2024")]
        assert all(code == 0 for code, _, _ in run), [err for _, _, err in run]
        assert "superseded: 文峰区-2023.csv" in run[1][1] and "unchanged: 文峰区-2024.csv" in run[2][1]
        code, diff, err = _run(capsys, "--store", store, "diff", "410502", "--format", "json")
        assert code == 0, err
        code, listed, _ = _run(capsys, "--store", store, "registers", "--format", "json")
        status = {r["register"]: r["status"] for r in json.loads(listed)}
        assert status["文峰区-2023.csv"] == "superseded" and status["文峰区-2024.csv"] == "current"
        items = _table(capsys, store, CURRENT_ITEMS)
        assert _run(capsys, "--store", store, "remove", "文峰区-2024.csv")[0] == 0
        after = _table(capsys, store, CURRENT_ITEMS)
        queries = [_table(capsys, store, str(q)) for q in QUERIES]
        outputs.append((json.loads(diff), items, after, queries))
    remote_out, local_out = outputs
    assert remote_out == local_out
    assert remote_out[0] and remote_out[1] != remote_out[2]
