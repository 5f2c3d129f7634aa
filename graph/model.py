"""Plain records that carry a register from the readers to the mapper.

Readers produce these; repair functions transform them; the mapper turns them into RDF.
They hold raw text and its position so every fact in the graph can point back at the
file, row and line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quanze.graph.align.link_statutes import CitationLink


@dataclass(frozen=True)
class Span:
    """A piece of raw text and the 1-based line of the source file where it starts."""

    text: str
    line: int
    column: int | None = None
    """1-based column of the cell in a table (spreadsheets, CSV, TSV); None for running text."""


@dataclass
class TableRow:
    """One record of a tabular register (a table row, possibly spanning many lines)."""

    file: str
    line: int
    number: int | None
    """The row's 序号 as printed, or None where the register left it out."""
    cells: dict[str, Span]
    """Field key (see graph.columns) → the cell's raw text."""
    raw: str
    """The record's raw text as it stands in the file."""
    label: str | None = None
    """The 序号 exactly as printed ("1.", "（一）", "1-1"), where it differs from `number`."""
    extra: dict[str, Span] = field(default_factory=dict)
    """Cells of columns no field covers, by their header as printed: kept, never dropped."""
    risk_rows: list[dict[str, Span]] = field(default_factory=list)
    """Further rows of the same item that each give a risk point (one row per risk point)."""
    context: list[str] = field(default_factory=list)
    """Text around the row that may name its power type: section row, table title, sheet name."""
    table: int = 1
    """Which table of its file (or sheet) the row belongs to."""
    type_column: bool = True
    """Whether the row's table has a power-type column (else the type comes from context or name)."""
    sheet: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Field key → the column's header as printed (for reports that name the column)."""


@dataclass
class FlowStage:
    """A stage box of a risk-control flowchart (立案, 调查取证 …), in printed order."""

    label: str
    """The stage label as printed, e.g. "立  案" or "申请人提出    救助申请"."""
    line: int
    description: Span | None = None
    """A one-line explanation printed under the label (e.g. "发现非法行为，及时处置")."""


@dataclass
class RiskGroup:
    """One risk box of a flowchart: its enumerated risk points, level, controls and role."""

    risks: list[Span]
    level: Span | None
    controls: list[Span]
    role: Span | None
    stage: int | None
    """Index into FlowItem.stages of the stage this box belongs to, or None if unknown."""
    line: int
    """Line of the box's first element."""


@dataclass
class FlowItem:
    """One power of a flowchart register: header fields and its stage boxes."""

    file: str
    line: int
    code: Span | None
    name: Span | None
    category: Span | None
    """The heading that names the power type, e.g. "行政处罚类"."""
    stages: list[FlowStage] = field(default_factory=list)
    groups: list[RiskGroup] = field(default_factory=list)
    shared_controls: list[Span] = field(default_factory=list)
    """Controls printed once for the whole chart rather than per box."""


# --- repaired items: what the mapper turns into RDF, whatever layout they came from --------


@dataclass
class StageDraft:
    label: str
    """The stage name as printed (or as named by a duty), whitespace removed."""
    stage_type: str | None
    """IRI of the stage-type concept, or None when the vocabulary has no such stage."""
    line: int
    description: str | None = None
    order: int = 0
    order_source: str = "list"
    """Where qz:order comes from: "chart" (the flowchart's printed order), "list" (the order of
    the duties that name the stages) or "vocabulary" (the stage types' usual order, where the
    printed order is not a procedure's)."""


@dataclass
class RiskDraft:
    text: Span
    level: str | None
    """IRI of qz:High / qz:Medium / qz:Low."""
    level_raw: Span | None
    controls: list[Span]
    role: Span | None
    stage: int | None
    """Index into ItemDraft.stages."""


@dataclass
class DutyDraft:
    text: Span
    heading: str | None
    """The stage or duty heading the entry names ("立案阶段责任" → "立案")."""
    stage: int | None


@dataclass
class ItemDraft:
    """One power item of one register after repair, before it becomes RDF."""

    file: str
    line: int
    row: int | None
    row_inferred: bool
    raw: str
    label: str | None
    raw_label: str
    label_repair: str | None
    power_type: str | None
    raw_power_type: str
    power_type_repair: str | None
    code: str | None = None
    raw_code: str | None = None
    code_repairs: tuple[str, ...] = ()
    code_division: str | None = None
    """The GB/T 2260 division the code names (its prefix or suffix, by code scheme)."""
    code_letter_type: str | None = None
    """Local name of the power type the code's type letter stands for in its scheme."""
    code_suggestion: str | None = None
    """The code an inferred type-letter rule would give; the printed code is kept."""
    curations: list[tuple[str, str, str]] = field(default_factory=list)
    """(field, confidence, reason) of each person's decision applied to the item."""
    agency: str | None = None
    legal_basis: Span | None = None
    sub_item: str | None = None
    remark: str | None = None
    phone: str | None = None
    declared_risk_count: int | None = None
    stages: list[StageDraft] = field(default_factory=list)
    risks: list[RiskDraft] = field(default_factory=list)
    duties: list[DutyDraft] = field(default_factory=list)
    accountability: list[Span] = field(default_factory=list)
    citations: list[CitationLink] = field(default_factory=list)
    truncated: set[str] = field(default_factory=set)
    garbled: set[str] = field(default_factory=set)
    cut: set[str] = field(default_factory=set)
    """Fields read only up to an OCR repetition loop (each is also in `garbled`)."""
    legal_basis_read: str | None = None
    """The legal-basis text citations are parsed from: the cell up to any OCR loop."""
    notes: list[str] = field(default_factory=list)
    """Findings of the build worth a person's look (count mismatches, unresolved types …)."""
    row_label: str | None = None
    """The 序号 as printed where it is not a plain number ("1.", "（一）", "1-1")."""
    parent: str | None = None
    """The 主项 a 子项 belongs to (the item is the 子项)."""
    sub_row: str | None = None
    """The number a 子项 carries inside its own cell ("2.")."""
    local_id: str | None = None
    """The item's key inside its register where 序号 alone does not tell items apart."""
    extra: list[tuple[str, str]] = field(default_factory=list)
    """(header, value) of columns no field covers."""
    level_counts: dict[str, int] | None = None
    """Counts per level printed for the whole item ("1中2低" → {"中": 1, "低": 2})."""
    raw_level: str | None = None
    duty_basis: Span | None = None
    accountability_basis: Span | None = None
    duty_citations: list[CitationLink] = field(default_factory=list)
    accountability_citations: list[CitationLink] = field(default_factory=list)
    table: int = 1
    sheet: str | None = None
    division_cell: str | None = None
    """The row's 行政区划代码 cell, where the register has that column."""
    internal: bool = False
    """A matter of a per-post register (财务管理, 公文处理), not a statutory power."""
    silent: set[str] = field(default_factory=set)
    """Fields the register has no column for ("legal_basis" in a flowchart): silence, not absence."""
    described_stages: list[str] = field(default_factory=list)
    """IRIs of stage types the item's text describes without a stage of its own (qz:describesStage)."""
    features: list[str] = field(default_factory=list)
    """IRIs of procedure features the register's text of the item states (qz:statesFeature)."""
    basis_features: list[str] = field(default_factory=list)
    """IRIs of procedure features the cited articles' text implies (qz:basisFeature)."""
    cited_levels: list[str | None] = field(default_factory=list)
    """Level of each citation's instrument (instruments.csv), None where unresolved."""
