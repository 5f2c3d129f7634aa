"""The ontology as data for pages: its terms with labels and comments, the prefixes to declare.

Read once from ontology/*.ttl (rdflib). Feeds the query editor's completion (prefixes, classes,
properties), the documentation pages at /ontology and /ontology/{Term}, and their Turtle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from quanze.graph import paths

QZ = "https://w3id.org/quanze/ontology#"
ONTOLOGY = "https://w3id.org/quanze/ontology"
PREFIXES = {
    "qz": QZ,
    "id": "https://w3id.org/quanze/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "qzs": "https://w3id.org/quanze/shapes#",
}
# Terms of other vocabularies the graph uses, offered by the editor's completion too.
EXTERNAL_PROPERTIES = [
    "rdf:type", "rdfs:label", "rdfs:comment", "skos:prefLabel", "skos:altLabel", "skos:notation", "skos:definition",
    "skos:inScheme", "skos:broader", "eli:is_part_of", "eli:date_document", "eli:id_local", "prov:wasDerivedFrom",
    "dcterms:source", "dcterms:title", "org:hasSite", "sh:focusNode", "sh:resultMessage", "sh:resultSeverity",
    "sh:resultPath", "sh:value", "sh:sourceShape",
]
EXTERNAL_CLASSES = ["skos:Concept", "skos:ConceptScheme", "org:Organization", "prov:Entity", "sh:ValidationResult",
                    "eli:LegalResource", "eli:LegalResourceSubdivision"]
KINDS = [  # (rdf:type, section id, zh, en)
    (OWL.Class, "classes", "类", "Classes"),
    (OWL.ObjectProperty, "object-properties", "对象属性", "Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "数据属性", "Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "注释属性", "Annotation properties"),
    (SKOS.ConceptScheme, "schemes", "概念体系", "Concept schemes"),
    (SKOS.Concept, "concepts", "概念", "Concepts"),
]


@dataclass
class Term:
    iri: str
    name: str
    """The local name after qz: (the documentation page is /ontology/{name})."""
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    facts: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(property as qz:/rdfs: short name, value (IRI or text), the value's local page name or None)."""

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("zh") or self.labels.get("en") or self.name

    def comment(self, lang: str) -> str:
        return self.comments.get(lang) or self.comments.get("en") or self.comments.get("zh") or ""


def expand(short: str) -> str:
    prefix, _, local = short.partition(":")
    return PREFIXES[prefix] + local


def shorten(iri: str) -> str:
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and prefix != "id":
            return f"{prefix}:{iri[len(base):]}"
    return iri


@lru_cache(maxsize=1)
def graph() -> Graph:
    g = Graph()
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        g.parse(path, format="turtle")
    for prefix, base in PREFIXES.items():
        g.bind(prefix, base, replace=True)
    return g


def _texts(g: Graph, node: URIRef, *predicates: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for predicate in predicates:
        for value in g.objects(node, predicate):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
    return found


_SHOWN = [RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, OWL.equivalentClass,
          OWL.equivalentProperty, SKOS.inScheme, SKOS.broader, SKOS.notation, SKOS.altLabel, SKOS.definition,
          RDFS.seeAlso, SKOS.scopeNote, SKOS.example]


@lru_cache(maxsize=1)
def terms() -> dict[str, Term]:
    """Every term of the qz: namespace, by local name, in the order of KINDS then name."""
    g = graph()
    found: dict[str, Term] = {}
    for subject in sorted({s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(QZ)}, key=str):
        types = set(g.objects(subject, RDF.type))
        kind = next((section for cls, section, _, _ in KINDS if cls in types), "other")
        if kind == "other" and (RDFS.Class in types):
            kind = "classes"
        if kind == "other" and (RDF.Property in types):
            kind = "object-properties"
        name = str(subject)[len(QZ):]
        term = Term(str(subject), name, kind, _texts(g, subject, RDFS.label, SKOS.prefLabel), _texts(g, subject, RDFS.comment))
        for predicate in _SHOWN:
            for value in sorted(g.objects(subject, predicate), key=str):
                if isinstance(value, Literal):
                    if value.language in (None, "", "zh", "en"):
                        term.facts.append((shorten(str(predicate)), str(value), None))
                elif isinstance(value, URIRef):
                    text = str(value)
                    term.facts.append((shorten(str(predicate)), shorten(text), text[len(QZ):] if text.startswith(QZ) else None))
        for value in sorted(g.subjects(RDF.type, subject), key=str):  # a class's members: the concepts of a scheme type
            if str(value).startswith(QZ):
                term.facts.append(("rdf:type⁻¹", shorten(str(value)), str(value)[len(QZ):]))
        found[name] = term
    return found


def ontology_header(lang: str) -> dict[str, str]:
    g = graph()
    node = URIRef(ONTOLOGY)
    title = _texts(g, node, DCTERMS.title)
    description = _texts(g, node, DCTERMS.description)
    return {
        "title": title.get(lang) or title.get("en") or "Quanze ontology",
        "description": description.get(lang) or description.get("en") or "",
        "version": str(g.value(node, OWL.versionInfo) or ""),
        "license": str(g.value(node, DCTERMS.license) or ""),
    }


def term_turtle(name: str) -> str:
    """The term's own triples (and its blank-node-free neighbourhood) as Turtle."""
    g = graph()
    node = URIRef(QZ + name)
    out = Graph()
    for prefix, base in PREFIXES.items():
        out.bind(prefix, base, replace=True)
    for p, o in g.predicate_objects(node):
        out.add((node, p, o))
    return out.serialize(format="turtle")


def ontology_turtle() -> str:
    return graph().serialize(format="turtle")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, object]:
    """What the query editor completes: prefixes, classes and properties (full IRIs), labels."""
    all_terms = terms().values()
    classes = [t.iri for t in all_terms if t.kind == "classes"] + [expand(c) for c in EXTERNAL_CLASSES]
    properties = [t.iri for t in all_terms if t.kind in ("object-properties", "datatype-properties")]
    properties += [expand(p) for p in EXTERNAL_PROPERTIES]
    individuals = [t.iri for t in all_terms if t.kind in ("concepts", "schemes")]
    return {
        "prefixes": PREFIXES,
        "classes": classes,
        "properties": properties,
        "individuals": individuals,
        "labels": {t.iri: {"zh": t.labels.get("zh", ""), "en": t.labels.get("en", "")} for t in all_terms},
    }
