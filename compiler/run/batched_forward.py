"""Forward runs over many posterior (or prior) draws: jitted once per plan structure.

Draws are processed in batches so memory stays bounded for millions of units; every
batch re-uses the same compiled function. A batch's draws are split over every JAX device
(one per CPU core by default, see ``jax_setup``; the GPUs where there are some) with
``jax.shard_map``: each device runs its draws as one device would, so the values do not
depend on the number of devices.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from docalc.compiler.bind.seeds import check_seed
from docalc.compiler.lower.lowering import make_forward
from docalc.compiler.lower.means import mean_key
from docalc.compiler.plan.run_plan import Plan
from docalc.compiler.plan.value_checks import Check, plan_checks, raise_violations
from docalc.compiler.run.inference import count_trace
from docalc.compiler.run.limits import check_values

_FORWARD: dict[str, tuple[Callable[..., Any], tuple[Check, ...]]] = {}
MAX_ELEMENTS = 2**24  # per batch: draws x largest plate x nodes kept, about 64 MB of float32


def draw_keys(seed: int, n: int) -> Any:
    """Per-draw keys; the same seed gives the same keys, hence common random numbers."""
    return _draw_keys(check_seed(seed), n)


@functools.lru_cache(maxsize=8)
def _draw_keys(seed: int, n: int) -> Any:
    # a run over unit batches asks for the same keys once per batch
    base = jax.random.PRNGKey(seed)
    return jax.vmap(lambda i: jax.random.fold_in(base, i))(jnp.arange(n))


def _forward(plan: Plan, means: tuple[str, ...] = (), keep: tuple[str, ...] | None = None,
             devices: int = 1) -> tuple[Callable[..., Any], tuple[Check, ...]]:
    # the nodes whose means are returned, those returned at all and the devices the draws
    # are spread over change the traced function: part of the key
    key = f"{plan.key}|means={','.join(means)}|keep={'*' if keep is None else ','.join(keep)}" \
          f"|devices={devices}"
    cached = _FORWARD.get(key)
    if cached is None:
        run = make_forward(plan, means)

        def draws_of(keys: Any, draws: Any, shared: Any, params: Any, arrays: Any) -> Any:
            def one(key: Any, draw: Any) -> Any:
                values, counts = run(key, {**shared, **draw}, params, arrays)
                # only what is kept leaves the function, so XLA computes nothing else
                # (a node's draw that only its mean is wanted of; the checks still run)
                if keep is not None:
                    values = {k: v for k, v in values.items() if k in keep}
                return values, counts

            return jax.vmap(one)(keys, draws)

        if devices == 1:
            def batch(*args: Any) -> Any:
                count_trace("forward")
                return draws_of(*args)
        else:
            # the draws split over the devices (CPU cores, or GPUs), each running its share
            # of draws as one device would: no device talks to another, so the values are
            # those of one device
            from jax.sharding import Mesh, PartitionSpec

            mesh = Mesh(np.asarray(jax.devices()[:devices]), ("draw",))
            split, whole = PartitionSpec("draw"), PartitionSpec()
            spread = jax.shard_map(draws_of, mesh=mesh,
                                   in_specs=(split, split, whole, whole, whole),
                                   out_specs=split, check_vma=False)

            def batch(*args: Any) -> Any:
                count_trace("forward")
                return spread(*args)

        # plans with one key have equal checks (they do not depend on intervention values)
        cached = _FORWARD[key] = (jax.jit(batch), plan_checks(plan)[0])
    return cached


def device_count(n_draws: int) -> int:
    """Return how many devices a run of ``n_draws`` spreads its draws over: all of them.

    ``DOCALC_FORWARD_DEVICES`` lowers it (1: one device), as a check that the values do not
    depend on it.
    """
    import os

    n = len(jax.devices())
    text = os.environ.get("DOCALC_FORWARD_DEVICES", "").strip()
    if text.isdigit() and int(text) > 0:
        n = min(n, int(text))
    return max(1, min(n, n_draws))


def forward(plan: Plan, *, seed: int, n_draws: int, draws: Mapping[str, np.ndarray],
            shared: Mapping[str, np.ndarray], params: Any, arrays: Mapping[str, Any],
            keep: list[str] | None = None, what: str = "the forward run",
            fix: str = "use fewer draws or units",
            means: list[str] | None = None) -> dict[str, np.ndarray]:
    """Run the plan once per draw; ``draws`` have a leading draw axis, ``shared`` not.

    Returns the kept nodes' values with a leading draw axis, as NumPy arrays; for each
    node of ``means`` the run draws from its mechanism, also its mechanism mean, under
    ``means.mean_key(name)`` (see ``lowering.make_forward``).

    Raises
    ------
    DocalcSizeError
        Before anything runs, when the kept values of all draws (or one draw's values of
        every node) would exceed the memory limit; ``what`` and ``fix`` word the message.
    """
    sizes = plan.size
    wanted = tuple(sorted(set(means or ())))
    kept = [st.node.plate for st in plan.steps if keep is None or st.name in keep]
    kept += [st.node.plate for st in plan.steps if st.name in wanted]  # their means
    check_values(what, n_draws, kept, sizes, fix)
    # a batch holds at least one whole draw of every node, however few are kept
    check_values(what, 1, [st.node.plate for st in plan.steps], sizes, fix)
    if keep is not None and wanted:
        keep = [*keep, *(mean_key(n) for n in wanted)]
    devices = device_count(n_draws)
    fn, checks = _forward(plan, wanted, None if keep is None else tuple(sorted(set(keep))),
                          devices)
    keys = draw_keys(seed, n_draws)
    params = jnp.asarray(params, dtype=jnp.float32)
    width = max([1, *plan.size.values()]) * max(len(plan.steps), 1)
    step = max(1, min(n_draws, MAX_ELEMENTS // width))
    step = -(-step // devices) * devices  # each device gets as many draws
    outs: list[dict[str, np.ndarray]] = []
    for start in range(0, n_draws, step):
        stop = min(start + step, n_draws)
        part = {k: v[start:stop] for k, v in draws.items()}
        if stop - start < step:
            # pad the last batch to the compiled size rather than compile a new shape
            pad = step - (stop - start)
            part = {k: np.concatenate([v, np.repeat(v[-1:], pad, axis=0)]) for k, v in
                    part.items()}
            ks = jnp.concatenate([keys[start:stop], jnp.repeat(keys[stop - 1:stop], pad, 0)])
        else:
            pad = 0
            ks = keys[start:stop]
        res, counts = fn(ks, part, dict(shared), params, dict(arrays))
        res = {k: v for k, v in res.items() if keep is None or k in keep}
        got, counts = jax.device_get((res, counts))
        # an intervention value that made some distribution's parameter invalid (only the
        # real draws count, not the padding)
        raise_violations(checks, [np.asarray(c)[: stop - start] for c in counts])
        outs.append({k: np.asarray(v)[: stop - start] if pad else np.asarray(v)
                     for k, v in got.items()})
    return {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}
