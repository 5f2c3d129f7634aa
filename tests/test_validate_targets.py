"""The shapes' SPARQL targets answered by pyoxigraph find the focus nodes rdflib's engine finds.

Every SELECT pySHACL sends while validating the seed registers, the valid and invalid examples
and the layouts corpus is answered by both engines over the same graph: the rows must be the
same terms, the very nodes of the data graph. Where the engines could disagree, rdflib answers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import XSD, Graph, Literal, URIRef

from quanze.graph import paths
from quanze.graph.validate import targets
from quanze.graph.validate.shapes import _PreparedQueries, toolkit, validate_files
from quanze.graph.validate.targets import OxigraphCopy, Unsupported

DATA = Path(__file__).parent / "data"
FILES = sorted(
    [*(paths.data_dir() / "registers").glob("0*.txt"), *(DATA / "valid").iterdir(), *(DATA / "invalid").iterdir(),
     *(p for p in (DATA / "layouts").iterdir() if p.suffix in (".csv", ".tsv", ".txt", ".xlsx"))]
)
QZ = "https://w3id.org/quanze/ontology#"


def _rows(result) -> Counter:
    return Counter(tuple(row) for row in result)


@pytest.fixture(scope="module")
def compared(monkeypatch_module) -> list[tuple[str, str, Counter, Counter]]:
    """(file, query, pyoxigraph's rows, rdflib's rows) of every SPARQL target of every file."""
    seen: list[tuple[str, str, Counter, Counter]] = []
    current = {"file": ""}
    original_init, original_select = OxigraphCopy.__init__, OxigraphCopy.select

    def init(self, graph):
        original_init(self, graph)
        self.graph = graph

    def select(self, text):
        ours = original_select(self, text)
        theirs = Graph.query(self.graph, text)  # rdflib's own engine, not the view's
        seen.append((current["file"], text, _rows(ours), _rows(theirs)))
        return ours

    monkeypatch_module.setattr(targets.OxigraphCopy, "__init__", init)
    monkeypatch_module.setattr(targets.OxigraphCopy, "select", select)
    kit = toolkit()
    for path in FILES:
        current["file"] = path.name
        validate_files([(path.name, path.read_bytes())], "zh", kit)
    return seen


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_both_engines_find_the_same_focus_nodes(compared):
    differ = [(file, text.splitlines()[-1][:160], ours, theirs) for file, text, ours, theirs in compared if ours != theirs]
    assert not differ, differ[:3]


def test_the_comparison_covers_every_target_and_finds_nodes(compared):
    files = {file for file, *_ in compared}
    assert len(files) == len(FILES) > 40
    queries = {text for _, text, *_ in compared}
    assert len(queries) == 20  # shapes/register.ttl's SPARQL targets
    answering = {text for _, text, ours, _ in compared if sum(ours.values())}
    assert len(answering) >= 15  # most targets select nodes somewhere in the corpus
    assert sum(sum(ours.values()) for *_, ours, _ in compared) > 500


def test_the_rows_hold_the_data_graphs_own_terms():
    graph = Graph()
    item = URIRef("https://w3id.org/quanze/id/power/1/x")
    graph.add((item, URIRef(QZ + "truncatedField"), Literal("duties")))
    copy = OxigraphCopy(graph)
    rows = list(copy.select(f'SELECT ?this ?f WHERE {{ ?this <{QZ}truncatedField> ?f }}'))
    assert [(row["this"], row["f"]) for row in rows] == [(item, Literal("duties"))]
    assert rows[0]["this"] is item


def test_a_literal_typed_xsd_string_leaves_the_graph_to_rdflib():
    """rdflib tells "duties"^^xsd:string from "duties"; SPARQL 1.1 (pyoxigraph) does not."""
    graph = Graph()
    item = URIRef("https://w3id.org/quanze/id/power/1/x")
    graph.add((item, URIRef(QZ + "truncatedField"), Literal("duties", datatype=XSD.string)))
    with pytest.raises(Unsupported):
        OxigraphCopy(graph)
    view = _PreparedQueries(store=graph.store, identifier=graph.identifier)
    text = f'SELECT ?this WHERE {{ ?this <{QZ}truncatedField> "duties" }}'
    assert _rows(view.query(text)) == _rows(Graph.query(graph, text))
    assert view._copy is False


def test_other_queries_go_to_rdflib():
    graph = Graph()
    graph.add((URIRef("urn:a"), URIRef("urn:p"), Literal(1)))
    with pytest.raises(Unsupported):
        OxigraphCopy(graph).select("ASK { ?s ?p ?o }")
    view = _PreparedQueries(store=graph.store, identifier=graph.identifier)
    assert bool(view.query("ASK { ?s ?p ?o }"))
    assert _rows(view.query("SELECT ?s WHERE { ?s <urn:p> ?o }", initBindings={"o": Literal(1)})) == Counter({(URIRef("urn:a"),): 1})
