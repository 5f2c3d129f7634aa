"""Issue 9: no outbound request, no injected query.

Every outbound path is tried against a listener on 127.0.0.1 that records each connection
and must receive none — through the HTTP server (its own process, tests/conftest.py), through
the CLI, and through the library functions. Positive controls show the listener does see
the engine's and rdflib's requests when the guards are bypassed, so these tests can fail.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from quanze.graph.cli import main

# --- the listener -----------------------------------------------------------------------------


class Listener:
    """Counts connections to a loopback port; answers none of them."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            connection.close()

    def seen(self, wait: float = 0.3) -> int:
        time.sleep(wait)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


# --- SPARQL: SERVICE in every spelling ----------------------------------------------------------

PATTERN = "{ ?s ?p ?o }"


def service_spellings(url: str) -> dict[str, str]:
    host = url.rstrip("/")
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {PATTERN} }}",
        "lower case": f"select * where {{ service <{url}> {PATTERN} }}",
        "mixed case": f"SELECT * WHERE {{ SeRvIcE <{url}> {PATTERN} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {PATTERN} }}",
        "prefixed IRI": f"PREFIX l: <{host}/> SELECT * WHERE {{ SERVICE l:x {PATTERN} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?u {{ <{url}> }} SERVICE ?u {PATTERN} }}",
        "comment ended by CR": f"SELECT * WHERE {{ #\r SERVICE <{url}> {PATTERN}\n }}",
        "comment ended by CR, no space": f"SELECT * WHERE {{ #x\rSERVICE <{url}> {PATTERN}\n }}",
        "after a comment line": f"SELECT * WHERE {{ # a comment\n SERVICE <{url}> {PATTERN} }}",
        "u-escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {PATTERN} }}",
        "U-escaped keyword": f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {PATTERN} }}",
        "escaped backslash escape": f"SELECT * WHERE {{ \\u005Cu0053ERVICE <{url}> {PATTERN} }}",
        "escaped quote": f'SELECT * WHERE {{ BIND(\\u0022 AS ?x) SERVICE <{url}> {PATTERN} BIND(\\u0022 AS ?y) }}',
        "glued to a number": f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {PATTERN} }}",
        "glued to a string": f'SELECT * WHERE {{ ?s ?p "x"SERVICE <{url}> {PATTERN} }}',
        "glued to a dot": f"SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}> {PATTERN} }}",
        "Unicode case variant": f"SELECT * WHERE {{ \u017fERVICE <{url}> {PATTERN} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {PATTERN} }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {PATTERN} }} }} }}",
        "in FILTER EXISTS": f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}> {PATTERN} }} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {PATTERN} }}",
        "in ASK": f"ASK {{ SERVICE <{url}> {PATTERN} }}",
        "in DESCRIBE": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {PATTERN} }}",
    }


SPELLINGS = list(service_spellings("http://127.0.0.1:1/"))


def test_listener_sees_the_engine_when_the_guard_is_bypassed(listener):
    """Positive control: pyoxigraph itself fetches SERVICE URLs, and the listener sees it."""
    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    for query in (service_spellings(listener.url)["plain"], service_spellings(listener.url)["comment ended by CR"]):
        with pytest.raises(OSError):
            list(store.query(query))
    assert listener.seen() == 2


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_service_refused_over_http(server, listener, spelling):
    query = service_spellings(listener.url)[spelling]
    for response in (
        httpx.get(server + "/sparql", params={"query": query}, timeout=10),
        httpx.post(server + "/sparql", data={"query": query}, timeout=10),
        httpx.post(server + "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}, timeout=10),
    ):
        assert response.status_code in (400, 403), (spelling, response.status_code, response.text)
    assert listener.seen() == 0


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_service_refused_by_the_cli(store_path, listener, capsys, spelling):
    code = main(["--store", str(store_path), "query", service_spellings(listener.url)[spelling]])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("quanze: "), (spelling, err)
    assert "Traceback" not in err
    assert listener.seen() == 0


def test_service_refused_by_the_installed_command(store_path, listener, tmp_path):
    """The console script, its own process: exit 2, one line, no request; also from a .rq file."""
    command = Path(sys.executable).with_name("quanze")
    query = tmp_path / "federated.rq"
    query.write_text(service_spellings(listener.url)["comment ended by CR"], encoding="utf-8", newline="")
    for argument in (service_spellings(listener.url)["plain"], str(query)):
        done = subprocess.run([str(command), "--store", str(store_path), "query", argument], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
        assert "SERVICE" in done.stderr or "carriage return" in done.stderr
    assert listener.seen() == 0


def test_names_holding_the_word_service_still_run(server):
    """Refusing SERVICE must not refuse the vocabulary's own 送达 stage (st:service) or ?service."""
    query = """PREFIX qz: <https://w3id.org/quanze/ontology#>
        PREFIX st: <https://w3id.org/quanze/stage-type/>
        PREFIX qzs: <https://w3id.org/quanze/shapes#>
        SELECT ?service WHERE { ?service qz:stageType ?t . FILTER(?t IN (st:service, qzs:PenaltyServiceStage,
          <https://w3id.org/quanze/stage-type/service>)) } LIMIT 3"""
    response = httpx.get(server + "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"}, timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "query,params",
    [
        ("SELECT * FROM <{url}g> WHERE {{ ?s ?p ?o }} LIMIT 1", {}),
        ("SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1", {}),
        ("SELECT * FROM <{url}a> FROM NAMED <{url}b> WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }} LIMIT 1", {}),
        ("SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1", {"default-graph-uri": "{url}g"}),
        ("SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1", {"named-graph-uri": "{url}g"}),
        ("ASK {{ GRAPH <{url}g> {{ ?s ?p ?o }} }}", {}),
        ("DESCRIBE <{url}x>", {}),
    ],
)
def test_graph_names_are_never_fetched(server, listener, query, params):
    """FROM / FROM NAMED / *-graph-uri name graphs of the store: an empty answer, no request."""
    params = {k: v.format(url=listener.url) for k, v in params.items()}
    response = httpx.get(server + "/sparql", params={"query": query.format(url=listener.url), **params}, timeout=10)
    assert response.status_code == 200, response.text
    assert listener.seen() == 0


def test_graph_names_are_checked(server):
    for bad in ('http://x/"a', "http://x/ a", "not an iri", "http://x/\n"):
        response = httpx.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": bad}, timeout=10)
        assert response.status_code == 400, (bad, response.text)


def test_updates_still_refused(server, listener):
    update = f"LOAD <{listener.url}data.ttl>"
    response = httpx.post(server + "/sparql", content=update.encode(), headers={"content-type": "application/sparql-query"}, timeout=10)
    assert response.status_code == 403
    assert listener.seen() == 0


# --- the guard's rules on their own ------------------------------------------------------------


def test_guard_rules():
    from quanze.graph.query.guard import RefusedQuery, inspect

    assert inspect("PREFIX st: <http://x/> SELECT ?service WHERE { ?service ?p st:service }", 10_000) == "select"
    assert inspect('PREFIX st: <http://x/> ASK { ?s ?p st:service . ?s ?p "中\\u6587" }', 10_000) == "ask"
    assert inspect("SELECT * WHERE { ?s ?p ?o }\r\n", 10_000) == "select"
    for query, status, words in [
        ("SELECT * WHERE { ?s ?p ?o }\r", 400, "carriage return"),
        ('SELECT * WHERE { ?s ?p "\\u0041" }', 400, "ASCII"),
        ("SELECT * WHERE { ?s ?p ?o } # no service here", 403, "SERVICE"),
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", 403, "read-only"),
        ("SELECT * WHERE { ?s ?p ?o " + " " * 200 + "}", 413, "larger"),
    ]:
        with pytest.raises(RefusedQuery) as refused:
            inspect(query, 200)
        assert refused.value.status == status and words in str(refused.value), query


def test_guard_text_checks_take_linear_time():
    from quanze.graph.query.guard import check_text

    for text in ("?" + "service" * 14_000, "?a" + "x" * 99_000 + "service", "?aservice " * 10_000, "#" + "\\u4e2d" * 16_000):
        started = time.perf_counter()
        check_text(text, 200_000)
        assert time.perf_counter() - started < 1.0


def test_every_packaged_example_passes_the_guard():
    """The guard refuses what could fetch, not the project's own queries (queries/*.rq)."""
    from quanze.graph import paths
    from quanze.graph.query.guard import inspect

    examples = sorted(paths.queries_dir().glob("*.rq"))
    assert examples
    for path in examples:
        assert inspect(path.read_text(encoding="utf-8"), 100_000) in ("select", "ask", "construct", "describe"), path.name
        assert inspect(path.read_text(encoding="utf-8").replace("\n", "\r\n"), 100_000), path.name


# --- JSON-LD, RDF/XML, owl:imports ------------------------------------------------------------


def _register_graph(dataset):
    from rdflib import Graph

    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if "register/004" in str(g) or "jurisdictions" in str(g):
            graph.add((s, p, o))
    return graph


def hostile_files(url: str, tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    secret = tmp_path / "secret.jsonld"
    if tmp_path.is_dir():
        secret.write_text('{"@context": {"x": "http://leaked/"}}', encoding="utf-8")
    item = {"@id": "http://e/i", "@type": "https://w3id.org/quanze/ontology#PowerItem"}
    xml_body = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/a">&x;</rdf:Description></rdf:RDF>'
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "lol"}">' for i in range(10))
    return {
        "JSON-LD remote context": ("a.jsonld", json.dumps({"@context": url + "ctx", **item}).encode()),
        "JSON-LD remote context in a list": ("a.jsonld", json.dumps({"@context": [{"qz": "https://w3id.org/quanze/ontology#"}, url + "ctx"], **item}).encode()),
        "JSON-LD file: context": ("a.jsonld", json.dumps({"@context": secret.as_uri(), **item}).encode()),
        "JSON-LD relative context": ("a.json", json.dumps({"@context": "ctx.jsonld", **item}).encode()),
        "JSON-LD scoped remote context": ("a.jsonld", json.dumps({"@context": {"p": {"@id": "http://e/p", "@context": url + "c"}}, **item, "p": {"@id": "http://e/o"}}).encode()),
        "JSON-LD nested node context": ("a.jsonld", json.dumps({**item, "http://e/p": {"@context": url + "c", "@id": "http://e/o"}}).encode()),
        "JSON-LD @import": ("a.jsonld", json.dumps({"@context": {"@version": 1.1, "@import": url + "c"}, **item}).encode()),
        "JSON-LD duplicate @context": ("a.jsonld", ('{"@context": {}, "@context": "' + url + 'c", "@id": "http://e/i"}').encode()),
        "RDF/XML external entity": ("a.rdf", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{url}e">]>{xml_body}'.encode()),
        "RDF/XML external DTD": ("a.rdf", f'<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "{url}dtd">{xml_body.replace("&x;", "")}'.encode()),
        "RDF/XML parameter entity": ("a.rdf", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}p"> %p;]>{xml_body.replace("&x;", "")}'.encode()),
        "RDF/XML billion laughs": ("a.rdf", f'<?xml version="1.0"?><!DOCTYPE r [{laughs}<!ENTITY x "&l9;">]>{xml_body}'.encode()),
        "RDF/XML in UTF-16": ("a.rdf", f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "{url}e">]>{xml_body}'.encode("utf-16")),
        "RDF/XML declared UTF-7": ("a.rdf", f'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r +AFs-+ADw-!ENTITY x SYSTEM +ACI-{url}e+ACI-+AD4-+AF0-+AD4-{xml_body}'.encode()),
        "owl:imports": ("a.ttl", f"@prefix owl: <http://www.w3.org/2002/07/owl#> . <http://e/i> a <https://w3id.org/quanze/ontology#PowerItem> ; owl:imports <{url}o> .".encode()),
    }


HOSTILE = list(hostile_files("http://127.0.0.1:1/", Path("/nonexistent")))


def test_listener_sees_rdflib_when_the_reader_is_bypassed(listener):
    """Positive control: rdflib on its own fetches a remote JSON-LD context."""
    from rdflib import Graph

    with pytest.raises(Exception):
        Graph().parse(data=json.dumps({"@context": listener.url + "ctx", "@id": "http://e/i"}), format="json-ld")
    assert listener.seen() >= 1


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_rdf_is_refused_by_the_reader(listener, tmp_path, case):
    from quanze.graph.read.rdf import parse_rdf
    from quanze.graph.read.text import UnreadableInput

    name, data = hostile_files(listener.url, tmp_path)[case]
    started = time.perf_counter()
    with pytest.raises(UnreadableInput) as refused:
        parse_rdf(data, name)
    assert time.perf_counter() - started < 2
    assert name in str(refused.value) and "leaked" not in str(refused.value)
    assert listener.seen() == 0


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_rdf_is_refused_over_http(server, listener, tmp_path, case):
    name, data = hostile_files(listener.url, tmp_path)[case]
    response = httpx.post(server + "/validate", files={"file": (name, data)}, timeout=20)
    assert response.status_code == 400, response.text
    assert "error" in response.json() and "leaked" not in response.text
    assert listener.seen() == 0


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_rdf_is_refused_by_the_cli(listener, tmp_path, capsys, case):
    name, data = hostile_files(listener.url, tmp_path)[case]
    path = tmp_path / name
    path.write_bytes(data)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert listener.seen() == 0


def hostile_workbook(url: str) -> bytes:
    """An XLSX whose sheet declares external entities (general and parameter) and uses one."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["序号", "事项名称", "权力类型"])
    book.active.append([1, "x", "行政处罚"])
    plain = io.BytesIO()
    book.save(plain)
    hostile = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(hostile, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                doctype = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "{url}e"><!ENTITY % p SYSTEM "{url}p"> %p;]>'
                data = (doctype + data.decode("utf-8").replace("<sheetPr>", "<sheetPr>&x;", 1)).encode("utf-8")
            target.writestr(info, data)
    return hostile.getvalue()


def test_xlsx_entities_are_not_fetched(server, listener, tmp_path, capsys):
    """Not RDF, but an uploaded file all the same: unreadable (exit 2 / 400), no request."""
    data = hostile_workbook(listener.url)
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "XLSX" in err, err
    response = httpx.post(server + "/validate", files={"file": ("book.xlsx", data)}, timeout=20)
    assert response.status_code == 400, response.text
    assert listener.seen() == 0


@pytest.mark.parametrize("fmt,suffix", [("json-ld", ".jsonld"), ("xml", ".rdf"), ("turtle", ".ttl"), ("nt", ".nt")])
def test_plain_rdf_still_reads(dataset, tmp_path, capsys, fmt, suffix):
    """The guards refuse what fetches, not RDF: the same register in four formats is validated."""
    graph = _register_graph(dataset)
    path = tmp_path / f"beiguan{suffix}"
    if fmt == "json-ld":
        context = {"qz": "https://w3id.org/quanze/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
        path.write_text(graph.serialize(format="json-ld", context=context), encoding="utf-8")
        assert '"@context": {' in path.read_text(encoding="utf-8")
    else:
        path.write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
    code = main(["validate", "--format", "json", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and err == "", err
    assert any(r["row"] == 12 for r in json.loads(out)["results"])


# --- parameters of pages and routes: validated, bound as terms ------------------------------------

INJECT = ' . SERVICE <{url}> {{ ?a ?b ?c }} . ?x ?y "'


@pytest.mark.parametrize(
    "path,params",
    [
        ("/compare", {"a": '340406"' + INJECT}),
        ("/compare", {"b": '410503"' + INJECT}),
        ("/compare", {"a": "٣٤٠٤٠٦"}),
        ("/compare", {"a": "３４０４０６"}),
        ("/compare", {"a": "340406\n"}),
        ("/api/compare", {"a": '340406"' + INJECT, "b": "410503"}),
        ("/api/compare", {"a": "340406", "b": "٣٤٠٤٠٦"}),
        ("/api/compare", {"a": "", "b": ""}),
        ("/api/risk-points", {"jurisdiction": '340406"' + INJECT}),
        ("/api/risk-points", {"jurisdiction": "３４０４０６"}),
        ("/api/risk-points", {"stage": '调查取证"@zh' + INJECT}),
        ("/api/risk-points", {"stage": "no such stage"}),
        ("/api/risk-points", {"level": "High> . SERVICE <{url}> {{ ?a ?b ?c }}"}),
        ("/api/risk-points", {"level": "Extreme"}),
        ("/api/jurisdictions/340406%22%20.%20SERVICE%20%3C{url}%3E%20%7B%20%3Fa%20%3Fb%20%3Fc%20%7D%20.%20%3Fx%20%3Fy%20%22/powers", {}),
        ("/api/jurisdictions/%EF%BC%93%EF%BC%94%EF%BC%90%EF%BC%94%EF%BC%90%EF%BC%96/powers", {}),
        ("/api/jurisdictions/340406%0A/powers", {}),
        ("/api/jurisdictions/340406%09/powers", {}),
        ("/api/articles/social-insurance-law%3E%20.%20SERVICE%20%3C{url}%3E%20%7B%7D/87/powers", {}),
        ("/api/articles/no-such-law/87/powers", {}),
        ("/api/articles/social-insurance-law/0/powers", {}),
        ("/api/articles/social-insurance-law/-1/powers", {}),
        ("/api/articles/social-insurance-law/87%22/powers", {}),
        ("/api/articles/social-insurance-law/%EF%BC%98%EF%BC%97/powers", {}),
        ('/id/x%22%20.%20SERVICE%20%3C{url}%3E%20%7B%7D', {}),
        ("/id/power/x%0ASERVICE%09%3C{url}%3E%09%7B%7D", {}),
        ("/id/power/x%09y", {}),
        ("/id/power/x%0Dy", {}),
        ("/id/power/x%5Cu003E", {}),
        ("/id/jurisdiction/340406%0A", {}),
        ("/id/power/x%3E%20%3Fp%20%3Fo", {}),
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_injection_attempts_are_4xx_without_a_request(server, listener, path, params, accept):
    url = server + path.format(url=listener.url.replace("/", "%2F").replace(":", "%3A")) if "%" in path else server + path
    response = httpx.get(url, params={k: v.format(url=listener.url) for k, v in params.items()}, headers={"accept": accept}, timeout=20)
    assert 400 <= response.status_code < 500, (path, params, response.status_code, response.text[:300])
    assert listener.seen() == 0


@pytest.mark.parametrize(
    "path,params",
    [
        ("/compare", {"a": "340406", "b": "410503"}),
        ("/api/compare", {"a": "340406", "b": "410503"}),
        ("/api/risk-points", {"jurisdiction": "140423", "stage": "调查取证", "level": "高"}),
        ("/api/risk-points", {"jurisdiction": "", "stage": "", "level": ""}),
        ("/api/jurisdictions/340406/powers", {}),
        ("/api/articles/social-insurance-law/87/powers", {}),
        ("/id/jurisdiction/340406", {}),
    ],
)
def test_valid_parameters_still_answer(server, path, params):
    response = httpx.get(server + path, params=params, headers={"accept": "text/html"}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    if path.startswith("/api/") and path != "/api/compare":
        assert isinstance(response.json(), list) and response.json()


def test_compare_cli_takes_ascii_codes_only(store_path, listener, capsys):
    for codes in (["３４０４０６", "410503"], ["340406", '410503" . SERVICE <' + listener.url + "> { ?a ?b ?c } . ?x ?y \""]):
        code = main(["--store", str(store_path), "compare", *codes])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and err.count("\n") == 1 and "six digits" in err, err
    assert listener.seen() == 0


# --- generated queries obey the endpoint's limits -------------------------------------------------


class RecordingRepository:
    """Answers every query with no rows and records what it was asked, and with which limits."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, float]] = []

    def query(self, request, timeout: float) -> tuple[bytes, str]:
        self.calls.append((request, timeout))
        if request.kind == "select":
            names = ["code", "name"]
            return json.dumps({"head": {"vars": names}, "results": {"bindings": []}}).encode(), request.media_type
        return b"", request.media_type

    def select(self, sparql: str, timeout: float = 30.0):  # must not be used: it skips the limits
        raise AssertionError("generated queries must go through query() with the endpoint's limits")

    def close(self) -> None:
        pass


@pytest.fixture
def recorded():
    from fastapi.testclient import TestClient

    from quanze.api.main import create_app
    from quanze.api.settings import Settings

    def make(**limits):
        settings = dataclasses.replace(Settings.from_environment(), **{"query_timeout": 7.5, "max_results": 123, "max_query_bytes": 100_000, **limits})
        repository = RecordingRepository()
        return TestClient(create_app(settings, repository)), repository

    return make


ROUTES = [
    "/", "/compare?a=340406&b=410503", "/api/jurisdictions", "/api/jurisdictions/340406/powers",
    "/api/articles/social-insurance-law/87/powers", "/api/risk-points?jurisdiction=340406&stage=调查取证&level=高",
    "/api/compare?a=340406&b=410503", "/id/power/x", "/id/power/x?format=turtle", "/id/jurisdiction/340406",
]


@pytest.mark.parametrize("route", ROUTES)
def test_generated_queries_use_the_endpoint_timeout_and_cap(recorded, route):
    client, repository = recorded()
    with client:
        response = client.get(route)
    assert response.status_code < 500, response.text
    assert repository.calls, "the route ran no query"
    for request, timeout in repository.calls:
        assert timeout == 7.5 and request.max_results == 123


@pytest.mark.parametrize("route", ROUTES)
def test_generated_queries_obey_the_size_limit(recorded, route):
    client, repository = recorded(max_query_bytes=60)
    with client:
        response = client.get(route)
    assert response.status_code == 413, (route, response.status_code, response.text[:200])
    assert repository.calls == []


@pytest.mark.parametrize(
    "route,fragment",
    [
        ('/compare?a=340406"%20.%20?x%20?y%20"&b=410503', "?x ?y"),
        ("/api/risk-points?stage=x%22", 'x"'),
        ("/api/jurisdictions/34040６/powers", "34040６"),
        ("/api/articles/nope/1/powers", "nope"),
        ("/id/x%0A", "x\n"),
    ],
)
def test_rejected_parameters_reach_no_query(recorded, route, fragment):
    client, repository = recorded()
    with client:
        response = client.get(route)
    assert response.status_code == 400, response.text
    assert not any(fragment in request.sparql for request, _ in repository.calls)


def test_terms_are_written_by_pyoxigraph():
    from quanze.graph.query import terms

    assert terms.term("340406") == '"340406"'
    assert terms.term(terms.literal("调查取证", "zh")) == '"调查取证"@zh'
    assert terms.term(87) == '"87"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert terms.term(terms.iri("https://w3id.org/quanze/id/law/x/art/1")) == "<https://w3id.org/quanze/id/law/x/art/1>"
    assert terms.term('a"b') == '"a\\"b"'
    for bad in ("a\\u0022b", "a\nb", "a\x00"):
        with pytest.raises(terms.InvalidParameter):
            terms.term(bad)
    for bad in ("http://x/a b", "http://x/>", "http://x/\t", "relative", 'http://x/"'):
        with pytest.raises(terms.InvalidParameter):
            terms.iri(bad)
    for bad in ("34040", "3404066", "٣٤٠٤٠٦", "34040\n", " 340406"):
        with pytest.raises(terms.InvalidParameter):
            terms.division_code(bad)
    assert terms.article_number("87") == 87
    for bad in ("0", "-1", "1e3", "８７", ""):
        with pytest.raises(terms.InvalidParameter):
            terms.article_number(bad)
