"""Graph analytics over the registers with networkx: who cites what, how alike counties are.

The RDF graph is projected to a networkx graph of jurisdictions, power items, canonical
powers, articles and instruments; from it come the most-cited articles, the Jaccard
similarity of jurisdictions (over canonical powers and over cited articles), the articles
every jurisdiction relies on and those only one cites, and a GraphML file for Gephi.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from quanze.graph.query.compare import PREFIXES, Select


def project(select: Select) -> nx.Graph:
    graph = nx.Graph()
    rows = select(PREFIXES + """PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT ?item ?label ?j ?code ?jname ?c ?cname ?art ?artname ?law ?lawname WHERE {
          ?item a qz:PowerItem ; qz:jurisdiction ?j . ?j qz:divisionCode ?code ; rdfs:label ?jname .
          OPTIONAL { ?item rdfs:label ?label }
          OPTIONAL { ?item qz:canonicalPower ?c . ?c rdfs:label ?cname }
          OPTIONAL { ?item qz:legalBasis ?art . ?art rdfs:label ?artname ; eli:is_part_of ?law . ?law rdfs:label ?lawname }
        }""")
    for r in rows:
        graph.add_node(r["j"], kind="jurisdiction", label=r["jname"], code=r["code"])
        graph.add_node(r["item"], kind="power", label=r["label"] or "")
        graph.add_edge(r["item"], r["j"], relation="jurisdiction")
        if r["c"]:
            graph.add_node(r["c"], kind="canonical", label=r["cname"])
            graph.add_edge(r["item"], r["c"], relation="canonicalPower")
        if r["art"]:
            graph.add_node(r["art"], kind="article", label=r["artname"])
            graph.add_node(r["law"], kind="instrument", label=r["lawname"])
            graph.add_edge(r["item"], r["art"], relation="legalBasis")
            graph.add_edge(r["art"], r["law"], relation="isPartOf")
    return graph


@dataclass
class Analysis:
    most_cited: list[tuple[str, int, int]]
    """(article, items citing it, jurisdictions citing it)."""
    canonical_similarity: list[tuple[str, str, float]]
    article_similarity: list[tuple[str, str, float]]
    cited_by_all: list[str]
    cited_by_one: list[tuple[str, str]]


def _of_kind(graph: nx.Graph, kind: str) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == kind)


def _reach(graph: nx.Graph, jurisdiction: str, kind: str) -> set[str]:
    """Nodes of a kind reached from a jurisdiction through its power items."""
    items = [n for n in graph[jurisdiction] if graph.nodes[n]["kind"] == "power"]
    return {m for item in items for m in graph[item] if graph.nodes[m]["kind"] == kind}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def analyse(graph: nx.Graph, top: int = 10) -> Analysis:
    jurisdictions = _of_kind(graph, "jurisdiction")
    name = {j: graph.nodes[j]["label"] for j in jurisdictions}
    citing: dict[str, set[str]] = defaultdict(set)
    for article in _of_kind(graph, "article"):
        for item in graph[article]:
            if graph.nodes[item]["kind"] == "power":
                citing[article].update(n for n in graph[item] if graph.nodes[n]["kind"] == "jurisdiction")
    most = sorted(
        ((graph.nodes[a]["label"], sum(1 for n in graph[a] if graph.nodes[n]["kind"] == "power"), len(js)) for a, js in citing.items()),
        key=lambda x: (-x[1], -x[2], x[0]),
    )[:top]
    pairs = list(combinations(jurisdictions, 2))
    canon = {j: _reach(graph, j, "canonical") for j in jurisdictions}
    arts = {j: _reach(graph, j, "article") for j in jurisdictions}
    return Analysis(
        most_cited=most,
        canonical_similarity=sorted(((name[a], name[b], round(jaccard(canon[a], canon[b]), 3)) for a, b in pairs), key=lambda x: -x[2]),
        article_similarity=sorted(((name[a], name[b], round(jaccard(arts[a], arts[b]), 3)) for a, b in pairs), key=lambda x: -x[2]),
        cited_by_all=sorted(graph.nodes[a]["label"] for a, js in citing.items() if len(js) == len(jurisdictions)),
        cited_by_one=sorted((graph.nodes[a]["label"], name[next(iter(js))]) for a, js in citing.items() if len(js) == 1),
    )


def to_text(analysis: Analysis) -> str:
    out = ["== 被引用最多的条款（事项数 / 辖区数）"]
    out += [f"  {label}  {items} / {places}" for label, items, places in analysis.most_cited]
    out.append("== 辖区相似度（标准权力事项 Jaccard）")
    out += [f"  {a} — {b}  {s:.2f}" for a, b, s in analysis.canonical_similarity]
    out.append("== 辖区相似度（所引条款 Jaccard）")
    out += [f"  {a} — {b}  {s:.2f}" for a, b, s in analysis.article_similarity]
    out.append("== 各辖区均引用的条款")
    out += [f"  {label}" for label in analysis.cited_by_all] or ["  （无）"]
    out.append("== 仅一个辖区引用的条款")
    out += [f"  {label}  ← {place}" for label, place in analysis.cited_by_one] or ["  （无）"]
    return "\n".join(out) + "\n"


def write_graphml(graph: nx.Graph, path: str) -> None:
    nx.write_graphml(graph, path)
