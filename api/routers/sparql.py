"""SPARQL 1.1 Protocol, query operation only: GET, POST form, POST application/sparql-query.

The request is checked before anything is run: the body is refused from its Content-Length or
while it streams in once it passes the size limit (413), never read whole first; a POST must
say what it carries (a form or application/sparql-query, in UTF-8: else 415/400); the query
text is inspected once per distinct text (a cache), in a thread; a client that has gone is
not served. The repository then answers from its cache or its workers, with admission control.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from threading import Lock
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.repository import Cancelled, Overloaded, QueryFailed, QueryRequest, QueryTimeout, ResultTooLarge
from quanze.api.gate import parked
from quanze.api.services.sparql import RefusedQuery, explain, inspect, negotiate
from quanze.graph.query.terms import InvalidParameter, iri

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
PARAMETER_ROOM = 64 * 1024
"""Bytes a form body may carry beyond its (URL-encoded) query: the graph parameters."""


class _Inspections:
    """inspect() once per distinct query text: its kind, or the refusal it earned."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, int], tuple[str | None, RefusedQuery | None]] = OrderedDict()
        self.lock = Lock()
        self.parsing = Lock()
        self.pending = 0
        self.max_pending = 16
        self.seconds = 0.02
        """Recent time to read one new query text (moving average): readings are one at a time, so a new
        text waits about pending × seconds; past `wait_budget` it is refused at once instead."""
        self.wait_budget = 0.25
        self.inflight: dict[tuple[str, int], asyncio.Future] = {}

    def get(self, text: str, max_bytes: int):
        with self.lock:
            found = self.entries.get((text, max_bytes))
            if found is not None:
                self.entries.move_to_end((text, max_bytes))
            return found

    def compute(self, text: str, max_bytes: int) -> tuple[str | None, RefusedQuery | None]:
        with self.parsing:  # rdflib's pyparsing grammar keeps state: one parse at a time
            found = self.get(text, max_bytes)
            if found is not None:
                return found
            started = time.monotonic()
            try:
                outcome = (inspect(text, max_bytes), None)
            except RefusedQuery as error:
                outcome = (None, error)
            except RecursionError:
                outcome = (None, RefusedQuery("the query is nested too deeply to be read", 400))
            except Exception as error:  # ValueError for a bad \U escape, and whatever else the parser trips on
                outcome = (None, RefusedQuery(f"the query cannot be read: {' '.join(str(error).split())[:200]}", 400))
            self.seconds = 0.8 * self.seconds + 0.2 * (time.monotonic() - started)
        if len(text) <= 100_000:
            with self.lock:
                self.entries[(text, max_bytes)] = outcome
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return outcome


INSPECTIONS = _Inspections()


async def _kind(text: str, max_bytes: int) -> str:
    if len(text) > max_bytes:  # characters ≥ bytes/4: a sure refusal needs no parse
        raise RefusedQuery(f"the query text is larger than {max_bytes} bytes", 413)
    found = INSPECTIONS.get(text, max_bytes)
    if found is None:
        key = (text, max_bytes)
        with INSPECTIONS.lock:  # reading a new query text costs ~10-50 ms of CPU: a bounded line for it too
            shared = INSPECTIONS.inflight.get(key)
            if shared is None:
                if INSPECTIONS.pending >= INSPECTIONS.max_pending or (
                    INSPECTIONS.pending and INSPECTIONS.pending * INSPECTIONS.seconds > INSPECTIONS.wait_budget
                ):
                    raise RefusedQuery("the server is busy reading other queries; retry shortly", 503)
                INSPECTIONS.pending += 1
                shared = INSPECTIONS.inflight[key] = asyncio.get_running_loop().create_future()
                leader = True
            else:
                leader = False
        if leader:  # the same text arriving meanwhile waits for this one reading
            try:
                found = await run_in_threadpool(INSPECTIONS.compute, text, max_bytes)
                shared.set_result(found)
            except BaseException as error:
                shared.set_exception(RefusedQuery("the query could not be read; retry", 503))
                shared.exception()  # retrieved: no warning if nobody else was waiting
                raise error
            finally:
                with INSPECTIONS.lock:
                    INSPECTIONS.pending -= 1
                    INSPECTIONS.inflight.pop(key, None)
        else:
            with parked:  # waiting for another request's reading, not for this process's CPU (api/gate.py)
                found = await asyncio.shield(shared)
    kind, refusal = found
    if refusal is not None:
        raise refusal
    return kind  # type: ignore[return-value]


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    kind, *parameters = raw.split(";")
    options = {}
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        options[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), options


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 from Content-Length or as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise RefusedQuery("the Content-Length header is not a number", 400)
        if int(declared) > limit:
            raise RefusedQuery(f"the request body is larger than {limit} bytes", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RefusedQuery(f"the request body is larger than {limit} bytes", 413)
    return bytes(body)


def _form(text: bytes | str, what: str) -> dict[str, list[str]]:
    try:
        raw = text.decode("ascii") if isinstance(text, bytes) else text
        return parse_qs(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError:
        raise RefusedQuery(f"the {what} is not URL-encoded UTF-8", 400) from None


async def _parameters(request: Request, max_query_bytes: int) -> dict[str, list[str]]:
    params = _form(request.scope.get("query_string", b""), "query string")
    if request.method != "POST":
        return params
    media, options = _media_type(request)
    charset = options.get("charset")
    if media not in (FORM, DIRECT, UPDATE):
        if not media:
            raise RefusedQuery(f"say what the body is: Content-Type {FORM} or {DIRECT}", 415)
        raise RefusedQuery(f"unsupported content type {media!r}; send {FORM} or {DIRECT}", 415)
    if charset not in (None, "utf-8", "utf8") and media != FORM:
        raise RefusedQuery(f"the query must be sent in UTF-8, not {charset}", 415)
    if media == UPDATE:
        raise RefusedQuery("this endpoint is read-only: SPARQL updates are refused", 403)
    if media == DIRECT:
        body = await _body(request, max_query_bytes)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RefusedQuery("the query body is not UTF-8", 400) from None
        if params.get("query"):
            raise RefusedQuery("give the query once: in the body or as query=, not both", 400)
        params["query"] = [text]
        return params
    body = await _body(request, 3 * max_query_bytes + PARAMETER_ROOM)
    for key, values in _form(body, "form body").items():
        params.setdefault(key, []).extend(values)
    return params


def _refuse(message: str, status: int, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return PlainTextResponse(message, status_code=status, headers=headers)


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 query endpoint (read-only)",
    description=(
        "Query with `query=` (GET or form POST) or an `application/sparql-query` body; "
        "`default-graph-uri` and `named-graph-uri` select graphs (default: the union of all graphs). "
        "Results: application/sparql-results+json, +xml, text/csv, text/tab-separated-values; graphs: "
        "text/turtle, application/n-triples, application/ld+json, application/rdf+xml (Accept header or `format=`). "
        "Updates (403), SERVICE (403), oversized queries (413), bodies that are not a form or a query in UTF-8 "
        "(415/400) are refused; when the server is busy it answers 503 (or 429 for one client's excess) with "
        "Retry-After at once; a query past the timeout answers 503 and a result past the row or byte cap 422."
    ),
)
async def sparql(request: Request, repository: RepositoryDep, settings: SettingsDep) -> Response:
    try:
        params = await _parameters(request, settings.max_query_bytes)
        if params.get("update"):
            raise RefusedQuery("this endpoint is read-only: SPARQL updates are refused", 403)
        queries = params.get("query", [])
        if len(queries) != 1:
            raise RefusedQuery("give exactly one query= parameter", 400)
        kind = await _kind(queries[0], settings.max_query_bytes)
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
            settings.max_results, settings.max_result_bytes,
            base_iri=str(request.url.replace(query="", fragment="")),
        )
        client = request.client.host if request.client else None
        if hasattr(repository, "query_async"):
            data, media = await repository.query_async(query, settings.query_timeout, client, request.is_disconnected)
        else:
            data, media = await run_in_threadpool(repository.query, query, settings.query_timeout)
    except RefusedQuery as error:
        return _refuse(str(error), error.status, 1 if error.status == 503 else None)
    except Overloaded as error:
        return _refuse(str(error), error.status, error.retry_after)
    except QueryTimeout as error:
        return _refuse(str(error), 503, 5)
    except ResultTooLarge as error:
        return _refuse(f"{error}; add a LIMIT", 422)
    except QueryFailed as error:
        return _refuse(explain(str(error), queries[0]), 400)
    except Cancelled as error:
        return _refuse(str(error), 499)
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media or "xml" in media else ""
    return Response(data, media_type=media + charset)
