"""Predictions, effects and counterfactuals from a fit's posterior draws.

Each is a forward plan over the intervened model, run once per posterior draw with the
draw's values held; scenarios compared with each other use the same keys, so the noise
that an intervention does not touch cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from docalc.compiler.bind import data as data_mod
from docalc.compiler.plan.run_plan import Plan, forward_plan
from docalc.compiler.results.draws import Draws
from docalc.compiler.run.batched_forward import forward
from docalc.compiler.run.jax_setup import ensure_jax
from docalc.compiler.run.unit_batches import unit_plate
from docalc.dsl import errors
from docalc.dsl.ir import CheckedModel, Kind


@dataclass
class Scenario:
    """Everything a forward run over posterior draws needs."""

    checked: CheckedModel
    plan: Plan
    shared: dict[str, np.ndarray]
    draws: dict[str, np.ndarray]
    params: np.ndarray
    arrays: dict[str, np.ndarray]
    n_draws: int
    chains: int
    coords: Mapping[str, Any]
    keep: list[str]
    replan: Callable[[dict[str, int]], Plan]
    """The same plan for other plate sizes (a batch of units)."""
    plate: str | None = None
    """The plate whose units may be cut into batches (see ``unit_batches.unit_plate``)."""
    first: int = 0
    """The global index of the first unit (a table read in row batches): their streams."""

    def run(self, seed: int, keep: list[str] | None = None,
            means: list[str] | None = None,
            batch_size: int | None = None) -> dict[str, np.ndarray]:
        """Run once per draw; values with a flat leading draw axis, then units.

        ``means``: nodes whose mechanism mean is returned too (see ``batched_forward``).
        The units run in batches (``batch_size``, default as many as fill
        ``unit_batches.BATCH_VALUES``); the result does not depend on the cut.
        """
        from docalc.compiler.run.limits import check_values

        keep = keep or self.keep
        wanted = [*keep, *(means or ())]
        check_values(f"a run over {self.n_draws:,} posterior draws", self.n_draws,
                     [self.checked.node(k).plate for k in wanted], self.plan.size,
                     "ask for fewer var_names, or thin the posterior's draws")
        parts = list(self.batches(seed, keep, means, batch_size))
        if len(parts) == 1:
            return parts[0][2]
        out = {}
        for k, head in parts[0][2].items():
            cut = head.ndim >= 2 and self.checked.node(_node(k)).plate == self.plate
            # a global node's values are the same in every batch
            out[k] = np.concatenate([p[2][k] for p in parts], axis=1) if cut else head
        return out

    def batches(self, seed: int, keep: list[str] | None = None,
                means: list[str] | None = None, batch_size: int | None = None
                ) -> Iterator[tuple[int, int, dict[str, np.ndarray]]]:
        """Yield ``(start, stop, values)`` for each batch of units, in order.

        A batch's values are those units' values of one run over every unit (each unit
        draws from its own stream), and a global node's are the same in every batch.
        """
        ensure_jax()
        from docalc.compiler.run import unit_batches as ub
        from docalc.compiler.run.simulation import literal_params

        keep = self.keep if keep is None else keep
        cut = ub.choose(self.plate, self.plan.size, self.n_draws,
                        len(keep) + len(means or ()), batch_size)

        def one(plan: Plan, shared: Any, draws: Any, arrays: Any) -> dict[str, np.ndarray]:
            return forward(plan, seed=seed, n_draws=self.n_draws, draws=draws,
                           shared=shared, params=literal_params(self.checked, plan),
                           arrays=arrays, keep=keep,
                           what=f"a run over {self.n_draws:,} posterior draws",
                           fix="ask for fewer var_names, thin the posterior's draws, or "
                               "pass a smaller batch_size",
                           means=means)

        yield from ub.run_batches(self.checked, cut, self.replan, self.plan.size,
                                  self.shared, self.draws, self.arrays, one, self.first)


def _node(key: str) -> str:
    from docalc.compiler.lower.means import node_of

    return node_of(key)


def outcomes(checked: CheckedModel, observed: Iterable[str]) -> list[str]:
    """Observed stochastic nodes with no observed descendants: what predict resamples."""
    observed = set(observed)
    g = checked.graph(intervened=False)
    out = []
    for name in observed:
        node = checked.node(name)
        if node.kind is not Kind.STOCHASTIC:
            continue
        if not (nx.descendants(g, name) & observed):
            out.append(name)
    return sorted(out, key=checked.names.index)


def scenario(source: Draws, do: Any, data: Any, var_names: str | list[str] | None, *,
             counterfactual: bool = False, targets: list[str] | None = None,
             first: int = 0) -> Scenario:
    """Prepare a forward run of a model's draws under ``do`` for ``data`` (None: in-sample).

    Parameters
    ----------
    source : Draws
        The draws held (a fit's posterior, or prior draws), with their model and data.
    do : dict, str, tuple of ast.Intervention or None
        The intervention (see :func:`docalc.compiler.bind.interventions.apply`).
    data : table or None
        New units; None for the fitted ones.
    var_names : str or list of str or None
        The nodes to output; the plan holds only them and what they read (a node outside
        it is neither computed nor checked). None: every node the run changes.
    counterfactual : bool, optional
        Abduct each observed unit's noise instead of drawing fresh noise.
    targets : list of str, optional
        Nodes to redraw although given (default ``var_names``, else the model's outcomes).
    first : int, optional
        The global index of ``data``'s first unit, when it is one of a table's row batches.

    Returns
    -------
    Scenario
    """
    from docalc.compiler.bind.arguments import names
    from docalc.compiler.bind.interventions import apply, check_array_shapes

    checked, arrays = apply(source.checked, source.arrays, do)
    # one name too, as ArviZ and PyMC take it
    wanted = None if var_names is None else names("var_names", var_names)
    if wanted is not None:
        unknown = [v for v in wanted if v not in checked.names]
        if unknown:
            from docalc.dsl.check.checker import suggest

            raise errors.names.unknown_var_names(None, names=str(unknown),
                                          suggestion=suggest(unknown[0], checked.names)).error()
    flat = source.values
    n_draws, chains = source.n_draws, source.chains
    fitted = source.bound
    if data is None:
        bound = fitted
        draws = flat
    else:
        if counterfactual:
            raise errors.runtime.counterfactual_new_data(None).error()
        group_sizes = {p: s for p, s in fitted.sizes.items()
                       if any(n.index_of == p for n in checked.nodes)}
        bound = data_mod.bind(checked, data, fixed_sizes=group_sizes, what="data",
                              known_labels={k: list(v) for k, v in fitted.coords.items()
                                            if k in group_sizes})
        new_plates = {checked.node(c).plate for c in bound.columns}
        draws = {k: v for k, v in flat.items() if checked.node(k).plate not in new_plates}
    check_array_shapes(checked, arrays, bound.sizes)
    shared = data_mod.as_arrays(checked, bound)
    given = set(draws) | set(shared)
    if counterfactual:
        _refuse_abducted_latents(checked, source)
        draws = {**draws, **_factual_deterministic(source, draws, shared)}
        given = set(draws) | set(shared)

        def replan(sizes: dict[str, int]) -> Plan:
            return forward_plan(checked, sizes, given, counterfactual=True, needed=wanted)
    else:
        if targets is None:
            targets = wanted or outcomes(checked, fitted.names)
        recompute = targets

        # with var_names, only what they read is run and checked: a sibling's invalid
        # parameter under this intervention does not refuse a prediction that never reads
        # it (without var_names every changed node is output, so every one is run)
        def replan(sizes: dict[str, int]) -> Plan:
            return forward_plan(checked, sizes, given, recompute=recompute, needed=wanted)
    plan = replan(dict(bound.sizes))
    changed = [st.name for st in plan.steps if st.mode not in ("given", "data")]
    keep = wanted or changed
    return Scenario(checked, plan, shared, draws, np.zeros(0), arrays, n_draws, chains,
                    bound.coords, keep, replan,
                    unit_plate(checked, bound.sizes, bound.missing), first)


def _factual_deterministic(source: Draws, draws: Mapping[str, np.ndarray],
                           shared: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Recompute the factual values of deterministic nodes a fit left out of its posterior.

    Abduction reads every factual value; a fit with ``keep_deterministic=False`` has the
    draws they are computed from, so they are computed here (no random numbers involved).
    """
    missing = [n.name for n in source.checked.nodes if n.kind is Kind.DETERMINISTIC
               and n.name not in draws and n.name not in shared]
    if not missing:
        return {}
    from docalc.compiler.run.simulation import literal_params

    plan = forward_plan(source.checked, source.bound.sizes, set(draws) | set(shared),
                        needed=missing)
    return forward(plan, seed=0, n_draws=source.n_draws, draws=draws, shared=shared,
                   params=literal_params(source.checked, plan), arrays=source.arrays,
                   keep=missing, what=f"a run over {source.n_draws:,} posterior draws",
                   fix="thin the posterior's draws, or fit with keep_deterministic=True")


def _refuse_abducted_latents(checked: CheckedModel, source: Draws) -> None:
    """Refuse a counterfactual whose intervention reaches a marginalized latent.

    A unit's noise is recovered given each posterior draw of its latents; a latent the
    intervention changes would itself need its noise, which its draw does not determine.
    """
    from docalc.compiler.plan.enumeration import probs_name
    from docalc.compiler.plan.run_plan import affected

    if source.tree is None:
        return
    have = set(map(str, source.tree["posterior"].data_vars))
    summed = {n for n in checked.names if probs_name(n) in have}
    ivs = {i.name for i in checked.interventions if i not in source.checked.interventions}
    reached = sorted((affected(checked, ivs) - ivs) & summed, key=checked.names.index)
    if reached:
        raise errors.runtime.counterfactual_through_latent(
            None, names=", ".join(f"'{n}'" for n in reached)).error()
