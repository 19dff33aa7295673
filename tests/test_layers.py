"""The layers import one way: dsl/ -> compiler/ -> docalc/ and widgets/.

Every import statement of the layer folders is read with ``ast`` (also those inside
functions and ``TYPE_CHECKING`` blocks), so a lazy import cannot hide a wrong direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# what each layer must never import (prefixes of absolute module names)
FORBIDDEN = {
    "compiler": ("docalc.model", "docalc.fit", "docalc.interventions", "docalc.cli",
                 "docalc.widgets"),
    "dsl": ("jax", "jaxlib", "numpyro", "docalc.compiler", "docalc.widgets", "docalc.model",
            "docalc.fit", "docalc.cli"),
}

# relative imports inside a layer resolve to the layer's package
PACKAGE = {"compiler": "docalc.compiler", "dsl": "docalc.dsl", "widgets": "docalc.widgets"}


def imports(path: Path, package: str) -> list[tuple[int, str]]:
    """Return ``(line, absolute module name)`` for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
                # `from . import x` may import a module x of the package
                out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
            else:
                assert node.module is not None
                out += [(node.lineno, node.module)]
                out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def _hits(layer: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for line, mod in imports(path, PACKAGE[layer]):
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {mod}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downward(layer: str) -> None:
    assert _hits(layer) == []


def test_the_checker_catches_a_wrong_import(tmp_path: Path) -> None:
    f = tmp_path / "bad.py"
    f.write_text("def g():\n    from docalc.fit import Fit\n    from ..fit import Fit\n"
                 "    import jax.numpy\n")
    mods = [m for _, m in imports(f, "docalc.compiler")]
    assert "docalc.fit" in mods and "jax.numpy" in mods


def test_the_graph_description_lives_in_the_compiler() -> None:
    assert not (ROOT / "widgets" / "graphspec.py").exists()
    assert (ROOT / "compiler" / "graph" / "description.py").exists()
