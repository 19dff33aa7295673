"""Missing values: which NaN cells ``observe(df, missing="impute")`` makes latents, and names.

The binder (:mod:`docalc.compiler.bind.data`) keeps each imputed node's NaN cells in
``Bound.missing``; the NumPyro model samples them (:mod:`docalc.compiler.lower.impute`), or,
for a discrete node of finite support, sums them out with the discrete latents
(:mod:`docalc.compiler.lower.enumeration`; their draws and value probabilities come after
the fit, :mod:`docalc.compiler.run.discrete_posterior`); forward runs read the whole
column per draw (:func:`with_imputed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import data as errors
from docalc.dsl.ir import Kind, Node

if TYPE_CHECKING:
    from docalc.compiler.bind.data import Bound

MISSING = ("raise", "impute")
"""What ``observe(df, missing=...)`` does with NaN cells of a stochastic node's column."""

MISSING_KEY = "{}__missing"
"""The key, among a fit's data arrays, of a node's imputed cells (their positions)."""

UNOBSERVED = "{}_unobserved"
"""The posterior variable of a node's imputed cells (PyMC's name), with dim ``<it>_dim_0``."""


def check_imputable(node: Node, missing: str, rows: str) -> None:
    """Refuse the NaN cells (in ``rows``) of ``node``'s column unless they can be imputed.

    A discrete node's cells are imputed when its family has a finite support (Bernoulli,
    Categorical, Binomial): they are summed out. Whether the support's size is known from
    the model text (a literal ``total_count``) is the fit's check, as for latents (E956).

    Raises
    ------
    DocalcDataError
        E962 under missing="raise" (its hint names missing="impute") and for a
        deterministic node; E989 for a ``data`` input; E988 for a discrete node of
        unbounded support (Poisson: its cells cannot be summed out).
    """
    # (imported here: the enumeration module names imputed cells with UNOBSERVED)
    from docalc.compiler.plan.enumeration import BOUNDED

    if missing != "impute" or node.kind is Kind.DETERMINISTIC:
        raise errors.non_finite(None, name=node.name, kind="NaN", rows=rows,
                                input=node.kind is Kind.DATA).error()
    if node.kind is Kind.DATA or node.dist is None:
        raise errors.nan_in_input(None, name=node.name, rows=rows).error()
    if DISTRIBUTIONS[node.dist.name].discrete and node.dist.name not in BOUNDED:
        raise errors.discrete_imputation(None, name=node.name, rows=rows,
                                         dist=node.dist.name).error()


def with_imputed(bound: Bound, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return draws with each imputed node's whole column per draw, for forward runs.

    ``values`` has a leading draw axis; ``<node>_unobserved`` (the imputed cells) is
    replaced by ``<node>``: the observed cells from the data, the imputed ones from the
    draw. Predictions, effects and counterfactuals then read the node as a per-unit latent
    of the imputed units (a counterfactual abducts from the imputed values, draw by draw).
    """
    out = dict(values)
    for name, holes in bound.missing.items():
        cells = out.pop(UNOBSERVED.format(name), None)
        if cells is None:
            continue  # draws that do not hold them (prior draws)
        cells = np.asarray(cells)
        # a discrete node's values stay integers (an index reads them)
        dtype = cells.dtype if cells.dtype.kind in "iu" else np.float32
        column = np.asarray(bound.columns[name], dtype=np.float64)
        column = np.where(np.isnan(column), 0, column).astype(dtype)
        full = np.repeat(column[None], cells.shape[0], axis=0)
        full[:, holes] = cells
        out[name] = full
    return out
