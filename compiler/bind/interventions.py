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
from docalc.dsl.check.checker import literal_value, suggest
from docalc.dsl.errors import interventions
from docalc.dsl.interventions import API_SPAN, from_values
from docalc.dsl.ir import CheckedModel, InterventionDef, plate_sizes
from docalc.dsl.printer import format_number
from docalc.dsl.supports import outside_support

DoLike = Mapping[str, Any] | str | tuple[ast.Intervention, ...] | None


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
            raise interventions.do_type(None, got=type(do).__name__).error()
        items.update(do)
    items.update(kw or {})
    for key in items:
        if not isinstance(key, str):
            from docalc.compiler.bind.arguments import name as name_arg

            name_arg("a key of do()", key)
    model, rest = from_values(model, items, text, parsed)
    arrays = dict(arrays)
    array_ivs: list[InterventionDef] = []
    for name, value in rest.items():
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise interventions.do_value_type(None, name=name,
                                              got=type(value).__name__).error()
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
        literal = literal_value(iv.expr) if iv.expr is not None else None
        if iv.kind != "set" or (iv.expr is not None and literal is None):
            raise interventions.do_index_expression(None, intervention=str(iv), name=iv.name,
                                                    plate=group, codes=codes).error()
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
            positions = str(np.flatnonzero(bad)[:5].tolist()) if shown == "array" else None
            raise interventions.do_index_code(None, name=iv.name, value=shown,
                                              positions=positions, plate=group,
                                              codes=codes).error()


def _array_intervention(model: CheckedModel, name: str, arr: np.ndarray) -> InterventionDef:
    try:
        node = model.node(name)
    except KeyError:
        raise interventions.do_undefined(None, name=name,
                                         suggestion=suggest(name, model.names)).error() from None
    if not np.isfinite(arr).all():
        raise interventions.do_array_not_finite(
            None, name=name,
            positions=str(np.flatnonzero(~np.isfinite(arr))[:5].tolist())).error()
    if node.plate is None and arr.size != 1:
        raise interventions.do_global_array(None, name=name, shape=str(arr.shape)).error()
    # no check against the node's own support: the intervention replaces its mechanism
    # (aimz's `z = zeros` of a LogNormal z); what the values make of the parameters
    # downstream is checked when the model runs
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
            raise interventions.do_array_length(None, name=name, plate=plate,
                                                units=sizes[plate],
                                                shape=str(arr.shape)).error()
