"""Names (E2xx), cycles (E3xx) and plates (E5xx): the structure of a model."""

from __future__ import annotations

from ..spans import Span
from .base import DocalcCycleError, DocalcNameError, DocalcPlateError
from .catalogue import entry


@entry("E200", DocalcNameError, "undefined name '{name}'", "{suggestion}")
def undefined_name(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report a name that no statement defines (the hint: a close name, or how to define it)."""


@entry("E201", DocalcNameError, "'{name}' is defined twice (first at {first})",
       "rename one of them; a node has one mechanism")
def defined_twice(span: Span | None, *, name: str, first: Span) -> None:
    """Report two statements (or a node and a plate) define the same name."""


@entry("E202", DocalcNameError, "'{name}' is a reserved word and cannot name {what}",
       "{fix}")
def reserved_name(span: Span | None, *, name: str, what: str,
                  read: bool = False) -> dict[str, object]:
    """Report a node, plate or query named after a function or constant, or read as a node.

    ``what`` is what the name would name (``a node``, ``a plate``, ``a query``); ``read``
    says the name is read as a value (``y = exp + 1``), not declared.
    """
    kind = "constant" if name == "pi" else "function"
    fix = (f"'{name}' is a function: call it, e.g. `{name}(x)`" if read else
           f"'{name}' is a {kind} of the language; choose another name")
    return {"name": name, "what": what, "fix": fix}


@entry("E203", DocalcNameError, "plate '{name}' is defined twice (first at {first})",
       "put all of the plate's statements in one block, or rename one")
def plate_defined_twice(span: Span | None, *, name: str, first: Span) -> None:
    """Report two plate blocks with one name."""


@entry("E204", DocalcNameError, "undefined plate '{name}'", "{suggestion}")
def undefined_plate(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report an index column ``data c: p`` naming a plate that is not declared."""


@entry("E205", DocalcNameError, "'{name}' contains '__', which docalc keeps for the names of "
       "its own internal values", "write it with single underscores: '{suggestion}'")
def double_underscore(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report a node name with ``__``, which internal sample sites use."""


@entry("E207", DocalcNameError, "not in the posterior: {names}", "{suggestion}")
def not_in_posterior(span: Span | None, *, names: str, suggestion: str) -> None:
    """Report ``Fit.summary(var_names=...)`` names variables the posterior lacks."""


@entry("E208", DocalcNameError, "unknown outcome '{name}'", "{suggestion}")
def unknown_outcome(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report ``Fit.effect`` asked for an outcome that is not a node."""


@entry("E209", DocalcNameError, "unknown variable(s) in var_names: {names}", "{suggestion}")
def unknown_var_names(span: Span | None, *, names: str, suggestion: str) -> None:
    """Report ``var_names`` of a prediction names variables that are not nodes."""


# -- cycles -----------------------------------------------------------------------------------
_ACYCLIC = "a structural causal model must be acyclic; remove one of these dependencies"


@entry("E300", DocalcCycleError, "the model has a cycle: {cycle}", _ACYCLIC)
def cycle(span: Span | None, *, cycle: str) -> None:
    """Report nodes that depend on each other in a circle (``a -> b -> a``)."""


@entry("E301", DocalcCycleError, "the model has a cycle: {cycle} (after do)", _ACYCLIC)
def cycle_after_do(span: Span | None, *, cycle: str) -> None:
    """Report a shift or stochastic intervention whose new parents close a circle."""


# -- plates -----------------------------------------------------------------------------------
@entry("E500", DocalcPlateError, "global node '{name}' depends on '{other}', which has one "
       "value per unit of plate '{plate}'",
       "move '{name}' into plate '{plate}', or make '{other}' global")
def global_reads_unit(span: Span | None, *, name: str, other: str, plate: str) -> None:
    """Report a global node reads a unit-level node."""


@entry("E501", DocalcPlateError, "'{name}' has one value per unit of plate '{plate}' and "
       "cannot be used in plate '{here}'", "{fix}")
def wrong_plate(span: Span | None, *, name: str, plate: str, here: str,
                index: str | None) -> dict[str, object]:
    """Report a node of one plate read in another (the hint names an index column, if any)."""
    fix = (f"index it: {name}[{index}]" if index else
           f"declare an index column `data {plate}_of: {plate}` in plate '{here}' and "
           f"write {name}[{plate}_of]")
    return {"name": name, "plate": plate, "here": here, "fix": fix}


@entry("E502", DocalcPlateError, "'{index}' is not an index column",
       "declare it in this plate as `data {index}: {plate}`")
def not_an_index(span: Span | None, *, index: str, plate: str) -> None:
    """Report ``x[i]`` where i is not a ``data i: plate`` column."""


@entry("E503", DocalcPlateError, "'{index}' indexes plate '{indexed}', but '{name}' belongs "
       "to plate '{plate}'", "index '{name}' with a column declared as `data ...: {plate}`")
def index_of_other_plate(span: Span | None, *, index: str, indexed: str, name: str,
                         plate: str) -> None:
    """Report ``x[i]`` where i indexes a plate other than x's."""


@entry("E504", DocalcPlateError, "only plate-level nodes can be indexed; '{name}' is global "
       "(one value per model)")
def index_of_global(span: Span | None, *, name: str) -> None:
    """Report a global node indexed like a plate-level one."""


@entry("E505", DocalcPlateError, "plates cannot be nested", "declare plate '{name}' at the "
       "top level and index it through a `data ...: {name}` column")
def nested_plate(span: Span | None, *, name: str) -> None:
    """Report a plate block inside another."""


@entry("E506", DocalcPlateError, "`data {name}` must be declared inside a plate",
       "data columns have one value per unit (row)")
def data_outside_plate(span: Span | None, *, name: str) -> None:
    """Report a ``data`` column at the top level."""


@entry("E507", DocalcPlateError, "a plate size must be a positive integer, got {size}")
def bad_plate_size(span: Span | None, *, size: int) -> None:
    """Report ``plate p[0]``."""


@entry("E508", DocalcPlateError, "`{what}` statements belong at the top level, not inside "
       "plate '{plate}'")
def statement_in_plate(span: Span | None, *, what: str, plate: str) -> None:
    """Report a ``do`` or ``query`` statement inside a plate block."""


@entry("E509", DocalcPlateError, "index column '{name}' points into its own plate '{plate}'",
       "an index column maps each unit to a unit of another (group) plate")
def index_into_own_plate(span: Span | None, *, name: str, plate: str) -> None:
    """Report ``plate p { data c: p }``."""
