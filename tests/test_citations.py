"""The legal-basis parser, resolver and quote check, on cells as the seed registers print them."""

from __future__ import annotations

import pytest

from quanze.graph import paths
from quanze.graph.align.citations import (
    compare_quote,
    load_confusions,
    normalise_doc_number,
    ocr_variants,
    parse_citations,
    resolve,
)
from quanze.graph.align.citation_noise import reads_like_title, without_noise
from quanze.graph.align.link_statutes import link
from quanze.graph.align.statutes import load_catalogue

STATUTES = paths.data_dir() / "statutes"
FUND = "medical-security-fund-supervision-regulation"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(STATUTES)


@pytest.fixture(scope="module")
def confusions():
    return load_confusions(STATUTES / "ocr_confusions.csv")


def resolved(cell: str, catalogue, confusions=None) -> list[tuple[str | None, str, tuple[int, ...]]]:
    return [(r.instrument_id, r.method, c.articles) for c in parse_citations(cell) for r in [resolve(c, catalogue, confusions)]]


# 003 潘集区 power list, row 1 (实施依据), as printed
PANJI_ROW_1 = """1.《中华人民共和国社会保险法》第八十七条：社会保险经办机构以及医疗机构、药品经营单位等社会保险服务机构以欺诈、伪造证明材料或者其他手段骗取社会保险基金支出的，由社会保险行政部门责令退回骗取的社会保险金，处骗取金额二倍以上五倍以下的罚款。
2.《中华人民共和国社会保险法》第八十八条：以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，由社会保险行政部门责令退回骗取的社会保险金，处骗取金额二倍以上五倍以下的罚款。
3.《中华人民共和国基本医疗卫生与健康促进法》第一百零四条：基本医疗保险经办机构以及医疗机构、药品经营单位等以欺诈、伪造证明材料或者其他手段骗取基本医疗保险基金支出的，由县级以上人民政府医疗保障主管部门依照有关社会保险的法律、行政法规规定给于行政处罚。
4.《医疗保障基金使用监督管理条例》第二十二条：医疗保障、卫生健康、中医药、市场监督管理、财政、审计、公安等部门应当分工协作、相互配合，建立沟通协调、案件移送等机制，共同做好医疗保障基金使用监督管理工作。医疗保障行政部门应当加强对纳入医疗保障基金支付范围的医疗服务行为和医疗费用的监督，规范医疗保障经办业务，依法查处违法使用医疗保障基金的行为。
5.《医疗保障基金使用监督管理条例》第三十八条：定点医药机构有下列情形之一的，由医疗保障行政部门责令改正，并可以约谈有关负责人；造成医疗保障基金损失的，责令退回，处造成损失金额1倍以上2倍以下的罚款；拒不改正或者造成严重后果的，责令定点医药机构暂停相关责任部门6个月以上1年以下涉及医疗保障基金使用的医药服务；违反其他法律、行政法规的，由有关主管部门依法处理：（一）分解住院、挂床住院；（二）违反诊疗规范过度诊疗、过度检查、分解处方、超量开药、重复开药或者提供其他不必要的医药服务；（三）重复收费、超标准收费、分解项目收费；（四）串换药品、医用耗材、诊疗项目和服务设施；（五）为参保人员利用其享受医疗保障待遇的机会转卖药品，接受返还现金、实物或者获得其他非法利益提供便利；（六）将不属于医疗保障基金支付范围的医药费用纳入医疗保障基金结算；（七）造成医疗保障基金损失的其他违法行为。
（七）拒绝医疗保障等行政部门监督检查或者提供虚假情况。
6.《医疗保障基金使用监督管理条例》第四十条：定点医药机构通过下列方式骗取医疗保障基金支出的，由医疗保障行政部门责令退回，处骗取金额2倍以上5倍以下的罚款；责令定点医药机构暂停相关责任部门6个月以上1年以下涉及医疗保障基金使用的医药服务，直至由医疗保障经办机构解除服务协议；有执业资格的，由有关主管部门依法吊销执业资格：（一）诱导、协助他人冒名或者虚假就医、购药，提供虚假证明材料，或者串通他人虚开费用单据；（二）伪造、变造、隐匿、涂改、销毁医学文书、医学证明、会计凭证、电子信息等有关资料；（三）虚构医药服务项目；（四）其他骗取医疗保障基金支出的行为。定点医药机构以骗取医疗保障基金为目的，实施了本条例第三十八条规定行为之一，造成医疗保障基金损失的，按照本条规定处理。
7.《医疗保障基金使用监督管理条例》第四十一条：个人有下列情形之一的，由医疗保障行政部门责令改正；造成医疗保障基金损失的，责令退回；属于参保人员的，暂停其医疗费用联网结算3个月至12个月：（一）将本人的医疗保障凭证交由他人冒名使用；（二）重复享受医疗保障待遇；（三）利用享受医疗保障待遇的机会转卖药品，接受返还现金、实物或者获得其他非法利益。"""

# 002 瓜州县 power list, row 4 (实施依据), as printed (OCR reads 救 as 教; line breaks became spaces)
GUAZHOU_ROW_4 = (
    "1.《社会教助暂行办法》(国务院令第649号,根据2019年3月2日《国务院关于修改部分行政 法规的决定》修订)第五章第二十七条: "
    "国家建立健全医疗教助制度, 保障医疗教助对象获 得基本医疗卫生服务。第三十条: 申请医疗教助的, 应当向乡镇人民政府、街道办事处提 出, "
    "经申核、公示后, 由县级人民政府民政部门审批。 2.《甘肃省社会教助条例》(甘肃省人民代表大会常务委员会公告第23号)(2015年10月1日 施行)"
    "第五章医疗教助 第二十五条: 县级以上人民政府对最低生活保障家庭成员、特困供养 人员、低收入家庭中的老年人、未成年人、重度残疾人、重病患者以及其他特殊困难人员给 予医疗教助。"
    "第二十九条: 县级以上人民政府应当建立健全医疗教助与基本医疗保险、大病 保险相衔接的医疗费用结算机制, 为医疗教助对象提供便捷服务。"
)


def test_panji_fund_misuse_penalty_cites_seven_articles(catalogue, confusions):
    links = link(PANJI_ROW_1, catalogue, confusions)
    assert len(links) == 7
    cited = [(l.resolution.instrument_id, n) for l in links for n in l.found]
    assert cited == [
        ("social-insurance-law", 87), ("social-insurance-law", 88), ("basic-healthcare-law", 104),
        (FUND, 22), (FUND, 38), (FUND, 40), (FUND, 41),
    ]  # 第三十八条 inside the quote of 第四十条 is part of the quote, not a citation


def test_panji_quotes_are_checked_against_the_text(catalogue, confusions):
    checks = {(l.resolution.instrument_id, q.article): q for l in link(PANJI_ROW_1, catalogue, confusions) for q in l.quotes}
    assert checks[("social-insurance-law", 88)].match == "exact"
    assert checks[("social-insurance-law", 87)].match == "excerpt"  # the register stops after 罚款
    assert checks[(FUND, 38)].match == "different" and "第39条" in checks[(FUND, 38)].note  # its （七） is 39's


def test_guazhou_ocr_damaged_cell(catalogue):
    first, second = parse_citations(GUAZHOU_ROW_4)
    assert (first.title_raw, first.doc_number, first.articles) == ("社会教助暂行办法", "国务院令第649号", (27, 30))
    assert first.quote.startswith("国家建立健全医疗教助制度")
    assert second.articles == (25, 29) and second.doc_number == "甘肃省人民代表大会常务委员会公告第23号"
    assert [resolve(c, catalogue).instrument_id for c in (first, second)] == [
        "social-assistance-interim-measures", "gansu-social-assistance-regulation",
    ]  # 《国务院关于修改部分行政 法规的决定》 inside the parenthesis is no citation of its own


@pytest.mark.parametrize(
    "cell,instrument,method",
    [
        ("《社会教助暂行办法》第二十七条", "social-assistance-interim-measures", "ocr"),
        ("《甘肃省社会教助条例》第二十五条", "gansu-social-assistance-regulation", "ocr"),
        ("《中华八民共和国社会保险法》第八十七条", "social-insurance-law", "ocr"),
        ("1.《中华八民共和国社会会保民共和国社会会保护的第八十七条;国际工作,是共和国社会会工作,是是一个工作,", "social-insurance-law", "fuzzy"),
        ("《医疗保障基金使用监督管 理条例》第三十条。", FUND, "exact"),
        ("《社会保险法》第八十七条", "social-insurance-law", "exact"),  # the title without 中华人民共和国
        ("《社保法》第八十七条", "social-insurance-law", "alias"),
        ("1. 《城镇职工基本医疗保险 定点医疗机构管理暂行办法》 (劳社部发 [1999]14号) 第十三条;", "urban-employee-designated-institutions-1999", "exact"),
        ("2. 《河南省人力资源和社会 保障庁关于印发河南省基地 医疗保险转诊转院和异地 医管理暂行办法的通知》 (豫人社医疗[2016]18号) 第六条;",
         "henan-referral-measures-notice", "doc-number"),
        ("《国家医疗保障局办公室 财政部办公厅关于印发〈欺诈骗取医疗保障基金行为举报奖励暂行办法〉的通知》(医保办发[2018]22号)第三条。",
         "fraud-reporting-reward-interim-measures", "alias"),
    ],
)
def test_titles_resolve_despite_ocr(catalogue, cell, instrument, method):
    (citation,) = parse_citations(cell)
    resolution = resolve(citation, catalogue)
    assert (resolution.instrument_id, resolution.method) == (instrument, method)


def test_ocr_repair_is_only_a_fallback(catalogue):
    (citation,) = parse_citations("《社会教助暂行办法》第二十七条")
    assert resolve(citation, catalogue, {}).method == "fuzzy"  # without the confusion table
    assert ocr_variants("异地基地", {"地": "本"}) == ["异本基本", "异本基地", "异地基本"]


@pytest.mark.parametrize(
    "cell,title,articles,items",
    [
        ("《医疗保障基金使用监督管理条例》第三十八至四十四条", "医疗保障基金使用监督管理条例", (38, 39, 40, 41, 42, 43, 44), ()),
        ("《医疗保障基金使用监督管理条例》第三十八条至第四十条", "医疗保障基金使用监督管理条例", (38, 39, 40), ()),
        ("1. 《中华人民共和国社会保险法》第八条、第七十三条; 条; ", "中华人民共和国社会保险法", (8, 73), ()),
        ("《社会救助暂行办法》第五章第二十七条：国家建立健全医疗救助制度", "社会救助暂行办法", (27,), ()),
        ("《医疗保障基金使用监督管理条例》第二十七条第（五）项", "医疗保障基金使用监督管理条例", (27,), (5,)),
        ("《医疗保障基金使用监督管理条例》第二十七条第(五)项、第二十八条", "医疗保障基金使用监督管理条例", (27, 28), (5,)),
        ("《中华人民共和国基本医疗卫生与健康促进法》第一百零四条", "中华人民共和国基本医疗卫生与健康促进法", (104,), ()),
        # 002 row 6, 追责情形: the same article twice
        ("《医疗保障基金使用监督管理条例》(中华人民共和国国务院令第 735号),2020年12月9日国务院第 117次常务会议通过,"
         "2021年5月1日起实施,第四十二条、第四十二条、第四十一条、第四十六条。", "医疗保障基金使用监督管理条例", (42, 41, 46), ()),
    ],
)
def test_article_references(cell, title, articles, items):
    (citation,) = parse_citations(cell)
    assert (citation.title_raw, citation.articles, citation.items) == (title, articles, items)


def test_abbreviated_title_refers_back():
    citations = parse_citations("《医疗保障基金使用监督管理条例》第三十八条；《条例》第四十条")
    assert [(c.title_raw, c.articles) for c in citations] == [
        ("医疗保障基金使用监督管理条例", (38,)), ("医疗保障基金使用监督管理条例", (40,)),
    ]


def test_quotes_run_to_the_next_reference():
    (citation,) = parse_citations("《中华人民共和国社会保险法》(2011年7月1日施行)第八十七条:甲乙丙丁。第八十八条:戊己庚辛。")
    assert citation.articles == (87, 88)
    assert citation.quotes == ((87, "甲乙丙丁"), (88, "戊己庚辛"))
    assert citation.quote == "甲乙丙丁\n戊己庚辛"


def test_quote_after_规定_without_article():
    cell = "2.《安徽省人民政府关于贯彻落实<社会救助暂行办法>的实施意见》（皖政〔2014〕83号）规定：乡镇（街道）负责有关社会救助的申请受理、调查审核。"
    (citation,) = parse_citations(cell)
    assert citation.doc_number == "皖政〔2014〕83号" and citation.articles == ()
    assert citation.quote == "乡镇（街道）负责有关社会救助的申请受理、调查审核"


@pytest.mark.parametrize(
    "text,number",
    [
        ("国务院令第649号", "国务院令第649号"),
        ("医保办发(2022)22号", "医保办发〔2022〕22号"),
        ("医保办发（2022）22号", "医保办发〔2022〕22号"),
        ("国办发[2020]20号", "国办发〔2020〕20号"),
        ("中发[2020]5号", "中发〔2020〕5号"),
        ("（国家医疗保障局第二号令）", "国家医疗保障局令第2号"),
        ("中华人民共和国国务院令第 735号", "国务院令第735号"),
        ("(甘肃省人民代表大会常务委员会公告第23号)", "甘肃省人民代表大会常务委员会公告第23号"),
        ("(国家医疗保障局条售药店医疗保障定点管理商令第三号令)", None),  # OCR debris, no issuer
        ("2011年7月1日施行", None),
    ],
)
def test_document_numbers_in_any_bracket_style(text, number):
    assert normalise_doc_number(text) == number


def test_document_number_alone_names_the_instrument(catalogue):
    assert resolved("（国办发〔2021〕42号）第一条", catalogue) == [("critical-illness-assistance-opinions", "doc-number", (1,))]
    assert resolved("1.国办发〔2020〕20号第十条；2.医保办发(2022)22号第二条", catalogue) == [
        ("fund-supervision-reform-opinions", "doc-number", (10,)),
        ("fund-misuse-reporting-reward-measures", "doc-number", (2,)),
    ]
    # the issuer's short name still identifies the order
    assert resolved("国家医保局令第2号第三条", catalogue)[0][:2] == ("designated-medical-institutions-measures", "doc-number")


def test_unresolvable_citations_are_kept(catalogue, confusions):
    (citation,) = parse_citations("1.《中华人子子亲(中华第三十一条) 是一个第三个一个, 是一个第三个一个,")  # 004 row 14
    assert resolve(citation, catalogue).method == "unresolved"
    assert citation.raw.startswith("《中华人子子亲") and citation.articles == (31,)
    (fragment,) = parse_citations("37号) 第二条;")  # 004 row 20: the title fell on the previous page
    assert (fragment.articles, resolve(fragment, catalogue).instrument_id) == ((2,), None)
    garbage = "1. 《中华人条; 2. 《中华十条; 2. 《中华十条; 4. 《中华十条; 5. 《医疗,为公行业》(2. 《明年)"  # 004 row 19
    # the parser sees 《…》 spans; none of them names an instrument, so none is a citation
    assert [resolve(c, catalogue).method for c in parse_citations(garbage)] == ["unresolved"] * 5
    assert without_noise(link(garbage, catalogue, confusions)) == []
    # 中华人子子亲 names no kind of instrument either; a title lost over a page break is still a citation
    assert without_noise(link("1.《中华人子子亲(中华第三十一条) 是一个第三个一个,", catalogue, confusions)) == []
    (kept,) = without_noise(link("37号) 第二条;", catalogue, confusions))
    assert kept.citation.articles == (2,)


def test_noise_titles_and_repeats_yield_no_citation(catalogue, confusions):
    cell = ("1.《中华人民共和国社会保险法》第八十七条; 2.《中华人民共和国基本本户程度, 6.《世界》第一个工事。"
            " 6.《社会,为助暂行办法》第二十八条: 6.《社会》第二十八条:")  # 004 row 1
    links = without_noise(link(cell, catalogue, confusions))
    assert [(l.resolution.instrument_id is not None, l.citation.articles) for l in links] == [(True, (87,)), (True, (28,))]
    assert reads_like_title("甘肃省社会教助条例") and not reads_like_title("里里看看一个。9.")


def test_quote_that_differs_only_by_ocr_confusions(catalogue, confusions):
    cell = "《社会教助暂行办法》(国务院令第649号)第二十七条: 国家建立健全医疗教助制度, 保障医疗教助对象获 得基本医疗卫生服务。"
    (result,) = link(cell, catalogue, confusions)
    assert [(q.match, q.note) for q in result.quotes] == [("ocr-exact", "仅有 OCR 误识之差（教→救）")]
    # a real difference of wording stays one, even with the OCR confusions undone
    cell = "《社会救助暂行办法》第三十条: 申请医疗救助的,应当向乡镇人民政府、街道办事处提出,经申核、公示后,由县级人民政府民政部门审批。"
    (result,) = link(cell, catalogue, confusions)
    assert result.quotes[0].match == "different"
    # the note names the real difference (the 2019 text moved approval to the 医疗保障部门), not the misreadings
    assert "条文作「医疗保障」，引文作「民政」" in result.quotes[0].note and "申→审" in result.quotes[0].note


def test_cell_without_any_reference_has_no_citation():
    assert parse_citations("選; (三)利用享受医疗保障待遇的机会转卖药品,接受返还现金、实物或者获得其他非法利益。") == []


def test_article_beyond_the_text_is_kept_as_missing(catalogue, confusions):
    (result,) = link("《中华人民共和国社会保险法》第一百二十条", catalogue, confusions)
    assert result.found == () and result.missing == (120,)


def test_quote_of_another_article_is_found(catalogue):
    regulation = catalogue[FUND].articles
    quote = regulation[39].text
    match, note = compare_quote(quote, regulation[38].text, {n: a.text for n, a in regulation.items() if n != 38})
    assert match == "different" and "第39条" in note
    match, note = compare_quote(quote, regulation[38].text)
    assert match == "different" and note


def test_quote_comparison(catalogue):
    text = catalogue["social-insurance-law"].articles[87].text
    assert compare_quote(text, text) == ("exact", None)
    assert compare_quote(text.replace("，", ",").replace("；", ";"), text)[0] == "exact"  # half-width punctuation
    assert compare_quote(text[:40], text)[0] == "excerpt"
    match, note = compare_quote(text.replace("以及", "及"), text)
    assert match == "different" and "条文作「以」" in note


def test_quote_of_lead_in_and_one_item_is_an_excerpt(catalogue):
    # 003 row 7
    (citation,) = parse_citations(
        "3.《医疗保障基金使用监督管理条例》第二十七条　医疗保障行政部门实施监督检查，可以采取下列措施：“（五）对可能被转移、隐匿或者灭失的资料等予以封存”。"
    )
    assert compare_quote(citation.quote, catalogue[FUND].articles[27].text)[0] == "excerpt"
    assert compare_quote("（五）对可能被转移、隐匿或者灭失的资料等予以封存", catalogue[FUND].articles[27].text)[0] == "excerpt"
