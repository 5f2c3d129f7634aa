"""Per-register summaries: the counts the home page, the matrix and the charts ask of the country.

A query that counts every county's items reads the whole country on every request; a summary
computed when the register is mapped makes it read one small node per register instead.
`summary_quads` is pure: from a jurisdiction's mapped quads (what `map_units` is about to
write) it gives, for each register graph that states items, a `qz:RegisterSummary` in that
same graph. The summary therefore lives and dies with its register: a superseded version's
summary stays in its named graph only, `quanze remove` drops it with the graph, and a
re-mapped jurisdiction gets new ones.

What a summary of graph G for jurisdiction J says (the items "of G" are those whose
`rdf:type qz:PowerItem` / `qz:InternalMatter` G states, i.e. the register that leads them):

- `qz:itemCount`, `qz:riskPointCount`: G's power items of J, their distinct risk points;
- `qz:byPowerType` → (`qz:summaryPowerType`, `qz:itemCount`): power items per type;
- `qz:byCanonicalPower` → (`qz:summaryCanonicalPower`, `qz:itemCount`, `qz:riskPointCount`
  summed over the items, `qz:summaryRiskLevel` each level their risk points have,
  `qz:summaryItem` each item): one cell of the matrix; `qz:canonicalPowerCounts`: the same item
  counts in one literal ("canonical/P1 2", a line each), so the country's matrix reads one value
  per register rather than one entry per cell;
- `qz:byArticle` → (`qz:summaryArticle`, `qz:itemCount`): power items resting on each article;
- `qz:byStageLevel` → (`qz:summaryStageType`, `qz:summaryRiskLevel`, `qz:riskPointCount`,
  `qz:minStageOrder`): risk points (of power items and internal matters) per stage type and level.

The last two do not depend on the jurisdiction: an item is counted there once, on the summary
of its first jurisdiction (or on a summary without `qz:summaryJurisdiction` when it has none),
so sums over all summaries equal counts over the country. Labels, ranks and notations are not
copied: readers join them from the ontology, statute and canonical graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from quanze.graph.map.quads import QuadSink
from quanze.graph.namespaces import ID, QZ

Quad = tuple[Node, Node, Node, Node]
_GRAPH_PREFIX = str(ID["graph/"])
_ITEM_TYPES = (QZ.PowerItem, QZ.InternalMatter)


def summary_iri(graph: URIRef, jurisdiction: URIRef | None) -> URIRef:
    """id/summary/<graph tail>/<division code, or "none">: one per register graph and jurisdiction."""
    tail = str(graph)[len(_GRAPH_PREFIX):] if str(graph).startswith(_GRAPH_PREFIX) else str(graph).rsplit("/", 1)[-1]
    code = str(jurisdiction).rstrip("/").rsplit("/", 1)[-1] if jurisdiction is not None else "none"
    return ID[f"summary/{tail}/{code}"]


def _tail(iri: Node) -> str:
    """The part of an IRI after id/ or after the ontology's #, to name an entry below a summary."""
    text = str(iri)
    if text.startswith(str(ID)):
        return text[len(str(ID)):]
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass
class _Index:
    """What the summaries need of the quads, by subject."""

    typed_in: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    """item → graphs stating its rdf:type qz:PowerItem / qz:InternalMatter."""
    power: set[Node] = field(default_factory=set)
    jurisdictions: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    values: dict[tuple[Node, Node], set[Node]] = field(default_factory=lambda: defaultdict(set))
    registers: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    """graph → the qz:Register nodes it types."""

    def get(self, subject: Node, predicate: Node) -> set[Node]:
        return self.values.get((subject, predicate), set())


_KEPT = {QZ.powerType, QZ.canonicalPower, QZ.legalBasis, QZ.hasRiskPoint, QZ.riskLevel, QZ.atStage, QZ.stageType, QZ.order}


def _index(quads: Iterable[Quad]) -> _Index:
    index = _Index()
    for s, p, o, g in quads:
        if p == RDF.type:
            if o in _ITEM_TYPES:
                index.typed_in[s].add(g)
                if o == QZ.PowerItem:
                    index.power.add(s)
            elif o == QZ.Register:
                index.registers[g].add(s)
        elif p == QZ.jurisdiction:
            index.jurisdictions[s].add(o)
        elif p in _KEPT:
            index.values[(s, p)].add(o)
    return index


@dataclass
class _Summary:
    items: set[Node] = field(default_factory=set)
    risks: set[Node] = field(default_factory=set)
    by_type: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    by_canonical: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    by_article: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    by_stage_level: dict[tuple[Node, Node], set[Node]] = field(default_factory=lambda: defaultdict(set))
    min_order: dict[tuple[Node, Node], int] = field(default_factory=dict)


def _sorted(nodes: Iterable[Node | None]) -> list:
    return sorted(nodes, key=lambda n: "" if n is None else str(n))


def summary_quads(quads: Iterable[Quad]) -> list[Quad]:
    """The `qz:RegisterSummary` quads of the items in `quads` (rdflib terms; graph last)."""
    index = _index(quads)
    summaries: dict[tuple[Node, Node | None], _Summary] = defaultdict(_Summary)
    for item, graphs in index.typed_in.items():
        graph = _sorted(graphs)[0]
        places = _sorted(index.jurisdictions.get(item)) or [None]
        risks = index.get(item, QZ.hasRiskPoint)
        for n, place in enumerate(places):
            summary = summaries[(graph, place)]
            if item in index.power and place is not None:
                summary.items.add(item)
                summary.risks |= risks
                for kind in index.get(item, QZ.powerType):
                    summary.by_type[kind].add(item)
                for canonical in index.get(item, QZ.canonicalPower):
                    summary.by_canonical[canonical].add(item)
            if n:  # what does not depend on the jurisdiction is counted once
                continue
            if item in index.power:
                for article in index.get(item, QZ.legalBasis):
                    summary.by_article[article].add(item)
            for risk in risks:
                for level in index.get(risk, QZ.riskLevel):
                    for stage in index.get(risk, QZ.atStage):
                        orders = [int(o) for o in index.get(stage, QZ.order) if isinstance(o, Literal) and _integer(o)]
                        for kind in index.get(stage, QZ.stageType):
                            key = (kind, level)
                            summary.by_stage_level[key].add(risk)
                            if orders:
                                summary.min_order[key] = min(orders + ([summary.min_order[key]] if key in summary.min_order else []))
    out: list[Quad] = []
    for (graph, place), s in sorted(summaries.items(), key=lambda pair: (str(pair[0][0]), str(pair[0][1]))):
        node = summary_iri(graph, place)

        def add(subject: Node, predicate: Node, obj: Node) -> None:
            out.append((subject, predicate, obj, graph))

        add(node, RDF.type, QZ.RegisterSummary)
        for register in _sorted(index.registers.get(graph, ())):
            add(node, QZ.summaryOf, register)
        if place is not None:
            add(node, QZ.summaryJurisdiction, place)
            add(node, QZ.itemCount, Literal(len(s.items)))
            add(node, QZ.riskPointCount, Literal(len(s.risks)))
        for kind, items in sorted(s.by_type.items(), key=lambda p: str(p[0])):
            entry = URIRef(f"{node}/type/{_tail(kind)}")
            add(node, QZ.byPowerType, entry)
            add(entry, QZ.summaryPowerType, kind)
            add(entry, QZ.itemCount, Literal(len(items)))
        for canonical, items in sorted(s.by_canonical.items(), key=lambda p: str(p[0])):
            entry = URIRef(f"{node}/{_tail(canonical)}")
            add(node, QZ.byCanonicalPower, entry)
            add(entry, QZ.summaryCanonicalPower, canonical)
            add(entry, QZ.itemCount, Literal(len(items)))
            add(entry, QZ.riskPointCount, Literal(sum(len(index.get(i, QZ.hasRiskPoint)) for i in items)))
            levels = {level for i in items for r in index.get(i, QZ.hasRiskPoint) for level in index.get(r, QZ.riskLevel)}
            for level in _sorted(levels):
                add(entry, QZ.summaryRiskLevel, level)
            for item in _sorted(items):
                add(entry, QZ.summaryItem, item)
        if s.by_canonical:
            lines = sorted(f"{_tail(canonical)} {len(items)}" for canonical, items in s.by_canonical.items())
            add(node, QZ.canonicalPowerCounts, Literal("\n".join(lines)))
        for article, items in sorted(s.by_article.items(), key=lambda p: str(p[0])):
            entry = URIRef(f"{node}/article/{_tail(article)}")
            add(node, QZ.byArticle, entry)
            add(entry, QZ.summaryArticle, article)
            add(entry, QZ.itemCount, Literal(len(items)))
        for (kind, level), risks in sorted(s.by_stage_level.items(), key=lambda p: (str(p[0][0]), str(p[0][1]))):
            entry = URIRef(f"{node}/stage/{_tail(kind)}/{_tail(level)}")
            add(node, QZ.byStageLevel, entry)
            add(entry, QZ.summaryStageType, kind)
            add(entry, QZ.summaryRiskLevel, level)
            add(entry, QZ.riskPointCount, Literal(len(risks)))
            if (kind, level) in s.min_order:
                add(entry, QZ.minStageOrder, Literal(s.min_order[(kind, level)]))
    return out


def _integer(literal: Literal) -> bool:
    try:
        int(literal)
    except (TypeError, ValueError):
        return False
    return True


def add_summaries(sink: QuadSink) -> None:
    """Write the summaries of the items mapped into `sink` beside them (each in its register's graph)."""
    wanted = {RDF.type, QZ.jurisdiction, *_KEPT}
    for s, p, o, g in summary_quads(quad for quad in sink.quads() if quad[1] in wanted):
        sink.graph(g).add((s, p, o))
