"""The SPARQL behind the pages and REST routes: small queries, plain dicts out.

Every value that reaches a query here has been validated (graph.query.terms) and is written
as an RDF term by `terms.term`; every query runs through the repository's `query` method with
the endpoint's size limit, result cap and timeout (`selector`).
"""

from __future__ import annotations

import json
from collections import defaultdict

from quanze.api.repository import QueryRequest, Repository
from quanze.api.settings import Settings
from quanze.graph.query import terms
from quanze.graph.query.compare import PREFIXES, Select
from quanze.graph.query.guard import check_text
from quanze.graph.query.terms import term

ID = "https://w3id.org/quanze/id/"
JSON = "application/sparql-results+json"


def selector(repo: Repository, settings: Settings) -> Select:
    """Run a generated SELECT as /sparql runs a query: the same text checks and size limit,
    the same result cap and timeout."""

    def run(sparql: str) -> list[dict[str, str | None]]:
        check_text(sparql, settings.max_query_bytes)
        data, _ = repo.query(QueryRequest(sparql, JSON, "select", max_results=settings.max_results), settings.query_timeout)
        parsed = json.loads(data)
        names = parsed["head"]["vars"]
        return [{n: (b[n]["value"] if n in b else None) for n in names} for b in parsed["results"]["bindings"]]

    return run


def cached(repo: Repository, name, compute):
    """`compute()` kept per store generation by the repository (`derived`), or computed now by one that keeps
    nothing (a remote store, a test double)."""
    derived = getattr(repo, "derived", None)
    return derived(name, compute) if derived is not None else compute()


def every_jurisdiction(repo: Repository, settings: Settings) -> list[dict[str, object]]:
    """`jurisdictions` of the whole store (GET /api/jurisdictions): O(country), so computed once per generation."""
    return cached(repo, "jurisdictions", lambda: jurisdictions(selector(repo, settings)))


def jurisdictions(select: Select, codes: list[str] | None = None) -> list[dict[str, object]]:
    """Each jurisdiction (or those with these division codes) with its numbers (integers) of distinct
    power items and risk points.

    Only `qz:PowerItem`s are counted: agencies and registers also point at their jurisdiction.
    Read from the per-register summaries (graph/query/summaries.py) where the store has them."""
    from quanze.graph.query import summaries

    if not summaries.available(select):
        rows = jurisdictions_scan(select, codes)
    elif codes is None:
        rows = summaries.jurisdictions(select)
    else:
        rows = summaries.jurisdictions_of(select, codes)
    return [{**row, "powers": int(row["powers"] or 0), "risks": int(row["risks"] or 0)} for row in rows]


def jurisdictions_scan(select: Select, codes: list[str] | None = None) -> list[dict[str, str | None]]:
    """The home page's rows counted item by item over the whole country (a store without summaries)."""
    if codes is not None and not codes:
        return []
    values = "" if codes is None else "VALUES ?code { " + " ".join(term(terms.division_code(c)) for c in sorted(set(codes))) + " }"
    return select(PREFIXES + """SELECT ?code ?name ?comment (COUNT(DISTINCT ?item) AS ?powers) (COUNT(DISTINCT ?risk) AS ?risks) WHERE {
        """ + values + """ ?j a qz:Jurisdiction ; qz:divisionCode ?code ; rdfs:label ?name .
        OPTIONAL { ?j rdfs:comment ?comment }
        OPTIONAL { ?item a qz:PowerItem ; qz:jurisdiction ?j . OPTIONAL { ?item qz:hasRiskPoint ?risk } }
      } GROUP BY ?code ?name ?comment ORDER BY ?code""")


def powers_of(select: Select, code: str) -> list[dict[str, str | None]]:
    code = term(terms.division_code(code))
    return select(PREFIXES + f"""SELECT ?item ?label ?code ?type ?canonical ?canonicalName (MIN(?r) AS ?row) WHERE {{
        ?j qz:divisionCode {code} . ?item qz:jurisdiction ?j . FILTER EXISTS {{ ?item a qz:PowerItem }}
        OPTIONAL {{ ?item rdfs:label ?label }} OPTIONAL {{ ?item qz:itemCode ?code }}
        OPTIONAL {{ ?item qz:powerType/skos:prefLabel ?type FILTER(lang(?type) = "zh") }}
        OPTIONAL {{ ?item qz:canonicalPower ?c . ?c skos:notation ?canonical ; rdfs:label ?canonicalName }}
        OPTIONAL {{ ?item prov:wasDerivedFrom/qz:row ?r }}
      }} GROUP BY ?item ?label ?code ?type ?canonical ?canonicalName ORDER BY ?row""")


def powers_citing(select: Select, instrument: str, number: int) -> list[dict[str, str | None]]:
    article = term(terms.iri(f"{ID}law/{terms.instrument(instrument)}/art/{terms.article_number(number)}"))
    return select(PREFIXES + f"""SELECT DISTINCT ?jurisdiction ?code ?item ?label ?itemCode WHERE {{
        ?item qz:legalBasis {article} ; qz:jurisdiction ?j . ?j rdfs:label ?jurisdiction ; qz:divisionCode ?code .
        OPTIONAL {{ ?item rdfs:label ?label }} OPTIONAL {{ ?item qz:itemCode ?itemCode }} }} ORDER BY ?code ?label""")


def risk_points(select: Select, jurisdiction: str | None, stage: str | None, level: str | None, limit: int = 500) -> list[dict[str, str | None]]:
    filters = []
    if jurisdiction:
        filters.append(f"?item qz:jurisdiction/qz:divisionCode {term(terms.division_code(jurisdiction))} .")
    if stage:
        filters.append(f"?risk qz:atStage/qz:stageType/skos:prefLabel {term(terms.literal(terms.stage(stage), 'zh'))} .")
    if level:
        filters.append(f"?risk qz:riskLevel {term(terms.risk_level(level))} .")
    return select(PREFIXES + f"""SELECT DISTINCT ?jurisdiction ?item ?itemLabel ?risk ?label ?level ?stage ?role WHERE {{
        ?item qz:hasRiskPoint ?risk ; qz:jurisdiction/rdfs:label ?jurisdiction .
        OPTIONAL {{ ?item rdfs:label ?itemLabel }}
        ?risk rdfs:label ?label .
        OPTIONAL {{ ?risk qz:riskLevel/skos:prefLabel ?level FILTER(lang(?level) = "zh") }}
        OPTIONAL {{ ?risk qz:atStage/rdfs:label ?stage }}
        OPTIONAL {{ ?risk qz:responsibleRole/rdfs:label ?role }}
        {' '.join(filters)} }} LIMIT {int(limit)}""")


def describe(select: Select, iri: str) -> list[dict[str, str | None]]:
    node = term(terms.iri(iri))
    return select(f"""SELECT ?p ?o ?olabel WHERE {{ {node} ?p ?o .
        OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?olabel }} }}""")


def power_view(select: Select, iri: str) -> dict[str, object] | None:
    """Everything a power item's page shows."""
    node = term(terms.iri(iri))
    head = select(PREFIXES + f"""SELECT ?label ?jurisdiction ?code ?type ?itemCode ?basis WHERE {{
        {node} a qz:PowerItem ; qz:jurisdiction ?j . ?j rdfs:label ?jurisdiction ; qz:divisionCode ?code .
        OPTIONAL {{ {node} rdfs:label ?label }} OPTIONAL {{ {node} qz:itemCode ?itemCode }}
        OPTIONAL {{ {node} qz:powerType/skos:prefLabel ?type FILTER(lang(?type) = "zh") }}
        OPTIONAL {{ {node} qz:legalBasisText ?basis }} }} LIMIT 1""")
    if not head:
        return None
    articles = select(PREFIXES + f"""SELECT DISTINCT ?article ?label ?text WHERE {{ {node} qz:legalBasis ?article .
        ?article rdfs:label ?label ; qz:text ?text }} ORDER BY ?label""")
    stages = select(PREFIXES + f"""SELECT ?stage ?label ?order WHERE {{ {node} qz:hasStage ?stage .
        ?stage rdfs:label ?label . OPTIONAL {{ ?stage qz:order ?order }} }} ORDER BY ?order""")
    risks = select(PREFIXES + f"""SELECT ?risk ?label ?level ?stage (GROUP_CONCAT(DISTINCT ?c; separator="；") AS ?controls)
        (GROUP_CONCAT(DISTINCT ?r; separator="；") AS ?roles) WHERE {{ {node} qz:hasRiskPoint ?risk . ?risk rdfs:label ?label .
        OPTIONAL {{ ?risk qz:riskLevel/skos:prefLabel ?level FILTER(lang(?level) = "zh") }}
        OPTIONAL {{ ?risk qz:atStage ?stage }} OPTIONAL {{ ?risk qz:control/rdfs:label ?c }}
        OPTIONAL {{ ?risk qz:responsibleRole/rdfs:label ?r }} }} GROUP BY ?risk ?label ?level ?stage ORDER BY ?risk""")
    duties = select(PREFIXES + f"""SELECT ?label ?order WHERE {{ {node} qz:hasDuty ?d . ?d rdfs:label ?label ; qz:order ?order }} ORDER BY ?order""")
    sources = select(PREFIXES + f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?file ?row ?line WHERE {{ {node} prov:wasDerivedFrom ?s . ?s qz:register/dcterms:source ?file ; qz:line ?line .
        OPTIONAL {{ ?s qz:row ?row }} }}""")
    same = select(PREFIXES + f"""SELECT DISTINCT ?other ?label ?jurisdiction ?canonical WHERE {{ {node} qz:canonicalPower ?c .
        ?c rdfs:label ?canonical . ?other qz:canonicalPower ?c ; qz:jurisdiction/rdfs:label ?jurisdiction .
        OPTIONAL {{ ?other rdfs:label ?label }} FILTER(?other != {node}) }} ORDER BY ?jurisdiction""")
    by_stage: dict[str | None, list[dict[str, str | None]]] = defaultdict(list)
    for risk in risks:
        by_stage[risk["stage"]].append(risk)
    return {"iri": iri, **head[0], "articles": articles, "stages": stages, "risks_by_stage": by_stage,
            "duties": duties, "sources": sources, "same": same}
