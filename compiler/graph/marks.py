"""What the graph says each node is to a fit: observed, latent, marginalized, partly observed.

The rule of what is latent is the compiler's one rule (``fitting.latent_steps`` over the
inference plan); this module only reads it. A latent with a discrete distribution of
finite support is summed out exactly rather than sampled, and is marked "marginalized";
a stochastic node whose column has NaN cells (``observe(df, missing="impute")``) is
partly observed: those cells are latents of their units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from docalc.dsl.check.folding import literal_value
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.ir import CheckedModel, DistCall, Kind

#: Discrete families whose support is finite, so a latent of that family can be summed out.
FINITE_SUPPORT = frozenset({"Bernoulli", "Categorical", "Binomial"})


def finite_support(dist: DistCall | None) -> bool:
    """Return whether a distribution is discrete with a finite support known in the text.

    Bernoulli and Categorical always are; a Binomial is when its ``total_count`` is a
    literal (the default 1 included), since its support 0..n must be enumerable before
    any data is seen. Poisson and NegativeBinomial (unbounded counts) are not.

    Notes
    -----
    The discrete-latent lowering decides what it can marginalize; this predicate sits
    beside ``fitting._is_discrete`` in meaning and should be merged with that side's
    own finite-support test, so the graph and the fit cannot disagree.
    """
    if dist is None or dist.name not in FINITE_SUPPORT or not DISTRIBUTIONS[dist.name].discrete:
        return False
    if dist.name == "Binomial":
        n = dist.arg("total_count")
        return n is None or literal_value(n) is not None
    return True


def step_dist(step: Any) -> DistCall | None:
    """Return the distribution a plan step draws from: a ``dist`` intervention's, else its own."""
    iv = step.intervention
    return iv.dist if iv is not None and iv.dist is not None else step.node.dist


def latent_marks(model: CheckedModel,
                 observed: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Return the nodes a fit of ``model`` on ``observed`` infers, and those it marginalizes.

    Parameters
    ----------
    model : CheckedModel
        The model as it would be fitted (with the interventions it carries).
    observed : iterable of str
        Names bound to data (data inputs included, as ``Model.observed_names``).

    Returns
    -------
    latent, marginalized : frozenset of str
        Both empty when no stochastic node is observed: with no data bound there is no
        fit, so nothing is marked latent (the graph then shows plain structure, every
        random node unfilled as PyMC draws a model without observed variables).
        ``marginalized`` is the latents with :func:`finite_support`.
    """
    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.run.fitting import latent_steps

    observed = frozenset(observed)
    if not any(model.node(k).kind is not Kind.DATA for k in observed):
        return frozenset(), frozenset()
    # plate sizes only shape the arrays; which steps are latent does not depend on them
    steps = latent_steps(inference_plan(model, {}, observed))
    latent = frozenset(st.name for st in steps)
    marginalized = frozenset(st.name for st in steps if finite_support(step_dist(st)))
    return latent, marginalized


def imputed_cells(model: CheckedModel,
                  columns: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Return ``{node: (imputed cells, cells)}`` for stochastic columns with NaN cells.

    Binding refuses NaN unless ``observe(df, missing="impute")`` asked for imputation,
    so a NaN left in a bound stochastic column is a cell the fit imputes. A NaN in a
    ``data`` input is always refused, so data inputs are never counted.

    Parameters
    ----------
    model : CheckedModel
    columns : mapping of str to array
        The bound data's columns (``Bound.columns``).

    Returns
    -------
    dict of str to (int, int)
        Only the columns with at least one NaN cell.
    """
    out: dict[str, tuple[int, int]] = {}
    for name, col in columns.items():
        if name not in model.names or model.node(name).kind is not Kind.STOCHASTIC:
            continue
        a = np.asarray(col)
        if not np.issubdtype(a.dtype, np.floating):
            continue  # integer and boolean columns cannot hold NaN
        n = int(np.isnan(a).sum())
        if n:
            out[name] = (n, int(a.size))
    return out


def imputed_of(model_like: Any) -> dict[str, tuple[int, int]]:
    """Return the imputed cells of a model-like object's bound data (empty when none).

    Reads ``model_like._bound.columns`` (how ``docalc.Model`` holds its data). This is the
    wiring point for ``missing="impute"``: should the binding side keep a mask instead of
    NaN cells, it passes ``imputed=`` to ``graph_spec`` (or ``draw``, ``GraphWidget``).
    """
    from docalc.compiler.graph.description import unwrap

    checked, _ = unwrap(model_like)
    bound = getattr(model_like, "_bound", None)
    columns = getattr(bound, "columns", None)
    missing = getattr(bound, "missing", None)
    if isinstance(missing, Mapping) and isinstance(columns, Mapping) and missing:
        # observe(missing="impute") keeps each node's NaN positions beside its column
        return {k: (int(np.size(v)), int(np.shape(columns[k])[0])) for k, v in missing.items()
                if k in columns}
    return imputed_cells(checked, columns) if isinstance(columns, Mapping) else {}
