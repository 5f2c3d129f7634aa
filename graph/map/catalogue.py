"""The store's catalogue of registers (id/graph/registers): version, currency, digest and the file itself.

Written for every register a build or `quanze add` stores; read by graph/store/registers.py
to list, revise and remove registers without rebuilding the rest.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pyoxigraph as ox

from quanze.graph.map.items import RegisterInfo
from quanze.graph.namespaces import ID, QZ

CATALOGUE_GRAPH = ID["graph/registers"]
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
_WAS_REVISION_OF = ox.NamedNode("http://www.w3.org/ns/prov#wasRevisionOf")


def qz(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(QZ[name]))


def catalogue_quads(info: RegisterInfo, data: bytes, version: str, added: str, revision_of: str | None) -> Iterator[ox.Quad]:
    """The catalogue's statements of one register."""
    graph = ox.NamedNode(str(CATALOGUE_GRAPH))
    node = ox.NamedNode(str(info.iri))
    yield ox.Quad(node, _RDF_TYPE, qz("Register"), graph)
    yield ox.Quad(node, _DCT_SOURCE, ox.Literal(info.file), graph)
    yield ox.Quad(node, qz("divisionCode"), ox.Literal(info.division_code), graph)
    yield ox.Quad(node, qz("registerKind"), ox.Literal(info.kind), graph)
    yield ox.Quad(node, qz("isCurrent"), ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean")), graph)
    yield ox.Quad(node, qz("sha256"), ox.Literal(hashlib.sha256(data).hexdigest()), graph)
    yield ox.Quad(node, qz("addedAt"), ox.Literal(added, datatype=ox.NamedNode(_XSD + "dateTime")), graph)
    yield ox.Quad(node, qz("sourceContent"), ox.Literal(base64.b64encode(data).decode("ascii"), datatype=ox.NamedNode(_XSD + "base64Binary")), graph)
    if version:
        yield ox.Quad(node, qz("version"), ox.Literal(version), graph)
    if revision_of:
        yield ox.Quad(node, _WAS_REVISION_OF, ox.NamedNode(revision_of), graph)
        yield ox.Quad(ox.NamedNode(revision_of), qz("supersededBy"), node, graph)
