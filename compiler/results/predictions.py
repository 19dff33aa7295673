"""Posterior predictions under an intervention, held in memory or written to a store.

The units run in batches (:mod:`docalc.compiler.run.unit_batches`); new units may come as a
table's row batches too (``chunks``, each indexed by its rows' global numbers), so neither
the table nor the predictions need fit in memory when they go to a Zarr store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from docalc.compiler.results.draws import Draws
from docalc.compiler.results.trees import dataset, split_chains, tree
from docalc.compiler.run.posterior_runs import scenario


def predict(source: Draws, do: Any, data: Any, var_names: Any, seed: int,
            batch_size: int | None = None, store: Any = None,
            chunks: Iterable[Any] | None = None) -> xr.DataTree:
    """Return the DataTree of ``Fit.predict`` (group ``predictions``); see its docstring."""
    tables = iter(chunks if chunks is not None else [data])
    sc = scenario(source, do, next(tables), var_names)
    attrs = {"do": "; ".join(str(i) for i in sc.checked.interventions)}
    if store is None and chunks is None:
        values = split_chains(sc.run(seed, batch_size=batch_size), sc.chains)
        return tree({"predictions": dataset(sc.checked, values, sc.coords)}, attrs)
    if chunks is not None and sc.plate is None:
        from docalc.compiler.results.effects import _not_row_batches

        _not_row_batches(sc, "")
    sink = None
    if store is not None:
        from docalc.compiler.results.store import ZarrStore

        # a table read in row batches has its units numbered by row: no labels to keep
        coords = {k: v for k, v in sc.coords.items() if chunks is None or k != sc.plate}
        sink = ZarrStore(store, "predictions", sc.checked, coords, sc.chains, sc.plate)
    parts: list[dict[str, np.ndarray]] = []
    while True:
        for start, stop, part in sc.batches(seed, batch_size=batch_size):
            if sink is not None:
                sink.write(sc.first + start, sc.first + stop, part)
            else:
                parts.append(part)
        more = next(tables, None)
        if more is None:
            break
        sc = scenario(source, do, more, var_names,
                      first=sc.first + sc.plan.size.get(sc.plate or "", 0))
    if sink is not None:
        return sink.finish(attrs=attrs)
    values = {k: np.concatenate([p[k] for p in parts], axis=1)
              if parts[0][k].ndim >= 2 and sc.checked.node(k).plate == sc.plate
              else parts[0][k] for k in parts[0]}
    coords = {k: v for k, v in sc.coords.items() if k != sc.plate}
    return tree({"predictions": dataset(sc.checked, split_chains(values, sc.chains), coords)},
                attrs)
