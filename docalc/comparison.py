"""``compare``: which graph fits the data better, by leave-one-out cross-validation.

The module is not named ``compare``: importing it would make ``docalc.compare`` the module.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.dsl.errors import LooWarning, runtime

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from .fit import Fit

#: Pareto k above which a unit's PSIS-LOO term is not to be trusted (Vehtari et al. 2024).
K_BAD = 0.7
#: Units a warning names at most.
SHOWN = 8


def compare(fits: Mapping[str, Fit], method: str = "stacking") -> pd.DataFrame:
    """Compare fitted models of the same data by PSIS-LOO (arviz-stats' comparison table).

    Each model's expected log pointwise predictive density (elpd) is estimated by Pareto
    smoothed importance sampling leave-one-out cross-validation, one term per unit: the
    log-likelihood of the unit's observed nodes summed (a marginalized discrete latent's
    factor included, imputed cells left out). The higher the elpd, the better the model
    predicts a unit it has not seen.

    Parameters
    ----------
    fits : dict of str to Fit
        Two or more fits, by the name the table gives them (``{"naive": fit_a,
        "confounded": fit_b}``), of the same data: the same units and observed nodes.
    method : {"stacking", "BB-pseudo-BMA", "pseudo-BMA"}
        How ``arviz_stats.compare`` weighs the models.

    Returns
    -------
    pandas.DataFrame
        One row per model, best first: ``rank``, ``elpd`` (elpd_loo), ``p`` (effective
        number of parameters), ``elpd_diff`` (to the best model), ``weight``, ``se`` (of
        elpd), ``dse`` (of elpd_diff) and ``warning`` (True where some Pareto k is high).
        A difference smaller than about twice its ``dse`` does not tell the models apart.

    Raises
    ------
    DocalcInferenceError
        Fits of different units (E915), of different observed nodes (E916) or data (E917),
        a fit without a ``log_likelihood`` group (E918), fewer than two fits or a fit with
        no term per unit (E919).

    Warns
    -----
    LooWarning
        Naming, per model, the units whose Pareto k is above 0.7: their leave-one-out
        terms rest on a few draws (often an outlier the model finds surprising).
    """
    import arviz_stats as azs

    named = _checked(fits)
    terms = {name: _terms(name, fit) for name, fit in named.items()}
    first = next(iter(named))
    for name in list(named)[1:]:
        _same_data(first, named[first], name, named[name], terms[first][1], terms[name][1])
    plate = terms[first][1]
    coords = terms[first][0][plate].to_numpy()
    elpds = {}
    for name, fit in named.items():
        total, own = terms[name]
        da = total.rename({own: plate}).assign_coords({plate: coords})
        elpds[name] = _loo(fit.posterior, da.rename("log_likelihood"))
        _warn_k(name, elpds[name].pareto_k, plate)
    with warnings.catch_warnings():
        # numpy's and pandas' notes from inside arviz-stats are not the user's to act on
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", module="arviz_stats")
        table: pd.DataFrame = azs.compare(elpds, method=method)
    return table


def _checked(fits: Any) -> dict[str, Fit]:
    from .fit import Fit

    if not isinstance(fits, Mapping):
        raise runtime.argument_type(None, argument="fits", expected="a dict of names to "
                                    "docalc.Fit", value=fits).error()
    for name, fit in fits.items():
        if not isinstance(name, str):
            raise runtime.argument_type(None, argument="fits", expected="names (strings) as "
                                        "keys", value=name).error()
        if not isinstance(fit, Fit):
            raise runtime.argument_type(None, argument=f"fits[{name!r}]",
                                        expected="a docalc.Fit", value=fit).error()
    if len(fits) < 2:
        raise runtime.compare_not_per_unit(
            None, name=", ".join(map(str, fits)) or "(none)",
            why=f"compare needs two or more fits, got {len(fits)}",
            fix='pass a dict of fits: dc.compare({"naive": fit_a, "confounded": fit_b})').error()
    return dict(fits)


def _terms(name: str, fit: Fit) -> tuple[xr.DataArray, str]:
    from docalc.compiler.run.loglik import per_unit

    if "log_likelihood" not in fit.posterior.children:
        raise runtime.compare_no_log_likelihood(
            None, name=name, fix="refit it with fit(log_likelihood=True), the default (a fit "
            "with log_likelihood=False lacks it, as does one too large for it or of a model "
            "that shifts a latent node with do())"
        ).error()
    found = per_unit(fit.posterior)
    if isinstance(found, str):
        raise runtime.compare_not_per_unit(
            None, name=name, why=found, fix="compare needs one leave-one-out term per unit: "
            "observe nodes of one plate only").error()
    return found


def _observed(fit: Fit) -> dict[str, np.ndarray]:
    tree = fit.posterior
    if "observed_data" not in tree.children:
        return {}
    return {str(k): v.to_numpy() for k, v in tree["observed_data"].to_dataset().items()}


def _same_data(first: str, a: Fit, other: str, b: Fit, plate_a: str, plate_b: str) -> None:
    """Refuse two fits of other units, observed nodes or data values."""
    units_a = a.posterior["log_likelihood"].sizes[plate_a]
    units_b = b.posterior["log_likelihood"].sizes[plate_b]
    if units_a != units_b:
        raise runtime.compare_units_differ(
            None, first=first, other=other,
            why=f"{units_a} units of plate '{plate_a}' and {units_b} of plate "
                f"'{plate_b}'").error()
    labels_a = a.posterior["log_likelihood"][plate_a].to_numpy()
    labels_b = b.posterior["log_likelihood"][plate_b].to_numpy()
    if labels_a.dtype.kind != labels_b.dtype.kind or not np.array_equal(labels_a, labels_b):
        at = _first_difference(labels_a, labels_b)
        raise runtime.compare_units_differ(
            None, first=first, other=other,
            why=f"unit {at + 1} is {labels_a[at]!r} in one and {labels_b[at]!r} in the "
                "other").error()
    obs_a, obs_b = _observed(a), _observed(b)
    if set(obs_a) != set(obs_b):
        raise runtime.compare_observed_differ(
            None, first=first, other=other, names_first=", ".join(sorted(obs_a)) or "none",
            names_other=", ".join(sorted(obs_b)) or "none").error()
    for node in sorted(obs_a):
        va, vb = np.asarray(obs_a[node]), np.asarray(obs_b[node])
        if va.shape != vb.shape or not np.array_equal(va, vb, equal_nan=va.dtype.kind == "f"):
            at = _first_difference(va.ravel(), vb.ravel())
            raise runtime.compare_data_differ(None, first=first, other=other, name=node,
                                              unit=str(labels_a[at] if at < len(labels_a)
                                                       else at)).error()


def _first_difference(a: np.ndarray, b: np.ndarray) -> int:
    n = min(len(a), len(b))
    differ = [k for k in range(n) if not _equal(a[k], b[k])]
    return differ[0] if differ else n


def _equal(x: Any, y: Any) -> bool:
    try:
        return bool(x == y) or (x != x and y != y)  # NaN in both: an imputed cell in both
    except (TypeError, ValueError):
        return False


def _loo(posterior: xr.DataTree, terms: xr.DataArray) -> Any:
    import arviz_stats as azs
    import xarray as xr

    tree = xr.DataTree.from_dict({"posterior": posterior["posterior"].to_dataset(),
                                  "log_likelihood": terms.to_dataset()})
    with warnings.catch_warnings():
        # arviz-stats' own warnings say less than the one below (which units), or are
        # numpy's about a unit whose term is the same in every draw
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*[Pp]areto.*")
        return azs.loo(tree, pointwise=True, var_name="log_likelihood")


def _warn_k(name: str, k: xr.DataArray, plate: str) -> None:
    values = k.to_numpy()
    bad = np.flatnonzero(values > K_BAD)
    if not bad.size:
        return
    labels = k[plate].to_numpy()
    order = bad[np.argsort(-values[bad], kind="stable")]
    shown = ", ".join(f"{labels[j]} (k = {values[j]:.2f})" for j in order[:SHOWN])
    more = f" and {bad.size - SHOWN} more" if bad.size > SHOWN else ""
    warnings.warn(
        f"PSIS-LOO of model '{name}' may be unreliable: Pareto k above {K_BAD} at "
        f"{bad.size} unit{'s' if bad.size != 1 else ''} of plate '{plate}': {shown}{more}. "
        "Leaving such a unit out changes the posterior a lot (often an outlier the model "
        "finds surprising); check those rows, or compare by refitting without them",
        LooWarning, stacklevel=3)
