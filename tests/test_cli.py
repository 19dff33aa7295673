"""The ``docalc`` command, driven as a user drives it: a subprocess in a scratch folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import docalc

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GEAR, GEAR_CSV = EXAMPLES / "gear.scm", EXAMPLES / "gear.csv"
LINEAR = EXAMPLES / "linear.scm"
GEAR_QUERIES = ("great_if_fancy", "great_if_cheap", "gear_effect")
# small enough to keep the file quick; the same settings everywhere so that the sampler
# compiled once (and cached on disk by docalc) serves every fit
SMALL = ("--chains", "2", "--tune", "200", "--draws", "200", "--seed", "0")
SMALL_KW = {"chains": 2, "tune": 200, "draws": 200, "seed": 0}

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")


def docalc_cli(*args: object, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "docalc", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


def table(stdout: str) -> dict[str, dict[str, float]]:
    """Parse the query table: {query: {mean, sd, lo, hi}}."""
    rows = [ln.split() for ln in stdout.splitlines() if ln and not ln.startswith("#")]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["query", "mean", "sd"]
    return {r[0]: dict(zip(("mean", "sd", "lo", "hi"), map(float, r[1:]), strict=True))
            for r in body}


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


# -- check --------------------------------------------------------------------------------
def test_check_every_example(tmp_path: Path) -> None:
    files = sorted(EXAMPLES.glob("*.scm"))
    proc = docalc_cli("check", *files, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for f in files:
        assert f"{f}: ok" in proc.stdout


def test_check_bad_file_points_at_the_error(tmp_path: Path) -> None:
    (tmp_path / "bad.scm").write_text("x ~ Normal(0, 1)\ny ~ Nromal(x, 1)\n")
    proc = docalc_cli("check", "bad.scm", cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("bad.scm:2:5: error:"), proc.stderr
    assert "y ~ Nromal(x, 1)" in lines[1]
    assert lines[2].strip().startswith("^")
    assert "Normal" in proc.stderr  # the "did you mean"


def test_missing_model_file(tmp_path: Path) -> None:
    proc = docalc_cli("check", "nope.scm", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "nope.scm: error: no such file"


def test_bad_do_is_a_model_error(tmp_path: Path) -> None:
    proc = docalc_cli("check", LINEAR, "--do", "q = 0", cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "error: do() names undefined variable 'q'" in proc.stderr


# -- usage ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    (),
    ("frobnicate", "x.scm"),
    ("fit", str(GEAR)),                                   # --data is required
    ("fit", str(GEAR), "--data", str(GEAR_CSV), "--chains", "0"),
    ("simulate", str(LINEAR), "--n", "many"),
    ("fit", str(GEAR), "--data", str(GEAR_CSV), "--method", "hmc"),
    ("simulate", str(LINEAR), "--n", "3", "--seed", "-1"),
    ("simulate", str(LINEAR), "--n", "3", "--seed", str(2**32)),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = docalc_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "usage: docalc" in proc.stderr


@pytest.mark.parametrize(("out", "expect"), [
    ("posterior.csv", "is not a name for a netCDF posterior"),
    ("no/such/folder/posterior.nc", "cannot be written: no folder"),
])
def test_fit_output_is_checked_before_sampling(tmp_path: Path, out: str, expect: str) -> None:
    proc = docalc_cli("fit", GEAR, "--data", GEAR_CSV, "-o", out, *SMALL, cwd=tmp_path)
    assert proc.returncode == 1
    assert f"{out}: error: {expect}" in proc.stderr
    assert "NUTS" not in proc.stderr and proc.stdout == ""  # refused before any sampling
    no_traceback(proc)


def test_help_for_every_command(tmp_path: Path) -> None:
    for cmd in ("check", "graph", "simulate", "fit", "query"):
        proc = docalc_cli(cmd, "--help", cwd=tmp_path)
        assert proc.returncode == 0
        assert f"usage: docalc {cmd}" in proc.stdout


# -- graph ------------------------------------------------------------------------------------
@needs_dot
def test_graph_svg_with_do(tmp_path: Path) -> None:
    proc = docalc_cli("graph", LINEAR, "--do", "b = 0", "-o", "g.svg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    svg = (tmp_path / "g.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for name in ("beta_ay", "sigma_y", "y_mu", ">a<", ">b<", ">c<", ">y<"):
        assert name in svg, name
    assert "do(b = 0)" in svg


@needs_dot
def test_graph_png_and_dot(tmp_path: Path) -> None:
    proc = docalc_cli("graph", GEAR, "-o", "g.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    proc = docalc_cli("graph", GEAR, "-o", "g.dot", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph") and "talent" in dot
    assert "cluster_legend" not in dot  # no data: plain structure, nothing marked
    # Talent not measured: gear and sound filled (observed), talent a dashed marginalized
    # latent, the parameters unfilled latents; a legend says so
    pd.read_csv(GEAR_CSV)[["gear", "sound"]].to_csv(tmp_path / "d.csv", index=False)
    proc = docalc_cli("graph", GEAR, "--data", "d.csv", "--do", "talent = 1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # each node's attribute list (labels hold line breaks: read up to the closing bracket)
    lines = dict(re.findall(r'^\s*"?([\w.]+)"? \[([^\]]*)\]', proc.stdout, re.M))
    assert "style=dashed" in lines["factual.talent"] and "marginalized" in lines["factual.talent"]
    assert 'fillcolor="#bfbfbf"' in lines["factual.gear"] and "style=filled" in lines["do.sound"]
    assert "style" not in lines["factual.p_talent"] and "latent" in lines["factual.p_talent"]
    # under do(talent = 1) the latent is fixed, no longer marginalized
    assert "do(talent = 1)" in lines["do.talent"] and "dashed" not in lines["do.talent"]
    assert "cluster_legend" in proc.stdout
    proc = docalc_cli("graph", GEAR, "--data", "d.csv", "-o", "marks.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "marks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_unknown_suffix_is_an_error(tmp_path: Path) -> None:
    proc = docalc_cli("graph", GEAR, "-o", "g.xyz", cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "g.xyz" in proc.stderr


# -- simulate ---------------------------------------------------------------------------------
def test_simulate_csv_is_reproducible(tmp_path: Path) -> None:
    do = "beta_ay = 1.5, beta_by = 0.7, beta_cy = 0.3, sigma_y = 0.2, beta_y0 = 0"
    for out in ("one.csv", "two.csv"):
        proc = docalc_cli("simulate", LINEAR, "--n", 50, "--do", do, "--seed", 1, "-o", out,
                          "--deterministic", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    one = pd.read_csv(tmp_path / "one.csv")
    assert list(one.columns) == ["a", "b", "c", "y_mu", "y"]
    assert len(one) == 50
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    # the intervention reached the data: y_mu is exactly 1.5 a + 0.7 b + 0.3 c
    expect = 1.5 * one.a + 0.7 * one.b + 0.3 * one.c
    assert (one.y_mu - expect).abs().max() < 1e-4
    # the same run through the Python API gives the same table
    api = docalc.load(LINEAR).do(do).simulate(n=50, seed=1)
    pd.testing.assert_frame_equal(one, api.reset_index(drop=True), check_dtype=False,
                                  rtol=1e-6)


def test_simulate_to_stdout_and_parquet(tmp_path: Path) -> None:
    # by default the deterministic y_mu is left out: the output is ready for `docalc fit`
    proc = docalc_cli("simulate", LINEAR, "--n", 3, "--seed", 2, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "a,b,c,y" and len(lines) == 4
    pytest.importorskip("pyarrow")
    proc = docalc_cli("simulate", LINEAR, "--n", 3, "--seed", 2, "-o", "d.parquet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert pd.read_parquet(tmp_path / "d.parquet").shape == (3, 4)


def test_simulate_without_size_is_a_model_error(tmp_path: Path) -> None:
    proc = docalc_cli("simulate", LINEAR, cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "no size" in proc.stderr


# -- bad data ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("model", "csv", "expect"), [
    ("aimz.scm", "c,z,y\n1,1.5,1\n", "x"),                          # missing `data x`
    ("gear.scm", "talent,gear,sound\n1,1,1\n,0,1\n", "talent"),   # NaN
    ("gear.scm", "talent,gear,sound\n1,yes,1\n0,no,1\n", "gear"),  # not numbers
])
def test_bad_data_names_the_column(tmp_path: Path, model: str, csv: str, expect: str) -> None:
    (tmp_path / "bad.csv").write_text(csv)
    proc = docalc_cli("fit", EXAMPLES / model, "--data", "bad.csv", *SMALL, cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.startswith("bad.csv: error:"), proc.stderr
    assert f"{expect}" in proc.stderr.splitlines()[0]


@pytest.mark.parametrize(("content", "expect"), [
    (None, "no such file"),
    ("", "empty"),
    ("a,b\n1,2\n3,4,5,6,7\n", "cannot be read"),
])
def test_unreadable_data_file(tmp_path: Path, content: str | None, expect: str) -> None:
    if content is not None:
        (tmp_path / "d.csv").write_text(content)
    proc = docalc_cli("query", GEAR, "--data", "d.csv", cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.startswith("d.csv: error:") and expect in proc.stderr


# -- fit and query ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gear_api() -> docalc.Fit:
    with warnings.catch_warnings():
        # a 2 x 200 fit of 16 rows may warn about R-hat; the numbers are what is compared
        warnings.simplefilter("ignore", docalc.DocalcWarning)
        return docalc.load(GEAR).observe(pd.read_csv(GEAR_CSV)).fit(**SMALL_KW)


@pytest.fixture(scope="module")
def gear_posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("fit")
    proc = docalc_cli("fit", GEAR, "--data", GEAR_CSV, *SMALL, "-o", "post.nc", cwd=where)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    assert "s_gear" in proc.stdout  # the summary table
    return where / "post.nc"


@pytest.mark.slow
@pytest.mark.oldest
def test_fit_writes_a_posterior_xarray_reads(gear_posterior: Path, gear_api: docalc.Fit) -> None:
    import xarray as xr

    with xr.open_datatree(gear_posterior) as tree:
        post = tree["posterior"].to_dataset().load()
        assert {"observed_data", "sample_stats"} <= set(tree.children)
    api = gear_api.posterior["posterior"].to_dataset()
    assert set(post.data_vars) == set(api.data_vars)
    assert dict(post.sizes) == {"chain": 2, "draw": 200}
    for name in api.data_vars:
        assert post[name].values == pytest.approx(api[name].values, rel=1e-5, abs=1e-6)


@pytest.mark.slow
@pytest.mark.oldest
def test_query_posterior_matches_the_api(gear_posterior: Path, gear_api: docalc.Fit,
                                         tmp_path: Path) -> None:
    from docalc.cli import summarize

    proc = docalc_cli("query", GEAR, "--posterior", gear_posterior, "--seed", 3, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = table(proc.stdout)
    assert set(got) == set(GEAR_QUERIES)
    for name in GEAR_QUERIES:
        want = summarize(gear_api.query(name, seed=3).values)
        assert got[name]["mean"] == pytest.approx(want["mean"], rel=1e-3, abs=1e-4)
        assert got[name]["sd"] == pytest.approx(want["sd"], rel=1e-3, abs=1e-4)
        assert got[name]["lo"] == pytest.approx(want["hdi_low"], rel=1e-3, abs=1e-4)
        assert got[name]["hi"] == pytest.approx(want["hdi_high"], rel=1e-3, abs=1e-4)
    # the same data given explicitly changes nothing
    proc2 = docalc_cli("query", GEAR, "--posterior", gear_posterior, "--data", GEAR_CSV,
                       "--seed", 3, cwd=tmp_path)
    assert proc2.returncode == 0, proc2.stderr
    assert table(proc2.stdout) == got


@pytest.mark.slow
def test_query_with_data_fits_and_prints_every_query(gear_api: docalc.Fit,
                                                     tmp_path: Path) -> None:
    proc = docalc_cli("query", GEAR, "--data", GEAR_CSV, *SMALL, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    got = table(proc.stdout)
    assert list(got) == list(GEAR_QUERIES)
    effect = gear_api.query("gear_effect", seed=0).values.mean()
    assert got["gear_effect"]["mean"] == pytest.approx(effect, rel=1e-3, abs=1e-4)
    for row in got.values():
        assert row["lo"] <= row["mean"] <= row["hi"]


@pytest.mark.slow
def test_posterior_of_another_model_is_refused(gear_posterior: Path, tmp_path: Path) -> None:
    proc = docalc_cli("query", LINEAR, "--posterior", gear_posterior, cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert "another model" in proc.stderr


def test_query_under_the_prior_tells_seeing_from_doing(tmp_path: Path) -> None:
    # forum model 2: y causes x, so E[y | x = 3] = 4 but E[y | do(x = 3)] = 1
    proc = docalc_cli("query", EXAMPLES / "forum2.scm", "--draws", 4000, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = table(proc.stdout)
    assert got["done"]["mean"] == pytest.approx(1.0, abs=0.15)
    assert got["seen"]["mean"] == pytest.approx(4.0, abs=0.3)


def test_the_cli_hdi_is_arviz_stats_hdi() -> None:
    import arviz_stats as azs

    from docalc.cli import summarize

    rng = np.random.default_rng(0)
    for x in (rng.normal(size=4000), rng.gamma(2.0, size=1001), rng.integers(0, 16, 500) / 16):
        got = summarize(x)
        lo, hi = np.asarray(azs.hdi(x, prob=0.94))
        assert (got["hdi_low"], got["hdi_high"]) == (float(lo), float(hi))
        assert got["mean"] == pytest.approx(x.mean()) and got["sd"] == pytest.approx(x.std(ddof=1))


# -- bad input at run time: sizes, outputs, data that would mislead (issue 12) ----------------
def test_a_run_too_large_is_refused_not_aborted(tmp_path: Path) -> None:
    proc = docalc_cli("simulate", LINEAR, "--n", 10**12, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    no_traceback(proc)
    assert proc.stderr.startswith("error: simulate(n=1000000000000) would hold "
                                  "5,000,000,000,005 values"), proc.stderr
    assert "DOCALC_MAX_VALUES" in proc.stderr


def test_outputs_that_cannot_be_written_name_the_path(tmp_path: Path) -> None:
    (tmp_path / "full.csv").symlink_to("/dev/full")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder.nc").mkdir()
    for args, expect in [
        (("simulate", LINEAR, "--n", 5000, "-o", "full.csv"),
         "full.csv: error: cannot be written: No space left on device"),
        (("simulate", LINEAR, "--n", 5, "-o", "folder.csv"),
         "folder.csv: error: is a directory, not a file to write a table to"),
        (("fit", GEAR, "--data", GEAR_CSV, "-o", "folder.nc", *SMALL),
         "folder.nc: error: is a directory"),
    ]:
        proc = docalc_cli(*args, cwd=tmp_path)
        assert proc.returncode == 1, (args, proc.stderr)
        no_traceback(proc)
        assert proc.stderr.startswith(expect), proc.stderr
        assert "NUTS" not in proc.stderr and proc.stdout == ""


def test_a_full_standard_output_is_an_error(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "docalc", "simulate", str(LINEAR), "--n",
                               "3000"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=300, check=False)
    assert proc.returncode == 1
    assert proc.stderr == "<stdout>: error: cannot be written: No space left on device\n"


def test_check_data_tells_which_nodes_are_inferred(tmp_path: Path) -> None:
    # a header written `talent, gear, sonud`: spaces, and a misspelt column
    (tmp_path / "d.csv").write_text("talent, gear, sonud\n1,1,1\n0,0,1\n")
    proc = docalc_cli("check", GEAR, "--data", "d.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok (10 nodes, 1 plate, 3 queries); inferred per unit, "
                                        "not observed: sound")
    assert "read ' gear' as 'gear'" in proc.stderr
    assert "' sonud' (did you mean 'sound'?)" in proc.stderr
    assert "warning: no data column for 'sound': inferred per unit" in proc.stderr


def test_data_files_past_the_size_limit_are_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.csv").symlink_to("/dev/zero")  # a device: no size, no end
    shutil.copy(GEAR_CSV, tmp_path / "g.csv")
    env = {**os.environ, "DOCALC_MAX_FILE_BYTES": "100"}
    for name in ("zero.csv", "g.csv"):
        proc = subprocess.run([sys.executable, "-m", "docalc", "check", str(GEAR), "--data",
                               name], cwd=tmp_path, capture_output=True, text=True, env=env,
                              timeout=120, check=False)
        assert proc.returncode == 1
        assert proc.stderr.startswith(f"{name}: error: is too large to read: more than 100 "
                                      "bytes"), proc.stderr


@pytest.mark.slow
def test_query_with_other_data_than_the_posterior_is_refused(gear_posterior: Path,
                                                             tmp_path: Path) -> None:
    other = pd.read_csv(GEAR_CSV)
    other.loc[[2, 5], "sound"] = 1 - other.loc[[2, 5], "sound"]
    other.to_csv(tmp_path / "other.csv", index=False)
    proc = docalc_cli("query", GEAR, "--posterior", gear_posterior, "--data", "other.csv",
                      cwd=tmp_path)
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.startswith(f"{gear_posterior}: error: the data are not the data the "
                                  "posterior was fitted to: column 'sound' differs in rows 2, "
                                  "5"), proc.stderr
    fewer = pd.read_csv(GEAR_CSV)[["talent", "gear"]]
    fewer.to_csv(tmp_path / "fewer.csv", index=False)
    proc = docalc_cli("query", GEAR, "--posterior", gear_posterior, "--data", "fewer.csv",
                      cwd=tmp_path)
    assert proc.returncode == 1
    assert "column(s) 'sound' of the fit are missing" in proc.stderr, proc.stderr
