"""Answers for the errors a page or route can meet: a bad parameter is the caller's (400),
a query past the deadline is 503, a result past the cap 422 — never a 500 with a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from quanze.api.repository import QueryFailed, QueryTimeout, ResultTooLarge
from quanze.graph.query.guard import RefusedQuery
from quanze.graph.query.terms import InvalidParameter


def _answer(request: Request, message: str, status: int) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(InvalidParameter)
    async def invalid(request: Request, error: InvalidParameter) -> Response:
        return _answer(request, str(error), 400)

    @app.exception_handler(RefusedQuery)
    async def refused(request: Request, error: RefusedQuery) -> Response:
        return _answer(request, str(error), error.status)

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, error: QueryTimeout) -> Response:
        return _answer(request, str(error), 503)

    @app.exception_handler(ResultTooLarge)
    async def too_large(request: Request, error: ResultTooLarge) -> Response:
        return _answer(request, str(error), 422)

    @app.exception_handler(QueryFailed)
    async def failed(request: Request, error: QueryFailed) -> Response:
        return _answer(request, f"the query could not be answered: {error}", 503)
