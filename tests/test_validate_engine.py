"""pySHACL as Quanze tunes it (graph/validate/engine.py) writes the report pySHACL writes as shipped.

Every change tune() makes (constraints built once per shape, the shapes' triples read once,
allowed values counted in qualified value shapes, no text descriptions) is compared, file by
file, with pySHACL as shipped (`engine.as_shipped()`): the report graphs must be isomorphic
(same results, same focus nodes, paths, components, severities and messages), over the seed
registers, the valid and invalid examples and the layouts corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl.constraints.core.shape_based_constraints import QualifiedValueShapeConstraintComponent
from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from quanze.graph import paths
from quanze.graph.register import info_for, read_register, register_graph
from quanze.graph.validate import engine
from quanze.graph.validate.shapes import run_shapes, toolkit, with_statute_facts

DATA = Path(__file__).parent / "data"
FILES = sorted(
    [*(paths.data_dir() / "registers").glob("0*.txt"), *(DATA / "valid").iterdir(), *(DATA / "invalid").iterdir(),
     *(p for p in (DATA / "layouts").iterdir() if p.suffix in (".csv", ".tsv", ".txt", ".xlsx"))]
)


def _graph(path: Path, kit) -> Graph:
    read = read_register(path.read_bytes(), path.name, kit.reference)
    graph = read.rdf if read.rdf is not None else register_graph(read, info_for(read, None))
    return with_statute_facts(graph, kit.statutes)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


@pytest.fixture(scope="module")
def reports() -> list[tuple[str, Graph, Graph]]:
    """(file, tuned report, pySHACL's own report) of every file."""
    kit = toolkit()
    engine.tune()
    assert hasattr(QualifiedValueShapeConstraintComponent._evaluate_value_shape, "quanze_original"), "pySHACL is not tuned"
    pairs = []
    for path in FILES:
        data = _graph(path, kit)
        ours = run_shapes(_copy(data), kit.shapes)
        with engine.as_shipped():
            theirs = run_shapes(_copy(data), kit.shapes)
        pairs.append((path.name, ours, theirs))
    return pairs


def test_tuned_and_shipped_pyshacl_write_the_same_report(reports):
    differ = [name for name, ours, theirs in reports if not isomorphic(ours, theirs)]
    assert not differ


def test_the_comparison_includes_qualified_counts(reports):
    components = [c for _, ours, _ in reports for c in ours.objects(None, SH.sourceConstraintComponent)]
    assert len(reports) == len(FILES) > 40
    assert components.count(SH.QualifiedMinCountConstraintComponent) >= 20
    assert SH.QualifiedMaxCountConstraintComponent in components  # the 催告 stage of a seizure


def _shapes(nested: str) -> Graph:
    shapes = Graph()
    shapes.parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Item ;
            sh:property [ sh:path ex:stage ; sh:qualifiedValueShape {nested} ; sh:qualifiedMinCount 1 ] .
        """, format="turtle")
    return shapes


@pytest.mark.parametrize("nested", [
    '[ sh:in ( <urn:ex:a> "b" ) ]',
    '[ sh:in ( <urn:ex:a> "b" ) ; sh:severity sh:Warning ]',  # not only a list: pySHACL's own way
    '[ sh:in ( <urn:ex:a> "b" ) ; sh:nodeKind sh:IRI ]',
    '[ sh:in ( ) ]',
])
def test_every_nested_shape_gives_pyshacls_answer(nested):
    engine.tune()
    data = Graph()
    for n, values in enumerate([[URIRef("urn:ex:a")], [Literal("b")], [Literal("b", lang="zh")], [], [URIRef("urn:ex:c"), Literal("b")]]):
        item = URIRef(f"urn:ex:i{n}")
        data.add((item, RDF.type, URIRef("urn:ex:Item")))
        for value in values:
            data.add((item, URIRef("urn:ex:stage"), value))
    ours = run_shapes(_copy(data), _shapes(nested))
    with engine.as_shipped():
        theirs = run_shapes(_copy(data), _shapes(nested))
    assert isomorphic(ours, theirs)
    assert len(set(ours.subjects(RDF.type, SH.ValidationResult))) >= 1  # the item without a stage, at least
    assert all(not isinstance(f, BNode) for f in ours.objects(None, SH.focusNode))


def test_the_toolkit_holds_every_statute_fact_validation_reads():
    """The toolkit keeps the catalogue's instruments, not the articles' text: the facts put beside
    each register are those the whole statute graph gives."""
    from quanze.graph.map.statutes import statute_graph
    from quanze.graph.validate.shapes import _concept_labels

    kit = toolkit()
    whole = _concept_labels(kit.reference.context.vocabulary.graph, statute_graph(kit.reference.catalogue))
    assert len(whole) > len(kit.statutes) + 1000  # the articles are left out
    added = 0
    for path in FILES:
        read = read_register(path.read_bytes(), path.name, kit.reference)
        graph = read.rdf if read.rdf is not None else register_graph(read, info_for(read, None))
        ours, theirs = with_statute_facts(_copy(graph), kit.statutes), with_statute_facts(_copy(graph), whole)
        assert set(ours) == set(theirs), path.name
        added += len(ours) - len(graph)
    assert added > 100
