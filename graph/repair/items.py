"""Turn reader records (table rows, flowchart items) into repaired ItemDrafts.

Everything here is pure: the context carries the vocabulary, curation decisions, code
schemes and the language model; the functions only decide. What was repaired, and how, is
kept on the draft so the graph can say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quanze.graph.repair.curation import Decision
from quanze.graph.model import DutyDraft, FlowItem, ItemDraft, RiskDraft, Span, StageDraft, TableRow
from quanze.graph.repair.codes import CodeScheme, normalise_code
from quanze.graph.repair.labels import BigramModel, plausibility, unscramble
from quanze.graph.repair.text import collapse_cjk_spaces, compact, cut_at_loop, is_garbled, strip_truncation
from quanze.graph.repair.lists import parse_declared_count, split_enumerated
from quanze.graph.repair.levels import LevelReading, level_iri, read_level, uses_grades
from quanze.graph.vocab import Vocabulary

# "立案阶段责任：…", "受理环节责任：…", "救助责任: …", "调查核实。查明…", "审核: 审理…", "立案。适用…"
_DUTY_HEADING = re.compile(
    r"^\s*(?P<head>[\u4e00-\u9fff、]{1,10}?)"
    r"(?:(?:阶段|环节)责任\s*[；;]|(?:阶段|环节)?(?:责任)?\s*(?P<sep>[：:。]))"
)
"""A duty's heading; "审查阶段责任;" too (OCR reads the colon after 阶段责任 as a semicolon)."""
_SCRAMBLED_BELOW = -5.0
_CONFIDENT_TRANSPOSITION = 3.5


@dataclass(frozen=True)
class RepairContext:
    vocabulary: Vocabulary
    curation: dict[tuple[str, int, str], Decision]
    schemes: list[CodeScheme]
    confusions: dict[str, set[str]]
    language: BigramModel


# --- row numbers --------------------------------------------------------------------------


def infer_row_numbers(numbers: list[int | None]) -> list[tuple[int | None, bool]]:
    """Fill a missing 序号 from its neighbours (21, None, 23 → 22); (number, inferred) per row."""
    result: list[tuple[int | None, bool]] = []
    previous: int | None = None
    for index, number in enumerate(numbers):
        if number is not None:
            result.append((number, False))
            previous = number
            continue
        following = next((n for n in numbers[index + 1 :] if n is not None), None)
        gap = numbers[index + 1 :].index(following) + 1 if following is not None else None
        candidate = previous + 1 if previous is not None else None
        if candidate is not None and (following is None or following - previous == gap + 1):
            result.append((candidate, True))
            previous = candidate
        else:
            result.append((None, False))
    return result


# --- single fields ------------------------------------------------------------------------


def _decision(ctx: RepairContext, file: str, row: int | None, field: str, raw: str) -> Decision | None:
    if row is None:
        return None
    decision = ctx.curation.get((file, row, field))
    return decision if decision and decision.applies_to(raw) else None


def repair_label(raw: str, file: str, row: int | None, ctx: RepairContext, draft: ItemDraft) -> None:
    """Set the draft's label: a person's decision, else a confident transposition, else the cell."""
    text, truncated = strip_truncation(collapse_cjk_spaces(raw))
    if truncated:
        draft.truncated.add("name")
    if is_garbled(text):
        draft.garbled.add("name")
    decision = _decision(ctx, file, row, "name", raw)
    if decision:
        draft.label, draft.label_repair = decision.value, "curation"
        draft.curations.append(("name", decision.confidence, decision.reason))
        return
    reading = unscramble(text, ctx.language, min_gain=_CONFIDENT_TRANSPOSITION)
    if reading:
        draft.label, draft.label_repair = reading.text, "transposition"
        return
    draft.label = text or None
    if text and (plausibility(text, ctx.language) < _SCRAMBLED_BELOW or "name" in draft.garbled):
        draft.notes.append(f"名称疑似 OCR 乱序/乱码，需人工校订 (data/curation/fields.csv): {text[:30]}")


def repair_power_type(raw: str, file: str, row: int | None, ctx: RepairContext, draft: ItemDraft) -> None:
    decision = _decision(ctx, file, row, "power_type", raw)
    if decision:
        draft.curations.append(("power_type", decision.confidence, decision.reason))
        concept, _ = ctx.vocabulary.power_type_for(decision.value)
        draft.power_type, draft.power_type_repair = (str(concept) if concept else None), "curation"
        return
    concept, method = ctx.vocabulary.power_type_for(raw)
    draft.power_type = str(concept) if concept else None
    draft.power_type_repair = method if method != "exact" else None
    if concept is None:
        draft.notes.append(f"权力类型无法识别: {raw!r}")


def repair_code(raw: str, ctx: RepairContext, draft: ItemDraft) -> None:
    if not raw.strip():
        return
    key = str(draft.power_type).rsplit("#", 1)[-1] if draft.power_type else None
    result = normalise_code(raw, key, ctx.schemes, ctx.confusions)
    draft.raw_code, draft.code, draft.code_repairs = raw, result.code, result.repairs
    if result.suggestion:
        draft.code_suggestion = result.suggestion
        draft.notes.append(f"事项编码 {result.code} 的类型字母按推定规则应读作 {result.suggestion}，推定规则不改写印出的编码，需人工核对")
    if result.scheme:
        draft.code_division = result.division
        draft.code_letter_type = result.scheme.letters.get(result.letter or "")


def _clean(span: Span | None, field: str, draft: ItemDraft, cut: bool = False) -> Span | None:
    """Cell text with U+FFFD removed and the damage recorded on the draft; with `cut`, the
    text ends where an OCR repetition loop begins (nothing after a loop is read)."""
    if span is None or not span.text.strip():
        return None
    text, truncated = strip_truncation(span.text)
    if truncated:
        draft.truncated.add(field)
    if cut:
        text, looped = cut_at_loop(text)
        if looped:
            draft.garbled.add(field)
            draft.cut.add(field)
    elif is_garbled(text):
        draft.garbled.add(field)
    return Span(text, span.line)


_MIN_ENTRY = 4
"""Fewer Chinese characters than this is a fragment (the tail of an entry cut off by the
cell's edge, "密"; or OCR debris, "连反《的,"), not a duty or a case."""
_CLAUSE_MARKS = re.compile(r"[，,。；;、：:（）()《》“”]")


def _han_count(text: str) -> int:
    return len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", text))


def read_down_columns(text: str) -> bool:
    """True for a cell OCR read down its columns: many short runs of characters separated
    by spaces and not one clause mark ("主等 查进 调议应等机批决 知当明罚序保 …")."""
    return _han_count(text) >= 16 and len(text.split()) >= 4 and not _CLAUSE_MARKS.search(text)


def _entries(span: Span | None, draft: ItemDraft | None = None, field: str | None = None) -> list[Span]:
    """The cell's entries. With a draft and field (duties, accountability) only what the
    register legibly says: no fragment, no cell read down its columns, and no unnumbered
    entry that an OCR loop cut short (with no enumerator left, nothing says it is an entry)."""
    if span is None:
        return []
    listed = split_enumerated(span.text, span.line)
    pairs = [(e, n) for e, n in zip(listed.entries, listed.numbers) if e.text.strip()]
    if draft is None or field is None:
        return [Span(collapse_cjk_spaces(e.text), e.line) for e, _ in pairs]
    if field in draft.cut and pairs and pairs[-1][1] is None:
        pairs.pop()
    printed = [n for n in listed.numbers if n is not None]
    if printed and min(printed) > 1:
        draft.truncated.add(field)  # the list starts mid-way ("…查时应当出示执法证件… 3.审查阶段责任"): its top was cut
    kept = []
    for entry, _number in pairs:
        if read_down_columns(entry.text):
            draft.garbled.add(field)
            continue
        if _han_count(entry.text) < _MIN_ENTRY:
            continue
        kept.append(Span(collapse_cjk_spaces(entry.text), entry.line))
    return kept


# --- duties and their stages -----------------------------------------------------------------


def _stage_index(draft: ItemDraft, label: str, stage_type: str | None, line: int) -> int:
    for index, stage in enumerate(draft.stages):
        if stage_type and stage.stage_type == stage_type or stage.label == label:
            return index
    draft.stages.append(StageDraft(label=label, stage_type=stage_type, line=line, order=len(draft.stages) + 1))
    return len(draft.stages) - 1


def add_duties(span: Span | None, draft: ItemDraft, vocabulary: Vocabulary) -> None:
    """One duty per enumerated entry; an entry that names a stage creates or joins that stage.

    A cell cut at its top starts with the tail of a duty whose heading is lost; where that
    tail ends by naming a stage that comes before the next duty's ("…予以调查立案。2.调查…"),
    the stage is kept (立案), so the stages after it are not renumbered or reported missing.
    """
    entries = _entries(span, draft, "duties")
    headings: list[tuple[str | None, object]] = []
    for entry in entries:
        match = _DUTY_HEADING.match(entry.text)
        heading = match.group("head") if match else None
        if heading is None and len(entry.text) <= 12:  # a bare stage: "1.立案。2.调查取证。", "立案阶段责任。"
            bare = re.sub(r"(?:阶段|环节)?(?:责任)?$", "", entry.text.strip())
            heading = bare if vocabulary.stage_for(bare) else None
        headings.append((heading, vocabulary.stage_for(heading) if heading else None))
    if len(entries) > 1 and headings[0][1] is None and headings[1][1] is not None:
        recovered = _stage_at_end(entries[0].text, vocabulary)
        if recovered and recovered.order < headings[1][1].order:
            headings[0] = (None, recovered)
    for entry, (heading, stage) in zip(entries, headings):
        index = _stage_index(draft, stage.label, str(stage.iri), entry.line) if stage else None
        draft.duties.append(DutyDraft(entry, heading, index))


def _stage_at_end(text: str, vocabulary: Vocabulary):
    """The stage a duty's last words name ("…予以调查立案" → 立案; "受理或不予受理（…）" → 受理)."""
    last = re.sub(r"[（(][^（()）]*[)）]", "", text).rstrip("。；;，, ")
    for size in (4, 3, 2):
        stage = vocabulary.stage_for(last[-size:]) if len(last) >= size else None
        if stage and last[-size:] in stage.labels:
            return stage
    return None


# --- tables -------------------------------------------------------------------------------


def _draft(
    file: str, line: int, row: int | None, inferred: bool, raw: str, name: str, power_type: str, code: str, ctx: RepairContext
) -> ItemDraft:
    """A draft with its name, power type and code repaired: what every layout has."""
    draft = ItemDraft(
        file=file, line=line, row=row, row_inferred=inferred, raw=raw,
        label=None, raw_label=name, label_repair=None,
        power_type=None, raw_power_type=power_type, power_type_repair=None,
    )
    repair_label(name, file, row, ctx, draft)
    repair_power_type(power_type, file, row, ctx, draft)
    repair_code(code, ctx, draft)
    return draft


_SUB_NUMBER = re.compile(r"^\s*(?P<n>\d{1,3}\s*[.、．]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[）)])\s*(?=\S)")
_NAME_WITH_STEPS = re.compile(r"^(?P<name>[^\n：:]{2,60})[：:]\s*(?:\n|(?=(?:\d{1,2}\s*[.、．]|[（(]\s*[\d一二三四五六七八九十]{1,2}\s*[)）])))")
_BASIS_IN_ACCOUNTABILITY = re.compile(r"(?:追责)?依据\s*[：:]")


def _names(text: dict[str, str], draft: ItemDraft) -> tuple[str, str | None]:
    """(item name, 主项) of a row: the 子项 is the item where it differs from the 主项."""
    main = text.get("name", "")
    sub = text.get("sub_item", "").strip()
    if sub:
        if match := _SUB_NUMBER.match(sub):
            draft.sub_row = re.sub(r"\s+", "", match["n"])
            sub = sub[match.end():].strip()
        if sub and collapse_cjk_spaces(sub) != collapse_cjk_spaces(main).strip():
            return sub, (main.strip() or None)
    if match := _NAME_WITH_STEPS.match(main):  # 事项及流程: "医疗救助申请受理：\n1.接收…"
        return match["name"].strip(), None
    return main, None


def _type_of_context(context: list[str], ctx: RepairContext) -> tuple[str | None, str]:
    """The power type a section row, table title or sheet name names (行政处罚（3项）)."""
    for text in context:
        compact_text = re.sub(r"\s+", "", text)
        best: tuple[int, str] | None = None
        for concept, labels in ctx.vocabulary.power_types.items():
            for label in labels:
                name = label.removesuffix("类")
                if len(name) >= 4 and name in compact_text and (best is None or len(name) > best[0]):
                    best = (len(name), str(concept))
        if best:
            return best[1], text
    return None, ""


# what an item's name says of its type, where no column, section or title does
_TYPE_BY_NAME = (
    (re.compile(r"处罚$"), "Penalty"),
    (re.compile(r"(?:监督检查|检查)$"), "Inspection"),
    (re.compile(r"(?:给付|支付|发放)$"), "Benefit"),
    (re.compile(r"奖励$"), "Reward"),
    (re.compile(r"征收$"), "Levy"),
    (re.compile(r"(?:行政)?许可$"), "Licensing"),
    (re.compile(r"(?:行政)?强制(?:措施)?$"), "Coercion"),
    (re.compile(r"(?:确认|认定)$"), "Confirmation"),
    (re.compile(r"裁决$"), "Adjudication"),
)


def _type_of_name(name: str, ctx: RepairContext) -> str | None:
    text = re.sub(r"\s+", "", name or "")
    for pattern, local in _TYPE_BY_NAME:
        if pattern.search(text):
            concept = next((c for c in ctx.vocabulary.power_types if str(c).endswith("#" + local)), None)
            return str(concept) if concept else None
    return None


def item_from_row(row: TableRow, number: int | None, inferred: bool, ctx: RepairContext, graded: bool = False) -> ItemDraft:
    """Repair one table row of a power list or risk register."""
    cells = row.cells
    text = {key: span.text for key, span in cells.items()}
    draft = ItemDraft(
        file=row.file, line=row.line, row=number, row_inferred=inferred, raw=row.raw,
        label=None, raw_label="", label_repair=None,
        power_type=None, raw_power_type=text.get("power_type", ""), power_type_repair=None,
    )
    name, parent = _names(text, draft)
    draft.raw_label = name
    repair_label(name, row.file, number, ctx, draft)
    if parent:
        draft.parent = collapse_cjk_spaces(parent)
    if row.type_column:
        repair_power_type(text.get("power_type", ""), row.file, number, ctx, draft)
    else:  # no type column: a section row, table title or sheet name, else the name, says it
        concept, source = _type_of_context(row.context, ctx)
        draft.power_type, draft.raw_power_type = concept, source
        draft.power_type_repair = "context" if concept else None
    if draft.power_type is None and not row.type_column and (by_name := _type_of_name(name, ctx)):
        draft.power_type, draft.raw_power_type, draft.power_type_repair = by_name, "", "name"
    repair_code(text.get("code", ""), ctx, draft)
    draft.row_label, draft.table, draft.sheet = row.label, row.table, row.sheet
    draft.extra = [(header, span.text) for header, span in row.extra.items()]
    if "division_code" in text:
        draft.division_cell = text["division_code"].strip()
    agency = _clean(cells.get("agency"), "agency", draft)
    draft.agency = collapse_cjk_spaces(agency.text) if agency else None
    if "legal_basis" not in cells:
        draft.silent.add("legal_basis")
    draft.legal_basis = _clean(cells.get("legal_basis"), "legal_basis", draft)
    draft.duty_basis = _clean(cells.get("duty_basis"), "duty_basis", draft)
    draft.accountability_basis = _clean(cells.get("accountability_basis"), "accountability_basis", draft)
    if draft.legal_basis:  # citations are read from the text before a loop; the cell is kept whole
        draft.legal_basis_read = cut_at_loop(draft.legal_basis.text)[0]
        printed = [n for n in split_enumerated(draft.legal_basis_read).numbers if n is not None]
        if printed and printed[0] > 1:
            draft.truncated.add("legal_basis")  # "選; (三)利用享受…": the cell starts inside a quoted list
    for key, attribute in (("remark", "remark"), ("phone", "phone")):
        span = cells.get(key)
        if span and span.text.strip():
            setattr(draft, attribute, collapse_cjk_spaces(span.text))
    if not draft.parent and (span := cells.get("sub_item")) and span.text.strip():
        draft.sub_item = collapse_cjk_spaces(span.text)
    add_duties(_clean(cells.get("duties"), "duties", draft, cut=True), draft, ctx.vocabulary)
    accountability = _clean(cells.get("accountability"), "accountability", draft, cut=True)
    if accountability and draft.accountability_basis is None and (basis := _BASIS_IN_ACCOUNTABILITY.search(accountability.text)):
        draft.accountability_basis = Span(accountability.text[basis.end():].strip(), accountability.line)
        accountability = Span(accountability.text[: basis.start()].strip(), accountability.line) if basis.start() else None
    draft.accountability = _entries(accountability, draft, "accountability")
    _add_table_risks(row, draft, ctx, graded)
    return draft


def _level(span: Span | None, ctx: RepairContext, graded: bool) -> LevelReading | None:
    if span is None:
        return None
    return read_level(span.text, ctx.vocabulary, graded)


def _add_table_risks(row: TableRow, draft: ItemDraft, ctx: RepairContext, graded: bool = False) -> None:
    for index, cells in enumerate([row.cells, *row.risk_rows]):
        risks = _entries(_clean(cells.get("risks"), "risks", draft))
        if index == 0 and "risk_count" in cells:
            draft.declared_risk_count = parse_declared_count(cells["risk_count"].text)
        if not risks:
            continue
        level_span = cells.get("level") or (row.cells.get("level") if index else None)
        reading = _level(level_span, ctx, graded)
        if reading and reading.counts:
            draft.level_counts = dict(reading.counts)
        if level_span is not None:
            draft.raw_level = level_span.text if draft.raw_level is None else draft.raw_level
        level = level_iri(reading.word) if reading else None
        controls = _entries(_clean(cells.get("controls") or (row.cells.get("controls") if index else None), "controls", draft))
        role_span = _clean(_responsible(cells) or (_responsible(row.cells) if index else None), "role", draft)
        role = Span(collapse_cjk_spaces(role_span.text), role_span.line) if role_span else None
        for risk in risks:
            draft.risks.append(RiskDraft(risk, level, level_span, controls, role, None))
    if draft.declared_risk_count is not None and draft.declared_risk_count != len(draft.risks):
        draft.notes.append(f"风险点数量声明为 {draft.declared_risk_count} 个，实际列出 {len(draft.risks)} 个")


def _responsible(cells: dict[str, Span]) -> Span | None:
    """Who answers for a risk point: the 责任人 column, else the 责任领导, else the office
    (责任股室 / 科室) or post a register names instead."""
    for key in ("role", "leader", "department", "post"):
        if (span := cells.get(key)) and span.text.strip():
            return span
    return None


def items_from_table(rows: list[TableRow], ctx: RepairContext) -> list[ItemDraft]:
    numbers = infer_row_numbers([row.number if row.label is None else None for row in rows])
    levels = [span.text for row in rows for cells in [row.cells, *row.risk_rows] if (span := cells.get("level"))]
    graded = uses_grades(levels)
    drafts = []
    for row, (number, inferred) in zip(rows, numbers):
        if row.label is not None:
            number, inferred = row.number, False
        drafts.append(item_from_row(row, number, inferred, ctx, graded))
    if any(d.level_counts for d in drafts):  # a register that counts levels per item: one word is a count too
        for draft in drafts:
            words = {r.level for r in draft.risks}
            if draft.level_counts is None and draft.risks and len(words) == 1 and None not in words:
                word = {"High": "高", "Medium": "中", "Low": "低"}[next(iter(words)).rsplit("#", 1)[-1]]
                draft.level_counts = {word: len(draft.risks)}
    return drafts


# --- flowcharts -----------------------------------------------------------------------------


def item_from_flow(flow: FlowItem, row: int, ctx: RepairContext) -> ItemDraft:
    """Repair one flowchart item; its stage boxes become stages and risk points."""
    header = [span.text for span in (flow.category, flow.code, flow.name) if span]
    draft = _draft(
        flow.file, flow.line, row, False, "\n".join(header),
        flow.name.text if flow.name else "", flow.category.text if flow.category else "",
        flow.code.text if flow.code else "", ctx,
    )
    draft.silent.add("legal_basis")  # a risk-control chart has no legal-basis column
    for stage in flow.stages:
        concept = ctx.vocabulary.stage_for(stage.label)
        draft.stages.append(
            StageDraft(
                label=compact(stage.label),
                stage_type=str(concept.iri) if concept else None,
                line=stage.line,
                description=stage.description.text if stage.description else None,
            )
        )
    _order_stages(draft, ctx.vocabulary)
    for group in flow.groups:
        reading = read_level(group.level.text, ctx.vocabulary) if group.level else None
        level = level_iri(reading.word) if reading else None
        controls = group.controls or flow.shared_controls
        for risk in group.risks:
            draft.risks.append(RiskDraft(risk, str(level) if level else None, group.level, controls, group.role, group.stage))
    return draft


_ORDER_TOLERANCE = 5
"""How far back (in the stage types' qz:order) a printed box may step and the printed order
still be a procedure's: 催告 (62) printed before 决定 (60) is the chart's own order; 受理 (20)
printed after 决定 (60) is OCR's scrambling."""


def _order_stages(draft: ItemDraft, vocabulary: Vocabulary) -> None:
    """Number stages as the chart prints them where that order is a procedure's (qz:orderSource
    "chart"); where OCR printed the boxes out of order, by the stage types' usual order
    ("vocabulary")."""
    orders = {str(s.iri): s.order for s in vocabulary.stages}
    ranks = [orders.get(stage.stage_type or "", 500) for stage in draft.stages]
    printed_ok = all(later >= earlier - _ORDER_TOLERANCE for i, earlier in enumerate(ranks) for later in ranks[i + 1 :])
    if printed_ok:
        for position, stage in enumerate(draft.stages, start=1):
            stage.order, stage.order_source = position, "chart"
        return
    ranked = sorted(range(len(draft.stages)), key=lambda i: (ranks[i], i))
    for position, index in enumerate(ranked, start=1):
        draft.stages[index].order, draft.stages[index].order_source = position, "vocabulary"
