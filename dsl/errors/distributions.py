"""Distributions, functions and their arguments (E4xx)."""

from __future__ import annotations

import math

from ..spans import Span
from .base import DocalcDistributionError
from .catalogue import entry


@entry("E400", DocalcDistributionError, "unknown distribution '{name}'", "{suggestion}")
def unknown_distribution(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report ``y ~ Nromal(...)`` (the hint: a close name, or the list of distributions)."""


@entry("E401", DocalcDistributionError, "{dist} has no argument '{arg}'",
       "its arguments are {params}")
def unknown_argument(span: Span | None, *, dist: str, arg: str, params: str) -> None:
    """Report a keyword argument the distribution does not take."""


@entry("E402", DocalcDistributionError, "{dist} is missing argument '{arg}'",
       "{dist} takes {params}")
def missing_argument(span: Span | None, *, dist: str, arg: str, params: str) -> None:
    """Report a required argument not given."""


@entry("E403", DocalcDistributionError, "argument '{arg}' of {dist} is given twice",
       "give each argument once, by position or by name")
def argument_twice(span: Span | None, *, dist: str, arg: str) -> None:
    """Report one argument given by position and by name, or twice by name."""


@entry("E404", DocalcDistributionError, "{dist} takes at most {n} positional argument(s), "
       "got {got}", "{dist} takes {params}")
def too_many_positional(span: Span | None, *, dist: str, n: int, got: int, params: str) -> None:
    """Report more positional arguments than the distribution has."""


@entry("E405", DocalcDistributionError, "unknown function '{name}'", "{suggestion}")
def unknown_function(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report a call of a function the language does not have."""


@entry("E406", DocalcDistributionError, "{name}() takes {expected} argument(s), got {got}")
def function_arity(span: Span | None, *, name: str, expected: int, got: int) -> None:
    """Report a function called with the wrong number of arguments."""


@entry("E407", DocalcDistributionError, "'{name}' is a distribution, not a function",
       "write `{node} ~ {name}(...)` to draw a stochastic node")
def distribution_as_function(span: Span | None, *, name: str, node: str) -> None:
    """Report a distribution called where a function belongs."""


@entry("E408", DocalcDistributionError, "'{name}' is a function, not a distribution",
       "write `{node} = {name}(...)` for a deterministic node")
def function_as_distribution(span: Span | None, *, name: str, node: str) -> None:
    """Report ``y ~ exp(x)``."""


@entry("E409", DocalcDistributionError, "{arg} of {dist} must be {constraint}, got {value}",
       "give {arg} a value that is {constraint}")
def argument_outside_support(span: Span | None, *, arg: str, dist: str, constraint: str,
                             value: str) -> None:
    """Report a constant argument outside its parameter's constraint (``Normal(0, -1)``)."""


@entry("E410", DocalcDistributionError, "{dist} takes either {alternatives}, not both",
       "remove one of them")
def exclusive_arguments(span: Span | None, *, dist: str, alternatives: str) -> None:
    """Report both of two exclusive arguments (``probs`` and ``logits``)."""


@entry("E411", DocalcDistributionError, "a list [...] is only allowed as the probs or logits "
       "of Categorical")
def list_not_allowed(span: Span | None) -> None:
    """Report a list anywhere but Categorical's probabilities."""


@entry("E412", DocalcDistributionError, "{dist}() is a distribution and cannot appear inside "
       "an expression", "give it a name: `x ~ {dist}(...)`, then use x")
def distribution_in_expression(span: Span | None, *, dist: str) -> None:
    """Report ``y = Normal(0, 1) + 1``."""


@entry("E413", DocalcDistributionError, "keyword arguments are not allowed in function "
       "{name}()")
def function_keywords(span: Span | None, *, name: str) -> None:
    """Report ``exp(x=1)``."""


@entry("E414", DocalcDistributionError, "{expr} {problem}",
       "a constant must be finite and at most about 3.4e38 in size: the model computes in "
       "32-bit floats")
def constant_not_finite(span: Span | None, *, expr: str, value: float) -> dict[str, object]:
    """Report a constant (``1e999``, ``1 / 0``, ``log(-1)``, ``2 ^ 1024``) that is not finite.

    ``value`` is the constant as float64 computes it; beyond the largest 32-bit float it is
    one the model would compute as inf.
    """
    if math.isnan(value):
        problem = "is not a number (NaN)"
    elif math.isinf(value):
        problem = "is not finite (it is inf in floating point)"
    else:
        try:
            literal = float(expr) == value  # `7e38`: its value says nothing new
        except ValueError:
            literal = False
        problem = "is too large for a 32-bit float" + ("" if literal else f" ({value:.3g})")
    return {"expr": expr, "problem": problem}


@entry("E415", DocalcDistributionError, "positional argument after keyword argument "
       "'{keyword}' in {dist}(...)",
       "give positional arguments first (`Normal(0, scale=1)`), or name this one too")
def positional_after_keyword(span: Span | None, *, dist: str, keyword: str) -> None:
    """Report ``Normal(loc=0, 1)``: which parameter the positional one is would be a guess."""
