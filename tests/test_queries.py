"""Named queries against answers known in closed form or from the data.

Tolerances come from the Monte Carlo error of the draws (computed from the draws
themselves); seeds are fixed so the file is deterministic.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import docalc as dc
from docalc.fit import Fit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
Z = 4.0  # Monte Carlo standard errors allowed


def _post(fit: Fit, name: str) -> np.ndarray:
    return fit.posterior["posterior"][name].transpose("chain", "draw").to_numpy()


def _with_queries(fit: Fit, extra: str, data: pd.DataFrame) -> Fit:
    """The same fit for the model text plus extra queries (queries do not change the plan,
    so the posterior of the plain model is the posterior of the extended one)."""
    text = fit.model.checked.text + "\n" + extra + "\n"
    model = dc.compile(text, fit.model.checked.source).observe(data)
    return Fit(model, fit.posterior, model._bound)


def _within_mc(values: np.ndarray, expected: float) -> None:
    v = np.asarray(values, dtype=float).ravel()
    se = v.std(ddof=1) / np.sqrt(v.size)
    assert abs(v.mean() - expected) < Z * se + 1e-9, (v.mean(), expected, se)


# -- the forum's three models: seeing is not doing --------------------------------------

@pytest.mark.parametrize(("k", "done"), [(1, 4.0), (2, 1.0), (3, 1.0)])
def test_forum_seen_and_done(k: int, done: float) -> None:
    model = dc.load(EXAMPLES / f"forum{k}.scm")
    seen = model.query("seen", draws=2000, seed=0)
    assert seen.name == "seen" and seen.dims == ("chain", "draw") and seen.shape == (1, 2000)
    assert seen.attrs["query"] == "E[y | x = 3]"
    _within_mc(seen.values, 4.0)
    _within_mc(model.query("done", draws=2000, seed=0).values, done)


def test_forum_seen_is_a_distribution_not_a_clamp() -> None:
    # model 2: y | x = 3 has variance Var y - Cov(x, y)^2 / Var x = 4 - 1 = 3
    seen = dc.load(EXAMPLES / "forum2.scm").query("seen", draws=2000, seed=1).values.ravel()
    assert 2.4 < seen.var() < 3.6


# -- the tutorial's linear model ---------------------------------------------------------

def test_ate_is_beta_by_draw_by_draw(linear_fit: Fit) -> None:
    ate = linear_fit.query("ate")
    assert ate.name == "ate" and ate.dims == ("chain", "draw")
    assert ate.shape == _post(linear_fit, "beta_by").shape
    np.testing.assert_allclose(ate.values, _post(linear_fit, "beta_by"), atol=1e-5)


def test_counterfactual_query(linear_fit: Fit, linear_sim: pd.DataFrame) -> None:
    cf = linear_fit.query("cf_b0").values
    y, b = linear_sim["y"].to_numpy(), linear_sim["b"].to_numpy()
    expected = (y[None, None] - _post(linear_fit, "beta_by")[..., None] * b).mean(-1)
    np.testing.assert_allclose(cf, expected, atol=1e-4)


def test_interventional_query_closed_form(linear_fit: Fit, linear_sim: pd.DataFrame) -> None:
    got = linear_fit.query("y_if_b0", seed=3).values
    a, c = linear_sim["a"].to_numpy(), linear_sim["c"].to_numpy()
    mean = (_post(linear_fit, "beta_y0")[..., None] + _post(linear_fit, "beta_ay")[..., None] * a
            + _post(linear_fit, "beta_cy")[..., None] * c).mean(-1)
    # an expectation: y's Normal mechanism enters as its mean, so no sigma_y noise is left
    # (float32 linear predictors of 100 units)
    np.testing.assert_allclose(got, mean, atol=1e-5)


def test_query_is_reproducible_and_seeded(linear_fit: Fit,
                                          linear_data: pd.DataFrame) -> None:
    a = linear_fit.query("y_if_b0", seed=5).values
    np.testing.assert_array_equal(a, linear_fit.query("y_if_b0", seed=5).values)
    # the mean of y does not depend on the random numbers; a nonlinear target keeps its
    # draws, which do
    np.testing.assert_array_equal(a, linear_fit.query("y_if_b0", seed=6).values)
    fit = _with_queries(linear_fit, "query sq = E[y * y | do(b = 0)]", linear_data)
    sq = fit.query("sq", seed=5).values
    np.testing.assert_array_equal(sq, fit.query("sq", seed=5).values)
    assert not np.array_equal(sq, fit.query("sq", seed=6).values)


def test_observational_with_intervention(linear_fit: Fit, linear_data: pd.DataFrame) -> None:
    # a is a root: conditioning on it is setting it; b is set by do; c and the noise remain
    fit = _with_queries(linear_fit, "query q = E[y | do(b = 0), a = 1]", linear_data)
    got = fit.query("q", seed=1).values
    mean = _post(fit, "beta_y0") + _post(fit, "beta_ay")
    diff = (got - mean).ravel()
    # per draw: 1000 replicate units of beta_cy * c + sigma_y * noise
    se = np.sqrt(_post(fit, "beta_cy") ** 2 + _post(fit, "sigma_y") ** 2).ravel() / np.sqrt(1000)
    assert np.abs(diff / se).max() < 5


def test_prior_query_on_unit_model(linear_model: dc.Model) -> None:
    # under the prior the average effect of b is beta_by ~ Normal(0, 1), draw by draw
    ate = linear_model.query("ate", draws=400, seed=0).values.ravel()
    assert ate.shape == (400,)
    _within_mc(ate, 0.0)
    assert 0.8 < ate.std() < 1.2


def test_unknown_query_name(linear_fit: Fit, linear_model: dc.Model) -> None:
    with pytest.raises(dc.DocalcQueryError) as err:
        linear_fit.query("y_if_b")
    assert err.value.diagnostics[0].code == "E703"
    assert "did you mean 'y_if_b0'" in str(err.value)
    with pytest.raises(dc.DocalcQueryError, match="unknown query"):
        linear_model.query("nope")


# -- the gear example: confounding by talent ---------------------------------------------

@pytest.fixture(scope="module")
def gear_data() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "gear.csv")


@pytest.fixture(scope="module")
def gear_fit(gear_data: pd.DataFrame) -> Fit:
    model = dc.load(EXAMPLES / "gear.scm").observe(gear_data)
    with warnings.catch_warnings():
        # a short run on 16 rows: R-hat may flag; the tests allow for it
        warnings.simplefilter("ignore", dc.SamplingWarning)
        return model.fit(chains=2, tune=250, draws=250, seed=0)


def _adjusted(value: str) -> float:
    table = pd.read_csv(EXAMPLES / "gear_table.csv")
    return dc.backdoor(table, treatment="Gear", outcome="Sound", adjust=["Talent"],
                       treatment_value=value, outcome_value="Great").adjusted


def test_gear_effect_near_backdoor(gear_fit: Fit) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", dc.NotIdentifiableWarning)  # talent is observed
        effect = gear_fit.query("gear_effect").values
    expected = _adjusted("Fancy") - _adjusted("Cheap")
    assert abs(expected - (0.357 - 0.143)) < 0.01
    # the model's priors shrink the 16 rows' answer towards no effect
    assert abs(effect.mean() - expected) < 0.1


def test_gear_observational_closed_form(gear_fit: Fit, gear_data: pd.DataFrame) -> None:
    """P(sound | gear = 1) per draw: talent is inferred from gear, not clamped."""
    fit = _with_queries(gear_fit, "query seen = E[sound | gear = 1]\n"
                                  "query t_seen = E[talent | gear = 1]", gear_data)
    p = {k: _post(fit, k) for k in ("p_talent", "g0", "g_talent", "s0", "s_gear",
                                     "s_talent", "s_both")}
    w1 = p["p_talent"] * expit(p["g0"] + p["g_talent"])
    w0 = (1 - p["p_talent"]) * expit(p["g0"])
    sound = [expit(p["s0"] + p["s_gear"] + (p["s_talent"] + p["s_both"]) * t) for t in (0, 1)]
    seen = fit.query("seen", seed=0).values
    expected = (w0 * sound[0] + w1 * sound[1]) / (w0 + w1)
    # per draw: a weighted mean of ~1000 Bernoulli units (weights within a factor of a few)
    assert np.abs(seen - expected).max() < 0.1
    assert abs((seen - expected).mean()) < 0.01
    t_seen = fit.query("t_seen", seed=0).values
    assert abs((t_seen - w1 / (w0 + w1)).mean()) < 0.01


def test_gear_evidence_outside_support(gear_fit: Fit, gear_data: pd.DataFrame) -> None:
    # refused where it is written, when the model is compiled (issue 12), not when it runs
    with pytest.raises(dc.DocalcQueryError, match="outside the support") as info:
        _with_queries(gear_fit, "query bad = E[sound | gear = 2]", gear_data)
    assert info.value.diagnostics[0].span.line > 0  # type: ignore[union-attr]


def test_gear_without_talent_is_not_identifiable(gear_fit: Fit,
                                                 gear_data: pd.DataFrame) -> None:
    # talent is not observed: gear <- talent -> sound is an open backdoor path. (Fitting
    # with talent latent needs enumeration of a discrete latent; the warning depends only
    # on which nodes are observed, so the talent-observed posterior stands in.)
    model = dc.load(EXAMPLES / "gear.scm").observe(gear_data[["gear", "sound"]])
    fit = Fit(model, gear_fit.posterior, model._bound)
    with pytest.warns(dc.NotIdentifiableWarning, match="parametric form and priors"):
        effect = fit.query("gear_effect")
    assert effect.dims == ("chain", "draw")
    assert np.isfinite(effect.values).all()


def test_observational_query_again_does_not_retrace() -> None:
    from docalc.compiler.run.inference import TRACES

    model = dc.load("examples/forum2.scm")
    model.query("seen", draws=200, seed=0)
    before = dict(TRACES)
    again = model.query("seen", draws=200, seed=1)
    assert dict(TRACES) == before
    assert np.isfinite(again.to_numpy()).all()
