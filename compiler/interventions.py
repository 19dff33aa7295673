"""Interventions given through the API: dicts, keywords, numbers, arrays or language text.

Numbers and text become IR in the front end (:mod:`docalc.dsl.interventions`: a number is
a ``Num`` node, text is parsed once); arrays stay arrays, passed to the compiled
functions at run time, beside an ``InterventionDef`` with no expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from docalc.dsl import ast
from docalc.dsl.checker import interval_bounds, literal_value, suggest
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import diagnostic
from docalc.dsl.interventions import API_SPAN, from_values
from docalc.dsl.ir import CheckedModel, InterventionDef, plate_sizes
from docalc.dsl.printer import format_number
from docalc.dsl.supports import outside_support

DoLike = Mapping[str, Any] | str | tuple[ast.Intervention, ...] | None


def _error(detail: str, hint: str | None = None) -> Exception:
    d = diagnostic("E603", None, detail=detail, hint=hint)
    return d.kind([d])


def apply(model: CheckedModel, arrays: Mapping[str, np.ndarray], do: DoLike,
          kw: Mapping[str, Any] | None = None) -> tuple[CheckedModel, dict[str, np.ndarray]]:
    """Apply interventions to a checked model; return it and the array-valued ones.

    Parameters
    ----------
    model : CheckedModel
        The model (with its own interventions, replaced where a new one names a node).
    arrays : mapping
        The model's array-valued interventions so far.
    do : dict, str, tuple of ast.Intervention or None
        ``{"b": 0}``, ``{"b": array}``, ``{"b": "5 * b"}``, text ``"b = 0, c = 1"``, or
        interventions parsed from the model's text (a query's ``do(...)``).
    kw : mapping, optional
        More of the same, as keywords.

    Returns
    -------
    model : CheckedModel
    arrays : dict of str to ndarray
        Array values by node (float32), for the interventions with no expression.
    """
    items: dict[str, Any] = {}
    text = None
    parsed: tuple[ast.Intervention, ...] = ()
    if isinstance(do, str):
        text = do
    elif isinstance(do, tuple):
        parsed = do
    elif do is not None:
        if not isinstance(do, Mapping):
            raise _error(f"do must be a dict or text like 'b = 0', got {type(do).__name__}")
        items.update(do)
    items.update(kw or {})
    model, rest = from_values(model, items, text, parsed)
    arrays = dict(arrays)
    array_ivs: list[InterventionDef] = []
    for name, value in rest.items():
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise _error(f"do({name} = ...) needs a number, an array or text, got "
                         f"{type(value).__name__}")
        array_ivs.append(_array_intervention(model, name, arr))
        arrays[name] = arr.astype(np.float32)
    if array_ivs:
        model = model.with_interventions(array_ivs)
    for iv in model.interventions:
        if iv.name in arrays and not (iv.kind == "set" and iv.expr is None):
            del arrays[iv.name]
    check_index_columns(model, arrays, plate_sizes(model))
    return model, arrays


def check_index_columns(model: CheckedModel, arrays: Mapping[str, np.ndarray],
                        sizes: Mapping[str, int | None]) -> None:
    """Check interventions on index columns: whole numbers that are codes of the group plate.

    Parameters
    ----------
    model : CheckedModel
        The intervened model.
    arrays : mapping
        Array-valued interventions.
    sizes : mapping
        Plate sizes; a group plate whose size is None (not known yet) is checked for
        whole, non-negative codes only.

    Raises
    ------
    DocalcInterventionError
        For an expression, a shift or a new distribution on an index column, or a code
        that is fractional, negative or past the group plate's last unit.
    """
    for iv in model.interventions:
        node = model.node(iv.name)
        group = node.index_of
        if group is None:
            continue
        size = sizes.get(group)
        codes = f"0..{size - 1}" if size else "0..K-1"
        hint = f"'{iv.name}' picks a unit of plate '{group}' by its code {codes} (codes " \
               "follow the order of the plate's labels in the data)"
        literal = literal_value(iv.expr) if iv.expr is not None else None
        if iv.kind != "set" or (iv.expr is not None and literal is None):
            raise _error(f"do({iv}): '{iv.name}' is an index column into plate '{group}', "
                         "which can only be set to a whole number or an array of them",
                         hint=hint)
        if iv.expr is None:
            if iv.name not in arrays:
                continue
            values = np.asarray(arrays[iv.name], dtype=float).ravel()
            shown = "array"
        else:
            assert literal is not None
            values = np.asarray([literal])
            shown = format_number(literal)
        bad = outside_support("count", values, high=size - 1 if size else None)
        if bad.any():
            where = f" (positions {np.flatnonzero(bad)[:5].tolist()})" if shown == "array" \
                else ""
            raise _error(f"do({iv.name} = {shown}){where}: '{iv.name}' is an index column "
                         f"into plate '{group}', so its values must be whole numbers in "
                         f"{codes}", hint=hint)


def _array_intervention(model: CheckedModel, name: str, arr: np.ndarray) -> InterventionDef:
    try:
        node = model.node(name)
    except KeyError:
        d = diagnostic("E600", None, name=name, hint=suggest(name, model.names))
        raise d.kind([d]) from None
    if not np.isfinite(arr).all():
        raise _error(f"do({name} = array) holds NaN or inf at positions "
                     f"{np.flatnonzero(~np.isfinite(arr))[:5].tolist()}")
    if node.plate is None and arr.size != 1:
        raise _error(f"'{name}' is global; do({name} = ...) takes one number, got an array "
                     f"of shape {arr.shape}")
    if node.dist is not None:
        spec = DISTRIBUTIONS[node.dist.name]
        low, high = interval_bounds(spec, node.dist)
        bad = outside_support(spec.support, arr.astype(float).ravel(), low=low, high=high)
        if bad.any():
            words = CONSTRAINTS[spec.support] if low is None or high is None else \
                f"between {format_number(low)} and {format_number(high)}"
            d = diagnostic("E602", None, name=name,
                           value=f"array (positions {np.flatnonzero(bad)[:5].tolist()})",
                           dist=node.dist.name, constraint=words)
            raise d.kind([d])
    return InterventionDef(name, "set", expr=None, span=API_SPAN)


def check_array_shapes(model: CheckedModel, arrays: Mapping[str, np.ndarray],
                       sizes: Mapping[str, int]) -> None:
    """Check array-valued interventions, and those on index columns, against a run's sizes.

    Parameters
    ----------
    model : CheckedModel
        The intervened model.
    arrays : mapping
        Array-valued interventions.
    sizes : mapping
        The run's plate sizes.

    Raises
    ------
    DocalcInterventionError
        An array whose length is not the plate's, or an index code out of range.
    """
    check_index_columns(model, arrays, sizes)
    for name, arr in arrays.items():
        plate = model.node(name).plate
        if plate is None:
            continue
        if arr.ndim != 1 or len(arr) not in (1, sizes[plate]):
            raise _error(f"do({name} = array): '{name}' has one value per unit of plate "
                         f"'{plate}' ({sizes[plate]} units), but the array has shape "
                         f"{arr.shape}")
