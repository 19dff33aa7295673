"""Lowering a plan to JAX: a forward run and a NumPyro model.

The forward run serves simulate, predict and counterfactuals; the NumPyro model serves
inference. Interventions are lowered here from the IR, never by NumPyro's ``do``.

An intervention's value is an argument, so whether it gives some distribution an invalid
parameter (``do(t = -1)`` with ``y ~ Normal(0, t)``, or a shift ``s = -1 * s`` of a scale) is
known only when the run is done. The forward run counts, per draw, the units where that
happens and returns the counts beside the values; the caller raises a
DocalcInterventionError on the host (``plan.raise_violations``). The NumPyro model records
them as sites (``plan.check_samples``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

import jax
import jax.numpy as jnp
import numpyro

from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.supports import inside

from . import dists
from .expr import Fn, compile_expr, literal_slots
from .run_plan import (
    CHECK_SITE,
    Plan,
    Step,
    intervention_exprs,
    plan_checks,
    raise_violations,
)

Arrays = Mapping[str, Any]


def _ok(constraint: str, v: Any) -> Any:
    """Return where ``v`` satisfies ``constraint`` (the one table of ``dsl.supports``)."""
    return inside(constraint, v, jnp)


class _Compiled:
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
        return (self.plan.size[st.node.plate],) if st.node.plate else ()

    def dist(self, st: Step, env: Arrays, params: Any, new: bool = False,
             counts: dict[int, Any] | None = None) -> Any:
        fns = self.iv_args[st.name] if new else self.args[st.name]
        name = st.intervention.dist.name if new and st.intervention and st.intervention.dist \
            else st.node.dist.name  # type: ignore[union-attr]
        args = {k: f(env, params) for k, f in fns.items()}
        self.check_args(st, args, counts, name)
        return dists.make(name, args)

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
    return jnp.sum(~jnp.broadcast_to(ok, jnp.broadcast_shapes(ok.shape, shape)),
                   dtype=jnp.int32)


def _draw(d: Any, key: Any, shape: tuple[int, ...]) -> Any:
    batch = jnp.broadcast_shapes(d.batch_shape, shape)
    return d.expand(batch).sample(key) if batch != d.batch_shape else d.sample(key)


def _fit(v: Any, shape: tuple[int, ...]) -> Any:
    v = jnp.asarray(v)
    return v if v.shape == shape else jnp.broadcast_to(v, shape)


Forward = Callable[[Any, Arrays, Any, Arrays], tuple[dict[str, Any], tuple[Any, ...]]]


def make_forward(plan: Plan) -> Forward:
    """Return ``run(key, given, params, arrays) -> (values, counts)`` for one draw.

    ``given`` holds data columns and held values (and, for abduction, every factual
    value); ``params`` the intervention literals; ``arrays`` array-valued interventions.
    Each node's random numbers come from ``fold_in(key, node index)``, so two scenarios
    run with the same key share the noise of every node they both draw. ``counts`` has,
    for each check of ``plan_checks(plan)``, the number of units that broke it; the caller
    passes them to ``plan.raise_violations`` on the host. Vmap ``run`` over draws.
    """
    c = _Compiled(plan)

    def run(key: Any, given: Arrays, params: Any,
            arrays: Arrays) -> tuple[dict[str, Any], tuple[Any, ...]]:
        env: dict[str, Any] = {}
        counts: dict[int, Any] = {}
        for st in plan.steps:
            shape = c.shape(st)
            env[st.name] = _fit(_value(c, st, st.mode, key, env, given, params, arrays,
                                       counts), shape)
        return env, tuple(counts.get(k, jnp.int32(0)) for k in range(len(c.checks)))

    return run


def _value(c: _Compiled, st: Step, mode: str, key: Any, env: dict[str, Any], given: Arrays,
           params: Any, arrays: Arrays, counts: dict[int, Any] | None = None) -> Any:
    shape = c.shape(st)
    match mode:
        case "given" | "data":
            return given[st.name]
        case "sample":
            return _draw(c.dist(st, env, params, counts=counts),
                         jax.random.fold_in(key, st.index), shape)
        case "det":
            return c.exprs[st.name](env, params)
        case "set":
            value = c.iv_exprs[st.name](env, params)
            c.check_value(st, value, counts)
            return value
        case "array":
            return arrays[st.name]
        case "dist":
            return _draw(c.dist(st, env, params, new=True, counts=counts),
                         jax.random.fold_in(key, st.index), shape)
        case "abduct":
            name = st.node.dist.name  # type: ignore[union-attr]
            fargs = {k: f(given, params) for k, f in c.args[st.name].items()}
            eps = dists.abduct(name, fargs, given[st.name])
            nargs = {k: f(env, params) for k, f in c.args[st.name].items()}
            c.check_args(st, nargs, counts, name)
            return dists.from_noise(name, nargs, eps)
        case "shift":
            assert st.factual_mode is not None
            factual = _fit(_value(c, st, st.factual_mode, key, env, given, params, arrays,
                                  counts), shape)
            value = c.iv_exprs[st.name]({**env, st.name: factual}, params)
            c.check_value(st, value, counts)
            return value
    raise ValueError(mode)


def make_numpyro_model(plan: Plan) -> Callable[[Arrays, Any, Arrays], None]:
    """Return the NumPyro model ``model(data, params, arrays)`` for inference.

    Observed nodes are sample sites with ``obs``; deterministic and hard-intervened nodes
    are recorded with ``numpyro.deterministic``, so every output holds the value a node
    actually took. Each check of ``plan.plan_checks`` is recorded too, as the number of
    units that broke it (site ``plan.CHECK_SITE``), for ``plan.check_samples``; when NumPyro
    first runs the model with concrete values, a broken check raises at once.
    """
    c = _Compiled(plan)

    def model(data: Arrays, params: Any, arrays: Arrays) -> None:
        env: dict[str, Any] = {}
        counts: dict[int, Any] = {}
        for st in plan.steps:
            plate = st.node.plate
            shape = c.shape(st)
            ctx = numpyro.plate(plate, shape[0], dim=-1) if plate else nullcontext()
            with ctx:
                env[st.name] = _site(c, st, env, data, params, arrays, shape, counts)
        for k in range(len(c.checks)):
            numpyro.deterministic(CHECK_SITE.format(k), counts.get(k, jnp.int32(0)))

    return model


def _site(c: _Compiled, st: Step, env: dict[str, Any], data: Arrays, params: Any,
          arrays: Arrays, shape: tuple[int, ...], counts: dict[int, Any]) -> Any:
    name = st.name
    match st.mode:
        case "data":
            return jnp.asarray(data[name])
        case "sample":
            # NumPyro's support check of an observed value against a latent bound (Uniform's
            # high) mixes it with traced values, so it must be a JAX array, not NumPy's
            obs = jnp.asarray(data[name]) if st.observed else None
            return numpyro.sample(name, c.dist(st, env, params, counts=counts), obs=obs)
        case "det":
            return numpyro.deterministic(name, _fit(c.exprs[name](env, params), shape))
        case "set":
            value = c.iv_exprs[name](env, params)
            c.check_value(st, value, counts)
            return numpyro.deterministic(name, _fit(value, shape))
        case "array":
            return numpyro.deterministic(name, _fit(arrays[name], shape))
        case "dist":
            obs = jnp.asarray(data[name]) if st.observed else None
            return numpyro.sample(name, c.dist(st, env, params, new=True, counts=counts),
                                  obs=obs)
        case "shift":
            if st.node.expr is not None:
                factual = c.exprs[name](env, params)
            elif st.node.dist is None:
                factual = jnp.asarray(data[name])
            else:
                factual = numpyro.sample(f"{name}__factual",
                                         c.dist(st, env, params, counts=counts))
            value = c.iv_exprs[name]({**env, name: factual}, params)
            c.check_value(st, value, counts)
            return numpyro.deterministic(name, _fit(value, shape))
    raise ValueError(st.mode)
