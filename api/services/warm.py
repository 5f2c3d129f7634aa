"""What the server computes ahead of its visitors, once per store generation.

On a country-sized store the example queries, the matrix, every jurisdiction's counts and the
compare page's tables each read the whole country: 0.1–1 s of the engine's time. Their answers
only change with the store, so the repository keeps them per generation (its result cache and
`derived`), and these jobs fill those caches in a background thread when the server starts and
when a new generation goes live (OxigraphRepository.warm). Each job asks exactly what a request
asks — the same query text, format, caps and code path — so a warmed answer is the answer a
request would have computed; the first request after a change that arrives before the warm-up
reaches it simply computes it itself (a cold answer, as without warming).
"""

from __future__ import annotations

from collections.abc import Callable

from quanze.api.repository import QueryRequest
from quanze.api.services import views
from quanze.api.settings import Settings

JSON = "application/sparql-results+json"


def jobs(repository, settings: Settings, env) -> list[Callable[[], object]]:
    """The warm-up jobs, in order: whether the store is worth warming (`settings.warm`; a job returning False
    ends the warm-up), every jurisdiction's counts, the matrix download, the compare page of its default pair,
    then the example queries as POST /sparql answers them in JSON (what the query page asks for). `env` is the
    pages' Jinja environment (the compare page's matrix is kept as HTML)."""
    from quanze.api.routers import downloads, pages

    def worth_it() -> bool:
        return settings.warm == "1" or _jurisdictions(repository, settings) > settings.page_jurisdictions

    work: list[Callable[[], object]] = [
        worth_it,
        lambda: views.every_jurisdiction(repository, settings),
        lambda: downloads.matrix_csv(repository, settings, "zh"),
        lambda: _compare_page(repository, settings, env),
    ]
    for _, text in pages.example_texts():
        work.append(lambda text=text: repository.query(sparql_request(text, settings), settings.query_timeout))
    return work


def _compare_page(repository, settings: Settings, env) -> None:
    """The queries of GET /compare with no parameters: its tables, and the side by side of its default pair."""
    from quanze.api.routers import pages
    from quanze.api.services import comparison
    from quanze.graph.query.compare import UnknownJurisdiction

    tables = pages.compare_tables(repository, settings, env, pages.DEFAULT_A, pages.DEFAULT_B, "", "zh")
    try:
        comparison.side_by_side(views.selector(repository, settings), tables.scope.a, tables.scope.b, tables.matrix)
    except UnknownJurisdiction:
        pass


def _jurisdictions(repository, settings: Settings) -> int:
    from quanze.graph.query.compare import PREFIXES

    rows = views.selector(repository, settings)(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?j a qz:Jurisdiction }")
    return int(rows[0]["n"] or 0) if rows else 0


def sparql_request(text: str, settings: Settings) -> QueryRequest:
    """The request POST /sparql makes of this text with Accept: application/sparql-results+json (its base IRI
    left out, as the result cache files it when the text cannot depend on it: repository.cache_form). The text
    is read as /sparql reads it, through its cache of read texts (routers/sparql.py INSPECTIONS), which the
    warm-up thereby fills too: reading 01's text costs tens of milliseconds."""
    from quanze.api.routers.sparql import INSPECTIONS

    kind, refused = INSPECTIONS.compute(text, settings.max_query_bytes)
    if refused is not None:
        raise refused
    return QueryRequest(text, JSON, kind, (), (), settings.max_results, settings.max_result_bytes)
