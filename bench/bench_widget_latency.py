"""Click-to-intervene latency of the EffectExplorer, kernel side and in the browser.

The tutorial's linear model (``examples/linear.scm``) fitted with NUTS, 4 chains x 1,000
draws, on 1,000 simulated units (``--prior`` stands prior draws in for the posterior, as
``bench/widgets_latency.py`` does: latency does not depend on the values). Kernel side,
each figure is the time from the message a click sends (``graph.set_state({"do": ...})``,
what ipywidgets calls for a comm message) to the new effect, plot and graph payload, JSON
encoded as the comm would send it:

- a click on a node whose set of intervened nodes is new (one compilation);
- a click whose set was seen before (the cached compiled function: the target);
- a second click (undo), and a slider move (a new value: no re-trace).

``--browser`` also runs the explorer in JupyterLab in headless Chromium and times the round
trip in the page: from the pointer or key event to the redrawn node, control or mean label.

Run: ``python bench/bench_widget_latency.py [--prior] [--reps 20] [--browser]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_UNITS, CHAINS, DRAWS = 1000, 4, 1000
TRUTH = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}


def make_fit(prior: bool = False) -> Any:
    """Fit the tutorial model on 1,000 simulated units (4 x 1,000 draws)."""
    if prior:
        sys.path.insert(0, str(ROOT / "bench"))
        from widgets_latency import fake_fit

        return fake_fit()
    import docalc as dc

    model = dc.load(ROOT / "examples" / "linear.scm")
    sim = model.do(TRUTH).simulate(n=N_UNITS, seed=1)[["a", "b", "c", "y"]]
    return model.observe(sim).fit(chains=CHAINS, tune=1000, draws=DRAWS, seed=2)


def kernel(fit: Any, reps: int) -> dict[str, list[float]]:
    """Time clicks and moves in the kernel; return milliseconds per kind of event."""
    from docalc.compiler.run.inference import TRACES
    from docalc.widgets import EffectExplorer

    ex = EffectExplorer(fit, "y", {"b": (-2, 2, 0.1)}, baseline={"b": 0})

    def send(do: str) -> float:
        t0 = time.perf_counter()
        ex.graph.set_state({"do": do})
        json.dumps(ex.graph.graph)  # what the comm sends back to the browser
        json.dumps(ex.plot.value)
        return (time.perf_counter() - t0) * 1e3

    out: dict[str, list[float]] = {"click, new set (compiles)": [send("b = 1, c = 0.1")]}
    out["undo click"] = [send("b = 1")]
    traces = dict(TRACES)
    on, off = [], []
    for k in range(reps):
        on.append(send(f"b = 1, c = {0.1 + 0.1 * (k % 5):.1f}"))
        off.append(send("b = 1"))
    out["click, cached set"], out["undo click (cached)"] = on, off
    moves, parts = [], []
    for k in range(reps):
        t0 = time.perf_counter()
        ex.controls["b"].value = round(-2 + 0.1 * (k % 40), 1)
        json.dumps(ex.graph.graph)
        moves.append((time.perf_counter() - t0) * 1e3)
        parts.append(ex.timings)
    out["slider move"] = moves
    for key in ("compute", "plot", "graph"):
        out[f"  of which {key}"] = [t[key] for t in parts]
    assert traces == TRACES, "a cached click or a move re-traced"
    return out


NOTEBOOK = """\
import sys
sys.path.insert(0, {bench!r})
from bench_widget_latency import make_fit
from docalc.widgets import EffectExplorer
fit = make_fit(prior={prior!r})
ex = EffectExplorer(fit, "y", {{"b": (-2, 2, 0.1)}}, baseline={{"b": 0}})
ex
"""

# records when a pointer or key event starts, and when a selector first matches after it
PROBE = """() => {
  window.__t = {};
  document.addEventListener('pointerdown', () => { window.__t.start = performance.now(); }, true);
  document.addEventListener('keydown', () => { window.__t.start = performance.now(); }, true);
}"""
# conditions [name, selector, text]: when each selector first matches with a text other
# than ``text`` (null: any), after the action
WATCH = """(conds) => {
  window.__seen = {};
  const obs = new MutationObserver(() => {
    for (const [name, sel, text] of conds) {
      if (window.__seen[name]) continue;
      const e = document.querySelector(sel);
      if (e && (text === null || e.textContent !== text)) window.__seen[name] = performance.now();
    }
    if (Object.keys(window.__seen).length === conds.length) obs.disconnect();
  });
  obs.observe(document.body, {subtree: true, childList: true, attributes: true,
                              characterData: true});
}"""


def browser(prior: bool, reps: int) -> dict[str, list[float]]:
    """Time the round trip in JupyterLab: event in the page to the redrawn DOM."""
    import tempfile

    import nbformat
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from test_browser_graph import ARGS, CHROMIUM, KERNEL_IDLE, _jupyterlab

    root = Path(tempfile.mkdtemp(prefix="docalc-bench-"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK.format(bench=str(ROOT / "bench"),
                                                          prior=prior))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, root / "bench.ipynb")
    out: dict[str, list[float]] = {}
    with _jupyterlab(root) as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(600_000)
            page.goto(url + "lab/tree/bench.ipynb")
            page.wait_for_function(KERNEL_IDLE)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
            view = page.locator(".docalc-explorer svg[data-view=intervened]")
            view.locator("[data-node=b][data-intervened=true]").wait_for()
            page.evaluate(PROBE)
            node_c = ".docalc-explorer svg[data-view=intervened] [data-node=c]"
            readout = ".docalc-explorer .docalc-readout"

            def timed(label: str, action: Any, graph_sel: str, graph_text: bool = False) -> None:
                # the graph is redrawn first; the readout, set last, shows the new effect
                before = page.locator(readout).first.text_content()
                text = page.locator(graph_sel).first.text_content() if graph_text else None
                page.evaluate(WATCH, [["graph", graph_sel, text], ["effect", readout, before]])
                action()
                page.wait_for_function("() => Object.keys(window.__seen).length === 2")
                seen = page.evaluate("() => [window.__seen.graph - window.__t.start, "
                                     "window.__seen.effect - window.__t.start]")
                out.setdefault(f"browser: {label}: graph", []).append(float(seen[0]))
                out.setdefault(f"browser: {label}: effect", []).append(float(seen[1]))

            click_c = lambda: view.locator("[data-node=c]").click()  # noqa: E731
            c_on, c_off = node_c + "[data-intervened=true]", node_c + ":not([data-intervened])"
            timed("click, new set", click_c, c_on)
            timed("undo click", click_c, c_off)
            for _ in range(reps):
                timed("click, cached set", click_c, c_on)
                timed("undo click", click_c, c_off)
            handle = page.locator(".docalc-explorer .noUi-handle").first
            handle.focus()
            node_b = ".docalc-explorer svg[data-view=intervened] [data-node=b]"
            for k in range(reps):
                key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                timed("slider key", lambda key=key: handle.press(key), node_b, graph_text=True)
        finally:
            b.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prior", action="store_true", help="prior draws instead of NUTS")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--browser", action="store_true", help="also time the browser round trip")
    ap.add_argument("--json", type=Path, help="write the raw timings here")
    args = ap.parse_args()
    t0 = time.perf_counter()
    fit = make_fit(args.prior)
    print(f"fit ({'prior draws' if args.prior else 'NUTS'}, {CHAINS} x {DRAWS} draws, "
          f"{N_UNITS} units): {time.perf_counter() - t0:.1f} s")
    rows = kernel(fit, args.reps)
    if args.browser:
        rows.update(browser(args.prior, max(5, args.reps // 2)))
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, ms in rows.items():
        print(f"{name:38s} median {np.median(ms):8.1f} ms  max {np.max(ms):8.1f} ms  "
              f"(n={len(ms)})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
