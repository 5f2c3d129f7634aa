"""Columns are recognised by what their header means (data/columns.csv: exact, keyword and regex
rules with priorities), not from a list of the spellings of five registers.

The wordings are those counted in tests/data/layouts/HEADERS.md (24 real registers), each with
the field a person reads it as; spaces and line breaks inside header cells do not matter.
"""

import pytest

from quanze.graph.read.columns import field_of, field_of_parts
from quanze.graph.read.grid import header_fields, parse_number

WORDINGS = {
    "number": ["序号", "序 号", "序\n号", "分序号"],
    "name": ["事项名称", "项目名称", "职权名称", "权力名称", "权力事项", "执法事项名称", "事项名称（主项）", "重要环节", "检查事项", "事项及流程"],
    "sub_item": ["子项", "子项名称", "事项名称（子项）"],
    "power_type": ["权力类型", "职权类型", "事项类型", "事项\n类型", "权力类别", "项目类型", "职权类别", "项目类别", "事项类别", "执法类别", "权利类型", "职权 类别"],
    "code": ["职权编码", "事项编码", "项目编码", "基本编码", "地方权力编码"],
    "division_code": ["行政区划代码"],
    "agency": ["责任主体", "实施主体", "行使主体", "实施部门", "法定主体", "单位/科室", "执法主体"],
    "department": ["承办机构", "责任机构", "责任科室", "部门", "风险防控责任股室（单位）", "股室", "科室"],
    "legal_basis": ["设定依据", "实施依据", "职权依据", "设立依据", "执法依据", "检查依据", "法律法规依据"],
    "duties": ["责任事项", "责任事项内容", "履职方式"],
    "duty_basis": ["责任事项依据"],
    "accountability": ["追责情形", "追责形式", "追责情形及追责依据"],
    "accountability_basis": ["追责依据"],
    "exercise_level": ["行使层级", "实施层级"],
    "supervising_dept": ["主管部门", "指导部门"],
    "remark": ["备注"],
    "phone": ["监督电话"],
    "risk_category": ["风险类别", "风险 类别"],
    "risk_count": ["风险点数量"],
    "risks": ["表现形式", "廉政风险点及描述", "廉政风险主要内容及表现形式", "廉政风险点表现形式", "风险描述", "风险点"],
    "level": ["等级", "风险等级", "风险点等级"],
    "controls": ["防控措施", "防控要点及防控措施"],
    "role": ["责任人", "责任人员", "直接责任人", "部门责任人", "部门负责人", "股室责任人", "风险防控责任人"],
    "leader": ["责任领导", "风险防控责任领导"],
    "post": ["风险点涉及的岗位", "风险防控岗位"],
}
UNKNOWN = ["行使内容", "实施对象", "公开范围", "办理数量", "收费（征收）依据和标准", "审核转报", "检查对象", "检查方式", "办理期限", "监测指标"]


@pytest.mark.parametrize("field,wording", [(f, w) for f, ws in WORDINGS.items() for w in ws])
def test_header_wording_is_understood(field, wording):
    assert field_of(wording) == field


@pytest.mark.parametrize("wording", UNKNOWN)
def test_columns_no_field_covers_stay_unknown(wording):
    assert field_of(wording) is None


def test_data_cells_are_not_headers():
    assert field_of("行政处罚") is None
    assert field_of("对定点医药机构违规使用医疗保障基金的处罚，依照《医疗保障基金使用监督管理条例》第三十八条") is None
    assert header_fields(["1", "行政处罚", "对某行为的处罚", "县医保局", "《社会保险法》第八十七条"]) is None


def test_stacked_headers():
    assert field_of_parts(["职权名称", "项目"]) == "name"
    assert field_of_parts(["职权名称", "子项"]) == "sub_item"
    assert field_of_parts(["廉政风险", "风险等级", "高"]) == "level_tick:高"
    assert field_of_parts(["风险防控责任", "责任股室"]) == "department"


def test_a_matter_column_is_found_where_two_columns_name_risks():
    fields = header_fields(["序号", "单位/科室", "风险类别", "风险点", "廉政风险主要内容及表现形式", "风险等级"])
    assert fields[3] == "name" and fields[4] == "risks"


@pytest.mark.parametrize("printed,value", [("1", 1), ("1.", 1), ("12、", 12), ("（一）", 1), ("(十二)", 12), ("1-1", None), ("1177", 1177)])
def test_row_numbers_as_printed(printed, value):
    assert parse_number(printed) == (printed, value)


def test_not_row_numbers():
    assert parse_number("报送人：") is None and parse_number("第 1 页，共 2 页") is None
