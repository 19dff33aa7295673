"""The JSON state the graph widget's JavaScript draws: nodes, edges, plates, verdict.

Everything the browser shows is decided here, in Python, so it can be tested without a
browser: which nodes are parameters, which edges an intervention cuts or adds, the
roles derived from a treatment and an outcome, the identification verdict. The front
end only lays out and draws. ``payload_from_specs`` is the one place that reads a
``GraphSpec``; the one place the widget reads ``docalc.compiler.graph.description``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from docalc.compiler.graph.description import GraphSpec, graph_spec, intervention_text, roles_for
from docalc.dsl.errors import DocalcError
from docalc.dsl.ir import CheckedModel
from docalc.dsl.printer import format_number

#: Roles a person may give a node; ``adjust`` is also derived from the verdict.
USER_ROLES = ("treatment", "outcome", "confounder", "mediator", "adjust")

#: ``NodeSpec.status`` values, in the order the legend lists them.
STATUSES = ("observed", "partly observed", "latent", "marginalized")


def do_text(do: str | Mapping[str, float] | None) -> str:
    """Return interventions as language text: ``{"b": 0, "c": 1}`` becomes ``"b = 0, c = 1"``."""
    if do is None:
        return ""
    if isinstance(do, str):
        return do
    return ", ".join(f"{k} = {number_text(v)}" for k, v in do.items())


def number_text(value: float) -> str:
    """Format a value as the language writes it; nan and inf as their repr (they fail to check)."""
    v = float(value)
    return format_number(v) if math.isfinite(v) else repr(v)


def split_model(checked: CheckedModel) -> tuple[CheckedModel, str]:
    """Split a model into its factual part and its interventions as text.

    Interventions with values given as arrays at run time (``b = <array>``) cannot be
    written as text: they stay in the factual part, so the widget keeps drawing them.
    """
    textual = [iv for iv in checked.interventions if iv.kind == "dist" or iv.expr is not None]
    kept = tuple(iv for iv in checked.interventions if iv not in textual)
    return replace(checked, interventions=kept), ", ".join(intervention_text(iv) for iv in textual)


def start_values(checked: CheckedModel, columns: Mapping[str, Any],
                 means: Mapping[str, float] | None) -> dict[str, float]:
    """Return the value a click starts each node's intervention from.

    The data mean where the node has a column, else the mean under the model given in
    ``means``; binary nodes (Bernoulli, or data in {0, 1}) are rounded to 0 or 1 and the
    rest to three significant digits, so the text stays readable. Nodes with neither get
    no entry (the front end starts them at 0).
    """
    out: dict[str, float] = {}
    for node in checked.nodes:
        value: float | None = None
        binary = node.dist is not None and node.dist.name == "Bernoulli"
        col = columns.get(node.name)
        if col is not None:
            a = np.asarray(col, dtype=float)
            a = a[np.isfinite(a)]
            if a.size:
                value = float(a.mean())
                binary = binary or bool(np.isin(a, (0.0, 1.0)).all())
        if value is None and means is not None and node.name in means:
            value = float(means[node.name])
        if value is None or not math.isfinite(value):
            continue
        out[node.name] = float(round(value)) if binary else float(f"{value:.3g}")
    return out


def parameters(spec: GraphSpec) -> frozenset[str]:
    """Return the parameter nodes: globals that only feed mechanisms.

    A global node (outside every plate) that is not data and has children is a parameter
    of the mechanisms it feeds. A model with no plates has no parameters: its globals
    are its causal variables.
    """
    if not any(n.plate is not None for n in spec.nodes):
        return frozenset()
    has_children = {e.source for e in spec.edges}
    return frozenset(n.name for n in spec.nodes
                     if n.plate is None and n.kind != "data" and n.name in has_children)


def _intervention_parts(text: str) -> dict[str, Any]:
    # intervention_text writes "name = expr" or "name ~ Dist(...)"; split at the first operator
    eq, tilde = text.find(" = "), text.find(" ~ ")
    at, op = (tilde, "~") if tilde != -1 and (eq == -1 or tilde < eq) else (eq, "=")
    name, rhs = text[:at], text[at + 3:]
    try:
        value: float | None = float(rhs) if op == "=" else None
    except ValueError:
        value = None
    return {"name": name, "op": op, "rhs": rhs, "value": value,
            "editable": rhs != "<array>", "text": text}


def payload_from_specs(factual: GraphSpec, mutilated: GraphSpec, *,
                       sizes: Mapping[str, int], starts: Mapping[str, float],
                       roles: Mapping[str, str]) -> dict[str, Any]:
    """Turn the factual and the intervened ``GraphSpec`` into the widget's ``graph`` state.

    Parameters
    ----------
    factual, mutilated : GraphSpec
        The same model's graph without and with its interventions.
    sizes : mapping of str to int
        Plate sizes known from data, for plates without a fixed size.
    starts : mapping of str to float
        A click's starting value per node (see :func:`start_values`).
    roles : mapping of str to str
        The role each node is drawn with (given and derived).

    Returns
    -------
    dict
        ``nodes`` (name, kind, plate, mechanism, observed, intervened, intervention,
        value, start, role, parameter; ``status`` and ``status_text`` in the factual view,
        ``status_intervened`` and ``status_text_intervened`` in the intervened one: one of
        ``"observed"``, ``"partly observed"``, ``"latent"``, ``"marginalized"`` or None;
        ``imputed``: ``[cells imputed, cells]`` or None), ``statuses`` (those drawn, for
        the legend), ``edges`` (parent, child, cut, added), ``plates``
        (name, size, label) and ``interventions`` (name, op, rhs, value, editable, text).

    """
    params = parameters(factual)
    ivs = [_intervention_parts(t) for t in mutilated.interventions]
    by_name = {iv["name"]: iv for iv in ivs}
    before_do = {n.name: n for n in factual.nodes}
    nodes = [{
        "name": n.name, "kind": n.kind, "plate": n.plate, "mechanism": n.mechanism,
        "observed": n.observed, "intervened": n.intervention is not None,
        "intervention": n.intervention,
        "value": by_name[n.name]["value"] if n.name in by_name else None,
        "start": starts.get(n.name), "role": roles.get(n.name),
        # a parameter somebody intervenes on or gives a role to is part of the question
        "parameter": n.name in params and n.intervention is None and n.name not in roles,
        # what a fit makes of the node; the views differ where a do() fixes a latent
        "status": before_do[n.name].status, "status_text": before_do[n.name].status_text,
        "status_intervened": n.status, "status_text_intervened": n.status_text,
        "imputed": list(n.imputed) if n.imputed is not None else None,
    } for n in mutilated.nodes]
    drawn = {n.status for spec in (factual, mutilated) for n in spec.nodes}
    statuses = [s for s in STATUSES if s in drawn]
    before = {(e.source, e.target) for e in factual.edges}
    after = {(e.source, e.target) for e in mutilated.edges}
    edges = [{"parent": u, "child": v, "cut": (u, v) not in after, "added": False}
             for u, v in ((e.source, e.target) for e in factual.edges)]
    edges += [{"parent": e.source, "child": e.target, "cut": False, "added": True}
              for e in mutilated.edges if (e.source, e.target) not in before]
    plates = []
    for c in factual.clusters:
        size = c.size if c.size is not None else sizes.get(c.name)
        plates.append({"name": c.name, "size": size,
                       "label": c.name if size is None else f"{c.name} ({size})"})
    return {"nodes": nodes, "edges": edges, "plates": plates, "interventions": ivs,
            "do_label": mutilated.do_label, "statuses": statuses}


def build_payload(base: CheckedModel, mutilated: CheckedModel, *, observed: frozenset[str],
                  sizes: Mapping[str, int], starts: Mapping[str, float],
                  roles: Mapping[str, str],
                  imputed: Mapping[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """Return the ``graph`` state for a factual model and the same model intervened on."""
    factual = graph_spec(base, observed=observed, intervened=False, imputed=imputed)
    drawn = graph_spec(mutilated, observed=observed, imputed=imputed)
    return payload_from_specs(factual, drawn, sizes=sizes, starts=starts, roles=roles)


def pick(roles: Mapping[str, str], role: str) -> str | None:
    """Return the one node given ``role``, or None when none or several are."""
    names = [k for k, v in roles.items() if v == role]
    return names[0] if len(names) == 1 else None


def verdict(checked: CheckedModel, roles: Mapping[str, str],
            observed: list[str] | None) -> dict[str, Any]:
    """Return the identification verdict for the treatment and outcome in ``roles``.

    Empty until exactly one treatment and one outcome are set. Identification is about
    the factual graph (``Model.identify``); ``observed`` None means every unit-level node
    has data, as there. A question docalc cannot ask (a global treatment) comes back as
    ``error``, with the message's hint, rather than raising into the notebook.
    """
    from docalc.compiler.graph.identification import identify_model

    treatment, outcome = pick(roles, "treatment"), pick(roles, "outcome")
    if treatment is None or outcome is None:
        return {}
    head = {"treatment": treatment, "outcome": outcome,
            "query": f"P({outcome} | do({treatment}))"}
    try:
        ident = identify_model(checked, treatment, outcome, observed)
    except DocalcError as err:
        return {**head, "identifiable": False, "criterion": None, "sets": [],
                "highlight": [], "error": str(err)}
    sets = [sorted(s) for s in ident.adjustment_sets]
    return {**head, "identifiable": ident.identifiable, "criterion": ident.criterion,
            "sets": sets, "highlight": sets[0] if sets else [],
            "summary": str(ident).splitlines()[0], "explanation": ident.explanation,
            "latent": sorted(ident.latent)}


def drawn_roles(checked: CheckedModel, roles: Mapping[str, str],
                result: Mapping[str, Any]) -> dict[str, str]:
    """Return the role each node is drawn with: the given ones, then derived ones.

    With a treatment and an outcome, the nearest common causes are confounders and the
    nodes between them mediators (``roles_for``); the highlighted set of the verdict is
    ``adjust`` for the backdoor criterion and ``mediator`` for the front door. Given
    roles always win.
    """
    out: dict[str, str] = {}
    if result and "error" not in result:
        out.update(roles_for(checked, result["treatment"], result["outcome"]))
        role = "adjust" if result["criterion"] == "backdoor" else "mediator"
        out.update({name: role for name in result["highlight"]})
    out.update(roles)
    return out
