"""The ``docalc`` command line: check, graph, simulate, fit, query and compare ``.scm`` models.

Every subcommand reads one model file (check and compare: several). Problems with the
model or the data are printed as ``FILE:LINE:COL: error: ...`` (with the source line and a
caret where there is one) and exit with status 1; command-line misuse exits with status 2
(argparse's convention); success is 0.

The argument parser and ``main`` are here; the subcommands are in cli_commands.py and the
reading and writing of files in cli_files.py.

>>> main(["check", "examples/linear.scm"])  # doctest: +SKIP
examples/linear.scm: ok (10 nodes, 1 plate, 4 queries)
0
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO

from .cli_commands import (
    EXIT_ERROR,
    EXIT_OK,
    HDI_PROB,
    cmd_check,
    cmd_compare,
    cmd_fit,
    cmd_graph,
    cmd_query,
    cmd_simulate,
    format_table,
    summarize,
)
from .cli_files import fit_from_posterior, load_model, read_data, stdout_error
from .errors import DocalcError, DocalcFileError, DocalcWarning

EXIT_USAGE = 2  # argparse's own status for a bad command line

#: Deprecated name of the errors about files (before the catalogue had codes for them).
CLIError = DocalcFileError


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


def _add_missing(p: argparse.ArgumentParser) -> None:
    p.add_argument("--missing", choices=("raise", "impute"), default="raise",
                   help="empty (NaN) cells of a stochastic node's column: an error (raise, "
                        "the default) or latents of their units, inferred with the rest "
                        "(impute); empty cells of a `data` input are an error either way")


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
    """Return the ``docalc`` argument parser with its six subcommands."""
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
    _add_missing(p)
    p.add_argument("--stages", action="store_true",
                   help="print the output of every stage (text, ast, checked IR, then the "
                        "compiler's stages) under a heading")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("graph", help="draw the causal graph (svg, png, pdf or dot)",
                       description="Draw the model's graph; with --do, the factual and the "
                                   "intervened graph side by side.")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    _add_do(p)
    p.add_argument("--data", metavar="FILE", help="mark the nodes this data observes")
    _add_missing(p)
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
    _add_missing(p)
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
    _add_missing(p)
    p.add_argument("--only", action="append", metavar="NAME",
                   help="answer only this query; may be repeated")
    _add_do(p)
    _add_sampling(p, "draws per chain, or prior draws without data (default 1000)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("compare", help="which model fits the data better (leave-one-out)",
                       description="Fit two or more models to the same data (or read their "
                                   "posteriors) and rank them by PSIS leave-one-out "
                                   "cross-validation: how well each predicts a unit it has "
                                   "not seen (arviz-stats' comparison table).")
    p.add_argument("model", nargs="+", metavar="MODEL",
                   help="two or more .scm files; the table names each by its file name")
    p.add_argument("--data", metavar="FILE",
                   help="data (.csv or .parquet) every model is fitted to; with --posterior, "
                        "default: the data saved in the posteriors")
    p.add_argument("--posterior", action="append", metavar="FILE",
                   help="a posterior written by `docalc fit`, one per MODEL in the same order "
                        "(repeat it), instead of fitting")
    _add_do(p)
    _add_missing(p)
    _add_sampling(p, "draws per chain (default 1000)")
    p.set_defaults(func=cmd_compare)

    from .cli_effect import add_parser

    add_parser(sub, _positive, _add_missing)
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
        sys.stdout.flush()  # here, where a full disk is still an error we can report
    except DocalcError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `docalc simulate ... | head`: the reader went away, not an error of ours; point
        # stdout at devnull so the interpreter's final flush does not complain either
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # every file docalc reads or writes reports its own errors; what is left is
        # standard output (`docalc check m.scm > /dev/full`)
        print(str(stdout_error(exc)), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = old
    return status


__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "CLIError", "build_parser", "fit_from_posterior",
           "format_table", "load_model", "main", "read_data", "summarize"]
