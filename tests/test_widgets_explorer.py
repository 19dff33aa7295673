"""The live effect function and the EffectExplorer widget, as state (no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import draws

from docalc.compiler.run.inference import TRACES
from docalc.compiler.run.slider_effect import effect_function
from docalc.errors import DocalcError, DocalcInterventionError


@pytest.fixture(scope="module")
def beta_by(linear_fit) -> np.ndarray:  # type: ignore[no-untyped-def]
    return draws(linear_fit.posterior, "posterior", "beta_by")


@pytest.fixture(scope="module")
def live_b(linear_fit):  # type: ignore[no-untyped-def]
    return effect_function(linear_fit.draws, "y", ["b"], baseline={"b": 0})


# --- compiler.slider_effect ---------------------------------------------------------------------


def test_closed_form_per_draw(live_b, beta_by: np.ndarray) -> None:
    for v in (-1.5, 0.0, 0.7, 2.0):
        per_unit, avg = live_b({"b": v})
        assert per_unit.shape == (beta_by.size, 100)
        assert avg.shape == (beta_by.size,)
        np.testing.assert_allclose(avg, beta_by * v, atol=1e-5)
        np.testing.assert_allclose(per_unit, np.broadcast_to((beta_by * v)[:, None],
                                                             per_unit.shape), atol=1e-5)


def test_value_changes_do_not_retrace(live_b) -> None:
    live_b({"b": 0.1})
    live_b.average({"b": 0.1})
    before = dict(TRACES)
    for k in range(20):
        live_b({"b": -2 + 0.2 * k})
        live_b.average({"b": 0.3 * k})
    assert before == TRACES


def test_agrees_with_fit_effect_factual_baseline(linear_fit) -> None:
    f = effect_function(linear_fit.draws, "y", ["b"])
    _, avg = f({"b": 1.0})
    ref = draws(linear_fit.effect("y", do={"b": 1.0}), "effect", "y_mean")
    np.testing.assert_allclose(avg, ref, atol=1e-4)


def test_noise_path_agrees_with_fit_effect(linear_fit) -> None:
    # intervening on the spread: the outcome's noise does not cancel and is replayed
    f = effect_function(linear_fit.draws, "y", ["sigma_y"])
    assert not f.noise_cancels
    per_unit, avg = f({"sigma_y": 0.5})
    ref = linear_fit.effect("y", do={"sigma_y": 0.5})
    np.testing.assert_allclose(per_unit, draws(ref, "effect", "y"), atol=1e-4)
    np.testing.assert_allclose(avg, draws(ref, "effect", "y_mean"), atol=1e-5)
    before = dict(TRACES)
    f({"sigma_y": 2.0})
    assert before == TRACES


def test_two_controls_and_a_global_control(linear_fit) -> None:
    assert "a" not in linear_fit.posterior["posterior"]  # a is observed data
    f = effect_function(linear_fit.draws, "y", ["b", "c"], baseline={"b": 0, "c": 0})
    _, avg = f({"b": 1.0, "c": 2.0})
    expect = draws(linear_fit.posterior, "posterior", "beta_by") \
        + 2 * draws(linear_fit.posterior, "posterior", "beta_cy")
    np.testing.assert_allclose(avg, expect, atol=1e-5)
    _, avg = f({"c": 0.0})  # b keeps its last value
    np.testing.assert_allclose(avg, draws(linear_fit.posterior, "posterior", "beta_by"),
                               atol=1e-5)
    g = effect_function(linear_fit.draws, "y", ["beta_by"], baseline={"beta_by": 0})
    b = np.asarray(linear_fit.model.data["b"])
    _, avg = g({"beta_by": 2.0})
    np.testing.assert_allclose(avg, np.full_like(avg, 2.0 * b.mean()), atol=1e-5)


@pytest.mark.parametrize("outcome, controls, needle", [
    ("y", ["bb"], "did you mean"),
    ("yy", ["b"], "yy"),
    ("y", [], "at least one control"),
    ("y", ["y"], "also a control"),
    ("y", ["b", "b"], "twice"),
])
def test_bad_names(linear_fit, outcome: str, controls: list[str], needle: str) -> None:
    with pytest.raises(DocalcError) as info:
        effect_function(linear_fit.draws, outcome, controls)
    assert needle in str(info.value)


def test_bad_values(live_b) -> None:
    with pytest.raises(DocalcInterventionError, match="not a control"):
        live_b({"c": 1.0})
    with pytest.raises(DocalcInterventionError):
        live_b({"b": float("nan")})


def test_value_outside_support(linear_fit) -> None:
    f = effect_function(linear_fit.draws, "y", ["sigma_y"])
    with pytest.raises(DocalcInterventionError, match="sigma_y"):
        f({"sigma_y": -1.0})


# --- the widget ------------------------------------------------------------------------


@pytest.fixture()
def explorer(linear_fit):  # type: ignore[no-untyped-def]
    pytest.importorskip("anywidget")
    from docalc.widgets import EffectExplorer

    return EffectExplorer(linear_fit, "y", {"b": (-2, 2, 0.5)}, baseline={"b": 0})


def prior_fit(model, data: pd.DataFrame, *, chains: int = 2, per_chain: int = 200):  # type: ignore[no-untyped-def]
    """A Fit whose "posterior" is prior draws: the explorer's logic needs no NUTS run."""
    from docalc.compiler.results.trees import dataset, tree
    from docalc.fit import Fit

    observed = model.observe(data)
    prior = model.sample_prior(draws=chains * per_chain, n=len(data), seed=3)["prior"]
    values = {str(k): v.values.reshape(chains, per_chain, *v.shape[2:])
              for k, v in prior.data_vars.items() if k not in data.columns}
    post = tree({"posterior": dataset(observed.checked, values, {})})
    return Fit(observed, post, observed._bound)


CONFOUNDED = """
beta ~ Normal(1, 0.1)
plate i {
  u ~ Normal(0, 1)
  a ~ Normal(0, 1)
  b ~ Normal(u + a, 1)
  y ~ Normal(beta * b + u, 0.5)
}
"""


@pytest.fixture(scope="module")
def confounded():  # type: ignore[no-untyped-def]
    import docalc

    rng = np.random.default_rng(0)
    data = pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50),
                         "y": rng.normal(size=50)})
    return prior_fit(docalc.compile(CONFOUNDED), data)  # u has no data: a latent confounder


def test_opens_away_from_the_baseline_and_follows_the_slider(explorer, beta_by) -> None:  # type: ignore[no-untyped-def]
    import ipywidgets as widgets

    slider = explorer.controls["b"]
    assert isinstance(slider, widgets.FloatSlider)
    # not at the baseline's b = 0, which would draw a spike at 0 with HDI [0, 0]
    assert (slider.min, slider.max, slider.step, slider.value) == (-2, 2, 0.5, 1.0)
    np.testing.assert_allclose(explorer.last_effect, beta_by, atol=1e-5)
    assert explorer.summary["hdi_low"] < explorer.summary["hdi_high"]
    slider.value = 1.5
    np.testing.assert_allclose(explorer.last_effect, beta_by * 1.5, atol=1e-5)
    assert explorer.summary["mean"] == pytest.approx(float(np.mean(beta_by * 1.5)), abs=1e-5)
    assert explorer.summary["hdi_low"] < explorer.summary["mean"] < explorer.summary["hdi_high"]
    # the graph is the interactive widget, and it draws the same value
    assert explorer.graph.do == "b = 1.5" and explorer.graph.intervened == ("b",)
    node = next(n for n in explorer.graph.graph["nodes"] if n["name"] == "b")
    assert node["intervened"] and node["value"] == 1.5
    assert "b = 1.5" in explorer.readout.value
    assert "<svg" in explorer.plot.value and "HDI" in explorer.plot.value
    assert set(explorer.timings) == {"compute", "plot", "graph", "redraw"}


def test_twenty_slider_moves_do_not_retrace(explorer, beta_by: np.ndarray) -> None:
    slider = explorer.controls["b"]
    slider.value = 0.5
    before = dict(TRACES)
    for k in range(20):
        slider.value = [-2.0, -1.0, 0.5, 1.0, 2.0][k % 5]
        np.testing.assert_allclose(explorer.last_effect, beta_by * slider.value, atol=1e-5)
    assert before == TRACES


def test_values_are_rounded_to_the_step(linear_fit) -> None:
    pytest.importorskip("anywidget")
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(linear_fit, "y", {"b": (-5, 5, 0.1)}, baseline={"b": 1})
    slider = ex.controls["b"]
    assert slider.readout_format == ".1f"  # 0.0, never 1.78e-15
    slider.value = -5 + 50 * 0.1  # what a slider reports: 1.7763568394002505e-15
    assert ex.values == {"b": 0.0} and ex.graph.do == "b = 0"
    assert "1.776e-15" not in ex.readout.value and "e-15" not in ex.graph.do


def test_unbounded_control_and_bad_value_shown_not_raised(linear_fit) -> None:
    pytest.importorskip("anywidget")
    import ipywidgets as widgets

    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(linear_fit, "y", {"sigma_y": 0.5})
    box = ex.controls["sigma_y"]
    assert isinstance(box, widgets.FloatText)
    good = ex.last_effect.copy()
    box.value = -1.0
    assert "sigma_y" in ex.error and "docalc-error" in ex.readout.value
    np.testing.assert_array_equal(ex.last_effect, good)
    box.value = 1.0
    assert ex.error == ""


def test_names_only_uses_data_range(linear_fit) -> None:
    pytest.importorskip("anywidget")
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(linear_fit, "y", ["b"])
    b = np.asarray(linear_fit.model.data["b"])
    s = ex.controls["b"]
    assert s.min <= b.min() and s.max >= b.max()
    assert s.value != pytest.approx(b.mean(), abs=s.step / 2)  # not where the effect is ~0


def test_explorer_bad_names_raise(linear_fit) -> None:
    pytest.importorskip("anywidget")
    from docalc.widgets import EffectExplorer

    with pytest.raises(DocalcError, match="did you mean"):
        EffectExplorer(linear_fit, "y", ["bb"])


def test_a_click_adds_a_control_and_each_set_compiles_once(confounded) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("anywidget")
    import ipywidgets as widgets

    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(confounded, "y", {"b": (-2, 2, 0.1)})
    ex.controls["b"].value = 0.5
    assert list(ex.controls) == ["b"] and ex.graph.do == "b = 0.5"
    # what the browser sends when the node a is clicked: its data mean, three digits
    a_mean = float(np.mean(confounded.model.data["a"]))
    ex.graph.set_state({"do": f"b = 0.5, a = {a_mean:.3g}"})
    assert list(ex.controls) == ["b", "a"] and isinstance(ex.controls["a"], widgets.FloatSlider)
    assert ex.values["a"] == pytest.approx(a_mean, abs=ex.controls["a"].step)
    assert ex.graph.do.startswith("b = 0.5, a = ") and ex.error == ""
    assert len(ex._functions) == 2
    rows = ex.children[0].children[0].children[0].children
    assert len(rows) == 2  # one row per control, each with its remove button
    # a click on a latent node starts from its mean under the model
    ex.intervene("u")
    u_mean = float(confounded.posterior["posterior"]["u"].mean())
    assert ex.values["u"] == pytest.approx(u_mean, abs=ex.controls["u"].step)
    # clicking again undoes; the same set again is not compiled again
    ex.graph.set_state({"do": "b = 0.5, a = 0"})
    assert list(ex.controls) == ["b", "a"] and ex.values["a"] == 0.0
    before = dict(TRACES)
    ex.controls["a"].value = 0.3
    assert before == TRACES and len(ex._functions) == 3
    # the remove button, then nothing intervened: a prompt, no error
    rows[0].children[1].click()
    assert list(ex.controls) == ["a"] and ex.graph.do == "a = 0.3"
    ex.release("a")
    assert ex.controls == {} and ex.graph.do == "" and "click a node" in ex.plot.value
    # the outcome, or a non-number, cannot be explored: the controls stay as they were
    ex.intervene("b", 1.0)
    ex.graph.set_state({"do": "b = 1, y = 2"})
    assert "outcome" in ex.error and ex.graph.do == "b = 1" and list(ex.controls) == ["b"]
    ex.graph.set_state({"do": "b = a + 1"})
    assert "numbers" in ex.error and ex.graph.do == "b = 1"
    # a typed value outside the slider widens it, and Python's value moves the graph
    ex.graph.set_state({"do": "b = 7.5"})
    assert ex.controls["b"].max >= 7.5 and ex.values == {"b": 7.5}


def test_not_identifiable_caveat_next_to_the_effect(confounded) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("anywidget")
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(confounded, "y", {"b": (-2, 2, 0.1)})
    assert "NotIdentifiable" in ex.caveat and "u" in ex.caveat
    assert "docalc-caveat" in ex.caveat_box.value
    assert ex.graph.verdict["identifiable"] is False  # treatment and outcome set on the graph
    assert confounded.model.identify("b", "y").identifiable is False
    # a is randomised (no parents): its effect is identifiable, no caveat for it alone
    ex.set_values({"a": 1.0})
    assert ex.caveat == "" and ex.caveat_box.value == ""


def test_binary_treatment_gets_a_0_1_control() -> None:
    pytest.importorskip("anywidget")
    import ipywidgets as widgets

    import docalc
    from docalc.widgets import EffectExplorer

    examples = Path(__file__).resolve().parent.parent / "examples"
    fit = prior_fit(docalc.load(examples / "gear.scm"), pd.read_csv(examples / "gear.csv"))
    ex = EffectExplorer(fit, "sound", ["gear"], baseline={"gear": 0})
    w = ex.controls["gear"]
    assert isinstance(w, widgets.ToggleButtons) and [v for _, v in w.options] == [0.0, 1.0]
    assert w.value == 1.0 and ex.graph.do == "gear = 1"  # not the baseline's 0
    w.value = 0
    np.testing.assert_allclose(ex.last_effect, 0.0, atol=1e-6)
    # the gear notebook's (0, 1, 1) range is binary too
    ex = EffectExplorer(fit, "sound", {"gear": (0, 1, 1)}, baseline={"gear": 0})
    assert isinstance(ex.controls["gear"], widgets.ToggleButtons)
    ex.controls["gear"].value = 1
    assert ex.values == {"gear": 1.0}


# --- the effect plot --------------------------------------------------------------------


def test_axis_fits_the_posterior_and_ticks_keep_their_signs() -> None:
    import re

    from docalc.widgets.effectplot import effect_svg, fit_span, nice_ticks

    rng = np.random.default_rng(0)
    wide = rng.normal(0, 5, 4000)
    span = fit_span(wide)
    q = np.quantile(wide, [0.001, 0.999])  # the farthest 0.1% go to the edge bins
    assert span[0] < q[0] and span[1] > q[1] and span[1] - span[0] < 1.3 * (q[1] - q[0])
    narrow = rng.normal(3, 0.01, 4000)
    refit = fit_span(narrow, span)  # recomputed, not only widened
    assert refit[1] - refit[0] < 0.2 and refit[0] < 2.97 and refit[1] > 3.03
    inside = rng.normal(0.5, 4, 4000)
    assert fit_span(inside, span) == span  # a move that still fits keeps the axis
    assert nice_ticks(-0.3, 0.3) == [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    svg = effect_svg(rng.normal(-1, 0.5, 4000), (-2.0, 0.0), title="t")
    labels = re.findall(r'<text class="tick" x="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    assert labels and any(t.startswith("-") for _, t in labels)
    width = 440
    for x, t in labels:  # each label's half width inside the drawing: never clipped
        assert float(x) - len(t) * 3.5 >= 0 and float(x) + len(t) * 3.5 <= width, (x, t)
    assert 'class="docalc-plot-mean"' in svg


def test_import_docalc_widgets_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, docalc.widgets; "
            "print(any(m in sys.modules for m in ('ipywidgets', 'matplotlib', 'jax')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
