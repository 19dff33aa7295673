"""Bad input at run time: runaway sizes, wrong argument types, and answers that would be silently
wrong. Each is a DocalcError (or a docalc warning) whose message names the argument, the node or
the column, and the rows."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import docalc as dc

HIER = """
mu ~ Normal(0, 5)
tau ~ HalfNormal(5)
plate school {
  theta ~ Normal(mu, tau)
}
plate obs {
  data x
  data s: school
  z ~ Normal(x, 1)
  y ~ Normal(theta[s] + z, 1)
}
"""


@pytest.fixture(scope="module")
def linear() -> dc.Model:
    return dc.load("examples/linear.scm")


@pytest.fixture(scope="module")
def hier() -> dc.Model:
    return dc.compile(HIER, "hier.scm")


def code(info: pytest.ExceptionInfo[dc.DocalcError]) -> str:
    return info.value.diagnostics[0].code


# -- runaway sizes ------------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "named"), [
    (lambda m: m.simulate(n=10**12), "simulate(n=1000000000000)"),
    (lambda m: m.simulate(n=3 * 10**9, seed=4), "simulate(n=3000000000)"),
    (lambda m: m.sample_prior(draws=20_000, n=100_000), "sample_prior(draws=20000, n=100000)"),
    (lambda m: m.query("ate", draws=10**7), "10,000,000 prior draws"),
], ids=["n 1e12", "n past int32", "draws x n", "query draws"])
def test_runs_too_large_to_hold_are_refused_before_allocating(linear: dc.Model, call,  # type: ignore[no-untyped-def]
                                                              named: str) -> None:
    with pytest.raises(dc.DocalcSizeError) as info:
        call(linear)
    assert code(info) == "E974"
    text = str(info.value)
    assert named in text and "the limit is 1,073,741,824 values" in text
    assert "DOCALC_MAX_VALUES" in text and "docs/limits.md" in text


def test_the_limit_is_an_environment_variable(linear: dc.Model,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCALC_MAX_VALUES", "1000")
    # 5 unit nodes x 300 units + 5 globals: 1,505 values
    with pytest.raises(dc.DocalcSizeError, match=r"1,505 values .* 5 of them per unit of "
                                                 r"plate 'i' \(300 units\)"):
        linear.simulate(n=300)
    assert len(linear.simulate(n=100)) == 100  # 505 values: under it


def test_a_fit_too_large_is_refused_before_sampling(linear: dc.Model,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = linear.do(beta_ay=1.0).simulate(n=50, seed=1)[["a", "b", "y"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dc.LatentWarning)  # c is latent here, on purpose
        observed = linear.observe(data)
    monkeypatch.setenv("DOCALC_MAX_VALUES", "10000")
    # the sampler's loop holds every iteration's latent values: 2 x 200 x (5 + 50)
    with pytest.raises(dc.DocalcSizeError, match=r"fit\(chains=2, tune=100, draws=100\) would "
                                                 r"hold 22,000 values") as info:
        observed.fit(chains=2, tune=100, draws=100)
    assert "lower chains, tune or draws" in str(info.value)


# -- arguments of the wrong type ----------------------------------------------------------------
@pytest.mark.parametrize(("call", "message"), [
    (lambda m: m.identify(3, "y"), r"treatment must be a string, got 3 \(int\)"),
    (lambda m: m.identify("a", "y", observed=["a", "yy"]),
     "observed names no node of the model: 'yy'"),
    (lambda m: m.identify("a", "y", observed=[1.5]), "each of observed must be a string"),
    (lambda m: m.query(["ate"]), r"query must be a string, got \['ate'\] \(list\)"),
    (lambda m: m.query("ate", draws="100"), "draws must be a positive whole number, got '100'"),
    (lambda m: m.query("ate", draws=99.5), "draws must be a positive whole number, got 99.5"),
    (lambda m: m.graph(roles={"bb": "treatment"}), "roles names no node of the model: 'bb'"),
    (lambda m: m.graph(roles={"b": "cause"}), "the role of 'b' .*must be one of treatment"),
    (lambda m: m.graph(roles=["b"]), "roles must be a dict"),
    (lambda m: m.do({("b",): 1}), r"a key of do\(\) must be a string, got \('b',\) \(tuple\)"),
    (lambda m: m.simulate(n="10"), "n must be a positive whole number of units, got '10'"),
    (lambda m: m.simulate(n=[10]), "n must be a positive whole number"),
    (lambda m: m.observe({"a": np.array([1 + 2j, 3j]), "y": [1.0, 2.0]}),
     r"column 'a' holds non-numeric values \(e.g. \(1\+2j\)\)"),
    (lambda m: m.observe(pd.DataFrame({"a": pd.to_datetime(["2024-05-01"]), "y": [1.0]})),
     "column 'a' holds non-numeric values"),
    (lambda m: m.observe(pd.DataFrame({"a": [1.0], "y": [1.0]})).fit(progress="no"),
     r"progress must be True or False, got 'no' \(str\)"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_wrong_arguments_name_themselves(linear: dc.Model, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dc.LatentWarning)
        with pytest.raises(dc.DocalcError, match=message):
            call(linear)


def test_load_and_compile_refuse_what_is_no_path_or_name() -> None:
    with pytest.raises(dc.DocalcArgumentError, match=r"path must be a file name .*got 7 \(int\)"):
        dc.load(7)  # type: ignore[arg-type]
    with pytest.raises(dc.DocalcArgumentError, match="source must be a string"):
        dc.compile("x ~ Normal(0, 1)", source=None)  # type: ignore[arg-type]


def test_argument_errors_are_still_type_and_value_errors(linear: dc.Model) -> None:
    # code that caught what these raised before (TypeError, ValueError) keeps working
    with pytest.raises(TypeError):
        linear.identify(None, "y")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'zz'"):
        linear.graph(roles={"zz": "outcome"})


@pytest.mark.parametrize(("table", "kwargs", "message", "expected_code"), [
    ({"Gear": [1], "Sound": [0]}, {}, r"needs the table as a pandas DataFrame, got dict", "E987"),
    (np.zeros((3, 2)), {}, "got ndarray", "E987"),
    (None, {"treatment": ["Gear"]}, r"treatment must be a column name, got \['Gear'\]", "E952"),
    (None, {"outcome": 2.5}, "outcome must be a column name, got 2.5", "E952"),
    (None, {"adjust": {"Talent": 1}}, "adjust must be a column name or a list", "E952"),
    (None, {"adjust": ["Talent", None]}, "each of adjust must be a column name, got None",
     "E952"),
])
def test_backdoor_refuses_wrong_types(table, kwargs, message: str, expected_code: str) -> None:  # type: ignore[no-untyped-def]
    if table is None:
        table = pd.read_csv("examples/gear_table.csv")
    args = {"treatment": "Gear", "outcome": "Sound", "adjust": ["Talent"],
            "treatment_value": "Fancy", "outcome_value": "Great", **kwargs}
    with pytest.raises(dc.DocalcError, match=message) as info:
        dc.backdoor(table, **args)
    assert code(info) == expected_code


def test_a_condition_reading_a_node_is_refused_at_run_time_too() -> None:
    # the checker refuses `E[y | x = y]` where it is written (E720); weighting, which
    # evaluates a condition's value with no node in scope, refuses it too, never a KeyError
    from docalc.compiler.run.weighting import evidence_of
    from docalc.dsl import ast

    checked = dc.compile("x ~ Normal(0, 1)\ny ~ Normal(x, 1)\n").checked
    cond = ast.Observed("x", ast.Binary("+", ast.Name("y"), ast.Num(1.0)))
    with pytest.raises(dc.DocalcQueryError) as info:
        evidence_of(checked, [cond])
    assert code(info) == "E720"
    assert "the condition x = y + 1 reads 'y'" in str(info.value)


# -- answers that would be silently wrong -------------------------------------------------------
def test_a_fit_of_inputs_alone_is_refused(hier: dc.Model) -> None:
    data = pd.DataFrame({"x": [0.1, 0.2, 0.3], "s": ["a", "b", "a"]})
    with pytest.raises(dc.DocalcInferenceError) as info:
        hier.observe(data).fit(chains=1, tune=10, draws=10)
    assert code(info) == "E953"
    text = str(info.value)
    assert "the `data` input(s) 's', 'x'" in text and "return the prior" in text
    assert "give a column for a stochastic node ('z', 'y')" in text


def test_a_missing_column_is_named_as_latent_with_a_did_you_mean(hier: dc.Model) -> None:
    data = pd.DataFrame({"x": [0.1, 0.2], "s": ["a", "b"], "yy": [1.0, 2.0], "z": [0.0, 1.0]})
    with pytest.warns(dc.DataWarning) as record:
        hier.observe(data)
    texts = [str(w.message) for w in record]
    assert any("columns not in the model are ignored: 'yy' (did you mean 'y'?)" in t
               for t in texts), texts
    latent = [w for w in record if w.category is dc.LatentWarning]
    assert len(latent) == 1 and "no data column for 'y': inferred per unit" in \
        str(latent[0].message)


def test_no_latent_notice_when_every_unit_node_has_data(hier: dc.Model) -> None:
    data = pd.DataFrame({"x": [0.1, 0.2], "s": ["a", "b"], "y": [1.0, 2.0], "z": [0.0, 1.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hier.observe(data).observed_names == {"x", "s", "y", "z"}


def test_spaces_around_column_names_are_dropped_and_said(hier: dc.Model) -> None:
    data = pd.DataFrame({"x": [0.1], " s": ["a"], " y ": [1.0], "z": [0.0]})
    with pytest.warns(dc.DataWarning, match=r"read ' s' as 's', ' y ' as 'y'"):
        model = hier.observe(data)
    assert model.observed_names == {"x", "s", "y", "z"}


def test_one_based_group_codes_are_warned_about(hier: dc.Model) -> None:
    data = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "s": [1, 2, 3, 3], "y": [0.0] * 4,
                         "z": [0.0] * 4})
    with pytest.warns(dc.DataWarning, match=r"index column 's': 1 of the 4 groups of plate "
                                            r"'school' has no rows \(group 0\); codes run from "
                                            r"0, so codes 1..3 leave group 0 empty"):
        hier.observe(data)
    gaps = data.assign(s=[0, 2, 5, 5])
    with pytest.warns(dc.DataWarning, match=r"3 of the 6 groups .* have no rows \(group 1, 3, "
                                            r"4\); those groups have no row"):
        hier.observe(gaps)


def test_do_on_a_data_input_says_its_column_is_unused() -> None:
    model = dc.compile("b ~ Normal(0, 1)\nplate i {\n  data x\n  y ~ Normal(b * x, 1)\n}\n"
                       "do(x = 5)\n", "dox.scm")
    data = pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]})
    with pytest.warns(dc.DataWarning, match=r"column 'x' is not used: do\(x = 5\) replaces the "
                                            r"data input 'x'"):
        model.observe(data)
    # intervened after observe: fit() says it (observe did not see the do)
    plain = dc.compile("b ~ Normal(0, 1)\nplate i {\n  data x\n  y ~ Normal(b * x, 1)\n}\n")
    observed = plain.observe(data).do(x=2)
    # (the size limit stops the fit before sampling; the warning comes first)
    with pytest.MonkeyPatch.context() as mp, \
            pytest.warns(dc.DataWarning, match=r"column 'x' is not used: do\(x = 2\)"), \
            pytest.raises(dc.DocalcSizeError):
        mp.setenv("DOCALC_MAX_VALUES", "10")
        observed.fit(chains=1, tune=10, draws=10)


@pytest.mark.parametrize(("spec", "message"), [
    ((0.0,), r"the control of 'z' must be \(min, max\) or \(min, max, step\)"),
    (("low", 3), "the control of 'z' must be finite numbers"),
    (float("nan"), "the control of 'z' must be finite numbers"),
])
def test_widget_controls_refuse_bad_ranges(spec, message: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("ipywidgets")
    from docalc.widgets.controls import NodeFacts, make_control

    facts = NodeFacts("positive", binary=False, level=1.0, low=0.1, high=3.0)
    with pytest.raises(dc.DocalcArgumentError, match=message):
        make_control("z", spec, facts, None, None)


def test_an_array_intervention_may_leave_the_nodes_own_support() -> None:
    # aimz's workflow: every unit's z set to zeros, though z ~ LogNormal is never 0; what
    # must hold is that the parameters downstream stay valid, which the run checks
    text = "plate i {\n  z ~ LogNormal(0, 1)\n  y ~ Normal(z, 1)\n}\n"
    out = dc.compile(text, "arr.scm").do(z=np.zeros(4)).simulate(n=4, seed=0)
    assert np.all(out["z"] == 0) and np.all(np.isfinite(out["y"]))
    rate = dc.compile(text.replace("}", "  w ~ Exponential(z)\n}"), "rate.scm")
    with pytest.raises(dc.DocalcInterventionError, match="rate"):
        rate.do(z=np.zeros(4)).simulate(n=4, seed=0)
