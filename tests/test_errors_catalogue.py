"""The error catalogue: typed constructors, strict templates, retired codes, docs/errors.md."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import docalc
from docalc.dsl import errors
from docalc.dsl.errors.docs import catalogue_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_docs_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "errors.md").read_text("utf-8")
    assert page == catalogue_markdown(), \
        "out of date: run `python -m docalc.dsl.errors.docs > docs/errors.md`"


def test_each_constructor_takes_exactly_its_template_values() -> None:
    for code, entry in errors.CATALOGUE.items():
        if entry.label:
            continue
        params = inspect.signature(errors.CONSTRUCTORS[code]).parameters
        assert next(iter(params)) == "span", code
        keywords = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY}
        # a constructor that works values out (a computed hint) returns them itself
        computes = inspect.signature(errors.CONSTRUCTORS[code]).return_annotation != "None"
        if not computes:
            assert keywords == entry.fields, code
        assert entry.about, f"{code} ({entry.constructor}) has no docstring"


def test_missing_or_unexpected_values_are_programming_errors() -> None:
    entry = errors.CATALOGUE["E200"]
    with pytest.raises(KeyError, match="suggestion"):
        entry.build(None, {"name": "x"})
    with pytest.raises(TypeError, match="colour"):
        entry.build(None, {"name": "x", "suggestion": "", "colour": 1})
    with pytest.raises(TypeError):
        errors.names.undefined_name(None, name="x")  # type: ignore[call-arg]


def test_an_empty_hint_value_means_no_hint() -> None:
    d = errors.names.undefined_name(None, name="x", suggestion="")
    assert d.hint is None and d.code == "E200"


def test_model_and_runtime_errors_are_distinct_classes() -> None:
    for entry in errors.CATALOGUE.values():
        model = issubclass(entry.cls, errors.DocalcModelError)
        runtime = issubclass(entry.cls, errors.DocalcRuntimeError)
        assert model != runtime, entry.code
    assert issubclass(docalc.DocalcDataError, docalc.DocalcRuntimeError)
    assert issubclass(docalc.DocalcSyntaxError, docalc.DocalcModelError)
    assert issubclass(docalc.DocalcExtraError, ImportError)


def test_codes_name_their_family() -> None:
    for code, entry in errors.CATALOGUE.items():
        assert re.fullmatch(r"E\d{3}", code), code
        if issubclass(entry.cls, errors.DocalcModelError):
            assert code[1] in "12345678", code
        elif entry.cls is errors.DocalcFileError:
            assert code[1] == "0", code
        else:
            assert code[1] == "9", code


def test_syntax_labels_at_the_end_of_input() -> None:
    d = errors.syntax.missing_paren(None, at_end=True)
    assert d.message == "unexpected end of input: missing ')'"
    assert errors.syntax.missing_paren(None).message == "missing ')'"


def test_retired_codes_are_gone_and_never_reused() -> None:
    # the free-text codes and their shims are gone; their numbers stay unused
    assert not hasattr(errors, "error") and not hasattr(errors, "diagnostic")
    assert not set(errors.RETIRED) & set(errors.CATALOGUE)
    with pytest.raises(ValueError, match="retired"):
        errors.catalogue.entry("E603", errors.DocalcInterventionError, "x")(lambda span: None)


def test_no_docalc_module_builds_a_free_text_code() -> None:
    # every diagnostic comes from a typed constructor: no code given by its number
    mine = [p for d in ("dsl", "compiler", "docalc", "widgets") for p in (ROOT / d).rglob("*.py")]
    assert len(mine) > 50
    for path in mine:
        text = path.read_text("utf-8")
        assert not re.search(r"\b(error|diagnostic|Diagnostic)\(\s*\"E\d", text), path
        assert "DocalcError(\"" not in text and "CLIError(" not in text, path
