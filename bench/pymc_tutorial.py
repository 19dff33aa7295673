"""The PyMC do-operator tutorial workflow (shared/seeds/000), timed stage by stage.

Run by PyMC's own interpreter (a separate virtual environment, see bench/README.md) in a
fresh process by bench_tutorial.py. Prints one JSON line: seconds since process start at
each stage end. Follows the tutorial: pm.do to simulate, pm.observe, pm.sample (defaults:
chains=4 as in the tutorial, 1000 + 1000, NUTS, multiprocess), az.summary, and the two what-ifs as
sample_posterior_predictive on pm.do'd models (var_names=["y_mu"], predictions=True).
"""

import json
import os
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
SEED = 8927
model_generative = tutorial_model({"i": [0]})
mark("load")

true_values = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
model_simulate = pm.do(model_generative, true_values)
N = 100
with model_simulate:
    simulate = pm.sample_prior_predictive(draws=N, random_seed=1)
df = pd.DataFrame({k: simulate.prior[k].values.flatten() for k in "abcy"})
mark("simulate")
model_inference = pm.observe(model_generative, {k: df[k] for k in "abcy"})
model_inference.set_dim("i", N, coord_values=np.arange(N))
mark("observe")
with model_inference:
    # the tutorial ran 4 chains (4 cores); pm.sample defaults to max(cores, 2) chains
    idata = pm.sample(random_seed=SEED, chains=4, tune=1000, draws=1000, progressbar=False)
mark("fit")
summ = az.summary(idata)
mark("summary")
model_counterfactual = pm.do(model_inference, {"a": df["a"], "c": df["c"]})
model_b0 = pm.do(model_counterfactual, {"b": np.zeros(N, dtype="int32")}, prune_vars=True)
idata_b0 = pm.sample_posterior_predictive(idata, model=model_b0, predictions=True,
                                          var_names=["y_mu"], random_seed=SEED,
                                          progressbar=False)
y0 = idata_b0.predictions.y_mu.mean(("chain", "draw")).values
mark("whatif_b0")
model_b5 = pm.do(model_counterfactual, {"b": 5 * df["b"]}, prune_vars=True)
idata_b5 = pm.sample_posterior_predictive(idata, model=model_b5, predictions=True,
                                          var_names=["y_mu"], random_seed=SEED,
                                          progressbar=False)
y5 = idata_b5.predictions.y_mu.mean(("chain", "draw")).values
mark("whatif_5b")
check = {"beta_ay": float(summ.loc["beta_ay", "mean"]), "y0_0": float(y0[0]),
         "y5_0": float(y5[0])}
print("BENCH_JSON " + json.dumps({"tool": "pymc", "marks": marks, "check": check}), flush=True)
