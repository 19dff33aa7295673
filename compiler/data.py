"""Data to the arrays a plan reads: validated, with plate sizes and coordinates.

Every problem names its column and rows; nothing here imports JAX.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from docalc.dsl import ast
from docalc.dsl.checker import literal_value
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import DataWarning, DocalcError, diagnostic
from docalc.dsl.ir import CheckedModel, Kind, Node
from docalc.dsl.printer import format_number
from docalc.dsl.supports import outside_support

DataLike = pd.DataFrame | Mapping[str, Any]


@dataclass(frozen=True)
class Bound:
    """Validated data: arrays by node name, plate sizes, and coordinates per plate."""

    columns: Mapping[str, np.ndarray]
    sizes: Mapping[str, int]
    coords: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def names(self) -> frozenset[str]:
        """The node names that have values."""
        return frozenset(self.columns)


def data_error(detail: str, hint: str | None = None) -> DocalcError:
    """Return a DocalcDataError from the catalogue."""
    d = diagnostic("E900", None, detail=detail, hint=hint)
    return d.kind([d])


def _rows(mask: np.ndarray, index: pd.Index | None = None, most: int = 5) -> str:
    where = np.flatnonzero(mask)
    labels = [str(index[k]) if index is not None else str(k) for k in where[:most]]
    more = f" and {len(where) - most} more" if len(where) > most else ""
    return ", ".join(labels) + more


def _as_columns(data: DataLike) -> tuple[dict[str, Any], pd.Index | None]:
    if isinstance(data, pd.DataFrame):
        if data.columns.duplicated().any():
            dup = list(data.columns[data.columns.duplicated()])
            raise data_error(f"duplicate column names: {', '.join(map(str, dup))}")
        return {str(c): data[c] for c in data.columns}, data.index
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}, None
    raise data_error(f"data must be a pandas DataFrame or a dict of arrays, got "
                     f"{type(data).__name__}")


def bind(model: CheckedModel, data: DataLike | None, *, n: int | None = None,
         require_inputs: bool = True, what: str = "data",
         fixed_sizes: Mapping[str, int] | None = None,
         known_labels: Mapping[str, list[Any]] | None = None) -> Bound:
    """Validate ``data`` against ``model`` and return arrays, plate sizes and coords.

    Parameters
    ----------
    model : CheckedModel
    data : DataFrame or dict or None
        Columns named after nodes. Globals take scalars (dict only).
    n : int, optional
        Size of every plate not sized by data or by the model.
    require_inputs : bool
        Whether every ``data`` input column must be present.
    fixed_sizes : mapping, optional
        Plate sizes that must be kept (e.g. the group plates of a fit).
    known_labels : mapping, optional
        Labels of group plates already factorized (by a fit): new data must use them.
    """
    if n is not None and (isinstance(n, bool) or not float(n).is_integer() or int(n) < 1):
        raise data_error(f"n must be a positive whole number of units, got {n!r}")
    cols, index = _as_columns(data) if data is not None else ({}, None)
    nodes = {nd.name: nd for nd in model.nodes}
    unknown = [c for c in cols if c not in nodes]
    if unknown:
        warnings.warn(f"{what} columns not in the model are ignored: {', '.join(unknown)}",
                      DataWarning, stacklevel=3)
    sizes: dict[str, int] = {p.name: p.size for p in model.plates if p.size is not None}
    sizes.update(fixed_sizes or {})
    coords: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    lengths: dict[str, list[tuple[str, int]]] = {}
    for name, raw in cols.items():
        node = nodes.get(name)
        if node is None:
            continue
        arr = _to_array(name, raw, node)
        if node.plate is None:
            if arr.ndim != 0 and arr.size != 1:
                raise data_error(f"column '{name}': '{name}' is global (one value per model) "
                                 f"but {arr.size} values were given",
                                 hint=f"give a single number for '{name}'")
            arr = arr.reshape(())
        elif arr.ndim != 1:
            raise data_error(f"column '{name}' must be one-dimensional, got shape {arr.shape}")
        else:
            lengths.setdefault(node.plate, []).append((name, len(arr)))
        out[name] = arr
    for plate, lens in lengths.items():
        distinct = {length for _, length in lens}
        if len(distinct) > 1:
            detail = ", ".join(f"{c}: {length}" for c, length in lens)
            raise data_error(f"columns of plate '{plate}' have different lengths ({detail})",
                             hint="every column of a plate has one value per unit")
        length = distinct.pop()
        if length == 0:
            raise data_error(f"plate '{plate}' has no rows: its columns "
                             f"({', '.join(c for c, _ in lens)}) are empty",
                             hint="give at least one row of data")
        if plate in sizes and sizes[plate] != length:
            raise data_error(f"plate '{plate}' has {sizes[plate]} units but its columns "
                             f"({', '.join(c for c, _ in lens)}) have {length} rows")
        sizes[plate] = length
        # the index labels the units (and error messages name rows by it); only the
        # default 0..n-1 range carries no information
        if index is not None and not (isinstance(index, pd.RangeIndex) and index.start == 0
                                      and index.step == 1):
            coords[plate] = np.asarray(index)
    # index columns: factorize labels, check codes, size the group plate
    for name, node in nodes.items():
        if node.index_of is None or name not in out:
            continue
        group = node.index_of
        codes, labels = _codes(name, out[name], index, (known_labels or {}).get(group))
        k = sizes.get(group)
        if labels is not None:
            if k is not None and len(labels) > k:
                raise data_error(f"column '{name}' has {len(labels)} distinct labels but plate "
                                 f"'{group}' has {k} units")
            k = k if k is not None else len(labels)
            coords.setdefault(group, _pad_labels(group, labels, k))
        else:
            k = k if k is not None else int(codes.max()) + 1 if codes.size else 0
            bad = (codes < 0) | (codes >= k)
            if bad.any():
                raise data_error(f"column '{name}' indexes plate '{group}' of {k} units, but "
                                 f"rows {_rows(bad, index)} hold codes outside 0..{k - 1}",
                                 hint="index codes run from 0 to the group size minus one; "
                                      "or give labels, which are factorized")
        sizes[group] = k
        out[name] = codes
    unsized = [p.name for p in model.plates if p.name not in sizes]
    if n is not None and not model.plates:
        raise data_error(f"n={n} but the model has no plate, so there are no units to count",
                         hint="leave n out: a model of globals only has one value per node")
    if n is not None and not unsized and not lengths:
        raise data_error(f"n={n} sizes no plate: every plate of the model has a fixed size "
                         f"({', '.join(f'{p}[{k}]' for p, k in sizes.items())})",
                         hint="leave n out")
    if n is not None and not unsized:
        # n sizes no plate here, so a disagreement with the data would be dropped silently
        wrong = {p: sizes[p] for p in lengths if sizes[p] != int(n)}
        if wrong:
            plate, rows = next(iter(wrong.items()))
            raise data_error(f"n={n} but {what} gives {rows} rows for plate '{plate}'",
                             hint="leave n out (the data sizes the plate) or make them agree")
    for plate in unsized:
        if n is not None:
            sizes[plate] = int(n)
    if require_inputs:
        missing = [nd.name for nd in model.nodes
                   if nd.kind is Kind.DATA and nd.name not in out
                   and not _replaced(model, nd.name)]
        if missing:
            raise data_error(f"{what} is missing column(s) {', '.join(missing)}, declared as "
                             "`data` in the model", hint="add the column(s) to the data")
    for p in model.plates:
        if p.name not in sizes:
            raise data_error(f"plate '{p.name}' has no size",
                             hint=f"give {what} with a column of plate '{p.name}', n=... when "
                                  f"simulating, or a fixed size `plate {p.name}[N]`")
    for name, arr in out.items():
        _check_support(model, nodes[name], arr, index, out)
    return Bound(out, sizes, coords)


def _replaced(model: CheckedModel, name: str) -> bool:
    """Whether a do() gives the node a value that does not read its own (factual) value."""
    iv = model.intervention(name)
    return iv is not None and iv.kind != "shift"


def _pad_labels(group: str, labels: list[Any], k: int) -> np.ndarray:
    """Return the labels as coordinates of all ``k`` units, naming the unseen ones."""
    if len(labels) == k:
        return np.asarray(labels)
    # units no row names still get a coordinate, e.g. school[2]; new data may use it
    taken = set(labels)
    extra = []
    for pos in range(len(labels), k):
        label = f"{group}[{pos}]"
        while label in taken:
            label = "_" + label
        extra.append(label)
    if all(isinstance(v, str) for v in labels):
        return np.asarray(labels + extra)
    return np.asarray(labels + extra, dtype=object)


def _to_array(name: str, raw: Any, node: Node) -> np.ndarray:
    if node.index_of is not None:
        arr = np.asarray(raw)
        if arr.dtype.kind in "OUSb" or isinstance(getattr(raw, "dtype", None), pd.CategoricalDtype):
            return np.asarray(raw, dtype=object)
    if isinstance(raw, pd.Series) and isinstance(raw.dtype, pd.CategoricalDtype):
        raise data_error(f"column '{name}' is categorical; '{name}' needs numbers",
                         hint="encode categories as integer codes")
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        sample = next((v for v in np.ravel(np.asarray(raw, dtype=object))
                       if not _is_number(v)), None)
        raise data_error(f"column '{name}' holds non-numeric values (e.g. {sample!r})",
                         hint=f"'{name}' needs numbers; encode labels as codes") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        kind = "NaN" if np.isnan(arr).any() else "inf"
        idx = raw.index if isinstance(raw, pd.Series) else None
        raise data_error(f"column '{name}' has {kind} values in rows {_rows(bad.ravel(), idx)}",
                         hint="drop or impute those rows; docalc does not model missing values")
    _check_range(name, arr, node, raw)
    return arr


def _check_range(name: str, arr: np.ndarray, node: Node, raw: Any) -> None:
    # values the compiled model's dtype cannot hold would overflow to inf or wrap around
    dtype = dtype_for(node)
    info = np.iinfo(dtype) if dtype is np.int32 else np.finfo(dtype)
    bad = (arr < info.min) | (arr > info.max)
    if bad.any():
        idx = raw.index if isinstance(raw, pd.Series) else None
        kind = "a 32-bit integer" if dtype is np.int32 else "a 32-bit float"
        raise data_error(f"column '{name}' has values too large for {kind} in rows "
                         f"{_rows(bad.ravel(), idx)}",
                         hint=f"the model stores '{name}' as {kind} (at most "
                              f"{info.max:.3g} in size); rescale the column")


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _codes(name: str, arr: np.ndarray, index: pd.Index | None,
           known: list[Any] | None = None) -> tuple[np.ndarray, Any]:
    if arr.dtype == object:
        if pd.isna(pd.Series(arr)).any():
            raise data_error(f"column '{name}' has missing labels in rows "
                             f"{_rows(pd.isna(pd.Series(arr)).to_numpy(), index)}")
        if known is not None:
            lookup = {label: k for k, label in enumerate(known)}
            codes = np.array([lookup.get(v, -1) for v in arr], dtype=np.int32)
            if (codes < 0).any():
                raise data_error(f"column '{name}' has labels the fit never saw in rows "
                                 f"{_rows(codes < 0, index)}",
                                 hint=f"known labels: {', '.join(map(str, known))}")
            return codes, list(known)
        found, labels = pd.factorize(pd.Series(arr), sort=False)
        return np.asarray(found, dtype=np.int32), list(labels)
    if (arr != np.round(arr)).any():
        raise data_error(f"index column '{name}' holds non-integer codes in rows "
                         f"{_rows(arr != np.round(arr), index)}")
    return arr.astype(np.int32), None


def _check_support(model: CheckedModel, node: Node, arr: np.ndarray,
                   index: pd.Index | None, given: Mapping[str, np.ndarray]) -> None:
    if node.dist is None or node.index_of is not None:
        return
    spec = DISTRIBUTIONS[node.dist.name]
    constraint = spec.support
    # compare as the model will: 0.9999999999 is 1.0 in float32, outside Beta's support
    # (integers stay float64 here so that 2.5 is still seen as no count)
    stored: Any = np.float32 if dtype_for(node) is np.float32 else np.float64
    flat = np.asarray(np.ravel(arr), dtype=stored)
    words = CONSTRAINTS[constraint]
    low = high = None
    if constraint == "interval":
        lo_name, hi_name = (p.name for p in spec.params[:2])
        low, lo_words = _limit(model, node, lo_name, given, stored)
        high, hi_words = _limit(model, node, hi_name, given, stored)
        if low is not None or high is not None:
            words = (f"between {lo_words} and {hi_words}" if low is not None and high is not None
                     else f"at least {lo_words}" if low is not None else f"at most {hi_words}")
    elif spec.lookup("total_count") is not None:
        high, hi_words = _limit(model, node, "total_count", given, stored)
        words += f", at most {hi_words}" if high is not None else ""
    bad = outside_support(constraint, flat, low=low, high=high)
    if constraint == "category":
        probs = node.dist.arg("probs") or node.dist.arg("logits")
        k = len(getattr(probs, "items", ())) or None
        if k is not None:
            bad |= flat >= k
    if bad.any():
        rows = _rows(bad, index if node.plate is not None else None)
        hint = f"'{node.name} ~ {node.dist.name}' cannot produce these values"
        if not outside_support(constraint, np.ravel(arr), low=low, high=high)[bad].any():
            hint = ("these values round onto a bound in 32-bit floats, which the model "
                    "computes in; move them further inside")
        raise data_error(f"column '{node.name}' has values outside the support of "
                         f"{node.dist.name} ({words}) in rows {rows}", hint=hint)


def _limit(model: CheckedModel, node: Node, param: str, given: Mapping[str, np.ndarray],
           stored: Any) -> tuple[np.ndarray | None, str]:
    """Return a bound of the support known before sampling, and words for messages.

    Known are literals and data columns (one bound per row); a latent or computed bound
    is only known while sampling, so it is None here.
    """
    assert node.dist is not None
    expr = node.dist.arg(param)
    if expr is None:
        return None, param
    value = literal_value(expr)
    if value is not None:
        return np.asarray(value, dtype=stored), f"{param}={format_number(value)}"
    if not isinstance(expr, ast.Name) or expr.id not in given:
        return None, param
    source = model.node(expr.id)
    if source.index_of is not None or model.intervention(source.name) is not None:
        return None, param
    where = " of the same row" if source.plate is not None else ""
    return np.asarray(given[source.name], dtype=stored), f"{param}='{source.name}'{where}"


def dtype_for(node: Node) -> Any:
    """Return the NumPy dtype a node's values are stored with (integers for discrete nodes)."""
    if node.index_of is not None:
        return np.int32
    if node.dist is not None and DISTRIBUTIONS[node.dist.name].discrete:
        return np.int32
    return np.float32


def as_arrays(model: CheckedModel, bound: Bound) -> dict[str, np.ndarray]:
    """Return the bound columns cast to the dtypes the compiled model expects."""
    return {k: np.asarray(v, dtype=dtype_for(model.node(k))) for k, v in bound.columns.items()}
