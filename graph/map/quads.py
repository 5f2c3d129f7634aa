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
from rdflib.namespace import PROV, RDF
from rdflib.plugins.serializers.nt import _quoteLiteral

from quanze.graph.namespaces import QZ

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

    def judged(self, leave_out: Iterable[URIRef] = ()) -> tuple[Graph, dict[object, list[tuple[URIRef, URIRef]]]]:
        """What the shapes judge, and where each node came from.

        The graph holds every triple of every graph but `leave_out`, less the provenance: the
        `prov:wasDerivedFrom` links and the qz:SourceRecord nodes they point to (file, row, line, raw
        text). No shape reads them (tests/test_build_identical.py holds the shapes to that), and they
        are about half the triples: building the graph and copying it for the SPARQL targets cost
        in proportion. The provenance comes apart, as (record, register) pairs per node, for the
        report to name each result's register.
        """
        skip = set(leave_out)
        records = {s for name, triples in self._graphs.items() if name not in skip for s, p, o in triples
                   if p == RDF.type and o == QZ.SourceRecord}
        derived: dict[object, list[URIRef]] = {}
        registers: dict[URIRef, URIRef] = {}
        graph = Graph()
        add = graph.add
        for name, triples in self._graphs.items():
            if name in skip:
                continue
            for triple in triples:
                s, p, o = triple
                if s in records:
                    if p == QZ.register:
                        registers[s] = o
                elif p == PROV.wasDerivedFrom:
                    derived.setdefault(s, []).append(o)
                else:
                    add(triple)
        return graph, {node: [(r, registers.get(r)) for r in rs] for node, rs in derived.items()}

    def nquads(self) -> Quads:
        """The quads as N-Quads (UTF-8), as rdflib's serializer writes them, with their default-graph copies
        (a triple written twice is written twice: the store keeps one)."""
        named: list[str] = []
        current: list[str] = []
        written: dict[object, str] = {}  # IRIs and blank nodes recur: each is formatted once

        def n3(term) -> str:
            text = written.get(term)
            if text is None:
                text = written[term] = term.n3()
            return text

        for name, triples in self._graphs.items():
            graph = f" {name.n3()} .\n"
            for s, p, o in triples:
                triple = f"{n3(s)} {n3(p)} {_quoteLiteral(o) if isinstance(o, Literal) else n3(o)}"
                named.append(triple + graph)
                current.append(triple + " .\n")
        return Quads("".join(named).encode("utf-8"), "".join(current).encode("utf-8"))
