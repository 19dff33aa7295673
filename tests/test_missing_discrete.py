"""Missing cells of a discrete node: summed out exactly under ``observe(missing="impute")``.

A Bernoulli, Categorical or Binomial column with NaN cells is enumerated like a latent in
its unit's factor (at the observed units only the observed value's term survives). The
known answers: with every parameter fixed by ``do``, each imputed cell's value
probabilities are Bayes' rule, and a unit's pointwise log likelihood is the density of what
was observed; a fit agrees with the same model written by hand in NumPyro with its own
log-sum-exp over the missing cells.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import draws
from scipy import stats

import docalc as dc
from docalc.dsl.errors import LatentWarning

MIXED = """
p ~ Beta(1, 1)
alpha ~ Normal(0, 2)
beta ~ Normal(0, 2)
sigma ~ HalfNormal(1)
plate unit {
  x ~ Bernoulli(p)
  y ~ Normal(alpha + beta * x, sigma)
}
query ate = E[y | do(x = 1)] - E[y | do(x = 0)]
"""
TRUE = {"p": 0.35, "alpha": 0.5, "beta": 2.0, "sigma": 0.7}
RUN = {"chains": 2, "tune": 300, "draws": 300}


def _observe(text: str, df: pd.DataFrame, **do: float) -> dc.Model:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LatentWarning)
        model = dc.compile(text)
        return (model.do(do) if do else model).observe(df, missing="impute")


def _fit(model: dc.Model, **kw: object) -> dc.Fit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LatentWarning)
        return model.fit(**kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 120
    x = (rng.random(n) < TRUE["p"]).astype(float)
    y = TRUE["alpha"] + TRUE["beta"] * x + TRUE["sigma"] * rng.normal(size=n)
    x[rng.choice(n, 40, replace=False)] = np.nan
    return pd.DataFrame({"x": x, "y": y})


@pytest.fixture(scope="module")
def mixed_fit(mixed: pd.DataFrame) -> dc.Fit:
    return _fit(_observe(MIXED, mixed), seed=2, **RUN)


# -- known answers: the parameters fixed by do() ---------------------------------------------
FAMILIES = {
    "Bernoulli": ("Bernoulli(0.3)", np.array([0.7, 0.3])),
    "Categorical": ("Categorical(probs = [0.2, 0.5, 0.3])", np.array([0.2, 0.5, 0.3])),
    "Binomial": ("Binomial(total_count = 3, probs = 0.4)", stats.binom.pmf(np.arange(4), 3, 0.4)),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_imputed_cell_is_bayes_rule_when_the_parameters_are_fixed(family: str) -> None:
    dist, prior = FAMILIES[family]
    text = f"b ~ Normal(0, 3)\ns ~ HalfNormal(2)\nplate unit {{\n  k ~ {dist}\n" \
           "  y ~ Normal(b * k, s)\n}\n"
    rng = np.random.default_rng(0)
    n, b, s = 30, 1.5, 0.8
    k = rng.choice(len(prior), n, p=prior).astype(float)
    y = b * k + s * rng.normal(size=n)
    holes = np.array([2, 5, 11, 12, 29])
    k[holes] = np.nan
    model = _observe(text, pd.DataFrame({"k": k, "y": y}), b=b, s=s)
    assert model.imputed == {"k": len(holes)}
    fit = _fit(model, seed=3, chains=2, draws=1000, tune=10)
    post = fit.posterior["posterior"]
    probs = post["k_unobserved__probs"]
    assert probs.dims == ("chain", "draw", "k_unobserved_dim_0", "k_unobserved__value")
    assert list(post["k_unobserved_dim_0"].values) == list(holes)
    assert list(post["k_unobserved__value"].values) == list(range(len(prior)))
    # Bayes' rule by hand: prior times the likelihood of y under each value, normalized
    values = np.arange(len(prior))
    joint = prior * stats.norm.pdf(y[holes, None], b * values, s)
    exact = joint / joint.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs.to_numpy(), np.broadcast_to(exact, probs.shape), atol=1e-6)
    # the draws of the cells come from those probabilities (2000 independent draws)
    cells = draws(fit.posterior, "posterior", "k_unobserved")
    assert post["k_unobserved"].dims == ("chain", "draw", "k_unobserved_dim_0")
    freq = (cells[..., None] == values).mean(axis=0)
    assert (np.abs(freq - exact) < 4 * np.sqrt(exact * (1 - exact) / len(cells)) + 1e-3).all()
    # a unit's pointwise log likelihood is the density of what was observed: y's marginal
    # where k is missing, k's and y's joint density where it is not
    ll = fit.posterior["log_likelihood"].to_dataset()
    assert dict(ll.sizes) == {"chain": 2, "draw": 1000, "unit": n}
    total = sum(v for v in ll.data_vars.values()).isel(chain=1, draw=-1).to_numpy()
    full = np.nan_to_num(k).astype(int)
    want = np.log(prior[full]) + stats.norm.logpdf(y, b * full, s)
    want[holes] = np.log(joint.sum(axis=1))
    np.testing.assert_allclose(total, want, rtol=1e-5, atol=1e-5)


def test_missing_cells_of_a_cause_and_its_effect_in_one_unit() -> None:
    # unit 0: x missing, y observed; unit 1: y missing, x observed (1); unit 2: both missing
    text = MIXED.replace("query ate = E[y | do(x = 1)] - E[y | do(x = 0)]\n", "")
    df = pd.DataFrame({"x": [np.nan, 1.0, np.nan, 0.0, 1.0],
                       "y": [2.4, np.nan, np.nan, 0.3, 2.6]})
    fixed = {k: TRUE[k] for k in ("p", "alpha", "beta", "sigma")}
    fit = _fit(_observe(text, df, **fixed), seed=0, chains=2, tune=500, draws=1000)
    p, a, b, s = (TRUE[k] for k in ("p", "alpha", "beta", "sigma"))
    x_probs = draws(fit.posterior, "posterior", "x_unobserved__probs")[..., 1]  # units 0, 2
    y_cells = draws(fit.posterior, "posterior", "y_unobserved")  # units 1, 2
    one, zero = p * stats.norm.pdf(2.4, a + b, s), (1 - p) * stats.norm.pdf(2.4, a, s)
    np.testing.assert_allclose(x_probs[:, 0], one / (one + zero), atol=1e-6)
    # unit 2: x's probabilities given each draw of y's cell average to the prior p, and y's
    # cell is the mixture p N(a + b, s) + (1 - p) N(a, s); unit 1: y ~ N(a + b, s)
    mix_mean = a + p * b
    mix_sd = np.sqrt(s**2 + p * (1 - p) * b**2)
    err = 4 / np.sqrt(len(y_cells) / 4)  # 4 standard errors, effective sample size >= N / 4
    assert abs(x_probs[:, 1].mean() - p) < err * np.sqrt(p * (1 - p))
    assert abs(y_cells[:, 1].mean() - mix_mean) < err * mix_sd
    assert abs(y_cells[:, 0].mean() - (a + b)) < err * s
    assert abs(y_cells[:, 0].std() / s - 1) < 0.1
    # the imputed cells add nothing to a unit's log likelihood: unit 1 is p's density of
    # x = 1 only, unit 2 (nothing observed) is 0
    ll = fit.posterior["log_likelihood"].to_dataset()
    total = sum(v for v in ll.data_vars.values()).to_numpy()
    np.testing.assert_allclose(total[..., 1], np.log(p), atol=1e-5)
    np.testing.assert_allclose(total[..., 2], 0.0, atol=1e-5)


# -- a fit, against NumPyro by hand -----------------------------------------------------------
def _hand_written(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The same model in NumPyro, the missing x summed out by its own log-sum-exp."""
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as nd
    from numpyro.infer import MCMC, NUTS

    x = np.nan_to_num(df["x"].to_numpy()).astype(np.int32)
    ok = ~df["x"].isna().to_numpy()
    y = df["y"].to_numpy(np.float32)

    def model() -> None:
        p = numpyro.sample("p", nd.Beta(1, 1))
        alpha = numpyro.sample("alpha", nd.Normal(0, 2))
        beta = numpyro.sample("beta", nd.Normal(0, 2))
        sigma = numpyro.sample("sigma", nd.HalfNormal(1))
        with numpyro.plate("unit", len(y)):
            lp1 = jnp.log(p) + nd.Normal(alpha + beta, sigma).log_prob(y)
            lp0 = jnp.log1p(-p) + nd.Normal(alpha, sigma).log_prob(y)
            numpyro.factor("f", jnp.where(ok, jnp.where(x == 1, lp1, lp0),
                                          jnp.logaddexp(lp0, lp1)))

    mcmc = MCMC(NUTS(model), num_warmup=RUN["tune"], num_samples=RUN["draws"],
                num_chains=RUN["chains"], chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(7))
    out = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    # each missing cell's probability of x = 1 given the draw: Bayes' rule per draw
    p, a, b, s = (out[k][..., None] for k in ("p", "alpha", "beta", "sigma"))
    yh = y[~ok]
    one = p * stats.norm.pdf(yh, a + b, s)
    out["x1"] = one / (one + (1 - p) * stats.norm.pdf(yh, a, s))
    return out


def _mean_and_mcse(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import arviz_stats as azs
    import xarray as xr

    v = np.asarray(v, dtype=np.float64).reshape(*v.shape[:2], -1)
    da = xr.DataArray(v, dims=("chain", "draw", "cell"))
    return v.mean(axis=(0, 1)), np.asarray(azs.mcse(da, method="mean"))


def test_a_fit_recovers_the_parameters_and_agrees_with_numpyro_by_hand(mixed_fit, mixed) -> None:  # type: ignore[no-untyped-def]
    post = mixed_fit.posterior["posterior"]
    for k, true in TRUE.items():
        d = post[k].to_numpy().ravel()
        assert abs(d.mean() - true) < 3 * d.std(), (k, d.mean(), d.std())
    ref = _hand_written(mixed)
    ours = {k: post[k].transpose("chain", "draw", ...).to_numpy() for k in TRUE}
    ours["x1"] = post["x_unobserved__probs"].isel(x_unobserved__value=1).to_numpy()
    for name, v in ours.items():
        m1, e1 = _mean_and_mcse(v)
        m2, e2 = _mean_and_mcse(ref[name])
        z = np.abs(m1 - m2) / np.sqrt(e1**2 + e2**2)
        assert (z < 4).all(), (name, m1, m2, z)
        s1, s2 = v.reshape(-1, m1.size).std(0), ref[name].reshape(-1, m1.size).std(0)
        assert np.allclose(s1, s2, rtol=0.25, atol=1e-3), (name, s1, s2)


def test_predict_effect_query_and_counterfactual_read_the_imputed_cells(mixed_fit, mixed) -> None:  # type: ignore[no-untyped-def]
    fit, post = mixed_fit, mixed_fit.posterior
    holes = np.flatnonzero(mixed["x"].isna().to_numpy())
    alpha, beta, sigma = (draws(post, "posterior", k) for k in ("alpha", "beta", "sigma"))
    cells = draws(post, "posterior", "x_unobserved")
    assert set(np.unique(cells)) <= {0, 1} and 0 < cells.mean() < 1
    x = np.tile(np.nan_to_num(mixed["x"].to_numpy()), (len(beta), 1))
    x[:, holes] = cells
    # a prediction of y at an imputed unit reads that draw's x: N(alpha + beta x, sigma)
    pred = draws(fit.predict(var_names=["y"], seed=1), "predictions", "y")
    noise = (pred - alpha[:, None] - beta[:, None] * x)[:, holes] / sigma[:, None]
    assert abs(noise.mean()) < 8 / np.sqrt(noise.size)
    assert abs(noise.std() - 1) < 0.05
    # a counterfactual abducts y's noise given the imputed x: y_cf = y - beta * x
    cf = draws(fit.counterfactual(do={"x": 0}, var_names=["y"]), "counterfactual", "y")
    np.testing.assert_allclose(cf, mixed["y"].to_numpy() - beta[:, None] * x, atol=1e-4)
    # the effect of x on y is beta at every unit, imputed or not
    eff = draws(fit.effect("y", do={"x": 1}, baseline={"x": 0}), "effect", "y")
    np.testing.assert_allclose(eff, np.broadcast_to(beta[:, None], eff.shape), atol=1e-4)
    ate = np.asarray(fit.query("ate")).ravel()
    np.testing.assert_allclose(ate, beta, atol=1e-4)


def test_svi_sums_the_cells_out_too(mixed: pd.DataFrame) -> None:
    fit = _fit(_observe(MIXED, mixed), method="svi", steps=2500, draws=100, seed=0,
               learning_rate=0.05)
    post = fit.posterior
    probs = draws(post, "posterior", "x_unobserved__probs")
    assert probs.shape == (100, 40, 2)
    # each guide draw's probabilities are Bayes' rule given that draw's parameters
    p, a, b, s = (draws(post, "posterior", k)[:, None] for k in ("p", "alpha", "beta", "sigma"))
    y = mixed["y"].to_numpy()[mixed["x"].isna().to_numpy()]
    one = p * stats.norm.pdf(y, a + b, s)
    np.testing.assert_allclose(probs[..., 1], one / (one + (1 - p) * stats.norm.pdf(y, a, s)),
                               atol=2e-5)
    assert abs(float(b.mean()) - TRUE["beta"]) < 0.5


# -- what is said and what is refused ---------------------------------------------------------
def test_the_count_is_reported_and_the_variables_named(mixed: pd.DataFrame) -> None:
    with pytest.warns(LatentWarning) as record:
        model = dc.compile(MIXED).observe(mixed, missing="impute")
    text = " ".join(str(w.message) for w in record)
    assert "'x' 40 of 120 cells (summed out exactly; posterior variables 'x_unobserved', " \
           "'x_unobserved__probs')" in text
    assert model.imputed == {"x": 40}


def test_a_saved_posterior_with_imputed_discrete_cells_is_read_back(mixed_fit, mixed,  # type: ignore[no-untyped-def]
                                                                    tmp_path) -> None:
    from docalc.cli_files import fit_from_posterior, load_posterior

    mixed_fit.posterior.to_netcdf(tmp_path / "p.nc")
    model = _observe(MIXED, mixed)
    back = fit_from_posterior(model, load_posterior(str(tmp_path / "p.nc")), "p.nc")
    np.testing.assert_array_equal(
        draws(back.posterior, "posterior", "x_unobserved"),
        draws(mixed_fit.posterior, "posterior", "x_unobserved"))


@pytest.mark.parametrize("family", ["Poisson(3.0)", "NegativeBinomial(2.0, 0.5)"])
def test_nan_in_an_unbounded_discrete_node_is_refused(family: str) -> None:
    text = f"p ~ Beta(1, 1)\nplate i {{\n  k ~ {family}\n  y ~ Normal(k, 1)\n}}\n"
    df = pd.DataFrame({"k": [1.0, np.nan, 0.0, np.nan], "y": [0.1, 0.2, 0.3, 0.4]})
    with pytest.raises(dc.DocalcDataError) as info:
        dc.compile(text).observe(df, missing="impute")
    err = str(info.value)
    assert info.value.diagnostics[0].code == "E988"
    assert "column 'k' has NaN values in rows 1, 3" in err
    assert "unbounded support" in err and "drop or fill those rows" in err
    assert "Bernoulli, Categorical, or Binomial with a literal total_count" in err


def test_cells_read_from_another_plate_are_refused() -> None:
    # a school's missing t is read by its students: the sum over t is not per unit
    text = """
plate school[3] {
  t ~ Bernoulli(0.5)
}
plate student {
  data s: school
  y ~ Normal(t[s], 1)
}
"""
    df = {"t": np.array([1.0, np.nan, 0.0]), "s": np.array([0, 1, 2, 1]),
          "y": np.array([0.5, 1.0, 0.2, 0.9])}
    model = _observe(text, df)  # type: ignore[arg-type]
    with pytest.raises(dc.DocalcInferenceError) as info:
        _fit(model, chains=1, tune=5, draws=5)
    assert info.value.diagnostics[0].code == "E955"
    assert "'y' reads it from another plate (its column's missing cells are summed out" \
        in str(info.value)


def test_a_binomial_without_a_literal_total_count_is_refused_at_the_fit() -> None:
    text = "plate unit {\n  data m\n  k ~ Binomial(total_count = m, probs = 0.5)\n" \
           "  y ~ Normal(k, 1)\n}\n"
    df = pd.DataFrame({"m": [3.0, 3.0, 3.0], "k": [1.0, np.nan, 2.0], "y": [1.0, 2.0, 2.0]})
    model = _observe(text, df)
    with pytest.raises(dc.DocalcInferenceError) as info:
        _fit(model, chains=1, tune=5, draws=5)
    assert info.value.diagnostics[0].code == "E956"
