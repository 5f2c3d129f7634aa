"""`quanze add` and `remove` reduced to what must not change when they get faster.

`add_digests(work)` builds the seed registers' store, then runs a fixed sequence of adds and removes
through the command line (a merged jurisdiction's revised risk register; three synthetic counties'
registers in one call, one of them with a power list and a risk register; a new version of one of
them; the same file again; removing the current version so the previous one returns) and takes the
store's digest (tests/_digest.py: every quad, blank nodes and `qz:addedAt` masked) after each step.
tests/test_add_identical.py compares them with what main's code gave (tests/data/add_digest.json);
`python -m tests._add_digest` prints today's.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

from tests._digest import digest, synthetic_country

SEEDS = Path(__file__).resolve().parent.parent / "data" / "registers"


def _revised(source: Path, target: Path, mark: str) -> Path:
    """A CSV register with its first item's name changed (a new digest, one item different)."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    column = next((i for i, h in enumerate(rows[0]) if any(k in h for k in ("名称", "权力事项", "事项"))), 1)
    rows[1][column] += mark
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _steps(work: Path) -> list[tuple[str, list[str]]]:
    """The sequence: (name, command line after `--store STORE`)."""
    country = synthetic_country(work / "country", counties=6, seed=11) / "registers"
    by_county: dict[str, list[Path]] = {}
    for path in sorted(country.glob("*.csv")):
        by_county.setdefault(path.name[:6], []).append(path)
    pair = next(code for code, files in sorted(by_county.items()) if len(files) == 2)  # a power list and a risk register
    singles = [code for code, files in sorted(by_county.items()) if len(files) == 1][:2]
    arriving = [str(p) for code in [pair, *singles] for p in by_county[code]]
    power_list = next(p for p in by_county[pair] if "权责清单" in p.name)
    revision = work / "revised"
    revision.mkdir(exist_ok=True)
    revised = _revised(power_list, revision / power_list.name, "（修订）")
    seed = next(SEEDS.glob("000_*.txt"))
    risk = work / "潘集区-廉政风险点-2024.txt"
    risk.write_text(seed.read_text(encoding="utf-8").replace("（2023版）", "（2024版）"), encoding="utf-8")
    return [
        ("merged jurisdiction, revised risk register", ["add", str(risk), "--jurisdiction", "340406", "--kind", "risk-register", "--version", "2024"]),
        ("three counties in one call", ["add", *arriving, "--version", "2024"]),
        ("a new version of a power list", ["add", str(revised), "--version", "2025"]),
        ("the same file again", ["add", str(revised), "--version", "2026"]),
        ("remove the current version", ["remove", f"{revised.stem}@2025{revised.suffix}"]),
    ]


def add_digests(work: Path) -> dict[str, object]:
    """The store's digest after the build of the seeds and after each step of the sequence."""
    from quanze.graph import paths
    from quanze.graph.cli import main
    from quanze.graph.store.build import build_store
    from quanze.graph.store.oxigraph import open_store

    store = work / "store-add"
    build_store(paths.data_dir(), paths.ontology_dir(), store, workers=1)
    result = {}
    with open_store(store) as handle:
        result["built"] = digest(handle)
    for name, argv in _steps(work):
        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = main(["--store", str(store), *argv])
        assert code == 0, f"{name}: exit {code}"
        with open_store(store) as handle:
            result[name] = {**digest(handle), "said": said.getvalue().splitlines()}
    return result


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(add_digests(Path(folder)), ensure_ascii=False, indent=1))
