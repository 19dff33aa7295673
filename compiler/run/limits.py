"""The limit on what one run may hold in memory, checked before anything is allocated.

A run's size is set by its arguments, not by the model text: ``simulate(n=10**12)`` or
4,000 draws of 10**6 units would ask JAX for terabytes and hang or abort the process. Every
forward run and every fit counts the values it will hold (draws x units x nodes) first and
refuses a run over :func:`max_values` with a :class:`~docalc.DocalcSizeError` naming the
argument to lower. docs/limits.md documents the limit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from docalc.dsl.errors import data as errors

#: Values (4 bytes each: float32 or int32) one run may hold: 2**30 values, 4 GiB.
MAX_VALUES = 2**30
#: The environment variable that moves the limit (a whole number of values).
ENV = "DOCALC_MAX_VALUES"


def max_values() -> int:
    """Return the limit on the values one run may hold (``DOCALC_MAX_VALUES`` or MAX_VALUES)."""
    text = os.environ.get(ENV, "").strip().replace("_", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return MAX_VALUES


def node_size(plate: str | None, sizes: Mapping[str, int]) -> int:
    """Return how many values one draw of a node holds: its plate's size, or 1 if global."""
    return 1 if plate is None else int(sizes.get(plate, 1))


def check_values(what: str, draws: int, plates: Iterable[str | None],
                 sizes: Mapping[str, int], fix: str) -> None:
    """Refuse a run that would hold more than :func:`max_values` values.

    Parameters
    ----------
    what : str
        The call, as the message names it (``"simulate(n=1000000000000)"``).
    draws : int
        Draws (or worlds, or chains x iterations) the run holds.
    plates : iterable of (str or None)
        The plate of each node it holds a value of per draw (None for a global node).
    sizes : mapping
        Plate sizes.
    fix : str
        What to lower, for the hint (``"lower n"``).

    Raises
    ------
    DocalcSizeError
        E974, with the count of values, its parts and the limit.

    """
    plates = list(plates)
    per_draw = sum(node_size(p, sizes) for p in plates)
    total = int(draws) * per_draw
    limit = max_values()
    if total <= limit:
        return
    largest = max((p for p in plates if p is not None), key=lambda p: sizes.get(p, 1),
                  default=None)
    detail = f"{int(draws):,} draw{'s' if draws != 1 else ''} of {len(plates)} node" \
             f"{'s' if len(plates) != 1 else ''}"
    if largest is not None:
        per_unit = sum(p == largest for p in plates)
        detail += f", {per_unit} of them per unit of plate '{largest}' " \
                  f"({sizes[largest]:,} units)"
    raise errors.run_too_large(None, what=what, values=total, detail=detail, limit=limit,
                               fix=fix).error()
