"""Property tests: no input makes the front end fail other than with a DocalcError."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import docalc
from docalc.dsl import ast
from docalc.dsl.frontend import check_text, parse_interventions, parse_text
from docalc.dsl.printer import print_expr, print_intervention, print_program

EXAMPLES = [p.read_text("utf-8") for p in sorted(Path("examples").glob("*.scm"))]
TOKENS = ["~", "=", "(", ")", "[", "]", "{", "}", ",", ";", "\n", "|", ":", "+", "-", "*",
          "/", "^", "**", "<", "==", "do", "data", "plate", "query", "E", "factual", "x",
          "Normal", "0", "1.5", "-1", "1e3", "#", " ", "y", "pi", "exp"]
# modest by default so the suite stays fast; DOCALC_FUZZ_EXAMPLES=5000 for a long run
FAST = settings(max_examples=int(os.environ.get("DOCALC_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(text: str) -> str:
    """Check text; return "ok" or the error's class name. Anything else propagates."""
    try:
        check_text(text)
    except docalc.DocalcError as exc:
        assert str(exc)  # it formats
        return type(exc).__name__
    return "ok"


@FAST
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    outcome(text)


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_random_token_soup(text: str) -> None:
    outcome(text)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "token"]))
        if action == "insert":
            text = text[:pos] + draw(st.characters()) + text[pos:]
        elif action == "delete":
            end = pos + draw(st.integers(1, 8))
            text = text[:pos] + text[end:]
        elif action == "replace":
            text = text[:pos] + draw(st.characters()) + text[pos + 1:]
        else:
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
    return text


@FAST
@given(mutated_example())
def test_mutated_examples(text: str) -> None:
    outcome(text)


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=20).map(" ".join))
def test_random_intervention_text(text: str) -> None:
    try:
        ivs = parse_interventions(text)
    except docalc.DocalcError:
        return
    # what parses prints back to text that parses to the same interventions
    assert parse_interventions(", ".join(print_intervention(i) for i in ivs)) == ivs


# -- well-formed expressions print and re-parse to the same tree ---------------------

NAMES = st.sampled_from(["a", "b", "theta", "x_1", "pi"])
NUMS = st.one_of(st.integers(0, 10**6).map(float),
                 st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
OPS = st.sampled_from(["+", "-", "*", "/", "^", "<", "<=", "==", "!=", ">", ">="])
FUNCS = st.sampled_from(["exp", "log", "sqrt", "where", "max", "f"])


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.Binary, OPS, children, children),
        st.builds(ast.Unary, st.sampled_from(["-", "+"]), children),
        st.builds(ast.Call, FUNCS, st.lists(children, max_size=3).map(tuple)),
        st.builds(ast.Index, NAMES.map(ast.Name), children),
    )


EXPRS = st.recursive(st.one_of(NAMES.map(ast.Name), NUMS.map(ast.Num)), _extend,
                     max_leaves=25)


@FAST
@given(EXPRS)
def test_expression_round_trip(e: ast.Expr) -> None:
    program = ast.Program((ast.Deterministic("y", e),))
    text = print_program(program)
    assert parse_text(text) == program, text


@FAST
@given(st.lists(st.tuples(st.sampled_from(["u", "v", "w"]), EXPRS), min_size=1, max_size=4),
       st.booleans())
def test_program_round_trip(defs: list[tuple[str, ast.Expr]], in_plate: bool) -> None:
    body = tuple(ast.Stochastic(n, ast.Call("Normal", (e, ast.Num(1.0)))) for n, e in defs)
    stmts: tuple[ast.Statement, ...] = (ast.Plate("i", None, body),) if in_plate else body
    q = ast.Query("q", ast.Binary("-", ast.Expectation(ast.Name("u"), (
        ast.DoCondition((ast.SetValue("v", defs[0][1]),)), ast.Factual())),
        ast.Expectation(ast.Name("u"), (ast.Observed("w", ast.Num(3.0)),))))
    program = ast.Program((*stmts, q))
    assert parse_text(print_program(program)) == program


def test_printer_parenthesises_where_needed() -> None:
    e = ast.Binary("-", ast.Name("a"), ast.Binary("-", ast.Name("b"), ast.Name("c")))
    assert print_expr(e) == "a - (b - c)"
    p = ast.Binary("^", ast.Unary("-", ast.Name("a")), ast.Name("b"))
    assert print_expr(p) == "(-a) ^ b"
    c = ast.Binary("<", ast.Binary("<", ast.Name("a"), ast.Name("b")), ast.Name("c"))
    assert print_expr(c) == "(a < b) < c"


# -- non-finite numbers and line breaks (issue 12) -------------------------------------------

NON_FINITE = ["1e999", "1/0", "0/0", "log(-1)", "sqrt(-2)", "2^1024", "exp(1000)", "7e38",
              "-(1e400)", "(1 - 1) / 0"]


@FAST
@given(st.sampled_from(NON_FINITE), st.sampled_from(["y = {c}", "y ~ Normal({c}, 1)",
                                                     "y ~ Normal(0, 1)\ndo(y = {c})",
                                                     "y ~ Normal(0, 1)\nquery q = E[y] + {c}",
                                                     "y ~ Normal(0, 1)\nz = y * ({c} + 1)"]))
def test_non_finite_constants_are_refused_where_written(const: str, template: str) -> None:
    text = template.format(c=const)
    try:
        check_text(text)
    except docalc.DocalcError as exc:
        d = next(d for d in exc.diagnostics if d.code == "E414")
        assert d.span is not None and d.line_text is not None
        # the caret is under the constant (or under the part of it that is not finite)
        written = d.line_text[d.span.column - 1:d.span.end_column - 1]
        assert written and written in text
        print_program(parse_text(text))  # the printer never raises on what parses
        return
    raise AssertionError(f"{text!r} was accepted")


BREAKS = st.sampled_from(["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])


STATEMENTS = ["a ~ Normal(0, 1)", "b = 2 * a", "plate i { c ~ Normal(b, 1) }", "# a comment",
              "", "d ~ HalfNormal(1)", "e = (a +\n  b)"]


@FAST
@given(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=6), BREAKS,
       st.integers(0, 5))
def test_python_only_line_breaks_never_move_an_error(lines: list[str], brk: str, k: int) -> None:
    # a character that str.splitlines() breaks at, in a comment, leaves errors where they are
    body = [line + f"  # {brk}" for line in lines]
    bad_line = min(k, len(body))
    body.insert(bad_line, "oops ~ Nromal(0, 1)")
    text = "\n".join(body) + "\n"
    try:
        check_text(text)
    except docalc.DocalcError as exc:
        found = [d for d in exc.diagnostics if d.code == "E400"]
        assert found and found[0].span is not None
        assert found[0].span.line == "\n".join(body[:bad_line]).count("\n") + 1 + bool(bad_line)
        assert found[0].line_text == "oops ~ Nromal(0, 1)"
        return
    raise AssertionError("the misspelt distribution was accepted")
