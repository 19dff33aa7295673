"""Interventions given through the API: dicts, keywords or language text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from docalc.dsl.checker import suggest
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import diagnostic
from docalc.dsl.frontend import apply_intervention_text
from docalc.dsl.ir import CheckedModel, InterventionDef

DoLike = Mapping[str, Any] | str | None


def _error(detail: str, hint: str | None = None) -> Exception:
    d = diagnostic("E603", None, detail=detail, hint=hint)
    return d.kind([d])


def apply(model: CheckedModel, arrays: Mapping[str, np.ndarray], do: DoLike,
          kw: Mapping[str, Any]) -> tuple[CheckedModel, dict[str, np.ndarray]]:
    """Apply interventions to a checked model; returns it and the array-valued ones.

    Scalars and strings become language text (so they get the same checks and error
    messages as a ``do`` in a file); arrays are kept aside and passed at run time.
    """
    items: dict[str, Any] = {}
    text_parts: list[str] = []
    if isinstance(do, str):
        text_parts.append(do)
    elif do is not None:
        if not isinstance(do, Mapping):
            raise _error(f"do must be a dict or text like 'b = 0', got {type(do).__name__}")
        items.update(do)
    items.update(kw)
    arrays = dict(arrays)
    array_ivs: list[InterventionDef] = []
    for name, value in items.items():
        if isinstance(value, str):
            text_parts.append(f"{name} = {value}")
            continue
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise _error(f"do({name} = ...) needs a number, an array or text, got "
                         f"{type(value).__name__}")
        if arr.ndim == 0:
            if not np.isfinite(arr):
                raise _error(f"do({name} = {float(arr)}) is not a finite number")
            text_parts.append(f"{name} = {float(arr)!r}")
            continue
        array_ivs.append(_array_intervention(model, name, arr))
        arrays[name] = arr.astype(np.float32)
    if text_parts:
        model = apply_intervention_text(model, ", ".join(text_parts))
    if array_ivs:
        model = model.with_interventions(array_ivs)
    for iv in model.interventions:
        if iv.name in arrays and not (iv.kind == "set" and iv.expr is None):
            del arrays[iv.name]
    return model, arrays


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
        from docalc.compiler.data import outside_support

        spec = DISTRIBUTIONS[node.dist.name]
        bad = outside_support(spec.support, arr.astype(float).ravel())
        if bad.any():
            d = diagnostic("E602", None, name=name,
                           value=f"array (positions {np.flatnonzero(bad)[:5].tolist()})",
                           dist=node.dist.name, constraint=CONSTRAINTS[spec.support])
            raise d.kind([d])
    return InterventionDef(name, "set", expr=None)


def check_array_shapes(model: CheckedModel, arrays: Mapping[str, np.ndarray],
                       sizes: Mapping[str, int]) -> None:
    """Check array-valued interventions against the plate sizes of a run."""
    for name, arr in arrays.items():
        plate = model.node(name).plate
        if plate is None:
            continue
        if arr.ndim != 1 or len(arr) not in (1, sizes[plate]):
            raise _error(f"do({name} = array): '{name}' has one value per unit of plate "
                         f"'{plate}' ({sizes[plate]} units), but the array has shape "
                         f"{arr.shape}")
