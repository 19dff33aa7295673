"""Widget latency: the live effect computation and the explorer's whole redraw.

4,000 draws x 1,000 units of the tutorial's linear model. The posterior is stood in for by
prior draws (4 chains x 1,000): latency does not depend on the values, and NUTS on 1,000
units would only lengthen the run. One paired run: each value change times docalc's
compiled effect and a hand-written jitted jnp formula with the value as a traced argument,
alternately. Run: ``python bench/widgets_latency.py``.
"""

from __future__ import annotations

import os
import time

import numpy as np

N_UNITS, CHAINS, DRAWS, MOVES = 1000, 4, 1000, 50


def fake_fit():  # type: ignore[no-untyped-def]
    import docalc as dc
    from docalc.compiler.results.trees import dataset, tree
    from docalc.fit import Fit

    model = dc.load(os.path.join(os.path.dirname(__file__), "..", "examples", "linear.scm"))
    truth = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
    sim = model.do(truth).simulate(n=N_UNITS, seed=1)[["a", "b", "c", "y"]]
    observed = model.observe(sim)
    prior = model.sample_prior(draws=CHAINS * DRAWS, n=N_UNITS, seed=3)["prior"]
    values = {k: prior[k].values.reshape(CHAINS, DRAWS) for k in truth}
    post = tree({"posterior": dataset(observed.checked, values, {})})
    return Fit(observed, post, observed._bound)


def main() -> None:
    import jax
    import jax.numpy as jnp

    from docalc.compiler.run.inference import TRACES
    from docalc.compiler.run.slider_effect import effect_function
    from docalc.widgets import EffectExplorer

    fit = fake_fit()
    f = effect_function(fit.draws, "y", ["b"], baseline={"b": 0})
    beta = jax.device_put(fit.posterior["posterior"]["beta_by"].values.ravel()
                          .astype(np.float32))

    @jax.jit
    def hand(beta: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
        per_unit = jnp.broadcast_to((beta * v[0])[:, None], (beta.shape[0], N_UNITS))
        return per_unit, per_unit.mean(axis=-1)

    values = np.linspace(-2, 2, MOVES)
    for v in values[:3]:  # compile and warm everything once
        jax.block_until_ready(hand(beta, np.asarray([v], np.float32)))
        f({"b": v})
        jax.block_until_ready(f.average_device({"b": v}))
    traces = dict(TRACES)
    t_hand, t_avg, t_full = [], [], []
    for v in values:
        t0 = time.perf_counter()
        jax.block_until_ready(hand(beta, np.asarray([v], np.float32)))
        t1 = time.perf_counter()
        jax.block_until_ready(f.average_device({"b": v}))
        t2 = time.perf_counter()
        f({"b": v})  # per-unit and average, as NumPy arrays on the host
        t3 = time.perf_counter()
        t_hand.append(t1 - t0)
        t_avg.append(t2 - t1)
        t_full.append(t3 - t2)
    assert traces == TRACES, "a value change re-traced"
    ms = lambda t: 1e3 * float(np.median(t))  # noqa: E731
    print(f"load average before redraws: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"hand-written jnp (per-unit + average): {ms(t_hand):.2f} ms")
    print(f"docalc average effect (widget path):  {ms(t_avg):.2f} ms")
    print(f"docalc per-unit + average to NumPy:    {ms(t_full):.2f} ms  "
          f"(ratio to hand {ms(t_full) / ms(t_hand):.2f})")

    # the outcome's noise does not cancel when the spread is intervened on: it is replayed
    g = effect_function(fit.draws, "y", ["sigma_y"])
    for v in (0.5, 1.0):
        jax.block_until_ready(g.average_device({"sigma_y": v}))
    t_noise = []
    for v in values:
        t0 = time.perf_counter()
        jax.block_until_ready(g.average_device({"sigma_y": 0.1 + abs(float(v))}))
        t_noise.append(time.perf_counter() - t0)
    print(f"docalc average, noise replayed (do(sigma_y)): {ms(t_noise):.2f} ms")

    ex = EffectExplorer(fit, "y", {"b": (-2, 2, 0.1)}, baseline={"b": 0})
    traces = dict(TRACES)
    rows = []
    for v in values:
        ex.controls["b"].value = round(float(v), 1) + 0.05  # a new value every move
        rows.append(ex.timings)
    assert traces == TRACES, "a slider move re-traced"
    for key in ("compute", "plot", "graph", "redraw"):
        print(f"explorer {key:8s} median {np.median([r[key] for r in rows]):6.2f} ms  "
              f"max {np.max([r[key] for r in rows]):6.2f} ms")


if __name__ == "__main__":
    main()
