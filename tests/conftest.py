"""Shared fixtures: the seed registers and one build of the whole dataset per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanze.graph import paths

REGISTERS = paths.data_dir() / "registers"


def seed(number: str) -> tuple[str, str]:
    """(file name, text) of the seed register whose name starts with `number`."""
    path = next(REGISTERS.glob(f"{number}_*.txt"))
    return path.name, path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built():
    """The dataset and build report of all five registers (built once)."""
    from quanze.graph.store.build import build_dataset

    return build_dataset(paths.data_dir(), paths.ontology_dir())


@pytest.fixture(scope="session")
def dataset(built):
    return built[0]


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory, built) -> Path:
    """A built on-disk store, shared by the CLI tests."""
    from quanze.graph.store.oxigraph import write_store

    path = tmp_path_factory.mktemp("store") / "store"
    write_store(built[0].serialize(format="nquads", encoding="utf-8"), path)
    return path


@pytest.fixture(scope="session")
def select(built):
    """Run a SELECT over the union of all graphs; rows as dicts of plain strings."""
    import pyoxigraph as ox

    from quanze.graph.store.oxigraph import load_current

    store = ox.Store()
    load_current(store, built[0].serialize(format="nquads", encoding="utf-8"))
    prefixes = (
        "PREFIX qz: <https://w3id.org/quanze/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX id: <https://w3id.org/quanze/id/>\n"
    )

    def run(query: str) -> list[dict[str, str]]:
        solutions = store.query(prefixes + query)
        names = [v.value for v in solutions.variables]
        return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]

    return run


@pytest.fixture(scope="session")
def server(store_path: Path):
    """The HTTP server (uvicorn, own process) on the test store, with a 2 s query timeout."""
    from tests._server import running_server

    with running_server(store_path, QUANZE_QUERY_TIMEOUT="2", QUANZE_MAX_RESULTS="5000", QUANZE_MAX_UPLOAD_BYTES="200000") as url:
        yield url


