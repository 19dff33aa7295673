"""The front-end driver: the stages from text to checked model, each printable.

The stages, in order (``STAGES``): the text as read, the AST (Lark's LALR parse and the
builder, with a span on every node; printed back as canonical text) and the checked model
(the IR the compiler lowers; printed by ``CheckedModel.pretty``). ``check_text`` runs them
top to bottom; ``stage_texts`` runs them and prints each output, for ``docalc check
--stages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docalc.dsl import ast
from docalc.dsl.check.checker import check_interventions, check_program
from docalc.dsl.errors import files, syntax
from docalc.dsl.ir import CheckedModel
from docalc.dsl.parse.parser import MAX_CHARS, gc_paused, parse
from docalc.dsl.printer import print_program


def parse_text(text: str, source: str = "<string>") -> ast.Program:
    """Stage "ast": text to AST (raises DocalcSyntaxError / DocalcLimitError)."""
    program: ast.Program = parse(text, source)
    return program


@dataclass(frozen=True)
class Stage:
    """One front-end stage: its name, what it does, and how its output prints.

    Attributes
    ----------
    name : str
        The heading ``docalc check --stages`` prints.
    run : callable
        ``run(previous output, text, source)`` returns this stage's output.
    show : callable
        The output as text.
    """

    name: str
    run: Callable[[Any, str, str], Any]
    show: Callable[[Any], str]


STAGES: tuple[Stage, ...] = (
    Stage("text", lambda _, text, source: text, str),
    Stage("ast", lambda _, text, source: parse_text(text, source), print_program),
    Stage("checked IR", lambda program, text, source: check_program(program, text),
          CheckedModel.pretty),
)


def run_stages(text: str, source: str = "<string>") -> Iterator[tuple[Stage, Any]]:
    """Run the stages in order, yielding each with its output; the first error stops them."""
    value: Any = None
    for stage in STAGES:
        value = stage.run(value, text, source)
        yield stage, value


def check_text(text: str, source: str = "<string>") -> CheckedModel:
    """Run every stage: text to checked model (raises DocalcError with every problem)."""
    # one garbage-collector pause for all stages: re-enabling it in between triggers a
    # collection over everything the parse just built
    with gc_paused():
        *_, (_, model) = run_stages(text, source)
    checked: CheckedModel = model
    return checked


def stage_texts(text: str, source: str = "<string>") -> Iterator[tuple[str, str]]:
    """Yield each stage's name and printed output, as far as the stages get.

    Raises
    ------
    DocalcError
        From the first stage that fails, after the outputs of those before it.
    """
    for stage, value in run_stages(text, source):
        shown = stage.show(value)
        yield stage.name, shown if shown.endswith("\n") else shown + "\n"


def read_source(path: str | Path) -> str:
    """Read a model file as UTF-8 (a byte-order mark is dropped), OS errors as DocalcFileError.

    At most MAX_CHARS + 1 characters are read: a longer file is refused without reading the
    rest (``/dev/zero`` never ends), as is a regular file whose size says it is too large.

    Raises
    ------
    DocalcFileError
        A file that is missing, a folder, unreadable or not UTF-8.
    DocalcLimitError
        A file longer than MAX_CHARS characters.
    """
    p = Path(path)
    at = files.at_file(p)
    try:
        # more bytes than 4 per character cannot hold MAX_CHARS characters (the BOM aside)
        if p.is_file() and p.stat().st_size > 4 * MAX_CHARS + 3:
            raise syntax.file_too_large(at, limit=MAX_CHARS).error()
        with p.open(encoding="utf-8-sig") as f:
            text = f.read(MAX_CHARS + 1)
        if len(text) > MAX_CHARS:
            raise syntax.file_too_large(at, limit=MAX_CHARS).error()
        return text
    except FileNotFoundError:
        raise files.no_such_file(at).error() from None
    except IsADirectoryError:
        raise files.is_a_directory(at, what="model file").error() from None
    except UnicodeDecodeError as exc:
        raise files.not_utf8(at, reason=exc.reason, byte=exc.start).error() from None
    except OSError as exc:
        raise files.unreadable(at, why=exc.strerror or "cannot be read").error() from None


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
