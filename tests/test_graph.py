"""What the built graph answers about the five seed registers.

The counts and facts below were read off the seed scans by a person; see the closing note of
the foundation issue for how each was derived.
"""

from __future__ import annotations

import pytest

QZ = "https://w3id.org/quanze/ontology#"


def count(select, where: str) -> int:
    return int(select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")[0]["n"])


@pytest.mark.parametrize("code,items", [("340406", 9), ("140423", 10), ("620922", 8), ("410503", 25)])
def test_power_items_per_jurisdiction(select, code, items):
    assert count(select, f'?x a qz:PowerItem ; qz:jurisdiction/qz:divisionCode "{code}"') == items


def test_panji_power_list_and_risk_register_merge_into_nine_items(select):
    rows = select(
        """SELECT ?x (COUNT(DISTINCT ?r) AS ?n) WHERE {
             ?x qz:jurisdiction/qz:divisionCode "340406" ; qz:inRegister ?r } GROUP BY ?x"""
    )
    assert len(rows) == 9 and all(r["n"] == "2" for r in rows)
    # 000 calls it 医疗救助审核, 003 医疗救助待遇审核: one item, named as the power list names it
    rescue = select(
        """SELECT ?label WHERE { ?x qz:jurisdiction/qz:divisionCode "340406" ; rdfs:label ?label ;
             qz:hasRiskPoint ?r ; qz:hasDuty ?d . FILTER(CONTAINS(?label, "医疗救助")) }"""
    )
    assert {r["label"] for r in rescue} == {"医疗救助待遇审核"}
    alt = select('SELECT ?alt WHERE { ?x rdfs:label "医疗救助待遇审核"@zh ; skos:altLabel ?alt }')
    assert alt == [{"alt": "医疗救助审核"}]


@pytest.mark.parametrize(
    "register,risks",
    [("000_1392b8a250e14201", 23), ("001_2a37d4629c2ce2f0", 137)],
)
def test_risk_points_per_register(select, register, risks):
    assert count(select, f"GRAPH id:graph\\/register\\/{register} {{ ?x a qz:RiskPoint }}") == risks


def test_stage_counts(select):
    assert count(select, '?i qz:jurisdiction/qz:divisionCode "140423" ; qz:hasStage ?x') == 61
    assert count(select, '?i qz:jurisdiction/qz:divisionCode "340406" ; qz:hasStage ?x') == 55


def test_duties_and_accountability_of_panji(select):
    assert count(select, '?i qz:jurisdiction/qz:divisionCode "340406" ; qz:hasDuty ?x') == 66
    assert count(select, '?i qz:jurisdiction/qz:divisionCode "340406" ; qz:hasAccountability ?x') == 73


def test_xiangyuan_penalty_stages_carry_levels_and_roles(select):
    rows = select(
        """SELECT ?stage ?level (COUNT(?r) AS ?n) (SAMPLE(?role) AS ?who) WHERE {
             ?i qz:itemCode "3400-B-00100-140423" ; qz:hasRiskPoint ?r .
             ?r qz:atStage/rdfs:label ?stage ; qz:riskLevel ?level ; qz:responsibleRole/rdfs:label ?role }
           GROUP BY ?stage ?level"""
    )
    found = {(r["stage"], r["level"].rsplit("#", 1)[1], int(r["n"]), r["who"]) for r in rows}
    assert found == {
        ("立案", "Medium", 3, "科室负责人"),
        ("调查取证", "High", 6, "具体承办人"),
        ("审查", "High", 5, "具体承办人"),
        ("决定", "High", 4, "分管领导"),
        ("送达", "Low", 1, "具体承办人"),
    }


def test_stages_are_numbered_in_procedural_order(select):
    rows = select(
        """SELECT ?label ?order WHERE { ?i qz:itemCode "3400-G-00100-140423" ; qz:hasStage ?s .
             ?s rdfs:label ?label ; qz:order ?order } ORDER BY ?order"""
    )
    labels = [r["label"] for r in rows]
    assert labels.index("受理") < labels.index("审核") < labels.index("决定") < labels.index("给付")


@pytest.mark.parametrize(
    "code,raw,repair",
    [
        ("4105030039B0001", "410503003980001", "digit-for-letter 8→B"),
        ("4105030039H0001", "4105030039Н0001", "homoglyph"),
    ],
)
def test_item_codes_are_repaired_and_keep_their_raw_text(select, code, raw, repair):
    rows = select(f'SELECT ?raw ?repair WHERE {{ ?i qz:itemCode "{code}" ; qz:rawCode ?raw ; qz:codeRepair ?repair }}')
    assert rows == [{"raw": raw, "repair": repair}]


def test_an_inferred_letter_rule_suggests_but_does_not_rewrite(select):
    # data/code_letters.csv marks I (行政奖励) of the 河南 scheme as inferred: the printed code stays
    rows = select(
        """SELECT ?reading WHERE { ?i qz:itemCode "410503003910001" ; qz:unconfirmedCodeReading ?reading .
             FILTER NOT EXISTS { ?i qz:codeRepair ?r } }"""
    )
    assert rows == [{"reading": "4105030039I0001"}]


def test_power_type_spellings_are_resolved(select):
    rows = select(
        """SELECT ?raw ?type ?how WHERE { ?i qz:jurisdiction/qz:divisionCode "620922" ;
             qz:rawPowerType ?raw ; qz:powerType ?type ; qz:powerTypeRepair ?how }"""
    )
    found = {(r["raw"], r["type"].rsplit("#", 1)[1], r["how"]) for r in rows}
    assert ("行处政罚", "Penalty", "ocr") in found
    assert ("行监督", "Inspection", "ocr") in found
    assert ("行确", "Confirmation", "ocr") in found
    assert count(select, "?x a qz:PowerItem . MINUS { ?x qz:powerType ?t }") == 0


def test_scrambled_names_keep_raw_label_and_say_how_they_were_repaired(select):
    rows = select(
        """SELECT ?label ?raw ?how WHERE { ?i qz:itemCode "4105030039H0010" ;
             rdfs:label ?label ; qz:rawLabel ?raw ; qz:labelRepair ?how }"""
    )
    assert rows[0]["how"] == "transposition"
    assert rows[0]["label"].startswith("建立定点医药机构、人员等信用管理制度")
    curated = select(
        """SELECT ?label WHERE { ?i qz:jurisdiction/qz:divisionCode "620922" ; rdfs:label ?label ;
             qz:labelRepair "curation" ; prov:wasDerivedFrom/qz:row 6 }"""
    )
    assert curated == [{"label": "对纳入医保支付范围的医疗服务行为和医疗费用及医保经办业务开展监督检查"}]


def test_every_power_item_and_risk_point_traces_to_file_row_line_and_raw_text(select):
    untraced = count(
        select,
        """?x a ?t . VALUES ?t { qz:PowerItem qz:RiskPoint qz:Stage qz:Duty qz:Accountability qz:Control }
           MINUS { ?x prov:wasDerivedFrom ?s . ?s qz:register/dcterms:source ?f ; qz:line ?l ; qz:rawText ?raw }""",
    )
    assert untraced == 0
    rows = select(
        """SELECT ?file ?row ?line WHERE { ?i qz:jurisdiction/qz:divisionCode "340406" ; qz:hasRiskPoint ?r .
             ?r rdfs:label "对应该立案调查的案件不进行立案调查的"@zh ; prov:wasDerivedFrom ?s .
             ?s qz:register/dcterms:source ?file ; qz:row ?row ; qz:line ?line } ORDER BY ?row"""
    )
    assert rows[0] == {"file": "000_1392b8a250e14201.txt", "row": "1", "line": "18"}
    raw = select(
        """SELECT ?raw WHERE { ?r rdfs:label "对应该立案调查的案件不进行立案调查的"@zh ;
             prov:wasDerivedFrom/qz:rawText ?raw } LIMIT 1"""
    )
    assert raw == [{"raw": "1. 对应该立案调查的案件不进行立案调查的；"}]


def test_damaged_fields_are_marked(select):
    assert count(select, '?x qz:jurisdiction/qz:divisionCode "620922" ; qz:garbledField "name"') >= 2


def test_missing_serial_number_is_inferred(select):
    rows = select(
        """SELECT ?row WHERE { ?i qz:itemCode "4105030039H0008" ; prov:wasDerivedFrom ?s . ?s qz:row ?row ; rdfs:comment ?c }"""
    )
    assert rows == [{"row": "22"}]


def test_declared_risk_counts_are_kept_and_checked(built, select):
    assert count(select, '?x qz:declaredRiskCount 3') == 6
    report = built[1]
    assert not any("风险点数量" in note for note in report.notes)


def test_risk_point_without_role_is_left_without_one(select):
    rows = select(
        """SELECT ?label WHERE { ?i rdfs:label ?item ; qz:hasRiskPoint ?r . ?r rdfs:label ?label .
             FILTER(STRSTARTS(?item, "建立医疗卫生机构")) MINUS { ?r qz:responsibleRole ?role } }"""
    )
    assert {r["label"] for r in rows} == {"信用管理制度不完善", "信用评价等级分级分类落实不到位"}


def test_controls_and_roles_per_jurisdiction(select):
    rows = select(
        """SELECT ?code (COUNT(DISTINCT ?c) AS ?controls) (COUNT(DISTINCT ?r) AS ?roles) WHERE {
             ?i qz:jurisdiction/qz:divisionCode ?code ; qz:hasRiskPoint ?p . ?p qz:control ?c .
             OPTIONAL { ?p qz:responsibleRole ?r } } GROUP BY ?code"""
    )
    assert {r["code"]: (int(r["controls"]), int(r["roles"])) for r in rows} == {"340406": (27, 2), "140423": (139, 9)}
