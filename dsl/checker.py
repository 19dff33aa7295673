"""Checks over the AST, collecting every error of a file, and the checked model they build."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import ast
from .distributions import (
    CONSTANTS,
    CONSTRAINTS,
    DISTRIBUTIONS,
    FUNCTIONS,
    RESERVED,
    DistSpec,
    in_support,
)
from .errors import Diagnostic, diagnostic, raise_diagnostics
from .ir import CheckedModel, DistCall, InterventionDef, Kind, Node, PlateDef, QueryDef
from .parser import gc_paused
from .printer import format_number, print_expr
from .spans import NOWHERE, Span

MAX_STATEMENTS = 50_000


def suggest(name: str, choices: Iterable[str], otherwise: str = "") -> str:
    """Return a "did you mean" hint for a misspelt name, else ``otherwise``."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return f"did you mean '{lowered[name.lower()]}'?"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else otherwise


def listing(what: str, names: Iterable[str], most: int = 12) -> str:
    """Return "the <what> are a, b, c" (cut after ``most`` names), for hints."""
    names = list(names)
    if not names:
        return f"there are no {what}"
    shown = ", ".join(names[:most]) + (", ..." if len(names) > most else "")
    return f"the {what} are {shown}"


def _unknown_function(name: str) -> str:
    return suggest(name, FUNCTIONS, listing("functions", FUNCTIONS, most=len(FUNCTIONS)))


def _define(name: str) -> str:
    return f"define it, e.g. `{name} ~ Normal(0, 1)`, or check the spelling"


@dataclass
class _Decl:
    stmt: ast.Statement
    plate: str | None


@dataclass
class _Checker:
    text: str
    source: str
    diags: list[Diagnostic] = field(default_factory=list)
    decls: dict[str, _Decl] = field(default_factory=dict)
    plates: dict[str, ast.Plate] = field(default_factory=dict)
    dups: list[_Decl] = field(default_factory=list)

    def err(self, code: str, span: Span | None, **values: Any) -> None:
        self.diags.append(diagnostic(code, span, source_text=self.text, **values))

    # -- declarations -----------------------------------------------------------------
    def collect(self, program: ast.Program) -> None:
        if len(program.statements) > MAX_STATEMENTS:
            self.err("E802", Span(1, 1, 1, 2, self.source), count=len(program.statements),
                     limit=MAX_STATEMENTS)
            return
        for stmt in program.statements:
            if isinstance(stmt, ast.Plate):
                self.plate_decl(stmt)
                for inner in stmt.body:
                    if isinstance(inner, ast.Plate):
                        self.err("E505", inner.span, name=inner.name)
                    elif isinstance(inner, ast.Do | ast.Query):
                        what = "do" if isinstance(inner, ast.Do) else "query"
                        self.err("E508", inner.span, what=what, plate=stmt.name)
                    else:
                        self.node_decl(inner, stmt.name)
            elif isinstance(stmt, ast.Stochastic | ast.Deterministic | ast.DataDecl):
                self.node_decl(stmt, None)
        for name, plate in self.plates.items():
            if name in self.decls:
                first = self.decls[name].stmt
                self.err("E201", plate.name_span, name=name, first=_name_span(first))

    def plate_decl(self, p: ast.Plate) -> None:
        if p.name in self.plates:
            self.err("E203", p.name_span, name=p.name, first=self.plates[p.name].name_span)
            return
        if p.name in RESERVED:
            self.err("E202", p.name_span, name=p.name)
        if p.size is not None and p.size <= 0:
            self.err("E507", p.span, size=p.size)
        self.plates[p.name] = p

    def node_decl(self, s: ast.Statement, plate: str | None) -> None:
        assert isinstance(s, ast.Stochastic | ast.Deterministic | ast.DataDecl)
        if s.name in RESERVED:
            self.err("E202", s.name_span, name=s.name)
            return
        if "__" in s.name:
            # internal sample sites are named `<node>__<role>`; a user name must not collide
            self.err("E205", s.name_span, name=s.name, suggestion=re.sub("_{2,}", "_", s.name))
        if s.name in self.decls:
            self.err("E201", s.name_span, name=s.name, first=_name_span(self.decls[s.name].stmt))
            # still checked (not kept), so that its own errors are reported in the same pass
            self.dups.append(_Decl(s, plate))
            return
        if isinstance(s, ast.DataDecl) and plate is None:
            self.err("E506", s.span, name=s.name)
        self.decls[s.name] = _Decl(s, plate)

    # -- expressions ------------------------------------------------------------------
    def expr(self, e: ast.Expr, plate: str | None, *, reads: list[str],
             allow_list: bool = False, self_name: str | None = None) -> None:
        """Check names, calls and plate rules of an expression; append the nodes it reads."""
        stack: list[tuple[object, bool]] = [(e, allow_list)]
        while stack:
            node, lists_ok = stack.pop()
            match node:
                case ast.Name(id=n, span=sp):
                    self.name_ref(n, sp, plate, reads, self_name)
                case ast.Index(name=nm, index=idx, span=sp):
                    self.index_ref(nm, idx, plate, reads)
                case ast.Call(func=f, args=args, kwargs=kws, func_span=fs):
                    if f in DISTRIBUTIONS:
                        self.err("E412", fs, dist=f)
                    elif f not in FUNCTIONS:
                        self.err("E405", fs, name=f, hint=_unknown_function(f))
                    else:
                        lo, hi = FUNCTIONS[f]
                        if not lo <= len(args) <= hi:
                            self.err("E406", node.span, name=f, expected=lo, got=len(args))
                        if kws:
                            self.err("E413", kws[0].span, name=f)
                    subs = [*args, *(k.value for k in kws)]
                    stack.extend((a, False) for a in reversed(subs))
                case ast.ListExpr(items=items, span=sp):
                    if not lists_ok:
                        self.err("E411", sp)
                    stack.extend((i, False) for i in reversed(items))
                case ast.Expectation(span=sp):
                    self.err("E701", sp)
                case ast.Num():
                    pass
                case _:
                    stack.extend((c, False) for c in reversed(ast.children(node)))

    def name_ref(self, n: str, sp: Span, plate: str | None, reads: list[str],
                 self_name: str | None) -> None:
        if n in CONSTANTS:
            return
        if n == self_name:
            reads.append(n)
            return
        decl = self.decls.get(n)
        if decl is None:
            self.err("E200", sp, name=n, hint=suggest(n, [*self.decls, *CONSTANTS], _define(n)))
            return
        reads.append(n)
        self.plate_rule(n, decl.plate, sp, plate)

    def plate_rule(self, n: str, theirs: str | None, sp: Span, here: str | None) -> None:
        if theirs is None or theirs == here:
            return
        if here is None:
            self.err("E500", sp, name=self._current, other=n, plate=theirs)
            return
        idx = [d.stmt.name for d in self.decls.values()
               if isinstance(d.stmt, ast.DataDecl) and d.stmt.index_of == theirs
               and d.plate == here]
        hint = (f"index it: {n}[{idx[0]}]" if idx else
                f"declare an index column `data {theirs}_of: {theirs}` in plate '{here}' and "
                f"write {n}[{theirs}_of]")
        self.err("E501", sp, name=n, plate=theirs, here=here, hint=hint)

    def index_ref(self, nm: ast.Name, idx: ast.Expr, plate: str | None, reads: list[str]) -> None:
        decl = self.decls.get(nm.id)
        if decl is None:
            self.err("E200", nm.span, name=nm.id, hint=suggest(nm.id, self.decls, _define(nm.id)))
            return
        if decl.plate is None:
            self.err("E504", nm.span, name=nm.id, what="global (one value per model)")
            return
        if not isinstance(idx, ast.Name):
            self.err("E502", _span(idx), index=print_expr(idx), plate=decl.plate)
            return
        col = self.decls.get(idx.id)
        if col is None:
            self.err("E200", idx.span, name=idx.id,
                     hint=suggest(idx.id, self.decls, _define(idx.id)))
            return
        if not (isinstance(col.stmt, ast.DataDecl) and col.stmt.index_of is not None):
            self.err("E502", idx.span, index=idx.id, plate=decl.plate)
            return
        if col.stmt.index_of != decl.plate:
            self.err("E503", idx.span, index=idx.id, indexed=col.stmt.index_of, name=nm.id,
                     plate=decl.plate)
            return
        if col.plate != plate:
            self.plate_rule(idx.id, col.plate, idx.span, plate)
            return
        reads.extend([nm.id, idx.id])

    # -- distributions ----------------------------------------------------------------
    def dist(self, call: ast.Expr, plate: str | None, reads: list[str], node: str,
             self_name: str | None = None) -> DistCall | None:
        if not isinstance(call, ast.Call):
            self.err("E100", _span(call), detail="'~' must be followed by a distribution call")
            return None
        spec = DISTRIBUTIONS.get(call.func)
        if spec is None:
            if call.func in FUNCTIONS:
                self.err("E408", call.func_span, name=call.func, node=node)
            else:
                self.err("E400", call.func_span, name=call.func,
                         hint=suggest(call.func, DISTRIBUTIONS,
                                      listing("distributions", DISTRIBUTIONS)))
            return None
        given = self.bind_args(spec, call)
        if given is None:
            return None
        for expr in given.values():
            self.expr(expr, plate, reads=reads, allow_list=spec.name == "Categorical",
                      self_name=self_name)
        args = tuple((p.name, given[p.name]) for p in spec.params if p.name in given)
        return DistCall(spec.name, args, call.span)

    def bind_args(self, spec: DistSpec, call: ast.Call) -> dict[str, ast.Expr] | None:
        ok = True
        positional = [p for p in spec.params]
        # Distributions with exclusive parameters take the first of the group positionally.
        if spec.exclusive:
            positional = [p for p in spec.params if p.name != spec.exclusive[1]]
        params_text = ", ".join(
            p.name + (f" (or {', '.join(p.aliases)})" if p.aliases else "") for p in spec.params)
        given: dict[str, ast.Expr] = {}
        spans: dict[str, Span] = {}
        if len(call.args) > len(positional):
            self.err("E404", _span(call.args[len(positional)]), dist=spec.name,
                     n=len(positional), got=len(call.args), params=params_text)
            ok = False
        for p, a in zip(positional, call.args, strict=False):
            given[p.name] = a
            spans[p.name] = _span(a)
        for kw in call.kwargs:
            found = spec.lookup(kw.name)
            if found is None:
                self.err("E401", kw.span, dist=spec.name, arg=kw.name, params=params_text)
                ok = False
            elif found.name in given:
                self.err("E403", kw.span, dist=spec.name, arg=kw.name)
                ok = False
            else:
                given[found.name] = kw.value
                spans[found.name] = kw.span
        if spec.exclusive:
            chosen = [n for n in spec.exclusive if n in given]
            if len(chosen) > 1:
                self.err("E410", spans[chosen[1]], dist=spec.name,
                         alternatives=" or ".join(spec.exclusive))
                ok = False
            elif not chosen:
                self.err("E402", call.span, dist=spec.name, arg=" or ".join(spec.exclusive),
                         params=params_text)
                ok = False
        for p in spec.params:
            if p.name in spec.exclusive:
                continue
            if p.name not in given:
                if p.default is None:
                    self.err("E402", call.span, dist=spec.name, arg=p.name, params=params_text)
                    ok = False
                else:
                    given[p.name] = ast.Num(p.default, NOWHERE)
        for name, expr in given.items():
            param = spec.lookup(name)
            assert param is not None
            value = const_value(expr)
            if value is not None and not in_support(param.constraint, value):
                self.err("E409", spans.get(name, call.span), dist=spec.name, arg=name,
                         constraint=CONSTRAINTS[param.constraint], value=_shown(expr, value))
                ok = False
            if param.constraint == "simplex" and not isinstance(expr, ast.ListExpr | ast.Name):
                self.err("E409", spans.get(name, call.span), dist=spec.name, arg=name,
                         constraint="a list like [0.2, 0.3, 0.5]", value=print_expr(expr))
                ok = False
            elif param.constraint == "simplex" and name == "probs" \
                    and isinstance(expr, ast.ListExpr):
                ok = self.probabilities(spec, expr, spans.get(name, call.span)) and ok
        if ok and spec.support == "interval":
            ok = self.interval_order(spec, given, spans, call)
        return given if ok else None

    def probabilities(self, spec: DistSpec, expr: ast.ListExpr, span: Span) -> bool:
        """Refuse constant probabilities that do not sum to 1 (NumPyro would not renormalise)."""
        values = [const_value(item) for item in expr.items]
        if any(v is None for v in values):
            return True  # read at run time: plan_checks counts a broken simplex
        total = sum(v for v in values if v is not None)
        if abs(total - 1) <= 1e-6:
            return True
        self.err("E409", span, dist=spec.name, arg="probs",
                 constraint="a list of probabilities that sums to 1",
                 value=f"{print_expr(expr)}, which sum to {_number(total)}")
        return False

    def interval_order(self, spec: DistSpec, given: dict[str, ast.Expr],
                       spans: dict[str, Span], call: ast.Call) -> bool:
        """Refuse constant bounds out of order (``Uniform(2, 1)`` would draw 2 every time)."""
        low, high = (p.name for p in spec.params[:2])
        lo, hi = const_value(given[low]), const_value(given[high])
        if lo is None or hi is None or lo < hi:
            return True  # bounds read at run time are checked by the run (plan_checks)
        shown = _shown(given[high], hi) if high in spans else f"{_number(hi)} (its default)"
        self.err("E409", spans.get(high, call.span), dist=spec.name, arg=high,
                 constraint=f"greater than {low} ({_number(lo)})", value=shown)
        return False

    # -- nodes ------------------------------------------------------------------------
    _current: str = ""

    def nodes(self) -> dict[str, Node]:
        out = {name: self.node(name, decl) for name, decl in self.decls.items()}
        for decl in self.dups:
            self.node(decl.stmt.name, decl)  # type: ignore[union-attr]
        return out

    def node(self, name: str, decl: _Decl) -> Node:
        self._current = name
        s = decl.stmt
        reads: list[str] = []
        if isinstance(s, ast.Stochastic):
            d = self.dist(s.dist, decl.plate, reads, name)
            return Node(name, Kind.STOCHASTIC, decl.plate, dist=d, parents=_unique(reads),
                        span=s.span)
        if isinstance(s, ast.Deterministic):
            self.expr(s.expr, decl.plate, reads=reads)
            return Node(name, Kind.DETERMINISTIC, decl.plate, expr=s.expr,
                        parents=_unique(reads), span=s.span)
        assert isinstance(s, ast.DataDecl)
        if s.index_of is not None:
            if s.index_of not in self.plates:
                self.err("E204", s.span, name=s.index_of,
                         hint=suggest(s.index_of, self.plates)
                         or f"declare it first: `plate {s.index_of} {{ ... }}`")
            elif s.index_of == decl.plate:
                self.err("E603", s.span, detail=f"index column '{name}' points into "
                         f"its own plate '{decl.plate}'",
                         hint="an index column maps each unit to a unit of another "
                              "(group) plate")
        return Node(name, Kind.DATA, decl.plate, index_of=s.index_of, span=s.span)

    def cycles(self, nodes: dict[str, Node]) -> nx.DiGraph:
        """Report every cycle; return the dependency graph (without self-loops)."""
        g: nx.DiGraph = nx.DiGraph()
        g.add_nodes_from(nodes)
        g.add_edges_from((p, n.name) for n in nodes.values() for p in n.parents if p != n.name)
        for n in nodes.values():
            if n.name in n.parents:
                self.err("E300", n.span, cycle=f"{n.name} -> {n.name}")
        if nx.is_directed_acyclic_graph(g):
            return g
        seen: set[frozenset[str]] = set()
        for comp in nx.strongly_connected_components(g):
            if len(comp) < 2 or frozenset(comp) in seen:
                continue
            seen.add(frozenset(comp))
            cycle = [u for u, _ in nx.find_cycle(g.subgraph(comp))]
            first = min(cycle, key=lambda c: (nodes[c].span.line, nodes[c].span.column))
            k = cycle.index(first)
            cycle = cycle[k:] + cycle[:k]
            self.err("E300", nodes[first].span, cycle=" -> ".join([*cycle, first]))
        return g

    # -- interventions ----------------------------------------------------------------
    def interventions(self, ivs: Sequence[ast.Intervention], nodes: dict[str, Node],
                      seen: dict[str, Span]) -> list[InterventionDef]:
        out = []
        for iv in ivs:
            node = nodes.get(iv.name)
            if node is None:
                self.err("E600", iv.span, name=iv.name,
                         hint=suggest(iv.name, nodes, listing("variables", nodes)))
                continue
            if iv.name in seen:
                self.err("E601", iv.span, name=iv.name)
                continue
            seen[iv.name] = iv.span
            self._current = iv.name
            reads: list[str] = []
            if isinstance(iv, ast.SetValue):
                self.expr(iv.value, node.plate, reads=reads, self_name=iv.name)
                kind = "shift" if iv.name in reads else "set"
                value = literal_value(iv.value)
                if value is not None and node.dist is not None:
                    spec = DISTRIBUTIONS[node.dist.name]
                    words = _outside(spec, node.dist, value)
                    if words is not None:
                        self.err("E602", iv.span, name=iv.name, value=format_number(value),
                                 dist=node.dist.name, constraint=words)
                out.append(InterventionDef(iv.name, kind, expr=iv.value,
                                           reads=_unique(reads), span=iv.span))
            else:
                d = self.dist(iv.dist, node.plate, reads, iv.name)
                if iv.name in reads:
                    self.err("E603", iv.span, detail=f"a stochastic intervention on '{iv.name}' "
                             "cannot read its own value", hint="use a shift `x = f(x)` instead")
                if d is not None:
                    out.append(InterventionDef(iv.name, "dist", dist=d, reads=_unique(reads),
                                               span=iv.span))
        return out

    # -- queries ----------------------------------------------------------------------
    def query(self, q: ast.Query, nodes: dict[str, Node]) -> None:
        stack: list[object] = [q.expr]
        found = False
        while stack:
            e = stack.pop()
            match e:
                case ast.Expectation():
                    found = True
                    self.expectation(e, nodes)
                case ast.Name(id=n, span=sp) if n not in CONSTANTS:
                    self.err("E702", sp, detail=f"'{n}' outside E[...] in query '{q.name}'",
                             hint=f"a query combines expectations, e.g. E[{n} | do(...)]")
                case ast.Call(func=f, func_span=fs) if f not in FUNCTIONS:
                    self.err("E405", fs, name=f, hint=_unknown_function(f))
                case ast.ListExpr(span=sp) | ast.Index(span=sp):
                    self.err("E702", sp, detail="only numbers and E[...] may appear in a query",
                             hint=None)
                case _:
                    stack.extend(ast.children(e))
        if not found:
            self.err("E702", q.span, detail=f"query '{q.name}' has no expectation E[...]",
                     hint="write e.g. `query q = E[y | do(b = 0)]`")

    def expectation(self, e: ast.Expectation, nodes: dict[str, Node]) -> None:
        self._current = "E[...]"
        # the target may read unit-level nodes of any one plate; checked per plate below
        target_plates = set()
        for n in ast.names_in(e.target):
            if n.id in CONSTANTS:
                continue
            if n.id not in nodes:
                self.err("E200", n.span, name=n.id,
                         hint=suggest(n.id, nodes, listing("variables", nodes)))
            else:
                target_plates.add(nodes[n.id].plate)
        for node_ in _walk(e.target):
            if isinstance(node_, ast.Call) and node_.func not in FUNCTIONS:
                self.err("E405", node_.func_span, name=node_.func,
                         hint=_unknown_function(node_.func))
            if isinstance(node_, ast.Index | ast.ListExpr | ast.Expectation):
                self.err("E702", _span(node_), detail="E[...] takes node names and arithmetic",
                         hint=None)
        unit_plates = {p for p in target_plates if p is not None}
        if len(unit_plates) > 1:
            self.err("E702", e.span, detail="E[...] mixes nodes of plates "
                     + ", ".join(sorted(unit_plates)), hint="average one plate at a time")
        seen: dict[str, Span] = {}
        factual = 0
        for c in e.conditions:
            if isinstance(c, ast.DoCondition):
                self.interventions(c.interventions, nodes, seen)
            elif isinstance(c, ast.Factual):
                factual += 1
            else:
                node = nodes.get(c.name)
                if node is None:
                    self.err("E200", c.span, name=c.name,
                             hint=suggest(c.name, nodes, listing("variables", nodes)))
                    continue
                if node.kind is Kind.DETERMINISTIC:
                    self.err("E910", c.span, name=c.name,
                             why="its value is fixed by its parents, so it has no likelihood",
                             hint="condition on its stochastic parents, or make it stochastic "
                                  f"with noise: `{c.name} ~ Normal(expr, small_sd)`")
                self.expr(c.value, None, reads=[])
        if factual > 1:
            self.err("E702", e.span, detail="`factual` given twice", hint=None)
        if factual and not any(isinstance(c, ast.DoCondition) for c in e.conditions):
            self.err("E702", e.span, detail="a counterfactual needs an intervention",
                     hint="write `E[y | do(b = 0), factual]`")
        if factual and any(isinstance(c, ast.Observed) for c in e.conditions):
            self.err("E702", e.span, detail="`factual` conditions on the observed data already; "
                     "other conditions cannot be added", hint=None)


def _walk(e: object) -> list[object]:
    out, stack = [], [e]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(ast.children(n))
    return out


def _unique(xs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(xs))


def _span(e: object) -> Span:
    span = getattr(e, "span", None)
    return span if isinstance(span, Span) else NOWHERE


def _name_span(s: ast.Statement) -> Span:
    span = getattr(s, "name_span", None) or getattr(s, "span", None)
    return span if isinstance(span, Span) else NOWHERE


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


def _number(v: float) -> str:
    return format_number(v) if math.isfinite(v) else repr(v)


def _shown(e: ast.Expr, value: float) -> str:
    """Return a constant for a message: the literal, or the expression and its value."""
    if literal_value(e) is not None:
        return _number(value)
    return f"{print_expr(e)} = {_number(value)}"


def check_program(program: ast.Program, text: str = "") -> CheckedModel:
    """Check a parsed program and return the checked model.

    Raises
    ------
    DocalcError
        All problems of the file at once, sorted by position; the class is that of the first.

    """
    with gc_paused():
        return _check_program(program, text)


def _check_program(program: ast.Program, text: str) -> CheckedModel:
    c = _Checker(text, program.source)
    c.collect(program)
    nodes = c.nodes()
    graph = c.cycles(nodes)
    seen: dict[str, Span] = {}
    ivs: list[InterventionDef] = []
    queries: dict[str, QueryDef] = {}
    for stmt in program.statements:
        if isinstance(stmt, ast.Do):
            ivs.extend(c.interventions(stmt.interventions, nodes, seen))
        elif isinstance(stmt, ast.Query):
            if stmt.name in queries:
                c.err("E700", stmt.name_span, name=stmt.name, first=queries[stmt.name].span)
                continue
            c.query(stmt, nodes)
            queries[stmt.name] = QueryDef(stmt.name, stmt.expr, stmt.name_span)
    plates = tuple(PlateDef(p.name, p.size, p.name_span) for p in c.plates.values())
    raise_diagnostics(c.diags)
    model = CheckedModel(_topological(nodes, graph), plates, (), tuple(queries.values()),
                         program.source, text)
    model = model.with_interventions(ivs)
    _check_acyclic_after(model, text)
    return model


def check_interventions(model: CheckedModel, ivs: Sequence[ast.Intervention],
                        text: str = "") -> CheckedModel:
    """Check interventions against a model and return the model with them applied."""
    c = _Checker(text or model.text, model.source)
    for n in model.nodes:
        c.decls[n.name] = _Decl(ast.DataDecl(n.name, n.index_of, n.span, n.span), n.plate)
    for p in model.plates:
        c.plates[p.name] = ast.Plate(p.name, p.size, (), p.span, p.span)
    nodes = {n.name: n for n in model.nodes}
    new = c.interventions(ivs, nodes, {})
    raise_diagnostics(c.diags)
    out = model.with_interventions(new)
    _check_acyclic_after(out, text)
    return out


def _check_acyclic_after(model: CheckedModel, text: str) -> None:
    if not model.interventions:
        return  # the checks before this one found the model's own graph acyclic
    g = model.graph()
    # find_cycle alone restarts its search from every node: quadratic on large acyclic models
    if nx.is_directed_acyclic_graph(g):
        return
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    names = [u for u, _ in cycle]
    iv = next((i for i in model.interventions if i.name in names), None)
    raise_diagnostics([diagnostic("E300", iv.span if iv else None, source_text=text,
                                  cycle=" -> ".join([*names, names[0]]) + " (after do)")])


def _outside(spec: Any, dist: Any, value: float) -> str | None:
    """Return what the support requires if ``value`` is outside it, else None.

    An interval is checked when its bounds are constants (``Uniform(0, 1)``).
    """
    if not in_support(spec.support, value):
        return CONSTRAINTS[spec.support]
    if spec.support == "category":
        listed = dist.arg("probs") or dist.arg("logits")
        k = len(listed.items) if isinstance(listed, ast.ListExpr) else None
        return f"a category code from 0 to {k - 1}" if k is not None and value >= k else None
    lo, hi = interval_bounds(spec, dist)
    if lo is None or hi is None or lo <= value <= hi:
        return None
    return f"between {format_number(lo)} and {format_number(hi)}"


def interval_bounds(spec: Any, dist: Any) -> tuple[float | None, float | None]:
    """Return an interval support's bounds where they are constants, else None for each.

    Parameters
    ----------
    spec : DistSpec
        The distribution's entry (bounds are its first two parameters).
    dist : DistCall
        The node's distribution with its arguments (a missing one takes its default).
    """
    if spec.support != "interval":
        return None, None
    out = []
    for param in spec.params[:2]:
        expr = dist.arg(param.name)
        out.append(param.default if expr is None else const_value(expr))
    return out[0], out[1]


def _topological(nodes: dict[str, Node], g: nx.DiGraph) -> tuple[Node, ...]:
    order = {name: k for k, name in enumerate(nodes)}
    return tuple(nodes[n] for n in nx.lexicographical_topological_sort(g, key=order.__getitem__))
