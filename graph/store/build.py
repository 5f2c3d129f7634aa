"""Build the whole dataset from data/: read → repair → merge → map, then store.

`build_dataset` is the pipeline without I/O to the store, used by tests and by `quanze
build`; `build_store` writes the result into the embedded store atomically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import DCTERMS, PROV, RDF, SH

from quanze.graph import paths

from quanze.graph.align.merge import merge
from quanze.graph.align.powers import Alignment
from quanze.graph.map.alignment import add_alignment, add_canonical, item_facts
from quanze.graph.map.items import RegisterInfo, add_item, add_jurisdiction, add_register, item_iri
from quanze.graph.map.statutes import statute_graph
from quanze.graph.model import ItemDraft
from quanze.graph.namespaces import ID, QZ
from quanze.graph.read.text import read_bytes
from quanze.graph.register import RegisterRead, info_for, load_manifest, map_register, read_register, reference, register_files
from quanze.graph.store.oxigraph import write_store
from quanze.graph.validate.shapes import load_shapes, run_shapes
from quanze.graph.vocab import load_ontology

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


def build_dataset(
    data: Path,
    ontology: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Dataset, BuildReport]:
    """The complete dataset of every register in the manifest, and a report of the build."""
    dataset = Dataset()
    target = dataset.graph(ONTOLOGY_GRAPH)
    for triple in load_ontology(ontology):
        target.add(triple)
    ref = reference(data, ontology)
    report = BuildReport()
    target = dataset.graph(STATUTES_GRAPH)
    for triple in statute_graph(ref.catalogue):
        target.add(triple)
    add_canonical(dataset, ref.aligner.catalogue)
    directory = data / "registers"
    manifest = load_manifest(directory / "manifest.csv")
    by_jurisdiction: dict[str, list[tuple[RegisterInfo, list[ItemDraft]]]] = defaultdict(list)
    reads: dict[str, RegisterRead] = {}
    for path in register_files(directory):
        progress(path.name)
        stated = manifest.get(path.name)
        read = read_register(read_bytes(path), path.name, ref, stated.layout if stated else None)
        info = info_for(read, stated)
        reads[info.file] = read
        report.items_per_register[info.file] = len(read.drafts)
        report.notes.extend(f"{d.file} 第{d.row if d.row is not None else '?'}行: {note}" for d in read.drafts for note in d.notes)
        if read.rdf is not None:
            map_register(dataset, read, info)
            continue
        add_jurisdiction(dataset, info)
        add_register(dataset.graph(info.graph_iri), info)
        by_jurisdiction[info.division_code].append((info, read.drafts))

    for code, registers in by_jurisdiction.items():
        registers.sort(key=lambda pair: _KIND_PRIORITY.get(pair[0].kind, 9))
        infos = {info.file: info for info, _ in registers}
        groups = merge([drafts for _, drafts in registers])
        report.powers_per_jurisdiction[code] = len(groups)
        for group in groups:
            lead = group[0]
            item = item_iri(infos[_register_file(lead)], lead)
            for draft in group:
                file = _register_file(draft)
                add_item(dataset, infos[file], item, draft, reads[file].text.split("\n"), lead)
            if lead.internal:  # a per-post register's internal matter is no statutory power to align
                continue
            alignment = ref.aligner.align(item_facts(item, group), ref.decisions)
            report.alignments.append(alignment)
            add_alignment(dataset, item, alignment)
    _add_reports(dataset)
    return dataset, report


def _register_file(draft: ItemDraft) -> str:
    """The register file a draft came from (a workbook's drafts name their sheet after a #)."""
    return draft.file.split("#", 1)[0]


def _add_reports(dataset: Dataset) -> None:
    """Each register's validation report as a named graph (id/graph/report/<register>).

    The whole dataset is validated at once, so merged items are judged on everything their
    registers say; each result goes to the report graph of the register its item came from
    (the leading register for merged items).
    """
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
