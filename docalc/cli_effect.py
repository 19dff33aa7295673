"""``docalc effect``: the effect of one intervention against another on new units.

The posterior is a file written by ``docalc fit``; the units are a data file, run in
batches (``--batch-size``) with a progress bar over them. Without ``--per-unit`` only the
average effect per draw is kept, so memory is bounded by a batch, not by the table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from docalc.dsl.errors import DocalcDataError, files

from .cli_files import (
    NETCDF_SUFFIXES,
    check_writable,
    fit_from_posterior_file,
    load_model,
    with_file,
    write_tree,
    written,
)


def add_parser(sub: argparse._SubParsersAction,
               whole: Callable[[str], int],
               missing: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``effect`` subcommand to the ``docalc`` parser."""
    p = sub.add_parser("effect", help="the effect of one intervention against another",
                       description="The posterior of OUTCOME under --do minus under "
                                   "--baseline (default: as observed), for the units of "
                                   "--data, with the same posterior draws and random numbers "
                                   "in both. Prints the average effect's mean, sd and 94% HDI.")
    p.add_argument("model", metavar="MODEL", help="a .scm file")
    p.add_argument("--posterior", required=True, metavar="FILE",
                   help="a posterior written by `docalc fit`")
    p.add_argument("--data", metavar="FILE",
                   help="the units (.csv or .parquet); default: the fitted ones")
    p.add_argument("--do", required=True, metavar="INTERVENTION",
                   help='the intervention, e.g. "b = 1"')
    p.add_argument("--baseline", metavar="INTERVENTION",
                   help='the one it is compared with, e.g. "b = 0" (default: none)')
    p.add_argument("--outcome", metavar="NAME",
                   help="the node whose effect is asked (default: the model's outcome, the "
                        "observed node nothing observed depends on)")
    p.add_argument("--per-unit", action="store_true",
                   help="also keep each unit's effect (needs --out)")
    p.add_argument("--out", metavar="FILE",
                   help="write the effect's DataTree: FILE.nc (netCDF, held in memory first) "
                        "or FILE.zarr (written batch by batch; docalc[scale])")
    p.add_argument("--batch-size", type=whole, metavar="N",
                   help="units per batch (default: as many as keep a batch near 64 MB)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar over the batches (default: on a terminal)")
    missing(p)
    p.set_defaults(func=cmd_effect)


def cmd_effect(args: argparse.Namespace) -> int:
    """Run the effect and print its summary (and write it with ``--out``)."""
    from .cli_commands import EXIT_OK, HDI_PROB, format_table

    if args.per_unit and not args.out:
        print("docalc effect: error: --per-unit needs --out FILE.zarr or FILE.nc (one value "
              "per unit and draw is too much to print)", file=sys.stderr)
        return 2
    zarr_out = args.out is not None and args.out.endswith(".zarr")
    if zarr_out:
        from docalc.compiler.results.store import require_zarr

        require_zarr("docalc effect --out FILE.zarr")
    if args.out is not None and not zarr_out:
        check_writable(args.out, NETCDF_SUFFIXES, "a netCDF file (.nc) or a Zarr store (.zarr)")
    model = load_model(args.model, None)
    fit = fit_from_posterior_file(model, args.posterior, None, args.missing)
    outcome = args.outcome or _outcome(fit, args.model)
    # read in row batches as the run goes: the table need not fit in memory
    data = args.data
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        tree = fit.effect(outcome, args.do, args.baseline, data=data, seed=args.seed,
                          hdi_prob=HDI_PROB, per_unit=args.per_unit,
                          batch_size=args.batch_size, progress=progress,
                          store=args.out if zarr_out and args.per_unit else None)
    except DocalcDataError as exc:
        if not args.data:
            raise
        raise with_file(exc, args.data) from None
    if args.out is not None and not (zarr_out and args.per_unit):
        if zarr_out:
            with written(args.out):
                tree.to_zarr(args.out, mode="w", consolidated=False)
        else:
            write_tree(tree, args.out)
    s = tree["summary"]
    units = f"{int(tree.attrs['units']):,} units of {args.data}" if data is not None \
        else "the fitted units"
    print(f"# {args.model}: effect on {outcome} of do({args.do}) against "
          f"{f'do({args.baseline})' if args.baseline else 'no intervention'}, {units}")
    print(format_table([{"query": f"{outcome}_effect",
                         **{k: float(s[k]) for k in ("mean", "sd", "hdi_low", "hdi_high")}}]))
    return EXIT_OK


def _outcome(fit: object, path: str) -> str:
    """Return the model's one outcome, or raise an error asking for ``--outcome``."""
    from docalc.compiler.run.posterior_runs import outcomes

    found = outcomes(fit.draws.checked, fit.draws.bound.names)  # type: ignore[attr-defined]
    if len(found) != 1:
        raise files.effect_outcome(files.at_file(path),
                                   found=", ".join(found) or "none").error()
    return found[0]
