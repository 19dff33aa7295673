"""AST back to canonical text, so that ``parse(print_program(p)) == p``."""

from __future__ import annotations

import math

from docalc.dsl import ast

# Binding strength of each operator; a child binding looser than its parent is parenthesised.
_PREC = {"<": 1, "<=": 1, ">": 1, ">=": 1, "==": 1, "!=": 1, "+": 2, "-": 2, "*": 3, "/": 3}
_UNARY = 4
_POW = 5
_ATOM = 6


def format_number(value: float) -> str:
    """Print a literal the shortest way that reads back to the same float.

    Infinity prints as ``1e999`` (the literal that reads back as it, since the checker
    refuses it where it is written, but the printer must print any tree); NaN, which no
    literal gives, as ``nan``.
    """
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    if math.isnan(value):
        return "nan"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.Binary):
        return _POW if e.op == "^" else _PREC[e.op]
    if isinstance(e, ast.Unary):
        return _UNARY
    return _ATOM


def print_expr(e: ast.Expr) -> str:
    """Return the canonical text of an expression."""
    match e:
        case ast.Num(value=v):
            return format_number(v)
        case ast.Name(id=n):
            return n
        case ast.Index(name=n, index=i):
            return f"{n.id}[{print_expr(i)}]"
        case ast.Unary(op=op, operand=o):
            inner = print_expr(o)
            # `-x^2` parses as -(x^2), so a power operand needs no parentheses here
            return f"{op}{inner}" if _prec(o) >= _UNARY else f"{op}({inner})"
        case ast.Binary(op=op, left=a, right=b):
            p = _prec(e)
            if op == "^":
                # right-associative; the base must be an atom, the exponent may be unary
                left = _wrap(a, _ATOM)
                right = print_expr(b) if _prec(b) >= _UNARY else f"({print_expr(b)})"
                return f"{left} ^ {right}"
            if p == 1:  # comparisons do not chain
                return f"{_wrap(a, 2)} {op} {_wrap(b, 2)}"
            return f"{_wrap(a, p)} {op} {_wrap(b, p + 1)}"
        case ast.Call():
            return print_call(e)
        case ast.ListExpr(items=items):
            return "[" + ", ".join(print_expr(i) for i in items) + "]"
        case ast.Expectation(target=t, conditions=conds):
            if not conds:
                return f"E[{print_expr(t)}]"
            return f"E[{print_expr(t)} | " + ", ".join(_print_condition(c) for c in conds) + "]"
    raise TypeError(f"not an expression: {e!r}")


def _wrap(e: ast.Expr, min_prec: int) -> str:
    s = print_expr(e)
    return s if _prec(e) >= min_prec else f"({s})"


def print_call(c: ast.Call) -> str:
    """Return ``func(arg, ..., key=value)``."""
    parts = [print_expr(a) for a in c.args]
    parts += [f"{k.name}={print_expr(k.value)}" for k in c.kwargs]
    return f"{c.func}({', '.join(parts)})"


def print_intervention(i: ast.Intervention) -> str:
    """Return ``x = expr`` or ``x ~ Dist(...)``."""
    if isinstance(i, ast.SetValue):
        return f"{i.name} = {print_expr(i.value)}"
    return f"{i.name} ~ {print_call(i.dist)}"


def _print_condition(c: ast.Condition) -> str:
    match c:
        case ast.DoCondition(interventions=ivs):
            return "do(" + ", ".join(print_intervention(i) for i in ivs) + ")"
        case ast.Observed(name=n, value=v):
            return f"{n} = {print_expr(v)}"
        case ast.Factual():
            return "factual"
    raise TypeError(f"not a condition: {c!r}")


def print_statement(s: ast.Statement, indent: str = "") -> str:
    """Return the canonical text of one statement (plates over several lines)."""
    match s:
        case ast.Stochastic(name=n, dist=d):
            return f"{indent}{n} ~ {print_call(d)}"
        case ast.Deterministic(name=n, expr=x):
            return f"{indent}{n} = {print_expr(x)}"
        case ast.DataDecl(name=n, index_of=p):
            return f"{indent}data {n}" + (f": {p}" if p else "")
        case ast.Plate(name=n, size=size, body=body):
            head = f"{indent}plate {n}" + (f"[{size}]" if size is not None else "") + " {"
            lines = [head, *(print_statement(b, indent + "  ") for b in body), indent + "}"]
            return "\n".join(lines)
        case ast.Do(interventions=ivs):
            return f"{indent}do(" + ", ".join(print_intervention(i) for i in ivs) + ")"
        case ast.Query(name=n, expr=x):
            return f"{indent}query {n} = {print_expr(x)}"
    raise TypeError(f"not a statement: {s!r}")


def print_program(p: ast.Program) -> str:
    """Return the canonical text of a whole program, one statement per line."""
    return "".join(print_statement(s) + "\n" for s in p.statements)
