"""Decide whether a SPARQL query may run, on the text the engine (pyoxigraph) will run.

pyoxigraph executes SERVICE with its own HTTP client, and its Python API has no switch to
turn that client off (pyoxigraph 0.5: `Store.query` takes no service handler). So a query
that could make the engine fetch a URL must never reach it. Two parsers read the text:
rdflib (used here to tell the query's kind and to see updates) and the engine's own, which
is not exposed. They differ: the engine ends a `#` comment at `\\r` as well as `\\n`, and
rdflib expands `\\u` escapes before parsing while the engine does not. A query is run only
if both readings agree on everything that matters:

1. a carriage return is allowed only as part of a `\\r\\n` line end (no comment can then
   end earlier for one parser than for the other);
2. a `\\u`/`\\U` escape may only stand for a non-ASCII character (every character of SPARQL
   syntax is ASCII, so no escape can make or hide syntax);
3. the word SERVICE (any case, any Unicode case variant) may appear only inside a name:
   a variable (`?service`), a prefixed name (`st:service`) or an IRI path (`…/service`).
   The engine runs SERVICE only when that keyword stands literally in the text, so this
   holds whatever the two parsers think of comments and strings;
4. rdflib parses the query: updates are refused, and SERVICE in the parse tree as well.

FROM / FROM NAMED and the protocol's default-graph-uri / named-graph-uri name graphs of the
store; the engine does not dereference them (tests/test_security.py checks with a listener).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}

_LONE_CR = re.compile(r"\r(?!\n)")
_ESCAPE = re.compile(r"\\[uU]([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})?")
_SERVICE = re.compile("service", re.IGNORECASE)  # Unicode mode: also ſ, ı … variants
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_NAME_START = frozenset("?$:/#")
"""A word that continues a name begun after one of these is part of that name."""


class RefusedQuery(ValueError):
    """A query that will not run; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _service_outside_names(sparql: str) -> int | None:
    """Offset of the first SERVICE that is not inside a variable, prefixed name or IRI path."""
    last_offset, last_start = -1, -1  # a walk back stops where the previous one began: linear time
    for match in _SERVICE.finditer(sparql):
        start = match.start()
        while start > 0 and sparql[start - 1] in _WORD:
            start -= 1
            if start == last_offset:
                start = last_start
                break
        last_offset, last_start = match.start(), start
        if start == 0 or sparql[start - 1] not in _NAME_START:
            return match.start()
    return None


def check_text(sparql: str, max_bytes: int) -> None:
    """The checks on the raw text (rules 1–3 above); RefusedQuery if one fails."""
    if len(sparql.encode("utf-8", errors="surrogatepass")) > max_bytes:
        raise RefusedQuery(f"the query text is larger than {max_bytes} bytes", 413)
    if not sparql.strip():
        raise RefusedQuery("no query given (parameter query=)", 400)
    if "\x00" in sparql:
        raise RefusedQuery("the query contains a NUL character", 400)
    cr = _LONE_CR.search(sparql)
    if cr:
        line = sparql.count("\n", 0, cr.start()) + 1
        raise RefusedQuery(f"a carriage return not followed by a line feed (line {line}): end lines with \\n or \\r\\n", 400)
    for escape in _ESCAPE.finditer(sparql):
        values = [int(escape.group(1), 16)]
        if escape.group(2):
            values.append(int(escape.group(1) + escape.group(2), 16))
        if any(v < 0x80 for v in values):
            raise RefusedQuery(f"the escape {escape.group(0)} stands for an ASCII character: write the character itself", 400)
    offset = _service_outside_names(sparql)
    if offset is not None:
        line = sparql.count("\n", 0, offset) + 1
        raise RefusedQuery(
            f"SERVICE (federated query) is refused: this endpoint does not fetch other URLs "
            f"(the word SERVICE stands outside a name on line {line}; not even comments and strings may hold it)",
            403,
        )


def _names(node: object) -> Iterator[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _names(value)


def inspect(sparql: str, max_bytes: int) -> str:
    """The query's kind (select, ask, construct, describe); RefusedQuery if it may not run."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    check_text(sparql, max_bytes)
    try:
        tree = parseQuery(sparql)
    except ParseException as error:
        try:
            parseUpdate(sparql)
        except ParseException:
            raise RefusedQuery(f"SPARQL syntax error: {error.msg} (line {error.lineno}, column {error.col})", 400) from error
        raise RefusedQuery("this endpoint is read-only: SPARQL updates are refused", 403) from error
    except RecursionError as error:
        raise RefusedQuery("the query is nested too deeply", 400) from error
    if "ServiceGraphPattern" in set(_names(tree)):
        raise RefusedQuery("SERVICE (federated query) is refused: this endpoint does not fetch other URLs", 403)
    return KINDS.get(tree[1].name, "select")
