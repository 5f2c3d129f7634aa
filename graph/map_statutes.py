"""Map the statute catalogue to RDF: instruments and their articles with official text.

Instrument IRIs are id/law/<id>; articles id/law/<id>/art/<n>, so a paragraph can later be
addressed below its article (…/art/87/para/2).
"""

from __future__ import annotations

import cn2an
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from graph.namespaces import ELI, ID, QZ
from graph.statutes import Instrument


def instrument_iri(instrument_id: str) -> URIRef:
    return ID[f"law/{instrument_id}"]


def article_iri(instrument_id: str, number: int) -> URIRef:
    return ID[f"law/{instrument_id}/art/{number}"]


def short_name(instrument: Instrument) -> str:
    """社会保险法 rather than 中华人民共和国社会保险法, for article labels."""
    return instrument.short_titles[0] if instrument.short_titles else instrument.title


def statute_graph(catalogue: dict[str, Instrument]) -> Graph:
    graph = Graph()
    for instrument in catalogue.values():
        node = instrument_iri(instrument.id)
        graph.add((node, RDF.type, QZ.LegalInstrument))
        graph.add((node, RDFS.label, Literal(instrument.title, lang="zh")))
        for name in (*instrument.short_titles, *instrument.aliases):
            graph.add((node, SKOS.altLabel, Literal(name, lang="zh")))
        for value, prop in ((instrument.level, QZ.level), (instrument.status, QZ.status), (instrument.doc_number, QZ.documentNumber)):
            if value:
                graph.add((node, prop, Literal(value)))
        if instrument.issuer:
            graph.add((node, DCTERMS.creator, Literal(instrument.issuer, lang="zh")))
        if instrument.adopted:
            graph.add((node, DCTERMS.issued, Literal(instrument.adopted, datatype=XSD.date)))
        if instrument.effective:
            graph.add((node, DCTERMS.valid, Literal(instrument.effective, datatype=XSD.date)))
        if instrument.replaced_by:
            graph.add((node, QZ.isReplacedBy, instrument_iri(instrument.replaced_by)))
            graph.add((instrument_iri(instrument.replaced_by), DCTERMS.replaces, node))
        graph.add((node, DCTERMS.source, Literal(instrument.text_file or instrument.source)))
        if instrument.articles:
            graph.add((node, QZ.articleCount, Literal(len(instrument.articles))))
        for number, article in instrument.articles.items():
            art = article_iri(instrument.id, number)
            graph.add((art, RDF.type, QZ.Article))
            graph.add((art, ELI.is_part_of, node))
            graph.add((art, QZ.articleNumber, Literal(number)))
            graph.add((art, QZ.order, Literal(number)))
            graph.add((art, RDFS.label, Literal(f"{short_name(instrument)} 第{_cn(number)}条", lang="zh")))
            graph.add((art, QZ.text, Literal(article.text, lang="zh")))
            if article.chapter:
                graph.add((art, QZ.chapter, Literal(article.chapter, lang="zh")))
    return graph


def _cn(number: int) -> str:
    """87 → 八十七, for labels that read as the law is cited."""
    return cn2an.an2cn(number).replace("一十", "十", 1) if 10 <= number < 20 else cn2an.an2cn(number)
