"""pySHACL as Quanze runs it: the same checks and the same report graph, less of the work nobody reads.

Two things pySHACL does for every constraint of every focus node change nothing Quanze keeps:

- it writes a text description of every result ("Constraint Violation in …", each node rendered
  through the shapes graph's prefixes), also of the results a qualified or nested shape throws
  away; Quanze reads only the report *graph* (`run_shapes` drops the text), so the description
  is left empty;
- it finds a shape's constraint parameters by testing each of the shape's predicates against a
  list of some forty IRIs, one equality at a time; the list is given set lookups.

`tune()` applies both once per process, only where pySHACL still has the internals they
replace (else pySHACL runs as shipped). tests/test_build_identical.py checks that the stored
report graphs stay as they were; tests/test_validate.py that the findings do.
"""

from __future__ import annotations

_TUNED = False


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


def tune() -> None:
    """Apply the two changes above to the imported pySHACL (once; a no-op where its internals differ)."""
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        from pyshacl import shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
        from pyshacl.constraints.constraint_component import ConstraintComponent
    except ImportError:  # another pySHACL layout: run it as it is
        return
    if hasattr(ConstraintComponent, "make_v_result_description"):
        ConstraintComponent.make_v_result_description = _no_description
    if isinstance(ALL_CONSTRAINT_PARAMETERS, list) and isinstance(CONSTRAINT_PARAMETERS_MAP, dict):
        shape_module.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
