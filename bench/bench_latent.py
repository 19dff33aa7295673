"""NUTS wall time with a latent Bernoulli per unit summed out, against two references.

One latent class per unit, 10,000 units (p=0.3, mu0=-1, d=3, s=1), 4 chains x (1000 tune
+ 1000 draws)::

    p ~ Beta(1, 1); mu0 ~ Normal(0, 3); d ~ HalfNormal(5); s ~ HalfNormal(2)
    plate unit { z ~ Bernoulli(p); y ~ Normal(mu0 + d * z, s) }

Timed variants (each compiled once first, then the timed runs alternate, one paired run,
a new seed each repetition)
  marginalized_fit      ``model.observe(df[["y"]]).fit(...)``: z summed out, the public call
                        (sampling, each unit's posterior over z per draw, DataTree)
  marginalized_sampler  ``compiler.inference.nuts`` on the same plan: the compiled sampler
  observed_fit          the same model with the z column observed (nothing to sum out)
  hand_sampler          the marginalized model written by hand in NumPyro (one
                        ``numpyro.factor`` of a log-sum-exp per unit) under the same compiled
                        NUTS loop as docalc's (``inference._build``): the ratio
                        marginalized_sampler / hand_sampler is the cost of the lowering

Usage: python bench/bench_latent.py [--reps 2] [--units 10000] [--json out.json]
Report ratios from one paired run; this machine is noisy. Never assert on timings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHAINS, TUNE, DRAWS = 4, 1000, 1000
TEXT = """
p ~ Beta(1, 1)
mu0 ~ Normal(0, 3)
d ~ HalfNormal(5)
s ~ HalfNormal(2)
plate unit {
  z ~ Bernoulli(p)
  y ~ Normal(mu0 + d * z, s)
}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--json", type=Path, default=None)
    opts = ap.parse_args()

    import warnings

    import docalc as dc
    from docalc.compiler.run.jax_setup import ensure_jax

    ensure_jax()
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.run import inference

    warnings.simplefilter("ignore", dc.LatentWarning)
    rng = np.random.default_rng(0)
    z = (rng.random(opts.units) < 0.3).astype(np.int64)
    df = pd.DataFrame({"z": z, "y": -1.0 + 3.0 * z + rng.normal(size=opts.units)})
    model = dc.compile(TEXT)
    marg, obs = model.observe(df[["y"]]), model.observe(df)
    settings = inference.Settings(CHAINS, TUNE, DRAWS)
    plan = inference_plan(model.checked, {"unit": opts.units}, {"y"})
    data = {"y": df["y"].to_numpy(np.float32)}
    args = (data, np.zeros(0, np.float32), {})

    def hand(data: dict[str, object], params: object, arrays: object) -> None:
        p = numpyro.sample("p", dist.Beta(1.0, 1.0))
        mu0 = numpyro.sample("mu0", dist.Normal(0.0, 3.0))
        d = numpyro.sample("d", dist.HalfNormal(5.0))
        s = numpyro.sample("s", dist.HalfNormal(2.0))
        y = jnp.asarray(data["y"])
        with numpyro.plate("unit", y.shape[0]):
            lp = jnp.stack([jnp.log1p(-p) + dist.Normal(mu0, s).log_prob(y),
                            jnp.log(p) + dist.Normal(mu0 + d, s).log_prob(y)])
            numpyro.factor("z", jax.nn.logsumexp(lp, axis=0))

    hand_run = inference._build(hand, args, settings)

    def run_hand(seed: int) -> object:
        return jax.block_until_ready(hand_run(np.uint32(seed), *args))

    variants = {
        "marginalized_fit": lambda seed: marg.fit(chains=CHAINS, tune=TUNE, draws=DRAWS,
                                                   seed=seed),
        "marginalized_sampler": lambda seed: inference.nuts(plan, data, args[1], {},
                                                            settings, seed),
        "observed_fit": lambda seed: obs.fit(chains=CHAINS, tune=TUNE, draws=DRAWS, seed=seed),
        "hand_sampler": run_hand,
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    for fn in variants.values():
        fn(0)  # compile (or load the exported sampler)
    for rep in range(opts.reps):
        for name, fn in variants.items():
            t = time.perf_counter()
            fn(rep + 1)
            times[name].append(time.perf_counter() - t)
            print(f"{name:22s} rep {rep}: {times[name][-1]:7.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"units": opts.units, "chains": CHAINS, "tune": TUNE, "draws": DRAWS,
           "median_s": med,
           "ratio_sampler_vs_hand": med["marginalized_sampler"] / med["hand_sampler"],
           "ratio_fit_vs_hand": med["marginalized_fit"] / med["hand_sampler"],
           "ratio_fit_vs_observed": med["marginalized_fit"] / med["observed_fit"]}
    print(json.dumps(out, indent=2))
    if opts.json:
        opts.json.write_text(json.dumps({**out, "times": times}, indent=2))


if __name__ == "__main__":
    main()
