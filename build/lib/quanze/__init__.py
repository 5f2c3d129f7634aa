"""Quanze (权责): county medical-insurance bureaus' power and integrity-risk registers as a legal knowledge graph.

The installed namespace is this one package. Its code lives in the repository's `graph/`
(read → repair → map → align → store → query / validate) and `api/` folders, and its
reference data in `ontology/`, `shapes/`, `data/` and `queries/`; `pyproject.toml` maps each
folder onto a sub-package (`quanze.graph`, `quanze.api`, `quanze.ontology` …), so the wheel
holds one top-level name and the data travel inside it.
"""

__version__ = "0.2.0"
