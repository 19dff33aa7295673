"""Each unit's exact posterior over its marginalized latents, per posterior draw.

Given a draw of the continuous nodes, a unit's latent values have the posterior of the
normalized terms the model's factor sums (:func:`make_enumeration_terms`): the
infer_discrete idea. Per draw the fit keeps each latent's value probabilities
(``<latent>__probs``, dims chain, draw, plate, ``<latent>__value``) and one draw of the
latents from that conditional (under the latent's own name, as any per-unit latent), so
that predict, effect, query and counterfactual read them as they read any other draw.
The draws come from a key made from the fit's seed: the same seed gives the same draws.

A discrete node with missing cells (``observe(df, missing="impute")``) has them summed out
in the same groups; its variables hold those cells only, as a continuous node's imputed
cells are: ``<node>_unobserved`` (draws, dims chain, draw, ``<node>_unobserved_dim_0``)
and ``<node>_unobserved__probs`` (their value probabilities, with one more dim
``<node>_unobserved__value``). At its observed units the conditional is the observed value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from docalc.compiler.bind.missing import MISSING_KEY
from docalc.compiler.plan.enumeration import Group, probs_name, value_dim
from docalc.compiler.plan.run_plan import Plan

_STREAM = 0x0D15C  # folded into the fit's seed: the latents' own random stream
_CHUNK = 64  # draws evaluated at once (memory: chunk x joint values x units)
_FUNCTIONS: dict[str, Any] = {}


def _compiled(plan: Plan, groups: tuple[Group, ...]) -> Any:
    fn = _FUNCTIONS.get(plan.key)
    if fn is not None:
        return fn
    from docalc.compiler.lower.lowering import make_enumeration_terms

    terms = make_enumeration_terms(plan)

    def one(key: Any, values: Any, data: Any, params: Any, arrays: Any) -> Any:
        out = []
        for g, lp in zip(groups, terms(values, data, params, arrays), strict=True):
            lp = lp.astype(jnp.float32)
            joint = jax.nn.softmax(lp, axis=0)  # (joint values, units)
            key, sub = jax.random.split(key)
            pick = jax.random.categorical(sub, lp, axis=0)  # (units,)
            shaped = joint.reshape(*g.sizes, -1)
            for i, _ in enumerate(g.latents):
                others = tuple(a for a in range(len(g.sizes)) if a != i)
                probs = shaped.sum(axis=others) if others else shaped
                value = jnp.unravel_index(pick, g.sizes)[i]
                out.append((probs.T, value.astype(jnp.int32)))
        return out

    def run(keys: Any, values: Any, data: Any, params: Any, arrays: Any) -> Any:
        return jax.lax.map(lambda kv: one(kv[0], kv[1], data, params, arrays),
                           (keys, values), batch_size=_CHUNK)

    fn = _FUNCTIONS[plan.key] = jax.jit(run)
    return fn


def add(plan: Plan, groups: tuple[Group, ...], data: Mapping[str, Any], params: Any,
        arrays: Mapping[str, Any], values: dict[str, np.ndarray], sites: list[str],
        chains: int, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Return ``values`` with each marginalized latent's draws and value probabilities.

    Parameters
    ----------
    plan : Plan
        The inference plan.
    groups : tuple of Group
        Its marginalized groups (``plan_groups``).
    data, params, arrays
        The model's arguments, as the sampler had them.
    values : dict
        The fit's draws, (chain, draw, ...) per site.
    sites : list of str
        The sample sites of the model (continuous latents) to hold at each draw.
    chains, draws : int
        The posterior's shape.
    seed : int
        The fit's seed.
    """
    n = chains * draws
    held = {k: np.asarray(values[k]).reshape(n, *np.shape(values[k])[2:]) for k in sites}
    keys = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(seed), _STREAM), n)
    out = jax.device_get(_compiled(plan, groups)(
        keys, held, dict(data), jnp.asarray(params, dtype=jnp.float32), dict(arrays)))
    latents = [(g, name) for g in groups for name in g.latents]
    new = dict(values)
    for (g, name), (probs, value) in zip(latents, out, strict=True):
        probs, value = np.asarray(probs), np.asarray(value)
        if name in g.partly:
            # the missing cells only (elsewhere the conditional is the observed value)
            holes = np.asarray(data[MISSING_KEY.format(name)])
            probs, value = probs[:, holes], value[:, holes]
        var = g.variable(name)
        new[probs_name(var)] = probs.reshape(chains, draws, *probs.shape[1:])
        new[var] = value.reshape(chains, draws, *value.shape[1:])
    return new


def name_dims(post: Any, groups: tuple[Group, ...], probs: Mapping[str, np.ndarray],
              coords: Mapping[str, Any]) -> Any:
    """Return the posterior Dataset with each ``<latent>__probs`` on (plate, value) dims.

    A node with missing cells has ``<node>_unobserved__probs`` on (its cells' dim, value).
    """
    for g in groups:
        for name, size in zip(g.latents, g.sizes, strict=True):
            base = g.variable(name)
            var = probs_name(base)
            dim = base + "_dim_0" if name in g.partly else g.plate
            units = post.sizes.get(dim)
            unit = coords.get(dim)
            post = post.assign({var: (("chain", "draw", dim, value_dim(base)), probs[var])})
            if units is None:
                post = post.assign_coords({dim: np.asarray(unit) if unit is not None
                                           else np.arange(probs[var].shape[2])})
            post = post.assign_coords({value_dim(base): np.arange(size)})
    return post
