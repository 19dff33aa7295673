"""``GraphView``: a model's graph next to its graph under the intervention typed in.

``GraphView`` is the interactive ``GraphWidget`` under the name the README and SPEC
section 6 give it: ``do`` (the intervention text) and ``roles`` are synced traits, the
text box says that Enter applies, a click on a node intervenes on it, and a text that
does not check shows its error (line, caret, hint) beside the last good drawing. The
static Graphviz drawing stays what ``Model._repr_mimebundle_`` shows (``render``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .graphpayload import do_text
from .graphwidget import GraphWidget


class GraphView(GraphWidget):
    """The factual graph and, beside it, the graph under the intervention typed in.

    Parameters
    ----------
    model_like : CheckedModel or docalc.Model
        A checked model, or an object with ``.checked`` (and optionally
        ``.observed_names`` and data), as ``docalc.Model`` is.
    do : str or mapping, optional
        The initial intervention, as text (``"b = 0"``, ``"b = 5 * b"``) or a mapping from
        names to numbers.
    roles : mapping of str to str, optional
        Node roles to colour (treatment, outcome, confounder, mediator, adjust); with a
        treatment and an outcome the identification verdict is shown.
    **kwargs
        Passed to :class:`GraphWidget` (``show_parameters``, ``means``, ``imputed``).

    Attributes
    ----------
    do : str
        The intervention text, synced both ways: typing (Enter applies), a click on a node
        and setting it from Python all redraw.
    roles : dict
        Node name to role, synced both ways.
    error : str
        The current text's error, with its caret; empty when it checked.

    """

    def __init__(self, model_like: Any, do: str | Mapping[str, float] | None = None,
                 roles: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(model_like, do=do, roles=roles, **kwargs)


__all__ = ["GraphView", "do_text"]
