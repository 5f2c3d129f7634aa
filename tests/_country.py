"""A small synthetic country (bench/synth_country.py) built as `quanze build` builds, once per session."""

from __future__ import annotations

import functools
import importlib.util
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synth():
    """bench/synth_country.py as a module."""
    if "synth_country" not in sys.modules:
        spec = importlib.util.spec_from_file_location("synth_country", ROOT / "bench" / "synth_country.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["synth_country"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["synth_country"]


@functools.lru_cache(maxsize=None)
def country_nquads(counties: int = 8, seed: int = 5) -> bytes:
    """The N-Quads of a built synthetic country (risk registers for most counties, planted defects)."""
    from quanze.graph import paths
    from quanze.graph.store.build import build_dataset

    with tempfile.TemporaryDirectory(prefix="quanze-country-") as folder:
        data = Path(folder)
        synth().generate(data / "registers", counties, seed=seed, mean_items=20, risk_share=0.6, defect_rate=0.1)
        dataset, _ = build_dataset(data, paths.ontology_dir())
        return dataset.serialize(format="nquads", encoding="utf-8")
