"""The flowchart reader: segmentation, box pairing and box-to-stage assignment."""

from __future__ import annotations

import re

import pytest

from graph import paths
from graph.read_flowchart import FlowchartError, read_flowchart
from graph.vocab import load_vocabulary
from tests.conftest import seed


class Lexicon:
    """A small stage lexicon, independent of the project's vocabulary."""

    labels = {"立案", "调查", "告知", "决定", "送达", "结案", "受理", "审核", "办结"}

    def is_stage(self, label: str) -> bool:
        return label in self.labels or self.is_party_action(label)

    def keywords(self, label: str) -> tuple[str, ...]:
        return ()

    def is_party_action(self, label: str) -> bool:
        return bool(re.match(r"^(申请人)?提出.+申请$", label))

    def is_terminal(self, label: str) -> bool:
        return label in {"结案", "办结"}


CHART = """职权编码：X-1
职权名称：甲事项
职权编码：X-2
职权名称：乙事项

1、不立案；
风险等级：中
1、首问负责；
责任人：科室负责人
立  案
1、严格审批；
责任人：分管领导
告  知
1、随意处罚；
风险等级：高
决  定
结  案
1、一次告知；
责任人：窗口人员
1、刁难申请人；
风险等级：低
申请人提出  补助申请
受  理
办结
"""


def test_headers_first_bodies_after_are_cut_and_assigned():
    first, second = read_flowchart(CHART, "x.txt", Lexicon())
    assert first.code.text == "X-1" and second.name.text == "乙事项"
    assert [s.label.replace(" ", "") for s in first.stages] == ["立案", "告知", "决定", "结案"]
    placed = {first.stages[g.stage].label.replace(" ", ""): (g.level.text, g.role.text) for g in first.groups}
    # the box printed around 告知 belongs to 决定: its risk lies before 决定's label
    assert placed == {"立案": ("中", "科室负责人"), "决定": ("高", "分管领导")}
    # the applicant's filing opens the second chart and carries no bureau risk
    assert [s.label.replace(" ", "") for s in second.stages] == ["申请人提出补助申请", "受理", "办结"]
    assert [(second.stages[g.stage].label.replace(" ", ""), g.role.text) for g in second.groups] == [("受理", "窗口人员")]


def test_header_count_must_match_body_count():
    with pytest.raises(FlowchartError, match="2 chart headers but 1 chart bodies"):
        read_flowchart(CHART.split("申请人提出")[0].replace("结  案\n", ""), "x.txt", Lexicon())


def test_text_without_headers_is_refused():
    with pytest.raises(FlowchartError, match="no flowchart header"):
        read_flowchart("立案\n风险等级：高\n", "x.txt", Lexicon())


@pytest.fixture(scope="module")
def charts():
    name, text = seed("001")
    return read_flowchart(text, name, load_vocabulary(paths.ontology_dir()))


def placed(chart) -> dict[str, tuple[int, str, int, str]]:
    return {
        chart.stages[g.stage].label.replace(" ", ""): (len(g.risks), g.level.text, len(g.controls), g.role.text)
        for g in chart.groups
    }


def test_seed_has_ten_charts_with_their_codes(charts):
    assert [c.code.text for c in charts] == [
        "3400-B-00100-140423", "3400-B-00200-140423", "3400-B-00300-140423", "3400-B-00400-140423",
        "3400-C-00100-140423", "3400-F-00100-140423", "3400-F-00200-140423",
        "3400-G-00100-140423", "3400-G-00200-140423", "3400-J-00100-140423",
    ]
    assert charts[5].name.text == "医疗救助审批" and charts[4].category.text == "行政强制类"


def test_penalty_charts(charts):
    for chart in charts[:4]:
        assert placed(chart) == {
            "立案": (3, "中", 3, "科室负责人"),
            "调查取证": (6, "高", 4, "具体承办人"),
            "审查": (5, "高", 4, "具体承办人"),
            "决定": (4, "高", 4, "分管领导"),
            "送达": (1, "低", 1, "具体承办人"),
        }


def test_coercion_chart(charts):
    assert placed(charts[4]) == {
        "提出申请": (2, "中", 3, "具体承办人"),
        "批准": (2, "高", 4, "分管领导"),
        "催告": (1, "低", 2, "具体承办人员"),
        "决定": (1, "中", 2, "分管领导"),
        "解除措施": (1, "高", 2, "具体承办人员"),
    }


def test_confirmation_and_benefit_charts(charts):
    for chart in charts[5:7]:
        assert placed(chart) == {
            "受理": (4, "低", 4, "政务窗口受理人"),
            "调查、核实": (5, "中", 6, "科室负责人"),
            "认定": (4, "中", 6, "科室负责人"),
            "送达": (2, "低", 2, "办理人"),
        }
    for chart in charts[7:9]:
        assert placed(chart) == {
            "受理": (4, "中", 3, "政务窗口受理人"),
            "审核": (3, "中", 3, "科室负责人"),
            "决定": (1, "中", 2, "分管领导"),
            "给付": (2, "高", 3, "襄垣县医疗保险管理服务中心"),
        }


def test_inspection_chart_with_staged_risks_shared_controls_and_descriptions(charts):
    chart = charts[9]
    staged = [(chart.stages[g.stage].label, g.risks[0].text, g.level.text, g.role.text) for g in chart.groups]
    assert staged == [
        ("检查", "未履行性职责进行检查", "低", "科室负责人"),
        ("事后监管", "未跟踪检查", "低", "执行人"),
        ("处置", "发现违法行为未进行处置", "中", "检查人"),
        ("事后监管", "未及时移送", "低", "执行人"),
    ]
    assert len(chart.shared_controls) == 4
    assert chart.stages[1].description.text == "发现非法行为，及时处置"
