"""Forward runs of a model without data to condition on: simulate and sample the prior."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from docalc.compiler.run.jax_setup import ensure_jax
from docalc.dsl.errors import DataWarning
from docalc.dsl.ir import CheckedModel, Kind

if TYPE_CHECKING:
    import xarray as xr

    from docalc.compiler.bind.data import Bound

Arrays = Mapping[str, np.ndarray]


def literal_params(checked: CheckedModel, plan: Any) -> np.ndarray:
    """Return the intervention literals of a plan, in slot order."""
    from docalc.compiler.lower.expr import literal_values
    from docalc.compiler.plan.run_plan import intervention_exprs

    return np.asarray(literal_values(intervention_exprs(plan)), dtype=np.float32)


def prepare(checked: CheckedModel, arrays: Arrays, data: Any, n: int | None,
            what: str = "data") -> tuple[Bound, Any]:
    """Bind data for a forward run and return it with the arrays cast for JAX."""
    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.bind.interventions import check_array_shapes

    bound = data_mod.bind(checked, data, n=n, what=what)
    drawn = sorted(k for k in bound.columns if checked.node(k).kind is not Kind.DATA)
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
    check_array_shapes(checked, arrays, bound.sizes)
    return bound, data_mod.as_arrays(checked, bound)


def simulate(checked: CheckedModel, arrays: Arrays, *, n: int | None, seed: int,
             data: Any) -> pd.DataFrame:
    """One draw of every node; returns the main plate's variables as a DataFrame."""
    ensure_jax()
    from docalc.compiler.plan.run_plan import forward_plan
    from docalc.compiler.run.batched_forward import forward

    bound, shared = prepare(checked, arrays, data, n)
    plan = forward_plan(checked, bound.sizes, given=bound.names)
    values = forward(plan, seed=seed, n_draws=1, draws={}, shared=shared,
                     params=literal_params(checked, plan), arrays=arrays,
                     what=f"simulate(n={n})" if n is not None else "simulate()",
                     fix="lower n" if n is not None else "use fewer units")
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


def sample_prior(checked: CheckedModel, arrays: Arrays, *, draws: int, n: int | None,
                 seed: int, data: Any) -> xr.DataTree:
    """Draws from the (intervened) prior, as a DataTree with group ``prior``."""
    from docalc.compiler.run.fitting import whole

    draws = whole("draws", draws, 1)
    ensure_jax()
    from docalc.compiler.plan.run_plan import forward_plan
    from docalc.compiler.results.trees import dataset, tree
    from docalc.compiler.run.batched_forward import forward

    bound, shared = prepare(checked, arrays, data, n)
    plan = forward_plan(checked, bound.sizes, given=bound.names)
    values = forward(plan, seed=seed, n_draws=draws, draws={}, shared=shared,
                     params=literal_params(checked, plan), arrays=arrays,
                     what=f"sample_prior(draws={draws}" + (f", n={n})" if n is not None else ")"),
                     fix="lower draws or n")
    values = {k: v[None] for k, v in values.items() if checked.node(k).kind is not Kind.DATA}
    groups = {"prior": dataset(checked, values, bound.coords)}
    inputs = {k: v for k, v in bound.columns.items() if checked.node(k).kind is Kind.DATA}
    if inputs:
        groups["constant_data"] = dataset(checked, inputs, bound.coords, lead=())
    return tree(groups)


