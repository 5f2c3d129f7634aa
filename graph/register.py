"""The one road of a register file: bytes in any supported format → repaired drafts → RDF.

read (graph/read: text, table, flowchart, sheet, rdf) → repair (graph/repair) → citations
linked to the statute catalogue (graph/align) → map (graph/map). `quanze build`,
`quanze validate` and POST /validate all take a register this way, so what a build stores
is what validation judged.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from quanze.graph import paths
from quanze.graph.align.citation_noise import without_noise
from quanze.graph.align.citations import load_confusions
from quanze.graph.align.divisions import find_jurisdiction
from quanze.graph.align.link_statutes import link
from quanze.graph.align.powers import Aligner, load_catalogue as load_canonical, load_decisions
from quanze.graph.align.statutes import Instrument, load_catalogue
from quanze.graph.map.items import RegisterInfo, add_item, add_jurisdiction, add_register, item_iri
from quanze.graph.model import ItemDraft, TableRow
from quanze.graph.namespaces import QZ
from quanze.graph.read.flowchart import read_flowchart
from quanze.graph.read.limits import limit, over
from quanze.graph.read.rdf import FORMATS as RDF_SUFFIXES, parse_rdf
from quanze.graph.read.grid import GridRead
from quanze.graph.read.sheet import read_csv_grid, read_xlsx_grid
from quanze.graph.read.table import read_table_grid
from quanze.graph.read.text import UnreadableInput, decode
from quanze.graph.repair.codes import load_schemes
from quanze.graph.repair.curation import load_curation
from quanze.graph.repair.items import RepairContext, item_from_flow, items_from_table
from quanze.graph.repair.labels import BigramModel
from quanze.graph.namespaces import QZ
from quanze.graph.repair.procedure import describe_procedure
from quanze.graph.vocab import Vocabulary, load_ontology

REGISTER_SUFFIXES = {".txt", ".csv", ".tsv", ".xlsx", *RDF_SUFFIXES}
"""What a register file may be: the seed text layouts, spreadsheets and RDF."""


MANIFEST_FIELDS = ("file", "division_code", "jurisdiction", "province", "city", "agency", "kind", "layout", "year", "title", "note")


@dataclass(frozen=True)
class Reference:
    """The reference data every register is read against, loaded once per process."""

    context: RepairContext
    catalogue: dict[str, Instrument]
    confusions: dict[str, str]
    aligner: Aligner
    decisions: dict


def reference(data: Path | None = None, ontology: Path | None = None) -> Reference:
    """Vocabulary, curation, code schemes, statutes and the canonical catalogue.

    Each file is taken from `data` where it has one, else from the packaged copy, so a data
    folder that holds only a user's registers still builds. Loaded once per process for each
    pair of folders, however they are named (None, relative or absolute).
    """
    return _reference(Path(data or paths.data_dir()).resolve(), Path(ontology or paths.ontology_dir()).resolve())


@lru_cache(maxsize=2)
def _reference(data: Path, ontology: Path) -> Reference:
    vocabulary = Vocabulary(load_ontology(ontology))
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
    context: list[tuple[str, str]] = field(default_factory=list)
    """(kind, text) of what surrounds the table: "title", "text", "sheet", "section", "note"."""
    unknown_columns: list[str] = field(default_factory=list)
    """Headers of columns no reader field covers (their cells are kept on the items)."""
    columns: dict[str, str | None] = field(default_factory=dict)
    """Every header read → the field it was understood as (None: not understood)."""


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
        return _from_grid(name, read_xlsx_grid(data, name), "", "xlsx", ref)
    text = decode(data, name)
    if layout == "flowchart" or (suffix not in (".csv", ".tsv") and not layout and _is_flowchart(text)):
        flows = read_flowchart(text, name, ref.context.vocabulary)
        drafts = [item_from_flow(flow, index, ref.context) for index, flow in enumerate(flows, start=1)]
        context = [("title" if i == 0 else "text", line.strip()) for i, line in enumerate(l for l in text.split("\n")[:3] if l.strip())]
        return RegisterRead(name, _repaired(drafts, ref), text, _heading([], text), "flowchart", context=context)
    if suffix in (".csv", ".tsv"):
        return _from_grid(name, read_csv_grid(text, name), text, "csv", ref)
    return _from_grid(name, read_table_grid(text, name), text, "table", ref)


_FLOW_LABEL = re.compile(r"^\s*职权(?:编码|名称)\s*[:：]", re.M)


def _is_flowchart(text: str) -> bool:
    """A risk-control flowchart labels its items 职权编码： / 职权名称： on lines of their own."""
    return len(_FLOW_LABEL.findall(text)) >= 1 and "风险" in text and "|" not in text


def _from_grid(name: str, grid: GridRead, text: str, layout: str, ref: Reference) -> RegisterRead:
    drafts = items_from_table(grid.rows, ref.context)
    _distinct_keys(drafts)
    read = RegisterRead(
        name, _repaired(drafts, ref), text, _heading(grid.rows, text), layout,
        context=grid.context, unknown_columns=list(grid.unknown), columns=dict(grid.columns),
    )
    if layout == "xlsx":
        read.heading = "\n".join([t for _, t in grid.context][:6] + [read.heading])
    if register_kind(read) == "post-risk-register":
        for draft in drafts:
            draft.internal = True
            draft.power_type, draft.power_type_repair, draft.raw_power_type = None, None, ""
    return read


def _distinct_keys(drafts: list[ItemDraft]) -> None:
    """Items a 序号 alone does not tell apart (子项 under one 序号, tables or sheets that restart
    their numbering) get a key of their own; items with codes are keyed by their code."""
    keys: dict[str, list[ItemDraft]] = {}
    for draft in drafts:
        if draft.code:
            continue
        key = str(draft.row) if draft.row is not None else (draft.row_label or f"L{draft.line}")
        keys.setdefault(key, []).append(draft)
    for key, group in keys.items():
        if len(group) > 1 or any(d.row is None and d.row_label for d in group):
            for number, draft in enumerate(group, start=1):
                draft.local_id = _slug(draft.row_label or key) + (f".{number}" if len(group) > 1 else "")


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", text).strip("-") or "x"


def _repaired(drafts: list[ItemDraft], ref: Reference) -> list[ItemDraft]:
    """Drafts with their legal-basis cells parsed into citations linked to the catalogue."""
    for draft in drafts:
        if draft.legal_basis:
            draft.citations = without_noise(link(draft.legal_basis_read or draft.legal_basis.text, ref.catalogue, ref.confusions))
        if draft.duty_basis:  # 责任事项依据: the law the duties rest on, not the item's basis
            draft.duty_citations = link(draft.duty_basis.text, ref.catalogue, ref.confusions)
        if draft.accountability_basis:  # 追责依据
            draft.accountability_citations = link(draft.accountability_basis.text, ref.catalogue, ref.confusions)
        describe_procedure(draft, ref.context.vocabulary, ref.catalogue)
    return drafts


def _heading(rows: list[TableRow], text: str) -> str:
    """The text a register's title and jurisdiction are read from: its first lines and agency cells."""
    agencies = [row.cells["agency"].text for row in rows[:50] if "agency" in row.cells]
    return "\n".join([*text.split("\n")[:5], *agencies])


def jurisdiction_evidence(read: RegisterRead) -> list[tuple[str, list[str]]]:
    """What a register says of its jurisdiction, by kind of evidence, most decisive first."""
    titles = [t for k, t in read.context if k == "title"]
    texts = [t for k, t in read.context if k in ("text", "section", "note")]
    if not read.context and read.heading:  # a text layout: its first lines are its title
        lines = [line for line in read.heading.split("\n") if line.strip()]
        titles, texts = lines[:1], lines[1:]
    return [
        ("codes", [d.division_cell for d in read.drafts if d.division_cell]),
        ("agency", [d.agency for d in read.drafts if d.agency]),
        ("title", titles),
        ("text", texts),
        ("sheet", [t for k, t in read.context if k == "sheet"]),
        ("index-number", [m for t in titles + texts for m in re.findall(r"索引号\s*[:：]?\s*(\d{6})", t)]),
        ("item-codes", [d.code_division or (d.code or "")[:6] for d in read.drafts if d.code]),
        ("file-name", [Path(read.name).stem]),
    ]


_POST_HEADERS = re.compile(r"事项|权力|职权|项目")


def register_kind(read: RegisterRead) -> str:
    """power-list, risk-register (risk points per power), post-risk-register (risk points per
    post or internal matter: 财务管理, 公文处理 …) or risk-flowchart."""
    if read.layout == "flowchart":
        return "risk-flowchart"
    if not any(d.risks for d in read.drafts) or any(d.duties for d in read.drafts):
        return "power-list"
    fields = set(read.columns.values())
    if {"power_type", "legal_basis", "code"} & fields:
        return "risk-register"
    names = [h for h, f in read.columns.items() if f == "name"]
    around = " ".join(t for k, t in read.context if k in ("title", "sheet"))
    if "岗位" in around or {"post", "risk_category"} & fields or (names and not any(_POST_HEADERS.search(h) for h in names)):
        return "post-risk-register"
    return "risk-register"


def infer_info(read: RegisterRead) -> RegisterInfo:
    """What a manifest would say of a register, found from its content."""
    agencies = [d.agency for d in read.drafts if d.agency]
    found = find_jurisdiction(jurisdiction_evidence(read))
    division = found.division if found else None
    first_line = next((line.strip("# \t") for line in read.heading.split("\n") if line.strip()), read.name)
    title = next((t for k, t in read.context if k == "title"), None)
    if found and found.township:
        agency = found.township
    elif agencies:
        agency = max(set(agencies), key=agencies.count)
    else:
        agency = f"{division.name}医疗保障局" if division else ""
    return RegisterInfo(
        file=read.name,
        division_code=division.code if division else "",
        jurisdiction=division.name if division else "",
        province=division.province if division else "",
        city=division.city if division else "",
        agency=agency,
        kind=register_kind(read),
        layout=read.layout,
        year="",
        title=(title or first_line) if read.layout != "xlsx" else (title or read.name),
        note="",
        evidence=found.detail if found else "",
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
    filled["evidence"] = "" if stated.division_code else inferred.evidence
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
    for header in read.unknown_columns:
        dataset.graph(info.graph_iri).add((info.iri, QZ.unrecognisedColumn, Literal(header)))
    lines = read.text.split("\n")
    for draft in read.drafts:
        add_item(dataset, info, item_iri(info, draft), draft, lines, node_provenance=node_provenance)


def register_graph(read: RegisterRead, info: RegisterInfo) -> Graph:
    """One register alone in one graph, as validation judges it (sub-nodes point at rows through their item)."""
    target = OneGraph()
    map_register(target, read, info, node_provenance=False)
    if len(target.single) > limit("QUANZE_MAX_REGISTER_TRIPLES"):  # SHACL's time and memory grow with the graph
        raise over(read.name, "the number of triples the register maps to", "QUANZE_MAX_REGISTER_TRIPLES", len(target.single))
    return target.single
