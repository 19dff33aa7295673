"""Checker stage 2: distribution calls, their arguments and the constants given to them."""

from __future__ import annotations

from typing import Any

from docalc.dsl import ast
from docalc.dsl.check.exprs import Declarations, span_of
from docalc.dsl.check.folding import const_value, number_text, shown
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS, FUNCTIONS, DistSpec, in_support
from docalc.dsl.errors import distributions, syntax
from docalc.dsl.errors.hints import listing, suggest
from docalc.dsl.ir import DistCall
from docalc.dsl.printer import format_number, print_expr
from docalc.dsl.spans import NOWHERE, Span
from docalc.dsl.supports import representable


class Distributions(Declarations):
    """Checks of ``~ Dist(...)``: the distribution, its arguments, their constant values."""

    def dist(self, call: ast.Expr, plate: str | None, reads: list[str], node: str,
             self_name: str | None = None) -> DistCall | None:
        """Check a distribution call; return it checked, or None after an error."""
        if not isinstance(call, ast.Call):
            self.err(syntax.tilde_needs_call(span_of(call)))
            return None
        spec = DISTRIBUTIONS.get(call.func)
        if spec is None:
            if call.func in FUNCTIONS:
                self.err(distributions.function_as_distribution(call.func_span, name=call.func,
                                                                node=node))
            else:
                self.err(distributions.unknown_distribution(
                    call.func_span, name=call.func,
                    suggestion=suggest(call.func, DISTRIBUTIONS,
                                       listing("distributions", DISTRIBUTIONS))))
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
        """Match the arguments to the parameters; return them by name, or None after an error."""
        ok = True
        positional = [p for p in spec.params]
        # Distributions with exclusive parameters take the first of the group positionally.
        if spec.exclusive:
            positional = [p for p in spec.params if p.name != spec.exclusive[1]]
        params_text = ", ".join(
            p.name + (f" (or {', '.join(p.aliases)})" if p.aliases else "") for p in spec.params)
        given: dict[str, ast.Expr] = {}
        spans: dict[str, Span] = {}
        if call.kwargs and call.args and call.kwargs[0].span.line > 0:
            # the AST keeps the two apart, so the order is read off the spans
            first = call.kwargs[0]
            late = [a for a in call.args if span_of(a) > first.span]
            if late:
                self.err(distributions.positional_after_keyword(
                    span_of(late[0]), dist=spec.name, keyword=first.name))
                return None
        if len(call.args) > len(positional):
            self.err(distributions.too_many_positional(
                span_of(call.args[len(positional)]), dist=spec.name, n=len(positional),
                got=len(call.args), params=params_text))
            ok = False
        for p, a in zip(positional, call.args, strict=False):
            given[p.name] = a
            spans[p.name] = span_of(a)
        for kw in call.kwargs:
            found = spec.lookup(kw.name)
            if found is None:
                self.err(distributions.unknown_argument(kw.span, dist=spec.name, arg=kw.name,
                                                        params=params_text))
                ok = False
            elif found.name in given:
                self.err(distributions.argument_twice(kw.span, dist=spec.name, arg=kw.name))
                ok = False
            else:
                given[found.name] = kw.value
                spans[found.name] = kw.span
        if spec.exclusive:
            chosen = [n for n in spec.exclusive if n in given]
            if len(chosen) > 1:
                self.err(distributions.exclusive_arguments(
                    spans[chosen[1]], dist=spec.name, alternatives=" or ".join(spec.exclusive)))
                ok = False
            elif not chosen:
                self.err(distributions.missing_argument(
                    call.span, dist=spec.name, arg=" or ".join(spec.exclusive),
                    params=params_text))
                ok = False
        for p in spec.params:
            if p.name in spec.exclusive:
                continue
            if p.name not in given:
                if p.default is None:
                    self.err(distributions.missing_argument(call.span, dist=spec.name,
                                                            arg=p.name, params=params_text))
                    ok = False
                else:
                    given[p.name] = ast.Num(p.default, NOWHERE)
        for name, expr in given.items():
            param = spec.lookup(name)
            assert param is not None
            value = const_value(expr)
            # a constant that is not finite is refused on its own (Declarations.constants)
            if value is not None and representable(value) \
                    and not in_support(param.constraint, value):
                self.err(distributions.argument_outside_support(
                    spans.get(name, call.span), dist=spec.name, arg=name,
                    constraint=CONSTRAINTS[param.constraint], value=shown(expr, value)))
                ok = False
            if param.constraint == "simplex" and not isinstance(expr, ast.ListExpr):
                # every node holds one number per unit, so only a list written in the call
                # is a vector (NumPyro would raise on a scalar at run time)
                got = print_expr(expr)
                if isinstance(expr, ast.Name) and expr.id in self.decls:
                    got = f"'{got}', a node, which holds one number (not a list)"
                self.err(distributions.argument_outside_support(
                    spans.get(name, call.span), dist=spec.name, arg=name,
                    constraint="a list like [0.2, 0.3, 0.5]", value=got))
                ok = False
            elif param.constraint == "simplex" and name == "probs" \
                    and isinstance(expr, ast.ListExpr):
                ok = self.probabilities(spec, expr, spans.get(name, call.span)) and ok
        if ok and spec.support == "interval":
            ok = self.interval_order(spec, given, spans, call)
        return given if ok else None

    def probabilities(self, spec: DistSpec, expr: ast.ListExpr, span: Span) -> bool:
        """Refuse constant probabilities outside [0, 1], or that do not sum to 1.

        Each constant entry is checked on its own (``[1.5, -0.5]`` sums to 1), and the sum
        when all are constants (NumPyro would not renormalise).
        """
        values = [const_value(item) for item in expr.items]
        for item, v in zip(expr.items, values, strict=True):
            if v is not None and representable(v) and not in_support("unit_closed", v):
                self.err(distributions.argument_outside_support(
                    span_of(item), dist=spec.name, arg="probs",
                    constraint="a list of probabilities, each in [0, 1]",
                    value=f"{print_expr(expr)}, whose entry {shown(item, v)} is not"))
                return False
        if any(v is None or not representable(v) for v in values):
            return True  # read at run time (plan_checks counts a broken simplex), or refused
        total = sum(v for v in values if v is not None)
        if abs(total - 1) <= 1e-6:
            return True
        self.err(distributions.argument_outside_support(
            span, dist=spec.name, arg="probs",
            constraint="a list of probabilities that sums to 1",
            value=f"{print_expr(expr)}, which sum to {number_text(total)}"))
        return False

    def interval_order(self, spec: DistSpec, given: dict[str, ast.Expr],
                       spans: dict[str, Span], call: ast.Call) -> bool:
        """Refuse constant bounds out of order (``Uniform(2, 1)`` would draw 2 every time)."""
        low, high = (p.name for p in spec.params[:2])
        lo, hi = const_value(given[low]), const_value(given[high])
        if lo is None or hi is None or lo < hi or not representable(lo) \
                or not representable(hi):
            return True  # bounds read at run time are checked by the run (plan_checks)
        value = shown(given[high], hi) if high in spans else f"{number_text(hi)} (its default)"
        self.err(distributions.argument_outside_support(
            spans.get(high, call.span), dist=spec.name, arg=high,
            constraint=f"greater than {low} ({number_text(lo)})", value=value))
        return False


def outside(spec: Any, dist: Any, value: float) -> str | None:
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
