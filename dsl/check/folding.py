"""Constant folding: the value of an expression of numbers and arithmetic, as JAX computes it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from docalc.dsl import ast
from docalc.dsl.distributions import CONSTANTS
from docalc.dsl.printer import format_number, print_expr
from docalc.dsl.supports import representable


def literal_value(e: ast.Expr) -> float | None:
    """Return the value of a numeric literal (with optional sign), else None."""
    sign = 1.0
    while isinstance(e, ast.Unary):
        sign = -sign if e.op == "-" else sign
        e = e.operand
    return sign * e.value if isinstance(e, ast.Num) else None


_ARITHMETIC = frozenset({"+", "-", "*", "/", "^"})


def const_value(e: ast.Expr) -> float | None:
    """Return the value of an expression made only of numbers, ``pi`` and arithmetic.

    Such an expression (``0 - 1``, ``2 * -1``, ``1 - 1``) is as constant as a literal, so
    it is checked against the parameter's constraint before anything runs. Functions are
    left out: folding them would mean reproducing JAX's edge cases (``log(0)``,
    ``sqrt(-1)``) here.

    Parameters
    ----------
    e : ast.Expr
        A checked or unchecked expression (its depth is bounded by the parser's limits).

    Returns
    -------
    float or None
        The value as IEEE arithmetic gives it (``1 / 0`` is inf, ``0 / 0`` nan), or None
        when the expression reads a node or calls a function.
    """
    match e:
        case ast.Num(value=v):
            return float(v)
        case ast.Name(id=n) if n in CONSTANTS:
            return CONSTANTS[n]
        case ast.Unary(op=op, operand=o):
            inner = const_value(o)
            return None if inner is None else (-inner if op == "-" else inner)
        case ast.Binary(op=op, left=a, right=b) if op in _ARITHMETIC:
            x = const_value(a)
            y = const_value(b) if x is not None else None
            return None if x is None or y is None else _arithmetic(op, x, y)
    return None


def _arithmetic(op: str, x: float, y: float) -> float:
    # what the compiled model computes (IEEE), where Python raises or goes complex
    try:
        match op:
            case "+":
                r: complex | float = x + y
            case "-":
                r = x - y
            case "*":
                r = x * y
            case "/":
                r = x / y
            case _:
                r = x ** y
    except ZeroDivisionError:
        if op != "/":
            r = math.inf  # 0 ** -k
        elif x == 0 or math.isnan(x):
            r = math.nan
        else:
            r = math.copysign(math.inf, x) * math.copysign(1.0, y)
    except OverflowError:  # 10 ** 400
        r = -math.inf if x < 0 and float(y).is_integer() and y % 2 == 1 else math.inf
    return math.nan if isinstance(r, complex) else float(r)


def number_text(v: float) -> str:
    """Return a number for a message: as the printer writes it, or inf / nan."""
    return format_number(v) if math.isfinite(v) else repr(v)


def shown(e: ast.Expr, value: float) -> str:
    """Return a constant for a message: the literal, or the expression and its value."""
    if literal_value(e) is not None:
        return number_text(value)
    return f"{print_expr(e)} = {number_text(value)}"


# -- constants that the model's 32-bit floats cannot hold ------------------------------------
_UNARY_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "sqrt": np.sqrt,
    "abs": np.abs, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "inv_logit": lambda x: 1 / (1 + np.exp(-x)),
    "logit": lambda x: np.log(x / (1 - x)), "softplus": lambda x: np.logaddexp(x, 0.0),
}
_BINARY_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "min": np.minimum, "max": np.maximum, "pow": np.power,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def _fold_one(e: object, kids: list[float | None], env: Mapping[str, float]) -> float | None:
    # the value of one node from its children's values (None: not a constant)
    match e:
        case ast.Num(value=v):
            return float(v)
        case ast.Name(id=n):
            return env[n] if n in env else CONSTANTS.get(n)
    if not kids or any(k is None for k in kids):
        return None
    xs = [float(k) for k in kids if k is not None]
    match e:
        case ast.Unary(op=op):
            return -xs[0] if op == "-" else xs[0]
        case ast.Binary(op=op) if op in _ARITHMETIC:
            return _arithmetic(op, xs[0], xs[1])
        case ast.Binary(op=op) if op in _COMPARE:
            return float(_COMPARE[op](xs[0], xs[1]))
        case ast.Call(func=f, kwargs=()) if f in _UNARY_FUNCTIONS and len(xs) == 1:
            return float(_UNARY_FUNCTIONS[f](np.float64(xs[0])))
        case ast.Call(func=f, kwargs=()) if f in _BINARY_FUNCTIONS and len(xs) == 2:
            return float(_BINARY_FUNCTIONS[f](np.float64(xs[0]), np.float64(xs[1])))
        case ast.Call(func="where", kwargs=()) if len(xs) == 3:
            return xs[1] if xs[0] != 0 else xs[2]
    return None


def unfit_constants(e: object) -> list[tuple[object, float]]:
    """Return the constant parts of an expression that are not finite 32-bit numbers.

    Constants fold through arithmetic, comparisons and the language's functions (``1 / 0``,
    ``log(-1)``, ``2 ^ 1024``, ``exp(100)``), in float64 as NumPy computes them; a value
    that is NaN, infinite or beyond the largest float32 is one the model would compute as
    inf or NaN. Only the innermost such part is returned (``1e999`` in ``2 * 1e999``),
    once; ``E[...]`` is not entered (its target and conditions are checked on their own).

    Parameters
    ----------
    e : AST node
        An expression, an intervention or a condition.

    Returns
    -------
    list of (node, value)
        In the order of a walk from the root.
    """
    bad: set[int] = set()
    found: list[tuple[object, float]] = []
    for node, kids, value in _folded(e):
        if any(id(k) in bad for k in kids):
            bad.add(id(node))  # an inner part is reported already
        elif value is not None and not representable(value):
            bad.add(id(node))
            found.append((node, value))
    return found


def constant(e: object, env: Mapping[str, float] | None = None) -> float | None:
    """Return the value of an expression of numbers, ``pi``, arithmetic and functions.

    Like :func:`const_value`, with the functions folded too (``exp(1)``, ``log(0)``),
    as NumPy computes them in float64; None when the expression reads a node other than
    those given values by ``env``.
    """
    value: float | None = None
    for _, _, folded in _folded(e, env or {}):
        value = folded  # the root comes last
    return value


def _folded(e: object, env: Mapping[str, float] | None = None
            ) -> Iterator[tuple[object, tuple[object, ...], float | None]]:
    # every node of ``e`` after its children (the root last), with its constant value
    values: dict[int, float | None] = {}
    stack: list[tuple[object, bool]] = [(e, False)]
    with np.errstate(all="ignore"):
        while stack:
            node, done = stack.pop()
            if isinstance(node, ast.Expectation):
                values[id(node)] = None
                yield node, (), None
                continue
            kids = ast.children(node)
            if not done:
                stack.append((node, True))
                stack.extend((k, False) for k in kids)
                continue
            value = _fold_one(node, [values.get(id(k)) for k in kids], env or {})
            values[id(node)] = value
            yield node, kids, value
