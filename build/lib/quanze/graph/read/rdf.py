"""Read a register given as RDF (Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from quanze.graph.namespaces import QZ
from quanze.graph.read.text import UnreadableInput

RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".rdf": "xml"}


def parse_rdf(data: bytes, name: str) -> Graph:
    """The register's triples; UnreadableInput when it is not RDF or holds no power item."""
    graph = Graph()
    try:
        graph.parse(data=data, format=RDF_SUFFIXES[Path(name).suffix.lower()])
    except Exception as error:  # rdflib raises many parser-specific types
        raise UnreadableInput(f"{name}: not valid RDF ({type(error).__name__}: {str(error)[:120]})") from error
    if not any(graph.subjects(RDF.type, QZ.PowerItem)):
        raise UnreadableInput(f"{name}: the RDF holds no qz:PowerItem")
    return graph
