"""The PyMC do-operator tutorial, end to end, checked against closed forms per posterior draw.

The linear model is y_mu = beta_y0 + beta_ay a + beta_by b + beta_cy c, y ~ Normal(y_mu, sigma_y),
so every prediction, effect and counterfactual has an exact value per posterior draw.
Values are float32; exact comparisons use a tolerance of a few float32 ulps of the magnitudes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL, TRUE, draws

import docalc

F32 = 1e-5  # relative tolerance for float32 arithmetic on values of order 1-10


def post(fit, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    return draws(fit.posterior, "posterior", name)


def closed_form_mu(fit, a, b, c) -> np.ndarray:  # type: ignore[no-untyped-def]
    """y_mu per (draw, unit) from the posterior draws, in float64."""
    p = {k: post(fit, k)[:, None] for k in ("beta_y0", "beta_ay", "beta_by", "beta_cy")}
    return p["beta_y0"] + p["beta_ay"] * a + p["beta_by"] * b + p["beta_cy"] * c


def test_recovers_the_true_coefficients(linear_fit) -> None:  # type: ignore[no-untyped-def]
    summary = linear_fit.summary()
    for name in ("beta_ay", "beta_by", "beta_cy"):
        mean, sd = summary.loc[name, "mean"], summary.loc[name, "sd"]
        assert abs(mean - TRUE[name]) < 3 * sd, (name, mean, sd)
        assert sd < 0.05  # 100 rows with noise sd 0.2 pin each slope to about 0.02
    assert abs(summary.loc["sigma_y", "mean"] - 0.2) < 3 * summary.loc["sigma_y", "sd"]
    assert set(linear_fit.posterior["posterior"]["y_mu"].dims) == {"chain", "draw", "i"}
    # the observed nodes are data, not posterior variables
    assert "y" not in linear_fit.posterior["posterior"]
    np.testing.assert_array_equal(linear_fit.posterior["observed_data"]["y"].values,
                                  linear_fit.model.data["y"].to_numpy())


def test_predict_do_b0_is_the_closed_form(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    pred = linear_fit.predict(do={"b": 0}, seed=3)
    assert pred["predictions"]["y"].dims == ("chain", "draw", "i")
    a, c = (linear_data[k].to_numpy(np.float64) for k in "ac")
    b_pred = draws(pred, "predictions", "b")
    # the intervened node records its intervened value, not a draw from Normal(0, 1)
    assert (b_pred == 0).all()
    mu = closed_form_mu(linear_fit, a, 0.0, c)
    got_mu = draws(pred, "predictions", "y_mu")
    np.testing.assert_allclose(got_mu, mu, rtol=F32, atol=F32 * np.abs(mu).max())
    # y = y_mu + sigma_y * z with z standard normal: check z's mean and sd by MC error
    z = (draws(pred, "predictions", "y") - got_mu) / post(linear_fit, "sigma_y")[:, None]
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * n)
    # a and c are held at their data values (they are not downstream of b)
    assert "a" not in pred["predictions"] or np.allclose(draws(pred, "predictions", "a"), a)


def test_predict_shift_is_the_closed_form(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    pred = linear_fit.predict(do="b = 5 * b", seed=4)
    a, b, c = (linear_data[k].to_numpy(np.float64) for k in "abc")
    b_pred = draws(pred, "predictions", "b")
    # the shift reads each unit's factual (observed) b
    np.testing.assert_allclose(b_pred, np.broadcast_to(5 * b, b_pred.shape), rtol=F32,
                               atol=F32)
    mu = closed_form_mu(linear_fit, a, 5 * b, c)
    got_mu = draws(pred, "predictions", "y_mu")
    np.testing.assert_allclose(got_mu, mu, rtol=F32, atol=F32 * np.abs(mu).max())
    z = (draws(pred, "predictions", "y") - got_mu) / post(linear_fit, "sigma_y")[:, None]
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * z.size)


def test_predict_without_do_is_posterior_predictive(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    pred = linear_fit.predict(seed=5)
    a, b, c = (linear_data[k].to_numpy(np.float64) for k in "abc")
    y = draws(pred, "predictions", "y")
    mu = closed_form_mu(linear_fit, a, b, c)
    z = (y - mu) / post(linear_fit, "sigma_y")[:, None]
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * z.size)


def test_effect_per_unit_is_beta_by(linear_fit) -> None:  # type: ignore[no-untyped-def]
    eff = linear_fit.effect("y", do={"b": 1}, baseline={"b": 0})
    beta_by = post(linear_fit, "beta_by")
    per_unit = draws(eff, "effect", "y")
    assert per_unit.shape == (beta_by.size, 100)
    # common random numbers: y's noise cancels, leaving exactly beta_by * (1 - 0)
    np.testing.assert_allclose(per_unit, np.broadcast_to(beta_by[:, None], per_unit.shape),
                               atol=1e-5)
    np.testing.assert_allclose(draws(eff, "effect", "y_mean"), beta_by, atol=1e-5)
    s = eff["summary"]
    assert float(s["mean"]) == pytest.approx(beta_by.mean(), abs=1e-5)
    assert float(s["sd"]) == pytest.approx(beta_by.std(ddof=1), rel=1e-3)
    assert float(s["hdi_low"]) < beta_by.mean() < float(s["hdi_high"])


def test_effect_of_a_shift_is_beta_by_times_4b(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    eff = linear_fit.effect("y", do="b = 5 * b", baseline=None)
    b = linear_data["b"].to_numpy(np.float64)
    expect = post(linear_fit, "beta_by")[:, None] * 4 * b
    np.testing.assert_allclose(draws(eff, "effect", "y"), expect, atol=1e-5 * 4 * np.abs(b).max())


def test_counterfactual_is_abduction(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    cf = linear_fit.counterfactual(do={"b": 0}, var_names=["y"])
    assert list(cf["counterfactual"].data_vars) == ["y"]
    y_obs = linear_data["y"].to_numpy(np.float64)
    b_obs = linear_data["b"].to_numpy(np.float64)
    expect = y_obs + post(linear_fit, "beta_by")[:, None] * (0 - b_obs)
    got = draws(cf, "counterfactual", "y")
    # float32: y is recomputed as y_mu' + sigma_y * (y_obs - y_mu) / sigma_y, so the error is
    # an ulp or two of the largest term (|y| up to ~6, ulp ~5e-7; measured max 4.8e-7):
    # 1e-6 relative to that magnitude
    scale = max(np.abs(y_obs).max(), np.abs(expect).max(), 1.0)
    assert np.abs(got - expect).max() <= 1e-6 * scale, np.abs(got - expect).max()


def test_counterfactual_with_no_change_returns_the_data(linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    # do(b = b) changes nothing, so each unit's counterfactual y is its observed y
    cf = linear_fit.counterfactual(do="b = 1 * b", var_names=["y"])
    y_obs = linear_data["y"].to_numpy(np.float64)
    np.testing.assert_allclose(draws(cf, "counterfactual", "y"),
                               np.broadcast_to(y_obs, (600, 100)), atol=1e-5)


def test_do_on_a_deterministic_node(linear_model, linear_fit) -> None:  # type: ignore[no-untyped-def]
    sim = linear_model.do({**TRUE, "y_mu": 0}).simulate(n=4000, seed=6)
    assert (sim["y_mu"] == 0).all()
    y = sim["y"].to_numpy(np.float64)
    assert abs(y.mean()) < 4 * 0.2 / np.sqrt(len(y))
    assert abs(y.std() - 0.2) < 4 * 0.2 / np.sqrt(2 * len(y))
    # and y no longer depends on a, b, c
    assert abs(np.corrcoef(sim["b"], y)[0, 1]) < 4 / np.sqrt(len(y))
    pred = linear_fit.predict(do={"y_mu": 0}, seed=7)
    assert (draws(pred, "predictions", "y_mu") == 0).all()
    z = draws(pred, "predictions", "y") / post(linear_fit, "sigma_y")[:, None]
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * z.size)


def test_stochastic_intervention(linear_model, linear_fit, linear_data) -> None:  # type: ignore[no-untyped-def]
    sim = linear_model.do({**TRUE}).do("b ~ Normal(1, 0.1)").simulate(n=4000, seed=8)
    b = sim["b"].to_numpy(np.float64)
    assert abs(b.mean() - 1) < 4 * 0.1 / np.sqrt(len(b))
    assert abs(b.std() - 0.1) < 4 * 0.1 / np.sqrt(2 * len(b))
    np.testing.assert_allclose(sim["y_mu"], 1.5 * sim["a"] + 0.7 * sim["b"] + 0.3 * sim["c"],
                               atol=1e-5)
    # in predictions too: b is redrawn from the new mechanism, independent of the data's b
    pred = linear_fit.predict(do="b ~ Normal(1, 0.1)", seed=9)
    bp = draws(pred, "predictions", "b")
    assert abs(bp.mean() - 1) < 4 * 0.1 / np.sqrt(bp.size)
    assert abs(bp.std() - 0.1) < 4 * 0.1 / np.sqrt(2 * bp.size)
    a, c = (linear_data[k].to_numpy(np.float64) for k in "ac")
    mu = closed_form_mu(linear_fit, a, bp, c)
    np.testing.assert_allclose(draws(pred, "predictions", "y_mu"), mu, rtol=F32,
                               atol=F32 * np.abs(mu).max())


def test_parameter_intervention_shows_in_simulate(linear_model) -> None:  # type: ignore[no-untyped-def]
    sim = linear_model.do(TRUE).simulate(n=5000, seed=10)
    glob = sim.attrs["plates"]["global"]
    for k, v in TRUE.items():
        assert glob[k] == [pytest.approx(v)]
    # least squares on the simulated units recovers the intervened coefficients
    x = np.column_stack([np.ones(len(sim)), sim["a"], sim["b"], sim["c"]]).astype(np.float64)
    coef, *_ = np.linalg.lstsq(x, sim["y"].to_numpy(np.float64), rcond=None)
    se = 0.2 / np.sqrt(len(sim))  # predictors have unit variance
    np.testing.assert_allclose(coef, [0, 1.5, 0.7, 0.3], atol=5 * se)
    np.testing.assert_allclose(sim["y_mu"], 1.5 * sim["a"] + 0.7 * sim["b"] + 0.3 * sim["c"],
                               atol=1e-5)
    # text form, and a single parameter: only beta_ay is fixed, the others are prior draws
    prior = linear_model.do("beta_ay = 1.5").sample_prior(draws=500, n=3, seed=11)
    assert (prior["prior"]["beta_ay"].values == np.float32(1.5)).all()
    assert prior["prior"]["beta_by"].std() > 0.5


def test_model_is_immutable(linear_model) -> None:  # type: ignore[no-untyped-def]
    intervened = linear_model.do(b=0)
    assert linear_model.checked.interventions == ()
    assert len(intervened.checked.interventions) == 1
    sim = linear_model.simulate(n=50, seed=0)
    assert sim["b"].std() > 0.3


def test_tutorial_from_text() -> None:
    # the same workflow starting from model text (docalc.compile), with a do in the text
    text = (EXAMPLE_TEXT + "\ndo(beta_ay = 1.5, beta_by = 0.7, beta_cy = 0.3, sigma_y = 0.2,"
            " beta_y0 = 0)")
    sim = docalc.compile(text).simulate(n=20, seed=1)
    assert isinstance(sim, pd.DataFrame)
    assert list(sim.columns) == ["a", "b", "c", "y_mu", "y"]
    np.testing.assert_allclose(sim["y_mu"], 1.5 * sim["a"] + 0.7 * sim["b"] + 0.3 * sim["c"],
                               atol=1e-5)


EXAMPLE_TEXT = """
beta_y0 ~ Normal(0, 1)
beta_ay ~ Normal(0, 1)
beta_by ~ Normal(0, 1)
beta_cy ~ Normal(0, 1)
sigma_y ~ HalfNormal(1)
plate i {
  a ~ Normal(0, 1)
  b ~ Normal(0, 1)
  c ~ Normal(0, 1)
  y_mu = beta_y0 + beta_ay * a + beta_by * b + beta_cy * c
  y ~ Normal(y_mu, sigma_y)
}
"""

assert SMALL["chains"] * SMALL["draws"] == 600  # the shapes above assume the shared fit
