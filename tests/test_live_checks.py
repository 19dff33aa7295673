"""The live effect function refuses the intervention values ``Fit.effect`` refuses.

A value can make a distribution's parameter invalid downstream of a control (a negative
Poisson rate, a negative scale, an overflowing location). The forward runs count such
units and raise; the live path (``compiler.slider_effect``, behind the EffectExplorer) must do the
same, on each of its ways of evaluating a node, without re-tracing when a value moves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import draws

from docalc.compiler.run.inference import TRACES
from docalc.compiler.run.slider_effect import effect_function
from docalc.errors import DocalcInterventionError

# each data column reaches one kind of step of the live path:
#   x: y's rate, drawn from its key (Poisson has no replayed noise); z reads x but not y
#   u: w's scale, whose noise is replayed
#   v: q's location, where the shared noise cancels and q's own step is skipped
MODEL = """
b ~ HalfNormal(1)
s ~ HalfNormal(1)
m ~ Normal(0, 1)
plate i {
  data x
  data u
  data v
  y ~ Poisson(b * x)
  z ~ Normal(x, 1)
  w ~ Normal(0, s * u)
  q ~ Normal(m + exp(v), 1)
}
"""


@pytest.fixture(scope="module")
def fit():  # type: ignore[no-untyped-def]
    import docalc

    data = pd.DataFrame({"x": [1.0, 2, 3, 4], "u": [1.0, 2, 3, 4], "v": [0.0, 0.5, 1, 1.5],
                         "y": [1, 2, 3, 5], "z": [0.9, 2.2, 2.8, 4.1],
                         "w": [0.3, -1.0, 2.0, 0.5], "q": [1.1, 1.5, 2.9, 4.2]})
    return docalc.compile(MODEL).observe(data).fit(seed=0, chains=2, tune=200, draws=200)


CASES = [  # outcome, control, a valid value, a refused one, what the message names
    ("y", "x", 2.0, -5.0, "rate of y"),
    ("w", "u", 2.0, -1.0, "scale of w"),
    ("q", "v", 1.0, 100.0, "loc of q"),  # exp(100) overflows float32
]


@pytest.mark.parametrize("outcome, control, good, bad, needle", CASES)
def test_refused_like_fit_effect(fit, outcome: str, control: str, good: float, bad: float,
                                 needle: str) -> None:
    with pytest.raises(DocalcInterventionError, match=needle) as ref:
        fit.effect(outcome, do={control: bad})
    assert ref.value.diagnostics[0].code == "E624"  # parameter_invalid
    f = effect_function(fit.draws, outcome, [control])
    for call in (f, f.average, f.average_device):
        with pytest.raises(DocalcInterventionError, match=needle) as info:
            call({control: bad})
        assert info.value.diagnostics[0].code == "E624"  # parameter_invalid
        assert "of 400 draws" in str(info.value)


@pytest.mark.parametrize("outcome, control, good, bad, needle", CASES)
def test_valid_value_agrees_with_fit_effect(fit, outcome: str, control: str, good: float,
                                            bad: float, needle: str) -> None:
    f = effect_function(fit.draws, outcome, [control])
    per_unit, avg = f({control: good})
    ref = fit.effect(outcome, do={control: good})
    np.testing.assert_allclose(per_unit, draws(ref, "effect", outcome), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(avg, draws(ref, "effect", f"{outcome}_mean"), rtol=1e-5,
                               atol=1e-5)


def test_sibling_check_as_in_fit_effect(fit) -> None:
    # x = -5 breaks y's rate; z does not read y. Whether the sibling's check refuses the
    # value is Fit.effect's to decide (its plan holds what the outcome needs); the live
    # path follows it either way
    f = effect_function(fit.draws, "z", ["x"])
    try:
        ref = fit.effect("z", do={"x": -5.0})
    except DocalcInterventionError as err:
        with pytest.raises(DocalcInterventionError) as info:
            f({"x": -5.0})
        assert info.value.message == err.message
        return
    per_unit, avg = f({"x": -5.0})
    np.testing.assert_allclose(per_unit, draws(ref, "effect", "z"), atol=1e-5)
    np.testing.assert_allclose(avg, draws(ref, "effect", "z_mean"), atol=1e-5)


def test_each_path_is_taken(fit) -> None:
    # the cases above exercise what they claim: q's noise cancels, w's does not
    assert effect_function(fit.draws, "q", ["v"]).noise_cancels
    assert not effect_function(fit.draws, "w", ["u"]).noise_cancels
    assert [(c.node, c.param) for c in effect_function(fit.draws, "y", ["x"]).checks] == \
        [("y", "rate")]


def test_refused_value_is_not_kept(fit) -> None:
    f = effect_function(fit.draws, "y", ["x"])
    _, before = f({"x": 2.0})
    with pytest.raises(DocalcInterventionError):
        f({"x": -5.0})
    assert f.values == {"x": 2.0}
    np.testing.assert_array_equal(f.average({}), before)  # unset: the last accepted value


def test_invalid_baseline_refused_when_built(fit) -> None:
    with pytest.raises(DocalcInterventionError, match="rate of y"):
        fit.effect("y", do={"x": 1.0}, baseline={"x": -1.0})
    with pytest.raises(DocalcInterventionError, match="rate of y"):
        effect_function(fit.draws, "y", ["x"], baseline={"x": -1.0})
    # a valid baseline with checks of its own is accepted
    f = effect_function(fit.draws, "y", ["x"], baseline={"x": 1.0})
    ref = fit.effect("y", do={"x": 3.0}, baseline={"x": 1.0})
    np.testing.assert_allclose(f({"x": 3.0})[0], draws(ref, "effect", "y"), atol=1e-5)


def test_baseline_outside_the_replaced_support_off_the_outcome_path(fit) -> None:
    # y is no ancestor of w; a baseline setting it to negative counts is kept in the plan
    # (it is computable from the data) and allowed: do() replaced y's Poisson, and nothing
    # downstream of y reads it. Fit.effect and the live path agree on both counts
    base = "y = u - 10"
    ref = fit.effect("w", do={"u": 2.0}, baseline=base)
    f = effect_function(fit.draws, "w", ["u"], baseline=base)
    np.testing.assert_allclose(f({"u": 2.0})[0], draws(ref, "effect", "w"), atol=1e-5)


def test_moving_values_does_not_retrace(fit) -> None:
    f = effect_function(fit.draws, "y", ["x"])
    f({"x": 1.0})
    f.average({"x": 1.0})
    before = dict(TRACES)
    for v in (0.5, 3.0, -2.0, 7.0, -0.1, 2.5):
        for call in (f, f.average):
            try:
                call({"x": v})
            except DocalcInterventionError:
                assert v < 0
            else:
                assert v >= 0
    assert before == TRACES


def test_linear_results_unchanged_by_checks(linear_fit) -> None:
    # the tutorial's model: do(b) reaches y's location, so every call counts its check
    f = effect_function(linear_fit.draws, "y", ["b"], baseline={"b": 0})
    assert [(c.node, c.param, c.constraint) for c in f.checks] == [("y", "loc", "real")]
    beta = draws(linear_fit.posterior, "posterior", "beta_by").astype(np.float32)
    f({"b": 0.3})
    before = _live_traces()
    for v in (-1.5, 0.7, 2.0):
        per_unit, avg = f({"b": v})
        # the noise cancels: the per-unit effect is beta_by * v - beta_by * 0, bit for bit
        np.testing.assert_array_equal(per_unit, np.broadcast_to(
            (beta * np.float32(v))[:, None], per_unit.shape))
        ref = linear_fit.effect("y", do={"b": v}, baseline={"b": 0})
        np.testing.assert_allclose(per_unit, draws(ref, "effect", "y"), atol=2e-6)
        np.testing.assert_allclose(avg, draws(ref, "effect", "y_mean"), atol=2e-6)
    assert before == _live_traces()  # Fit.effect's own forward runs trace, not these


def _live_traces() -> dict[str, int]:
    return {k: n for k, n in TRACES.items() if k.startswith("live")}


def test_explorer_shows_the_refusal(fit) -> None:
    pytest.importorskip("ipywidgets")
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(fit, "y", {"x": (-5, 5, 1)})
    ex.controls["x"].value = 2
    good = ex.last_effect.copy()
    assert ex.error == ""
    ex.controls["x"].value = -3  # caught by the widget, shown in its readout
    assert "rate of y" in ex.error
    assert "rate" in ex.readout.value
    np.testing.assert_array_equal(ex.last_effect, good)  # the last valid effect stays
    ex.controls["x"].value = 1
    assert ex.error == ""
