"""Reader for risk-control flowcharts (廉政风险防控图) that OCR flattened into text.

Each chart has a header (职权编码, 职权名称, a category such as 行政处罚类) and a body of
boxes: stage labels (立案, 调查取证 …), risk boxes (risk lines closed by 风险等级) and control
boxes (control lines closed by 责任人). OCR prints a chart's boxes in a scrambled order and may
print all headers before all bodies, so the reader:

1. finds the headers, and cuts the body stream into one body per header (after a terminal
   stage such as 结案 / 办结, or before an applicant's 提出…申请 that opens a new chart);
2. pairs the i-th risk box with the i-th control box of a body;
3. assigns the pairs to the bureau's stages by an exact minimum-cost matching, where the cost
   counts the stage labels a box would have to cross (a label is printed after its box) and
   rewards boxes whose text mentions the stage.

Stage knowledge (labels, keywords, applicant acts, terminal stages) comes from a lexicon, the
project's stage vocabulary (graph.vocab.Vocabulary), so the reader itself holds no Chinese
stage names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from graph.model import FlowItem, FlowStage, RiskGroup, Span
from graph.split_lists import split_enumerated


class StageLexicon(Protocol):
    def is_stage(self, label: str) -> bool: ...
    def keywords(self, label: str) -> tuple[str, ...]: ...
    def is_party_action(self, label: str) -> bool: ...
    def is_terminal(self, label: str) -> bool: ...


class FlowchartError(ValueError):
    """The text is not a flowchart register this reader understands."""


_CODE = re.compile(r"^\s*职权编码\s*[:：]\s*(?P<v>.*\S)\s*$")
_NAME = re.compile(r"^\s*职权名称\s*[:：]\s*(?P<v>.*\S)\s*$")
_CATEGORY = re.compile(r"^\s*(?P<v>\S{2,10}类)\s*$")
_LEVEL = re.compile(r"^\s*风险等级\s*[:：]\s*(?P<v>.*?)[\s。.；;]*$")
_ROLE = re.compile(r"^\s*责任人\s*[:：]\s*(?P<v>.*\S)\s*$")
_STAGED = re.compile(r"^\s*(?P<stage>[\u4e00-\u9fff]{1,8})环节\s*[:：]\s*(?P<v>.*\S)\s*$")
_CAPTIONS = {"防控措施", "风险点"}
_MAX_LABEL = 20
_R_WEIGHT, _C_WEIGHT, _MAX_BONUS, _NO_STAGE = 2, 1, 3, 50


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- tokens -------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # "stage", "level", "role", "text"
    text: str
    line: int
    stage_hint: str | None = None  # "检查" of "检查环节：…"


def _tokenise(lines: list[tuple[int, str]], lexicon: StageLexicon) -> list[_Token]:
    tokens = []
    for number, line in lines:
        compact = _compact(line)
        if not compact or compact in _CAPTIONS:
            continue
        if match := _LEVEL.match(line):
            tokens.append(_Token("level", match.group("v").strip(), number))
        elif match := _ROLE.match(line):
            tokens.append(_Token("role", match.group("v").strip(), number))
        elif len(compact) <= _MAX_LABEL and lexicon.is_stage(compact):
            tokens.append(_Token("stage", line.strip(), number))
        elif match := _STAGED.match(line):
            tokens.append(_Token("text", match.group("v"), number, match.group("stage")))
        else:
            tokens.append(_Token("text", line.strip(), number))
    return tokens


# --- headers and bodies -------------------------------------------------------------------


@dataclass
class _Header:
    line: int
    end: int
    code: Span | None
    name: Span | None
    category: Span | None


def _headers(lines: list[str]) -> list[_Header]:
    headers: list[_Header] = []
    for index, line in enumerate(lines):
        match = _CODE.match(line)
        if not match:
            continue
        number = index + 1
        category = None
        for back in range(index - 1, max(-1, index - 6), -1):
            if cat := _CATEGORY.match(lines[back]):
                category = Span(cat.group("v"), back + 1)
                break
        name, end = None, number
        for ahead in range(index + 1, min(len(lines), index + 4)):
            if found := _NAME.match(lines[ahead]):
                name, end = Span(found.group("v").strip(), ahead + 1), ahead + 1
                break
        start = category.line if category else number
        headers.append(_Header(start, end, Span(match.group("v"), number), name, category))
    return headers


def _is_header_line(line: str) -> bool:
    compact = _compact(line)
    return compact.endswith("风险防控图") or bool(_CATEGORY.match(line) and compact.endswith("类") and len(compact) <= 10)


def _split_stream(tokens: list[_Token], lexicon: StageLexicon) -> list[list[_Token]]:
    """Cut a stream of bodies after terminal stages and before an applicant's filing."""
    bodies: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        if token.kind == "stage" and lexicon.is_party_action(_compact(token.text)):
            stages = [i for i, t in enumerate(current) if t.kind == "stage"]
            if stages:
                bodies.append(current[: stages[-1] + 1])
                current = current[stages[-1] + 1 :]
        current.append(token)
        if token.kind == "stage" and lexicon.is_terminal(_compact(token.text)):
            bodies.append(current)
            current = []
    if current:
        bodies.append(current)
    return bodies


# --- units and boxes ----------------------------------------------------------------------


@dataclass
class _Unit:
    kind: str  # "risk", "control", "loose"
    texts: list[_Token]
    position: int
    closer: _Token | None = None
    role: _Token | None = None
    stage_hint: str | None = None


def _units(body: list[_Token]) -> tuple[list[_Unit], list[tuple[int, _Token]]]:
    """Risk, control and loose text units of a body, and its stage labels with positions."""
    units: list[_Unit] = []
    stages: list[tuple[int, _Token]] = []
    block: list[_Token] = []
    for position, token in enumerate(body):
        if token.kind == "text":
            if token.stage_hint and block and not block[-1].stage_hint:
                units.append(_Unit("loose", block, position))  # "X环节：…" opens a risk of its own
                block = []
            block.append(token)
            continue
        if token.kind == "level":
            hint = next((t.stage_hint for t in block if t.stage_hint), None)
            units.append(_Unit("risk", block, position, token, stage_hint=hint))
        elif token.kind == "role":
            last = units[-1] if units else None
            if not block and last and last.kind == "risk" and last.closer is body[position - 1] and last.role is None:
                last.role = token  # "风险等级：低 / 责任人：…" right after a risk: that risk's role
            else:
                units.append(_Unit("control", block, position, token))
        else:  # a stage label
            if block:
                units.append(_Unit("loose", block, position))
            stages.append((position, token))
        block = []
    if block:
        units.append(_Unit("loose", block, len(body)))
    return units, stages


def _entries(tokens: list[_Token]) -> list[Span]:
    """Enumerated entries of a box's lines, each with its true line number."""
    joined = "\n".join(t.text for t in tokens)
    lines = [t.line for t in tokens]
    return [Span(e.text, lines[e.line]) for e in split_enumerated(joined, 0).entries]


def _displacement(position: int, target: int, labels: list[int]) -> int:
    """Stage labels an element must cross to reach the label at `target` (0: just before it)."""
    low, high = sorted((position, target))
    crossed = sum(1 for p in labels if low < p < high)
    return crossed + (1 if position > target else 0)


@dataclass
class _Box:
    risk: _Unit | None
    control: _Unit | None
    text: str = field(init=False)

    def __post_init__(self) -> None:
        parts = (self.risk.texts if self.risk else []) + (self.control.texts if self.control else [])
        self.text = "".join(t.text for t in parts)


def _cost(box: _Box, stage: tuple[int, _Token], labels: list[int], lexicon: StageLexicon) -> int:
    position, token = stage
    cost = 0
    if box.risk:
        cost += _R_WEIGHT * _displacement(box.risk.position, position, labels)
    if box.control:
        cost += _C_WEIGHT * _displacement(box.control.position, position, labels)
    label = _compact(token.text)
    hits = sum(box.text.count(word) for word in {label, *lexicon.keywords(label)} if word)
    return cost - min(hits, _MAX_BONUS)


def _assign(boxes: list[_Box], stages: list[tuple[int, _Token]], lexicon: StageLexicon) -> list[int | None]:
    """Index into `stages` for each box, minimising the total cost.

    Exact: a dynamic programme over the boxes in order and the set of stages already taken
    (charts have fewer than ten stages); a box may also stay without a stage, at a high cost.
    """
    labels = [p for p, _ in stages]
    choices = [i for i, (_, t) in enumerate(stages) if not lexicon.is_party_action(_compact(t.text))]
    costs = [[_cost(box, stages[s], labels, lexicon) for s in choices] for box in boxes]
    best: dict[int, tuple[int, tuple[int | None, ...]]] = {0: (0, ())}
    for b in range(len(boxes)):
        step: dict[int, tuple[int, tuple[int | None, ...]]] = {}
        for used, (total, chosen) in best.items():
            options = [(total + _NO_STAGE, used, chosen + (None,))]
            options += [
                (total + costs[b][k], used | 1 << k, chosen + (choices[k],))
                for k in range(len(choices))
                if not used & 1 << k
            ]
            for cost, mask, path in options:
                if mask not in step or cost < step[mask][0]:
                    step[mask] = (cost, path)
        best = step
    return list(min(best.values(), key=lambda v: v[0])[1]) if boxes else []


# --- items --------------------------------------------------------------------------------


def _item(file: str, header: _Header, body: list[_Token], lexicon: StageLexicon) -> FlowItem:
    units, stage_tokens = _units(body)
    item = FlowItem(file=file, line=header.line, code=header.code, name=header.name, category=header.category)
    index_of = {}
    for index, (position, token) in enumerate(stage_tokens):
        index_of[position] = index
        item.stages.append(FlowStage(label=token.text, line=token.line))
    for unit in units:
        if unit.kind != "loose":
            continue
        start = unit.position - len(unit.texts)
        entries = _entries(unit.texts)
        if start > 0 and body[start - 1].kind == "stage" and len(entries) == 1:
            # one line printed right under a stage label explains that stage
            item.stages[index_of[start - 1]].description = Span(entries[0].text, entries[0].line)
        else:
            item.shared_controls.extend(entries)
    risks = [u for u in units if u.kind == "risk" and not u.stage_hint]
    controls = [u for u in units if u.kind == "control"]
    boxes = [_Box(risks[i] if i < len(risks) else None, controls[i] if i < len(controls) else None)
             for i in range(max(len(risks), len(controls)))]
    for box, stage in zip(boxes, _assign(boxes, stage_tokens, lexicon)):
        item.groups.append(_group(box.risk, box.control, stage))
    for unit in units:
        if unit.kind == "risk" and unit.stage_hint:
            stage = next((i for i, s in enumerate(item.stages) if _compact(s.label) == unit.stage_hint), None)
            item.groups.append(_group(unit, None, stage))
    item.groups.sort(key=lambda g: g.line)
    return item


def _group(risk: _Unit | None, control: _Unit | None, stage: int | None) -> RiskGroup:
    first = min(u.texts[0].line if u.texts else u.closer.line for u in (risk, control) if u and (u.texts or u.closer))
    role = (control.closer if control else None) or (risk.role if risk else None)
    return RiskGroup(
        risks=_entries(risk.texts) if risk else [],
        level=Span(risk.closer.text, risk.closer.line) if risk and risk.closer else None,
        controls=_entries(control.texts) if control else [],
        role=Span(role.text, role.line) if role else None,
        stage=stage,
        line=first,
    )


def read_flowchart(text: str, file: str, lexicon: StageLexicon) -> list[FlowItem]:
    """Every chart of a flowchart register, with its stages and risk boxes."""
    lines = text.split("\n")
    headers = _headers(lines)
    if not headers:
        raise FlowchartError(f"{file}: no flowchart header (职权编码：…) found")
    header_lines = {n for h in headers for n in range(h.line, h.end + 1)}
    body_lines = [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if number not in header_lines and not _is_header_line(line) and line.strip()
    ]
    interleaved = any(headers[0].end < n < headers[-1].line for n, _ in body_lines)
    if interleaved:
        bodies = []
        for index, header in enumerate(headers):
            stop = headers[index + 1].line if index + 1 < len(headers) else len(lines) + 1
            bodies.append(_tokenise([(n, l) for n, l in body_lines if header.end < n < stop], lexicon))
    else:
        bodies = _split_stream(_tokenise(body_lines, lexicon), lexicon)
    if len(bodies) != len(headers):
        raise FlowchartError(
            f"{file}: {len(headers)} chart headers but {len(bodies)} chart bodies; the charts cannot be told apart"
        )
    return [_item(file, header, body, lexicon) for header, body in zip(headers, bodies)]
