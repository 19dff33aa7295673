"""Every example notebook runs headless, top to bottom, and ends with its widget."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = ["linear", "forum", "gear", "aimz", "eight_schools"]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = [
    pytest.mark.slow,
    # the Jupyter client stack's own deprecations, not docalc's
    pytest.mark.filterwarnings("ignore::DeprecationWarning:zmq.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:nbclient.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:traitlets.*"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning:zmq.*"),
]


def test_every_workflow_has_a_notebook() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_ends_with_a_widget(name: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    last = code[-1].get("outputs", [])
    assert any(WIDGET_MIME in o.get("data", {}) for o in last), \
        f"{name}: the last cell shows no widget"
