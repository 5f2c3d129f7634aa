"""The ontology, resolvable: /ontology and every qz: term, as a documentation page or as Turtle.

`https://w3id.org/quanze/ontology#Term` resolves to /ontology (the page has an anchor per
term) and to /ontology/Term (the term's own page). HTML for browsers, Turtle / JSON-LD /
N-Triples for machines, by Accept (q-values honoured) or `format=`; `Vary: Accept`, HEAD, and
`Link` headers naming the alternates. /ontology/vocabulary.json feeds the query editor.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Graph

from quanze.api.services import ontology
from quanze.api.services.negotiation import ALIASES, choose

router = APIRouter(tags=["linked data"])
OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
FORMAT_NAMES = {"text/turtle": "turtle", "application/ld+json": "jsonld", "application/n-triples": "nt"}


def alternates(path: str, media: str) -> dict[str, str]:
    links = [f'<{path}>; rel="canonical"'] + [
        f'<{path}?format={name}>; rel="alternate"; type="{m}"' for m, name in FORMAT_NAMES.items() if m != media
    ]
    if media != "text/html":
        links.append(f'<{path}?format=html>; rel="alternate"; type="text/html"')
    return {"Vary": "Accept", "Link": ", ".join(links)}


def negotiated(request: Request, format: str | None) -> str | None:
    if format:
        wanted = ALIASES.get(format.lower(), format.lower())
        return wanted if wanted in OFFERED else None
    return choose(request.headers.get("accept"), OFFERED)


def _graph_response(graph_text: str, media: str, path: str) -> Response:
    if media == "text/turtle":
        body = graph_text
    else:
        g = Graph()
        g.parse(data=graph_text, format="turtle")
        body = g.serialize(format=RDFLIB[media])
    charset = "; charset=utf-8"
    return Response(body, media_type=media + charset, headers=alternates(path, media))


def _not_acceptable(path: str) -> Response:
    return Response(f"406: this resource is offered as {', '.join(OFFERED)}\n", status_code=406, media_type="text/plain; charset=utf-8",
                    headers=alternates(path, ""))


@router.get("/ontology/vocabulary.json", include_in_schema=False)
async def vocabulary() -> JSONResponse:
    """Prefixes, classes, properties and concepts for the query editor's completion."""
    return JSONResponse(ontology.vocabulary(), headers={"Cache-Control": "max-age=3600"})


@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The Quanze ontology (documentation page, Turtle, JSON-LD, N-Triples)")
async def ontology_page(request: Request, format: str | None = Query(None, max_length=20), lang: str = Query("zh", pattern="^(zh|en)$")) -> Response:
    from quanze.api.routers.pages import render

    media = negotiated(request, format)
    if media is None:
        return _not_acceptable("/ontology")
    if media != "text/html":
        return _graph_response(ontology.ontology_turtle(), media, "/ontology")
    terms = list(ontology.terms().values())
    sections = [(section, zh if lang == "zh" else en, [t for t in terms if t.kind == section]) for _, section, zh, en in ontology.KINDS]
    others = [t for t in terms if t.kind == "other"]
    if others:
        sections.append(("other", "其他" if lang == "zh" else "Other terms", others))
    response = render(request, "ontology.html", lang, title=ontology.ontology_header(lang)["title"], head=ontology.ontology_header(lang),
                      sections=[s for s in sections if s[2]], prefixes=ontology.PREFIXES)
    response.headers.update(alternates("/ontology", media))
    return response


@router.api_route("/ontology/{name}", methods=["GET", "HEAD"], summary="One qz: term (documentation page, Turtle, JSON-LD, N-Triples)")
async def term_page(name: str, request: Request, format: str | None = Query(None, max_length=20),
                    lang: str = Query("zh", pattern="^(zh|en)$")) -> Response:
    from quanze.api.routers.errors import error_page
    from quanze.api.routers.pages import render

    term = ontology.terms().get(name)
    if term is None:
        return error_page(request, 404, lang, f"https://w3id.org/quanze/ontology#{name}")
    path = f"/ontology/{name}"
    media = negotiated(request, format)
    if media is None:
        return _not_acceptable(path)
    if media != "text/html":
        return _graph_response(ontology.term_turtle(name), media, path)
    response = render(request, "ontology_term.html", lang, title=f"qz:{name}", term=term)
    response.headers.update(alternates(path, media))
    return response
