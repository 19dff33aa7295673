"""The parameters that literal intervention values make invalid, found where they are written.

An intervention replaces a node's mechanism, so its value is not bounded by the old
distribution's support (``do(z = 0)`` on a LogNormal z is allowed). What must hold is that
every parameter downstream stays valid; the run checks that in general. Where the values
of a ``do`` reach an argument made only of those values, constants and deterministic
nodes of them (``w ~ Exponential(z)``, ``d = 2 * z; w ~ Poisson(d - 1)``), the argument is
a constant, and an invalid one is refused here, at the intervention, before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from docalc.dsl import ast
from docalc.dsl.check.folding import constant, number_text
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS, in_support
from docalc.dsl.errors import Diagnostic, interventions
from docalc.dsl.ir import DistCall, Kind, Node
from docalc.dsl.printer import print_intervention
from docalc.dsl.supports import representable

#: A node's value where it is a constant, and the interventions it comes from.
Known = tuple[float, tuple[ast.Intervention, ...]]


def children_of(nodes: Mapping[str, Node]) -> dict[str, list[str]]:
    """Return each node's children (the nodes whose mechanisms read it)."""
    out: dict[str, list[str]] = {}
    for n in nodes.values():
        for p in n.parents:
            out.setdefault(p, []).append(n.name)
    return out


def downstream_problems(ivs: Sequence[ast.Intervention], nodes: Mapping[str, Node],
                        children: Mapping[str, list[str]]) -> list[Diagnostic]:
    """Return, for the interventions of one ``do``, the downstream parameters they break.

    Parameters
    ----------
    ivs : sequence of ast.Intervention
        Checked interventions (on known nodes, each once).
    nodes, children : mapping
        The model's nodes by name, and :func:`children_of` them.

    Returns
    -------
    list of Diagnostic
        One E625 per intervention at most, at the intervention that gives the value.
    """
    # the value each node takes, and the interventions it comes from
    known: dict[str, Known] = {}
    for iv in ivs:
        if isinstance(iv, ast.SetValue):
            v = constant(iv.value)
            if v is not None and representable(v):
                known[iv.name] = (v, (iv,))
    replaced = {iv.name for iv in ivs}
    blamed: set[str] = set()
    out: list[Diagnostic] = []
    pending = [c for name in known for c in children.get(name, ())]
    while pending:
        name = pending.pop()
        node = nodes.get(name)
        if node is None or name in replaced or name in known:
            continue
        if node.kind is Kind.DETERMINISTIC and node.expr is not None:
            found = _value(node.expr, known)
            if found is not None:
                known[name] = found
                pending.extend(children.get(name, ()))
        elif node.kind is Kind.STOCHASTIC and node.dist is not None:
            problem = _invalid_parameter(node.name, node.dist, known)
            if problem is not None and problem[0].name not in blamed:
                blamed.add(problem[0].name)
                out.append(problem[1])
    return out


def _value(e: ast.Expr, known: Mapping[str, Known]) -> Known | None:
    # the value of ``e`` given the known nodes, when it reads at least one and no other
    names = [n.id for n in ast.names_in(e)]
    read = [n for n in names if n in known]
    env = {n: known[n][0] for n in read}
    v = constant(e, env) if read else None
    if v is None:
        return None
    sources = tuple(dict.fromkeys(iv for n in read for iv in known[n][1]))
    return v, sources


def _invalid_parameter(node: str, dist: DistCall, known: Mapping[str, Known]
                       ) -> tuple[ast.Intervention, Diagnostic] | None:
    spec = DISTRIBUTIONS[dist.name]
    values: dict[str, Known] = {}
    for param in spec.params:
        expr = dist.arg(param.name)
        if expr is None:
            continue
        listed = isinstance(expr, ast.ListExpr)
        for item in expr.items if isinstance(expr, ast.ListExpr) else (expr,):
            found = _value(item, known)
            if found is None:
                continue
            v, sources = found
            what = f"an entry of {param.name}" if listed else param.name
            if listed:  # an entry of Categorical's list
                constraint = "unit_closed" if param.name == "probs" else "real"
                words = CONSTRAINTS[constraint]
            else:
                constraint, words = param.constraint, CONSTRAINTS[param.constraint]
                values[param.name] = found
            if not representable(v):
                return sources[0], _diag(sources[0], what, node, dist, v,
                                         "a finite number" if constraint == "real"
                                         else f"finite and {words}")
            if not in_support(constraint, v):
                return sources[0], _diag(sources[0], what, node, dist, v, words)
    if spec.support == "interval":
        low, high = (p.name for p in spec.params[:2])
        lo, hi = _bound(dist, low, values), _bound(dist, high, values)
        if lo is None or hi is None or lo < hi:
            return None
        if low in values:  # the bound the intervention moved is the one reported
            source = values[low][1][0]
            return source, _diag(source, low, node, dist, lo,
                                 f"less than {high} ({number_text(hi)})")
        if high in values:
            source = values[high][1][0]
            return source, _diag(source, high, node, dist, hi,
                                 f"greater than {low} ({number_text(lo)})")
    return None


def _bound(dist: DistCall, name: str, values: Mapping[str, Known]) -> float | None:
    if name in values:
        return values[name][0]
    expr = dist.arg(name)
    return constant(expr) if expr is not None else None


def _diag(iv: ast.Intervention, param: str, node: str, dist: DistCall, value: float,
          constraint: str) -> Diagnostic:
    return interventions.do_makes_parameter_invalid(
        iv.span, intervention=print_intervention(iv), name=iv.name, param=param, node=node,
        dist=dist.name, value=number_text(value), constraint=constraint)
