"""The flowchart reader: headers, segmentation, box pairing and box-to-stage assignment."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest

from quanze.graph.model import FlowItem, Span
from quanze.graph.read.flowchart import FlowchartError, _assign, read_flowchart

SEED = Path(__file__).resolve().parents[1] / "data" / "registers" / "001_2a37d4629c2ce2f0.txt"


class Lexicon:
    """A small stage lexicon, independent of the project's vocabulary."""

    labels = frozenset({
        "立案", "调查取证", "审查", "告知", "决定", "送达", "结案", "提出申请", "批准", "催告", "解除措施",
        "受理", "调查、核实", "认定", "办结", "审核", "给付", "事后监管", "处置", "移送", "检查",
    })
    party = re.compile(r"^(申请人)?提出.+申请$")
    words: dict[str, tuple[str, ...]] = {}

    def is_stage(self, label: str) -> bool:
        return label in self.labels or self.is_party_action(label)

    def keywords(self, label: str) -> tuple[str, ...]:
        return self.words.get(label, ())

    def is_party_action(self, label: str) -> bool:
        return bool(self.party.match(label))

    def is_terminal(self, label: str) -> bool:
        return label in {"结案", "办结"}


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def labels(chart: FlowItem) -> list[str]:
    return [compact(s.label) for s in chart.stages]


def placed(chart: FlowItem) -> dict[str, tuple[int, str | None, int, str | None]]:
    """Stage label → (risks, level, controls, role) of the box placed on it."""
    return {
        compact(chart.stages[g.stage].label): (
            len(g.risks), g.level.text if g.level else None, len(g.controls), g.role.text if g.role else None)
        for g in chart.groups
        if g.stage is not None
    }


def read(text: str, lexicon: Lexicon | None = None) -> list[FlowItem]:
    return read_flowchart(text, "x.txt", lexicon or Lexicon())


# --- synthetic charts: assignment ---------------------------------------------------------


def test_a_box_goes_to_the_label_printed_after_it_and_risks_weigh_more():
    (chart,) = read(
        "职权编码：X-1\n职权名称：甲事项\n\n"
        "1、不立案；\n风险等级：中\n1、首问负责；\n责任人：科室负责人\n立  案\n"
        "1、严格审批；\n责任人：分管领导\n告  知\n1、随意处罚；\n风险等级：高\n决  定\n结  案\n"
    )
    assert labels(chart) == ["立案", "告知", "决定", "结案"]
    # the second box's controls lie before 告知 but its risks before 决定: risks weigh twice
    assert placed(chart) == {"立案": (1, "中", 1, "科室负责人"), "决定": (1, "高", 1, "分管领导")}
    first, second = chart.groups
    assert first.risks == [Span("不立案", 4)] and first.level == Span("中", 5) and first.line == 4
    assert second.controls == [Span("严格审批", 9)] and second.line == 9


SAME_STRETCH = (
    "职权编码：X-1\n职权名称：甲事项\n"
    "1、文书未按时处理；\n风险等级：低\n1、甲措施；\n责任人：甲\n"
    "1、乙风险；\n风险等级：中\n1、乙措施；\n责任人：乙\n"
    "立  案\n送  达\n"
)


def test_without_a_mention_boxes_keep_printed_order():
    (chart,) = read(SAME_STRETCH)
    assert placed(chart) == {"立案": (1, "低", 1, "甲"), "送达": (1, "中", 1, "乙")}


def test_mentions_of_a_stage_decide_between_equal_displacements():
    lexicon = Lexicon()
    lexicon.words = {"送达": ("文书",)}
    (chart,) = read(SAME_STRETCH, lexicon)
    assert placed(chart) == {"送达": (1, "低", 1, "甲"), "立案": (1, "中", 1, "乙")}
    (chart,) = read(SAME_STRETCH.replace("文书未按时处理", "未按时送达"))  # the label itself counts too
    assert placed(chart) == {"送达": (1, "低", 1, "甲"), "立案": (1, "中", 1, "乙")}


def test_more_boxes_than_stages_leaves_one_without_a_stage():
    (chart,) = read(
        "职权编码：X-1\n职权名称：甲事项\n"
        "1、甲；\n风险等级：低\n立  案\n1、乙；\n风险等级：中\n1、丙；\n风险等级：高\n"
    )
    assert [(g.level.text, g.stage) for g in chart.groups] == [("低", 0), ("中", None), ("高", None)]


def test_unpaired_units_form_boxes_of_their_own():
    (chart,) = read(
        "职权编码：X-1\n职权名称：甲事项\n"
        "1、甲风险；\n风险等级：低\n1、甲措施；\n责任人：甲\n立  案\n1、乙措施；\n责任人：乙\n决  定\n"
    )
    assert placed(chart) == {"立案": (1, "低", 1, "甲"), "决定": (0, None, 1, "乙")}


def test_applicants_acts_carry_no_box():
    (chart,) = read(
        "职权编码：X-1\n职权名称：甲事项\n"
        "1、刁难申请人；\n风险等级：低\n1、一次告知；\n责任人：窗口人员\n申请人提出  补助申请\n受  理\n"
    )
    assert labels(chart) == ["申请人提出补助申请", "受理"]
    assert placed(chart) == {"受理": (1, "低", 1, "窗口人员")}


@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 3), (2, 5), (5, 2), (4, 6), (6, 4), (7, 7)])
def test_assignment_is_exact(rows, cols):
    rng = random.Random(rows * 31 + cols)
    for _ in range(25):
        costs = [[rng.randint(-3, 12) for _ in range(cols)] for _ in range(rows)]
        chosen = _assign(costs)
        assert sum(c is not None for c in chosen) == min(rows, cols)
        taken = [c for c in chosen if c is not None]
        assert len(set(taken)) == len(taken)
        if rows <= cols:
            best = min(sum(costs[r][c] for r, c in enumerate(p)) for p in itertools.permutations(range(cols), rows))
        else:
            best = min(sum(costs[r][c] for c, r in enumerate(p)) for p in itertools.permutations(range(rows), cols))
        assert sum(costs[r][c] for r, c in enumerate(chosen) if c is not None) == best


# --- synthetic charts: segmentation and headers -------------------------------------------


HEADERS_FIRST = """行政职权廉政风险防控图
行政处罚类
职权编码：X-1
职权名称：甲事项

行政职权廉政风险防控图
行政给付类
职权编码：X-2
职权名称：乙事项  

1、不立案；
风险等级：中
立  案
1、随意处罚；
风险等级：高
决  定
1、一次告知；
责任人：窗口人员
1、刁难申请人；
风险等级：低
申请人提出  补助申请
受  理
1、未及时给付；
风险等级：高
给  付
办结
"""


def test_headers_first_then_bodies():
    first, second = read(HEADERS_FIRST)
    assert (first.code, first.name, first.category) == (Span("X-1", 3), Span("甲事项", 4), Span("行政处罚类", 2))
    assert (second.code.text, second.name.text, second.category.text) == ("X-2", "乙事项", "行政给付类")
    assert (first.line, second.line) == (1, 6)
    assert labels(first) == ["立案", "决定"]
    assert placed(first) == {"立案": (1, "中", 0, None), "决定": (1, "高", 0, None)}
    # the applicant's act opens the second chart: the box printed before it moves along
    assert labels(second) == ["申请人提出补助申请", "受理", "给付", "办结"]
    assert placed(second) == {"受理": (1, "低", 1, "窗口人员"), "给付": (1, "高", 0, None)}


def test_a_terminal_stage_ends_a_body():
    first, second = read(
        "职权编码：X-1\n职权名称：甲\n职权编码：X-2\n职权名称：乙\n"
        "1、甲；\n风险等级：中\n立  案\n结  案\n1、乙；\n风险等级：高\n受  理\n办结\n"
    )
    assert labels(first) == ["立案", "结案"] and labels(second) == ["受理", "办结"]
    assert placed(first) == {"立案": (1, "中", 0, None)} and placed(second) == {"受理": (1, "高", 0, None)}


def test_interleaved_headers_and_bodies():
    first, second = read(
        "行政职权廉政风险防控图\n行政处罚类\n职权编码：X-1\n职权名称：甲\n"
        "1、甲；\n风险等级：中\n立  案\n决  定\n"
        "行政职权廉政风险防控图\n行政强制类\n职权编码：X-2\n职权名称：乙\n"
        "1、乙；\n风险等级：高\n1、乙措施；\n责任人：乙\n批准\n"
    )
    assert first.category.text == "行政处罚类" and second.category.text == "行政强制类"
    assert labels(first) == ["立案", "决定"] and labels(second) == ["批准"]
    assert placed(first) == {"立案": (1, "中", 0, None)}
    assert placed(second) == {"批准": (1, "高", 1, "乙")}


def test_more_headers_than_bodies_is_an_error():
    with pytest.raises(FlowchartError, match="2 chart headers but 1 chart bodies"):
        read("职权编码：X-1\n职权名称：甲\n职权编码：X-2\n职权名称：乙\n1、甲；\n风险等级：中\n立  案\n决  定\n")


def test_more_bodies_than_headers_is_an_error():
    with pytest.raises(FlowchartError, match="2 chart headers but 3 chart bodies"):
        read("职权编码：X-1\n职权名称：甲\n职权编码：X-2\n职权名称：乙\n立  案\n结  案\n受  理\n办结\n审核\n结  案\n")


def test_text_without_headers_is_refused():
    with pytest.raises(FlowchartError, match="no flowchart header"):
        read("立  案\n1、甲；\n风险等级：高\n")


# --- synthetic charts: named stages, descriptions, shared controls ------------------------


def test_staged_risks_descriptions_and_shared_controls():
    (chart,) = read(
        "职权编码：X-1\n职权名称：甲\n"
        "严格执法。\n加强监察。\n"
        "检  查\n发现问题，及时处置\n"
        "处置环节：未处置\n风险等级：中\n责任人：检查人\n"
        "处  置\n"
        "检查环节：未检查\n风险等级：低。\n责任人: 科室负责人\n"
        "1、甲措施；\n责任人：某人\n移送\n"
    )
    assert chart.shared_controls == [Span("严格执法", 3), Span("加强监察", 4)]
    assert chart.stages[0].description == Span("发现问题，及时处置", 6)
    assert chart.stages[1].description is None
    staged = [(labels(chart)[g.stage] if g.stage is not None else None, g.risks, g.level.text if g.level else None,
               g.role.text if g.role else None, len(g.controls)) for g in chart.groups]
    assert staged == [
        ("处置", [Span("未处置", 7)], "中", "检查人", 0),
        ("检查", [Span("未检查", 11)], "低", "科室负责人", 0),
        ("移送", [], None, "某人", 1),
    ]


def test_a_list_after_a_label_is_no_description():
    (chart,) = read("职权编码：X-1\n职权名称：甲\n检  查\n1、甲；\n2、乙；\n处  置\n")
    assert chart.stages[0].description is None
    assert [c.text for c in chart.shared_controls] == ["甲", "乙"]


# --- the seed: 襄垣县, ten charts, all headers first --------------------------------------


@pytest.fixture(scope="module")
def charts() -> list[FlowItem]:
    return read_flowchart(SEED.read_text(encoding="utf-8"), SEED.name, Lexicon())


def test_seed_headers(charts):
    assert [c.code.text for c in charts] == [
        "3400-B-00100-140423", "3400-B-00200-140423", "3400-B-00300-140423", "3400-B-00400-140423",
        "3400-C-00100-140423", "3400-F-00100-140423", "3400-F-00200-140423",
        "3400-G-00100-140423", "3400-G-00200-140423", "3400-J-00100-140423",
    ]
    assert [c.category.text for c in charts] == ["行政处罚类"] * 4 + ["行政强制类"] + ["行政确认类"] * 2 + [
        "行政给付类"] * 2 + ["行政监督检查类"]
    assert charts[0].code == Span("3400-B-00100-140423", 4) and charts[0].line == 1
    assert charts[0].name.text.startswith("对社会保险经办机构以及医疗机构")
    assert charts[5].name == Span("医疗救助审批", 151)
    assert charts[6].name.text == "参保单位参加社会保险登记及缴费基数核定"
    assert charts[9].name.text == "对定点医疗机构、定点药店的监督检查"


def test_seed_penalty_charts(charts):
    for chart in charts[:4]:
        assert labels(chart) == ["立案", "调查取证", "审查", "告知", "决定", "送达", "结案"]
        assert placed(chart) == {
            "立案": (3, "中", 3, "科室负责人"),
            "调查取证": (6, "高", 4, "具体承办人"),
            "审查": (5, "高", 4, "具体承办人"),
            "决定": (4, "高", 4, "分管领导"),
            "送达": (1, "低", 1, "具体承办人"),
        }
        by_stage = {compact(chart.stages[g.stage].label): g for g in chart.groups}
        assert by_stage["决定"].risks[0].text.startswith("不按自由裁量权基准")
        assert by_stage["决定"].controls[0].text.startswith("严格按法律规定进行执法")
        assert by_stage["送达"].risks[0].text == "未按时送达"


def test_seed_entries_keep_their_lines(charts):
    by_stage = {compact(charts[0].stages[g.stage].label): g for g in charts[0].groups}
    assert by_stage["立案"].risks == [
        Span("徇私舞弊，应立案不立案", 274),
        Span("玩忽职守，对不够条件的勉强立案，损害一方当事人利益", 277),
        Span("超越职权，擅自销案", 280),
    ]
    assert by_stage["立案"].level == Span("中", 283) and by_stage["立案"].role == Span("科室负责人", 268)
    assert by_stage["决定"].controls[3] == Span("严格执行听证制度，重大案件集体讨论", 433)
    assert charts[0].stages[0].line == 301


def test_seed_coercion_chart(charts):
    chart = charts[4]
    assert labels(chart) == ["提出申请", "批准", "催告", "决定", "解除措施"]
    assert placed(chart) == {
        "提出申请": (2, "中", 3, "具体承办人"),
        "批准": (2, "高", 4, "分管领导"),
        "催告": (1, "低", 2, "具体承办人员"),
        "决定": (1, "中", 2, "分管领导"),
        "解除措施": (1, "高", 2, "具体承办人员"),
    }
    risks = {compact(chart.stages[g.stage].label): g.risks[0].text for g in chart.groups}
    assert risks["催告"] == "未按时送达或送达方式违法"
    assert risks["决定"] == "未按时作出处理决定"
    assert risks["解除措施"] == "未及时进行措施解除"


def test_seed_confirmation_charts(charts):
    for chart, applicant in zip(charts[5:7], ["申请人提出救助申请", "申请人提出参保申请"]):
        assert labels(chart) == [applicant, "受理", "调查、核实", "认定", "送达", "办结"]
        assert placed(chart) == {
            "受理": (4, "低", 4, "政务窗口受理人"),
            "调查、核实": (5, "中", 6, "科室负责人"),
            "认定": (4, "中", 6, "科室负责人"),
            "送达": (2, "低", 2, "办理人"),
        }


def test_seed_benefit_charts(charts):
    for chart in charts[7:9]:
        assert labels(chart)[1:] == ["审核", "决定", "受理", "给付", "办结"]
        assert labels(chart)[0].startswith("提出") and labels(chart)[0].endswith("给付申请")
        assert placed(chart) == {
            "受理": (4, "中", 3, "政务窗口受理人"),
            "审核": (3, "中", 3, "科室负责人"),
            "决定": (1, "中", 2, "分管领导"),
            "给付": (2, "高", 3, "襄垣县医疗保险管理服务中心"),
        }
        decision = next(g for g in chart.groups if compact(chart.stages[g.stage].label) == "决定")
        assert [r.text for r in decision.risks] == ["没有按文件规定的流程进行公示"]


def test_seed_inspection_chart(charts):
    chart = charts[9]
    assert labels(chart) == ["事后监管", "处置", "移送", "检查"]
    assert [s.description.text if s.description else None for s in chart.stages] == [
        "归档备查，跟踪整改情况", "发现非法行为，及时处置", "涉嫌犯罪的，及时移送司法机关", None]
    assert len(chart.shared_controls) == 4
    assert chart.shared_controls[0].text == "严格执行法律法规规章制度，切实履行职责"
    staged = [(labels(chart)[g.stage], [r.text for r in g.risks], g.level.text, g.role.text, g.controls)
              for g in chart.groups]
    assert staged == [
        ("检查", ["未履行性职责进行检查"], "低", "科室负责人", []),
        ("事后监管", ["未跟踪检查"], "低", "执行人", []),
        ("处置", ["发现违法行为未进行处置"], "中", "检查人", []),
        ("事后监管", ["未及时移送"], "低", "执行人", []),
    ]


def test_seed_risk_total(charts):
    assert sum(len(g.risks) for c in charts for g in c.groups) == 137
