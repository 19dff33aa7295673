"""Expectations are expectations: queries and average effects use the outcome's mean.

Where the outcome's mechanism has a finite mean, ``E[...]`` queries and ``Fit.effect``'s
average per posterior draw use that mean given the parents' values (Rao-Blackwellized,
``compiler.lower.means``); per-unit effects and predictions still draw. Known answers:
the Gear table's fitted probabilities (numpy, from the coefficients' draws), a Normal
outcome's linear predictor, a Categorical's ``sum k p_k``; Cauchy keeps its draws.
Tolerances are float32 rounding (the forward runs compute in float32) unless said.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, draws

import docalc as dc
from docalc.compiler.lower.means import FINITE_MEAN
from docalc.compiler.results.trees import dataset, tree
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.fit import Fit

EPS32 = float(np.finfo(np.float32).eps)


def test_the_finite_mean_table_covers_every_family() -> None:
    assert set(FINITE_MEAN) == set(DISTRIBUTIONS)
    assert {k for k, v in FINITE_MEAN.items() if v is False} == {"Cauchy", "HalfCauchy"}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@pytest.fixture(scope="module")
def gear() -> tuple[Fit, pd.DataFrame]:
    data = pd.read_csv(EXAMPLES / "gear.csv")
    fit = dc.load(EXAMPLES / "gear.scm").observe(data).fit(chains=1, tune=300, draws=300,
                                                            seed=0)
    return fit, data


def test_gear_effect_is_of_the_fitted_probabilities(gear: tuple[Fit, pd.DataFrame]) -> None:
    fit, data = gear
    q = fit.query("gear_effect").to_numpy().ravel().astype(np.float64)
    post = fit.posterior["posterior"]
    c = {k: draws(fit.posterior, "posterior", k)[:, None] for k in
         ("s0", "s_gear", "s_talent", "s_both")}
    assert post.sizes["draw"] == q.size
    t = data["talent"].to_numpy(dtype=np.float64)[None, :]  # held at its data (backdoor)
    p1 = _sigmoid(c["s0"] + c["s_gear"] + (c["s_talent"] + c["s_both"]) * t)
    p0 = _sigmoid(c["s0"] + c["s_talent"] * t)
    want = (p1 - p0).mean(axis=1)
    # float32 logits and sigmoids, averaged over 16 players: a few eps
    np.testing.assert_allclose(q, want, rtol=0, atol=1e-6)
    assert abs(q.std(ddof=1) - want.std(ddof=1)) < 1e-6
    # no longer a count of 16 players over 16: most draws are off the 1/16 grid
    off = np.abs(q * 16 - np.round(q * 16)) > 1e-3
    assert off.mean() > 0.9
    # the query's terms are Fit.effect's average (same seed, same runs)
    eff = fit.effect("sound", do={"gear": 1}, baseline={"gear": 0})
    np.testing.assert_allclose(draws(eff, "effect", "sound_mean"), q, atol=1e-6)
    assert float(eff["summary"]["sd"]) == pytest.approx(q.std(ddof=1), abs=1e-6)
    # per unit the effect still draws: 0/1 outcomes differ by -1, 0 or 1
    assert set(np.unique(draws(eff, "effect", "sound"))) <= {-1.0, 0.0, 1.0}


def _prior_fit(text: str, columns: list[str], n: int = 30, draws_: int = 200,
               truth: dict[str, float] | None = None) -> Fit:
    """A Fit whose 'posterior' is prior draws of the globals (agreement needs no NUTS)."""
    model = dc.compile(text)
    sim = (model.do(truth) if truth else model).simulate(n=n, seed=1)
    observed = model.observe(sim[columns])
    prior = model.sample_prior(draws=draws_, n=n, seed=3)["prior"]
    globals_ = [k for k in prior.data_vars if observed.checked.node(k).plate is None]
    values = {k: prior[k].values.reshape(1, draws_) for k in globals_}
    post = tree({"posterior": dataset(observed.checked, values, {})})
    return Fit(observed, post, observed._bound)


HETERO = """
b0 ~ Normal(0, 1)
b1 ~ Normal(1, 1)
g ~ Normal(0, 0.5)
plate i {
  x ~ Normal(0, 1)
  y ~ {family}(b0 + b1 * x, exp(g * x))
}
query ate = E[y | do(x = 1)] - E[y | do(x = 0)]
query shifted = E[2 * y - 1 | do(x = 1)]
query square = E[y * y | do(x = 1)]
"""


def test_normal_average_effect_is_the_linear_predictor_difference() -> None:
    # the spread changes with x, so the draws' difference is not the locations'
    fit = _prior_fit(HETERO.replace("{family}", "Normal"), ["x", "y"])
    eff = fit.effect("y", do={"x": 1}, baseline={"x": 0})
    b0, b1 = (draws(fit.posterior, "posterior", k) for k in ("b0", "b1"))
    tol = 4 * EPS32 * (np.abs(b0) + np.abs(b1))  # float32 b0 + b1 and b0, subtracted
    avg = draws(eff, "effect", "y_mean")
    assert np.all(np.abs(avg - b1) <= tol)
    np.testing.assert_allclose(fit.query("ate").to_numpy().ravel(), avg, atol=1e-6)
    # per unit the draws differ from b1 by (exp(g) - 1) * noise
    per_unit = draws(eff, "effect", "y")
    assert np.mean(np.abs(per_unit - b1[:, None]) > 1e-3) > 0.5
    # an affine target: the means enter linearly
    shifted = fit.query("shifted").to_numpy().ravel()
    np.testing.assert_allclose(shifted, 2 * (b0 + b1) - 1, rtol=1e-6, atol=8 * EPS32 * 4)


def test_a_nonlinear_target_keeps_its_draws() -> None:
    # E[y^2] = loc^2 + scale^2: plugging in the mean would give loc^2 alone
    fit = _prior_fit(HETERO.replace("{family}", "Normal"), ["x", "y"], n=400, draws_=50)
    b0, b1, g = (draws(fit.posterior, "posterior", k) for k in ("b0", "b1", "g"))
    sq = fit.query("square").to_numpy().ravel()
    s2 = np.exp(2 * g)
    want = (b0 + b1) ** 2 + s2
    # the mean of 400 draws of y^2: sd of y^2 is sqrt(4 loc^2 s^2 + 2 s^4); 5 Monte Carlo sd
    mc = np.sqrt((4 * (b0 + b1) ** 2 * s2 + 2 * s2 ** 2) / 400)
    assert np.all(np.abs(sq - want) < 5 * mc)
    assert np.mean(np.abs(sq - (b0 + b1) ** 2) > 5 * EPS32 * want) > 0.9


def test_cauchy_keeps_its_draws() -> None:
    fit = _prior_fit(HETERO.replace("{family}", "Cauchy"), ["x", "y"])
    eff = fit.effect("y", do={"x": 1}, baseline={"x": 0})
    per_unit = draws(eff, "effect", "y")
    avg = draws(eff, "effect", "y_mean")
    # no finite mean: the average is of the draws (sum of 30 float64 differences)
    np.testing.assert_allclose(avg, per_unit.mean(axis=1), rtol=1e-12, atol=0)
    b1 = draws(fit.posterior, "posterior", "b1")
    assert np.mean(np.abs(avg - b1) > 1e-3) > 0.5


STUDENT = """
df ~ Uniform(0.5, 2)
b1 ~ Normal(1, 1)
g ~ Normal(0, 0.5)
plate i {
  x ~ Normal(0, 1)
  y ~ StudentT(df, b1 * x, exp(g * x))
}
"""


def test_student_t_uses_its_mean_in_the_draws_where_df_exceeds_one() -> None:
    fit = _prior_fit(STUDENT, ["x", "y"])
    eff = fit.effect("y", do={"x": 1}, baseline={"x": 0})
    df, b1 = (draws(fit.posterior, "posterior", k) for k in ("df", "b1"))
    avg = draws(eff, "effect", "y_mean")
    draw_mean = draws(eff, "effect", "y").mean(axis=1)
    has = df > 1
    assert 0.2 < has.mean() < 0.8  # both kinds of draw are there
    assert np.all(np.abs(avg[has] - b1[has]) <= 4 * EPS32 * np.abs(b1[has]) + 1e-7)
    np.testing.assert_allclose(avg[~has], draw_mean[~has], rtol=1e-12, atol=0)


def test_categorical_expectation_is_sum_k_p_k() -> None:
    text = """
    w ~ Normal(0, 1)
    plate i {
      z ~ Normal(w, 1)
      c ~ Categorical(probs = [0.2, 0.3, 0.5])
    }
    query mean_c = E[c]
    """
    fit = _prior_fit(text, ["z"])
    np.testing.assert_allclose(fit.query("mean_c").to_numpy(), 1.3, rtol=4 * EPS32)


def test_a_deterministic_target_keeps_its_value() -> None:
    # E[exp(y)] through a deterministic node: exp(loc + s^2 / 2) on average, not exp(loc)
    text = """
    b ~ Normal(0, 0.3)
    plate i {
      x ~ Normal(0, 1)
      y ~ Normal(b + x, 1)
      z = exp(y)
    }
    query ez = E[z | do(x = 0)]
    """
    fit = _prior_fit(text, ["x", "y"], n=2000, draws_=20)
    b = draws(fit.posterior, "posterior", "b")
    with pytest.warns(dc.NotIdentifiableWarning):  # z has no data: the model answers
        ez = fit.query("ez").to_numpy().ravel()
    want = np.exp(b + 0.5)
    # sd of exp(y) is want * sqrt(e - 1); 5 Monte Carlo sd of a mean of 2000
    assert np.all(np.abs(ez - want) < 5 * want * np.sqrt(np.e - 1) / np.sqrt(2000))
