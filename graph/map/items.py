"""Map repaired items to the Quanze ontology, one named graph per register.

IRIs are stable and readable: a power item is id/power/<division>/<code> where the register
codes its items, else id/power/<division>/<register>-<row>. Every node gets a
qz:SourceRecord (prov:wasDerivedFrom) with the file, row, line and raw text it came from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from quanze.graph.align.link_statutes import MATCH_ORDER, CitationLink
from quanze.graph.map.statutes import article_iri, cited_instrument_iri, instrument_iri
from quanze.graph.model import ItemDraft, RiskDraft, Span
from quanze.graph.namespaces import ID, ORG, QZ


@dataclass(frozen=True)
class RegisterInfo:
    """One row of data/registers/manifest.csv."""

    file: str
    division_code: str
    jurisdiction: str
    province: str
    city: str
    agency: str
    kind: str
    layout: str
    year: str
    title: str
    note: str
    evidence: str = ""
    """How the jurisdiction was found where no manifest states it ("title: 西吉县医疗保障局…")."""

    @property
    def stem(self) -> str:
        return self.file.rsplit(".", 1)[0]

    @property
    def short(self) -> str:
        """The register's number ("000"), used inside IRIs."""
        return self.stem.split("_", 1)[0]

    @property
    def iri(self) -> URIRef:
        return ID[f"register/{self.stem}"]

    @property
    def graph_iri(self) -> URIRef:
        return ID[f"graph/register/{self.stem}"]


JURISDICTIONS_GRAPH = ID["graph/jurisdictions"]


_literal = lru_cache(maxsize=65536, typed=True)(Literal)
"""A plain literal of a value that recurs (line and row numbers, orders, a line's raw text): rdflib
builds each Literal at some cost, and a literal is immutable, so one object serves every use."""

def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def jurisdiction_iri(code: str) -> URIRef:
    return ID[f"jurisdiction/{code}"]


def agency_iri(info: RegisterInfo) -> URIRef:
    return ID[f"agency/{info.division_code}/{_key(info.agency)}"]


def item_iri(info: RegisterInfo, draft: ItemDraft) -> URIRef:
    """id/power/… for a power item; id/matter/… for an internal matter of a per-post register."""
    kind = "matter" if draft.internal else "power"
    if draft.code:
        return ID[f"{kind}/{info.division_code or 'unknown'}/{draft.code}"]
    local = draft.local_id or (f"{draft.row}" if draft.row is not None else f"L{draft.line}")
    return ID[f"{kind}/{info.division_code or 'unknown'}/{info.short}-{local}"]


def add_jurisdiction(dataset: Dataset, info: RegisterInfo) -> None:
    """The jurisdiction and its agency, in their own graph (shared by all registers)."""
    graph = dataset.graph(JURISDICTIONS_GRAPH)
    jurisdiction = jurisdiction_iri(info.division_code)
    graph.add((jurisdiction, RDF.type, QZ.Jurisdiction))
    graph.add((jurisdiction, RDFS.label, _zh(info.jurisdiction)))
    graph.add((jurisdiction, QZ.divisionCode, Literal(info.division_code)))
    graph.add((jurisdiction, RDFS.comment, _zh(f"{info.province}{info.city}{info.jurisdiction}")))
    agency = agency_iri(info)
    graph.add((agency, RDF.type, QZ.Agency))
    graph.add((agency, RDF.type, ORG.Organization))
    graph.add((agency, RDFS.label, _zh(info.agency)))
    graph.add((agency, QZ.jurisdiction, jurisdiction))


def add_register(graph: Graph, info: RegisterInfo) -> None:
    register = info.iri
    graph.add((register, RDF.type, QZ.Register))
    graph.add((register, DCTERMS.source, Literal(info.file)))
    graph.add((register, DCTERMS.title, _zh(info.title)))
    graph.add((register, QZ.registerKind, Literal(info.kind)))
    if info.division_code:
        graph.add((register, QZ.jurisdiction, jurisdiction_iri(info.division_code)))
        graph.add((register, DCTERMS.publisher, agency_iri(info)))
    if info.year:
        graph.add((register, QZ.year, Literal(int(info.year))))
    if info.note:
        graph.add((register, RDFS.comment, Literal(info.note, lang="zh")))
    if info.evidence:
        graph.add((register, QZ.jurisdictionEvidence, Literal(info.evidence)))


class _ItemWriter:
    """Writes one draft's triples into its register's graph."""

    def __init__(
        self,
        graph: Graph,
        info: RegisterInfo,
        item: URIRef,
        draft: ItemDraft,
        lines: list[str],
        lead: ItemDraft | None,
        node_provenance: bool = True,
    ) -> None:
        self.graph, self.info, self.item, self.draft = graph, info, item, draft
        self.node_provenance = node_provenance
        self.lines = lines
        self.written: set[URIRef] = set()
        self.lead = lead if lead is not None and lead is not draft else None
        """The leading register's draft of a merged item: its item-level facts are not repeated."""

    def raw_line(self, line: int, fallback: str) -> str:
        """The file's line as printed: the raw text a node's value was read from."""
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else fallback

    def source(self, node: URIRef, line: int, raw: str) -> None:
        if node != self.item and not self.node_provenance:
            return
        record = URIRef(f"{node}/source/{self.info.short}")
        g = self.graph
        g.add((node, PROV.wasDerivedFrom, record))
        g.add((record, RDF.type, QZ.SourceRecord))
        g.add((record, QZ.register, self.info.iri))
        g.add((record, QZ.line, _literal(line)))
        g.add((record, QZ.rawText, _literal(raw)))
        if self.draft.row is not None:
            g.add((record, QZ.row, _literal(self.draft.row)))

    def labelled(self, node: URIRef, cls: URIRef, span: Span, order: int | None = None) -> URIRef:
        if node in self.written:  # a control shared by several risk points of a row
            return node
        self.written.add(node)
        g = self.graph
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, _zh(span.text)))
        if order is not None:
            g.add((node, QZ.order, _literal(order)))
        self.source(node, span.line, self.raw_line(span.line, span.text))
        return node

    def write(self, stage_iris: list[URIRef]) -> None:
        g, d, item, lead = self.graph, self.draft, self.item, self.lead
        if lead is None:
            g.add((item, RDF.type, QZ.InternalMatter if d.internal else QZ.PowerItem))
            if self.info.division_code:  # an unknown jurisdiction is left out, for validation to report
                g.add((item, QZ.jurisdiction, jurisdiction_iri(self.info.division_code)))
                g.add((item, QZ.agency, agency_iri(self.info)))
        if d.label and (lead is None or lead.label is None):
            g.add((item, RDFS.label, _zh(d.label)))
        elif d.label and d.label != lead.label:  # another register names the same power differently
            g.add((item, SKOS.altLabel, _zh(d.label)))
        if d.label_repair or (d.label and d.raw_label.strip() != d.label):
            g.add((item, QZ.rawLabel, _zh(d.raw_label)))
        if d.label_repair:
            g.add((item, QZ.labelRepair, Literal(d.label_repair)))
        if d.power_type and (lead is None or lead.power_type != d.power_type):
            g.add((item, QZ.powerType, URIRef(d.power_type)))
        if (d.power_type_repair or not d.power_type) and not d.internal:
            g.add((item, QZ.rawPowerType, _zh(d.raw_power_type)))
        if d.power_type_repair:
            g.add((item, QZ.powerTypeRepair, Literal(d.power_type_repair)))
        g.add((item, QZ.inRegister, self.info.iri))
        if d.code:
            g.add((item, QZ.itemCode, Literal(d.code)))
            if d.raw_code and d.raw_code != d.code:
                g.add((item, QZ.rawCode, Literal(d.raw_code)))
            for repair in d.code_repairs:
                g.add((item, QZ.codeRepair, Literal(repair)))
            if d.code_division:
                g.add((item, QZ.codeJurisdiction, jurisdiction_iri(d.code_division)))
            if d.code_letter_type:
                g.add((item, QZ.codeLetterType, QZ[d.code_letter_type]))
            if d.code_suggestion:
                g.add((item, QZ.unconfirmedCodeReading, Literal(d.code_suggestion)))
        for field, confidence, reason in d.curations:
            node = URIRef(f"{item}/curation/{self.info.short}-{field}")
            g.add((item, QZ.curation, node))
            g.add((node, RDF.type, QZ.Curation))
            g.add((node, QZ.curatedField, Literal(field)))
            g.add((node, QZ.curationConfidence, Literal(confidence)))
            g.add((node, QZ.curationReason, Literal(reason)))
            g.add((node, DCTERMS.source, Literal("data/curation/fields.csv")))
        if d.legal_basis:
            g.add((item, QZ.legalBasisText, _zh(d.legal_basis.text)))
        for value, prop in ((d.sub_item, QZ.subItem), (d.remark, QZ.remark), (d.phone, QZ.supervisionPhone)):
            if value:
                g.add((item, prop, Literal(value)))
        if d.parent:
            g.add((item, QZ.mainItemLabel, _zh(d.parent)))
        for label in (d.row_label, d.sub_row):
            if label:
                g.add((item, QZ.rowLabel, Literal(label)))
        for header, value in d.extra:
            g.add((item, QZ.unrecognisedField, _zh(f"{header}：{value}")))
        if d.level_counts:
            g.add((item, QZ.riskLevelCounts, Literal("".join(f"{w}{d.level_counts[w]}" for w in "高中低" if w in d.level_counts))))
        if d.raw_level and re.sub(r"\s+", "", d.raw_level) not in ("高", "中", "低"):
            g.add((item, QZ.rawRiskLevel, _zh(d.raw_level)))
        if d.declared_risk_count is not None:
            g.add((item, QZ.declaredRiskCount, Literal(d.declared_risk_count)))
            g.add((item, QZ.listedRiskCount, Literal(len(d.risks))))
        for field in sorted(d.truncated):
            g.add((item, QZ.truncatedField, Literal(field)))
        for field in sorted(d.garbled):
            g.add((item, QZ.garbledField, Literal(field)))
        for field in sorted(d.silent):
            g.add((item, QZ.silentField, Literal(field)))
        for stage_type in d.described_stages:
            g.add((item, QZ.describesStage, URIRef(stage_type)))
        for feature in d.features:
            g.add((item, QZ.statesFeature, URIRef(feature)))
        for feature in d.basis_features:
            g.add((item, QZ.basisFeature, URIRef(feature)))
        self.source(item, d.line, d.raw)
        if d.row_inferred:
            record = URIRef(f"{item}/source/{self.info.short}")
            g.add((record, RDFS.comment, _zh("序号未印出，按相邻行推定")))
        self.write_children(stage_iris)

    def write_children(self, stage_iris: list[URIRef]) -> None:
        g, d, item, short = self.graph, self.draft, self.item, self.info.short
        for index, stage in enumerate(d.stages):
            node = stage_iris[index]
            g.add((item, QZ.hasStage, node))
            self.labelled(node, QZ.Stage, Span(stage.label, stage.line), stage.order)
            if stage.stage_type:
                g.add((node, QZ.stageType, URIRef(stage.stage_type)))
            if stage.order:
                g.add((node, QZ.orderSource, _literal(stage.order_source)))
            if stage.description:
                g.add((node, QZ.description, _zh(stage.description)))
        for n, risk in enumerate(d.risks, start=1):
            node = URIRef(f"{item}/risk/{short}-{n}")
            g.add((item, QZ.hasRiskPoint, node))
            self.write_risk(node, risk, n, stage_iris)
        for n, duty in enumerate(d.duties, start=1):
            node = URIRef(f"{item}/duty/{short}-{n}")
            g.add((item, QZ.hasDuty, node))
            self.labelled(node, QZ.Duty, duty.text, n)
            if duty.stage is not None:
                g.add((node, QZ.atStage, stage_iris[duty.stage]))
        for n, link in enumerate(d.citations, start=1):
            self.write_citation(URIRef(f"{item}/citation/{short}-{n}"), link, n)
        for prop, path, links, span in (
            (QZ.dutyBasisCitation, "duty-basis", d.duty_citations, d.duty_basis),
            (QZ.accountabilityBasisCitation, "accountability-basis", d.accountability_citations, d.accountability_basis),
        ):
            for n, link in enumerate(links, start=1):
                self.write_citation(URIRef(f"{item}/{path}/{short}-{n}"), link, n, prop, span)
        for n, case in enumerate(d.accountability, start=1):
            node = URIRef(f"{item}/accountability/{short}-{n}")
            g.add((item, QZ.hasAccountability, node))
            self.labelled(node, QZ.Accountability, case, n)

    def write_citation(self, node: URIRef, link: CitationLink, order: int, prop: URIRef = QZ.hasCitation, span: Span | None = None) -> None:
        """A citation of the item's legal basis (qz:hasCitation, linking qz:legalBasis), or of the
        basis of its duties or accountability (`prop`), which is not the item's legal basis."""
        g, item, citation = self.graph, self.item, link.citation
        basis = prop == QZ.hasCitation
        levels = self.draft.cited_levels
        if basis and order <= len(levels) and levels[order - 1]:
            g.add((node, QZ.citedLevel, _literal(levels[order - 1])))
        g.add((item, prop, node))
        g.add((node, RDF.type, QZ.Citation))
        g.add((node, QZ.order, _literal(order)))
        g.add((node, RDFS.label, _zh(_citation_label(citation.title_raw, citation.articles))))
        if citation.quote:
            g.add((node, QZ.quote, _zh(citation.quote)))
        g.add((node, QZ.resolution, _literal(link.resolution.method)))
        if link.resolution.method == "fuzzy":
            g.add((node, QZ.matchScore, Literal(link.resolution.score)))
        if link.resolution.method == "uncatalogued" and link.cited is not None:
            instrument = cited_instrument_iri(link.cited.title)
            g.add((node, QZ.citesInstrument, instrument))
            g.add((node, QZ.textHeld, Literal(False)))
            if basis:
                g.add((item, QZ.legalBasisInstrument, instrument))
            g.add((instrument, RDF.type, QZ.LegalInstrument))
            g.add((instrument, RDFS.label, _zh(link.cited.title)))
            if link.cited.level:
                g.add((instrument, QZ.level, Literal(link.cited.level)))
            if link.cited.doc_number:
                g.add((instrument, QZ.documentNumber, Literal(link.cited.doc_number)))
        elif link.resolution.instrument_id:
            g.add((node, QZ.citesInstrument, instrument_iri(link.resolution.instrument_id)))
        for number in citation.articles:
            g.add((node, QZ.citedArticleNumber, _literal(number)))
        for number in link.missing:
            g.add((node, QZ.missingArticle, _literal(number)))
        for number in link.found:
            article = article_iri(link.resolution.instrument_id or "", number)
            g.add((node, QZ.citesArticle, article))
            if basis:
                g.add((item, QZ.legalBasis, article))
        if link.quotes:
            worst = max(link.quotes, key=lambda q: MATCH_ORDER.index(q.match))
            g.add((node, QZ.quoteMatch, Literal(worst.match)))
            for check in link.quotes:
                if check.note:
                    g.add((node, QZ.quoteNote, _zh(f"第{check.article}条：{check.note}")))
        cell = self.draft.legal_basis if basis else span
        line = cell.line if cell else self.draft.line
        self.source(node, line, citation.raw)

    def write_risk(self, node: URIRef, risk: RiskDraft, order: int, stage_iris: list[URIRef]) -> None:
        g = self.graph
        self.labelled(node, QZ.RiskPoint, risk.text, order)
        if risk.level:
            g.add((node, QZ.riskLevel, URIRef(risk.level)))
        if risk.stage is not None:
            g.add((node, QZ.atStage, stage_iris[risk.stage]))
        for control in risk.controls:
            control_node = URIRef(f"{self.item}/control/{_key(f'{control.line}:{control.text}')}")
            self.labelled(control_node, QZ.Control, control)
            g.add((node, QZ.control, control_node))
        if risk.role:
            role = ID[f"role/{self.info.division_code}/{_key(risk.role.text)}"]
            g.add((role, RDF.type, QZ.Role))
            g.add((role, RDFS.label, _zh(risk.role.text)))
            g.add((role, PROV.wasDerivedFrom, self.info.iri))  # shared by many rows: the register is its source
            g.add((node, QZ.responsibleRole, role))


def _citation_label(title: str | None, articles: tuple[int, ...]) -> str:
    """《社会保险法》第87、88条 — what the citation names, as a short label."""
    name = "《" + re.sub(r"\s+", "", title) + "》" if title else "（未识别文件）"
    numbers = "、".join(map(str, articles))
    return name + (f"第{numbers}条" if articles else "")


def stage_iris(item: URIRef, draft: ItemDraft) -> list[URIRef]:
    """One IRI per stage type of an item, so registers that name the same stage share it."""
    iris = []
    for stage in draft.stages:
        local = stage.stage_type.rsplit("/", 1)[-1] if stage.stage_type else _key(stage.label)
        iris.append(URIRef(f"{item}/stage/{local}"))
    return iris


def add_item(
    dataset: Dataset,
    info: RegisterInfo,
    item: URIRef,
    draft: ItemDraft,
    lines: list[str],
    lead: ItemDraft | None = None,
    node_provenance: bool = True,
) -> None:
    """All triples of one draft, in its register's named graph.

    `lines` are the register's text lines (for raw text); `lead` is the leading register's
    draft of a merged item: its name stays the rdfs:label and its item-level facts (type,
    jurisdiction, agency) are stated once, in the leading register's graph. Without
    `node_provenance` only the item gets a source record (validation reports rows by item).
    """
    graph = dataset.graph(info.graph_iri)
    _ItemWriter(graph, info, item, draft, lines, lead, node_provenance).write(stage_iris(item, draft))
