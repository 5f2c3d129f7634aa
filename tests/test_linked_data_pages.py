"""Linked data done right: negotiation with q-values, Vary, HEAD, Link alternates, the ontology
resolvable as pages and Turtle, articles listing the powers that rest on them, styled errors,
and /docs with no internet."""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph, URIRef


@pytest.mark.parametrize("accept, media", [
    ("text/turtle, text/html;q=0.1", "text/turtle"),
    ("text/html;q=0.5, application/ld+json", "application/ld+json"),
    ("application/n-triples;q=0.9, text/*;q=0.2", "application/n-triples"),
    ("*/*", "text/html"),
    ("text/html, */*;q=0.8", "text/html"),
    ("text/*;q=0.9, text/html;q=0", "text/turtle"),
])
def test_q_values_are_honoured(server, accept, media):
    response = httpx.get(server + "/id/jurisdiction/410503", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"
    assert 'rel="alternate"; type="text/turtle"' in response.headers["link"]


def test_unacceptable_is_406_and_head_works(server):
    assert httpx.get(server + "/id/jurisdiction/410503", headers={"Accept": "image/png"}).status_code == 406
    head = httpx.head(server + "/id/jurisdiction/410503", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/turtle") and head.content == b""
    assert httpx.head(server + "/ontology").status_code == 200


def test_ontology_and_terms_resolve_to_pages_and_turtle(server):
    page = httpx.get(server + "/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="PowerItem"' in page.text and "权力事项" in page.text
    turtle = httpx.get(server + "/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    qz = "https://w3id.org/quanze/ontology#"
    names = {str(s)[len(qz):] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(qz)}
    assert {"PowerItem", "legalBasis", "High", "Penalty"} <= names
    for name in sorted(names):  # every qz: term has its page and its Turtle
        html = httpx.get(f"{server}/ontology/{name}", headers={"Accept": "text/html"})
        assert html.status_code == 200 and f"qz:{name}" in html.text, name
    term = httpx.get(server + "/ontology/riskLevel", headers={"Accept": "text/turtle"})
    assert term.headers["vary"] == "Accept" and (URIRef(qz + "riskLevel"), None, None) in Graph().parse(data=term.text, format="turtle")
    english = httpx.get(server + "/ontology/PowerItem", params={"lang": "en"}).text
    assert "Power item" in english
    missing = httpx.get(server + "/ontology/NoSuchTerm", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and 'class="error-page"' in missing.text


def test_article_page_lists_the_powers_resting_on_it(server, select):
    page = httpx.get(server + "/id/law/social-insurance-law/art/87", headers={"Accept": "text/html"}).text
    expected = {r["item"] for r in select("SELECT DISTINCT ?item WHERE { ?item qz:legalBasis <https://w3id.org/quanze/id/law/social-insurance-law/art/87> }")}
    listed = set(re.findall(r'<a href="(/id/power/[^"?]+)', page[page.index('id="citing-powers"'):]))
    assert expected and listed == {i.replace("https://w3id.org/quanze", "") for i in expected}


def test_styled_404_for_people_plain_for_machines(server):
    page = httpx.get(server + "/id/power/999999/none", headers={"Accept": "text/html"})
    assert page.status_code == 404 and 'class="error-page"' in page.text and "/static/style.css" in page.text
    assert httpx.get(server + "/id/power/999999/none", headers={"Accept": "text/turtle"}).status_code == 404
    english = httpx.get(server + "/no/such/page", params={"lang": "en"}, headers={"Accept": "text/html"})
    assert english.status_code == 404 and "Not found" in english.text
    api = httpx.get(server + "/api/no-such-route", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_docs_work_without_internet(server):
    from pathlib import Path

    page = httpx.get(server + "/docs").text
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page)
    assert urls and not [u for u in urls if u.startswith(("http:", "https:", "//"))], urls
    if (Path(__file__).resolve().parent.parent / "node_modules" / "swagger-ui-dist").is_dir():
        assert "/vendor/swagger-ui/swagger-ui-bundle.js" in page
        assert httpx.get(server + "/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
