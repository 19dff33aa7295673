"""Which latent discrete nodes of an inference plan are summed out, and in which groups.

A Bernoulli, Categorical or Binomial (literal ``total_count``) node with no data is not a
sample site: its finite support is enumerated and the model adds, per unit, the log of
the sum over its values of the joint density of it and of every stochastic node whose
parameters read it (see docs/language.md, "Discrete latent nodes"). Latents that some
node reads together (or whose values meet in one node further down) are enumerated
jointly (the cartesian product of their supports): one *group*, one factor site.

A node of such a family whose column has missing cells (``observe(df, missing="impute")``,
``Step.partly``) is enumerated the same way, in the group of what it reads and what reads
it: at its observed units only the observed value's term is kept, at the others every
value's, so one factor per unit covers both (the missing cells are summed out exactly).

This module is the static half (no JAX): it decides the groups and refuses what cannot be
summed out; :mod:`docalc.compiler.lower.enumeration` evaluates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docalc.compiler.bind.missing import UNOBSERVED
from docalc.dsl import ast
from docalc.dsl.check.checker import literal_value
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import raise_diagnostics, runtime

BOUNDED = ("Bernoulli", "Categorical", "Binomial")
"""The discrete families whose support is finite (Binomial with a literal total_count)."""

FACTOR_SUFFIX = "__marginal"


def factor_site(latents: tuple[str, ...]) -> str:
    """Return the name of a group's factor site: its latents joined by ``__``, then ``__marginal``.

    The one name rule for marginalized groups: the NumPyro model's ``numpyro.factor`` and
    whatever reads its log density (a pointwise log likelihood) use it. Node names never
    hold ``__`` (the checker keeps it for docalc's own sites), so the name is unambiguous.
    """
    return "__".join(latents) + FACTOR_SUFFIX


def probs_name(latent: str) -> str:
    """Return the posterior variable holding a latent's per-unit value probabilities."""
    return f"{latent}__probs"


def value_dim(latent: str) -> str:
    """Return the dimension of the values of a marginalized latent (in ``probs_name``)."""
    return f"{latent}__value"


@dataclass(frozen=True)
class Group:
    """Latent discrete nodes enumerated jointly, and what their values reach.

    Attributes
    ----------
    plate : str
        The plate of the latents and of every node that reads them.
    latents : tuple of str
        The latents, in step order; joint value ``j`` enumerates them with the first
        slowest (``numpy.unravel_index(j, sizes)``).
    sizes : tuple of int
        Each latent's number of values (0 .. size - 1).
    dependents : tuple of str
        The other stochastic nodes whose parameters carry the enumeration (observed or
        continuous latent): their log densities are in the factor.
    enumerated : tuple of str
        Computed nodes whose values carry the enumeration (not recorded as sites).
    partly : tuple of str
        The latents that are observed nodes with missing cells (``Step.partly``): only
        those cells are summed out; their posterior is ``<node>_unobserved``.

    """

    plate: str
    latents: tuple[str, ...]
    sizes: tuple[int, ...]
    dependents: tuple[str, ...]
    enumerated: tuple[str, ...]
    partly: tuple[str, ...] = ()

    def variable(self, latent: str) -> str:
        """Return the posterior variable of a member's draws: its name, or ``<node>_unobserved``.

        A partly observed node's variable holds its missing cells only; ``probs_name`` of
        the variable holds their value probabilities.
        """
        return UNOBSERVED.format(latent) if latent in self.partly else latent

    @property
    def site(self) -> str:
        """The factor site's name (:func:`factor_site`)."""
        return factor_site(self.latents)

    @property
    def size(self) -> int:
        """Joint values enumerated per unit."""
        n = 1
        for k in self.sizes:
            n *= k
        return n


def _dist(st: Any) -> Any:
    iv = st.intervention
    return iv.dist if iv is not None and iv.dist is not None else st.node.dist


def is_discrete(st: Any) -> bool:
    """Whether a step draws from a discrete family (its intervention's, if it has one)."""
    d = _dist(st)
    return d is not None and DISTRIBUTIONS[d.name].discrete


def _reads(st: Any) -> tuple[str, ...]:
    iv = st.intervention
    if iv is not None and st.mode in ("set", "dist", "shift"):
        own = (st.name,) if st.mode == "shift" else ()
        return (*iv.reads, *own)
    return st.node.parents


def _support_size(st: Any) -> int | None:
    """Return the number of values of a bounded family's draw, None if not static."""
    d = _dist(st)
    args = dict(d.args)
    if d.name == "Bernoulli":
        return 2
    if d.name == "Categorical":
        e = args.get("probs", args.get("logits"))
        return len(e.items) if isinstance(e, ast.ListExpr) else None
    n = literal_value(args["total_count"]) if "total_count" in args else 1.0
    return int(n) + 1 if n is not None and float(n).is_integer() and n >= 0 else None


def summed_out(st: Any) -> bool:
    """Whether a step is enumerated: a latent discrete node, or one with missing cells."""
    if not is_discrete(st):
        return False
    if st.observed:
        return bool(st.partly) and st.mode in ("sample", "dist")
    return st.mode in ("sample", "dist") or (st.mode == "shift" and st.node.dist is not None)


def _partly(why: str, st: Any) -> str:
    """Say, for a node with missing cells, that those cells are what is summed out."""
    return f"{why} (its column's missing cells are summed out as a latent's are)" \
        if st.partly else why


def plan_groups(plan: Any, text: str | None = None) -> tuple[Group, ...]:
    """Return the marginalized groups of an inference plan (empty: nothing discrete latent).

    Raises
    ------
    DocalcInferenceError
        A latent discrete node (or one with missing cells) that cannot be summed out:
        unbounded support (E951), a support size that is not a literal (E956), a global
        one or one read across plates (E955), or a continuous latent with
        parameter-dependent support reading it (E955).
    """
    latent = {st.name: st for st in plan.steps if summed_out(st)}
    if not latent:
        return ()
    problems: list[Any] = []
    unbounded = [st for st in latent.values() if _dist(st).name not in BOUNDED]
    if unbounded:
        st = unbounded[0]
        raise runtime.latent_discrete(
            st.node.span, names=", ".join(s.name for s in unbounded), first=st.name,
            dist=_dist(st).name).with_source(text).error()
    sizes: dict[str, int] = {}
    for st in latent.values():
        k = _support_size(st)
        if k is None:
            problems.append(runtime.latent_support_not_literal(
                st.node.span, name=st.name, dist=_dist(st).name).with_source(text))
        elif st.mode == "shift" or st.node.plate is None:
            problems.append(runtime.latent_not_marginalizable(
                st.node.span, name=st.name, why=_partly("it is global (outside every plate)"
                if st.node.plate is None else "a shift do() reads its value", st))
                .with_source(text))
        else:
            sizes[st.name] = k
    raise_diagnostics(problems)
    root = {n: n for n in latent}

    def find(n: str) -> str:
        while root[n] != n:
            root[n] = root[root[n]]
            n = root[n]
        return n

    tags: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for st in plan.steps:
        t = set().union(*(tags.get(p, set()) for p in _reads(st)))
        reads[st.name] = t
        if st.name in latent:
            t = t | {st.name}
        for a in t:
            root[find(a)] = find(st.name if st.name in latent else next(iter(t)))
        stochastic = st.mode in ("sample", "dist") and st.name not in latent
        tags[st.name] = set() if stochastic else t
    groups = []
    for r in dict.fromkeys(find(n) for n in latent):
        members = tuple(n for n in latent if find(n) == r)
        deps: list[Any] = []
        enum: list[Any] = []
        for st in plan.steps:
            if st.name in latent or not {find(a) for a in reads[st.name]} & {r}:
                continue
            (deps if st.mode in ("sample", "dist") else enum).append(st)
        first = latent[members[0]]
        plate = first.node.plate
        for st in (*deps, *enum):
            if st.node.plate != plate:
                problems.append(runtime.latent_not_marginalizable(
                    first.node.span, name=members[0],
                    why=_partly(f"'{st.name}' reads it from another plate", first))
                    .with_source(text))
            elif st in deps and (not st.observed or st.partly) and \
                    DISTRIBUTIONS[_dist(st).name].support == "interval":
                problems.append(runtime.latent_not_marginalizable(
                    st.node.span, name=members[0], why=_partly(
                        f"the support of latent '{st.name}' would depend on its value"
                        if not st.observed else f"the support of the missing cells of "
                        f"'{st.name}' would depend on its value", first)).with_source(text))
        groups.append(Group(plate, members, tuple(sizes[n] for n in members),
                            tuple(s.name for s in deps), tuple(s.name for s in enum),
                            tuple(n for n in members if latent[n].partly)))
    raise_diagnostics(problems)
    return tuple(groups)

