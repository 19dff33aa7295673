"""A fresh-process refit with PyMC: the tutorial model fitted to a CSV, timed stage by stage.

PyMC's side of bench_refit.py, doing what bench/refit_docalc.py does: import, build the
model, read the same CSV, observe, ``pm.sample`` (4 chains x 1000 + 1000, as the
tutorial), ``az.summary``. Run by PyMC's own interpreter; prints one JSON line of seconds
since process start at each stage end.
"""

import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.time() - T0


import arviz as az  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pymc as pm  # noqa: E402

mark("import")
df = pd.read_csv(sys.argv[1])
N = len(df)
with pm.Model(coords={"i": np.arange(N)}) as model_generative:
    beta_y0 = pm.Normal("beta_y0")
    beta_ay = pm.Normal("beta_ay")
    beta_by = pm.Normal("beta_by")
    beta_cy = pm.Normal("beta_cy")
    sigma_y = pm.HalfNormal("sigma_y")
    a = pm.Normal("a", mu=0, sigma=1, dims="i")
    b = pm.Normal("b", mu=0, sigma=1, dims="i")
    c = pm.Normal("c", mu=0, sigma=1, dims="i")
    y_mu = pm.Deterministic("y_mu", beta_y0 + (beta_ay * a) + (beta_by * b) + (beta_cy * c),
                            dims="i")
    y = pm.Normal("y", mu=y_mu, sigma=sigma_y, dims="i")
model = pm.observe(model_generative, {k: df[k].to_numpy() for k in "abcy"})
mark("load")
with model:
    idata = pm.sample(random_seed=int(sys.argv[2]), chains=4, tune=1000, draws=1000,
                      progressbar=False)
mark("fit")
summary = az.summary(idata)
mark("summary")
print("BENCH_JSON " + json.dumps({"tool": "pymc", "marks": marks,
                                  "beta_by": float(summary.loc["beta_by", "mean"])}), flush=True)
