"""NUTS wall time: docalc's compiled tutorial model against the same model in NumPyro.

The PyMC do-operator tutorial's model (examples/linear.scm), 100 rows simulated with
beta_ay=1.5, beta_by=0.7, beta_cy=0.3, sigma_y=0.2, beta_y0=0; 4 chains x (1000 tune +
1000 draws). Both run in this one process on the same JAX devices. Each is run once to
compile, then timed runs alternate docalc / NumPyro (one paired run), with a new seed
each repetition.

Timed variants
  docalc_fit        ``model.observe(df).fit(...)``: the public call (binding, sampling,
                    DataTree, diagnostics)
  docalc_sampler    ``compiler.inference.nuts``: the cached compiled sampler + device_get
  numpyro_kernel    the hand-written model under NumPyro's own NUTS kernel
                    (``numpyro.infer.hmc.hmc``), init + ``lax.scan``, vmapped over chains,
                    one ``jax.jit``, called again after compiling: sampling time only
  numpyro_kernel_sharded  the same, chains split over host devices with ``shard_map``
                    as docalc's driver does when several devices are present
  numpyro_rerun     ``MCMC(NUTS(model), chain_method="vectorized").run`` on the second and
                    later calls of one MCMC object. NumPyro re-lowers and recompiles
                    ``_fori_collect_loop`` on every run (a new closure each call, even with
                    jit_model_args=True), so this includes a persistent-cache load
  numpyro_fresh     a new MCMC object per run (re-trace + compile or cache load)

The headline ratio is docalc_fit (and docalc_sampler) over numpyro_kernel: both are a
compiled NUTS loop called again. DOCALC_NO_CACHE=1 runs docalc without its persistent
cache and exported samplers (JAX's cache is then kept on for NumPyro in a /tmp folder).

Usage: python bench/bench_nuts.py [--reps 5] [--json out.json]
Report ratios from one paired run; this machine is noisy. Never assert on timings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAINS, TUNE, DRAWS = 4, 1000, 1000
TRUE = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--no-fresh", action="store_true",
                    help="skip the NumPyro fresh-object variant (it recompiles)")
    opts = ap.parse_args()

    import docalc as dc
    from docalc.compiler.run.jax_setup import ensure_jax

    ensure_jax()
    import jax

    if not jax.config.jax_compilation_cache_dir:
        # DOCALC_NO_CACHE=1 (docalc then jits without exporting): keep JAX's persistent
        # cache on for NumPyro's MCMC.run, which recompiles on every call
        jax.config.update("jax_compilation_cache_dir", "/tmp/docalc-bench-nuts-jax")
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)

    model = dc.load(ROOT / "examples" / "linear.scm")
    df = model.do(TRUE).simulate(n=100, seed=1)[["a", "b", "c", "y"]]
    observed = model.observe(df)

    # docalc imports JAX through compiler.jax_setup.ensure_jax (host devices, cache); the
    # NumPyro model below runs under the same configuration.
    import jax
    import jax.numpy as jnp
    import numpy as np
    import numpyro
    import numpyro.distributions as dist
    from numpyro.infer import MCMC, NUTS

    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.run import inference
    from docalc.compiler.run import simulation as runs

    def hand(a, b, c, y=None):
        beta_y0 = numpyro.sample("beta_y0", dist.Normal(0.0, 1.0))
        beta_ay = numpyro.sample("beta_ay", dist.Normal(0.0, 1.0))
        beta_by = numpyro.sample("beta_by", dist.Normal(0.0, 1.0))
        beta_cy = numpyro.sample("beta_cy", dist.Normal(0.0, 1.0))
        sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(1.0))
        with numpyro.plate("i", a.shape[0]):
            a = numpyro.sample("a", dist.Normal(0.0, 1.0), obs=a)
            b = numpyro.sample("b", dist.Normal(0.0, 1.0), obs=b)
            c = numpyro.sample("c", dist.Normal(0.0, 1.0), obs=c)
            y_mu = numpyro.deterministic("y_mu", beta_y0 + beta_ay * a + beta_by * b
                                         + beta_cy * c)
            numpyro.sample("y", dist.Normal(y_mu, sigma_y), obs=y)

    cols = {k: jnp.asarray(df[k].to_numpy(), dtype=jnp.float32) for k in "abcy"}

    def new_mcmc() -> MCMC:
        return MCMC(NUTS(hand), num_warmup=TUNE, num_samples=DRAWS, num_chains=CHAINS,
                    chain_method="vectorized", progress_bar=False)

    def np_run(mcmc: MCMC, seed: int) -> dict:
        mcmc.run(jax.random.PRNGKey(seed), **cols,
                 extra_fields=("num_steps", "adapt_state.step_size", "accept_prob"))
        s = mcmc.get_samples(group_by_chain=True)
        jax.block_until_ready(s)
        ex = mcmc.get_extra_fields(group_by_chain=True)
        return {"n_steps": float(np.mean(ex["num_steps"])),
                "step_size": float(np.mean(ex["adapt_state.step_size"][:, -1])),
                "accept": float(np.mean(ex["accept_prob"])),
                "beta_ay": float(np.mean(s["beta_ay"]))}

    # the hand-written model under NumPyro's own NUTS kernel (numpyro.infer.hmc.hmc), in
    # one jitted function vmapped over chains: what docalc's driver does, minus the lowering
    from numpyro.infer.hmc import hmc
    from numpyro.infer.util import initialize_model

    def build_kernel_sampler(devices: int = 1):
        margs = tuple(cols[k] for k in "abcy")
        info = initialize_model(jax.random.PRNGKey(0), hand, model_args=margs,
                                dynamic_args=True)
        init_k, sample_k = hmc(potential_fn_gen=info.potential_fn, algo="NUTS")
        post = info.postprocess_fn

        def chain(key, a, b, c, y):
            args = (a, b, c, y)
            k0, k1 = jax.random.split(key)
            z0 = jax.tree_util.tree_map(
                lambda v: jax.random.uniform(k0, jnp.shape(v), minval=-2.0, maxval=2.0),
                info.param_info.z)
            st = init_k(z0, TUNE, model_args=args, rng_key=k1)
            st, _ = jax.lax.scan(lambda s, _: (sample_k(s, model_args=args), None), st, None,
                                 length=TUNE)

            def step(s, _):
                s = sample_k(s, model_args=args)
                return s, (s.z, s.num_steps)

            st, (zs, steps) = jax.lax.scan(step, st, None, length=DRAWS)
            return jax.vmap(post(*args))(zs), steps, st.adapt_state.step_size

        chains = jax.vmap(chain, in_axes=(0, None, None, None, None))
        if devices < 2:
            return jax.jit(chains)
        # as docalc's driver: chains split over host devices with shard_map, vmapped within
        from jax.sharding import Mesh
        from jax.sharding import PartitionSpec as P

        mesh = Mesh(np.asarray(jax.devices()[:devices]), ("chain",))
        return jax.jit(jax.shard_map(chains, mesh=mesh, in_specs=(P("chain"), P(), P(), P(), P()),
                                     out_specs=P("chain"), check_vma=False))

    n_dev = max(d for d in range(1, min(jax.local_device_count(), CHAINS) + 1)
                if CHAINS % d == 0)
    kernel_samplers = {"numpyro_kernel": build_kernel_sampler(1),
                       "numpyro_kernel_sharded": build_kernel_sampler(n_dev)}

    def np_kernel(seed: int, which: str = "numpyro_kernel") -> dict:
        keys = jax.random.split(jax.random.PRNGKey(seed), CHAINS)
        zs, steps, eps = jax.device_get(kernel_samplers[which](keys,
                                                               *(cols[k] for k in "abcy")))
        return {"n_steps": float(np.mean(steps)), "step_size": float(np.mean(eps)),
                "beta_ay": float(np.mean(zs["beta_ay"]))}

    # docalc's internal call (as compiler/fitting.fit makes it), to time the cached sampler alone
    from docalc.compiler.bind import data as data_mod
    from docalc.dsl.ir import Kind

    bound = observed._bound
    obs_names = {k for k in bound.names if observed.checked.node(k).kind is not Kind.DATA}
    plan = inference_plan(observed.checked, bound.sizes, obs_names)
    arrays = data_mod.as_arrays(observed.checked, bound)
    params = runs.literal_params(observed.checked, plan)
    settings = inference.Settings(CHAINS, TUNE, DRAWS)

    def dc_fit(seed: int) -> dict:
        f = observed.fit(chains=CHAINS, tune=TUNE, draws=DRAWS, seed=seed)
        st = f.posterior["sample_stats"]
        return {"n_steps": float(st["n_steps"].mean()),
                "step_size": float(st["step_size"].mean()),
                "accept": float(st["acceptance_rate"].mean()),
                "beta_ay": float(f.posterior["posterior"]["beta_ay"].mean())}

    def dc_sampler(seed: int) -> dict:
        out = inference.nuts(plan, arrays, params, observed._arrays, settings, seed)
        return {"n_steps": float(np.mean(out.stats["n_steps"]))}

    def timed(fn, *a):
        t = time.perf_counter()
        info = fn(*a)
        return time.perf_counter() - t, info

    res: dict[str, list] = {"docalc_fit": [], "docalc_sampler": [], "numpyro_kernel": [],
                            "numpyro_kernel_sharded": [],
                            "numpyro_rerun": [],
                            "numpyro_fresh": []}
    info: dict[str, list] = {k: [] for k in res}
    # compile / warm everything once
    first = {}
    first["docalc_fit"], _ = timed(dc_fit, 0)
    first["docalc_sampler"], _ = timed(dc_sampler, 0)
    reused = new_mcmc()
    first["numpyro_first_run"], _ = timed(np_run, reused, 0)
    first["numpyro_fresh"], _ = timed(np_run, new_mcmc(), 0)
    first["numpyro_kernel"], _ = timed(np_kernel, 0)
    first["numpyro_kernel_sharded"], _ = timed(np_kernel, 0, "numpyro_kernel_sharded")
    print("docalc chain devices:", n_dev, flush=True)
    print("first calls (include trace/compile):",
          {k: round(v, 3) for k, v in first.items()}, flush=True)

    for r in range(opts.reps):
        seed = 100 + r
        order = [("docalc_fit", dc_fit, (seed,)), ("numpyro_rerun", np_run, (reused, seed)),
                 ("docalc_sampler", dc_sampler, (seed,)), ("numpyro_kernel", np_kernel, (seed,)),
                 ("numpyro_kernel_sharded", np_kernel, (seed, "numpyro_kernel_sharded"))]
        if not opts.no_fresh:
            order.append(("numpyro_fresh", np_run, (new_mcmc(), seed)))
        if r % 2:
            order = order[::-1]
        for name, fn, a in order:
            t, i = timed(fn, *a)
            res[name].append(t)
            info[name].append(i)
        print(f"rep {r}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in res.items() if v),
              flush=True)

    med = {k: statistics.median(v) for k, v in res.items() if v}
    iters = CHAINS * (TUNE + DRAWS)
    pair = [a / b for a, b in zip(res["docalc_fit"], res["numpyro_rerun"], strict=True)]
    pair_s = [a / b for a, b in zip(res["docalc_sampler"], res["numpyro_rerun"], strict=True)]
    pair_k = [a / b for a, b in zip(res["docalc_sampler"], res["numpyro_kernel"], strict=True)]
    pair_ks = [a / b for a, b in zip(res["docalc_sampler"], res["numpyro_kernel_sharded"],
                                     strict=True)]
    pair_fk = [a / b for a, b in zip(res["docalc_fit"], res["numpyro_kernel"], strict=True)]
    out = {
        "versions": {"jax": jax.__version__, "numpyro": numpyro.__version__,
                     "python": sys.version.split()[0]},
        "devices": [str(d) for d in jax.devices()],
        "first_calls_s": first,
        "times_s": res,
        "median_s": med,
        "per_iteration_us": {k: 1e6 * v / iters for k, v in med.items()},
        "ratio_fit_over_numpyro_rerun_median_of_pairs": statistics.median(pair),
        "ratio_sampler_over_numpyro_rerun_median_of_pairs": statistics.median(pair_s),
        "ratio_sampler_over_numpyro_kernel_median_of_pairs": statistics.median(pair_k),
        "ratio_sampler_over_numpyro_kernel_sharded_median_of_pairs": statistics.median(pair_ks),
        "ratio_fit_over_numpyro_kernel_median_of_pairs": statistics.median(pair_fk),
        "ratio_fit_over_numpyro_fresh": (med["docalc_fit"] / med["numpyro_fresh"]
                                         if res["numpyro_fresh"] else None),
        "sampler_stats": {k: {f: statistics.mean(d[f] for d in v) for f in v[0]}
                          for k, v in info.items() if v},
    }
    print(json.dumps(out, indent=1))
    if opts.json:
        opts.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
