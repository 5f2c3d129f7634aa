"""A faster build is the same build: the quads of the seed registers and of a six-county synthetic
country are those main's code wrote before the build was reworked for the whole country (issue 13).

tests/data/build_digest.json was written by `python -m tests._digest` at commit 026adb2; a change that
means to change the graph writes it again, and says so. Written again when the per-register summaries
merged (qz:RegisterSummary and their ontology terms): every count per predicate that changed was a
summary or ontology term; the rest stayed as 026adb2 wrote it. Written again for
qz:canonicalPowerCounts (one literal per summary, and its ontology term): the only counts that
changed are that predicate's and the ontology's (rdf:type, rdfs:label ×2, rdfs:comment ×2,
rdfs:domain, rdfs:range of the new term), in the ontology graph and the default graph.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._digest import build_digests

EXPECTED = json.loads((Path(__file__).parent / "data" / "build_digest.json").read_text(encoding="utf-8"))


STORED = json.loads((Path(__file__).parent / "data" / "stored_report_before.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("identical")


@pytest.fixture(scope="module")
def digests(work) -> dict[str, dict]:
    return build_digests(work)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_build_writes_the_same_quads(digests, name):
    got, expected = digests[name], EXPECTED[name]
    assert got["per_predicate"] == expected["per_predicate"]
    assert (got["quads"], got["sha256"]) == (expected["quads"], expected["sha256"])


@pytest.mark.parametrize("name", sorted(STORED))
def test_validate_store_reads_the_same_findings(digests, work, name):
    """`quanze validate --store` reads the stored reports through the store's indexes now; the
    findings, files and item counts are those it gave when it parsed each county into rdflib."""
    from quanze.graph.store.oxigraph import open_store
    from quanze.graph.validate.shapes import stored_report

    with open_store(work / f"store-{name}") as store:
        report = stored_report(store, "zh")
    got = json.loads(json.dumps({"files": report.files, "items": report.items, "findings": [f.__dict__ for f in report.findings]}, ensure_ascii=False))
    def key(finding: dict) -> str:  # findings the report's sort puts level keep the store's (random) order
        return json.dumps(finding, ensure_ascii=False, sort_keys=True)

    assert sorted(got["findings"], key=key) == sorted(STORED[name]["findings"], key=key)
    assert (got["files"], got["items"]) == (STORED[name]["files"], STORED[name]["items"])
    assert len(got["findings"]) > 10  # the comparison is not of two empty lists


PROVENANCE = ("prov:wasDerivedFrom", "qz:SourceRecord", "qz:register", "qz:line", "qz:row", "qz:rawText")


def test_no_shape_reads_provenance():
    """The build leaves provenance out of what the shapes judge (graph/map/quads.py `judged`): sound only
    while no shape, nor any SPARQL inside one, names a provenance term. A shape that needs them must
    make the build keep them."""
    import re

    from rdflib import Literal, URIRef
    from rdflib.namespace import PROV

    from quanze.graph import paths
    from quanze.graph.namespaces import QZ
    from quanze.graph.validate.shapes import load_shapes

    shapes = load_shapes(paths.shapes_dir())
    iris = {PROV.wasDerivedFrom, QZ.SourceRecord, QZ.register, QZ.line, QZ.row, QZ.rawText}
    named = re.compile("|".join(rf"{re.escape(t)}(?![\w-])" for t in PROVENANCE) + "|" + "|".join(re.escape(str(i)) + "(?![\\w-])" for i in iris))
    terms = {t for triple in shapes for t in triple}
    assert len(shapes) > 500 and any(isinstance(t, Literal) and "SELECT" in t for t in terms)  # the shapes and their SPARQL were read
    assert not iris & {t for t in terms if isinstance(t, URIRef)}
    assert not [str(t) for t in terms if isinstance(t, Literal) and named.search(t)]
