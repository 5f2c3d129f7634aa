"""SPARQL 1.1 Protocol, query operation only: GET, POST form, POST application/sparql-query."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.repository import QueryFailed, QueryRequest, QueryTimeout, ResultTooLarge
from quanze.api.services.sparql import RefusedQuery, inspect, negotiate
from quanze.graph.query.terms import InvalidParameter, iri

router = APIRouter(tags=["sparql"])


async def _parameters(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if content_type == "application/sparql-query":
            params["query"] = [body]
        elif content_type == "application/sparql-update":
            params["update"] = [body]
        elif content_type in ("application/x-www-form-urlencoded", ""):
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        else:
            raise RefusedQuery(f"unsupported content type {content_type!r}; send a form or application/sparql-query", 415)
    return params


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 query endpoint (read-only)",
    description=(
        "Query with `query=` (GET or form POST) or an `application/sparql-query` body; "
        "`default-graph-uri` and `named-graph-uri` select graphs (default: the union of all graphs). "
        "Results: application/sparql-results+json, +xml, text/csv, text/tab-separated-values; graphs: "
        "text/turtle, application/n-triples, application/ld+json, application/rdf+xml (Accept header or `format=`). "
        "Updates (403), SERVICE (403), oversized queries (413) are refused; a query past the timeout answers 503 "
        "and a result past the cap 422."
    ),
)
async def sparql(request: Request, repository: RepositoryDep, settings: SettingsDep) -> Response:
    try:
        params = await _parameters(request)
        if params.get("update"):
            raise RefusedQuery("this endpoint is read-only: SPARQL updates are refused", 403)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise RefusedQuery("give exactly one query= parameter", 400)
        kind = inspect(queries[0], settings.max_query_bytes)
        for name in ("default-graph-uri", "named-graph-uri"):
            for value in params.get(name, []):
                try:
                    iri(value)  # a graph name of the store: checked, never fetched
                except InvalidParameter as error:
                    raise RefusedQuery(f"{name}: {error}", 400) from error
        media = negotiate(kind, request.headers.get("accept"), (params.get("format") or [None])[0])
        query = QueryRequest(
            queries[0], media, kind,
            tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
            settings.max_results,
        )
        data, media = await run_in_threadpool(repository.query, query, settings.query_timeout)
    except RefusedQuery as error:
        return PlainTextResponse(str(error), status_code=error.status)
    except QueryTimeout as error:
        return PlainTextResponse(str(error), status_code=503)
    except ResultTooLarge as error:
        return PlainTextResponse(f"{error}; add a LIMIT", status_code=422)
    except QueryFailed as error:
        return PlainTextResponse(str(error), status_code=400)
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media or "xml" in media else ""
    return Response(data, media_type=media + charset)
