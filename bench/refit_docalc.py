"""A fresh-process refit of an unchanged model structure with docalc, timed stage by stage.

Run by bench_refit.py after a first fit has exported the sampler and filled JAX's cache.
Prints one JSON line of seconds since process start at each stage end.
"""

import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.time() - T0


import pandas as pd  # noqa: E402

import docalc as dc  # noqa: E402

mark("import")
model = dc.load(sys.argv[1])
data = pd.read_csv(sys.argv[2])
mark("load")
fit = model.observe(data[["a", "b", "c", "y"]]).fit(seed=int(sys.argv[3]))
mark("fit")
summary = fit.summary()
mark("summary")
print("BENCH_JSON " + json.dumps({"tool": "docalc", "marks": marks,
                                  "beta_by": float(summary.loc["beta_by", "mean"])}), flush=True)
