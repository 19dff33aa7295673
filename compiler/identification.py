"""Identification on a checked model's unit-level graph (see ``identify.py`` for the graph part)."""

from __future__ import annotations

from collections.abc import Iterable

from docalc.dsl.errors import interventions as errors
from docalc.dsl.errors.hints import suggest
from docalc.dsl.ir import CheckedModel

from .identify import Identification, identify_graph


def unit_graph(model: CheckedModel) -> object:
    """Return the factual causal graph restricted to unit-level nodes (globals are parameters)."""
    g = model.graph(intervened=False)
    return g.subgraph([n.name for n in model.nodes if n.plate is not None]).copy()


def identify_model(model: CheckedModel, treatment: str, outcome: str,
                   observed: Iterable[str] | None = None) -> Identification:
    """Identify P(outcome | do(treatment)) with nodes outside ``observed`` latent.

    ``observed`` defaults to every unit-level node.
    """
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
