"""Where the reference data, the ontology, the shapes and the store live.

The ontology, shapes, queries and reference data ship inside the package (`quanze.ontology`,
`quanze.shapes`, `quanze.queries`, `quanze.data`) and are found with importlib.resources, so
an installed wheel works from any directory. The store and the user's own registers live
where the user says (`--store`, `--data`, QUANZE_STORE, QUANZE_DATA); without that, the store
is `var/store` of a source checkout, or a per-user data directory (platformdirs) otherwise.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import platformdirs


def packaged(package: str) -> Path:
    """The folder of a resource package (`quanze.data`, `quanze.ontology` …) on disk."""
    return Path(str(files(package)))


def checkout_root() -> Path | None:
    """The source checkout this code runs from, or None for an installed wheel."""
    root = packaged("quanze.data").parent
    return root if (root / "pyproject.toml").is_file() and (root / "graph" / "cli.py").is_file() else None


def data_dir() -> Path:
    """The data folder (registers, statutes, curation); QUANZE_DATA overrides the packaged one."""
    return Path(os.environ["QUANZE_DATA"]) if os.environ.get("QUANZE_DATA") else packaged("quanze.data")


def reference_file(relative: str, data: Path | None = None) -> Path:
    """A reference file (e.g. "statutes/instruments.csv") from `data` if it has one, else the packaged copy.

    A user's data folder may hold only registers; the statute catalogue, code schemes and
    canonical catalogue then come with the package.
    """
    own = (data or data_dir()) / relative
    return own if own.exists() else packaged("quanze.data") / relative


def ontology_dir() -> Path:
    """The Turtle vocabulary; QUANZE_ONTOLOGY overrides."""
    return Path(os.environ["QUANZE_ONTOLOGY"]) if os.environ.get("QUANZE_ONTOLOGY") else packaged("quanze.ontology")


def shapes_dir() -> Path:
    """The SHACL shapes; QUANZE_SHAPES overrides."""
    return Path(os.environ["QUANZE_SHAPES"]) if os.environ.get("QUANZE_SHAPES") else packaged("quanze.shapes")


def is_remote(store: object) -> bool:
    """A SPARQL server (graph/store/remote.py's RemoteLocation) rather than a store directory; imports nothing."""
    return type(store).__name__ == "RemoteLocation"


def store_location(text: str) -> Path:
    """A store directory, or a SPARQL server for `sparql+http(s)://HOST:PORT/PATH` (graph/store/remote.py)."""
    if text.startswith(("sparql+http://", "sparql+https://")):
        from quanze.graph.store.remote import parse_location

        return parse_location(text)  # type: ignore[return-value]
    return Path(text)


def queries_dir() -> Path:
    """The example queries shown on the query page and run by the tests."""
    return packaged("quanze.queries")


def store_dir() -> Path:
    """The embedded store: QUANZE_STORE, else `var/store` of a checkout, else the user's data directory.

    QUANZE_STORE may name a SPARQL server instead (`sparql+http://…`): a RemoteLocation then."""
    if os.environ.get("QUANZE_STORE"):
        return store_location(os.environ["QUANZE_STORE"])
    root = checkout_root()
    return root / "var" / "store" if root else Path(platformdirs.user_data_dir("quanze")) / "store"
