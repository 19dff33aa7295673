"""NUTS and SVI over a lowered model, compiled once per model structure.

The NUTS loop (initialisation, warm-up and sampling as ``lax.scan``) is one jitted
function of (seed, data, intervention values), vmapped over chains: one compilation for
all chains, and none for a refit of the same structure and shapes in the same process.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from docalc.compiler.bind.missing import MISSING_KEY, UNOBSERVED
from docalc.compiler.bind.seeds import check_seed
from docalc.compiler.plan.run_plan import Plan
from docalc.compiler.plan.value_checks import CHECK_SITE, plan_checks
from docalc.compiler.run.exported import load_or_export

TRACES: dict[str, int] = {}
"""How many times each kind of function was traced (tests read this to count compiles)."""


def count_trace(kind: str) -> None:
    """Record one trace of ``kind`` (runs only while JAX traces, never per call)."""
    TRACES[kind] = TRACES.get(kind, 0) + 1


@dataclass(frozen=True)
class Settings:
    """Static NUTS settings (part of the compiled function's key)."""

    chains: int = 4
    tune: int = 1000
    draws: int = 1000
    target_accept: float = 0.8
    max_tree_depth: int = 10
    progress: bool = False
    drop: tuple[str, ...] = ()
    """Deterministic sites left out of the draws (so the compiled sampler never keeps them)."""


@dataclass
class Samples:
    """Raw NUTS output: constrained values per site, and sampler statistics."""

    values: dict[str, np.ndarray]
    stats: dict[str, np.ndarray]


_SAMPLERS: dict[tuple[Any, ...], Callable[..., Any]] = {}
_BAR: list[Any] = []  # the progress bar of the run in flight (host side)
_EVERY = 50


def _tick(i: Any) -> None:
    if _BAR:
        _BAR[0].n = int(np.max(np.asarray(i))) + 1
        _BAR[0].refresh()


def _report(i: Any) -> None:
    # a host callback every few iterations; the compiled loop stays one program
    jax.lax.cond(i % _EVERY == 0, lambda: jax.debug.callback(_tick, i), lambda: None)


def _shapes(tree: Any) -> Any:
    return jax.tree_util.tree_map(lambda a: (np.shape(a), np.asarray(a).dtype.str), tree)


def nuts(plan: Plan, data: Mapping[str, Any], params: Any, arrays: Mapping[str, Any],
         settings: Settings, seed: int) -> Samples:
    """Run NUTS on the plan's model; returns values with leading (chain, draw) axes."""
    # the seed goes in as data and the chains' keys are made inside the compiled sampler:
    # a refit then runs no small JAX programs of its own before the sampler
    seed_arg = np.uint32(check_seed(seed))
    args = (dict(data), np.asarray(params, dtype=np.float32), dict(arrays))
    key = (plan.key, settings, repr(_shapes(args)))
    sampler = _SAMPLERS.get(key)
    if sampler is None:
        def build() -> Callable[..., Any]:
            # NumPyro is imported only to build a sampler; loading an exported one (a
            # refit of a known structure) does without it
            from docalc.compiler.lower.lowering import make_numpyro_model

            return _build(make_numpyro_model(plan), args, settings)

        if settings.progress:
            sampler = build()  # host callbacks for the bar cannot be exported
        else:
            sampler = load_or_export(f"nuts\n{key}", build, (seed_arg, *args))
        _SAMPLERS[key] = sampler
    if settings.progress:
        from tqdm.auto import tqdm

        _BAR[:] = [tqdm(total=settings.tune + settings.draws, desc="NUTS", unit="it",
                        leave=True, mininterval=0.2)]
    try:
        out = sampler(seed_arg, *args)
        # XLA samples asynchronously: import what builds the DataTree in the meantime
        from docalc.compiler import results  # noqa: F401
        values, stats = jax.device_get(out)
    finally:
        if _BAR:
            _BAR[0].n = settings.tune + settings.draws
            _BAR[0].close()
            _BAR.clear()
    return Samples({k: np.asarray(v) for k, v in values.items()},
                   {k: np.asarray(v) for k, v in stats.items()})


def _build(model: Callable[..., None], args: tuple[Any, ...], settings: Settings) -> Any:
    from numpyro.infer.hmc import hmc
    from numpyro.infer.util import initialize_model

    with warnings.catch_warnings():
        # NumPyro tries starting points with real values; one where an observed value is
        # outside a latent bound (x ~ Uniform(0, hi) with hi drawn below x) has zero density
        # and is retried, which is expected, so its "Out-of-support values" warning is noise
        warnings.filterwarnings("ignore", message="Out-of-support values provided",
                                category=UserWarning)
        info = initialize_model(jax.random.PRNGKey(0), model, model_args=args,
                                dynamic_args=True)
    potential_gen = info.potential_fn
    postprocess_gen = info.postprocess_fn
    template = info.param_info.z
    init_kernel, sample_kernel = hmc(potential_fn_gen=potential_gen, algo="NUTS")

    def initial(key: Any, margs: tuple[Any, ...]) -> Any:
        # uniform in (-2, 2) on the unconstrained scale, retried until the density is
        # finite, as NumPyro's init_to_uniform does
        pe = potential_gen(*margs)

        def draw(k: Any) -> Any:
            leaves, tree = jax.tree_util.tree_flatten(template)
            ks = jax.random.split(k, len(leaves))
            new = [jax.random.uniform(kk, jnp.shape(v), minval=-2.0, maxval=2.0)
                   for kk, v in zip(ks, leaves, strict=True)]
            return jax.tree_util.tree_unflatten(tree, new)

        def bad(carry: Any) -> Any:
            _, z, tries = carry
            return (~jnp.isfinite(pe(z))) & (tries < 100)

        def again(carry: Any) -> Any:
            k, _, tries = carry
            k, sub = jax.random.split(k)
            return k, draw(sub), tries + 1

        k0, k1 = jax.random.split(key)
        _, z, _ = jax.lax.while_loop(bad, again, (k0, draw(k1), 0))
        return z

    def chain(key: Any, data: Any, params: Any, arrays: Any) -> Any:
        margs = (data, params, arrays)
        k_init, k_run = jax.random.split(key)
        z0 = initial(k_init, margs)
        state = init_kernel(z0, settings.tune, target_accept_prob=settings.target_accept,
                            max_tree_depth=settings.max_tree_depth, model_args=margs,
                            rng_key=k_run)

        def step(s: Any, i: Any) -> Any:
            # warm-up and sampling in one loop: the NUTS kernel is compiled once, not twice
            if settings.progress:
                _report(i)
            s = sample_kernel(s, model_args=margs)
            return s, (s.z, s.diverging, s.accept_prob, s.num_steps, s.potential_energy)

        total = settings.tune + settings.draws
        state, trace = jax.lax.scan(step, state, jnp.arange(total))
        zs, div, acc, steps, pe = jax.tree_util.tree_map(lambda a: a[settings.tune:], trace)
        post = jax.vmap(postprocess_gen(*margs))(zs)
        post = {k: v for k, v in post.items() if k not in settings.drop}
        stats = {"diverging": div, "acceptance_rate": acc, "n_steps": steps, "lp": -pe,
                 "step_size": jnp.broadcast_to(state.adapt_state.step_size, div.shape)}
        return post, stats

    def chains(keys: Any, data: Any, params: Any, arrays: Any) -> Any:
        return jax.vmap(chain, in_axes=(0, None, None, None))(keys, data, params, arrays)

    def chain_keys(seed: Any) -> Any:
        return jax.random.split(jax.random.PRNGKey(seed), settings.chains)

    devices = _chain_devices(settings.chains)
    if devices < 2:
        def run(seed: Any, data: Any, params: Any, arrays: Any) -> Any:
            count_trace("nuts")
            return chains(chain_keys(seed), data, params, arrays)

        return jax.jit(run)

    # chains split over host devices (CPU cores), each running its share vmapped: one
    # compilation, and the cores sample in parallel without talking to each other. The
    # shardings are explicit so that an exported copy knows how many devices it needs.
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    mesh = Mesh(np.asarray(jax.devices()[:devices]), ("chain",))
    spread = jax.shard_map(chains, mesh=mesh, in_specs=(PartitionSpec("chain"),
                           PartitionSpec(), PartitionSpec(), PartitionSpec()),
                           out_specs=PartitionSpec("chain"), check_vma=False)

    def run_spread(seed: Any, data: Any, params: Any, arrays: Any) -> Any:
        count_trace("nuts")
        return spread(chain_keys(seed), data, params, arrays)

    return jax.jit(run_spread, in_shardings=NamedSharding(mesh, PartitionSpec()),
                   out_shardings=NamedSharding(mesh, PartitionSpec("chain")))


def _chain_devices(chains: int) -> int:
    """Return the largest number of host devices that divides the chains evenly."""
    n = min(jax.local_device_count(), chains)
    while n > 1 and chains % n:
        n -= 1
    return n


def svi(plan: Plan, data: Mapping[str, Any], params: Any, arrays: Mapping[str, Any], *,
        steps: int, draws: int, seed: int, learning_rate: float = 0.01,
        guide: str = "normal") -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Fit an AutoGuide by SVI; returns guide draws (1, draws, ...) and the loss trace."""
    from numpyro import optim
    from numpyro.infer import SVI, Trace_ELBO, autoguide
    from numpyro.infer.util import Predictive

    from docalc.compiler.lower.lowering import make_numpyro_model

    model = make_numpyro_model(plan)
    guides = {"normal": autoguide.AutoNormal, "mvn": autoguide.AutoMultivariateNormal,
              "delta": autoguide.AutoDelta}
    g = guides[guide](model)
    engine = SVI(model, g, optim.Adam(learning_rate), Trace_ELBO())
    args = (dict(data), jnp.asarray(params, dtype=jnp.float32), dict(arrays))
    k_fit, k_draw = jax.random.split(jax.random.PRNGKey(check_seed(seed)))
    result = engine.run(k_fit, steps, *args, progress_bar=False)
    observed = {st.name for st in plan.steps if st.observed or st.mode == "data"}
    # Predictive leaves out the guide's latent sites unless they are asked for by name
    sites = [st.name for st in plan.steps if st.name not in observed]
    # the imputed cells of observed nodes (observe(missing="impute")) are latents too (a
    # discrete node's are summed out: no site)
    from docalc.compiler.plan.enumeration import summed_out

    sites += [UNOBSERVED.format(st.name) for st in plan.steps
              if MISSING_KEY.format(st.name) in data and not summed_out(st)]
    sites += [CHECK_SITE.format(k) for k in range(len(plan_checks(plan)[0]))]
    pred = Predictive(model, guide=g, params=result.params, num_samples=draws,
                      return_sites=sites)
    out = pred(k_draw, *args)
    values = {k: np.asarray(v)[None] for k, v in out.items() if k not in observed}
    return values, np.asarray(result.losses)


def fixed(plan: Plan, data: Mapping[str, Any], params: Any, arrays: Mapping[str, Any],
          chains: int, draws: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return the recorded sites of a model with nothing to sample, as (chain, draw) draws.

    Every latent is summed out (e.g. all parameters fixed by ``do``): the posterior of
    the latents is exact, and the computed nodes have one value, repeated per draw.
    """
    from numpyro.infer.util import Predictive

    from docalc.compiler.lower.lowering import make_numpyro_model

    model = make_numpyro_model(plan)
    sites = [st.name for st in plan.steps if not st.observed and st.mode != "data"]
    sites += [CHECK_SITE.format(k) for k in range(len(plan_checks(plan)[0]))]
    args = (dict(data), jnp.asarray(params, dtype=jnp.float32), dict(arrays))
    out = Predictive(model, num_samples=1, return_sites=sites)(jax.random.PRNGKey(0), *args)
    values = {k: np.broadcast_to(np.asarray(v), (chains, draws, *np.shape(v)[1:])).copy()
              for k, v in out.items()}
    return values, {}
