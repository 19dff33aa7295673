"""A fit can leave unit-level deterministic nodes out of its posterior, and recompute them.

The tutorial's ``y_mu`` holds draws x units values; ``keep_deterministic=False`` (or the
default above ``fitting.KEEP_DETERMINISTIC`` values, with a warning) leaves it out of the
compiled sampler, and every forward run computes it from the draws: the answers are those
of a fit that kept it, bitwise.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SMALL

import docalc as dc
from docalc.compiler.run import fitting


@pytest.fixture(scope="module")
def lean(linear_model, linear_data):  # type: ignore[no-untyped-def]
    return linear_model.observe(linear_data).fit(seed=2, keep_deterministic=False, **SMALL)


def _same(x, y) -> bool:  # type: ignore[no-untyped-def]
    return set(x.data_vars) == set(y.data_vars) and all(
        np.array_equal(x[k].to_numpy(), y[k].to_numpy()) for k in x.data_vars)


def test_the_posterior_leaves_y_mu_out_and_keeps_the_rest(linear_fit, lean) -> None:  # type: ignore[no-untyped-def]
    kept, left = linear_fit.posterior["posterior"], lean.posterior["posterior"]
    assert "y_mu" in kept.data_vars and "y_mu" not in left.data_vars
    assert _same(kept.to_dataset().drop_vars("y_mu"), left.to_dataset())
    assert _same(linear_fit.posterior["log_likelihood"].to_dataset(),
                 lean.posterior["log_likelihood"].to_dataset())


def test_forward_runs_recompute_it(linear_fit, lean, linear_model) -> None:  # type: ignore[no-untyped-def]
    new = linear_model.simulate(n=40, seed=5)[["a", "b", "c"]]
    calls = {"predict": lambda f: f.predict({"b": 1.0})["predictions"],
             "predict new": lambda f: f.predict({"b": 1.0}, data=new)["predictions"],
             "counterfactual": lambda f: f.counterfactual({"b": 1.0})["counterfactual"],
             "effect": lambda f: f.effect("y", {"b": 1.0}, {"b": 0.0})["effect"]}
    for name, call in calls.items():
        kept, left = call(linear_fit), call(lean)
        assert _same(kept, left), name
    assert "y_mu" in calls["counterfactual"](lean).data_vars  # computed, not missing
    np.testing.assert_array_equal(linear_fit.query("ate"), lean.query("ate"))


def test_the_default_leaves_them_out_above_the_limit_with_a_warning(
        linear_model, linear_data, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fitting, "KEEP_DETERMINISTIC", 1000)
    with pytest.warns(dc.SamplingWarning, match=r"leaves out the unit-level deterministic "
                                                r"node y_mu \(60,000 values, over 1,000\)"):
        fit = linear_model.observe(linear_data).fit(seed=2, **SMALL)
    assert "y_mu" not in fit.posterior["posterior"].data_vars
    kept = linear_model.observe(linear_data).fit(seed=2, keep_deterministic=True, **SMALL)
    assert "y_mu" in kept.posterior["posterior"].data_vars


def test_svi_leaves_them_out_too(linear_model, linear_data) -> None:  # type: ignore[no-untyped-def]
    fit = linear_model.observe(linear_data).fit(method="svi", steps=200, draws=50, seed=0,
                                                keep_deterministic=False)
    assert "y_mu" not in fit.posterior["posterior"].data_vars
    assert fit.predict({"b": 1.0})["predictions"]["y_mu"].shape == (1, 50, 100)


def test_keep_deterministic_must_be_true_false_or_none(linear_model, linear_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcError, match="keep_deterministic must be True or False"):
        linear_model.observe(linear_data).fit(keep_deterministic="no")  # type: ignore[arg-type]
