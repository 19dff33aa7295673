"""Bad input through the Python API: a DocalcError that says what to do, never a raw error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import docalc as dc


@pytest.fixture(scope="module")
def model() -> dc.Model:
    return dc.load("examples/linear.scm")


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: m.simulate(n=-1), "positive whole number"),
    (lambda m: m.simulate(n=2.5), "positive whole number"),
    (lambda m: m.simulate(), "plate 'i' has no size"),
    (lambda m: m.sample_prior(draws=0, n=5), "draws must be a positive"),
    (lambda m: m.do({"b": "5 *"}), "expected an expression"),
    (lambda m: m.do(zz=1), "undefined variable 'zz'"),
    (lambda m: m.do(b=float("inf")), "not a finite number"),
    (lambda m: m.do(b=float("nan")), "not a finite number"),
    (lambda m: m.do({"b": object()}), "needs a number"),
    (lambda m: m.observe([1, 2, 3]), "DataFrame or a dict"),
    (lambda m: m.fit(), "no data to fit"),
    (lambda m: m.query("nope"), "unknown query 'nope'"),
    (lambda m: m.identify("q", "y"), "unknown treatment 'q'"),
    (lambda m: m.graph(do="b ="), "expected an expression"),
    # JAX would truncate 2**32 to 0 (the same draws as seed 0) and crash on 1.5
    (lambda m: m.simulate(n=5, seed=2**32), "seed must be a whole number"),
    (lambda m: m.simulate(n=5, seed=1.5), "seed must be a whole number"),
    (lambda m: m.sample_prior(draws=5, n=5, seed=-1), "seed must be a whole number"),
    (lambda m: m.observe(m.do(beta_ay=1.0).simulate(n=5)[["a", "b", "c", "y"]]).fit(seed="1"),
     "seed must be a whole number"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_model_refuses_bad_input(model: dc.Model, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcError, match=message):
        call(model)


def test_compile_and_load_refuse_bad_input() -> None:
    with pytest.raises(dc.DocalcError, match="must be a string"):
        dc.compile(None)  # type: ignore[arg-type]
    with pytest.raises(dc.DocalcError, match="is a directory"):
        dc.load("examples")
    with pytest.raises(dc.DocalcError, match="no such file") as info:
        dc.load("nope.scm")
    assert "None" not in str(info.value)


def test_backdoor_errors_are_docalc_errors() -> None:
    table = pd.read_csv("examples/gear_table.csv")
    with pytest.raises(dc.DocalcDataError, match="'Gearx' is not in the table"):
        dc.backdoor(table, treatment="Gearx", outcome="Sound", adjust=["Talent"],
                    treatment_value="Fancy", outcome_value="Great")


@pytest.mark.slow
@pytest.mark.parametrize(("call", "message"), [
    (lambda f: f.effect("yy", do={"b": 1}), "unknown outcome 'yy'"),
    (lambda f: f.predict(var_names=["q"]), "unknown variable"),
    (lambda f: f.counterfactual(do={"b": 0}, var_names=["q"]), "unknown variable"),
    (lambda f: f.query("qq"), "unknown query 'qq'"),
    (lambda f: f.predict(do={"b": np.zeros(3)}), "one value per unit"),
    (lambda f: f.summary(var_names=["zz"]), "not in the posterior: zz"),
    (lambda f: f.effect("y", do="b = = 1"), "expected an expression"),
    (lambda f: f.predict(do={"b": 0}, seed=True), "seed must be a whole number"),
    (lambda f: f.effect("y", do={"b": 1}, seed=2**40), "seed must be a whole number"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_fit_refuses_bad_input(linear_fit, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcError, match=message):
        call(linear_fit)


def test_latent_discrete_node_is_refused_before_sampling() -> None:
    model = dc.load("examples/gear.scm").observe(
        pd.read_csv("examples/gear.csv")[["gear", "sound"]])
    with pytest.raises(dc.DocalcInferenceError, match=r"latent discrete node.*talent") as info:
        model.fit(chains=1, tune=10, draws=10)
    assert "give talent a data column" in str(info.value)
