"""The effect explorer's controls: one widget per intervened node, and its range and values.

A control is a slider over a range (given, else the node's data, else its posterior,
clipped to the node's support), a 0/1 toggle for a binary node (a Bernoulli node, or
data in {0, 1}), or a text box for an unbounded value given as a number. Values are
rounded to the slider's step: a slider moved to ``-5 + 50 * 0.1`` reports
``1.776e-15``, which must read and draw as ``0``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import runtime
from docalc.dsl.ir import CheckedModel

#: the options of a binary control: labels and values
BINARY = (("0", 0.0), ("1", 1.0))


@dataclass(frozen=True)
class NodeFacts:
    """What a control needs to know about a node: its support, data and posterior.

    Attributes
    ----------
    support : str
        The node's support (a ``CONSTRAINTS`` key), ``"binary"`` for a Bernoulli node,
        ``"real"`` for a deterministic node or a data input.
    binary : bool
        A Bernoulli node, or one whose data are all 0 or 1.
    level : float or None
        Its data mean, else its posterior mean; None when neither is known.
    low, high : float or None
        The range of its data, else the 0.5% and 99.5% posterior quantiles.
    integer : bool
        Integer data with at most 20 distinct values, or a count or category node.

    """

    support: str
    binary: bool
    level: float | None
    low: float | None
    high: float | None
    integer: bool = False


def node_facts(fit: Any, name: str) -> NodeFacts:
    """Collect a node's support, binariness, level and range from the fit's data and draws."""
    checked: CheckedModel = fit.model.checked
    node = checked.node(name)
    support = DISTRIBUTIONS[node.dist.name].support if node.dist is not None else "real"
    binary = support == "binary"
    bound = getattr(fit, "_bound", None)
    col = bound.columns.get(name) if bound is not None else None
    if col is not None:
        a = np.asarray(col, dtype=float)
        a = a[np.isfinite(a)]
        if a.size:
            binary = binary or bool(np.isin(a, (0.0, 1.0)).all())
            integer = bool(np.all(a == np.round(a))) and len(np.unique(a)) <= 20
            return NodeFacts(support, binary, float(a.mean()), float(a.min()), float(a.max()),
                             integer or support in ("count", "category"))
    post: Any = getattr(fit, "posterior", None)
    try:
        values = np.asarray(post["posterior"][name].values, dtype=np.float64)
    except (KeyError, TypeError):  # not sampled (deterministic, or no posterior at all)
        return NodeFacts(support, binary, None, None, None)
    values = values[np.isfinite(values)]
    if not values.size:
        return NodeFacts(support, binary, None, None, None)
    lo, hi = (float(v) for v in np.quantile(values, [0.005, 0.995]))
    return NodeFacts(support, binary, float(values.mean()), lo, hi,
                     support in ("count", "category"))


def posterior_means(fit: Any) -> dict[str, float]:
    """Return each posterior variable's mean: where a click on a node without data starts."""
    post = fit.posterior["posterior"]
    return {str(k): float(np.nanmean(np.asarray(v.values, dtype=float)))
            for k, v in post.data_vars.items()}


def decimals(x: float) -> int:
    """Return the decimals needed to write ``x`` exactly (at most 12): 0.25 needs 2."""
    for d in range(13):
        if abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x)):
            return d
    return 12


def nice_step(raw: float) -> float:
    """Return the smallest of 1, 2 and 5 times a power of ten that is at least ``raw``."""
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(float(f"{m * mag:.1g}") for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-9))


def snap(value: float, low: float, step: float) -> float:
    """Round ``value`` to the grid ``low + k * step``, written with the step's decimals."""
    k = round((float(value) - low) / step)
    return round(low + k * step, max(decimals(step), decimals(low))) + 0.0


def auto_range(facts: NodeFacts, around: float | None = None) -> tuple[float, float, float]:
    """Return ``(min, max, step)`` for a slider from the node's data or posterior.

    The range is widened to include ``around`` (a clicked node's starting value), has
    about a hundred steps of a round size, and stays inside the node's support.
    """
    lo, hi = facts.low, facts.high
    if lo is None or hi is None or not hi > lo:
        centre = around if around is not None else (facts.level or 0.0)
        half = max(abs(centre), 1.0)
        lo, hi = centre - half, centre + half
    if around is not None:
        lo, hi = min(lo, around), max(hi, around)
    if facts.integer:
        step = 1.0
    else:
        step = nice_step((hi - lo) / 100)
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if facts.support in ("positive", "unit"):
        lo = max(lo, step)
    elif facts.support in ("nonnegative", "count", "unit_closed", "category"):
        lo = max(lo, 0.0)
    if facts.support in ("unit", "unit_closed"):
        hi = min(hi, 1.0 - step if facts.support == "unit" else 1.0)
    d = max(decimals(step), 0)
    # rounded so the slider shows 3.24, not 3.2399999999999998
    return round(lo, d) + 0.0, round(hi, d) + 0.0, step


def opening_value(low: float, high: float, step: float, level: float) -> float:
    """Return a start a quarter of the range away from ``level``, inside the range.

    ``level`` is the baseline's value of the node, or its data mean when the baseline is
    the factual model: starting there shows a spike at zero, with an HDI of [0, 0].
    """
    quarter = (high - low) / 4
    for candidate in (level + quarter, level - quarter, high, low):
        v = snap(min(max(candidate, low), high), low, step)
        if low <= v <= high and abs(v - level) >= step / 2:
            return v
    return snap(level, low, step)


def slider(name: str, low: float, high: float, step: float, value: float) -> widgets.FloatSlider:
    """Return a slider whose readout shows the step's decimals (``0.00``, not ``1.78e-15``)."""
    d = max(decimals(step), decimals(low))
    return widgets.FloatSlider(value=snap(min(max(value, low), high), low, step), min=low,
                               max=high, step=step, description=f"do({name} =",
                               style={"description_width": "initial"},
                               continuous_update=True, readout_format=f".{d}f",
                               layout=widgets.Layout(width="24em"))


def toggle(name: str, value: float) -> widgets.ToggleButtons:
    """Return a 0/1 control for a binary node."""
    return widgets.ToggleButtons(options=list(BINARY), value=1.0 if value >= 0.5 else 0.0,
                                 description=f"do({name} =",
                                 style={"description_width": "initial", "button_width": "3em"})


def make_control(name: str, spec: Any, facts: NodeFacts, start: float | None,
                 avoid: float | None) -> widgets.ValueWidget:
    """Build the widget for one control.

    Parameters
    ----------
    name : str
        The node intervened on.
    spec : None, (min, max), (min, max, step), or a number
        As ``EffectExplorer`` takes it: a range for a slider, a number for a text box,
        None for a range found from the data or the posterior.
    facts : NodeFacts
        The node's support, data and posterior (:func:`node_facts`).
    start : float, optional
        The value to show first (a click's value); default :func:`opening_value`.
    avoid : float, optional
        The baseline's value of the node, which the default start stays away from.

    Raises
    ------
    DocalcArgumentError
        A range that is not ``(min, max)`` or ``(min, max, step)`` of finite numbers (also
        a ``ValueError``, as before).

    """
    level = avoid if avoid is not None else (facts.level if facts.level is not None else 0.0)
    if facts.binary and (spec is None or isinstance(spec, tuple | list)):
        return toggle(name, start if start is not None else (0.0 if level >= 0.5 else 1.0))
    if isinstance(spec, tuple | list):
        numbers = _numbers(name, spec)
        if len(numbers) not in (2, 3):
            raise runtime.argument_type(None, argument=f"the control of '{name}'",
                                        expected="(min, max) or (min, max, step)",
                                        value=spec).error()
        lo, hi = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else nice_step((hi - lo) / 100)
    elif spec is not None:  # an initial value: unbounded, typed in
        return widgets.FloatText(value=_numbers(name, [spec])[0], description=f"do({name} =",
                                 style={"description_width": "initial"})
    else:
        lo, hi, step = auto_range(facts, start)
    value = start if start is not None else opening_value(lo, hi, step, level)
    return slider(name, lo, hi, step, value)


def _numbers(name: str, values: Any) -> list[float]:
    """Return a control's range or value as finite floats, else refuse it naming the node."""
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = math.nan
        if isinstance(v, bool) or not math.isfinite(x):
            raise runtime.argument_type(None, argument=f"the control of '{name}'",
                                        expected="finite numbers", value=values).error()
        out.append(x)
    return out


def control_value(w: widgets.ValueWidget) -> float:
    """Return a control's value, rounded to its slider's step."""
    if isinstance(w, widgets.FloatSlider):
        return snap(w.value, w.min, w.step)
    return float(w.value)


def baseline_values(baseline: Any) -> Mapping[str, float]:
    """Return the numbers a baseline mapping fixes (an empty mapping for text or None)."""
    if not isinstance(baseline, Mapping):
        return {}
    out = {}
    for k, v in baseline.items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            continue
    return out


__all__ = ["NodeFacts", "auto_range", "baseline_values", "control_value", "decimals",
           "make_control", "nice_step", "node_facts", "opening_value", "posterior_means", "snap"]
