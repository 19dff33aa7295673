"""Runs cut into unit batches: every unit draws from its own stream, so the cut changes nothing.

A unit's random numbers come from its global index (``compiler/lower/streams``): any
``batch_size`` gives bitwise the per-unit values of one run over every unit, and the first
units of a table draw what they draw inside a longer one. ``effect(per_unit=False)`` keeps
only each batch's sums, so it runs where the per-unit effect would not fit the memory limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES

import docalc as dc
from docalc.compiler.run.inference import TRACES


@pytest.fixture(scope="module")
def new_units(linear_model) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return linear_model.simulate(n=301, seed=5)[["a", "b", "c"]]


def _same(x, y) -> bool:  # type: ignore[no-untyped-def]
    return set(x.data_vars) == set(y.data_vars) and all(
        np.array_equal(x[k].to_numpy(), y[k].to_numpy()) for k in x.data_vars)


def test_a_unit_draws_the_same_in_a_longer_table(linear_model) -> None:  # type: ignore[no-untyped-def]
    short, long = linear_model.simulate(n=5, seed=1), linear_model.simulate(n=12, seed=1)
    np.testing.assert_array_equal(short.to_numpy(), long.to_numpy()[:5])


@pytest.mark.parametrize("batch_size", [1, 7, 100, 300, 301, 10_000])
def test_predictions_do_not_depend_on_the_batch_size(linear_fit, new_units: pd.DataFrame,
                                                     batch_size: int) -> None:
    whole = linear_fit.predict({"b": 1.0}, data=new_units, batch_size=10**9)
    cut = linear_fit.predict({"b": 1.0}, data=new_units, batch_size=batch_size)
    assert _same(whole["predictions"], cut["predictions"])
    assert whole["predictions"]["y"].sizes["i"] == 301


def test_the_first_units_predict_what_they_predict_among_more(linear_fit,
                                                              new_units: pd.DataFrame) -> None:
    few = linear_fit.predict({"b": 1.0}, data=new_units.iloc[:10])["predictions"]["y"]
    all_ = linear_fit.predict({"b": 1.0}, data=new_units, batch_size=4)["predictions"]["y"]
    np.testing.assert_array_equal(few.to_numpy(), all_.to_numpy()[..., :10])


def test_batches_of_one_size_run_one_compiled_function(linear_fit,
                                                       new_units: pd.DataFrame) -> None:
    linear_fit.predict({"b": 2.0}, data=new_units, batch_size=50)  # traces the size-50 plan
    before = TRACES.get("forward", 0)
    linear_fit.predict({"b": 3.0}, data=new_units, batch_size=50)  # 7 batches, last padded
    assert TRACES.get("forward", 0) == before


def test_in_sample_predictions_and_counterfactuals_do_not_depend_on_it(linear_fit) -> None:
    for call in (linear_fit.predict, linear_fit.counterfactual):
        whole, cut = call({"b": 1.0}), call({"b": 1.0}, batch_size=9)
        (group,) = whole.children
        assert _same(whole[group].dataset, cut[group].dataset)


def test_effect_per_unit_false_is_the_average_alone(linear_fit,
                                                    new_units: pd.DataFrame) -> None:
    full = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units)
    cuts = [linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units, per_unit=False,
                              batch_size=size) for size in (13, 301)]
    for avg in cuts:
        assert list(avg["effect"].data_vars) == ["y_mean"]
        np.testing.assert_allclose(avg["effect"]["y_mean"], full["effect"]["y_mean"],
                                   rtol=1e-12, atol=1e-12)
        for stat in ("mean", "sd", "hdi_low", "hdi_high"):
            assert float(avg["summary"][stat]) == pytest.approx(float(full["summary"][stat]),
                                                                rel=1e-9, abs=1e-12)
    cut = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units, batch_size=13)
    assert _same(cut["effect"], full["effect"])  # the per-unit draws too, bitwise


def test_the_average_effect_runs_where_the_per_unit_one_does_not_fit(
        linear_fit, new_units: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    draws = linear_fit.posterior["posterior"].sizes
    n = draws["chain"] * draws["draw"]
    # room for 40 units of one node per draw, twice: a batch fits, every unit does not
    monkeypatch.setenv("DOCALC_MAX_VALUES", str(80 * n))
    with pytest.raises(dc.DocalcSizeError, match="per_unit=False"):
        linear_fit.effect("y", {"b": 1.0}, data=new_units)
    avg = linear_fit.effect("y", {"b": 1.0}, data=new_units, per_unit=False, batch_size=10)
    monkeypatch.delenv("DOCALC_MAX_VALUES")
    want = linear_fit.effect("y", {"b": 1.0}, data=new_units, per_unit=False)
    np.testing.assert_allclose(avg["effect"]["y_mean"], want["effect"]["y_mean"], rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10", True])
def test_a_bad_batch_size_is_refused(linear_fit, new_units: pd.DataFrame, bad: object) -> None:
    with pytest.raises(dc.DocalcError, match="batch_size must be a positive whole number"):
        linear_fit.predict({"b": 1.0}, data=new_units, batch_size=bad)  # type: ignore[arg-type]


def test_per_unit_must_be_true_or_false(linear_fit) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dc.DocalcError, match="per_unit must be True or False"):
        linear_fit.effect("y", {"b": 1.0}, per_unit="no")  # type: ignore[arg-type]


# -- docalc effect ----------------------------------------------------------------------------
def test_cli_effect_is_the_apis(linear_fit, new_units: pd.DataFrame, tmp_path,  # type: ignore[no-untyped-def]
                                capsys: pytest.CaptureFixture[str]) -> None:
    from docalc.cli import main

    linear_fit.posterior.to_netcdf(tmp_path / "p.nc")
    new_units.to_parquet(tmp_path / "new.parquet")
    model = str(EXAMPLES / "linear.scm")
    out = str(tmp_path / "e.nc")
    status = main(["effect", model, "--posterior", str(tmp_path / "p.nc"), "--data",
                   str(tmp_path / "new.parquet"), "--do", "b = 1", "--baseline", "b = 0",
                   "--batch-size", "64", "--per-unit", "--out", out, "--no-progress"])
    printed = capsys.readouterr().out.splitlines()
    assert status == 0
    assert printed[0] == f"# {model}: effect on y of do(b = 1) against do(b = 0), 301 units " \
                         f"of {tmp_path / 'new.parquet'}"
    assert printed[1].split() == ["query", "mean", "sd", "hdi_3%", "hdi_97%"]
    api = linear_fit.effect("y", "b = 1", "b = 0", data=new_units)
    assert printed[2].split()[0] == "y_effect"
    assert float(printed[2].split()[1]) == pytest.approx(float(api["summary"]["mean"]),
                                                         rel=1e-3)
    import xarray as xr

    with xr.open_datatree(out) as saved:
        np.testing.assert_array_equal(saved["effect"]["y"].to_numpy(),
                                      api["effect"]["y"].to_numpy())


def test_cli_effect_refuses_what_it_cannot_answer_and_writes_zarr(linear_fit, tmp_path,  # type: ignore[no-untyped-def]
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from docalc.cli import main

    linear_fit.posterior.to_netcdf(tmp_path / "p.nc")
    model = str(EXAMPLES / "linear.scm")
    base = ["effect", model, "--posterior", str(tmp_path / "p.nc"), "--do", "b = 1"]
    assert main([*base, "--per-unit"]) == 2
    assert "--per-unit needs --out FILE.zarr or FILE.nc" in capsys.readouterr().err
    assert main([*base, "--outcome", "nope"]) == 1
    assert "error: unknown outcome 'nope'" in capsys.readouterr().err
    out = str(tmp_path / "e.zarr")
    assert main([*base, "--per-unit", "--out", out, "--batch-size", "32", "--no-progress"]) == 0
    import xarray as xr

    stored = xr.open_datatree(out, engine="zarr", consolidated=False)
    np.testing.assert_array_equal(stored["effect"]["y"],
                                  linear_fit.effect("y", "b = 1")["effect"]["y"])


DEVICES = """
import json, os, sys
import numpy as np
import docalc as dc
from docalc.compiler.run.inference import TRACES
import jax
m = dc.load(sys.argv[1])
d = m.do(beta_ay=1.5, beta_by=0.7, beta_cy=0.3, sigma_y=0.2, beta_y0=0).simulate(n=40, seed=1)
fit = m.observe(d[["a", "b", "c", "y"]]).fit(chains=1, tune=50, draws=51, seed=2)
new = m.simulate(n=70, seed=5)[["a", "b", "c"]]
out = {"devices": len(jax.devices())}
for n in ("1", "2"):
    os.environ["DOCALC_FORWARD_DEVICES"] = n
    before = TRACES.get("forward", 0)
    p = fit.predict({"b": 1.0}, data=new)["predictions"]
    e = fit.effect("y", {"b": 1.0}, data=new, per_unit=False)["effect"]["y_mean"]
    out[n] = {"y": p["y"].values.ravel().tolist(), "avg": e.values.ravel().tolist(),
              "traced": TRACES.get("forward", 0) - before}
print(json.dumps(out))
"""


@pytest.mark.slow
def test_draws_spread_over_two_devices_give_one_devices_values() -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "DOCALC_JAX_DEVICES": "2"}
    out = subprocess.run([sys.executable, "-c", DEVICES, str(EXAMPLES / "linear.scm")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["devices"] == 2
    assert got["1"]["traced"] > 0 and got["2"]["traced"] > 0  # two programs ran
    assert got["1"]["y"] == got["2"]["y"]  # 51 draws (odd: one padded), bitwise
    assert got["1"]["avg"] == got["2"]["avg"]


# -- store=: chunked Zarr, read lazily ----------------------------------------------------------
def test_predictions_and_effects_go_to_a_zarr_store_batch_by_batch(
        linear_fit, new_units: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import zarr

    held = linear_fit.predict({"b": 1.0}, data=new_units)
    stored = linear_fit.predict({"b": 1.0}, data=new_units, batch_size=64,
                                store=str(tmp_path / "p.zarr"))
    assert stored.attrs["do"] == held.attrs["do"]
    assert not stored["predictions"]["y"].variable._in_memory  # read lazily
    assert _same(held["predictions"], stored["predictions"])
    assert zarr.open_array(str(tmp_path / "p.zarr" / "predictions" / "y")).chunks[-1] == 64
    full = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units)
    eff = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units, batch_size=96,
                            store=str(tmp_path / "e.zarr"))
    np.testing.assert_array_equal(eff["effect"]["y"], full["effect"]["y"])
    np.testing.assert_allclose(eff["effect"]["y_mean"], full["effect"]["y_mean"], rtol=1e-12)
    assert float(eff["summary"]["mean"]) == pytest.approx(float(full["summary"]["mean"]))
    assert eff.attrs["baseline"] == full.attrs["baseline"]


def test_a_store_without_zarr_names_the_extra(linear_fit, new_units: pd.DataFrame, tmp_path,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "zarr", None)  # as if it were not installed
    with pytest.raises(dc.DocalcExtraError, match=r'needs the optional package .zarr.') as err:
        linear_fit.predict({"b": 1.0}, data=new_units, store=str(tmp_path / "p.zarr"))
    assert 'pip install "docalc[scale]"' in str(err.value)


# -- a table read in row batches -----------------------------------------------------------------
def test_a_table_file_read_in_row_batches_gives_the_whole_tables_effect(
        linear_fit, new_units: pd.DataFrame, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from docalc import table_rows

    monkeypatch.setattr(table_rows, "READ_ROWS", 100)  # 301 rows: four row batches
    new_units.to_parquet(tmp_path / "new.parquet")
    new_units.to_csv(tmp_path / "new.csv", index=False)
    whole = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=new_units)
    for name in ("new.parquet", "new.csv"):
        rows = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=str(tmp_path / name),
                                 batch_size=64)
        np.testing.assert_array_equal(rows["effect"]["y"], whole["effect"]["y"])
        np.testing.assert_allclose(rows["effect"]["y_mean"], whole["effect"]["y_mean"],
                                   rtol=1e-6)  # CSV keeps 6 significant digits less or more
        assert rows.attrs["units"] == 301
    stored = linear_fit.effect("y", {"b": 1.0}, {"b": 0.0}, data=tmp_path / "new.parquet",
                               store=str(tmp_path / "e.zarr"))
    np.testing.assert_array_equal(stored["effect"]["y"], whole["effect"]["y"])
    assert stored["effect"]["i"].to_numpy().tolist() == list(range(301))


def test_a_bad_row_in_a_later_row_batch_is_named_by_its_row_in_the_file(
        linear_fit, new_units: pd.DataFrame, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from docalc import table_rows

    monkeypatch.setattr(table_rows, "READ_ROWS", 100)
    bad = new_units.copy()
    bad.loc[250, "a"] = np.nan
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(dc.DocalcDataError, match=r"\b250\b"):
        linear_fit.effect("y", {"b": 1.0}, data=str(tmp_path / "bad.csv"), per_unit=False)
    (tmp_path / "empty.csv").write_text("a,b,c\n")
    with pytest.raises(dc.DocalcFileError, match="empty"):
        linear_fit.effect("y", {"b": 1.0}, data=str(tmp_path / "empty.csv"), per_unit=False)


def test_predictions_of_a_table_file_read_in_row_batches(
        linear_fit, new_units: pd.DataFrame, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from docalc import table_rows

    monkeypatch.setattr(table_rows, "READ_ROWS", 128)  # 301 rows: three row batches
    new_units.to_parquet(tmp_path / "new.parquet")
    whole = linear_fit.predict({"b": 1.0}, data=new_units)["predictions"]
    held = linear_fit.predict({"b": 1.0}, data=str(tmp_path / "new.parquet"), batch_size=64)
    assert _same(whole, held["predictions"])
    stored = linear_fit.predict({"b": 1.0}, data=str(tmp_path / "new.parquet"),
                                store=str(tmp_path / "p.zarr"))
    assert _same(whole, stored["predictions"])
    assert stored["predictions"]["i"].to_numpy().tolist() == list(range(301))


def test_a_store_of_global_nodes_and_of_a_global_outcome(linear_fit, new_units: pd.DataFrame,  # type: ignore[no-untyped-def]
                                                         tmp_path) -> None:
    stored = linear_fit.predict({"beta_y0": 0.0}, data=new_units, var_names=["beta_y0"],
                                batch_size=32, store=str(tmp_path / "p.zarr"))
    assert stored["predictions"]["beta_y0"].dims == ("chain", "draw")
    glob = linear_fit.effect("beta_y0", {"beta_y0": 1.0}, store=str(tmp_path / "g.zarr"))
    held = linear_fit.effect("beta_y0", {"beta_y0": 1.0})
    np.testing.assert_array_equal(glob["effect"]["beta_y0"], held["effect"]["beta_y0"])
    assert (tmp_path / "g.zarr").is_dir()


def test_a_store_that_cannot_be_written_is_a_file_error(linear_fit, new_units: pd.DataFrame,  # type: ignore[no-untyped-def]
                                                        tmp_path) -> None:
    (tmp_path / "afile").write_text("")
    with pytest.raises(dc.DocalcFileError, match="cannot be written"):
        linear_fit.predict({"b": 1.0}, data=new_units, store=str(tmp_path / "afile" / "p.zarr"))
