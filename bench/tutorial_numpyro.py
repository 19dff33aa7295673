"""The tutorial workflow hand-written in NumPyro, with JAX's persistent compilation cache,
timed stage by stage (run in a fresh process by bench_tutorial.py).

Cache folder: $BENCH_NUMPYRO_CACHE (default ~/.cache/docalc-bench/numpyro-jax). Simulate
with handlers.do + Predictive, NUTS 4 chains x 1000 + 1000 (chain_method="vectorized"),
numpyro.diagnostics summary, two what-ifs as Predictive of handlers.do'd models.
"""

import json
import os
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))
marks: dict[str, float] = {}


def mark(name: str) -> None:
    marks[name] = time.time() - T0


import jax  # noqa: E402

cache = os.environ.get("BENCH_NUMPYRO_CACHE",
                       os.path.expanduser("~/.cache/docalc-bench/numpyro-jax"))
os.makedirs(cache, exist_ok=True)
jax.config.update("jax_compilation_cache_dir", cache)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
import jax.numpy as jnp  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro import handlers  # noqa: E402
from numpyro.diagnostics import summary  # noqa: E402
from numpyro.infer import MCMC, NUTS, Predictive  # noqa: E402

mark("import")


def model(n, a=None, b=None, c=None, y=None):
    beta_y0 = numpyro.sample("beta_y0", dist.Normal(0.0, 1.0))
    beta_ay = numpyro.sample("beta_ay", dist.Normal(0.0, 1.0))
    beta_by = numpyro.sample("beta_by", dist.Normal(0.0, 1.0))
    beta_cy = numpyro.sample("beta_cy", dist.Normal(0.0, 1.0))
    sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1.0))
    with numpyro.plate("i", n):
        a = numpyro.sample("a", dist.Normal(0.0, 1.0), obs=a)
        b = numpyro.sample("b", dist.Normal(0.0, 1.0), obs=b)
        c = numpyro.sample("c", dist.Normal(0.0, 1.0), obs=c)
        y_mu = numpyro.deterministic("y_mu", beta_y0 + beta_ay * a + beta_by * b + beta_cy * c)
        numpyro.sample("y", dist.Normal(y_mu, sigma_y), obs=y)


mark("load")
N = 100
true_values = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
true_values = {k: jnp.asarray(v) for k, v in true_values.items()}
sim = Predictive(handlers.do(model, true_values), num_samples=1)(jax.random.PRNGKey(1), N)
data = {k: sim[k][0] for k in "abcy"}
mark("simulate")
mark("observe")  # NumPyro conditions by passing the data as arguments
mcmc = MCMC(NUTS(model), num_warmup=1000, num_samples=1000, num_chains=4,
            chain_method="vectorized", progress_bar=False)
mcmc.run(jax.random.PRNGKey(8927), N, **data)
samples = mcmc.get_samples(group_by_chain=True)
jax.block_until_ready(samples)
mark("fit")
summ = summary({k: v for k, v in samples.items() if k.startswith(("beta", "sigma"))})
mark("summary")
flat = mcmc.get_samples()
posterior = {k: v for k, v in flat.items() if k.startswith(("beta", "sigma"))}
held = {"a": data["a"], "c": data["c"]}
p0 = Predictive(handlers.do(model, {"b": jnp.zeros(N)}), posterior_samples=posterior,
                return_sites=["y_mu"])(jax.random.PRNGKey(8927), N, **held)
y0 = jax.device_get(p0["y_mu"].mean(0))
mark("whatif_b0")
p5 = Predictive(handlers.do(model, {"b": 5 * data["b"]}), posterior_samples=posterior,
                return_sites=["y_mu"])(jax.random.PRNGKey(8927), N, **held)
y5 = jax.device_get(p5["y_mu"].mean(0))
mark("whatif_5b")
check = {"beta_ay": float(summ["beta_ay"]["mean"]), "y0_0": float(y0[0]), "y5_0": float(y5[0])}
print("BENCH_JSON " + json.dumps({"tool": "numpyro", "marks": marks, "check": check}),
      flush=True)
