"""Catalogue distributions to NumPyro distributions, and their exogenous-noise transforms."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpyro.distributions as nd

from docalc.dsl.distributions import DISTRIBUTIONS

_BY_ALTERNATIVE = {
    ("Bernoulli", "probs"): nd.BernoulliProbs,
    ("Bernoulli", "logits"): nd.BernoulliLogits,
    ("Binomial", "probs"): nd.BinomialProbs,
    ("Binomial", "logits"): nd.BinomialLogits,
    ("Categorical", "probs"): nd.CategoricalProbs,
    ("Categorical", "logits"): nd.CategoricalLogits,
}


def make(name: str, args: Mapping[str, Any]) -> nd.Distribution:
    """Build the NumPyro distribution for catalogue entry ``name`` with NumPyro-named args."""
    spec = DISTRIBUTIONS[name]
    if spec.exclusive:
        which = next(a for a in spec.exclusive if a in args)
        cls = _BY_ALTERNATIVE[(name, which)]
        kwargs = dict(args)
        if name == "Binomial":
            kwargs["total_count"] = jnp.asarray(kwargs["total_count"]).astype(jnp.int32)
        return cls(**kwargs)
    cls = getattr(nd, spec.numpyro or name)
    return cls(**args)


@dataclass(frozen=True)
class Noise:
    """How a family's value is made from standard (exogenous) noise.

    Attributes
    ----------
    draw : callable or None
        ``draw(key, shape)``: the standard noise NumPyro's own sampler draws from the same
        key, so that a value made from it agrees with a forward run (up to rounding);
        None where it depends on a parameter (StudentT's df).
    apply : callable
        ``apply(args, eps)``: the value the noise gives under the parameters ``args``.
    invert : callable or None
        ``invert(args, x)``: the noise that gave the value ``x`` (abduction); None where an
        observed value does not determine it (the catalogue's ``noise`` is None).

    """

    draw: Callable[[Any, tuple[int, ...]], Any] | None
    apply: Callable[[Mapping[str, Any], Any], Any]
    invert: Callable[[Mapping[str, Any], Any], Any] | None = None


def _affine(a: Mapping[str, Any], e: Any) -> Any:
    return a["loc"] + a["scale"] * e


def _unaffine(a: Mapping[str, Any], x: Any) -> Any:
    return (x - a["loc"]) / a["scale"]


def _probs(a: Mapping[str, Any]) -> Any:
    return a["probs"] if "probs" in a else jax.nn.sigmoid(a["logits"])


def _abs(draw: Callable[[Any, tuple[int, ...]], Any]) -> Callable[[Any, tuple[int, ...]], Any]:
    return lambda k, s: jnp.abs(draw(k, s))


NOISE: dict[str, Noise] = {
    "Normal": Noise(jax.random.normal, _affine, _unaffine),
    "Laplace": Noise(jax.random.laplace, _affine, _unaffine),
    "Cauchy": Noise(jax.random.cauchy, _affine, _unaffine),
    "StudentT": Noise(None, _affine, _unaffine),
    "LogNormal": Noise(jax.random.normal, lambda a, e: jnp.exp(_affine(a, e)),
                       lambda a, x: _unaffine(a, jnp.log(x))),
    "HalfNormal": Noise(_abs(jax.random.normal), lambda a, e: a["scale"] * e,
                        lambda a, x: x / a["scale"]),
    "HalfCauchy": Noise(_abs(jax.random.cauchy), lambda a, e: a["scale"] * e,
                        lambda a, x: x / a["scale"]),
    "Exponential": Noise(jax.random.exponential, lambda a, e: e / a["rate"]),
    "Uniform": Noise(jax.random.uniform, lambda a, e: a["low"] + (a["high"] - a["low"]) * e),
    "Bernoulli": Noise(jax.random.uniform,
                       lambda a, e: (e < _probs(a)).astype(jnp.result_type(float))),
}
"""The one noise table: live replay (``draw`` + ``apply``) and abduction (``invert``)."""


def replayable(name: str) -> bool:
    """Whether standard noise for the family can be drawn once and replayed."""
    entry = NOISE.get(name)
    return entry is not None and entry.draw is not None


def has_noise(name: str) -> bool:
    """Whether a unit's exogenous noise can be recovered from its observed value."""
    return DISTRIBUTIONS[name].noise is not None


def abduct(name: str, args: Mapping[str, Any], x: Any) -> Any:
    """Return the exogenous noise that produced value ``x`` under ``args``."""
    entry = NOISE.get(name)
    if not has_noise(name) or entry is None or entry.invert is None:
        raise ValueError(f"{name} has no recoverable noise")
    return entry.invert(args, x)


def from_noise(name: str, args: Mapping[str, Any], eps: Any) -> Any:
    """Return the value that noise ``eps`` produces under ``args`` (inverse of abduct)."""
    if not has_noise(name) or name not in NOISE:
        raise ValueError(f"{name} has no recoverable noise")
    return NOISE[name].apply(args, eps)
