"""A build's output reduced to what must not change when the build gets faster.

`digest(store)` is, for every named graph family (register/…, report/… collapsed, the shared
graphs by name), the number of quads per predicate, and one SHA-256 over every quad as sorted
N-Quads lines — blank nodes written `_:b` (their labels are random) and `qz:addedAt` left out
(the clock). tests/test_build_identical.py compares it with the digest main's code gave
(tests/data/build_digest.json); `python -m tests._digest` prints the digest of today's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
_ADDED_AT = "https://w3id.org/quanze/ontology#addedAt"


def _term(term) -> str:
    return "_:b" if isinstance(term, ox.BlankNode) else str(term)


def _family(graph) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return "default"
    name = graph.value.removeprefix("https://w3id.org/quanze/id/graph/")
    return name.split("/", 1)[0] + "/*" if "/" in name else name


def digest(store: ox.Store) -> dict[str, object]:
    lines, counts = [], Counter()
    for quad in store:
        if quad.predicate.value == _ADDED_AT:
            continue
        counts[f"{_family(quad.graph_name)} {quad.predicate.value}"] += 1
        lines.append(" ".join(_term(t) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)))
    lines.sort()
    return {
        "quads": len(lines),
        "sha256": hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest(),
        "per_predicate": dict(sorted(counts.items())),
    }


def synthetic_country(out: Path, counties: int = 6, seed: int = 11) -> Path:
    """A small synthetic country (bench/synth_country.py) as a data folder: `out`/registers."""
    spec = importlib.util.spec_from_file_location("synth_country", ROOT / "bench" / "synth_country.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synth_country", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.generate(out / "registers", counties, seed=seed, mean_items=25, risk_share=0.5, defect_rate=0.15)
    (out / "registers" / "defects.csv").unlink()
    return out


def build_digests(work: Path) -> dict[str, object]:
    """The digests of a build of the seed registers and of a six-county synthetic country."""
    from quanze.graph import paths
    from quanze.graph.store.build import build_store
    from quanze.graph.store.oxigraph import open_store

    result = {}
    for name, data in (("seeds", paths.data_dir()), ("synthetic-6", synthetic_country(work / "country"))):
        store = work / f"store-{name}"
        build_store(data, paths.ontology_dir(), store, workers=1)
        with open_store(store) as handle:
            result[name] = digest(handle)
    return result


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(build_digests(Path(folder)), ensure_ascii=False, indent=1))
