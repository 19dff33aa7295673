"""Inference beyond the tutorial: eight schools (hierarchy, labels as coords) and SVI."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import TRUE, draws

import docalc


@pytest.mark.slow
def test_eight_schools_fits_cleanly(examples) -> None:  # type: ignore[no-untyped-def]
    model = docalc.load(examples / "eight_schools.scm")
    df = pd.read_csv(examples / "eight_schools.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", docalc.SamplingWarning)  # no divergences, R-hat fine
        # target_accept 0.95: the usual setting for this funnel-shaped posterior
        fit = model.observe(df).fit(seed=0, chains=2, tune=500, draws=500, target_accept=0.95)
    assert int(fit.posterior["sample_stats"]["diverging"].sum()) == 0
    theta = fit.posterior["posterior"]["theta"]
    assert theta.dims == ("chain", "draw", "school")
    assert list(theta["school"].values) == list("ABCDEFGH")
    # the labels were factorized in order of appearance: theta[A] is school A's effect
    th = draws(fit.posterior, "posterior", "theta")
    mu = draws(fit.posterior, "posterior", "mu")
    tau = draws(fit.posterior, "posterior", "tau")
    raw = draws(fit.posterior, "posterior", "theta_raw")
    np.testing.assert_allclose(th, mu[:, None] + tau[:, None] * raw, rtol=1e-5, atol=1e-4)
    # known answers (Gelman et al., BDA3 5.5): mu about 4.4 (sd 3.3), school A pulled
    # toward mu, well below its raw estimate of 28
    s = fit.summary(var_names=["mu", "theta"])
    assert abs(s.loc["mu", "mean"] - 4.4) < 4 * s.loc["mu", "mcse_mean"] + 0.5
    assert 2.5 < s.loc["mu", "sd"] < 4.0
    assert 4 < s.loc["theta[A]", "mean"] < 10
    assert (tau > 0).all()
    # observed_data and constant_data carry the coords of their plates
    assert list(fit.posterior["observed_data"]["y"].values) == df["y"].tolist()


@pytest.mark.slow
def test_svi_recovers_the_linear_coefficients(linear_model, linear_data, linear_fit) -> None:  # type: ignore[no-untyped-def]
    fit = linear_model.observe(linear_data).fit(method="svi", seed=3, steps=3000,
                                                learning_rate=0.02, draws=1000)
    post = fit.posterior["posterior"]
    assert post.sizes["chain"] == 1 and post.sizes["draw"] == 1000
    assert "sample_stats" not in fit.posterior.children
    assert np.isfinite(fit.posterior.attrs["final_loss"])
    nuts = linear_fit.summary()
    # Tolerance: the posterior is close to Gaussian and the predictors nearly uncorrelated,
    # so the mean-field Gaussian optimum has the exact posterior means; what is left is the
    # optimiser's noise at a fixed step size and the MC error of 1000 guide draws (sd/30).
    # Both are well under one posterior sd, so: within 1 NUTS posterior sd of the NUTS mean,
    # and within 3 posterior sd of the truth, with guide sds within a factor of 2 of NUTS'.
    for name in ("beta_ay", "beta_by", "beta_cy", "beta_y0", "sigma_y"):
        v = draws(fit.posterior, "posterior", name)
        mean, sd = nuts.loc[name, "mean"], nuts.loc[name, "sd"]
        assert abs(v.mean() - mean) < sd, (name, v.mean(), mean, sd)
        assert abs(v.mean() - TRUE[name]) < 3 * sd + 1e-9, (name, v.mean())
        assert 0.5 < v.std() / sd < 2, (name, v.std(), sd)
    # the deterministic node is recorded per guide draw
    mu = draws(fit.posterior, "posterior", "y_mu")
    a, b, c = (linear_data[k].to_numpy(np.float64) for k in "abc")
    expect = (draws(fit.posterior, "posterior", "beta_y0")[:, None]
              + draws(fit.posterior, "posterior", "beta_ay")[:, None] * a
              + draws(fit.posterior, "posterior", "beta_by")[:, None] * b
              + draws(fit.posterior, "posterior", "beta_cy")[:, None] * c)
    np.testing.assert_allclose(mu, expect, atol=1e-4)
    # the fit answers causal questions like a NUTS fit
    eff = fit.effect("y", do={"b": 1}, baseline={"b": 0})
    np.testing.assert_allclose(draws(eff, "effect", "y_mean"),
                               draws(fit.posterior, "posterior", "beta_by"), atol=1e-5)


def test_fit_needs_data(linear_model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(docalc.DocalcInferenceError, match="no data"):
        linear_model.fit()


def test_unknown_method(linear_model, linear_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(docalc.DocalcInferenceError, match="unknown method"):
        linear_model.observe(linear_data).fit(method="hmc")
