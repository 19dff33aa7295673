"""Missing values: ``observe(df, missing="impute")`` against NumPyro's own masked observations.

The reference is the same model written by hand in NumPyro with ``obs_mask`` on the
observed sites (NumPyro's imputation mechanism, independent of docalc's). Posterior means
must agree within Monte Carlo error: the difference over its standard error (from both
runs' MCSE) stays under 4.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import draws

import docalc as dc
from docalc.dsl.errors import LatentWarning

# x is a cause with a model of its own, y its effect: both get holes
REGRESSION = """
mu_x ~ Normal(0, 2)
sd_x ~ HalfNormal(2)
alpha ~ Normal(0, 2)
beta ~ Normal(0, 2)
sigma ~ HalfNormal(1)
plate unit {
  x ~ Normal(mu_x, sd_x)
  y ~ Normal(alpha + beta * x, sigma)
}
query ate = E[y | do(x = 1)] - E[y | do(x = 0)]
"""
X_HOLES, Y_HOLES = [1, 6, 11], [3, 6, 17, 30]
RUN = {"chains": 2, "tune": 500, "draws": 500}


@pytest.fixture(scope="module")
def holes() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 1.5, 40)
    y = 0.5 + 2.0 * x + rng.normal(0, 0.7, 40)
    x[X_HOLES] = np.nan
    y[Y_HOLES] = np.nan  # unit 6 has neither
    return pd.DataFrame({"x": x, "y": y})


@pytest.fixture(scope="module")
def imputed_fit(holes: pd.DataFrame):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LatentWarning)
        model = dc.compile(REGRESSION).observe(holes, missing="impute")
    return model.fit(seed=4, **RUN)


def _hand_written(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The same model in NumPyro, masked observations by ``obs_mask``; (chain, draw, ...)."""
    import jax
    import numpyro
    import numpyro.distributions as nd
    from numpyro.infer import MCMC, NUTS

    x, y = (np.nan_to_num(df[c].to_numpy(np.float32)) for c in ("x", "y"))
    x_ok, y_ok = (~df[c].isna().to_numpy() for c in ("x", "y"))

    def model() -> None:
        mu_x = numpyro.sample("mu_x", nd.Normal(0, 2))
        sd_x = numpyro.sample("sd_x", nd.HalfNormal(2))
        alpha = numpyro.sample("alpha", nd.Normal(0, 2))
        beta = numpyro.sample("beta", nd.Normal(0, 2))
        sigma = numpyro.sample("sigma", nd.HalfNormal(1))
        with numpyro.plate("unit", len(x)):
            xv = numpyro.sample("x", nd.Normal(mu_x, sd_x), obs=x, obs_mask=x_ok)
            numpyro.sample("y", nd.Normal(alpha + beta * xv, sigma), obs=y, obs_mask=y_ok)

    # obs_mask samples a latent for every unit and leaves the observed ones flat: trees
    # run to the maximum depth, so it is capped (the flat coordinates mix regardless)
    mcmc = MCMC(NUTS(model, max_tree_depth=6), num_warmup=RUN["tune"],
                num_samples=RUN["draws"], num_chains=RUN["chains"],
                chain_method="sequential", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(5))
    out = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    out["x_unobserved"] = out["x_unobserved"][..., ~x_ok]
    out["y_unobserved"] = out["y_unobserved"][..., ~y_ok]
    return out


def _mean_and_mcse(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import arviz_stats as azs
    import xarray as xr

    v = np.asarray(v, dtype=np.float64).reshape(*v.shape[:2], -1)
    da = xr.DataArray(v, dims=("chain", "draw", "cell"))
    return v.mean(axis=(0, 1)), np.asarray(azs.mcse(da, method="mean"))


def test_posterior_agrees_with_numpyro_obs_mask(imputed_fit, holes) -> None:  # type: ignore[no-untyped-def]
    ref = _hand_written(holes)
    post = imputed_fit.posterior["posterior"]
    for name in ("mu_x", "sd_x", "alpha", "beta", "sigma", "x_unobserved", "y_unobserved"):
        ours = post[name].transpose("chain", "draw", ...).to_numpy()
        m1, e1 = _mean_and_mcse(ours)
        m2, e2 = _mean_and_mcse(ref[name])
        z = np.abs(m1 - m2) / np.sqrt(e1**2 + e2**2)
        assert (z < 4).all(), (name, m1, m2, z)
        # and the spread: the posterior sd within 25% (500 x 2 draws estimate it to ~5%)
        s1 = ours.reshape(-1, m1.size).std(0)
        s2 = ref[name].reshape(-1, m1.size).std(0)
        assert np.allclose(s1, s2, rtol=0.25), (name, s1, s2)


def test_imputed_cells_have_their_own_dim_labelled_by_unit(imputed_fit) -> None:  # type: ignore[no-untyped-def]
    post = imputed_fit.posterior["posterior"]
    assert post["x_unobserved"].dims == ("chain", "draw", "x_unobserved_dim_0")
    assert list(post["x_unobserved_dim_0"].values) == X_HOLES
    assert list(post["y_unobserved_dim_0"].values) == Y_HOLES
    assert "x" not in post and "y" not in post  # observed nodes stay in observed_data
    obs = imputed_fit.posterior["observed_data"]["y"].to_numpy()
    assert np.isnan(obs[Y_HOLES]).all() and np.isfinite(np.delete(obs, Y_HOLES)).all()
    # an imputed value of y at unit 30 follows its mechanism: mean alpha + beta * x[30]
    x30 = float(imputed_fit.posterior["observed_data"]["x"][30])
    mech = draws(imputed_fit.posterior, "posterior", "alpha") \
        + draws(imputed_fit.posterior, "posterior", "beta") * x30
    y30 = draws(imputed_fit.posterior, "posterior", "y_unobserved")[:, 3]
    sigma = draws(imputed_fit.posterior, "posterior", "sigma")
    noise = y30 - mech  # its noise: N(0, sigma), draw by draw
    assert abs(noise.mean()) < 8 * sigma.mean() / np.sqrt(len(noise))  # 4 x, ESS >= N / 4
    assert abs(noise.std() / np.sqrt((sigma**2).mean()) - 1) < 0.15


def test_the_count_of_imputed_cells_is_reported(holes: pd.DataFrame) -> None:
    with pytest.warns(LatentWarning) as record:
        model = dc.compile(REGRESSION).observe(holes, missing="impute")
    text = " ".join(str(w.message) for w in record)
    assert "'x' 3 of 40 cells (posterior variable 'x_unobserved')" in text
    assert "'y' 4 of 40 cells (posterior variable 'y_unobserved')" in text
    assert model.imputed == {"x": 3, "y": 4}
    assert model._bound is not None and model._bound.partly_observed("x")
    assert list(model._bound.missing["y"]) == Y_HOLES
    # a do() after observe keeps the cells imputed (it re-binds the data the same way)
    assert model.do(beta=1.0).imputed == {"x": 3, "y": 4}
    # nothing missing: nothing reported
    with warnings.catch_warnings():
        warnings.simplefilter("error", LatentWarning)
        full = dc.compile(REGRESSION).observe(holes.dropna(), missing="impute")
    assert full.imputed == {}


def test_the_default_refuses_nan_naming_column_rows_and_the_option(holes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcDataError) as info:
        dc.compile(REGRESSION).observe(holes)
    err = info.value
    assert err.diagnostics[0].code == "E962"
    assert "column 'x' has NaN values in rows 1, 6, 11" in str(err)
    assert 'missing="impute"' in str(err) and "--missing impute" in str(err)
    many = pd.DataFrame({"x": np.r_[np.full(7, np.nan), np.ones(3)], "y": np.ones(10)})
    with pytest.raises(dc.DocalcDataError, match=r"rows 0, 1, 2, 3, 4 and 2 more"):
        dc.compile(REGRESSION).observe(many)
    with pytest.raises(dc.DocalcDataError, match="missing='drop' is not an option"):
        dc.compile(REGRESSION).observe(holes, missing="drop")
    inf = holes.fillna(0.0).assign(y=lambda d: d.y.where(d.index != 2, np.inf))
    with pytest.raises(dc.DocalcDataError, match="inf values in rows 2") as info:
        dc.compile(REGRESSION).observe(inf, missing="impute")
    assert "impute" not in str(info.value)  # inf is no missing value


def test_nan_in_a_data_input_is_refused_even_with_impute() -> None:
    text = "a ~ Normal(0, 1)\nplate i {\n  data z\n  y ~ Normal(a * z, 1)\n}\n"
    df = pd.DataFrame({"z": [1.0, np.nan, 2.0], "y": [0.1, 0.2, 0.3]})
    with pytest.raises(dc.DocalcDataError) as info:
        dc.compile(text).observe(df, missing="impute")
    assert info.value.diagnostics[0].code == "E989"
    assert "column 'z' has NaN values in rows 1" in str(info.value)
    assert "`data` input" in str(info.value)
    with pytest.raises(dc.DocalcDataError) as info:
        dc.compile(text).observe(df)
    assert info.value.diagnostics[0].code == "E962"
    assert "cannot be imputed" in str(info.value) and 'missing="impute"' not in str(info.value)


def test_a_global_with_no_value_is_a_latent() -> None:
    data = {"alpha": np.nan, "x": np.ones(5), "y": np.full(5, 2.0)}
    with pytest.warns(LatentWarning, match="'alpha' its one value"):
        model = dc.compile(REGRESSION).observe(data, missing="impute")
    assert "alpha" not in model.observed_names


def test_predict_effect_query_and_counterfactual_on_imputed_units(imputed_fit, holes) -> None:  # type: ignore[no-untyped-def]
    fit, post = imputed_fit, imputed_fit.posterior
    alpha, beta, sigma = (draws(post, "posterior", k) for k in ("alpha", "beta", "sigma"))
    x_imp = draws(post, "posterior", "x_unobserved")  # units 1, 6, 11
    y_imp = draws(post, "posterior", "y_unobserved")  # units 3, 6, 17, 30
    x = np.tile(holes.x.to_numpy(), (len(beta), 1))
    x[:, X_HOLES] = x_imp
    y = np.tile(holes.y.to_numpy(), (len(beta), 1))
    y[:, Y_HOLES] = y_imp
    # a prediction reads an imputed cause draw by draw: y at unit 1 ~ N(alpha + beta x, sigma)
    pred = draws(fit.predict(var_names=["y"], seed=1), "predictions", "y")
    noise = (pred - alpha[:, None] - beta[:, None] * x) / sigma[:, None]
    assert abs(noise[:, X_HOLES].mean()) < 4 / np.sqrt(noise[:, X_HOLES].size) * 2
    assert abs(noise[:, X_HOLES].std() - 1) < 0.1
    # a counterfactual abducts from the imputed values: y_cf = y - beta * (x - 0)
    cf = draws(fit.counterfactual(do={"x": 0}, var_names=["y"]), "counterfactual", "y")
    assert np.allclose(cf, y - beta[:, None] * x, atol=1e-4)
    # the effect of x on y is beta at every unit, imputed or not (shared noise)
    eff = draws(fit.effect("y", do={"x": 1}, baseline={"x": 0}), "effect", "y")
    assert np.allclose(eff, beta[:, None], atol=1e-4)
    ate = np.asarray(fit.query("ate")).ravel()
    assert abs(ate.mean() - beta.mean()) < 4 * beta.std() / np.sqrt(len(beta)) * 2
    # new units: the imputed cells belong to the fitted units only
    new = fit.predict(do={"x": 0}, data=holes.fillna(0.0).iloc[:5], var_names=["y"])
    assert draws(new, "predictions", "y").shape[1] == 5


def test_svi_imputes_too(holes: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LatentWarning)
        fit = dc.compile(REGRESSION).observe(holes, missing="impute").fit(
            method="svi", steps=800, draws=200, seed=0, learning_rate=0.05)
    cells = draws(fit.posterior, "posterior", "x_unobserved")
    assert cells.shape == (200, len(X_HOLES))
    # x at a unit with y observed is pulled to (y - alpha) / beta, its likelihood's peak
    x1 = cells[:, 0].mean()
    y1 = holes.y[1]
    assert abs(x1 - (y1 - 0.5) / 2.0) < 0.5


def _cli(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "docalc", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)


def test_cli_missing_impute(tmp_path: Path, holes: pd.DataFrame, imputed_fit) -> None:  # type: ignore[no-untyped-def]
    # the fixture's model, data and settings: its exported sampler serves these processes
    (tmp_path / "m.scm").write_text(REGRESSION)
    holes.to_csv(tmp_path / "d.csv", index=False)
    run = ("--chains", "2", "--tune", "500", "--draws", "500", "--seed", "4")
    proc = _cli("fit", "m.scm", "--data", "d.csv", *run, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "column 'x' has NaN values in rows 1, 6, 11" in proc.stderr
    assert "--missing impute" in proc.stderr
    proc = _cli("fit", "m.scm", "--data", "d.csv", "--missing", "impute", *run, "-o", "p.nc",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "'x' 3 of 40 cells (posterior variable 'x_unobserved')" in proc.stderr
    assert "x_unobserved, y_unobserved" in proc.stderr  # the unit-level variables not shown
    import xarray as xr

    with xr.open_datatree(tmp_path / "p.nc") as saved:
        # the same fit as in the process: same data, settings and seed
        assert np.allclose(saved["posterior"]["x_unobserved"].to_numpy(),
                           imputed_fit.posterior["posterior"]["x_unobserved"].to_numpy())
    # the saved posterior (its data inside it) is read back with the cells imputed
    proc = _cli("query", "m.scm", "--posterior", "p.nc", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "ate" in proc.stdout
    proc = _cli("fit", "m.scm", "--data", "d.csv", "--missing", "drop", cwd=tmp_path)
    assert proc.returncode == 2  # argparse: not a choice


def test_imputed_cells_are_labelled_by_the_units_index() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 2.0, 0.5], "y": [2.0, 1.0, np.nan, np.nan]},
                      index=pd.Index(["ann", "bob", "cy", "dee"], name="who"))
    with pytest.warns(LatentWarning):
        model = dc.compile(REGRESSION).observe(df, missing="impute")
    bound = model._bound
    assert bound is not None
    assert list(bound.coords["x_unobserved_dim_0"]) == ["bob"]
    assert list(bound.coords["y_unobserved_dim_0"]) == ["cy", "dee"]
