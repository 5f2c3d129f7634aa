"""The statute catalogue (data/statutes/instruments.csv), the official texts and their RDF."""

from __future__ import annotations

import csv
import shutil

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from quanze.graph import paths
from quanze.graph.map.statutes import article_iri, instrument_iri, statute_graph
from quanze.graph.namespaces import ELI, QZ
from quanze.graph.align.statutes import LEVELS, STATUSES, chinese_number, header_events, load_catalogue, parse_articles

STATUTES = paths.data_dir() / "statutes"
COUNTS = {  # SOURCES.md, column "articles"
    "social-insurance-law": 98,
    "medical-security-fund-supervision-regulation": 50,
    "basic-healthcare-law": 110,
    "social-assistance-interim-measures": 70,
    "administrative-penalty-law": 86,
    "administrative-coercion-law": 71,
    "price-law": 48,
    "drug-administration-law": 155,
    "administrative-licensing-law": 83,
    "tendering-bidding-law": 68,
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(STATUTES)


@pytest.fixture(scope="module")
def graph(catalogue):
    return statute_graph(catalogue)


@pytest.mark.parametrize("instrument,count", COUNTS.items())
def test_article_counts_match_sources(catalogue, instrument, count):
    articles = catalogue[instrument].articles
    assert sorted(articles) == list(range(1, count + 1))


def test_article_text_and_chapter(catalogue):
    article = catalogue["social-insurance-law"].articles[87]
    assert article.text.startswith("社会保险经办机构以及医疗机构")
    assert article.chapter == "第十一章法律责任"
    assert catalogue["basic-healthcare-law"].articles[104].chapter == "第九章法律责任"


def test_later_paragraphs_and_items_belong_to_their_article(catalogue):
    regulation = catalogue["medical-security-fund-supervision-regulation"]
    assert "（五）对可能被转移、隐匿或者灭失的资料等予以封存" in regulation.articles[27].text
    assert regulation.articles[38].text.count("\n") >= 7  # lead-in and items （一）…（七）


def test_sections_do_not_replace_chapters(catalogue):
    # 行政强制法 has 节 under its chapters; the article keeps the chapter
    assert catalogue["administrative-coercion-law"].articles[22].chapter.startswith("第三章")


def test_parse_articles_on_a_small_text():
    text = "# 某法\n\n2020年1月2日 通过\n\n<!-- INFO END -->\n## 第一章  总 则\n第一条 甲。\n乙。\n## 第二章 附则\n第二条　丙。\n"
    articles = parse_articles(text)
    assert [(a.number, a.text, a.chapter) for a in articles.values()] == [(1, "甲。\n乙。", "第一章总则"), (2, "丙。", "第二章附则")]
    assert header_events(text) == [("2020-01-02", "通过")]


@pytest.mark.parametrize("text,number", [("八十七", 87), ("一百零四", 104), ("十", 10), ("三十八", 38), ("104", 104)])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


def test_every_text_is_described_in_sources():
    sources = (STATUTES / "SOURCES.md").read_text(encoding="utf-8")
    for name in COUNTS:
        assert f"| {name}.md |" in sources


def test_catalogue_rows_use_the_closed_vocabularies(catalogue):
    for instrument in catalogue.values():
        assert instrument.level in LEVELS
        assert instrument.status in STATUSES or instrument.status == ""
        assert instrument.source, instrument.id
        assert not instrument.replaced_by or instrument.replaced_by in catalogue


def test_every_text_file_is_catalogued_and_dated_as_its_header(catalogue):
    texts = {p.name for p in STATUTES.glob("*.md")} - {"SOURCES.md"}
    with_text = {i.text_file: i for i in catalogue.values() if i.text_file}
    assert set(with_text) == texts
    for name, instrument in with_text.items():
        events = header_events((STATUTES / name).read_text(encoding="utf-8"))
        assert instrument.adopted == events[0][0], name  # adopted = first dated line of the header


def test_instruments_cited_without_text_are_catalogued(catalogue):
    numbers = {i.doc_number: i for i in catalogue.values() if i.doc_number}
    for number in ("国家医疗保障局令第2号", "国家医疗保障局令第3号", "国家医疗保障局令第4号", "国办发〔2020〕20号",
                   "国办发〔2021〕42号", "中发〔2020〕5号", "医保办发〔2022〕22号", "医保办发〔2018〕22号",
                   "劳社部发〔1999〕14号", "甘医保发〔2023〕44号", "皖政〔2014〕83号", "皖办发〔2020〕25号",
                   "豫医保办文〔2019〕53号", "豫人社医疗〔2016〕18号"):
        assert number in numbers and not numbers[number].articles


def test_replacements_are_recorded(catalogue):
    assert catalogue["fraud-reporting-reward-interim-measures"].replaced_by == "fund-misuse-reporting-reward-measures"
    assert catalogue["fraud-reporting-reward-interim-measures"].status == "superseded"
    assert catalogue["urban-employee-designated-institutions-1999"].replaced_by == "designated-medical-institutions-measures"


def test_a_broken_catalogue_fails_to_load(tmp_path):
    tmp_path = tmp_path / "statutes"
    shutil.copytree(STATUTES, tmp_path)
    rows = list(csv.reader((tmp_path / "instruments.csv").open(encoding="utf-8")))
    rows.append(["x", "某办法", "", "", "部门规章", "", "", "", "", "superseded", "no-such-instrument", "", "test"])
    with (tmp_path / "instruments.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ValueError, match="no-such-instrument"):
        load_catalogue(tmp_path)


def test_instrument_triples(graph):
    law = instrument_iri("social-insurance-law")
    assert (law, RDF.type, QZ.LegalInstrument) in graph
    assert (law, RDFS.label, Literal("中华人民共和国社会保险法", lang="zh")) in graph
    assert graph.value(law, QZ.articleCount) == Literal(98)
    assert graph.value(law, DCTERMS.issued) == Literal("2010-10-28", datatype=XSD.date)
    assert graph.value(law, DCTERMS.source) == Literal("social-insurance-law.md")
    regulation = instrument_iri("medical-security-fund-supervision-regulation")
    assert graph.value(regulation, DCTERMS.identifier) == Literal("国务院令第735号")


def test_replacement_triples(graph):
    old, new = instrument_iri("fraud-reporting-reward-interim-measures"), instrument_iri("fund-misuse-reporting-reward-measures")
    assert (old, QZ.isReplacedBy, new) in graph and (old, DCTERMS.isReplacedBy, new) in graph
    assert (new, DCTERMS.replaces, old) in graph
    assert graph.value(old, QZ.articleCount) is None


def test_article_triples(graph):
    article = article_iri("social-insurance-law", 87)
    assert article == URIRef("https://w3id.org/quanze/id/law/social-insurance-law/art/87")
    assert (article, ELI.is_part_of, instrument_iri("social-insurance-law")) in graph
    assert graph.value(article, QZ.articleNumber) == Literal(87)
    assert graph.value(article, RDFS.label) == Literal("社会保险法 第八十七条", lang="zh")
    assert graph.value(article, QZ.chapter) == Literal("第十一章法律责任", lang="zh")
    assert graph.value(article_iri("administrative-coercion-law", 14), RDFS.label) == Literal("行政强制法 第十四条", lang="zh")
    assert len(set(graph.subjects(RDF.type, QZ.Article))) == sum(COUNTS.values())
