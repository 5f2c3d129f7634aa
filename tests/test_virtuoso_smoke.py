"""Virtuoso as a store: start a private server on loopback, load quads into named graphs, query, stop.

Skipped when Virtuoso is not installed (Debian: apt-get install virtuoso-opensource).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from virtuoso import VirtuosoError, running_virtuoso, split_nquads, virtuoso_binaries  # noqa: E402

needs_virtuoso = pytest.mark.skipif(virtuoso_binaries() is None, reason="Virtuoso (virtuoso-t, isql-vt) not installed")

QZ = "https://w3id.org/quanze/ontology#"
ID = "https://w3id.org/quanze/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
GRAPH_A = ID + "graph/register/a.csv"
GRAPH_B = ID + "graph/register/b.csv"

NQUADS = f"""\
<{ID}power/410503/1> <{RDF_TYPE}> <{QZ}PowerItem> <{GRAPH_A}> .
<{ID}power/410503/1> <{RDFS_LABEL}> "对侵占、挪用医疗保障基金的处罚"@zh <{GRAPH_A}> .
<{ID}power/410503/1> <{QZ}jurisdiction> <{ID}jurisdiction/410503> <{GRAPH_A}> .
<{ID}power/410503/1/stage/filing> <{QZ}order> "1"^^<{XSD_INTEGER}> <{GRAPH_A}> .
<{ID}power/410503/2> <{RDF_TYPE}> <{QZ}PowerItem> <{GRAPH_A}> .
<{ID}power/410503/2> <{RDFS_LABEL}> "医疗保障待遇支付"@zh <{GRAPH_A}> .
<{ID}power/410503/2> <{QZ}jurisdiction> <{ID}jurisdiction/410503> <{GRAPH_A}> .
<{ID}power/340406/1> <{RDF_TYPE}> <{QZ}PowerItem> <{GRAPH_B}> .
<{ID}power/340406/1> <{RDFS_LABEL}> "医疗救助待遇审核"@zh <{GRAPH_B}> .
<{ID}power/340406/1> <{QZ}jurisdiction> <{ID}jurisdiction/340406> <{GRAPH_B}> .
<{ID}power/340406/1> <{QZ}rawLabel> "医疗救助审核\\u0020（原文）" <{GRAPH_B}> .
"""


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in result["results"]["bindings"]]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses accepting TCP connections on `port`, probed from this host."""
    hosts = {"127.0.0.1"}
    try:
        hosts |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except socket.gaierror:
        pass
    open_on = set()
    for host in hosts:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            if sock.connect_ex((host, port)) == 0:
                open_on.add(host)
    return open_on


def test_split_nquads_keeps_graphs_whole_and_refuses_shared_blank_nodes(tmp_path: Path) -> None:
    source = tmp_path / "data.nq"
    source.write_text(NQUADS + '_:b1 <urn:p> "<not> an IRI" <urn:g> .\n_:b1 <urn:q> _:b2 <urn:g> .\n', encoding="utf-8")
    parts = tmp_path / "parts"
    parts.mkdir()
    assert split_nquads(source, parts, 8)
    files = {p.name: p.read_text(encoding="utf-8").splitlines() for p in parts.iterdir()}
    assert sorted(sum(files.values(), [])) == sorted(source.read_text(encoding="utf-8").splitlines())
    graph_files = [{g for g in (GRAPH_A, GRAPH_B, "urn:g") for line in lines if line.endswith(f"<{g}> .")}
                   for lines in files.values()]
    for graph in (GRAPH_A, GRAPH_B, "urn:g"):  # all of a graph's quads in one file
        assert sum(graph in found for found in graph_files) == 1

    shared = tmp_path / "shared.nq"
    shared.write_text('_:b1 <urn:p> "x" <urn:g1> .\n_:b1 <urn:p> "y" <urn:g2> .\n', encoding="utf-8")
    refused = tmp_path / "refused"
    refused.mkdir()
    assert not split_nquads(shared, refused, 8)
    assert list(refused.iterdir()) == []


@needs_virtuoso
def test_load_query_drop_stop(tmp_path: Path) -> None:
    data = tmp_path / "tiny.nq"
    data.write_text(NQUADS, encoding="utf-8")
    with running_virtuoso(tmp_path) as server:
        # loopback only: the ports answer on 127.0.0.1 and on no other address of this host
        for port in (server.sql_port, server.http_port):
            assert _listening_addresses(port) == {"127.0.0.1"}

        assert server.load(data, loaders=2) == 11  # split by graph, two bulk loaders

        per_graph = _rows(server.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{ID}graph/")) }} GROUP BY ?g ORDER BY ?g'))
        assert per_graph == [{"g": GRAPH_A, "n": "7"}, {"g": GRAPH_B, "n": "4"}]

        # a Chinese literal with its language tag, matched exactly, over the union of the graphs
        found = _rows(server.query(
            f'SELECT ?item ?j WHERE {{ ?item <{RDFS_LABEL}> "医疗救助待遇审核"@zh ; <{QZ}jurisdiction> ?j }}'))
        assert found == [{"item": ID + "power/340406/1", "j": ID + "jurisdiction/340406"}]
        label = server.query(f"SELECT ?l WHERE {{ <{ID}power/410503/1> <{RDFS_LABEL}> ?l }}")
        assert label["results"]["bindings"][0]["l"] == {
            "type": "literal", "xml:lang": "zh", "value": "对侵占、挪用医疗保障基金的处罚"}
        # \\u escapes in N-Quads are decoded on load
        raw = _rows(server.query(f"SELECT ?r WHERE {{ ?i <{QZ}rawLabel> ?r }}"))
        assert raw == [{"r": "医疗救助审核 （原文）"}]

        # COUNT per jurisdiction, typed integers, MINUS
        counts = _rows(server.query(
            f"SELECT ?j (COUNT(?i) AS ?n) WHERE {{ ?i a <{QZ}PowerItem> ; <{QZ}jurisdiction> ?j }} "
            "GROUP BY ?j ORDER BY DESC(?n)"))
        assert counts == [{"j": ID + "jurisdiction/410503", "n": "2"}, {"j": ID + "jurisdiction/340406", "n": "1"}]
        order = server.query(f"SELECT ?o WHERE {{ ?s <{QZ}order> ?o FILTER(?o + 1 = 2) }}")
        assert order["results"]["bindings"][0]["o"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
        without_raw = _rows(server.query(
            f"SELECT ?i WHERE {{ ?i a <{QZ}PowerItem> MINUS {{ ?i <{QZ}rawLabel> ?r }} }} ORDER BY ?i"))
        assert [r["i"] for r in without_raw] == [ID + "power/410503/1", ID + "power/410503/2"]

        # the anonymous endpoint refuses updates; the authenticated one takes them
        with pytest.raises(VirtuosoError):
            server.query(f'INSERT DATA {{ GRAPH <{GRAPH_B}> {{ <urn:x:a> <urn:x:b> "c" }} }}')
        server.update(f'INSERT DATA {{ GRAPH <{GRAPH_B}> {{ <urn:x:a> <urn:x:b> "中文"@zh }} }}')
        assert server.query(f'ASK {{ GRAPH <{GRAPH_B}> {{ <urn:x:a> <urn:x:b> "中文"@zh }} }}')["boolean"] is True

        # non-ASCII variable names (the product's example queries use ?辖区) are a syntax error
        with pytest.raises(VirtuosoError, match="SP030"):
            server.query('SELECT ?辖区 WHERE { BIND("潘集区" AS ?辖区) }')

        server.drop_graph(GRAPH_A)
        assert server.query(f"ASK {{ GRAPH <{GRAPH_A}> {{ ?s ?p ?o }} }}")["boolean"] is False
        assert server.query(f"ASK {{ GRAPH <{GRAPH_B}> {{ ?s ?p ?o }} }}")["boolean"] is True
        process = server.process
    # stopped by the context manager: the process has exited and its port is closed
    assert process is not None and process.poll() is not None
    assert _listening_addresses(server.http_port) == set()
