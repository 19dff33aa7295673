"""The distribution and function catalogue, as plain data (the compiler maps it to NumPyro).

Parameters are listed in NumPyro's positional order under NumPyro's names; ``aliases`` gives
PyMC's names where they map one to one. ``noise`` says how a value is made from exogenous
noise, which is what counterfactual abduction needs: ``"affine"`` (x = loc + scale * eps),
``"log-affine"`` (log x = loc + scale * eps), ``"scale"`` (x = scale * eps), or None when
the noise cannot be recovered from an observed value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# value constraints, with words for messages
CONSTRAINTS = {
    "real": "a real number",
    "positive": "positive",
    "nonnegative": "non-negative",
    "unit": "in (0, 1)",
    "unit_closed": "in [0, 1]",
    "binary": "0 or 1",
    "count": "a non-negative integer",
    "category": "an integer category code 0..K-1",
    "simplex": "a list of probabilities",
    "interval": "between low and high",
}


@dataclass(frozen=True)
class Param:
    """One distribution parameter: NumPyro name, PyMC aliases, constraint, default."""

    name: str
    constraint: str = "real"
    default: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DistSpec:
    """A distribution of the language.

    Attributes
    ----------
    name : str
        The language's name (and NumPyro's class, unless ``numpyro`` says otherwise).
    params : tuple of Param
        In NumPyro's positional order.
    support : str
        A key of CONSTRAINTS for the values the distribution produces.
    exclusive : tuple of tuple of str
        Groups of parameters of which at most one (and, if the group is required, exactly
        one) may be given, e.g. ``probs`` or ``logits``.
    noise : str or None
        How exogenous noise enters (see module docstring).
    numpyro : str
        The NumPyro class name(s), keyed by which exclusive parameter was given.

    """

    name: str
    params: tuple[Param, ...]
    support: str
    noise: str | None = None
    exclusive: tuple[str, ...] = ()
    discrete: bool = False
    numpyro: str = ""

    def param_names(self) -> list[str]:
        """Return the parameter names, NumPyro's first, for messages."""
        return [p.name for p in self.params]

    def lookup(self, name: str) -> Param | None:
        """Return the parameter called ``name`` (NumPyro's name or a PyMC alias)."""
        for p in self.params:
            if name == p.name or name in p.aliases:
                return p
        return None


_LOC = Param("loc", "real", 0.0, ("mu",))
_SCALE = Param("scale", "positive", 1.0, ("sigma",))

DISTRIBUTIONS: dict[str, DistSpec] = {
    d.name: d
    for d in (
        DistSpec("Normal", (_LOC, _SCALE), "real", "affine"),
        DistSpec("HalfNormal", (Param("scale", "positive", 1.0, ("sigma",)),), "positive", "scale"),
        DistSpec("LogNormal", (_LOC, _SCALE), "positive", "log-affine"),
        DistSpec("StudentT", (Param("df", "positive", None, ("nu",)), _LOC, _SCALE), "real",
                 "affine"),
        DistSpec("Cauchy", (Param("loc", "real", 0.0, ("alpha",)),
                            Param("scale", "positive", 1.0, ("beta",))), "real", "affine"),
        DistSpec("HalfCauchy", (Param("scale", "positive", 1.0, ("beta",)),), "positive", "scale"),
        DistSpec("Laplace", (_LOC, Param("scale", "positive", 1.0, ("b",))), "real", "affine"),
        DistSpec("Exponential", (Param("rate", "positive", 1.0, ("lam",)),), "positive"),
        DistSpec("Gamma", (Param("concentration", "positive", None, ("alpha",)),
                           Param("rate", "positive", 1.0, ("beta",))), "positive"),
        DistSpec("InverseGamma", (Param("concentration", "positive", None, ("alpha",)),
                                  Param("rate", "positive", 1.0, ("beta",))), "positive"),
        DistSpec("Beta", (Param("concentration1", "positive", None, ("alpha",)),
                          Param("concentration0", "positive", None, ("beta",))), "unit"),
        DistSpec("Uniform", (Param("low", "real", 0.0, ("lower",)),
                             Param("high", "real", 1.0, ("upper",))), "interval"),
        DistSpec("Bernoulli", (Param("probs", "unit_closed", None, ("p",)),
                               Param("logits", "real", None, ("logit_p",))), "binary",
                 exclusive=("probs", "logits"), discrete=True),
        # total_count may be 0 (NumPyro accepts it: every draw is 0), e.g. a Poisson count
        DistSpec("Binomial", (Param("total_count", "count", 1.0, ("n",)),
                              Param("probs", "unit_closed", None, ("p",)),
                              Param("logits", "real", None, ("logit_p",))), "count",
                 exclusive=("probs", "logits"), discrete=True),
        DistSpec("Poisson", (Param("rate", "nonnegative", None, ("mu",)),), "count",
                 discrete=True),
        DistSpec("NegativeBinomial", (Param("mean", "positive", None, ("mu",)),
                                      Param("concentration", "positive", None, ("alpha",))),
                 "count", discrete=True, numpyro="NegativeBinomial2"),
        DistSpec("Categorical", (Param("probs", "simplex", None, ("p",)),
                                 Param("logits", "simplex", None, ("logit_p",))), "category",
                 exclusive=("probs", "logits"), discrete=True),
    )
}

# function name -> (min args, max args)
FUNCTIONS: dict[str, tuple[int, int]] = {
    **{f: (1, 1) for f in ("exp", "log", "log1p", "expm1", "sqrt", "abs", "sin", "cos", "tanh",
                           "sigmoid", "inv_logit", "logit", "softplus")},
    "min": (2, 2),
    "max": (2, 2),
    "pow": (2, 2),
    "where": (3, 3),
}

CONSTANTS: dict[str, float] = {"pi": math.pi}

RESERVED = frozenset({"do", "data", "plate", "query", "factual", "E", *FUNCTIONS, *CONSTANTS})


def in_support(constraint: str, value: float) -> bool:
    """Return whether a scalar literal satisfies a constraint (``interval`` is not checked).

    The rules are :mod:`docalc.dsl.supports`' (one table for the checker, data and runs).
    """
    from docalc.dsl.supports import in_support as inside

    return inside(constraint, value)
