"""Alignment to the canonical catalogue, `quanze compare` and `quanze analyze`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from quanze.graph import paths
from quanze.graph.align.powers import Aligner, ItemFacts, load_catalogue
from quanze.graph.cli import main

GOLD = Path(__file__).parent / "data" / "alignment_gold.csv"


@pytest.fixture(scope="module")
def gold() -> dict[str, str]:
    with GOLD.open(encoding="utf-8") as handle:
        return {row["item"]: row["canonical"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def aligner() -> Aligner:
    return Aligner(load_catalogue(paths.data_dir() / "canonical_powers.csv"))


def test_every_item_is_aligned_as_read_off_the_seeds(built, gold):
    found = {a.item: a.canonical for a in built[1].alignments}
    assert found == gold


def test_the_method_alone_is_precise(built, gold):
    method = [a for a in built[1].alignments if a.method == "method"]
    assert len(method) >= 50  # only two items needed a person's decision
    assert all(a.canonical == gold[a.item] for a in method)
    assert {a.item for a in built[1].alignments if a.method == "curation"} == {"620922/002-1", "410503/4105030039H0004"}


def test_items_that_merely_look_alike_are_told_apart(built):
    found = {a.item: a.canonical for a in built[1].alignments}
    assert found["410503/4105030039H0007"] != found["410503/4105030039H0008"]
    assert found["140423/3400-G-00100-140423"] != found["140423/3400-G-00200-140423"]


def test_scrambled_name_aligns_by_its_characters(aligner):
    # 004 row 24 as OCR read it, column by column: the characters survive, their order does not
    scrambled = "建药员理入信台关系国定立机等制全息和信统家实定构信度国共其息,有施点、用,信享他公按关惩医人管纳用平相示照规戒"
    alignment = aligner.align(ItemFacts("x", (scrambled,), "OtherPower", frozenset()))
    assert alignment.canonical == "credit-system"


def test_an_item_without_a_name_aligns_by_its_articles(aligner):
    alignment = aligner.align(ItemFacts("x", (), "Penalty", frozenset({"social-insurance-law:87"})))
    assert alignment.canonical == "institution-fraud-penalty" and "条款重合 1.00" in alignment.evidence


def test_weak_evidence_goes_to_review(aligner):
    alignment = aligner.align(ItemFacts("x", ("基本医疗保险参保人员",), "OtherPower", frozenset()))
    assert alignment.canonical is None and alignment.method == "review"


def test_alignment_links_carry_score_and_evidence(select):
    rows = select(
        """SELECT ?score ?method ?evidence WHERE { ?a qz:alignedItem ?i ; qz:matchScore ?score ;
             qz:alignmentMethod ?method ; qz:evidence ?evidence . ?i qz:itemCode "4105030039B0004" }"""
    )
    assert rows[0]["method"] == "method" and float(rows[0]["score"]) > 0.5 and "条款重合" in rows[0]["evidence"]


def test_compare_report(capsys, store_path):
    code = main(["--store", str(store_path), "compare", "340406", "410503"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "两地均有 5 项" in out
    assert "对医疗保障经办机构不履行法定职责的处理" in out.split("== 仅北关区")[1]  # only 北关区 lists it
    assert "医疗救助审批与待遇给付" in out.split("== 仅潘集区")[1].split("== 仅北关区")[0]
    assert "仅北关区引 医保基金监管条例 第三十三条" in out  # credit system: an article only one cites


def test_compare_shows_risk_level_differences(capsys, store_path):
    code = main(["--store", str(store_path), "compare", "140423", "340406", "--format", "json"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and {"sealing-materials", "institution-fraud-penalty"} <= {cid for cid, _ in data["both"]}


def test_compare_csv_and_matrix(capsys, store_path):
    assert main(["--store", str(store_path), "compare", "340406", "620922", "--format", "csv"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("canonical,name,in,aspect,only_340406,only_620922")
    assert main(["--store", str(store_path), "compare", "--matrix"]) == 0
    out, _ = capsys.readouterr()
    assert "北关区410503" in out and "institution-fraud-penalty" in out


@pytest.mark.parametrize("argv,message", [(["340406"], "two six-digit"), (["340406", "999999"], "no register of jurisdiction 999999")])
def test_compare_errors(capsys, store_path, argv, message):
    code = main(["--store", str(store_path), "compare", *argv])
    _, err = capsys.readouterr()
    assert code == 2 and message in err


def test_analyze_and_graphml(capsys, store_path, tmp_path):
    target = tmp_path / "g.graphml"
    code = main(["--store", str(store_path), "analyze", "--graphml", str(target)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[1].strip().startswith("社会保险法 第八十七条")  # the most-cited article
    assert "辖区相似度" in out and target.read_text(encoding="utf-8").startswith("<?xml")
