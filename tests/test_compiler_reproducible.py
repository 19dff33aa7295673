"""Seeds: bitwise reproducible results; and no needless re-tracing of compiled functions."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from conftest import SMALL, TRUE

from docalc.compiler.run.inference import TRACES


def same(t1, t2, group: str) -> bool:  # type: ignore[no-untyped-def]
    a, b = t1[group].to_dataset(), t2[group].to_dataset()
    assert list(a.data_vars) == list(b.data_vars)
    return all(np.array_equal(a[k].values, b[k].values) for k in a.data_vars)


def test_same_seed_same_posterior(linear_model, linear_data, linear_fit) -> None:  # type: ignore[no-untyped-def]
    again = linear_model.observe(linear_data).fit(seed=2, **SMALL)
    assert same(linear_fit.posterior, again.posterior, "posterior")
    assert same(linear_fit.posterior, again.posterior, "sample_stats")
    other = linear_model.observe(linear_data).fit(seed=7, **SMALL)
    assert not same(linear_fit.posterior, other.posterior, "posterior")


def test_same_seed_same_predictions(linear_fit) -> None:  # type: ignore[no-untyped-def]
    p1 = linear_fit.predict(do={"b": 0}, seed=11)
    p2 = linear_fit.predict(do={"b": 0}, seed=11)
    assert same(p1, p2, "predictions")
    p3 = linear_fit.predict(do={"b": 0}, seed=12)
    assert not np.array_equal(p1["predictions"]["y"].values, p3["predictions"]["y"].values)
    # y_mu has no noise of its own: the seed does not change it
    assert np.array_equal(p1["predictions"]["y_mu"].values, p3["predictions"]["y_mu"].values)
    e1 = linear_fit.effect("y", do={"b": 1}, baseline={"b": 0}, seed=3)
    e2 = linear_fit.effect("y", do={"b": 1}, baseline={"b": 0}, seed=3)
    assert same(e1, e2, "effect")


def test_same_seed_same_simulation(linear_model) -> None:  # type: ignore[no-untyped-def]
    m = linear_model.do(TRUE)
    s1, s2, s3 = m.simulate(n=50, seed=5), m.simulate(n=50, seed=5), m.simulate(n=50, seed=6)
    assert s1.equals(s2)
    assert not np.array_equal(s1["a"].to_numpy(), s3["a"].to_numpy())
    p1 = linear_model.sample_prior(draws=100, n=5, seed=1)
    p2 = linear_model.sample_prior(draws=100, n=5, seed=1)
    assert same(p1, p2, "prior")


def test_simulation_is_the_same_in_a_fresh_process(linear_model) -> None:  # type: ignore[no-untyped-def]
    code = ("import docalc, sys; m = docalc.load(sys.argv[1]); "
            "print(m.do(beta_ay=1.5).simulate(n=5, seed=5).to_json(double_precision=15))")
    from conftest import EXAMPLES

    out = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "linear.scm")],
                         capture_output=True, text=True, check=True, timeout=300)
    here = linear_model.do(beta_ay=1.5).simulate(n=5, seed=5).to_json(double_precision=15)
    assert out.stdout.strip() == here


def test_refit_same_shape_does_not_retrace(linear_model, linear_fit) -> None:  # type: ignore[no-untyped-def]
    # (the shared fit traced the sampler, or loaded it already exported from an earlier run)
    before = TRACES.get("nuts", 0)
    other = linear_model.do({**TRUE, "beta_by": -0.7}).simulate(n=100, seed=21)
    fit = linear_model.observe(other[["a", "b", "c", "y"]]).fit(seed=2, **SMALL)
    assert TRACES.get("nuts", 0) == before
    # and the new data were really used: beta_by's posterior moved to the new truth
    assert abs(float(fit.posterior["posterior"]["beta_by"].mean()) + 0.7) < 0.1


def test_intervention_values_do_not_retrace(linear_fit) -> None:  # type: ignore[no-untyped-def]
    linear_fit.predict(do={"b": 0})
    before = TRACES.get("forward", 0)
    p = linear_fit.predict(do={"b": 2})
    assert TRACES["forward"] == before
    assert (p["predictions"]["b"].values == 2).all()  # the new value was used
    linear_fit.predict(do="b = 0.5")
    linear_fit.effect("y", do={"b": 3}, baseline={"b": 1})  # same plan, both scenarios
    assert TRACES["forward"] == before
    # a different structure is a different function
    linear_fit.predict(do="b = a - c")
    assert TRACES["forward"] == before + 1
