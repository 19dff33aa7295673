"""Regenerate the golden files: ``python tests/regen_golden.py``.

Writes, for every ``examples/<case>.scm``:

- ``tests/golden/ast/<case>.expected``: the canonical printer output of its AST;
- ``tests/golden/checked/<case>.expected``: ``CheckedModel.pretty()``;
- ``tests/golden/plan/<case>.expected``: the compiler's plan stage (``compiler.driver``):
  its inference plan given ``examples/<case>.csv`` where that exists, else its forward plan;

and for every ``tests/bad/<case>.scm``, ``tests/bad/<case>.expected``: the exception class on
the first line, then the full formatted error text. Spans are hidden in the golden files
(the printer and ``pretty()`` show none); in the bad corpus they are the point.

Review the diff (``git diff tests/golden tests/bad``) before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docalc.compiler.driver import plan_text
from docalc.dsl.errors import DocalcError
from docalc.dsl.frontend import check_text, parse_text
from docalc.dsl.printer import print_program

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden"
BAD = ROOT / "tests" / "bad"


def source_name(path: Path) -> str:
    """Return the name spans carry: relative to the repository, so output is portable."""
    return path.relative_to(ROOT).as_posix()


def golden_ast(path: Path) -> str:
    """Return the canonical text of an example's AST."""
    return print_program(parse_text(path.read_text(encoding="utf-8"), source_name(path)))


def golden_checked(path: Path) -> str:
    """Return the checked-model listing of an example."""
    return check_text(path.read_text(encoding="utf-8"), source_name(path)).pretty()


def golden_plan(path: Path) -> str:
    """Return the plan stage of an example, with its data where it has a table."""
    import pandas as pd

    table = path.with_suffix(".csv")
    data = pd.read_csv(table) if table.exists() else None
    checked = check_text(path.read_text(encoding="utf-8"), source_name(path))
    return plan_text(checked, data)


def bad_expected(path: Path) -> str:
    """Return the class and message a bad file must raise."""
    try:
        check_text(path.read_text(encoding="utf-8"), source_name(path))
    except DocalcError as exc:
        return f"{type(exc).__name__}\n{exc}\n"
    raise AssertionError(f"{path} raised no error")


def main() -> int:
    """Write every golden and expected file; print how many changed."""
    jobs = []
    for scm in sorted(EXAMPLES.glob("*.scm")):
        jobs.append((GOLDEN / "ast" / f"{scm.stem}.expected", golden_ast(scm)))
        jobs.append((GOLDEN / "checked" / f"{scm.stem}.expected", golden_checked(scm)))
        jobs.append((GOLDEN / "plan" / f"{scm.stem}.expected", golden_plan(scm)))
    for scm in sorted(BAD.glob("*.scm")):
        jobs.append((scm.with_suffix(".expected"), bad_expected(scm)))
    changed = 0
    for target, text in jobs:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed += 1
            print(f"wrote {target.relative_to(ROOT)}")
    print(f"{len(jobs)} files, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
