"""ruff and mypy are part of the suite: the code stays clean as it changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"dsl": "dsl", "compiler": "compiler", "widgets": "widgets"}


def test_ruff_clean() -> None:
    # the interpreter's own ruff (a pinned test dependency), whether or not the venv is active
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "dsl", "compiler", "widgets",
                          "docalc", "tests", "bench", "examples"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _package_tree(tmp: Path) -> Path:
    """Lay the sources out as the installed package (docalc/dsl -> dsl/, ...)."""
    pkg = tmp / "docalc"
    pkg.mkdir()
    for f in (ROOT / "docalc").iterdir():
        if f.suffix == ".py":
            (pkg / f.name).symlink_to(f)
    for name, folder in LAYERS.items():
        (pkg / name).symlink_to(ROOT / folder, target_is_directory=True)
    return tmp


def test_mypy_clean(tmp_path: Path) -> None:
    tree = _package_tree(tmp_path)
    env = {**os.environ, "MYPYPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "docalc"],
        cwd=tree, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout[-5000:] + out.stderr[-2000:]


def test_dsl_does_not_import_jax() -> None:
    for path in (ROOT / "dsl").rglob("*.py"):
        text = path.read_text()
        assert "import jax" not in text and "from jax" not in text, path


def test_compiler_does_not_import_widgets() -> None:
    for path in (ROOT / "compiler").rglob("*.py"):
        assert "docalc.widgets" not in path.read_text(), path
