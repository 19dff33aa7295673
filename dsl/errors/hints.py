"""Hint text worked out from the model: "did you mean" and lists of what there is."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable
from functools import lru_cache

#: The most names one "did you mean" compares closely (difflib costs up to ~0.1 ms a name).
MAX_CANDIDATES = 100


@lru_cache(maxsize=8)
def _index(choices: tuple[str, ...]) -> tuple[dict[str, str], list[str], list[str]]:
    # built once per set of names (a checker asks about the same nodes for each error):
    # the names by their lower case, and the names sorted by it, with those keys
    lowered: dict[str, str] = {}
    for c in choices:
        lowered.setdefault(c.lower(), c)
    ordered = sorted(choices, key=str.lower)
    return lowered, ordered, [c.lower() for c in ordered]


def suggest(name: str, choices: Iterable[str], otherwise: str = "") -> str:
    """Return a "did you mean" hint for a misspelt name, else ``otherwise``.

    Among many names (a generated model), only the MAX_CANDIDATES that sort next to the
    name are compared, which are those sharing its longest beginning, so that a search
    costs a bounded time whatever the model's size (a typo in the first letters of one of
    thousands of names gets no suggestion).
    """
    lowered, ordered, keys = _index(tuple(choices))
    low = name.lower()
    if low in lowered:
        return f"did you mean '{lowered[low]}'?"
    pool = ordered
    if len(ordered) > MAX_CANDIDATES:
        at = bisect.bisect_left(keys, low)
        half = MAX_CANDIDATES // 2
        pool = ordered[max(at - half, 0):at + half]
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


def listing(what: str, names: Iterable[str], most: int = 12) -> str:
    """Return "the <what> are a, b, c" (cut after ``most`` names), for hints."""
    names = list(names)
    if not names:
        return f"there are no {what}"
    shown = ", ".join(names[:most]) + (", ..." if len(names) > most else "")
    return f"the {what} are {shown}"
