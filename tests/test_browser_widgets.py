"""The widgets in Voila, Notebook 7 and JupyterLab, driven by headless Chromium.

Voila and Notebook 7 open a small notebook showing ``GraphView`` on the Gear example:
the graph must render with the DOM contract (``data-node``, ``data-intervened``,
``data-role``, ``data-edge``, ``data-cut``), inside a 1400 px window with labels at 11 px
or more, and a click must intervene (a round trip through the kernel). JupyterLab runs an
``EffectExplorer`` on the tutorial's linear model: a click on a node adds a control, a
control change updates the plot's mean label, the remove button takes the control away.
The fit is stood in for by draws around the true coefficients (no NUTS run: a browser
test should not wait for a sampler). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser_graph import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    EXAMPLES,
    KERNEL_IDLE,
    RENDERED_FONT_SIZES,
    START_S,
    UPDATE_S,
    _free_port,
    _jupyterlab,
    _state,
    _wait_for,
)

RENDER_S = 300  # kernel start, docalc and JAX import, first compilation, first drawing

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

GRAPH = f"""\
import pandas as pd
import docalc
from docalc.widgets import GraphView

m = docalc.load({str(EXAMPLES / "gear.scm")!r}).observe(pd.read_csv({str(EXAMPLES / "gear.csv")!r}))
GraphView(m, do="gear = 1", roles={{"gear": "treatment", "sound": "outcome"}})
"""

EXPLORER = f"""\
import json, pathlib
import numpy as np
import docalc
from docalc.compiler.results.trees import dataset, tree
from docalc.fit import Fit
from docalc.widgets import EffectExplorer

model = docalc.load({str(EXAMPLES / "linear.scm")!r})
truth = {{"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}}
observed = model.observe(model.do(truth).simulate(n=100, seed=1)[["a", "b", "c", "y"]])
rng = np.random.default_rng(0)
draws = {{k: rng.normal(v, 0.03, (2, 200)) for k, v in truth.items()}}
draws["sigma_y"] = np.abs(draws["sigma_y"])
fit = Fit(observed, tree({{"posterior": dataset(observed.checked, draws, {{}})}}), observed._bound)
ex = EffectExplorer(fit, "y", {{"b": (-2, 2, 0.1)}}, baseline={{"b": 0}})
state = pathlib.Path("state.json")

def dump(change=None):
    state.write_text(json.dumps({{"values": ex.values, "do": ex.graph.do, "error": ex.error,
                                 "mean": ex.summary.get("mean")}}))

ex.observe(dump, names=["error"])
ex.graph.observe(dump, names=["do", "graph"])
dump()
ex
"""


def _requirements(module: str) -> str | None:
    if not Path(CHROMIUM).exists():
        return f"chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        __import__(module)
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install {module} playwright)"
    return None


def _skip_or_fail(reason: str) -> None:
    # CI sets DOCALC_REQUIRE_BROWSER: there a missing browser is a failure, not a skip
    (pytest.fail if os.environ.get("DOCALC_REQUIRE_BROWSER") else pytest.skip)(reason)


def _write_notebook(path: Path, *cells: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@contextlib.contextmanager
def _serve(args: list[str], root: Path, name: str) -> Iterator[str]:
    """Start a Jupyter server app in ``root`` (private config and settings); yield its URL."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    log = (ARTIFACTS / f"{name}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", *args, "--no-browser", f"--port={port}"],
                            cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url, timeout=5):
                    pass
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer means the server is up
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not answer in {START_S} s") from None
                time.sleep(0.5)
        yield url
    finally:
        # the server and the kernels it started share its process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        log.close()


def _check_graph(page: Any, shot: str) -> None:
    """Assert what a person sees of the Gear GraphView, then click a node and see it change."""
    gw = page.locator(".docalc-gw").first
    gw.wait_for(timeout=RENDER_S * 1000)
    factual = gw.locator("svg[data-view=factual]")
    intervened = gw.locator("svg[data-view=intervened]")
    intervened.locator("[data-node=gear][data-intervened=true]").wait_for()
    gw.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    for view in (factual, intervened):
        box = view.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400, box
        assert box["width"] > 150, box
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")
    sizes = page.evaluate(RENDERED_FONT_SIZES)
    assert sizes and min(sizes) >= 11, sizes
    assert intervened.locator("[data-edge='talent->gear'][data-cut=true]").count() == 1
    assert factual.locator("[data-edge='talent->gear']:not([data-cut])").count() == 1
    assert factual.locator("[data-node=gear][data-role=treatment]").count() == 1
    assert factual.locator("[data-node=sound][data-role=outcome]").count() == 1
    gw.locator(".gw-verdict [data-adjust=talent]").wait_for()
    # a click goes to the kernel and comes back as a redrawn graph
    intervened.locator("[data-node=talent]").click()
    page.wait_for_selector("svg[data-view=intervened] [data-node=talent][data-intervened=true]",
                           timeout=UPDATE_S * 1000)
    assert page.input_value(".docalc-gw input.gw-do").startswith("gear = 1, talent = ")
    page.screenshot(path=str(ARTIFACTS / f"{shot}-clicked.png"))


def _browser(p: Any) -> Any:
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def test_graph_view_in_voila(tmp_path: Path) -> None:
    reason = _requirements("voila")
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    _write_notebook(tmp_path / "graph.ipynb", GRAPH)
    args = ["voila", "graph.ipynb", "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True"]
    with _serve(args, tmp_path, "voila-graph") as url, sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UPDATE_S * 1000)
            page.goto(url, timeout=RENDER_S * 1000)
            _check_graph(page, "graph-voila")
        finally:
            browser.close()


def test_graph_view_in_notebook7(tmp_path: Path) -> None:
    reason = _requirements("notebook")
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    _write_notebook(tmp_path / "graph.ipynb", GRAPH)
    args = ["notebook", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
            "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={tmp_path}", "--JupyterNotebookApp.expose_app_in_browser=True",
            "--allow-root"]
    with _serve(args, tmp_path, "notebook7") as url, sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UPDATE_S * 1000)
            page.goto(url + "notebooks/graph.ipynb", timeout=RENDER_S * 1000)
            page.wait_for_function("() => window.jupyterapp && document.querySelector"
                                   "('.jp-Notebook')", timeout=RENDER_S * 1000)
            page.wait_for_function(KERNEL_IDLE, timeout=RENDER_S * 1000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            _check_graph(page, "graph-notebook7")
        finally:
            browser.close()


def test_effect_explorer_in_jupyterlab(tmp_path: Path) -> None:
    reason = _requirements("jupyterlab")
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    _write_notebook(tmp_path / "explorer.ipynb", EXPLORER)
    with _jupyterlab(tmp_path) as url, sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UPDATE_S * 1000)
            page.goto(url + "lab/tree/explorer.ipynb", timeout=RENDER_S * 1000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell"
                                   " && document.querySelector('.jp-Notebook')",
                                   timeout=RENDER_S * 1000)
            page.wait_for_function(KERNEL_IDLE, timeout=RENDER_S * 1000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
            ex = page.locator(".docalc-explorer").first
            ex.wait_for(timeout=RENDER_S * 1000)
            intervened = ex.locator(".docalc-gw svg[data-view=intervened]")
            intervened.locator("[data-node=b][data-intervened=true]").wait_for(
                timeout=RENDER_S * 1000)
            # opens away from the baseline b = 0: b = 1, and an effect near beta_by = 0.7
            assert _state(tmp_path)["values"] == {"b": 1.0}
            mean0 = ex.locator(".docalc-plot-mean").text_content()
            assert mean0 is not None and abs(float(mean0) - 0.7) < 0.1, mean0
            ex.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "explorer-lab-initial.png"))

            # the plot and both graph views inside the window; labels readable
            for part in (ex.locator(".docalc-plot svg"),
                         ex.locator(".docalc-gw svg[data-view=factual]"), intervened):
                box = part.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400, box
            out = page.locator(".jp-OutputArea-output").first
            assert out.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
            sizes = page.evaluate(RENDERED_FONT_SIZES)
            assert sizes and min(sizes) >= 11, sizes
            ticks = page.evaluate("""() => [...document.querySelectorAll(
                '.docalc-plot svg text')].map(t => parseFloat(getComputedStyle(t).fontSize)
                * t.getScreenCTM().a)""")
            assert ticks and min(ticks) >= 11, ticks

            # a click on c adds a control for it, in the page and in Python
            intervened.locator("[data-node=c]").click()
            page.wait_for_function("() => document.querySelectorAll("
                                   "'.docalc-explorer .docalc-control').length === 2")
            intervened.locator("[data-node=c][data-intervened=true]").wait_for()
            _wait_for(lambda: set(_state(tmp_path).get("values", {})) == {"b", "c"},
                      "Python's new control")
            page.screenshot(path=str(ARTIFACTS / "explorer-lab-clicked.png"))

            # a control change moves the plot: three steps of 0.1 from the keyboard
            mean1 = ex.locator(".docalc-plot-mean").text_content()
            handle = ex.locator(".docalc-control .noUi-handle").first
            handle.focus()
            for _ in range(3):
                handle.press("ArrowRight")
            page.wait_for_function(
                "m => document.querySelector('.docalc-explorer .docalc-plot-mean')"
                ".textContent !== m", arg=mean1)
            _wait_for(lambda: _state(tmp_path).get("values", {}).get("b") == 1.3,
                      "the slider's value in Python")
            page.wait_for_function("() => document.querySelector('.docalc-explorer "
                                   "svg[data-view=intervened] [data-node=b]')"
                                   ".textContent.includes('do(b = 1.3)')")
            page.screenshot(path=str(ARTIFACTS / "explorer-lab-moved.png"))

            # the remove button undoes the click
            ex.locator(".docalc-control").nth(1).locator(".docalc-remove").click()
            page.wait_for_function("() => document.querySelectorAll("
                                   "'.docalc-explorer .docalc-control').length === 1")
            _wait_for(lambda: _state(tmp_path).get("do") == "b = 1.3", "the released control")
            assert intervened.locator("[data-node=c][data-intervened]").count() == 0
        finally:
            browser.close()
