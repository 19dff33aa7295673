"""What docalc keeps between runs: the parser's tables and exported NUTS samplers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, XLA_CACHE

# a fresh process: caches are read from disk, nothing is left over from this one
PARSE = ("import sys; from docalc.dsl.frontend import check_file; "
         "print(check_file(sys.argv[1]).pretty())")


def _run(code: str, *args: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env={**os.environ, **env}, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_parser_tables_are_cached_and_a_bad_file_is_rebuilt(tmp_path: Path) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path)}
    first = _run(PARSE, str(EXAMPLES / "forum1.scm"), env=env)
    tables = list((tmp_path / "parser").glob("start-*.lark"))
    assert len(tables) == 1
    assert _run(PARSE, str(EXAMPLES / "forum1.scm"), env=env) == first  # read from the file
    tables[0].write_bytes(b"not a parser")
    assert _run(PARSE, str(EXAMPLES / "forum1.scm"), env=env) == first  # rebuilt
    assert tables[0].read_bytes() != b"not a parser"


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path / "c"), "DOCALC_NO_CACHE": "1"}
    _run(PARSE, str(EXAMPLES / "forum1.scm"), env=env)
    assert not (tmp_path / "c").exists()


REFIT = """
import json, sys
import pandas as pd
import docalc
from docalc.compiler.run.inference import TRACES
m = docalc.load(sys.argv[1])
data = m.do(beta_ay=1.5, beta_by=0.7, beta_cy=0.3, sigma_y=0.2, beta_y0=0).simulate(n=60, seed=4)
fit = m.observe(data[["a", "b", "c", "y"]]).fit(seed=3, chains=2, tune=150, draws=150)
print(json.dumps({"traces": TRACES.get("nuts", 0),
                  "beta_by": fit.posterior["posterior"]["beta_by"].values.ravel().tolist()}))
"""


@pytest.mark.slow
@pytest.mark.oldest
def test_refit_in_a_fresh_process_loads_the_exported_sampler(tmp_path: Path) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path), **XLA_CACHE}
    first = json.loads(_run(REFIT, str(EXAMPLES / "linear.scm"), env=env))
    assert first["traces"] == 1
    assert len(list((tmp_path / "exported").glob("*.jaxexport"))) == 1
    again = json.loads(_run(REFIT, str(EXAMPLES / "linear.scm"), env=env))
    assert again["traces"] == 0  # not traced: the sampler came from the exported file
    assert again["beta_by"] == first["beta_by"]  # bitwise the same posterior
    assert abs(sum(again["beta_by"]) / len(again["beta_by"]) - 0.7) < 0.15


# two models that differ only in the order of two independent nodes; the do() makes a read
# b, so both evaluate b before a, but each node keeps its own random stream (its index)
SWAPPED = ("a ~ Normal(0, 1)\nb ~ Normal(0, 1)\ny ~ Normal(a + b, 1)",
           "b ~ Normal(0, 1)\na ~ Normal(0, 1)\ny ~ Normal(a + b, 1)")
PRIOR = """
import json, sys
import docalc
out = {}
for text in sys.argv[1:]:
    p = docalc.compile(text).do("a = b + 1").sample_prior(draws=4, seed=0)["prior"]
    out = {k: p[k].values.ravel().tolist() for k in ("a", "b", "y")}
print(json.dumps(out))
"""


def test_swapped_independent_nodes_do_not_share_compiled_functions(tmp_path: Path) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path)}
    alone = json.loads(_run(PRIOR, SWAPPED[1], env=env))
    after_the_other = json.loads(_run(PRIOR, SWAPPED[0], SWAPPED[1], env=env))
    assert after_the_other == alone  # bitwise, whatever ran before in the process
    first = json.loads(_run(PRIOR, SWAPPED[0], env=env))
    assert first["b"] != alone["b"]  # b has another stream in the other model: not a no-op


def test_plan_keys_name_every_steps_random_stream() -> None:
    import docalc
    from docalc.compiler.plan.run_plan import forward_plan

    plans = [forward_plan(docalc.compile(t).do("a = b + 1").checked, {}, ()) for t in SWAPPED]
    assert [s.name for s in plans[0].steps] == [s.name for s in plans[1].steps]
    assert plans[0].key != plans[1].key


def _package_copy(dest: Path) -> Path:
    """Lay the sources out as the installed package is: docalc/{dsl,compiler,widgets}."""
    import shutil

    site = dest / "site"
    shutil.copytree(ROOT / "docalc", site / "docalc", ignore=shutil.ignore_patterns("__pycache__"))
    for layer in ("dsl", "compiler", "widgets"):
        shutil.copytree(ROOT / layer, site / "docalc" / layer,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return site


@pytest.mark.slow
def test_an_edited_lowering_misses_the_exported_sampler_cache(tmp_path: Path) -> None:
    site = _package_copy(tmp_path)
    env = {"DOCALC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(site), **XLA_CACHE}
    model = str(EXAMPLES / "linear.scm")

    def refit() -> dict[str, object]:
        out = subprocess.run([sys.executable, "-c", REFIT, model], capture_output=True,
                             text=True, env={**os.environ, **env}, cwd=tmp_path, timeout=600)
        assert out.returncode == 0, out.stderr
        return dict(json.loads(out.stdout))

    assert refit()["traces"] == 1
    assert refit()["traces"] == 0  # unchanged code: the exported sampler is used
    engine = site / "docalc" / "compiler" / "lower" / "lowering.py"
    engine.write_text(engine.read_text() + "\n# an edit of the lowering\n")
    assert refit()["traces"] == 1  # edited code: a miss, traced anew
    assert len(list((tmp_path / "cache" / "exported").glob("*.jaxexport"))) == 2


def test_the_export_key_names_docalcs_version_and_code() -> None:
    from docalc.compiler.run import exported

    stamp = exported.code_stamp()
    assert stamp.startswith("docalc ") and " code " in stamp
    assert exported.fingerprint([ROOT / "dsl", ROOT / "compiler"]) in stamp
