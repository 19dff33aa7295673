"""The pointwise log-likelihood of a fit: the ``log_likelihood`` group, and one term per unit.

For each posterior draw the NumPyro model (:func:`make_numpyro_model`) is traced with the
draw's latent values substituted, and every observed site's log density is kept
(``numpyro.infer.util.log_likelihood``): the observed nodes' sample sites, and any
``numpyro.factor`` site (a factor is an observed site in NumPyro, so a marginalized
discrete latent's per-unit term is one of them, named after its site). A masked
observation (an imputed cell) has log density 0 there, as NumPyro's mask makes it, so
it adds nothing to its unit's term. Deterministic sites (computed nodes, the value checks
of ``value_checks.CHECK_SITE``) have no likelihood and are left out.

Draws are evaluated in chunks of a fixed size (the last one padded), so that memory is
bounded by the chunk and one compiled function serves every chunk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.compiler.plan.run_plan import Plan
from docalc.dsl.ir import CheckedModel

if TYPE_CHECKING:
    import xarray as xr

#: Values (4 bytes each) one chunk of draws may hold while its sites are traced: 64 MiB.
CHUNK_VALUES = 2**24
MASKED = "_observed"  # NumPyro's suffix for the observed half of a site with ``obs_mask``
UNMASKED = "_unobserved"  # and for its latent half

_JITTED: dict[Any, Any] = {}


@dataclass(frozen=True)
class Pointwise:
    """Log densities per observed site, with the plate each one is in.

    Attributes
    ----------
    values : dict of str to ndarray
        Shape (draws, *site shape) per variable, named after the node (or factor site).
    plates : dict of str to (str or None)
        The plate of each variable; None for a global one.
    """

    values: dict[str, np.ndarray]
    plates: dict[str, str | None]


def _sites(model: Any, args: tuple[Any, ...]) -> tuple[list[str], dict[str, str | None]]:
    """Return the latent sample sites and the plate of each observed site (abstract trace)."""
    import jax
    from numpyro import handlers
    from numpyro.infer.initialization import init_to_uniform

    latent: list[str] = []
    plates: dict[str, str | None] = {}

    def probe(a: tuple[Any, ...]) -> int:
        # traced with abstract values: no value check can fire on a made-up draw; latent
        # sites get a value the way NUTS initializes them (a site whose density is in a
        # marginalized latent's factor has no sampler of its own)
        seeded = handlers.substitute(handlers.seed(model, 0), substitute_fn=init_to_uniform)
        tr = handlers.trace(seeded).get_trace(*a)
        for name, site in tr.items():
            if site["type"] != "sample":
                continue
            if site["is_observed"]:
                frames = site.get("cond_indep_stack") or []
                plates[name] = frames[0].name if frames else None
            else:
                latent.append(name)
        return 0

    jax.eval_shape(probe, args)
    return latent, plates


def _variable(name: str, nodes: frozenset[str]) -> str:
    """Name a site's variable: a masked observation's site ``y_observed`` is node ``y``."""
    if name not in nodes and name.endswith(MASKED) and name[:-len(MASKED)] in nodes:
        return name[:-len(MASKED)]
    return name


def pointwise(plan: Plan, data: Mapping[str, Any], params: Any, arrays: Mapping[str, Any],
              values: Mapping[str, np.ndarray], draws: int) -> Pointwise | None:
    """Return the log density of every observed site for each of ``draws`` draws.

    Parameters
    ----------
    plan : Plan
        The inference plan the fit sampled.
    data, params, arrays
        The model's arguments, as the sampler got them.
    values : mapping
        Posterior draws by site, with one leading draw axis of length ``draws``.
    draws : int
        The number of draws.

    Returns
    -------
    Pointwise or None
        None when some latent site has no draws (a fit that did not keep it), so no
        likelihood can be computed from them.
    """
    import jax
    import jax.numpy as jnp

    from docalc.compiler.lower.lowering import make_numpyro_model

    args = (dict(data), jnp.asarray(params, dtype=jnp.float32), dict(arrays))
    cached = _JITTED.get(plan.key)
    if cached is None:
        from numpyro.infer.util import log_likelihood

        # imputed cells add nothing to their unit's term (in a factor of marginalized
        # values too): the term is the density of what was observed
        model = make_numpyro_model(plan, pointwise=True)
        latent, plates = _sites(model, args)

        def run(samples: Any, d: Any, p: Any, a: Any) -> Any:
            return log_likelihood(model, samples, d, p, a, parallel=True)

        cached = _JITTED[plan.key] = (jax.jit(run), latent, plates)
    run, latent, plates = cached
    samples = {}
    for k in latent:
        v = values.get(k)
        if v is None and k.endswith(UNMASKED) and k[:-len(UNMASKED)] in values:
            # a masked site's latent half: the node's interleaved value holds it where the
            # mask is off, which is all NumPyro reads of it
            v = values[k[:-len(UNMASKED)]]
        if v is None:
            return None
        samples[k] = np.asarray(v)
    per_draw = sum(int(np.prod(np.shape(v)[1:])) for v in samples.values()) \
        + sum(plan.size.get(st.node.plate, 1) if st.node.plate else 1 for st in plan.steps)
    chunk = max(1, min(draws, CHUNK_VALUES // max(per_draw, 1)))
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, draws, chunk):
        stop = min(start + chunk, draws)
        # the last chunk is padded with its last draw: one shape, one compilation
        take = np.minimum(np.arange(start, start + chunk), stop - 1)
        out = jax.device_get(run({k: v[take] for k, v in samples.items()}, *args))
        for k, v in out.items():
            parts.setdefault(k, []).append(np.asarray(v)[:stop - start])
    nodes = frozenset(st.name for st in plan.steps)
    result = {_variable(k, nodes): np.concatenate(v) for k, v in parts.items()}
    if not samples:
        # nothing is sampled (every unknown summed out, the parameters fixed by do()):
        # NumPyro evaluates one draw per chunk, and that one serves every draw
        result = {k: np.repeat(v[:1], draws, axis=0) for k, v in result.items()}
    return Pointwise(result, {_variable(k, nodes): p for k, p in plates.items()})


def attach(result: xr.DataTree, checked: CheckedModel, plan: Plan, data: Mapping[str, Any],
           params: Any, arrays: Mapping[str, Any], values: Mapping[str, np.ndarray],
           coords: Mapping[str, Any]) -> None:
    """Add the ``log_likelihood`` group (chain, draw, plate) to a fit's DataTree.

    ``values`` are the posterior's, with leading (chain, draw) axes. Left out, with a
    :class:`~docalc.LooWarning`, when it would hold more values than a run may
    (``limits.max_values``); left out when the posterior lacks a latent site it needs.
    """
    import warnings

    from docalc.compiler.results.trees import dataset, split_chains
    from docalc.compiler.run.limits import max_values, node_size
    from docalc.dsl.errors import LooWarning

    post = result["posterior"]
    chains, n = int(post.sizes.get("chain", 1)), int(post.sizes.get("draw", 0))
    flat = {k: np.asarray(v).reshape(-1, *np.shape(v)[2:]) for k, v in values.items()}
    if not chains * n:
        return
    size = chains * n * sum(node_size(st.node.plate, plan.size) for st in plan.steps
                            if st.observed)
    if size > max_values():
        warnings.warn(f"the log_likelihood group is left out: it would hold {size:,} values, "
                      f"more than the limit of {max_values():,} (compare and loo need it: "
                      "fit fewer draws)", LooWarning, stacklevel=4)
        return
    found = pointwise(plan, data, params, arrays, flat, chains * n)
    if found is None or not found.values:
        # a shift of a latent node draws its factual value at a site the posterior does
        # not keep (`x__factual`): no warning on every such fit, compare says why (E918)
        return
    dims = {k: [p] if (p := found.plates.get(k)) is not None and v.ndim > 1 else []
            for k, v in found.values.items()}
    result["log_likelihood"] = dataset(checked, split_chains(found.values, chains), coords,
                                       dims=dims)


def per_unit(tree: xr.DataTree) -> tuple[xr.DataArray, str] | str:
    """Return a fit's log-likelihood summed over each unit's observed sites, and its plate.

    Every variable of the ``log_likelihood`` group (an observed node, or a factor site of
    marginalized latents) with dims (chain, draw, plate) adds to its unit's term; a masked
    (imputed) cell adds 0. Returns, instead, why there is no term per unit: a variable
    that is global, or variables in more than one plate.
    """
    ds = tree["log_likelihood"].to_dataset()
    plates: dict[str, list[str]] = {}
    for name, v in ds.data_vars.items():
        extra = [str(d) for d in v.dims if d not in ("chain", "draw")]
        if len(extra) != 1:
            return f"its observed node '{name}' is global, not one value per unit" \
                if not extra else f"'{name}' has dims {', '.join(extra)}, not one plate"
        plates.setdefault(extra[0], []).append(str(name))
    if len(plates) != 1:
        where = "; ".join(f"{', '.join(v)} in plate '{p}'" for p, v in plates.items())
        return f"its observed nodes are in more than one plate ({where}), so no one " \
               "term belongs to a unit" if plates else "its log_likelihood group is empty"
    (plate, names), = plates.items()
    total = sum((ds[n].astype("float64") for n in names[1:]), ds[names[0]].astype("float64"))
    return total.transpose("chain", "draw", plate), plate
