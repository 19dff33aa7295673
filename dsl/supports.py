"""One table of value constraints, for scalars (the checker), NumPy (data) and JAX (runs).

Every check of a value against a catalogue constraint (``CONSTRAINTS`` in
:mod:`docalc.dsl.distributions`) goes through :func:`inside`, written once against an
array module passed in (``math``-like scalars go through NumPy), so the checker, data
validation and the run-time checks cannot disagree. No JAX is imported here: the compiler
passes ``jax.numpy``.

The rules, decided once:

- NaN and infinities are outside every constraint, ``real`` included: a parameter or a
  value must be a finite number (``1e999`` is not a positive scale).
- ``unit_closed`` (a probability) accepts :data:`TOLERANCE` beyond 0 and 1: a
  probability computed in float32 (``a + b`` with ``a + b = 1``) may round past 1.
  Open bounds (``positive``, ``unit``) are strict.
- ``count`` and ``category`` are whole and non-negative; ``interval`` is checked against
  the bounds given (``low`` and ``high``), and ``count`` against ``high`` when given
  (Binomial's ``total_count``).
- ``simplex`` (a list of probabilities, last axis) is non-negative and sums to 1 within
  :data:`SIMPLEX_TOLERANCE`.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

#: How far past [0, 1] a probability may round.
TOLERANCE = 1e-6
#: How far from 1 the sum of a list of probabilities may round.
SIMPLEX_TOLERANCE = 1e-5
#: The largest 32-bit float: the model computes in float32, so a constant or an
#: intervention value beyond it would silently become inf.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def representable(value: float) -> bool:
    """Return whether a number is finite as the model's 32-bit floats hold it."""
    return math.isfinite(value) and abs(value) <= FLOAT32_MAX


def inside(constraint: str, v: Any, xp: Any = np, *, low: Any = None,
           high: Any = None) -> Any:
    """Return where ``v`` satisfies ``constraint``, elementwise (a boolean array).

    Parameters
    ----------
    constraint : str
        A key of ``docalc.dsl.distributions.CONSTRAINTS``.
    v : array_like
        The values.
    xp : module, optional
        The array module: ``numpy`` (default) or ``jax.numpy``.
    low, high : float or array_like, optional
        Bounds of an ``interval``, and ``high`` the upper bound of a ``count``; bounds
        not given are not checked.

    Returns
    -------
    array of bool
        Broadcast like ``v`` (a ``simplex`` loses its last axis).
    """
    v = xp.asarray(v)
    if constraint == "simplex":
        return xp.all(v >= 0, axis=-1) & (xp.abs(xp.sum(v, axis=-1) - 1) < SIMPLEX_TOLERANCE)
    ok = xp.isfinite(v)
    match constraint:
        case "positive":
            ok = ok & (v > 0)
        case "nonnegative":
            ok = ok & (v >= 0)
        case "unit":
            ok = ok & (v > 0) & (v < 1)
        case "unit_closed":
            ok = ok & (v >= -TOLERANCE) & (v <= 1 + TOLERANCE)
        case "binary":
            ok = ok & ((v == 0) | (v == 1))
        case "count" | "category":
            ok = ok & (v >= 0) & (v == xp.round(v))
        case "interval":
            if low is not None:
                ok = ok & (v >= low)
    if high is not None and constraint in ("count", "interval"):
        ok = ok & (v <= high)
    return ok


# plain floats through the same rules: the checker tests every literal, and NumPy's
# scalars cost microseconds each
_SCALAR = SimpleNamespace(asarray=float, isfinite=math.isfinite,
                          round=lambda x: math.floor(x) if math.isfinite(x) else x)


def in_support(constraint: str, value: float) -> bool:
    """Return whether one number satisfies a constraint (``interval`` bounds unchecked)."""
    if constraint == "simplex":
        return True  # a list, checked entry by entry by the checker
    return bool(inside(constraint, value, _SCALAR))


def outside_support(constraint: str, a: Any, *, low: Any = None, high: Any = None) -> Any:
    """Return where NumPy values break a constraint: the complement of :func:`inside`."""
    with np.errstate(invalid="ignore", over="ignore"):
        return ~inside(constraint, np.asarray(a), np, low=low, high=high)
