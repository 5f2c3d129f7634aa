"""Map the statute catalogue to RDF: instruments and their articles with official text.

Instrument IRIs are id/law/<id>; articles id/law/<id>/art/<n>, so a paragraph can later be
addressed below its article (…/art/87/para/2). The Quanze terms that specialise Dublin Core
(qz:documentNumber ⊑ dcterms:identifier, qz:isReplacedBy ⊑ dcterms:isReplacedBy) are written
together with their Dublin Core super-properties, so queries in plain DCTERMS work on a
store that does no RDFS inference.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from quanze.graph.namespaces import ELI, ID, QZ
from quanze.graph.numerals import to_chinese
from quanze.graph.align.statutes import Article, Instrument

CATALOGUE_FILE = "instruments.csv"


def instrument_iri(instrument_id: str) -> URIRef:
    return ID[f"law/{instrument_id}"]


def cited_instrument_iri(title: str) -> URIRef:
    """An instrument the catalogue lacks, named by its normalised title (id/law/cited/<title>)."""
    from quanze.graph.align.citations import normalise_title

    return ID[f"law/cited/{normalise_title(title)}"]


def article_iri(instrument_id: str, number: int) -> URIRef:
    return ID[f"law/{instrument_id}/art/{number}"]


def short_name(instrument: Instrument) -> str:
    """社会保险法 rather than 中华人民共和国社会保险法, for article labels."""
    return instrument.short_titles[0] if instrument.short_titles else instrument.title


def chinese_ordinal(number: int) -> str:
    """87 → 八十七, 14 → 十四: article numbers as the law writes them."""
    return to_chinese(number)  # cn2an versions differ on 一十四: 十四 either way


def article_label(instrument: Instrument, number: int) -> str:
    """社会保险法 第八十七条."""
    return f"{short_name(instrument)} 第{chinese_ordinal(number)}条"


def _instrument_triples(instrument: Instrument) -> list[tuple[URIRef, URIRef, Literal | URIRef]]:
    """What the catalogue says of one instrument, without its articles."""
    node = instrument_iri(instrument.id)
    triples: list[tuple[URIRef, URIRef, Literal | URIRef]] = [
        (node, RDF.type, QZ.LegalInstrument),
        (node, RDFS.label, Literal(instrument.title, lang="zh")),
        (node, DCTERMS.source, Literal(instrument.text_file or CATALOGUE_FILE)),
    ]
    triples += [(node, SKOS.altLabel, Literal(name, lang="zh")) for name in dict.fromkeys((*instrument.short_titles, *instrument.aliases))]
    for value, prop in ((instrument.level, QZ.level), (instrument.status, QZ.status)):
        if value:
            triples.append((node, prop, Literal(value)))
    if instrument.doc_number:
        triples += [(node, QZ.documentNumber, Literal(instrument.doc_number)), (node, DCTERMS.identifier, Literal(instrument.doc_number))]
    if instrument.issuer:
        triples.append((node, DCTERMS.creator, Literal(instrument.issuer, lang="zh")))
    if instrument.adopted:
        triples.append((node, DCTERMS.issued, Literal(instrument.adopted, datatype=XSD.date)))
    if instrument.effective:
        triples.append((node, DCTERMS.valid, Literal(instrument.effective, datatype=XSD.date)))
    if instrument.replaced_by:
        successor = instrument_iri(instrument.replaced_by)
        triples += [(node, QZ.isReplacedBy, successor), (node, DCTERMS.isReplacedBy, successor), (successor, DCTERMS.replaces, node)]
    if instrument.source:
        triples.append((node, RDFS.comment, Literal(instrument.source)))
    if instrument.articles:
        triples.append((node, QZ.articleCount, Literal(len(instrument.articles))))
    return triples


def _article_triples(instrument: Instrument, article: Article) -> list[tuple[URIRef, URIRef, Literal | URIRef]]:
    """One article: its number, order, label, official text and chapter."""
    node = article_iri(instrument.id, article.number)
    triples: list[tuple[URIRef, URIRef, Literal | URIRef]] = [
        (node, RDF.type, QZ.Article),
        (node, ELI.is_part_of, instrument_iri(instrument.id)),
        (node, QZ.articleNumber, Literal(article.number)),
        (node, QZ.order, Literal(article.number)),
        (node, RDFS.label, Literal(article_label(instrument, article.number), lang="zh")),
        (node, QZ.text, Literal(article.text, lang="zh")),
    ]
    if article.chapter:
        triples.append((node, QZ.chapter, Literal(article.chapter, lang="zh")))
    return triples


def statute_graph(catalogue: Mapping[str, Instrument]) -> Graph:
    """Every instrument of the catalogue and every article whose text is known."""
    graph = Graph()
    graph.bind("qz", str(QZ._NS))
    graph.bind("eli", ELI)
    for instrument in catalogue.values():
        for triple in _instrument_triples(instrument):
            graph.add(triple)
        for article in instrument.articles.values():
            for triple in _article_triples(instrument, article):
                graph.add(triple)
    return graph


def instrument_graph(catalogue: Mapping[str, Instrument], graph: Graph | None = None) -> Graph:
    """What the catalogue says of its instruments (titles, replacements …), without the articles:
    what validation reads beside a register (graph/validate/shapes.py `with_statute_facts`)."""
    graph = Graph() if graph is None else graph
    for instrument in catalogue.values():
        for triple in _instrument_triples(instrument):
            graph.add(triple)
    return graph
