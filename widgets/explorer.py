"""The effect explorer: controls for intervention values, the effect posterior, the graph.

The widget holds state and layout only. Each value change calls the compiled effect
function of ``docalc.compiler.run.slider_effect`` (no re-trace: the values are arguments), draws the
average effect's histogram as SVG text (``effectplot``) and sends the new ``do`` text to
its graph, a ``GraphWidget``. A click on a node of that graph intervenes on it: the
explorer gets a control for it, and the new set of intervened nodes is compiled once and
kept (one effect function per set). ``ipywidgets`` is imported when this module is,
which happens only when ``docalc.widgets.EffectExplorer`` is first used.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from docalc.dsl.errors import DocalcError, missing_extra

try:
    import ipywidgets as widgets
    import traitlets
except ModuleNotFoundError as exc:  # a clear error naming the extra, not a bare traceback
    raise missing_extra("widgets", exc.name, "docalc.widgets.EffectExplorer") from None
from docalc.dsl.ir import Kind

from . import controls as ct
from .effectplot import effect_svg, fit_span, number, placeholder_svg
from .graphpayload import number_text
from .graphwidget import GraphWidget
from .render import error_html

ControlsLike = Sequence[str] | Mapping[str, Any]

_EMPTY = "click a node in the graph to intervene on it"


class EffectExplorer(widgets.VBox):
    """Controls for intervention values, the effect posterior, and the mutilated graph.

    Parameters
    ----------
    fit : docalc.Fit
        A fitted model.
    outcome : str
        The node whose change is shown.
    controls : list of str, or dict
        Names to intervene on. A dict maps each name to ``(min, max)`` or
        ``(min, max, step)`` for a slider, or to an initial value for an unbounded text
        box. A bare name gets a slider over its observed data's range (else its
        posterior's). A binary node (Bernoulli, or data in {0, 1}) gets a 0/1 toggle.
    baseline : dict or str, optional
        The fixed comparison; default the factual model. Sliders open a quarter of their
        range away from the baseline's value (or from the data mean), not at it.
    roles : mapping of str to str, optional
        Node roles for the graph (treatment, outcome, confounder, mediator); default the
        outcome, and the control as treatment when there is one unit-level control.
    hdi_prob : float
        The probability of the interval shown.
    seed : int
        Seeds the common random numbers (the same seed as ``Fit.effect`` agrees with it).

    Attributes
    ----------
    controls : dict of str to ipywidgets.ValueWidget
        One ``FloatSlider``, ``ToggleButtons`` (binary) or ``FloatText`` per intervened
        node; setting ``.value`` from Python updates the view exactly as dragging does.
    graph : GraphWidget
        The factual and the intervened graph; a click on a node adds or removes a control.
    last_effect : numpy.ndarray
        The average-effect draws of the current values, shape ``(draws,)``.
    timings : dict of str to float
        The last update's milliseconds: ``compute`` (with a compilation when the set of
        intervened nodes is new), ``plot``, ``graph`` and ``redraw`` (their total).
    summary : dict of str to float
        ``mean``, ``hdi_low``, ``hdi_high`` of the current average effect.
    caveat : str
        The not-identifiable caveat shown next to the effect, or empty.
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
        specs: dict[str, Any] = (dict(controls) if isinstance(controls, Mapping)
                                 else dict.fromkeys(controls))
        if isinstance(controls, str):
            specs = {controls: None}
        self._fit, self._seed, self._baseline = fit, seed, baseline
        self.outcome = outcome
        self.hdi_prob = hdi_prob
        self._avoid = ct.baseline_values(baseline)
        self._functions: dict[frozenset[str], Any] = {}
        self._facts: dict[str, ct.NodeFacts] = {}
        self._idents: dict[str, Any] = {}
        self._busy = False      # a batch of control changes: one update at the end
        self._syncing = False   # the explorer itself is setting the graph's do text
        self.controls: dict[str, widgets.ValueWidget] = {}
        self._spare: dict[str, widgets.ValueWidget] = {}  # controls removed, to reuse
        self._row_of: dict[str, widgets.HBox] = {}  # each control's row, with its button
        for name, spec in specs.items():
            self.controls[name] = ct.make_control(name, spec, self._node(name), None,
                                                  self._avoid.get(name))
        # compiled before anything is shown: unknown names raise here, with a suggestion
        self._fn = self._function(self.values)
        self.last_effect = np.zeros(0)
        self.timings: dict[str, float] = {}
        self.summary: dict[str, float] = {}
        self.caveat = ""
        self._span: tuple[float, float] | None = None
        self.readout = widgets.HTML()
        self.readout.add_class("docalc-readout")
        self.caveat_box = widgets.HTML()
        self.caveat_box.add_class("docalc-caveat")
        self.plot = widgets.HTML()
        self.plot.add_class("docalc-plot")
        self._rows = widgets.VBox()
        self._rows.add_class("docalc-controls")
        self.graph = GraphWidget(fit.model, do=self._do_text(self.values),
                                 roles=self._default_roles(roles),
                                 means=ct.posterior_means(fit))
        self.graph.add_class("docalc-graph")
        panel = widgets.VBox([self._rows, self.readout, self.caveat_box],
                             layout=widgets.Layout(min_width="22em", flex="1 1 22em"))
        top = widgets.HBox([panel, self.plot], layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__(children=[top, self.graph])
        self.add_class("docalc-explorer")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self.graph.observe(self._on_graph_do, names="do")
        self._layout_controls()
        self.update()

    # -- state ---------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, float]:
        """The controls' current values, rounded to each slider's step."""
        return {k: ct.control_value(w) for k, w in self.controls.items()}

    def _node(self, name: str) -> ct.NodeFacts:
        if name not in self._facts:
            try:
                self._facts[name] = ct.node_facts(self._fit, name)
            except KeyError:  # an unknown name: effect_function says so, with a suggestion
                return ct.NodeFacts("real", False, None, None, None)
        return self._facts[name]

    def _function(self, values: Mapping[str, float]) -> Any:
        """Return the compiled effect function for this set of controls, building it once."""
        from docalc.compiler.run.slider_effect import effect_function

        key = frozenset(values)
        fn = self._functions.get(key)
        if fn is None:
            fn = effect_function(self._fit.draws, self.outcome, list(values), self._baseline,
                                 seed=self._seed, initial=dict(values))
            self._functions[key] = fn
        return fn

    def _default_roles(self, roles: Mapping[str, str] | None) -> dict[str, str]:
        if roles is not None:
            return dict(roles)
        out = {self.outcome: "outcome"}
        units = [k for k in self.controls if self._unit_level(k)]
        if len(self.controls) == 1 and units:
            out[units[0]] = "treatment"
        return out

    def _unit_level(self, name: str) -> bool:
        node = self._fit.model.checked.node(name)
        return node.plate is not None and node.kind is not Kind.DATA

    @staticmethod
    def _do_text(values: Mapping[str, float]) -> str:
        return ", ".join(f"{k} = {number_text(v)}" for k, v in values.items())

    # -- reactions -----------------------------------------------------------------------
    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._busy:
            self.update()

    def _on_graph_do(self, change: dict[str, Any]) -> None:
        """Follow a click or an edited value in the graph with the controls."""
        if self._syncing or self.graph.error:
            return  # our own echo, or a text the graph shows as an error beside itself
        numbers: dict[str, float] = {}
        for iv in self.graph.graph.get("interventions", []):
            why = None
            if iv["name"] == self.outcome:
                why = f"the outcome '{self.outcome}' is what the explorer measures"
            elif iv["op"] != "=" or iv["value"] is None:
                why = f"the explorer sets nodes to numbers; do({iv['text']}) is not one"
            if why is not None:
                self._show_error(f"cannot explore do({iv['text']}): {why}")
                self._send_do(self.values)
                return
            numbers[iv["name"]] = float(iv["value"])
        self.set_values(numbers)

    def set_values(self, values: Mapping[str, float]) -> None:
        """Intervene on exactly these nodes at these values, as clicks and drags would.

        Nodes not yet controlled get a control; controlled nodes not in ``values`` lose
        theirs. One update follows, compiling the effect once if the set of nodes is new.
        """
        self._busy = True
        try:
            for name in [k for k in self.controls if k not in values]:
                # kept aside: a click on the node again reuses it (no new widget to send)
                self._spare[name] = self.controls.pop(name)
                self._spare[name].unobserve(self._on_change, names="value")
            for name, v in values.items():
                w = self.controls.get(name)
                if w is None:
                    w = self._spare.pop(name, None)
                    if w is None:
                        w = ct.make_control(name, None, self._node(name), float(v),
                                            self._avoid.get(name))
                    w.observe(self._on_change, names="value")
                    self.controls[name] = w
                if isinstance(w, widgets.FloatSlider):
                    # a typed value outside the slider widens it rather than being clipped
                    w.min, w.max = min(w.min, float(v)), max(w.max, float(v))
                if ct.control_value(w) != float(v):
                    w.value = float(v)
        finally:
            self._busy = False
        self._layout_controls()
        self.update()

    def intervene(self, name: str, value: float | None = None) -> None:
        """Add (or move) the control of ``name``, as a click on its node does."""
        self.graph.intervene(name, value)

    def release(self, name: str) -> None:
        """Remove the control of ``name``, as a second click or its remove button does."""
        self.set_values({k: v for k, v in self.values.items() if k != name})

    def _layout_controls(self) -> None:
        rows = []
        for name, w in self.controls.items():
            row = self._row_of.get(name)
            if row is None or row.children[0] is not w:
                remove = widgets.Button(description="×", tooltip=f"remove do({name})",
                                        layout=widgets.Layout(width="2.4em"))
                remove.add_class("docalc-remove")
                remove.on_click(lambda _b, name=name: self.release(name))
                row = self._row_of[name] = widgets.HBox([w, remove])
                row.add_class("docalc-control")
            rows.append(row)
        self._rows.children = rows

    @contextlib.contextmanager
    def _own_echo(self) -> Iterator[None]:
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def _send_do(self, values: Mapping[str, float]) -> None:
        with self._own_echo():
            self.graph.do = self._do_text(values)

    def _show_error(self, text: str) -> None:
        self.error = text
        self.readout.value = f'<pre class="docalc-error">{html.escape(text)}</pre>'

    def update(self) -> None:
        """Recompute the effect for the controls' values and redraw (what a change does)."""
        t0 = time.perf_counter()
        values = self.values
        if not values:
            self._send_do(values)
            self.plot.value = placeholder_svg(_EMPTY)
            self.readout.value = ""
            self.caveat_box.value = self.caveat = ""
            self.error = ""
            self.last_effect, self.summary, self._span = np.zeros(0), {}, None
            return
        try:
            fn = self._function(values)
            if fn is not self._fn:
                self._fn, self._span = fn, None  # a new question: fit the axis afresh
            avg = self._fn.average(values)
        except DocalcError as err:
            self.error = str(err)
            self.readout.value = error_html(err)
            return
        t1 = time.perf_counter()
        from docalc.compiler.results.effects import hdi

        lo, hi = hdi(avg, self.hdi_prob) if avg.size > 1 else (float("nan"),) * 2
        mean = float(np.mean(avg))
        self._span = fit_span(avg, self._span)
        self.plot.value = effect_svg(avg, (lo, hi), title=f"effect on {self.outcome}",
                                     span=self._span, prob=self.hdi_prob)
        t2 = time.perf_counter()
        self._send_do(values)
        t3 = time.perf_counter()
        do = ", ".join(f"{k} = {number_text(v)}" for k, v in values.items())
        self.readout.value = (
            f'<div class="docalc-readout">E[{html.escape(self.outcome)} | do({do})] '
            f'&minus; baseline: <b class="docalc-mean">{number(mean)}</b><br>'
            f'{round(self.hdi_prob * 100)}% HDI [{number(lo)}, {number(hi)}]</div>')
        self.caveat = self._caveat(values)
        self.caveat_box.value = (f'<div class="docalc-caveat" style="color:#a04000">'
                                 f'{html.escape(self.caveat)}</div>' if self.caveat else "")
        self.error = ""
        self.last_effect = avg
        self.summary = {"mean": mean, "hdi_low": lo, "hdi_high": hi}
        t4 = time.perf_counter()
        self.timings = {"compute": (t1 - t0) * 1e3, "plot": (t2 - t1) * 1e3,
                        "graph": (t3 - t2) * 1e3, "redraw": (t4 - t0) * 1e3}

    # -- identification ------------------------------------------------------------------
    def _caveat(self, values: Mapping[str, float]) -> str:
        """Return the NotIdentifiable caveat for the controls ``Model.identify`` refuses."""
        lines = []
        for name in values:
            if not self._unit_level(name):
                continue  # parameters and data inputs have no backdoor to close
            if name not in self._idents:
                bound = getattr(self._fit, "_bound", None)
                observed = sorted(bound.names) if bound is not None else None
                try:
                    self._idents[name] = self._fit.model.identify(name, self.outcome,
                                                                  observed=observed)
                except DocalcError:
                    self._idents[name] = None
            ident = self._idents[name]
            if ident is not None and not ident.identifiable:
                latent = ", ".join(sorted(ident.latent)) or "none"
                lines.append(f"NotIdentifiable: P({self.outcome} | do({name})) is not "
                             f"identifiable from the observed nodes (latent: {latent}): "
                             "this effect rests on the model's parametric form and priors.")
        return "\n".join(lines)


__all__ = ["EffectExplorer", "effect_svg", "number"]
