"""Registers as county bureaus publish them (issue 12): each layout of tests/data/layouts is read
with the facts a person read from it by hand (its X.expected.json).

The product is driven through graph/register.py (read_register + infer_info), as build and
validate drive it; bench/layouts_score.py holds the comparison and prints precision and recall
over the whole corpus (the session summary below prints them too).
"""

from __future__ import annotations

import importlib.util
import re
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


def _realigned_by_characters(text: str) -> str:
    """The same PDF text with every run placed at its display column counted in characters, as
    tools that do not count a CJK character as two columns lay it out."""
    import unicodedata

    def width(part: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in part)

    lines = []
    for line in text.split("\n"):
        out = ""
        for match in re.finditer(r"\S+(?: \S+)*", line):
            start = width(line[: match.start()])
            out += " " * max(start - len(out), 2 if out else 0) + match.group()
        lines.append(out)
    return "\n".join(lines)


def test_space_aligned_text_is_read_whichever_way_columns_are_counted(tmp_path):
    source = next(p for p in FILES if p.name.startswith("L11"))
    variant = tmp_path / source.name
    variant.write_text(_realigned_by_characters(source.read_text(encoding="utf-8")), encoding="utf-8")
    assert variant.read_text(encoding="utf-8") != source.read_text(encoding="utf-8")
    problems = score.compare(score.expected_of(source), score.read_file(variant, reference()), score.Tally())
    assert not problems, problems


# --- the same registers in other formats and wordings: the rules are general ----------------------

_GRIDS = [p for p in FILES if p.suffix in (".csv", ".tsv")]
_REWORDED = {
    "廉政风险主要内容及表现形式": "风险描述", "风险等级": "等级", "单位/科室": "责任单位", "部门负责人": "责任人",
    "事项名称": "权力事项名称", "实施主体": "执法主体", "设定依据": "法律依据", "事项类别": "权力类别", "实施依据": "法定依据",
}


def _cells(path: Path) -> list[list[str]]:
    import csv
    import io

    from quanze.graph.read.text import decode

    text = decode(path.read_bytes(), path.name)
    return list(csv.reader(io.StringIO(text), delimiter="\t" if path.suffix == ".tsv" else ","))


def _write(rows: list[list[str]], target: Path, form: str) -> Path:
    import csv
    import io

    from openpyxl import Workbook

    if form == "xlsx":
        book = Workbook()
        for row in rows:
            book.active.append(row)
        target = target.with_suffix(".xlsx")
        book.save(target)
        return target
    if form == "tsv":  # one line per row: a cell's line breaks become spaces
        target = target.with_suffix(".tsv")
        target.write_text("\n".join("\t".join(c.replace("\n", " ") for c in row) for row in rows), encoding="utf-8")
        return target
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target = target.with_suffix(".csv")
    target.write_bytes(out.getvalue().encode("gb18030" if form == "gbk" else "utf-8"))
    return target


@pytest.mark.parametrize("form", ["xlsx", "gbk", "tsv", "reworded"])
@pytest.mark.parametrize("path", _GRIDS, ids=[p.stem.split("-", 1)[0] for p in _GRIDS])
def test_the_same_register_in_another_format_or_wording(tmp_path, path, form):
    rows = _cells(path)
    if form == "reworded":
        rows = [[_REWORDED.get(c, c) for c in row] for row in rows]
    variant = _write(rows, tmp_path / path.stem, "csv" if form == "reworded" else form)
    problems = score.compare(score.expected_of(path), score.read_file(variant, reference()), score.Tally())
    problems = [p for p in problems if not (form == "reworded" and p.startswith("unknown columns"))]
    assert not problems, problems
