"""The graph widget in JupyterLab, driven by headless Chromium as a person would use it.

A notebook shows ``GraphWidget`` on the Gear example with its data; the kernel writes the
widget's traits to ``state.json`` on every change, so the test sees what Python sees.
Measured with bounding boxes and computed styles at a 1400 px wide window: both views
inside the viewport, labels at 11 px or more, a click intervenes (DOM and Python), a drag
moves a node in both views, a role change shows the adjustment set, Python's ``do``
redraws the view, a bad text keeps the drawing, observed, latent, marginalized and partly
observed nodes are drawn apart. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
START_S = 120         # JupyterLab up and answering
RENDER_S = 240        # kernel start, docalc import, first drawing
UPDATE_S = 30         # one browser -> kernel -> browser round trip

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = f"""\
import json, pathlib
import pandas as pd
import docalc
from docalc.widgets.graphwidget import GraphWidget

m = docalc.load({str(EXAMPLES / "gear.scm")!r}).observe(pd.read_csv({str(EXAMPLES / "gear.csv")!r}))
w = GraphWidget(m)
state = pathlib.Path("state.json")

def dump(change=None):
    state.write_text(json.dumps({{"do": w.do, "roles": w.roles, "verdict": w.verdict,
                                 "intervened": list(w.intervened), "error": w.error}}))

w.observe(dump, names=["do", "roles", "verdict", "error", "graph"])
dump()
w
"""
FROM_PYTHON = 'w.do = "talent = 1"'
LINEAR = f"""\
GraphWidget(docalc.load({str(EXAMPLES / "linear.scm")!r}), do="b = a + 1")
"""
# the seed's question: Talent not measured (a marginalized latent), and 3 of the 16 sound
# cells imputed (the count missing="impute" reports)
MARKS = f"""\
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    naive = docalc.load({str(EXAMPLES / "gear.scm")!r}).observe(
        pd.read_csv({str(EXAMPLES / "gear.csv")!r})[["gear", "sound"]])
GraphWidget(naive, imputed={{"sound": (3, 16)}})
"""


def _requirements() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import jupyterlab  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install jupyterlab playwright)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(FROM_PYTHON),
                nbformat.v4.new_code_cell(LINEAR), nbformat.v4.new_code_cell(MARKS)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@contextlib.contextmanager
def _jupyterlab(root: Path) -> Iterator[str]:
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    # a private config, settings and workspace folder: nothing of the user's leaks in,
    # and the "receive news?" toast does not cover the widget
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    log = (ARTIFACTS / "jupyterlab.log").open("wb")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
           "--allow-root"]
    proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyterlab exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "api/status", timeout=5):
                    pass
                break
            except urllib.error.HTTPError:
                break  # any HTTP answer means the server is up
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"jupyterlab did not answer in {START_S} s") from None
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


def _wait_for(check: Callable[[], Any], what: str, timeout: float = UPDATE_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


def _state(root: Path) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
        return dict(json.loads((root / "state.json").read_text()))
    return {}


KERNEL_IDLE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return k && k.status === 'idle';
}"""

# the size a label is drawn at on screen: its font size times the SVG's scale
RENDERED_FONT_SIZES = """() => [...document.querySelectorAll('.docalc-gw [data-node] text')]
  .filter(t => t.getBBox().width > 0)
  .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_graph_widget_in_jupyterlab(tmp_path: Path) -> None:
    reason = _requirements()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    _notebook(tmp_path / "graph.ipynb")
    shots = ARTIFACTS
    with _jupyterlab(tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UPDATE_S * 1000)
            page.goto(url + "lab/tree/graph.ipynb", timeout=RENDER_S * 1000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell"
                                   " && document.querySelector('.jp-Notebook')",
                                   timeout=RENDER_S * 1000)
            page.wait_for_function(KERNEL_IDLE, timeout=RENDER_S * 1000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
            gw = page.locator(".docalc-gw").first
            gw.wait_for(timeout=RENDER_S * 1000)
            factual = gw.locator("svg[data-view=factual]")
            intervened = gw.locator("svg[data-view=intervened]")
            intervened.locator("[data-node=gear]").wait_for()
            gw.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "graph-lab-initial.png"))

            # both views inside the window and inside the output area: no horizontal scroll
            for view in (factual, intervened):
                box = view.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400
                assert box["width"] > 150, box
            assert factual.bounding_box()["y"] == pytest.approx(  # type: ignore[index]
                intervened.bounding_box()["y"], abs=2)  # type: ignore[index]  # side by side
            out = page.locator(".jp-OutputArea-output").first
            assert out.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
            sizes = page.evaluate(RENDERED_FONT_SIZES)
            assert sizes and min(sizes) >= 11, sizes
            # parameters are folded by default: the causal variables only
            names = factual.evaluate("s => [...s.querySelectorAll('[data-node]')]"
                                     ".map(n => n.dataset.node)")
            assert sorted(names) == ["gear", "sound", "talent"], names
            plate = factual.locator("[data-plate=player] text").text_content()
            assert plate == "player (16)"
            no_select = factual.evaluate("s => getComputedStyle(s).userSelect")
            assert no_select == "none"

            # a click intervenes: in the DOM, and in Python
            intervened.locator("[data-node=gear]").click()
            page.wait_for_selector("svg[data-view=intervened] [data-node=gear]"
                                   "[data-intervened=true]")
            _wait_for(lambda: _state(tmp_path).get("intervened") == ["gear"], "Python's do")
            assert _state(tmp_path)["do"] == "gear = 0"
            assert intervened.locator("[data-edge='talent->gear'][data-cut=true]").count() == 1
            assert factual.locator("[data-edge='talent->gear'][data-cut]").count() == 0
            page.screenshot(path=str(shots / "graph-lab-clicked.png"))

            # a drag moves the node, in both views, and selects no text
            node = intervened.locator("[data-node=talent]")
            before = node.bounding_box()
            before_f = factual.locator("[data-node=talent]").bounding_box()
            assert before is not None and before_f is not None
            cx, cy = before["x"] + before["width"] / 2, before["y"] + before["height"] / 2
            page.mouse.move(cx, cy)
            page.mouse.down()
            for k in range(1, 11):
                page.mouse.move(cx - 8 * k, cy + 3 * k)
            page.mouse.up()
            after = node.bounding_box()
            after_f = factual.locator("[data-node=talent]").bounding_box()
            assert after is not None and after_f is not None
            assert before["x"] - after["x"] > 40, (before, after)
            assert before_f["x"] - after_f["x"] > 40, (before_f, after_f)
            assert page.evaluate("() => String(window.getSelection())") == ""
            assert _state(tmp_path)["intervened"] == ["gear"]  # a drag is not a click

            # roles from the context menu: the verdict and the adjustment set appear
            intervened.locator("[data-node=gear]").click(button="right")
            page.locator(".gw-menu:not([hidden]) button[data-action='set as treatment']").click()
            page.wait_for_selector("[data-node=gear][data-role=treatment]")
            intervened.locator("[data-node=sound]").click(button="right")
            page.locator(".gw-menu:not([hidden]) button[data-action='set as outcome']").click()
            page.wait_for_selector(".gw-verdict [data-adjust=talent]")
            assert factual.locator("[data-node=talent][data-role=adjust]").count() == 1
            assert "identifiable" in page.inner_text(".gw-verdict")
            verdict = _wait_for(lambda: _state(tmp_path).get("verdict"), "Python's verdict")
            assert verdict["highlight"] == ["talent"] and verdict["criterion"] == "backdoor"
            assert _state(tmp_path)["roles"] == {"gear": "treatment", "sound": "outcome"}
            gw.screenshot(path=str(shots / "graph-lab-roles.png"))

            # the value box edits the intervention; Enter applies
            value = gw.locator(".gw-iv[data-iv=gear] input")
            value.fill("1")
            value.press("Enter")
            _wait_for(lambda: _state(tmp_path).get("do") == "gear = 1", "the edited value")
            page.wait_for_function("() => document.querySelector('.docalc-gw "
                                   "svg[data-view=intervened] [data-node=gear]')"
                                   ".textContent.includes('do(gear = 1)')")

            # the wheel zooms both views alike (one layout, one view box)
            w0 = intervened.locator("[data-node=sound]").bounding_box()["width"]  # type: ignore[index]
            f0 = factual.locator("[data-node=sound]").bounding_box()["width"]  # type: ignore[index]
            box = intervened.bounding_box()
            assert box is not None
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.wheel(0, -300)
            w1 = intervened.locator("[data-node=sound]").bounding_box()["width"]  # type: ignore[index]
            f1 = factual.locator("[data-node=sound]").bounding_box()["width"]  # type: ignore[index]
            assert w1 > 1.15 * w0 and f1 == pytest.approx(w1 * f0 / w0, rel=0.02)
            gw.locator("button.gw-fit").click()

            # Python sets do: the view follows, as after a click
            page.evaluate("""() => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                nb.activeCellIndex = 1;
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""")
            page.wait_for_selector("svg[data-view=intervened] [data-node=talent]"
                                   "[data-intervened=true]")
            assert intervened.locator("[data-node=gear][data-intervened]").count() == 0
            assert page.input_value(".docalc-gw input.gw-do") == "talent = 1"

            # a bad text: the error (with its caret) beside the last good drawing
            box = page.locator(".docalc-gw input.gw-do")
            box.fill("talent = = 1")
            box.press("Enter")
            page.wait_for_selector(".docalc-gw .gw-error:not([hidden])")
            assert "^" in page.inner_text(".docalc-gw .gw-error")
            assert intervened.locator("[data-node=talent][data-intervened=true]").count() == 1
            gw.screenshot(path=str(shots / "graph-lab-error.png"))

            # the switch unfolds the parameters, still inside the window
            page.locator(".docalc-gw input.gw-params").check()
            factual.locator("[data-node=p_talent]").wait_for()
            for view in (factual, intervened):
                box2 = view.bounding_box()
                assert box2 is not None and box2["x"] + box2["width"] <= 1400
            gw.screenshot(path=str(shots / "graph-lab-parameters.png"))
            print("rendered label sizes with parameters shown:",
                  sorted(set(page.evaluate(RENDERED_FONT_SIZES))))

            # an intervention that reads another node adds a dashed edge, only where it acts
            page.evaluate("""() => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                nb.activeCellIndex = 2;
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""")
            lin = page.locator(".docalc-gw").nth(1)
            added = lin.locator("svg[data-view=intervened] [data-edge='a->b'][data-added=true]")
            added.wait_for(state="attached", timeout=RENDER_S * 1000)
            assert added.evaluate("e => getComputedStyle(e).strokeDasharray") != "none"
            assert lin.locator("svg[data-view=factual] [data-edge='a->b']").count() == 0
            lin.scroll_into_view_if_needed()
            lin.screenshot(path=str(shots / "graph-lab-linear.png"))

            # what a fit makes of each node: observed filled, latent unfilled, the latent
            # Bernoulli dashed (marginalized), the imputed column half filled; a legend
            page.evaluate("""() => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                nb.activeCellIndex = 3;
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""")
            marks = page.locator(".docalc-gw").nth(2)
            view = marks.locator("svg[data-view=factual]")
            view.locator("[data-node=talent]").wait_for(timeout=RENDER_S * 1000)
            shape = "e => getComputedStyle(e.querySelector('.gw-shape'))"
            status = {n: view.locator(f"[data-node={n}]").get_attribute("data-status")
                      for n in ("talent", "gear", "sound")}
            assert status == {"talent": "marginalized", "gear": "observed",
                              "sound": "partly observed"}, status
            assert view.locator("[data-node=gear]").evaluate(shape + ".fill") == \
                "rgb(191, 191, 191)"
            assert view.locator("[data-node=talent]").evaluate(shape + ".fill") == \
                "rgb(255, 255, 255)"
            assert view.locator("[data-node=talent]").evaluate(shape + ".strokeDasharray") \
                not in ("none", "")
            assert "url(" in view.locator("[data-node=sound]").evaluate(shape + ".fill")
            assert "3/16 imputed" in view.locator("[data-node=sound]").text_content()
            assert "marginalized" in view.locator("[data-node=talent] title").text_content()
            legend = marks.locator(".gw-legend [data-legend]").evaluate_all(
                "els => els.map(e => e.dataset.legend)")
            assert legend == ["observed", "partly observed", "latent", "marginalized"], legend
            marks.scroll_into_view_if_needed()
            marks.screenshot(path=str(shots / "graph-lab-marks.png"))
            # do(talent = 1) fixes the latent in the intervened view only
            done = marks.locator("svg[data-view=intervened]")
            done.locator("[data-node=talent]").click()
            done.locator("[data-node=talent][data-intervened=true]").wait_for()
            assert done.locator("[data-node=talent]").get_attribute("data-status") is None
            assert view.locator("[data-node=talent]").get_attribute("data-status") == \
                "marginalized"
            marks.screenshot(path=str(shots / "graph-lab-marks-do.png"))
        finally:
            browser.close()
