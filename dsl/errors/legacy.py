"""The old ``error(code, ...)`` and ``diagnostic(code, ...)``, to be removed.

They stay until every caller uses a typed constructor (docs/errors.md, "Legacy codes").

Codes that still carry free text (``detail``, ``hint``) are declared here, and only these
two functions can build them; every other code is built through its catalogue entry.
"""

from __future__ import annotations

from typing import Any

from ..spans import Span
from .base import (
    CATALOGUE,
    Diagnostic,
    DocalcConditioningError,
    DocalcCounterfactualError,
    DocalcError,
    DocalcInferenceError,
    DocalcInterventionError,
    DocalcNameError,
    DocalcQueryError,
    Entry,
)

LEGACY: dict[str, Entry] = {
    e.code: e
    for e in (
        Entry("E206", DocalcNameError, "{detail}", "{hint}", legacy=True,
              about="unknown names in API calls (docalc/fit.py, compiler/scenarios.py)"),
        Entry("E603", DocalcInterventionError, "{detail}", "{hint}", legacy=True,
              about="interventions refused at run time (docalc/interventions.py, "
                    "compiler/live.py, compiler/plan.py)"),
        Entry("E702", DocalcQueryError, "{detail}", "{hint}", legacy=True,
              about="queries refused at run time (compiler/queries.py, compiler/weighting.py)"),
        Entry("E910", DocalcConditioningError, "cannot condition on deterministic node "
              "'{name}': {why}", "{hint}", legacy=True, about="docalc/model.py"),
        Entry("E911", DocalcConditioningError, "{detail}", "{hint}", legacy=True,
              about="docalc/model.py"),
        Entry("E920", DocalcCounterfactualError, "{detail}", "{hint}", legacy=True,
              about="compiler/scenarios.py, compiler/plan.py"),
        Entry("E930", DocalcInferenceError, "{detail}", "{hint}", legacy=True,
              about="docalc/model.py, docalc/fit.py, compiler/seeds.py, compiler/runs.py"),
    )
}
CATALOGUE.update(LEGACY)


def diagnostic(code: str, span: Span | None, *, source_text: str | None = None,
               **values: Any) -> Diagnostic:
    """Build a diagnostic by code (deprecated: call the code's typed constructor).

    A legacy free-text code takes ``detail`` and ``hint``; any other code takes its
    constructor's keywords, where a ``hint`` fills the entry's one computed hint value.
    Values given as None are left out, as the old function did.
    """
    given = {k: v for k, v in values.items() if v is not None}
    found = CATALOGUE[code]
    if found.legacy:
        if code == "E910":
            d = found.build(span, {"hint": "", **given})
        else:
            d = Diagnostic(code, str(given.pop("detail")), span, given.pop("hint", None) or None)
            if given:
                raise TypeError(f"{code} takes detail and hint, not {', '.join(given)}")
    else:
        if "hint" in given and "hint" not in found.fields:
            (computed,) = found.hint_fields - found.fields.difference(found.hint_fields)
            given[computed] = given.pop("hint")
        d = found.build(span, given)
    return d.with_source(source_text)


def error(code: str, span: Span | None = None, **values: Any) -> DocalcError:
    """Return (not raise) the exception for one code (deprecated, as :func:`diagnostic`)."""
    return diagnostic(code, span, **values).error()

