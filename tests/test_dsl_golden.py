"""Golden files per stage for every example, and the printer round trip."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from docalc.dsl.frontend import check_text, parse_text
from docalc.dsl.printer import print_program

sys.path.insert(0, str(Path(__file__).parent))
import regen_golden

EXAMPLES = sorted(regen_golden.EXAMPLES.glob("*.scm"))
IDS = [p.stem for p in EXAMPLES]
REGEN = "out of date: run `python tests/regen_golden.py` and review the diff"


def test_every_example_has_golden_files() -> None:
    assert len(EXAMPLES) >= 7
    for stage in ("ast", "checked"):
        have = {p.stem for p in (regen_golden.GOLDEN / stage).glob("*.expected")}
        assert have == set(IDS), stage


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_ast_golden(path: Path) -> None:
    expected = (regen_golden.GOLDEN / "ast" / f"{path.stem}.expected").read_text("utf-8")
    assert regen_golden.golden_ast(path) == expected, REGEN


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_checked_golden(path: Path) -> None:
    expected = (regen_golden.GOLDEN / "checked" / f"{path.stem}.expected").read_text("utf-8")
    assert regen_golden.golden_checked(path) == expected, REGEN


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_print_parse_round_trip(path: Path) -> None:
    tree = parse_text(path.read_text("utf-8"))
    printed = print_program(tree)
    again = parse_text(printed)
    assert again == tree
    assert print_program(again) == printed  # the canonical form is a fixed point


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_checked_model_of_printed_text_is_the_same(path: Path) -> None:
    text = path.read_text("utf-8")
    assert check_text(print_program(parse_text(text))) == check_text(text)


def test_spans_point_at_the_source() -> None:
    text = "a ~ Normal(0, 1)\nplate i {\n  y = (a + 2) * 3\n}\n"
    tree = parse_text(text, "m.scm")
    plate = tree.statements[1]
    det = plate.body[0]
    assert (plate.span.line, plate.span.column, plate.span.end_line) == (2, 1, 4)
    assert str(det.name_span) == "m.scm:3:3"
    # the product's span covers the parenthesis it starts with
    assert (det.expr.span.column, det.expr.span.end_column) == (7, 18)
    assert (det.expr.left.span.column, det.expr.left.span.end_column) == (8, 13)


def test_spans_do_not_take_part_in_equality() -> None:
    assert parse_text("y = a+b") == parse_text("\n\n  y   =   a +  b  # c")
    assert parse_text("y = a + b") != parse_text("y = a - b")


def test_pretty_lists_nodes_in_topological_order() -> None:
    model = check_text("y ~ Normal(x, 1)\nx ~ Normal(0, 1)")
    assert model.names == ("x", "y")
    assert model.node("y").parents == ("x",)
    with pytest.raises(KeyError):
        model.node("z")
