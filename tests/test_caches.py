"""What docalc keeps between runs: the parser's tables and exported NUTS samplers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

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
from docalc.compiler.inference import TRACES
m = docalc.load(sys.argv[1])
data = m.do(beta_ay=1.5, beta_by=0.7, beta_cy=0.3, sigma_y=0.2, beta_y0=0).simulate(n=60, seed=4)
fit = m.observe(data[["a", "b", "c", "y"]]).fit(seed=3, chains=2, tune=150, draws=150)
print(json.dumps({"traces": TRACES.get("nuts", 0),
                  "beta_by": fit.posterior["posterior"]["beta_by"].values.ravel().tolist()}))
"""


@pytest.mark.slow
def test_refit_in_a_fresh_process_loads_the_exported_sampler(tmp_path: Path) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path)}
    first = json.loads(_run(REFIT, str(EXAMPLES / "linear.scm"), env=env))
    assert first["traces"] == 1
    assert len(list((tmp_path / "exported").glob("*.jaxexport"))) == 1
    again = json.loads(_run(REFIT, str(EXAMPLES / "linear.scm"), env=env))
    assert again["traces"] == 0  # not traced: the sampler came from the exported file
    assert again["beta_by"] == first["beta_by"]  # bitwise the same posterior
    assert abs(sum(again["beta_by"]) / len(again["beta_by"]) - 0.7) < 0.15
