"""pySHACL as Quanze runs it: the same checks and the same report graph, less of the work nobody reads.

Two things pySHACL does for every constraint of every focus node change nothing Quanze keeps:

- it writes a text description of every result ("Constraint Violation in …", each node rendered
  through the shapes graph's prefixes), also of the results a qualified or nested shape throws
  away; Quanze reads only the report *graph* (`run_shapes` drops the text), so the description
  is left empty;
- it finds a shape's constraint parameters by testing each of the shape's predicates against a
  list of some forty IRIs, one equality at a time; the list is given set lookups;
- it builds every constraint of a shape again each time the shape is checked (for a property
  shape: once per focus node; an sh:in constraint reads its RDF list each time) and reads the
  shape's triples from the shapes graph each time; within one validation the core constraints
  (those that hold no nested shape: they keep nothing of an evaluation) are built once per
  shape and the shape's triples read once;
- a qualified value shape that is only a list of allowed values (`sh:qualifiedValueShape
  [ sh:in ( st:filing ) ]`: the 37 stage and feature checks) is checked, for every value of
  every focus node, by a full validation of the nested shape: its sh:in constraint built
  again from the shapes graph, a result with a generic message for every value outside the
  list, all thrown away but the yes or no. The count of values in the list is the same
  answer: a value conforms to `[ sh:in (…) ]` exactly when it is one of the list's terms.
  Any other nested shape (more than sh:in, a severity, a sibling of a disjoint qualified
  shape, custom or JavaScript constraints, debug mode, chosen focus nodes) goes the way
  pySHACL goes.

`tune()` applies them once per process, only where pySHACL still has the internals they
replace (else pySHACL runs as shipped). tests/test_build_identical.py checks that the stored
report graphs stay as they were; tests/test_validate.py that the findings do;
tests/test_validate_engine.py that tuned and shipped pySHACL write the same report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rdflib import RDF, SH

_TUNED = False
_ONLY_IN = {RDF.type, SH["in"]}


class _ParameterList(list):
    """A list of constraint parameters with set lookups (what `p in parameters` asks)."""

    def __init__(self, items=()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:
        return _ParameterList(self)

    def append(self, item) -> None:
        super().append(item)
        self._members.add(item)


def _no_description(self, *args, **kwargs) -> str:
    return ""


class _BuiltOnce:
    """Stands for a core constraint class in pySHACL's parameter map: the constraint of a shape is
    built at its first use in a validation and used again (kept on the validation's ShapesGraph)."""

    def __init__(self, component: type) -> None:
        self.component = component

    def __call__(self, shape):
        built = shape.sg.__dict__.setdefault("_quanze_constraints", {})
        key = (id(shape), self.component)
        found = built.get(key)
        if found is not None and found[0] is shape:
            return found[1]
        constraint = self.component(shape)
        built[key] = (shape, constraint)
        return constraint


def _built_once(parameters: dict) -> dict:
    """pySHACL's map of constraint parameters to classes, the core constraints that hold no nested shape built once."""
    wrappers: dict[type, object] = {}
    mapped = {}
    for parameter, component in parameters.items():
        if isinstance(component, type) and component.__module__.startswith("pyshacl.constraints.core.") and not getattr(component, "shape_expecting", True):
            component = wrappers.setdefault(component, _BuiltOnce(component))
        mapped[parameter] = component
    return mapped


def _read_once(original):
    """ShapesGraph.predicate_objects, each shape node's pairs read once per validation (the shapes graph does not change during one)."""

    def predicate_objects(self, subject):
        read = self.__dict__.setdefault("_quanze_pairs", {})
        pairs = read.get(subject)
        if pairs is None:
            pairs = read[subject] = tuple(original(self, subject))
        return iter(pairs)

    predicate_objects.quanze_original = original
    return predicate_objects


def _allowed_values(shape) -> frozenset | None:
    """The terms of a nested shape that is nothing but `[ sh:in ( … ) ]` (a node shape: no severity,
    message, target or other constraint); None for any other shape. Read once per validation."""
    known = shape.sg.__dict__.setdefault("_quanze_allowed", {})
    found = known.get(id(shape))
    if found is not None and found[0] is shape:
        return found[1]
    allowed = None
    if not shape.is_property_shape:
        graph = shape.sg.graph
        pairs = list(graph.predicate_objects(shape.node))
        lists = [o for p, o in pairs if p == SH["in"]]
        types = {o for p, o in pairs if p == RDF.type}
        if len(lists) == 1 and {p for p, _ in pairs} <= _ONLY_IN and types <= {SH.NodeShape, SH.Shape}:
            allowed = frozenset(graph.items(lists[0]))
    known[id(shape)] = (shape, allowed)
    return allowed


def _counting_allowed_values(original, module):
    """QualifiedValueShapeConstraintComponent._evaluate_value_shape, counting the values in the list
    where the qualified shape is a list of allowed values (same results, same order)."""
    from warnings import warn

    too_many, too_few, recursion = (
        module.SH_QualifiedMaxCountConstraintComponent, module.SH_QualifiedMinCountConstraintComponent, module.ShapeRecursionWarning
    )

    def evaluate_value_shape(self, executor, v_shape, target_graph, focus_value_nodes, potentially_recursive, evaluation_path):
        other = self.shape.get_other_shape(v_shape)
        sg = self.shape.sg
        if (
            other is None or self.is_disjoint or executor.debug or executor.focus_nodes or sg.debug
            or sg.js_enabled or sg.custom_constraints or len(evaluation_path) // 2 >= executor.max_validation_depth
        ):
            return original(self, executor, v_shape, target_graph, focus_value_nodes, potentially_recursive, evaluation_path)
        allowed = _allowed_values(other)
        if allowed is None:
            return original(self, executor, v_shape, target_graph, focus_value_nodes, potentially_recursive, evaluation_path)
        if potentially_recursive and other in potentially_recursive:
            warn(recursion(evaluation_path))
            return False, []
        reports = []
        non_conformant = False
        for focus, values in focus_value_nodes.items():
            conforming = sum(1 for v in values if v in allowed)
            if self.max_count is not None and conforming > self.max_count:
                non_conformant = True
                reports.append(self.make_v_result(target_graph, focus, constraint_component=too_many))
            if self.min_count is not None and conforming < self.min_count:
                non_conformant = True
                reports.append(self.make_v_result(target_graph, focus, constraint_component=too_few))
        return non_conformant, reports

    evaluate_value_shape.quanze_original = original
    return evaluate_value_shape


_MISSING = object()
_REPLACED: list[tuple[object, str, object, object]] = []
"""(owner, attribute, pySHACL's value, Quanze's) of each change tune() made."""


def _replace(owner, name: str, value) -> None:
    _REPLACED.append((owner, name, owner.__dict__.get(name, _MISSING) if isinstance(owner, type) else getattr(owner, name, _MISSING), value))
    setattr(owner, name, value)


def tune() -> None:
    """Apply the changes above to the imported pySHACL (once; a no-op where its internals differ)."""
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        from pyshacl import shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
        from pyshacl.constraints.constraint_component import ConstraintComponent
        from pyshacl.constraints.core import shape_based_constraints
        from pyshacl.shapes_graph import ShapesGraph
    except ImportError:  # another pySHACL layout: run it as it is
        return
    if hasattr(ConstraintComponent, "make_v_result_description"):
        _replace(ConstraintComponent, "make_v_result_description", _no_description)
    if isinstance(ALL_CONSTRAINT_PARAMETERS, list) and isinstance(CONSTRAINT_PARAMETERS_MAP, dict):
        _replace(shape_module, "CONSTRAINT_PARAMS", (_ParameterList(ALL_CONSTRAINT_PARAMETERS), _built_once(CONSTRAINT_PARAMETERS_MAP)))
    if _parameters(getattr(ShapesGraph, "predicate_objects", None)) == ("self", "s") and not hasattr(ShapesGraph, "__slots__"):
        _replace(ShapesGraph, "predicate_objects", _read_once(ShapesGraph.predicate_objects))
    qualified = getattr(shape_based_constraints, "QualifiedValueShapeConstraintComponent", None)
    original = getattr(qualified, "_evaluate_value_shape", None)
    names = ("SH_QualifiedMaxCountConstraintComponent", "SH_QualifiedMinCountConstraintComponent", "ShapeRecursionWarning")
    parameters = ("self", "executor", "_v_shape", "target_graph", "focus_value_nodes", "potentially_recursive", "_evaluation_path")
    if original is not None and all(hasattr(shape_based_constraints, n) for n in names) and _parameters(original) == parameters:
        _replace(qualified, "_evaluate_value_shape", _counting_allowed_values(original, shape_based_constraints))


@contextmanager
def as_shipped() -> Iterator[None]:
    """pySHACL as shipped inside the block (for the tests and benchmarks that compare), tuned again after.

    It swaps class attributes for the whole process: not for a server where other threads validate."""
    tune()
    for owner, name, shipped, _ in _REPLACED:
        if shipped is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, shipped)
    try:
        yield
    finally:
        for owner, name, _, ours in _REPLACED:
            setattr(owner, name, ours)


def _parameters(function) -> tuple[str, ...]:
    import inspect

    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return ()
