"""Evaluation plans: for each node, how its value is obtained in one run of the model.

A plan is static (hashable, printable) and is what a jitted function is keyed on; the
values it reads (data, posterior draws, intervention values) are arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from docalc.dsl import ast
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import DocalcError, diagnostic
from docalc.dsl.ir import CheckedModel, InterventionDef, Kind, Node

# How a node's value is obtained:
#   given  - read from the arguments (data column, posterior draw)
#   data   - an exogenous input column (always given)
#   sample - drawn from its mechanism        det    - computed from its expression
#   set    - a hard intervention's expression (literals are parameters)
#   array  - a hard intervention with an array value supplied as an argument
#   shift  - an expression of the factual value   dist - a stochastic intervention
#   abduct - counterfactual: the factual unit's noise pushed through the new parents
MODES = ("given", "data", "sample", "det", "set", "array", "shift", "dist", "abduct")

_NUMBER = re.compile(r"(?<![\w.])\d+\.?\d*(?:[eE][+-]?\d+)?")


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
        iv = _NUMBER.sub("#", str(self.intervention)) if self.intervention else ""
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
    key = "\n".join(s.describe() for s in steps) + "\nsizes " + repr(sz)
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
    factual noise (abduction) instead of fresh draws. ``needed`` limits the recomputation
    to those nodes and their ancestors (the rest keep their given values, and are not
    output), so a counterfactual of ``y`` is not refused for a Bernoulli child of ``y``.
    """
    given = set(given)
    ivs = {i.name: i for i in model.interventions}
    redo = affected(model, [*ivs, *recompute]) if ivs or recompute else set()
    if needed is not None:
        g = model.graph()
        wanted = set(needed)
        for n in list(wanted):
            wanted |= nx.ancestors(g, n)
        redo = {n for n in redo if n in wanted or n not in given}
    rank = {n.name: k for k, n in enumerate(model.nodes)}
    steps = []
    problems = []
    for name in model.order():
        node = model.node(name)
        k = rank[name]
        iv = ivs.get(name)
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
