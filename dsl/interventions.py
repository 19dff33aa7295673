"""Interventions from Python values: numbers and text to checked IR, text parsed once.

A number becomes an AST ``Num`` directly (never text to parse again); text is parsed once,
all of it in one parse; then every intervention gets the checks and messages of a ``do``
in a file (:func:`docalc.dsl.check.checker.check_interventions`). Array values are the
compiler's (``docalc.compiler.bind.interventions``): they are passed at run time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from docalc.dsl import ast
from docalc.dsl.check.checker import check_interventions
from docalc.dsl.errors import interventions as do_errors
from docalc.dsl.frontend import parse_interventions
from docalc.dsl.ir import CheckedModel
from docalc.dsl.spans import Span
from docalc.dsl.supports import representable

#: Where an intervention given as a Python value is: the API's ``do``, at no position.
API_SPAN = Span(0, 0, 0, 0, "<do>")


def number(name: str, value: float) -> ast.SetValue:
    """Return ``do(name = value)`` as an AST intervention (the value a ``Num`` node).

    Raises
    ------
    DocalcInterventionError
        A value that is not finite, or beyond the largest 32-bit float (which the model
        would compute as inf).
    """
    if not representable(value):
        raise do_errors.do_not_finite(None, name=name, value=str(value)).error()
    return ast.SetValue(name, ast.Num(float(value), API_SPAN), API_SPAN)


def intervene(model: CheckedModel, numbers: Mapping[str, float], texts: Sequence[str],
              parsed: Sequence[ast.Intervention] = ()) -> CheckedModel:
    """Check interventions given as numbers and as text against a model and apply them.

    Parameters
    ----------
    model : CheckedModel
        The model to intervene on.
    numbers : mapping
        ``{"b": 0.0}``: hard interventions by value.
    texts : sequence of str
        Language text, each ``"b = 5 * b"`` or ``"b = 0, c ~ Normal(0, 1)"``; parsed
        once, together (source ``<do>``, positions in the text joined by ``", "``).
    parsed : sequence of ast.Intervention, optional
        Interventions parsed already, from the model's own text (a query's ``do(...)``):
        checked as they are, never printed and parsed again.

    Returns
    -------
    CheckedModel
        The model with the interventions (replacing earlier ones on the same nodes).
    """
    text = ", ".join(texts)
    if parsed and text:
        raise ValueError("interventions parsed from the model cannot be mixed with new text")
    new: tuple[ast.Intervention, ...] = parse_interventions(text) if text else ()
    ivs = [*parsed, *new, *(number(k, v) for k, v in numbers.items())]
    if not ivs:
        return model
    return check_interventions(model, ivs, text)


def label_error(model: CheckedModel, name: str, value: str) -> Exception | None:
    """Return the error for a label given to an index column (``do(school_of="A")``)."""
    group = model.node(name).index_of if name in model.names else None
    label = value.strip()
    if group is not None and label.isidentifier() and label not in model.names:
        # "A" would parse as an undefined node A; say what an index column takes
        return do_errors.do_index_label(None, name=name, value=value, plate=group).error()
    return None


def from_values(model: CheckedModel, items: Mapping[str, Any], text: str | None = None,
                parsed: Sequence[ast.Intervention] = ()) -> tuple[CheckedModel, dict[str, Any]]:
    """Apply the number- and text-valued items; return the model and the other items.

    Parameters
    ----------
    model : CheckedModel
    items : mapping
        Node name to a number (int, float or a 0-d array), text (``"5 * b"``), or any
        other value, returned untouched for the caller (arrays).
    text : str, optional
        Interventions as language text (``"b = 0, c = 1"``).
    parsed : sequence of ast.Intervention, optional
        Interventions parsed from the model's text (see :func:`intervene`).
    """
    numbers: dict[str, float] = {}
    texts = [text] if text else []
    rest: dict[str, Any] = {}
    for name, value in items.items():
        if isinstance(value, str):
            err = label_error(model, name, value)
            if err is not None:
                raise err
            texts.append(f"{name} = {value}")
        elif not _is_number(value):
            rest[name] = value
        else:
            try:
                numbers[name] = float(value)
            except OverflowError:  # an int past float64 (10**400)
                # (str() of an int of more than 4300 digits raises too)
                digits = int(value.bit_length() * math.log10(2)) + 1 if isinstance(value, int) \
                    else 309
                shown = f"<an integer of about {digits} digits>"
                raise do_errors.do_not_finite(None, name=name, value=shown).error() from None
    return intervene(model, numbers, texts, parsed), rest


def _is_number(value: Any) -> bool:
    if isinstance(value, int | float):
        return True
    shape = getattr(value, "shape", None)
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    return shape == () and kind in "biuf"
