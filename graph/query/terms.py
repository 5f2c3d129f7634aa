"""Values that reach a generated query: validated, then written as RDF terms by one function.

Pages, REST routes and CLI commands never put raw input into query text. A parameter is
first checked against what it may be (a division code is six ASCII digits, an instrument
is an id of the statute catalogue, an article number a positive integer, a stage or a risk
level a concept of the vocabulary); then `term` writes the validated value as a SPARQL
term with pyoxigraph's own serialisation (`Literal`, `NamedNode`), which escapes quotes and
line ends and rejects what is not an IRI. Values holding a backslash or a control
character are refused outright: SPARQL expands `\\u` escapes anywhere in a query, so no
escaping could make them safe.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

ID = "https://w3id.org/quanze/id/"
QZ = "https://w3id.org/quanze/ontology#"
_DIVISION = re.compile(r"[0-9]{6}")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"{}|^`\u2028\u2029]")
LEVELS = {"高": "High", "中": "Medium", "低": "Low", "High": "High", "Medium": "Medium", "Low": "Low"}


class InvalidParameter(ValueError):
    """A value that may not go into a query; the message says what it should be."""


def term(value: str | int | ox.NamedNode | ox.Literal) -> str:
    """The SPARQL text of a term: a NamedNode or Literal as pyoxigraph writes it, an int as
    an xsd:integer, a str as a plain literal."""
    if isinstance(value, bool):
        raise InvalidParameter("a boolean is not a query parameter")
    if isinstance(value, int):
        return str(ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    if isinstance(value, str):
        value = literal(value)
    if isinstance(value, ox.NamedNode):
        return str(iri(value.value))
    if isinstance(value, ox.Literal):
        if "\\" in value.value or re.search(r"[\x00-\x1f\x7f]", value.value):
            raise InvalidParameter("a backslash or a control character cannot go into a query")
        return str(value)
    raise InvalidParameter(f"not a query term: {type(value).__name__}")


def literal(text: str, language: str | None = None) -> ox.Literal:
    if "\\" in text or re.search(r"[\x00-\x1f\x7f]", text):
        raise InvalidParameter("a backslash or a control character cannot go into a query")
    return ox.Literal(text, language=language) if language else ox.Literal(text)


def iri(text: str) -> ox.NamedNode:
    """A NamedNode for an absolute IRI without spaces, controls, quotes or brackets."""
    if _UNSAFE.search(text):
        raise InvalidParameter("not a valid IRI: it holds a space, a control character, a quote, a backslash or a bracket")
    try:
        node = ox.NamedNode(text)
    except ValueError as error:
        raise InvalidParameter(f"not a valid IRI ({error})") from error
    if ":" not in text:
        raise InvalidParameter("not an absolute IRI")
    return node


def division_code(value: str) -> str:
    """A six-digit administrative division code (ASCII digits only)."""
    if not isinstance(value, str) or not _DIVISION.fullmatch(value):
        raise InvalidParameter(f"a division code is six digits (0-9), e.g. 340406; not {_shown(value)}")
    return value


def article_number(value: str | int) -> int:
    text = str(value)
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) < 1:
        raise InvalidParameter(f"an article number is a positive whole number, e.g. 87; not {_shown(text)}")
    return int(text)


@lru_cache(maxsize=1)
def _instruments() -> frozenset[str]:
    from quanze.graph import paths
    from quanze.graph.align.statutes import load_catalogue

    return frozenset(load_catalogue(paths.data_dir() / "statutes"))


def instrument(value: str) -> str:
    """An instrument id of the statute catalogue, e.g. social-insurance-law."""
    if value not in _instruments():
        raise InvalidParameter(f"no instrument {_shown(value)} in the statute catalogue; ids are like social-insurance-law")
    return value


@lru_cache(maxsize=1)
def _stage_labels() -> frozenset[str]:
    from quanze.graph import paths
    from quanze.graph.vocab import load_vocabulary

    return frozenset(stage.label for stage in load_vocabulary(paths.ontology_dir()).stages)


def stage(value: str) -> str:
    """The Chinese name of a stage type of the vocabulary, e.g. 调查取证."""
    if value not in _stage_labels():
        raise InvalidParameter(f"no stage type {_shown(value)}; use one of {'、'.join(sorted(_stage_labels()))}")
    return value


def risk_level(value: str) -> ox.NamedNode:
    """高/中/低 (or High/Medium/Low) as the concept's IRI."""
    if value not in LEVELS:
        raise InvalidParameter(f"a risk level is 高, 中 or 低 (High, Medium, Low); not {_shown(value)}")
    return ox.NamedNode(QZ + LEVELS[value])


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"
