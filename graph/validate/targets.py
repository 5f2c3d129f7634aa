"""The shapes' SPARQL targets, evaluated by pyoxigraph over an in-memory copy of the data graph.

pySHACL asks the data graph for the focus nodes of each SPARQL target (20 SELECT queries
in shapes/register.ttl, sent without bindings). rdflib parses each text (about 30 ms each,
again in every fresh process: `quanze add`, a build's worker) and evaluates it in Python.
pyoxigraph parses and evaluates the same text in Rust, over a copy of the data graph made
once per validation, at the first query.

The answer is an rdflib `Result` whose rows hold the data graph's own terms (r['this']), as
rdflib's would. Where the two engines could disagree, rdflib answers: a graph with a literal
typed xsd:string (rdflib tells it apart from the plain literal, SPARQL 1.1 does not), terms
pyoxigraph refuses, a query it cannot parse, or anything but a SELECT.
tests/test_validate_targets.py checks that both engines find the same focus nodes.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Unsupported(Exception):
    """The graph or the query is one rdflib should answer."""


class OxigraphCopy:
    """A pyoxigraph copy of an rdflib graph, with the way back from each copied term to the graph's own."""

    def __init__(self, graph: Graph) -> None:
        to_ox: dict = {}
        self._back: dict = {}

        def term(node):
            copy = to_ox.get(node)
            if copy is None:
                if isinstance(node, URIRef):
                    copy = ox.NamedNode(node)
                elif isinstance(node, BNode):
                    copy = ox.BlankNode()
                elif isinstance(node, Literal):
                    if node.language:
                        copy = ox.Literal(node, language=node.language)
                    elif node.datatype is None:
                        copy = ox.Literal(node)
                    elif str(node.datatype) == _XSD_STRING:
                        raise Unsupported("a literal typed xsd:string")
                    else:
                        copy = ox.Literal(node, datatype=ox.NamedNode(node.datatype))
                else:
                    raise Unsupported(f"a term of type {type(node).__name__}")
                if copy in self._back:  # two rdflib terms one pyoxigraph term (a language tag's case)
                    raise Unsupported("terms rdflib tells apart")
                to_ox[node] = copy
                self._back[copy] = node
            return copy

        self.store = ox.Store()
        try:  # extend, not bulk_extend: the bulk loader sets aside 200 MB first (past a validation worker's memory cap)
            self.store.extend([ox.Quad(term(s), term(p), term(o)) for s, p, o in graph])
        except (ValueError, TypeError) as error:  # a term pyoxigraph refuses (an IRI with a space …)
            raise Unsupported(str(error)) from error

    def select(self, text: str) -> Result:
        """The SELECT query's solutions as an rdflib Result over the graph's terms; Unsupported for any other query."""
        try:
            solutions = self.store.query(text)
        except SyntaxError as error:
            raise Unsupported(str(error)) from error
        if not isinstance(solutions, ox.QuerySolutions):
            raise Unsupported("not a SELECT query")
        names = [Variable(v.value) for v in solutions.variables]
        result = Result("SELECT")
        result.vars = names
        result.bindings = [
            {name: self._rdflib(value) for name, value in zip(names, solution) if value is not None} for solution in solutions
        ]
        return result

    def _rdflib(self, term):
        known = self._back.get(term)
        if known is not None:
            return known
        if isinstance(term, ox.NamedNode):  # a constant of the query (VALUES, BIND)
            return URIRef(term.value)
        if isinstance(term, ox.Literal) and not term.language and term.datatype.value != _XSD_STRING:
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        if isinstance(term, ox.Literal):
            return Literal(term.value, lang=term.language)
        raise Unsupported(f"a {type(term).__name__} the data graph does not hold")
