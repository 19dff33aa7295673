"""A model's draws as plain data: what predictions, effects and queries are computed from.

``Fit`` (in ``docalc/``) holds one; the compiler never sees a ``Fit`` or a ``Model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from docalc.dsl.ir import CheckedModel

if TYPE_CHECKING:
    import xarray as xr

    from docalc.compiler.bind.data import Bound


@dataclass(frozen=True, eq=False)
class Draws:
    """Posterior (or prior) draws of a model, with the model and data they belong to.

    Attributes
    ----------
    checked : CheckedModel
        The observed model, with its own interventions.
    bound : Bound
        The data it was fitted to (columns, plate sizes, coordinates).
    arrays : mapping of str to ndarray
        The model's array-valued interventions.
    tree : xarray.DataTree
        Group ``posterior``: (chain, draw, ...) per variable (for the prior, prior draws
        in that group).
    prior : bool
        True when the draws are prior draws (a query then draws fresh worlds instead of
        replicating held draws).

    """

    checked: CheckedModel
    bound: Bound
    arrays: Mapping[str, np.ndarray] = field(default_factory=dict)
    tree: xr.DataTree | None = None
    prior: bool = False

    @cached_property
    def values(self) -> dict[str, np.ndarray]:
        """The variables with (chain, draw) merged into one leading draw axis.

        A node with imputed cells is whole here (data and imputed draws), under its name.
        """
        from docalc.compiler.bind.missing import with_imputed
        from docalc.compiler.results.trees import flatten_draws

        if self.tree is None:
            return {}
        post = self.tree["posterior"].to_dataset()
        # only the nodes' draws: a marginalized latent's value probabilities
        # (`<latent>__probs`) are not a node of the model
        return with_imputed(self.bound, flatten_draws(
            post, [str(k) for k in post.data_vars if "__" not in str(k)]))

    @property
    def n_draws(self) -> int:
        """Draws, chains flattened (1 when there are no variables)."""
        vals = self.values
        return next(iter(vals.values())).shape[0] if vals else 1

    @property
    def chains(self) -> int:
        """Chains."""
        if self.tree is None:
            return 1
        return int(self.tree["posterior"].sizes.get("chain", 1))
