"""Checker stage 3: interventions (``do``) and queries (``E[...]``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from docalc.dsl import ast
from docalc.dsl.check.dists import Distributions, outside
from docalc.dsl.check.downstream import children_of, downstream_problems
from docalc.dsl.check.exprs import span_of, unknown_function_hint
from docalc.dsl.check.folding import constant, literal_value
from docalc.dsl.distributions import CONSTANTS, DISTRIBUTIONS, FUNCTIONS, RESERVED, in_support
from docalc.dsl.errors import Diagnostic, distributions, interventions, names, runtime
from docalc.dsl.errors.hints import listing, suggest
from docalc.dsl.ir import InterventionDef, Kind, Node
from docalc.dsl.printer import format_number, print_expr, print_intervention
from docalc.dsl.spans import Span
from docalc.dsl.supports import representable


class Statements(Distributions):
    """Checks of ``do(...)`` interventions and of ``query`` statements."""

    def interventions(self, ivs: Sequence[ast.Intervention], nodes: dict[str, Node],
                      seen: dict[str, Span]) -> list[InterventionDef]:
        """Check interventions (``seen``: those of the same do) and return them checked.

        A value is not bounded by the node's old distribution (the intervention replaces
        it); literal values that make a downstream parameter an invalid constant are
        refused (dsl/check/downstream.py).
        """
        out = []
        checked: list[ast.Intervention] = []
        for iv in ivs:
            node = nodes.get(iv.name)
            if node is None and iv.name in RESERVED:
                self.err(names.reserved_name(iv.span, name=iv.name, what="a node"))
                continue
            if node is None:
                self.later(iv.span, "E600", partial(_do_undefined, iv, nodes))
                continue
            if iv.name in seen:
                self.err(interventions.do_twice(iv.span, name=iv.name))
                continue
            seen[iv.name] = iv.span
            self._current = iv.name
            reads: list[str] = []
            if isinstance(iv, ast.SetValue):
                self.expr(iv.value, node.plate, reads=reads, self_name=iv.name)
                kind = "shift" if iv.name in reads else "set"
                out.append(InterventionDef(iv.name, kind, expr=iv.value,
                                           reads=unique(reads), span=iv.span))
            else:
                d = self.dist(iv.dist, node.plate, reads, iv.name)
                if iv.name in reads:
                    self.err(interventions.stochastic_do_reads_itself(iv.span, name=iv.name))
                if d is not None:
                    out.append(InterventionDef(iv.name, "dist", dist=d, reads=unique(reads),
                                               span=iv.span))
            if node.index_of is not None:
                self.index_column(iv, node)
            checked.append(iv)
        if checked and self._children is None:
            self._children = children_of(nodes)
        for problem in downstream_problems(checked, nodes, self._children or {}):
            self.err(problem)
        return out

    def index_column(self, iv: ast.Intervention, node: Node) -> None:
        """Check a do() on an index column: a code of a unit of its group plate."""
        group = node.index_of
        assert group is not None
        plate = self.plates.get(group)
        size = plate.size if plate is not None else None
        codes = f"0..{size - 1}" if size else "0..K-1"
        value = literal_value(iv.value) if isinstance(iv, ast.SetValue) else None
        if value is None:
            self.err(interventions.do_index_expression(
                iv.span, intervention=print_intervention(iv), name=iv.name, plate=group,
                codes=codes))
        elif (representable(value) and not in_support("count", value)) \
                or (size is not None and value > size - 1):
            self.err(interventions.do_index_code(
                iv.span, name=iv.name, value=format_number(value), positions=None,
                plate=group, codes=codes))

    def query(self, q: ast.Query, nodes: dict[str, Node]) -> None:
        """Check a query statement."""
        self.constants(q.expr)
        stack: list[object] = [q.expr]
        found = False
        while stack:
            e = stack.pop()
            match e:
                case ast.Expectation():
                    found = True
                    self.expectation(e, nodes)
                case ast.Name(id=n, span=sp) if n not in CONSTANTS:
                    self.err(interventions.name_outside_expectation(sp, name=n, query=q.name))
                case ast.Call(func=f, func_span=fs) if f not in FUNCTIONS:
                    self.err(distributions.unknown_function(
                        fs, name=f, suggestion=unknown_function_hint(f)))
                case ast.ListExpr(span=sp) | ast.Index(span=sp):
                    self.err(interventions.query_term(sp))
                case _:
                    stack.extend(ast.children(e))
        if not found:
            self.err(interventions.query_without_expectation(q.span, name=q.name))

    def expectation(self, e: ast.Expectation, nodes: dict[str, Node]) -> None:
        """Check one ``E[target | conditions]``."""
        self._current = "E[...]"
        # the target may read unit-level nodes of any one plate; checked per plate below
        target_plates = set()
        self.constants(e.target)
        for n in ast.names_in(e.target):
            if n.id in CONSTANTS:
                continue
            if n.id not in nodes:
                self.undefined(n.span, n.id, lambda: nodes, partial(listing, "variables", nodes))
            else:
                target_plates.add(nodes[n.id].plate)
        for node_ in walk(e.target):
            if isinstance(node_, ast.Call) and node_.func not in FUNCTIONS:
                self.err(distributions.unknown_function(
                    node_.func_span, name=node_.func,
                    suggestion=unknown_function_hint(node_.func)))
            if isinstance(node_, ast.Index | ast.ListExpr | ast.Expectation):
                self.err(interventions.expectation_term(span_of(node_)))
        unit_plates = {p for p in target_plates if p is not None}
        if len(unit_plates) > 1:
            self.err(interventions.expectation_mixes_plates(
                e.span, plates=", ".join(sorted(unit_plates))))
        seen: dict[str, Span] = {}
        factual = 0
        set_here = {iv.name: iv for c in e.conditions if isinstance(c, ast.DoCondition)
                    for iv in c.interventions}
        observed: set[str] = set()
        for c in e.conditions:
            if isinstance(c, ast.DoCondition):
                self.interventions(c.interventions, nodes, seen)
            elif isinstance(c, ast.Factual):
                factual += 1
            elif c.name in observed:
                self.err(interventions.conditioned_twice(c.span, name=c.name))
            else:
                observed.add(c.name)
                self.condition(c, nodes, set_here.get(c.name))
        if factual > 1:
            self.err(interventions.factual_twice(e.span))
        if factual and not any(isinstance(c, ast.DoCondition) for c in e.conditions):
            self.err(interventions.counterfactual_needs_do(e.span))
        if factual and any(isinstance(c, ast.Observed) for c in e.conditions):
            self.err(interventions.factual_with_conditions(e.span))


    def condition(self, c: ast.Observed, nodes: dict[str, Node],
                  iv: ast.Intervention | None) -> None:
        """Check one condition ``x = v`` of an expectation (``iv``: a do() of the same E on x).

        Its value must be a number, inside the support of the node's mechanism when that is
        known here (not replaced by a do() statement of the file, whose order against the
        query the run decides).
        """
        node = nodes.get(c.name)
        if node is None and c.name in RESERVED:
            self.err(names.reserved_name(c.span, name=c.name, what="a node"))
            return
        if node is None:
            self.undefined(c.span, c.name, lambda: nodes, partial(listing, "variables", nodes))
            return
        if node.kind is Kind.DETERMINISTIC:
            self.err(runtime.condition_on_deterministic(c.span, name=c.name))
        if isinstance(iv, ast.SetValue):
            self.err(interventions.condition_on_intervened(
                c.span, name=c.name, intervention=print_intervention(iv)))
            return
        reads: list[str] = []
        self.expr(c.value, None, reads=reads)
        if reads:
            self.err(interventions.condition_not_constant(
                span_of(c.value), name=c.name, value=print_expr(c.value),
                reads=", ".join(f"'{r}'" for r in unique(reads))))
            return
        value = constant(c.value)
        dist = node.dist
        if iv is not None or c.name in self.replaced or dist is None or value is None \
                or not representable(value):
            # a new distribution (here or in a do() statement of the file) is the run's to
            # check; a data input has no support; a constant that is not finite is refused
            return
        words = outside(DISTRIBUTIONS[dist.name], dist, value)
        if words is not None:
            self.err(interventions.condition_outside_support(
                c.span, name=c.name, value=format_number(value), dist=str(dist),
                constraint=words))


def _do_undefined(iv: ast.Intervention, nodes: dict[str, Node]) -> Diagnostic:
    return interventions.do_undefined(iv.span, name=iv.name, suggestion=_variables(iv.name, nodes))


def _variables(name: str, nodes: dict[str, Node]) -> str:
    return suggest(name, nodes, listing("variables", nodes))


def walk(e: object) -> list[object]:
    """Return every node of an expression, the root first."""
    out, stack = [], [e]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(ast.children(n))
    return out


def unique(xs: Iterable[str]) -> tuple[str, ...]:
    """Return the names in first-seen order, once each."""
    return tuple(dict.fromkeys(xs))
