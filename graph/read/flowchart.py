"""Reader for risk-control flowcharts (廉政风险防控图) that OCR flattened into text.

Each chart has a header (a title, a category such as 行政处罚类, 职权编码, 职权名称) and a body:
stage labels (立案, 调查取证 …), risk units (risk lines closed by a 风险等级 line) and control
units (control lines closed by a 责任人 line). OCR prints a chart's boxes in a scrambled order,
and may print all headers before all bodies, so the reader:

1. finds the headers; a run of headers with no stage label between them owns the body stream
   that follows, cut into one body per header: after a terminal stage (结案, 办结), and before
   an applicant's act (提出…申请), which opens the next chart;
2. pairs the i-th risk unit with the i-th control unit of a body into a box;
3. assigns boxes to the bureau's stages by an exact minimum-cost matching: a box pays for the
   stage labels it would have to cross to reach its stage (a box is printed just before its
   label) and earns a bonus for mentioning the stage.

Stage knowledge (labels, keywords, applicant acts, terminal stages) comes from a StageLexicon
(the project's stage vocabulary), so the reader holds no stage names of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from quanze.graph.model import FlowItem, FlowStage, RiskGroup, Span
from quanze.graph.repair.lists import split_enumerated
from quanze.graph.read.text import UnreadableInput


class StageLexicon(Protocol):
    """What the reader needs to know about stages; labels come with whitespace removed."""

    def is_stage(self, label: str) -> bool: ...
    def keywords(self, label: str) -> tuple[str, ...]: ...
    def is_party_action(self, label: str) -> bool: ...
    def is_terminal(self, label: str) -> bool: ...


class FlowchartError(UnreadableInput):
    """The text is not a flowchart register this reader can take apart."""


_CODE = re.compile(r"^\s*职权编码\s*[:：]\s*(?P<v>.*?)\s*$")
_NAME = re.compile(r"^\s*职权名称\s*[:：]\s*(?P<v>.*?)\s*$")
_CATEGORY = re.compile(r"^\s*(?P<v>\S{2,10}类)\s*$")
_TITLE = re.compile(r"防控图\s*$")
_LEVEL = re.compile(r"^\s*风险等级\s*[:：]\s*(?P<v>.*?)[\s。.；;，,]*$")
_ROLE = re.compile(r"^\s*责任人\s*[:：]\s*(?P<v>.*?)[\s。.；;，,]*$")
_STAGED = re.compile(r"^\s*(?P<stage>[\u4e00-\u9fff、\s]{1,20}?)环节\s*[:：]\s*(?P<v>.*\S)\s*$")
_CAPTIONS = frozenset({"防控措施", "风险点"})
_MAX_LABEL = 20
"""Longer lines are text even if they mention a stage."""
_HEADER_REACH = 4
"""Non-blank lines around a 职权编码 line that may hold the rest of its header."""
_DESCRIPTION_REACH = 6
"""Source lines between a stage label and a one-line text that explains it."""
_R_WEIGHT, _C_WEIGHT, _MAX_BONUS = 2, 1, 3


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- lines → tokens -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    """"stage", "level", "role" or "text"."""
    text: str
    """The label as printed, the level or role value, or the text line (without "X环节：")."""
    line: int
    stage_hint: str | None = None
    """X of an "X环节：…" risk line: the stage it names."""


def _token(number: int, line: str, lexicon: StageLexicon) -> _Token | None:
    """What one non-blank body line is; None for the captions 风险点 / 防控措施."""
    compact = _compact(line)
    if not compact or compact in _CAPTIONS:
        return None
    if match := _LEVEL.match(line):
        return _Token("level", match.group("v"), number)
    if match := _ROLE.match(line):
        return _Token("role", match.group("v"), number)
    if len(compact) <= _MAX_LABEL and lexicon.is_stage(compact):
        return _Token("stage", line.strip(), number)
    if match := _STAGED.match(line):
        return _Token("text", match.group("v"), number, _compact(match.group("stage")))
    return _Token("text", line.strip(), number)


# --- headers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    line: int
    """First line of the header (its title, else its category, else its code line)."""
    lines: frozenset[int]
    code: Span
    name: Span | None
    category: Span | None


def _nearby(lines: list[str], start: int, step: int, taken: set[int]) -> list[int]:
    """Indices of up to _HEADER_REACH non-blank, unclaimed lines from `start` in one direction."""
    found: list[int] = []
    index = start
    while 0 <= index < len(lines) and len(found) < _HEADER_REACH and index not in taken:
        if lines[index].strip():
            if _CODE.match(lines[index]):
                break
            found.append(index)
        index += step
    return found


def _header(lines: list[str], index: int, taken: set[int]) -> _Header:
    """The header around the 职权编码 line at `index`: its name after (or before) it, its
    category and title before it."""
    code = Span(_CODE.match(lines[index]).group("v"), index + 1)  # type: ignore[union-attr]
    claimed = {index}
    name = None
    after = _nearby(lines, index + 1, 1, taken)
    if after and (found := _NAME.match(lines[after[0]])):
        name = Span(found.group("v"), after[0] + 1)
        claimed.add(after[0])
    category = None
    for back in _nearby(lines, index - 1, -1, taken):
        if name is None and (found := _NAME.match(lines[back])):
            name = Span(found.group("v"), back + 1)
        elif category is None and (found := _CATEGORY.match(lines[back])):
            category = Span(found.group("v"), back + 1)
        elif not _TITLE.search(lines[back]):
            break
        claimed.add(back)
    return _Header(min(claimed) + 1, frozenset(n + 1 for n in claimed), code, name, category)


def _headers(lines: list[str]) -> list[_Header]:
    headers: list[_Header] = []
    taken: set[int] = set()
    for index, line in enumerate(lines):
        if _CODE.match(line):
            header = _header(lines, index, taken)
            taken |= {n - 1 for n in header.lines}
            headers.append(header)
    return headers


# --- bodies -------------------------------------------------------------------------------


def _is_stage(token: _Token) -> bool:
    return token.kind == "stage"


def _split_stream(tokens: list[_Token], lexicon: StageLexicon) -> list[list[_Token]]:
    """Cut a stream of bodies after terminal stages and before an applicant's act.

    An applicant's act opens a chart, and the boxes printed since the last stage label belong
    to that new chart. A tail with no stage label of its own is the last chart's.
    """
    bodies: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        if _is_stage(token) and lexicon.is_party_action(_compact(token.text)):
            last = max((i for i, t in enumerate(current) if _is_stage(t)), default=None)
            if last is not None:
                bodies.append(current[: last + 1])
                current = current[last + 1 :]
        current.append(token)
        if _is_stage(token) and lexicon.is_terminal(_compact(token.text)):
            bodies.append(current)
            current = []
    if current:
        if bodies and not any(_is_stage(t) for t in current):
            bodies[-1].extend(current)
        else:
            bodies.append(current)
    return bodies


def _join(runs: list[tuple[list[_Header], list[_Token]]], header: _Header) -> None:
    """A header joins the current run of headers unless that run already has a chart body."""
    if not runs or (runs[-1][0] and any(_is_stage(t) for t in runs[-1][1])):
        runs.append(([], []))
    runs[-1][0].append(header)


def _runs(headers: list[_Header], tokens: list[_Token]) -> list[tuple[list[_Header], list[_Token]]]:
    """Headers grouped with the body text that follows them.

    A run of headers with no stage label between them shares the stream after it: one header
    per page followed by its chart makes runs of one, all headers first makes a single run.
    Text before the first header joins the first run.
    """
    runs: list[tuple[list[_Header], list[_Token]]] = []
    pending = sorted(headers, key=lambda h: h.line)
    for token in tokens:
        while pending and pending[0].line < token.line:
            _join(runs, pending.pop(0))
        if not runs:
            runs.append(([], []))
        runs[-1][1].append(token)
    for header in pending:
        _join(runs, header)
    return runs


def _bodies(file: str, headers: list[_Header], tokens: list[_Token], lexicon: StageLexicon) -> list[list[_Token]]:
    """One body per header, or FlowchartError when the charts cannot be told apart."""
    bodies: list[list[_Token]] = []
    mismatch: str | None = None
    for run_headers, stream in _runs(headers, tokens):
        found = [stream] if len(run_headers) == 1 else _split_stream(stream, lexicon)
        if len(found) != len(run_headers) and mismatch is None:
            mismatch = f"the {len(run_headers)} headers from line {run_headers[0].line} are followed by {len(found)} bodies"
        bodies.extend(found)
    if mismatch:
        raise FlowchartError(
            f"{file}: {len(headers)} chart headers but {len(bodies)} chart bodies ({mismatch}); "
            "the charts cannot be told apart"
        )
    return bodies


# --- units and boxes ----------------------------------------------------------------------


@dataclass
class _Unit:
    kind: str
    """"risk" (closed by 风险等级), "control" (closed by 责任人) or "loose" (closed by neither)."""
    texts: list[_Token]
    stretch: int
    """Stage labels printed before the unit: it lies in the stretch preceding label `stretch`."""
    after_stage: _Token | None = None
    """The stage label printed right before the unit, if any."""
    closer: _Token | None = None
    role: _Token | None = None
    """A 责任人 printed right after a risk unit's 风险等级: the risk's own role."""

    @property
    def stage_hint(self) -> str | None:
        return next((t.stage_hint for t in self.texts if t.stage_hint), None)

    @property
    def first_line(self) -> int:
        return self.texts[0].line if self.texts else self.closer.line  # type: ignore[union-attr]


def _units(body: list[_Token]) -> tuple[list[_Unit], list[_Token]]:
    """A body's risk, control and loose units in printed order, and its stage labels."""
    units: list[_Unit] = []
    stages: list[_Token] = []
    block: list[_Token] = []
    start = 0

    def close(kind: str, closer: _Token | None = None) -> None:
        before = body[start - 1] if start > 0 and _is_stage(body[start - 1]) else None
        units.append(_Unit(kind, block, len(stages), before, closer))

    for position, token in enumerate(body):
        if token.kind == "text":
            if token.stage_hint and block and not block[-1].stage_hint:
                close("loose")  # "X环节：…" opens a risk of its own
                block = []
            if not block:
                start = position
            block.append(token)
            continue
        if not block:
            start = position
        last = units[-1] if units else None
        if token.kind == "level" and not block and last and last.kind == "loose" and position and _is_stage(body[position - 1]):
            last.kind, last.closer = "risk", token  # risk lines, then the box's label, then its level
        elif token.kind == "level":
            close("risk", token)
        elif token.kind == "role" and not block and last and last.kind == "risk" and last.closer is body[position - 1]:
            last.role = token  # "风险等级：低" then "责任人：…": the risk's own role
        elif token.kind == "role":
            close("control", token)
        else:
            if block:
                close("loose")
            stages.append(token)
        block = []
    if block:
        close("loose")
    return units, stages


def _entries(tokens: list[_Token]) -> list[Span]:
    """The entries of a box's lines with their true line numbers; unnumbered lines are items."""
    listed = split_enumerated("\n".join(t.text for t in tokens), 0)
    if any(n is not None for n in listed.numbers):
        return [Span(e.text, tokens[e.line].line) for e in listed.entries]
    return [Span(e.text, t.line) for t in tokens for e in split_enumerated(t.text, t.line).entries]


@dataclass
class _Box:
    """A risk unit and the control unit paired with it (either may be missing)."""

    risk: _Unit | None
    control: _Unit | None
    text: str = field(init=False)

    def __post_init__(self) -> None:
        parts = (self.risk.texts if self.risk else []) + (self.control.texts if self.control else [])
        self.text = _compact("".join(t.text for t in parts))

    @property
    def line(self) -> int:
        return min(u.first_line for u in (self.risk, self.control) if u)


def _boxes(units: list[_Unit]) -> list[_Box]:
    """Pair the i-th risk unit with the i-th control unit; a risk with its own role stays alone."""
    risks = [u for u in units if u.kind == "risk" and not u.stage_hint and u.role is None]
    controls = [u for u in units if u.kind == "control"]
    alone = [_Box(u, None) for u in units if u.kind == "risk" and not u.stage_hint and u.role is not None]
    paired = [
        _Box(risks[i] if i < len(risks) else None, controls[i] if i < len(controls) else None)
        for i in range(max(len(risks), len(controls)))
    ]
    return paired + alone


# --- assignment ---------------------------------------------------------------------------


def _cost(box: _Box, index: int, label: str, lexicon: StageLexicon) -> int:
    """Cost of putting `box` at the stage label number `index`: labels crossed, less a bonus.

    A box is printed in the stretch of text before its label, so an element in that stretch
    costs 0 and each stage label between them costs 1 (a risk unit twice: OCR moves the
    control units more); each mention of the stage in the box earns 1, at most 3.
    """
    cost = 0
    if box.risk:
        cost += _R_WEIGHT * abs(box.risk.stretch - index)
    if box.control:
        cost += _C_WEIGHT * abs(box.control.stretch - index)
    words = dict.fromkeys([label, *lexicon.keywords(label)])
    hits = sum(box.text.count(word) for word in words if word)
    return cost - min(hits, _MAX_BONUS)


def _assign(costs: list[list[int]]) -> list[int | None]:
    """Column of each row minimising the total cost, one row per column, as many rows as can be.

    Exact: the Hungarian algorithm (shortest augmenting paths with potentials), so any chart
    size is solved in polynomial time; rows beyond the number of columns stay without one.
    """
    if not costs or not costs[0]:
        return [None] * len(costs)
    rows, cols = len(costs), len(costs[0])
    if rows > cols:
        columns = _assign([list(column) for column in zip(*costs)])
        chosen: list[int | None] = [None] * rows
        for col, row in enumerate(columns):
            if row is not None:
                chosen[row] = col
        return chosen
    infinity = float("inf")
    u, v = [0.0] * (rows + 1), [0.0] * (cols + 1)
    owner, way = [0] * (cols + 1), [0] * (cols + 1)  # owner[j]: row (1-based) holding column j
    for row in range(1, rows + 1):
        owner[0], free = row, 0
        slack, used = [infinity] * (cols + 1), [False] * (cols + 1)
        while True:
            used[free] = True
            current, delta, nearest = owner[free], infinity, 0
            for col in range(1, cols + 1):
                if not used[col]:
                    reduced = costs[current - 1][col - 1] - u[current] - v[col]
                    if reduced < slack[col]:
                        slack[col], way[col] = reduced, free
                    if slack[col] < delta:
                        delta, nearest = slack[col], col
            for col in range(cols + 1):
                if used[col]:
                    u[owner[col]] += delta
                    v[col] -= delta
                else:
                    slack[col] -= delta
            free = nearest
            if owner[free] == 0:
                break
        while free:
            previous = way[free]
            owner[free] = owner[previous]
            free = previous
    chosen = [None] * rows
    for col in range(1, cols + 1):
        if owner[col]:
            chosen[owner[col] - 1] = col - 1
    return chosen


def _placements(boxes: list[_Box], stages: list[_Token], lexicon: StageLexicon) -> list[int | None]:
    """Index into `stages` of each box's stage; applicants' acts carry no bureau box."""
    choices = [i for i, s in enumerate(stages) if not lexicon.is_party_action(_compact(s.text))]
    costs = [[_cost(box, i, _compact(stages[i].text), lexicon) for i in choices] for box in boxes]
    return [choices[c] if c is not None else None for c in _assign(costs)]


# --- items --------------------------------------------------------------------------------


def _group(box: _Box, stage: int | None) -> RiskGroup:
    risk, control = box.risk, box.control
    role = (control.closer if control else None) or (risk.role if risk else None)
    return RiskGroup(
        risks=_entries(risk.texts) if risk else [],
        level=Span(risk.closer.text, risk.closer.line) if risk and risk.closer else None,
        controls=_entries(control.texts) if control else [],
        role=Span(role.text, role.line) if role else None,
        stage=stage,
        line=box.line,
    )


def _loose(unit: _Unit, stages: list[_Token], item: FlowItem) -> None:
    """Text closed by neither a level nor a role: a stage's one-line description, else controls
    shared by the whole chart (such as a block printed before the first stage)."""
    label = unit.after_stage
    joined = split_enumerated("\n".join(t.text for t in unit.texts), 0).entries
    if label and unit.texts[0].line - label.line <= _DESCRIPTION_REACH and len(joined) == 1:
        stage = item.stages[stages.index(label)]
        if stage.description is None:
            stage.description = Span(joined[0].text, unit.texts[joined[0].line].line)
            return
    item.shared_controls.extend(_entries(unit.texts))


def _item(file: str, header: _Header, body: list[_Token], lexicon: StageLexicon) -> FlowItem:
    """One chart: its stages, its boxes placed on them, descriptions and shared controls."""
    units, stages = _units(body)
    item = FlowItem(file=file, line=header.line, code=header.code, name=header.name, category=header.category)
    item.stages = [FlowStage(label=s.text, line=s.line) for s in stages]
    for unit in units:
        if unit.kind == "loose":
            _loose(unit, stages, item)
    boxes = _boxes(units)
    groups = [_group(box, stage) for box, stage in zip(boxes, _placements(boxes, stages, lexicon))]
    labels = [_compact(s.text) for s in stages]
    for unit in units:
        if unit.kind == "risk" and unit.stage_hint:
            stage = labels.index(unit.stage_hint) if unit.stage_hint in labels else None
            groups.append(_group(_Box(unit, None), stage))
    item.groups = sorted(groups, key=lambda g: g.line)
    return item


def read_flowchart(text: str, file: str, lexicon: StageLexicon) -> list[FlowItem]:
    """Every chart of a flowchart register, with its stages and risk boxes, in header order."""
    lines = text.split("\n")
    headers = _headers(lines)
    if not headers:
        raise FlowchartError(f"{file}: no flowchart header (职权编码：…) found")
    claimed = {n for h in headers for n in h.lines}
    tokens = [
        token
        for number, line in enumerate(lines, start=1)
        if number not in claimed and (token := _token(number, line, lexicon))
    ]
    bodies = _bodies(file, headers, tokens, lexicon)
    return [_item(file, header, body, lexicon) for header, body in zip(headers, bodies)]
