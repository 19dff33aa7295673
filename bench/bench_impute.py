"""Missing values: docalc's missing="impute" against PyMC's automatic imputation, paired.

The model of bench/impute_common.py (x ~ Normal, y ~ Normal(alpha + beta * x), 200 units,
about 10% of each column NaN), NUTS 4 chains x 1000 + 1000 on both sides, each run a fresh
process (docalc: bench/impute_docalc.py; PyMC: bench/pymc_impute.py in its own virtual
environment), after one untimed run each that fills the caches (docalc's exported sampler
and JAX's cache; PyTensor's). Runs alternate, a new seed each pair.

Prints, for the globals and every imputed cell, the difference of the posterior means
over its Monte Carlo standard error (batch means on both sides): within Monte Carlo
error, |z| stays below about 3.5 for all cells together; and the times from process spawn
to the posterior, with the ratio (median of pairs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def run(cmd: list[str]) -> dict:
    env = {**os.environ, "BENCH_T0": repr(time.time()),
           "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT),
                                          os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE, check=False)
    if out.returncode:
        raise SystemExit(f"{cmd} failed:\n{out.stderr[-3000:]}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    result: dict = json.loads(line.removeprefix("BENCH_JSON "))
    return result


def agreement(a: dict, b: dict) -> dict[str, tuple[float, float, float]]:
    """Per variable: the largest |z|, and the largest relative difference of the sds."""
    out = {}
    for k in a:
        (m1, s1, e1), (m2, s2, e2) = (np.asarray(v) for v in a[k]), (np.asarray(v) for v in b[k])
        z = np.abs(m1 - m2) / np.sqrt(e1**2 + e2**2)
        out[k] = (float(z.max()), float(np.max(np.abs(s1 / s2 - 1))), float(len(m1)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pymc-python", default="/tmp/pymc-venv/bin/python")
    ap.add_argument("--no-warm", action="store_true",
                    help="skip the untimed first runs (caches already warm)")
    args = ap.parse_args()
    docalc_cmd = [sys.executable, "impute_docalc.py"]
    pymc_cmd = [args.pymc_python, "pymc_impute.py"]
    if not args.no_warm:
        run([*docalc_cmd, "0"])  # export the sampler, fill the caches
        run([*pymc_cmd, "0"])
    rows: dict[str, list[dict]] = {"docalc": [], "pymc": []}
    for k in range(args.reps):
        order = [("docalc", [*docalc_cmd, str(k + 1)]), ("pymc", [*pymc_cmd, str(k + 1)])]
        for tool, cmd in order if k % 2 == 0 else order[::-1]:
            rows[tool].append(run(cmd))
            print(f"{tool} rep {k + 1}: spawn to fit {rows[tool][-1]['marks']['fit']:.2f} s",
                  flush=True)
    print("posterior agreement, each pair (max |z| of the means; max relative sd difference):")
    for d, p in zip(rows["docalc"], rows["pymc"], strict=True):
        agree = agreement(d["moments"], p["moments"])
        print("  " + "  ".join(f"{k}[{int(n)}] z {z:.2f} sd {s:.1%}"
                               for k, (z, s, n) in agree.items()))
    for stage in ("fit",):
        d = [r["marks"][stage] for r in rows["docalc"]]
        p = [r["marks"][stage] for r in rows["pymc"]]
        ratios = [a / b for a, b in zip(d, p, strict=True)]
        print(f"spawn to {stage}: docalc {statistics.median(d):5.2f} s  PyMC "
              f"{statistics.median(p):5.2f} s  ratio (median of pairs) "
              f"{statistics.median(ratios):.2f}   docalc {[round(x, 2) for x in d]}  "
              f"PyMC {[round(x, 2) for x in p]}")


if __name__ == "__main__":
    main()
