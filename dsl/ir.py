"""The checked model: an immutable description the compiler lowers to NumPyro.

Expressions are AST expressions (already immutable, with spans); names in them are known
to resolve. Nodes are in topological order. Nothing here imports JAX.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property

import networkx as nx

from docalc.dsl import ast
from docalc.dsl.printer import print_expr
from docalc.dsl.spans import NOWHERE, Span


class Kind(str, Enum):  # noqa: UP042 (StrEnum would change str(kind), which callers format)
    """What defines a node's value."""

    STOCHASTIC = "stochastic"
    DETERMINISTIC = "deterministic"
    DATA = "data"


@dataclass(frozen=True, slots=True)
class DistCall:
    """A checked distribution call: catalogue name and arguments by NumPyro name, in order."""

    name: str
    args: tuple[tuple[str, ast.Expr], ...]
    span: Span = field(default=NOWHERE, compare=False)

    def arg(self, name: str) -> ast.Expr | None:
        """Return the expression given for parameter ``name``, if any."""
        return dict(self.args).get(name)

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={print_expr(v)}" for k, v in self.args)
        return f"{self.name}({inner})"


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the model.

    Attributes
    ----------
    name : str
    kind : Kind
    plate : str or None
        The plate it has one value per unit of; None for a global node.
    dist : DistCall or None
        For stochastic nodes.
    expr : ast.Expr or None
        For deterministic nodes.
    parents : tuple of str
        Nodes its mechanism reads, in first-read order.
    index_of : str or None
        For a data index column, the group plate it indexes.

    """

    name: str
    kind: Kind
    plate: str | None
    dist: DistCall | None = None
    expr: ast.Expr | None = None
    parents: tuple[str, ...] = ()
    index_of: str | None = None
    span: Span = field(default=NOWHERE, compare=False)

    def mechanism(self) -> str:
        """Return the mechanism as text (``~ Normal(...)``, ``= expr`` or ``data``)."""
        if self.kind is Kind.STOCHASTIC:
            return f"~ {self.dist}"
        if self.kind is Kind.DETERMINISTIC:
            assert self.expr is not None
            return f"= {print_expr(self.expr)}"
        return "data" + (f" (index into {self.index_of})" if self.index_of else "")


@dataclass(frozen=True, slots=True)
class PlateDef:
    """A plate: its fixed size if any, and which index columns point into it."""

    name: str
    size: int | None
    span: Span = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class InterventionDef:
    """A checked intervention on one node.

    ``kind`` is ``"set"`` (a new value, possibly reading other nodes), ``"shift"`` (the
    expression reads the node's own factual value) or ``"dist"`` (a new distribution).
    For ``"set"`` with ``expr`` None the value is an array supplied at run time.
    """

    name: str
    kind: str
    expr: ast.Expr | None = None
    dist: DistCall | None = None
    reads: tuple[str, ...] = ()
    span: Span = field(default=NOWHERE, compare=False)

    def __str__(self) -> str:
        if self.kind == "dist":
            return f"{self.name} ~ {self.dist}"
        if self.expr is None:
            return f"{self.name} = <array>"
        return f"{self.name} = {print_expr(self.expr)}"


@dataclass(frozen=True, slots=True)
class QueryDef:
    """A named query; its expression combines expectations ``E[...]``."""

    name: str
    expr: ast.Expr
    span: Span = field(default=NOWHERE, compare=False)

    def __str__(self) -> str:
        return f"query {self.name} = {print_expr(self.expr)}"


@dataclass(frozen=True)
class CheckedModel:
    """A model that passed every check, ready for the compiler."""

    nodes: tuple[Node, ...]
    plates: tuple[PlateDef, ...] = ()
    interventions: tuple[InterventionDef, ...] = ()
    queries: tuple[QueryDef, ...] = ()
    source: str = field(default="<string>", compare=False)
    text: str = field(default="", compare=False, repr=False)

    @cached_property
    def _by_name(self) -> dict[str, Node]:
        # built on first use: compiler passes look nodes up once per parent
        return {n.name: n for n in self.nodes}

    def node(self, name: str) -> Node:
        """Return the node called ``name`` (KeyError if none)."""
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Node names in topological order."""
        return tuple(n.name for n in self.nodes)

    def plate(self, name: str) -> PlateDef:
        """Return the plate called ``name``."""
        for p in self.plates:
            if p.name == name:
                return p
        raise KeyError(name)

    def intervention(self, name: str) -> InterventionDef | None:
        """Return the intervention on node ``name``, if any."""
        for i in self.interventions:
            if i.name == name:
                return i
        return None

    def query(self, name: str) -> QueryDef:
        """Return the named query (KeyError if none)."""
        for q in self.queries:
            if q.name == name:
                return q
        raise KeyError(name)

    def with_interventions(self, new: Iterable[InterventionDef]) -> CheckedModel:
        """Return a model whose interventions are these plus the old ones on other nodes."""
        new = tuple(new)
        names = {i.name for i in new}
        kept = tuple(i for i in self.interventions if i.name not in names)
        return replace(self, interventions=kept + new)

    def graph(self, intervened: bool = True) -> nx.DiGraph:
        """Return the causal graph of the nodes (mutilated by the interventions if asked)."""
        g: nx.DiGraph = nx.DiGraph()
        for n in self.nodes:
            g.add_node(n.name, kind=n.kind.value, plate=n.plate)
            g.add_edges_from((p, n.name) for p in n.parents)
        if intervened:
            for i in self.interventions:
                if i.kind != "shift":
                    g.remove_edges_from(list(g.in_edges(i.name)))
                g.add_edges_from((r, i.name) for r in i.reads if r != i.name)
        return g

    def order(self) -> tuple[str, ...]:
        """Return an evaluation order that respects the interventions (source order on ties)."""
        rank = {n.name: k for k, n in enumerate(self.nodes)}
        return tuple(nx.lexicographical_topological_sort(self.graph(), key=rank.__getitem__))

    def unit_nodes(self) -> tuple[Node, ...]:
        """Return the nodes that live in a plate."""
        return tuple(n for n in self.nodes if n.plate is not None)

    def pretty(self) -> str:
        """Return a readable listing: plates, nodes in order, interventions, queries."""
        out = [f"model {self.source}"]
        for p in self.plates:
            out.append(f"plate {p.name}" + (f"[{p.size}]" if p.size is not None else ""))
        for n in self.nodes:
            where = n.plate or "global"
            parents = ", ".join(n.parents) or "-"
            out.append(f"  {n.name:<12} {n.kind.value:<13} {where:<10} {n.mechanism()}"
                       f"   <- {parents}")
        for i in self.interventions:
            out.append(f"do {i.kind:<5} {i}")
        for q in self.queries:
            out.append(str(q))
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.pretty()


def plate_sizes(model: CheckedModel) -> Mapping[str, int | None]:
    """Return each plate's fixed size (None where data or simulate sets it)."""
    return {p.name: p.size for p in model.plates}
