"""Parse an RDF file that came from outside (an upload, a register) without ever reaching out.

rdflib would fetch a JSON-LD `@context` given as a URL (with no timeout, and `file:` URLs
from this machine's disk); its RDF/XML parser reads a DOCTYPE's entities; a graph may name
other graphs with owl:imports. None of that is allowed here:

- JSON-LD: the document is read first as plain JSON (duplicate keys refused, so that every
  reader sees the same document); any `@context` that is not inline — a string, or a list
  holding one — and any `@import`, anywhere in the document, is refused. rdflib then parses
  the checked document, re-serialised, so it cannot see anything this check did not.
- RDF/XML: UTF-8 only (no encoding declaration other than UTF-8/ASCII), and no DOCTYPE or
  ENTITY declaration at all, checked before any XML parser sees the bytes: no external
  entity, no entity expansion.
- Any format: a graph holding owl:imports is refused (nothing here follows it, and it is
  not silently dropped either).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL

from quanze.graph.read.text import UnreadableInput

FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".rdf": "xml"}
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def parse_rdf(data: bytes, name: str) -> Graph:
    """The graph of an RDF file (format from the name's suffix); UnreadableInput with a
    clear message if it is not valid RDF or would make the parser fetch or expand anything."""
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise UnreadableInput(f"{name}: not an RDF file name (use one of {', '.join(sorted(FORMATS))})")
    text = _text(data, name)
    if fmt == "json-ld":
        text = _checked_json_ld(text, name)
    elif fmt == "xml":
        _check_xml(text, name)
    graph = Graph()
    try:
        graph.parse(data=text, format=fmt)
    except RecursionError as error:
        raise UnreadableInput(f"{name}: not valid RDF (nested too deeply)") from error
    except Exception as error:  # rdflib raises many parser-specific types
        raise UnreadableInput(f"{name}: not valid RDF ({type(error).__name__}: {str(error)[:120]})") from error
    if any(graph.triples((None, OWL.imports, None))):
        raise UnreadableInput(f"{name}: owl:imports is not followed here; send one self-contained file")
    return graph


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableInput(f"{name}: an RDF file must be UTF-8 (byte {error.start} is not)") from error


def _checked_json_ld(text: str, name: str) -> str:
    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise UnreadableInput(f"{name}: a JSON object repeats a key ({next(k for k in keys if keys.count(k) > 1)!r})")
        return dict(pairs)

    try:
        document = json.loads(text, object_pairs_hook=unique)
    except RecursionError as error:
        raise UnreadableInput(f"{name}: not valid JSON-LD (nested too deeply)") from error
    except json.JSONDecodeError as error:
        raise UnreadableInput(f"{name}: not valid JSON ({error.msg}, line {error.lineno})") from error
    problem = _remote_context(document)
    if problem:
        raise UnreadableInput(f"{name}: {problem}; only an inline @context is accepted (nothing is fetched)")
    return json.dumps(document, ensure_ascii=False)


def _remote_context(node: object) -> str | None:
    """What in the document would make a JSON-LD processor load a context, or None."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key == "@import":
                    return f"@import {str(value)[:80]!r} would load a context"
                if key == "@context":
                    for context in value if isinstance(value, list) else [value]:
                        if isinstance(context, str):
                            return f"@context {context[:80]!r} names a context to load"
                        if context is not None and not isinstance(context, dict):
                            return "an @context must be an object"
                stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return None


def _check_xml(text: str, name: str) -> None:
    encoding = _ENCODING.match(text)
    if encoding and encoding.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise UnreadableInput(f"{name}: RDF/XML must be UTF-8 (it declares {encoding.group(1)!r})")
    declaration = _DECLARATION.search(text)
    if declaration:
        raise UnreadableInput(f"{name}: RDF/XML with a {declaration.group(1).upper()} declaration is refused (no DTD, no entities)")
