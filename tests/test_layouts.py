"""Registers as county bureaus publish them (issue 12): each layout of tests/data/layouts is read
with the facts a person read from it by hand (its X.expected.json).

The product is driven through graph/register.py (read_register + infer_info), as build and
validate drive it; bench/layouts_score.py holds the comparison and prints precision and recall
over the whole corpus (the session summary below prints them too).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from quanze.graph.namespaces import QZ
from quanze.graph.register import info_for, read_register, reference, register_graph

_SPEC = importlib.util.spec_from_file_location("layouts_score", Path(__file__).resolve().parents[1] / "bench" / "layouts_score.py")
score = importlib.util.module_from_spec(_SPEC)
sys.modules["layouts_score"] = score  # dataclasses look their module up
_SPEC.loader.exec_module(score)

FILES = score.corpus()


def test_the_corpus_is_there():
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=[p.stem.split("-", 1)[0] for p in FILES])
def test_layout_is_read_with_its_expected_facts(path):
    problems = score.compare(score.expected_of(path), score.read_file(path, reference()), score.Tally())
    assert not problems, "\n".join(problems)


def test_corpus_scores():
    tally = score.Tally()
    ref = reference()
    for path in FILES:
        score.compare(score.expected_of(path), score.read_file(path, ref), tally)
    lines = [f"{k:<16} P={tally.precision(k):.3f} R={tally.recall(k):.3f}" for k in ("items", "types", "citations", "levels", "jurisdiction")]
    print("\n" + "\n".join(lines))
    for kind in ("items", "types", "citations", "levels", "jurisdiction", "kind", "unknown columns"):
        assert tally.precision(kind) == 1.0 and tally.recall(kind) == 1.0, kind


# --- what validation says of the corpus --------------------------------------------------------


def test_no_false_alarms():
    """No Violation on the corpus claims a register lacks what it states (a legal basis, type,
    jurisdiction, level or name) in a column or label the reader should understand."""
    from quanze.graph.validate.shapes import toolkit

    kit = toolkit()
    alarms = [a for path in FILES for a in score.false_alarms(path, kit)]
    assert not alarms, "\n".join(alarms)


def _findings(path: Path):
    from quanze.graph.validate.shapes import validate_files

    return validate_files([(path.name, path.read_bytes())]).findings


def test_unknown_columns_are_named_once_as_info():
    path = next(p for p in FILES if p.name.startswith("L10"))
    infos = [f for f in _findings(path) if f.severity == "Info" and "RegisterColumns" in f.constraint]
    assert sorted(f.value for f in infos) == ["办理期限", "收费（征收）依据和标准"]


def test_a_register_whose_columns_are_all_understood_has_no_column_info():
    path = next(p for p in FILES if p.name.startswith("L02"))
    assert not [f for f in _findings(path) if "RegisterColumns" in f.constraint]


def test_uncatalogued_instrument_is_a_warning_not_an_empty_basis():
    path = next(p for p in FILES if p.name.startswith("L02"))
    findings = _findings(path)
    row = [f for f in findings if f.row == 1177]
    assert not [f for f in row if "ArticleBasis" in f.constraint]
    warning = [f for f in row if f.severity == "Warning" and "未收录" in f.message]
    assert warning and "《重庆市骗取社会保险基金处理办法》" in warning[0].message


def test_unknown_cells_are_kept_on_the_items_and_post_registers_hold_internal_matters():
    ref = reference()
    path = next(p for p in FILES if p.name.startswith("L10"))
    read = read_register(path.read_bytes(), path.name, ref)
    graph = register_graph(read, info_for(read, None))
    fields = {str(o) for o in graph.objects(None, QZ.unrecognisedField)}
    assert "办理期限：承诺期限：十五个工作日" in fields
    assert {str(o) for o in graph.objects(None, QZ.jurisdictionEvidence)} == {"codes: item code 620982"}
    post = next(p for p in FILES if p.name.startswith("L03"))
    read = read_register(post.read_bytes(), post.name, ref)
    graph = register_graph(read, info_for(read, None))
    assert len(set(graph.subjects(RDF.type, QZ.InternalMatter))) == 7
    assert not set(graph.subjects(RDF.type, QZ.PowerItem))
    assert not [f for f in _findings(post) if f.severity == "Violation"]


def test_level_forms_are_mapped_and_traced():
    ref = reference()
    path = next(p for p in FILES if p.name.startswith("L13"))
    read = read_register(path.read_bytes(), path.name, ref)
    graph = register_graph(read, info_for(read, None))
    assert {str(o) for o in graph.objects(None, QZ.riskLevelCounts)} == {"中1低2", "高1中1", "中2", "低1"}
    assert "1中2低" in {str(o) for o in graph.objects(None, QZ.rawRiskLevel)}
    assert not [f for f in _findings(path) if "RiskLevel" in f.constraint]


def test_jurisdiction_traps():
    """海南区 (乌海市) is not 海南省; 市医疗保障局 of a county-level city is not its prefecture;
    an abolished code prefix (652100) does not override the agency."""
    ref = reference()
    for key, code in (("L06", "150303"), ("L10", "620982"), ("L16", "650402")):
        path = next(p for p in FILES if p.name.startswith(key))
        assert score.read_file(path, ref).code == code
