"""Linked data: every IRI under https://w3id.org/quanze/id/ is served at /id/…

People get an HTML page (a power item's page shows its legal basis with article text, its
stages with their risk points, its duties, sources and the same power elsewhere); machines
get Turtle, JSON-LD or N-Triples by Accept or `format=`.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.repository import QueryRequest
from quanze.api.services import views
from quanze.api.services.sparql import RefusedQuery, negotiate
from quanze.graph.query.guard import check_text
from quanze.graph.query.terms import InvalidParameter, division_code, iri as checked_iri, term

router = APIRouter(tags=["linked data"])
BASE = "https://w3id.org/quanze/id/"


@router.get("/id/{path:path}", summary="A resource of the graph (HTML, Turtle, JSON-LD, N-Triples)")
async def resource(
    path: str, request: Request, repository: RepositoryDep, settings: SettingsDep,
    format: str | None = None, lang: str = Query("zh", pattern="^(zh|en)$"),
) -> Response:
    iri = BASE + path
    if not str(request.scope.get("path", "")).endswith("/id/" + path):  # the path matcher drops a final line feed
        return PlainTextResponse(f"not a valid resource path: {request.scope.get('path')!r}", status_code=400)
    try:
        node = term(checked_iri(iri))
    except InvalidParameter as error:
        return PlainTextResponse(f"/id/{path!r}: {error}", status_code=400)
    accept = request.headers.get("accept", "")
    if format is None and ("text/html" in accept or not accept or accept == "*/*"):
        return await _page(request, views.selector(repository, settings), iri, lang)
    try:
        media = negotiate("construct", accept, format)
    except RefusedQuery as error:
        return PlainTextResponse(str(error), status_code=error.status)
    sparql = f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}"
    check_text(sparql, settings.max_query_bytes)
    query = QueryRequest(sparql, media, "construct", max_results=settings.max_results)
    data, media = await run_in_threadpool(repository.query, query, settings.query_timeout)
    if not data.strip() or data.strip() in (b"[]", b"{}"):
        return PlainTextResponse(f"no resource {iri}", status_code=404)
    return Response(data, media_type=media)


async def _page(request: Request, select: views.Select, iri: str, lang: str) -> Response:
    from quanze.api.routers.pages import render

    view = await run_in_threadpool(views.power_view, select, iri)
    if view:
        return render(request, "power.html", lang, title=str(view.get("label") or iri), v=view)
    if iri.startswith(BASE + "jurisdiction/"):
        code = iri.rsplit("/", 1)[-1]
        jurisdictions = {j["code"]: j for j in await run_in_threadpool(views.jurisdictions, select)}
        if code in jurisdictions:
            powers = await run_in_threadpool(views.powers_of, select, division_code(code))
            return render(request, "jurisdiction.html", lang, title=jurisdictions[code]["name"], name=jurisdictions[code]["name"], code=code, powers=powers)
    rows = await run_in_threadpool(views.describe, select, iri)
    if not rows:
        return HTMLResponse(f"<h1>404</h1><p>{html.escape(iri)}</p>", status_code=404)
    label = next((r["o"] for r in rows if r["p"].endswith("#label")), iri)
    return render(request, "resource.html", lang, title=label, label=label, iri=iri, rows=rows)
