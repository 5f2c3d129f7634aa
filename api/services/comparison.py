"""What the compare page shows: the matrix as cells, two jurisdictions side by side, chart data.

Everything comes from small SPARQL queries over the union of graphs (any `select` function);
canonical powers are named by their Chinese names (rdfs:label of qz:CanonicalPower).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from quanze.graph.query.compare import PREFIXES, Select, jurisdiction_name, powers

LEVELS = {3: "高", 2: "中", 1: "低"}
LEVELS_EN = {3: "High", 2: "Medium", 1: "Low"}


def _lang_filter(var: str, lang: str) -> str:
    return f'FILTER(lang({var}) = "{ "en" if lang == "en" else "zh" }")'


@dataclass
class Cell:
    items: list[tuple[str, str]] = field(default_factory=list)
    """(item IRI, label) of the jurisdiction's items aligned to the canonical power."""
    top: int = 0
    """The highest risk level among the items' risk points (3 高, 2 中, 1 低; 0 none recorded)."""
    risks: int = 0


@dataclass
class Matrix:
    jurisdictions: list[tuple[str, str]]
    canonical: list[tuple[str, str, str]]
    """(id, Chinese name, power type label)."""
    cells: dict[tuple[str, str], Cell]

    def row_total(self, cid: str) -> int:
        return sum(1 for code, _ in self.jurisdictions if (code, cid) in self.cells)


def matrix_cells(select: Select, lang: str = "zh", codes: list[str] | None = None) -> Matrix:
    """The matrix, from the per-register summaries where the store has them (else counted item by item);
    with `codes`, only the columns of the jurisdictions with those division codes (one province)."""
    from quanze.graph.query import summaries

    if not summaries.available(select):
        return matrix_cells_scan(select, lang, codes)
    if codes is None:
        cell_rows, item_rows = summaries.matrix_cells(select, lang)
    else:
        cell_rows, item_rows = summaries.matrix_cells_of(select, codes, lang)
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in sorted(item_rows, key=lambda r: (r["cell"], r["item"], r["label"] or "")):
        members[r["cell"]].append((r["item"], r["label"] or ""))
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    canonical: dict[str, tuple[str, str, str]] = {}
    for r in cell_rows:
        cell = cells[(r["code"], r["cid"])]
        for item, label in members.get(r["cell"], []):
            if item not in [i for i, _ in cell.items]:
                cell.items.append((item, label))
        cell.top = max(cell.top, int(float(r["top"])) if r["top"] else 0)
        cell.risks += int(r["risks"] or 0)
        canonical[r["cid"]] = (r["cid"], r["cname"], r["type"] or "")
    return _matrix(cells, canonical, {(r["code"], r["jname"]) for r in cell_rows})


LEVEL_CLASSES = {3: "lv-high", 2: "lv-medium", 1: "lv-low"}
MARKS = {"zh": {3: "高", 2: "中", 1: "低"}, "en": {3: "H", 2: "M", 1: "L"}}


def matrix_grid(matrix: Matrix, lang: str = "zh") -> list[tuple[str, str, str, list, int]]:
    """The matrix as the compare page draws it (templates/_compare_matrix.html): per canonical power its id,
    name, type, per jurisdiction (name, cell) — a cell being (class, the items' names joined, link, mark,
    number of items), or None — and the number of jurisdictions that have it."""
    marks = MARKS["zh" if lang == "zh" else "en"]
    grid = []
    for cid, name, kind in matrix.canonical:
        row = []
        for code, jname in matrix.jurisdictions:
            cell = matrix.cells.get((code, cid))
            if cell:
                row.append((jname, (LEVEL_CLASSES.get(cell.top, "lv-none"), "；".join(label for _, label in cell.items),
                                    str(cell.items[0][0]).replace("https://w3id.org/quanze", "", 1), marks.get(cell.top, "✓"),
                                    len(cell.items))))
            else:
                row.append((jname, None))
        grid.append((cid, name, kind, row, sum(1 for _, cell in row if cell)))
    return grid


def _matrix(cells: dict[tuple[str, str], Cell], canonical: dict[str, tuple[str, str, str]], jurisdictions: set[tuple[str, str]]) -> Matrix:
    ordered_j = sorted(jurisdictions)
    ordered = sorted(canonical.values(), key=lambda c: (c[2], -sum((code, c[0]) in cells for code, _ in ordered_j), c[1]))
    return Matrix(ordered_j, ordered, dict(cells))


def _values(codes: list[str] | None) -> str:
    """A VALUES clause binding ?code to these division codes (nothing when None: every jurisdiction)."""
    from quanze.graph.query.terms import division_code, term

    if codes is None:
        return ""
    return "VALUES ?code { " + " ".join(term(division_code(code)) for code in sorted(set(codes))) + " }"


def matrix_cells_scan(select: Select, lang: str = "zh", codes: list[str] | None = None) -> Matrix:
    """The matrix counted item by item over the whole country (a store without summaries)."""
    if codes is not None and not codes:
        return _matrix({}, {}, set())
    rows = select(PREFIXES + f"""SELECT ?code ?jname ?cid ?cname ?type ?item ?label (MAX(?rank) AS ?top) (COUNT(DISTINCT ?risk) AS ?risks) WHERE {{ {_values(codes)}
        ?item a qz:PowerItem ; qz:jurisdiction ?j ; qz:canonicalPower ?c .
        ?j qz:divisionCode ?code ; rdfs:label ?jname . ?c skos:notation ?cid ; rdfs:label ?cname .
        OPTIONAL {{ ?c qz:powerType/skos:prefLabel ?type {_lang_filter('?type', lang)} }}
        OPTIONAL {{ ?item rdfs:label ?label }}
        OPTIONAL {{ ?item qz:hasRiskPoint ?risk . OPTIONAL {{ ?risk qz:riskLevel/qz:rank ?rank }} }}
      }} GROUP BY ?code ?jname ?cid ?cname ?type ?item ?label""")
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    canonical: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        cell = cells[(r["code"], r["cid"])]
        if r["item"] not in [i for i, _ in cell.items]:
            cell.items.append((r["item"], r["label"] or ""))
        cell.top = max(cell.top, int(float(r["top"])) if r["top"] else 0)
        cell.risks += int(r["risks"] or 0)
        canonical[r["cid"]] = (r["cid"], r["cname"], r["type"] or "")
    return _matrix(cells, canonical, {(r["code"], r["jname"]) for r in rows})


@dataclass
class Side:
    items: list[tuple[str, str]]
    articles: list[tuple[str, bool]]
    """(article label, whether the other jurisdiction's item cites it too)."""
    stages: list[tuple[str, bool]]
    levels: list[tuple[str, str, bool]]
    """(stage, levels, same as the other side's)."""


@dataclass
class Row:
    cid: str
    name: str
    kind: str
    """both, only-a, only-b."""
    a: Side | None
    b: Side | None
    differs: bool


def side_by_side(select: Select, a: str, b: str, matrix: Matrix) -> tuple[str, str, list[Row]]:
    """Each canonical power either jurisdiction has, with both sides' items, articles, stages and
    risk levels; what one side has and the other lacks is flagged (False in the tuples)."""
    a_name, b_name = jurisdiction_name(select, a), jurisdiction_name(select, b)
    pa, names_a, _ = powers(select, a)
    pb, names_b, _ = powers(select, b)
    names = {**names_a, **names_b}
    rows = []
    for cid in sorted(set(pa) | set(pb), key=lambda c: (c not in pa or c not in pb, names.get(c, c))):
        x, y = pa.get(cid), pb.get(cid)

        def side(mine, other, code):
            if mine is None:
                return None
            levels = [
                (stage, "/".join(sorted(mine.levels[stage])), other is not None and mine.levels[stage] == other.levels.get(stage))
                for stage in sorted(mine.levels)
            ]
            return Side(
                items=matrix.cells.get((code, cid), Cell()).items,
                articles=[(art, other is not None and art in other.articles) for art in sorted(mine.articles)],
                stages=[(stage, other is not None and stage in other.stages) for stage in sorted(mine.stages)],
                levels=levels,
            )

        sa, sb = side(x, y, a), side(y, x, b)
        kind = "both" if sa and sb else ("only-a" if sa else "only-b")
        differs = kind != "both" or any(not same for s in (sa, sb) for _, same in s.articles + s.stages) or any(
            not same for s in (sa, sb) for *_, same in s.levels
        )
        rows.append(Row(cid, names.get(cid, cid), kind, sa, sb, differs))
    return a_name, b_name, rows


def chart_data(select: Select, matrix: Matrix, lang: str = "zh", codes: list[str] | None = None) -> dict[str, object]:
    """Series for the charts a provincial reviewer puts in a report (from the per-register summaries where the store has them);
    with `codes`, over the jurisdictions with those division codes only."""
    from quanze.graph.query import summaries

    if not summaries.available(select):
        per_type, per_stage, cited = chart_rows_scan(select, lang, codes)
    elif codes is None:
        per_type = summaries.items_per_type(select, lang)
        per_stage = summaries.risks_per_stage(select, lang)
        cited = summaries.most_cited(select)
    else:
        per_type = summaries.items_per_type_of(select, codes, lang)
        per_stage = summaries.risks_per_stage_of(select, codes, lang)
        cited = summaries.most_cited_of(select, codes)
    return _charts(per_type, per_stage, cited, matrix, lang)


def chart_rows_scan(select: Select, lang: str = "zh", codes: list[str] | None = None) -> tuple[list, list, list]:
    """The charts' rows counted item by item over the whole country (a store without summaries)."""
    if codes is not None and not codes:
        return [], [], []
    values = _values(codes)
    scope = f"?item qz:jurisdiction/qz:divisionCode ?code . {values}" if values else ""
    per_type = select(PREFIXES + f"""SELECT ?code ?jname ?type (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {values}
        ?item a qz:PowerItem ; qz:jurisdiction ?j ; qz:powerType/skos:prefLabel ?type . {_lang_filter('?type', lang)}
        ?j qz:divisionCode ?code ; rdfs:label ?jname }} GROUP BY ?code ?jname ?type ORDER BY ?code""")
    per_stage = select(PREFIXES + f"""SELECT ?stage ?rank (COUNT(DISTINCT ?risk) AS ?n) (MIN(?order) AS ?o) WHERE {{
        ?item qz:hasRiskPoint ?risk . ?risk qz:riskLevel/qz:rank ?rank ; qz:atStage ?s . {scope}
        ?s qz:stageType/skos:prefLabel ?stage . {_lang_filter('?stage', lang)} OPTIONAL {{ ?s qz:order ?order }}
      }} GROUP BY ?stage ?rank""")
    cited = select(PREFIXES + f"""SELECT ?article ?label (COUNT(DISTINCT ?item) AS ?n) WHERE {{
        ?item a qz:PowerItem ; qz:legalBasis ?article . ?article rdfs:label ?label . {scope} }}
        GROUP BY ?article ?label ORDER BY DESC(?n) ?label LIMIT 15""")
    return per_type, per_stage, cited


def _charts(per_type: list, per_stage: list, cited: list, matrix: Matrix, lang: str) -> dict[str, object]:
    jurisdictions = [f"{name}" for _, name in matrix.jurisdictions]
    types = sorted({r["type"] for r in per_type})
    counts = {(r["jname"], r["type"]): int(r["n"]) for r in per_type}
    stage_order: dict[str, float] = defaultdict(lambda: 99.0)
    for r in per_stage:
        if r["o"] is not None:
            stage_order[r["stage"]] = min(stage_order[r["stage"]], float(r["o"]))
    stages = sorted({r["stage"] for r in per_stage}, key=lambda s: (stage_order[s], s))
    levels = LEVELS_EN if lang == "en" else LEVELS
    by_stage = {(r["stage"], int(float(r["rank"]))): int(r["n"]) for r in per_stage}
    bits: dict[str, int] = {}
    masks: dict[str, int] = {code: 0 for code, _ in matrix.jurisdictions}
    for code, cid in matrix.cells:  # one pass over the cells (a province: thousands), not one per jurisdiction
        if code in masks:
            masks[code] |= 1 << bits.setdefault(cid, len(bits))
    sizes = [masks[code].bit_count() for code, _ in matrix.jurisdictions]
    ordered = [masks[code] for code, _ in matrix.jurisdictions]
    similarity = []
    for i, j in combinations(range(len(ordered)), 2):  # Jaccard over canonical powers: a province has 183² / 2 pairs
        shared = (ordered[i] & ordered[j]).bit_count()
        union = sizes[i] + sizes[j] - shared
        value = round(shared / union, 2) if union else 0.0
        similarity += [[i, j, value], [j, i, value]]
    similarity += [[i, i, 1.0] for i in range(len(matrix.jurisdictions))]
    return {
        "jurisdictions": jurisdictions,
        "types": {"categories": jurisdictions, "series": [{"name": t, "data": [counts.get((j, t), 0) for j in jurisdictions]} for t in types]},
        "stages": {"categories": stages, "series": [
            {"name": levels[rank], "rank": rank, "data": [by_stage.get((s, rank), 0) for s in stages]} for rank in (3, 2, 1)]},
        "articles": {"labels": [r["label"] for r in cited], "counts": [int(r["n"]) for r in cited],
                     "links": [r["article"].replace("https://w3id.org/quanze", "") for r in cited]},
        "similarity": similarity,
    }


# --- which jurisdictions the page shows: the whole store when it is small, else one province --

PAGE_JURISDICTIONS = 200
"""The most jurisdictions the compare page draws at once (its matrix has a column, its heatmap a
row and a column, for each): more than any province has (四川省 183), far fewer than the country."""


@dataclass
class Scope:
    provinces: list[tuple[str, str, int]]
    """(two-digit code, name, jurisdictions in the store) of each province the store has."""
    province: str
    """The province shown ("" = every jurisdiction of the store)."""
    codes: list[str] | None
    """The division codes of the matrix's columns (None = every jurisdiction)."""
    jurisdictions: list[dict[str, str | None]]
    """code, name of the jurisdictions offered for a and b (those of the matrix)."""
    a: str
    b: str
    limited: bool = False
    """The whole store was asked for but has more jurisdictions than the page draws."""
    total: int = 0

    @property
    def province_name(self) -> str:
        return next((name for p, name, _ in self.provinces if p == self.province), self.province)

    @property
    def province_size(self) -> int:
        return next((n for p, _, n in self.provinces if p == self.province), 0)


def scope(select: Select, a: str, b: str, province: str = "", limit: int = PAGE_JURISDICTIONS) -> Scope:
    """The jurisdictions of the compare page. A store of at most `limit` jurisdictions is
    shown whole; a larger one one province at a time: `province` (two digits), by default the
    province of `a`. A province chosen explicitly brings its own first two jurisdictions when a
    or b is elsewhere; a and b are always among the matrix's columns."""
    from quanze.graph.align.divisions import province_names

    codes = sorted({r["code"] for r in select(PREFIXES + "SELECT DISTINCT ?code WHERE { ?j qz:divisionCode ?code }") if r["code"]})
    by_province: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        by_province[code[:2]].append(code)
    names = province_names()
    provinces = [(p, names.get(p, p), len(members)) for p, members in sorted(by_province.items())]
    small = len(codes) <= limit
    limited = province == "all" and not small
    if province in ("", "all") and small:
        shown, province = None, ""
    else:
        chosen = province if province in by_province else ""
        if chosen:
            members = by_province[chosen]
            if a not in members:
                a = members[0]
            if b not in members:
                b = next((c for c in members if c != a), a)
        else:
            chosen = a[:2] if a[:2] in by_province else (provinces[0][0] if provinces else "")
        province = chosen
        shown = sorted(set(by_province.get(chosen, [])) | ({a, b} & set(codes)))
    listed = select(PREFIXES + f"""SELECT ?code ?name WHERE {{ {_values(shown if shown is not None else codes)}
        ?j qz:divisionCode ?code ; rdfs:label ?name . FILTER EXISTS {{ ?j a qz:Jurisdiction }} }} ORDER BY ?code ?name""") if codes else []
    return Scope(provinces, province, shown, listed, a, b, limited, len(codes))
