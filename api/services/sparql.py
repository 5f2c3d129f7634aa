"""Check a SPARQL request before it reaches the engine, and negotiate its result format.

The check itself is graph.query.guard (shared with the CLI): it decides on the text the
engine will run, refuses updates and SERVICE in every spelling, and any query that rdflib
and the engine could read differently.
"""

from __future__ import annotations

import re

from quanze.api.sparql_results import GRAPH_FORMATS, SELECT_WRITERS
from quanze.graph.query.guard import KINDS, RefusedQuery, inspect

__all__ = ["KINDS", "RefusedQuery", "explain", "inspect", "negotiate"]
ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
}


def negotiate(kind: str, accept: str | None, explicit: str | None = None) -> str:
    """The result media type for a query kind, from a format= parameter or the Accept header."""
    offered = list(GRAPH_FORMATS) if kind in ("construct", "describe") else list(SELECT_WRITERS)
    if explicit:
        wanted = ALIASES.get(explicit.lower(), explicit.lower())
        if wanted in offered:
            return wanted
        raise RefusedQuery(f"format {explicit!r} is not available for a {kind.upper()} query; use one of {', '.join(offered)}", 406)
    ranges = []
    for index, part in enumerate((accept or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((quality, -index, ALIASES.get(fields[0].lower(), fields[0].lower())))
    for quality, _, media in sorted(ranges, reverse=True):
        if quality <= 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return offered[0] if media != "text/*" else next((o for o in offered if o.startswith("text/")), offered[0])
    raise RefusedQuery(f"none of the accepted types is available; this endpoint offers {', '.join(offered)}", 406)


_POSITION = re.compile(r"error at (\d+):(\d+)")
_PNAME = re.compile(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w-]|$)")


def explain(message: str, sparql: str) -> str:
    """The engine's error in a few words a person can act on.

    A prefixed name whose prefix is not declared is named, with the PREFIX line to add (for the
    prefixes the graph uses); long lists of expected Unicode ranges are cut."""
    from quanze.api.services.ontology import PREFIXES

    position = _POSITION.search(message)
    where = f"line {position.group(1)}, column {position.group(2)}: " if position else ""
    if "Prefix not found" in message and position:
        line_no, column = int(position.group(1)), int(position.group(2))
        lines = sparql.split("\n")
        before = lines[line_no - 1][: column - 1] if 0 < line_no <= len(lines) else ""
        names = _PNAME.findall(before)
        prefix = names[-1] if names else None
        if prefix is not None:
            hint = f" — add PREFIX {prefix}: <{PREFIXES[prefix]}>" if prefix in PREFIXES else ""
            return f"{where}the prefix {prefix}: is not declared{hint} (前缀 {prefix}: 未声明)"
        return f"{where}a prefix is not declared (前缀未声明)"
    message = re.sub(r"\[[^\[\]]*\\u\{[^\[\]]*\]", "[…]", message)
    message = re.sub(r"(, \[…\])+", ", […]", message)
    return message.replace("\n", " ")
