"""Optional features used without their extra say what to install, in docalc's own error."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

# ipywidgets made unimportable, as in an environment without docalc[widgets]
WITHOUT_WIDGETS = """
import sys
sys.modules["ipywidgets"] = None
sys.modules["anywidget"] = None
import docalc
try:
    from docalc.widgets import {name}
except docalc.DocalcExtraError as exc:
    assert isinstance(exc, ImportError) and isinstance(exc, docalc.DocalcError)
    print(exc)
"""


@pytest.mark.parametrize(("name", "module"), [("GraphView", "anywidget"),
                                              ("EffectExplorer", "ipywidgets"),
                                              ("GraphWidget", "anywidget")])
def test_a_widget_without_the_widgets_extra_names_the_extra(name: str, module: str) -> None:
    out = subprocess.run([sys.executable, "-c", WITHOUT_WIDGETS.format(name=name)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    # (GraphView is the GraphWidget: the message may name either)
    assert f"needs the optional package '{module}'" in out.stdout
    assert "docalc.widgets.Graph" in out.stdout or f"docalc.widgets.{name}" in out.stdout
    assert 'hint: pip install "docalc[widgets]"' in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
