"""Expressions of the checked model to JAX callables (closures, never ``eval``).

Numeric literals of intervention expressions become slots of a parameter vector, so a new
intervention value is a new argument of the same jitted function, not a re-trace. A signed
number (``-1``) is one slot holding the signed value (see ``plan.literal_nodes``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp
from jax import nn
from jax.scipy.special import logit

from docalc.compiler.plan.run_plan import literal_nodes
from docalc.dsl import ast
from docalc.dsl.check.checker import literal_value
from docalc.dsl.distributions import CONSTANTS

Env = Mapping[str, Any]
Fn = Callable[[Env, Any], Any]

_UNARY_FUNCS: dict[str, Callable[[Any], Any]] = {
    "exp": jnp.exp, "log": jnp.log, "log1p": jnp.log1p, "expm1": jnp.expm1, "sqrt": jnp.sqrt,
    "abs": jnp.abs, "sin": jnp.sin, "cos": jnp.cos, "tanh": jnp.tanh, "sigmoid": nn.sigmoid,
    "inv_logit": nn.sigmoid, "logit": logit, "softplus": nn.softplus,
}
_BINARY_FUNCS: dict[str, Callable[[Any, Any], Any]] = {
    "min": jnp.minimum, "max": jnp.maximum, "pow": jnp.power,
}
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": jnp.add, "-": jnp.subtract, "*": jnp.multiply, "/": jnp.divide, "^": jnp.power,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": jnp.less, "<=": jnp.less_equal, ">": jnp.greater, ">=": jnp.greater_equal,
    "==": jnp.equal, "!=": jnp.not_equal,
}


def _as_float(x: Any) -> Any:
    return jnp.asarray(x, dtype=jnp.result_type(float))


def _as_index(x: Any) -> Any:
    # an index column set by do() arrives as a float (a literal slot or an array
    # argument); the host checked it is a whole number in range
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.integer) else jnp.round(x).astype(jnp.int32)


def compile_expr(e: ast.Expr, slots: Mapping[int, int] | None = None) -> Fn:
    """Return ``f(env, params)`` computing ``e``; names read ``env``, slotted literals ``params``.

    Parameters
    ----------
    e : ast.Expr
        A checked expression.
    slots : mapping from ``id(Num node)`` to an index into ``params``, optional
        Literals listed here are read from the parameter vector instead of being constants.
    """
    slots = slots or {}
    if id(e) in slots and literal_value(e) is not None:
        k = slots[id(e)]
        return lambda env, p: p[k]
    match e:
        case ast.Num(value=v):
            return lambda env, p: v
        case ast.Name(id=n):
            if n in CONSTANTS:
                c = CONSTANTS[n]
                return lambda env, p: c
            return lambda env, p: env[n]
        case ast.Index(name=nm, index=ast.Name(id=col)):
            n = nm.id
            return lambda env, p: jnp.take(env[n], _as_index(env[col]), axis=-1)
        case ast.Unary(op=op, operand=o):
            f = compile_expr(o, slots)
            if op == "-":
                return lambda env, p: -f(env, p)
            return f
        case ast.Binary(op=op, left=a, right=b):
            fa, fb = compile_expr(a, slots), compile_expr(b, slots)
            if op in _COMPARE:
                cmp = _COMPARE[op]
                return lambda env, p: _as_float(cmp(fa(env, p), fb(env, p)))
            f2 = _OPS[op]
            return lambda env, p: f2(fa(env, p), fb(env, p))
        case ast.Call(func=name, args=args):
            fs = [compile_expr(a, slots) for a in args]
            if name in _UNARY_FUNCS:
                g = _UNARY_FUNCS[name]
                return lambda env, p: g(fs[0](env, p))
            if name in _BINARY_FUNCS:
                h = _BINARY_FUNCS[name]
                return lambda env, p: h(fs[0](env, p), fs[1](env, p))
            if name == "where":
                return lambda env, p: jnp.where(fs[0](env, p) != 0, fs[1](env, p), fs[2](env, p))
        case ast.ListExpr(items=items):
            fs = [compile_expr(i, slots) for i in items]

            def stack(env: Env, p: Any) -> Any:
                vals = [jnp.asarray(f(env, p), dtype=jnp.result_type(float)) for f in fs]
                shape = jnp.broadcast_shapes(*(v.shape for v in vals))
                return jnp.stack([jnp.broadcast_to(v, shape) for v in vals], axis=-1)

            return stack
    raise TypeError(f"cannot compile expression {e!r}")  # the checker rules this out


def literal_slots(exprs: list[ast.Expr]) -> dict[int, int]:
    """Return a slot for every literal of the expressions, in order (see compile_expr).

    Parameters
    ----------
    exprs : list of ast.Expr
        Intervention expressions, as ``plan.intervention_exprs`` lists them.

    Returns
    -------
    dict
        ``id`` of each literal node (a ``Num``, or a signed ``Unary`` around one) to its
        index in the parameter vector.
    """
    return {id(node): k for k, node in enumerate(literal_nodes(exprs))}


def literal_values(exprs: list[ast.Expr]) -> list[float]:
    """Return the literal values, signs included, in the order :func:`literal_slots` uses.

    Parameters
    ----------
    exprs : list of ast.Expr
        Intervention expressions, as ``plan.intervention_exprs`` lists them.

    Returns
    -------
    list of float
        One value per slot.
    """
    return [float(literal_value(node)) for node in literal_nodes(exprs)]  # type: ignore[arg-type]
