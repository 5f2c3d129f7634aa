"""Where a build maps its registers to: triples kept per named graph, in the order written.

The mappers (graph/map/items.py, alignment.py) only ever add triples to `dataset.graph(iri)`;
an rdflib Dataset indexes every one of them three ways for lookups the build never makes,
and then serialises them again. A `QuadSink` takes the same calls and keeps plain tuples, so
a build pays for one rdflib graph only — the one the shapes are run over (`union`) — and
writes its N-Quads straight from the tuples (`nquads`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral

Triple = tuple


@dataclass(frozen=True)
class Quads:
    """A mapped part of the dataset as the store takes it: N-Quads of the named graphs, and the
    same triples as N-Triples for the default graph (the current facts), or None to derive them.

    The writer of the tuples has both at hand for the price of one formatting; deriving the
    copy later means parsing the named quads again (graph/store/oxigraph.py `current_copy`).
    """

    named: bytes
    current: bytes | None = None


class GraphSink:
    """One named graph of a QuadSink: what the mappers call on an rdflib graph (`add`)."""

    __slots__ = ("identifier", "triples")

    def __init__(self, identifier: URIRef, triples: list[Triple]) -> None:
        self.identifier = identifier
        self.triples = triples

    def add(self, triple: Triple) -> GraphSink:
        self.triples.append(triple)
        return self

    def __len__(self) -> int:
        return len(set(self.triples))


class QuadSink:
    """Stands in for an rdflib Dataset that is only written to: `graph(iri).add(triple)`."""

    def __init__(self) -> None:
        self._graphs: dict[URIRef, list[Triple]] = {}

    def graph(self, identifier: URIRef) -> GraphSink:
        return GraphSink(identifier, self._graphs.setdefault(identifier, []))

    def quads(self) -> Iterator[tuple[object, object, object, URIRef]]:
        for name, triples in self._graphs.items():
            for s, p, o in triples:
                yield s, p, o, name

    def union(self, leave_out: Iterable[URIRef] = ()) -> Graph:
        """Every triple of every graph but `leave_out` in one rdflib Graph (what the shapes judge)."""
        skip = set(leave_out)
        graph = Graph()
        add = graph.add
        for name, triples in self._graphs.items():
            if name not in skip:
                for triple in triples:
                    add(triple)
        return graph

    def nquads(self) -> Quads:
        """The quads as N-Quads (UTF-8), as rdflib's serializer writes them, with their default-graph copies
        (a triple written twice is written twice: the store keeps one)."""
        named: list[str] = []
        current: list[str] = []
        for name, triples in self._graphs.items():
            graph = f" {name.n3()} .\n"
            for s, p, o in triples:
                triple = f"{s.n3()} {p.n3()} {_quoteLiteral(o) if isinstance(o, Literal) else o.n3()}"
                named.append(triple + graph)
                current.append(triple + " .\n")
        return Quads("".join(named).encode("utf-8"), "".join(current).encode("utf-8"))
