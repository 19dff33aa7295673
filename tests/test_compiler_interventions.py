"""Interventions in the compiler: signed literals, support checks of intervened runs, index
columns set by do(), and observed values against a latent bound."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import draws

import docalc as dc
from docalc.compiler.plan.run_plan import forward_plan
from docalc.compiler.run.inference import TRACES
from docalc.compiler.run.simulation import literal_params
from docalc.errors import DocalcDistributionError, DocalcInterventionError, SamplingWarning

SCALE = "s ~ HalfNormal(1)\nplate i { t = 2 * s\n y ~ Normal(0, t) }"
SCHOOLS = """mu ~ Normal(0, 5); tau ~ HalfCauchy(5)
plate school[3] { theta ~ Normal(mu, tau) }
plate student {
  data school_of: school
  score ~ Normal(theta[school_of], 0.001)
}"""


def _plan(model, do):  # type: ignore[no-untyped-def]
    checked = model.do(do).checked
    plan = forward_plan(checked, {"i": 5}, given=())
    return plan, literal_params(checked, plan).tolist()


# -- 1. a signed literal is one parameter slot ------------------------------------------


@pytest.mark.parametrize(("pos", "neg", "values"), [
    ({"b": 2.0}, {"b": -1.0}, ([2.0], [-1.0])),
    ("b = 2", "b = -1", ([2.0], [-1.0])),
    ("b = 3 - 1", "b = 3 - -1", ([3.0, 1.0], [3.0, -1.0])),
    ("b = 2 * a", "b = -(2) * a", ([2.0], [-2.0])),
    ("b ~ Normal(1, 2)", "b ~ Normal(-1, 2)", ([1.0, 2.0], [-1.0, 2.0])),
])
def test_signed_literal_shares_the_plan_key(linear_model, pos, neg, values) -> None:  # type: ignore[no-untyped-def]
    p1, v1 = _plan(linear_model, pos)
    p2, v2 = _plan(linear_model, neg)
    assert p1.key == p2.key
    assert (v1, v2) == values


def test_negated_expression_is_not_a_literal(linear_model) -> None:  # type: ignore[no-untyped-def]
    # -a is not a number: sharing the key of `b = a` would drop the sign
    assert _plan(linear_model, "b = -a")[0].key != _plan(linear_model, "b = a")[0].key


def test_negative_predict_does_not_retrace_and_is_used(linear_fit) -> None:  # type: ignore[no-untyped-def]
    linear_fit.predict(do={"b": 1.0}, var_names=["y_mu"])
    before = TRACES["forward"]
    p = linear_fit.predict(do={"b": -1.0}, var_names=["y_mu"])
    linear_fit.predict(do="b = -2.5", var_names=["y_mu"])
    assert TRACES["forward"] == before
    obs = linear_fit.posterior["observed_data"]
    coef = {k: draws(linear_fit.posterior, "posterior", k)[:, None]
            for k in ("beta_y0", "beta_ay", "beta_by", "beta_cy")}
    a, c = obs["a"].to_numpy(), obs["c"].to_numpy()
    expected = coef["beta_y0"] + coef["beta_ay"] * a - coef["beta_by"] + coef["beta_cy"] * c
    np.testing.assert_allclose(draws(p, "predictions", "y_mu"), expected, rtol=1e-5,
                               atol=1e-4)


def test_negative_effect_does_not_retrace_and_is_used(linear_fit) -> None:  # type: ignore[no-untyped-def]
    linear_fit.effect("y", do={"b": 1}, baseline={"b": 0})
    before = TRACES["forward"]
    e = linear_fit.effect("y", do={"b": -1}, baseline={"b": 0})
    assert TRACES["forward"] == before
    # same noise in both scenarios: the effect is exactly beta_by * (-1 - 0) per unit
    beta_by = draws(linear_fit.posterior, "posterior", "beta_by")
    np.testing.assert_allclose(draws(e, "effect", "y"), -np.repeat(beta_by[:, None], 100, 1),
                               atol=1e-4)


def test_negative_value_in_a_fit_does_not_retrace_the_sampler(  # type: ignore[no-untyped-def]
        linear_model, linear_data, monkeypatch) -> None:
    # no exported samplers: a new key would then show as a trace, not as a load from disk
    monkeypatch.setenv("DOCALC_NO_CACHE", "1")
    settings = {"chains": 2, "tune": 100, "draws": 100, "seed": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SamplingWarning)
        linear_model.do(beta_y0=0.5).observe(linear_data).fit(**settings)
        before = TRACES["nuts"]
        fit = linear_model.do(beta_y0=-0.5).observe(linear_data).fit(**settings)
    assert TRACES["nuts"] == before
    assert (draws(fit.posterior, "posterior", "beta_y0") == -0.5).all()
    obs = fit.posterior["observed_data"]
    coef = {k: draws(fit.posterior, "posterior", k)[:, None]
            for k in ("beta_ay", "beta_by", "beta_cy")}
    expected = -0.5 + coef["beta_ay"] * obs["a"].to_numpy() \
        + coef["beta_by"] * obs["b"].to_numpy() + coef["beta_cy"] * obs["c"].to_numpy()
    np.testing.assert_allclose(draws(fit.posterior, "posterior", "y_mu"), expected,
                               rtol=1e-5, atol=1e-4)


# -- 2. values that give a distribution an invalid parameter ----------------------------


@pytest.mark.parametrize(("do", "words"), [
    # constant values are refused where they are written (the front end, issue 12)
    ("s = 0 - 1", ["do(s = 0 - 1) makes scale of y ~ Normal equal to -2",
                   "scale must be positive"]),
    ({"t": -1}, ["do(t = -1) makes scale of y ~ Normal equal to -1", "scale must be positive"]),
    # values known only in a run are refused by the run
    # (s itself may leave its HalfNormal's support: do() replaced it; t = s is what breaks)
    ("s = -1 * s", ["the value do() gives s makes scale of y ~ Normal(loc=0, scale=t) invalid",
                    "scale must be positive"]),
    ("t = 0 - s", ["the value do() gives t makes scale of y", "scale must be positive",
                   "for up to 3 of the 3 units of plate 'i', in 1 of 1 draw"]),
])
def test_invalid_downstream_scale_is_an_error(do, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcInterventionError) as err:
        dc.compile(SCALE).do(do).simulate(n=3, seed=0)
    for w in words:
        assert w in str(err.value)


def test_support_check_keeps_values_as_arguments() -> None:
    model = dc.compile(SCALE)
    y = model.do(t=2.0).simulate(n=4000, seed=0)["y"]
    before = TRACES["forward"]
    assert abs(float(y.std()) - 2.0) < 0.1
    with pytest.raises(DocalcInterventionError, match="scale of y"):
        model.do(t=-2.0).simulate(n=4000, seed=0)
    y3 = model.do(t=3.0).simulate(n=4000, seed=0)["y"]
    assert TRACES["forward"] == before
    np.testing.assert_allclose(y3, 1.5 * y, rtol=1e-5)  # same noise, scale 3 not 2


def test_shift_breaking_some_units_counts_them() -> None:
    model = dc.compile("plate i { s ~ HalfNormal(1)\n y ~ Normal(0, s) }").do("s = s - 1")
    with pytest.raises(DocalcInterventionError) as err:
        model.sample_prior(draws=20, n=50, seed=0)
    msg = str(err.value)
    assert "of the 50 units of plate 'i', in 20 of 20 draws" in msg
    # s may leave its HalfNormal's support (do() replaced it); y's scale may not
    assert "gives s makes scale of y" in msg and "scale must be positive" in msg


def test_predict_shift_of_a_posterior_scale(linear_fit) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcInterventionError, match=r"gives sigma_y makes scale of y"):
        linear_fit.predict(do="sigma_y = sigma_y - 10")
    ok = linear_fit.predict(do="sigma_y = sigma_y + 1", var_names=["sigma_y"])
    np.testing.assert_allclose(draws(ok, "predictions", "sigma_y"),
                               draws(linear_fit.posterior, "posterior", "sigma_y") + 1,
                               rtol=1e-6)


def test_uniform_bounds_out_of_order() -> None:
    model = dc.compile("lo ~ Normal(0, 1)\nhi = lo + 1\nplate i { x ~ Uniform(lo, hi) }")
    with pytest.raises(DocalcInterventionError, match="high bound not above its low bound"):
        model.do(hi=-50).simulate(n=3, seed=0)


def test_probabilities_from_an_intervened_node() -> None:
    model = dc.compile("q ~ Beta(1, 1)\nplate i { z ~ Categorical([q, 1 - q]) }")
    z = model.do(q=0.25).simulate(n=4000, seed=0)["z"]
    assert abs(float(z.mean()) - 0.75) < 0.03
    with pytest.raises(DocalcInterventionError, match="probs of z"):
        model.do("q = 0 - 0.5").simulate(n=3, seed=0)


# -- 3. do() on an index column ------------------------------------------------------


def test_index_column_set_to_a_code() -> None:
    sim = dc.compile(SCHOOLS).do(school_of=2).simulate(n=4, seed=0)
    theta = sim.attrs["plates"]["school"]["theta"]
    assert (sim["school_of"] == 2).all()
    np.testing.assert_allclose(sim["score"], theta[2], atol=0.01)
    codes = np.array([0, 2, 1, 0])
    sim = dc.compile(SCHOOLS).do(school_of=codes).simulate(n=4, seed=0)
    np.testing.assert_allclose(sim["score"], np.asarray(theta)[codes], atol=0.01)


@pytest.mark.parametrize("value", [3, 1.5, -1, np.array([0, 5, 1])])
def test_index_column_bad_codes(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcInterventionError, match="index column into plate 'school'"):
        dc.compile(SCHOOLS).do(school_of=value).simulate(n=3, seed=0)


def test_index_column_expression_is_refused() -> None:
    with pytest.raises(DocalcInterventionError, match="'school_of' is an index column into "
                       "plate 'school', which can only be set to a whole number"):
        dc.compile(SCHOOLS).do(school_of="school_of + 1").simulate(n=3, seed=0)
    # a bare word is taken for a label, which do() does not read
    with pytest.raises(DocalcInterventionError, match="takes the code of a group of plate "
                       "'school'"):
        dc.compile(SCHOOLS).do(school_of="B")


def test_index_column_checked_against_the_data_sized_plate(examples) -> None:  # type: ignore[no-untyped-def]
    text = SCHOOLS.replace("school[3]", "school")
    data = {"school_of": ["A", "B", "A"]}
    sim = dc.compile(text).do(school_of=1).simulate(data=data, seed=0)
    assert (sim["school_of"] == "B").all()
    with pytest.raises(DocalcInterventionError, match=r"whole numbers in 0\.\.1"):
        dc.compile(text).do(school_of=2).simulate(data=data, seed=0)
    eight = dc.load(examples / "eight_schools.scm")
    with pytest.raises(DocalcInterventionError, match=r"0\.\.7"):
        eight.do(school_of=8)


# -- 4. an observed value against a latent bound -------------------------------------


@pytest.mark.parametrize("low", [0, 1])
def test_observed_uniform_with_a_latent_bound(low) -> None:  # type: ignore[no-untyped-def]
    model = dc.compile(f"hi ~ Uniform({low}, 5)\nplate i {{ x ~ Uniform(0, hi) }}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SamplingWarning)
        fit = model.observe({"x": [0.5, 0.7]}).fit(chains=2, tune=200, draws=200, seed=0)
    hi = draws(fit.posterior, "posterior", "hi")
    assert hi.min() > 0.7 and hi.max() < 5


def test_fit_with_an_invalid_scale(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from docalc.compiler.bind.data import as_arrays
    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.plan.value_checks import check_samples
    from docalc.compiler.run import inference

    monkeypatch.setenv("DOCALC_NO_CACHE", "1")
    # the scale reads s, so that no value of t makes it a constant the front end refuses
    text = SCALE.replace("2 * s", "3 * s").replace("Normal(0, t)", "Normal(0, t + 0 * s)")
    model = dc.compile(text).observe({"y": [0.1, -0.3, 0.5]})
    # a new sampler runs the model once with concrete values: refused before sampling
    with pytest.raises(DocalcInterventionError, match=r"gives t makes scale of y .* the "
                       r"model's first run"):
        model.do("t = 0 - s").fit(chains=2, tune=100, draws=100, seed=0)
    # a sampler built for t = 2 and re-used for t = -2 records the broken check per draw
    settings = inference.Settings(chains=2, tune=50, draws=50)
    for value, bad in ((2.0, False), (-2.0, True)):
        m = model.do(t=value)
        plan = inference_plan(m.checked, m._bound.sizes, {"y"})
        out = inference.nuts(plan, as_arrays(m.checked, m._bound),
                             literal_params(m.checked, plan), {}, settings, seed=0)
        if bad:
            with pytest.raises(DocalcInterventionError, match="in 100 of 100 draws"):
                check_samples(plan, out.values)
        else:
            check_samples(plan, out.values)
    # and the public fit, re-using that sampler, refuses the bad value's draws
    with pytest.raises(DocalcInterventionError, match="in 100 of 100 draws"):
        model.do(t=-2.0).fit(chains=2, tune=50, draws=50, seed=0)


def test_new_distribution_reading_an_intervened_node() -> None:
    model = dc.compile("s ~ HalfNormal(1)\nplate i { x ~ Normal(0, 1)\n y ~ Normal(x, 1) }")
    y = model.do("s = 0.5, x ~ Normal(1, s)").simulate(n=4000, seed=0)["x"]
    assert abs(float(y.std()) - 0.5) < 0.03 and abs(float(y.mean()) - 1) < 0.03
    with pytest.raises(DocalcInterventionError, match=r"scale of x ~ Normal\(loc=…, scale=s"):
        model.do("s = 0 - 0.5, x ~ Normal(1, s)").simulate(n=3, seed=0)


def test_uniform_node_set_outside_its_literal_bounds() -> None:
    # issue 12 (9): a do() replaces the mechanism, so x's old bounds do not bound it; only
    # the parameters downstream must stay valid (y's loc takes any number)
    model = dc.compile("plate i {\n  x ~ Uniform(0, 1)\n  y ~ Normal(x, 1)\n}")
    assert model.do(x=7).simulate(n=2, seed=0)["x"].tolist() == [7.0, 7.0]
    out = model.do(x=np.array([0.5, 7.0, 0.2])).simulate(n=3, seed=0)
    assert out["x"].tolist() == pytest.approx([0.5, 7.0, 0.2])
    assert model.do(x=np.array([0.5, 0.25])).simulate(n=2, seed=0)["x"].tolist() == [0.5, 0.25]


# -- 5. Binomial with total_count 0 ----------------------------------------------------

COUNTS = "lam ~ Gamma(2, 1)\np ~ Beta(1, 1)\nplate i {\n  n ~ Poisson(lam)\n  y ~ Binomial(n, p)\n}"


def test_binomial_of_a_zero_count_is_valid() -> None:
    model = dc.compile(COUNTS)
    sim = model.do(lam=3).simulate(n=400, seed=0)
    assert (sim["n"] == 0).sum() > 0  # Poisson(3) gives zeros (about 5%)
    assert (sim.loc[sim["n"] == 0, "y"] == 0).all()
    assert ((sim["y"] >= 0) & (sim["y"] <= sim["n"])).all()
    for do in ({"n": 0}, "n = n * 0"):
        assert (model.do(do).simulate(n=20, seed=1)["y"] == 0).all()
    assert (dc.compile("plate i { y ~ Binomial(0, 0.5) }").simulate(n=5, seed=0)["y"]
            == 0).all()


def test_binomial_negative_count_is_still_refused() -> None:
    with pytest.raises(DocalcInterventionError) as err:
        dc.compile(COUNTS).do("n = n - 100").simulate(n=20, seed=0)
    msg = str(err.value)
    assert "total_count of y ~ Binomial(total_count=n, probs=p) invalid: total_count must " \
           "be a non-negative integer, but is not for up to 20 of the 20 units" in msg


# -- 6. list-valued parameters (Categorical) -------------------------------------------

LOGITS = "plate i { x ~ Normal(0, 1); y ~ Categorical(logits=[x, 0, 1]) }"


@pytest.mark.parametrize("n", [3, 5])
def test_categorical_logits_list_reading_an_intervened_node(n) -> None:  # type: ignore[no-untyped-def]
    sim = dc.compile(LOGITS).do(x=2).simulate(n=n, seed=0)
    assert sim["x"].tolist() == [2.0] * n and set(sim["y"]) <= {0, 1, 2}


def test_categorical_logits_frequencies_under_do() -> None:
    y = dc.compile(LOGITS).do(x=2).simulate(n=20000, seed=0)["y"].to_numpy()
    expected = np.exp([2.0, 0.0, 1.0]) / np.exp([2.0, 0.0, 1.0]).sum()
    np.testing.assert_allclose(np.bincount(y, minlength=3) / y.size, expected, atol=0.01)


@pytest.mark.parametrize(("a", "bad"), [([1.0, -1.0, 2.0], 1), ([1.0, -1.0, 2.0, -3.0, 4.0], 2)])
def test_categorical_logits_list_counts_units_not_entries(a, bad) -> None:  # type: ignore[no-untyped-def]
    # log of a negative input is nan: those units' logits are broken, one count per unit
    model = dc.compile("plate i { data a; x ~ Normal(0, 1)\n y ~ Categorical(logits=[x, 0, 1]) }")
    with pytest.raises(DocalcInterventionError) as err:
        model.do("x = log(a)").simulate(data={"a": a}, seed=0)
    assert f"makes logits of y ~ Categorical(logits=[x, 0, 1]) invalid: logits must be a " \
           f"real number, but is not for up to {bad} of the {len(a)} units of plate 'i', " \
           f"in 1 of 1 draw" in str(err.value)


# -- 7. constants and stochastic interventions ------------------------------------------

NEW = "s ~ HalfNormal(1)\nplate i { x ~ HalfNormal(1); y ~ Normal(x, 1) }"


@pytest.mark.parametrize(("do", "words"), [
    ("x ~ HalfNormal(0 - 1)", "<do>:1:16: error: scale of HalfNormal must be positive, got "
                              "0 - 1 = -1"),
    ("x ~ Normal(0, 2 * -1)", "<do>:1:15: error: scale of Normal must be positive, got "
                              "2 * -1 = -2"),
    ("x ~ Uniform(2, 1)", "<do>:1:16: error: high of Uniform must be greater than low (2), "
                          "got 1"),
    ("x ~ Beta(1, 1-1)", "<do>:1:13: error: concentration0 of Beta must be positive, got "
                         "1 - 1 = 0"),
    ("x ~ Gamma(2 ^ -1, 1 / 0 - 1 / 0)", "<do>:1:19: error: 1 / 0 is not finite (it is inf "
                                         "in floating point)"),
])
def test_constant_arguments_of_a_new_distribution_are_checked(do, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcDistributionError) as err:
        dc.compile(NEW).do(do)
    assert words in str(err.value)


@pytest.mark.parametrize(("text", "words"), [
    ("plate i { y ~ Uniform(2, 1) }", "high of Uniform must be greater than low (2), got 1"),
    ("plate i { y ~ Uniform(1) }", "greater than low (1), got 1 (its default)"),
    ("plate i { y ~ HalfNormal(0 - 1) }", "scale of HalfNormal must be positive, got 0 - 1 = -1"),
    ("plate i { y ~ Poisson(-pi) }", "rate of Poisson must be non-negative, got -pi = "
                                     "-3.141592653589793"),
])
def test_constant_arguments_in_model_text_are_checked(text, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcDistributionError) as err:
        dc.compile(text)
    assert words in str(err.value)


def test_valid_constant_arguments_run() -> None:
    sim = dc.compile("plate i { y ~ Uniform(1 - 1, 2 * 2) }").simulate(n=4000, seed=0)
    assert sim["y"].min() >= 0 and sim["y"].max() <= 4
    assert abs(float(sim["y"].mean()) - 2) < 0.1
    # the same noise as the literal form: folding changes nothing at run time
    x = dc.compile(NEW).do("x ~ HalfNormal(2 * 0.5)").simulate(n=50, seed=3)["x"]
    x1 = dc.compile(NEW).do("x ~ HalfNormal(1)").simulate(n=50, seed=3)["x"]
    np.testing.assert_array_equal(x, x1)


def test_new_distribution_checked_at_run_time_without_intervened_inputs() -> None:
    model = dc.compile(NEW)
    with pytest.raises(DocalcInterventionError) as err:
        model.do("x ~ HalfNormal(s - 10)").sample_prior(draws=10, n=3, seed=0)
    assert str(err.value) == (
        "error: do(x ~ HalfNormal(scale=s - …)) has an invalid scale: scale must be positive, "
        "but is not for up to 3 of the 3 units of plate 'i', in 10 of 10 draws\n"
        "  hint: give x a distribution whose scale is positive")
    with pytest.raises(DocalcInterventionError, match=r"do\(x ~ Uniform\(low=s, high=…\)\) "
                       r"gives x a high bound not above its low bound"):
        model.do("x ~ Uniform(s, 0)").simulate(n=3, seed=0)
    prior = model.do("x ~ Uniform(s, s + 1)").sample_prior(draws=50, n=4, seed=0)["prior"]
    s, x = prior["s"].to_numpy()[..., None], prior["x"].to_numpy()
    assert ((x >= s) & (x <= s + 1)).all()


def test_new_distribution_checks_do_not_depend_on_its_literals() -> None:
    from docalc.compiler.plan.value_checks import plan_checks

    model = dc.compile(NEW)
    (p1, v1), (p2, v2) = (_plan(model, "x ~ HalfNormal(s - 10)"),
                          _plan(model, "x ~ HalfNormal(s - 0.5)"))
    assert p1.key == p2.key and plan_checks(p1) == plan_checks(p2) and (v1, v2) == ([10], [0.5])
    checks = plan_checks(p1)[0]
    # x's new scale, and y's loc, which reads the new x
    assert [(c.node, c.param, c.constraint, c.sources) for c in checks] == \
        [("x", "scale", "positive", ("x",)), ("y", "loc", "real", ("x",))]
    # constant arguments need no run-time check: the checker has seen them
    checks = plan_checks(_plan(model, "x ~ HalfNormal(2 * 3)")[0])[0]
    assert [(c.node, c.param) for c in checks] == [("y", "loc")]


# -- 8. a request runs and checks only what it reads ------------------------------------

SIBLINGS = "b ~ HalfNormal(1)\nplate i {\n  data x\n  y ~ Poisson(b * x)\n  z ~ Normal(x, 1)\n}"


@pytest.fixture(scope="module")
def siblings_fit():  # type: ignore[no-untyped-def]
    data = {"x": [1.0, 2.0, 3.0, 4.0], "y": [1, 2, 3, 5], "z": [0.1, -1.0, 2.0, 0.5]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SamplingWarning)
        return dc.compile(SIBLINGS).observe(data).fit(chains=1, tune=100, draws=100, seed=0)


def test_unrequested_sibling_does_not_refuse_a_prediction(siblings_fit) -> None:  # type: ignore[no-untyped-def]
    x = np.array([1.0, 2.0, 3.0, 4.0])
    e = siblings_fit.effect("z", do={"x": -5})
    # common noise: z moves exactly with its mean, x -> -5, per unit and draw
    np.testing.assert_allclose(draws(e, "effect", "z"), np.broadcast_to(-5 - x, (100, 4)),
                               atol=1e-5)
    assert float(e["summary"]["mean"]) == pytest.approx(-7.5, abs=1e-5)
    p = siblings_fit.predict(do={"x": -5}, var_names=["z"])
    assert list(p["predictions"].data_vars) == ["z"]
    z = draws(p, "predictions", "z")
    assert z.shape == (100, 4) and abs(float(z.mean()) + 5) < 0.3
    # the same noise as a run that predicts y as well (what it reads is run the same way)
    both = siblings_fit.predict(do={"x": 5})
    np.testing.assert_array_equal(draws(siblings_fit.predict(do={"x": 5}, var_names=["z"]),
                                        "predictions", "z"), draws(both, "predictions", "z"))


@pytest.mark.parametrize("var_names", [None, ["y"], ["y", "z"]])
def test_requested_node_with_an_invalid_parameter_is_refused(siblings_fit, var_names) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DocalcInterventionError, match=r"makes rate of y ~ Poisson\(rate=b \* x\) "
                       r"invalid: rate must be non-negative"):
        siblings_fit.predict(do={"x": -5}, var_names=var_names)
    with pytest.raises(DocalcInterventionError, match="rate of y"):
        siblings_fit.effect("y", do={"x": -5})


def test_a_value_outside_the_replaced_support_is_checked_downstream_only(siblings_fit) -> None:  # type: ignore[no-untyped-def]
    # do() replaces b's HalfNormal: -1 is a value b may take, z does not read it, and
    # y's rate b * x, which it makes negative, is where it is refused
    z = siblings_fit.predict(do="b = 0 - 1", var_names=["z"], seed=1)
    assert z["predictions"]["z"].shape[-1] == 4
    with pytest.raises(DocalcInterventionError, match="rate of y"):
        siblings_fit.predict(do="b = 0 - 1", var_names=["y"])


def test_partial_plans_of_different_models_do_not_share_a_key() -> None:
    # a plan of y alone lists the same steps for both models, but y's random numbers come
    # from its index in its model, one further on in the second
    a = dc.compile(SIBLINGS).checked
    b = dc.compile("m ~ Normal(0, 1)\n" + SIBLINGS).checked
    pa, pb = (forward_plan(c, {"i": 4}, given={"b", "x"}, needed=["y"]) for c in (a, b))
    assert [s.name for s in pa.steps] == [s.name for s in pb.steps] == ["b", "x", "y"]
    assert [s.index for s in pa.steps] == [0, 1, 2]
    assert [s.index for s in pb.steps] == [1, 2, 3]
    assert pa.key != pb.key
    # a plan of every node keeps the key it always had (no index line)
    assert "indices" not in forward_plan(a, {"i": 4}, given={"b", "x"}).key
