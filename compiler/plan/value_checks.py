"""Checks of intervention values that only a run can decide, and their messages.

An intervention's value is an argument of the compiled function, so whether it gives some
distribution an invalid parameter (``do(t = -1)`` with ``y ~ Normal(0, t)``) is known only
when the run is done: each run counts, per check, the units that broke it, and the host
raises (:func:`raise_violations`). The checks depend on the plan, never on the values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from docalc.compiler.plan.run_plan import Plan, Step, masked
from docalc.dsl import ast
from docalc.dsl.check.checker import const_value
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import Diagnostic, interventions
from docalc.dsl.printer import print_expr


@dataclass(frozen=True)
class Check:
    """A constraint that an intervention's value may break in a run of a plan.

    Attributes
    ----------
    node : str
        The node whose distribution parameter (or own value) is checked.
    param : str or None
        The parameter (NumPyro's name); None for the intervened node's own value, which
        must lie in the support of the node's distribution.
    constraint : str
        A key of ``docalc.dsl.distributions.CONSTRAINTS``.
    dist : str
        The distribution as text, for messages (a new distribution's literals as '…').
    plate : str or None
        The node's plate.
    units : int
        The plate's size (1 for a global node).
    sources : tuple of str
        The intervened nodes whose values reach the checked value.

    Nothing in it depends on intervention values: the checks of plans with one key are
    equal, so a compiled function re-used for new values reports them correctly.
    """

    node: str
    param: str | None
    constraint: str
    dist: str
    plate: str | None
    units: int
    sources: tuple[str, ...]


def _param_constraint(dist: str, param: str) -> str:
    spec = DISTRIBUTIONS[dist]
    p = spec.lookup(param)
    if p is None or param == "logits":  # logits are listed as a simplex but are real
        return "real"
    return p.constraint


def _constant(e: ast.Expr) -> bool:
    """Whether the checker knows the value (a constant, or a list of constants)."""
    if isinstance(e, ast.ListExpr):
        return all(const_value(i) is not None for i in e.items)
    return const_value(e) is not None


def plan_checks(plan: Plan) -> tuple[tuple[Check, ...], dict[tuple[str, str | None], int]]:
    """Return the constraints the plan's intervention values may break, and where each is.

    A distribution is checked when a parameter's expression reads a node that an
    intervention's value reaches (through deterministic nodes and draws); a stochastic
    intervention's new distribution is checked in every parameter that is not a constant
    (its sources are then the intervention itself). An intervened value is not checked
    against the support of the distribution it replaces: only what it reaches downstream.

    Parameters
    ----------
    plan : Plan
        A forward or inference plan.

    Returns
    -------
    checks : tuple of Check
        In step order; a run reports one count per check.
    at : dict
        ``(node, param)`` (param None for a node's own value) to the check's index.
    """
    reach: dict[str, set[str]] = {}
    found: list[Check] = []

    def from_names(e: ast.Expr) -> set[str]:
        out: set[str] = set()
        for n in ast.names_in(e):
            out |= reach.get(n.id, set())
        return out

    def add(st: Step, param: str | None, constraint: str, dist: Any, srcs: set[str]) -> None:
        plate = st.node.plate
        inner = ", ".join(f"{k}={print_expr(masked(v)).replace('#', '…')}"
                          for k, v in dist.args) if st.mode == "dist" else None
        text = f"{dist.name}({inner})" if inner is not None else str(dist)
        found.append(Check(st.name, param, constraint, text, plate,
                           plan.size[plate] if plate else 1, tuple(sorted(srcs))))

    def check_dist(st: Step, dist: Any) -> None:
        # a stochastic intervention's new distribution is checked wherever it is not
        # constant, even when no intervened value reaches it (`x ~ HalfNormal(s - 10)`):
        # the checker has seen only its constants; the intervention is then the source
        new = st.mode == "dist"
        for param, e in dist.args:
            srcs = from_names(e)
            exprs = [e]
            if dist.name == "Uniform" and param in ("low", "high"):
                if param == "low":
                    continue
                srcs |= from_names(dist.arg("low"))
                exprs.append(dist.arg("low"))
                param_constraint = "interval"
            else:
                param_constraint = _param_constraint(dist.name, param)
            if not srcs and new and not all(_constant(x) for x in exprs):
                srcs = {st.name}
            if srcs:
                add(st, param, param_constraint, dist, srcs)

    for st in plan.steps:
        node, iv = st.node, st.intervention
        if iv is not None:
            srcs = {st.name}
            for r in iv.reads:
                if r != st.name:
                    srcs |= reach.get(r, set())
            if st.mode == "dist":
                assert iv.dist is not None
                check_dist(st, iv.dist)
            elif st.mode == "shift" and st.factual_mode in ("sample", "abduct") \
                    and node.dist is not None:
                check_dist(st, node.dist)
            # the value replaces the mechanism, so the old distribution's support does not
            # bound it (aimz's do(z = 0) on a LogNormal z); what it reaches is checked
            reach[st.name] = srcs
        elif st.mode in ("det", "sample", "abduct"):
            srcs = set().union(*(reach.get(p, set()) for p in node.parents))
            if srcs and node.dist is not None:
                check_dist(st, node.dist)
            if srcs:
                reach[st.name] = srcs
    at = {(c.node, c.param): k for k, c in enumerate(found)}
    return tuple(found), at


CHECK_SITE = "__check{}"
"""The NumPyro model records check k's count as a deterministic site of this name."""


def check_samples(plan: Plan, values: Mapping[str, Any]) -> None:
    """Raise if a fit's draws broke a check of the plan's interventions.

    The NumPyro model of ``plan`` records, for each check of :func:`plan_checks`, how many
    units broke it in each draw (site ``CHECK_SITE.format(k)``). A sampler compiled for
    valid values is re-used for new ones, so this is where a bad new value is caught.

    Parameters
    ----------
    plan : Plan
        The inference plan that was fitted.
    values : mapping
        The sampled sites, with leading (chain, draw) axes; checks whose site is missing
        (a sampler exported before checks were recorded) are skipped.

    Raises
    ------
    DocalcInterventionError
        As :func:`raise_violations`.
    """
    checks = plan_checks(plan)[0]
    found = [(c, values[CHECK_SITE.format(k)]) for k, c in enumerate(checks)
             if CHECK_SITE.format(k) in values]
    if found:
        raise_violations([c for c, _ in found], [v for _, v in found])


def _violation(check: Check, where: str) -> Diagnostic:
    """Return the diagnostic for a broken check (``where`` says in which draws)."""
    words = CONSTRAINTS[check.constraint]
    # a stochastic intervention's own parameter is reached by no other intervention (a
    # distribution's parameters never read the node it draws)
    own = check.param is not None and check.node in check.sources
    many = len(check.sources) > 1 and not own
    node, dist, sources = check.node, check.dist, ", ".join(check.sources)
    if check.param is None:
        return interventions.values_outside_support(
            None, node=node, dist=dist, sources=sources, many=many, constraint=words,
            where=where)
    if check.constraint == "interval":
        return interventions.bounds_crossed(None, node=node, dist=dist, sources=sources,
                                            many=many, own=own, where=where)
    if own:
        return interventions.own_parameter_invalid(None, node=node, dist=dist,
                                                   param=check.param, constraint=words,
                                                   where=where)
    return interventions.parameter_invalid(None, node=node, dist=dist, sources=sources,
                                           many=many, param=check.param, constraint=words,
                                           where=where)


def raise_violations(checks: Sequence[Check], counts: Sequence[Any], *,
                     during: str | None = None) -> None:
    """Raise a DocalcInterventionError if any check failed for some unit of some draw.

    Parameters
    ----------
    checks : sequence of Check
        What was checked.
    counts : sequence of array_like
        For each check, the number of units that broke it, per draw (any leading shape).
    during : str, optional
        The run the counts come from, for the message (default: the draws of a forward
        run, counted).

    Raises
    ------
    DocalcInterventionError
        Naming the node, the parameter, the interventions that reach it, and in how many
        draws and units the constraint failed.
    """
    ds = []
    for check, count in zip(checks, counts, strict=True):
        per_draw = np.asarray(count).reshape(-1)
        bad = int(np.count_nonzero(per_draw))
        if not bad:
            continue
        where = f"in {during}" if during else \
            f"in {bad} of {per_draw.size} draw{'s' if per_draw.size != 1 else ''}"
        if check.plate is not None:
            where = f"for up to {int(per_draw.max())} of the {check.units} units of plate " \
                    f"'{check.plate}', {where}"
        ds.append(_violation(check, where))
    if ds:
        raise ds[0].kind(ds)
