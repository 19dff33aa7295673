"""The abstract syntax tree: frozen dataclasses, one per construct, each with a span.

Spans are excluded from equality so that ``parse(print(tree)) == tree`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from docalc.dsl.spans import NOWHERE, Span


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric literal."""

    value: float
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a node, a data column or the constant ``pi``."""

    id: str
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Index:
    """``theta[school_of]``: a group-plate node read through an index column."""

    name: Name
    index: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``+x``."""

    op: str
    operand: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (``+ - * / ^``) and comparisons (``< <= > >= == !=``, giving 0/1)."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword argument ``name = value`` of a call."""

    name: str
    value: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function or distribution call with positional and keyword arguments."""

    func: str
    args: tuple[Expr, ...]
    kwargs: tuple[Keyword, ...] = ()
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    func_span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListExpr:
    """``[p1, p2, p3]``: the probabilities or logits of a Categorical."""

    items: tuple[Expr, ...]
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SetValue:
    """``x = expr`` inside ``do(...)``: a hard intervention, or a shift if expr reads x."""

    name: str
    value: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SetDist:
    """``x ~ Dist(...)`` inside ``do(...)``: a stochastic intervention."""

    name: str
    dist: Call
    span: Span = field(default=NOWHERE, compare=False, repr=False)


Intervention: TypeAlias = SetValue | SetDist


@dataclass(frozen=True, slots=True)
class DoCondition:
    """``do(...)`` inside ``E[... | ...]``."""

    interventions: tuple[Intervention, ...]
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Observed:
    """``x = value`` inside ``E[... | ...]``: an observational condition."""

    name: str
    value: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Factual:
    """``factual`` inside ``E[... | ...]``: a counterfactual for the observed units."""

    span: Span = field(default=NOWHERE, compare=False, repr=False)


Condition: TypeAlias = DoCondition | Observed | Factual


@dataclass(frozen=True, slots=True)
class Expectation:
    """``E[target | conditions]``."""

    target: Expr
    conditions: tuple[Condition, ...]
    span: Span = field(default=NOWHERE, compare=False, repr=False)


Expr: TypeAlias = Num | Name | Index | Unary | Binary | Call | ListExpr | Expectation


@dataclass(frozen=True, slots=True)
class Stochastic:
    """``name ~ Dist(...)``."""

    name: str
    dist: Call
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    name_span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Deterministic:
    """``name = expr``."""

    name: str
    expr: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    name_span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DataDecl:
    """``data name`` or ``data name: plate`` (an index column into a group plate)."""

    name: str
    index_of: str | None = None
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    name_span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Plate:
    """``plate name[size] { ... }``; size is None when it comes from data or simulate."""

    name: str
    size: int | None
    body: tuple[Statement, ...]
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    name_span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Do:
    """``do(a = 1, b ~ Normal(0, 1))``: the file describes the intervened model."""

    interventions: tuple[Intervention, ...]
    span: Span = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Query:
    """``query name = expr`` where expr combines expectations ``E[...]``."""

    name: str
    expr: Expr
    span: Span = field(default=NOWHERE, compare=False, repr=False)
    name_span: Span = field(default=NOWHERE, compare=False, repr=False)


Statement: TypeAlias = Stochastic | Deterministic | DataDecl | Plate | Do | Query


@dataclass(frozen=True, slots=True)
class Program:
    """A whole file: its statements in order."""

    statements: tuple[Statement, ...]
    source: str = field(default="<string>", compare=False)


def children(node: object) -> tuple[object, ...]:
    """Return the direct sub-nodes of an AST node (for iterative walks)."""
    match node:
        case Index(name=n, index=i):
            return (n, i)
        case Unary(operand=o):
            return (o,)
        case Binary(left=a, right=b):
            return (a, b)
        case Call(args=a, kwargs=k):
            return (*a, *(kw.value for kw in k))
        case ListExpr(items=items):
            return items
        case Expectation(target=t, conditions=c):
            return (t, *c)
        case DoCondition(interventions=ivs):
            return ivs
        case Observed(value=v):
            return (v,)
        case SetValue(value=v):
            return (v,)
        case SetDist(dist=d):
            return (d,)
        case _:
            return ()


def names_in(expr: object) -> list[Name]:
    """Return every Name read by an expression, in source order (iterative, no recursion)."""
    out: list[Name] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            out.append(node)
        stack.extend(reversed(children(node)))
    return out


def depth(expr: object) -> int:
    """Return the nesting depth of an expression (iterative, safe on any input)."""
    best = 0
    stack: list[tuple[object, int]] = [(expr, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in children(node))
    return best
