"""Effects: outcome under one intervention minus under another, with common random numbers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from docalc.compiler.results.draws import Draws
from docalc.compiler.results.trees import dataset, split_chains, tree
from docalc.compiler.run.posterior_runs import scenario


def hdi(x: np.ndarray, prob: float = 0.94) -> tuple[float, float]:
    """Return the highest-density interval of samples (arviz-stats' definition)."""
    import arviz_stats as azs

    lo, hi = np.asarray(azs.hdi(np.asarray(x, dtype=float).ravel(), prob=prob))
    return float(lo), float(hi)


def effect(source: Draws, outcome: str, do: Any, baseline: Any, data: Any, seed: int,
           hdi_prob: float, per_unit: bool = True, batch_size: int | None = None,
           progress: bool = False, store: Any = None,
           chunks: Iterable[Any] | None = None) -> xr.DataTree:
    """Per-unit and average effect of ``do`` against ``baseline`` on ``outcome``.

    The per-unit effect is the difference of the outcome's draws in the two scenarios
    (common random numbers); the average per posterior draw is the difference of the
    outcome's expectations given each unit's parents (its mechanism mean, where finite:
    :mod:`docalc.compiler.lower.means`), averaged over units, so it carries no outcome
    sampling noise and differs from the mean of the per-unit draws.

    The units run in batches (``batch_size``, see :mod:`docalc.compiler.run.unit_batches`);
    both scenarios cut them the same way. Without ``per_unit`` only each batch's sum of
    the average goes on, so memory is bounded by a batch; the sums are added in order of
    units, so the average agrees with one batch's to rounding.

    With ``store`` (a path) the per-unit effect goes batch by batch to a Zarr store
    (:mod:`docalc.compiler.results.store`) and the result is read lazily from it.
    ``chunks`` (instead of ``data``) are the row batches of a table too large to hold, in
    order (each indexed by its rows' global numbers): each unit draws from the stream of
    its global index, so the answer is the whole table's.

    Warns (``NotIdentifiableWarning``) when the observed nodes cannot identify the effect
    of an intervened node on the outcome.
    """
    from docalc.compiler.bind.interventions import apply
    from docalc.compiler.graph.identification import warn_unidentified
    from docalc.compiler.run import unit_batches as ub
    from docalc.compiler.run.limits import check_values

    alone, _ = apply(source.checked.with_interventions(()), {}, do)
    warn_unidentified(source.checked, [iv.name for iv in alone.interventions], [outcome],
                      source.bound.names, stacklevel=3)
    tables = iter(chunks if chunks is not None else [data])
    # the first table (row batch) sets what the result looks like; the others follow it
    a, b = _pair(source, do, baseline, next(tables), outcome)
    plate = a.checked.node(outcome).plate
    cut = ub.choose(a.plate if plate == a.plate else None, a.plan.size, a.n_draws, 2,
                    batch_size)
    if chunks is not None and cut.plate is None:
        _not_row_batches(a, plate)
    sink = None
    if store is not None:
        from docalc.compiler.results.store import ZarrStore

        per_unit = True
        coords = {k: v for k, v in a.coords.items() if chunks is None or k != cut.plate}
        sink = ZarrStore(store, "effect", a.checked, coords, a.chains, cut.plate)
    elif plate is not None and per_unit:
        check_values(f"the per-unit effect over {a.n_draws:,} posterior draws", a.n_draws,
                     [plate], a.plan.size, "pass per_unit=False for the average effect only")
    total = np.zeros(a.n_draws)
    diffs = []
    units = 0
    # the average needs only the outcome's mechanism mean where it is drawn: its draw is
    # then not computed at all
    keep_a, keep_b = ([] if not per_unit and _drawn(sc, outcome) else [outcome] for sc in (a, b))

    def pairs() -> Any:
        sa, sb = a, b
        while True:
            # one batch of every unit when the outcome's plate is not the one cut
            size = cut.batch if cut.plate else max([1, *sa.plan.size.values()])
            for (start, stop, ra), (_, _, rb) in zip(sa.batches(seed, keep_a, [outcome], size),
                                                     sb.batches(seed, keep_b, [outcome], size),
                                                     strict=True):
                yield sa.first + start, sa.first + stop, ra, rb
            more = next(tables, None) if chunks is not None else None
            if more is None:
                return
            first = sa.first + sa.plan.size.get(cut.plate or "", 0)
            sa, sb = _pair(source, do, baseline, more, outcome, first)

    runs = pairs()
    if progress:
        from tqdm.auto import tqdm

        total_batches = len(cut.starts) if chunks is None else None
        runs = tqdm(runs, total=total_batches, desc="effect", unit="batch")
    for start, stop, ra, rb in runs:
        # per unit: the outcome's draws; the average: its mechanism means where they are
        # finite (a deterministic or held outcome keeps its value), see lower.means
        ea, eb = _expected(ra, outcome), _expected(rb, outcome)
        if plate is None:
            total = ea.astype(np.float64) - eb  # a global outcome has no units
            break
        # summed in float64 straight from float32 (no widened copy of a batch), each
        # scenario apart: the float64 sums keep the difference exact to ~1e-16 of them
        total += ea.sum(axis=-1, dtype=np.float64) - eb.sum(axis=-1, dtype=np.float64)
        units += ea.shape[-1]
        if sink is not None:
            sink.write(start, stop, {outcome: ra[outcome].astype(np.float64)
                                     - rb[outcome].astype(np.float64)})
        elif per_unit:
            diffs.append(ra[outcome].astype(np.float64) - rb[outcome].astype(np.float64))
        if cut.plate is None:
            break  # the outcome's plate is not the one cut: one run holds every unit
    if plate is None:
        avg, values = total, {outcome: total}
    else:
        avg = total / units
        values = {f"{outcome}_mean": avg}
        if per_unit and sink is None:
            values = {outcome: np.concatenate(diffs, axis=1), **values}
    lo, hi = hdi(avg, hdi_prob)
    summary = xr.Dataset({"mean": float(avg.mean()), "sd": float(avg.std(ddof=1)),
                          "hdi_low": lo, "hdi_high": hi})
    summary.attrs["hdi_prob"] = hdi_prob
    attrs = {"outcome": outcome,
             "do": "; ".join(str(i) for i in a.checked.interventions),
             "baseline": "; ".join(str(i) for i in b.checked.interventions) or "factual",
             "units": units}
    groups = {"effect": dataset(a.checked, split_chains(values, a.chains), a.coords),
              "summary": summary}
    if sink is not None:
        return sink.finish(groups, attrs)
    return tree(groups, attrs)


def _not_row_batches(sc: Any, plate: str | None) -> None:
    """Refuse a table read in row batches whose units this run cannot cut (one run holds all)."""
    from docalc.dsl.errors import files

    why = f"the outcome is on plate '{plate}', not on the table's units" if plate \
        else "the outcome is a global node" if sc.plate else \
        "the model has more than one plate of units (or its data have imputed cells)"
    raise files.not_row_batches(None, why=why).error()


def _pair(source: Draws, do: Any, baseline: Any, data: Any, outcome: str,
          first: int = 0) -> tuple[Any, Any]:
    """Return the two scenarios of an effect over ``data`` (whose first unit is ``first``)."""
    return (scenario(source, do, data, [outcome], targets=[outcome], first=first),
            scenario(source, baseline, data, [outcome], targets=[outcome], first=first))


def _drawn(sc: Any, name: str) -> bool:
    """Whether a run draws ``name`` from a mechanism (so its mean is in the run's values)."""
    return any(st.name == name and st.mode in ("sample", "dist") for st in sc.plan.steps)


def _expected(values: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return a node's mechanism mean where the run drew it, else its value (as run)."""
    from docalc.compiler.lower.means import mean_key

    key = mean_key(name)
    return np.asarray(values[key] if key in values else values[name])
