"""One road for a register: a build of CSV, GBK CSV, XLSX and seed text holds what validation reads."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from rdflib import Dataset, Graph
from rdflib.namespace import DCTERMS, RDF, RDFS

from quanze.graph import paths
from quanze.graph.namespaces import QZ
from quanze.graph.register import read_register, reference
from quanze.graph.store.build import build_dataset
from quanze.graph.validate.shapes import validate_files

VALID = Path(__file__).parent / "data" / "valid" / "北关区-权责清单.csv"
MANIFEST = "file,division_code,jurisdiction,province,city,agency,kind,layout,year,title,note\n"


def _rows() -> list[list[str]]:
    with VALID.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _as_county(rows: list[list[str]], name: str, code: str) -> list[list[str]]:
    """The valid register moved to another county: agency and item codes changed with it."""
    return [[cell.replace("北关区", name).replace("410503", code) for cell in row] for row in rows]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def mixed_data(tmp_path_factory) -> Path:
    """A data folder whose registers are a CSV, a GBK CSV, an XLSX under a title row and a seed text."""
    data = tmp_path_factory.mktemp("data")
    registers = data / "registers"
    registers.mkdir()
    (registers / "文峰区-权责清单.csv").write_text(_csv(_as_county(_rows(), "文峰区", "410502")), encoding="utf-8")
    (registers / "殷都区-权责清单.csv").write_bytes(_csv(_as_county(_rows(), "殷都区", "410505")).encode("gbk"))
    book = Workbook()
    sheet = book.active
    sheet.title = "权责清单"
    sheet.append(["龙安区医疗保障局权责清单（2024年版）"])
    for row in _as_county(_rows(), "龙安区", "410506"):
        sheet.append(row)
    book.save(registers / "龙安区-权责清单.xlsx")
    seed = next((paths.data_dir() / "registers").glob("004_*.txt"))
    shutil.copy(seed, registers / seed.name)
    # the manifest states the seed's jurisdiction; the other three are found from their content
    (registers / "manifest.csv").write_text(
        MANIFEST + f"{seed.name},410503,北关区,河南省,安阳市,北关区医疗保障局,power-list,table,,北关区医疗保障局权责清单,\n",
        encoding="utf-8",
    )
    return data


def _stored_items(dataset: Dataset) -> set[tuple[str, str, str]]:
    """(register file, item name, power type) of every power item in a built dataset."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    dataset = union
    found = set()
    for item in set(dataset.subjects(RDF.type, QZ.PowerItem)):
        label = str(dataset.value(item, RDFS.label) or "")
        kind = str(dataset.value(item, QZ.powerType))
        for register in dataset.objects(item, QZ.inRegister):
            found.add((str(dataset.value(register, DCTERMS.source)), label, kind))
    return found


def test_build_reads_every_format_of_the_manifest(mixed_data):
    dataset, report = build_dataset(mixed_data, paths.ontology_dir())
    assert report.items_per_register == {
        "004_3a5d5d83cde3f9ef.txt": 25,
        "文峰区-权责清单.csv": 2,
        "殷都区-权责清单.csv": 2,
        "龙安区-权责清单.xlsx": 2,
    }
    assert set(report.powers_per_jurisdiction) == {"410503", "410502", "410505", "410506"}


def test_build_holds_what_validation_reads(mixed_data):
    dataset, _ = build_dataset(mixed_data, paths.ontology_dir())
    stored = _stored_items(dataset)
    ref = reference(mixed_data)
    for path in sorted((mixed_data / "registers").iterdir()):
        if path.name == "manifest.csv":
            continue
        read = read_register(path.read_bytes(), path.name, ref)
        validated = {(path.name, d.label or "", d.power_type) for d in read.drafts}
        assert validated and validated == {s for s in stored if s[0] == path.name}
        assert validate_files([(path.name, path.read_bytes())]).items[path.name] == len(read.drafts)


def test_build_without_manifest_infers_jurisdiction(tmp_path):
    registers = tmp_path / "registers"
    registers.mkdir()
    (registers / "清单.csv").write_text(_csv(_as_county(_rows(), "文峰区", "410502")), encoding="utf-8")
    _, report = build_dataset(tmp_path, paths.ontology_dir())
    assert report.powers_per_jurisdiction == {"410502": 2}
