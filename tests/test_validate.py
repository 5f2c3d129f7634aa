"""`quanze validate`: each shape catches its defect, clean registers pass, bad input is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quanze.graph import paths
from quanze.graph.cli import main

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid" / "北关区-权责清单.csv"
TEMPLATE = paths.data_dir() / "templates" / "权责清单模板.xlsx"

# file in tests/data/invalid → (severity, Chinese message fragment) it must produce
EXPECTED = {
    "missing-name": ("Violation", "缺少事项名称"),
    "missing-power-type": ("Violation", "十类法定类型之一"),
    "penalty-without-legal-basis": ("Violation", "须至少有一条可核实的法律条款依据"),
    "nonexistent-article": ("Violation", "所引条款在该法律文件中不存在"),
    "superseded-instrument": ("Warning", "所引文件已被替代或废止"),
    "penalty-missing-service-stage": ("Violation", "缺少“送达”环节"),
    "coercion-missing-release": ("Violation", "缺少“解除”环节"),
    "risk-without-role": ("Violation", "风险点没有责任人"),
    "risk-without-control": ("Violation", "风险点没有防控措施"),
    "risk-level-unknown": ("Violation", "有且只有一个风险等级"),
    "declared-risk-count-mismatch": ("Violation", "声明的风险点数量与列出的风险点不符"),
    "code-wrong-division": ("Warning", "行政区划代码与实施主体所在辖区不符"),
    "code-wrong-type-letter": ("Warning", "类型字母与权力类型不符"),
    "unknown-jurisdiction": ("Violation", "无法确定事项所属行政区划"),
    # the rules an administrative lawyer expects (issue 14); each file breaks only its rule
    "penalty-missing-legal-review": ("Warning", "缺少“法制审核”环节（《行政处罚法》 第五十八条"),
    "penalty-missing-collective-discussion": ("Warning", "缺少“集体讨论”环节（《行政处罚法》 第五十七条第二款"),
    "penalty-large-fine-without-hearing": ("Warning", "缺少“听证告知”环节（《行政处罚法》 第六十三条"),
    "penalty-normative-document-only": ("Violation", "规范性文件不得设定行政处罚（《行政处罚法》 第十条至第十四条、第十六条）"),
    "coercion-rule-only": ("Violation", "不得设定行政强制措施（《行政强制法》 第十条）"),
    "seizure-without-two-officers": ("Warning", "未写明“两名以上执法人员”（《行政强制法》 第十八条第（二）项）"),
    "seizure-without-on-site-record": ("Warning", "未写明“制作现场笔录”（《行政强制法》 第十八条第（七）项）"),
    "seizure-without-on-the-spot-delivery": ("Warning", "未写明“当场交付决定书和清单”（《行政强制法》 第二十四条）"),
    "seizure-without-time-limit": ("Warning", "未写明“期限不超过三十日”（《行政强制法》 第二十五条）"),
    "seizure-with-reminder": ("Warning", "催告属于强制执行程序（《行政强制法》 第三十五条）"),
    "penalty-enforcement-after-closing": ("Warning", "缺少“执行”环节"),
    "penalty-duties-cut": ("Warning", "责任事项栏被 OCR 截断或损坏，无从判断，仅作警告"),
    "penalty-garbled-legal-basis": ("Warning", "实施依据栏被 OCR 损坏"),
    "licensing-without-time-limit": ("Warning", "未写明“受理与决定的时限”（《行政许可法》 第三十二条、第四十二条）"),
    "inspection-without-random-selection": ("Warning", "未写明“双随机、一公开”"),
}
ONLY_RULE = {
    "penalty-missing-legal-review": {"PenaltyLegalReviewStage"},
    "penalty-missing-collective-discussion": {"PenaltyCollectiveDiscussionStage"},
    "penalty-large-fine-without-hearing": {"PenaltyHearingStage"},
    # an instrument Quanze holds no text of gives no verifiable article either
    "penalty-normative-document-only": {"PenaltyInstrumentLevelBasis", "ArticleBasis"},
    "coercion-rule-only": {"CoercionInstrumentLevelBasis", "ArticleBasis"},
    "seizure-without-two-officers": {"SeizureTwoOfficersShape"},
    "seizure-without-on-site-record": {"SeizureOnSiteRecordShape"},
    "seizure-without-on-the-spot-delivery": {"SeizureDeliveryShape"},
    "seizure-without-time-limit": {"SeizureTimeLimitShape"},
    "seizure-with-reminder": {"SeizureReminderStage"},
    "penalty-enforcement-after-closing": {"PenaltyEnforcementAtClosingStage"},
    "penalty-duties-cut": {"PenaltyFilingWhereCutStage", "PenaltyInvestigationWhereCutStage", "PenaltyReviewWhereCutStage", "PenaltyLegalReviewWhereCutStage"},
    "penalty-garbled-legal-basis": {"GarbledArticleBasis"},
    "licensing-without-time-limit": {"LicensingTimeLimitFeatureShape"},
    "inspection-without-random-selection": {"InspectionRandomFeatureShape"},
}
ORDINARY_REGISTERS = sorted((DATA / "valid").glob("*.*"))


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "json", *argv])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_every_rule_has_an_invalid_example():
    assert {p.stem for p in (DATA / "invalid").glob("*.csv")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shape_catches_its_defect(capsys, name):
    severity, fragment = EXPECTED[name]
    code, report = run_json(capsys, str(DATA / "invalid" / f"{name}.csv"))
    hits = [r for r in report["results"] if fragment in r["message"]]
    assert hits, report["results"]
    assert hits[0]["severity"] == severity
    assert hits[0]["file"] == f"{name}.csv" and hits[0]["row"] in (1, 2)
    assert code == (1 if severity == "Violation" else 0)
    assert set(hits[0]) == {"severity", "file", "row", "item", "message", "constraint", "path", "value"}
    assert hits[0]["constraint"].split("/")[0].endswith(("Shape", "Stage", "Basis")), hits[0]["constraint"]


@pytest.mark.parametrize("name", sorted(ONLY_RULE))
def test_each_new_rule_fails_alone(capsys, name):
    _, report = run_json(capsys, str(DATA / "invalid" / f"{name}.csv"))
    assert {r["constraint"].split("/")[0] for r in report["results"]} == ONLY_RULE[name], report["results"]


@pytest.mark.parametrize("path", ORDINARY_REGISTERS, ids=lambda p: p.name)
def test_ordinary_registers_raise_no_false_alarm(capsys, path):
    """Registers written the way bureaus write them: 法制审核 headings, a 决定 duty that says
    it is approved by the head and the party is told, a 简易程序 item, a flowchart without a
    legal-basis column, licensing with time limits, inspection with 双随机、一公开."""
    code, report = run_json(capsys, str(path))
    assert (code, report["results"]) == (0, []), report["results"]
    assert report["alignments"], "no item was read"


def test_clean_example_and_template_pass(capsys):
    for path in (VALID, TEMPLATE):
        code, report = run_json(capsys, str(path))
        assert (code, report["conforms"], report["results"]) == (0, True, []), path
        assert report["alignments"][0]["canonical"] == "institution-fraud-penalty"


def test_gbk_and_tsv_exports_read_the_same(capsys, tmp_path):
    text = VALID.read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gb18030"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for path in (gbk, bom):
        code, report = run_json(capsys, str(path))
        assert code == 0 and report["conforms"]


def test_english_messages(capsys):
    code, report = run_json(capsys, "--lang", "en", str(DATA / "invalid" / "risk-without-role.csv"))
    assert any(r["message"] == "The risk point has no responsible role" for r in report["results"])


def test_text_report_is_grouped_by_row(capsys):
    code = main(["validate", str(DATA / "invalid" / "missing-name.csv")])
    out, _ = capsys.readouterr()
    assert code == 1
    # the row as Excel shows it (the header is row 1), the column and what to change
    assert "未通过" in out and "第 2 行，C 列（事项名称）" in out and "[违规] 缺少事项名称" in out and "→ 在“事项名称”列填写" in out


def test_html_report(capsys, tmp_path):
    target = tmp_path / "report.html"
    code = main(["validate", "--format", "html", "-o", str(target), str(DATA / "invalid" / "risk-without-role.csv")])
    page = target.read_text(encoding="utf-8")
    assert code == 1 and page.startswith("<!doctype html>") and 'class="Violation"' in page and "风险点没有责任人" in page


def test_seed_defects_are_reported(capsys):
    code, report = run_json(capsys, str(paths.data_dir() / "registers" / "004_3a5d5d83cde3f9ef.txt"))
    assert code == 1
    by_row = {(r["row"], r["message"]) for r in report["results"]}
    assert (12, "处罚、强制、检查、征收、许可类事项须至少有一条可核实的法律条款依据（实施依据为空或无法解析）") in by_row  # empty 设定依据
    superseded = [r for r in report["results"] if "已被替代" in r["message"]]
    assert {r["row"] for r in superseded} == {18, 25}
    assert any("违法违规使用医疗保障基金举报奖励办法" in r["value"] for r in superseded)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02\x03" * 10, "binary"),
        ("latin.csv", "序号,名称".encode("utf-16"), "binary"),
        ("fruit.csv", "名称,数量\n苹果,3\n".encode(), "no header row"),
        ("book.xlsx", b"not a zip at all", "not an XLSX"),
        ("graph.ttl", b"@prefix : <x> . :a :b", "not valid RDF"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code = main(["validate", str(path), "--lang", "en"])  # the default, zh, says it in Chinese
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_turtle_input(capsys, tmp_path, dataset):
    from rdflib import Graph

    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if "register/004" in str(g) or "jurisdictions" in str(g):
            graph.add((s, p, o))
    path = tmp_path / "beiguan.ttl"
    graph.serialize(path, format="turtle")
    code, report = run_json(capsys, str(path))
    assert code == 1 and any(r["row"] == 12 and "法律条款依据" in r["message"] for r in report["results"])


def test_whole_store_is_grouped_by_jurisdiction(capsys, store_path):
    code = main(["--store", str(store_path), "validate", "--store"])
    out, _ = capsys.readouterr()
    assert code == 1
    for heading in ("== 北关区 410503", "== 潘集区 340406", "== 襄垣县 140423", "== 瓜州县 620922"):
        assert heading in out
