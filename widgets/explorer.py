"""The effect explorer: sliders for intervention values, the effect posterior, the graph.

The widget holds state and layout only. Each value change calls the compiled effect
function of ``docalc.compiler.slider_effect`` (no re-trace: the values are arguments),
draws the average effect's histogram as SVG text, and redraws the mutilated graph through
``widgets.render``. ``ipywidgets`` is imported when this module is, which happens only
when ``docalc.widgets.EffectExplorer`` is first used.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from docalc.dsl.errors import DocalcError, missing_extra

try:
    import ipywidgets as widgets
    import traitlets
except ModuleNotFoundError as exc:  # a clear error naming the extra, not a bare traceback
    raise missing_extra("widgets", exc.name, "docalc.widgets.EffectExplorer") from None
from docalc.compiler.graph import unwrap
from docalc.dsl.frontend import apply_intervention_text

from .render import INTERVENED_LINE, draw, error_html, render_svg

ControlsLike = Sequence[str] | Mapping[str, Any]

# Sentinel values drawn once into the mutilated graph, then replaced by the current value
# in the SVG text: running ``dot`` on every slider move would cost more than everything
# else in a redraw. The node was laid out for a label this wide.
_SENTINEL = {"real": 8761.25, "positive": 8761.25, "nonnegative": 8761.25, "count": 87613.0,
             "unit": 0.876125, "unit_closed": 0.876125}


# dot sizes its SVG in points; scale it down to the notebook's width instead of clipping
_GRAPH_STYLE = "<style>.docalc-graph svg {max-width: 100%; height: auto;}</style>"


def number(v: float) -> str:
    """Format an intervention value for labels: four significant digits, no float noise."""
    v = float(v)
    if not math.isfinite(v):
        return repr(v)
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def _control_widget(name: str, spec: Any, default: tuple[float, float, float] | None,
                    start: float) -> widgets.ValueWidget:
    style = {"description_width": "initial"}
    if isinstance(spec, tuple | list):
        if len(spec) not in (2, 3):
            raise ValueError(f"control {name!r}: give (min, max) or (min, max, step)")
        lo, hi = float(spec[0]), float(spec[1])
        step = float(spec[2]) if len(spec) == 3 else (hi - lo) / 100
        value = min(max(start, lo), hi)
        return widgets.FloatSlider(value=value, min=lo, max=hi, step=step,
                                   description=f"do({name} =", style=style,
                                   continuous_update=True, readout_format=".3g")
    if spec is not None:  # an initial value: unbounded, typed in
        return widgets.FloatText(value=float(spec), description=f"do({name} =", style=style)
    if default is not None:
        lo, hi, step = default
        return widgets.FloatSlider(value=min(max(start, lo), hi), min=lo, max=hi, step=step,
                                   description=f"do({name} =", style=style,
                                   continuous_update=True, readout_format=".3g")
    return widgets.FloatText(value=start, description=f"do({name} =", style=style)


def _data_range(fit: Any, name: str) -> tuple[float, float, float] | None:
    """Return a slider range from the observed column, if the control has data."""
    bound = getattr(fit, "_bound", None)
    col = bound.columns.get(name) if bound is not None else None
    if col is None:
        return None
    a = np.asarray(col, dtype=float)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    if lo == hi:
        return None
    discrete = np.all(a == np.round(a)) and len(np.unique(a)) <= 20
    step = 1.0 if discrete else float(f"{(hi - lo) / 100:.1g}")
    if not discrete:
        # rounded so the slider shows 3.24, not 3.2399999999999998
        lo, hi = round(math.floor(lo / step) * step, 12), round(math.ceil(hi / step) * step, 12)
    return lo, hi, step


def effect_svg(draws: np.ndarray, hdi: tuple[float, float], *, title: str = "",
               bins: int = 40, width: int = 420, height: int = 200,
               span: tuple[float, float] | None = None) -> str:
    """Draw a histogram of effect draws with its HDI and mean, as SVG text.

    Hand-written SVG rather than matplotlib: it costs well under a millisecond, which keeps
    a slider-driven redraw within its latency budget.

    Parameters
    ----------
    draws : numpy.ndarray
        The average-effect draws.
    hdi : (float, float)
        The interval drawn under the histogram.
    title : str
        Printed above, followed by the mean.
    bins, width, height : int
        Histogram bins and the drawing's size in pixels.
    span : (float, float), optional
        The x range; default the draws' range widened to include 0.

    """
    x = np.asarray(draws, dtype=float).ravel()
    x = x[np.isfinite(x)]
    mean = float(x.mean()) if x.size else float("nan")
    lo, hi = span if span is not None else (
        min(float(x.min()) if x.size else 0.0, 0.0), max(float(x.max()) if x.size else 0.0, 0.0))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    left, right, top, bottom = 10, width - 10, 28, height - 46
    sx = (right - left) / (hi - lo)
    peak = max(int(counts.max()) if counts.size else 1, 1)
    sy = (bottom - top) / peak

    def px(v: float) -> float:
        return left + (v - lo) * sx

    bars = "".join(
        f'<rect x="{px(e0):.1f}" y="{bottom - c * sy:.1f}" '
        f'width="{max(px(e1) - px(e0) - 0.5, 0.5):.1f}" height="{c * sy:.1f}"/>'
        for c, e0, e1 in zip(counts, edges[:-1], edges[1:], strict=True) if c)
    ticks = []
    for t in np.linspace(lo, hi, 5):
        ticks.append(f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{bottom}" y2="{bottom + 4}" '
                     f'stroke="#555"/><text x="{px(t):.1f}" y="{bottom + 15}" '
                     f'text-anchor="middle">{number(t)}</text>')
    h0, h1 = hdi
    zero = (f'<line x1="{px(0):.1f}" x2="{px(0):.1f}" y1="{top}" y2="{bottom}" stroke="#888" '
            f'stroke-dasharray="3,3"/>') if lo <= 0 <= hi else ""
    mean_line = (f'<line class="mean" x1="{px(mean):.1f}" x2="{px(mean):.1f}" y1="{top}" '
                 f'y2="{bottom}" stroke="{INTERVENED_LINE}" stroke-width="2"/>'
                 if math.isfinite(mean) else "")
    hdi_bar = (f'<line class="hdi" x1="{px(h0):.1f}" x2="{px(h1):.1f}" y1="{bottom + 26}" '
               f'y2="{bottom + 26}" stroke="#222" stroke-width="4"/>'
               f'<text x="{(px(h0) + px(h1)) / 2:.1f}" y="{bottom + 40}" text-anchor="middle">'
               f'94% HDI [{number(h0)}, {number(h1)}]</text>') if math.isfinite(h0) else ""
    return (
        f'<svg class="docalc-effect" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" font-family="Helvetica, sans-serif" font-size="11">'
        f'<text x="{left}" y="16" font-size="13">{html.escape(title)}  mean {number(mean)}</text>'
        f'<g fill="#5d8aa8">{bars}</g>{zero}{mean_line}'
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#555"/>'
        f'{"".join(ticks)}{hdi_bar}</svg>'
    )


class EffectExplorer(widgets.VBox):
    """Sliders for intervention values, the effect posterior, and the mutilated graph.

    Parameters
    ----------
    fit : docalc.Fit
        A fitted model.
    outcome : str
        The node whose change is shown.
    controls : list of str, or dict
        Names to intervene on. A dict maps each name to ``(min, max)`` or
        ``(min, max, step)`` for a slider, or to an initial value for an unbounded text
        box. A bare name gets a slider over its observed data's range, or a text box.
    baseline : dict or str, optional
        The fixed comparison; default the factual model.
    roles : mapping of str to str, optional
        Node roles to colour in the graph (treatment, outcome, confounder, mediator).
    hdi_prob : float
        The probability of the interval shown.
    seed : int
        Seeds the common random numbers (the same seed as ``Fit.effect`` agrees with it).

    Attributes
    ----------
    controls : dict of str to ipywidgets.ValueWidget
        One ``FloatSlider`` (or ``FloatText``) per control; setting ``.value`` from Python
        updates the view exactly as dragging does.
    last_effect : numpy.ndarray
        The average-effect draws of the current values, shape ``(draws,)``.
    timings : dict of str to float
        The last update's milliseconds: ``compute``, ``plot``, ``graph`` and ``redraw``
        (their total, with the widget updates).
    summary : dict of str to float
        ``mean``, ``hdi_low``, ``hdi_high`` of the current average effect.
    error : str
        The current error's text (a value outside a control's support), or empty.

    Raises
    ------
    DocalcError
        Unknown outcome or control names (with a suggestion), or no controls.

    """

    error = traitlets.Unicode("")

    def __init__(self, fit: Any, outcome: str, controls: ControlsLike,
                 baseline: Any = None, *, roles: Mapping[str, str] | None = None,
                 hdi_prob: float = 0.94, seed: int = 0) -> None:
        from docalc.compiler.slider_effect import effect_function

        specs: dict[str, Any] = (dict(controls) if isinstance(controls, Mapping)
                                 else dict.fromkeys(controls))
        if isinstance(controls, str):
            specs = {controls: None}
        initial = {}
        for name, spec in specs.items():
            if isinstance(spec, tuple | list) and len(spec) >= 2:
                lo, hi = float(spec[0]), float(spec[1])
                initial[name] = 0.0 if lo <= 0 <= hi else lo
            elif spec is not None:
                initial[name] = float(spec)
        self._fn = effect_function(fit, outcome, list(specs), baseline, seed=seed,
                                   initial=initial)
        self.outcome = outcome
        self.hdi_prob = hdi_prob
        self._model, self._observed = unwrap(fit.model)
        self._roles = {**dict(roles or {})}
        self._baseline = baseline
        self.controls: dict[str, widgets.ValueWidget] = {}
        for name, spec in specs.items():
            default = _data_range(fit, name) if spec is None else None
            start = initial.get(name, self._fn.values[name])
            if default is not None and not default[0] <= start <= default[1]:
                start = default[0]
            self.controls[name] = _control_widget(name, spec, default, start)
        self.last_effect = np.zeros(0)
        self.timings: dict[str, float] = {}
        self.summary: dict[str, float] = {}
        self._span: tuple[float, float] | None = None
        self._graphs: dict[tuple[str, ...], str] = {}
        self._template: tuple[str, dict[str, str]] | None = None
        self.readout = widgets.HTML()
        self.plot = widgets.HTML()
        self.graph = widgets.HTML()
        for w in (self.readout, self.plot, self.graph):
            w.add_class("docalc-" + {id(self.readout): "readout", id(self.plot): "plot",
                                     id(self.graph): "graph"}[id(w)])
        panel = widgets.VBox([*self.controls.values(), self.readout])
        super().__init__(children=[widgets.HBox([panel, self.plot]), self.graph])
        self.add_class("docalc-explorer")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self.update()

    # -- state ---------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, float]:
        """The controls' current values."""
        return {k: float(w.value) for k, w in self.controls.items()}

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the effect for the controls' values and redraw (what a change does)."""
        t0 = time.perf_counter()
        values = self.values
        try:
            avg = self._fn.average(values)
        except DocalcError as err:
            self.error = str(err)
            self.readout.value = error_html(err)
            return
        t1 = time.perf_counter()
        from docalc.compiler.effects import hdi

        lo, hi = hdi(avg, self.hdi_prob) if avg.size > 1 else (float("nan"),) * 2
        mean = float(np.mean(avg))
        if self._span is None:
            # fix the x axis on the first draw (widened as needed) so moves read as shifts
            self._span = _widen(None, avg)
        else:
            self._span = _widen(self._span, avg)
        self.plot.value = effect_svg(avg, (lo, hi), title=f"effect on {self.outcome}",
                                     span=self._span)
        t2 = time.perf_counter()
        self.graph.value = _GRAPH_STYLE + self._graph_svg(values)
        t3 = time.perf_counter()
        do = ", ".join(f"{k} = {number(v)}" for k, v in values.items())
        self.readout.value = (
            f'<div class="docalc-readout">E[{html.escape(self.outcome)} | do({do})] '
            f'&minus; baseline: <b class="docalc-mean">{number(mean)}</b><br>'
            f'{round(self.hdi_prob * 100)}% HDI [{number(lo)}, {number(hi)}]</div>')
        self.error = ""
        self.last_effect = avg
        self.summary = {"mean": mean, "hdi_low": lo, "hdi_high": hi}
        t4 = time.perf_counter()
        self.timings = {"compute": (t1 - t0) * 1e3, "plot": (t2 - t1) * 1e3,
                        "graph": (t3 - t2) * 1e3, "redraw": (t4 - t0) * 1e3}

    # -- graph ---------------------------------------------------------------------------
    def _graph_svg(self, values: Mapping[str, float]) -> str:
        labels = {k: number(v) for k, v in values.items()}
        if self._template is None:
            self._template = self._make_template()
        svg, tokens = self._template
        if svg and len(tokens) == len(labels):
            for name, token in tokens.items():
                svg = svg.replace(token, labels[name])
            return svg
        key = tuple(labels[k] for k in self.controls)
        cached = self._graphs.get(key)
        if cached is None:
            cached = self._render(labels)
            if len(self._graphs) < 256:
                self._graphs[key] = cached
        return cached

    def _render(self, labels: Mapping[str, str]) -> str:
        try:
            text = ", ".join(f"{k} = {v}" for k, v in labels.items())
            model = apply_intervention_text(self._model, text, source="<do>")
            return render_svg(draw(model, observed=self._observed, roles=self._roles))
        except DocalcError as err:
            return error_html(err)

    def _make_template(self) -> tuple[str, dict[str, str]]:
        """Render the graph once with sentinel values to substitute later (see _SENTINEL)."""
        tokens = {}
        for k, name in enumerate(self.controls):
            base = _SENTINEL.get(self._fn.supports[name])
            if base is None:
                return "", {}
            v = base + k if base > 1 else base + k * 1e-6
            tokens[name] = str(int(v)) if v == int(v) else repr(v)
        if len(set(tokens.values())) != len(tokens):
            return "", {}
        svg = self._render(tokens)
        if not all(svg.count(t) >= 1 for t in tokens.values()):
            return "", {}
        return svg, tokens


def _widen(span: tuple[float, float] | None, x: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(x)), float(np.max(x))
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if span is not None:
        if span[0] <= lo and hi <= span[1]:
            return span
        lo, hi = min(lo, span[0]), max(hi, span[1])
    pad = 0.05 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


__all__ = ["EffectExplorer", "effect_svg", "number"]
