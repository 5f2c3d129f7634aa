"""The example queries (queries/*.rq) were rewritten for speed (selective patterns first, MINUS,
grouping on IRIs before joining labels); they must give exactly the answers the first versions
gave (tests/data/queries-before/), with the same variables in the same order — on the seed
registers and on the seeds together with a synthetic country."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from quanze.graph import paths
from quanze.graph.store.oxigraph import load_current

BEFORE = Path(__file__).parent / "data" / "queries-before"
QUERIES = sorted(paths.queries_dir().glob("*.rq"))


def _rows(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    solutions = store.query(text)
    names = [v.value for v in solutions.variables]
    return names, [tuple(None if s[n] is None else str(s[n]) for n in names) for s in solutions]


@pytest.fixture(scope="module")
def stores(built) -> dict[str, ox.Store]:
    from tests._country import country_nquads

    seeds = built[0].serialize(format="nquads", encoding="utf-8")
    only_seeds, with_country = ox.Store(), ox.Store()
    load_current(only_seeds, seeds)
    load_current(with_country, seeds)
    load_current(with_country, country_nquads())
    return {"seeds": only_seeds, "seeds+country": with_country}


def _order_keys(query: str) -> list[str]:
    """The variables of the ORDER BY clause (ties may come in any order; the keys' sequence may not)."""
    match = re.search(r"ORDER BY(.*?)(LIMIT|OFFSET|$)", query, re.S)
    return re.findall(r"\?(\w+)", match.group(1)) if match else []


def test_every_example_has_its_first_version():
    assert {p.name for p in QUERIES} == {p.name for p in BEFORE.glob("*.rq")}


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.name)
def test_rewritten_query_gives_the_first_versions_answers(stores, query):
    before = (BEFORE / query.name).read_text(encoding="utf-8")
    after = query.read_text(encoding="utf-8")
    answered = 0
    for name, store in stores.items():
        names_before, rows_before = _rows(store, before)
        names_after, rows_after = _rows(store, after)
        assert names_after == names_before, f"{name}: the columns changed"
        assert Counter(rows_after) == Counter(rows_before), f"{name}: the rows changed"
        keys = [names_before.index(k) for k in _order_keys(before) if k in names_before]
        assert [tuple(r[i] for i in keys) for r in rows_after] == [tuple(r[i] for i in keys) for r in rows_before], (
            f"{name}: the order changed")
        answered += len(rows_after)
    assert answered, "a query that finds nothing proves nothing"
