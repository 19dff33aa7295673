"""Expressions of the checked model to JAX callables (closures, never ``eval``).

Numeric literals of intervention expressions become slots of a parameter vector, so a new
intervention value is a new argument of the same jitted function, not a re-trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp
from jax import nn
from jax.scipy.special import logit

from docalc.dsl import ast
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
    match e:
        case ast.Num(value=v):
            if id(e) in slots:
                k = slots[id(e)]
                return lambda env, p: p[k]
            return lambda env, p: v
        case ast.Name(id=n):
            if n in CONSTANTS:
                c = CONSTANTS[n]
                return lambda env, p: c
            return lambda env, p: env[n]
        case ast.Index(name=nm, index=ast.Name(id=col)):
            n = nm.id
            return lambda env, p: jnp.take(env[n], env[col], axis=-1)
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
    """Return a slot for every literal of the expressions, in order (see compile_expr)."""
    slots: dict[int, int] = {}
    for e in exprs:
        stack: list[object] = [e]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Num):
                slots[id(node)] = len(slots)
            stack.extend(reversed(ast.children(node)))
    return slots


def literal_values(exprs: list[ast.Expr]) -> list[float]:
    """Return the literal values in the order :func:`literal_slots` numbers them."""
    out: list[float] = []
    for e in exprs:
        stack: list[object] = [e]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Num):
                out.append(node.value)
            stack.extend(reversed(ast.children(node)))
    return out
