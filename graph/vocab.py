"""The SKOS vocabularies of ontology/ as lookups the readers and repairs use.

Labels, alternative spellings, keywords and label patterns of power types, stage types and
risk levels live in the Turtle files, not in code: a new spelling is one altLabel away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from quanze.graph.namespaces import QZ
from quanze.graph.repair.text import compact
from quanze.graph.repair.power_types import resolve_power_type
from quanze.graph.validate.store_view import to_rdflib


@dataclass(frozen=True)
class StageConcept:
    iri: URIRef
    label: str
    labels: frozenset[str]
    keywords: tuple[str, ...]
    pattern: re.Pattern[str] | None
    party_action: bool
    terminal: bool
    order: int
    text_pattern: re.Pattern[str] | None = None
    """Finds the stage described inside another stage's or duty's text (qz:textPattern)."""


@dataclass(frozen=True)
class FeatureConcept:
    """A procedure feature (ontology/procedure-features.ttl) and the patterns that find it."""

    iri: URIRef
    label: str
    text_pattern: re.Pattern[str] | None
    basis_pattern: re.Pattern[str] | None


def _zh(values: list[Literal]) -> list[str]:
    return [str(v) for v in values if isinstance(v, Literal) and (v.language or "").startswith("zh")]


class Vocabulary:
    """Power types, stage types and risk levels, loaded from the ontology graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.power_types: dict[URIRef, list[str]] = {
            concept: _zh(list(graph.objects(concept, SKOS.prefLabel)) + list(graph.objects(concept, SKOS.altLabel)))
            for concept in graph.subjects(RDF.type, QZ.PowerType)
            if isinstance(concept, URIRef)
        }
        self.levels: dict[str, URIRef] = {}
        for concept in graph.subjects(RDF.type, QZ.RiskLevel):
            for label in _zh(list(graph.objects(concept, SKOS.prefLabel)) + list(graph.objects(concept, SKOS.altLabel))):
                self.levels[compact(label)] = concept  # type: ignore[assignment]
        self.stages = [self._stage(concept) for concept in graph.subjects(RDF.type, QZ.StageType) if isinstance(concept, URIRef)]
        self.stages.sort(key=lambda s: (s.order, s.label))
        self._by_label = {label: stage for stage in self.stages for label in stage.labels}
        self.features = sorted(
            (self._feature(concept) for concept in graph.subjects(RDF.type, QZ.ProcedureFeature) if isinstance(concept, URIRef)),
            key=lambda f: str(f.iri),
        )

    def _feature(self, concept: URIRef) -> FeatureConcept:
        graph = self.graph
        pref = _zh(list(graph.objects(concept, SKOS.prefLabel)))
        text, basis = graph.value(concept, QZ.textPattern), graph.value(concept, QZ.basisPattern)
        return FeatureConcept(
            iri=concept,
            label=pref[0] if pref else str(concept),
            text_pattern=re.compile(str(text)) if text else None,
            basis_pattern=re.compile(str(basis)) if basis else None,
        )

    def _stage(self, concept: URIRef) -> StageConcept:
        graph = self.graph
        pref = _zh(list(graph.objects(concept, SKOS.prefLabel)))
        labels = {compact(x) for x in pref + _zh(list(graph.objects(concept, SKOS.altLabel)))}
        pattern = graph.value(concept, QZ.labelPattern)
        text_pattern = graph.value(concept, QZ.textPattern)
        order = graph.value(concept, QZ.order)
        return StageConcept(
            iri=concept,
            label=pref[0] if pref else str(concept),
            labels=frozenset(labels),
            keywords=tuple(str(k) for k in graph.objects(concept, QZ.keyword)),
            pattern=re.compile(str(pattern)) if pattern else None,
            party_action=bool(graph.value(concept, QZ.partyAction)),
            terminal=bool(graph.value(concept, QZ.terminal)),
            order=int(order) if order is not None else 999,
            text_pattern=re.compile(str(text_pattern)) if text_pattern else None,
        )

    # --- lookups -----------------------------------------------------------------------

    def stage_for(self, label: str) -> StageConcept | None:
        """The stage type a printed label names: exact label first, then label patterns."""
        text = compact(label).strip("：:。.、")
        if text in self._by_label:
            return self._by_label[text]
        for stage in self.stages:
            if stage.pattern and stage.pattern.search(text):
                return stage
        return None

    def power_type_for(self, raw: str) -> tuple[URIRef | None, str]:
        concept, method = resolve_power_type(raw, self.power_types)  # type: ignore[arg-type]
        return concept, method  # type: ignore[return-value]

    def level_for(self, raw: str) -> URIRef | None:
        return self.levels.get(compact(raw).strip("：:。.、；;"))

    def power_type_key(self, concept: URIRef | None) -> str | None:
        """Local name of a power type ("Penalty"), as code schemes name it."""
        return str(concept).rsplit("#", 1)[-1] if concept else None

    # --- the StageLexicon protocol of graph.read_flowchart --------------------------------

    def is_stage(self, label: str) -> bool:
        return self.stage_for(label) is not None

    def keywords(self, label: str) -> tuple[str, ...]:
        stage = self.stage_for(label)
        return stage.keywords if stage else ()

    def is_party_action(self, label: str) -> bool:
        stage = self.stage_for(label)
        return bool(stage and stage.party_action)

    def is_terminal(self, label: str) -> bool:
        stage = self.stage_for(label)
        return bool(stage and stage.terminal)


def load_ontology(directory: Path) -> Graph:
    """Every Turtle file of `directory` in one graph.

    pyoxigraph reads the files (rdflib's Turtle parser took 0.1 s of every `quanze add`, thirty
    times as long); a file it refuses goes to rdflib as before. The graph is the one rdflib's parser
    made (tests/test_ontology.py compares them), but that pyoxigraph writes language tags in lower
    case, as BCP 47 compares them."""
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        try:
            quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True))
        except (SyntaxError, ValueError):
            graph.parse(path, format="turtle")
            continue
        for quad in quads:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def load_vocabulary(directory: Path) -> Vocabulary:
    return Vocabulary(load_ontology(directory))
