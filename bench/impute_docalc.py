"""docalc's side of bench_impute.py: fit the model with missing="impute", timed.

Arguments: the seed. Prints one JSON line: seconds since process start at each stage
end, and the posterior moments of the globals and the imputed cells.
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


from impute_common import GLOBALS, MODEL, moments, table  # noqa: E402

import docalc as dc  # noqa: E402

mark("import")
warnings.simplefilter("ignore")  # the imputed-cells note
model = dc.compile(MODEL).observe(table(), missing="impute")
mark("load")
fit = model.fit(seed=int(sys.argv[1]))
mark("fit")
post = fit.posterior["posterior"]
names = [*GLOBALS, "x_unobserved", "y_unobserved"]
values = {k: post[k].transpose("chain", "draw", ...).to_numpy() for k in names}
print("BENCH_JSON " + json.dumps({"tool": "docalc", "marks": marks,
                                  "moments": moments(values)}), flush=True)
