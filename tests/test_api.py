"""The HTTP server as clients use it: SPARQLWrapper, rdflib's SPARQLStore, plain HTTP.

The server runs in its own process (uvicorn) on the test store, with a short query timeout.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest


COUNT = "PREFIX qz: <https://w3id.org/quanze/ontology#> SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a qz:PowerItem }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_sparqlwrapper_gets_json_xml_and_csv(server):
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "52"
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert document.getElementsByTagName("literal")[0].firstChild.data == "52"
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines() == ["n", "52"]


def test_rdflib_sparqlstore(server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(server + "/sparql"))
    rows = list(graph.query('SELECT ?name WHERE { ?j <https://w3id.org/quanze/ontology#divisionCode> "410503" ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }'))
    assert [str(r[0]) for r in rows] == ["北关区"]


def test_protocol_forms_and_formats(server):
    get = httpx.get(server + "/sparql", params={"query": COUNT}, headers={"Accept": "text/tab-separated-values"})
    assert get.status_code == 200 and get.headers["content-type"].startswith("text/tab-separated-values")
    form = httpx.post(server + "/sparql", data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(form.text)["results"]["bindings"][0]["n"]["value"] == "52"
    direct = httpx.post(server + "/sparql", content=COUNT.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert direct.text.splitlines()[1] == "52"
    construct = "CONSTRUCT { ?j ?p ?o } WHERE { ?j <https://w3id.org/quanze/ontology#divisionCode> \"340406\" ; ?p ?o }"
    for accept, marker in (("text/turtle", "340406"), ("application/n-triples", "> ."), ("application/ld+json", "@id"), ("application/rdf+xml", "rdf:RDF")):
        response = httpx.get(server + "/sparql", params={"query": construct}, headers={"Accept": accept})
        assert response.status_code == 200 and marker in response.text and response.headers["content-type"].startswith(accept)


def test_default_and_named_graph_parameters(server):
    graph = "https://w3id.org/quanze/id/graph/register/004_3a5d5d83cde3f9ef"
    response = httpx.get(server + "/sparql", params={"query": COUNT, "default-graph-uri": graph, "format": "csv"})
    assert response.text.splitlines()[1] == "25"
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(server + "/sparql", params={"query": named, "named-graph-uri": graph, "format": "csv"})
    assert response.text.splitlines()[1] == "1"


@pytest.mark.parametrize(
    "params,status",
    [
        ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403),
        ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403),
        ({"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, 403),
        ({"query": "SELEC ?x"}, 400),
        ({"query": "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200_000}, 413),
        ({"query": COUNT, "format": "text/turtle"}, 406),
    ],
)
def test_refusals(server, params, status):
    response = httpx.post(server + "/sparql", data=params)
    assert response.status_code == status, response.text
    check = httpx.get(server + "/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }", "format": "json"})
    assert check.json()["boolean"] is False  # nothing was written


def test_runaway_query_times_out_and_the_server_answers_the_next(server):
    started = time.monotonic()
    response = httpx.get(server + "/sparql", params={"query": CROSS_JOIN}, timeout=30)
    assert response.status_code == 503 and "stopped" in response.text
    assert time.monotonic() - started < 10
    after = httpx.get(server + "/sparql", params={"query": COUNT, "format": "csv"})
    assert after.status_code == 200 and after.text.splitlines()[1] == "52"


def test_result_size_cap(server):
    response = httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"})
    assert response.status_code == 422 and "LIMIT" in response.text


def test_validate_upload(server):
    invalid = Path(__file__).parent / "data" / "invalid" / "risk-without-role.csv"
    response = httpx.post(server + "/validate", files={"file": (invalid.name, invalid.read_bytes(), "text/csv")})
    assert response.status_code == 200 and response.json()["conforms"] is False
    html = httpx.post(server + "/validate", files={"file": (invalid.name, invalid.read_bytes())}, headers={"Accept": "text/html"})
    assert "风险点没有责任人" in html.text and html.headers["content-type"].startswith("text/html")
    empty = httpx.post(server + "/validate", files={"file": ("empty.csv", b"")})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    big = httpx.post(server + "/validate", files={"file": ("big.csv", b"x" * 300_000)})
    assert big.status_code == 413


def test_linked_data_pages_and_rdf(server):
    item = "/id/power/140423/3400-B-00100-140423"
    page = httpx.get(server + item, headers={"Accept": "text/html"})
    assert page.status_code == 200
    for text in ("襄垣县", "3400-B-00100-140423", "调查取证", "具体承办人", "001_2a37d4629c2ce2f0.txt", "瓜州县"):
        assert text in page.text, text  # jurisdiction, code, stages, roles, source, the same power elsewhere
    basis = httpx.get(server + "/id/power/340406/003-1", headers={"Accept": "text/html"}).text
    assert "社会保险法 第八十七条" in basis and "社会保险经办机构以及医疗机构" in basis  # legal basis with article text
    turtle = httpx.get(server + item, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "PowerItem" in turtle.text
    assert httpx.get(server + item, params={"format": "jsonld"}).json()
    assert httpx.get(server + "/id/no/such/thing").status_code == 404


def test_rest_routes_and_openapi(server):
    assert {j["code"] for j in httpx.get(server + "/api/jurisdictions").json()} == {"140423", "340406", "410503", "620922"}
    assert len(httpx.get(server + "/api/jurisdictions/410503/powers").json()) == 25
    citing = httpx.get(server + "/api/articles/social-insurance-law/87/powers").json()
    assert {row["code"] for row in citing} == {"340406", "410503", "620922"}
    risks = httpx.get(server + "/api/risk-points", params={"jurisdiction": "140423", "stage": "调查取证", "level": "高"}).json()
    assert len(risks) == 24 and all(r["level"] == "高" for r in risks)  # 6 risk points × 4 penalty charts
    compare = httpx.get(server + "/api/compare", params={"a": "340406", "b": "410503"}).json()
    assert len(compare["both"]) == 5
    spec = httpx.get(server + "/openapi.json").json()
    assert {"/sparql", "/validate", "/api/compare", "/api/risk-points"} <= set(spec["paths"])


def test_pages_render(server):
    home = httpx.get(server + "/")
    assert home.status_code == 200 and "北关区" in home.text and "410503" in home.text
    assert "示例查询" in httpx.get(server + "/query").text and "Example queries" in httpx.get(server + "/query?lang=en").text
    assert "两地均有" in httpx.get(server + "/compare", params={"a": "340406", "b": "410503"}).text
