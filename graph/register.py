"""The one road of a register file: bytes in any supported format → repaired drafts → RDF.

read (graph/read: text, table, flowchart, sheet, rdf) → repair (graph/repair) → citations
linked to the statute catalogue (graph/align) → map (graph/map). `quanze build`,
`quanze validate` and POST /validate all take a register this way, so what a build stores
is what validation judged.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from quanze.graph import paths
from quanze.graph.align.citations import load_confusions
from quanze.graph.align.divisions import find_division
from quanze.graph.align.link_statutes import link
from quanze.graph.align.powers import Aligner, load_catalogue as load_canonical, load_decisions
from quanze.graph.align.statutes import Instrument, load_catalogue
from quanze.graph.map.items import RegisterInfo, add_item, add_jurisdiction, add_register, item_iri
from quanze.graph.model import ItemDraft, TableRow
from quanze.graph.namespaces import QZ
from quanze.graph.read.flowchart import read_flowchart
from quanze.graph.read.limits import limit, over
from quanze.graph.read.rdf import FORMATS as RDF_SUFFIXES, parse_rdf
from quanze.graph.read.sheet import read_csv, read_xlsx
from quanze.graph.read.table import read_table
from quanze.graph.read.text import UnreadableInput, decode
from quanze.graph.repair.codes import load_schemes
from quanze.graph.repair.curation import load_curation
from quanze.graph.repair.items import RepairContext, item_from_flow, items_from_table
from quanze.graph.repair.labels import BigramModel
from quanze.graph.vocab import Vocabulary, load_ontology

REGISTER_SUFFIXES = {".txt", ".csv", ".tsv", ".xlsx", *RDF_SUFFIXES}
"""What a register file may be: the seed text layouts, spreadsheets and RDF."""

_FLOWCHART_HEADER = re.compile(r"^\s*职权编码\s*[:：]", re.M)
"""A risk-control flowchart states each power's code on a line of its own (职权编码：…)."""

MANIFEST_FIELDS = ("file", "division_code", "jurisdiction", "province", "city", "agency", "kind", "layout", "year", "title", "note")


@dataclass(frozen=True)
class Reference:
    """The reference data every register is read against, loaded once per process."""

    context: RepairContext
    catalogue: dict[str, Instrument]
    confusions: dict[str, str]
    aligner: Aligner
    decisions: dict


@lru_cache(maxsize=2)
def reference(data: Path | None = None, ontology: Path | None = None) -> Reference:
    """Vocabulary, curation, code schemes, statutes and the canonical catalogue.

    Each file is taken from `data` where it has one, else from the packaged copy, so a data
    folder that holds only a user's registers still builds.
    """
    data = data or paths.data_dir()
    vocabulary = Vocabulary(load_ontology(ontology or paths.ontology_dir()))
    statutes = paths.reference_file("statutes/instruments.csv", data).parent
    schemes, digit_letters = load_schemes(paths.reference_file("code_schemes.csv", data).parent)
    texts = [p.read_text(encoding="utf-8") for p in sorted(statutes.glob("*.md"))]
    return Reference(
        context=RepairContext(
            vocabulary=vocabulary,
            curation=load_curation(paths.reference_file("curation/fields.csv", data)),
            schemes=schemes,
            confusions=digit_letters,
            language=BigramModel.from_texts(texts),
        ),
        catalogue=load_catalogue(statutes),
        confusions=load_confusions(statutes / "ocr_confusions.csv"),
        aligner=Aligner(load_canonical(paths.reference_file("canonical_powers.csv", data))),
        decisions=load_decisions(paths.reference_file("curation/alignment.csv", data)),
    )


@dataclass
class RegisterRead:
    """What was read from one file: its repaired drafts (or its RDF), and its text for provenance."""

    name: str
    drafts: list[ItemDraft]
    text: str
    """The decoded text (its lines give qz:rawText); empty for XLSX, whose cells carry their own."""
    heading: str
    """Title and agency text the jurisdiction and title are found from."""
    layout: str
    """"table", "flowchart", "csv", "xlsx" or "rdf"."""
    rdf: Graph | None = None


def read_register(data: bytes, name: str, ref: Reference, layout: str | None = None) -> RegisterRead:
    """Read and repair one register file of any supported format.

    `layout` ("flowchart" or "table") is a manifest's word for a text file; without it the
    layout is told from the content. Raises UnreadableInput (and its kinds NoHeader,
    FlowchartError) with one line a person can act on.
    """
    name = Path(name).name  # curation decisions and reports name files without their folder
    suffix = Path(name).suffix.lower()
    if suffix in RDF_SUFFIXES:
        graph = parse_rdf(data, name)
        if not any(graph.subjects(RDF.type, QZ.PowerItem)):
            raise UnreadableInput(f"{name}: the RDF holds no qz:PowerItem")
        return RegisterRead(name, [], "", "", "rdf", graph)
    if suffix == ".xlsx":
        rows = read_xlsx(data, name)
        return RegisterRead(name, _repaired(items_from_table(rows, ref.context), ref), "", _heading(rows, ""), "xlsx")
    text = decode(data, name)
    if layout == "flowchart" or (suffix not in (".csv", ".tsv") and not layout and _FLOWCHART_HEADER.search(text)):
        flows = read_flowchart(text, name, ref.context.vocabulary)
        drafts = [item_from_flow(flow, index, ref.context) for index, flow in enumerate(flows, start=1)]
        return RegisterRead(name, _repaired(drafts, ref), text, _heading([], text), "flowchart")
    if suffix in (".csv", ".tsv"):
        rows = read_csv(text, name)
        return RegisterRead(name, _repaired(items_from_table(rows, ref.context), ref), text, _heading(rows, text), "csv")
    rows = read_table(text, name)
    return RegisterRead(name, _repaired(items_from_table(rows, ref.context), ref), text, _heading(rows, text), "table")


def _repaired(drafts: list[ItemDraft], ref: Reference) -> list[ItemDraft]:
    """Drafts with their legal-basis cells parsed into citations linked to the catalogue."""
    for draft in drafts:
        if draft.legal_basis:
            draft.citations = link(draft.legal_basis.text, ref.catalogue, ref.confusions)
    return drafts


def _heading(rows: list[TableRow], text: str) -> str:
    """The text a register's title and jurisdiction are read from: its first lines and agency cells."""
    agencies = [row.cells["agency"].text for row in rows[:50] if "agency" in row.cells]
    return "\n".join([*text.split("\n")[:5], *agencies])


def infer_info(read: RegisterRead) -> RegisterInfo:
    """What a manifest would say of a register, found from its content."""
    agencies = [d.agency for d in read.drafts if d.agency]
    division = find_division([*agencies, read.heading, Path(read.name).stem])
    kind = "risk-register" if any(d.risks for d in read.drafts) and not any(d.duties for d in read.drafts) else "power-list"
    first_line = next((line.strip("# \t") for line in read.heading.split("\n") if line.strip()), read.name)
    return RegisterInfo(
        file=read.name,
        division_code=division.code if division else "",
        jurisdiction=division.name if division else "",
        province=division.province if division else "",
        city=division.city if division else "",
        agency=(max(set(agencies), key=agencies.count) if agencies else f"{division.name}医疗保障局" if division else ""),
        kind="risk-flowchart" if read.layout == "flowchart" else kind,
        layout=read.layout,
        year="",
        title=first_line if read.layout != "xlsx" else read.name,
        note="",
    )


def load_manifest(path: Path) -> dict[str, RegisterInfo]:
    """A person's statements about registers (data/registers/manifest.csv), by file name."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in MANIFEST_FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise UnreadableInput(f"{path}: the manifest lacks the column(s) {', '.join(missing)}")
        return {row["file"]: RegisterInfo(**{f: (row[f] or "") for f in MANIFEST_FIELDS}) for row in reader}


def register_files(directory: Path) -> list[Path]:
    """The register files of a folder: those the manifest lists, in its order, then any others by name."""
    listed = list(load_manifest(directory / "manifest.csv"))
    others = sorted(
        p.name for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in REGISTER_SUFFIXES and p.name != "manifest.csv" and p.name not in listed
    ) if directory.is_dir() else []
    return [directory / name for name in [*listed, *others]]


def info_for(read: RegisterRead, stated: RegisterInfo | None) -> RegisterInfo:
    """The manifest's statement where there is one (its empty fields filled from the content)."""
    inferred = infer_info(read)
    if stated is None:
        return inferred
    filled = {f: getattr(stated, f) or getattr(inferred, f) for f in MANIFEST_FIELDS}
    return replace(stated, **filled)


class OneGraph:
    """Stands in for a Dataset where one register is mapped alone: every named graph is one graph."""

    def __init__(self) -> None:
        self.single = Graph()

    def graph(self, _identifier) -> Graph:
        return self.single


def map_register(dataset, read: RegisterRead, info: RegisterInfo, node_provenance: bool = True) -> None:
    """The register's RDF: its jurisdiction, the register node and every item, into `dataset`."""
    if read.rdf is not None:
        target = dataset.graph(info.graph_iri)
        for triple in read.rdf:
            target.add(triple)
        return
    if info.division_code:
        add_jurisdiction(dataset, info)
    add_register(dataset.graph(info.graph_iri), info)
    lines = read.text.split("\n")
    for draft in read.drafts:
        add_item(dataset, info, item_iri(info, draft), draft, lines, node_provenance=node_provenance)


def register_graph(read: RegisterRead, info: RegisterInfo) -> Graph:
    """One register alone in one graph, as validation judges it (sub-nodes point at rows through their item)."""
    target = OneGraph()
    map_register(target, read, info, node_provenance=False)
    if len(target.single) > limit("QUANZE_MAX_TRIPLES"):  # SHACL's time and memory grow with the graph
        raise over(read.name, "the number of triples the register maps to", "QUANZE_MAX_TRIPLES", len(target.single))
    return target.single
