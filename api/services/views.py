"""The SPARQL behind the pages and REST routes: small queries, plain dicts out."""

from __future__ import annotations

from collections import defaultdict

from quanze.api.repository import Repository
from quanze.graph.query.compare import PREFIXES

ID = "https://w3id.org/quanze/id/"


def jurisdictions(repo: Repository) -> list[dict[str, object]]:
    """Each jurisdiction with its numbers (integers) of distinct power items and risk points.

    Only `qz:PowerItem`s are counted: agencies and registers also point at their jurisdiction."""
    rows = repo.select(PREFIXES + """SELECT ?code ?name ?comment (COUNT(DISTINCT ?item) AS ?powers) (COUNT(DISTINCT ?risk) AS ?risks) WHERE {
        ?j a qz:Jurisdiction ; qz:divisionCode ?code ; rdfs:label ?name .
        OPTIONAL { ?j rdfs:comment ?comment }
        OPTIONAL { ?item a qz:PowerItem ; qz:jurisdiction ?j . OPTIONAL { ?item qz:hasRiskPoint ?risk } }
      } GROUP BY ?code ?name ?comment ORDER BY ?code""")
    return [{**row, "powers": int(row["powers"] or 0), "risks": int(row["risks"] or 0)} for row in rows]


def powers_of(repo: Repository, code: str) -> list[dict[str, str | None]]:
    return repo.select(PREFIXES + f"""SELECT ?item ?label ?code ?type ?canonical ?canonicalName (MIN(?r) AS ?row) WHERE {{
        ?item a qz:PowerItem ; qz:jurisdiction/qz:divisionCode "{_literal(code)}" .
        OPTIONAL {{ ?item rdfs:label ?label }} OPTIONAL {{ ?item qz:itemCode ?code }}
        OPTIONAL {{ ?item qz:powerType/skos:prefLabel ?type FILTER(lang(?type) = "zh") }}
        OPTIONAL {{ ?item qz:canonicalPower ?c . ?c skos:notation ?canonical ; rdfs:label ?canonicalName }}
        OPTIONAL {{ ?item prov:wasDerivedFrom/qz:row ?r }}
      }} GROUP BY ?item ?label ?code ?type ?canonical ?canonicalName ORDER BY ?row""")


def powers_citing(repo: Repository, instrument: str, number: int) -> list[dict[str, str | None]]:
    article = f"{ID}law/{instrument}/art/{number}"
    return repo.select(PREFIXES + f"""SELECT DISTINCT ?jurisdiction ?code ?item ?label ?itemCode WHERE {{
        ?item qz:legalBasis <{article}> ; qz:jurisdiction ?j . ?j rdfs:label ?jurisdiction ; qz:divisionCode ?code .
        OPTIONAL {{ ?item rdfs:label ?label }} OPTIONAL {{ ?item qz:itemCode ?itemCode }} }} ORDER BY ?code ?label""")


def risk_points(repo: Repository, jurisdiction: str | None, stage: str | None, level: str | None, limit: int = 500) -> list[dict[str, str | None]]:
    filters = []
    if jurisdiction:
        filters.append(f'?item qz:jurisdiction/qz:divisionCode "{_literal(jurisdiction)}" .')
    if stage:
        filters.append(f'?risk qz:atStage/qz:stageType/skos:prefLabel "{_literal(stage)}"@zh .')
    if level:
        filters.append(f"?risk qz:riskLevel qz:{ {'高': 'High', '中': 'Medium', '低': 'Low'}.get(level, level) } .")
    return repo.select(PREFIXES + f"""SELECT DISTINCT ?jurisdiction ?item ?itemLabel ?risk ?label ?level ?stage ?role WHERE {{
        ?item qz:hasRiskPoint ?risk ; qz:jurisdiction/rdfs:label ?jurisdiction .
        OPTIONAL {{ ?item rdfs:label ?itemLabel }}
        ?risk rdfs:label ?label .
        OPTIONAL {{ ?risk qz:riskLevel/skos:prefLabel ?level FILTER(lang(?level) = "zh") }}
        OPTIONAL {{ ?risk qz:atStage/rdfs:label ?stage }}
        OPTIONAL {{ ?risk qz:responsibleRole/rdfs:label ?role }}
        {' '.join(filters)} }} LIMIT {int(limit)}""")


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def describe(repo: Repository, iri: str) -> list[dict[str, str | None]]:
    return repo.select(f"""SELECT ?p ?o ?olabel WHERE {{ <{iri}> ?p ?o .
        OPTIONAL {{ ?o <http://www.w3.org/2000/01/rdf-schema#label> ?olabel }} }}""")


def power_view(repo: Repository, iri: str) -> dict[str, object] | None:
    """Everything a power item's page shows."""
    head = repo.select(PREFIXES + f"""SELECT ?label ?jurisdiction ?code ?type ?itemCode ?basis WHERE {{
        <{iri}> a qz:PowerItem ; qz:jurisdiction ?j . ?j rdfs:label ?jurisdiction ; qz:divisionCode ?code .
        OPTIONAL {{ <{iri}> rdfs:label ?label }} OPTIONAL {{ <{iri}> qz:itemCode ?itemCode }}
        OPTIONAL {{ <{iri}> qz:powerType/skos:prefLabel ?type FILTER(lang(?type) = "zh") }}
        OPTIONAL {{ <{iri}> qz:legalBasisText ?basis }} }} LIMIT 1""")
    if not head:
        return None
    articles = repo.select(PREFIXES + f"""SELECT DISTINCT ?article ?label ?text WHERE {{ <{iri}> qz:legalBasis ?article .
        ?article rdfs:label ?label ; qz:text ?text }} ORDER BY ?label""")
    stages = repo.select(PREFIXES + f"""SELECT ?stage ?label ?order WHERE {{ <{iri}> qz:hasStage ?stage .
        ?stage rdfs:label ?label . OPTIONAL {{ ?stage qz:order ?order }} }} ORDER BY ?order""")
    risks = repo.select(PREFIXES + f"""SELECT ?risk ?label ?level ?stage (GROUP_CONCAT(DISTINCT ?c; separator="；") AS ?controls)
        (GROUP_CONCAT(DISTINCT ?r; separator="；") AS ?roles) WHERE {{ <{iri}> qz:hasRiskPoint ?risk . ?risk rdfs:label ?label .
        OPTIONAL {{ ?risk qz:riskLevel/skos:prefLabel ?level FILTER(lang(?level) = "zh") }}
        OPTIONAL {{ ?risk qz:atStage ?stage }} OPTIONAL {{ ?risk qz:control/rdfs:label ?c }}
        OPTIONAL {{ ?risk qz:responsibleRole/rdfs:label ?r }} }} GROUP BY ?risk ?label ?level ?stage ORDER BY ?risk""")
    duties = repo.select(PREFIXES + f"""SELECT ?label ?order WHERE {{ <{iri}> qz:hasDuty ?d . ?d rdfs:label ?label ; qz:order ?order }} ORDER BY ?order""")
    sources = repo.select(PREFIXES + f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?file ?row ?line WHERE {{ <{iri}> prov:wasDerivedFrom ?s . ?s qz:register/dcterms:source ?file ; qz:line ?line .
        OPTIONAL {{ ?s qz:row ?row }} }}""")
    same = repo.select(PREFIXES + f"""SELECT DISTINCT ?other ?label ?jurisdiction ?canonical WHERE {{ <{iri}> qz:canonicalPower ?c .
        ?c rdfs:label ?canonical . ?other qz:canonicalPower ?c ; qz:jurisdiction/rdfs:label ?jurisdiction .
        OPTIONAL {{ ?other rdfs:label ?label }} FILTER(?other != <{iri}>) }} ORDER BY ?jurisdiction""")
    by_stage: dict[str | None, list[dict[str, str | None]]] = defaultdict(list)
    for risk in risks:
        by_stage[risk["stage"]].append(risk)
    return {"iri": iri, **head[0], "articles": articles, "stages": stages, "risks_by_stage": by_stage,
            "duties": duties, "sources": sources, "same": same}
