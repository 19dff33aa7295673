"""Identification on a checked model's unit-level graph (see ``graph_criteria.py`` for the graph part)."""

from __future__ import annotations

from collections.abc import Iterable

from docalc.dsl.checker import suggest
from docalc.dsl.errors import diagnostic
from docalc.dsl.ir import CheckedModel

from .graph_criteria import Identification, identify_graph


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
            known = name in model.names
            detail = (f"{role} '{name}' is global (one value per model); identification is "
                      "about unit-level nodes" if known else f"unknown {role} '{name}'")
            d = diagnostic("E603", None, detail=detail,
                           hint=suggest(name, units) or "name a node inside a plate")
            raise d.kind([d])
    obs = set(units) if observed is None else {o for o in observed if o in units}
    try:
        return identify_graph(g, treatment, outcome, obs)
    except ValueError as exc:
        d = diagnostic("E603", None, detail=str(exc), hint=None)
        raise d.kind([d]) from None
