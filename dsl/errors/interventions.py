"""Interventions and identification (E6xx) and queries (E7xx)."""

from __future__ import annotations

from ..spans import Span
from .base import DocalcInterventionError, DocalcQueryError
from .catalogue import entry


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


# -- interventions refused at run time (the API's do=..., the live effect) --------------------
@entry("E608", DocalcInterventionError, "do({name} = {value}) is not a finite number (as the "
       "model's 32-bit floats hold it)",
       "a value must be finite and at most about 3.4e38 in size: the model computes in "
       "32-bit floats")
def do_not_finite(span: Span | None, *, name: str, value: str) -> None:
    """Report ``do={"b": float("nan")}``, ``float("inf")``, ``10**400`` or ``1e300``."""


@entry("E609", DocalcInterventionError, "do({name} = array) holds NaN or inf at positions "
       "{positions}")
def do_array_not_finite(span: Span | None, *, name: str, positions: str) -> None:
    """Report an array intervention with NaN or inf in it (the first positions)."""


@entry("E610", DocalcInterventionError, "do must be a dict or text like 'b = 0', got {got}")
def do_type(span: Span | None, *, got: str) -> None:
    """Report ``do=`` given something that is neither a mapping nor text."""


@entry("E611", DocalcInterventionError, "do({name} = ...) needs a number, an array or text, "
       "got {got}")
def do_value_type(span: Span | None, *, name: str, got: str) -> None:
    """Report an intervention value that is no number, array or text."""


_CODES_HINT = "'{name}' picks a unit of plate '{plate}' by its code {codes} (codes follow " \
              "the order of the plate's labels in the data)"


@entry("E612", DocalcInterventionError, "do({intervention}): '{name}' is an index column into "
       "plate '{plate}', which can only be set to a whole number or an array of them",
       _CODES_HINT)
def do_index_expression(span: Span | None, *, intervention: str, name: str, plate: str,
                        codes: str) -> None:
    """Report an expression, a shift or a distribution as the value of an index column."""


@entry("E613", DocalcInterventionError, "do({name} = {value}){where}: '{name}' is an index "
       "column into plate '{plate}', so its values must be whole numbers in {codes}",
       _CODES_HINT)
def do_index_code(span: Span | None, *, name: str, value: str, positions: str | None,
                  plate: str, codes: str) -> dict[str, object]:
    """Report an index column set to codes that are no units of its group plate.

    ``positions`` lists the first bad positions of an array value (None for a number).
    """
    where = f" (positions {positions})" if positions is not None else ""
    return {"name": name, "value": value, "where": where, "plate": plate, "codes": codes}


@entry("E614", DocalcInterventionError, "'{name}' is global; do({name} = ...) takes one "
       "number, got an array of shape {shape}")
def do_global_array(span: Span | None, *, name: str, shape: str) -> None:
    """Report an array of several values given for a global node."""


@entry("E615", DocalcInterventionError, "do({name} = array): '{name}' has one value per unit "
       "of plate '{plate}' ({units} units), but the array has shape {shape}")
def do_array_length(span: Span | None, *, name: str, plate: str, units: int,
                    shape: str) -> None:
    """Report an array intervention whose length is not its plate's size."""


@entry("E616", DocalcInterventionError, "do({name} = {value!r}): the index column takes the "
       "code of a group of plate '{plate}' (0, 1, ...), not its label",
       "codes follow the order of the labels in fit.posterior's '{plate}' coordinate")
def do_index_label(span: Span | None, *, name: str, value: str, plate: str) -> None:
    """Report ``do(school_of="A")``: a group label given to an index column."""


@entry("E617", DocalcInterventionError, "an effect needs at least one control to intervene on",
       "e.g. controls=['b']")
def effect_without_controls(span: Span | None) -> None:
    """Report ``effect_function(fit, "y", [])``."""


@entry("E618", DocalcInterventionError, "the outcome '{name}' is also a control: intervening "
       "on it fixes it, so it has no effect to show",
       "choose an outcome downstream of the controls")
def outcome_is_control(span: Span | None, *, name: str) -> None:
    """Report an effect function whose outcome is one of its controls."""


@entry("E619", DocalcInterventionError, "'{name}' is not a control of this effect "
       "(controls: {controls})", "{suggestion}")
def not_a_control(span: Span | None, *, name: str, controls: str, suggestion: str) -> None:
    """Report an effect function called with a value for a node that is not its control."""


@entry("E620", DocalcInterventionError, "do({name} = ...) needs a number, got {got}")
def control_not_number(span: Span | None, *, name: str, got: str) -> None:
    """Report an effect function called with a control value that is no number."""


def _cause(node: str, dist: str, sources: str, many: bool, own: bool) -> str:
    if own:
        return f"do({node} ~ {dist})"
    return f"the value{'s' if many else ''} do() gives {sources}"


@entry("E621", DocalcInterventionError, "{cause} {verb} outside the support of {node} ~ "
       "{dist}: {node} must be {constraint}, but is not {where}",
       "give {node} values that are {constraint}")
def values_outside_support(span: Span | None, *, node: str, dist: str, sources: str,
                           many: bool, constraint: str, where: str) -> dict[str, object]:
    """Report intervened values (``sources``) that put a node outside its support in a run.

    ``where`` says in which draws (and units) it happened: ``in 3 of 400 draws``.
    """
    return {"cause": _cause(node, dist, sources, many, False), "verb": "are" if many else "is",
            "node": node, "dist": dist, "constraint": constraint, "where": where}


@entry("E622", DocalcInterventionError, "{cause} {verb} {target} a high bound not above its "
       "low bound {where}", "keep low below high")
def bounds_crossed(span: Span | None, *, node: str, dist: str, sources: str, many: bool,
                   own: bool, where: str) -> dict[str, object]:
    """Report intervened values that make an interval's high bound not above its low bound."""
    return {"cause": _cause(node, dist, sources, many, own), "verb": "give" if many else "gives",
            "target": node if own else f"{node} ~ {dist}", "where": where}


@entry("E623", DocalcInterventionError, "do({node} ~ {dist}) has an invalid {param}: {param} "
       "must be {constraint}, but is not {where}",
       "give {node} a distribution whose {param} is {constraint}")
def own_parameter_invalid(span: Span | None, *, node: str, dist: str, param: str,
                          constraint: str, where: str) -> None:
    """Report a stochastic intervention whose own distribution has an invalid parameter."""


@entry("E624", DocalcInterventionError, "{cause} {verb} {param} of {node} ~ {dist} invalid: "
       "{param} must be {constraint}, but is not {where}",
       "choose intervention values that keep {param} of {node} {constraint}")
def parameter_invalid(span: Span | None, *, node: str, dist: str, sources: str, many: bool,
                      param: str, constraint: str, where: str) -> dict[str, object]:
    """Report intervened values that make a downstream distribution's parameter invalid."""
    return {"cause": _cause(node, dist, sources, many, False), "verb": "make" if many else "makes",
            "param": param, "node": node, "dist": dist, "constraint": constraint,
            "where": where}


# -- queries refused at run time --------------------------------------------------------------
@entry("E714", DocalcQueryError, "'{name}' is conditioned on twice", "keep one of the two")
def conditioned_twice(span: Span | None, *, name: str) -> None:
    """Report ``E[y | x = 1, x = 2]``."""


@entry("E715", DocalcQueryError, "'{name}' is set by do({intervention}) and cannot also be "
       "observed", "drop the condition or the intervention on it")
def condition_on_intervened(span: Span | None, *, name: str, intervention: str) -> None:
    """Report ``E[y | do(x = 1), x = 2]``: a condition on a node a ``do`` sets."""


@entry("E716", DocalcQueryError, "{name} = {value} is outside the support of {name} ~ {dist}: "
       "{name} must be {constraint}", "an impossible observation has no conditional expectation")
def condition_outside_support(span: Span | None, *, name: str, value: str, dist: str,
                              constraint: str) -> None:
    """Report a query condition on a value the node's distribution cannot produce."""


@entry("E717", DocalcQueryError, "E[... | x = v] needs the target and the conditions on one "
       "plate (or global); got plates {plates}", "condition and average within one plate")
def conditions_mix_plates(span: Span | None, *, plates: str) -> None:
    """Report a conditional expectation whose target and conditions lie in different plates."""


_IMPOSSIBLE_HINT = "check the value against the node's distribution"


@entry("E718", DocalcQueryError, "the evidence {label} has zero probability in some {per}s of "
       "the model, so the conditional expectation is undefined there", _IMPOSSIBLE_HINT)
def evidence_impossible_in_part(span: Span | None, *, label: str, per: str) -> None:
    """Report evidence that no draw can produce in some draws (or pools) of the model."""


@entry("E719", DocalcQueryError, "the evidence {label} has zero probability under the model, "
       "so E[{target} | {label}] is undefined", _IMPOSSIBLE_HINT)
def evidence_impossible(span: Span | None, *, label: str, target: str) -> None:
    """Report evidence that no draw of the model can produce."""


@entry("E720", DocalcQueryError, "the condition {name} = {value} reads {reads}: the value of a "
       "condition must be a number", "write a number (or arithmetic of numbers), e.g. "
       "`E[... | {name} = 1]`")
def condition_not_constant(span: Span | None, *, name: str, value: str, reads: str) -> None:
    """Report ``E[y | x = y]``: a condition whose value reads a node."""


@entry("E625", DocalcInterventionError, "do({intervention}) makes {param} of {node} ~ {dist} "
       "equal to {value}, but {param} must be {constraint}",
       "an intervention may leave {name}'s own support, but every parameter downstream must "
       "stay valid: choose a value of {name} that keeps {param} of {node} {constraint}")
def do_makes_parameter_invalid(span: Span | None, *, intervention: str, name: str, param: str,
                               node: str, dist: str, value: str, constraint: str) -> None:
    """Report a literal do() value that makes a downstream parameter an invalid constant.

    ``do(z = 0)`` with ``w ~ Exponential(z)``: the rate is 0 whatever the run, so it is
    refused where the intervention is written.
    """
