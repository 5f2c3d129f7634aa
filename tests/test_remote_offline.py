"""The remote store's pure parts, and its failures against throw-away HTTP servers on loopback (no Virtuoso needed).

ASCII renaming of variables (Virtuoso refuses ?辖区), the store URL, binding values as terms,
the engine's answers read back under the query's own names, and the one-line errors: an
unreachable engine, an engine that answers 500, one that does not answer in time (CLI exit 2;
server 502 / 504).
"""

from __future__ import annotations

import http.server
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from quanze.graph.cli import main
from quanze.graph.query.variables import ascii_variables, tokens, variable_names
from quanze.graph.store.oxigraph import QueryError, StoreError
from quanze.graph.store.remote import RemoteStore, RemoteStoreError, bind, parse_location, query_kind, results

QUERIES = Path(__file__).resolve().parent.parent / "queries"


# --- ascii_variables ------------------------------------------------------------------------


def test_non_ascii_variables_are_renamed_and_named_back():
    text, back = ascii_variables("SELECT ?辖区 (COUNT(?事项) AS ?数) WHERE { ?事项 <urn:p> ?辖区 } GROUP BY ?辖区")
    assert text == "SELECT ?v1_ (COUNT(?v2_) AS ?v3_) WHERE { ?v2_ <urn:p> ?v1_ } GROUP BY ?v1_"
    assert back == {"v1_": "辖区", "v2_": "事项", "v3_": "数"}
    assert text.isascii()


def test_strings_iris_and_comments_are_left_alone():
    query = ('SELECT ?名 WHERE { ?s <http://x/?名> ?名 ; <urn:q> "?名 in a string" , \'?名\' , """long ?名 "quoted" """ , '
             "'''?名'''@zh . # a comment ?名\n}")
    text, back = ascii_variables(query)
    assert back == {"v1_": "名"}
    assert text == query.replace("SELECT ?名", "SELECT ?v1_").replace("> ?名 ;", "> ?v1_ ;")
    assert text.count("?名") == 6  # the IRI, four strings and the comment


def test_dollar_and_question_mark_name_one_variable_and_names_never_clash():
    text, back = ascii_variables("SELECT ?v1_ $甲 WHERE { ?v1_ <urn:p> ?甲 }")
    assert text == "SELECT ?v1_ $v2_ WHERE { ?v1_ <urn:p> ?v2_ }"
    assert back == {"v2_": "甲"}


def test_less_than_between_variables_is_an_operator_not_an_iri():
    text, back = ascii_variables("SELECT * WHERE { ?s <urn:p> ?甲 ; <urn:q> ?乙 FILTER(?甲<?乙&&?乙>?甲) }")
    assert text == "SELECT * WHERE { ?s <urn:p> ?v1_ ; <urn:q> ?v2_ FILTER(?v1_<?v2_&&?v2_>?v1_) }"
    assert set(back.values()) == {"甲", "乙"}


def test_a_property_path_question_mark_and_escapes_in_strings():
    text, back = ascii_variables('SELECT ?名 WHERE { ?s <urn:p>? ?名 FILTER(?名 != "a\\"?名") }')
    assert text == 'SELECT ?v1_ WHERE { ?s <urn:p>? ?v1_ FILTER(?v1_ != "a\\"?名") }'


def test_tokens_give_the_query_back_unchanged():
    for path in sorted(QUERIES.glob("*.rq")):
        query = path.read_text(encoding="utf-8")
        assert "".join(text for _, text in tokens(query)) == query


def test_every_example_query_renamed_gives_the_same_rows(store_path):
    """Renamed, run on the embedded store and named back: the same table as the query as written."""
    from quanze.graph.store.oxigraph import current_generation

    store = ox.Store.read_only(str(current_generation(store_path).path))
    for path in sorted(QUERIES.glob("*.rq")):
        query = path.read_text(encoding="utf-8")
        text, back = ascii_variables(query)
        assert back and all(name.isascii() for name in variable_names(text)), path.name
        original = store.query(query)
        renamed = store.query(text)
        names = [v.value for v in original.variables]
        assert [back.get(v.value, v.value) for v in renamed.variables] == names, path.name
        forward = {old: new for new, old in back.items()}
        rows = sorted(tuple(str(s[n]) for n in names) for s in original)
        again = sorted(tuple(str(s[forward.get(n, n)]) for n in names) for s in renamed)
        assert rows == again, path.name


# --- the store URL, binding, answers --------------------------------------------------------


def test_the_store_url(monkeypatch):
    monkeypatch.delenv("QUANZE_STORE_USER", raising=False)
    plain = parse_location("sparql+http://127.0.0.1:8890/sparql")
    assert (plain.query_url, plain.update_url, plain.gsp_url) == (
        "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-graph-crud")
    monkeypatch.setenv("QUANZE_STORE_USER", "dba")
    virtuoso = parse_location("sparql+http://127.0.0.1:8890/sparql?timeout=5")
    assert virtuoso.update_url == "http://127.0.0.1:8890/sparql-auth"
    assert virtuoso.gsp_url == "http://127.0.0.1:8890/sparql-graph-crud-auth" and virtuoso.timeout == 5
    fuseki = parse_location("sparql+http://127.0.0.1:3030/ds/query?update=/ds/update&gsp=/ds/data")
    assert (fuseki.update_url, fuseki.gsp_url) == ("http://127.0.0.1:3030/ds/update", "http://127.0.0.1:3030/ds/data")
    for bad, words in [("sparql+http://dba:secret@127.0.0.1:8890/sparql", "QUANZE_STORE_PASSWORD"),
                       ("sparql+http://127.0.0.1:8890/sparql?password=x", "unknown store URL parameter"),
                       ("sparql+http://127.0.0.1:8890/sparql?timeout=0", "timeout"),
                       ("sparql+http:///sparql", "no host")]:
        with pytest.raises(StoreError, match=words):
            parse_location(bad)


def test_a_password_in_the_url_is_refused_without_echoing_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--store", "sparql+http://dba:hunter2@127.0.0.1:9/sparql", "registers"])
    code, err = exit_.value.code, capsys.readouterr().err
    assert code == 2 and "hunter2" not in err and "QUANZE_STORE_PASSWORD" in err and len(err.strip().splitlines()) == 1


def test_values_are_bound_as_terms_in_the_where_group():
    query = "PREFIX x: <urn:x#> SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    bound = bind(query, {ox.Variable("g"): ox.NamedNode("https://w3id.org/quanze/id/graph/register/潘集区")})
    assert bound == ("PREFIX x: <urn:x#> SELECT ?g WHERE { VALUES (?g) { (<https://w3id.org/quanze/id/graph/register/潘集区>) } "
                     "GRAPH ?g { ?s ?p ?o } }")
    from quanze.graph.query.terms import InvalidParameter

    with pytest.raises(InvalidParameter):  # a value never becomes query text unchecked
        bind(query, {ox.Variable("g"): ox.Literal("a\\b")})
    hostile = bind("SELECT ?o WHERE { ?s ?p ?o }", {ox.Variable("o"): ox.Literal('x" } } DELETE WHERE { ?a ?b ?c } #')})
    solutions = list(ox.Store().query(hostile))  # one query, the value one literal
    assert solutions == []
    assert bind("ASK { ?s ?p ?o }", {ox.Variable("o"): ox.Literal("中")}) == 'ASK { VALUES (?o) { ("中") } ?s ?p ?o }'


def test_query_kind_ignores_keywords_in_strings_and_comments():
    assert query_kind('# SELECT\nPREFIX a: <urn:select#> CONSTRUCT { ?s ?p "ask" } WHERE { ?s ?p ?o }') == "construct"
    assert query_kind("ask { }") == "ask"


def test_answers_are_named_back_and_blank_nodes_read():
    xml = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="v1_"/>'
           b'<variable name="n"/></head><results><result><binding name="v1_"><literal xml:lang="zh">\xe6\xbd\x98\xe9\x9b\x86\xe5\x8c\xba</literal>'
           b'</binding><binding name="n"><bnode>nodeID://b10450</bnode></binding></result></results></sparql>')
    solutions = results("select", xml, {"v1_": "辖区"})
    assert [v.value for v in solutions.variables] == ["辖区", "n"]
    row = next(iter(solutions))
    assert row["辖区"] == ox.Literal("潘集区", language="zh") and isinstance(row["n"], ox.BlankNode)
    triples = list(results("construct", b'<urn:a> <urn:b> "\\u4E2D"@zh .\n', {}))
    assert triples == [ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("中", language="zh"))]


def test_service_is_refused_before_anything_is_sent():
    store = RemoteStore(parse_location("sparql+http://127.0.0.1:9/sparql"))  # nothing listens: a request would fail otherwise
    with pytest.raises(QueryError, match="SERVICE"):
        store.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


# --- failures of the engine -----------------------------------------------------------------


class _Engine(http.server.BaseHTTPRequestHandler):
    behaviour = "500"

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.behaviour == "slow":
            time.sleep(3)
        if self.behaviour == "ok":
            body = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head>'
                    b"<boolean>true</boolean></sparql>")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+xml")
        else:
            body = b"Virtuoso 42000 Error SR999: something broke\n\nSPARQL query:\nSECRET QUERY TEXT"
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@contextmanager
def _engine(behaviour: str):
    handler = type("Engine", (_Engine,), {"behaviour": behaviour})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"sparql+http://127.0.0.1:{server.server_address[1]}/sparql", handler
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("argv", [["query", "ASK {}"], ["registers"], ["compare", "340406", "410503"], ["validate", "--store"]])
def test_an_unreachable_engine_is_one_line_and_exit_2(capsys, argv):
    url = f"sparql+http://127.0.0.1:{_closed_port()}/sparql"
    code = main(["--store", url, *argv])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(("quanze: cannot reach the SPARQL server", "quanze: 无法连接 SPARQL 服务器"))


def test_an_engine_error_and_a_timeout_are_one_line_and_exit_2(capsys):
    with _engine("500") as (url, _):
        code = main(["--store", url, "query", "SELECT * WHERE { ?s ?p ?o }"])
    err = capsys.readouterr().err
    assert code == 2 and "answered 500" in err and "SR999" in err and "SECRET" not in err and len(err.strip().splitlines()) == 1
    with _engine("slow") as (url, _):
        started = time.monotonic()
        code = main(["--store", url + "?timeout=0.5", "query", "ASK { }"])
        assert time.monotonic() - started < 2.5
    err = capsys.readouterr().err
    assert code == 2 and "did not answer" in err and len(err.strip().splitlines()) == 1


def test_the_server_answers_502_and_504_for_the_engines_failures():
    from fastapi.testclient import TestClient

    from quanze.api.main import create_app
    from quanze.api.remote_repository import RemoteRepository
    from quanze.api.settings import Settings

    with _engine("ok") as (url, handler):
        location = parse_location(url + "?timeout=0.5")
        repository = RemoteRepository(location, 1, query_timeout=0.5)
        with TestClient(create_app(Settings(store=location), repository)) as client:
            assert client.get("/sparql", params={"query": "ASK { }"}).json() == {"head": {}, "boolean": True}
            handler.behaviour = "slow"
            answer = client.get("/sparql", params={"query": "ASK { }"})
            assert answer.status_code == 504 and "did not answer" in answer.text
            handler.behaviour = "500"
            answer = client.get("/sparql", params={"query": "ASK { }"})
            assert answer.status_code == 502 and "SR999" in answer.text and "SECRET" not in answer.text


def test_many_named_graphs_go_into_the_text_not_into_headers():
    from quanze.graph.store.remote import with_dataset

    query = "PREFIX a: <urn:a#> SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(?o = 'WHERE') } }"
    text = with_dataset(query, ["urn:current"], ["urn:x", "urn:y"])
    assert text == ("PREFIX a: <urn:a#> SELECT ?g  FROM <urn:current> FROM NAMED <urn:x> FROM NAMED <urn:y>\n"
                    "WHERE { GRAPH ?g { ?s ?p ?o FILTER(?o = 'WHERE') } }")
    assert with_dataset("ASK { ?s ?p ?o }", ["urn:c"], []) == "ASK  FROM <urn:c>\n{ ?s ?p ?o }"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("WHERE"), ox.NamedNode("urn:x")))
    assert [r["g"].value for r in store.query(text)] == ["urn:x"]


def test_a_broken_answer_is_502_and_its_error_holds_no_result_iterator():
    """A truncated answer fails while it is read (pyoxigraph reads results lazily): 502, and the
    error carried to the event loop's thread holds none of pyoxigraph's result iterators, which may
    only be dropped on the thread that made them."""
    from quanze.api.remote_repository import _serialise
    from quanze.api.repository import Overloaded, QueryRequest

    answer = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/></head>'
              b'<results><result><binding name="x"><literal>1</literal></binding></result>'
              b'<result><binding name="x"><literal>2</lit')
    request = QueryRequest("SELECT ?x WHERE { }", "application/sparql-results+json", "select")
    with pytest.raises(Overloaded) as raised:
        _serialise("select", answer, {}, request)
    assert raised.value.status == 502 and "not valid" in str(raised.value)
    frames = []
    for error in (raised.value, raised.value.__cause__):
        tb = error.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
    held = [v for f in frames for v in f.f_locals.values() if isinstance(v, (ox.QuerySolutions, ox.QueryTriples))]
    assert frames and held == []
