"""Summing out latent discrete nodes in the NumPyro model: docalc's own log-sum-exp.

The groups come from :func:`docalc.compiler.plan.enumeration.plan_groups`. While the
model's steps are evaluated (by the one step evaluator, with the ``Sites`` strategy), the
steps of a group (its latents, and the nodes that read them) are evaluated once per joint
value of its latents (:meth:`Marginal.each`), each latent then holding one value of its
support. Instead of sample sites, the latents' log probabilities and those of every
stochastic node whose parameters read them (observed values, or continuous latents drawn
once as sites of their own) are added up per joint value; :meth:`Marginal.finish` then
stacks them and adds, inside the unit plate, the factor ``logsumexp`` over the joint values
(:func:`docalc.compiler.plan.enumeration.factor_site`). One evaluation per value, stacked,
rather than a leading value axis carried through the nodes: under the sampler's ``vmap``
over chains XLA runs the broadcast form about a quarter slower (docs/benchmarks.md). A
discrete node with missing cells is enumerated as a latent whose terms at its observed
units are those of the observed value only (``-inf`` for the others).

Exported samplers need nothing but JAX for it (NumPyro's own enumeration needs funsor).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


class PerValue(dict[int, Any]):
    """Check counts while a group's steps run once per joint value (:meth:`Marginal.each`).

    ``per_value`` keeps each check's per-unit results of the values so far: a unit breaks
    a check when it does for some value (the step evaluator's ``_count`` reads it).
    """

    def __init__(self, counts: Mapping[int, Any]) -> None:
        super().__init__(counts)
        self.per_value: dict[int, list[Any]] = {}


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
        """Computed nodes evaluated per joint value (not recorded)."""
        self.lp: dict[int, list[Any]] = {}
        self._envs: dict[int, list[dict[str, Any]]] = {
            k: [{} for _ in range(g.size)] for k, g in enumerate(groups)}
        self._sites: dict[str, Any] = {}
        self._j = 0

    def member(self, name: str) -> bool:
        """Whether a step is evaluated per joint value (a latent, or reads one)."""
        return name in self._of

    def each(self, name: str, env: Mapping[str, Any], run: Any,
             evaluate: Callable[[dict[str, Any]], Any]) -> Any:
        """Evaluate a group's step once per joint value; return its value at the first.

        ``evaluate(env)`` evaluates the step; each joint value's evaluation sees the
        group's values of that joint value over ``env``. Nodes outside the group read only
        its drawn dependents, whose value is the same at every joint value.
        """
        k = self._of[name]
        counts = run.counts
        if counts is not None:
            run.counts = PerValue(counts)
        try:
            for j, own in enumerate(self._envs[k]):
                self._j = j
                own[name] = evaluate({**env, **own})
        finally:
            if counts is not None:
                counts.update(run.counts)
                run.counts = counts
        return self._envs[k][0][name]

    def _add(self, name: str, lp: Any) -> None:
        k, g = self._of[name], self.groups[self._of[name]]
        terms = self.lp.setdefault(k, [0.0] * g.size)
        terms[self._j] = terms[self._j] + lp

    def terms(self, k: int) -> Any:
        """Return group ``k``'s log joint per joint value and unit, (size, units)."""
        units = self.sizes[self.groups[k].plate]
        return jnp.stack([jnp.broadcast_to(lp, (units,)) for lp in self.lp[k]])

    def _site(self, name: str, make: Callable[[], Any]) -> Any:
        # a continuous latent's site is one, whatever the joint value
        if name not in self._sites:
            self._sites[name] = make()
        return self._sites[name]

    def draw(self, name: str, site: str, dist: str, args: Mapping[str, Any],
             obs: Any, holes: Any = None) -> Any:
        """Return a latent's value at this joint value, an observed value, or a site.

        ``holes`` are the positions of an observed node's missing cells (``MISSING_KEY``).
        """
        d = dists.make(dist, args)
        g = self.groups[self._of[name]]
        units = self.sizes[g.plate]
        if name in self._value:
            # one value for every unit: a latent whose parameters are global costs one log
            # probability per value, not per unit
            value = jnp.asarray(self._value[name][self._j])
            lp = d.log_prob(value)
            if holes is not None:
                # missing cells: every value's term; observed cells: the observed value's
                # only (the others are impossible), so the factor is then that unit's
                # joint density at its data. The nodes below read the value at every unit:
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
            cells = self._site(name, lambda: numpyro.sample(
                UNOBSERVED.format(site),
                nd.ImproperUniform(d.support, (int(holes.shape[0]),), ()),
                infer={"block_plates": [g.plate]}))
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
            value = self._site(name, lambda: numpyro.sample(
                site, nd.ImproperUniform(d.support, (units,), ())))
            lp = d.log_prob(value)
        self._add(name, lp)
        return value

    def finish(self) -> None:
        """Add each group's factor: per unit, the log of the sum over its joint values."""
        for k, g in enumerate(self.groups):
            with numpyro.plate(g.plate, self.sizes[g.plate], dim=-1):
                numpyro.factor(g.site, jax.nn.logsumexp(self.terms(k), axis=0))
