"""Summing out latent discrete nodes in the NumPyro model: docalc's own log-sum-exp.

The groups come from :func:`docalc.compiler.plan.enumeration.plan_groups`. While the
model's steps are evaluated (by the one step evaluator, with the ``Sites`` strategy), a
group's latents take every joint value at once along a new leading axis of length
``Group.size``: each latent's value is that axis's grid, shape ``(size, units)``, and the
nodes that read them are computed with the axis (NumPy broadcasting). Instead of sample
sites, the latents' log probabilities and those of every stochastic node whose parameters
carry the axis (observed values, or continuous latents drawn as sites of their own) are
added up per joint value; :meth:`Marginal.finish` then adds, inside the unit plate, the
factor ``logsumexp`` over the axis (:func:`docalc.compiler.plan.enumeration.factor_site`).
A discrete node with missing cells is enumerated as a latent whose terms at its observed
units are those of the observed value only (``-inf`` for the others).

Exported samplers need nothing but JAX for it (NumPyro's own enumeration needs funsor).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as nd

from docalc.compiler.bind.missing import UNOBSERVED
from docalc.compiler.lower import dists
from docalc.compiler.plan.enumeration import Group


def grid(group: Group) -> list[np.ndarray]:
    """Return, per latent of the group, its value at each joint value (first slowest)."""
    return [a.ravel() for a in np.indices(group.sizes)] if group.sizes else []


class Marginal:
    """The per-run state of the enumerated groups: each one's log joint so far.

    With ``pointwise`` (the model a pointwise log likelihood traces) the densities of
    imputed cells of continuous dependents are left out of the factor, so that a unit's
    term is the marginal of its observed values only.
    """

    def __init__(self, groups: tuple[Group, ...], sizes: Mapping[str, int],
                 pointwise: bool = False) -> None:
        self.groups = groups
        self.sizes = sizes
        self.pointwise = pointwise
        self._of: dict[str, int] = {}
        self._value: dict[str, np.ndarray] = {}
        for k, g in enumerate(groups):
            for name in (*g.latents, *g.dependents, *g.enumerated):
                self._of[name] = k
            for name, v in zip(g.latents, grid(g), strict=True):
                self._value[name] = v
        self.drawn = frozenset(n for g in groups for n in (*g.latents, *g.dependents))
        """Drawn nodes summed out or in a factor (not plain sample sites)."""
        self.computed = frozenset(n for g in groups for n in g.enumerated)
        """Computed nodes whose values carry the enumeration axis (not recorded)."""
        self.lp: dict[int, Any] = {}

    def _add(self, name: str, lp: Any) -> None:
        k = self._of[name]
        self.lp[k] = lp if k not in self.lp else self.lp[k] + lp

    def terms(self, k: int) -> Any:
        """Return group ``k``'s log joint per joint value and unit, (size, units)."""
        g = self.groups[k]
        return jnp.broadcast_to(self.lp[k], (g.size, self.sizes[g.plate]))

    def draw(self, name: str, site: str, dist: str, args: Mapping[str, Any],
             obs: Any, holes: Any = None) -> Any:
        """Return a latent's grid, an observed value, or a continuous latent's site.

        ``holes`` are the positions of an observed node's missing cells (``MISSING_KEY``).
        """
        d = dists.make(dist, args)
        g = self.groups[self._of[name]]
        units = self.sizes[g.plate]
        if name in self._value:
            # (joint values, 1): it broadcasts against the units, and a latent whose
            # parameters are global costs one log probability per value, not per unit
            value = jnp.asarray(self._value[name])[:, None]
            lp = d.log_prob(value)
            if holes is not None:
                # missing cells: every value's term; observed cells: the observed value's
                # only (the others are impossible), so the factor is then that unit's
                # joint density at its data. The nodes below read the grid at every unit:
                # at an observed unit the terms of the other values are dropped here.
                known = jnp.ones(units, dtype=bool).at[jnp.asarray(holes)].set(False)
                keep = ~known | (value == jnp.asarray(obs))
                lp = jnp.where(keep, jnp.broadcast_to(lp, keep.shape), -jnp.inf)
            self._add(name, lp)
            return value
        if obs is not None and holes is not None:
            # a continuous observed node with missing cells: those are sample sites (outside
            # the plate, as ``impute.masked_site`` has them); their density depends on the
            # enumerated values, so it is in the factor
            holes = jnp.asarray(holes)
            cells = numpyro.sample(UNOBSERVED.format(site),
                                   nd.ImproperUniform(d.support, (int(holes.shape[0]),), ()),
                                   infer={"block_plates": [g.plate]})
            value = jnp.asarray(obs).at[holes].set(cells)
            lp = d.log_prob(value)
            if self.pointwise:
                known = jnp.ones(units, dtype=bool).at[holes].set(False)
                lp = jnp.where(known, lp, 0.0)
        elif obs is not None:
            value = obs
            lp = d.log_prob(value)
        else:
            # the density is in the factor (it depends on the enumerated values); the site
            # only carries the value, with NUTS's transform to the node's support
            value = numpyro.sample(site, nd.ImproperUniform(d.support, (units,), ()))
            lp = d.log_prob(value)
        self._add(name, lp)
        return value

    def finish(self) -> None:
        """Add each group's factor: per unit, the log of the sum over its joint values."""
        for k, g in enumerate(self.groups):
            with numpyro.plate(g.plate, self.sizes[g.plate], dim=-1):
                numpyro.factor(g.site, jax.nn.logsumexp(self.terms(k), axis=0))
