"""README.md is true: its listing is the file it quotes, and its code runs as written.

The whole README (main command, printed table, Python and command-line sections) runs in a
base-install venv in ``.ci/run`` (``tests/readme_run.py base``); here, with the extras
installed, the Python section runs and then the widgets section after it.
"""

from __future__ import annotations

import os

import pytest
import readme_run
from conftest import ROOT


def test_every_block_of_the_readme_is_run_by_the_smoke_test() -> None:
    bs = readme_run.blocks((ROOT / "README.md").read_text())
    run = {"Two commands", "The language in one example", "Python", "Command line",
           "Notebooks and widgets"}
    assert {b.section for b in bs} <= run, "a README block that nothing runs"
    assert len(readme_run.in_section(bs, "Two commands")) == 3  # main, its table, tests
    readme_run.check_listing(bs)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::docalc.DocalcWarning")
def test_the_python_and_widgets_sections_run_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    bs = readme_run.blocks((ROOT / "README.md").read_text())
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    (python,) = readme_run.in_section(bs, "Python")
    readme_run.run_python(python, namespace)
    readme_run.check_widgets(bs, namespace, base=False)
    assert type(namespace["GraphView"]).__name__ != "module"
    assert os.getcwd() == str(ROOT)
