"""Score the product's reading of the layout corpus (tests/data/layouts) against the facts read
by hand: precision and recall of items, types, citations and levels, jurisdictions, unknown
columns, and the validation findings that are false alarms.

Run:  .venv/bin/python bench/layouts_score.py [--findings]
tests/test_layouts.py uses the same functions, one file at a time.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LAYOUTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts"
_TRAIL = "。．.；;，, \n\t"
_LEVEL_WORDS = {"https://w3id.org/quanze/ontology#High": "高", "https://w3id.org/quanze/ontology#Medium": "中", "https://w3id.org/quanze/ontology#Low": "低"}
TYPE_NAMES = {
    "Licensing": "行政许可", "Penalty": "行政处罚", "Coercion": "行政强制", "Levy": "行政征收", "Benefit": "行政给付",
    "Inspection": "行政检查", "Confirmation": "行政确认", "Reward": "行政奖励", "Adjudication": "行政裁决", "OtherPower": "其他行政权力",
}


def corpus() -> list[Path]:
    return sorted(p for p in LAYOUTS.glob("L*") if p.suffix in (".csv", ".tsv", ".txt", ".xlsx"))


def expected_of(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))


def norm(text: str | None) -> str:
    """Text compared without whitespace, width differences or closing punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text).replace("〈", "《").replace("〉", "》")
    return text.strip(_TRAIL)


def title_key(title: str | None) -> str:
    text = norm(title)
    return text.removeprefix("中华人民共和国")


@dataclass
class Read:
    """What the product read from one file, in the corpus's terms."""

    code: str
    evidence: str
    agency: str
    kind: str
    items: list[dict]
    unknown: list[str]


def read_file(path: Path, ref=None) -> Read:
    from quanze.graph.register import infer_info, read_register, reference

    ref = ref or reference()
    read = read_register(path.read_bytes(), path.name, ref)
    info = infer_info(read)
    items = []
    for draft in read.drafts:
        items.append({
            "name": draft.label or "",
            "parent": draft.parent,
            "power_type": TYPE_NAMES.get((draft.power_type or "").rsplit("#", 1)[-1]),
            "citations": [_citation(link, ref) for link in draft.citations],
            "duty_citations": [_citation(link, ref) for link in draft.duty_citations],
            "accountability_citations": [_citation(link, ref) for link in draft.accountability_citations],
            "levels": [(norm(r.text.text), _LEVEL_WORDS.get(r.level or "")) for r in draft.risks],
            "counts": draft.level_counts,
        })
    evidence = info.evidence.split(":", 1)[0].strip()
    kind = "risk-register" if info.kind == "risk-flowchart" else info.kind  # a risk register laid out as a flowchart
    return Read(info.division_code, evidence, info.agency, kind, items, list(read.unknown_columns))


def _citation(link, ref) -> tuple[str, tuple[int, ...]]:
    instrument = ref.catalogue.get(link.resolution.instrument_id or "")
    if instrument is not None:
        title = instrument.title
    elif link.cited is not None:
        title = link.cited.title
    else:
        title = "?" + (link.citation.title_raw or "")
    return title_key(title), tuple(sorted(link.citation.articles))


@dataclass
class Tally:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def add(self, kind: str, expected: set | Counter, got: set | Counter) -> None:
        expected, got = Counter(expected), Counter(got)
        self.tp[kind] += sum((expected & got).values())
        self.fp[kind] += sum((got - expected).values())
        self.fn[kind] += sum((expected - got).values())

    def precision(self, kind: str) -> float:
        return self.tp[kind] / (self.tp[kind] + self.fp[kind]) if self.tp[kind] + self.fp[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.tp[kind] / (self.tp[kind] + self.fn[kind]) if self.tp[kind] + self.fn[kind] else 1.0


def compare(expected: dict, got: Read, tally: Tally) -> list[str]:
    """Tally one file and list what differs."""
    problems: list[str] = []
    want_items = [(norm(i["name"]), norm(i.get("parent"))) for i in expected["items"]]
    got_items = [(norm(i["name"]), norm(i.get("parent"))) for i in got.items]
    tally.add("items", want_items, got_items)
    if Counter(want_items) != Counter(got_items):
        problems.append(f"items: missing {sorted(set(want_items) - set(got_items))}, extra {sorted(set(got_items) - set(want_items))}")
    by_name = {norm(i["name"]): i for i in got.items}
    want_types, got_types, want_cites, got_cites, want_levels, got_levels = [], [], [], [], [], []
    want_other, got_other = [], []
    for item in expected["items"]:
        key = norm(item["name"])
        mine = by_name.get(key, {"power_type": None, "citations": [], "duty_citations": [], "accountability_citations": [], "levels": [], "counts": None})
        if item.get("power_type"):
            want_types.append((key, item["power_type"]))
        if mine["power_type"]:
            got_types.append((key, mine["power_type"]))
        want_cites += [(key, title_key(c["instrument"]), tuple(sorted(c["articles"]))) for c in item.get("citations", [])]
        got_cites += [(key, *c) for c in mine["citations"]]
        for field_name in ("duty_citations", "accountability_citations"):
            want_other.extend((key, field_name, title_key(c["instrument"]), tuple(sorted(c["articles"]))) for c in item.get(field_name, []))
            got_other.extend((key, field_name, *c) for c in mine[field_name])
        want_levels += [(key, norm(r["text"]), r["level"]) for r in item.get("risks", []) if r.get("level")]
        got_levels += [(key, text, level) for text, level in mine["levels"] if level]
        counts = (item.get("levels") or {}).get("counts")
        if counts:
            want_levels.append((key, "counts", tuple(sorted(counts.items()))))
        if mine.get("counts"):
            got_levels.append((key, "counts", tuple(sorted(mine["counts"].items()))))
    for kind, want, have in (
        ("types", want_types, got_types), ("citations", want_cites, got_cites), ("levels", want_levels, got_levels),
        ("other citations", want_other, got_other),
    ):
        tally.add(kind, want, have)
        if Counter(want) != Counter(have):
            problems.append(f"{kind}: missing {sorted(set(want) - set(have))}, extra {sorted(set(have) - set(want))}")
    jurisdiction = expected["jurisdiction"]
    tally.add("jurisdiction", {(jurisdiction["code"], jurisdiction["evidence"])}, {(got.code, got.evidence)})
    if (got.code, got.evidence) != (jurisdiction["code"], jurisdiction["evidence"]):
        problems.append(f"jurisdiction: expected {jurisdiction}, got {got.code} by {got.evidence}")
    if expected.get("agency") and not _same_township(expected["agency"], got.agency):
        problems.append(f"agency: expected {expected['agency']}, got {got.agency}")
    tally.add("kind", {expected["kind"]}, {got.kind})
    if expected["kind"] != got.kind:
        problems.append(f"kind: expected {expected['kind']}, got {got.kind}")
    want_unknown = {norm(u) for u in expected.get("unknown_columns", [])}
    got_unknown = {norm(u) for u in got.unknown}
    tally.add("unknown columns", want_unknown, got_unknown)
    if want_unknown != got_unknown:
        problems.append(f"unknown columns: expected {sorted(want_unknown)}, got {sorted(got_unknown)}")
    return problems


def _same_township(expected: str, got: str) -> bool:
    township = re.search(r"[\u4e00-\u9fff]{2,4}?(?:街道|镇|乡)", expected)
    return bool(township and township.group(0) in got)


# --- false alarms -----------------------------------------------------------------------------

# A Violation is a false alarm when the register states the thing in a column (or label) the
# reader should have understood: these are the checks whose subject every corpus file states
# wherever it applies (legal basis, power type, jurisdiction, risk level, name).
def false_alarms(path: Path, kit=None) -> list[str]:
    """Violations on a corpus file that a lawyer would not raise, because the file states the
    thing: an empty or unparseable legal basis where the file cites an instrument, a missing type,
    jurisdiction, level or name where the expected facts give one. Missing procedure stages are
    not counted as false alarms: a file whose duties do not name a stage does not state it."""
    from quanze.graph.validate.shapes import validate_files

    report = validate_files([(path.name, path.read_bytes())], kit=kit)
    expected = expected_of(path)
    alarms = []
    items = {norm(i["name"]): i for i in expected["items"]}
    for finding in report.findings:
        if finding.severity != "Violation":
            continue
        where = f"{finding.constraint} {finding.path or ''}"
        item = items.get(norm(finding.item), {})
        states = {
            "ArticleBasis": bool(item.get("citations")),
            "powerType": bool(item.get("power_type")),
            "jurisdiction": bool(expected["jurisdiction"].get("code")),
            "riskLevel": any(r.get("level") for r in item.get("risks", [])) or bool(item.get("levels")),
            "label": bool(item.get("name")),
            "resolution": bool(item.get("citations")),
        }
        columns = set(expected.get("columns", {}).values())
        states["responsibleRole"] = bool({"role", "leader", "department", "post"} & columns) or not columns
        states["qz:control"] = "controls" in columns or not columns
        if any(check in where and stated for check, stated in states.items()):
            alarms.append(f"{path.name} row {finding.row}: {finding.message} [{finding.constraint}]")
    return alarms


def main(argv: list[str]) -> int:
    from quanze.graph.register import reference

    ref = reference()
    tally = Tally()
    failures = 0
    for path in corpus():
        problems = compare(expected_of(path), read_file(path, ref), tally)
        failures += bool(problems)
        print(f"{'ok  ' if not problems else 'DIFF'} {path.name}")
        for problem in problems:
            print("     " + problem)
    print()
    print(f"{'facts':<16}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    for kind in ("items", "types", "citations", "other citations", "levels", "jurisdiction", "kind", "unknown columns"):
        print(f"{kind:<16}{tally.precision(kind):>10.3f}{tally.recall(kind):>8.3f}{tally.tp[kind]:>6}{tally.fp[kind]:>5}{tally.fn[kind]:>5}")
    if "--findings" in argv:
        alarms = [a for path in corpus() for a in false_alarms(path)]
        print(f"\nfalse alarms (Violations on what the register states): {len(alarms)}")
        for alarm in alarms:
            print("  " + alarm)
    print(f"\nfiles read with every expected fact: {len(corpus()) - failures} of {len(corpus())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
