"""The tests/bad/ corpus: every error kind with its full expected message."""

from __future__ import annotations

import inspect
import sys
import time
from pathlib import Path

import pytest

import docalc
from docalc.dsl import errors
from docalc.dsl.frontend import apply_intervention_text, check_file, check_text, parse_text
from docalc.dsl.parse.parser import MAX_CHARS

sys.path.insert(0, str(Path(__file__).parent))
import regen_golden

BAD = sorted(regen_golden.BAD.glob("*.scm"))

# every error kind the corpus must hold, by file name
REQUIRED = {
    "syntax_tilde_literal", "syntax_eof", "syntax_unexpected_char", "syntax_missing_operator",
    "syntax_trailing_operator", "syntax_reserved_word", "syntax_reserved_E",
    "syntax_unmatched_brace", "syntax_chained_comparison", "undefined_name",
    "duplicate_definition", "cycle", "unknown_distribution", "unknown_argument",
    "missing_argument", "repeated_argument", "too_many_arguments", "probs_and_logits",
    "literal_outside_support", "global_depends_on_unit", "unit_in_other_plate",
    "index_not_column", "index_wrong_plate", "nested_plates", "data_outside_plate",
    "do_unknown", "query_unknown", "query_deterministic_condition",
    "query_twice", "nested_parens", "long_sum", "sum_too_deep", "deep_unary", "several_errors",
    "double_underscore",
    # issue 12: non-finite numbers, distribution arguments as a whole, sizes, places, wording
    "nonfinite_constants", "nonfinite_do", "categorical_entries", "categorical_scalar_node",
    "categorical_empty", "plate_too_large", "plate_size_digits", "query_condition_reads_node",
    "query_conditioned_twice", "query_condition_outside_support", "syntax_number_underscore",
    "syntax_number_binary", "syntax_number_two_points", "syntax_reserved_argument",
    "reserved_function_name", "positional_after_keyword", "syntax_missing_comma",
    "lines_unicode_breaks", "do_index_column", "do_makes_parameter_invalid",
}


def test_corpus_covers_every_error_kind() -> None:
    assert {p.stem for p in BAD} >= REQUIRED
    for p in BAD:
        assert p.with_suffix(".expected").exists(), p


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_gives_expected_message(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text("utf-8")
    cls_name, message = expected.split("\n", 1)
    with pytest.raises(errors.DocalcError) as info:
        check_text(path.read_text("utf-8"), regen_golden.source_name(path))
    assert type(info.value).__name__ == cls_name
    assert isinstance(info.value, getattr(errors, cls_name))
    assert str(info.value) + "\n" == message
    # every message names its place and says what to do, except where the text is enough
    first = info.value.diagnostics[0]
    assert str(first.span).startswith(f"{regen_golden.source_name(path)}:")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_check_file_reports_the_path(path: Path) -> None:
    with pytest.raises(docalc.DocalcError) as info:
        check_file(path)
    assert str(path) in str(info.value)


def test_several_errors_are_sorted_by_position() -> None:
    with pytest.raises(errors.DocalcError) as info:
        check_text((regen_golden.BAD / "several_errors.scm").read_text("utf-8"))
    diags = info.value.diagnostics
    assert [d.code for d in diags] == ["E400", "E200", "E201", "E600"]
    assert [d.span.line for d in diags] == [2, 3, 4, 5]
    # the class is the first error's
    assert isinstance(info.value, errors.DocalcDistributionError)


def test_syntax_error_format_has_line_column_source_and_caret() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("a ~ Normal(0, 1)\ny ~ 3\n", "m.scm")
    assert str(info.value).splitlines()[:3] == [
        "m.scm:2:5: error: '~' must be followed by a distribution call",
        "    y ~ 3",
        "        ^",
    ]


def test_too_large_input_is_refused_quickly() -> None:
    text = "y = 1\n" * (MAX_CHARS // 6 + 1)
    start = time.perf_counter()
    with pytest.raises(errors.DocalcLimitError, match="input too large"):
        check_text(text)
    assert time.perf_counter() - start < 5


def test_maximal_flat_sum_is_refused_early() -> None:
    # a 1,000,000-character statement is stopped while it is read, not parsed whole first
    text = "y = " + "+".join(["1"] * ((MAX_CHARS - 10) // 2))
    start = time.perf_counter()
    with pytest.raises(errors.DocalcLimitError, match="statement too long") as info:
        check_text(text)
    assert time.perf_counter() - start < 10
    assert len(str(info.value)) < 1000  # the long line is cut around the caret


def test_sum_deeper_than_the_limit_points_at_its_start() -> None:
    text = "a ~ Normal(0, 1)\ny = " + " + ".join(["a"] * 150)
    with pytest.raises(errors.DocalcLimitError, match="nested too deeply") as info:
        check_text(text)
    span = info.value.diagnostics[0].span
    assert (span.line, span.column) == (2, 5)


def test_comments_do_not_count_as_nesting() -> None:
    model = check_text("# " + "(" * 500 + "\ny ~ Normal(0, 1)\n")
    assert model.names == ("y",)


def test_depth_just_under_the_limit_is_accepted() -> None:
    tree = parse_text("y = " + " + ".join(["1"] * 60))
    assert len(tree.statements) == 1


def test_too_many_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    from docalc.dsl.parse import lalr

    monkeypatch.setattr(lalr, "MAX_STATEMENTS", 50)
    text = "".join(f"a{k}=1\n" for k in range(51))
    with pytest.raises(errors.DocalcLimitError, match=r"too many statements: more than 50") \
            as info:
        check_text(text)
    # refused at the first statement past the limit, while the text is read
    assert info.value.diagnostics[0].span.line == 51
    check_text(text[: text.index("a50")])
    # a plate's statements count too
    plate = "plate i {\n" + "".join(f"b{k} ~ Normal(0, 1)\n" for k in range(50)) + "}\n"
    with pytest.raises(errors.DocalcLimitError, match="too many statements"):
        check_text(plate)


def test_do_text_errors() -> None:
    model = check_text("tau ~ HalfCauchy(5)\nplate i { y ~ Normal(0, tau) }")
    with pytest.raises(errors.DocalcInterventionError,
                       match=r"makes scale of y ~ Normal equal to -1, but scale must be positive"):
        apply_intervention_text(model, "tau = -1")
    with pytest.raises(errors.DocalcInterventionError, match="did you mean 'tau'"):
        apply_intervention_text(model, "tua = 1")
    with pytest.raises(errors.DocalcSyntaxError, match="<do>:1:"):
        apply_intervention_text(model, "tau = ")
    shifted = apply_intervention_text(model, "tau = 2 * tau")
    assert shifted.intervention("tau").kind == "shift"


def test_missing_file_is_a_docalc_error(tmp_path: Path) -> None:
    with pytest.raises(docalc.DocalcError, match="no such file"):
        check_file(tmp_path / "nope.scm")
    (tmp_path / "latin1.scm").write_bytes(b"y ~ Normal(0, 1) # caf\xe9\n")
    with pytest.raises(docalc.DocalcError, match="not UTF-8"):
        check_file(tmp_path / "latin1.scm")


def test_every_catalogue_entry_formats() -> None:
    # each constructor, given a value for each of its keywords, builds its own code
    for code, entry in errors.CATALOGUE.items():
        build = errors.CONSTRUCTORS[code]
        params = inspect.signature(build).parameters
        values = {name: 1 if p.annotation in ("int", "float") else
                  False if p.annotation == "bool" else None if "None" in str(p.annotation)
                  else "x" for name, p in params.items() if p.kind is p.KEYWORD_ONLY}
        exc = build(None, **values).error()
        assert isinstance(exc, entry.cls)
        assert isinstance(exc, docalc.DocalcError)
        assert exc.diagnostics[0].code == code
        assert str(exc) and "{" not in exc.message.replace("{ ", "")
