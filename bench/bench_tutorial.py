"""The PyMC do-operator tutorial workflow end to end, each run in a fresh process.

Three implementations, each a script in bench/ that prints stage times (seconds since the
parent spawned it, so interpreter start-up is included):

  docalc   bench/tutorial_docalc.py   (this interpreter; persistent JAX cache and exported
                                       samplers under ~/.cache/docalc unless DOCALC_CACHE_DIR)
  pymc     bench/pymc_tutorial.py     (PyMC's own venv, --pymc-python; compile cache ~/.pytensor)
  numpyro  bench/tutorial_numpyro.py  (this interpreter; JAX persistent cache in
                                       ~/.cache/docalc-bench/numpyro-jax)

Each tool runs twice in a row (the second run finds warm caches); tools alternate, and
the order reverses every round. Figures: time to posterior (process spawn to summary),
each what-if, and the whole workflow; ratios docalc/PyMC and docalc/NumPyro from the
warm runs. --cold gives every pair fresh, empty cache folders (first run truly cold).

Usage: python bench/bench_tutorial.py [--rounds 1] [--pymc-python /tmp/pymc-venv/bin/python]
       [--tools docalc,pymc,numpyro] [--cold] [--json out.json]
One paired run; this machine is noisy. Never assert on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {"docalc": HERE / "tutorial_docalc.py", "pymc": HERE / "pymc_tutorial.py",
           "numpyro": HERE / "tutorial_numpyro.py"}
STAGES = ("import", "load", "simulate", "observe", "fit", "summary", "whatif_b0", "whatif_5b")


def run_once(tool: str, python: str, env_extra: dict[str, str]) -> dict:
    env = {**os.environ, **env_extra}
    env["BENCH_T0"] = repr(time.time())
    t = time.perf_counter()
    proc = subprocess.run([python, str(SCRIPTS[tool])], env=env, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - t
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode or line is None:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"{tool} failed (rc {proc.returncode})")
    out = json.loads(line[len("BENCH_JSON "):])
    m = out["marks"]
    out["wall"] = wall
    out["to_posterior"] = m["summary"]
    out["whatif_b0_s"] = m["whatif_b0"] - m["summary"]
    out["whatif_5b_s"] = m["whatif_5b"] - m["whatif_b0"]
    out["workflow"] = m["whatif_5b"]
    prev = 0.0
    out["stage_s"] = {}
    for s in ("import", "load", "jax_import", *STAGES[2:]):
        if s in m:
            out["stage_s"][s] = m[s] - prev
            prev = m[s]
    return out


def cache_env(tool: str, root: Path | None) -> dict[str, str]:
    if root is None:
        return {}
    if tool == "docalc":
        return {"DOCALC_CACHE_DIR": str(root / "docalc")}
    if tool == "pymc":
        return {"PYTENSOR_FLAGS": f"compiledir={root / 'pytensor'}"}
    return {"BENCH_NUMPYRO_CACHE": str(root / "numpyro")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--pymc-python", default="/tmp/pymc-venv/bin/python")
    ap.add_argument("--tools", default="docalc,pymc,numpyro")
    ap.add_argument("--cold", action="store_true",
                    help="fresh empty cache folders for every pair of runs")
    ap.add_argument("--profile-jax", action="store_true",
                    help="docalc: sum JAX trace/lower/compile/cache durations per stage")
    ap.add_argument("--json", type=Path, default=None)
    opts = ap.parse_args()
    tools = opts.tools.split(",")
    pythons = {"docalc": sys.executable, "numpyro": sys.executable, "pymc": opts.pymc_python}

    runs: dict[str, list[dict]] = {t: [] for t in tools}
    for r in range(opts.rounds):
        order = tools if r % 2 == 0 else tools[::-1]
        for tool in order:
            tmp = Path(tempfile.mkdtemp(prefix="docalc-bench-")) if opts.cold else None
            env = cache_env(tool, tmp)
            if opts.profile_jax and tool == "docalc":
                env["BENCH_PROFILE_JAX"] = "1"
            for k in range(2):  # first run fills caches, second finds them warm
                out = run_once(tool, pythons[tool], env)
                out["warm"] = k == 1
                runs[tool].append(out)
                print(f"round {r} {tool} {'warm' if k else 'first'}: to posterior "
                      f"{out['to_posterior']:.2f}s, what-ifs {out['whatif_b0_s']:.2f}s + "
                      f"{out['whatif_5b_s']:.2f}s, workflow {out['workflow']:.2f}s  "
                      f"stages {({s: round(v, 2) for s, v in out['stage_s'].items()})}",
                      flush=True)
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)

    def med(tool: str, field: str, warm: bool = True) -> float:
        return statistics.median(o[field] for o in runs[tool] if o["warm"] == warm)

    fields = ("to_posterior", "whatif_b0_s", "whatif_5b_s", "workflow")
    summary = {t: {f: med(t, f) for f in fields} for t in tools}
    first = {t: {f: med(t, f, warm=False) for f in fields} for t in tools}
    ratios = {}
    for other in ("pymc", "numpyro"):
        if "docalc" in tools and other in tools:
            ratios[f"docalc/{other}"] = {f: summary["docalc"][f] / summary[other][f]
                                         for f in fields}
    result = {"warm_median_s": summary, "first_run_median_s": first, "ratios_warm": ratios,
              "cold": opts.cold, "runs": runs}
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
