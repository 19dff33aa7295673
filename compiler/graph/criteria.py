"""Identification of P(outcome | do(treatment)) from a causal graph.

Pearl's backdoor and front-door criteria, decided with networkx's d-separation
functions. Nodes of the graph that have no data are latent.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations, islice, pairwise

import networkx as nx

#: Beyond this many candidate nodes the exhaustive subset search (2**n d-separation
#: tests, about a second at 15) is replaced by a search that returns one minimal set.
MAX_CANDIDATES = 15

#: How many paths the explanation looks at when it names an open backdoor path.
_PATHS_TO_SCAN = 200


@dataclass(frozen=True)
class Identification:
    """Whether, and how, P(outcome | do(treatment)) follows from the observed data.

    Attributes
    ----------
    treatment, outcome : str
        The variables of the query.
    identifiable : bool
        True when the backdoor or the front-door criterion holds.
    criterion : {"backdoor", "frontdoor"} or None
        The criterion that holds; None when not identifiable.
    adjustment_sets : list of frozenset of str
        Every minimal set for that criterion (adjustment sets for the backdoor,
        mediator sets for the front door); ``[frozenset()]`` when no adjustment is
        needed, ``[]`` when not identifiable.
    observed, latent : frozenset of str
        The graph's nodes with and without data.
    explanation : str
        What was checked and why it holds or fails, in plain words.

    """

    treatment: str
    outcome: str
    identifiable: bool
    criterion: str | None
    adjustment_sets: list[frozenset[str]]
    observed: frozenset[str]
    latent: frozenset[str]
    explanation: str

    def __str__(self) -> str:
        query = f"P({self.outcome} | do({self.treatment}))"
        if self.identifiable:
            head = f"{query} is identifiable by the {self.criterion} criterion."
            front = self.criterion == "frontdoor"
            kind = "Front-door mediator sets" if front else "Adjustment sets"
            sets = [f"  {_fmt_set(s)}" + ("" if s else " (no adjustment needed)")
                    for s in self.adjustment_sets]
            lines = [head, f"{kind} (minimal):", *sets]
        else:
            lines = [f"{query} is NOT identifiable from the observed variables."]
        lines.append(f"Observed: {_fmt_set(self.observed)}")
        lines.append(f"Latent: {_fmt_set(self.latent)}")
        lines.append(textwrap.fill(self.explanation, width=88))
        return "\n".join(lines)


def identify_graph(
    graph: nx.DiGraph[str], treatment: str, outcome: str, observed: Iterable[str]
) -> Identification:
    """Decide whether P(outcome | do(treatment)) is identifiable from the observed nodes.

    Parameters
    ----------
    graph : networkx.DiGraph
        The causal DAG.
    treatment, outcome : str
        Nodes of `graph`.
    observed : iterable of str
        Nodes with data; every other node of `graph` is latent. Names that are not
        nodes of `graph` are ignored.

    Returns
    -------
    Identification
        The backdoor criterion is tried first, the front door only when it fails;
        all minimal sets of the criterion that holds are listed.

    Raises
    ------
    ValueError
        If treatment or outcome is not a node, they are equal, or the graph has a cycle.

    """
    _check(graph, treatment, outcome)
    x, y = treatment, outcome
    obs = frozenset(observed) & frozenset(graph.nodes)
    latent = frozenset(graph.nodes) - obs

    def result(criterion: str | None, sets: list[frozenset[str]], text: str) -> Identification:
        return Identification(x, y, criterion is not None, criterion, sets, obs, latent, text)

    missing = [v for v in (x, y) if v not in obs]
    if missing:
        who = " and ".join(missing)
        verb = "has" if len(missing) == 1 else "have"
        return result(None, [], f"{who} {verb} no data (latent), so the effect of {x} on {y} "
                      f"cannot be estimated from the data at all. {_no_data(x, y)}")

    no_arrows_out = _without_out_edges(graph, {x})
    if not nx.has_path(graph, x, y):
        text = _no_causal_path(graph, no_arrows_out, x, y, latent)
        return result("backdoor", [frozenset()], text)

    sets, note = _backdoor_sets(graph, no_arrows_out, x, y, obs)
    if sets:
        return result("backdoor", sets, _backdoor_text(no_arrows_out, x, y, sets) + note)
    open_path = _open_backdoor_path(no_arrows_out, x, y, latent)
    backdoor_fail = (f"The backdoor criterion fails: no set of observed variables that {x} does "
                     f"not affect blocks every backdoor path from {x} to {y}; {open_path}.")
    fsets, fnote = _frontdoor_sets(graph, no_arrows_out, x, y, obs)
    if fsets:
        return result("frontdoor", fsets, f"{backdoor_fail} {_frontdoor_text(x, y, fsets)}{fnote}")
    return result(None, [], f"{backdoor_fail} The front-door criterion fails too: no set of "
                  f"observed variables intercepts every directed path from {x} to {y} while "
                  f"having no open backdoor path from {x} and every backdoor path to {y} "
                  f"blocked by {x}.{fnote} {_no_data(x, y)} More general "
                  "do-calculus derivations beyond these two criteria were not attempted.")


def _no_data(x: str, y: str) -> str:
    return (f"The data alone do not determine P({y} | do({x})): any answer then rests on the "
            "model's parametric assumptions and priors, not on the data alone.")


def _check(graph: nx.DiGraph[str], x: str, y: str) -> None:
    for role, node in (("treatment", x), ("outcome", y)):
        if node not in graph:
            raise ValueError(f"{role} {node!r} is not a node of the graph; nodes are: "
                             f"{', '.join(sorted(map(str, graph.nodes)))}")
    if x == y:
        raise ValueError(f"treatment and outcome are the same variable {x!r}")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [u for u, _ in nx.find_cycle(graph)]
        raise ValueError(f"the graph has a cycle: {' -> '.join(map(str, [*cycle, cycle[0]]))}")


def _without_out_edges(graph: nx.DiGraph[str], nodes: Iterable[str]) -> nx.DiGraph[str]:
    cut = graph.copy()
    cut.remove_edges_from(list(graph.out_edges(nodes)))
    return cut


def _minimal_sets(
    candidates: Iterable[str], valid: Callable[[frozenset[str]], bool]
) -> list[frozenset[str]]:
    # Validity is not monotone (conditioning on a collider opens a path), so every
    # subset is tested; by increasing size, a valid set with no found subset is minimal.
    pool = sorted(candidates)
    found: list[frozenset[str]] = []
    for size in range(len(pool) + 1):
        for combo in combinations(pool, size):
            s = frozenset(combo)
            if not any(f <= s for f in found) and valid(s):
                found.append(s)
    return found


def _backdoor_sets(
    graph: nx.DiGraph[str], cut: nx.DiGraph[str], x: str, y: str, obs: frozenset[str]
) -> tuple[list[frozenset[str]], str]:
    # A minimal separator lies inside the ancestors of x and y, so other nodes are
    # never needed (Tian, Paz & Pearl 1998); this keeps the search small.
    relevant: set[str] = nx.ancestors(cut, x) | nx.ancestors(cut, y)
    affected: set[str] = nx.descendants(graph, x)
    candidates = (obs & relevant) - affected - {x, y}
    # Whether any set works is decided in linear time, sparing the subset search when none does.
    one = nx.find_minimal_d_separator(cut, {x}, {y}, restricted=set(candidates))
    if one is None:
        return [], ""
    if len(candidates) <= MAX_CANDIDATES:
        return _minimal_sets(candidates, lambda z: nx.is_d_separator(cut, {x}, {y}, set(z))), ""
    note = (f" With {len(candidates)} candidate variables the search for every minimal set "
            "was skipped; the set shown is one minimal set, and others may exist.")
    return [frozenset(one)], note


def _frontdoor_valid(
    graph: nx.DiGraph[str], cut: nx.DiGraph[str], x: str, y: str, z: frozenset[str]
) -> bool:
    if not z:
        return False
    intercepts = not nx.has_path(graph.subgraph(set(graph.nodes) - z), x, y)
    return (intercepts and nx.is_d_separator(cut, {x}, set(z), set())
            and nx.is_d_separator(_without_out_edges(graph, z), set(z), {y}, {x}))


def _frontdoor_sets(
    graph: nx.DiGraph[str], cut: nx.DiGraph[str], x: str, y: str, obs: frozenset[str]
) -> tuple[list[frozenset[str]], str]:
    # Condition (ii) holds for a set exactly when it holds for each member, so nodes
    # confounded with x are dropped before the subset search.
    candidates = {v for v in obs - {x, y} if nx.is_d_separator(cut, {x}, {v}, set())}

    def valid(z: frozenset[str]) -> bool:
        return _frontdoor_valid(graph, cut, x, y, z)

    if len(candidates) <= MAX_CANDIDATES:
        return _minimal_sets(candidates, valid), ""
    note = (f" With {len(candidates)} candidate variables the front-door search only tried "
            "removing variables one at a time from the full candidate set; it may miss sets.")
    current = frozenset(candidates)
    if not valid(current):
        return [], note
    for v in sorted(candidates):
        if valid(current - {v}):
            current = current - {v}
    return [current], note


def _fmt_set(nodes: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(nodes)) + "}"


def _fmt_path(graph: nx.DiGraph[str], path: list[str]) -> str:
    parts = [path[0]]
    for a, b in pairwise(path):
        parts.append(f"-> {b}" if graph.has_edge(a, b) else f"<- {b}")
    return " ".join(parts)


def _open_backdoor_path(cut: nx.DiGraph[str], x: str, y: str, latent: frozenset[str]) -> str:
    """Describe the most telling backdoor path between x and y, open given nothing."""
    # With x's arrows out removed, every path from x starts with an arrow into x.
    paths = islice(nx.shortest_simple_paths(cut.to_undirected(as_view=True), x, y), _PATHS_TO_SCAN)
    scored: list[tuple[int, list[str]]] = []
    for path in paths:
        inner = path[1:-1]
        triples = zip(path, inner, path[2:], strict=False)
        if any(cut.has_edge(a, b) and cut.has_edge(c, b) for a, b, c in triples):
            continue  # a collider blocks it until it is conditioned on
        hidden = [v for v in inner if v in latent]
        # Best: every intermediate node is latent, so no observed set can block it.
        scored.append((0 if inner and len(hidden) == len(inner) else 1 if hidden else 2, path))
    if not scored:
        return "its open backdoor paths are too many and too long to list here"
    path = min(scored, key=lambda item: item[0])[1]
    hidden = sorted(v for v in path[1:-1] if v in latent)
    text = f"for example {_fmt_path(cut, path)} is open"
    if hidden:
        verb = "has" if len(hidden) == 1 else "have"
        text += f", and {', '.join(hidden)} {verb} no data"
    return text


def _no_causal_path(graph: nx.DiGraph[str], cut: nx.DiGraph[str], x: str, y: str,
                    latent: frozenset[str]) -> str:
    text = (f"There is no directed path from {x} to {y} in the graph, so {x} has no causal "
            f"effect on {y}: P({y} | do({x})) = P({y}), the outcome's own distribution, whatever "
            f"{x} is set to. It is identified from the data on {y} alone, with no adjustment.")
    if not nx.is_d_separator(graph, {x}, {y}, set()):
        text += (f" The plain conditional P({y} | {x}) still differs from it, because "
                 f"{_open_backdoor_path(cut, x, y, latent)}; so do not read the empty set as "
                 f"'condition on {x} only'.")
    return text


def _backdoor_text(cut: nx.DiGraph[str], x: str, y: str, sets: list[frozenset[str]]) -> str:
    text = (f"Checked the backdoor criterion: a set of observed variables, none of them "
            f"affected by {x}, that blocks every path between {x} and {y} that starts with an "
            f"arrow into {x}.")
    if sets == [frozenset()]:
        return text + (f" No backdoor path between {x} and {y} is open, so no adjustment is "
                       f"needed: P({y} | do({x})) = P({y} | {x}), read straight from the data.")
    first = _fmt_set(sets[0])
    many = f" There are {len(sets)} minimal sets; any one of them works." if len(sets) > 1 else ""
    return text + (f" Adjusting for {first} blocks every backdoor path, so P({y} | do({x})) = "
                   f"sum over z of P({y} | {x}, z) P(z), with z ranging over the values of "
                   f"{first}.{many}")


def _frontdoor_text(x: str, y: str, sets: list[frozenset[str]]) -> str:
    first = _fmt_set(sets[0])
    many = f" There are {len(sets)} minimal mediator sets." if len(sets) > 1 else ""
    return (f"The front-door criterion holds with {first}: it intercepts every directed path "
            f"from {x} to {y}, {x} has no open backdoor path to it, and {x} blocks every "
            f"backdoor path from it to {y}. So P({y} | do({x})) = sum over m of P(m | {x}) "
            f"times sum over x' of P({y} | x', m) P(x'), with m ranging over the values of "
            f"{first}.{many}")
