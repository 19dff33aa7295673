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
    (lambda f: f.summary(hdi_prob=94), r"hdi_prob must be a number in \(0, 1\)"),
    (lambda f: f.effect("y", do={"b": 1}, hdi_prob=0), r"hdi_prob must be a number"),
    (lambda f: f.effect("y", do={"b": 1}, seed=2**40), "seed must be a whole number"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_fit_refuses_bad_input(linear_fit, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcError, match=message):
        call(linear_fit)


def test_summary_and_predict_take_one_name_as_a_string(linear_fit) -> None:  # type: ignore[no-untyped-def]
    assert list(linear_fit.summary(var_names="beta_ay").index) == ["beta_ay"]
    assert list(linear_fit.predict(do={"b": 0}, var_names="y")["predictions"].data_vars) == ["y"]
    with pytest.raises(dc.DocalcNameError, match="not in the posterior: zz"):
        linear_fit.summary(var_names="zz")


@pytest.fixture(scope="module")
def observed(model: dc.Model) -> dc.Model:
    return model.observe(model.do(beta_ay=1.0).simulate(n=20, seed=1)[["a", "b", "c", "y"]])


@pytest.mark.parametrize(("settings", "message"), [
    ({"chains": 2.5}, "chains must be a positive whole number, got 2.5"),
    ({"chains": None}, "chains must be a positive whole number, got None"),
    ({"draws": "100"}, "draws must be a positive whole number"),
    ({"tune": 1.5}, r"tune must be a whole number >= 0, got 1.5"),
    ({"tune": -1}, r"tune must be a whole number >= 0"),
    ({"max_tree_depth": 0}, "max_tree_depth must be a positive whole number"),
    ({"target_accept": "high"}, r"target_accept must be a number in \(0, 1\)"),
    ({"target_accept": 1.0}, r"target_accept must be a number in \(0, 1\)"),
    ({"method": "svi", "learning_rate": -1}, "learning_rate must be a number greater than 0"),
    ({"method": "svi", "guide": "foo"}, "unknown guide 'foo'"),
    ({"method": "hmc"}, "unknown method 'hmc'"),
], ids=str)
def test_fit_refuses_bad_settings_before_sampling(observed: dc.Model, settings,  # type: ignore[no-untyped-def]
                                                  message: str) -> None:
    with pytest.raises(dc.DocalcInferenceError, match=message):
        observed.fit(**settings)


def test_latent_discrete_node_of_unbounded_support_is_refused_before_sampling() -> None:
    # a finite latent (the Gear model's talent) is summed out (tests/test_latent_discrete.py);
    # a Poisson one has no finite support to sum over
    text = "r ~ Gamma(2, 1)\nplate unit {\n  n ~ Poisson(r)\n  y ~ Normal(n, 1)\n}"
    model = dc.compile(text).observe(pd.DataFrame({"y": [1.0, 2.0]}))
    with pytest.raises(dc.DocalcInferenceError, match=r"latent discrete node.*n") as info:
        model.fit(chains=1, tune=10, draws=10)
    assert "give n a data column" in str(info.value)


def test_n_that_sizes_no_plate_is_refused() -> None:
    with pytest.raises(dc.DocalcDataError, match="n=4 but the model has no plate"):
        dc.compile("a ~ Normal(0, 1)").simulate(n=4)
    fixed = dc.compile("plate s[3] {\n  y ~ Normal(0, 1)\n}")
    with pytest.raises(dc.DocalcDataError, match=r"n=4 sizes no plate: .*s\[3\]"):
        fixed.simulate(n=4)
    assert len(fixed.simulate(seed=0)) == 3
    assert dc.compile("").simulate().empty  # nothing to draw, nothing to fail on


def test_simulate_draws_stochastic_columns_afresh_and_says_so(model: dc.Model) -> None:
    given = pd.DataFrame({"a": [0.0] * 4, "b": [1.0] * 4, "c": [2.0] * 4, "y": [9.0] * 4})
    with pytest.warns(dc.DataWarning, match="simulating draws a, b, c, y afresh"):
        sim = model.simulate(data=given, seed=0)
    assert len(sim) == 4 and not (sim["y"] == 9.0).any()


def test_do_given_as_text_reports_its_own_place(model: dc.Model) -> None:
    data = model.do(beta_ay=1.0).simulate(n=5, seed=0)[["a", "b", "c", "y"]]
    with pytest.raises(dc.DocalcError) as info:
        model.observe(data).do("b = 0").fit()
    text = str(info.value)
    assert text.startswith("<do>:1:1: error: 'b' is set by do(b = 0)")
    assert "beta_y0" not in text  # not a line of the model file under the do's caret
    # given as a number there is no text to point into: the API's do, at no position
    with pytest.raises(dc.DocalcError) as info:
        model.observe(data).do(b=0).fit()
    assert str(info.value).startswith("<do>: error: 'b' is set by do(b = 0)")


def test_shift_of_a_data_input_reads_its_column() -> None:
    m = dc.compile("b ~ Normal(0, 1)\ns ~ HalfNormal(1)\nplate i {\n  data x\n"
                   "  y ~ Normal(b * x, s)\n}")
    with pytest.raises(dc.DocalcDataError, match=r"missing column.* x"):
        m.do(x="x - 0.5").simulate(n=3)
    sim = m.do(x="x - 0.5", b=2.0, s=0.1).simulate(data={"x": [1.0, 2.0]}, seed=0)
    assert sim["x"].tolist() == [0.5, 1.5]


def test_index_column_label_in_do_is_explained() -> None:
    m = dc.load("examples/eight_schools.scm")
    with pytest.raises(dc.DocalcInterventionError, match=r"takes the code of a group of plate "
                       r"'school'.*not its label"):
        m.do(school_of="A")


def test_model_file_with_a_byte_order_mark(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.scm"
    path.write_bytes("\ufeffa ~ Normal(0, 1)\n".encode())
    assert [n.name for n in dc.load(path).checked.nodes] == ["a"]
