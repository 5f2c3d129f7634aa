"""Compare jurisdictions' registers through the canonical catalogue.

Which powers both list, which only one does; for a power both list, the articles one cites
and the other does not, the stages one has and the other lacks, and where their risk levels
differ for the same stage. Also the matrix of all jurisdictions × canonical powers. Runs on
any `select` function (the embedded store today, a remote endpoint later).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from quanze.graph.query.terms import division_code, term
from quanze.graph.query.text_table import format_table

Select = Callable[[str], list[dict[str, str | None]]]

PREFIXES = """PREFIX qz: <https://w3id.org/quanze/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_LEVEL = {"High": "高", "Medium": "中", "Low": "低"}


@dataclass
class Power:
    """What one jurisdiction's item(s) for one canonical power say."""

    items: list[str] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)
    levels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class SharedDifference:
    canonical: str
    name: str
    articles_only_a: list[str]
    articles_only_b: list[str]
    stages_only_a: list[str]
    stages_only_b: list[str]
    level_differences: list[tuple[str, list[str], list[str]]]


@dataclass
class Comparison:
    a: str
    b: str
    a_name: str
    b_name: str
    both: list[tuple[str, str]]
    only_a: list[tuple[str, str, list[str]]]
    only_b: list[tuple[str, str, list[str]]]
    differences: list[SharedDifference]
    unaligned_a: list[str]
    unaligned_b: list[str]


class UnknownJurisdiction(ValueError):
    """No register of that division code is in the store."""


def jurisdiction_name(select: Select, code: str) -> str:
    """InvalidParameter (graph.query.terms) unless `code` is six ASCII digits."""
    rows = select(PREFIXES + f"SELECT ?name WHERE {{ ?j qz:divisionCode {term(division_code(code))} ; rdfs:label ?name }} LIMIT 1")
    if not rows:
        raise UnknownJurisdiction(f"no register of jurisdiction {code} is in the store")
    return str(rows[0]["name"])


def powers(select: Select, code: str) -> tuple[dict[str, Power], dict[str, str], list[str]]:
    """Canonical id → Power for a jurisdiction; canonical names; labels of unaligned items."""
    # the division code first (the narrowest pattern), the type test last: `?item a qz:PowerItem`
    # would make the embedded engine start from every item of the country
    base = f"?j qz:divisionCode {term(division_code(code))} . ?item qz:jurisdiction ?j . FILTER EXISTS {{ ?item a qz:PowerItem }}"
    result: dict[str, Power] = defaultdict(Power)
    names: dict[str, str] = {}
    for row in select(PREFIXES + f"""SELECT ?cid ?cname ?label WHERE {{ {base}
            ?item qz:canonicalPower ?c . ?c skos:notation ?cid ; rdfs:label ?cname .
            OPTIONAL {{ ?item rdfs:label ?label }} }}"""):
        names[row["cid"]] = row["cname"]
        label = row["label"] or "（无名称）"
        if label not in result[row["cid"]].items:
            result[row["cid"]].items.append(label)
    for row in select(PREFIXES + f"""SELECT DISTINCT ?cid ?art WHERE {{ {base}
            ?item qz:canonicalPower/skos:notation ?cid ; qz:legalBasis/rdfs:label ?art }}"""):
        result[row["cid"]].articles.add(row["art"])
    for row in select(PREFIXES + f"""SELECT DISTINCT ?cid ?stage WHERE {{ {base}
            ?item qz:canonicalPower/skos:notation ?cid ; qz:hasStage/qz:stageType/skos:prefLabel ?stage .
            FILTER(lang(?stage) = "zh") }}"""):
        result[row["cid"]].stages.add(row["stage"])
    for row in select(PREFIXES + f"""SELECT DISTINCT ?cid ?stage ?level WHERE {{ {base}
            ?item qz:canonicalPower/skos:notation ?cid ; qz:hasRiskPoint ?r .
            ?r qz:riskLevel ?level ; qz:atStage/qz:stageType/skos:prefLabel ?stage . FILTER(lang(?stage) = "zh") }}"""):
        result[row["cid"]].levels[row["stage"]].add(_LEVEL.get(str(row["level"]).rsplit("#", 1)[-1], str(row["level"])))
    unaligned = [
        row["label"] or "（无名称）"
        for row in select(PREFIXES + f"""SELECT ?label WHERE {{ {base} OPTIONAL {{ ?item rdfs:label ?label }}
            OPTIONAL {{ ?item qz:canonicalPower ?c }} FILTER(!BOUND(?c)) }}""")
    ]
    return dict(result), names, unaligned


def compare(select: Select, a: str, b: str) -> Comparison:
    """InvalidParameter (graph.query.terms) before any query unless both codes are six ASCII digits."""
    division_code(a), division_code(b)
    a_name, b_name = jurisdiction_name(select, a), jurisdiction_name(select, b)
    pa, names_a, unaligned_a = powers(select, a)
    pb, names_b, unaligned_b = powers(select, b)
    names = {**names_a, **names_b}
    both = sorted(set(pa) & set(pb))
    differences = []
    for cid in both:
        x, y = pa[cid], pb[cid]
        levels = [
            (stage, sorted(x.levels[stage]), sorted(y.levels[stage]))
            for stage in sorted(set(x.levels) & set(y.levels))
            if x.levels[stage] != y.levels[stage]
        ]
        differences.append(
            SharedDifference(
                cid, names[cid],
                sorted(x.articles - y.articles), sorted(y.articles - x.articles),
                sorted(x.stages - y.stages), sorted(y.stages - x.stages),
                levels,
            )
        )
    return Comparison(
        a, b, a_name, b_name,
        both=[(cid, names[cid]) for cid in both],
        only_a=[(cid, names[cid], pa[cid].items) for cid in sorted(set(pa) - set(pb))],
        only_b=[(cid, names[cid], pb[cid].items) for cid in sorted(set(pb) - set(pa))],
        differences=differences,
        unaligned_a=unaligned_a,
        unaligned_b=unaligned_b,
    )


# --- rendering -------------------------------------------------------------------------------


def to_text(c: Comparison) -> str:
    A, B = f"{c.a_name}（{c.a}）", f"{c.b_name}（{c.b}）"
    out = [f"比较 {A} 与 {B}", f"两地均有 {len(c.both)} 项；仅{A} {len(c.only_a)} 项；仅{B} {len(c.only_b)} 项", ""]
    out.append(f"== 仅{A}有的权力（{B}清单中没有）")
    out += [f"  - {name}  [{cid}]  ← {'；'.join(items)}" for cid, name, items in c.only_a] or ["  （无）"]
    out.append(f"== 仅{B}有的权力（{A}清单中没有）")
    out += [f"  - {name}  [{cid}]  ← {'；'.join(items)}" for cid, name, items in c.only_b] or ["  （无）"]
    out.append("== 两地均有的权力：依据、环节与风险等级的差异")
    for d in c.differences:
        lines = []
        if d.articles_only_a or d.articles_only_b:
            lines.append(f"    依据：仅{c.a_name}引 {('、'.join(d.articles_only_a) or '—')}；仅{c.b_name}引 {('、'.join(d.articles_only_b) or '—')}")
        if d.stages_only_a or d.stages_only_b:
            lines.append(f"    环节：仅{c.a_name}有 {('、'.join(d.stages_only_a) or '—')}；仅{c.b_name}有 {('、'.join(d.stages_only_b) or '—')}")
        for stage, la, lb in d.level_differences:
            lines.append(f"    风险等级（{stage}）：{c.a_name} {'/'.join(la)}，{c.b_name} {'/'.join(lb)}")
        out.append(f"  * {d.name}  [{d.canonical}]" + ("" if lines else "  —— 无差异"))
        out += lines
    if c.unaligned_a or c.unaligned_b:
        out.append("== 未能对齐、待人工复核的事项")
        out += [f"  - {c.a_name}：{label}" for label in c.unaligned_a] + [f"  - {c.b_name}：{label}" for label in c.unaligned_b]
    return "\n".join(out) + "\n"


def to_json(c: Comparison) -> str:
    return json.dumps(asdict(c), ensure_ascii=False, indent=2)


def to_csv(c: Comparison) -> str:
    """The differences as CSV for a spreadsheet (printed: no BOM); cells that begin like a formula are neutralised."""
    from quanze.graph.query.spreadsheet import csv_text

    rows: list[list[object]] = []
    for cid, name, items in c.only_a:
        rows.append([cid, name, c.a, "power", "；".join(items), ""])
    for cid, name, items in c.only_b:
        rows.append([cid, name, c.b, "power", "", "；".join(items)])
    for d in c.differences:
        rows.append([d.canonical, d.name, "both", "articles", "；".join(d.articles_only_a), "；".join(d.articles_only_b)])
        rows.append([d.canonical, d.name, "both", "stages", "；".join(d.stages_only_a), "；".join(d.stages_only_b)])
        for stage, la, lb in d.level_differences:
            rows.append([d.canonical, d.name, "both", f"risk level {stage}", "/".join(la), "/".join(lb)])
    return csv_text(["canonical", "name", "in", "aspect", f"only_{c.a}", f"only_{c.b}"], rows, bom=False)


def matrix(select: Select) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[tuple[str, str], int]]:
    """(jurisdictions, canonical powers, (code, canonical) → number of items).

    Read from the per-register summaries (graph/query/summaries.py) where the store has them."""
    from quanze.graph.query import summaries

    if summaries.available(select):
        return summaries.matrix_table(select)
    return summaries.table_of(matrix_scan(select))


def matrix_scan(select: Select) -> list[dict[str, str | None]]:
    """The matrix's rows counted item by item over the whole country (a store without summaries)."""
    return select(PREFIXES + """SELECT ?code ?jname ?cid ?cname (COUNT(DISTINCT ?item) AS ?n) WHERE {
        ?item a qz:PowerItem ; qz:jurisdiction ?j ; qz:canonicalPower ?c .
        ?j qz:divisionCode ?code ; rdfs:label ?jname . ?c skos:notation ?cid ; rdfs:label ?cname }
        GROUP BY ?code ?jname ?cid ?cname""")


def matrix_text(select: Select) -> str:
    jurisdictions, canon, counts = matrix(select)
    header = ["标准权力事项", "编号"] + [f"{name}{code}" for code, name in jurisdictions]
    rows = [
        [name, cid] + [str(counts[(code, cid)]) if counts.get((code, cid)) else "·" for code, _ in jurisdictions]
        for cid, name in canon
    ]
    return format_table(header, rows, max_cell=40) + "\n"


def matrix_csv(select: Select) -> str:
    """The matrix as CSV (no BOM: it is printed): canonical power, id, then one count per jurisdiction."""
    from quanze.graph.query.spreadsheet import csv_text

    jurisdictions, canon, counts = matrix(select)
    header = ["标准权力事项", "编号"] + [f"{name}{code}" for code, name in jurisdictions]
    rows = [[name, cid] + [counts.get((code, cid), 0) for code, _ in jurisdictions] for cid, name in canon]
    return csv_text(header, rows, bom=False)


def matrix_json(select: Select) -> str:
    jurisdictions, canon, counts = matrix(select)
    return json.dumps({
        "jurisdictions": [{"code": code, "name": name} for code, name in jurisdictions],
        "canonical": [{"id": cid, "name": name} for cid, name in canon],
        "counts": [{"code": code, "canonical": cid, "items": n} for (code, cid), n in sorted(counts.items())],
    }, ensure_ascii=False, indent=2)
