"""Conditioning is inference, intervening is surgery: the forum question's three models.

All three have the same joint of (x, y): x ~ N(0, 1), y | x ~ N(x + 1, sqrt 3). So
E[y | x = 3] = 4 (posterior sd sqrt 3) for all three, but E[y | do(x = 3)] is 4, 1, 1:
x causes y in model 1 only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import draws

import docalc

MODELS = [("forum1.scm", 4.0), ("forum2.scm", 1.0), ("forum3.scm", 1.0)]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "_"), MODELS)
def test_conditioning_on_x_gives_four(examples, name: str, _: float) -> None:  # type: ignore[no-untyped-def]
    model = docalc.load(examples / name)
    fit = model.observe({"x": 3}).fit(seed=1, chains=2, tune=500, draws=1000)
    s = fit.summary(var_names=["y"])
    mean, mcse, sd = s.loc["y", "mean"], s.loc["y", "mcse_mean"], s.loc["y", "sd"]
    assert 0 < mcse < 0.15
    assert abs(mean - 4) < 4 * mcse, (name, mean, mcse)
    assert abs(sd - np.sqrt(3)) < 0.15 * np.sqrt(3), (name, sd)
    # x is data, not a posterior variable, and y is a real posterior, not a clamped draw
    assert "x" not in fit.posterior["posterior"]
    assert float(fit.posterior["observed_data"]["x"]) == 3


@pytest.mark.parametrize(("name", "expect"), MODELS)
def test_intervening_on_x(examples, name: str, expect: float) -> None:  # type: ignore[no-untyped-def]
    model = docalc.load(examples / name)
    prior = model.do(x=3).sample_prior(draws=4000, seed=2)
    x = draws(prior, "prior", "x")
    assert (x == 3).all()  # the intervened value is recorded
    y = draws(prior, "prior", "y")
    assert y.shape == (4000,)
    se = y.std() / np.sqrt(y.size)
    assert abs(y.mean() - expect) < 4 * se, (name, y.mean(), se)
    # with no intervention the marginal of y is the same in all three: N(1, 2)
    y0 = draws(model.sample_prior(draws=4000, seed=3), "prior", "y")
    assert abs(y0.mean() - 1) < 4 * 2 / np.sqrt(4000)
    assert abs(y0.std() - 2) < 4 * 2 / np.sqrt(2 * 4000)


def test_conditioning_is_not_clamping(examples) -> None:  # type: ignore[no-untyped-def]
    # model 2: y causes x. Clamping x (do) leaves y at its prior mean 1; observing x = 3
    # must move it to 4. Both are asked of the same model object.
    model = docalc.load(examples / "forum2.scm")
    done = draws(model.do(x=3).sample_prior(draws=4000, seed=4), "prior", "y").mean()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = model.observe({"x": 3}).fit(seed=5, chains=2, tune=300, draws=500)
    seen = draws(fit.posterior, "posterior", "y").mean()
    assert seen - done > 2.5


def test_conditioning_on_a_deterministic_node_is_refused(linear_model, linear_sim) -> None:  # type: ignore[no-untyped-def]
    assert "y_mu" in linear_sim.columns
    with pytest.raises(docalc.DocalcConditioningError) as err:
        linear_model.observe(linear_sim)
    msg = str(err.value)
    assert "y_mu" in msg
    assert "deterministic" in msg
    assert "function of its parents" in msg  # why
    assert "drop the 'y_mu' column" in msg  # what to do
    assert isinstance(err.value, docalc.DocalcError)


def test_conditioning_on_an_intervened_node_is_refused(linear_model, linear_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(docalc.DocalcConditioningError, match="'b' is set by do"):
        linear_model.do(b=0).observe(linear_data)
