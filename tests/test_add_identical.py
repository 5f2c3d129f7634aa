"""A faster `quanze add` is the same add: after each step of a sequence of adds and removes (a merged
jurisdiction's revised register, three counties in one call, a new version, the same file again, a
removal that makes the previous version current again) the store holds the quads main's code left
there, and the command says the same.

tests/data/add_digest.json was written by `python -m tests._add_digest` with the code of main at
d45edea (before `add` was reworked for speed, issue 13); a change that means to change what `add`
stores writes it again, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._add_digest import add_digests

EXPECTED = json.loads((Path(__file__).parent / "data" / "add_digest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def digests(tmp_path_factory) -> dict[str, dict]:
    return add_digests(tmp_path_factory.mktemp("add-identical"))


@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_leaves_the_same_quads(digests, step):
    got, expected = digests[step], EXPECTED[step]
    assert got.get("said") == expected.get("said")
    assert got["per_predicate"] == expected["per_predicate"]
    assert (got["quads"], got["sha256"]) == (expected["quads"], expected["sha256"])


def test_the_sequence_changes_the_store():
    """The steps are not no-ops: each add grows the store, the removal gives back the state before the new version."""
    quads = [EXPECTED[step]["quads"] for step in EXPECTED]
    assert quads[0] < quads[1] < quads[2] < quads[3] == quads[4] and quads[5] == quads[2]
    assert EXPECTED["remove the current version"]["sha256"] == EXPECTED["three counties in one call"]["sha256"]


@pytest.mark.parametrize("command", ["add", "remove"])
def test_the_written_copy_is_closed_before_it_is_renamed_into_place(tmp_path, store_path, monkeypatch, command):
    """RocksDB writes into its directory until the handle is freed (its compactions, its manifest): renamed
    while open, it failed its compactions and waited a second on close. The copy must be free when
    `updating` renames it: a second handle opens then (RocksDB refuses one while the first is open)."""
    import shutil

    import pyoxigraph as ox

    from quanze.graph.cli import main

    store = tmp_path / "store"
    shutil.copytree(store_path, store)
    register = tmp_path / "文峰区.csv"
    register.write_text((Path(__file__).parent / "data" / "valid" / "北关区-权责清单.csv").read_text(encoding="utf-8")
                        .replace("北关区", "文峰区").replace("410503", "410502"), encoding="utf-8")
    if command == "remove":
        assert main(["--store", str(store), "add", str(register)]) == 0
    opened: list[str] = []
    rename = Path.rename

    def checked(self: Path, target):
        if ".partial-" in self.name:
            try:
                handle = ox.Store(str(self))
            except OSError as error:
                opened.append(f"still open: {error}")
            else:
                del handle
                opened.append("free")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", checked)
    argv = ["add", str(register), "--version", "2"] if command == "add" else ["remove", register.name]
    if command == "add":
        register.write_text(register.read_text(encoding="utf-8").replace("文峰区", "文峰区 ", 1), encoding="utf-8")
    assert main(["--store", str(store), *argv]) == 0
    assert opened == ["free"]


def _dropped_by_main(store, graphs: list[str], excluded: set[str]) -> set:
    """What main's `_drop_from_current` (d45edea) took out of the default graph: one query, each triple checked."""
    import pyoxigraph as ox

    others = ", ".join(f"<{g}>" for g in sorted(set(graphs) | excluded))
    union = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in sorted(set(graphs)))
    query = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {union} FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({others})) }} }}"
    return {ox.Triple(row[0], row[1], row[2]) for row in store.query(query)}


@pytest.mark.parametrize("seed", range(12))
def test_the_default_graph_loses_what_main_took_out_of_it(seed):
    """`_drop_from_current` removes the triples by one SPARQL update instead of selecting them and removing
    each from Python: on random stores (IRI and blank-node subjects, triples shared with other, superseded
    and catalogue graphs, a blank-node graph) it leaves the default graph as main's query and removals did."""
    import random

    import pyoxigraph as ox

    from quanze.graph.store.registers import _drop_from_current

    rng = random.Random(seed)
    base = "https://w3id.org/quanze/id/"
    dropped = [f"{base}graph/register/a", f"{base}graph/report/a"]
    excluded = {f"{base}graph/register/old", f"{base}graph/registers"}
    graphs = [ox.NamedNode(g) for g in [*dropped, *sorted(excluded), f"{base}graph/register/b", f"{base}graph/alignment"]] + [ox.BlankNode("g")]
    subjects = [ox.NamedNode(f"{base}s{n}") for n in range(40)] + [ox.BlankNode(f"b{n}") for n in range(6)]
    objects = [ox.Literal(f"{n}") for n in range(3)] + subjects[:5]
    quads = set()
    for _ in range(400):
        triple = (rng.choice(subjects), ox.NamedNode(f"{base}p{rng.randrange(3)}"), rng.choice(objects))
        for graph in rng.sample(graphs, rng.choice((1, 1, 2, 3))):
            quads.add(ox.Quad(*triple, graph))
            if not (isinstance(graph, ox.NamedNode) and graph.value in excluded):
                quads.add(ox.Quad(*triple, ox.DefaultGraph()))
    stores = []
    for _ in range(2):
        store = ox.Store()
        store.extend(quads)
        stores.append(store)
    expected = _dropped_by_main(stores[0], dropped, excluded)
    default = {ox.Triple(q.subject, q.predicate, q.object) for q in stores[0].quads_for_pattern(None, None, None, ox.DefaultGraph())}
    _drop_from_current(stores[1], dropped, excluded)
    left = {ox.Triple(q.subject, q.predicate, q.object) for q in stores[1].quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert left == default - expected
    assert expected and default - expected  # something goes, something stays
    for kind in (ox.NamedNode, ox.BlankNode):  # of either kind of subject, some triples go and some stay
        assert any(isinstance(t.subject, kind) for t in expected) and any(isinstance(t.subject, kind) for t in default - expected)
    assert len(stores[1]) == len(quads) - len(expected)  # only default-graph triples go
