"""Fitting: condition on the data and infer everything upstream (NUTS or SVI).

In: the checked model, its bound data and array interventions; out: the posterior as a
DataTree (``docalc.Model.fit`` wraps it in a ``Fit``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.compiler.bind.seeds import check_seed
from docalc.compiler.run.jax_setup import ensure_jax
from docalc.dsl.errors import SamplingWarning, raise_diagnostics, runtime
from docalc.dsl.ir import CheckedModel, Kind

GUIDES = ("normal", "mvn", "delta")
"""SVI guides: AutoNormal, AutoMultivariateNormal, AutoDelta."""

if TYPE_CHECKING:
    import xarray as xr

    from docalc.compiler.bind.data import Bound


def whole(label: str, v: Any, minimum: int) -> int:
    """Return ``v`` as an int of at least ``minimum`` (1000.0 is fine, 2.5 and "3" are not)."""
    if not isinstance(v, bool) and isinstance(v, numbers.Real):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and f >= minimum:
            return int(f)
    raise runtime.not_whole(None, label=label, value=v, minimum=minimum).error()


def _real(label: str, v: Any, low: float, high: float) -> float:
    """Return ``v`` as a float strictly between ``low`` and ``high``."""
    if not isinstance(v, bool) and isinstance(v, numbers.Real) and low < float(v) < high:
        return float(v)
    raise runtime.not_in_range(None, label=label, value=v, low=low, high=high).error()


def fit(checked: CheckedModel, bound: Bound | None, arrays: Mapping[str, np.ndarray], *,
        method: str, chains: int, tune: int, draws: int, seed: int, target_accept: float,
        max_tree_depth: int, steps: int, learning_rate: float, guide: str,
        progress: bool, log_likelihood: bool = True,
        keep_deterministic: bool | None = None) -> xr.DataTree:
    """Condition on the bound data and infer everything upstream; return the posterior.

    ``keep_deterministic``: whether the posterior keeps each unit-level deterministic node
    (None: unless they would hold more than :data:`KEEP_DETERMINISTIC` values, with a
    ``SamplingWarning``); left out, the compiled sampler never holds them, and forward runs
    recompute them from the draws.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats`` (NUTS), ``observed_data``,
        ``constant_data``, ``log_likelihood`` (unless ``log_likelihood`` is False, see
        :mod:`docalc.compiler.run.loglik`); attrs ``method`` (and ``final_loss`` for SVI).
    """
    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.bind.interventions import check_array_shapes
    from docalc.compiler.bind.missing import UNOBSERVED
    from docalc.compiler.plan.enumeration import plan_groups, probs_name
    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.plan.value_checks import check_samples

    if method not in ("nuts", "svi"):
        raise runtime.unknown_method(None, method=method).error()
    chains, draws, steps = (whole(k, v, 1) for k, v in
                            (("chains", chains), ("draws", draws), ("steps", steps)))
    tune = whole("tune", tune, 0)
    max_tree_depth = whole("max_tree_depth", max_tree_depth, 1)
    target_accept = _real("target_accept", target_accept, 0.0, 1.0)
    learning_rate = _real("learning_rate", learning_rate, 0.0, math.inf)
    if guide not in GUIDES:
        raise runtime.unknown_guide(None, guide=guide,
                                    guides=", ".join(map(repr, GUIDES))).error()
    check_seed(seed)
    if bound is None:
        raise runtime.no_data_to_fit(None).error()
    check_conditioning(checked, bound.names)
    check_array_shapes(checked, arrays, bound.sizes)
    observed = {k for k in bound.names if checked.node(k).kind is not Kind.DATA}
    if not observed:
        # conditioning on nothing: the "posterior" would be the prior, silently
        group_plates = {n.index_of for n in checked.nodes if n.index_of is not None}
        stochastic = [n.name for n in checked.nodes if n.kind is Kind.STOCHASTIC
                      and n.plate is not None and n.plate not in group_plates] or \
            [n.name for n in checked.nodes if n.kind is Kind.STOCHASTIC]
        raise runtime.nothing_observed(
            None, inputs=", ".join(f"'{k}'" for k in sorted(bound.names)) or "(none)",
            nodes=", ".join(f"'{k}'" for k in stochastic[:6])
            + (", ..." if len(stochastic) > 6 else "")).error()
    plan = inference_plan(checked, bound.sizes, observed, bound.missing)
    latent = latent_steps(plan)
    if not latent and not bound.missing:
        raise runtime.nothing_to_infer(None).error()
    # latent discrete nodes are summed out (or refused here, before compiling anything),
    # and so are the missing cells of a discrete node
    marg = plan_groups(plan, checked.text)
    summed = {n for g in marg for n in g.latents}
    partly = {n for g in marg for n in g.partly}
    drop = _left_out(plan, bound.sizes, (chains if method == "nuts" else 1) * draws,
                     keep_deterministic)
    _check_size(plan, bound.sizes, method, chains, tune, draws, drop)
    ensure_jax()
    from docalc.compiler.run import inference

    columns = data_mod.as_arrays(checked, bound)
    from docalc.compiler.run.simulation import literal_params

    params = literal_params(checked, plan)
    attrs: dict[str, Any] = {"method": method}
    sites = [st.name for st in latent if st.name not in summed]
    # a continuous node's imputed cells are sample sites too
    sites += [UNOBSERVED.format(k) for k in bound.missing if k not in partly]
    kept_chains = chains if method == "nuts" else 1
    if not sites:
        # nothing continuous is left to sample: the latents' posterior is exact as it is
        values, stats = inference.fixed(plan, columns, params, arrays, kept_chains, draws)
    elif method == "nuts":
        settings = inference.Settings(chains, tune, draws, float(target_accept), max_tree_depth,
                                      progress, drop)
        out = inference.nuts(plan, columns, params, arrays, settings, seed)
        values, stats = out.values, out.stats
    else:
        values, losses = inference.svi(plan, columns, params, arrays, steps=steps,
                                       draws=draws, seed=seed, learning_rate=learning_rate,
                                       guide=guide)
        stats = {}
        attrs["final_loss"] = float(losses[-1])
    if marg:
        from docalc.compiler.run.discrete_posterior import add

        values = add(plan, marg, columns, params, arrays, values, sites,
                     kept_chains, draws, seed)
    # imported here, not above: inference.nuts imports it while XLA samples
    from docalc.compiler.results.trees import dataset, tree

    # a sampler compiled for earlier intervention values is re-used for new ones: the draws
    # record whether the new values gave some distribution an invalid parameter
    check_samples(plan, values)
    # `<node>__<role>` sites are docalc's own (the checker keeps "__" out of user names)
    probs = {probs_name(g.variable(n)): values[probs_name(g.variable(n))]
             for g in marg for n in g.latents}
    values = {k: v for k, v in values.items() if "__" not in k and k not in observed}
    kept = {k: v for k, v in values.items() if k not in drop}
    posterior = dataset(checked, kept, bound.coords)
    if summed:
        from docalc.compiler.run.discrete_posterior import name_dims

        posterior = name_dims(posterior, marg, probs, bound.coords)
    groups = {"posterior": posterior}
    if stats:
        groups["sample_stats"] = dataset(checked, stats, bound.coords)
    obs = {k: v for k, v in bound.columns.items() if k in observed}
    if obs:
        groups["observed_data"] = dataset(checked, obs, bound.coords, lead=())
    inputs = {k: v for k, v in bound.columns.items() if k not in observed}
    if inputs:
        groups["constant_data"] = dataset(checked, inputs, bound.coords, lead=())
    result = tree(groups, attrs)
    if log_likelihood:
        from docalc.compiler.run.loglik import attach

        attach(result, checked, plan, columns, params, arrays, values, bound.coords)
    if method == "nuts" and stats:
        free = [st.name for st in latent if st.name in values and st.name not in summed]
        _diagnose(result, chains, free)
    return result


#: Values (draws x units) of unit-level deterministic nodes above which a fit leaves them
#: out of the posterior unless ``keep_deterministic=True``: 10**8, 400 MB of float32.
KEEP_DETERMINISTIC = 10**8


def _left_out(plan: Any, sizes: Mapping[str, int], draws: int,
              keep: bool | None) -> tuple[str, ...]:
    """Return the unit-level deterministic nodes a fit leaves out of its posterior."""
    dets = [st for st in plan.steps
            if st.mode == "det" and st.node.plate is not None and not st.observed]
    if keep is True or not dets:
        return ()
    names = [st.name for st in dets]
    values = draws * sum(int(sizes[st.node.plate]) for st in dets)
    if keep is None:
        if values <= KEEP_DETERMINISTIC:
            return ()
        warnings.warn(f"the posterior leaves out the unit-level deterministic node"
                      f"{'s' if len(names) > 1 else ''} {', '.join(names)} ({values:,} "
                      f"values, over {KEEP_DETERMINISTIC:,}); predict, effect and "
                      "counterfactual recompute them from the draws. Pass "
                      "keep_deterministic=True to keep them, or False to leave them out "
                      "without this warning", SamplingWarning, stacklevel=4)
    return tuple(names)


def _check_size(plan: Any, sizes: Mapping[str, int], method: str, chains: int, tune: int,
                draws: int, drop: tuple[str, ...] = ()) -> None:
    """Refuse a fit whose draws would not fit in memory, before compiling or sampling."""
    from docalc.compiler.run.limits import check_values

    kept = [st.node.plate for st in plan.steps
            if not st.observed and st.mode != "data" and st.name not in drop]
    if method == "nuts":
        what = f"fit(chains={chains}, tune={tune}, draws={draws})"
        # the sampler's loop keeps every iteration's latent values, warm-up included
        check_values(what, chains * (tune + draws),
                     [st.node.plate for st in latent_steps(plan)], sizes,
                     "lower chains, tune or draws")
        check_values(what, chains * draws, kept, sizes, "lower chains or draws")
    else:
        check_values(f"fit(method='svi', draws={draws})", draws, kept, sizes, "lower draws")


def latent_steps(plan: Any) -> list[Any]:
    """Return the steps of an inference plan that a fit infers: its latent nodes.

    Drawn nodes that are not observed, and shifts of a drawn factual value (a shift is
    random only through that draw, not through a data column or a formula). The one rule
    for what is latent: fitting, and checking a saved posterior, use it.
    """
    return [st for st in plan.steps if not st.observed and (
        st.mode in ("sample", "dist") or (st.mode == "shift" and st.node.dist is not None))]


def check_conditioning(checked: CheckedModel, names: frozenset[str]) -> None:
    """Refuse conditioning on deterministic nodes and on nodes fixed by an intervention.

    Raises
    ------
    DocalcConditioningError
        For each such node, all at once.
    """
    diags = []
    for name in sorted(names):
        node = checked.node(name)
        iv = checked.intervention(name)
        if node.kind is Kind.DETERMINISTIC and iv is None:
            diags.append(runtime.observe_deterministic(node.span, name=name)
                         .with_source(checked.text))
        elif iv is not None and iv.kind in ("set", "shift") and node.kind is not Kind.DATA:
            # (a data input's column is its factual value, which a shift reads)
            # a do() given as text to the API has its own source, not the model's lines
            text = checked.text if iv.span is not None and \
                iv.span.source == checked.source else None
            diags.append(runtime.observe_intervened(iv.span, name=name, intervention=str(iv))
                         .with_source(text))
    if diags:
        raise_diagnostics(diags)


def _diagnose(result: xr.DataTree, chains: int, free: list[str]) -> None:
    div = int(result["sample_stats"]["diverging"].sum())
    if div:
        n = int(result["sample_stats"]["diverging"].size)
        warnings.warn(f"{div} of {n} draws diverged; the posterior may be biased. Raise "
                      "target_accept (e.g. 0.95) or reparameterise (non-centred)",
                      SamplingWarning, stacklevel=4)
    post = result["posterior"]
    if chains < 2 or post.sizes["draw"] < 4:
        return  # split R-hat needs two chains and two draws per half-chain
    worst = {k: float(np.nanmax(split_rhat(post[k].to_numpy()))) for k in free}
    bad = {k: v for k, v in worst.items() if v > 1.01}
    if bad:
        names = ", ".join(f"{k} ({v:.3f})" for k, v in sorted(bad.items()))
        warnings.warn(f"R-hat above 1.01 for {names}: the chains disagree; run longer or "
                      "check the model", SamplingWarning, stacklevel=4)


def split_rhat(x: np.ndarray) -> np.ndarray:
    """Return the split-chain R-hat of draws shaped (chain, draw, ...).

    The classic Gelman-Rubin statistic on half-chains, as ``numpyro.diagnostics`` and
    ArviZ compute it. Written out here because importing either package costs 0.4-0.9 s
    at the start of every refit, and a refit of a known structure otherwise needs neither
    (``Fit.summary`` reports ArviZ's rank-normalised R-hat).
    """
    n = x.shape[1] // 2
    halves = np.concatenate([x[:, :n], x[:, -n:]], axis=0).astype(np.float64)
    within = halves.var(axis=1, ddof=1).mean(axis=0)
    between = n * halves.mean(axis=1).var(axis=0, ddof=1)
    var = (n - 1) / n * within + between / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(var / within)
