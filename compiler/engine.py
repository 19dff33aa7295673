"""Lowering a plan to JAX: a forward run and a NumPyro model.

The forward run serves simulate, predict and counterfactuals; the NumPyro model serves
inference. Interventions are lowered here from the IR, never by NumPyro's ``do``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

import jax
import jax.numpy as jnp
import numpyro

from . import dists
from .expr import Fn, compile_expr, literal_slots
from .plan import Plan, Step, intervention_exprs

Arrays = Mapping[str, Any]


class _Compiled:
    """A plan's expressions compiled to closures once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
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

    def dist(self, st: Step, env: Arrays, params: Any, new: bool = False) -> Any:
        fns = self.iv_args[st.name] if new else self.args[st.name]
        name = st.intervention.dist.name if new and st.intervention and st.intervention.dist \
            else st.node.dist.name  # type: ignore[union-attr]
        return dists.make(name, {k: f(env, params) for k, f in fns.items()})


def _draw(d: Any, key: Any, shape: tuple[int, ...]) -> Any:
    batch = jnp.broadcast_shapes(d.batch_shape, shape)
    return d.expand(batch).sample(key) if batch != d.batch_shape else d.sample(key)


def _fit(v: Any, shape: tuple[int, ...]) -> Any:
    v = jnp.asarray(v)
    return v if v.shape == shape else jnp.broadcast_to(v, shape)


def make_forward(plan: Plan) -> Callable[[Any, Arrays, Any, Arrays], dict[str, Any]]:
    """Return ``run(key, given, params, arrays) -> values`` for one draw (vmap it over draws).

    ``given`` holds data columns and held values (and, for abduction, every factual
    value); ``params`` the intervention literals; ``arrays`` array-valued interventions.
    Each node's random numbers come from ``fold_in(key, node index)``, so two scenarios
    run with the same key share the noise of every node they both draw.
    """
    c = _Compiled(plan)

    def run(key: Any, given: Arrays, params: Any, arrays: Arrays) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for st in plan.steps:
            shape = c.shape(st)
            env[st.name] = _fit(_value(c, st, st.mode, key, env, given, params, arrays), shape)
        return env

    return run


def _value(c: _Compiled, st: Step, mode: str, key: Any, env: dict[str, Any], given: Arrays,
           params: Any, arrays: Arrays) -> Any:
    shape = c.shape(st)
    match mode:
        case "given" | "data":
            return given[st.name]
        case "sample":
            return _draw(c.dist(st, env, params), jax.random.fold_in(key, st.index), shape)
        case "det":
            return c.exprs[st.name](env, params)
        case "set":
            return c.iv_exprs[st.name](env, params)
        case "array":
            return arrays[st.name]
        case "dist":
            return _draw(c.dist(st, env, params, new=True), jax.random.fold_in(key, st.index),
                         shape)
        case "abduct":
            name = st.node.dist.name  # type: ignore[union-attr]
            fargs = {k: f(given, params) for k, f in c.args[st.name].items()}
            eps = dists.abduct(name, fargs, given[st.name])
            nargs = {k: f(env, params) for k, f in c.args[st.name].items()}
            return dists.from_noise(name, nargs, eps)
        case "shift":
            assert st.factual_mode is not None
            factual = _fit(_value(c, st, st.factual_mode, key, env, given, params, arrays),
                           shape)
            return c.iv_exprs[st.name]({**env, st.name: factual}, params)
    raise ValueError(mode)


def make_numpyro_model(plan: Plan) -> Callable[[Arrays, Any, Arrays], None]:
    """Return the NumPyro model ``model(data, params, arrays)`` for inference.

    Observed nodes are sample sites with ``obs``; deterministic and hard-intervened nodes
    are recorded with ``numpyro.deterministic``, so every output holds the value a node
    actually took.
    """
    c = _Compiled(plan)

    def model(data: Arrays, params: Any, arrays: Arrays) -> None:
        env: dict[str, Any] = {}
        for st in plan.steps:
            plate = st.node.plate
            shape = c.shape(st)
            ctx = numpyro.plate(plate, shape[0], dim=-1) if plate else nullcontext()
            with ctx:
                env[st.name] = _site(c, st, env, data, params, arrays, shape)

    return model


def _site(c: _Compiled, st: Step, env: dict[str, Any], data: Arrays, params: Any,
          arrays: Arrays, shape: tuple[int, ...]) -> Any:
    name = st.name
    match st.mode:
        case "data":
            return data[name]
        case "sample":
            obs = data[name] if st.observed else None
            return numpyro.sample(name, c.dist(st, env, params), obs=obs)
        case "det":
            return numpyro.deterministic(name, _fit(c.exprs[name](env, params), shape))
        case "set":
            return numpyro.deterministic(name, _fit(c.iv_exprs[name](env, params), shape))
        case "array":
            return numpyro.deterministic(name, _fit(arrays[name], shape))
        case "dist":
            obs = data[name] if st.observed else None
            return numpyro.sample(name, c.dist(st, env, params, new=True), obs=obs)
        case "shift":
            if st.node.expr is not None:
                factual = c.exprs[name](env, params)
            elif st.node.dist is None:
                factual = data[name]
            else:
                factual = numpyro.sample(f"{name}__factual", c.dist(st, env, params))
            value = c.iv_exprs[name]({**env, name: factual}, params)
            return numpyro.deterministic(name, _fit(value, shape))
    raise ValueError(st.mode)
