"""Evaluation plans: for each node, how its value is obtained in one run of the model.

A plan is static (hashable, printable) and is what a jitted function is keyed on; the
values it reads (data, posterior draws, intervention values) are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import networkx as nx

from docalc.dsl import ast
from docalc.dsl.check.checker import literal_value
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import DocalcError, runtime
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


def masked(e: ast.Expr) -> ast.Expr:
    """Return ``e`` with its literals replaced by the name ``#``."""
    # the literals become '#', the same set of nodes literal_nodes numbers, so that equal
    # keys mean equal slot layouts
    if literal_value(e) is not None:
        return ast.Name("#")
    match e:
        case ast.Unary(operand=o):
            return replace(e, operand=masked(o))
        case ast.Binary(left=a, right=b):
            return replace(e, left=masked(a), right=masked(b))
        case ast.Call(args=args, kwargs=kwargs):
            return replace(e, args=tuple(masked(a) for a in args),
                           kwargs=tuple(replace(k, value=masked(k.value)) for k in kwargs))
        case ast.ListExpr(items=items):
            return replace(e, items=tuple(masked(i) for i in items))
    return e


def _shape(iv: InterventionDef) -> str:
    """Return the intervention as text with its literals as '#' (what plan keys hold)."""
    if iv.kind == "dist":
        assert iv.dist is not None
        args = ", ".join(f"{k}={print_expr(masked(v))}" for k, v in iv.dist.args)
        return f"{iv.name} ~ {iv.dist.name}({args})"
    if iv.expr is None:
        return f"{iv.name} = <array>"
    return f"{iv.name} = {print_expr(masked(iv.expr))}"


@dataclass(frozen=True)
class Step:
    """One node's evaluation in a plan."""

    node: Node
    index: int
    mode: str
    intervention: InterventionDef | None = None
    factual_mode: str | None = None
    observed: bool = False
    partly: bool = False
    """Observed with some cells missing (``observe(df, missing="impute")``): those cells
    are latents of their units (a discrete node's are summed out with the latents)."""

    @property
    def name(self) -> str:
        """The node's name."""
        return self.node.name

    def describe(self) -> str:
        """Return a one-line description used in keys and debug printing."""
        iv = _shape(self.intervention) if self.intervention else ""
        obs = " observed" if self.observed else ""
        obs += " partly" if self.partly else ""
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
        ds.append(runtime.noise_not_recoverable(node.span, name=node.name, dist=node.dist.name)
                  .with_source(model.text))
    return ds[0].kind(ds)


def inference_plan(model: CheckedModel, sizes: Mapping[str, int],
                   observed: Iterable[str], partly: Iterable[str] = ()) -> Plan:
    """Plan the model for inference: every node from its mechanism, observed ones as obs.

    ``partly`` names the observed nodes whose columns have imputed cells (``Bound.missing``):
    their steps are marked (:attr:`Step.partly`), so that the plan, and its key, know them.
    """
    observed = set(observed)
    partly = set(partly) & observed
    ivs = {i.name: i for i in model.interventions}
    rank = {n.name: k for k, n in enumerate(model.nodes)}
    steps = []
    for name in model.order():
        node = model.node(name)
        iv = ivs.get(name)
        if iv is not None:
            mode = _intervention_mode(iv)
            steps.append(Step(node, rank[name], mode, iv, _factual_mode(node) if mode == "shift"
                              else None,
                              observed=name in observed and mode == "dist",
                              partly=name in partly and mode == "dist"))
        elif node.kind is Kind.DATA:
            steps.append(Step(node, rank[name], "data"))
        elif node.kind is Kind.DETERMINISTIC:
            steps.append(Step(node, rank[name], "det"))
        else:
            steps.append(Step(node, rank[name], "sample", observed=name in observed,
                              partly=name in partly))
    return _make(steps, sizes)


def _factual_mode(node: Node) -> str:
    """How inference gets the factual value a shift reads: computed, a column, or drawn."""
    if node.kind is Kind.DETERMINISTIC:
        return "det"
    return "data" if node.kind is Kind.DATA else "sample"
