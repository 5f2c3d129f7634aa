"""Validate registers against the SHACL shapes: one file, many files, or the whole store.

A file goes the same way as in the build — read, repair, link statutes, map — and the
resulting graph is checked by pySHACL against shapes/*.ttl together with the statute
catalogue. Results come back as plain typed objects (Finding), each pointing at the file,
the row (序号, or the line where there is none) and the item's name, with the message in
the language asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH

from quanze.graph import paths
from quanze.graph.align.powers import Alignment
from quanze.graph.map.alignment import item_facts
from quanze.graph.map.items import JURISDICTIONS_GRAPH, item_iri
from quanze.graph.map.statutes import instrument_graph
from quanze.graph.namespaces import QZ
from quanze.graph.read.text import UnreadableInput
from quanze.graph.validate.engine import tune
from quanze.graph.register import Reference, info_for, read_register, reference, register_graph

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_CHILD_LINKS = (QZ.hasRiskPoint, QZ.hasCitation, QZ.hasStage, QZ.hasDuty, QZ.hasAccountability, QZ.dutyBasisCitation, QZ.accountabilityBasisCitation)


@dataclass(frozen=True)
class Finding:
    """One validation result, in the shape of the contract's JSON report."""

    severity: str
    file: str
    row: int | None
    item: str | None
    message: str
    constraint: str
    path: str | None
    value: str | None
    jurisdiction: str | None = None
    line: int | None = None
    """The line (text) or sheet row (XLSX) the item was read from; reports use it to find the cell."""

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("jurisdiction")
        data.pop("line")
        return data


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)
    """Items read per file."""
    alignments: list[tuple[str, int | None, str | None, Alignment]] = field(default_factory=list)
    jurisdictions: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """File → (division code, name, the evidence that decided it) of each register read."""
    """(file, row, item name, alignment to the canonical catalogue) of each item read from a file."""

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)


# --- the pieces every validation shares ------------------------------------------------------


@dataclass(frozen=True)
class Toolkit:
    """The reference data of graph.register plus what validation adds: shapes and the facts they read."""

    reference: Reference
    shapes: Graph
    statutes: Graph
    """The statute catalogue's instruments (their labels and replacements; not the articles' text)
    and the labels of power types, stage types and risk levels: what `with_statute_facts` reads."""

    @property
    def aligner(self):
        return self.reference.aligner


def toolkit(data: Path | None = None, ontology: Path | None = None, shapes: Path | None = None) -> Toolkit:
    """Reference data and shapes, loaded once per process (however the folders are named)."""
    return _toolkit(
        Path(data or paths.data_dir()).resolve(), Path(ontology or paths.ontology_dir()).resolve(), Path(shapes or paths.shapes_dir()).resolve()
    )


@lru_cache(maxsize=2)
def _toolkit(data: Path, ontology: Path, shapes: Path) -> Toolkit:
    ref = reference(data, ontology)
    return Toolkit(
        reference=ref,
        shapes=load_shapes(shapes),
        statutes=_concept_labels(ref.context.vocabulary.graph, instrument_graph(ref.catalogue)),
    )


def _concept_labels(ontology: Graph, labels: Graph) -> Graph:
    """Labels of power types and stage types, so a report can name them (added to `labels`)."""
    for cls in (QZ.PowerType, QZ.StageType, QZ.RiskLevel):
        for concept in ontology.subjects(RDF.type, cls):
            for label in ontology.objects(concept, RDFS.label):
                labels.add((concept, RDFS.label, label))
    return labels


# --- validation ---------------------------------------------------------------------------------


def validate_files(files: Iterable[tuple[str, bytes]], lang: str = "zh", kit: Toolkit | None = None) -> Report:
    """Validate register files given as (name, content); UnreadableInput for a bad one."""
    kit = kit or toolkit()
    report = Report()
    for path, data in files:
        read = read_register(data, path, kit.reference)
        name = read.name
        if read.rdf is not None:
            graph = read.rdf
            count = len(set(graph.subjects(RDF.type, QZ.PowerItem)))
        else:
            if not read.drafts:
                raise UnreadableInput(f"{name}: no items found (the register has a header but no rows)")
            info = info_for(read, None)
            report.jurisdictions[name] = (info.division_code, info.jurisdiction, info.evidence)
            graph = register_graph(read, info)
            count = len(read.drafts)
            for draft in (d for d in read.drafts if not d.internal):
                alignment = kit.aligner.align(item_facts(item_iri(info, draft), [draft]))
                report.alignments.append((name, draft.row, draft.label, alignment))
        report.files.append(name)
        report.items[name] = count
        report.findings.extend(validate_graph(graph, kit, lang, default_file=name))
    return report


def run_shapes(data: Graph, shapes: Graph) -> Graph:
    """The SHACL validation report graph of `data` (SHACL Core and SPARQL targets, no inference).

    `data` is extended in place by pySHACL's bookkeeping only; callers pass their own copy.
    pySHACL is handed a view of the same triples whose SPARQL queries (the shapes' SPARQL
    targets) are parsed once per process, not once per call: parsing them cost more than
    checking a county.
    """
    tune()  # pySHACL without the text report nobody reads (graph/validate/engine.py)
    view = _PreparedQueries(store=data.store, identifier=data.identifier)
    _, results, _ = shacl_validate(view, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True)
    return results


class _PreparedQueries(Graph):
    """An rdflib Graph (a view of another graph's store) that parses each SPARQL text once.

    A SELECT without bindings (the shapes' SPARQL targets) is answered by pyoxigraph over a
    copy of the graph made at the first one (graph/validate/targets.py); rdflib answers the
    rest, and all of them where pyoxigraph and rdflib could disagree on the graph.
    """

    _copy = None

    def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql" and not kwargs and not initBindings and initNs is None:
            from quanze.graph.validate.targets import OxigraphCopy, Unsupported

            try:
                if self._copy is None:
                    self._copy = OxigraphCopy(self)
                if self._copy:
                    return self._copy.select(query_object)
            except Unsupported:
                if self._copy is None:
                    self._copy = False  # the graph itself: rdflib answers every query
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = dict(initNs) if initNs is not None else dict(self.namespaces())
            query_object = _prepared(query_object, tuple(sorted((str(k), str(v)) for k, v in namespaces.items())))
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]):
    from rdflib.plugins.sparql.processor import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


def load_shapes(directory: Path) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def with_statute_facts(data: Graph, statutes: Graph) -> Graph:
    """The data plus what the shapes and the report need of the catalogue: the cited
    instruments' replacements and the labels of instruments and concepts it mentions."""
    combined = data  # extended in place: the graph is the caller's own copy of one register
    cited = set(data.objects(None, QZ.citesInstrument))
    for instrument in list(cited):
        for replacement in statutes.objects(instrument, QZ.isReplacedBy):
            combined.add((instrument, QZ.isReplacedBy, replacement))
            cited.add(replacement)
    for node in cited | set(data.objects(None, QZ.powerType)) | set(data.objects(None, QZ.codeLetterType)) - {None}:
        for label in statutes.objects(node, RDFS.label):
            combined.add((node, RDFS.label, label))
    return combined


def validate_graph(data: Graph, kit: Toolkit, lang: str = "zh", default_file: str = "") -> list[Finding]:
    """pySHACL over the data and the facts of the statute catalogue it cites; results as Findings."""
    combined = with_statute_facts(data, kit.statutes)
    results = run_shapes(combined, kit.shapes)
    findings = [
        _finding(results, r, combined, lang, default_file, kit.shapes) for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    return sorted(findings, key=lambda f: (f.jurisdiction or "", f.file, f.row if f.row is not None else 10**9, f.severity, f.message))


def _text(graph: Graph, node, lang: str) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    labels = list(graph.objects(node, RDFS.label))
    for label in labels:
        if getattr(label, "language", None) == lang:
            return str(label)
    return str(labels[0]) if labels else _short(node)


def _short(node) -> str:
    text = str(node)
    for prefix, iri in (
        ("qz:", str(QZ._NS)),
        ("rdfs:", str(RDFS)),
        ("st:", "https://w3id.org/quanze/id/stage-type/"),
        ("", "https://w3id.org/quanze/id/jurisdiction/"),
    ):
        if text.startswith(iri):
            return prefix + text[len(iri):]
    return text


def _path(results: Graph, node) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):  # a sequence path
        from rdflib.collection import Collection

        return "/".join(_short(p) for p in Collection(results, node))
    return _short(node)


def _finding(results: Graph, result, data: Graph, lang: str, default_file: str, shapes: Graph) -> Finding:
    focus = results.value(result, SH.focusNode)
    messages = list(results.objects(result, SH.resultMessage))
    message = next((str(m) for m in messages if getattr(m, "language", None) == lang), None)
    message = message or (str(messages[0]) if messages else "")
    shape = results.value(result, SH.sourceShape)
    component = str(results.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
    parent = next(iter(shapes.subjects(SH.property, shape)), None) if isinstance(shape, BNode) else None
    if isinstance(shape, BNode) and parent is None:  # a result read back from the store: its blank node is a copy
        parent = _shape_of_path(shapes, _path(results, results.value(result, SH.resultPath)), results.value(result, SH.sourceConstraintComponent))
    shape_name = _short(parent if parent is not None else shape).split("#")[-1] if shape is not None else ""
    item = focus if ((focus, RDF.type, QZ.PowerItem) in data or (focus, RDF.type, QZ.InternalMatter) in data) else next(
        (s for link in _CHILD_LINKS for s in data.subjects(link, focus)), None
    )
    file, row, line = _source(data, item if item is not None else focus, default_file)
    jurisdiction = data.value(item, QZ.jurisdiction) if item is not None else None
    value = results.value(result, SH.value)
    if value == focus or value == item:
        value = None  # a node-level rule: the row and item already say which item it is
    if (focus, RDF.type, QZ.Citation) in data:  # say which citation, and what differs
        notes = "；".join(sorted(str(n) for n in data.objects(focus, QZ.quoteNote)))
        replacements = [r for i in data.objects(focus, QZ.citesInstrument) for r in data.objects(i, QZ.isReplacedBy)]
        replaced = ("→ " + "、".join(_text(data, r, "zh") or "" for r in replacements)) if replacements and "isReplacedBy" in (_path(results, results.value(result, SH.resultPath)) or "") else None
        value = Literal("：".join(filter(None, [_text(data, focus, "zh"), replaced, notes])))
        if "《…》" in message:  # name the instrument whose text Quanze does not hold
            cited = next(iter(data.objects(focus, QZ.citesInstrument)), None)
            message = message.replace("《…》", f"《{_text(data, cited, 'zh') or ''}》")
    return Finding(
        severity=SEVERITIES.get(results.value(result, SH.resultSeverity), "Violation"),
        file=file,
        row=row,
        item=_text(data, item, "zh") if item is not None and (item, RDFS.label, None) in data else None,
        message=message,
        constraint=f"{shape_name}/{component.replace('ConstraintComponent', '')}",
        path=_path(results, results.value(result, SH.resultPath)),
        value=_text(data, value, lang) if value is not None else None,
        jurisdiction=str(data.value(jurisdiction, QZ.divisionCode) or "") if jurisdiction is not None else None,
        line=line,
    )


def _shape_of_path(shapes: Graph, path, component):
    """The node shape whose property shape on `path` (as `_path` writes it) has a constraint of `component`."""
    if path is None:
        return None
    parameter = {
        "MinCountConstraintComponent": SH.minCount, "MaxCountConstraintComponent": SH.maxCount,
        "InConstraintComponent": SH["in"], "ClassConstraintComponent": SH["class"],
        "DatatypeConstraintComponent": SH.datatype, "PatternConstraintComponent": SH.pattern,
        "HasValueConstraintComponent": SH.hasValue, "NodeKindConstraintComponent": SH.nodeKind,
    }.get(str(component).rsplit("#", 1)[-1])
    for property_shape, shape_path in shapes.subject_objects(SH.path):
        if _path(shapes, shape_path) != path:
            continue
        if parameter is None or (property_shape, parameter, None) in shapes:
            owner = next(iter(shapes.subjects(SH.property, property_shape)), None)
            if owner is not None:
                return owner
    return None


def _source(data: Graph, node, default_file: str) -> tuple[str, int | None, int | None]:
    """File and row (序号, else line) the node was read from; the lead register's for merged items."""
    records = sorted(data.objects(node, PROV.wasDerivedFrom), key=str)
    for record in records:
        register = data.value(record, QZ.register)
        file = str(data.value(register, DCTERMS.source) or default_file)
        row = data.value(record, QZ.row)
        line = data.value(record, QZ.line)
        number = row if row is not None else line
        return file, int(number) if number is not None else None, int(line) if line is not None else None
    return default_file, None, None


def validate_store_dataset(dataset: Dataset, lang: str = "zh", kit: Toolkit | None = None) -> Report:
    """Validate everything in a built dataset, one jurisdiction at a time."""
    kit = kit or toolkit()
    report = Report()
    data = Graph()
    registers = "https://w3id.org/quanze/id/graph/register/"
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if str(g).startswith(registers) or g == JURISDICTIONS_GRAPH:
            data.add((s, p, o))
    report.files = sorted({str(o) for o in data.objects(None, DCTERMS.source)})
    report.findings = validate_graph(data, kit, lang)
    for code in {str(c) for c in data.objects(None, QZ.divisionCode)}:
        report.items[code] = len(
            {i for i in data.subjects(RDF.type, QZ.PowerItem) if str(data.value(data.value(i, QZ.jurisdiction), QZ.divisionCode)) == code}
        )
    return report


def stored_report(store, lang: str = "zh", kit: Toolkit | None = None) -> Report:
    """The store's validation, read from the report graphs the build and `quanze add` stored.

    Nothing is validated again: each jurisdiction's current register and report graphs are
    read back (one county at a time) and their results turned into Findings. The register
    graphs are not copied: the lookups a Finding makes go to the store's indexes
    (graph/validate/store_view.py), so a county without results costs a few index look-ups.
    `validate_store_dataset` re-runs the shapes when they have changed.
    """
    import pyoxigraph as ox

    from quanze.graph.validate.store_view import store_graph

    kit = kit or toolkit()
    report = Report()
    registers = "https://w3id.org/quanze/id/graph/register/"
    reports = "https://w3id.org/quanze/id/graph/report/"
    names = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    qz = str(QZ._NS)
    superseded = {
        registers + row["r"].value.rsplit("/register/", 1)[-1]
        for row in store.query(f"SELECT ?r WHERE {{ GRAPH <https://w3id.org/quanze/id/graph/registers> {{ ?r <{qz}isCurrent> false }} }}")
    }
    current = {
        row["g"].value: row["j"].value.rsplit("/", 1)[-1] if row["j"] is not None else ""
        for row in store.query(f"SELECT ?g ?j WHERE {{ GRAPH ?g {{ ?r a <{qz}Register> OPTIONAL {{ ?r <{qz}jurisdiction> ?j }} }} }}")
        if row["g"].value.startswith(registers) and row["g"].value not in superseded
    }
    by_code: dict[str, list[str]] = {}
    for graph, code in current.items():
        by_code.setdefault(code, []).append(graph)
    for code, graphs in sorted(by_code.items()):
        sources = [(graph, None) for graph in graphs if graph in names]
        if code:  # the jurisdiction and its agencies
            sources.append((str(JURISDICTIONS_GRAPH), lambda subject, part=f"/{code}": part in subject))
        data = store_graph(store, sources)
        results = Graph()
        for graph in graphs:
            source = reports + graph[len(registers):]
            if source in names:
                results.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(source)), format="nt")
        if len(results):
            combined = with_statute_facts(data, kit.statutes)
            report.findings.extend(
                _finding(results, r, combined, lang, "", kit.shapes) for r in results.subjects(RDF.type, SH.ValidationResult)
            )
        report.files.extend(sorted({str(o) for o in data.objects(None, DCTERMS.source)}))
        if code:
            report.items[code] = len(set(data.subjects(RDF.type, QZ.PowerItem)))
    report.findings.sort(key=lambda f: (f.jurisdiction or "", f.file, f.row if f.row is not None else 10**9, f.severity, f.message))
    return report
