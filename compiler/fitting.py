"""The model-level runs: simulate, sample the prior, fit (NUTS or SVI)."""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from docalc.dsl.errors import DataWarning, SamplingWarning, diagnostic
from docalc.dsl.ir import CheckedModel, Kind

from .jax_setup import ensure_jax
from .seeds import check_seed

GUIDES = ("normal", "mvn", "delta")
"""SVI guides: AutoNormal, AutoMultivariateNormal, AutoDelta."""

if TYPE_CHECKING:
    import xarray as xr

    from docalc.fit import Fit
    from docalc.model import Model

    from .data import Bound


def literal_params(checked: CheckedModel, plan: Any) -> np.ndarray:
    """Return the intervention literals of a plan, in slot order."""
    from .expr import literal_values
    from .run_plan import intervention_exprs

    return np.asarray(literal_values(intervention_exprs(plan)), dtype=np.float32)


def prepare(model: Model, data: Any, n: int | None, what: str = "data") -> tuple[Bound, Any]:
    """Bind data for a forward run and return it with the arrays cast for JAX."""
    from docalc.interventions import check_array_shapes

    from . import data as data_mod

    bound = data_mod.bind(model.checked, data, n=n, what=what)
    drawn = sorted(k for k in bound.columns if model.checked.node(k).kind is not Kind.DATA)
    if drawn:
        # holding a drawn node at given values would be neither do() nor conditioning;
        # as PyMC's prior predictive does, such columns are drawn afresh (they still size
        # their plates and give group labels)
        warnings.warn(f"simulating draws {', '.join(drawn)} afresh: the {what} column(s) for "
                      "them are not used (only `data` inputs are); to fix a node's value use "
                      f"do({drawn[0]} = ...), to condition on it use observe(...).fit()",
                      DataWarning, stacklevel=4)
        kept = {k: v for k, v in bound.columns.items() if k not in drawn}
        bound = replace(bound, columns=kept)
    check_array_shapes(model.checked, model._arrays, bound.sizes)
    return bound, data_mod.as_arrays(model.checked, bound)


def simulate(model: Model, *, n: int | None, seed: int, data: Any) -> pd.DataFrame:
    """One draw of every node; returns the main plate's variables as a DataFrame."""
    ensure_jax()
    from .run_plan import forward_plan
    from .batched_forward import forward

    checked = model.checked
    bound, shared = prepare(model, data, n)
    plan = forward_plan(checked, bound.sizes, given=bound.names)
    values = forward(plan, seed=seed, n_draws=1, draws={}, shared=shared,
                     params=literal_params(checked, plan), arrays=model._arrays)
    return _frame(checked, {k: v[0] for k, v in values.items()}, bound)


def _frame(checked: CheckedModel, values: dict[str, np.ndarray], bound: Bound) -> pd.DataFrame:
    by_plate: dict[str | None, dict[str, np.ndarray]] = {}
    for node in checked.nodes:
        v = values[node.name]
        if node.index_of is not None and node.index_of in bound.coords:
            v = np.asarray(bound.coords[node.index_of])[np.asarray(v, dtype=int)]
        by_plate.setdefault(node.plate, {})[node.name] = np.asarray(v)
    frames: dict[str | None, pd.DataFrame] = {}
    for plate, cols in by_plate.items():
        if plate is None:
            frames[None] = pd.DataFrame({k: [v.item()] for k, v in cols.items()})
        else:
            index = bound.coords.get(plate)
            frames[plate] = pd.DataFrame(cols, index=pd.Index(index, name=plate)
                                         if index is not None else None)
    groups = {n.index_of for n in checked.nodes if n.index_of}
    units = [p.name for p in checked.plates if p.name not in groups and p.name in frames]
    main = units[0] if units else next((p.name for p in checked.plates if p.name in frames),
                                        None)
    if main not in frames:
        return pd.DataFrame()  # a model with no nodes
    df = frames[main]
    # the other plates' (and the globals') draws ride along for callers who want them
    df.attrs["plates"] = {k if k is not None else "global": v.to_dict("list")
                          for k, v in frames.items() if k != main}
    return df


def sample_prior(model: Model, *, draws: int, n: int | None, seed: int,
                 data: Any) -> xr.DataTree:
    """Draws from the (intervened) prior, as a DataTree with group ``prior``."""
    draws = _whole("draws", draws, 1)
    ensure_jax()
    from .run_plan import forward_plan
    from .batched_forward import forward
    from .results import dataset, tree

    checked = model.checked
    bound, shared = prepare(model, data, n)
    plan = forward_plan(checked, bound.sizes, given=bound.names)
    values = forward(plan, seed=seed, n_draws=draws, draws={}, shared=shared,
                     params=literal_params(checked, plan), arrays=model._arrays)
    values = {k: v[None] for k, v in values.items() if checked.node(k).kind is not Kind.DATA}
    groups = {"prior": dataset(checked, values, bound.coords)}
    inputs = {k: v for k, v in bound.columns.items() if checked.node(k).kind is Kind.DATA}
    if inputs:
        groups["constant_data"] = dataset(checked, inputs, bound.coords, lead=())
    return tree(groups)


def _inference_error(detail: str, hint: str | None = None) -> Exception:
    d = diagnostic("E930", None, detail=detail, hint=hint)
    return d.kind([d])


def _whole(label: str, v: Any, minimum: int) -> int:
    """Return ``v`` as an int of at least ``minimum`` (1000.0 is fine, 2.5 and "3" are not)."""
    if not isinstance(v, bool) and isinstance(v, numbers.Real):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and f >= minimum:
            return int(f)
    what = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
    raise _inference_error(f"{label} must be {what}, got {v!r}")


def _real(label: str, v: Any, low: float, high: float) -> float:
    """Return ``v`` as a float strictly between ``low`` and ``high``."""
    if not isinstance(v, bool) and isinstance(v, numbers.Real) and low < float(v) < high:
        return float(v)
    span = f"in ({low:g}, {high:g})" if math.isfinite(high) else f"greater than {low:g}"
    raise _inference_error(f"{label} must be a number {span}, got {v!r}")


def fit(model: Model, *, method: str, chains: int, tune: int, draws: int, seed: int,
        target_accept: float, max_tree_depth: int, steps: int, learning_rate: float,
        guide: str, progress: bool) -> Fit:
    """Condition on the model's data and infer everything upstream."""
    from docalc.fit import Fit
    from docalc.model import check_conditioning

    from . import data as data_mod
    from .run_plan import check_samples, inference_plan

    if method not in ("nuts", "svi"):
        raise _inference_error(f"unknown method {method!r}", hint="use 'nuts' or 'svi'")
    chains, draws, steps = (_whole(k, v, 1) for k, v in
                            (("chains", chains), ("draws", draws), ("steps", steps)))
    tune = _whole("tune", tune, 0)
    max_tree_depth = _whole("max_tree_depth", max_tree_depth, 1)
    target_accept = _real("target_accept", target_accept, 0.0, 1.0)
    learning_rate = _real("learning_rate", learning_rate, 0.0, math.inf)
    if guide not in GUIDES:
        raise _inference_error(f"unknown guide {guide!r}",
                               hint=f"use one of {', '.join(map(repr, GUIDES))}")
    check_seed(seed)
    checked = model.checked
    bound = model._bound
    if bound is None:
        raise _inference_error("the model has no data to fit",
                               hint="call model.observe(data).fit(), or use sample_prior()")
    check_conditioning(checked, bound.names)
    from docalc.interventions import check_array_shapes

    check_array_shapes(checked, model._arrays, bound.sizes)
    observed = {k for k in bound.names if checked.node(k).kind is not Kind.DATA}
    plan = inference_plan(checked, bound.sizes, observed)
    # a shift is random only through a drawn factual value (not a data column or formula)
    latent = [st for st in plan.steps if not st.observed and (
        st.mode in ("sample", "dist") or (st.mode == "shift" and st.node.dist is not None))]
    if not latent:
        raise _inference_error("every stochastic node is observed or intervened on: there is "
                               "nothing to infer")
    discrete = [st.name for st in latent if _is_discrete(st)]
    if discrete:
        raise _inference_error(
            f"latent discrete node(s) {', '.join(discrete)} cannot be inferred: NUTS and SVI "
            "need continuous unknowns",
            hint=f"give {discrete[0]} a data column, or model it with a continuous "
                 "distribution (e.g. a Beta probability instead of a Bernoulli draw)")
    ensure_jax()
    from . import inference

    arrays = data_mod.as_arrays(checked, bound)
    params = literal_params(checked, plan)
    attrs: dict[str, Any] = {"method": method}
    if method == "nuts":
        settings = inference.Settings(chains, tune, draws, float(target_accept), max_tree_depth,
                                      progress)
        out = inference.nuts(plan, arrays, params, model._arrays, settings, seed)
        values, stats = out.values, out.stats
    else:
        values, losses = inference.svi(plan, arrays, params, model._arrays, steps=steps,
                                       draws=draws, seed=seed, learning_rate=learning_rate,
                                       guide=guide)
        stats = {}
        attrs["final_loss"] = float(losses[-1])
    # imported here, not above: inference.nuts imports it while XLA samples
    from .results import dataset, tree

    # a sampler compiled for earlier intervention values is re-used for new ones: the draws
    # record whether the new values gave some distribution an invalid parameter
    check_samples(plan, values)
    # `<node>__<role>` sites are docalc's own (the checker keeps "__" out of user names)
    values = {k: v for k, v in values.items() if "__" not in k and k not in observed}
    groups = {"posterior": dataset(checked, values, bound.coords)}
    if stats:
        groups["sample_stats"] = dataset(checked, stats, bound.coords)
    obs = {k: v for k, v in bound.columns.items() if k in observed}
    if obs:
        groups["observed_data"] = dataset(checked, obs, bound.coords, lead=())
    inputs = {k: v for k, v in bound.columns.items() if k not in observed}
    if inputs:
        groups["constant_data"] = dataset(checked, inputs, bound.coords, lead=())
    result = tree(groups, attrs)
    fitted = Fit(model, result, bound)
    if method == "nuts":
        free = [st.name for st in latent if st.name in values]
        _diagnose(result, chains, free)
    return fitted


def _is_discrete(step: Any) -> bool:
    from docalc.dsl.distributions import DISTRIBUTIONS

    iv = step.intervention
    dist = iv.dist if iv is not None and iv.dist is not None else step.node.dist
    return dist is not None and DISTRIBUTIONS[dist.name].discrete


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
