"""Constant folding: the value of an expression of numbers and arithmetic, as JAX computes it."""

from __future__ import annotations

import math

from . import ast
from .distributions import CONSTANTS
from .printer import format_number, print_expr


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
