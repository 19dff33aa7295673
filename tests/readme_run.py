"""Run every command and code line of README.md as written, and check what it prints.

``python tests/readme_run.py base`` runs in a virtual environment with docalc's base install
only (``.ci/run``'s fresh-install smoke test): the main command (which installs docalc), its
printed table, the listing of ``examples/linear.scm``, every line of the Python section, every
line of the command-line section, and the widgets section's clear missing-extra error.
``python tests/readme_run.py full`` runs where the extras are installed and also runs the
widgets section. ``--update`` rewrites the README's printed table with what the main command
prints (after a change of seeded output). Standard library only: the base install has no
pytest.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Block:
    """A fenced code block: its section, info string, text and first line in the README."""

    section: str
    lang: str
    code: str
    line: int


def blocks(text: str) -> list[Block]:
    """Return every fenced block of ``text`` in order."""
    out: list[Block] = []
    section = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        m = re.match(r"^```(\w*)\s*$", line)
        if m:
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            out.append(Block(section, m.group(1), "\n".join(lines[i + 1:j]), i + 2))
            i = j
        i += 1
    return out


def in_section(bs: list[Block], section: str) -> list[Block]:
    """Return the blocks of one ``## `` section."""
    return [b for b in bs if b.section == section]


def commands(block: Block) -> list[tuple[int, str]]:
    """Return the block's command lines (comments after ``#`` dropped) with README lines."""
    out = []
    for k, raw in enumerate(block.code.splitlines()):
        cmd = re.sub(r"\s+#.*$", "", raw).strip()
        if cmd:
            out.append((block.line + k, cmd))
    return out


def _env() -> dict[str, str]:
    # the interpreter's folder first: the commands are those of this virtual environment
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _shell(cmd: str, cwd: Path, where: str) -> str:
    out = subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True,
                         env=_env(), timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"README.md:{where}: `{cmd}` exited with {out.returncode}\n"
                         f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out.stdout


def check_main(bs: list[Block], update: bool) -> None:
    """Run the main command and compare the table it prints with the README's."""
    two = in_section(bs, "Two commands")
    (line, main), = commands(two[0])
    printed = two[1]
    assert printed.lang == "", "the main command's output block comes right after it"
    got = _shell(main, ROOT, str(line)).rstrip("\n")
    want = printed.code
    shown = got[-len(want):] if len(got) >= len(want) else got
    if update:
        text = README.read_text()
        tail = "\n".join(got.splitlines()[-len(want.splitlines()):])
        README.write_text(text.replace(f"```\n{want}\n```", f"```\n{tail}\n```", 1))
        print(f"README.md:{printed.line}: printed output updated")
    elif shown != want:
        raise SystemExit(f"README.md:{printed.line}: the main command prints\n{got}\n"
                         f"but the README shows\n{want}")
    print(f"README.md:{line}: main command ok, its table matches")


def check_listing(bs: list[Block]) -> None:
    """The language section quotes examples/linear.scm whole."""
    (block,) = in_section(bs, "The language in one example")
    want = (ROOT / "examples" / "linear.scm").read_text().rstrip("\n")
    if block.code != want:
        raise SystemExit(f"README.md:{block.line}: the listing differs from examples/linear.scm")
    print(f"README.md:{block.line}: listing matches examples/linear.scm")


def run_python(block: Block, namespace: dict[str, object]) -> None:
    """Execute a Python block statement by statement; a failure names its README line."""
    tree = ast.parse(block.code)
    for stmt in tree.body:
        where = block.line + stmt.lineno - 1
        code = compile(ast.Module([stmt], []), f"README.md:{where}", "exec")
        try:
            exec(code, namespace)  # the README's own code, not user input
        except Exception as exc:
            raise SystemExit(f"README.md:{where}: {type(exc).__name__}: {exc}") from None
    print(f"README.md:{block.line}: {len(tree.body)} Python statements ok")


def check_cli(bs: list[Block]) -> None:
    """Run each command line in a scratch folder holding a copy of examples/."""
    (block,) = in_section(bs, "Command line")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "examples", Path(tmp) / "examples")
        for line, cmd in commands(block):
            _shell(cmd, Path(tmp), str(line))
            print(f"README.md:{line}: `{cmd}` ok")


def check_widgets(bs: list[Block], namespace: dict[str, object], base: bool) -> None:
    """Run the widgets section; with the base install, expect its missing-extra error."""
    (block,) = in_section(bs, "Notebooks and widgets")
    if not base:
        run_python(block, namespace)
        return
    import docalc

    try:
        run_python(block, namespace)
    except SystemExit as exc:
        if 'pip install "docalc[widgets]"' not in str(exc):
            raise
        # the error is docalc's own, a DocalcError and an ImportError at once
        assert issubclass(docalc.DocalcExtraError, docalc.DocalcError)
        print(f"README.md:{block.line}: without the extra: {str(exc).splitlines()[0]}")
        return
    raise SystemExit(f"README.md:{block.line}: the widgets ran without their extra")


def main(argv: list[str]) -> None:
    """Run the README in the mode ``argv[0]`` names (``base`` or ``full``)."""
    mode = argv[0] if argv else "full"
    update = "--update" in argv
    bs = blocks(README.read_text())
    os.chdir(ROOT)
    if "--rest" not in argv:
        check_main(bs, update)
        # the main command installed docalc: a new process sees it (this one's sys.path was
        # made before the install)
        rest = subprocess.run([sys.executable, __file__, mode, "--rest"], env=_env())
        raise SystemExit(rest.returncode)
    check_listing(bs)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    (python,) = in_section(bs, "Python")
    run_python(python, namespace)
    check_cli(bs)
    check_widgets(bs, namespace, base=mode == "base")
    print("README.md: every command and code line ran")


if __name__ == "__main__":
    main(sys.argv[1:])
