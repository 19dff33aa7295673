"""Fresh-process refit of the tutorial model: docalc against PyMC, in one paired run.

Both read the same CSV and do the same steps (import, build the model, observe, NUTS with
4 chains x 1000 + 1000, summary): docalc with bench/refit_docalc.py, refitting an unchanged
structure (its exported sampler and JAX's persistent cache are warm after a first, untimed
run); PyMC with bench/pymc_refit.py from its own virtual environment (PyTensor's cache warm
the same way). Runs alternate, a new seed each pair; the figures are seconds from process
spawn to the posterior (end of fit) and to the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str]) -> dict[str, float]:
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    marks: dict[str, float] = json.loads(line.removeprefix("BENCH_JSON "))["marks"]
    return marks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pymc-python", default="/tmp/pymc-venv/bin/python")
    args = ap.parse_args()
    import docalc as dc

    data = Path(tempfile.mkdtemp()) / "linear.csv"
    model = dc.load(ROOT / "examples/linear.scm")
    model.do(beta_ay=1.5, beta_by=0.7, beta_cy=0.3, sigma_y=0.2, beta_y0=0).simulate(
        n=100, seed=1).to_csv(data, index=False)
    docalc_cmd = [sys.executable, "bench/refit_docalc.py", "examples/linear.scm", str(data)]
    pymc_cmd = [args.pymc_python, "bench/pymc_refit.py", str(data)]
    run([*docalc_cmd, "0"])  # export the sampler, fill the caches
    run([*pymc_cmd, "0"])
    rows: dict[str, list[dict[str, float]]] = {"docalc": [], "pymc": []}
    for k in range(args.reps):
        order = [("docalc", [*docalc_cmd, str(k + 1)]), ("pymc", [*pymc_cmd, str(k + 1)])]
        for tool, cmd in order if k % 2 == 0 else order[::-1]:
            rows[tool].append(run(cmd))
    for stage in ("fit", "summary"):
        d = [r[stage] for r in rows["docalc"]]
        p = [r[stage] for r in rows["pymc"]]
        ratios = [a / b for a, b in zip(d, p, strict=True)]
        print(f"spawn to {stage:8s} docalc {statistics.median(d):5.2f} s  PyMC "
              f"{statistics.median(p):5.2f} s  ratio (median of pairs) "
              f"{statistics.median(ratios):.2f}   docalc runs {[round(x, 2) for x in d]}")


if __name__ == "__main__":
    main()
