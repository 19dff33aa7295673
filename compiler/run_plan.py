"""Evaluation plans: for each node, how its value is obtained in one run of the model.

A plan is static (hashable, printable) and is what a jitted function is keyed on; the
values it reads (data, posterior draws, intervention values) are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np

from docalc.dsl import ast
from docalc.dsl.checker import const_value, literal_value
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import DocalcError, diagnostic
from docalc.dsl.ir import CheckedModel, InterventionDef, Kind, Node
from docalc.dsl.printer import print_expr

# How a node's value is obtained:
#   given  - read from the arguments (data column, posterior draw)
#   data   - an exogenous input column (always given)
#   sample - drawn from its mechanism        det    - computed from its expression
#   set    - a hard intervention's expression (literals are parameters)
#   array  - a hard intervention with an array value supplied as an argument
#   shift  - an expression of the factual value   dist - a stochastic intervention
#   abduct - counterfactual: the factual unit's noise pushed through the new parents
MODES = ("given", "data", "sample", "det", "set", "array", "shift", "dist", "abduct")


def literal_nodes(exprs: Iterable[ast.Expr]) -> list[ast.Expr]:
    """Return the literals of the expressions, in slot order.

    A literal is a number or a signed number: ``-1`` parses as unary minus around ``1``
    and is one literal holding -1 (its outermost sign node is the literal), so that
    ``do(b = -1)`` and ``do(b = 2)`` have the same plan key and share one compiled
    function; the values are ``literal_value`` of each.

    Parameters
    ----------
    exprs : iterable of ast.Expr
        Intervention expressions, as :func:`intervention_exprs` lists them.

    Returns
    -------
    list of ast.Expr
        ``Num`` nodes and signed ``Unary`` nodes around them, left to right.
    """
    out: list[ast.Expr] = []
    for e in exprs:
        stack: list[object] = [e]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Num | ast.Unary) and literal_value(node) is not None:
                out.append(node)
                continue  # a signed literal's number is not a slot of its own
            stack.extend(reversed(ast.children(node)))
    return out


def _masked(e: ast.Expr) -> ast.Expr:
    # the literals become '#', the same set of nodes literal_nodes numbers, so that equal
    # keys mean equal slot layouts
    if literal_value(e) is not None:
        return ast.Name("#")
    match e:
        case ast.Unary(operand=o):
            return replace(e, operand=_masked(o))
        case ast.Binary(left=a, right=b):
            return replace(e, left=_masked(a), right=_masked(b))
        case ast.Call(args=args, kwargs=kwargs):
            return replace(e, args=tuple(_masked(a) for a in args),
                           kwargs=tuple(replace(k, value=_masked(k.value)) for k in kwargs))
        case ast.ListExpr(items=items):
            return replace(e, items=tuple(_masked(i) for i in items))
    return e


def _shape(iv: InterventionDef) -> str:
    """Return the intervention as text with its literals as '#' (what plan keys hold)."""
    if iv.kind == "dist":
        assert iv.dist is not None
        args = ", ".join(f"{k}={print_expr(_masked(v))}" for k, v in iv.dist.args)
        return f"{iv.name} ~ {iv.dist.name}({args})"
    if iv.expr is None:
        return f"{iv.name} = <array>"
    return f"{iv.name} = {print_expr(_masked(iv.expr))}"


@dataclass(frozen=True)
class Step:
    """One node's evaluation in a plan."""

    node: Node
    index: int
    mode: str
    intervention: InterventionDef | None = None
    factual_mode: str | None = None
    observed: bool = False

    @property
    def name(self) -> str:
        """The node's name."""
        return self.node.name

    def describe(self) -> str:
        """Return a one-line description used in keys and debug printing."""
        iv = _shape(self.intervention) if self.intervention else ""
        obs = " observed" if self.observed else ""
        fm = f" factual:{self.factual_mode}" if self.factual_mode else ""
        return f"{self.name} [{self.node.plate or '-'}] {self.mode}{fm}{obs} " \
               f"{self.node.mechanism()} {iv}".rstrip()


@dataclass(frozen=True)
class Plan:
    """A whole evaluation: steps in order and the plate sizes (static shapes)."""

    steps: tuple[Step, ...]
    sizes: tuple[tuple[str, int], ...]
    key: str = field(default="", compare=False)

    @property
    def size(self) -> dict[str, int]:
        """Plate sizes as a dict."""
        return dict(self.sizes)

    def __str__(self) -> str:
        return self.key


def intervention_exprs(plan: Plan) -> list[ast.Expr]:
    """Return the expressions whose literals are parameters, in slot order."""
    out: list[ast.Expr] = []
    for st in plan.steps:
        iv = st.intervention
        if iv is None:
            continue
        if iv.expr is not None:
            out.append(iv.expr)
        if iv.dist is not None:
            out.extend(e for _, e in iv.dist.args)
    return out


def _make(steps: Iterable[Step], sizes: Mapping[str, int]) -> Plan:
    steps = tuple(steps)
    sz = tuple(sorted(sizes.items()))
    # each step's index picks its random stream (fold_in(key, index)): it is part of what
    # the compiled function computes, so two plans that list the same steps with other
    # indices (independent nodes declared in another order) must not share a key
    key = "\n".join(f"{s.index}: {s.describe()}" for s in steps) + "\nsizes " + repr(sz)
    return Plan(steps, sz, key)


def affected(model: CheckedModel, sources: Iterable[str]) -> set[str]:
    """Return the sources and every node downstream of them in the intervened graph."""
    g = model.graph()
    out: set[str] = set()
    for s in sources:
        out.add(s)
        out |= nx.descendants(g, s)
    return out


def _intervention_mode(iv: InterventionDef) -> str:
    if iv.kind == "set":
        return "set" if iv.expr is not None else "array"
    return iv.kind


def forward_plan(model: CheckedModel, sizes: Mapping[str, int], given: Iterable[str],
                 recompute: Iterable[str] = (), *, counterfactual: bool = False,
                 needed: Iterable[str] | None = None) -> Plan:
    """Plan a forward run.

    Given values are held unless downstream of an intervention or of a node in
    ``recompute``; everything else is drawn or computed.

    With ``counterfactual=True`` the stochastic nodes that must be recomputed keep their
    factual noise (abduction) instead of fresh draws. ``needed`` limits the plan to those
    nodes and their ancestors in the intervened graph: the others are left out (neither
    computed, checked nor output), so a counterfactual of ``y`` is not refused for a
    Bernoulli child of ``y``, nor a prediction of ``z`` for an invalid parameter of a
    sibling it does not read. A hard intervention whose value can be computed from what
    is kept stays in (its value is checked, and its literals keep their slots).
    Steps keep the node's index, so the noise of every kept node is unchanged.

    Parameters
    ----------
    model : CheckedModel
        The (intervened) model.
    sizes : mapping
        Plate sizes.
    given : iterable of str
        Nodes whose values are arguments (data, posterior draws).
    recompute : iterable of str, optional
        Nodes to recompute even though given (with everything downstream of them).
    counterfactual : bool, optional
        Abduct the noise of recomputed given stochastic nodes.
    needed : iterable of str, optional
        The nodes asked for; default all.

    Returns
    -------
    Plan

    Raises
    ------
    DocalcCounterfactualError
        A counterfactual needs the noise of a node whose family cannot give it back.
    """
    given = set(given)
    ivs = {i.name: i for i in model.interventions}
    redo = affected(model, [*ivs, *recompute]) if ivs or recompute else set()
    wanted: set[str] | None = None
    if needed is not None:
        g = model.graph()
        wanted = set(needed)
        for n in list(wanted):
            wanted |= nx.ancestors(g, n)
        redo = {n for n in redo if n in wanted}
    rank = {n.name: k for k, n in enumerate(model.nodes)}
    steps = []
    kept: set[str] = set()
    problems = []
    for name in model.order():
        node = model.node(name)
        k = rank[name]
        iv = ivs.get(name)
        if wanted is not None and name not in wanted and not _computable(iv, kept):
            continue
        kept.add(name)
        if node.kind is Kind.DATA and iv is None:
            steps.append(Step(node, k, "data"))
            continue

        def usual(held: bool, node: Node = node) -> str:
            if held:
                return "given"
            if node.kind is Kind.DETERMINISTIC:
                return "det"
            if counterfactual and node.name in given:
                assert node.dist is not None
                if DISTRIBUTIONS[node.dist.name].noise is None:
                    problems.append(node)
                return "abduct"
            return "sample"

        if iv is not None:
            mode = _intervention_mode(iv)
            fm = None
            if mode == "shift":
                upstream_changed = any(p in redo and p != name for p in node.parents)
                fm = usual(name in given and not upstream_changed)
            steps.append(Step(node, k, mode, iv, fm))
        else:
            steps.append(Step(node, k, usual(name in given and name not in redo)))
    if problems:
        raise _noise_error(problems, model)
    return _make(steps, sizes)


def _computable(iv: InterventionDef | None, kept: set[str]) -> bool:
    """Whether a hard intervention's value needs nothing but the nodes kept so far."""
    return iv is not None and _intervention_mode(iv) in ("set", "array") \
        and set(iv.reads) <= kept


def _noise_error(nodes: list[Node], model: CheckedModel) -> DocalcError:
    ds = []
    for node in nodes:
        assert node.dist is not None
        ds.append(diagnostic(
            "E920", node.span, source_text=model.text,
            detail=f"cannot compute the counterfactual of '{node.name}': its noise under "
                   f"{node.dist.name} cannot be recovered from the observed value",
            hint="counterfactuals need location-scale mechanisms (Normal, StudentT, Laplace, "
                 "Cauchy, LogNormal, HalfNormal, HalfCauchy) or deterministic nodes for the "
                 "nodes the intervention changes; use predict() or effect() for the "
                 "interventional answer instead"))
    return ds[0].kind(ds)


def inference_plan(model: CheckedModel, sizes: Mapping[str, int],
                   observed: Iterable[str]) -> Plan:
    """Plan the model for inference: every node from its mechanism, observed ones as obs."""
    observed = set(observed)
    ivs = {i.name: i for i in model.interventions}
    rank = {n.name: k for k, n in enumerate(model.nodes)}
    steps = []
    for name in model.order():
        node = model.node(name)
        iv = ivs.get(name)
        if iv is not None:
            mode = _intervention_mode(iv)
            steps.append(Step(node, rank[name], mode, iv, "sample" if mode == "shift" else None,
                              observed=name in observed and mode == "dist"))
        elif node.kind is Kind.DATA:
            steps.append(Step(node, rank[name], "data"))
        elif node.kind is Kind.DETERMINISTIC:
            steps.append(Step(node, rank[name], "det"))
        else:
            steps.append(Step(node, rank[name], "sample", observed=name in observed))
    return _make(steps, sizes)


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
    (its sources are then the intervention itself); an intervened node with a distribution
    is checked against that distribution's support unless its value is a literal. The
    checker has refused constants (``0 - 1`` as much as ``-1``) outside the support already.

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
        inner = ", ".join(f"{k}={print_expr(_masked(v)).replace('#', '…')}"
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
            literal = iv.expr is not None and literal_value(iv.expr) is not None
            support = DISTRIBUTIONS[node.dist.name].support if node.dist else None
            if st.mode in ("set", "shift") and support and support != "interval" \
                    and not literal:
                add(st, None, support, node.dist, srcs)
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


def _violation(check: Check, where: str) -> tuple[str, str]:
    """Return the message and hint for a broken check (``where`` says in which draws)."""
    words = CONSTRAINTS[check.constraint]
    # a stochastic intervention's own parameter is reached by no other intervention (a
    # distribution's parameters never read the node it draws)
    own = check.param is not None and check.node in check.sources
    many = len(check.sources) > 1 and not own
    cause = f"do({check.node} ~ {check.dist})" if own else \
        f"the value{'s' if many else ''} do() gives {', '.join(check.sources)}"
    if check.param is None:
        return (f"{cause} {'are' if many else 'is'} outside the support of {check.node} ~ "
                f"{check.dist}: {check.node} must be {words}, but is not {where}",
                f"give {check.node} values that are {words}")
    if check.constraint == "interval":
        target = check.node if own else f"{check.node} ~ {check.dist}"
        return (f"{cause} {'give' if many else 'gives'} {target} a high bound not above its "
                f"low bound {where}", "keep low below high")
    if own:
        return (f"{cause} has an invalid {check.param}: {check.param} must be {words}, but "
                f"is not {where}", f"give {check.node} a distribution whose {check.param} is "
                f"{words}")
    return (f"{cause} {'make' if many else 'makes'} {check.param} of {check.node} ~ "
            f"{check.dist} invalid: {check.param} must be {words}, but is not {where}",
            f"choose intervention values that keep {check.param} of {check.node} {words}")


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
        detail, hint = _violation(check, where)
        ds.append(diagnostic("E603", None, detail=detail, hint=hint))
    if ds:
        raise ds[0].kind(ds)
