"""The files of the ``docalc`` command: models, data tables and posteriors in, tables out.

Every problem with a file is a :class:`DocalcFileError` whose place is the file's path, so
it prints as ``PATH: error: WHY``; a data error is printed with the data file's name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from docalc.dsl.errors import DocalcDataError, DocalcError, files

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from .fit import Fit
    from .model import Model

PARQUET_SUFFIXES = (".parquet", ".pq")
NETCDF_SUFFIXES = (".nc", ".nc4")
DELIMITED = {".csv": ",", ".txt": ",", ".tsv": "\t"}


def existing_file(path: str, what: str) -> Path:
    """Return the path of an input file, refused when it is missing or a folder (``what`` it is)."""
    p = Path(path)
    # checked here so the message is the plain `FILE: error: no such file` whatever the
    # reader's wording; unreadable files still go through the reader's own message
    if not p.exists():
        raise files.no_such_file(files.at_file(path)).error()
    if p.is_dir():
        raise files.is_a_directory(files.at_file(path), what=what).error()
    return p


# -- inputs -------------------------------------------------------------------------------
def load_model(path: str, do: Sequence[str] | None = None) -> Model:
    """Load and check a model file, then apply the ``--do`` interventions.

    Raises
    ------
    DocalcFileError
        When the file does not exist or is a directory.
    DocalcError
        Every problem of the model text, or of the interventions.

    """
    from .model import load

    model = load(existing_file(path, "model file"))
    if do:
        # several --do options add up, as several do() statements in a file do
        model = model.do(", ".join(do))
    return model


def read_data(path: str) -> pd.DataFrame:
    """Read a data table from CSV (``.csv``, ``.txt``, ``.tsv``) or Parquet (``.parquet``).

    Raises
    ------
    DocalcFileError
        A missing or unreadable file, an unknown suffix, or a file pandas cannot parse; the
        message names the file.

    """
    import pandas as pd

    p = existing_file(path, "data file")
    at = files.at_file(path)
    suffix = p.suffix.lower()
    if suffix not in PARQUET_SUFFIXES and suffix not in DELIMITED:
        raise files.unknown_data_format(at, suffix=suffix).error()
    try:
        if suffix in PARQUET_SUFFIXES:
            return pd.read_parquet(p)
        return pd.read_csv(p, sep=DELIMITED[suffix])
    except ImportError as exc:
        raise files.parquet_missing(at, action="reading", why=str(exc)).error() from None
    except pd.errors.EmptyDataError:
        raise files.empty_file(at).error() from None
    except UnicodeDecodeError as exc:
        raise files.not_utf8(at, reason=exc.reason, byte=exc.start).error() from None
    except (pd.errors.ParserError, ValueError) as exc:
        # ParserError: ragged rows; ValueError: pyarrow's ArrowInvalid for a bad Parquet file
        raise files.not_a_table(at, why=one_line(exc)).error() from None
    except OSError as exc:
        raise files.unreadable(at, why=exc.strerror or "cannot be read").error() from None


def observe(model: Model, data_path: str) -> Model:
    """Bind the data file to the model, naming the file in any data error."""
    df = read_data(data_path)
    try:
        return model.observe(df)
    except DocalcDataError as exc:
        raise with_file(exc, data_path) from None


def load_posterior(path: str) -> xr.DataTree:
    """Read a posterior written by ``docalc fit`` (netCDF) fully into memory."""
    import xarray as xr

    p = existing_file(path, "posterior file")
    at = files.at_file(path)
    try:
        with xr.open_datatree(p) as tree:
            # load before the file closes: the Fit keeps using the arrays afterwards
            loaded = tree.load()
    except ValueError:
        # xarray's "no backend matched" text lists engines; the user needs less
        raise files.not_netcdf(at).error() from None
    except OSError as exc:
        raise files.unreadable_posterior(at, why=one_line(exc)).error() from None
    if "posterior" not in loaded.children:
        raise files.no_posterior_group(at).error()
    return loaded


def data_from_posterior(tree: xr.DataTree) -> dict[str, np.ndarray]:
    """Return the data a posterior was fitted to (its observed and constant data groups).

    Index columns come back as integer codes, which the binder accepts as well as labels.
    """
    data: dict[str, np.ndarray] = {}
    for group in ("observed_data", "constant_data"):
        if group in tree.children:
            ds = tree[group].to_dataset()
            data.update({str(k): v.to_numpy() for k, v in ds.data_vars.items()})
    return data


def fit_from_posterior(model: Model, tree: xr.DataTree, path: str = "posterior") -> Fit:
    """Rebuild a :class:`docalc.Fit` from a saved posterior, without refitting.

    Parameters
    ----------
    model : Model
        The observed model (``load(...).observe(data)``) the posterior belongs to.
    tree : xarray.DataTree
        The posterior as ``docalc fit`` wrote it.
    path : str
        The posterior's file name, for messages.

    Raises
    ------
    DocalcFileError
        When the posterior's variables or plate sizes do not match the model and its data.

    """
    from .fit import Fit

    bound = model._bound
    assert bound is not None, "observe the model first"
    _check_posterior(model, tree, path)
    return Fit(model, tree, bound)


def check_posterior_names(model: Model, tree: xr.DataTree, path: str) -> None:
    """Refuse a posterior with variables the model does not define.

    Done before binding the data saved in the posterior, so that a posterior of another
    model is reported as such rather than as a confusing data error.
    """
    have = {str(k) for k in tree["posterior"].to_dataset().data_vars}
    unknown = sorted(have - {n.name for n in model.checked.nodes})
    if unknown:
        raise files.posterior_of_other_model(files.at_file(path),
                                             names=", ".join(unknown)).error()


def _check_posterior(model: Model, tree: xr.DataTree, path: str) -> None:
    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.run.fitting import latent_steps
    from docalc.dsl.ir import Kind

    check_posterior_names(model, tree, path)
    checked = model.checked
    bound = model._bound
    assert bound is not None
    post = tree["posterior"].to_dataset()
    have = {str(k) for k in post.data_vars}
    observed = {k for k in bound.names if checked.node(k).kind is not Kind.DATA}
    plan = inference_plan(checked, bound.sizes, observed)
    # the nodes a fit must have inferred: exactly what `runs.fit` calls latent
    need = {st.name for st in latent_steps(plan)}
    missing = sorted(need - have)
    if missing:
        raise files.posterior_lacks_latents(files.at_file(path),
                                            names=", ".join(missing)).error()
    for dim_, size in post.sizes.items():
        dim = str(dim_)
        if dim in bound.sizes and bound.sizes[dim] != size:
            raise files.posterior_size_mismatch(files.at_file(path), plate=dim, size=size,
                                                rows=bound.sizes[dim]).error()


# -- outputs ------------------------------------------------------------------------------
def write_table(df: pd.DataFrame, out: str | None) -> None:
    """Write a DataFrame as CSV (stdout when ``out`` is None) or Parquet, by suffix."""
    if out is None:
        df.to_csv(sys.stdout, index=False)
        return
    p = Path(out)
    at = files.at_file(out)
    suffix = p.suffix.lower()
    try:
        if suffix in PARQUET_SUFFIXES:
            df.to_parquet(p, index=False)
        elif suffix in DELIMITED:
            df.to_csv(p, index=False, sep=DELIMITED[suffix])
        else:
            raise files.unknown_output_format(at, suffix=suffix).error()
    except ImportError as exc:
        raise files.parquet_missing(at, action="writing", why=str(exc)).error() from None
    except OSError as exc:
        raise files.cannot_write(at, why=str(exc.strerror or exc)).error() from None


def write_posterior(fit: Fit, out: str) -> None:
    """Write a fit's posterior as netCDF."""
    try:
        fit.posterior.to_netcdf(out)
    except OSError as exc:
        raise files.cannot_write(files.at_file(out), why=str(exc.strerror or exc)).error() \
            from None


def check_writable(out: str, suffixes: tuple[str, ...], what: str) -> None:
    """Refuse an output path before the work, not after minutes of sampling."""
    p = Path(out)
    at = files.at_file(out)
    if p.suffix.lower() not in suffixes:
        raise files.wrong_output_suffix(at, what=what, suffixes=" or ".join(suffixes)).error()
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise files.cannot_write(at, why=f"no folder {str(folder)!r}").error()
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise files.cannot_write(at, why="permission denied").error()


def with_file(exc: DocalcError, path: str) -> DocalcError:
    """Prefix the file name to a data error's place-less lines (``error: ...``)."""
    lines = [f"{path}: {line}" if line.startswith("error:") else line
             for line in str(exc).splitlines()]
    new = type(exc)(exc.diagnostics)
    new.args = ("\n".join(lines),)
    return new


def one_line(exc: BaseException) -> str:
    """Return the first line of an exception's message (its class name if it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
