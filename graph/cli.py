"""`quanze`: build the store, export it, query it.

A thin argparse layer over graph.build and graph.store. Bad input ends with one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import json
import logging
import re
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn
from pathlib import Path

import pyoxigraph as ox

from quanze.graph import paths
from quanze.graph.query.guard import RefusedQuery, check_text, inspect
from quanze.graph.query.terms import InvalidParameter, division_code, iri, term
from quanze.graph.read.text import UnreadableInput, read_bytes
from quanze.graph.store.oxigraph import QueryError, StoreError, open_store, run_query
from quanze.graph.query.text_table import format_table

EXIT_OK, EXIT_INPUT = 0, 2
MAX_QUERY_BYTES = 10 * 1024 * 1024

PREFIXES = {
    "qz": "https://w3id.org/quanze/ontology#",
    "id": "https://w3id.org/quanze/id/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
}

EXPORT_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        hint = ""
        if "unrecognized arguments" in message or "expected" in message:
            hint = " (a file whose name begins with '-' goes after '--', e.g. quanze validate -- -rf.csv)"
        self.exit(EXIT_INPUT, f"{self.prog}: {one_line(message)}{hint}; see {self.prog} -h\n")


_ESCAPED = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
_ESCAPED.update({c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F] if c not in _ESCAPED and c != 0x09})


def one_line(text: str) -> str:
    """The text with every line break and control character escaped (\\n, \\x1b), so a message
    that quotes a file name or a parser's report stays one line."""
    return str(text).translate(_ESCAPED)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="quanze",
        description="Quanze (权责): legal knowledge graph of medical-insurance bureaus' power and risk registers.",
    )
    parser.add_argument("--store", type=_location, help=f"store directory, or a SPARQL server as sparql+http://HOST:PORT/PATH "
                        f"(default {_default_store()}, env QUANZE_STORE)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the embedded store from data/ (ontology, statutes, registers)")
    build.add_argument("--data", type=Path, help=f"data directory (default {paths.data_dir()})")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.add_argument("--workers", type=int, help="worker processes (default: the cores, at most 4)")
    build.set_defaults(run=_build)

    add = commands.add_parser(
        "add", help="add or revise registers in the store without a rebuild (earlier versions are kept)",
        description="Read, repair, validate, align and store each register file: jurisdiction, kind and year are found "
        "from its content (the flags override them). A register of a jurisdiction and kind the store already holds "
        "becomes its new current version; the earlier one stays queryable in its named graphs.",
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.add_argument("--version", default="", help="the version's name, e.g. 2024-03-01 (default: the printed year, else the time added)")
    add.add_argument("--jurisdiction", default="", metavar="CODE", help="six-digit division code, when the register does not say")
    add.add_argument("--kind", choices=("power-list", "risk-register", "risk-flowchart", "post-risk-register"), help="the register's kind")
    add.add_argument("--data", type=Path, help="data folder for curation and reference files (default: the packaged ones)")
    add.set_defaults(run=_add)

    registers = commands.add_parser("registers", help="list the registers (and their versions) in the store")
    registers.add_argument("--format", choices=("table", "csv", "json"), default="table")
    registers.set_defaults(run=_registers)

    remove = commands.add_parser("remove", help="take a register (a file name, or FILE@VERSION) out of the store")
    remove.add_argument("name", metavar="REGISTER")
    remove.add_argument("--data", type=Path, help="data folder for curation and reference files (default: the packaged ones)")
    remove.set_defaults(run=_remove)

    diff = commands.add_parser("diff", help="what changed between two versions of a jurisdiction's registers")
    diff.add_argument("code", metavar="CODE", help="six-digit division code")
    diff.add_argument("--from", dest="before", metavar="V", help="the earlier version (version name or file name)")
    diff.add_argument("--to", dest="after", metavar="V", help="the later version")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=_diff)

    export = commands.add_parser("export", help="write the whole dataset")
    export.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="nquads")
    export.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    export.set_defaults(run=_export)

    query = commands.add_parser("query", help="run a SPARQL query (text or a .rq file) on the store")
    query.add_argument("query", metavar="QUERY_OR_FILE")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(run=_query)

    validate = commands.add_parser(
        "validate",
        help="check registers against the shapes (exit 0 conforms, 1 violations, 2 unreadable input)",
        description="Validate register files (CSV in UTF-8 or GBK, TSV, XLSX, the seed text layouts, Turtle, JSON-LD) "
        "or, with --store, the whole built graph grouped by jurisdiction.",
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    validate.add_argument(
        "--store", dest="whole_store", nargs="?", const=True, type=_location, metavar="DIR",
        help="validate the whole built store (grouped by jurisdiction) instead of files: the global store, or DIR",
    )
    validate.add_argument(
        "--again", action="store_true",
        help="with --store: run the shapes over the whole store again instead of reading the reports stored when each register was added",
    )
    validate.add_argument("--format", choices=("text", "json", "html", "csv", "xlsx"), default="text",
                          help="text: each problem with sheet, Excel row, column and what to change; csv / xlsx (with -o: the register "
                          "with the problem cells marked) for files")
    validate.add_argument("--lang", choices=("zh", "en"), default="zh")
    validate.add_argument("-o", "--output", type=Path, help="write the report to a file")
    validate.set_defaults(run=_validate)

    compare = commands.add_parser("compare", help="compare two jurisdictions' registers (or --matrix: all of them)")
    compare.add_argument("codes", nargs="*", metavar="CODE", help="two six-digit division codes, e.g. 340406 410503")
    compare.add_argument("--format", choices=("table", "json", "csv"), default="table")
    compare.add_argument("--matrix", action="store_true", help="jurisdictions × canonical powers")
    compare.set_defaults(run=_compare)

    analyze = commands.add_parser("analyze", help="graph analytics: most-cited articles, similarity of jurisdictions, GraphML")
    analyze.add_argument("--top", type=int, default=10, help="how many most-cited articles to list")
    analyze.add_argument("--graphml", type=Path, help="also write the projected graph as GraphML (for Gephi)")
    analyze.set_defaults(run=_analyze)

    serve = commands.add_parser("serve", help="serve the SPARQL endpoint, validation service, linked data and web pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="server processes (default QUANZE_HTTP_WORKERS, or the cores up to 4)")
    serve.set_defaults(run=_serve)

    law = commands.add_parser("law", help="print an article and the powers, per jurisdiction, that rest on it")
    law.add_argument("instrument", help="title, short title or document number, e.g. 社会保险法 or 国务院令第735号")
    law.add_argument("article", help="article number: 87 or 八十七 or 第八十七条")
    law.set_defaults(run=_law)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if not sys.warnoptions:
        warnings.simplefilter("ignore")  # library warnings would break the one-line error contract
    logging.getLogger("rdflib").addHandler(logging.NullHandler())  # rdflib's "does not look like a valid URI"
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (CliError, StoreError, QueryError, UnreadableInput, RefusedQuery, InvalidParameter) as error:
        from quanze.graph.messages import localise

        print(f"quanze: {one_line(localise(str(error), getattr(args, 'lang', 'en')))}", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("quanze: out of memory; the input is too large for this machine (see Limits in README.md)", file=sys.stderr)
        return EXIT_INPUT
    except RecursionError:
        print("quanze: the input is nested too deeply to read", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("quanze: interrupted", file=sys.stderr)
        return 130


def _store(args: argparse.Namespace) -> Path:
    return args.store or paths.store_dir()


def _location(text: str) -> Path:
    """--store: a directory, or sparql+http://… (a malformed URL: one line, exit 2)."""
    try:
        return paths.store_location(text)
    except StoreError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _default_store() -> str:
    try:
        return str(paths.store_dir())
    except StoreError:
        return "QUANZE_STORE"


# --- build ----------------------------------------------------------------------------------


def _build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from quanze.graph.register import register_files
    from quanze.graph.store.build import build_store

    data = args.data or paths.data_dir()
    total = len(register_files(data / "registers"))
    if not total:
        raise CliError(f"no register files in {data / 'registers'}")
    with tqdm(total=total, unit="register", disable=args.quiet or not sys.stderr.isatty()) as bar:

        def step(name: str) -> None:
            bar.update(1)  # after the last register the store is loaded at once: say so, it takes a while
            bar.set_postfix_str(name if bar.n < total else "writing the store…")

        try:
            report = build_store(data, paths.ontology_dir(), _store(args), step, args.workers)
        except (ValueError, OSError) as error:
            raise CliError(f"build failed, the previous store is unchanged: {error}") from error
    print(f"store: {_store(args)} ({report.quads} quads)")
    for reason in report.skipped:
        print(f"  skipped (not a register): {reason}")
    for file, count in report.items_per_register.items():
        print(f"  {file}: {count} items")
    for code, count in report.powers_per_jurisdiction.items():
        print(f"  jurisdiction {code}: {count} power items")
    if report.notes:
        print(f"{len(report.notes)} findings for review:")
        for note in report.notes:
            print(f"  {note}")
    review = [a for a in report.alignments if a.canonical is None]
    print(f"alignment: {len(report.alignments) - len(review)} items linked to the canonical catalogue, {len(review)} for review")
    for alignment in review:
        print(f"  {alignment.item}: {alignment.evidence}")
    return EXIT_OK


# --- add, registers, remove, diff ---------------------------------------------------------


def _few_collections(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """For `add` and `remove`, which map a jurisdiction or two and end: the cyclic garbage collector runs
    every 20,000 allocations instead of every 700 (220 passes, 0.08-0.15 s of a 1.5 s command; the
    memory is the same), and as before once the command returns (tests call it in their process)."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        before = gc.get_threshold()
        gc.set_threshold(20_000, 10, 10)
        try:
            return command(args)
        finally:
            gc.set_threshold(*before)

    return run


@_few_collections
def _add(args: argparse.Namespace) -> int:
    from quanze.graph.store.build import shared_quads
    from quanze.graph.store.oxigraph import updating, write_store
    from quanze.graph.store.registers import apply, describe

    code = args.jurisdiction
    if code and not re.fullmatch(r"[0-9]{6}", code):
        raise CliError(f"--jurisdiction takes a six-digit division code, not {code!r}")
    overrides = {"division_code": code, "kind": args.kind or ""}
    if code:
        from quanze.graph.align.divisions import lookup

        division = lookup(code)
        if division is None:
            raise CliError(f"{code} is not a county-level division code of GB/T 2260")
        overrides.update(jurisdiction=division.name, province=division.province, city=division.city)
    incoming = [describe(path, args.version, args.data, overrides) for path in args.files]
    store = _store(args)
    if _empty(store):
        write_store(shared_quads(args.data or paths.data_dir(), paths.ontology_dir()), store)
    with updating(store, {i.info.division_code for i in incoming}) as writable:
        change = apply(writable, incoming, [], args.data or paths.data_dir(), paths.ontology_dir())
        del writable  # the last reference: RocksDB closes before `updating` renames its directory
    for entry in change.added:
        revised = f", revising {entry.revision_of.rsplit('/', 1)[-1]}" if entry.revision_of else ""
        print(f"added {entry.file} ({entry.division_code} {entry.kind}{', version ' + entry.version if entry.version else ''}{revised}): "
              f"{change.report.items_per_register.get(entry.file, 0)} items")
    for name in change.unchanged:
        print(f"unchanged: {name} is already in the store")
    for entry in change.superseded:
        print(f"superseded: {entry.file} (kept in its named graphs)")
    return EXIT_OK


def _registers(args: argparse.Namespace) -> int:
    from quanze.graph.store.registers import catalogue

    with open_store(_store(args)) as store:
        entries = catalogue(store)
    rows = [[e.file, e.division_code, e.kind, e.version, "current" if e.current else "superseded", e.added,
             e.revision_of.rsplit("/", 1)[-1] if e.revision_of else ""] for e in entries]
    header = ["register", "code", "kind", "version", "status", "added", "revises"]
    if args.format == "json":
        print(json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    else:
        print(format_table(header, rows))
    return EXIT_OK


def _empty(store: Path) -> bool:
    """No store yet: a missing or empty directory, or a SPARQL server without Quanze's graphs."""
    if paths.is_remote(store):
        from quanze.graph.store.remote import RemoteStore, is_empty

        return is_empty(RemoteStore(store))  # type: ignore[arg-type]
    return not store.exists() or not any(store.iterdir())


@_few_collections
def _remove(args: argparse.Namespace) -> int:
    from quanze.graph.store.oxigraph import updating
    from quanze.graph.store.registers import apply, catalogue

    store = _store(args)
    with open_store(store) as handle:
        entries = [e for e in catalogue(handle) if args.name in (e.file, e.stem, f"{e.file}@{e.version}")]
    if not entries:
        raise CliError(f"the store holds no register {args.name!r} (see `quanze registers`)")
    with updating(store, {e.division_code for e in entries}) as writable:
        change = apply(writable, [], entries, args.data or paths.data_dir(), paths.ontology_dir())
        del writable  # the last reference: RocksDB closes before `updating` renames its directory
    for entry in change.removed:
        print(f"removed {entry.file} ({entry.division_code} {entry.kind})")
    for entry in change.restored:
        print(f"current again: {entry.file}{' (version ' + entry.version + ')' if entry.version else ''}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from quanze.graph.store.registers import diff

    if not re.fullmatch(r"[0-9]{6}", args.code):
        raise CliError(f"a division code is six digits, not {args.code!r}")
    with open_store(_store(args)) as store:
        changes = diff(store, args.code, args.before, args.after)
    if args.format == "json":
        print(json.dumps([{
            "code": c.code, "kind": c.kind, "from": c.before.file, "to": c.after.file,
            "added": [s.name for s in c.added], "removed": [s.name for s in c.removed],
            "changed": [{"item": b.name, "fields": fields} for _, b, fields in c.changed],
        } for c in changes], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not changes:
        print(f"{args.code}: no register of the store revises another (add a new version with `quanze add`)")
    for c in changes:
        print(f"{c.code} {c.kind}: {c.before.file} ({c.before.version or c.before.added}) → {c.after.file} ({c.after.version or c.after.added})")
        for state in c.added:
            print(f"  + {state.name} [{state.power_type}]")
        for state in c.removed:
            print(f"  - {state.name} [{state.power_type}]")
        for a, b, fields in c.changed:
            print(f"  ~ {b.name}: {', '.join(fields)}")
            for name in fields:
                old, new = getattr(a, name), getattr(b, name)
                if isinstance(old, frozenset):
                    gone, came = sorted(map(str, old - new)), sorted(map(str, new - old))
                    print(f"      {name}: -{gone} +{came}")
                else:
                    print(f"      {name}: {old} → {new}")
        print(f"  {len(c.added)} added, {len(c.removed)} removed, {len(c.changed)} changed")
    return EXIT_OK


# --- export ---------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    fmt = EXPORT_FORMATS[args.format]
    with open_store(_store(args)) as store:
        if fmt == ox.RdfFormat.N_QUADS:
            data = store.dump(format=fmt)
        elif fmt.supports_datasets:
            data = ox.serialize(store, format=fmt, prefixes=PREFIXES)
        else:  # Turtle has no graphs: write the union of all of them
            union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            data = ox.serialize(union, format=fmt, prefixes=PREFIXES)
    _write(data, args.output)
    return EXIT_OK


def _write(data: bytes, output: Path | None) -> None:
    """Write all of it or nothing: a temporary file renamed into place."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    temporary = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        temporary.replace(output)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CliError(f"cannot write {output}: {error.strerror or error}") from error


# --- validate -------------------------------------------------------------------------------

EXIT_VIOLATIONS = 1


def _validate(args: argparse.Namespace) -> int:
    from quanze.graph.validate.report import to_html, to_json, to_text
    from quanze.graph.validate.shapes import stored_report, validate_files, validate_store_dataset

    if args.whole_store:
        from rdflib import Dataset

        store_path = args.whole_store if args.whole_store is not True else _store(args)
        with open_store(store_path) as store:
            if args.again:
                dataset = Dataset()
                dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
                report = validate_store_dataset(dataset, args.lang)
            else:
                report = stored_report(store, args.lang)
    else:
        if not args.files:
            raise CliError("name one or more register files, or use --store")
        files = [(str(path), read_bytes(path)) for path in args.files]
        report = validate_files(files, args.lang)
    if not args.whole_store and args.format in ("text", "csv", "xlsx"):  # where each problem is, as Excel shows it
        from quanze.graph.validate import clerk

        located = clerk.build(report, files, args.lang)
        if args.format == "xlsx":
            if args.output is None:
                raise CliError("--format xlsx writes a workbook: give a file with -o")
            _write(clerk.to_xlsx(located, files), args.output)
        else:
            data = (clerk.to_text(located) if args.format == "text" else clerk.to_csv(located)).encode("utf-8")
            _write(data, args.output)
        return EXIT_OK if report.conforms else EXIT_VIOLATIONS
    if args.format in ("csv", "xlsx"):
        raise CliError(f"--format {args.format} is for register files; the whole store's report is text, json or html")
    render = {"json": to_json, "html": to_html, "text": to_text}[args.format]
    text = render(report) if args.format == "json" else render(report, args.lang, by_jurisdiction=args.whole_store)
    if args.output:
        _write(text.encode("utf-8"), args.output)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


# --- compare --------------------------------------------------------------------------------


def _select(store: ox.Store) -> Callable[[str], list[dict[str, str | None]]]:
    def run(sparql: str) -> list[dict[str, str | None]]:
        check_text(sparql, MAX_QUERY_BYTES)  # generated text: the same rules as a user's query
        result = run_query(store, sparql)
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]  # type: ignore[union-attr]

    return run


def _compare(args: argparse.Namespace) -> int:
    from quanze.graph.query.compare import UnknownJurisdiction, compare, matrix_text, to_csv, to_json, to_text

    with open_store(_store(args)) as store:
        select = _select(store)
        if args.matrix:
            from quanze.graph.query.compare import matrix_csv, matrix_json

            sys.stdout.write({"table": matrix_text, "csv": matrix_csv, "json": matrix_json}[args.format](select))
            return EXIT_OK
        if len(args.codes) != 2:
            raise CliError("compare takes two six-digit division codes, e.g. quanze compare 340406 410503")
        for code in args.codes:
            division_code(code)
        try:
            comparison = compare(select, *args.codes)
        except UnknownJurisdiction as error:
            raise CliError(str(error)) from error
    render = {"table": to_text, "json": to_json, "csv": to_csv}[args.format]
    sys.stdout.write(render(comparison))
    return EXIT_OK


def _analyze(args: argparse.Namespace) -> int:
    from quanze.graph.query.analyze import analyse, project, to_text, write_graphml

    with open_store(_store(args)) as store:
        graph = project(_select(store))
    sys.stdout.write(to_text(analyse(graph, args.top)))
    if args.graphml:
        temporary = args.graphml.with_name(f".{args.graphml.name}.tmp-{os.getpid()}")
        write_graphml(graph, str(temporary))
        temporary.replace(args.graphml)
        print(f"GraphML: {args.graphml} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import dataclasses

    import uvicorn

    from quanze.api.http import protocol
    from quanze.api.main import create_app
    from quanze.api.settings import Settings, SettingsError
    from quanze.graph.store.oxigraph import check_store, clean_orphans

    try:
        settings = Settings.from_environment()
    except SettingsError as error:
        raise CliError(str(error)) from error
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port} is not a port number (1-65535)")
    store = _store(args)
    clean_orphans(store)
    check_store(store)  # a missing, empty, foreign or corrupt store: one line, exit 2
    processes = settings.http_workers if args.workers is None else args.workers
    if not 1 <= processes <= 64:
        raise CliError(f"--workers {processes} is out of range (1 to 64)")
    _check_port(args.host, args.port)
    print(f"Quanze on http://{args.host}:{args.port}/  (SPARQL: /sparql, API: /docs)")
    http = protocol()  # httptools with bounded request line and headers
    if processes == 1:
        uvicorn.run(create_app(dataclasses.replace(settings, store=store)), host=args.host, port=args.port,
                    log_level="warning", http=http, timeout_keep_alive=20)
        return EXIT_OK
    # several server processes on one socket: each builds the app from the (checked) environment
    os.environ["QUANZE_STORE"] = str(store if paths.is_remote(store) else store.resolve())
    os.environ["QUANZE_HTTP_WORKERS"] = str(processes)
    uvicorn.run("quanze.api.main:create_app", factory=True, workers=processes, host=args.host, port=args.port,
                log_level="warning", http=http, timeout_keep_alive=20)
    return EXIT_OK


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port another program holds (uvicorn would log a traceback and exit 1)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CliError(f"cannot serve on {host}: {error.strerror}") from error
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CliError(f"port {port} on {host} is in use ({error.strerror}): choose another with --port") from error


# --- law ------------------------------------------------------------------------------------

LAW_QUERY = """
PREFIX qz: <https://w3id.org/quanze/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?code ?jurisdiction ?item ?label ?itemCode WHERE {
  ?item qz:legalBasis %s ; qz:jurisdiction ?j .
  ?j qz:divisionCode ?code ; rdfs:label ?jurisdiction .
  OPTIONAL { ?item rdfs:label ?label }
  OPTIONAL { ?item qz:itemCode ?itemCode }
} ORDER BY ?code ?label
"""


def _law(args: argparse.Namespace) -> int:
    from quanze.graph.align.citations import Citation, normalise_doc_number, resolve
    from quanze.graph.map.statutes import article_iri
    from quanze.graph.align.statutes import chinese_number, load_catalogue

    catalogue = load_catalogue(paths.data_dir() / "statutes")
    doc = normalise_doc_number(args.instrument)
    citation = Citation(args.instrument, None if doc else args.instrument, doc, (), (), None)
    resolution = resolve(citation, catalogue)
    if resolution.instrument_id is None:
        raise CliError(f"no instrument in the catalogue is called {args.instrument!r}")
    instrument = catalogue[resolution.instrument_id]
    try:
        number = chinese_number(args.article.strip().removeprefix("第").removesuffix("条"))
    except ValueError as error:
        raise CliError(f"not an article number: {args.article!r}") from error
    if not instrument.articles:
        raise CliError(f"the catalogue has no text of {instrument.title}")
    if number not in instrument.articles:
        raise CliError(f"{instrument.title} has {len(instrument.articles)} articles; there is no article {number}")
    article = instrument.articles[number]
    print(f"《{instrument.title}》第{number}条" + (f"（{article.chapter}）" if article.chapter else ""))
    if instrument.status != "in-force":
        print(f"  [{instrument.status}]")
    print(article.text)
    print()
    with open_store(_store(args)) as store:
        rows = _rows(run_query(store, LAW_QUERY % term(iri(str(article_iri(instrument.id, number))))))  # type: ignore[arg-type]
    if not rows:
        print("没有权力事项以此条为依据。 No power item rests on this article.")
        return EXIT_OK
    current = None
    for code, jurisdiction, _, label, item_code in rows:
        if code != current:
            print(f"{jurisdiction} {code}")
            current = code
        print(f"  - {label or '（无名称）'}" + (f"  [{item_code}]" if item_code else ""))
    return EXIT_OK


# --- query ----------------------------------------------------------------------------------


def _query_text(argument: str) -> str:
    path = Path(argument)
    if len(argument) < 250 and "\n" not in argument and path.suffix in {".rq", ".sparql", ".txt"}:
        if not path.is_file():
            raise CliError(f"query file not found: {argument}")
        return path.read_text(encoding="utf-8")
    return argument


def _query(args: argparse.Namespace) -> int:
    sparql = _query_text(args.query)
    inspect(sparql, MAX_QUERY_BYTES)  # no update, no SERVICE in any spelling: refused before the store opens
    # Answered in a frame of its own: rdflib's parser (inside `inspect`) leaves reference cycles whose
    # frames keep this one alive until the garbage collector runs, and pyoxigraph's result iterator
    # may only be dropped by the thread that made it.
    return _answer(args, sparql)


def _answer(args: argparse.Namespace, sparql: str) -> int:
    with open_store(_store(args)) as store:
        result = run_query(store, sparql)
        if isinstance(result, ox.QueryBoolean):
            print("true" if bool(result) else "false")
        elif isinstance(result, ox.QueryTriples):
            sys.stdout.buffer.write(ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")
        elif args.format == "table":
            print(format_table([str(v.value) for v in result.variables], _rows(result)))
        else:
            results_format = ox.QueryResultsFormat.CSV if args.format == "csv" else ox.QueryResultsFormat.JSON
            sys.stdout.buffer.write(result.serialize(format=results_format) or b"")
            if args.format == "json":
                print()
    return EXIT_OK


def _rows(solutions: ox.QuerySolutions) -> list[list[str]]:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = []
        for name in names:
            term = solution[name]
            row.append("" if term is None else str(term.value))
        rows.append(row)
    return rows


if __name__ == "__main__":
    sys.exit(main())
