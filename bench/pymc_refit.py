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
from pymc_model import tutorial_model  # noqa: E402

mark("import")
df = pd.read_csv(sys.argv[1])
N = len(df)
model_generative = tutorial_model({"i": np.arange(N)})
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
