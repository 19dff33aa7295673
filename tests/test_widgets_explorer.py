"""The live effect function and the EffectExplorer widget, as state (no browser)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import draws

from docalc.compiler.inference import TRACES
from docalc.compiler.slider_effect import effect_function
from docalc.errors import DocalcError, DocalcInterventionError


@pytest.fixture(scope="module")
def beta_by(linear_fit) -> np.ndarray:  # type: ignore[no-untyped-def]
    return draws(linear_fit.posterior, "posterior", "beta_by")


@pytest.fixture(scope="module")
def live_b(linear_fit):  # type: ignore[no-untyped-def]
    return effect_function(linear_fit, "y", ["b"], baseline={"b": 0})


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
    f = effect_function(linear_fit, "y", ["b"])
    _, avg = f({"b": 1.0})
    ref = draws(linear_fit.effect("y", do={"b": 1.0}), "effect", "y_mean")
    np.testing.assert_allclose(avg, ref, atol=1e-4)


def test_noise_path_agrees_with_fit_effect(linear_fit) -> None:
    # intervening on the spread: the outcome's noise does not cancel and is replayed
    f = effect_function(linear_fit, "y", ["sigma_y"])
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
    f = effect_function(linear_fit, "y", ["b", "c"], baseline={"b": 0, "c": 0})
    _, avg = f({"b": 1.0, "c": 2.0})
    expect = draws(linear_fit.posterior, "posterior", "beta_by") \
        + 2 * draws(linear_fit.posterior, "posterior", "beta_cy")
    np.testing.assert_allclose(avg, expect, atol=1e-5)
    _, avg = f({"c": 0.0})  # b keeps its last value
    np.testing.assert_allclose(avg, draws(linear_fit.posterior, "posterior", "beta_by"),
                               atol=1e-5)
    g = effect_function(linear_fit, "y", ["beta_by"], baseline={"beta_by": 0})
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
        effect_function(linear_fit, outcome, controls)
    assert needle in str(info.value)


def test_bad_values(live_b) -> None:
    with pytest.raises(DocalcInterventionError, match="not a control"):
        live_b({"c": 1.0})
    with pytest.raises(DocalcInterventionError):
        live_b({"b": float("nan")})


def test_value_outside_support(linear_fit) -> None:
    f = effect_function(linear_fit, "y", ["sigma_y"])
    with pytest.raises(DocalcInterventionError, match="sigma_y"):
        f({"sigma_y": -1.0})


# --- the widget ------------------------------------------------------------------------


@pytest.fixture()
def explorer(linear_fit):  # type: ignore[no-untyped-def]
    pytest.importorskip("ipywidgets")
    from docalc.widgets import EffectExplorer

    return EffectExplorer(linear_fit, "y", {"b": (-2, 2, 0.5)}, baseline={"b": 0})


def test_slider_value_sets_effect_to_closed_form(explorer, beta_by: np.ndarray) -> None:
    import ipywidgets as widgets

    slider = explorer.controls["b"]
    assert isinstance(slider, widgets.FloatSlider)
    assert (slider.min, slider.max, slider.step, slider.value) == (-2, 2, 0.5, 0)
    np.testing.assert_allclose(explorer.last_effect, 0.0, atol=1e-6)
    slider.value = 1.5
    np.testing.assert_allclose(explorer.last_effect, beta_by * 1.5, atol=1e-5)
    assert explorer.summary["mean"] == pytest.approx(float(np.mean(beta_by * 1.5)), abs=1e-5)
    assert explorer.summary["hdi_low"] < explorer.summary["mean"] < explorer.summary["hdi_high"]
    assert "b = 1.5" in explorer.graph.value and "<svg" in explorer.graph.value
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


def test_unbounded_control_and_bad_value_shown_not_raised(linear_fit) -> None:
    pytest.importorskip("ipywidgets")
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
    pytest.importorskip("ipywidgets")
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(linear_fit, "y", ["b"])
    b = np.asarray(linear_fit.model.data["b"])
    s = ex.controls["b"]
    assert s.min <= b.min() and s.max >= b.max()


def test_explorer_bad_names_raise(linear_fit) -> None:
    pytest.importorskip("ipywidgets")
    from docalc.widgets import EffectExplorer

    with pytest.raises(DocalcError, match="did you mean"):
        EffectExplorer(linear_fit, "y", ["bb"])


def test_import_docalc_widgets_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, docalc.widgets; "
            "print(any(m in sys.modules for m in ('ipywidgets', 'matplotlib', 'jax')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
