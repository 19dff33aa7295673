"""The tutorial workflow in docalc, timed stage by stage (run in a fresh process by
bench_tutorial.py). Prints one JSON line: seconds since process start at each stage end.

Stages: import, load (parse + check), simulate (do + forward run), observe, fit (NUTS
4 x 1000 + 1000), summary, whatif_b0 (predict do b=0), whatif_5b (predict do b=5*b).
JAX's own tracing / lowering / compile / cache-retrieval durations are summed per stage.
"""

import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))  # the parent's clock before spawning
marks: dict[str, float] = {}
jax_stage: dict[str, dict[str, float]] = {}
_cur: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.time() - T0
    jax_stage[name] = dict(_cur)
    _cur.clear()


import docalc as dc  # noqa: E402

mark("import")
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
model = dc.load(os.path.join(root, "examples", "linear.scm"))
mark("load")

if os.environ.get("BENCH_PROFILE_JAX"):
    # JAX is imported here rather than inside simulate (docalc's ensure_jax runs first so
    # its XLA flags and compile cache are set exactly as in a plain run)
    from docalc.compiler.run.jax_setup import ensure_jax

    ensure_jax()
    import jax.monitoring

    def listen(event: str, secs: float, **_kw: object) -> None:
        key = event.rsplit("/", 1)[-1]
        _cur[key] = _cur.get(key, 0.0) + secs

    jax.monitoring.register_event_duration_secs_listener(listen)
    mark("jax_import")

true_values = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
df = model.do(true_values).simulate(n=100, seed=1)[["a", "b", "c", "y"]]
mark("simulate")
observed = model.observe(df)
mark("observe")
fit = observed.fit(chains=4, tune=1000, draws=1000, seed=8927)
mark("fit")
summ = fit.summary()
mark("summary")
p0 = fit.predict(do={"b": 0}, seed=8927)
y0 = p0["predictions"]["y_mu"].mean(("chain", "draw")).values
mark("whatif_b0")
p5 = fit.predict(do="b = 5 * b", seed=8927)
y5 = p5["predictions"]["y_mu"].mean(("chain", "draw")).values
mark("whatif_5b")
check = {"beta_ay": float(summ.loc["beta_ay", "mean"]), "y0_0": float(y0[0]),
         "y5_0": float(y5[0])}
print("BENCH_JSON " + json.dumps({"tool": "docalc", "marks": marks, "jax": jax_stage,
                                  "check": check}), flush=True)
sys.stdout.flush()
