"""The query half of the W3C SPARQL 1.1 Protocol test suite, written from the spec and its manifest.

Each test is named after the manifest entry it follows (sparql11/protocol/manifest.ttl,
`mf:ProtocolTest`); the requests and the expected outcomes are those of the entry, sent to
`/sparql` on loopback. The store holds three graphs like the suite's data1/data2/data3; the
update entries do not apply (the endpoint is read-only) beyond being refused.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
import rdflib

from quanze.graph.store.oxigraph import write_store
from tests._server import running_server

DATA = "http://kasei.us/2009/09/sparql/data/"
FOAF = "http://xmlns.com/foaf/0.1/"
BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = tmp_path_factory.mktemp("protocol") / "store"
    quads = "".join(
        f"<{DATA}data{n}.rdf> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{FOAF}Document> <{DATA}data{n}.rdf> .\n"
        f"<{DATA}data{n}.rdf> <http://purl.org/dc/terms/title> \"data {n}\" <{DATA}data{n}.rdf> .\n"
        for n in (1, 2, 3)
    )
    write_store(quads.encode(), store)
    with running_server(store, QUANZE_QUERY_TIMEOUT="10") as url:
        yield url + "/sparql"


def _g(name: str) -> str:
    return quote(DATA + name, safe="")


def boolean(response: httpx.Response) -> bool:
    """The boolean of an ASK answer in whichever result format the server chose."""
    assert 200 <= response.status_code < 400, (response.status_code, response.text)
    media = response.headers["content-type"].split(";")[0]
    assert media in (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
    if media == "application/sparql-results+json":
        return response.json()["boolean"]
    if media == "application/sparql-results+xml":
        return "<boolean>true</boolean>" in response.text
    return response.text.strip() == "true"


# --- positive query tests ----------------------------------------------------------------------


def test_query_post_form(endpoint):
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data0.rdf')}", content=b"query=ASK%20%7B%7D",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(endpoint):
    query = quote(f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}", safe="")
    response = httpx.get(f"{endpoint}?query={query}&default-graph-uri={_g('data1.rdf')}&default-graph-uri={_g('data2.rdf')}")
    assert boolean(response) is True


def test_query_dataset_default_graphs_post(endpoint):
    query = f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}"
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data1.rdf')}&default-graph-uri={_g('data2.rdf')}",
                          content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True


NAMED = f"ASK {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"


def test_query_dataset_named_graphs_post(endpoint):
    response = httpx.post(f"{endpoint}?named-graph-uri={_g('data1.rdf')}&named-graph-uri={_g('data2.rdf')}",
                          content=NAMED.encode(), headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True


def test_query_dataset_named_graphs_get(endpoint):
    response = httpx.get(f"{endpoint}?query={quote(NAMED, safe='')}&named-graph-uri={_g('data1.rdf')}&named-graph-uri={_g('data2.rdf')}")
    assert boolean(response) is True
    only_one = httpx.get(endpoint, params={"query": NAMED, "named-graph-uri": DATA + "data1.rdf"})
    assert boolean(only_one) is False  # the named graphs are exactly the ones given


def test_query_dataset_full(endpoint):
    query = (f"ASK {{ <{DATA}data3.rdf> a ?type GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} "
             f"GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}")
    url = f"{endpoint}?default-graph-uri={_g('data3.rdf')}&named-graph-uri={_g('data1.rdf')}&named-graph-uri={_g('data2.rdf')}"
    response = httpx.post(url, content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True
    default_only = f"ASK {{ <{DATA}data1.rdf> a ?type }}"
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data3.rdf')}", content=default_only.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is False  # data1 is not in the default graph given


def test_query_multiple_dataset(endpoint):
    """The dataset given by the protocol overrides FROM / FROM NAMED in the query."""
    query = f"ASK FROM <{DATA}data3.rdf> {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
    response = httpx.post(f"{endpoint}?named-graph-uri={_g('data1.rdf')}&named-graph-uri={_g('data2.rdf')}",
                          content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True
    overridden = f"ASK FROM <{DATA}data3.rdf> {{ <{DATA}data3.rdf> a ?type }}"
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data1.rdf')}", content=overridden.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is False


def test_query_get(endpoint):
    assert boolean(httpx.get(f"{endpoint}?query=ASK%20%7B%7D&default-graph-uri={_g('data0.rdf')}")) is True


def test_query_post_direct(endpoint):
    response = httpx.post(endpoint, content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True


def test_query_content_type_select(endpoint):
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data0.rdf')}", content=b"SELECT (1 AS ?value) {}",
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] in TABULAR_TYPES


def test_query_content_type_ask(endpoint):
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data0.rdf')}", content=b"ASK {}",
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] in BOOLEAN_TYPES


def test_query_content_type_describe(endpoint):
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data0.rdf')}", content=b"DESCRIBE <http://example.org/>",
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] in RDF_TYPES


def test_query_content_type_construct_with_relative_iris_resolved_against_the_request(endpoint):
    response = httpx.post(f"{endpoint}?default-graph-uri={_g('data0.rdf')}", content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                          headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] in RDF_TYPES
    graph = rdflib.Graph().parse(data=response.text, format="nt")
    base = endpoint.rsplit("/", 1)[0]
    assert set(graph) == {(rdflib.URIRef(base + "/s"), rdflib.URIRef(base + "/p"), rdflib.Literal(1))}


@pytest.mark.parametrize(
    "accept,media",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_content_negotiation_of_select_results(endpoint, accept, media):
    response = httpx.get(endpoint, params={"query": f"SELECT ?t WHERE {{ <{DATA}data1.rdf> <http://purl.org/dc/terms/title> ?t }}"},
                         headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert "data 1" in response.text


def test_content_negotiation_refuses_what_it_cannot_give(endpoint):
    response = httpx.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_select_results_are_the_w3c_json_format(endpoint):
    response = httpx.get(endpoint, params={"query": "SELECT ?d ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"},
                         headers={"Accept": "application/sparql-results+json"})
    body = json.loads(response.text)
    assert body["head"]["vars"] == ["d", "t"]
    assert [b["t"] for b in body["results"]["bindings"]] == [{"type": "literal", "value": f"data {n}"} for n in (1, 2, 3)]
    assert body["results"]["bindings"][0]["d"] == {"type": "uri", "value": DATA + "data1.rdf"}


# --- negative tests: 4xx ---------------------------------------------------------------------------


def test_bad_query_method(endpoint):
    response = httpx.put(f"{endpoint}?query=ASK%20%7B%7D&default-graph-uri={_g('data0.rdf')}", content=b"",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= response.status_code < 500


def test_bad_multiple_queries(endpoint):
    assert httpx.get(f"{endpoint}?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D").status_code == 400
    form = httpx.post(endpoint, content=b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400
    both = httpx.post(f"{endpoint}?query=ASK%20%7B%7D", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert both.status_code == 400


def test_bad_query_wrong_media_type(endpoint):
    response = httpx.post(endpoint, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(endpoint):
    request = httpx.Request("POST", endpoint, content=b"query=ASK%20%7B%7D")
    assert "content-type" not in request.headers  # none at all
    assert httpx.Client().send(request).status_code in (400, 415)


def test_bad_query_missing_direct_type(endpoint):
    request = httpx.Request("POST", endpoint, content=b"ASK {}")
    assert "content-type" not in request.headers
    assert httpx.Client().send(request).status_code in (400, 415)


def test_bad_query_non_utf8(endpoint):
    utf16 = "ASK {}".encode("utf-16")  # with its byte-order mark
    declared = httpx.post(endpoint, content=utf16, headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert declared.status_code in (400, 415)
    undeclared = httpx.post(endpoint, content=utf16, headers={"Content-Type": "application/sparql-query"})
    assert undeclared.status_code in (400, 415)
    latin1 = httpx.post(endpoint, content='ASK { ?s ?p "café" }'.encode("latin-1"), headers={"Content-Type": "application/sparql-query"})
    assert latin1.status_code in (400, 415)
    form = httpx.post(endpoint, content=b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400  # %E9 alone is not UTF-8
    get = httpx.get(f"{endpoint}?query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D")
    assert get.status_code == 400


def test_bad_query_syntax(endpoint):
    assert httpx.get(f"{endpoint}?query=ASK%20%7B").status_code == 400


def test_bad_update_get(endpoint):
    assert 400 <= httpx.get(f"{endpoint}?update=CLEAR%20ALL").status_code < 500


def test_bad_multiple_updates(endpoint):
    response = httpx.post(endpoint, content=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= response.status_code < 500


def test_bad_update_wrong_media_type(endpoint):
    assert 400 <= httpx.post(endpoint, content=b"CLEAR NAMED", headers={"Content-Type": "text/plain"}).status_code < 500


def test_bad_update_missing_form_type(endpoint):
    request = httpx.Request("POST", endpoint, content=b"update=CLEAR%20NAMED")
    assert 400 <= httpx.Client().send(request).status_code < 500


def test_bad_update_non_utf8(endpoint):
    response = httpx.post(endpoint, content="CLEAR NAMED".encode("utf-16"),
                          headers={"Content-Type": "application/sparql-update; charset=UTF-16"})
    assert 400 <= response.status_code < 500


def test_updates_in_any_form_are_refused_and_change_nothing(endpoint):
    for response in (
        httpx.post(endpoint, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}),
        httpx.post(endpoint, data={"update": "CLEAR ALL"}),
        httpx.post(endpoint, data={"query": "CLEAR ALL"}),
        httpx.post(endpoint, content=b"DROP ALL", headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 403, response.text
    assert boolean(httpx.get(endpoint, params={"query": f"ASK {{ GRAPH <{DATA}data1.rdf> {{ ?s ?p ?o }} }}"})) is True
