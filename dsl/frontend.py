"""The front-end driver: the stages from text to checked model, each printable."""

from __future__ import annotations

from pathlib import Path

from . import ast
from .checker import check_interventions, check_program
from .errors import DocalcError, diagnostic
from .ir import CheckedModel
from .parser import gc_paused, parse
from .spans import Span


def parse_text(text: str, source: str = "<string>") -> ast.Program:
    """Stage 1: text to AST (raises DocalcSyntaxError / DocalcLimitError)."""
    program: ast.Program = parse(text, source)
    return program


def check_text(text: str, source: str = "<string>") -> CheckedModel:
    """Stages 1 and 2: text to checked model (raises DocalcError with every problem)."""
    # one garbage-collector pause for both stages: re-enabling it in between triggers a
    # collection over everything the parse just built
    with gc_paused():
        return check_program(parse_text(text, source), text)


def read_source(path: str | Path) -> str:
    """Read a model file as UTF-8 (a byte-order mark is dropped), OS errors as DocalcError."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise _file_error(str(p), "no such file") from None
    except IsADirectoryError:
        raise _file_error(str(p), "is a directory, not a model file") from None
    except UnicodeDecodeError as exc:
        raise _file_error(str(p), f"is not UTF-8 text ({exc.reason} at byte {exc.start})") \
            from None
    except OSError as exc:
        raise _file_error(str(p), exc.strerror or "cannot be read") from None


def _file_error(path: str, why: str) -> DocalcError:
    d = diagnostic("E930", Span(0, 0, 0, 0, path), detail=why, hint=None)
    return d.kind([d])


def check_file(path: str | Path) -> CheckedModel:
    """Read and check a ``.scm`` file; spans carry its path."""
    return check_text(read_source(path), str(path))


def parse_interventions(text: str, source: str = "<do>") -> tuple[ast.Intervention, ...]:
    """Parse interventions given as text, e.g. ``"b = 5 * b, c = 0"``."""
    ivs: tuple[ast.Intervention, ...] = parse(text, source, start="do_args")
    return ivs


def apply_intervention_text(model: CheckedModel, text: str, source: str = "<do>") -> CheckedModel:
    """Check interventions written as text against a model and apply them."""
    return check_interventions(model, parse_interventions(text, source), text)
