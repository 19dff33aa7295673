"""The effect explorer's plot: a histogram of effect draws with its HDI, as SVG text.

Hand-written SVG rather than matplotlib: it costs well under a millisecond, which keeps a
slider-driven redraw within its latency budget (matplotlib took 240 ms per redraw). The
x axis fits the posterior (``fit_span``) and its ticks are round numbers inside the
drawing, so no label is clipped and a minus sign is never cut off.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .render import INTERVENED_LINE

#: Font size of the tick and HDI labels, in px (the issue asks for 11 px or more).
FONT = 11
#: Average glyph width of FONT px Helvetica digits, to keep a label inside the drawing.
CHAR_W = 0.62 * FONT


def number(v: float) -> str:
    """Format a value for labels: four significant digits, no float noise, no ``-0``."""
    v = float(v)
    if not math.isfinite(v):
        return repr(v)
    text = f"{v:.4g}"
    return "0" if text in ("-0", "0") else text


def nice_ticks(lo: float, hi: float, most: int = 7) -> list[float]:
    """Return at most ``most`` round ticks (1, 2, 2.5 or 5 times a power of ten apart) in range."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    mag = 10.0 ** math.floor(math.log10((hi - lo) / most))
    for m in (1, 2, 2.5, 5, 10, 20):
        step = m * mag
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first + 1 <= most:
            break
    # rounded to the step's decimals: 0.30000000000000004 is drawn as 0.3
    d = max(0, -math.floor(math.log10(step)) + 1)
    return [round(k * step, d) + 0.0 for k in range(first, last + 1)]


def fit_span(x: np.ndarray, span: tuple[float, float] | None = None) -> tuple[float, float]:
    """Return the x range for draws ``x``: kept while it still fits them well, else refit.

    A move of the slider that keeps the posterior inside the current range, filling at
    least a third of it, keeps the range, so a move reads as a shift; otherwise the range
    is recomputed from the draws (not only widened, so a narrow posterior is not drawn as
    a spike in a wide axis). Zero, the no-effect line, is included when it is near.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return span if span is not None else (-1.0, 1.0)
    lo, hi = (float(v) for v in np.quantile(x, [0.001, 0.999]))
    if span is not None:
        width = span[1] - span[0]
        if span[0] <= lo and hi <= span[1] and (hi - lo) >= width / 3:
            return span
    width = hi - lo
    if width < 1e-9 * max(1.0, abs(lo), abs(hi)):
        # one value (a baseline equal to the intervention): a unit-wide window around it
        width = max(abs(lo), 1.0) * 0.1
        lo, hi = lo - width / 2, hi + width / 2
    if lo > 0 and lo < 0.5 * width:
        lo = 0.0
    elif hi < 0 and -hi < 0.5 * width:
        hi = 0.0
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def effect_svg(draws: np.ndarray, hdi: tuple[float, float], *, title: str = "",
               bins: int = 40, width: int = 440, height: int = 210,
               span: tuple[float, float] | None = None, prob: float = 0.94) -> str:
    """Draw a histogram of effect draws with its HDI and mean, as SVG text.

    Parameters
    ----------
    draws : numpy.ndarray
        The average-effect draws.
    hdi : (float, float)
        The interval drawn under the histogram.
    title : str
        Printed above, followed by the mean.
    bins, width, height : int
        Histogram bins and the drawing's size in pixels.
    span : (float, float), optional
        The x range; default :func:`fit_span` of the draws.
    prob : float
        The HDI's probability, for its label.

    Returns
    -------
    str
        An ``<svg class="docalc-effect">``; the mean's label has class ``docalc-plot-mean``.

    """
    x = np.asarray(draws, dtype=float).ravel()
    x = x[np.isfinite(x)]
    mean = float(x.mean()) if x.size else float("nan")
    lo, hi = span if span is not None else fit_span(x)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(np.clip(x, lo, hi), bins=bins, range=(lo, hi))
    ticks = nice_ticks(lo, hi)
    labels = [number(t) for t in ticks]
    # margins wide enough for half the widest label at either end: nothing is clipped
    half = max([len(s) for s in labels] + [4]) * CHAR_W / 2 + 4
    left, right, top, bottom = half, width - half, 30, height - 52
    sx = (right - left) / (hi - lo)
    peak = max(int(counts.max()) if counts.size else 1, 1)
    sy = (bottom - top) / peak

    def px(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) * sx

    bars = "".join(
        f'<rect x="{px(e0):.1f}" y="{bottom - c * sy:.1f}" '
        f'width="{max(px(e1) - px(e0) - 0.5, 0.5):.1f}" height="{c * sy:.1f}"/>'
        for c, e0, e1 in zip(counts, edges[:-1], edges[1:], strict=True) if c)
    tick_svg = "".join(
        f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{bottom}" y2="{bottom + 4}" '
        f'stroke="#555"/><text class="tick" x="{px(t):.1f}" y="{bottom + 16}" '
        f'text-anchor="middle">{html.escape(s)}</text>'
        for t, s in zip(ticks, labels, strict=True))
    h0, h1 = hdi
    zero = (f'<line x1="{px(0):.1f}" x2="{px(0):.1f}" y1="{top}" y2="{bottom}" stroke="#888" '
            f'stroke-dasharray="3,3"/>') if lo <= 0 <= hi else ""
    mean_line = (f'<line class="mean" x1="{px(mean):.1f}" x2="{px(mean):.1f}" y1="{top}" '
                 f'y2="{bottom}" stroke="{INTERVENED_LINE}" stroke-width="2"/>'
                 if math.isfinite(mean) else "")
    hdi_text = f"{round(prob * 100)}% HDI [{number(h0)}, {number(h1)}]"
    mid = min(max((px(h0) + px(h1)) / 2, left + len(hdi_text) * CHAR_W / 2),
              right - len(hdi_text) * CHAR_W / 2) if math.isfinite(h0) else 0.0
    hdi_bar = (f'<line class="hdi" x1="{px(h0):.1f}" x2="{px(h1):.1f}" y1="{bottom + 28}" '
               f'y2="{bottom + 28}" stroke="#222" stroke-width="4"/>'
               f'<text x="{mid:.1f}" y="{bottom + 44}" text-anchor="middle">'
               f'{hdi_text}</text>') if math.isfinite(h0) else ""
    return (
        f'<svg class="docalc-effect" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="{FONT}">'
        f'<text x="{left:.1f}" y="17" font-size="13">{html.escape(title)}  mean '
        f'<tspan class="docalc-plot-mean" font-weight="bold">{number(mean)}</tspan></text>'
        f'<g fill="#5d8aa8">{bars}</g>{zero}{mean_line}'
        f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{bottom}" y2="{bottom}" stroke="#555"/>'
        f'{tick_svg}{hdi_bar}</svg>'
    )


def placeholder_svg(text: str, *, width: int = 440, height: int = 210) -> str:
    """Return an empty plot with a line of text, shown while no node is intervened on."""
    return (f'<svg class="docalc-effect docalc-empty" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="13"><rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
            f'fill="none" stroke="#ccc" stroke-dasharray="4,4"/><text x="{width / 2}" '
            f'y="{height / 2}" text-anchor="middle" fill="#666">{html.escape(text)}</text></svg>')


__all__ = ["effect_svg", "fit_span", "nice_ticks", "number", "placeholder_svg"]
