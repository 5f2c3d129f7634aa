"""The country-wide counts of the pages, read from the per-register summaries.

The home page, the matrix and the charts count over every county. Counted item by item,
their queries read the whole country on each request; `quanze build` and `quanze add` write a
`qz:RegisterSummary` per register (graph/map/summaries.py), and these queries sum those.
Each function gives the same rows as the scan it replaces (tests/test_summaries.py runs both
on the seed store and on a synthetic country).

A store built before summaries existed has none; its ontology graph does not know
`qz:RegisterSummary` either, so `available` says no and the callers fall back to the scans
(`python -m quanze.graph.store.summaries STORE` adds them to such a store).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Select = Callable[[str], list[dict[str, str | None]]]

PREFIXES = """PREFIX qz: <https://w3id.org/quanze/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _lang_filter(var: str, lang: str) -> str:
    return f'FILTER(lang({var}) = "{"en" if lang == "en" else "zh"}")'


def available(select: Select) -> bool:
    """Whether the store's summaries can be trusted: it was built (or backfilled) by code that writes them."""
    return bool(select(PREFIXES + "SELECT ?kind WHERE { qz:RegisterSummary a ?kind } LIMIT 1"))


# Each { SELECT … } below reads one relation and the engine joins them whole (hash joins):
# several times faster on the embedded store than looking each one up summary by summary.
_JURISDICTIONS = "{ SELECT ?j ?code ?jname WHERE { ?j qz:divisionCode ?code ; rdfs:label ?jname } }"
_CANONICAL = "{ SELECT ?c ?cid ?cname WHERE { ?c a qz:CanonicalPower ; skos:notation ?cid ; rdfs:label ?cname } }"
_SUMMARY_JURISDICTION = "{ SELECT ?summary ?j WHERE { ?summary qz:summaryJurisdiction ?j } }"


def _entries(link: str, dimension: str, measure: str) -> str:
    """The summaries' entries of one kind: ?summary ?e ?<dimension var> ?<measure var>."""
    return (f"{{ SELECT ?summary ?e WHERE {{ ?summary qz:{link} ?e }} }}\n"
            f"      {{ SELECT ?e ?{dimension[0]} WHERE {{ ?e qz:{dimension[1]} ?{dimension[0]} }} }}\n"
            f"      {{ SELECT ?e ?{measure[0]} WHERE {{ ?e qz:{measure[1]} ?{measure[0]} }} }}")


def jurisdictions(select: Select) -> list[dict[str, str | None]]:
    """code, name, comment, powers, risks: each jurisdiction with its numbers of power items and risk points."""
    return select(PREFIXES + """SELECT ?code ?name ?comment (SUM(?n) AS ?powers) (SUM(?r) AS ?risks) WHERE {
        ?j a qz:Jurisdiction ; qz:divisionCode ?code ; rdfs:label ?name .
        OPTIONAL { ?j rdfs:comment ?comment }
        OPTIONAL { ?summary qz:summaryJurisdiction ?j ; qz:itemCount ?n ; qz:riskPointCount ?r }
      } GROUP BY ?code ?name ?comment ORDER BY ?code""")


def has_canonical_counts(select: Select) -> bool:
    """Whether every current summary carries `qz:canonicalPowerCounts` (the store was built or
    backfilled by code that writes them: its ontology graph defines the term)."""
    return bool(select(PREFIXES + "SELECT ?kind WHERE { qz:canonicalPowerCounts a ?kind } LIMIT 1"))


def matrix(select: Select) -> list[dict[str, str | None]]:
    """code, jname, cid, cname, n: items per jurisdiction and canonical power.

    Read from each summary's `qz:canonicalPowerCounts` where the store has them: one value per
    register, so the query reads thousands of rows for the country, not one entry per cell."""
    if has_canonical_counts(select):
        return _matrix_from_counts(select)
    return _matrix_from_entries(select)


_COUNT_LINE = re.compile(r"^(.*) (-?[0-9]+)$", re.MULTILINE)
"""One line of qz:canonicalPowerCounts: the entry's name after id/, a space, the number of items."""
Table = tuple[list[tuple[str, str]], list[tuple[str, str]], dict[tuple[str, str], int]]


def matrix_table(select: Select) -> Table:
    """(jurisdictions, canonical powers, (code, canonical id) → items): the matrix as compare.matrix
    gives it, built straight from each summary's `qz:canonicalPowerCounts` — summed per jurisdiction
    and entry first, then named — without a row per cell in between (the country: 2,848 literals,
    about 60,000 cells). A store whose summaries lack the literal: from the per-cell entries."""
    if not has_canonical_counts(select):
        return table_of(_matrix_from_entries(select))
    from quanze.graph.map.summaries import _tail

    per_tail: dict[str, dict[str, int]] = {}
    for row in select(PREFIXES + """SELECT ?code ?counts WHERE {
      { SELECT ?summary ?j WHERE { ?summary qz:summaryJurisdiction ?j } }
      { SELECT ?summary ?counts WHERE { ?summary qz:canonicalPowerCounts ?counts } }
      { SELECT ?j ?code WHERE { ?j qz:divisionCode ?code } }
    }"""):
        pairs = _COUNT_LINE.findall(row["counts"] or "")
        sums = per_tail.get(row["code"])
        if sums is None and len({tail for tail, _ in pairs}) == len(pairs):  # the usual case: one summary a jurisdiction
            per_tail[row["code"]] = {tail: int(n) for tail, n in pairs}
            continue
        sums = per_tail.setdefault(row["code"], {}) if sums is None else sums
        for tail, n in pairs:
            sums[tail] = sums.get(tail, 0) + int(n)
    notations: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for row in select(PREFIXES + f"SELECT ?c ?cid ?cname WHERE {_CANONICAL}"):
        cids = notations.setdefault(_tail(row["c"]), [])
        if row["cid"] not in cids:
            cids.append(row["cid"])
        names.setdefault(row["cid"], []).append(row["cname"])
    jnames: dict[str, set[str]] = {}
    for row in select(PREFIXES + "SELECT ?code ?jname WHERE { { SELECT DISTINCT ?j WHERE { ?summary qz:summaryJurisdiction ?j } } ?j qz:divisionCode ?code ; rdfs:label ?jname }"):
        jnames.setdefault(row["code"], set()).add(row["jname"])
    one_to_one = {tail: cids[0] for tail, cids in notations.items() if len(cids) == 1}
    if len(set(one_to_one.values())) != len(one_to_one) or len(one_to_one) != len(notations):
        one_to_one = {}  # a notation shared by two entries, or an entry with two: summed one by one below
    counts: dict[tuple[str, str], int] = {}
    for code, sums in per_tail.items():
        if code not in jnames:
            continue
        if one_to_one:
            counts.update({(code, one_to_one[tail]): n for tail, n in sums.items() if tail in one_to_one})
            continue
        for tail, n in sums.items():
            for cid in notations.get(tail, ()):
                counts[(code, cid)] = counts.get((code, cid), 0) + n
    jurisdictions = sorted({(code, jname) for code, _ in counts for jname in jnames[code]})
    canon = sorted({(cid, cname) for _, cid in counts for cname in names[cid]})
    return jurisdictions, canon, counts


def table_of(rows: list[dict[str, str | None]]) -> Table:
    """The matrix's rows (code, jname, cid, cname, n) as compare.matrix's table."""
    jurisdictions = sorted({(r["code"], r["jname"]) for r in rows})
    canon = sorted({(r["cid"], r["cname"]) for r in rows})
    return jurisdictions, canon, {(r["code"], r["cid"]): int(r["n"]) for r in rows}


def _matrix_from_counts(select: Select) -> list[dict[str, str | None]]:
    from quanze.graph.map.summaries import _tail

    lines = select(PREFIXES + """SELECT ?code ?counts WHERE {
      { SELECT ?summary ?j WHERE { ?summary qz:summaryJurisdiction ?j } }
      { SELECT ?summary ?counts WHERE { ?summary qz:canonicalPowerCounts ?counts } }
      { SELECT ?j ?code WHERE { ?j qz:divisionCode ?code } }
    }""")
    canonical: dict[str, list[tuple[str, str]]] = {}
    for row in select(PREFIXES + f"SELECT ?c ?cid ?cname WHERE {_CANONICAL}"):
        canonical.setdefault(_tail(row["c"]), []).append((row["cid"], row["cname"]))
    notations = {tail: list(dict.fromkeys(cid for cid, _ in pairs)) for tail, pairs in canonical.items()}
    totals: dict[tuple[str, str], int] = {}
    for row in lines:
        code = row["code"]
        for line in (row["counts"] or "").splitlines():
            tail, _, n = line.rpartition(" ")
            for cid in notations.get(tail, ()):
                totals[(code, cid)] = totals.get((code, cid), 0) + int(n)
    return _named(select, ((code, cid, n) for (code, cid), n in totals.items()), canonical)


def _named(select: Select, counts: Iterable[tuple[str, str, int]], canonical: dict | None = None) -> list[dict[str, str | None]]:
    """(code, cid, n) counts with the names of jurisdictions and canonical powers (a node with two names: one row each)."""
    jurisdictions: dict[str, list[str]] = {}
    for row in select(PREFIXES + "SELECT ?code ?jname WHERE { { SELECT DISTINCT ?j WHERE { ?summary qz:summaryJurisdiction ?j } } ?j qz:divisionCode ?code ; rdfs:label ?jname }"):
        jurisdictions.setdefault(row["code"], []).append(row["jname"])
    names: dict[str, list[str]] = {}
    if canonical is None:
        for row in select(PREFIXES + f"SELECT ?cid ?cname WHERE {_CANONICAL}"):
            names.setdefault(row["cid"], []).append(row["cname"])
    else:
        for pairs in canonical.values():
            for cid, cname in pairs:
                names.setdefault(cid, []).append(cname)
    totals: dict[tuple, int] = {}
    for code, cid, n in counts:  # a code or notation of two nodes, or a node with two names: summed per name, as GROUP BY does
        for jname in jurisdictions.get(code, ()):
            for cname in names.get(cid, ()):
                key = (code, jname, cid, cname)
                totals[key] = totals.get(key, 0) + n
    return [{"code": k[0], "jname": k[1], "cid": k[2], "cname": k[3], "n": str(n)} for k, n in totals.items()]


def _matrix_from_entries(select: Select) -> list[dict[str, str | None]]:
    """The matrix from the summaries' qz:byCanonicalPower entries (a store whose summaries lack
    qz:canonicalPowerCounts). The counts come as (code, cid, n) and the names from two small
    queries: a result of tens of thousands of rows costs more to write and read than to compute."""
    counts = select(PREFIXES + f"""SELECT ?code ?cid ?n WHERE {{
      {{ SELECT ?j ?c (SUM(?k) AS ?n) WHERE {{
      {_SUMMARY_JURISDICTION}
      {_entries("byCanonicalPower", ("c", "summaryCanonicalPower"), ("k", "itemCount"))} }} GROUP BY ?j ?c }}
      {{ SELECT ?j ?code WHERE {{ ?j qz:divisionCode ?code }} }}
      {{ SELECT ?c ?cid WHERE {{ ?c a qz:CanonicalPower ; skos:notation ?cid }} }}
    }}""")
    return _named(select, ((r["code"], r["cid"], int(r["n"])) for r in counts))


def matrix_cells(select: Select, lang: str = "zh") -> tuple[list[dict[str, str | None]], list[dict[str, str | None]]]:
    """The matrix's cells, and their items.

    Cells: cell, code, jname, cid, cname, type (the canonical power's type, in `lang`), risks,
    top (the highest rank of the cell's risk levels). Items: cell, item, label."""
    cells = select(PREFIXES + f"""SELECT ?cell ?code ?jname ?cid ?cname ?type ?risks ?top WHERE {{
      {{ SELECT ?summary ?j ?cell ?c ?risks WHERE {{
      {_SUMMARY_JURISDICTION}
      {_entries("byCanonicalPower", ("c", "summaryCanonicalPower"), ("risks", "riskPointCount")).replace("?e", "?cell")} }} }}
      {_JURISDICTIONS}
      {_CANONICAL}
      OPTIONAL {{ {{ SELECT ?cell (MAX(?rank) AS ?top) WHERE {{
          {{ SELECT ?cell ?level WHERE {{ ?cell qz:summaryRiskLevel ?level . ?summary qz:byCanonicalPower ?cell }} }}
          {{ SELECT ?level ?rank WHERE {{ ?level qz:rank ?rank }} }} }} GROUP BY ?cell }} }}
      OPTIONAL {{ {{ SELECT ?c ?type WHERE {{ ?c a qz:CanonicalPower ; qz:powerType/skos:prefLabel ?type {_lang_filter('?type', lang)} }} }} }}
    }}""")
    items = select(PREFIXES + """SELECT ?cell ?item ?label WHERE {
        { SELECT ?cell ?item WHERE { ?cell qz:summaryItem ?item } }
        OPTIONAL { ?item rdfs:label ?label } }""")
    return cells, items


def items_per_type(select: Select, lang: str = "zh") -> list[dict[str, str | None]]:
    """code, jname, type, n: power items per jurisdiction and power type."""
    return select(PREFIXES + f"""SELECT ?code ?jname ?type (SUM(?k) AS ?n) WHERE {{
      {{ SELECT ?j ?t ?k WHERE {{
      {_SUMMARY_JURISDICTION}
      {_entries("byPowerType", ("t", "summaryPowerType"), ("k", "itemCount"))} }} }}
      {_JURISDICTIONS}
      {{ SELECT ?t ?type WHERE {{ ?t skos:prefLabel ?type . {_lang_filter('?type', lang)} }} }}
    }} GROUP BY ?code ?jname ?type ORDER BY ?code""")


def risks_per_stage(select: Select, lang: str = "zh") -> list[dict[str, str | None]]:
    """stage, rank, n, o: risk points per stage type (its name in `lang`) and level rank, with the least stage order."""
    return select(PREFIXES + f"""SELECT ?stage ?rank (SUM(?k) AS ?n) (MIN(?order) AS ?o) WHERE {{
      {{ SELECT ?e ?t ?level ?k WHERE {{
      {_entries("byStageLevel", ("t", "summaryStageType"), ("k", "riskPointCount"))}
      {{ SELECT ?e ?level WHERE {{ ?e qz:summaryRiskLevel ?level }} }} }} }}
      {{ SELECT ?level ?rank WHERE {{ ?level qz:rank ?rank }} }}
      {{ SELECT ?t ?stage WHERE {{ ?t skos:prefLabel ?stage . {_lang_filter('?stage', lang)} }} }}
      OPTIONAL {{ ?e qz:minStageOrder ?order }}
    }} GROUP BY ?stage ?rank""")


def most_cited(select: Select, limit: int = 15) -> list[dict[str, str | None]]:
    """article, label, n: the articles the most power items rest on (qz:legalBasis names only
    articles found in a catalogued text: each is a qz:Article of the statutes graph)."""
    return select(PREFIXES + f"""SELECT ?article ?label ?n WHERE {{
      {{ SELECT ?article (SUM(?k) AS ?n) WHERE {{
      {_entries("byArticle", ("article", "summaryArticle"), ("k", "itemCount"))} }} GROUP BY ?article }}
      {{ SELECT ?article ?label WHERE {{ ?article a qz:Article ; rdfs:label ?label }} }} }}
      ORDER BY DESC(?n) ?label LIMIT {int(limit)}""")


# --- one province (or any set of jurisdictions) at a time: the compare page at country size ----
# The same numbers as above, for the summaries of the given jurisdictions only. Each query starts
# from the division codes (VALUES) and looks the summaries up from there, so it reads what those
# jurisdictions' registers hold, whatever the size of the country.


def _codes(codes: list[str]) -> str:
    from quanze.graph.query.terms import division_code, term

    return "VALUES ?code { " + " ".join(term(division_code(code)) for code in sorted(set(codes))) + " }"


def jurisdictions_of(select: Select, codes: list[str]) -> list[dict[str, str | None]]:
    """`jurisdictions` for those with these division codes only: names, then the sums of their summaries."""
    if not codes:
        return []
    values = _codes(codes)
    named = select(PREFIXES + f"""SELECT ?j ?code ?name ?comment WHERE {{ {values}
      ?j qz:divisionCode ?code ; a qz:Jurisdiction ; rdfs:label ?name . OPTIONAL {{ ?j rdfs:comment ?comment }} }}""")
    sums: dict[str, list[tuple[int, int]]] = {}
    for r in select(PREFIXES + f"""SELECT ?j ?n ?r WHERE {{ {values}
      ?j qz:divisionCode ?code . ?summary qz:summaryJurisdiction ?j ; qz:itemCount ?n ; qz:riskPointCount ?r }}"""):
        sums.setdefault(r["j"], []).append((int(r["n"]), int(r["r"])))
    groups: dict[tuple, list[int] | None] = {}
    for r in named:  # grouped as GROUP BY ?code ?name ?comment groups the rows of each node
        key = (r["code"], r["name"], r["comment"])
        counted = sums.get(r["j"])
        total = groups.get(key)
        if counted:
            total = [0, 0] if total is None else total
            total[0] += sum(n for n, _ in counted)
            total[1] += sum(k for _, k in counted)
        groups[key] = total
    return [{"code": code, "name": name, "comment": comment, "powers": None if t is None else str(t[0]), "risks": None if t is None else str(t[1])}
            for (code, name, comment), t in sorted(groups.items(), key=lambda p: p[0][0])]


def matrix_cells_of(select: Select, codes: list[str], lang: str = "zh") -> tuple[list[dict[str, str | None]], list[dict[str, str | None]]]:
    """`matrix_cells` for the jurisdictions with these division codes only."""
    if not codes:
        return [], []
    values = _codes(codes)
    cells = select(PREFIXES + f"""SELECT ?cell ?code ?jname ?c ?risks WHERE {{ {values}
      ?j qz:divisionCode ?code ; rdfs:label ?jname .
      ?summary qz:summaryJurisdiction ?j ; qz:byCanonicalPower ?cell .
      ?cell qz:summaryCanonicalPower ?c ; qz:riskPointCount ?risks }}""")
    tops = {r["cell"]: r["top"] for r in select(PREFIXES + f"""SELECT ?cell (MAX(?rank) AS ?top) WHERE {{ {values}
      ?j qz:divisionCode ?code . ?summary qz:summaryJurisdiction ?j ; qz:byCanonicalPower ?cell .
      ?cell qz:summaryRiskLevel ?level . ?level qz:rank ?rank }} GROUP BY ?cell""")}
    canonical: dict[str, list[tuple[str, str]]] = {}
    for r in select(PREFIXES + f"SELECT ?c ?cid ?cname WHERE {_CANONICAL}"):
        canonical.setdefault(r["c"], []).append((r["cid"], r["cname"]))
    types: dict[str, list[str]] = {}
    for r in select(PREFIXES + f"SELECT ?c ?type WHERE {{ ?c a qz:CanonicalPower ; qz:powerType/skos:prefLabel ?type {_lang_filter('?type', lang)} }}"):
        types.setdefault(r["c"], []).append(r["type"])
    rows = [
        {"cell": r["cell"], "code": r["code"], "jname": r["jname"], "cid": cid, "cname": cname, "type": kind, "risks": r["risks"],
         "top": tops.get(r["cell"])}
        for r in cells for cid, cname in canonical.get(r["c"], []) for kind in types.get(r["c"], [None])
    ]
    items = select(PREFIXES + f"""SELECT ?cell ?item ?label WHERE {{ {values}
      ?j qz:divisionCode ?code . ?summary qz:summaryJurisdiction ?j ; qz:byCanonicalPower ?cell .
      ?cell qz:summaryItem ?item . OPTIONAL {{ ?item rdfs:label ?label }} }}""")
    return rows, items


def items_per_type_of(select: Select, codes: list[str], lang: str = "zh") -> list[dict[str, str | None]]:
    """`items_per_type` for the jurisdictions with these division codes only."""
    if not codes:
        return []
    return select(PREFIXES + f"""SELECT ?code ?jname ?type (SUM(?k) AS ?n) WHERE {{ {_codes(codes)}
      ?j qz:divisionCode ?code ; rdfs:label ?jname .
      ?summary qz:summaryJurisdiction ?j ; qz:byPowerType ?e . ?e qz:summaryPowerType ?t ; qz:itemCount ?k .
      ?t skos:prefLabel ?type . {_lang_filter('?type', lang)}
    }} GROUP BY ?code ?jname ?type ORDER BY ?code""")


def risks_per_stage_of(select: Select, codes: list[str], lang: str = "zh") -> list[dict[str, str | None]]:
    """`risks_per_stage` over the summaries of these jurisdictions (a risk point of an item with two
    jurisdictions counts where its first jurisdiction's summary counts it)."""
    if not codes:
        return []
    return select(PREFIXES + f"""SELECT ?stage ?rank (SUM(?k) AS ?n) (MIN(?order) AS ?o) WHERE {{ {_codes(codes)}
      ?j qz:divisionCode ?code . ?summary qz:summaryJurisdiction ?j ; qz:byStageLevel ?e .
      ?e qz:summaryStageType ?t ; qz:summaryRiskLevel ?level ; qz:riskPointCount ?k .
      ?level qz:rank ?rank . ?t skos:prefLabel ?stage . {_lang_filter('?stage', lang)}
      OPTIONAL {{ ?e qz:minStageOrder ?order }}
    }} GROUP BY ?stage ?rank""")


def most_cited_of(select: Select, codes: list[str], limit: int = 15) -> list[dict[str, str | None]]:
    """`most_cited` over the summaries of these jurisdictions."""
    if not codes:
        return []
    return select(PREFIXES + f"""SELECT ?article ?label ?n WHERE {{
      {{ SELECT ?article (SUM(?k) AS ?n) WHERE {{ {_codes(codes)}
        ?j qz:divisionCode ?code . ?summary qz:summaryJurisdiction ?j ; qz:byArticle ?e .
        ?e qz:summaryArticle ?article ; qz:itemCount ?k }} GROUP BY ?article }}
      ?article a qz:Article ; rdfs:label ?label }}
      ORDER BY DESC(?n) ?label LIMIT {int(limit)}""")
