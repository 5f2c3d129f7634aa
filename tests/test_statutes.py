"""The statute catalogue, the citation parser and resolver, and quote checks."""

from __future__ import annotations

import pytest

from graph import paths
from graph.citations import compare_quote, load_confusions, normalise_doc_number, parse_citations, resolve
from graph.link_statutes import link
from graph.statutes import load_catalogue


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(paths.data_dir() / "statutes")


@pytest.fixture(scope="module")
def confusions():
    return load_confusions(paths.data_dir() / "statutes" / "ocr_confusions.csv")


@pytest.mark.parametrize(
    "instrument,count",
    [
        ("social-insurance-law", 98), ("medical-security-fund-supervision-regulation", 50), ("basic-healthcare-law", 110),
        ("social-assistance-interim-measures", 70), ("administrative-penalty-law", 86), ("administrative-coercion-law", 71),
        ("price-law", 48), ("drug-administration-law", 155), ("administrative-licensing-law", 83), ("tendering-bidding-law", 68),
    ],
)
def test_article_counts(catalogue, instrument, count):
    articles = catalogue[instrument].articles
    assert len(articles) == count and sorted(articles) == list(range(1, count + 1))


def test_article_text_and_chapter(catalogue):
    article = catalogue["social-insurance-law"].articles[87]
    assert article.text.startswith("社会保险经办机构以及医疗机构")
    assert article.chapter == "第十一章法律责任"
    assert "（五）对可能被转移、隐匿或者灭失的资料等予以封存" in catalogue["medical-security-fund-supervision-regulation"].articles[27].text


def test_replacements_are_recorded(catalogue):
    assert catalogue["fraud-reporting-reward-interim-measures"].replaced_by == "fund-misuse-reporting-reward-measures"
    assert catalogue["urban-employee-designated-institutions-1999"].status == "superseded"


PANJI_ROW_1 = """1.《中华人民共和国社会保险法》第八十七条：社会保险经办机构以及医疗机构骗取社会保险基金支出的，处罚款。
2.《中华人民共和国社会保险法》第八十八条：以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，处罚款。
3.《中华人民共和国基本医疗卫生与健康促进法》第一百零四条：基本医疗保险经办机构以及医疗机构骗取基本医疗保险基金支出的。
4.《医疗保障基金使用监督管理条例》第二十二条：医疗保障、卫生健康等部门应当分工协作。
5.《医疗保障基金使用监督管理条例》第三十八条：定点医药机构有下列情形之一的，由医疗保障行政部门责令改正。
6.《医疗保障基金使用监督管理条例》第四十条：定点医药机构以骗取医疗保障基金为目的，实施了本条例第三十八条规定行为之一的，按照本条规定处理。
7.《医疗保障基金使用监督管理条例》第四十一条：个人有下列情形之一的，由医疗保障行政部门责令改正。"""


def test_panji_fund_misuse_penalty_cites_seven_articles(catalogue, confusions):
    links = link(PANJI_ROW_1, catalogue, confusions)
    cited = {(l.resolution.instrument_id, n) for l in links for n in l.found}
    assert cited == {
        ("social-insurance-law", 87), ("social-insurance-law", 88), ("basic-healthcare-law", 104),
        ("medical-security-fund-supervision-regulation", 22), ("medical-security-fund-supervision-regulation", 38),
        ("medical-security-fund-supervision-regulation", 40), ("medical-security-fund-supervision-regulation", 41),
    }  # 第三十八条 inside the quote of 第四十条 is part of the quote, not a citation


@pytest.mark.parametrize(
    "cell,title,articles,items",
    [
        ("《医疗保障基金使用监督管理条例》第三十八至四十四条", "医疗保障基金使用监督管理条例", (38, 39, 40, 41, 42, 43, 44), ()),
        ("《社会保险法》第八十七条、第八十八条", "社会保险法", (87, 88), ()),
        ("《社会救助暂行办法》第五章第二十七条：国家建立健全医疗救助制度", "社会救助暂行办法", (27,), ()),
        ("《医疗保障基金使用监督管理条例》第二十七条第（五）项", "医疗保障基金使用监督管理条例", (27,), (5,)),
        ("《基本医疗卫生与健康促进法》第一百零四条", "基本医疗卫生与健康促进法", (104,), ()),
        ("《医疗保障基金使用监督管理条例》第四十二条、第四十二条、第四十一条", "医疗保障基金使用监督管理条例", (42, 41), ()),
    ],
)
def test_article_references(cell, title, articles, items):
    (citation,) = parse_citations(cell)
    assert (citation.title_raw, citation.articles, citation.items) == (title, articles, items)


def test_abbreviated_title_refers_back():
    citations = parse_citations("《医疗保障基金使用监督管理条例》第三十八条；《条例》第四十条")
    assert [c.title_raw for c in citations] == ["医疗保障基金使用监督管理条例"] * 2


@pytest.mark.parametrize(
    "text,number",
    [("国务院令第649号", "国务院令第649号"), ("医保办发(2022)22号", "医保办发〔2022〕22号"), ("国办发[2020]20号", "国办发〔2020〕20号"),
     ("（国家医疗保障局第二号令）", "国家医疗保障局令第2号"), ("中华人民共和国国务院令第 735号", "国务院令第735号")],
)
def test_document_numbers_in_any_bracket_style(text, number):
    assert normalise_doc_number(text) == number


@pytest.mark.parametrize(
    "cell,instrument,method",
    [
        ("《社会保险法》第八十七条", "social-insurance-law", "exact"),
        ("《国家医疗保障局办公室 财政部办公厅关于印发〈欺诈骗取医疗保障基金行为举报奖励暂行办法〉的通知》", "fraud-reporting-reward-interim-measures", "alias"),
        ("《甘肃省社会教助条例》第二十五条", "gansu-social-assistance-regulation", "ocr"),
        ("《社会教助暂行办法》第二十七条", "social-assistance-interim-measures", "ocr"),
        ("《医疗保障基金使用监督管 理条例》第三十条。", "medical-security-fund-supervision-regulation", "exact"),
        ("1.《中华八民共和国社会会保民共和国社会会保护的第八十七条;", "social-insurance-law", "fuzzy"),
        ("（国办发〔2021〕42号）第一条", "critical-illness-assistance-opinions", "doc-number"),
    ],
)
def test_titles_resolve_despite_ocr(catalogue, confusions, cell, instrument, method):
    (citation,) = parse_citations(cell)
    resolution = resolve(citation, catalogue, confusions)
    assert (resolution.instrument_id, resolution.method) == (instrument, method)


def test_unresolvable_citation_is_kept(catalogue, confusions):
    (citation,) = parse_citations("《中华人子子亲(中华第三十一条)》")
    assert resolve(citation, catalogue, confusions).method == "unresolved"
    assert citation.raw.startswith("《中华人子子亲")


def test_article_beyond_the_text_is_kept_as_missing(catalogue, confusions):
    (result,) = link("《中华人民共和国社会保险法》第一百二十条", catalogue, confusions)
    assert result.found == () and result.missing == (120,)


def test_quote_of_another_article_is_found(catalogue, confusions):
    thirty_nine = catalogue["medical-security-fund-supervision-regulation"].articles[39].text
    clause = thirty_nine.split("\n")[1]
    (result,) = link(f"《医疗保障基金使用监督管理条例》第三十八条：{clause}", catalogue, confusions)
    (check,) = result.quotes
    assert check.match == "different" and "出自第39条" in check.note


def test_quote_comparison(catalogue):
    text = catalogue["social-insurance-law"].articles[87].text
    assert compare_quote(text, text)[0] == "exact"
    assert compare_quote(text[:40], text)[0] == "excerpt"
    match, note = compare_quote(text.replace("以及", "及"), text)
    assert match == "different" and "条文作「以」" in note
