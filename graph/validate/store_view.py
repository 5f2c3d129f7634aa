"""Some named graphs of the embedded store, read as an rdflib Graph without copying them.

`quanze validate --store` turns each stored validation result into a Finding, which looks up
a few nodes around the result (the item, its source record, its register, labels). Parsing a
county's graphs into rdflib for that cost more than everything else together (and the whole
jurisdictions graph was parsed once per county); `store_graph` answers the same lookups from
the store's indexes, one pattern at a time. Triples added to the view (the statute labels
`with_statute_facts` puts beside the data) are kept beside it in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype in (_XSD_STRING, _LANG_STRING) else Literal(term.value, datatype=URIRef(datatype))


def to_ox(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


class _StoreView(Store):
    """A read view of named graphs of a pyoxigraph store (each optionally filtered by subject), plus
    an in-memory graph of triples added to it."""

    def __init__(self, store: ox.Store, graphs: Iterable[tuple[str, Callable[[str], bool] | None]]) -> None:
        super().__init__()
        self.ox = store
        self.graphs = [(ox.NamedNode(name), keep) for name, keep in graphs]
        self.extra = Graph()

    def add(self, triple, context=None, quoted=False) -> None:
        self.extra.add(triple)

    def triples(self, pattern, context=None) -> Iterator:
        s, p, o = pattern
        seen = set()
        try:
            subject, predicate, obj = to_ox(s), to_ox(p), to_ox(o)
        except (TypeError, ValueError):
            return
        for graph, keep in self.graphs:
            for quad in self.ox.quads_for_pattern(subject, predicate, obj, graph):
                if keep is not None and not keep(quad.subject.value):
                    continue
                triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                if triple not in seen:
                    seen.add(triple)
                    yield triple, iter(())
        for triple in self.extra.triples(pattern):
            if triple not in seen:
                seen.add(triple)
                yield triple, iter(())

    def __len__(self, context=None) -> int:
        return sum(1 for _ in self.triples((None, None, None)))

    def contexts(self, triple=None):
        return iter(())


def store_graph(store: ox.Store, graphs: Iterable[tuple[str, Callable[[str], bool] | None]]) -> Graph:
    """An rdflib Graph over the named `graphs` of `store` (name, and a test on the subject IRI or None)."""
    return Graph(store=_StoreView(store, graphs))
