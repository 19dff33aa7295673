"""Which steps the live slider path runs, and which of its terms cancel exactly.

Plan analysis for :mod:`docalc.compiler.run.slider_effect`: the steps an outcome depends on,
the steps only checks need, the deterministic nodes a baseline recomputes, and, when the
outcome's noise cancels in the difference of two scenarios, the difference of their
locations with the shared terms left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from docalc.dsl import ast
from docalc.dsl.errors import interventions
from docalc.dsl.ir import CheckedModel, Kind


def _names(e: ast.Expr) -> set[str]:
    out: set[str] = set()
    stack: list[object] = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            out.add(node.id)
        stack.extend(ast.children(node))
    return out


# families whose noise enters as loc + spread * eps: the difference of two draws with the
# same eps and the same spread is the difference of the locations
_LOCATION = {"Normal", "Laplace", "Cauchy", "StudentT"}


def check_names(checked: CheckedModel, outcome: str, controls: list[str]) -> None:
    """Refuse unknown names, no controls, a repeated control, or the outcome as one."""
    from docalc.dsl.check.checker import suggest

    if not controls:
        raise interventions.effect_without_controls(None).error()
    for name in [outcome, *controls]:
        if name not in checked.names:
            raise interventions.do_undefined(None, name=name,
                                             suggestion=suggest(name, checked.names)).error()
    if len(set(controls)) != len(controls):
        dup = next(c for c in controls if controls.count(c) > 1)
        raise interventions.do_twice(None, name=dup).error()
    if outcome in controls:
        raise interventions.outcome_is_control(None, name=outcome).error()



def recompute(factual: CheckedModel, outcome: str, controls: Iterable[str]) -> list[str]:
    """Deterministic nodes between the controls and the outcome, recomputed in the baseline.

    Recomputing them from held values gives the value the posterior recorded, without
    reading a (draws x units) array of it on every call; stochastic ones stay held, as in
    ``Fit.effect``.
    """
    g = factual.graph(intervened=False)
    up = nx.ancestors(g, outcome)
    down: set[str] = set()
    for c in controls:
        down |= nx.descendants(g, c)
    between = (up & down)
    out = []
    for name in sorted(between):
        if factual.node(name).kind is not Kind.DETERMINISTIC:
            continue
        below = nx.descendants(g, name) & up
        if all(factual.node(n).kind is Kind.DETERMINISTIC for n in below):
            out.append(name)
    return out


def relevant(plan: Any, checked: CheckedModel, outcome: str) -> list[Any]:
    """Return the plan's steps the outcome depends on, in order, ending with the outcome's."""
    g = checked.graph()
    need = nx.ancestors(g, outcome) | {outcome}
    steps = [s for s in plan.steps if s.name in need]
    k = next(i for i, s in enumerate(steps) if s.name == outcome)
    return steps[: k + 1]


def check_steps(plan: Any, checked: CheckedModel, checks: Sequence[Any],
                 relevant: Sequence[Any]) -> list[Any]:
    """Return the steps outside ``relevant`` that the plan's checks need, in plan order.

    A checked node the outcome does not depend on, and what its parameters read.
    """
    if not checks:
        return []
    g = checked.graph()
    need: set[str] = set()
    for ch in checks:
        need |= nx.ancestors(g, ch.node) | {ch.node}
    have = {s.name for s in relevant}
    return [s for s in plan.steps if s.name in need and s.name not in have]


def cancels(st_a: Any, st_b: Any, modes_a: Mapping[str, str], modes_b: Mapping[str, str]) -> bool:
    """Whether the outcome's shared noise cancels exactly in the difference."""
    if st_a.mode != "sample" or st_b.mode != "sample":
        return False
    dist = st_a.node.dist
    if dist is None or dist.name not in _LOCATION or st_b.node.dist != dist:
        return False
    held = ("given", "data")
    for k, e in dist.args:
        if k == "loc":
            continue
        # the spread (and df) must take the same value in both scenarios
        if any(modes_a.get(n) not in held or modes_b.get(n) not in held for n in _names(e)):
            return False
    return True


Delta = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]


def delta_of(e: Any, changed: set[str], dets: Mapping[str, Any]) -> Delta | None:
    """Return ``f(env_a, env_b) = e(env_a) - e(env_b)`` with unchanged terms left out.

    Terms of a sum that read only values the two scenarios share cancel exactly in real
    arithmetic; dropping them spares the arithmetic (and rounding) of computing them
    twice. Deterministic nodes computed in both scenarios are expanded the same way.
    None means the difference is zero.
    """
    from docalc.compiler.lower.expr import compile_expr

    match e:
        case ast.Binary(op="+" | "-" as op, left=left, right=right):
            da, db = delta_of(left, changed, dets), delta_of(right, changed, dets)
            if db is None:
                return da
            if op == "-":
                nb = db

                def db(ea: Any, eb: Any) -> Any:
                    return -nb(ea, eb)

            if da is None:
                return db
            return lambda ea, eb: da(ea, eb) + db(ea, eb)
        case ast.Unary(op="-", operand=o):
            d = delta_of(o, changed, dets)
            return None if d is None else (lambda ea, eb: -d(ea, eb))
        case ast.Name(id=n) if n in dets:
            return delta_of(dets[n], changed, dets)
    if not (_names(e) & changed):
        return None
    f = compile_expr(e)
    return lambda ea, eb: f(ea, None) - f(eb, None)


