"""PyMC's side of bench_impute.py: the same model, NaN cells imputed by PyMC automatically.

Run by PyMC's own interpreter with the seed as argument; ``observed=`` arrays with NaN
make PyMC split each node into ``<node>_observed`` and ``<node>_unobserved``. Prints one
JSON line: seconds since process start at each stage end, and the posterior moments.
"""

import json
import os
import sys
import time
import warnings

T0 = float(os.environ.get("BENCH_T0", time.time()))
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.time() - T0


import pymc as pm  # noqa: E402
from impute_common import GLOBALS, moments, table  # noqa: E402

mark("import")
warnings.simplefilter("ignore")  # PyMC's ImputationWarning
data = table()
with pm.Model() as model:
    mu_x = pm.Normal("mu_x", 0, 2)
    sd_x = pm.HalfNormal("sd_x", 2)
    alpha = pm.Normal("alpha", 0, 2)
    beta = pm.Normal("beta", 0, 2)
    sigma = pm.HalfNormal("sigma", 1)
    x = pm.Normal("x", mu_x, sd_x, observed=data["x"])
    pm.Normal("y", alpha + beta * x, sigma, observed=data["y"])
mark("load")
with model:
    idata = pm.sample(random_seed=int(sys.argv[1]), chains=4, tune=1000, draws=1000,
                      progressbar=False, compute_convergence_checks=False)
mark("fit")
names = [*GLOBALS, "x_unobserved", "y_unobserved"]
values = {k: idata.posterior[k].transpose("chain", "draw", ...).to_numpy() for k in names}
print("BENCH_JSON " + json.dumps({"tool": "pymc", "marks": marks,
                                  "moments": moments(values)}), flush=True)
