"""Checker stage 1: declarations (names, plates) and the name and plate rules of expressions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from docalc.dsl import ast
from docalc.dsl.check.folding import unfit_constants
from docalc.dsl.distributions import CONSTANTS, DISTRIBUTIONS, FUNCTIONS, RESERVED
from docalc.dsl.errors import (
    MAX_DIAGNOSTICS,
    Diagnostic,
    distributions,
    interventions,
    names,
    raise_diagnostics,
    syntax,
)
from docalc.dsl.errors.hints import listing, suggest
from docalc.dsl.parse import lalr
from docalc.dsl.printer import print_expr
from docalc.dsl.spans import NOWHERE, Span, source_line

#: The largest plate size written in the text: a run holds at least one 32-bit value per
#: unit for each node of the plate (400 MB per node at the limit), so a larger size is
#: refused before anything is allocated. Populations given as data are not bounded here.
MAX_PLATE_SIZE = 100_000_000


def unknown_function_hint(name: str) -> str:
    """Return a close function name, or the list of all of them."""
    return suggest(name, FUNCTIONS, listing("functions", FUNCTIONS, most=len(FUNCTIONS)))


def define_hint(name: str) -> str:
    """Return how to define an undefined name."""
    return f"define it, e.g. `{name} ~ Normal(0, 1)`, or check the spelling"


@dataclass
class Decl:
    """A declared node: its statement and plate (None: global)."""

    stmt: ast.Statement
    plate: str | None


@dataclass(frozen=True)
class Later:
    """A diagnostic whose hint is worked out only if it is among those shown.

    A "did you mean" searches every name of the model: for each of thousands of errors
    that would make checking quadratic, and an error keeps only MAX_DIAGNOSTICS of them.
    """

    span: Span
    code: str
    build: Callable[[], Diagnostic]


def _order(d: Diagnostic | Later) -> tuple[str, int, int, str]:
    sp = d.span or NOWHERE
    return (sp.source, sp.line, sp.column, d.code)


@dataclass
class Declarations:
    """The checker's state, its declaration pass and its expression checks."""

    text: str
    source: str
    diags: list[Diagnostic | Later] = field(default_factory=list)
    decls: dict[str, Decl] = field(default_factory=dict)
    plates: dict[str, ast.Plate] = field(default_factory=dict)
    dups: list[Decl] = field(default_factory=list)
    # the node being checked, named in "global node ... depends on" messages
    _current: str = ""
    # nodes that a do() statement of the file replaces (their queries' conditions are
    # checked against the new mechanism by the run)
    replaced: set[str] = field(default_factory=set)
    # each node's children, for the downstream checks of literal do() values (built once)
    _children: dict[str, list[str]] | None = None
    # (plate read, plate reading) -> the first index column that bridges them
    _bridges: dict[tuple[str, str], str] | None = None

    def err(self, d: Diagnostic) -> None:
        """Collect a diagnostic (with its source line)."""
        self.diags.append(d.with_source(self.text))

    def later(self, span: Span, code: str, build: Callable[[], Diagnostic]) -> None:
        """Collect a diagnostic built only if it is shown (see :class:`Later`).

        ``code`` is the code ``build`` makes, which orders diagnostics at one place.
        """
        self.diags.append(Later(span, code, build))

    def undefined(self, span: Span, name: str, choices: Callable[[], Iterable[str]],
                  otherwise: str | Callable[[], str]) -> None:
        """Report an undefined name, its "did you mean" searched only if it is shown.

        ``otherwise`` is the hint when no name is close (or what makes it: a listing of
        every node is as costly as the search).
        """
        def build() -> Diagnostic:
            other = otherwise if isinstance(otherwise, str) else otherwise()
            return names.undefined_name(span, name=name,
                                        suggestion=suggest(name, choices(), other))

        self.later(span, "E200", build)

    def finish(self) -> None:
        """Raise every problem found, the first MAX_DIAGNOSTICS built, the rest counted."""
        if not self.diags:
            return
        ordered = sorted(self.diags, key=_order)
        shown = [d if isinstance(d, Diagnostic) else d.build().with_source(self.text)
                 for d in ordered[:MAX_DIAGNOSTICS]]
        raise_diagnostics(shown, more=len(ordered) - len(shown))

    # -- declarations -----------------------------------------------------------------
    def collect(self, program: ast.Program) -> None:
        """Declare every plate and node of the program, reporting clashes."""
        # the parser stops a text past the limit while reading it; this is for programs
        # built as ASTs
        if len(program.statements) > lalr.MAX_STATEMENTS:
            first = program.statements[lalr.MAX_STATEMENTS]
            self.err(syntax.too_many_statements(span_of(first), limit=lalr.MAX_STATEMENTS))
            return
        for stmt in program.statements:
            if isinstance(stmt, ast.Plate):
                self.plate_decl(stmt)
                for inner in stmt.body:
                    if isinstance(inner, ast.Plate):
                        self.err(names.nested_plate(inner.span, name=inner.name))
                    elif isinstance(inner, ast.Do | ast.Query):
                        what = "do" if isinstance(inner, ast.Do) else "query"
                        self.err(names.statement_in_plate(inner.span, what=what,
                                                          plate=stmt.name))
                    else:
                        self.node_decl(inner, stmt.name)
            elif isinstance(stmt, ast.Stochastic | ast.Deterministic | ast.DataDecl):
                self.node_decl(stmt, None)
        for name, plate in self.plates.items():
            if name in self.decls:
                first = self.decls[name].stmt
                self.err(names.defined_twice(plate.name_span, name=name, first=_name_span(first)))

    def plate_decl(self, p: ast.Plate) -> None:
        """Declare a plate."""
        if p.name in self.plates:
            self.err(names.plate_defined_twice(p.name_span, name=p.name,
                                               first=self.plates[p.name].name_span))
            return
        if p.name in RESERVED:
            self.err(names.reserved_name(p.name_span, name=p.name, what="a plate"))
        if p.size is not None and p.size <= 0:
            self.err(names.bad_plate_size(p.span, size=p.size))
        elif p.size is not None and p.size > MAX_PLATE_SIZE:
            self.err(syntax.plate_too_large(p.name_span, name=p.name, size=p.size,
                                            limit=MAX_PLATE_SIZE))
        self.plates[p.name] = p

    def node_decl(self, s: ast.Statement, plate: str | None) -> None:
        """Declare a node of plate ``plate`` (None: global)."""
        assert isinstance(s, ast.Stochastic | ast.Deterministic | ast.DataDecl)
        if s.name in RESERVED:
            self.err(names.reserved_name(s.name_span, name=s.name, what="a node"))
            return
        if "__" in s.name:
            # internal sample sites are named `<node>__<role>`; a user name must not collide
            self.err(names.double_underscore(s.name_span, name=s.name,
                                             suggestion=re.sub("_{2,}", "_", s.name)))
        if s.name in self.decls:
            self.err(names.defined_twice(s.name_span, name=s.name,
                                         first=_name_span(self.decls[s.name].stmt)))
            # still checked (not kept), so that its own errors are reported in the same pass
            self.dups.append(Decl(s, plate))
            return
        if isinstance(s, ast.DataDecl) and plate is None:
            self.err(names.data_outside_plate(s.span, name=s.name))
        self.decls[s.name] = Decl(s, plate)

    # -- expressions ------------------------------------------------------------------
    def expr(self, e: ast.Expr, plate: str | None, *, reads: list[str],
             allow_list: bool = False, self_name: str | None = None) -> None:
        """Check names, calls and plate rules of an expression; append the nodes it reads."""
        self.constants(e)
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
                        self.err(distributions.distribution_in_expression(fs, dist=f))
                    elif f not in FUNCTIONS:
                        self.err(distributions.unknown_function(
                            fs, name=f, suggestion=unknown_function_hint(f)))
                    else:
                        lo, hi = FUNCTIONS[f]
                        if not lo <= len(args) <= hi:
                            self.err(distributions.function_arity(node.span, name=f,
                                                                  expected=lo, got=len(args)))
                        if kws:
                            self.err(distributions.function_keywords(kws[0].span, name=f))
                    subs = [*args, *(k.value for k in kws)]
                    stack.extend((a, False) for a in reversed(subs))
                case ast.ListExpr(items=items, span=sp):
                    if not lists_ok:
                        self.err(distributions.list_not_allowed(sp))
                    stack.extend((i, False) for i in reversed(items))
                case ast.Expectation(span=sp):
                    self.err(interventions.expectation_outside_query(sp))
                case ast.Num():
                    pass
                case _:
                    stack.extend((c, False) for c in reversed(ast.children(node)))

    def constants(self, e: object) -> None:
        """Refuse the constant parts of ``e`` that are not finite 32-bit numbers."""
        if isinstance(e, ast.Name):
            return  # most arguments: nothing to fold
        for part, value in sorted(unfit_constants(e), key=lambda f: span_of(f[0])):
            sp = span_of(part)
            self.err(distributions.constant_not_finite(sp, expr=self.written(sp, part),
                                                       value=value))

    def written(self, sp: Span, e: object) -> str:
        """Return the text of ``e`` as written (its span), else as the printer writes it."""
        line = source_line(self.text, sp.line) if sp.line == sp.end_line else None
        if line is not None and 0 < sp.column < sp.end_column <= len(line) + 1:
            return line[sp.column - 1:sp.end_column - 1]
        return print_expr(e)  # type: ignore[arg-type]

    def name_ref(self, n: str, sp: Span, plate: str | None, reads: list[str],
                 self_name: str | None) -> None:
        """Check a name read in plate ``plate``."""
        if n in CONSTANTS:
            return
        if n == self_name:
            reads.append(n)
            return
        decl = self.decls.get(n)
        if decl is None and n in FUNCTIONS:
            self.err(names.reserved_name(sp, name=n, what="a node", read=True))
            return
        if decl is None:
            self.undefined(sp, n, lambda: [*self.decls, *CONSTANTS], define_hint(n))
            return
        reads.append(n)
        self.plate_rule(n, decl.plate, sp, plate)

    def plate_rule(self, n: str, theirs: str | None, sp: Span, here: str | None) -> None:
        """Check that a node of plate ``theirs`` may be read in plate ``here``."""
        if theirs is None or theirs == here:
            return
        if here is None:
            self.err(names.global_reads_unit(sp, name=self._current, other=n, plate=theirs))
            return
        if self._bridges is None:  # once, not a scan of every node per error
            self._bridges = {}
            for d in self.decls.values():
                if isinstance(d.stmt, ast.DataDecl) and d.stmt.index_of and d.plate:
                    self._bridges.setdefault((d.stmt.index_of, d.plate), d.stmt.name)
        self.err(names.wrong_plate(sp, name=n, plate=theirs, here=here,
                                   index=self._bridges.get((theirs, here))))

    def index_ref(self, nm: ast.Name, idx: ast.Expr, plate: str | None, reads: list[str]) -> None:
        """Check ``name[index]`` read in plate ``plate``."""
        decl = self.decls.get(nm.id)
        if decl is None:
            self.undefined(nm.span, nm.id, lambda: self.decls, define_hint(nm.id))
            return
        if decl.plate is None:
            self.err(names.index_of_global(nm.span, name=nm.id))
            return
        if not isinstance(idx, ast.Name):
            self.err(names.not_an_index(span_of(idx), index=print_expr(idx), plate=decl.plate))
            return
        col = self.decls.get(idx.id)
        if col is None:
            self.undefined(idx.span, idx.id, lambda: self.decls, define_hint(idx.id))
            return
        if not (isinstance(col.stmt, ast.DataDecl) and col.stmt.index_of is not None):
            self.err(names.not_an_index(idx.span, index=idx.id, plate=decl.plate))
            return
        if col.stmt.index_of != decl.plate:
            self.err(names.index_of_other_plate(idx.span, index=idx.id,
                                                indexed=col.stmt.index_of, name=nm.id,
                                                plate=decl.plate))
            return
        if col.plate != plate:
            self.plate_rule(idx.id, col.plate, idx.span, plate)
            return
        reads.extend([nm.id, idx.id])


def span_of(e: object) -> Span:
    """Return the span of an AST node (NOWHERE for one without)."""
    span = getattr(e, "span", None)
    return span if isinstance(span, Span) else NOWHERE


def _name_span(s: ast.Statement) -> Span:
    span = getattr(s, "name_span", None) or getattr(s, "span", None)
    return span if isinstance(span, Span) else NOWHERE
