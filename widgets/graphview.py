"""A notebook widget showing a model's graph next to its graph under an intervention.

The widget holds state only: on each change of the intervention text it asks
``docalc.compiler.graph`` and ``render`` for a new drawing. A text that does not check shows the
docalc error, caret included, in place of the drawing; nothing is raised into the
notebook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from docalc.dsl.errors import DocalcError, missing_extra

try:
    import ipywidgets as widgets
    import traitlets
except ModuleNotFoundError as exc:  # a clear error naming the extra, not a bare traceback
    raise missing_extra("widgets", exc.name, "docalc.widgets.GraphView") from None
from docalc.compiler.graph import unwrap
from docalc.dsl.frontend import apply_intervention_text
from docalc.dsl.printer import format_number

from .render import draw, error_html, render_svg


def do_text(do: str | Mapping[str, float] | None) -> str:
    """Return interventions as language text: ``{"b": 0, "c": 1}`` becomes ``"b = 0, c = 1"``."""
    if do is None:
        return ""
    if isinstance(do, str):
        return do
    return ", ".join(f"{k} = {_number(v)}" for k, v in do.items())


def _number(value: float) -> str:
    # format_number's int() check fails on nan/inf; their repr then fails to check, clearly
    v = float(value)
    return format_number(v) if math.isfinite(v) else repr(v)


class GraphView(widgets.VBox):
    """The factual graph and, beside it, the graph under the intervention typed in.

    Parameters
    ----------
    model_like : CheckedModel or docalc.Model
        A checked model, or an object with ``.checked`` (and optionally
        ``.observed_names``), as ``docalc.Model`` is.
    do : str or mapping, optional
        The initial intervention, as text (``"b = 0"``, ``"b = 5 * b"``) or a mapping from
        names to numbers.
    roles : mapping of str to str, optional
        Node roles to colour (see ``docalc.compiler.graph.ROLES``).

    Attributes
    ----------
    text : ipywidgets.Text
        The intervention text; setting ``text.value`` from Python redraws as typing does.
    svg : str
        The current drawing (empty while an error is shown).
    error : str
        The current error's formatted text, with its caret; empty when none.

    """

    svg = traitlets.Unicode("")
    error = traitlets.Unicode("")

    def __init__(
        self,
        model_like: Any,
        do: str | Mapping[str, float] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> None:
        self._model, self._observed = unwrap(model_like)
        self._roles = dict(roles or {})
        self.text = widgets.Text(
            value=do_text(do),
            placeholder="b = 0",
            description="do(",
            continuous_update=False,
            layout=widgets.Layout(width="32em"),
        )
        self.view = widgets.HTML()
        super().__init__(children=[self.text, self.view])
        self.text.observe(self._on_text, names="value")
        self._redraw(self.text.value)

    def _on_text(self, change: dict[str, Any]) -> None:
        self._redraw(change["new"])

    def _redraw(self, text: str) -> None:
        try:
            model = self._model
            if text.strip():
                model = apply_intervention_text(model, text, source="<do>")
            svg = render_svg(draw(model, observed=self._observed, roles=self._roles))
        except DocalcError as err:
            self.error = str(err)
            self.svg = ""
            self.view.value = error_html(err)
            return
        self.error = ""
        self.svg = svg
        self.view.value = svg
