"""docalc against aimz on the same model, data sizes and draws: per-unit effects to Zarr.

The tutorial's linear model, y ~ Normal(b0 + ba*a + bb*b + bc*c, s), fitted by each library
to the same 100 simulated units (NUTS, 4 chains x 250 draws = 1,000 posterior draws); then
the effect of do(b = 1) against do(b = 0) on n new units, written per unit and draw to a
Zarr store: ``fit.effect(..., store=...)`` in docalc, ``ImpactModel.estimate_effect`` of
two ``predict(X, intervention=..., output_dir=...)`` in aimz (``b`` is an observed sample
site of its kernel, so NumPyro's ``do`` can set it). Each library runs in its own venv
(aimz: ``python -m venv V && V/bin/pip install aimz``), each size in a fresh process, the
two alternating (one paired run); each process compiles on the first 1,000 units, then the
timed call. Also docalc's average-only effect (``per_unit=False``), which aimz has no
counterpart of.

Usage: python bench/bench_aimz.py --aimz-python V/bin/python [--units 100000 1000000]
Report ratios from one paired run; this machine is noisy. Never assert on timings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DOCALC = r"""
import json, resource, sys, tempfile, time
import numpy as np, pandas as pd
import docalc as dc
from docalc.cli_files import fit_from_posterior_file

post, n, mode, model = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fit = fit_from_posterior_file(dc.load(model), post, None)
rng = np.random.default_rng(0)
new = pd.DataFrame({k: rng.standard_normal(n).astype(np.float32) for k in "abc"})
kw = {"per_unit": False} if mode == "average" else {}
with tempfile.TemporaryDirectory() as tmp:
    if mode == "store":
        kw = {"store": tmp + "/warm.zarr"}
    fit.effect("y", {"b": 1}, {"b": 0}, data=new.iloc[:1000], **kw)
    if mode == "store":
        kw = {"store": tmp + "/e.zarr"}
    t0 = time.perf_counter()
    out = fit.effect("y", {"b": 1}, {"b": 0}, data=new, **kw)
    seconds = time.perf_counter() - t0
    mean = float(out["summary"]["mean"])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "mean": mean}))
"""

AIMZ = r"""
import json, resource, sys, tempfile, time
import jax, numpy as np
import numpyro, numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS
from aimz import ImpactModel

n = int(sys.argv[1])

def kernel(X, y=None):
    b0 = numpyro.sample("b0", dist.Normal(0, 1))
    beta = numpyro.sample("beta", dist.Normal(0, 1).expand([3]))
    s = numpyro.sample("s", dist.HalfNormal(1))
    with numpyro.plate("i", X.shape[0]):
        b = numpyro.sample("b", dist.Normal(0, 1), obs=X[:, 1])
        mu = b0 + beta[0] * X[:, 0] + beta[1] * b + beta[2] * X[:, 2]
        numpyro.sample("y", dist.Normal(mu, s), obs=y)

rng = np.random.default_rng(1)
X0 = rng.standard_normal((100, 3)).astype(np.float32)
y0 = (1.5 * X0[:, 0] + 0.7 * X0[:, 1] + 0.3 * X0[:, 2]
      + 0.2 * rng.standard_normal(100)).astype(np.float32)
mcmc = MCMC(NUTS(kernel), num_warmup=500, num_samples=250, num_chains=4, progress_bar=False)
im = ImpactModel(kernel, rng_key=jax.random.key(0), inference=mcmc)
im.fit_on_batch(X0, y0, progress=False)
X = np.random.default_rng(0).standard_normal((n, 3)).astype(np.float32)

def effect(X, tmp):
    base = im.predict(X, intervention={"b": 0.0}, output_dir=tmp + "/b",
                      progress=False, return_sites="y")
    do = im.predict(X, intervention={"b": 1.0}, output_dir=tmp + "/d",
                    progress=False, return_sites="y")
    return im.estimate_effect(output_baseline=base, output_intervention=do)

with tempfile.TemporaryDirectory() as tmp:
    effect(X[:1000], tmp + "/warm")
    t0 = time.perf_counter()
    out = effect(X, tmp + "/timed")
    seconds = time.perf_counter() - t0
    mean = float(out["posterior_predictive"]["y"].mean())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "mean": mean}))
"""


def _run(cmd: list[str]) -> dict[str, float] | None:
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr[-1500:])
        return None
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aimz-python", required=True)
    ap.add_argument("--units", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--json")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_effects import _posterior

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        post = Path(tmp) / "p.nc"
        _posterior(post)
        model = str(ROOT / "examples" / "linear.scm")
        for n in args.units:
            aimz = _run([args.aimz_python, "-c", AIMZ, str(n)])
            store = _run([sys.executable, "-c", DOCALC, str(post), str(n), "store", model])
            avg = _run([sys.executable, "-c", DOCALC, str(post), str(n), "average", model])
            row = {"units": n, "aimz": aimz, "docalc_store": store, "docalc_average": avg}
            rows.append(row)
            if aimz and store and avg:
                print(f"{n:>10,} units x 1,000 draws: aimz {aimz['seconds']:7.2f} s "
                      f"({aimz['peak_rss_mb']:.0f} MB), docalc per unit to Zarr "
                      f"{store['seconds']:7.2f} s ({store['peak_rss_mb']:.0f} MB), ratio "
                      f"{store['seconds'] / aimz['seconds']:.2f}; docalc average only "
                      f"{avg['seconds']:6.2f} s ({avg['peak_rss_mb']:.0f} MB), ratio "
                      f"{avg['seconds'] / aimz['seconds']:.2f}; mean effects "
                      f"{aimz['mean']:.3f} / {store['mean']:.3f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
