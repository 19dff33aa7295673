"""Identification on a checked model's unit-level graph (the graph part: ``graph_criteria``)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from docalc.compiler.graph.criteria import Identification, identify_graph
from docalc.dsl.errors import DocalcError, NotIdentifiableWarning
from docalc.dsl.errors import interventions as errors
from docalc.dsl.errors.hints import suggest
from docalc.dsl.ir import CheckedModel, Kind


def unit_graph(model: CheckedModel) -> object:
    """Return the factual causal graph restricted to unit-level nodes (globals are parameters)."""
    g = model.graph(intervened=False)
    return g.subgraph([n.name for n in model.nodes if n.plate is not None]).copy()


def identify_model(model: CheckedModel, treatment: str, outcome: str,
                   observed: Iterable[str] | None = None) -> Identification:
    """Identify P(outcome | do(treatment)) with nodes outside ``observed`` latent.

    ``observed`` defaults to every unit-level node.
    """
    from docalc.compiler.bind.arguments import name as name_arg

    name_arg("treatment", treatment)
    name_arg("outcome", outcome)
    g = unit_graph(model)
    units = list(g.nodes)  # type: ignore[attr-defined]
    for role, name in (("treatment", treatment), ("outcome", outcome)):
        if name not in units:
            hint = suggest(name, units) or "name a node inside a plate"
            if name in model.names:
                raise errors.identify_global(None, role=role, name=name, suggestion=hint).error()
            raise errors.identify_unknown(None, role=role, name=name, suggestion=hint).error()
    if treatment == outcome:
        raise errors.identify_same(None, name=treatment).error()
    obs = set(units) if observed is None else {o for o in observed if o in units}
    # the names are nodes of the graph, and a checked model's graph is acyclic: none of
    # identify_graph's ValueErrors can be raised from here
    return identify_graph(g, treatment, outcome, obs)


def warn_unidentified(model: CheckedModel, treatments: Iterable[str], outcomes: Iterable[str],
                      observed: Iterable[str], *, context: str = "",
                      stacklevel: int = 3, done: set[tuple[str, str]] | None = None) -> None:
    """Warn once per (treatment, outcome) whose effect the observed nodes cannot identify.

    The one identification warning of effects and queries. Global treatments (parameters)
    and data inputs have no backdoor to close, and a global outcome is not about units:
    those pairs are skipped, as are pairs the graph cannot judge.

    Parameters
    ----------
    model : CheckedModel
        The factual model (its graph is read without interventions).
    treatments, outcomes : iterable of str
        Intervened nodes, and the nodes whose answer is reported.
    observed : iterable of str
        Nodes with data; the others are latent.
    context : str, optional
        Prefix of the message (``"query 'ate': "``).
    stacklevel : int, optional
        As for ``warnings.warn``, counted from the caller of this function.
    done : set, optional
        Pairs warned about (or found identifiable) already; updated.

    Warns
    -----
    NotIdentifiableWarning
        Saying that the answer rests on the model's parametric form and priors.
    """
    observed = sorted(observed)
    outcomes = list(outcomes)
    done = set() if done is None else done
    for x in treatments:
        node = model.node(x)
        if node.plate is None or node.kind is Kind.DATA:
            continue  # parameters and exogenous inputs have no backdoor to close
        for y in outcomes:
            if y == x or (x, y) in done or y not in model.names or \
                    model.node(y).plate is None or model.node(y).kind is Kind.DATA:
                continue
            done.add((x, y))
            try:
                ident = identify_model(model, x, y, observed)
            except DocalcError:
                continue
            if not ident.identifiable:
                warnings.warn(
                    f"{context}P({y} | do({x})) is not identifiable from the observed nodes "
                    f"({', '.join(observed)}): the answer rests on the model's parametric "
                    f"form and priors. {ident.explanation}", NotIdentifiableWarning,
                    stacklevel=stacklevel + 1)
