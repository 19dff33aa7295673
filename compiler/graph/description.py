"""A plain description of a model's graph, separate from any drawing library.

``graph_spec`` turns a checked model into a ``GraphSpec``: frozen dataclasses listing
nodes (with shape, intervention label, causal role and what a fit makes of them:
observed, latent, marginalized or partly observed), edges and plate clusters. The spec is
what tests inspect and what ``render`` and the widget draw, so the rules (which edges an
intervention cuts, which nodes are confounders, which are latent: ``marks``) live here
once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from docalc.compiler.graph.marks import latent_marks
from docalc.compiler.graph.roles import ROLES, roles_for, roles_from
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import runtime
from docalc.dsl.ir import CheckedModel, DistCall, InterventionDef, Kind
from docalc.dsl.printer import print_expr

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
        Drawn filled, like PyMC's observed variables (a partly observed node too).
    intervention : str or None
        The ``do`` text, e.g. ``"do(b = 0)"``, when the node is intervened on.
    role : str or None
        One of ``ROLES``, coloured by the renderer.
    latent : bool
        Inferred by a fit of the bound data (the compiler's ``latent_steps`` rule): drawn
        unfilled. False for every node while no data is bound.
    marginalized : bool
        A latent with a discrete, finite support, summed out exactly rather than sampled.
    imputed : tuple of (int, int) or None
        ``(imputed cells, cells)`` of an observed column with NaN cells
        (``missing="impute"``): drawn partly filled.

    """

    name: str
    kind: str
    plate: str | None
    shape: str
    mechanism: str
    observed: bool = False
    intervention: str | None = None
    role: str | None = None
    latent: bool = False
    marginalized: bool = False
    imputed: tuple[int, int] | None = None

    @property
    def intervened(self) -> bool:
        """Whether the node carries an intervention."""
        return self.intervention is not None

    @property
    def status(self) -> str | None:
        """What a fit makes of the node, as the legend says it.

        ``"partly observed"``, ``"observed"``, ``"marginalized"``, ``"latent"``, or None
        (a deterministic or fixed node, or any node while no data is bound).
        """
        if self.imputed is not None:
            return "partly observed"
        if self.observed:
            return "observed"
        if self.marginalized:
            return "marginalized"
        return "latent" if self.latent else None

    @property
    def status_text(self) -> str | None:
        """The status in words for a tooltip: ``"3 of 16 imputed"``, ``"latent, ..."``."""
        if self.imputed is not None:
            n, total = self.imputed
            return f"partly observed: {n} of {total} imputed"
        if self.marginalized:
            return "latent, marginalized (summed over its finite support)"
        if self.latent:
            return "latent (inferred)"
        return "observed" if self.observed else None


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
            if n.status is not None:
                marks.append(n.status if n.imputed is None else n.status_text or "")
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
    imputed: Mapping[str, tuple[int, int]] | None = None,
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
    imputed : mapping of str to (int, int), optional
        Observed node to ``(imputed cells, cells)``, from ``observe(df,
        missing="impute")`` (see :func:`docalc.compiler.graph.marks.imputed_of`).

    Returns
    -------
    GraphSpec
        Nodes a fit on ``observed`` infers are ``latent`` (and ``marginalized`` where
        their support is finite); with no stochastic node observed, none is (no data
        bound: plain structure). Incoming edges of a node under a hard (``set``) or
        stochastic (``dist``) intervention are removed; a ``shift`` keeps them, since its
        new value reads the factual one. Edges from the nodes an intervention reads are
        added.

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
    # the view's own model decides what is latent: a fit of the intervened model would
    # not infer a node that a hard do() fixes
    latent, marginalized = latent_marks(model if intervened else replace(model, interventions=()),
                                        observed)
    imputed = dict(imputed or {})
    known("imputed", names("imputed", list(imputed)), model.names)
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
            latent=n.name in latent,
            marginalized=n.name in marginalized,
            imputed=_cells(imputed[n.name]) if n.name in imputed and n.name in observed
            else None,
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


def _cells(value: Any) -> tuple[int, int]:
    n, total = (int(v) for v in value)
    return n, total


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


__all__ = ["ROLES", "ClusterSpec", "EdgeSpec", "GraphSpec", "NodeSpec", "graph_spec",
           "intervention_text", "roles_for", "roles_from", "unwrap"]
