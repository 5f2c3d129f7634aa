"""Build the dataset from a data folder, one jurisdiction at a time, in parallel, streamed to the store.

The unit of work is a jurisdiction: its registers are read (graph/register.py), merged (the
same power in a power list and a risk register is one item), mapped, aligned and validated
together, and come back as N-Quads. Units run in worker processes and their quads go
straight into the new store, so peak memory is one county, not the country. The graphs every
jurisdiction shares (ontology, statutes, canonical catalogue) are written once.

`build_dataset` gives the same quads as an in-memory rdflib Dataset, for tests;
`build_store` writes them into the embedded store atomically.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from rdflib import Dataset
from rdflib.namespace import DCTERMS, RDF, SH

from quanze.graph.align.merge import merge
from quanze.graph.align.powers import Alignment
from quanze.graph.map.catalogue import catalogue_quads
from quanze.graph.map.alignment import add_alignment, add_canonical, item_facts
from quanze.graph.map.items import JURISDICTIONS_GRAPH, RegisterInfo, add_item, add_jurisdiction, add_register, item_iri
from quanze.graph.map.quads import QuadSink, Quads
from quanze.graph.map.statutes import statute_graph
from quanze.graph.map.summaries import add_summaries
from quanze.graph.model import ItemDraft
from quanze.graph.namespaces import ID, QZ
from quanze.graph.read.text import UnreadableInput, read_bytes
from quanze.graph.register import RDF_SUFFIXES, RegisterRead, info_for, load_manifest, map_register, read_register, reference, register_files
from quanze.graph.store.oxigraph import write_store
from quanze.graph.validate.shapes import run_shapes, toolkit, with_statute_facts
from quanze.graph.vocab import load_ontology

ONTOLOGY_GRAPH = ID["graph/ontology"]
STATUTES_GRAPH = ID["graph/statutes"]
_KIND_PRIORITY = {"power-list": 0, "risk-flowchart": 1, "risk-register": 2}
_CHILDREN = (QZ.hasRiskPoint, QZ.hasCitation, QZ.hasStage, QZ.hasDuty, QZ.hasAccountability)


@dataclass
class BuildReport:
    """What a build produced, for the CLI to print and tests to check."""

    items_per_register: dict[str, int] = field(default_factory=dict)
    powers_per_jurisdiction: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Files in the registers folder that are not registers (not in the manifest, unreadable), with why."""
    quads: int = 0

    def add(self, other: BuildReport) -> None:
        self.items_per_register.update(other.items_per_register)
        self.powers_per_jurisdiction.update(other.powers_per_jurisdiction)
        self.notes.extend(other.notes)
        self.alignments.extend(other.alignments)
        self.skipped.extend(other.skipped)


@dataclass(frozen=True)
class Unit:
    """One jurisdiction's registers (or one RDF register): what a worker maps on its own."""

    key: str
    files: tuple[tuple[Path, RegisterInfo | None], ...]


# --- the shared graphs ----------------------------------------------------------------------


def shared_quads(data: Path, ontology: Path) -> bytes:
    """Ontology, statute catalogue and canonical catalogue: the graphs every jurisdiction shares."""
    dataset = Dataset()
    target = dataset.graph(ONTOLOGY_GRAPH)
    for triple in load_ontology(ontology):
        target.add(triple)
    ref = reference(data, ontology)
    target = dataset.graph(STATUTES_GRAPH)
    for triple in statute_graph(ref.catalogue):
        target.add(triple)
    add_canonical(dataset, ref.aligner.catalogue)
    return dataset.serialize(format="nquads", encoding="utf-8")


# --- planning: which files make one unit ----------------------------------------------------


def _describe(path: Path, stated: RegisterInfo | None, data: Path, ontology: Path) -> tuple[Path, RegisterInfo | None, str | None]:
    """The register's description (read from its content where no one stated its jurisdiction), or why it is skipped."""
    if stated is not None and stated.division_code:
        return path, stated, None
    try:
        read = read_register(read_bytes(path), path.name, reference(data, ontology), stated.layout if stated else None)
    except UnreadableInput as error:
        if stated is not None:
            raise
        return path, None, str(error)
    return path, info_for(read, stated), None


def plan(data: Path, ontology: Path, pool: ProcessPoolExecutor | None = None) -> tuple[list[Unit], list[str]]:
    """The units of a build: registers grouped by jurisdiction; RDF registers alone."""
    directory = data / "registers"
    manifest = load_manifest(directory / "manifest.csv")
    files = register_files(directory)
    missing = [f.name for f in files if f.name in manifest and not f.exists()]
    if missing:
        raise UnreadableInput(f"the manifest lists {', '.join(missing)}, which is not in {directory}")
    calls = [(f, manifest.get(f.name), data, ontology) for f in files]
    described = pool.map(_describe, *zip(*calls)) if pool and calls else [_describe(*c) for c in calls]
    groups: dict[str, list[tuple[Path, RegisterInfo | None]]] = defaultdict(list)
    skipped: list[str] = []
    for path, info, why in described:
        if why is not None:
            skipped.append(why)
        elif path.suffix.lower() in RDF_SUFFIXES:
            groups[f"rdf:{path.name}"].append((path, info))
        else:
            groups[info.division_code or f"unknown:{path.name}"].append((path, info))
    return [Unit(key, tuple(members)) for key, members in groups.items()], skipped


# --- one unit -------------------------------------------------------------------------------


def map_units(units: list[Unit], data: Path, ontology: Path, catalogue: bool = True) -> tuple[Quads, BuildReport]:
    """Jurisdictions' registers read, merged, mapped, aligned and validated: their quads and report.

    With `catalogue`, each register's entry in the store's catalogue (its bytes, digest,
    version) comes too. Several jurisdictions go to one call because pySHACL's set-up costs as much as checking
    a county: validating a batch at once is about twice as fast as one county at a time.
    The mappers write into a QuadSink (plain tuples per graph), not an rdflib Dataset: the only
    rdflib graph built is the one the shapes judge.
    """
    sink = QuadSink()
    report = BuildReport()
    listed: list[ox.Quad] = []
    for unit in units:
        _map_unit(unit, data, ontology, sink, report, listed)
    if report.powers_per_jurisdiction:
        add_reports(sink)
    add_summaries(sink)  # per-register counts for the pages (graph/map/summaries.py)
    quads = sink.nquads()
    if catalogue:  # the catalogue's entries are no current facts: no default-graph copy
        quads = Quads(quads.named + ox.serialize(listed, format=ox.RdfFormat.N_QUADS), quads.current)
    return quads, report


def _map_unit(unit: Unit, data: Path, ontology: Path, dataset, report: BuildReport, listed: list[ox.Quad]) -> None:
    ref = reference(data, ontology)
    added = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    registers: list[tuple[RegisterInfo, list[ItemDraft]]] = []
    reads: dict[str, RegisterRead] = {}
    for path, stated in unit.files:
        content = read_bytes(path)
        read = read_register(content, path.name, ref, stated.layout if stated else None)
        info = info_for(read, stated)
        reads[info.file] = read
        listed.extend(catalogue_quads(info, content, info.year, added, None))
        report.items_per_register[info.file] = len(read.drafts)
        report.notes.extend(f"{d.file} 第{d.row if d.row is not None else '?'}行: {note}" for d in read.drafts for note in d.notes)
        if read.rdf is not None:
            map_register(dataset, read, info)
            continue
        add_jurisdiction(dataset, info)
        add_register(dataset.graph(info.graph_iri), info)
        registers.append((info, read.drafts))
    if not registers:
        return
    registers.sort(key=lambda pair: _KIND_PRIORITY.get(pair[0].kind, 9))
    infos = {info.file: info for info, _ in registers}
    groups = merge([drafts for _, drafts in registers])
    report.powers_per_jurisdiction[registers[0][0].division_code] = len(groups)
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


def _register_file(draft: ItemDraft) -> str:
    """The register file a draft came from (a workbook's drafts name their sheet after a #)."""
    return draft.file.split("#", 1)[0]


def add_reports(sink: QuadSink) -> None:
    """Each register's validation report as a named graph (id/graph/report/<register>).

    A jurisdiction's registers are validated together, so merged items are judged on
    everything their registers say; each result goes to the report graph of the register its
    item came from (the leading register for merged items).
    """
    data, derived = sink.judged(leave_out=[ONTOLOGY_GRAPH])
    kit = toolkit()
    results = run_shapes(with_statute_facts(data, kit.statutes), kit.shapes)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        item = focus if (focus, RDF.type, QZ.PowerItem) in data else next(
            (s for link in _CHILDREN for s in data.subjects(link, focus)), focus
        )
        sources = sorted(
            derived.get(item, []),
            key=lambda pair: (str(data.value(pair[1], QZ.registerKind)) != "power-list", str(pair[0])),
        )
        register = sources[0][1] if sources else None
        source = str(data.value(register, DCTERMS.source) or "unknown")
        target = sink.graph(ID[f"graph/report/{source.rsplit('.', 1)[0]}"])
        for triple in results.cbd(result):
            target.add(triple)


# --- the whole build ------------------------------------------------------------------------


def _workers(requested: int | None) -> int:
    return max(1, requested if requested else min(os.cpu_count() or 1, 4))


def batches(units: list[Unit], workers: int, largest: int = 16) -> list[list[Unit]]:
    """Units in batches: large enough to share pySHACL's set-up, small enough to keep every worker busy."""
    size = max(1, min(largest, len(units) // (workers * 4) or 1))
    return [units[i : i + size] for i in range(0, len(units), size)]


def build_chunks(
    data: Path,
    ontology: Path,
    report: BuildReport,
    progress: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
) -> Iterator[bytes | Quads]:
    """The quads of a build, chunk by chunk: the shared graphs, then each batch of jurisdictions as it is done."""
    yield shared_quads(data, ontology)
    count = _workers(workers)
    pool = ProcessPoolExecutor(count, mp_context=get_context("spawn")) if count > 1 else None
    try:
        units, skipped = plan(data, ontology, pool)
        report.skipped.extend(skipped)
        work = batches(units, count)
        results = (
            pool.map(map_units, work, [data] * len(work), [ontology] * len(work))
            if pool else (map_units(batch, data, ontology) for batch in work)
        )
        for quads, part in results:
            report.add(part)
            for file in part.items_per_register:
                progress(file)
            yield quads
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def build_dataset(
    data: Path,
    ontology: Path,
    progress: Callable[[str], None] = lambda _: None,
    workers: int | None = 1,
) -> tuple[Dataset, BuildReport]:
    """The complete dataset of every register of the data folder, in memory, and a report of the build."""
    report = BuildReport()
    dataset = Dataset()
    for chunk in build_chunks(data, ontology, report, progress, workers):
        dataset.parse(data=chunk.named if isinstance(chunk, Quads) else chunk, format="nquads")
    return dataset, report


def build_store(
    data: Path,
    ontology: Path,
    store: Path,
    progress: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
) -> BuildReport:
    """Build every register of the data folder and swap the result into the store at `store`."""
    report = BuildReport()
    report.quads = write_store(build_chunks(data, ontology, report, progress, workers), store)
    return report
