"""``Model``: an immutable compiled model; ``compile`` and ``load`` make one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from docalc.dsl.frontend import check_file, check_text
from docalc.dsl.ir import CheckedModel

from .errors import DocalcError

if TYPE_CHECKING:
    import graphviz
    import xarray as xr

    from docalc.compiler.bind.data import Bound
    from docalc.compiler.graph.criteria import Identification

    from .fit import Fit


def compile(text: str, source: str = "<string>") -> Model:
    """Parse and check model text and return a :class:`Model`.

    Raises
    ------
    DocalcError
        Every problem of the text at once, each with ``file:line:col``, line and caret.
    """
    if not isinstance(text, str):
        from docalc.dsl.errors import runtime

        raise runtime.model_text_type(None, got=type(text).__name__).error()
    if not isinstance(source, str):
        from docalc.compiler.bind.arguments import name

        name("source", source)
    return Model(check_text(text, source))


def load(path: str | Path) -> Model:
    """Read a ``.scm`` file and return its :class:`Model`."""
    if not isinstance(path, str | os.PathLike):
        from docalc.dsl.errors import runtime

        raise runtime.argument_type(None, argument="path", expected="a file name (a string "
                                    "or a pathlib.Path)", value=path).error()
    return Model(check_file(path))


class Model:
    """A checked structural causal model; ``do`` and ``observe`` return new models.

    Parameters
    ----------
    checked : CheckedModel
        The front end's output.
    data : DataFrame or dict, optional
        Observed data (see :meth:`observe`).
    """

    def __init__(self, checked: CheckedModel, data: Any = None,
                 arrays: Mapping[str, np.ndarray] | None = None,
                 _bound: Bound | None = None, _told: bool = False,
                 _missing: str = "raise") -> None:
        self._checked = checked
        self._data = data
        self._arrays = dict(arrays or {})
        self._bound = _bound
        # whether the user was told what the data leave unobserved (observe() tells)
        self._told = _told
        self._missing = _missing  # observe(missing=...): how do() re-binds the data

    # -- structure --------------------------------------------------------------------
    @property
    def checked(self) -> CheckedModel:
        """The checked model description (nodes, plates, interventions, queries)."""
        return self._checked

    @property
    def data(self) -> Any:
        """The observed data, or None."""
        return self._data

    @property
    def observed_names(self) -> frozenset[str]:
        """Names of the nodes bound to data (inputs and observed nodes)."""
        return self._bound.names if self._bound is not None else frozenset()

    @property
    def imputed(self) -> dict[str, int]:
        """Imputed cells per column (``observe(df, missing="impute")``); empty if none."""
        return self._bound.imputed if self._bound is not None else {}

    @property
    def queries(self) -> tuple[str, ...]:
        """Names of the queries defined in the model text."""
        return tuple(q.name for q in self._checked.queries)

    def __repr__(self) -> str:
        ivs = ", ".join(str(i) for i in self._checked.interventions)
        obs = f", observed={sorted(self.observed_names)}" if self._bound else ""
        return f"<docalc.Model {self._checked.source} nodes={len(self._checked.nodes)}" \
               + (f" do({ivs})" if ivs else "") + obs + ">"

    def __str__(self) -> str:
        return self._checked.pretty()

    # -- transformations ----------------------------------------------------------------
    def do(self, interventions_: Mapping[str, Any] | str | None = None, /,
           **kw: Any) -> Model:
        """Return the intervened model.

        Parameters
        ----------
        interventions_ : dict or str, optional
            ``{"b": 0}``, ``{"b": array}`` (one value per unit), ``{"b": "5 * b"}`` or text
            ``"b = 5 * b, c ~ Normal(0, 1)"``.
        **kw
            The same as keywords: ``model.do(b=0)``.
        """
        from docalc.compiler.bind import data as data_mod
        from docalc.compiler.bind.interventions import apply

        checked, arrays = apply(self._checked, self._arrays, interventions_, kw)
        # conditioning is checked when fitting: an observed model may be intervened on
        # to ask predictions of it without being refit
        bound = data_mod.bind(checked, self._data, missing=self._missing) \
            if self._data is not None else None
        return Model(checked, self._data, arrays, bound, _missing=self._missing)

    def observe(self, data: Any, missing: str = "raise") -> Model:
        """Return the model conditioned on data (a DataFrame, or a dict of arrays/scalars).

        Parameters
        ----------
        data : DataFrame or dict
            Columns named after nodes.
        missing : {"raise", "impute"}
            NaN cells of a stochastic node's column: an error naming the column and rows
            (default), or latents of their units, inferred with the rest
            (``"impute"``; the posterior holds them as ``<node>_unobserved``; a
            Bernoulli, Categorical or Binomial node's cells are summed out exactly, their
            value probabilities in ``<node>_unobserved__probs``). NaN in a ``data`` input
            is an error either way, and in a discrete node of unbounded support (Poisson).

        Raises
        ------
        DocalcDataError
            Missing input columns, NaN (unless imputed) or inf (with rows), non-numeric
            values, bad index codes, mismatched lengths, values outside a distribution's
            support.
        DocalcConditioningError
            Conditioning on a deterministic node, or on a node fixed by an intervention.

        Warns
        -----
        LatentWarning
            Naming the unit-level stochastic nodes with no column: inferred per unit;
            and, under ``missing="impute"``, how many cells of each column are imputed.
        DataWarning
            For columns not in the model (with a "did you mean"), a column of a ``data``
            input that a ``do()`` replaces, names with spaces around them, and index
            codes that leave groups empty (1-based codes).
        """
        from docalc.compiler.bind import data as data_mod
        from docalc.compiler.bind.data_notes import warn_imputed, warn_unobserved
        from docalc.compiler.run.fitting import check_conditioning

        bound = data_mod.bind(self._checked, data, missing=missing)
        check_conditioning(self._checked, bound.names)
        warn_unobserved(self._checked, bound)
        warn_imputed(self._checked, bound)
        return Model(self._checked, data, self._arrays, bound, _told=True, _missing=missing)

    # -- running ----------------------------------------------------------------------
    def simulate(self, n: int | None = None, seed: int = 0, data: Any = None) -> pd.DataFrame:
        """Draw one data set: a DataFrame of the unit-level variables (one row per unit).

        Globals are drawn once (or fixed by ``do``); ``data`` supplies input columns.
        """
        from docalc.compiler.run import simulation

        return simulation.simulate(self._checked, self._arrays, n=n, seed=seed, data=data)

    def sample_prior(self, draws: int = 1000, n: int | None = None, seed: int = 0,
                     data: Any = None) -> xr.DataTree:
        """Draw from the (intervened) prior: a DataTree with group ``prior``."""
        from docalc.compiler.run import simulation

        return simulation.sample_prior(self._checked, self._arrays, draws=draws, n=n,
                                       seed=seed, data=data)

    def fit(self, method: str = "nuts", *, chains: int = 4, tune: int = 1000,
            draws: int = 1000, seed: int = 0, target_accept: float = 0.8,
            max_tree_depth: int = 10, steps: int = 5000, learning_rate: float = 0.01,
            guide: str = "normal", progress: bool = False, log_likelihood: bool = True,
            keep_deterministic: bool | None = None) -> Fit:
        """Infer the unobserved nodes from the observed data.

        Parameters
        ----------
        method : {"nuts", "svi"}
            NUTS (default) or stochastic variational inference with an AutoGuide.
        chains, tune, draws, seed, target_accept, max_tree_depth
            NUTS settings (as PyMC's ``pm.sample``).
        steps, learning_rate, guide
            SVI settings; ``guide`` is "normal" (AutoNormal), "mvn" or "delta"; SVI gives
            one chain of ``draws`` draws.
        log_likelihood : bool
            Add the pointwise log-likelihood of each observed node (group
            ``log_likelihood``, which :func:`docalc.compare` needs), as ArviZ does for
            NumPyro. It holds draws x units values per observed node: pass False to save
            that memory and time on a large table.
        keep_deterministic : bool, optional
            Keep each unit-level deterministic node (the tutorial's ``y_mu``) in the
            posterior, as PyMC does. Default: keep them unless they would hold more than
            10**8 values (draws x units; ``fitting.KEEP_DETERMINISTIC``), then leave them
            out with a ``SamplingWarning``. Left out, the sampler never holds them, and
            ``predict``, ``effect`` and ``counterfactual`` recompute them from the draws.
        """
        from docalc.compiler.bind.arguments import flag
        from docalc.compiler.run import fitting

        from .fit import Fit

        flag("progress", progress)
        flag("log_likelihood", log_likelihood)
        if keep_deterministic is not None:
            flag("keep_deterministic", keep_deterministic)
        if self._bound is not None and not self._told:
            # intervened after observe(): what the data leave out may have changed
            from docalc.compiler.bind.data_notes import warn_unobserved

            warn_unobserved(self._checked, self._bound)
        posterior = fitting.fit(self._checked, self._bound, self._arrays, method=method,
                                chains=chains, tune=tune, draws=draws, seed=seed,
                                target_accept=target_accept, max_tree_depth=max_tree_depth,
                                steps=steps, learning_rate=learning_rate, guide=guide,
                                progress=progress, log_likelihood=log_likelihood,
                                keep_deterministic=keep_deterministic)
        assert self._bound is not None  # fitting refuses a model without data
        return Fit(self, posterior, self._bound)

    def identify(self, treatment: str, outcome: str,
                 observed: list[str] | None = None) -> Identification:
        """Decide whether P(outcome | do(treatment)) is identifiable from the observed nodes.

        Parameters
        ----------
        observed : list of str, optional
            Nodes with data; default: the observed nodes of an observed model, else every
            unit-level node. Every other node is latent.
        """
        from docalc.compiler.bind import arguments
        from docalc.compiler.graph.identification import identify_model

        if observed is not None:
            observed = arguments.names("observed", observed)
            arguments.known("observed", observed, self._checked.names)
        if observed is None:
            observed = sorted(self.observed_names) if self._bound is not None else None
        return identify_model(self._checked, treatment, outcome, observed)

    def query(self, name: str, *, draws: int = 1000, seed: int = 0) -> xr.DataArray:
        """Evaluate a named query of the model text under the prior (no data needed)."""
        from docalc.compiler.run import queries

        return queries.evaluate_prior(self._checked, self._bound, self._arrays, name,
                                      draws=draws, seed=seed)

    # -- display ------------------------------------------------------------------------
    def graph(self, do: Mapping[str, Any] | str | None = None,
              roles: Mapping[str, str] | None = None) -> graphviz.Digraph:
        """Return the causal graph (mutilated by ``do`` if given) as a graphviz.Digraph."""
        from docalc.compiler.graph.description import graph_spec
        from docalc.compiler.graph.marks import imputed_of
        from docalc.widgets.render import to_digraph

        model = self.do(do) if do is not None else self
        spec = graph_spec(model.checked, observed=model.observed_names, roles=roles,
                          imputed=imputed_of(model))
        return to_digraph(spec)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": repr(self)}
        with contextlib.suppress(Exception):  # a display must never raise in a notebook
            bundle["image/svg+xml"] = self.graph().pipe(format="svg", encoding="utf-8")
        return bundle


__all__ = ["DocalcError", "Model", "compile", "load"]
