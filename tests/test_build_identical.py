"""A faster build is the same build: the quads of the seed registers and of a six-county synthetic
country are those main's code wrote before the build was reworked for the whole country (issue 13).

tests/data/build_digest.json was written by `python -m tests._digest` at commit 026adb2; a change that
means to change the graph writes it again, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._digest import build_digests

EXPECTED = json.loads((Path(__file__).parent / "data" / "build_digest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def digests(tmp_path_factory) -> dict[str, dict]:
    return build_digests(tmp_path_factory.mktemp("identical"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_build_writes_the_same_quads(digests, name):
    got, expected = digests[name], EXPECTED[name]
    assert got["per_predicate"] == expected["per_predicate"]
    assert (got["quads"], got["sha256"]) == (expected["quads"], expected["sha256"])
