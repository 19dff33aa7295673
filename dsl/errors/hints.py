"""Hint text worked out from the model: "did you mean" and lists of what there is."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Callable, Iterable
from functools import lru_cache

#: The most names one "did you mean" compares closely (difflib costs up to ~0.1 ms a name).
MAX_CANDIDATES = 100


@lru_cache(maxsize=8)
def _index(choices: tuple[str, ...]) -> tuple[dict[str, str], _Sorted, _Sorted]:
    # built once per set of names (a checker asks about the same nodes for each error):
    # the names by their lower case, and sorted by it forwards and backwards
    lowered: dict[str, str] = {}
    for c in choices:
        lowered.setdefault(c.lower(), c)
    return lowered, _sorted(choices, lambda c: c.lower()), \
        _sorted(choices, lambda c: c.lower()[::-1])


_Sorted = tuple[list[str], list[str], Callable[[str], str]]


def _sorted(choices: Iterable[str], key: Callable[[str], str]) -> _Sorted:
    ordered = sorted(choices, key=key)
    return ordered, [key(c) for c in ordered], key


def _near(name: str, by: _Sorted, most: int) -> list[str]:
    ordered, keys, key = by
    at = bisect.bisect_left(keys, key(name))
    return ordered[max(at - most // 2, 0):at + most // 2]


def suggest(name: str, choices: Iterable[str], otherwise: str = "") -> str:
    """Return a "did you mean" hint for a misspelt name, else ``otherwise``.

    Among many names (a generated model), only MAX_CANDIDATES are compared: those that
    sort next to the name, and next to it read backwards, which share its longest
    beginning or end (a typo seldom changes both), so that a search costs a bounded time
    whatever the model's size.
    """
    lowered, forwards, backwards = _index(tuple(choices))
    low = name.lower()
    if low in lowered:
        return f"did you mean '{lowered[low]}'?"
    pool = forwards[0]
    if len(pool) > MAX_CANDIDATES:
        half = MAX_CANDIDATES // 2
        pool = list(dict.fromkeys([*_near(name, forwards, half), *_near(name, backwards, half)]))
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


def listing(what: str, names: Iterable[str], most: int = 12) -> str:
    """Return "the <what> are a, b, c" (cut after ``most`` names), for hints."""
    names = list(names)
    if not names:
        return f"there are no {what}"
    shown = ", ".join(names[:most]) + (", ..." if len(names) > most else "")
    return f"the {what} are {shown}"
