"""Identification on known graphs, and a property test against a brute-force reference."""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import chain, combinations

import networkx as nx
import pytest

from docalc.compiler.graph.criteria import MAX_CANDIDATES, identify_graph


def graph(*edges: str) -> nx.DiGraph[str]:
    pairs = [(a, b) for a, b in (e.split("->") for e in edges)]
    return nx.DiGraph(pairs)


# --- known graphs -------------------------------------------------------------------------


def test_observed_confounder_gives_backdoor_set() -> None:
    r = identify_graph(graph("Z->X", "Z->Y", "X->Y"), "X", "Y", ["X", "Y", "Z"])
    assert r.identifiable and r.criterion == "backdoor"
    assert r.adjustment_sets == [frozenset({"Z"})]
    assert r.latent == frozenset()


def test_latent_confounder_is_not_identifiable() -> None:
    g = graph("talent->gear", "talent->sound", "gear->sound")
    r = identify_graph(g, "gear", "sound", ["gear", "sound"])
    assert not r.identifiable and r.criterion is None and r.adjustment_sets == []
    assert r.latent == frozenset({"talent"})
    assert "gear <- talent -> sound" in r.explanation
    assert "talent has no data" in r.explanation
    assert "parametric assumptions and priors" in r.explanation
    assert "NOT identifiable" in str(r)


def test_front_door() -> None:
    g = graph("U->X", "U->Y", "X->M", "M->Y")
    r = identify_graph(g, "X", "Y", ["X", "M", "Y"])
    assert r.identifiable and r.criterion == "frontdoor"
    assert r.adjustment_sets == [frozenset({"M"})]
    assert "X <- U -> Y" in r.explanation and "front-door criterion holds" in r.explanation


def test_front_door_fails_when_mediator_is_confounded_with_treatment() -> None:
    g = graph("U->X", "U->Y", "X->M", "M->Y", "V->X", "V->M")
    r = identify_graph(g, "X", "Y", ["X", "M", "Y"])
    assert not r.identifiable and r.criterion is None


def test_m_bias_uses_empty_set_and_never_the_collider() -> None:
    g = graph("A->X", "A->M", "B->M", "B->Y", "X->Y")
    r = identify_graph(g, "X", "Y", ["X", "M", "Y"])
    assert r.criterion == "backdoor"
    assert r.adjustment_sets == [frozenset()]
    assert all("M" not in s for s in r.adjustment_sets)
    # With A observed too, {A} would be valid but is not minimal: the empty set still is.
    r2 = identify_graph(g, "X", "Y", ["X", "M", "Y", "A"])
    assert r2.adjustment_sets == [frozenset()]


def test_alternative_minimal_sets_are_all_listed() -> None:
    g = graph("Z1->X", "Z1->Z2", "Z2->Y", "X->Y", "W1->X", "W1->W2", "W2->Y")
    r = identify_graph(g, "X", "Y", ["X", "Y", "Z1", "Z2", "W1", "W2"])
    pairs = [("Z1", "W1"), ("Z1", "W2"), ("Z2", "W1"), ("Z2", "W2")]
    assert set(r.adjustment_sets) == {frozenset(p) for p in pairs}
    assert len(r.adjustment_sets) == 4
    for a, b in combinations(r.adjustment_sets, 2):
        assert not a <= b and not b <= a
    assert "4 minimal sets" in r.explanation


def test_descendants_of_treatment_are_never_adjusted_for() -> None:
    g = graph("Z->X", "Z->Y", "X->M", "M->Y", "X->C", "Y->C")
    r = identify_graph(g, "X", "Y", ["X", "Y", "Z", "M", "C"])
    assert r.adjustment_sets == [frozenset({"Z"})]


def test_no_causal_path_is_trivially_identified() -> None:
    r = identify_graph(graph("U->X", "U->Y"), "X", "Y", ["X", "Y"])
    assert r.identifiable and r.criterion == "backdoor"
    assert r.adjustment_sets == [frozenset()]
    assert "no directed path" in r.explanation
    assert "X <- U -> Y" in r.explanation  # warns that P(Y | X) is not P(Y) here
    r2 = identify_graph(graph("Y->X"), "X", "Y", ["X", "Y"])
    assert r2.adjustment_sets == [frozenset()] and "no directed path" in r2.explanation


def test_latent_treatment_or_outcome() -> None:
    g = graph("Z->X", "Z->Y", "X->Y")
    r = identify_graph(g, "X", "Y", ["Y", "Z"])
    assert not r.identifiable and r.criterion is None and r.adjustment_sets == []
    assert "X has no data" in r.explanation and "priors" in r.explanation
    r2 = identify_graph(g, "X", "Y", ["Z"])
    assert not r2.identifiable and "X and Y have no data" in r2.explanation


def test_unknown_observed_names_are_ignored() -> None:
    r = identify_graph(graph("Z->X", "Z->Y", "X->Y"), "X", "Y", ["X", "Y", "Z", "extra"])
    assert r.observed == frozenset({"X", "Y", "Z"})


@pytest.mark.parametrize(
    ("g", "x", "y", "message"),
    [
        (graph("X->Y"), "Q", "Y", "treatment 'Q' is not a node"),
        (graph("X->Y"), "X", "Q", "outcome 'Q' is not a node"),
        (graph("X->Y"), "X", "X", "same variable"),
        (graph("X->Y", "Y->Z", "Z->X"), "X", "Y", "cycle"),
    ],
)
def test_bad_input_raises_value_error(g: nx.DiGraph[str], x: str, y: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        identify_graph(g, x, y, g.nodes)


def test_many_candidates_fall_back_to_one_minimal_set() -> None:
    n = MAX_CANDIDATES + 2
    g = graph("X->Y", *chain.from_iterable((f"C{i}->X", f"C{i}->Y") for i in range(n)))
    r = identify_graph(g, "X", "Y", g.nodes)
    assert r.adjustment_sets == [frozenset(f"C{i}" for i in range(n))]
    assert "skipped" in r.explanation
    g2 = graph("U->X", "U->Y", *chain.from_iterable((f"X->M{i}", f"M{i}->Y") for i in range(n)))
    r2 = identify_graph(g2, "X", "Y", set(g2.nodes) - {"U"})
    assert r2.criterion == "frontdoor"
    assert r2.adjustment_sets == [frozenset(f"M{i}" for i in range(n))]


def test_str_is_readable() -> None:
    text = str(identify_graph(graph("Z->X", "Z->Y", "X->Y"), "X", "Y", ["X", "Y", "Z"]))
    assert text.splitlines()[0] == "P(Y | do(X)) is identifiable by the backdoor criterion."
    assert "  {Z}" in text and "Observed: {X, Y, Z}" in text


# --- property test: brute force with an independent d-separation -------------------------

Parents = dict[str, set[str]]


def reference_d_separated(parents: Parents, xs: set[str], ys: set[str], zs: set[str]) -> bool:
    """D-separation by the moralized ancestral graph (Lauritzen et al. 1990)."""
    ancestral: set[str] = set()
    stack = list(xs | ys | zs)
    while stack:
        v = stack.pop()
        if v not in ancestral:
            ancestral.add(v)
            stack.extend(parents[v])
    moral: dict[str, set[str]] = {v: set() for v in ancestral}
    for v in ancestral:
        for p in parents[v]:
            moral[v].add(p)
            moral[p].add(v)
        for a, b in combinations(parents[v], 2):
            moral[a].add(b)
            moral[b].add(a)
    seen, stack = set(xs), list(xs)
    while stack:
        for w in moral[stack.pop()] - zs - seen:
            if w in ys:
                return False
            seen.add(w)
            stack.append(w)
    return True


def reachable(parents: Parents, start: str, removed: frozenset[str] = frozenset()) -> set[str]:
    children: dict[str, set[str]] = {v: set() for v in parents}
    for v, ps in parents.items():
        for p in ps:
            children[p].add(v)
    seen: set[str] = set()
    stack = [start]
    while stack:
        for w in children[stack.pop()] - removed - seen:
            seen.add(w)
            stack.append(w)
    return seen


def minimal(valid: Iterable[frozenset[str]]) -> set[frozenset[str]]:
    found = set(valid)
    return {s for s in found if not any(t < s for t in found)}


def subsets(pool: set[str]) -> Iterable[frozenset[str]]:
    items = sorted(pool)
    return (frozenset(c) for k in range(len(items) + 1) for c in combinations(items, k))


def reference(
    parents: Parents, x: str, y: str, observed: set[str]
) -> tuple[str | None, set[frozenset[str]]]:
    if x not in observed or y not in observed:
        return None, set()
    if y not in reachable(parents, x):
        return "backdoor", {frozenset()}
    cut_x = {v: ps - {x} for v, ps in parents.items()}
    pool = observed - reachable(parents, x) - {x, y}
    back = minimal(z for z in subsets(pool) if reference_d_separated(cut_x, {x}, {y}, set(z)))
    if back:
        return "backdoor", back

    def front_ok(z: frozenset[str]) -> bool:
        cut_z = {v: ps - z for v, ps in parents.items()}
        return (
            y not in reachable(parents, x, z)
            and reference_d_separated(cut_x, {x}, set(z), set())
            and reference_d_separated(cut_z, set(z), {y}, {x})
        )

    front = minimal(z for z in subsets(observed - {x, y}) if z and front_ok(z))
    return ("frontdoor", front) if front else (None, set())


def random_case(rng: random.Random) -> tuple[Parents, str, str, set[str]]:
    n = rng.randint(4, 7)
    names = [f"v{i}" for i in range(n)]
    density = rng.uniform(0.3, 0.7)
    parents: Parents = {
        v: {u for u in names[:i] if rng.random() < density} for i, v in enumerate(names)
    }
    # x in the middle of the order leaves room for confounders before it and mediators after
    i = rng.randint(1, n - 2)
    x, y = names[i], names[rng.randint(i + 1, n - 1)]
    latent = {v for v in names if v not in (x, y) and rng.random() < 0.4}
    if rng.random() < 0.4:
        u = rng.choice(names[:i])
        parents[x].add(u)
        parents[y].add(u)
        latent.add(u)
    if rng.random() < 0.1:
        x, y = y, x
    if rng.random() < 0.05:
        latent.add(rng.choice([x, y]))
    return parents, x, y, set(names) - latent


def front_door_case(rng: random.Random) -> tuple[Parents, str, str, set[str]]:
    """Return a latent confounder of x and y, mediators, and random extra edges and nodes."""
    mediators = [f"m{i}" for i in range(rng.randint(1, 2))]
    before = [f"e{i}" for i in range(rng.randint(0, 2))]
    order = [*before, "u", "x", *mediators, *(["f"] if rng.random() < 0.5 else []), "y"]
    parents: Parents = {v: set() for v in order}
    parents["x"].add("u")
    parents["y"] |= {"u", *mediators}
    for m in mediators:
        parents[m].add("x")
    for a, b in combinations(order, 2):
        if (a, b) != ("x", "y") and rng.random() < 0.15:
            parents[b].add(a)
    if rng.random() < 0.4:  # a confounder of a mediator and y, which x cannot block
        parents["c"] = set()
        parents["m0"].add("c")
        parents["y"].add("c")
    latent = {"u"} | {v for v in parents if v not in ("x", "y", "u") and rng.random() < 0.25}
    return parents, "x", "y", set(order) - latent


def test_matches_brute_force_on_random_dags() -> None:
    rng = random.Random(20240607)
    seen: dict[tuple[str | None, int], int] = {}
    cases = [random_case(rng) for _ in range(400)] + [front_door_case(rng) for _ in range(200)]
    for parents, x, y, observed in cases:
        g = nx.DiGraph([(p, v) for v, ps in parents.items() for p in ps])
        g.add_nodes_from(parents)
        r = identify_graph(g, x, y, observed)
        criterion, expected = reference(parents, x, y, observed)
        context = f"parents={parents} x={x} y={y} observed={sorted(observed)}"
        assert r.criterion == criterion, context
        assert r.identifiable == (criterion is not None), context
        assert len(r.adjustment_sets) == len(set(r.adjustment_sets)), context
        assert set(r.adjustment_sets) == expected, context
        key = (criterion, len(max(expected, key=len, default=())))
        seen[key] = seen.get(key, 0) + 1
    # the random cases must reach every kind of answer, or the test proves little
    wanted = {("backdoor", 0), ("backdoor", 1), ("backdoor", 2), ("frontdoor", 1),
              ("frontdoor", 2), (None, 0)}
    assert wanted <= set(seen), seen
