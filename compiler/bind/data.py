"""Data to the arrays a plan reads: validated, with plate sizes and coordinates.

Every problem names its column and rows; nothing here imports JAX.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from docalc.compiler.bind.missing import MISSING, MISSING_KEY, UNOBSERVED, check_imputable
from docalc.dsl import ast
from docalc.dsl.check.checker import literal_value
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS
from docalc.dsl.errors import DataWarning
from docalc.dsl.errors import data as errors
from docalc.dsl.errors.hints import suggest
from docalc.dsl.ir import CheckedModel, Kind, Node
from docalc.dsl.printer import format_number
from docalc.dsl.supports import outside_support

DataLike = pd.DataFrame | Mapping[str, Any]



@dataclass(frozen=True)
class Bound:
    """Validated data: arrays by node name, plate sizes, and coordinates per plate.

    ``missing`` maps each node whose column has NaN cells to impute (``missing="impute"``)
    to their positions (sorted, int32); its column keeps NaN there. The coordinates then
    also label each such node's imputed cells (``<node>_unobserved_dim_0``: the labels of
    their units).
    """

    columns: Mapping[str, np.ndarray]
    sizes: Mapping[str, int]
    coords: Mapping[str, np.ndarray] = field(default_factory=dict)
    missing: Mapping[str, np.ndarray] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    """Globals whose one value was NaN under ``missing="impute"``: latent, no column."""

    @property
    def names(self) -> frozenset[str]:
        """The node names that have values."""
        return frozenset(self.columns)

    @property
    def imputed(self) -> dict[str, int]:
        """The number of imputed cells per node (only nodes that have some)."""
        return {k: int(v.size) for k, v in self.missing.items()}

    def partly_observed(self, name: str) -> bool:
        """Whether ``name`` has a column with some cells imputed (observed in the others)."""
        return name in self.missing


def _rows(mask: np.ndarray, index: pd.Index | None = None, most: int = 5) -> str:
    where = np.flatnonzero(mask)
    labels = [str(index[k]) if index is not None else str(k) for k in where[:most]]
    more = f" and {len(where) - most} more" if len(where) > most else ""
    return ", ".join(labels) + more


def _as_columns(data: DataLike) -> tuple[dict[str, Any], pd.Index | None]:
    if isinstance(data, pd.DataFrame):
        if data.columns.duplicated().any():
            dup = list(data.columns[data.columns.duplicated()])
            raise errors.duplicate_columns(None, names=", ".join(map(str, dup))).error()
        return {str(c): data[c] for c in data.columns}, data.index
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}, None
    raise errors.data_type(None, got=type(data).__name__).error()


def bind(model: CheckedModel, data: DataLike | None, *, n: int | None = None,
         require_inputs: bool = True, what: str = "data",
         fixed_sizes: Mapping[str, int] | None = None,
         known_labels: Mapping[str, list[Any]] | None = None,
         missing: str = "raise") -> Bound:
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
    missing : {"raise", "impute"}
        NaN cells of a stochastic node's column: an error (E962), or latents of their units
        (``Bound.missing``). NaN in a ``data`` input is an error either way (E989), and
        in the column of a discrete node of unbounded support (Poisson) too (E988).
    """
    if not isinstance(missing, str) or missing not in MISSING:
        raise errors.bad_missing(None, value=missing,
                                 options=", ".join(map(repr, MISSING))).error()
    if n is not None and (isinstance(n, bool) or not isinstance(n, numbers.Real)
                          or not float(n).is_integer() or int(n) < 1):
        # a string "5" is refused as seed="5" is: the API takes numbers
        raise errors.bad_n(None, n=n).error()
    cols, index = _as_columns(data) if data is not None else ({}, None)
    nodes = {nd.name: nd for nd in model.nodes}
    cols = _strip_names(cols, nodes, what)
    unknown = [c for c in cols if c not in nodes]
    if unknown:
        # a misspelt column leaves its node without data: name the node it was meant for
        free = [nd.name for nd in model.nodes if nd.name not in cols]
        shown = [f"'{c}' ({hint})" if (hint := suggest(c, free)) else f"'{c}'"
                 for c in unknown]
        warnings.warn(f"{what} columns not in the model are ignored: {', '.join(shown)}",
                      DataWarning, stacklevel=3)
    sizes: dict[str, int] = {p.name: p.size for p in model.plates if p.size is not None}
    sizes.update(fixed_sizes or {})
    coords: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    lengths: dict[str, list[tuple[str, int]]] = {}
    holes: dict[str, np.ndarray] = {}
    dropped: list[str] = []
    for name, raw in cols.items():
        node = nodes.get(name)
        if node is None:
            continue
        arr = _to_array(name, raw, node, missing)
        if arr.dtype.kind == "f" and np.isnan(arr).any():  # (labels are objects)
            if node.plate is None:
                dropped.append(name)  # a global's one value missing: a latent like any other
                continue
            holes[name] = np.flatnonzero(np.isnan(np.ravel(arr))).astype(np.int32)
        if node.plate is None:
            if arr.ndim != 0 and arr.size != 1:
                raise errors.global_column(None, name=name, size=arr.size).error()
            arr = arr.reshape(())
        elif arr.ndim != 1:
            raise errors.not_one_dimensional(None, name=name, shape=arr.shape).error()
        else:
            lengths.setdefault(node.plate, []).append((name, len(arr)))
        out[name] = arr
    for plate, lens in lengths.items():
        distinct = {length for _, length in lens}
        if len(distinct) > 1:
            detail = ", ".join(f"{c}: {length}" for c, length in lens)
            raise errors.lengths_differ(None, plate=plate, lengths=detail).error()
        length = distinct.pop()
        if length == 0:
            raise errors.empty_plate(None, plate=plate,
                                     columns=", ".join(c for c, _ in lens)).error()
        if plate in sizes and sizes[plate] != length:
            raise errors.plate_size_mismatch(None, plate=plate, size=sizes[plate],
                                             columns=", ".join(c for c, _ in lens),
                                             rows=length).error()
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
                raise errors.too_many_labels(None, name=name, labels=len(labels), plate=group,
                                             size=k).error()
            k = k if k is not None else len(labels)
            coords.setdefault(group, _pad_labels(group, labels, k))
        else:
            sized = k is not None
            k = k if k is not None else int(codes.max()) + 1 if codes.size else 0
            bad = (codes < 0) | (codes >= k)
            if bad.any():
                raise errors.codes_out_of_range(None, name=name, plate=group, size=k,
                                                rows=_rows(bad, index), last=k - 1).error()
            if not sized:
                _warn_empty_groups(name, group, codes, k)
        sizes[group] = k
        out[name] = codes
    unsized = [p.name for p in model.plates if p.name not in sizes]
    if n is not None and not model.plates:
        raise errors.n_without_plate(None, n=n).error()
    if n is not None and not unsized and not lengths:
        raise errors.n_sizes_no_plate(
            None, n=n, sizes=", ".join(f"{p}[{k}]" for p, k in sizes.items())).error()
    if n is not None and not unsized:
        # n sizes no plate here, so a disagreement with the data would be dropped silently
        wrong = {p: sizes[p] for p in lengths if sizes[p] != int(n)}
        if wrong:
            plate, rows = next(iter(wrong.items()))
            raise errors.n_disagrees(None, n=n, what=what, rows=rows, plate=plate).error()
    for plate in unsized:
        if n is not None:
            sizes[plate] = int(n)
    if require_inputs:
        absent = [nd.name for nd in model.nodes
                  if nd.kind is Kind.DATA and nd.name not in out
                  and not _replaced(model, nd.name)]
        if absent:
            raise errors.missing_columns(None, what=what, names=", ".join(absent)).error()
    for p in model.plates:
        if p.name not in sizes:
            raise errors.unsized_plate(None, plate=p.name, what=what).error()
    for name, arr in out.items():
        _check_support(model, nodes[name], arr, index, out)
    for name, where in holes.items():
        units = coords.get(nodes[name].plate or "")
        coords[UNOBSERVED.format(name) + "_dim_0"] = \
            np.asarray(units)[where] if units is not None else where.astype(np.int64)
    return Bound(out, sizes, coords, holes, tuple(dropped))


def _strip_names(cols: dict[str, Any], nodes: Mapping[str, Node],
                 what: str) -> dict[str, Any]:
    """Read a column named ' y' (a CSV header ``x, y``) as node 'y', and say so."""
    out: dict[str, Any] = {}
    renamed = []
    for c, v in cols.items():
        bare = c.strip()
        if bare != c and c not in nodes and bare in nodes and bare not in cols:
            renamed.append(f"{c!r} as '{bare}'")
            c = bare
        out[c] = v
    if renamed:
        warnings.warn(f"{what} column names have spaces around them; read {', '.join(renamed)}"
                      " (a CSV header `x, y` gives ' y'; write `x,y`)", DataWarning,
                      stacklevel=4)
    return out


def _warn_empty_groups(name: str, group: str, codes: np.ndarray, k: int) -> None:
    """Warn when integer codes size a group plate that some groups have no row of.

    Codes run from 0: codes 1..K make K + 1 groups, group 0 with no data, whose
    parameters the fit then draws from the prior without a word.
    """
    used = np.unique(codes)
    if len(used) == k:
        return
    empty = np.setdiff1d(np.arange(min(k, 10**6)), used)[:5]
    listed = ", ".join(map(str, empty)) + (" and more" if k - len(used) > len(empty) else "")
    one_based = int(used[0]) == 1 and int(used[-1]) == len(used)
    why = (f"codes run from 0, so codes 1..{len(used)} leave group 0 empty: subtract 1"
           if one_based else "those groups have no row, so the data say nothing of them")
    m = k - len(used)
    warnings.warn(f"index column '{name}': {m} of the {k} groups of plate '{group}' "
                  f"{'has' if m == 1 else 'have'} no rows (group {listed}); {why}", DataWarning,
                  stacklevel=4)


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


def _to_array(name: str, raw: Any, node: Node, missing: str = "raise") -> np.ndarray:
    if node.index_of is not None:
        arr = np.asarray(raw)
        if arr.dtype.kind in "OUSb" or isinstance(getattr(raw, "dtype", None), pd.CategoricalDtype):
            return np.asarray(raw, dtype=object)
    if isinstance(raw, pd.Series) and isinstance(raw.dtype, pd.CategoricalDtype):
        raise errors.categorical_column(None, name=name).error()
    kind = getattr(getattr(raw, "dtype", None), "kind", None) or np.asarray(raw).dtype.kind
    if kind in "cmM":
        # complex numbers would lose their imaginary part, dates become nanoseconds: both
        # silently, as floats
        first = np.ravel(np.asarray(raw, dtype=object))[:1]
        raise errors.non_numeric(None, name=name,
                                 sample=first[0] if first.size else None).error()
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        sample = next((v for v in np.ravel(np.asarray(raw, dtype=object))
                       if not _is_number(v)), None)
        raise errors.non_numeric(None, name=name, sample=sample).error() from None
    idx = raw.index if isinstance(raw, pd.Series) else None
    if np.isinf(arr).any():
        raise errors.non_finite(None, name=name, kind="inf", rows=_rows(np.isinf(arr).ravel(), idx),
                                input=node.kind is Kind.DATA).error()
    nan = np.isnan(arr)
    if nan.any():
        check_imputable(node, missing, _rows(nan.ravel(), idx))
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
        raise errors.too_large(None, name=name, kind=kind, rows=_rows(bad.ravel(), idx),
                               largest=float(info.max)).error()


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
            raise errors.missing_labels(
                None, name=name, rows=_rows(pd.isna(pd.Series(arr)).to_numpy(), index)).error()
        if known is not None:
            lookup = {label: k for k, label in enumerate(known)}
            codes = np.array([lookup.get(v, -1) for v in arr], dtype=np.int32)
            if (codes < 0).any():
                raise errors.unseen_labels(None, name=name, rows=_rows(codes < 0, index),
                                           known=", ".join(map(str, known))).error()
            return codes, list(known)
        found, labels = pd.factorize(pd.Series(arr), sort=False)
        return np.asarray(found, dtype=np.int32), list(labels)
    if (arr != np.round(arr)).any():
        raise errors.non_integer_codes(None, name=name,
                                       rows=_rows(arr != np.round(arr), index)).error()
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
    # imputed cells (NaN) are outside no support; a bound given per row is compared with
    # the rows of the known cells only
    known = ~np.isnan(flat)
    flat = np.where(known, flat, 0)
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
    bad = outside_support(constraint, flat, low=low, high=high) & known
    if constraint == "category":
        probs = node.dist.arg("probs") or node.dist.arg("logits")
        k = len(getattr(probs, "items", ())) or None
        if k is not None:
            bad |= flat >= k
    if bad.any():
        rows = _rows(bad, index if node.plate is not None else None)
        rounded = not outside_support(constraint, np.where(known, np.ravel(arr), 0), low=low,
                                      high=high)[bad].any()
        raise errors.outside_support(None, name=node.name, dist=node.dist.name,
                                     constraint=words, rows=rows, rounded=rounded).error()


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
    """Return the bound columns cast to the dtypes the compiled model expects.

    A node with imputed cells also gets their positions, under ``MISSING_KEY`` (the
    NumPyro model samples them, ``step_eval.Sites``; forward runs read the node's values
    from the posterior draws instead, ``draws.Draws.values``).
    """
    out = {}
    for k, v in bound.columns.items():
        dtype = dtype_for(model.node(k))
        if dtype is np.int32 and k in bound.missing:
            # a discrete node's missing cells hold 0 (NaN has no integer): the model reads
            # its values at the observed cells only
            v = np.where(np.isnan(np.asarray(v, dtype=np.float64)), 0, v)
        out[k] = np.asarray(v, dtype=dtype)
    out.update({MISSING_KEY.format(k): v for k, v in bound.missing.items()})
    return out

