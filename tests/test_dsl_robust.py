"""Bad input of every class of issue 12 gets a DocalcError at its place, never a crash or hang.

The corpus in tests/bad/ holds one file per error with its full message; these tests cover
what a file cannot: interventions given as Python values and as text, files that never end,
thousands of errors in one file, and the corpus files that are now allowed (tests/allowed/).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from docalc.dsl import ast, errors
from docalc.dsl.frontend import (
    apply_intervention_text,
    check_file,
    check_text,
    parse_interventions,
    read_source,
)
from docalc.dsl.interventions import from_values
from docalc.dsl.parse.parser import MAX_CHARS
from docalc.dsl.printer import format_number, print_program
from docalc.dsl.spans import split_lines

ALLOWED = sorted((Path(__file__).parent / "allowed").glob("*.scm"))


# -- 9. interventions may leave the old mechanism's support ---------------------------------
@pytest.mark.parametrize("path", ALLOWED, ids=[p.stem for p in ALLOWED])
def test_do_outside_the_old_support_is_allowed(path: Path) -> None:
    # these were refused before issue 12: the old distribution does not bound a do() value
    model = check_file(path)
    assert model.interventions


def test_do_zero_on_a_lognormal_is_allowed_unless_a_parameter_breaks() -> None:
    model = check_text("z ~ LogNormal(0, 1)\ny ~ Normal(z, 1)\nw ~ Exponential(z + 1)\n")
    assert apply_intervention_text(model, "z = 0").intervention("z") is not None
    with pytest.raises(errors.DocalcInterventionError,
                       match="rate of w ~ Exponential equal to 0") as info:
        apply_intervention_text(model, "z = -1")
    assert info.value.diagnostics[0].code == "E625"
    # a value read through a deterministic node, and a Python number, are followed too
    chain = check_text("z ~ LogNormal(0, 1)\nd = 3 - z\nw ~ Poisson(d)\n")
    with pytest.raises(errors.DocalcInterventionError, match="rate of w ~ Poisson equal to -1"):
        from_values(chain, {"z": 4})
    # a value that reaches a parameter through a random node is the run's to check
    check_text("z ~ LogNormal(0, 1)\nv ~ Normal(z, 1)\nw ~ Exponential(v)\ndo(z = -5)\n")


# -- 1. non-finite numbers -------------------------------------------------------------------
@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan"), 1e39, 10**400,
                                   10**5000],
                         ids=["inf", "-inf", "nan", "1e39", "10^400", "10^5000"])
def test_non_finite_python_do_values_are_refused(value: float) -> None:
    model = check_text("b ~ Normal(0, 1)\ny ~ Normal(b, 1)\n")
    with pytest.raises(errors.DocalcInterventionError, match="not a finite number"):
        from_values(model, {"b": value})


@pytest.mark.parametrize("text", ["b = 1e999", "b = 1 / 0", "b = log(0) + 1", "b = 2 ^ 1024",
                                  "b = exp(89)"])
def test_non_finite_do_text_is_refused_where_written(text: str) -> None:
    model = check_text("b ~ Normal(0, 1)\ny ~ Normal(b, 1)\n")
    with pytest.raises(errors.DocalcDistributionError) as info:
        apply_intervention_text(model, text)
    d = info.value.diagnostics[0]
    assert d.code == "E414" and d.span is not None and (d.span.line, d.span.column) == (1, 5)


def test_the_printer_prints_any_number() -> None:
    assert format_number(math.inf) == "1e999" and format_number(-math.inf) == "-1e999"
    assert format_number(math.nan) == "nan"
    program = ast.Program((ast.Deterministic("y", ast.Num(math.inf)),))
    assert print_program(program) == "y = 1e999\n"


# -- 3. runaway sizes ------------------------------------------------------------------------
def test_a_file_that_never_ends_is_read_no_further() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(errors.DocalcLimitError, match="more than 1,000,000 characters"):
        read_source("/dev/zero")


def test_a_regular_file_too_large_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.scm"
    big.write_text("y = 1\n" * (MAX_CHARS // 6 + 1), "utf-8")
    with pytest.raises(errors.DocalcLimitError) as info:
        check_file(big)
    assert str(big) in str(info.value)


# -- 4. cost that grows with the number of errors --------------------------------------------
def test_thousands_of_errors_are_summarized_in_one_line() -> None:
    n = 3000
    text = "".join(f"node_{k} ~ Normal(missing_{k}, 1)\n" for k in range(n))
    with pytest.raises(errors.DocalcNameError) as info:
        check_text(text, "m.scm")
    err = info.value
    assert len(err.diagnostics) == errors.MAX_DIAGNOSTICS
    assert err.more == n - errors.MAX_DIAGNOSTICS
    out = str(err)
    assert out.splitlines()[-1] == f"... and {n - 100} more errors (only the first 100 are shown)"
    assert len(out) < 40_000  # 100 diagnostics of a few lines each, not megabytes
    # the ones shown are the first by position, each with its own "did you mean"
    assert [d.span.line for d in err.diagnostics] == list(range(1, 101))  # type: ignore[union-attr]
    assert err.diagnostics[0].hint is not None


def test_thousands_of_cycles_are_summarized() -> None:
    text = "".join(f"a{k} = b{k}\nb{k} = a{k}\n" for k in range(2000))
    with pytest.raises(errors.DocalcCycleError) as info:
        check_text(text)
    assert info.value.more == 1900
    assert str(info.value).endswith("... and 1900 more errors (only the first 100 are shown)")


def test_did_you_mean_among_many_names() -> None:
    text = "".join(f"weight_{k} ~ Normal(0, 1)\n" for k in range(2000)) + "y = weigth_1234\n"
    with pytest.raises(errors.DocalcNameError, match="did you mean 'weight_1234'"):
        check_text(text)


# -- 7. places and wording -------------------------------------------------------------------
@pytest.mark.parametrize("brk", ["\f", "\v", "\x1c", "\x85", "\u2028", "\u2029"])
def test_characters_that_split_lines_only_for_python_do_not_move_errors(brk: str) -> None:
    text = f"a ~ Normal(0, 1) # {brk} note\nb ~ Nromal(a, 1)\n"
    with pytest.raises(errors.DocalcDistributionError) as info:
        check_text(text, "m.scm")
    out = str(info.value)
    assert out.startswith("m.scm:2:5: error: unknown distribution 'Nromal'")
    assert out.splitlines()[1] == "    b ~ Nromal(a, 1)"


def test_a_lone_carriage_return_is_a_line_break() -> None:
    with pytest.raises(errors.DocalcDistributionError) as info:
        check_text("a ~ Normal(0, 1)\rb ~ Nromal(a, 1)\r", "m.scm")
    assert str(info.value).splitlines()[:2] == [
        "m.scm:2:5: error: unknown distribution 'Nromal'", "    b ~ Nromal(a, 1)"]
    assert split_lines("a\r\nb\rc\nd\fe") == ("a", "b", "c", "d\fe")


def test_a_control_character_in_the_caret_line_is_shown_as_a_space() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("y = 1 \v 2\n")
    lines = str(info.value).splitlines()
    assert lines[1] == "    y = 1   2" and lines[2] == "          ^"


@pytest.mark.parametrize(("text", "found"), [("b = 1; c = 2", "';'"),
                                             ("b = 1\nc = 2", "a line break")])
def test_do_text_separators(text: str, found: str) -> None:
    with pytest.raises(errors.DocalcSyntaxError,
                       match=f"interventions are separated by ',', not {found}"):
        parse_interventions(text)


def test_do_text_missing_comma_hints_at_comma() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        parse_interventions("b = 1 c ~ Normal(0, 1)")
    d = info.value.diagnostics[0]
    assert d.message == "missing ',' before 'c'"
    assert d.hint == "separate interventions with ',', e.g. `b = 0, c = 1`"
    assert parse_interventions("b = 1\n") == parse_interventions("b = 1")  # a text box's end

