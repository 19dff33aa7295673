"""Catalogue distributions to NumPyro distributions, and their exogenous-noise transforms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def has_noise(name: str) -> bool:
    """Whether a unit's exogenous noise can be recovered from its observed value."""
    return DISTRIBUTIONS[name].noise is not None


def abduct(name: str, args: Mapping[str, Any], x: Any) -> Any:
    """Return the exogenous noise that produced value ``x`` under ``args``."""
    match DISTRIBUTIONS[name].noise:
        case "affine":
            return (x - args["loc"]) / args["scale"]
        case "log-affine":
            return (jnp.log(x) - args["loc"]) / args["scale"]
        case "scale":
            return x / args["scale"]
    raise ValueError(f"{name} has no recoverable noise")


def from_noise(name: str, args: Mapping[str, Any], eps: Any) -> Any:
    """Return the value that noise ``eps`` produces under ``args`` (inverse of abduct)."""
    match DISTRIBUTIONS[name].noise:
        case "affine":
            return args["loc"] + args["scale"] * eps
        case "log-affine":
            return jnp.exp(args["loc"] + args["scale"] * eps)
        case "scale":
            return args["scale"] * eps
    raise ValueError(f"{name} has no recoverable noise")
