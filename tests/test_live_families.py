"""The live slider path agrees with ``Fit.effect`` for every family it can drive.

The live path (``compiler.slider_effect``, behind the EffectExplorer) replays each drawn
node's standard noise through its mechanism (``compiler.dists.NOISE``) instead of drawing
afresh; families without replayable noise are drawn from their key on each call. Either
way its numbers must be ``Fit.effect``'s, with the same seed. Prior draws stand in for a
posterior (agreement does not depend on where the draws come from).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import docalc as dc
from docalc.compiler.lower import dists
from docalc.compiler.results.trees import dataset, tree
from docalc.compiler.run.inference import TRACES
from docalc.compiler.run.slider_effect import effect_function
from docalc.fit import Fit

# the outcome's mechanism for each family, reading the control b (and the parameter s)
OUTCOMES = {
    "Normal": "Normal(b, s)",
    "Laplace": "Laplace(b, s)",
    "Cauchy": "Cauchy(b, s)",
    "LogNormal": "LogNormal(b, s)",
    "HalfNormal": "HalfNormal(s + b * b)",
    "HalfCauchy": "HalfCauchy(s + b * b)",
    "Exponential": "Exponential(1 + b * b)",
    "Uniform": "Uniform(b, b + 1 + s)",
    "Bernoulli": "Bernoulli(probs=sigmoid(b))",
    # drawn from their key on every call (no replayable standard noise)
    "StudentT": "StudentT(3, b, s)",
    "Gamma": "Gamma(1 + b * b, 1)",
    "Poisson": "Poisson(exp(b))",
}


def test_every_replayable_family_is_covered() -> None:
    replayable = {name for name in dists.NOISE if dists.replayable(name)}
    assert replayable <= set(OUTCOMES), replayable - set(OUTCOMES)
    assert len(replayable) == 9


def _fit(family: str, mediated: bool) -> Fit:
    mid = "  m = 2 * b + 1\n" if mediated else ""
    mech = re.sub(r"\bb\b", "m", OUTCOMES[family]) if mediated else OUTCOMES[family]
    text = f"s ~ HalfNormal(1)\nplate i {{\n  b ~ Normal(0, 1)\n{mid}  y ~ {mech}\n}}\n"
    model = dc.compile(text)
    sim = model.do(s=0.5).simulate(n=20, seed=1)
    observed = model.observe(sim[["b", "y"]])
    prior = model.sample_prior(draws=2 * 100, n=20, seed=3)["prior"]
    values = {"s": prior["s"].values.reshape(2, 100)}
    post = tree({"posterior": dataset(observed.checked, values, {})})
    return Fit(observed, post, observed._bound)


# through a computed mediator for one family of each kind (replayed continuous, replayed
# discrete, drawn from its key): the mediator is evaluated by the same step evaluator whatever
# the family, so the other families' mediated runs would check nothing more
MEDIATED = ("Normal", "Bernoulli", "StudentT")
CASES = [(family, False) for family in sorted(OUTCOMES)] + [(f, True) for f in MEDIATED]


@pytest.mark.parametrize(("family", "mediated"), CASES,
                         ids=[f"{f}-{'mediated' if m else 'direct'}" for f, m in CASES])
def test_live_effect_matches_fit_effect(family: str, mediated: bool) -> None:
    fit = _fit(family, mediated)
    f = effect_function(fit.draws, "y", ["b"], baseline={"b": 0}, seed=5)
    f({"b": 1.3})  # the first call compiles
    before = dict(TRACES)
    for v in (0.7, -0.4):
        per_unit, average = f({"b": v})
        want = fit.effect("y", do={"b": v}, baseline={"b": 0}, seed=5)["effect"]
        expected = want["y"].values.reshape(per_unit.shape)
        if family == "Bernoulli":
            # a draw at the threshold may round the other way: nearly every one agrees
            assert np.mean(per_unit != expected) < 0.01
        elif family in ("Cauchy", "StudentT"):
            # Fit.effect subtracts two float32 outcomes, which a heavy tail makes huge; the
            # live path cancels the shared noise exactly: they differ by that rounding
            close = np.isclose(per_unit, expected, rtol=2e-4, atol=2e-5)
            assert np.mean(~close) < 0.01
        else:
            np.testing.assert_allclose(per_unit, expected, rtol=2e-4, atol=2e-5)
        if family in ("Cauchy", "HalfCauchy"):
            # no finite mean: the average is of the draws
            np.testing.assert_allclose(average, per_unit.mean(axis=-1), rtol=1e-5, atol=1e-6)
        # Fit.effect's average (of the mechanism means where finite), up to float32 rounding
        # of the units' sum (the heavy tails' draws: as per_unit above)
        tol = {"rtol": 2e-4, "atol": 2e-5} if family in ("Cauchy", "HalfCauchy") else \
            {"rtol": 1e-5, "atol": 1e-6}
        np.testing.assert_allclose(average, want["y_mean"].values.ravel(), **tol)
    assert TRACES["live"] == before["live"]  # a new value re-traces nothing
