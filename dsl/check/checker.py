"""Checks over the AST, collecting every error of a file, and the checked model they build.

The checker's passes, one module each: declarations and the name and plate rules of
expressions (check_exprs.py), distribution calls and their constant arguments
(check_dists.py), interventions and queries (check_statements.py), constant folding
(folding.py); the nodes, cycles and the two entry points are here.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from docalc.dsl import ast
from docalc.dsl.check.dists import interval_bounds
from docalc.dsl.check.exprs import MAX_PLATE_SIZE, Decl
from docalc.dsl.check.folding import const_value, literal_value
from docalc.dsl.check.statements import Statements, unique
from docalc.dsl.distributions import RESERVED
from docalc.dsl.errors import interventions, names, raise_diagnostics
from docalc.dsl.errors.hints import listing, suggest
from docalc.dsl.ir import CheckedModel, InterventionDef, Kind, Node, PlateDef, QueryDef
from docalc.dsl.parse.lalr import MAX_STATEMENTS
from docalc.dsl.parse.parser import gc_paused
from docalc.dsl.spans import Span

__all__ = ["MAX_PLATE_SIZE", "MAX_STATEMENTS", "check_interventions", "check_program",
           "const_value", "interval_bounds", "listing", "literal_value", "suggest"]


class _Checker(Statements):
    """Every check, and the nodes and dependency graph they build."""

    def nodes(self) -> dict[str, Node]:
        out = {name: self.node(name, decl) for name, decl in self.decls.items()}
        for decl in self.dups:
            self.node(decl.stmt.name, decl)  # type: ignore[union-attr]
        return out

    def node(self, name: str, decl: Decl) -> Node:
        self._current = name
        s = decl.stmt
        reads: list[str] = []
        if isinstance(s, ast.Stochastic):
            d = self.dist(s.dist, decl.plate, reads, name)
            return Node(name, Kind.STOCHASTIC, decl.plate, dist=d, parents=unique(reads),
                        span=s.span)
        if isinstance(s, ast.Deterministic):
            self.expr(s.expr, decl.plate, reads=reads)
            return Node(name, Kind.DETERMINISTIC, decl.plate, expr=s.expr,
                        parents=unique(reads), span=s.span)
        assert isinstance(s, ast.DataDecl)
        if s.index_of is not None:
            if s.index_of not in self.plates:
                group = s.index_of
                self.later(s.span, "E204", lambda: names.undefined_plate(
                    s.span, name=group, suggestion=suggest(group, self.plates)
                    or f"declare it first: `plate {group} {{ ... }}`"))
            elif s.index_of == decl.plate:
                self.err(names.index_into_own_plate(s.span, name=name, plate=decl.plate))
        return Node(name, Kind.DATA, decl.plate, index_of=s.index_of, span=s.span)

    def cycles(self, nodes: dict[str, Node]) -> nx.DiGraph:
        """Report every cycle; return the dependency graph (without self-loops)."""
        g: nx.DiGraph = nx.DiGraph()
        g.add_nodes_from(nodes)
        g.add_edges_from((p, n.name) for n in nodes.values() for p in n.parents if p != n.name)
        for n in nodes.values():
            if n.name in n.parents:
                self.err(names.cycle(n.span, cycle=f"{n.name} -> {n.name}"))
        if nx.is_directed_acyclic_graph(g):
            return g
        seen: set[frozenset[str]] = set()
        for comp in nx.strongly_connected_components(g):
            if len(comp) < 2 or frozenset(comp) in seen:
                continue
            seen.add(frozenset(comp))
            # a graph of the component alone: a subgraph view would filter every node of
            # the model for each of thousands of small cycles
            h: nx.DiGraph = nx.DiGraph()
            h.add_edges_from((u, v) for u in comp for v in g.successors(u) if v in comp)
            cycle = [u for u, _ in nx.find_cycle(h)]
            first = min(cycle, key=lambda c: (nodes[c].span.line, nodes[c].span.column))
            k = cycle.index(first)
            cycle = cycle[k:] + cycle[:k]
            self.err(names.cycle(nodes[first].span, cycle=" -> ".join([*cycle, first])))
        return g


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
    c.replaced = {iv.name for stmt in program.statements if isinstance(stmt, ast.Do)
                  for iv in stmt.interventions}
    ivs: list[InterventionDef] = []
    queries: dict[str, QueryDef] = {}
    for stmt in program.statements:
        if isinstance(stmt, ast.Do):
            ivs.extend(c.interventions(stmt.interventions, nodes, seen))
        elif isinstance(stmt, ast.Query):
            if stmt.name in RESERVED:
                c.err(names.reserved_name(stmt.name_span, name=stmt.name, what="a query"))
            if stmt.name in queries:
                c.err(interventions.query_twice(stmt.name_span, name=stmt.name,
                                                first=queries[stmt.name].span))
                continue
            c.query(stmt, nodes)
            queries[stmt.name] = QueryDef(stmt.name, stmt.expr, stmt.name_span)
    plates = tuple(PlateDef(p.name, p.size, p.name_span) for p in c.plates.values())
    c.finish()
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
        c.decls[n.name] = Decl(ast.DataDecl(n.name, n.index_of, n.span, n.span), n.plate)
    for p in model.plates:
        c.plates[p.name] = ast.Plate(p.name, p.size, (), p.span, p.span)
    nodes = {n.name: n for n in model.nodes}
    new = c.interventions(ivs, nodes, {})
    c.finish()
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
    found = [u for u, _ in cycle]
    iv = next((i for i in model.interventions if i.name in found), None)
    d = names.cycle_after_do(iv.span if iv else None, cycle=" -> ".join([*found, found[0]]))
    raise_diagnostics([d.with_source(text)])


def _topological(nodes: dict[str, Node], g: nx.DiGraph) -> tuple[Node, ...]:
    order = {name: k for k, name in enumerate(nodes)}
    return tuple(nodes[n] for n in nx.lexicographical_topological_sort(g, key=order.__getitem__))
