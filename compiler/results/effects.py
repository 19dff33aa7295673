"""Effects: outcome under one intervention minus under another, with common random numbers."""

from __future__ import annotations

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
           hdi_prob: float) -> xr.DataTree:
    """Per-unit and average effect of ``do`` against ``baseline`` on ``outcome``.

    The per-unit effect is the difference of the outcome's draws in the two scenarios
    (common random numbers); the average per posterior draw is the difference of the
    outcome's expectations given each unit's parents (its mechanism mean, where finite:
    :mod:`docalc.compiler.lower.means`), averaged over units, so it carries no outcome
    sampling noise and differs from the mean of the per-unit draws.

    Warns (``NotIdentifiableWarning``) when the observed nodes cannot identify the effect
    of an intervened node on the outcome.
    """
    from docalc.compiler.bind.interventions import apply
    from docalc.compiler.graph.identification import warn_unidentified

    alone, _ = apply(source.checked.with_interventions(()), {}, do)
    warn_unidentified(source.checked, [iv.name for iv in alone.interventions], [outcome],
                      source.bound.names, stacklevel=3)
    a = scenario(source, do, data, [outcome], targets=[outcome])
    b = scenario(source, baseline, data, [outcome], targets=[outcome])
    ra = a.run(seed, [outcome], means=[outcome])
    rb = b.run(seed, [outcome], means=[outcome])
    # per unit: the outcome's draws; the average: its mechanism means where they are
    # finite (a deterministic or held outcome keeps its value), see lower.means
    diff = ra[outcome].astype(np.float64) - rb[outcome].astype(np.float64)
    avg = _expected(ra, outcome) - _expected(rb, outcome)
    if a.checked.node(outcome).plate is not None:
        avg = avg.mean(axis=-1)
        values = {outcome: diff, f"{outcome}_mean": avg}
    else:
        values = {outcome: avg}  # a global outcome has no units: its value is the average
    lo, hi = hdi(avg, hdi_prob)
    summary = xr.Dataset({"mean": float(avg.mean()), "sd": float(avg.std(ddof=1)),
                          "hdi_low": lo, "hdi_high": hi})
    summary.attrs["hdi_prob"] = hdi_prob
    attrs = {"outcome": outcome,
             "do": "; ".join(str(i) for i in a.checked.interventions),
             "baseline": "; ".join(str(i) for i in b.checked.interventions) or "factual"}
    groups = {"effect": dataset(a.checked, split_chains(values, a.chains), a.coords),
              "summary": summary}
    return tree(groups, attrs)


def _expected(values: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return a node's mechanism mean where the run drew it, else its value."""
    from docalc.compiler.lower.means import mean_key

    return np.asarray(values.get(mean_key(name), values[name]), dtype=np.float64)
