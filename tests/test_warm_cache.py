"""Answers kept per store generation (issue 13, the whole country): the result cache's key, tables the
pages compute (`derived`), and the warm-up that fills both when a generation goes live. A kept or
warmed answer must be the answer a request computes with every cache off."""

from __future__ import annotations

import dataclasses
import json
import threading

import httpx
import pytest

from quanze.api.repository import OxigraphRepository, QueryRequest, cache_form
from quanze.api.settings import Settings
from quanze.graph.store.oxigraph import write_store
from tests._server import running_server

MARK = "<urn:quanze:test> <urn:quanze:generation> \"{n}\" <urn:quanze:test-graph> .\n"
WHICH = "SELECT ?g WHERE { <urn:quanze:test> <urn:quanze:generation> ?g }"


def _rows(data: bytes) -> tuple[list[str], list[str]]:
    """SPARQL JSON results as (variables, rows in a canonical order): a query without ORDER BY may list
    its rows in another order on each evaluation."""
    parsed = json.loads(data)
    return parsed["head"]["vars"], sorted(json.dumps(b, sort_keys=True, ensure_ascii=False) for b in parsed["results"]["bindings"])


def _request(text: str, base: str | None = "http://127.0.0.1:8000/sparql") -> QueryRequest:
    return QueryRequest(text, "application/sparql-results+json", "select", base_iri=base)


@pytest.mark.parametrize("text, keeps_base", [
    ("SELECT * WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }", False),
    ("PREFIX qz: <https://w3id.org/quanze/ontology#> SELECT * WHERE { ?s qz:itemCode ?o } # 北关区", False),
    ("SELECT * WHERE { ?s <label> ?o }", True),  # a relative IRI: resolved against the base
    ("SELECT * WHERE { ?s <> ?o }", True),
    ("BASE <http://example.org/> SELECT * WHERE { ?s <label> ?o }", True),
    ("SELECT (IRI(\"x\") AS ?i) WHERE {}", True),  # IRI() resolves against the base too
    ("SELECT (uri(\"x\") AS ?i) WHERE {}", True),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<?p>?s) }", True),  # not an IRI, but read as one: kept, the safe side
])
def test_the_cache_leaves_out_a_base_the_text_cannot_depend_on(text, keeps_base):
    request = _request(text)
    assert (cache_form(request).base_iri == request.base_iri) is keeps_base
    assert cache_form(_request(text, None)) == _request(text, None)
    assert dataclasses.replace(cache_form(request), base_iri=request.base_iri) == request


def test_a_relative_iri_is_answered_for_each_base(store_path):
    """Two bases, two answers: the cache must not give one base's answer to the other."""
    repository = OxigraphRepository(store_path, 1)
    try:
        text = "SELECT (IRI(\"x\") AS ?i) WHERE {}"
        answers = [json.loads(repository.query(_request(text, base), 10)[0])["results"]["bindings"][0]["i"]["value"]
                   for base in ("http://a.example/sparql", "http://b.example/sparql", "http://a.example/sparql")]
        assert answers == ["http://a.example/x", "http://b.example/x", "http://a.example/x"]
    finally:
        repository.close()


def test_a_table_is_computed_once_per_generation_and_again_after_a_change(tmp_path):
    store = tmp_path / "store"
    write_store(MARK.format(n=1).encode(), store)
    repository = OxigraphRepository(store, 1)
    calls: list[str] = []

    def compute() -> str:
        value = repository.select(WHICH)[0]["g"]
        calls.append(value)
        return value

    try:
        for _ in range(3):
            token = repository.pin()
            assert repository.derived("which", compute) == "1"
            repository.unpin(token)
        assert calls == ["1"]
        write_store(MARK.format(n=2).encode(), store)  # a new generation goes live
        token = repository.pin()
        assert repository.derived("which", compute) == "2"
        assert repository.derived("which", compute) == "2"
        repository.unpin(token)
        assert calls == ["1", "2"]
        assert all(key[0] == repository.watch.current.name for key in repository._derived), "the old generation's tables are gone"
    finally:
        repository.close()


def test_a_table_of_a_generation_no_longer_live_is_not_kept(tmp_path):
    """A request pinned to the old generation computes its own table but does not file it under the new one."""
    store = tmp_path / "store"
    write_store(MARK.format(n=1).encode(), store)
    repository = OxigraphRepository(store, 1)
    try:
        token = repository.pin()
        write_store(MARK.format(n=2).encode(), store)
        repository.watch.probe()
        assert repository.derived("which", lambda: repository.select(WHICH)[0]["g"]) == "1"
        repository.unpin(token)
        token = repository.pin()
        assert repository.derived("which", lambda: repository.select(WHICH)[0]["g"]) == "2"
        repository.unpin(token)
    finally:
        repository.close()


def test_with_the_cache_off_a_table_is_computed_every_time(store_path):
    repository = OxigraphRepository(store_path, 1, cache_bytes=0)
    calls = []
    try:
        for _ in range(3):
            repository.derived("n", lambda: calls.append(1))
        assert len(calls) == 3
        repository.warm_with(lambda: calls.append("warm"))
        assert repository.warm() is None and "warm" not in calls, "nothing is warmed with the cache off"
    finally:
        repository.close()


def test_concurrent_callers_share_one_computation(store_path):
    repository = OxigraphRepository(store_path, 1)
    started, release, calls = threading.Event(), threading.Event(), []

    def compute():
        calls.append(1)
        started.set()
        release.wait(10)
        return "table"

    try:
        results = []
        threads = [threading.Thread(target=lambda: results.append(repository.derived("t", compute))) for _ in range(4)]
        threads[0].start()
        started.wait(10)
        for thread in threads[1:]:
            thread.start()
        release.set()
        for thread in threads:
            thread.join(10)
        assert results == ["table"] * 4 and calls == [1]
    finally:
        repository.close()


def _warmed(store_path, warm: str) -> OxigraphRepository:
    from quanze.api.main import create_app
    from quanze.api.services import warm as warming

    repository = OxigraphRepository(store_path, 1)
    settings = dataclasses.replace(Settings(store=store_path), warm=warm)
    repository.warm_with(*warming.jobs(repository, settings, create_app(settings).state.templates.env))
    thread = repository.warm()
    assert thread is not None
    thread.join(120)
    assert not thread.is_alive()
    return repository


def test_the_warm_up_fills_the_caches_with_the_answers_a_request_computes(store_path):
    from quanze.api.routers import pages
    from quanze.api.routers.sparql import INSPECTIONS
    from quanze.api.services import warm as warming

    settings = Settings(store=store_path)
    repository = _warmed(store_path, "1")
    cold = OxigraphRepository(store_path, 1, cache_bytes=0)
    try:
        generation = repository.watch.current.name
        texts = pages.example_texts()
        assert len(texts) >= 9
        for name, text in texts:
            request = warming.sparql_request(text, settings)
            kept = repository.cache.get(generation, (generation, request))
            assert kept is not None, f"{name} was not warmed"
            assert INSPECTIONS.get(text, settings.max_query_bytes) == (request.kind, None), "the text was read as /sparql reads it"
            # what POST /sparql would ask (with its base IRI) finds the warmed answer, equal to a cold evaluation
            asked = dataclasses.replace(request, base_iri="http://127.0.0.1:8000/sparql")
            assert repository.cache.get(generation, (generation, cache_form(asked))) == kept
            assert kept[0] == "ok" and _rows(kept[1]) == _rows(cold.query(asked, 30)[0]), f"{name}: the warmed answer differs"
        names = {key[1] for key in repository._derived}
        assert {"jurisdictions", "matrix", ("matrix.csv", "zh")} <= names
        assert {n[0] for n in names if isinstance(n, tuple)} >= {"matrix cells", "matrix html", "charts"}
    finally:
        repository.close()
        cold.close()


def test_auto_warms_only_a_store_larger_than_a_page(store_path):
    repository = _warmed(store_path, "auto")  # the seed store: four jurisdictions
    try:
        assert not repository._derived
        assert [key[1].sparql.split("SELECT")[1] for key in repository.cache.entries] == [
            " (COUNT(*) AS ?n) WHERE { ?j a qz:Jurisdiction }"], "only the count that decided it"
    finally:
        repository.close()


def test_warm_and_cold_servers_give_the_same_pages_and_answers(store_path):
    """Through HTTP: a server whose caches were warmed at start, and one with every cache off."""
    from quanze.api.routers import pages

    paths = ["/api/jurisdictions", "/compare/matrix/download?format=csv", "/compare/matrix/download?format=csv&lang=en",
             "/compare", "/compare?a=140423&b=620922&lang=en", "/", "/id/jurisdiction/410503"]
    answers = {}
    for name, settings in (("warm", {"QUANZE_WARM": "1"}), ("cold", {"QUANZE_CACHE_BYTES": "0"})):
        with running_server(store_path, **settings) as url, httpx.Client(base_url=url, timeout=60) as client:
            got = {}
            for _ in range(2):  # the second time from the caches, where there are any
                for path in paths:
                    response = client.get(path, headers={"Accept": "text/html"} if path.startswith("/id/") else {})
                    assert response.status_code == 200, (name, path, response.text[:200])
                    got.setdefault(path, set()).add(response.content)
                for query, text in pages.example_texts():
                    response = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
                    assert response.status_code == 200, (name, query)
                    got.setdefault(query, set()).add(repr(_rows(response.content)))
            assert all(len(v) == 1 for v in got.values()), f"{name}: an answer changed between two requests"
            answers[name] = got
    assert answers["warm"] == answers["cold"]
    assert b"\xe5\x8c\x97\xe5\x85\xb3\xe5\x8c\xba" in next(iter(answers["warm"]["/api/jurisdictions"])), "北关区 listed"


def test_a_table_whose_computation_fails_is_computed_again_next_time(store_path):
    repository = OxigraphRepository(store_path, 1)
    attempts = []

    def compute():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the engine was busy")
        return "table"

    try:
        with pytest.raises(RuntimeError):
            repository.derived("t", compute)
        assert repository.derived("t", compute) == "table" == repository.derived("t", compute)
        assert len(attempts) == 2 and not repository._derived_locks
    finally:
        repository.close()


def test_the_matrix_grid_says_what_the_matrix_holds(select):
    """The compare page's matrix is written from comparison.matrix_grid: each cell's items, level and link."""
    from quanze.api.services import comparison

    for lang, marks in (("zh", "高中低✓"), ("en", "HML✓")):
        matrix = comparison.matrix_cells(select, lang)
        grid = comparison.matrix_grid(matrix, lang)
        assert [row[:3] for row in grid] == [tuple(c) for c in matrix.canonical]
        seen = 0
        for cid, _, _, cells, total in grid:
            assert [jname for jname, _ in cells] == [name for _, name in matrix.jurisdictions]
            assert total == matrix.row_total(cid)
            for (code, _), (_, cell) in zip(matrix.jurisdictions, cells):
                kept = matrix.cells.get((code, cid))
                assert (cell is None) == (kept is None)
                if cell:
                    seen += 1
                    level, title, link, mark, count = cell
                    assert title.split("；") == [label for _, label in kept.items] and count == len(kept.items)
                    assert link.startswith("/id/") and "https://w3id.org/quanze" + link == kept.items[0][0]
                    assert mark in marks and level == comparison.LEVEL_CLASSES.get(kept.top, "lv-none")
        assert seen, "an empty matrix proves nothing"
