"""Build the whole dataset from data/: read → repair → merge → map, then store.

`build_dataset` is the pipeline without I/O to the store, used by tests and by `quanze
build`; `build_store` writes the result into the embedded store atomically.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import RDF

from quanze.graph.align.powers import Aligner, Alignment, load_decisions
from quanze.graph.align.powers import load_catalogue as load_canonical
from quanze.graph.align.citations import load_confusions
from quanze.graph.map.alignment import add_alignment, add_canonical, item_facts
from quanze.graph.repair.curation import load_curation
from quanze.graph.align.link_statutes import link
from quanze.graph.map.items import RegisterInfo, add_item, add_jurisdiction, add_register, item_iri
from quanze.graph.align.merge import merge
from quanze.graph.model import ItemDraft
from quanze.graph.namespaces import ID
from quanze.graph.read.flowchart import read_flowchart
from quanze.graph.read.table import read_table
from quanze.graph.read.text import read_text
from quanze.graph.repair.codes import load_schemes
from quanze.graph.repair.items import RepairContext, item_from_flow, items_from_table
from quanze.graph.repair.labels import BigramModel
from quanze.graph.map.statutes import statute_graph
from quanze.graph.align.statutes import Instrument, load_catalogue
from quanze.graph.store.oxigraph import write_store
from quanze.graph.vocab import Vocabulary, load_ontology

ONTOLOGY_GRAPH = ID["graph/ontology"]
STATUTES_GRAPH = ID["graph/statutes"]
_KIND_PRIORITY = {"power-list": 0, "risk-flowchart": 1, "risk-register": 2}


@dataclass
class BuildReport:
    """What a build produced, for the CLI to print and tests to check."""

    items_per_register: dict[str, int] = field(default_factory=dict)
    powers_per_jurisdiction: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    quads: int = 0


def load_manifest(path: Path) -> list[RegisterInfo]:
    with path.open(encoding="utf-8") as handle:
        return [RegisterInfo(**row) for row in csv.DictReader(handle)]


def repair_context(data: Path, vocabulary: Vocabulary) -> RepairContext:
    schemes, confusions = load_schemes(data)
    texts = [p.read_text(encoding="utf-8") for p in sorted((data / "statutes").glob("*.md"))]
    return RepairContext(
        vocabulary=vocabulary,
        curation=load_curation(data / "curation" / "fields.csv"),
        schemes=schemes,
        confusions=confusions,
        language=BigramModel.from_texts(texts),
    )


def read_register(text: str, info: RegisterInfo, ctx: RepairContext) -> list[ItemDraft]:
    """Read and repair one register of the manifest."""
    if info.layout == "flowchart":
        flows = read_flowchart(text, info.file, ctx.vocabulary)
        return [item_from_flow(flow, index, ctx) for index, flow in enumerate(flows, start=1)]
    return items_from_table(read_table(text, info.file), ctx)


def build_dataset(
    data: Path,
    ontology: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Dataset, BuildReport]:
    """The complete dataset of every register in the manifest, and a report of the build."""
    dataset = Dataset()
    ontology_graph = load_ontology(ontology)
    target = dataset.graph(ONTOLOGY_GRAPH)
    for triple in ontology_graph:
        target.add(triple)
    vocabulary = Vocabulary(ontology_graph)
    ctx = repair_context(data, vocabulary)
    report = BuildReport()
    catalogue = _add_statutes(dataset, data)
    confusions = load_confusions(data / "statutes" / "ocr_confusions.csv")

    aligner = Aligner(load_canonical(data / "canonical_powers.csv"))
    add_canonical(dataset, aligner.catalogue)
    decisions = load_decisions(data / "curation" / "alignment.csv")
    by_jurisdiction: dict[str, list[tuple[RegisterInfo, list[ItemDraft]]]] = defaultdict(list)
    lines: dict[str, list[str]] = {}
    for info in load_manifest(data / "registers" / "manifest.csv"):
        progress(info.file)
        text = read_text(data / "registers" / info.file)
        lines[info.file] = text.split("\n")
        drafts = read_register(text, info, ctx)
        for draft in drafts:
            if draft.legal_basis:
                draft.citations = link(draft.legal_basis.text, catalogue, confusions)
        report.items_per_register[info.file] = len(drafts)
        report.notes.extend(f"{d.file} 第{d.row if d.row is not None else '?'}行: {note}" for d in drafts for note in d.notes)
        add_jurisdiction(dataset, info)
        add_register(dataset.graph(info.graph_iri), info)
        by_jurisdiction[info.division_code].append((info, drafts))

    for code, registers in by_jurisdiction.items():
        registers.sort(key=lambda pair: _KIND_PRIORITY.get(pair[0].kind, 9))
        infos = {info.file: info for info, _ in registers}
        groups = merge([drafts for _, drafts in registers])
        report.powers_per_jurisdiction[code] = len(groups)
        for group in groups:
            lead = group[0]
            item = item_iri(infos[lead.file], lead)
            for draft in group:
                add_item(dataset, infos[draft.file], item, draft, lines[draft.file], lead)
            alignment = aligner.align(item_facts(item, group), decisions)
            report.alignments.append(alignment)
            add_alignment(dataset, item, alignment)
    _add_reports(dataset)
    return dataset, report


def _add_reports(dataset: Dataset) -> None:
    """Each register's validation report as a named graph (id/graph/report/<register>).

    The whole dataset is validated at once, so merged items are judged on everything their
    registers say; each result goes to the report graph of the register its item came from
    (the leading register for merged items).
    """
    from rdflib import Graph
    from rdflib.namespace import DCTERMS, PROV, SH

    from quanze.graph import paths
    from quanze.graph.namespaces import QZ
    from quanze.graph.validate.shapes import load_shapes, run_shapes

    data = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g != ONTOLOGY_GRAPH:
            data.add((s, p, o))
    results = run_shapes(data, load_shapes(paths.shapes_dir()))
    children = (QZ.hasRiskPoint, QZ.hasCitation, QZ.hasStage, QZ.hasDuty, QZ.hasAccountability)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        item = focus if (focus, RDF.type, QZ.PowerItem) in data else next(
            (s for link in children for s in data.subjects(link, focus)), focus
        )
        records = sorted(
            data.objects(item, PROV.wasDerivedFrom),
            key=lambda r: (str(data.value(data.value(r, QZ.register), QZ.registerKind)) != "power-list", str(r)),
        )
        register = data.value(records[0], QZ.register) if records else None
        source = str(data.value(register, DCTERMS.source) or "unknown")
        target = dataset.graph(ID[f"graph/report/{source.rsplit('.', 1)[0]}"])
        for triple in results.cbd(result):
            target.add(triple)


def _add_statutes(dataset: Dataset, data: Path) -> dict[str, Instrument]:
    """The statute catalogue (instruments and articles) in its own graph."""
    directory = data / "statutes"
    if not (directory / "instruments.csv").exists():
        return {}
    catalogue = load_catalogue(directory)
    target = dataset.graph(STATUTES_GRAPH)
    for triple in statute_graph(catalogue):
        target.add(triple)
    return catalogue


def build_store(
    data: Path,
    ontology: Path,
    store: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> BuildReport:
    """Build the dataset and swap it into the store at `store`."""
    dataset, report = build_dataset(data, ontology, progress)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    report.quads = write_store(nquads, store)
    return report
