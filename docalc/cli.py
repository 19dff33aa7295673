"""The ``docalc`` command line: check, graph, simulate, fit and query ``.scm`` models.

Every subcommand reads one model file. Problems with the model or the data are printed as
``FILE:LINE:COL: error: ...`` (with the source line and a caret where there is one) and exit
with status 1; command-line misuse exits with status 2 (argparse's convention); success is 0.

>>> main(["check", "examples/linear.scm"])  # doctest: +SKIP
examples/linear.scm: ok (10 nodes, 1 plate, 4 queries)
0
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from .errors import DocalcDataError, DocalcError, DocalcWarning

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from .fit import Fit
    from .model import Model

EXIT_OK = 0
EXIT_ERROR = 1  # the model, the data or an output file is at fault
EXIT_USAGE = 2  # argparse's own status for a bad command line

HDI_PROB = 0.94

PARQUET_SUFFIXES = (".parquet", ".pq")
NETCDF_SUFFIXES = (".nc", ".nc4")
DELIMITED = {".csv": ",", ".txt": ",", ".tsv": "\t"}


class CLIError(Exception):
    """A problem with an input or output file, reported as ``PATH: error: WHY``.

    Kept apart from :class:`DocalcError` because these errors have no place in a model's
    text, only a file name.
    """

    def __init__(self, path: str | Path, why: str, hint: str | None = None) -> None:
        self.path = str(path)
        self.why = why
        self.hint = hint
        text = f"{self.path}: error: {why}"
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)


# -- inputs -------------------------------------------------------------------------------
def load_model(path: str, do: Sequence[str] | None = None) -> Model:
    """Load and check a model file, then apply the ``--do`` interventions.

    Raises
    ------
    CLIError
        When the file does not exist or is a directory.
    DocalcError
        Every problem of the model text, or of the interventions.

    """
    from .model import load

    p = Path(path)
    # checked here so the message is the plain `FILE: error: no such file` whatever the
    # loader's wording; unreadable files still go through the loader's own message
    if not p.exists():
        raise CLIError(path, "no such file")
    if p.is_dir():
        raise CLIError(path, "is a directory, not a model file")
    model = load(p)
    if do:
        # several --do options add up, as several do() statements in a file do
        model = model.do(", ".join(do))
    return model


def read_data(path: str) -> pd.DataFrame:
    """Read a data table from CSV (``.csv``, ``.txt``, ``.tsv``) or Parquet (``.parquet``).

    Raises
    ------
    CLIError
        A missing or unreadable file, an unknown suffix, or a file pandas cannot parse; the
        message names the file.

    """
    import pandas as pd

    p = Path(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise CLIError(path, "no such file")
    if p.is_dir():
        raise CLIError(path, "is a directory, not a data file")
    if suffix not in PARQUET_SUFFIXES and suffix not in DELIMITED:
        raise CLIError(path, f"cannot tell the data format from the suffix {suffix!r}",
                       hint="use a .csv, .tsv or .parquet file")
    try:
        if suffix in PARQUET_SUFFIXES:
            return pd.read_parquet(p)
        return pd.read_csv(p, sep=DELIMITED[suffix])
    except ImportError as exc:
        raise CLIError(path, f"reading Parquet needs pyarrow ({exc})",
                       hint="pip install 'docalc[parquet]'") from None
    except pd.errors.EmptyDataError:
        raise CLIError(path, "the file is empty") from None
    except UnicodeDecodeError as exc:
        raise CLIError(path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (pd.errors.ParserError, ValueError) as exc:
        # ParserError: ragged rows; ValueError: pyarrow's ArrowInvalid for a bad Parquet file
        raise CLIError(path, f"cannot be read as a table: {_one_line(exc)}") from None
    except OSError as exc:
        raise CLIError(path, exc.strerror or "cannot be read") from None


def observe(model: Model, data_path: str) -> Model:
    """Bind the data file to the model, naming the file in any data error."""
    df = read_data(data_path)
    try:
        return model.observe(df)
    except DocalcDataError as exc:
        raise _with_file(exc, data_path) from None


def load_posterior(path: str) -> xr.DataTree:
    """Read a posterior written by ``docalc fit`` (netCDF) fully into memory."""
    import xarray as xr

    p = Path(path)
    if not p.exists():
        raise CLIError(path, "no such file")
    if p.is_dir():
        raise CLIError(path, "is a directory, not a posterior file")
    try:
        with xr.open_datatree(p) as tree:
            # load before the file closes: the Fit keeps using the arrays afterwards
            loaded = tree.load()
    except ValueError:
        # xarray's "no backend matched" text lists engines; the user needs less
        raise CLIError(path, "is not a netCDF file",
                       hint="write one with `docalc fit MODEL --data DATA -o posterior.nc`") \
            from None
    except OSError as exc:
        raise CLIError(path, f"cannot be read as a netCDF posterior: {_one_line(exc)}",
                       hint="write one with `docalc fit MODEL --data DATA -o posterior.nc`") \
            from None
    if "posterior" not in loaded.children:
        raise CLIError(path, "has no 'posterior' group",
                       hint="write one with `docalc fit MODEL --data DATA -o posterior.nc`")
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
    CLIError
        When the posterior's variables or plate sizes do not match the model and its data.

    """
    from .fit import Fit

    bound = model._bound
    if bound is None:  # pragma: no cover - callers observe first
        raise CLIError(path, "the model has no data to pair with the posterior")
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
        raise CLIError(path, f"the posterior has variables the model lacks: "
                             f"{', '.join(unknown)}; it was fitted to another model",
                       _REFIT)


_REFIT = "refit: `docalc fit MODEL --data DATA -o POSTERIOR`"


def _check_posterior(model: Model, tree: xr.DataTree, path: str) -> None:
    from docalc.compiler.fitting import latent_steps
    from docalc.compiler.run_plan import inference_plan
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
        raise CLIError(path, f"the posterior lacks the model's latent variables: "
                             f"{', '.join(missing)}; it was fitted to another model or data",
                       _REFIT)
    for dim_, size in post.sizes.items():
        dim = str(dim_)
        if dim in bound.sizes and bound.sizes[dim] != size:
            raise CLIError(path, f"plate '{dim}' has {size} units in the posterior but "
                                 f"{bound.sizes[dim]} in the data", _REFIT)


# -- outputs ------------------------------------------------------------------------------
def write_table(df: pd.DataFrame, out: str | None) -> None:
    """Write a DataFrame as CSV (stdout when ``out`` is None) or Parquet, by suffix."""
    if out is None:
        df.to_csv(sys.stdout, index=False)
        return
    p = Path(out)
    suffix = p.suffix.lower()
    try:
        if suffix in PARQUET_SUFFIXES:
            df.to_parquet(p, index=False)
        elif suffix in DELIMITED:
            df.to_csv(p, index=False, sep=DELIMITED[suffix])
        else:
            raise CLIError(out, f"cannot tell the output format from the suffix {suffix!r}",
                           hint="use .csv, .tsv or .parquet")
    except ImportError as exc:
        raise CLIError(out, f"writing Parquet needs pyarrow ({exc})",
                       hint="pip install 'docalc[parquet]'") from None
    except OSError as exc:
        raise CLIError(out, f"cannot be written: {exc.strerror or exc}") from None


def summarize(values: np.ndarray, prob: float = HDI_PROB) -> dict[str, float]:
    """Mean, sd and the highest-density interval of a sample (all axes pooled).

    The HDI is arviz-stats', the one ``Fit.summary`` and ``Fit.effect`` report.
    """
    from docalc.compiler.effects import hdi

    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"mean": math.nan, "sd": math.nan, "hdi_low": math.nan, "hdi_high": math.nan}
    if x.size == 1:
        v = float(x[0])
        return {"mean": v, "sd": 0.0, "hdi_low": v, "hdi_high": v}
    lo, hi = hdi(x, prob)
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)), "hdi_low": lo, "hdi_high": hi}


def format_table(rows: Sequence[dict[str, Any]], prob: float = HDI_PROB) -> str:
    """Format query summaries as an aligned text table."""
    pct = round(100 * prob)
    lo, hi = f"hdi_{(100 - pct) / 2:g}%", f"hdi_{100 - (100 - pct) / 2:g}%"
    header = ["query", "mean", "sd", lo, hi]
    body = [[str(r["query"]), *(_num(r[k]) for k in ("mean", "sd", "hdi_low", "hdi_high"))]
            for r in rows]
    widths = [max(len(row[c]) for row in [header, *body]) for c in range(len(header))]
    lines = []
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:],
                                                                         strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _num(v: float) -> str:
    return "nan" if math.isnan(v) else f"{v:.4g}"


# -- subcommands ------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    """Check model files (and optionally interventions and data); report each."""
    status = EXIT_OK
    for path in args.model:
        try:
            model = load_model(path, args.do)
            if args.data:
                model = observe(model, args.data)
        except (DocalcError, CLIError) as exc:
            print(str(exc), file=sys.stderr)
            status = EXIT_ERROR
            continue
        checked = model.checked
        nplates, nq = len(checked.plates), len(model.queries)
        print(f"{path}: ok ({len(checked.nodes)} nodes, {nplates} plate"
              f"{'s' if nplates != 1 else ''}, {nq} quer{'ies' if nq != 1 else 'y'})")
    return status


def cmd_graph(args: argparse.Namespace) -> int:
    """Draw the model's graph, side by side with the intervened one under ``--do``."""
    from docalc.widgets.render import draw, write

    model = load_model(args.model, args.do)
    if args.data:
        model = observe(model, args.data)
    digraph = draw(model)
    if args.output is None:
        print(digraph.source, end="")
    else:
        write(digraph, args.output)
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    """Simulate one data set from the (intervened) model and write it as a table."""
    model = load_model(args.model, args.do)
    data = read_data(args.data) if args.data else None
    try:
        df = model.simulate(n=args.n, seed=args.seed, data=data)
    except DocalcDataError as exc:
        raise (_with_file(exc, args.data) if args.data else exc) from None
    if not args.deterministic:
        # a deterministic column cannot be observed (fitting refuses it), so leaving them
        # out makes the output ready for `docalc fit`
        from docalc.dsl.ir import Kind

        derived = [n.name for n in model.checked.nodes
                   if n.kind is Kind.DETERMINISTIC and n.name in df.columns
                   and model.checked.intervention(n.name) is None]
        df = df.drop(columns=derived)
    write_table(df, args.output)
    return EXIT_OK


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the model to data, print a summary and write the posterior as netCDF."""
    if args.output is not None:
        _check_writable(args.output, NETCDF_SUFFIXES, "a netCDF posterior (.nc)")
    model = observe(load_model(args.model, args.do), args.data)
    fit = _fit(model, args)
    if args.output is not None:
        try:
            fit.posterior.to_netcdf(args.output)
        except OSError as exc:
            raise CLIError(args.output, f"cannot be written: {exc.strerror or exc}") from None
    import pandas as pd

    post = fit.posterior["posterior"].to_dataset()
    scalar = [str(k) for k, v in post.data_vars.items() if set(v.dims) <= {"chain", "draw"}]
    hidden = [str(k) for k in post.data_vars if str(k) not in scalar]
    # one row per unit would bury the parameters: show the globals unless asked for all
    var_names = None if args.all or not scalar else scalar
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(fit.summary(var_names=var_names).to_string(float_format=_num))
    if hidden and var_names is not None:
        print(f"(unit-level variables not shown: {', '.join(hidden)}; pass --all)",
              file=sys.stderr)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Evaluate every named query (or those named by ``--only``) and print a table."""
    model = load_model(args.model, args.do)
    names = list(args.only or model.queries)
    if not names:
        raise CLIError(args.model, "the model has no queries",
                       hint="add one, e.g. `query ate = E[y | do(x = 1)] - E[y | do(x = 0)]`")
    fit: Fit | None = None
    if args.posterior:
        tree = load_posterior(args.posterior)
        check_posterior_names(model, tree, args.posterior)
        if args.data:
            model = observe(model, args.data)
        else:
            # the data the posterior was fitted to travel inside it
            try:
                model = model.observe(data_from_posterior(tree))
            except DocalcDataError as exc:
                raise _with_file(exc, args.posterior) from None
        fit = fit_from_posterior(model, tree, args.posterior)
        source = f"posterior {args.posterior}"
    elif args.data:
        fit = _fit(observe(model, args.data), args)
        source = f"posterior of {args.data}"
    else:
        source = "prior (no data)"
    evaluate: Callable[[str], Any]
    if fit is not None:
        post = fit.posterior["posterior"]
        source += f" ({post.sizes.get('chain', 1)} chains x {post.sizes.get('draw', 0)} draws)"
        evaluate = partial(fit.query, seed=args.seed)
    else:
        evaluate = partial(model.query, draws=args.draws, seed=args.seed)
    rows, failed = [], []
    for name in names:
        try:
            rows.append({"query": name, **summarize(np.asarray(evaluate(name)))})
        except DocalcError as exc:
            # one unanswerable query should not hide the answers to the others
            failed.append(exc)
    if rows:
        print(f"# {args.model}: {len(rows)} quer{'ies' if len(rows) != 1 else 'y'}, {source}")
        print(format_table(rows))
    for err in failed:
        print(str(err), file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def _fit(model: Model, args: argparse.Namespace) -> Fit:
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    return model.fit(method=args.method, chains=args.chains, tune=args.tune, draws=args.draws,
                     seed=args.seed, target_accept=args.target_accept, steps=args.steps,
                     progress=progress)


# -- plumbing ---------------------------------------------------------------------------------
def _with_file(exc: DocalcError, path: str) -> DocalcError:
    """Prefix the file name to a data error's place-less lines (``error: ...``)."""
    lines = [f"{path}: {line}" if line.startswith("error:") else line
             for line in str(exc).splitlines()]
    new = type(exc)(exc.diagnostics)
    new.args = ("\n".join(lines),)
    return new


def _check_writable(out: str, suffixes: tuple[str, ...], what: str) -> None:
    """Refuse an output path before the work, not after minutes of sampling."""
    p = Path(out)
    if p.suffix.lower() not in suffixes:
        raise CLIError(out, f"is not a name for {what}",
                       hint=f"use a file name ending in {' or '.join(suffixes)}")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise CLIError(out, f"cannot be written: no folder {str(folder)!r}")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise CLIError(out, "cannot be written: permission denied")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _whole(minimum: int, below: int | None = None) -> Callable[[str], int]:
    """Return an argparse type for whole numbers from ``minimum`` up to ``below`` (excluded)."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {v}")
        if below is not None and v >= below:
            raise argparse.ArgumentTypeError(f"must be below {below}, got {v}")
        return v

    return parse


_positive = _whole(1)
_nonnegative = _whole(0)
_seed = _whole(0, 2**32)  # JAX keys take 32-bit seeds


def _add_do(p: argparse.ArgumentParser) -> None:
    p.add_argument("--do", action="append", metavar="TEXT",
                   help='interventions in the language, e.g. "b = 0" or "b = 5 * b, c = 1"; '
                        "may be repeated")


def _add_sampling(p: argparse.ArgumentParser, draws_help: str) -> None:
    g = p.add_argument_group("inference")
    g.add_argument("--method", choices=("nuts", "svi"), default="nuts",
                   help="NUTS (default) or stochastic variational inference")
    g.add_argument("--chains", metavar="N", type=_positive, default=4,
                   help="NUTS chains (default 4)")
    g.add_argument("--tune", metavar="N", type=_nonnegative, default=1000,
                   help="NUTS warm-up draws per chain (default 1000)")
    g.add_argument("--draws", metavar="N", type=_positive, default=1000, help=draws_help)
    g.add_argument("--target-accept", metavar="P", type=float, default=0.8,
                   help="NUTS target acceptance rate (default 0.8)")
    g.add_argument("--steps", metavar="N", type=_positive, default=5000,
                   help="SVI steps (default 5000)")
    g.add_argument("--seed", metavar="N", type=_seed, default=0, help="random seed (default 0)")
    g.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: when stderr is a terminal)")


def build_parser() -> argparse.ArgumentParser:
    """Return the ``docalc`` argument parser with its five subcommands."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="docalc",
        description="Structural causal models in a small text language: check them, draw "
                    "them, simulate from them, fit them to data, and answer their queries.",
        epilog="Exit status: 0 ok, 1 an error in the model, the data or a file, 2 bad usage.",
    )
    parser.add_argument("--version", action="version", version=f"docalc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("check", help="check model files and report every problem",
                       description="Parse and check model files; print FILE:LINE:COL: error: "
                                   "... with the line and a caret for every problem.")
    p.add_argument("model", nargs="+", metavar="MODEL", help="one or more .scm files")
    _add_do(p)
    p.add_argument("--data", metavar="FILE", help="also check a data file against the model")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("graph", help="draw the causal graph (svg, png, pdf or dot)",
                       description="Draw the model's graph; with --do, the factual and the "
                                   "intervened graph side by side.")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    _add_do(p)
    p.add_argument("--data", metavar="FILE", help="mark the nodes this data observes")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="output file; its suffix (.svg, .png, .pdf, .dot) picks the format; "
                        "default: DOT source on stdout")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("simulate", help="simulate a data set from the model",
                       description="Draw one data set (one row per unit) from the model, "
                                   "intervened by --do if given.")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    p.add_argument("--n", type=_positive, metavar="N",
                   help="number of units (rows); not needed when --data or fixed plates size "
                        "the model")
    _add_do(p)
    p.add_argument("--data", metavar="FILE", help="input columns (the model's `data` nodes)")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--deterministic", action="store_true",
                   help="also write deterministic nodes (left out by default, since a fit "
                        "cannot observe them)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="output file (.csv, .tsv or .parquet); default: CSV on stdout")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("fit", help="fit the model to data and save the posterior",
                       description="Infer the model's unobserved nodes from data (NUTS by "
                                   "default), print a summary, and write the posterior as "
                                   "netCDF (readable by xarray.open_datatree and ArviZ).")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    p.add_argument("--data", required=True, metavar="FILE", help="data (.csv or .parquet)")
    _add_do(p)
    p.add_argument("-o", "--output", metavar="FILE", help="posterior file to write (.nc)")
    p.add_argument("--all", action="store_true",
                   help="summarise unit-level variables too (default: the globals only)")
    _add_sampling(p, "draws per chain (default 1000)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("query", help="answer the model's named queries",
                       description="Evaluate every `query` of the model and print a table "
                                   f"(mean, sd, {round(100 * HDI_PROB)}% HDI). With --posterior "
                                   "the saved posterior is used; with --data only, the model "
                                   "is fitted first; with neither, queries are evaluated under "
                                   "the prior.")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    p.add_argument("--data", metavar="FILE",
                   help="data (.csv or .parquet); with --posterior, default: the data saved "
                        "in the posterior")
    p.add_argument("--posterior", metavar="FILE", help="a posterior written by `docalc fit`")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="answer only this query; may be repeated")
    _add_do(p)
    _add_sampling(p, "draws per chain, or prior draws without data (default 1000)")
    p.set_defaults(func=cmd_query)
    return parser


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    # docalc's warnings are messages for the user, not for a developer: no source location
    if issubclass(category, DocalcWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``docalc`` command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 for an error in the model, the data or a file, 2 for bad usage
        (argparse exits with 2 itself).

    """
    args = build_parser().parse_args(argv)
    old = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        status: int = args.func(args)
    except (DocalcError, CLIError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `docalc simulate ... | head`: the reader went away, not an error of ours; point
        # stdout at devnull so the interpreter's final flush does not complain either
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = old
    return status


__all__ = ["CLIError", "build_parser", "fit_from_posterior", "load_model", "main", "read_data"]
