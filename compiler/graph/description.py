"""A plain description of a model's graph, separate from any drawing library.

``graph_spec`` turns a checked model into a ``GraphSpec``: frozen dataclasses listing
nodes (with shape, observed flag, intervention label and causal role), edges and plate
clusters. The spec is what tests inspect and what ``render`` draws, so the rules (which
edges an intervention cuts, which nodes are confounders) live here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import runtime
from docalc.dsl.ir import CheckedModel, DistCall, InterventionDef, Kind
from docalc.dsl.printer import print_expr

ROLES = ("treatment", "outcome", "confounder", "mediator")

# PyMC's model_to_graphviz draws random variables as ellipses and deterministics as boxes;
# data gets the "note" shape so it stays distinct from deterministics even without colour.
SHAPES: Mapping[Kind, str] = {
    Kind.STOCHASTIC: "ellipse",
    Kind.DETERMINISTIC: "box",
    Kind.DATA: "note",
}


@dataclass(frozen=True)
class NodeSpec:
    """One node as drawn.

    Attributes
    ----------
    name : str
    kind : str
        ``"stochastic"``, ``"deterministic"`` or ``"data"``.
    plate : str or None
        The plate cluster it is drawn in; None for a global node.
    shape : str
        A Graphviz shape: ``"ellipse"``, ``"box"`` or ``"note"`` (data).
    mechanism : str
        What PyMC prints under the name: the distribution, ``Deterministic`` or ``Data``.
    observed : bool
        Drawn filled, like PyMC's observed variables.
    intervention : str or None
        The ``do`` text, e.g. ``"do(b = 0)"``, when the node is intervened on.
    role : str or None
        One of ``ROLES``, coloured by the renderer.

    """

    name: str
    kind: str
    plate: str | None
    shape: str
    mechanism: str
    observed: bool = False
    intervention: str | None = None
    role: str | None = None

    @property
    def intervened(self) -> bool:
        """Whether the node carries an intervention."""
        return self.intervention is not None


@dataclass(frozen=True)
class EdgeSpec:
    """A directed edge; ``added`` marks one that only the intervention creates."""

    source: str
    target: str
    added: bool = False


@dataclass(frozen=True)
class ClusterSpec:
    """A plate drawn as a labelled box around its nodes."""

    name: str
    size: int | None
    nodes: tuple[str, ...]

    @property
    def label(self) -> str:
        """``"name"``, or ``"name [8]"`` when the plate has a fixed size."""
        return self.name if self.size is None else f"{self.name} [{self.size}]"


@dataclass(frozen=True)
class GraphSpec:
    """Everything a renderer needs to draw one model graph; immutable and printable.

    Attributes
    ----------
    nodes : tuple of NodeSpec
        In the model's topological order.
    edges : tuple of EdgeSpec
        Sorted by the order of their endpoints.
    clusters : tuple of ClusterSpec
        One per plate that has nodes.
    interventions : tuple of str
        The interventions drawn, as text (``"b = 0"``); empty for a factual graph.

    """

    nodes: tuple[NodeSpec, ...]
    edges: tuple[EdgeSpec, ...]
    clusters: tuple[ClusterSpec, ...]
    interventions: tuple[str, ...] = ()

    def node(self, name: str) -> NodeSpec:
        """Return the node called ``name`` (KeyError if none)."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def cluster(self, name: str) -> ClusterSpec:
        """Return the plate cluster called ``name`` (KeyError if none)."""
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)

    def parents(self, name: str) -> tuple[str, ...]:
        """Return the sources of the edges into ``name``."""
        return tuple(e.source for e in self.edges if e.target == name)

    def children(self, name: str) -> tuple[str, ...]:
        """Return the targets of the edges out of ``name``."""
        return tuple(e.target for e in self.edges if e.source == name)

    @property
    def do_label(self) -> str:
        """``"do(b = 0, c = 1)"`` for an intervened graph, ``"factual"`` otherwise."""
        return f"do({', '.join(self.interventions)})" if self.interventions else "factual"

    def pretty(self) -> str:
        """Return a readable listing: clusters, nodes with their drawing, edges."""
        out = [f"graph {self.do_label}"]
        for c in self.clusters:
            out.append(f"  plate {c.label}: {', '.join(c.nodes)}")
        for n in self.nodes:
            marks = [n.shape, n.kind]
            if n.observed:
                marks.append("observed")
            if n.role:
                marks.append(n.role)
            if n.intervention:
                marks.append(n.intervention)
            out.append(f"  node {n.name}: {', '.join(marks)}")
        for e in self.edges:
            out.append(f"  edge {e.source} -> {e.target}" + (" (added)" if e.added else ""))
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.pretty()


def graph_spec(
    model: CheckedModel,
    *,
    observed: Iterable[str] = (),
    roles: Mapping[str, str] | None = None,
    treatment: str | None = None,
    outcome: str | None = None,
    intervened: bool = True,
) -> GraphSpec:
    """Describe the graph of a checked model, mutilated by its interventions.

    Parameters
    ----------
    model : CheckedModel
        The front end's checked model; its interventions are drawn when ``intervened``.
    observed : iterable of str
        Names of observed nodes, drawn filled.
    roles : mapping of str to str, optional
        Node name to one of ``ROLES``. Given roles win over those derived from
        ``treatment`` and ``outcome``.
    treatment, outcome : str, optional
        When given, roles are derived with :func:`roles_for` (confounders are the
        common causes of the two).
    intervened : bool
        False draws the factual graph and ignores the model's interventions.

    Returns
    -------
    GraphSpec
        Incoming edges of a node under a hard (``set``) or stochastic (``dist``)
        intervention are removed; a ``shift`` keeps them, since its new value reads the
        factual one. Edges from the nodes an intervention reads are added.

    Raises
    ------
    DocalcArgumentError
        For an unknown role, or a role, observed name, treatment or outcome that is not
        a node of the model (also a ValueError, as before).

    """
    from docalc.compiler.bind.arguments import known, names

    observed = frozenset(names("observed", observed))
    known("observed", observed, model.names)
    all_roles: dict[str, str] = {}
    if treatment is not None or outcome is not None:
        if treatment is None or outcome is None:
            missing = "treatment" if treatment is None else "outcome"
            raise runtime.argument_type(None, argument=missing, expected="given: give both "
                                        "treatment and outcome to derive roles",
                                        value=None).error()
        all_roles.update(roles_for(model, treatment, outcome))
    if roles is not None and not isinstance(roles, Mapping):
        raise runtime.argument_type(None, argument="roles", expected="a dict of node names to "
                                    "roles", value=roles).error()
    all_roles.update(roles or {})
    known("roles", names("roles", list(all_roles)), model.names)
    for node, role in all_roles.items():
        if role not in ROLES:
            raise runtime.argument_type(None, argument=f"the role of '{node}' (unknown role)",
                                        expected="one of " + ", ".join(ROLES),
                                        value=role).error()

    ivs = {i.name: i for i in model.interventions} if intervened else {}
    nodes = tuple(
        NodeSpec(
            name=n.name,
            kind=n.kind.value,
            plate=n.plate,
            shape=SHAPES[n.kind],
            mechanism=_mechanism(n.kind, n.dist),
            observed=n.name in observed,
            intervention=f"do({intervention_text(ivs[n.name])})" if n.name in ivs else None,
            role=all_roles.get(n.name),
        )
        for n in model.nodes
    )

    factual = model.graph(intervened=False)
    drawn = model.graph(intervened=intervened)
    rank = {name: k for k, name in enumerate(model.names)}
    edges = tuple(
        EdgeSpec(u, v, added=not factual.has_edge(u, v))
        for u, v in sorted(drawn.edges, key=lambda e: (rank[e[1]], rank[e[0]]))
    )

    clusters = tuple(
        ClusterSpec(p.name, p.size, tuple(n.name for n in model.nodes if n.plate == p.name))
        for p in model.plates
        if any(n.plate == p.name for n in model.nodes)
    )
    shown = tuple(intervention_text(i) for i in model.interventions) if intervened else ()
    return GraphSpec(nodes, edges, clusters, shown)


def intervention_text(iv: InterventionDef) -> str:
    """Return an intervention as the user would write it: ``b = 0``, ``x ~ Normal(1, 2)``.

    Distribution arguments are printed positionally where they are a prefix of the
    distribution's parameters in order, which is how people write them.
    """
    if iv.kind == "dist" and iv.dist is not None:
        return f"{iv.name} ~ {_dist_text(iv.dist)}"
    return str(iv)


def _dist_text(d: DistCall) -> str:
    spec = DISTRIBUTIONS.get(d.name)
    order = [p.name for p in spec.params] if spec else []
    given = [k for k, _ in d.args]
    if given == order[: len(given)]:
        inner = ", ".join(print_expr(v) for _, v in d.args)
    else:
        inner = ", ".join(f"{k}={print_expr(v)}" for k, v in d.args)
    return f"{d.name}({inner})"


def _mechanism(kind: Kind, dist: DistCall | None) -> str:
    if kind is Kind.STOCHASTIC and dist is not None:
        return dist.name
    return "Deterministic" if kind is Kind.DETERMINISTIC else "Data"


def roles_for(model: CheckedModel, treatment: str, outcome: str) -> dict[str, str]:
    """Return the causal roles of nodes for a treatment and an outcome on the factual graph.

    A confounder is a common cause: it reaches the treatment, and reaches the outcome
    without passing through the treatment. Only the nearest common causes are marked (a
    prior such as ``p_talent`` that acts only through the confounder ``talent`` is not),
    so the colouring points at what one would adjust for. Mediators lie on a directed
    path from treatment to outcome.

    Parameters
    ----------
    model : CheckedModel
        The model whose factual graph is read.
    treatment, outcome : str
        Node names.

    Returns
    -------
    dict of str to str
        Node name to ``"treatment"``, ``"outcome"``, ``"confounder"`` or ``"mediator"``.

    """
    from docalc.compiler.bind.arguments import known, name

    g = model.graph(intervened=False)
    known("treatment and outcome", [name("treatment", treatment), name("outcome", outcome)],
          model.names)
    without_t = g.subgraph(set(g) - {treatment})
    common = nx.ancestors(g, treatment) & nx.ancestors(without_t, outcome)
    nearest = set()
    for c in common:
        # c counts only if it reaches both ends without going through another common cause
        rest = set(g) - (common - {c})
        if treatment in nx.descendants(g.subgraph(rest), c) and outcome in nx.descendants(
            g.subgraph(rest - {treatment}), c
        ):
            nearest.add(c)
    mediators = nx.descendants(g, treatment) & nx.ancestors(g, outcome)
    roles = {m: "mediator" for m in mediators}
    roles.update({c: "confounder" for c in nearest})
    roles[treatment] = "treatment"
    roles[outcome] = "outcome"
    return roles


def roles_from(identification: Any) -> dict[str, str]:
    """Return roles from an identification result (``Model.identify(...)``).

    Treatment and outcome are marked; the nodes of the backdoor adjustment sets are
    marked as confounders, and the front-door mediator sets as mediators.

    Parameters
    ----------
    identification : docalc.Identification
        Anything with ``treatment``, ``outcome``, ``criterion`` and ``adjustment_sets``.

    Returns
    -------
    dict of str to str

    """
    role = {"backdoor": "confounder", "frontdoor": "mediator"}.get(
        getattr(identification, "criterion", None) or ""
    )
    roles: dict[str, str] = {}
    if role is not None:
        for s in getattr(identification, "adjustment_sets", ()) or ():
            roles.update({name: role for name in s})
    roles[identification.treatment] = "treatment"
    roles[identification.outcome] = "outcome"
    return roles


def unwrap(model_like: Any) -> tuple[CheckedModel, frozenset[str]]:
    """Return the checked model and observed names behind a model-like object.

    ``model_like`` is a ``CheckedModel`` or anything with a ``.checked`` attribute holding
    one and, optionally, ``.observed_names`` (how ``docalc.Model`` passes itself).
    """
    if isinstance(model_like, CheckedModel):
        return model_like, frozenset()
    checked = getattr(model_like, "checked", None)
    if not isinstance(checked, CheckedModel):
        # (a DocalcArgumentError is a TypeError too, as this was)
        raise runtime.argument_type(None, argument="the model", expected="a docalc Model, Fit "
                                    "or CheckedModel", value=model_like).error()
    return checked, frozenset(getattr(model_like, "observed_names", None) or ())
