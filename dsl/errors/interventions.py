"""Interventions and identification (E6xx) and queries (E7xx)."""

from __future__ import annotations

from ..spans import Span
from .base import DocalcInterventionError, DocalcQueryError, entry


@entry("E600", DocalcInterventionError, "do() names undefined variable '{name}'",
       "{suggestion}")
def do_undefined(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report ``do(z = 1)`` where z is not a node."""


@entry("E601", DocalcInterventionError, "'{name}' is intervened on twice in one do()",
       "keep one of the two")
def do_twice(span: Span | None, *, name: str) -> None:
    """Report one node set twice by the same ``do``."""


@entry("E602", DocalcInterventionError, "do({name} = {value}) is outside the support of "
       "{name} ~ {dist}: {name} must be {constraint}", "set {name} to a value that is {constraint}")
def do_outside_support(span: Span | None, *, name: str, value: str, dist: str,
                       constraint: str) -> None:
    """Report a literal intervention value outside the node's own support."""


@entry("E604", DocalcInterventionError, "a stochastic intervention on '{name}' cannot read "
       "its own value", "use a shift `x = f(x)` instead")
def stochastic_do_reads_itself(span: Span | None, *, name: str) -> None:
    """Report ``do(x ~ Normal(x, 1))``."""


@entry("E605", DocalcInterventionError, "{role} '{name}' is global (one value per model); "
       "identification is about unit-level nodes", "{suggestion}")
def identify_global(span: Span | None, *, role: str, name: str, suggestion: str) -> None:
    """Report ``identify(treatment=...)`` naming a global node."""


@entry("E606", DocalcInterventionError, "unknown {role} '{name}'", "{suggestion}")
def identify_unknown(span: Span | None, *, role: str, name: str, suggestion: str) -> None:
    """Report ``identify(treatment=...)`` naming no node."""


@entry("E607", DocalcInterventionError, "treatment and outcome are the same variable '{name}'",
       "name two different unit-level nodes")
def identify_same(span: Span | None, *, name: str) -> None:
    """Report ``identify(treatment="x", outcome="x")``."""


# -- queries ----------------------------------------------------------------------------------
@entry("E700", DocalcQueryError, "query '{name}' is defined twice (first at {first})",
       "rename one of them")
def query_twice(span: Span | None, *, name: str, first: Span) -> None:
    """Report two queries with one name."""


@entry("E701", DocalcQueryError, "E[...] may only appear in a query")
def expectation_outside_query(span: Span | None) -> None:
    """Report ``y = E[x]``."""


@entry("E703", DocalcQueryError, "unknown query '{name}'", "{suggestion}")
def unknown_query(span: Span | None, *, name: str, suggestion: str) -> None:
    """Report ``fit.query("name")`` for a query the model does not define."""


@entry("E704", DocalcQueryError, "'{name}' outside E[...] in query '{query}'",
       "a query combines expectations, e.g. E[{name} | do(...)]")
def name_outside_expectation(span: Span | None, *, name: str, query: str) -> None:
    """Report a node read by a query outside any expectation."""


@entry("E705", DocalcQueryError, "only numbers and E[...] may appear in a query")
def query_term(span: Span | None) -> None:
    """Report a list or an indexed name in a query."""


@entry("E706", DocalcQueryError, "query '{name}' has no expectation E[...]",
       "write e.g. `query q = E[y | do(b = 0)]`")
def query_without_expectation(span: Span | None, *, name: str) -> None:
    """Report a query that is a constant."""


@entry("E707", DocalcQueryError, "E[...] takes node names and arithmetic")
def expectation_term(span: Span | None) -> None:
    """Report an index, a list or a nested E[...] inside E[...]."""


@entry("E708", DocalcQueryError, "E[...] mixes nodes of plates {plates}",
       "average one plate at a time")
def expectation_mixes_plates(span: Span | None, *, plates: str) -> None:
    """Report an expectation over nodes of two unit plates."""


@entry("E709", DocalcQueryError, "`factual` given twice")
def factual_twice(span: Span | None) -> None:
    """Report ``E[y | do(b = 0), factual, factual]``."""


@entry("E710", DocalcQueryError, "a counterfactual needs an intervention",
       "write `E[y | do(b = 0), factual]`")
def counterfactual_needs_do(span: Span | None) -> None:
    """Report ``E[y | factual]``."""


@entry("E711", DocalcQueryError, "`factual` conditions on the observed data already; other "
       "conditions cannot be added")
def factual_with_conditions(span: Span | None) -> None:
    """Report ``E[y | do(b = 0), factual, x = 1]``."""


@entry("E712", DocalcQueryError, "draws must be at least 1, got {draws}")
def too_few_draws(span: Span | None, *, draws: int) -> None:
    """Report ``Model.query(name, draws=0)``."""


@entry("E713", DocalcQueryError, "the model has no queries",
       "add one, e.g. `query ate = E[y | do(x = 1)] - E[y | do(x = 0)]`")
def no_queries(span: Span | None) -> None:
    """Report ``docalc query`` on a model without ``query`` statements."""
