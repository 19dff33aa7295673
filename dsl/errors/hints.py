"""Hint text worked out from the model: "did you mean" and lists of what there is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(name: str, choices: Iterable[str], otherwise: str = "") -> str:
    """Return a "did you mean" hint for a misspelt name, else ``otherwise``."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return f"did you mean '{lowered[name.lower()]}'?"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


def listing(what: str, names: Iterable[str], most: int = 12) -> str:
    """Return "the <what> are a, b, c" (cut after ``most`` names), for hints."""
    names = list(names)
    if not names:
        return f"there are no {what}"
    shown = ", ".join(names[:most]) + (", ..." if len(names) > most else "")
    return f"the {what} are {shown}"
