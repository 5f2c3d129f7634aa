"""Linked data: every IRI under https://w3id.org/quanze/id/ is served at /id/…

People get an HTML page (a power item's page shows its legal basis with article text, its
stages with their risk points, its duties, sources and the same power elsewhere); machines
get Turtle, JSON-LD or N-Triples by Accept or `format=`.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from quanze.api.deps import RepositoryDep, SettingsDep
from quanze.api.repository import QueryRequest
from quanze.api.services import views
from quanze.api.services.negotiation import choose
from quanze.api.services.sparql import RefusedQuery, negotiate
from quanze.graph.query.guard import check_text
from quanze.graph.query.terms import InvalidParameter, division_code, iri as checked_iri, term

router = APIRouter(tags=["linked data"])
BASE = "https://w3id.org/quanze/id/"
_ARTICLE = re.compile(r"^https://w3id\.org/quanze/id/law/([A-Za-z0-9-]+)/art/(\d+)$")


OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


def _alternates(request: Request) -> dict[str, str]:
    path = request.url.path
    links = [f'<{path}?format={name}>; rel="alternate"; type="{media}"'
             for name, media in (("html", "text/html"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"))]
    return {"Vary": "Accept", "Link": ", ".join(links)}


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="A resource of the graph (HTML, Turtle, JSON-LD, N-Triples)")
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
    headers = _alternates(request)
    if format is None:  # content negotiation: q-values, wildcards and specificity honoured
        chosen = choose(request.headers.get("accept"), OFFERED)
        if chosen is None:
            return PlainTextResponse(f"406: this resource is offered as {', '.join(OFFERED)}", status_code=406, headers=headers)
    else:
        chosen = "text/html" if format.lower() == "html" else None
    if chosen == "text/html":
        response = await _page(request, views.selector(repository, settings), iri, lang)
        response.headers.update(headers)
        return response
    try:
        media = chosen or negotiate("construct", None, format)
    except RefusedQuery as error:
        return PlainTextResponse(str(error), status_code=error.status, headers=headers)
    sparql = f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}"
    check_text(sparql, settings.max_query_bytes)
    query = QueryRequest(sparql, media, "construct", max_results=settings.max_results)
    data, media = await run_in_threadpool(repository.query, query, settings.query_timeout)
    if not data.strip() or data.strip() in (b"[]", b"{}"):
        return PlainTextResponse(f"no resource {iri}", status_code=404, headers=headers)
    return Response(data, media_type=media, headers=headers)


async def _page(request: Request, select: views.Select, iri: str, lang: str) -> Response:
    from quanze.api.routers.pages import render

    view = await run_in_threadpool(views.power_view, select, iri)
    if view:
        return render(request, "power.html", lang, title=str(view.get("label") or iri), v=view)
    if iri.startswith(BASE + "jurisdiction/"):
        code = iri.rsplit("/", 1)[-1]
        one = [code] if len(code) == 6 and code.isascii() and code.isdigit() else []  # that one, not the country's list
        jurisdictions = {j["code"]: j for j in await run_in_threadpool(views.jurisdictions, select, one)}
        if code in jurisdictions:
            powers = await run_in_threadpool(views.powers_of, select, division_code(code))
            return render(request, "jurisdiction.html", lang, title=jurisdictions[code]["name"], name=jurisdictions[code]["name"], code=code, powers=powers)
    rows = await run_in_threadpool(views.describe, select, iri)
    if not rows:
        from quanze.api.routers.errors import error_page

        return error_page(request, 404, lang, iri)
    label = next((r["o"] for r in rows if r["p"].endswith("#label")), iri)
    article = _ARTICLE.match(iri)
    if article:  # an article's page lists, per jurisdiction, the powers that rest on it
        powers = await run_in_threadpool(views.powers_citing, select, article.group(1), int(article.group(2)))
        text = next((r["o"] for r in rows if r["p"].endswith("#text")), None)
        return render(request, "article.html", lang, title=label, label=label, iri=iri, rows=rows, powers=powers, text=text)
    return render(request, "resource.html", lang, title=label, label=label, iri=iri, rows=rows)
