"""The interactive causal graph: an anywidget whose state is traitlets only.

Python decides what is drawn (``graphpayload``); the bundled JavaScript
(``static/graph.js``, built from ``js/``) lays it out once for both the factual and
the intervened view and handles clicks, drags, zoom and pan. A click on a node or an
edited value comes back as a new ``do`` text, a role picked on the graph as a new
``roles`` dict; Python checks them with the compiler and sends a new ``graph``. A text
that does not check sets ``error`` and leaves ``graph`` as it was, so the last good
drawing stays on screen next to the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docalc.dsl.errors import DocalcError, missing_extra

try:
    import anywidget
    import traitlets
except ModuleNotFoundError as exc:  # a clear error naming the extra, not a bare traceback
    raise missing_extra("widgets", exc.name, "docalc.widgets.GraphWidget") from None
from docalc.compiler.graph.description import unwrap
from docalc.compiler.graph.marks import imputed_of
from docalc.dsl.frontend import apply_intervention_text
from docalc.dsl.ir import CheckedModel

from . import graphpayload as gp

STATIC = Path(__file__).resolve().parent / "static"


class GraphWidget(anywidget.AnyWidget):
    """A model's causal graph, factual and intervened side by side, to click and drag.

    Parameters
    ----------
    model_like : CheckedModel or docalc.Model
        A checked model, or an object with ``.checked`` (and optionally
        ``.observed_names`` and data), as ``docalc.Model`` is. Interventions it already
        carries become the initial ``do`` text unless ``do`` is given.
    do : str or mapping, optional
        The intervention, as text (``"b = 0, c = a + 1"``) or names to numbers.
    roles : mapping of str to str, optional
        Node roles (``"treatment"``, ``"outcome"``, ...), as ``Model.graph(roles=...)``.
    show_parameters : bool
        Draw the parameter nodes (globals feeding mechanisms) instead of folding them.
    means : mapping of str to float, optional
        Each node's mean under the model (e.g. from a fit), where a click on a node
        without data starts its intervention.
    imputed : mapping of str to (int, int), optional
        Node to ``(imputed cells, cells)``, drawn partly observed; defaults to the NaN
        cells of the model's bound data (``observe(df, missing="impute")``).

    Attributes
    ----------
    do : str
        The intervention text; synced both ways (a click in the browser edits it).
    roles : dict
        Node name to role, as given or picked on the graph; synced both ways.
    graph : dict
        What is drawn (see ``graphpayload.payload_from_specs``); read-only.
    verdict : dict
        The identification verdict for the treatment and outcome in ``roles``
        (see ``graphpayload.verdict``); empty without both; read-only.
    error : str
        The last intervention text's error (line, caret, hint); empty when it checked.
    show_parameters : bool
        Synced both ways with the switch in the view.

    """

    _esm = STATIC / "graph.js"

    do = traitlets.Unicode("").tag(sync=True)
    roles = traitlets.Dict().tag(sync=True)
    show_parameters = traitlets.Bool(False).tag(sync=True)
    graph = traitlets.Dict(read_only=True).tag(sync=True)
    verdict = traitlets.Dict(read_only=True).tag(sync=True)
    error = traitlets.Unicode("", read_only=True).tag(sync=True)

    def __init__(
        self,
        model_like: Any,
        do: str | Mapping[str, float] | None = None,
        roles: Mapping[str, str] | None = None,
        *,
        show_parameters: bool = False,
        means: Mapping[str, float] | None = None,
        imputed: Mapping[str, tuple[int, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        checked, self._observed = unwrap(model_like)
        self._imputed = dict(imputed_of(model_like) if imputed is None else imputed)
        self._base, carried = gp.split_model(checked)
        bound = getattr(model_like, "_bound", None)
        columns = dict(bound.columns) if bound is not None else {}
        self._sizes: dict[str, int] = dict(bound.sizes) if bound is not None else {}
        # Model.identify's default: the observed nodes of an observed model, else all
        self._identify_observed = sorted(self._observed) if bound is not None else None
        self._starts = gp.start_values(checked, columns, means)
        self._mutilated: CheckedModel = self._base
        self._verdicts: dict[tuple[str, str], dict[str, Any]] = {}
        text = gp.do_text(do) if do is not None else carried
        super().__init__(do=text, roles=dict(roles or {}), show_parameters=show_parameters,
                         **kwargs)
        self._apply_do(text, raise_error=False)
        self._refresh()

    # -- validation ---------------------------------------------------------------------
    @traitlets.validate("roles")
    def _valid_roles(self, proposal: dict[str, Any]) -> dict[str, str]:
        roles = dict(proposal["value"])
        unknown = sorted(set(roles) - set(self._base.names))
        if unknown:
            raise traitlets.TraitError(f"roles name {', '.join(map(repr, unknown))}, "
                                       "not node(s) of the model")
        bad = sorted({str(r) for r in roles.values()} - set(gp.USER_ROLES))
        if bad:
            raise traitlets.TraitError(f"unknown role {bad[0]!r}; roles are "
                                       f"{', '.join(gp.USER_ROLES)}")
        return {str(k): str(v) for k, v in roles.items()}

    # -- reactions ----------------------------------------------------------------------
    @traitlets.observe("do")
    def _on_do(self, change: dict[str, Any]) -> None:
        if self._apply_do(change["new"], raise_error=False):
            self._refresh()

    @traitlets.observe("roles")
    def _on_roles(self, change: dict[str, Any]) -> None:
        self._refresh()

    def _apply_do(self, text: str, *, raise_error: bool) -> bool:
        """Check ``text``; on success keep the intervened model, else set ``error``."""
        try:
            model = self._base
            if text.strip():
                model = apply_intervention_text(self._base, text, source="<do>")
        except DocalcError as err:
            self.set_trait("error", str(err))
            if raise_error:
                raise
            return False
        self._mutilated = model
        self.set_trait("error", "")
        return True

    def _verdict(self) -> dict[str, Any]:
        key = (gp.pick(self.roles, "treatment") or "", gp.pick(self.roles, "outcome") or "")
        if key not in self._verdicts:
            # the subset search can take a second on large graphs; a role change asks once
            self._verdicts[key] = gp.verdict(self._base, self.roles, self._identify_observed)
        return self._verdicts[key]

    def _refresh(self) -> None:
        result = self._verdict()
        drawn = gp.drawn_roles(self._base, self.roles, result)
        payload = gp.build_payload(self._base, self._mutilated, observed=self._observed,
                                   sizes=self._sizes, starts=self._starts, roles=drawn,
                                   imputed=self._imputed)
        with self.hold_trait_notifications():
            self.set_trait("verdict", result)
            self.set_trait("graph", payload)

    # -- Python API ---------------------------------------------------------------------
    @property
    def intervened(self) -> tuple[str, ...]:
        """Names of the nodes the current drawing intervenes on."""
        return tuple(iv.name for iv in self._mutilated.interventions)

    @property
    def model(self) -> CheckedModel:
        """The checked model as last drawn: the factual model with the valid ``do`` applied."""
        return self._mutilated

    def intervene(self, name: str, value: float | str | None = None) -> None:
        """Intervene on ``name`` (at its starting value by default), as a click does.

        Raises
        ------
        DocalcError
            If the new intervention does not check; ``do`` is then left unchanged.
        """
        rhs = gp.number_text(self._starts.get(name, 0.0)) if value is None else (
            value if isinstance(value, str) else gp.number_text(value))
        parts = [iv for iv in self.graph.get("interventions", []) if iv["name"] != name]
        text = ", ".join([*(iv["text"] for iv in parts), f"{name} = {rhs}"])
        self._apply_do(text, raise_error=True)
        self.do = text

    def release(self, name: str) -> None:
        """Remove the intervention on ``name``, as a second click does."""
        parts = [iv for iv in self.graph.get("interventions", []) if iv["name"] != name]
        self.do = ", ".join(iv["text"] for iv in parts)
