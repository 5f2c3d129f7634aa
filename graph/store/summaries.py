"""Add per-register summaries to a store built before they existed (a backfill).

`quanze build` and `quanze add` write each register's `qz:RegisterSummary` as they map it
(graph/map/summaries.py). A store built by an earlier version has none, and the pages count
item by item there (graph/query/summaries.py `available`). This writes the summaries of every
current register into a new store generation, from the facts the store already holds — the
jurisdiction's current register graphs and the items' links to the canonical catalogue —, and
the current ontology (which defines the summary terms), so the pages switch to them:

    python -m quanze.graph.store.summaries STORE

Superseded versions get no summary (no page counts them). Running it twice changes nothing.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF

from quanze.graph.map.alignment import ALIGNMENT_GRAPH
from quanze.graph.map.summaries import summary_quads
from quanze.graph.namespaces import QZ
from quanze.graph.store.build import ONTOLOGY_GRAPH
from quanze.graph.store.oxigraph import StoreError, updating
from quanze.graph.store.registers import catalogue
from quanze.graph.validate.store_view import to_ox, to_rdflib
from quanze.graph.vocab import load_ontology

_NEEDED = [RDF.type, QZ.jurisdiction, QZ.powerType, QZ.legalBasis, QZ.hasRiskPoint, QZ.riskLevel, QZ.atStage, QZ.stageType, QZ.order]


def jurisdiction_summaries(store: ox.Store, graphs: list[str]) -> list[ox.Quad]:
    """The summary quads of one jurisdiction's current register graphs, from the store's facts."""
    quads = []
    for graph in graphs:
        name = ox.NamedNode(graph)
        for predicate in _NEEDED:
            for q in store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None, name):
                quads.append((to_rdflib(q.subject), predicate, to_rdflib(q.object), URIRef(graph)))
    items = {s for s, p, o, _ in quads if p == RDF.type and o in (QZ.PowerItem, QZ.InternalMatter)}
    alignment = ox.NamedNode(str(ALIGNMENT_GRAPH))
    for item in sorted(items):
        for q in store.quads_for_pattern(ox.NamedNode(str(item)), ox.NamedNode(str(QZ.canonicalPower)), None, alignment):
            quads.append((item, QZ.canonicalPower, to_rdflib(q.object), ALIGNMENT_GRAPH))
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g))) for s, p, o, g in summary_quads(quads)]


def backfill(path: Path) -> int:
    """Write the summaries of every current register of the store at `path` (a new generation); the number of quads written."""
    written = 0
    with updating(path) as store:
        graphs: dict[str, list[str]] = defaultdict(list)
        for entry in catalogue(store):
            if entry.current:
                graphs[entry.division_code].append(entry.graphs[0])
        ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
        terms = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ontology) for s, p, o in load_ontology_graph()]
        for code in sorted(graphs):
            quads = jurisdiction_summaries(store, sorted(graphs[code]))
            store.bulk_extend(quads)
            store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
            written += len(quads)
        store.bulk_extend(terms)
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in terms)
        del store  # the last reference: RocksDB closes before `updating` renames its directory
    return written


def load_ontology_graph():
    from quanze.graph import paths

    return load_ontology(paths.ontology_dir())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m quanze.graph.store.summaries STORE", file=sys.stderr)
        return 2
    try:
        written = backfill(Path(args[0]))
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(f"{written} summary quads written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
