"""The one step evaluator: how a node's value is made in every kind of run.

Forward runs (simulate, predict, counterfactuals), the NumPyro model (inference) and the
live slider path all evaluate a plan's steps with :func:`evaluate`. What differs between
them is small and passed in as a strategy (:class:`Run`):

- where a drawn value comes from: fresh random numbers from the draw's key
  (:class:`Fresh`), standard noise drawn once and replayed through the mechanism
  (:class:`Replayed`, the live path), or a NumPyro sample site (:class:`Sites`);
- how a computed value is recorded: a plain value, or a ``numpyro.deterministic`` site;
- where held values are read (data columns and posterior draws).

Counterfactual abduction (mode ``abduct``) is the same in every run: the unit's noise is
recovered from its factual values (:func:`docalc.compiler.lower.dists.abduct`) and pushed
through the intervened parents.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpyro

from docalc.compiler.bind.missing import MISSING_KEY
from docalc.compiler.lower import dists, streams
from docalc.compiler.lower.enumeration import Marginal
from docalc.compiler.lower.expr import Fn, compile_expr, literal_slots
from docalc.compiler.lower.impute import masked_site
from docalc.compiler.lower.means import mean_or_draw
from docalc.compiler.plan.run_plan import Plan, Step, intervention_exprs
from docalc.compiler.plan.value_checks import plan_checks, raise_violations
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.supports import inside

Arrays = Mapping[str, Any]


def _ok(constraint: str, v: Any) -> Any:
    """Return where ``v`` satisfies ``constraint`` (the one table of ``dsl.supports``)."""
    return inside(constraint, v, jnp)


class CompiledPlan:
    """A plan's expressions compiled to closures once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.checks, at = plan_checks(plan)
        self._own = {name: k for (name, param), k in at.items() if param is None}
        self._params: dict[str, list[tuple[str, int]]] = {}
        for (name, param), k in at.items():
            if param is not None:
                self._params.setdefault(name, []).append((param, k))
        slots = literal_slots(intervention_exprs(plan))
        self.args: dict[str, dict[str, Fn]] = {}
        self.iv_args: dict[str, dict[str, Fn]] = {}
        self.exprs: dict[str, Fn] = {}
        self.iv_exprs: dict[str, Fn] = {}
        for st in plan.steps:
            node = st.node
            if node.dist is not None:
                self.args[st.name] = {k: compile_expr(e) for k, e in node.dist.args}
            if node.expr is not None:
                self.exprs[st.name] = compile_expr(node.expr)
            iv = st.intervention
            if iv is not None and iv.expr is not None:
                self.iv_exprs[st.name] = compile_expr(iv.expr, slots)
            if iv is not None and iv.dist is not None:
                self.iv_args[st.name] = {k: compile_expr(e, slots) for k, e in iv.dist.args}

    def shape(self, st: Step) -> tuple[int, ...]:
        """Return the shape of a step's value: its plate's size, or () for a global."""
        return (self.plan.size[st.node.plate],) if st.node.plate else ()

    def dist_args(self, st: Step, env: Arrays, params: Any, new: bool = False,
                  counts: dict[int, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Return a stochastic step's family and parameters, counting their checks."""
        fns = self.iv_args[st.name] if new else self.args[st.name]
        name = st.intervention.dist.name if new and st.intervention and st.intervention.dist \
            else st.node.dist.name  # type: ignore[union-attr]
        args = {k: f(env, params) for k, f in fns.items()}
        self.check_args(st, args, counts, name)
        return name, args

    def check_args(self, st: Step, args: Mapping[str, Any], counts: dict[int, Any] | None,
                   dist: str | None = None) -> None:
        """Count, into ``counts``, the units where checked parameters break their constraint.

        Parameters
        ----------
        st : Step
            The node drawn.
        args : mapping
            Its parameters, by NumPyro name, as the run computed them.
        counts : dict or None
            Check index to the number of broken units; None when nothing is checked.
        dist : str, optional
            The distribution drawn from; default the node's own (give a stochastic
            intervention's new one).
        """
        if counts is None:
            return
        if dist is None:
            dist = st.node.dist.name if st.node.dist is not None else ""
        for param, k in self._params.get(st.name, ()):
            check = self.checks[k]
            if check.constraint == "interval":  # Uniform's bounds must be ordered
                ok = jnp.asarray(args["high"]) > jnp.asarray(args["low"])
            else:
                ok = _ok(check.constraint, args[param])
                if _listed(dist, param) and check.constraint != "simplex":
                    # a list parameter (Categorical's logits) has a trailing event axis:
                    # a unit is broken when any of its entries is (a simplex is reduced
                    # by _ok already)
                    ok = jnp.all(ok, axis=-1)
            self._count(k, ok, st, counts)

    def check_value(self, st: Step, value: Any, counts: dict[int, Any] | None) -> None:
        """Count the units where an intervened node's value leaves its node's support."""
        k = self._own.get(st.name)
        if counts is not None and k is not None:
            self._count(k, _ok(self.checks[k].constraint, value), st, counts)

    def _count(self, k: int, ok: Any, st: Step, counts: dict[int, Any]) -> None:
        per_value = getattr(counts, "per_value", None)
        if per_value is not None:
            # a marginalized group's step, evaluated once per joint value: a unit is
            # broken when it is for some value (the values so far, stacked)
            shape = self.shape(st)
            ok = jnp.asarray(ok)
            per_value.setdefault(k, []).append(
                jnp.broadcast_to(ok, jnp.broadcast_shapes(ok.shape, shape)))
            ok = jnp.stack(per_value[k])
        n = counts[k] = _bad_units(ok, self.shape(st))
        if not isinstance(n, jax.core.Tracer) and int(n):
            # concrete values: NumPyro's first run of a new model, before it is traced (its
            # own argument validation would otherwise raise a bare ValueError)
            raise_violations([self.checks[k]], [n], during="the model's first run (at the "
                             "sampler's starting point, before sampling)")


def _listed(dist: str, param: str) -> bool:
    """Whether a parameter is given as a list (the catalogue marks those as a simplex)."""
    spec = DISTRIBUTIONS.get(dist)
    p = spec.lookup(param) if spec is not None else None
    return p is not None and p.constraint == "simplex"


def _bad_units(ok: Any, shape: tuple[int, ...]) -> Any:
    ok = jnp.asarray(ok)
    if ok.ndim > len(shape):
        # a leading axis of a marginalized group's joint values (the results of each,
        # stacked): a unit is broken when it is for some value
        ok = jnp.all(ok, axis=tuple(range(ok.ndim - len(shape))))
    return jnp.sum(~jnp.broadcast_to(ok, jnp.broadcast_shapes(ok.shape, shape)),
                   dtype=jnp.int32)


def fit_shape(v: Any, shape: tuple[int, ...]) -> Any:
    """Return ``v`` broadcast to ``shape`` (as it is when it has that shape already)."""
    v = jnp.asarray(v)
    return v if v.shape == shape else jnp.broadcast_to(v, shape)


class Run:
    """What a kind of run does differently: the strategy :func:`evaluate` is given.

    Attributes
    ----------
    given : mapping
        Held values by node name: data columns, posterior draws, factual values.
    params : array
        The intervention literals (``expr.literal_slots``).
    arrays : mapping
        Array-valued interventions.
    counts : dict or None
        Check index to the number of units that broke it; None when unchecked.

    """

    def __init__(self, c: CompiledPlan, given: Arrays, params: Any, arrays: Arrays,
                 counts: dict[int, Any] | None) -> None:
        self.c, self.given, self.params, self.arrays, self.counts = \
            c, given, params, arrays, counts

    def held(self, st: Step) -> Any:
        """Return a held value (mode ``given`` or ``data``)."""
        return self.given[st.name]

    def draw(self, st: Step, site: str, dist: str, args: Mapping[str, Any],
             observed: bool) -> Any:
        """Return a drawn value of family ``dist`` with parameters ``args``."""
        raise NotImplementedError

    def record(self, st: Step, value: Any) -> Any:
        """Return a computed value as the run keeps it."""
        return value


class Fresh(Run):
    """Forward runs: each node's random numbers from its stream (:mod:`.streams`).

    A node's stream is ``fold_in(key, node index)``, a unit's ``fold_in`` of that with its
    global index (``given`` holds a batch's first index, ``streams.OFFSET_KEY``). Two
    scenarios run with the same key share the noise of every node and unit they both draw.
    For the nodes named in ``means``, the mean of the distribution a draw came from (given
    the parents' values in this run; the draw itself where that mean is not finite, see
    :func:`docalc.compiler.lower.means.mean_or_draw`) is kept in :attr:`means` beside it.
    """

    def __init__(self, c: CompiledPlan, key: Any, given: Arrays, params: Any,
                 arrays: Arrays, counts: dict[int, Any] | None,
                 means: Collection[str] = ()) -> None:
        super().__init__(c, given, params, arrays, counts)
        self.key = key
        self.mean_of = frozenset(means)
        self.means: dict[str, Any] = {}

    def draw(self, st: Step, site: str, dist: str, args: Mapping[str, Any],
             observed: bool) -> Any:
        """Draw from the node's stream."""
        shape = self.c.shape(st)
        keys = streams.node_keys(self.key, st.index, shape,
                                 streams.offset(self.given, st.node.plate))
        value = streams.sample(dist, args, keys, shape)
        return self._keep_mean(st, site, dist, args, value)

    def _keep_mean(self, st: Step, site: str, dist: str, args: Mapping[str, Any],
                   value: Any) -> Any:
        """Keep the mechanism mean of a node's own draw (not a shift's factual draw)."""
        if site == st.name and st.name in self.mean_of:
            self.means[st.name] = mean_or_draw(dist, args, fit_shape(value, self.c.shape(st)))
        return value


class Replayed(Fresh):
    """The live path: standard noise drawn once per node, pushed through its mechanism.

    ``noise`` maps ``str(step index)`` to the noise :func:`dists.standard_noise` drew from
    the same stream as :class:`Fresh` would (so values agree with forward runs); a node
    without it (or a new distribution) is drawn fresh.
    """

    def __init__(self, c: CompiledPlan, key: Any, given: Arrays, params: Any,
                 arrays: Arrays, noise: Mapping[str, Any],
                 counts: dict[int, Any] | None, means: Collection[str] = ()) -> None:
        super().__init__(c, key, given, params, arrays, counts, means)
        self.noise = noise

    def draw(self, st: Step, site: str, dist: str, args: Mapping[str, Any],
             observed: bool) -> Any:
        """Replay the node's noise where there is some, else draw fresh."""
        eps = self.noise.get(str(st.index)) if site == st.name and st.mode == "sample" \
            else None
        if eps is None:
            return super().draw(st, site, dist, args, observed)
        return self._keep_mean(st, site, dist, args, dists.NOISE[dist].apply(args, eps))


class Sites(Run):
    """The NumPyro model: draws are sample sites (observed ones with ``obs``).

    Computed values are ``numpyro.deterministic`` sites, so every output holds the value
    a node actually took. Latent discrete nodes are summed out instead (``marginal``, see
    :mod:`docalc.compiler.lower.enumeration`): they and the nodes that read them are
    evaluated once per joint value of the latents and go into one factor site per group.
    """

    def __init__(self, c: CompiledPlan, given: Arrays, params: Any, arrays: Arrays,
                 counts: dict[int, Any] | None, marginal: Marginal | None = None) -> None:
        super().__init__(c, given, params, arrays, counts)
        self.marginal = marginal

    def held(self, st: Step) -> Any:
        """Read a data column as a JAX array."""
        return jnp.asarray(self.given[st.name])

    def draw(self, st: Step, site: str, dist: str, args: Mapping[str, Any],
             observed: bool) -> Any:
        """Return a NumPyro sample site."""
        # NumPyro's support check of an observed value against a latent bound (Uniform's
        # high) mixes it with traced values, so it must be a JAX array, not NumPy's
        obs = jnp.asarray(self.given[st.name]) if observed else None
        # a column with NaN cells under observe(missing="impute"): those are latents
        holes = self.given.get(MISSING_KEY.format(st.name)) if observed else None
        m = self.marginal
        if m is not None and site == st.name and st.name in m.drawn:
            # (a discrete node's missing cells are summed out there)
            return m.draw(st.name, site, dist, args, obs, holes)
        if holes is not None:
            return masked_site(site, dist, args, obs, holes, self.c.shape(st), st.node.plate)
        return numpyro.sample(site, dists.make(dist, args), obs=obs)

    def record(self, st: Step, value: Any) -> Any:
        """Return a NumPyro deterministic site (a plain value where it is enumerated)."""
        if self.marginal is not None and st.name in self.marginal.computed:
            return value
        return numpyro.deterministic(st.name, fit_shape(value, self.c.shape(st)))


def evaluate(st: Step, env: dict[str, Any], run: Run) -> Any:
    """Return the value of one step of a plan, given the values before it in ``env``.

    Parameters
    ----------
    st : Step
        The step (its ``mode`` says how the value is made, see ``run_plan.MODES``).
    env : dict
        Values of the steps before it.
    run : Run
        The kind of run (fresh keys, replayed noise, NumPyro sites).
    """
    c, name, params, counts = run.c, st.name, run.params, run.counts
    match st.mode:
        case "given" | "data":
            return run.held(st)
        case "sample" | "dist":
            new = st.mode == "dist"
            dist, args = c.dist_args(st, env, params, new=new, counts=counts)
            return run.draw(st, name, dist, args, st.observed)
        case "det":
            return run.record(st, c.exprs[name](env, params))
        case "set":
            value = c.iv_exprs[name](env, params)
            c.check_value(st, value, counts)
            return run.record(st, value)
        case "array":
            return run.record(st, run.arrays[name])
        case "abduct":
            return _abduct(st, env, run)
        case "shift":
            factual = fit_shape(_factual(st, env, run), c.shape(st))
            value = c.iv_exprs[name]({**env, name: factual}, params)
            c.check_value(st, value, counts)
            return run.record(st, value)
    raise ValueError(st.mode)


def _factual(st: Step, env: dict[str, Any], run: Run) -> Any:
    """Return the factual value a shift reads: held, computed, drawn or abducted."""
    match st.factual_mode:
        case "given" | "data":
            return run.held(st)
        case "det":
            return run.c.exprs[st.name](env, run.params)
        case "sample":
            dist, args = run.c.dist_args(st, env, run.params, counts=run.counts)
            return run.draw(st, f"{st.name}__factual", dist, args, False)
        case "abduct":
            return _abduct(st, env, run)
    raise ValueError(st.factual_mode)


def _abduct(st: Step, env: dict[str, Any], run: Run) -> Any:
    c = run.c
    name = st.node.dist.name  # type: ignore[union-attr]
    fargs = {k: f(run.given, run.params) for k, f in c.args[st.name].items()}
    eps = dists.abduct(name, fargs, run.given[st.name])
    nargs = {k: f(env, run.params) for k, f in c.args[st.name].items()}
    c.check_args(st, nargs, run.counts, name)
    return dists.from_noise(name, nargs, eps)
