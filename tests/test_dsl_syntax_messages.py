"""The example-driven syntax message catalogue: every example yields its own message."""

from __future__ import annotations

import pytest

from docalc.dsl import errors
from docalc.dsl.frontend import check_text
from docalc.dsl.parse.parser import parse
from docalc.dsl.parse.syntax_messages import BY_TOKEN, EXAMPLES, RESERVED_WORD

CASES = [(label, ex) for label, examples in EXAMPLES.items() for ex in examples]
# the same error after other statements, or inside a plate: LALR states differ there
PREFIXES = ["", "a ~ Normal(0, 1)\nb = a\n", "plate p {\n  q ~ Normal(0, 1)\n}\n", "a = 1; "]


@pytest.mark.parametrize("prefix", PREFIXES, ids=["first", "later", "after_plate", "semicolon"])
@pytest.mark.parametrize(("label", "example"), CASES, ids=[repr(ex) for _, ex in CASES])
def test_example_yields_its_own_message(label: errors.Label, example: str,
                                        prefix: str) -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        parse(prefix + example)
    (diag,) = info.value.diagnostics
    want = label(None)
    assert diag.code == want.code
    assert want.message in diag.message
    assert diag.hint == want.hint
    assert diag.span is not None and diag.span.line >= 1 + prefix.count("\n")


def test_labels_are_distinct_and_complete() -> None:
    assert len({label(None).message for label in EXAMPLES}) == len(EXAMPLES)
    assert RESERVED_WORD in EXAMPLES
    assert set(BY_TOKEN) <= set(EXAMPLES)


def test_end_of_input_points_after_the_last_character() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("x ~ Normal(0, 1)\ny = exp(x", "m.scm")
    (diag,) = info.value.diagnostics
    assert diag.code == "E106"  # missing ')', at the end of the input
    assert str(diag.span) == "m.scm:2:10"
    assert diag.message == "unexpected end of input: missing ')'"


def test_fallback_names_what_was_expected() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("y = a , b")
    (diag,) = info.value.diagnostics
    assert diag.message == "unexpected ','"
    assert diag.hint == "expected ';', a newline or end of input"


def test_unmatched_bracket_label_is_not_used_for_other_tokens() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("x = 1\ny = x , 2")
    assert "unmatched" not in info.value.message


def test_newlines_inside_brackets_continue_the_statement() -> None:
    model = check_text("a ~ Normal(0, 1)\ny ~ Normal(\n  a + 1,\n  2\n)\n")
    assert model.node("y").parents == ("a",)


def test_trailing_operator_does_not_continue_the_statement() -> None:
    with pytest.raises(errors.DocalcSyntaxError, match="expected an expression"):
        check_text("a ~ Normal(0, 1)\ny = a +\n  1\n")


def test_unexpected_character_message() -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        check_text("y ~ Normal(0, 1) @")
    assert info.value.message == "unexpected character '@'"
    assert info.value.diagnostics[0].span.column == 18


# errors told by the text around the token (issue 12), the same in every context
TOLD = [("y ~ Normal(data=1)", "E121"), ("y ~ Normal(plate=1)", "E121"),
        ("y ~ Normal(0 scale=1)", "E125"), ("do(b = 0 c = 1)", "E125"),
        ("y = 0x10", "E124"), ("y = 1_0", "E124"), ("y = 1..2", "E124"), ("y = 3.5.1", "E124"),
        ("y ~ Categorical([])", "E123"), ("y = a[]", "E108")]


@pytest.mark.parametrize("prefix", [*PREFIXES, "plate p {\n"],
                         ids=["first", "later", "after_plate", "semicolon", "in_plate"])
@pytest.mark.parametrize(("text", "code"), TOLD, ids=[t for t, _ in TOLD])
def test_errors_told_by_the_text(text: str, code: str, prefix: str) -> None:
    with pytest.raises(errors.DocalcSyntaxError) as info:
        parse(prefix + text)
    d = info.value.diagnostics[0]
    assert d.code == code
    assert d.span is not None and d.span.line == 1 + prefix.count("\n")
