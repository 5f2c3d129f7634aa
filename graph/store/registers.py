"""The registers a store holds, added and removed one by one, and kept by version.

The store's named graphs keep what each register said (id/graph/register/<file>) and its
validation report; the default graph holds the facts of the *current* versions only, so
queries see today's registers without a GRAPH clause, and an earlier version stays
queryable in its own graphs. The catalogue graph id/graph/registers says, for each register,
its version, whether it is current, which version it revised (prov:wasRevisionOf), its
SHA-256 and the file's bytes: when a register is added or removed, the other current
registers of its jurisdiction are mapped again from those bytes (a power list and a risk
register of one county describe the same items), and nothing else in the store is touched.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from quanze.graph.map.alignment import ALIGNMENT_GRAPH
from quanze.graph.map.items import RegisterInfo
from quanze.graph.namespaces import ID, QZ
from quanze.graph.read.text import UnreadableInput, read_bytes
from quanze.graph.register import info_for, read_register, reference
from quanze.graph.store.build import BuildReport, Unit, map_units
from quanze.graph.map.catalogue import CATALOGUE_GRAPH, catalogue_quads, qz as _qz
from quanze.graph.store.oxigraph import load_current
from quanze.graph.align.divisions import lookup

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DEFAULT = ox.DefaultGraph()


@dataclass(frozen=True)
class Entry:
    """One register of the store's catalogue."""

    iri: str
    file: str
    division_code: str
    kind: str
    version: str
    current: bool
    sha256: str
    added: str
    revision_of: str | None = None

    @property
    def stem(self) -> str:
        return self.iri.rsplit("/register/", 1)[-1]

    @property
    def graphs(self) -> tuple[str, str]:
        """Its register graph and its report graph."""
        return str(ID[f"graph/register/{self.stem}"]), str(ID[f"graph/report/{self.stem}"])


@dataclass
class Change:
    """What `add` or `remove` did, for the CLI to print."""

    added: list[Entry] = field(default_factory=list)
    superseded: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    restored: list[Entry] = field(default_factory=list)
    """Superseded versions made current again because the version that superseded them was removed."""
    unchanged: list[str] = field(default_factory=list)
    report: BuildReport = field(default_factory=BuildReport)


# --- reading the catalogue ------------------------------------------------------------------


def catalogue(store: ox.Store) -> list[Entry]:
    """Every register the store holds, current and superseded."""
    query = f"""
        PREFIX qz: <{QZ._NS}>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?r ?file ?code ?kind ?version ?current ?sha ?added ?previous WHERE {{
          GRAPH <{CATALOGUE_GRAPH}> {{
            ?r a qz:Register ; dcterms:source ?file ; qz:isCurrent ?current ; qz:sha256 ?sha ; qz:addedAt ?added .
            OPTIONAL {{ ?r qz:divisionCode ?code }} OPTIONAL {{ ?r qz:registerKind ?kind }}
            OPTIONAL {{ ?r qz:version ?version }} OPTIONAL {{ ?r prov:wasRevisionOf ?previous }}
          }}
        }} ORDER BY ?code ?kind ?added"""
    entries = []
    for row in store.query(query):
        value = {name: (row[name].value if row[name] is not None else None) for name in
                 ("r", "file", "code", "kind", "version", "current", "sha", "added", "previous")}
        entries.append(Entry(
            iri=value["r"], file=value["file"], division_code=value["code"] or "", kind=value["kind"] or "",
            version=value["version"] or "", current=value["current"] == "true", sha256=value["sha"],
            added=value["added"], revision_of=value["previous"],
        ))
    return entries


_FIELDS = {
    "http://purl.org/dc/terms/source": "file", f"{QZ._NS}divisionCode": "code", f"{QZ._NS}registerKind": "kind",
    f"{QZ._NS}version": "version", f"{QZ._NS}isCurrent": "current", f"{QZ._NS}sha256": "sha", f"{QZ._NS}addedAt": "added",
    "http://www.w3.org/ns/prov#wasRevisionOf": "previous",
}


def entries_of(store: ox.Store, codes: Iterable[str]) -> list[Entry]:
    """The registers of the jurisdictions `codes`, as `catalogue` lists them, read from the catalogue
    graph's indexes: a few look-ups per register instead of a query over the country's catalogue."""
    graph = ox.NamedNode(str(CATALOGUE_GRAPH))
    iris = {q.subject for code in set(codes) for q in store.quads_for_pattern(None, _qz("divisionCode"), ox.Literal(code), graph)}
    entries = []
    for iri in iris:
        if not any(True for _ in store.quads_for_pattern(iri, _RDF_TYPE, _qz("Register"), graph)):
            continue
        value: dict[str, str] = {}
        for quad in store.quads_for_pattern(iri, None, None, graph):
            name = _FIELDS.get(quad.predicate.value)
            if name is not None:
                value.setdefault(name, quad.object.value)
        if not all(name in value for name in ("file", "current", "sha", "added")):
            continue  # not a complete catalogue entry: `catalogue` leaves it out too
        entries.append(Entry(
            iri=iri.value, file=value["file"], division_code=value.get("code", ""), kind=value.get("kind", ""),
            version=value.get("version", ""), current=value["current"] == "true", sha256=value["sha"],
            added=value["added"], revision_of=value.get("previous"),
        ))
    return sorted(entries, key=lambda e: (e.division_code, e.kind, e.added, e.iri))


def _holds_sha(store: ox.Store, sha: str) -> bool:
    return any(True for _ in store.quads_for_pattern(None, _qz("sha256"), ox.Literal(sha), ox.NamedNode(str(CATALOGUE_GRAPH))))


def _stem_taken(store: ox.Store, stem: str) -> bool:
    """Whether a register of the catalogue has this name (its IRI ends in /register/<stem>)."""
    return any(True for _ in store.quads_for_pattern(ox.NamedNode(str(ID[f"register/{stem}"])), None, None, ox.NamedNode(str(CATALOGUE_GRAPH))))


def _superseded_graphs(store: ox.Store) -> set[str]:
    """The graphs of the versions that are not current (their facts stay out of the default graph).

    The store picks them out of the catalogue's `qz:isCurrent` statements (one a register: a country's
    thousands), so Python sees only the few that are not "true"."""
    query = (f"SELECT ?r WHERE {{ GRAPH <{CATALOGUE_GRAPH}> {{ ?r <{_qz('isCurrent').value}> ?current }} "
             'FILTER (!isLiteral(?current) || STR(?current) != "true") }')
    graphs = set()
    for row in store.query(query):
        stem = row[0].value.rsplit("/register/", 1)[-1]
        graphs.update((str(ID[f"graph/register/{stem}"]), str(ID[f"graph/report/{stem}"])))
    return graphs


def source_bytes(store: ox.Store, entry: Entry) -> bytes:
    """The register file as it was added."""
    for quad in store.quads_for_pattern(ox.NamedNode(entry.iri), _qz("sourceContent"), None, ox.NamedNode(str(CATALOGUE_GRAPH))):
        return base64.b64decode(quad.object.value)
    raise UnreadableInput(f"the store holds no copy of {entry.file}")


# --- writing --------------------------------------------------------------------------------


def _set_current(store: ox.Store, entry: Entry, current: bool) -> None:
    graph = ox.NamedNode(str(CATALOGUE_GRAPH))
    node = ox.NamedNode(entry.iri)
    for quad in list(store.quads_for_pattern(node, _qz("isCurrent"), None, graph)):
        store.remove(quad)
    store.add(ox.Quad(node, _qz("isCurrent"), ox.Literal(str(current).lower(), datatype=ox.NamedNode(_XSD + "boolean")), graph))


def _drop_from_current(store: ox.Store, graphs: Iterable[str], excluded: set[str]) -> None:
    """Take the triples of `graphs` out of the default graph, unless a named graph that is neither one
    of them nor `excluded` (the catalogue, superseded versions) also states them.

    One SPARQL update: the store finds the triples (the check of each against the other graphs is an
    index look-up in Rust) and removes them in one transaction, never turning a term into a Python
    object. Selecting them and removing each from Python took three times as long on a country's
    store: every term of 5,000 rows was read from disk to be handed over, and each removal was a
    transaction of its own."""
    graphs = sorted(set(graphs))
    if not graphs:
        return
    others = ", ".join(f"<{g}>" for g in sorted(set(graphs) | excluded))
    union = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in graphs)
    store.update(f"DELETE {{ ?s ?p ?o }} WHERE {{ {union} FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({others})) }} }}")


def _drop_graphs(store: ox.Store, graphs: Iterable[str]) -> None:
    for name in graphs:
        node = ox.NamedNode(name)
        if store.contains_named_graph(node):
            store.remove_graph(node)


def _items_of(store: ox.Store, graphs: Iterable[str]) -> set[str]:
    items = set()
    for name in graphs:
        for quad in store.quads_for_pattern(None, _RDF_TYPE, _qz("PowerItem"), ox.NamedNode(name)):
            items.add(quad.subject.value)
    return items


def _drop_alignments(store: ox.Store, items: set[str]) -> None:
    """Take the items' alignments out of the alignment graph and of the default graph."""
    graph = ox.NamedNode(str(ALIGNMENT_GRAPH))
    for item in items:
        for subject in (ox.NamedNode(item), ox.NamedNode(f"{item}/alignment")):
            for quad in list(store.quads_for_pattern(subject, None, None, graph)):
                store.remove(quad)
                store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, _DEFAULT))


# --- add and remove -------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """A register file to add, read and described."""

    info: RegisterInfo
    data: bytes
    version: str


def describe(path: Path, version: str, data_dir: Path | None, overrides: dict[str, str]) -> Incoming:
    """Read a file to add and say what it is: jurisdiction, kind and title from its content, flags over them."""
    data = read_bytes(path)
    read = read_register(data, path.name, reference(data_dir))
    info = info_for(read, None)
    info = replace(info, **{k: v for k, v in overrides.items() if v})
    if not info.division_code:
        raise UnreadableInput(f"{path.name}: no jurisdiction found in the register; say which with --jurisdiction CODE")
    return Incoming(info, data, version or info.year)


def _versioned(info: RegisterInfo, version: str, taken: Callable[[str], bool]) -> RegisterInfo:
    """The register under a name no other register of the store has (a new version of a file keeps its name plus @version)."""
    if not taken(info.stem):
        return info
    suffix = version or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    stem, dot, ext = info.file.rpartition(".")
    candidate = replace(info, file=f"{stem}@{suffix}{dot}{ext}" if dot else f"{info.file}@{suffix}")
    counter = 2
    while taken(candidate.stem):
        candidate = replace(info, file=f"{stem}@{suffix}-{counter}{dot}{ext}" if dot else f"{info.file}@{suffix}-{counter}")
        counter += 1
    return candidate


def apply(store: ox.Store, incoming: list[Incoming], remove: list[Entry], data_dir: Path, ontology: Path) -> Change:
    """Add `incoming` registers and take out `remove`, jurisdiction by jurisdiction, in a writable store."""
    change = Change()
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    fresh = []
    for item in incoming:
        if _holds_sha(store, hashlib.sha256(item.data).hexdigest()):
            change.unchanged.append(item.info.file)
        else:
            fresh.append(item)
    codes = sorted({i.info.division_code for i in fresh} | {e.division_code for e in remove})
    superseded = _superseded_graphs(store)  # as the catalogue was before this change
    taken: set[str] = set()
    for code in codes:
        entries = entries_of(store, [code])
        arriving = [i for i in fresh if i.info.division_code == code]
        leaving = [e for e in remove if e.division_code == code]
        current = [e for e in entries if e.current]
        replaced = {e.iri: e for e in current for i in arriving if e.kind == i.info.kind}
        staying = [e for e in current if e.iri not in replaced and e not in leaving]
        restored = _restorable(entries, leaving)
        placed = []
        for item in arriving:
            info = _versioned(item.info, item.version, lambda stem: stem in taken or _stem_taken(store, stem))
            taken.add(info.stem)
            placed.append(replace(item, info=info))
        # take the jurisdiction's current facts out; superseded versions keep their named graphs
        out = [e for e in current]
        graphs_out = [g for e in out for g in e.graphs]
        items = _items_of(store, [e.graphs[0] for e in out])
        _drop_from_current(store, graphs_out, superseded | {str(CATALOGUE_GRAPH)})
        _drop_alignments(store, items)
        _drop_graphs(store, [g for e in [*staying, *leaving, *restored] for g in e.graphs])
        for entry in leaving:
            _forget(store, entry)
            change.removed.append(entry)
        for entry in restored:
            _set_current(store, entry, True)
            _forget_successors(store, entry)
            change.restored.append(replace(entry, current=True))
        for entry in replaced.values():
            _set_current(store, entry, False)
            change.superseded.append(entry)
        # map the jurisdiction's registers again, together, and load them as current
        with tempfile.TemporaryDirectory(prefix="quanze-add-") as folder:
            files = []
            for entry in [*staying, *restored]:
                path = Path(folder) / entry.file
                path.write_bytes(source_bytes(store, entry))
                files.append((path, _info_of(store, entry)))
            for item in placed:
                path = Path(folder) / item.info.file
                path.write_bytes(item.data)
                files.append((path, item.info))
            mapped = None
            if files:
                mapped, report = map_units([Unit(code, tuple(files))], data_dir, ontology, catalogue=False)
                change.report.add(report)
        listed = []  # the catalogue's entries of the arriving registers, written with their facts in one call
        for item in placed:
            previous = next((e.iri for e in replaced.values() if e.kind == item.info.kind), None)
            listed.extend(catalogue_quads(item.info, item.data, item.version, now, previous))
            change.added.append(Entry(str(item.info.iri), item.info.file, code, item.info.kind, item.version, True,
                                      hashlib.sha256(item.data).hexdigest(), now, previous))
        if mapped is not None:
            load_current(store, mapped, also=listed)
        elif listed:
            store.bulk_extend(listed)
    return change


def _restorable(entries: list[Entry], leaving: list[Entry]) -> list[Entry]:
    """The versions that become current again: each one a leaving current register revised, unless it leaves too."""
    by_iri = {e.iri: e for e in entries}
    gone = {e.iri for e in leaving}
    restored = []
    for entry in leaving:
        earlier = by_iri.get(entry.revision_of or "")
        if entry.current and earlier is not None and not earlier.current and earlier.iri not in gone:
            restored.append(earlier)
    return restored


def _forget_successors(store: ox.Store, entry: Entry) -> None:
    """The catalogue no longer says the entry was superseded (its successor was removed)."""
    graph = ox.NamedNode(str(CATALOGUE_GRAPH))
    for quad in list(store.quads_for_pattern(ox.NamedNode(entry.iri), _qz("supersededBy"), None, graph)):
        store.remove(quad)


def _info_of(store: ox.Store, entry: Entry) -> RegisterInfo:
    """The description a register was mapped with (its register node in its own graph)."""
    graph = ox.NamedNode(entry.graphs[0])
    node = ox.NamedNode(entry.iri)

    def value(predicate: ox.NamedNode) -> str:
        for quad in store.quads_for_pattern(node, predicate, None, graph):
            return quad.object.value
        return ""

    title = value(ox.NamedNode("http://purl.org/dc/terms/title"))
    publisher = value(ox.NamedNode("http://purl.org/dc/terms/publisher"))
    agency = ""
    for quad in store.quads_for_pattern(ox.NamedNode(publisher), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, None) if publisher else []:
        agency = quad.object.value
        break
    division = lookup(entry.division_code)
    return RegisterInfo(
        file=entry.file, division_code=entry.division_code, jurisdiction=division.name if division else "",
        province=division.province if division else "", city=division.city if division else "", agency=agency,
        kind=entry.kind, layout="", year=value(_qz("year")), title=title, note=value(ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")),
    )


def _forget(store: ox.Store, entry: Entry) -> None:
    """Take a register out of the catalogue."""
    graph = ox.NamedNode(str(CATALOGUE_GRAPH))
    node = ox.NamedNode(entry.iri)
    for quad in [*store.quads_for_pattern(node, None, None, graph), *store.quads_for_pattern(None, None, node, graph)]:
        store.remove(quad)


# --- what changed between two versions ------------------------------------------------------


@dataclass(frozen=True)
class ItemState:
    """What one version of a register says of one item."""

    key: str
    name: str
    power_type: str
    articles: frozenset[str]
    stages: frozenset[str]
    risks: frozenset[tuple[str, str]]


@dataclass
class Diff:
    """Items added, removed and changed between two versions of a jurisdiction's register."""

    code: str
    kind: str
    before: Entry
    after: Entry
    added: list[ItemState] = field(default_factory=list)
    removed: list[ItemState] = field(default_factory=list)
    changed: list[tuple[ItemState, ItemState, list[str]]] = field(default_factory=list)


def _states(store: ox.Store, entry: Entry) -> dict[str, ItemState]:
    graph = entry.graphs[0]
    query = f"""
        PREFIX qz: <{QZ._NS}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?g ?register ?item ?code ?name ?type ?article ?stage ?risk ?level WHERE {{
          GRAPH ?g {{
            ?item qz:inRegister ?register .
            OPTIONAL {{ ?item qz:itemCode ?code }} OPTIONAL {{ ?item rdfs:label ?name }} OPTIONAL {{ ?item qz:powerType ?type }}
            OPTIONAL {{ ?item qz:legalBasis ?article }}
            OPTIONAL {{ ?item qz:hasStage/qz:stageType ?stage }}
            OPTIONAL {{ ?item qz:hasRiskPoint ?r . ?r rdfs:label ?risk . OPTIONAL {{ ?r qz:riskLevel ?level }} }}
          }}
        }}"""
    rows: dict[str, dict] = {}
    for solution in store.query(query, substitutions={ox.Variable("g"): ox.NamedNode(graph), ox.Variable("register"): ox.NamedNode(entry.iri)}):
        def get(name: str) -> str:
            term = solution[name]
            return term.value if term is not None else ""
        item = get("item")
        row = rows.setdefault(item, {"code": get("code"), "name": get("name"), "type": get("type"), "articles": set(), "stages": set(), "risks": set()})
        row["code"] = row["code"] or get("code")
        row["name"] = row["name"] or get("name")
        row["type"] = row["type"] or get("type")
        for key, value in (("articles", get("article")), ("stages", get("stage"))):
            if value:
                row[key].add(value.rsplit("/", 1)[-1] if key == "stages" else value.rsplit("/law/", 1)[-1])
        if get("risk"):
            row["risks"].add((get("risk"), get("level").rsplit("#", 1)[-1]))
    states = {}
    for row in rows.values():
        key = row["code"] or row["name"]
        states[key] = ItemState(key, row["name"], row["type"].rsplit("#", 1)[-1], frozenset(row["articles"]),
                                frozenset(row["stages"]), frozenset(row["risks"]))
    return states


def diff(store: ox.Store, code: str, before: str | None = None, after: str | None = None) -> list[Diff]:
    """What changed in a jurisdiction's registers: between versions `before` and `after` (version or
    file name), or else between each current register and the version it revised."""
    entries = [e for e in catalogue(store) if e.division_code == code]
    if not entries:
        raise UnreadableInput(f"the store holds no register of {code}")

    def pick(label: str) -> Entry:
        found = [e for e in entries if label in (e.version, e.file, e.stem)]
        if not found:
            raise UnreadableInput(f"{code} has no register version {label!r} (see `quanze registers`)")
        return found[0]

    if before or after:
        if not (before and after):
            raise UnreadableInput("give both --from and --to, or neither")
        pairs = [(pick(before), pick(after))]
    else:
        by_iri = {e.iri: e for e in entries}
        pairs = [(by_iri[e.revision_of], e) for e in entries if e.current and e.revision_of in by_iri]
    result = []
    for old, new in pairs:
        a, b = _states(store, old), _states(store, new)
        change = Diff(code, new.kind, old, new)
        change.added = [b[k] for k in sorted(b.keys() - a.keys())]
        change.removed = [a[k] for k in sorted(a.keys() - b.keys())]
        for key in sorted(a.keys() & b.keys()):
            fields = [f for f in ("name", "power_type", "articles", "stages", "risks") if getattr(a[key], f) != getattr(b[key], f)]
            if fields:
                change.changed.append((a[key], b[key], fields))
        result.append(change)
    return result
