"""Identification on models, counterfactual refusals, and effects that rest on priors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import docalc as dc

CONFOUNDED = """
b ~ Normal(0, 1)
plate i {
  u ~ Normal(0, 1)               # never observed: a latent confounder of x and y
  x ~ Normal(u, 1)
  y ~ Normal(b * x + u, 1)
  z ~ Bernoulli(logits = y)
}
"""


def test_gear_identified_by_backdoor_on_talent() -> None:
    model = dc.load("examples/gear.scm")
    ident = model.identify("gear", "sound")  # unobserved model: every unit node observed
    assert ident.identifiable and ident.criterion == "backdoor"
    assert ident.adjustment_sets == [frozenset({"talent"})]
    observed = model.observe(pd.read_csv("examples/gear.csv"))
    assert observed.identify("gear", "sound").adjustment_sets == [frozenset({"talent"})]


def test_gear_not_identifiable_when_talent_has_no_data() -> None:
    model = dc.load("examples/gear.scm")
    ident = model.identify("gear", "sound", observed=["gear", "sound"])
    assert not ident.identifiable and ident.criterion is None
    assert ident.adjustment_sets == []
    assert "talent" in ident.explanation
    assert "prior" in ident.explanation  # says the answer rests on the model and priors


def test_frontdoor_found_on_a_model() -> None:
    model = dc.compile("""
    plate i {
      u ~ Normal(0, 1)
      x ~ Normal(u, 1)
      m ~ Normal(x, 1)
      y ~ Normal(m + u, 1)
    }
    """)
    ident = model.identify("x", "y", observed=["x", "m", "y"])
    assert ident.identifiable and ident.criterion == "frontdoor"
    assert ident.adjustment_sets == [frozenset({"m"})]


def test_identify_refuses_globals_and_unknown_names() -> None:
    model = dc.load("examples/linear.scm")
    with pytest.raises(dc.DocalcError, match="global"):
        model.identify("beta_by", "y")
    with pytest.raises(dc.DocalcError, match="did you mean 'b'"):
        model.identify("bb", "y")


@pytest.fixture(scope="module")
def confounded_fit() -> dc.Fit:
    model = dc.compile(CONFOUNDED)
    sim = model.do(b=0.5).simulate(n=60, seed=4)
    return model.observe(sim[["x", "y", "z"]]).fit(chains=1, tune=300, draws=200, seed=1)


@pytest.mark.slow
def test_effect_warns_when_not_identifiable(confounded_fit: dc.Fit) -> None:
    with pytest.warns(dc.NotIdentifiableWarning, match="parametric form and priors"):
        eff = confounded_fit.effect("y", do={"x": 1}, baseline={"x": 0})
    # the model's answer is still given: b per draw, the noise of y cancelling
    b = confounded_fit.posterior["posterior"]["b"].to_numpy()
    np.testing.assert_allclose(eff["effect"]["y_mean"].to_numpy(), b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_counterfactual_refuses_noise_that_cannot_be_recovered(confounded_fit: dc.Fit) -> None:
    with pytest.raises(dc.DocalcCounterfactualError, match=r"'z'.*Bernoulli") as info:
        confounded_fit.counterfactual(do={"x": 0})
    assert "predict() or effect()" in str(info.value)
    # asking only for y needs no abduction of z: y is Normal, and u comes from the posterior
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cf = confounded_fit.counterfactual(do={"x": 0}, var_names=["y"])
    post = confounded_fit.posterior["posterior"]
    y_obs = confounded_fit.posterior["observed_data"]["y"].to_numpy()
    x_obs = confounded_fit.posterior["observed_data"]["x"].to_numpy()
    expected = y_obs[None, None, :] - post["b"].to_numpy()[..., None] * x_obs[None, None, :]
    np.testing.assert_allclose(cf["counterfactual"]["y"].to_numpy(), expected, atol=2e-5)
