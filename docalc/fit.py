"""``Fit``: a fitted model's posterior, and the causal questions asked of it."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import xarray as xr

    from docalc.compiler.bind.data import Bound
    from docalc.compiler.results.draws import Draws

    from .model import Model

DoLike = Mapping[str, Any] | str | None


class Fit:
    """The result of :meth:`Model.fit`.

    Attributes
    ----------
    model : Model
        The observed model that was fitted.
    posterior : xarray.DataTree
        Groups ``posterior``, ``sample_stats`` (NUTS), ``observed_data``,
        ``constant_data`` and ``log_likelihood`` (per observed node, unless fitted with
        ``log_likelihood=False``), in ArviZ's layout; dims are named after plates.
    """

    def __init__(self, model: Model, posterior: xr.DataTree, bound: Bound) -> None:
        self.model = model
        self.posterior = posterior
        self._bound = bound

    @cached_property
    def draws(self) -> Draws:
        """The posterior as plain data for the compiler: model, data and draws."""
        from docalc.compiler.results.draws import Draws

        return Draws(self.model.checked, self._bound, self.model._arrays, self.posterior)

    def __repr__(self) -> str:
        post = self.posterior["posterior"]
        return (f"<docalc.Fit {self.model.checked.source}: {post.sizes.get('chain', 1)} chains x "
                f"{post.sizes.get('draw', 0)} draws of {', '.join(map(str, post.data_vars))}>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.model._repr_mimebundle_(include, exclude)
        bundle["text/plain"] = repr(self)
        with contextlib.suppress(Exception):  # a display must never raise
            bundle["text/html"] = self.summary().to_html()
        return bundle

    def summary(self, var_names: str | list[str] | None = None,
                hdi_prob: float = 0.94) -> pd.DataFrame:
        """Posterior summary: mean, sd, HDI bounds, ESS and R-hat (arviz-stats)."""
        import arviz_stats as azs

        from docalc.compiler.bind.arguments import names as names_of

        _check_prob(hdi_prob)
        if var_names is not None:
            var_names = names_of("var_names", var_names)  # one name too, as ArviZ reads it
        known = list(self.posterior["posterior"].data_vars)
        unknown = [v for v in var_names or () if v not in known]
        if unknown:
            from docalc.dsl.check.checker import suggest
            from docalc.dsl.errors import names

            raise names.not_in_posterior(
                None, names=", ".join(unknown),
                suggestion=suggest(unknown[0], map(str, known)) or
                f"the posterior holds {', '.join(map(str, known))}").error()
        return azs.summary(self.posterior, var_names=var_names, ci_prob=hdi_prob,
                           ci_kind="hdi", round_to="none")

    def predict(self, do: DoLike = None, data: Any = None, var_names: list[str] | None = None,
                seed: int = 0, batch_size: int | None = None,
                store: str | None = None) -> xr.DataTree:
        """Posterior predictions under an intervention: DataTree with group ``predictions``.

        Observed nodes that are not downstream of the intervention are held at their data
        values; the model's outcomes (observed nodes with no observed descendants, or
        ``var_names``) and everything downstream of the intervention are redrawn for each
        posterior draw. Intervened nodes record their intervened value.

        Parameters
        ----------
        do : dict or str, optional
            ``{"b": 0}``, ``"b = 5 * b"``, ...
        data : DataFrame or str, optional
            New units (inputs, and any columns to hold); default the fitted data. A path
            of a Parquet or CSV file is read in row batches (with ``store``, the table
            need not fit in memory).
        var_names : list of str, optional
            Nodes to return (and redraw); default every node the run changes.
        seed : int, optional
            The random numbers; each unit draws from its own stream, so a unit's values
            do not depend on the other units given or on ``batch_size``.
        batch_size : int, optional
            Units per batch of the run (default: as many as keep a batch's values near
            64 MB); the values do not depend on it.
        store : str, optional
            A path: the predictions go there batch by batch as a chunked Zarr store (one
            chunk per batch; ``docalc[scale]``), and the DataTree returned reads it lazily,
            so units x draws need not fit in memory.
        """
        from docalc.compiler.results.predictions import predict

        from .table_rows import is_table_path, row_batches

        if not is_table_path(data):
            return predict(self.draws, do, data, var_names, seed, batch_size, store)
        # closed however the run ends, so that the file is too
        with contextlib.closing(row_batches(data)) as chunks:
            return predict(self.draws, do, None, var_names, seed, batch_size, store, chunks)

    def effect(self, outcome: str, do: DoLike, baseline: DoLike = None, data: Any = None,
               seed: int = 0, hdi_prob: float = 0.94, per_unit: bool = True,
               batch_size: int | None = None, progress: bool = False,
               store: str | None = None) -> xr.DataTree:
        """Return the posterior of ``outcome`` under ``do`` minus under ``baseline``.

        Both scenarios use the same posterior draws and the same random numbers, so the
        noise the intervention does not touch cancels. Returns a DataTree with group
        ``effect`` holding the per-unit effect ``<outcome>`` (the difference of the two
        draws) and the average effect ``<outcome>_mean``, and group ``summary`` (mean, sd,
        HDI of the average). Where the outcome's mechanism has a finite mean, the average
        effect is the difference of those means averaged over units (not of the draws), so
        it is not the mean of the per-unit draws; a global outcome's value is that average.
        See "What each call returns" in docs/language.md.

        With ``per_unit=False`` the group holds the average only, and the units run in
        batches (``batch_size`` of them, default as many as keep a batch near 64 MB) whose
        sums are added in order: memory is bounded by a batch, not by the units, and the
        average agrees with the per-unit call's to rounding. ``progress`` shows a bar over
        the batches. With ``store`` (a path; ``docalc[scale]``) the per-unit effect goes
        there batch by batch as a chunked Zarr store and the DataTree returned reads it
        lazily, so units x draws need not fit in memory. ``data`` may be the path of a
        Parquet or CSV file: it is read in row batches (``table_rows.READ_ROWS``), so the
        table need not fit in memory either; the answer is the whole table's.
        """
        from docalc.compiler.bind.arguments import name
        from docalc.compiler.results.effects import effect

        name("outcome", outcome)
        if outcome not in self.model.checked.names:
            from docalc.dsl.check.checker import suggest
            from docalc.dsl.errors import names

            raise names.unknown_outcome(
                None, name=outcome, suggestion=suggest(outcome, self.model.checked.names)).error()
        _check_prob(hdi_prob)
        from docalc.compiler.bind.arguments import flag

        from .table_rows import is_table_path, row_batches

        flag("per_unit", per_unit)
        flag("progress", progress)
        if not is_table_path(data):
            return effect(self.draws, outcome, do, baseline, data, seed, hdi_prob, per_unit,
                          batch_size, progress, store)
        # closed however the run ends, so that the file is too
        with contextlib.closing(row_batches(data)) as chunks:
            return effect(self.draws, outcome, do, baseline, None, seed, hdi_prob, per_unit,
                          batch_size, progress, store, chunks)

    def counterfactual(self, do: DoLike, var_names: list[str] | None = None,
                       seed: int = 0, batch_size: int | None = None,
                store: str | None = None) -> xr.DataTree:
        """Return what each observed unit's values would have been under ``do``.

        Abduction: each unit's exogenous noise is recovered from its observed values under
        each posterior draw, then pushed through the intervened model. Exact for
        location-scale mechanisms and deterministic nodes; other families raise
        DocalcCounterfactualError. Returns a DataTree with group ``counterfactual``.
        """
        from docalc.compiler.results.trees import dataset, split_chains, tree
        from docalc.compiler.run.posterior_runs import scenario

        sc = scenario(self.draws, do, None, var_names, counterfactual=True)
        values = split_chains(sc.run(seed, batch_size=batch_size), sc.chains)
        attrs = {"do": "; ".join(str(i) for i in sc.checked.interventions)}
        return tree({"counterfactual": dataset(sc.checked, values, sc.coords)}, attrs)

    def query(self, name: str, seed: int = 0) -> xr.DataArray:
        """Evaluate a named query of the model text: its posterior, one value per draw."""
        from docalc.compiler.run import queries

        return queries.evaluate(self.draws, name, seed=seed)


def _check_prob(hdi_prob: Any) -> None:
    """Refuse an HDI probability outside (0, 1) before any work."""
    if isinstance(hdi_prob, bool) or not isinstance(hdi_prob, int | float) \
            or not 0 < hdi_prob < 1:
        from docalc.dsl.errors import runtime

        raise runtime.bad_hdi_prob(None, value=hdi_prob).error()
