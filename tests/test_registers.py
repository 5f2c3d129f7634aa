"""Registers added one by one and kept by version: quanze add / registers / remove / diff."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from quanze.graph.cli import main

VALID = Path(__file__).parent / "data" / "valid" / "北关区-权责清单.csv"
ITEMS_OF_410502 = (
    "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/quanze/ontology#PowerItem> ; "
    "<https://w3id.org/quanze/ontology#jurisdiction> <https://w3id.org/quanze/id/jurisdiction/410502> }"
)
ALL_ITEMS = "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/quanze/ontology#PowerItem> }"


def _register(path: Path, edit=None) -> Path:
    """The valid register moved to 文峰区 (410502), optionally edited."""
    with VALID.open(encoding="utf-8") as handle:
        rows = [[c.replace("北关区", "文峰区").replace("410503", "410502") for c in r] for r in csv.reader(handle)]
    if edit:
        rows = edit(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _count(capsys, store: Path, query: str) -> int:
    code, out, err = _run(capsys, "--store", str(store), "query", query, "--format", "csv")
    assert code == 0, err
    return int(out.splitlines()[1])


@pytest.fixture()
def store(tmp_path, store_path) -> Path:
    """A copy of the seeds' store that a test may change."""
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store_path, copy)
    return copy


def test_add_puts_a_register_beside_the_others_without_a_rebuild(capsys, tmp_path, store):
    before = _count(capsys, store, ALL_ITEMS)
    code, out, err = _run(capsys, "--store", str(store), "add", str(_register(tmp_path / "文峰区.csv")))
    assert code == 0, err
    assert "added 文峰区.csv (410502 power-list" in out and "2 items" in out
    assert _count(capsys, store, ALL_ITEMS) == before + 2
    code, out, _ = _run(capsys, "--store", str(store), "registers", "--format", "json")
    listed = {r["register"]: r for r in json.loads(out)}
    assert listed["文峰区.csv"]["status"] == "current" and listed["文峰区.csv"]["code"] == "410502"
    assert {"000_1392b8a250e14201.txt", "004_3a5d5d83cde3f9ef.txt"} <= set(listed)


def test_the_same_file_twice_changes_nothing(capsys, tmp_path, store):
    register = _register(tmp_path / "文峰区.csv")
    assert _run(capsys, "--store", str(store), "add", str(register))[0] == 0
    code, out, _ = _run(capsys, "--store", str(store), "add", str(register))
    assert code == 0 and "unchanged: 文峰区.csv" in out
    assert _count(capsys, store, ITEMS_OF_410502) == 2


def test_a_new_version_supersedes_and_the_old_one_stays_queryable(capsys, tmp_path, store):
    old = _register(tmp_path / "文峰区-2023.csv")
    new = _register(tmp_path / "文峰区-2024.csv", lambda rows: [rows[0], [*rows[1][:5], rows[1][5] + "；《医疗保障基金使用监督管理条例》第三十八条", *rows[1][6:]]])
    assert _run(capsys, "--store", str(store), "add", str(old), "--version", "2023")[0] == 0
    code, out, err = _run(capsys, "--store", str(store), "add", str(new), "--version", "2024")
    assert code == 0, err
    assert "revising 文峰区-2023" in out and "superseded: 文峰区-2023.csv" in out
    # the current facts: one item; the old version's two items are still in its own graph
    assert _count(capsys, store, ITEMS_OF_410502) == 1
    assert _count(capsys, store, _items_in_graph("文峰区-2023")) == 2
    revision = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://w3id.org/quanze/id/register/文峰区-2024> "
        "<http://www.w3.org/ns/prov#wasRevisionOf> <https://w3id.org/quanze/id/register/文峰区-2023> } }"
    )
    assert _count(capsys, store, revision) == 1
    code, out, _ = _run(capsys, "--store", str(store), "diff", "410502")
    assert code == 0
    assert "- 医疗保障待遇支付" in out and "~ 对医疗保障经办机构骗取医疗保障基金支出的处罚: articles" in out
    assert "0 added, 1 removed, 1 changed" in out
    code, out, _ = _run(capsys, "--store", str(store), "diff", "410502", "--from", "2023", "--to", "2024", "--format", "json")
    [change] = json.loads(out)
    assert change["removed"] == ["医疗保障待遇支付"] and change["changed"][0]["fields"] == ["articles"]


def _items_in_graph(register: str) -> str:
    """A query counting the power items in the named graph of one register version."""
    return (
        f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH <https://w3id.org/quanze/id/graph/register/{register}> "
        "{ ?i a <https://w3id.org/quanze/ontology#PowerItem> } }"
    )


def test_remove_takes_a_register_out_and_leaves_the_rest(capsys, tmp_path, store):
    before = _count(capsys, store, ALL_ITEMS)
    assert _run(capsys, "--store", str(store), "add", str(_register(tmp_path / "文峰区.csv")))[0] == 0
    code, out, _ = _run(capsys, "--store", str(store), "remove", "文峰区.csv")
    assert code == 0 and "removed 文峰区.csv" in out
    assert _count(capsys, store, ALL_ITEMS) == before
    assert _count(capsys, store, ITEMS_OF_410502) == 0


def test_removing_the_current_version_makes_the_previous_one_current_again(capsys, tmp_path, store):
    old = _register(tmp_path / "文峰区-2023.csv")
    new = _register(tmp_path / "文峰区-2024.csv", lambda rows: rows[:2])
    assert _run(capsys, "--store", str(store), "add", str(old), "--version", "2023")[0] == 0
    assert _run(capsys, "--store", str(store), "add", str(new), "--version", "2024")[0] == 0
    assert _count(capsys, store, ITEMS_OF_410502) == 1
    code, out, err = _run(capsys, "--store", str(store), "remove", "文峰区-2024.csv")
    assert code == 0, err
    assert "removed 文峰区-2024.csv" in out and "current again: 文峰区-2023.csv (version 2023)" in out
    # the earlier version's two items are the current facts again, once each
    assert _count(capsys, store, ITEMS_OF_410502) == 2
    code, out, _ = _run(capsys, "--store", str(store), "registers", "--format", "json")
    listed = {r["register"]: r for r in json.loads(out)}
    assert "文峰区-2024.csv" not in listed and listed["文峰区-2023.csv"]["status"] == "current"
    successor = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <https://w3id.org/quanze/id/register/文峰区-2023> "
        "<https://w3id.org/quanze/ontology#supersededBy> ?x } }"
    )
    assert _count(capsys, store, successor) == 0
    assert _count(capsys, store, _items_in_graph("文峰区-2023")) == 2
    # and removing it as well leaves the jurisdiction empty
    assert _run(capsys, "--store", str(store), "remove", "文峰区-2023.csv")[0] == 0
    assert _count(capsys, store, ITEMS_OF_410502) == 0


def test_adding_to_a_merged_jurisdiction_keeps_the_merge(capsys, tmp_path, store):
    """潘集区's power list and risk register describe the same nine powers: re-adding the risk
    register as a new version maps both again, still nine items, risk points on them."""
    source = next(Path(__file__).parent.parent.joinpath("data", "registers").glob("000_*.txt"))
    revised = tmp_path / "潘集区-廉政风险点-2024.txt"
    revised.write_text(source.read_text(encoding="utf-8").replace("（2023版）", "（2024版）"), encoding="utf-8")
    items = (
        "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a <https://w3id.org/quanze/ontology#PowerItem> ; "
        "<https://w3id.org/quanze/ontology#jurisdiction> <https://w3id.org/quanze/id/jurisdiction/340406> }"
    )
    risks = (
        "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?i <https://w3id.org/quanze/ontology#jurisdiction> "
        "<https://w3id.org/quanze/id/jurisdiction/340406> ; <https://w3id.org/quanze/ontology#hasRiskPoint> ?r }"
    )
    assert (_count(capsys, store, items), _count(capsys, store, risks)) == (9, 23)
    code, out, err = _run(capsys, "--store", str(store), "add", str(revised), "--jurisdiction", "340406", "--kind", "risk-register", "--version", "2024")
    assert code == 0, err
    assert "superseded: 000_1392b8a250e14201.txt" in out
    assert (_count(capsys, store, items), _count(capsys, store, risks)) == (9, 23)


@pytest.mark.parametrize(
    "argv,message",
    [
        (("diff", "41050"), "six digits"),
        (("diff", "110101"), "no register of 110101"),
        (("remove", "nothing.csv"), "no register 'nothing.csv'"),
        (("add", "/nonexistent.csv"), "no such file"),
        (("add", "x.csv", "--jurisdiction", "999999"), "not a county-level division"),
    ],
)
def test_bad_requests_are_one_line_and_exit_2(capsys, store, argv, message):
    code, out, err = _run(capsys, "--store", str(store), *argv)
    assert code == 2 and message in err and err.count("\n") == 1


def test_no_trace_of_a_removed_register_in_the_current_facts(capsys, tmp_path, store):
    """The catalogue also describes each register; that must not keep a removed one among the current facts."""
    assert _run(capsys, "--store", str(store), "add", str(_register(tmp_path / "文峰区.csv")))[0] == 0
    about = "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/quanze/id/register/文峰区> ?p ?o }"
    assert _count(capsys, store, about) > 0
    assert _run(capsys, "--store", str(store), "remove", "文峰区.csv")[0] == 0
    assert _count(capsys, store, about) == 0


def test_dropping_a_register_keeps_the_triples_another_current_graph_states():
    """`add` takes a jurisdiction's current graphs out of the default graph triple by triple: a triple
    another current graph also states stays, one only superseded versions or the catalogue state goes."""
    import pyoxigraph as ox

    from quanze.graph.store.registers import _drop_from_current

    def node(name: str) -> ox.NamedNode:
        return ox.NamedNode(f"https://w3id.org/quanze/id/{name}")

    dropped, other, superseded, catalogue = (f"https://w3id.org/quanze/id/graph/{n}" for n in ("register/a", "register/b", "register/old", "registers"))
    p = node("p")
    only_dropped, shared, with_superseded, with_catalogue, only_other = (ox.Triple(node(f"s{n}"), p, ox.Literal(str(n))) for n in range(5))
    store = ox.Store()
    for triple, graphs in ((only_dropped, [dropped]), (shared, [dropped, other]), (with_superseded, [dropped, superseded]),
                           (with_catalogue, [dropped, catalogue]), (only_other, [other])):
        for graph in graphs:
            store.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(graph)))
        store.add(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    _drop_from_current(store, [dropped, "https://w3id.org/quanze/id/graph/report/a"], {superseded, catalogue})
    left = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert left == {shared, only_other}
    assert len(store) == 8 + 2  # the named graphs are untouched
