"""The canonical catalogue and the alignment links in RDF.

Catalogue entries are qz:CanonicalPower (id/canonical/<id>) in their own graph with their
core articles; each item's link is a direct qz:canonicalPower plus a qz:Alignment node that
carries the score, the method and the evidence. Items below the threshold get an Alignment
with no link (status review), so the review list is a query away.
"""

from __future__ import annotations

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from quanze.graph.align.powers import Alignment, Canonical, ItemFacts
from quanze.graph.map.statutes import article_iri
from quanze.graph.model import ItemDraft
from quanze.graph.namespaces import ID, QZ

CANONICAL_GRAPH = ID["graph/canonical"]
ALIGNMENT_GRAPH = ID["graph/alignment"]


def canonical_iri(canonical_id: str) -> URIRef:
    return ID[f"canonical/{canonical_id}"]


def add_canonical(dataset: Dataset, catalogue: list[Canonical]) -> None:
    graph = dataset.graph(CANONICAL_GRAPH)
    for entry in catalogue:
        node = canonical_iri(entry.id)
        graph.add((node, RDF.type, QZ.CanonicalPower))
        graph.add((node, RDFS.label, Literal(entry.name, lang="zh")))
        graph.add((node, SKOS.notation, Literal(entry.id)))
        graph.add((node, QZ.powerType, QZ[entry.power_type]))
        for name in entry.alt_names:
            graph.add((node, SKOS.altLabel, Literal(name, lang="zh")))
        for key in entry.articles:
            instrument, number = key.split(":")
            graph.add((node, QZ.coreArticle, article_iri(instrument, int(number))))
        if entry.note:
            graph.add((node, RDFS.comment, Literal(entry.note, lang="zh")))


def item_facts(item: URIRef, group: list[ItemDraft]) -> ItemFacts:
    """Names, type and cited articles of a (possibly merged) item."""
    names = []
    for draft in group:
        names.extend(n for n in (draft.label, draft.raw_label.strip()) if n and n not in names)
    articles = frozenset(
        f"{link.resolution.instrument_id}:{number}" for draft in group for link in draft.citations for number in link.found
    )
    lead = group[0]
    return ItemFacts(
        key=str(item).split("/id/power/", 1)[-1],
        names=tuple(names),
        power_type=lead.power_type.rsplit("#", 1)[-1] if lead.power_type else None,
        articles=articles,
    )


def add_alignment(dataset: Dataset, item: URIRef, alignment: Alignment) -> None:
    graph = dataset.graph(ALIGNMENT_GRAPH)
    node = URIRef(f"{item}/alignment")
    graph.add((node, RDF.type, QZ.Alignment))
    graph.add((node, QZ.alignedItem, item))
    graph.add((node, QZ.matchScore, Literal(alignment.score)))
    graph.add((node, QZ.alignmentMethod, Literal(alignment.method)))
    graph.add((node, QZ.evidence, Literal(alignment.evidence, lang="zh")))
    if alignment.canonical:
        graph.add((node, QZ.canonicalPower, canonical_iri(alignment.canonical)))
        graph.add((item, QZ.canonicalPower, canonical_iri(alignment.canonical)))
