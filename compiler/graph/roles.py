"""Causal roles of nodes for a treatment and an outcome, as the graph colours them."""

from __future__ import annotations

from typing import Any

import networkx as nx

from docalc.dsl.ir import CheckedModel

ROLES = ("treatment", "outcome", "confounder", "mediator")


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
