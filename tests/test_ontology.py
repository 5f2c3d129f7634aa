"""The ontology files and the closed namespace class cannot drift apart."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from graph import paths
from graph.namespaces import QZ
from graph.vocab import load_ontology

NS = "https://w3id.org/quanze/ontology#"


@pytest.fixture(scope="module")
def ontology():
    return load_ontology(paths.ontology_dir())


def langs(graph, term, prop) -> set[str]:
    return {o.language for o in graph.objects(term, prop) if isinstance(o, Literal)}


def test_every_namespace_term_is_defined_with_labels_in_both_languages(ontology):
    for name in QZ.__annotations__:
        term = QZ[name]
        assert (term, RDF.type, None) in ontology, f"qz:{name} has no rdf:type"
        assert {"zh", "en"} <= langs(ontology, term, RDFS.label) | langs(ontology, term, SKOS.prefLabel), name


def test_every_class_and_property_has_a_comment(ontology):
    from rdflib.namespace import OWL

    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(NS):
                assert (term, RDFS.comment, None) in ontology, term


def test_every_defined_term_is_in_the_namespace_class(ontology):
    defined = {str(s)[len(NS):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(NS)}
    assert defined <= set(QZ.__annotations__), defined - set(QZ.__annotations__)


def test_power_type_scheme_has_the_ten_statutory_types(ontology):
    members = set(ontology.subjects(SKOS.inScheme, QZ.PowerTypeScheme))
    assert {str(m)[len(NS):] for m in members} == {
        "Licensing", "Penalty", "Coercion", "Levy", "Benefit", "Inspection",
        "Confirmation", "Reward", "Adjudication", "OtherPower",
    }


def test_stage_types_have_unique_labels_and_an_order(ontology):
    seen: dict[str, object] = {}
    for concept in ontology.subjects(RDF.type, QZ.StageType):
        assert isinstance(ontology.value(concept, QZ.order).toPython(), int)
        for label in list(ontology.objects(concept, SKOS.prefLabel)) + list(ontology.objects(concept, SKOS.altLabel)):
            if label.language != "zh":
                continue
            key = re.sub(r"\s+", "", str(label))
            assert seen.setdefault(key, concept) == concept, f"{key} names two stage types"
