"""Per-register summaries (graph/map/summaries.py, graph/query/summaries.py): the home page, the
matrix and the charts read them, and give the same answers as counting item by item — on the
seed store, on a synthetic country, and after registers are added, revised and removed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from quanze.api.services import comparison, views
from quanze.graph.cli import main
from quanze.graph.map.summaries import summary_quads
from quanze.graph.namespaces import ID, QZ
from quanze.graph.query import compare, summaries
from quanze.graph.store.oxigraph import load_current, open_store

def _selector(store: ox.Store):
    def run(query: str) -> list[dict[str, str | None]]:
        solutions = store.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]

    return run


def _without_summaries(select):
    """The same store as the pages see it when it has no summaries: the scans run."""

    def run(query: str):
        return [] if "qz:RegisterSummary a ?kind" in query else select(query)

    return run


def _without_canonical_counts(select):
    """The same store as it was before summaries carried qz:canonicalPowerCounts: the matrix reads the entries."""

    def run(query: str):
        return [] if "qz:canonicalPowerCounts a ?kind" in query else select(query)

    return run


def _cells(m: comparison.Matrix) -> dict:
    return {key: (sorted(c.items), c.top, c.risks) for key, c in m.cells.items()}


def assert_same_answers(select) -> None:
    """Every reader of the summaries gives what the item-by-item scan gives."""
    assert summaries.available(select), "the store has no summaries"
    scan = _without_summaries(select)
    home, home_scan = views.jurisdictions(select), views.jurisdictions(scan)
    assert home == home_scan
    assert sum(r["powers"] for r in home) > 0 and sum(r["risks"] for r in home) > 0
    codes = [r["code"] for r in home]
    assert views.jurisdictions(select, codes) == home == views.jurisdictions(scan, codes)
    some = codes[1::2]
    assert views.jurisdictions(select, some) == [r for r in home if r["code"] in some] == views.jurisdictions(scan, some)
    assert views.jurisdictions(select, []) == [] == views.jurisdictions(scan, [])
    assert compare.matrix(select) == compare.matrix(scan)
    assert compare.matrix(select)[2], "an empty matrix proves nothing"
    assert compare.matrix_csv(select) == compare.matrix_csv(scan)
    assert summaries.has_canonical_counts(select), "the summaries carry qz:canonicalPowerCounts"
    entries = _without_canonical_counts(select)
    assert not summaries.has_canonical_counts(entries)
    assert compare.matrix(entries) == compare.matrix(select), "the one-literal counts and the entries agree"
    for lang in ("zh", "en"):
        m, m_scan = comparison.matrix_cells(select, lang), comparison.matrix_cells(scan, lang)
        assert m.jurisdictions == m_scan.jurisdictions and m.canonical == m_scan.canonical
        assert _cells(m) == _cells(m_scan)
        charts, charts_scan = comparison.chart_data(select, m, lang), comparison.chart_data(scan, m_scan, lang)
        assert charts == charts_scan
        assert charts["articles"]["labels"] and charts["types"]["series"]
        assert_same_answers_for_some(select, scan, m, lang)


def assert_same_answers_for_some(select, scan, whole: comparison.Matrix, lang: str) -> None:
    """The compare page of one province: the matrix and charts of some jurisdictions are those of the
    whole store restricted to them, from the summaries and from the scans alike."""
    codes = [code for code, _ in whole.jurisdictions]
    every = comparison.matrix_cells(select, lang, codes)
    assert (every.jurisdictions, every.canonical, _cells(every)) == (whole.jurisdictions, whole.canonical, _cells(whole))
    assert comparison.chart_data(select, every, lang, codes) == comparison.chart_data(select, whole, lang)
    some = codes[::2]
    part, part_scan = comparison.matrix_cells(select, lang, some), comparison.matrix_cells(scan, lang, some)
    assert _cells(part) == {key: cell for key, cell in _cells(whole).items() if key[0] in some} == _cells(part_scan)
    assert [code for code, _ in part.jurisdictions] == sorted({code for code, _ in part.cells})
    charts, charts_scan = comparison.chart_data(select, part, lang, some), comparison.chart_data(scan, part_scan, lang, some)
    assert charts["types"] == charts_scan["types"] and charts["types"]["series"]
    assert comparison.matrix_cells(select, lang, []).cells == {} and comparison.matrix_cells(scan, lang, []).cells == {}


# --- the pure function ------------------------------------------------------------------------


def test_summary_of_a_hand_made_register():
    g, other = ID["graph/register/x"], ID["graph/register/y"]
    j = ID["jurisdiction/110101"]
    a, b, c = ID["power/110101/a"], ID["power/110101/b"], ID["power/110101/c"]
    r1, r2, r3 = (ID[f"power/110101/a/risk/{n}"] for n in (1, 2, 3))
    s1 = ID["power/110101/a/stage/x"]
    quads = [
        (ID["register/x"], RDF.type, QZ.Register, g),
        (a, RDF.type, QZ.PowerItem, g), (a, QZ.jurisdiction, j, g), (a, QZ.powerType, QZ.Penalty, g),
        (b, RDF.type, QZ.PowerItem, g), (b, QZ.jurisdiction, j, g), (b, QZ.powerType, QZ.Penalty, g),
        (c, RDF.type, QZ.InternalMatter, g), (c, QZ.jurisdiction, j, g), (c, QZ.hasRiskPoint, r3, g),
        (a, QZ.canonicalPower, ID["canonical/P1"], ID["graph/alignment"]),
        (b, QZ.canonicalPower, ID["canonical/P1"], ID["graph/alignment"]),
        (a, QZ.legalBasis, ID["law/x/art/1"], g), (b, QZ.legalBasis, ID["law/x/art/1"], g),
        # the risk register states a's risk points in its own graph: they count on a's register
        (a, QZ.hasRiskPoint, r1, other), (a, QZ.hasRiskPoint, r2, other),
        (r1, QZ.riskLevel, QZ.High, other), (r2, QZ.riskLevel, QZ.Low, other), (r3, QZ.riskLevel, QZ.Low, g),
        (r1, QZ.atStage, s1, other), (r2, QZ.atStage, s1, other), (r3, QZ.atStage, s1, g),
        (s1, QZ.stageType, QZ.Stage, other), (s1, QZ.order, Literal(4), other),
    ]
    out = summary_quads(quads)
    assert {q[3] for q in out} == {g}
    node = ID["summary/register/x/110101"]
    triples = {(s, p, o) for s, p, o, _ in out}
    assert (node, RDF.type, QZ.RegisterSummary) in triples and (node, QZ.summaryOf, ID["register/x"]) in triples
    assert (node, QZ.itemCount, Literal(2)) in triples  # the internal matter is no power item
    assert (node, QZ.riskPointCount, Literal(2)) in triples
    cell = URIRef(f"{node}/canonical/P1")
    assert {(p, o) for s, p, o in triples if s == cell} == {
        (QZ.summaryCanonicalPower, ID["canonical/P1"]), (QZ.itemCount, Literal(2)), (QZ.riskPointCount, Literal(2)),
        (QZ.summaryRiskLevel, QZ.High), (QZ.summaryRiskLevel, QZ.Low), (QZ.summaryItem, a), (QZ.summaryItem, b),
    }
    assert (node, QZ.canonicalPowerCounts, Literal("canonical/P1 2")) in triples
    assert (URIRef(f"{node}/type/Penalty"), QZ.itemCount, Literal(2)) in triples
    assert (URIRef(f"{node}/article/law/x/art/1"), QZ.itemCount, Literal(2)) in triples
    # risk points per stage type and level count the internal matter's too
    low = URIRef(f"{node}/stage/Stage/Low")
    assert (low, QZ.riskPointCount, Literal(2)) in triples and (low, QZ.minStageOrder, Literal(4)) in triples
    assert (URIRef(f"{node}/stage/Stage/High"), QZ.riskPointCount, Literal(1)) in triples
    assert summary_quads(reversed(quads)) == out, "the same quads in another order give the same summary"


# --- the same answers as the scans ------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_select(built):
    store = ox.Store()
    load_current(store, built[0].serialize(format="nquads", encoding="utf-8"))
    return _selector(store)


def test_seed_store_summaries_give_the_scans_answers(seed_select):
    assert_same_answers(seed_select)
    assert comparison.chart_data(seed_select, comparison.matrix_cells(seed_select))["stages"]["categories"]
    rows = {r["code"]: r for r in views.jurisdictions(seed_select)}
    assert (rows["410503"]["powers"], rows["140423"]["risks"]) == (25, 137)


@pytest.fixture(scope="module")
def country_store() -> ox.Store:
    """Eight synthetic counties (with planted defects and risk registers), built as `quanze build` does."""
    from tests._country import country_nquads

    store = ox.Store()
    load_current(store, country_nquads())
    return store


def test_synthetic_country_summaries_give_the_scans_answers(country_store):
    select = _selector(country_store)
    assert len(views.jurisdictions(select)) >= 8
    assert_same_answers(select)


def test_a_store_without_summaries_falls_back_to_the_scans(seed_select):
    scan = _without_summaries(seed_select)
    assert not summaries.available(scan)
    assert views.jurisdictions(scan) == views.jurisdictions(seed_select)


# --- summaries follow registers added, revised and removed ------------------------------------


def _register(path: Path, edit=None) -> Path:
    from tests.test_registers import _register as make

    return make(path, edit)


def _store_select(path: Path):
    with open_store(path) as store:
        copy = ox.Store()
        copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    return _selector(copy)


_EXAMPLE_04 = (Path(__file__).resolve().parent.parent / "queries" / "04-risk-points-without-role.rq").read_text(encoding="utf-8")


def _without_role_and_control(rows: list[list[str]]) -> list[list[str]]:
    """The register with the responsible role of its first item's risk points, and the controls of its second's, left out."""
    header = rows[0]
    role, control = header.index("责任人"), header.index("防控措施")
    rows[1][role] = ""
    rows[2][control] = ""
    return rows


def assert_example_queries_follow(select) -> None:
    """Queries 01 and 04 read the summaries and the stored validation reports: after every add,
    revision and removal they still give the rows of their first versions (tests/data/queries-before)."""
    from collections import Counter

    from quanze.graph import paths

    before = Path(__file__).parent / "data" / "queries-before"
    for name in ("01-powers-per-jurisdiction.rq", "04-risk-points-without-role.rq"):
        now = select((paths.queries_dir() / name).read_text(encoding="utf-8"))
        first = select((before / name).read_text(encoding="utf-8"))
        assert Counter(tuple(sorted(r.items())) for r in now) == Counter(tuple(sorted(r.items())) for r in first), name


def test_summaries_follow_add_revise_and_remove(tmp_path, store_path, capsys):
    store = tmp_path / "store"
    shutil.copytree(store_path, store)
    old = _register(tmp_path / "文峰区-2023.csv", _without_role_and_control)
    new = _register(tmp_path / "文峰区-2024.csv", lambda rows: rows[:2])
    assert main(["--store", str(store), "add", str(old), "--version", "2023"]) == 0
    select = _store_select(store)
    missing = select(_EXAMPLE_04)
    assert {(r["辖区"], r["缺少"]) for r in missing} >= {("文峰区", "责任人"), ("文峰区", "防控措施")}
    assert {r["code"]: r["powers"] for r in views.jurisdictions(select)}["410502"] == 2
    assert_same_answers(select)
    assert_example_queries_follow(select)
    assert main(["--store", str(store), "add", str(new), "--version", "2024"]) == 0
    select = _store_select(store)
    assert {r["code"]: r["powers"] for r in views.jurisdictions(select)}["410502"] == 1
    assert_same_answers(select)
    assert_example_queries_follow(select)
    # the superseded version keeps its summary in its own graph only
    kept = select("""SELECT ?n WHERE { GRAPH <https://w3id.org/quanze/id/graph/register/文峰区-2023> {
        ?s a <https://w3id.org/quanze/ontology#RegisterSummary> ; <https://w3id.org/quanze/ontology#itemCount> ?n } }""")
    assert [r["n"] for r in kept] == ["2"]
    # removing the current version makes the one it superseded current again, summary included
    assert main(["--store", str(store), "remove", "文峰区-2024.csv"]) == 0
    select = _store_select(store)
    assert {r["code"]: r["powers"] for r in views.jurisdictions(select)}["410502"] == 2
    assert_same_answers(select)
    assert_example_queries_follow(select)
    assert main(["--store", str(store), "remove", "文峰区-2023.csv"]) == 0
    select = _store_select(store)
    assert "410502" not in {r["code"] for r in views.jurisdictions(select) if r["powers"]}
    assert_same_answers(select)
    assert_example_queries_follow(select)
    capsys.readouterr()


# --- a store built before summaries existed ---------------------------------------------------


def test_backfill_gives_an_old_store_the_summaries_a_build_writes(tmp_path, built, capsys):
    from quanze.graph.store.oxigraph import write_store
    from quanze.graph.store.summaries import main as backfill

    summary = str(ID["summary/"])
    old = [q for q in built[0].quads((None, None, None, None))
           if not str(q[0]).startswith(summary) and q[0] != QZ.RegisterSummary]
    from rdflib import Dataset

    dataset = Dataset()
    for s, p, o, g in old:
        dataset.graph(g).add((s, p, o))
    store = tmp_path / "old-store"
    write_store(dataset.serialize(format="nquads", encoding="utf-8"), store)
    select = _store_select(store)
    assert not summaries.available(select)
    assert views.jurisdictions(select) == views.jurisdictions(_without_summaries(_store_select_built(built)))
    assert backfill([str(store)]) == 0
    select = _store_select(store)
    assert_same_answers(select)
    query = 'SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/quanze/id/summary/")) } }'
    assert len(select(query)) > 100
    assert sorted(map(str, select(query))) == sorted(map(str, _store_select_built(built)(query)))
    assert backfill([str(store)]) == 0  # twice changes nothing
    assert sorted(map(str, _store_select(store)(query))) == sorted(map(str, select(query)))
    assert backfill([str(tmp_path / "nothing")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def _store_select_built(built):
    store = ox.Store()
    load_current(store, built[0].serialize(format="nquads", encoding="utf-8"))
    return _selector(store)
