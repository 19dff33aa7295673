"""The mean of a node's mechanism given its parents: what expectations and average effects use.

``E[y | do(x = 1)]`` and ``Fit.effect``'s average per posterior draw are expectations: where
the outcome's distribution has a finite mean, that mean (given the values its parents took
in the run) replaces the draw (Rao-Blackwellization). The answer is then the same
expectation without the outcome's own sampling noise, which a finite number of units
would otherwise pass off as uncertainty about the effect. Where the mean does not exist
(Cauchy, HalfCauchy; StudentT with ``df <= 1``; InverseGamma with ``concentration <= 1``)
the draw is kept, unit by unit and draw by draw where the deciding parameter varies.

:data:`FINITE_MEAN` is the one table of which families have a finite mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp

from docalc.compiler.lower import dists

#: Family -> whether its mean is finite: True (always), False (never: the draw is kept), or
#: the name of the parameter that must exceed 1 for it to be (decided per unit and draw).
FINITE_MEAN: dict[str, bool | str] = {
    "Normal": True,
    "HalfNormal": True,
    "LogNormal": True,
    "StudentT": "df",  # mean loc where df > 1
    "Cauchy": False,
    "HalfCauchy": False,
    "Laplace": True,
    "Exponential": True,
    "Gamma": True,
    "InverseGamma": "concentration",  # rate / (concentration - 1) where concentration > 1
    "Beta": True,
    "Uniform": True,
    "Bernoulli": True,
    "Binomial": True,
    "Poisson": True,
    "NegativeBinomial": True,
    "Categorical": True,  # a category index: sum_k k p_k
}

#: Suffix of the key under which a forward run returns a node's mechanism mean.
_MEAN = "{}@mean"


def mean_key(name: str) -> str:
    """Return the key of node ``name``'s mechanism mean in a run's values.

    No node can have it as its name: node names are identifiers.
    """
    return _MEAN.format(name)


def node_of(key: str) -> str:
    """Return the node a run's value belongs to: ``key`` itself, or whose mean it is."""
    suffix = _MEAN.format("")
    return key[: -len(suffix)] if key.endswith(suffix) else key


def mean(dist: str, args: Mapping[str, Any]) -> Any:
    """Return the mean of family ``dist`` with NumPyro-named parameters ``args``.

    NumPyro's ``.mean`` except for Categorical, whose value is a category index: NumPyro
    gives NaN there, and the index's mean is ``sum_k k p_k``.
    """
    d = dists.make(dist, args)
    if dist == "Categorical":
        p = d.probs
        return jnp.sum(p * jnp.arange(p.shape[-1], dtype=p.dtype), axis=-1)
    return d.mean


def mean_or_draw(dist: str, args: Mapping[str, Any], draw: Any) -> Any:
    """Return the mechanism's mean where it is finite, else ``draw`` (shape of ``draw``)."""
    rule = FINITE_MEAN[dist]
    draw = jnp.asarray(draw)
    out = jnp.result_type(float)
    if rule is False:
        return draw.astype(out)
    m = jnp.broadcast_to(jnp.asarray(mean(dist, args), dtype=out), draw.shape)
    if rule is True:
        return m
    # where the mean is infinite or undefined the draw is kept (its NaN/inf branch unused)
    return jnp.where(jnp.asarray(args[str(rule)]) > 1, m, draw.astype(out))
