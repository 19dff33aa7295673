"""What data bound to a model leave unsaid: latent unit nodes, replaced inputs, other data.

Each is legitimate on purpose and a silent wrong answer by mistake, so the user is told:
a unit-level stochastic node with no column is inferred per unit (LatentWarning), and
so are the NaN cells of a column under ``missing="impute"`` (LatentWarning, with the
count per column: :func:`warn_imputed`); a ``data`` input that a ``do()`` replaces
ignores its column (DataWarning). Data given with a saved posterior must be the data it
was fitted to (:func:`compare_with_saved`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from docalc.compiler.bind.data import Bound, _rows
from docalc.compiler.bind.missing import UNOBSERVED
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import DataWarning, LatentWarning, files
from docalc.dsl.ir import CheckedModel, Kind


def group_plates(checked: CheckedModel) -> set[str]:
    """Return the plates an index column points into (groups such as schools)."""
    return {n.index_of for n in checked.nodes if n.index_of is not None}


def _fixed(checked: CheckedModel, name: str) -> bool:
    """Whether a do() gives the node a value without reading its factual one."""
    iv = checked.intervention(name)
    return iv is not None and iv.kind == "set"


def latent_units(checked: CheckedModel, observed: Iterable[str]) -> list[str]:
    """Return the unit-level stochastic nodes without data: inferred per unit, not observed.

    Globals and the nodes of group plates are parameters (inferred by design); a node a
    ``do()`` fixes has no value to infer.
    """
    observed = set(observed)
    groups = group_plates(checked)
    return [n.name for n in checked.nodes
            if n.kind is Kind.STOCHASTIC and n.plate is not None and n.plate not in groups
            and n.name not in observed and not _fixed(checked, n.name)]


def warn_unobserved(checked: CheckedModel, bound: Bound, stacklevel: int = 3) -> None:
    """Warn about replaced input columns and about latent unit nodes (see the module doc).

    Only when some column of the data is for a stochastic node: data of inputs alone are
    refused by ``fit`` (E953), and a model that is only simulated has no latent nodes.
    """
    for name in sorted(bound.names, key=checked.names.index):
        iv = checked.intervention(name)
        if checked.node(name).kind is not Kind.DATA or iv is None or iv.kind == "shift":
            continue  # (a shift reads the column: it is the factual value)
        warnings.warn(f"column '{name}' is not used: do({iv}) replaces the data input "
                      f"'{name}', so every unit gets the intervened value; drop the do() to "
                      "use the column, or the column to silence this", DataWarning,
                      stacklevel=stacklevel)
    if not any(checked.node(k).kind is Kind.STOCHASTIC for k in bound.names):
        return
    latent = latent_units(checked, bound.names)
    if latent:
        listed = ", ".join(f"'{n}'" for n in latent)
        warnings.warn(f"no data column for {listed}: inferred per unit as latent "
                      f"node{'s' if len(latent) > 1 else ''}, not observed (if a column was "
                      "meant, check its name)", LatentWarning, stacklevel=stacklevel)


def warn_imputed(checked: CheckedModel, bound: Bound, stacklevel: int = 3) -> None:
    """Say, per column, how many NaN cells ``missing="impute"`` made latents (LatentWarning).

    One warning for all columns, in the model's order; none when no cell is imputed.
    """
    from docalc.compiler.plan.enumeration import probs_name

    total = {k: len(bound.columns[k]) for k in bound.missing}

    def where(k: str) -> str:
        dist = checked.node(k).dist
        if dist is not None and DISTRIBUTIONS[dist.name].discrete:
            # (a discrete node's cells are summed out, their probabilities kept)
            return f"summed out exactly; posterior variables '{UNOBSERVED.format(k)}', " \
                   f"'{probs_name(UNOBSERVED.format(k))}'"
        return f"posterior variable '{UNOBSERVED.format(k)}'"

    parts = [f"'{k}' {bound.missing[k].size} of {total[k]} cells ({where(k)})"
             for k in sorted(bound.missing, key=checked.names.index)]
    parts += [f"'{k}' its one value (a global: posterior variable '{k}')"
              for k in bound.dropped]
    if parts:
        warnings.warn(f"missing values imputed (inferred as latents of their units): "
                      f"{'; '.join(parts)}", LatentWarning, stacklevel=stacklevel)


def compare_with_saved(checked: CheckedModel, bound: Bound, saved: Mapping[str, np.ndarray],
                       path: str) -> None:
    """Refuse data that are not the data a saved posterior was fitted to.

    ``saved`` holds the posterior file's observed and constant data (index columns as
    codes); the bound data must have the same columns with the same values, compared as
    the model stores them (32-bit).

    Raises
    ------
    DocalcFileError
        E018, naming the first column that differs, and its rows.
    """
    if not saved:
        return  # a posterior written without its data: nothing to compare
    have = set(bound.names)
    missing = sorted(set(saved) - have)
    extra = sorted(have - set(saved))
    problem = None
    if missing:
        problem = f"column(s) {', '.join(map(repr, missing))} of the fit are missing"
    elif extra:
        problem = f"column(s) {', '.join(map(repr, extra))} were not in the fit's data"
    for name in checked.names:
        if problem is not None:
            break
        if name not in saved:
            continue
        new = np.asarray(bound.columns[name], dtype=np.float32)
        old = np.asarray(saved[name], dtype=np.float32)
        if new.shape != old.shape:
            problem = f"column '{name}' has {new.size} values, the fit's {old.size}"
        elif (differ := ~((new == old) | (np.isnan(new) & np.isnan(old)))).any():
            index = bound.coords.get(checked.node(name).plate or "")
            rows = _rows(np.ravel(differ), None if index is None else pd.Index(index))
            problem = f"column '{name}' differs in rows {rows}"
    if problem is not None:
        raise files.posterior_data_differ(files.at_file(path), what=problem).error()

