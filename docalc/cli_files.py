"""The files of the ``docalc`` command: models, data tables and posteriors in, tables out.

Every problem with a file is a :class:`DocalcFileError` whose place is the file's path, so
it prints as ``PATH: error: WHY``; a data error is printed with the data file's name.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
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
#: Bytes of a data file read into memory at most (``DOCALC_MAX_FILE_BYTES`` moves it).
MAX_FILE_BYTES = 2**31


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
    with table_errors(path):
        source = _bounded(p, path)
        if suffix in PARQUET_SUFFIXES:
            return pd.read_parquet(source)
        return pd.read_csv(source, sep=DELIMITED[suffix])


@contextlib.contextmanager
def table_errors(path: str) -> Iterator[None]:
    """Turn what pandas and pyarrow raise on reading ``path`` into docalc's file errors."""
    import pandas as pd

    at = files.at_file(path)
    try:
        yield
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


def max_file_bytes() -> int:
    """Return the limit on a data file's size (``DOCALC_MAX_FILE_BYTES``, default 2 GiB)."""
    text = os.environ.get("DOCALC_MAX_FILE_BYTES", "").strip().replace("_", "")
    return int(text) if text.isdigit() and int(text) > 0 else MAX_FILE_BYTES


def _bounded(p: Path, path: str) -> Path | io.BytesIO:
    """Return the file to parse, refused when larger than :func:`max_file_bytes`.

    A regular file is measured; a device or a pipe (``/dev/zero``, ``<(cmd)``) has no
    size, so at most the limit is read from it, into memory, and more is refused.
    """
    limit = max_file_bytes()
    if p.is_file():
        if p.stat().st_size > limit:
            raise files.file_too_large(files.at_file(path), limit=limit).error()
        return p
    buf = io.BytesIO()
    with p.open("rb") as f:
        while chunk := f.read(min(1 << 20, limit + 1 - buf.tell())):
            buf.write(chunk)
            if buf.tell() > limit:
                raise files.file_too_large(files.at_file(path), limit=limit).error()
    buf.seek(0)
    return buf


def observe(model: Model, data_path: str, missing: str = "raise") -> Model:
    """Bind the data file to the model, naming the file in any data error.

    ``missing`` is ``Model.observe``'s (``--missing``).
    """
    df = read_data(data_path)
    try:
        return model.observe(df, missing=missing)
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


def imputed_in(tree: xr.DataTree) -> bool:
    """Whether a saved posterior holds imputed cells (it was fitted with missing="impute")."""
    from docalc.compiler.bind.missing import UNOBSERVED

    suffix = UNOBSERVED.format("")
    return any(str(k).endswith(suffix) for k in tree["posterior"].to_dataset().data_vars)


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
        When the posterior's variables or plate sizes do not match the model and its data,
        or the data differ from those saved in the posterior (E018: column and rows).

    """
    from docalc.compiler.bind.data_notes import compare_with_saved

    from .fit import Fit

    bound = model._bound
    assert bound is not None, "observe the model first"
    check_posterior_names(model, tree, path)
    # before the latents and sizes: other data is the cause of either mismatch, if any
    compare_with_saved(model.checked, bound, data_from_posterior(tree), path)
    _check_posterior(model, tree, path)
    return Fit(model, tree, bound)


def fit_from_posterior_file(model: Model, path: str, data_path: str | None,
                            missing: str = "raise") -> Fit:
    """Read a posterior file and rebuild its :class:`docalc.Fit` for the (unobserved) model.

    The data are those of ``data_path`` when given, else the ones saved in the posterior.
    ``missing`` is ``--missing``; a posterior fitted with imputed cells is read with them
    imputed.
    """
    tree = load_posterior(path)
    check_posterior_names(model, tree, path)
    missing = "impute" if imputed_in(tree) else missing
    if data_path:
        model = observe(model, data_path, missing)
    else:
        # the data the posterior was fitted to travel inside it
        try:
            model = model.observe(data_from_posterior(tree), missing=missing)
        except DocalcDataError as exc:
            raise with_file(exc, path) from None
    return fit_from_posterior(model, tree, path)


def check_posterior_names(model: Model, tree: xr.DataTree, path: str) -> None:
    """Refuse a posterior with variables the model does not define.

    Done before binding the data saved in the posterior, so that a posterior of another
    model is reported as such rather than as a confusing data error.
    """
    from docalc.compiler.bind.missing import UNOBSERVED
    from docalc.compiler.plan.enumeration import probs_name

    have = {str(k) for k in tree["posterior"].to_dataset().data_vars}
    names = {n.name for n in model.checked.nodes}
    # a node's imputed cells (observe(missing="impute")) are <node>_unobserved; a
    # marginalized discrete latent's value probabilities are <node>__probs (a discrete
    # node's imputed cells' are <node>_unobserved__probs)
    unknown = sorted(have - names - {UNOBSERVED.format(k) for k in names}
                     - {probs_name(k) for k in names}
                     - {probs_name(UNOBSERVED.format(k)) for k in names})
    if unknown:
        raise files.posterior_of_other_model(files.at_file(path),
                                             names=", ".join(unknown)).error()


def _check_posterior(model: Model, tree: xr.DataTree, path: str) -> None:
    from docalc.compiler.bind.missing import UNOBSERVED
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
    need |= {UNOBSERVED.format(k) for k in bound.missing}
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
    """Write a DataFrame as CSV (stdout when ``out`` is None) or Parquet, by suffix.

    Raises
    ------
    DocalcFileError
        For an unknown suffix, or a file the system refuses to write (no folder,
        permission, a full disk); a file left half-written is removed.

    """
    if out is None:
        try:
            df.to_csv(sys.stdout, index=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # the reader went away (`| head`): cli.main ends quietly
        except OSError as exc:
            raise stdout_error(exc) from None
        return
    p = Path(out)
    at = files.at_file(out)
    suffix = check_table_output(out)
    with written(out):
        try:
            if suffix in PARQUET_SUFFIXES:
                df.to_parquet(p, index=False)
            else:
                df.to_csv(p, index=False, sep=DELIMITED[suffix])
        except ImportError as exc:
            raise files.parquet_missing(at, action="writing", why=str(exc)).error() from None


def check_table_output(out: str) -> str:
    """Refuse a table output path before the work (suffix, folder, permission); its suffix."""
    suffix = Path(out).suffix.lower()
    if suffix not in PARQUET_SUFFIXES and suffix not in DELIMITED:
        raise files.unknown_output_format(files.at_file(out), suffix=suffix).error()
    check_writable(out, (suffix,), "a table")
    return suffix


def write_posterior(fit: Fit, out: str) -> None:
    """Write a fit's posterior as netCDF.

    Raises
    ------
    DocalcFileError
        For a file the system refuses to write; a file left half-written is removed.

    """
    write_tree(fit.posterior, out)


def write_tree(tree: xr.DataTree, out: str) -> None:
    """Write a DataTree as netCDF (a half-written file is removed; see ``written``)."""
    with written(out):
        tree.to_netcdf(out)


@contextlib.contextmanager
def written(out: str) -> Iterator[None]:
    """Turn the system's refusal to write ``out`` into E016, removing what was half written."""
    p = Path(out)
    existed = p.exists() or p.is_symlink()
    try:
        yield
    except OSError as exc:
        # a truncated table or posterior left behind would read as a complete one later
        if not existed and p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
        raise files.cannot_write(files.at_file(out), why=_why(exc)).error() from None


def _why(exc: OSError) -> str:
    # HDF5's messages run to several lines of internals; the errno's words are enough
    if exc.errno:
        return os.strerror(exc.errno)
    return one_line(exc)


def stdout_error(exc: OSError) -> DocalcError:
    """Return the error for standard output that cannot be written (``> /dev/full``).

    Standard output is pointed at the null device, so that the interpreter's last flush
    of what is still buffered does not fail again on the way out.
    """
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return files.cannot_write(files.at_file("<stdout>"), why=_why(exc)).error()


def check_writable(out: str, suffixes: tuple[str, ...], what: str) -> None:
    """Refuse an output path before the work, not after minutes of sampling."""
    p = Path(out)
    at = files.at_file(out)
    if p.suffix.lower() not in suffixes:
        raise files.wrong_output_suffix(at, what=what, suffixes=" or ".join(suffixes)).error()
    if p.is_dir():
        raise files.is_a_directory(at, what=f"file to write {what} to").error()
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
