"""Time and peak memory of the average effect on new units, by number of units.

The tutorial's linear model (examples/linear.scm) is fitted once (4 chains x 250 draws =
1,000 posterior draws, saved to a netCDF file); then, for each number of units, a fresh
process reads the posterior, makes that many new units (a, b, c standard normal, float32
in pandas) and runs ``fit.effect("y", {"b": 1}, {"b": 0}, data=new, per_unit=False)``
once to compile (one batch, 8,192 units) and once timed. It reports the timed run's wall
time, the process's peak RSS (``ru_maxrss``, also after the compile run) and the memory of
the table itself; with ``--per-unit`` also the per-unit call (``per_unit=True``) up to 10^5
units (its output is draws x units). Growth exponents are
the slopes of log time and log peak RSS against log units.

With ``--devices`` each size runs on one device (``DOCALC_FORWARD_DEVICES=1``) and then on
all (one per core), side by side.

Usage: python bench/bench_effects.py [--units 10000 100000 1000000] [--per-unit]
                                     [--devices] [--json out.json]
Report figures from one run; this machine is noisy. Never assert on timings.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
import docalc as dc
from docalc.cli_files import fit_from_posterior_file

posterior, units, per_unit = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
BATCH = 8192  # units per batch, given so that the compile run has the timed run's shape
fit = fit_from_posterior_file(dc.load(sys.argv[4]), posterior, None)
rng = np.random.default_rng(0)
new = pd.DataFrame({k: rng.standard_normal(units, dtype=np.float32) for k in "abc"})
table_mb = new.memory_usage(deep=True).sum() / 2**20
batch = min(units, BATCH)
# compile (the batch's shape), and the process's peak before the timed run
fit.effect("y", {"b": 1}, {"b": 0}, data=new.iloc[:batch], per_unit=per_unit, batch_size=batch)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
t0 = time.perf_counter()
out = fit.effect("y", {"b": 1}, {"b": 0}, data=new, per_unit=per_unit, batch_size=batch)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
print(json.dumps({"units": units, "per_unit": per_unit, "seconds": seconds,
                  "peak_rss_mb": peak, "before_mb": before, "table_mb": table_mb,
                  "mean": float(out["summary"]["mean"])}))
"""


def _posterior(path: Path) -> None:
    import docalc as dc

    model = dc.load(ROOT / "examples" / "linear.scm")
    truth = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
    sim = model.do(truth).simulate(n=100, seed=1)
    fit = model.observe(sim[["a", "b", "c", "y"]]).fit(chains=4, tune=500, draws=250, seed=2)
    fit.posterior.to_netcdf(path)


def _slope(rows: list[dict[str, float]], key: str) -> float:
    xs = [math.log(r["units"]) for r in rows]
    ys = [math.log(r[key]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / \
        sum((x - mx) ** 2 for x in xs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--per-unit", action="store_true")
    ap.add_argument("--devices", action="store_true",
                    help="run each size on one device, then on all (DOCALC_FORWARD_DEVICES)")
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        post = Path(tmp) / "p.nc"
        _posterior(post)
        for per_unit in [False, True] if args.per_unit else [False]:
            # the per-unit output is draws x units float64 (8 GB at 10**6): up to 10**5
            for n, devices in [(u, d) for u in args.units if not per_unit or u <= 100_000
                               for d in (["1", "all"] if args.devices else ["all"])]:
                env = dict(os.environ)
                env.pop("DOCALC_FORWARD_DEVICES", None)
                if devices == "1":
                    env["DOCALC_FORWARD_DEVICES"] = "1"
                out = subprocess.run([sys.executable, "-c", CHILD, str(post), str(n),
                                      "1" if per_unit else "0",
                                      str(ROOT / "examples" / "linear.scm")],
                                     capture_output=True, text=True, env=env)
                if out.returncode != 0:
                    print(f"{n:>11,} units per_unit={per_unit}: failed\n{out.stderr[-800:]}")
                    continue
                row = {**json.loads(out.stdout.strip().splitlines()[-1]), "devices": devices}
                rows.append(row)
                print(f"{n:>11,} units  per_unit={per_unit!s:5}  devices {devices:>3}  "
                      f"{row['seconds']:8.2f} s  "
                      f"peak RSS {row['peak_rss_mb']:7.0f} MB (before {row['before_mb']:.0f} MB, "
                      f"table {row['table_mb']:.0f} MB)"
                      f"  mean effect {row['mean']:.4f}", flush=True)
    for per_unit in (False, True):
        part = [r for r in rows if r["per_unit"] is per_unit and r["devices"] == "all"]
        if len(part) >= 2:
            print(f"per_unit={per_unit}: time ~ units^{_slope(part, 'seconds'):.2f}, "
                  f"peak RSS ~ units^{_slope(part, 'peak_rss_mb'):.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
