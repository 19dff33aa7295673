"""The subcommands of ``docalc``: check (and ``--stages``), graph, simulate, fit, query, compare.

Each takes the parsed arguments and returns the exit status; errors are raised as
:class:`DocalcError` and printed by ``docalc.cli.main``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.dsl.errors import DocalcDataError, DocalcError, files, interventions

from .cli_files import (
    NETCDF_SUFFIXES,
    check_table_output,
    check_writable,
    fit_from_posterior_file,
    load_model,
    observe,
    read_data,
    with_file,
    write_posterior,
    write_table,
)

if TYPE_CHECKING:
    from .fit import Fit
    from .model import Model

EXIT_OK = 0
EXIT_ERROR = 1  # the model, the data or an output file is at fault
HDI_PROB = 0.94
COMPILER_DRIVER = "docalc.compiler.driver"  # its stage_texts prints the compiler's stages


def summarize(values: np.ndarray, prob: float = HDI_PROB) -> dict[str, float]:
    """Mean, sd and the highest-density interval of a sample (all axes pooled).

    The HDI is arviz-stats', the one ``Fit.summary`` and ``Fit.effect`` report.
    """
    from docalc.compiler.results.effects import hdi

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
        if args.stages:
            if len(args.model) > 1:
                print(f"# {path}")
            try:
                print_stages(path, args.do, args.data)
            except DocalcError as exc:
                print(str(exc), file=sys.stderr)
                status = EXIT_ERROR
            continue
        try:
            model = load_model(path, args.do)
            if args.data:
                model = observe(model, args.data, args.missing)
        except DocalcError as exc:
            print(str(exc), file=sys.stderr)
            status = EXIT_ERROR
            continue
        checked = model.checked
        nplates, nq = len(checked.plates), len(model.queries)
        line = f"{path}: ok ({len(checked.nodes)} nodes, {nplates} plate" \
               f"{'s' if nplates != 1 else ''}, {nq} quer{'ies' if nq != 1 else 'y'})"
        if args.data:
            from docalc.compiler.bind.data_notes import latent_units

            # "ok" must not hide that a misspelt column made its node latent
            latent = latent_units(checked, model.observed_names)
            if latent:
                line += f"; inferred per unit, not observed: {', '.join(latent)}"
        print(line)
    return status


def print_stages(path: str, do: Sequence[str] | None, data_path: str | None) -> None:
    """Print each stage's output under a heading ``== NAME ==``.

    The front end's stages first (text, ast, checked IR, and the IR under ``--do``), then
    the compiler's, which get the checked IR, the data table and the ``--do`` text.

    Raises
    ------
    DocalcError
        From the first stage that fails, after the outputs of those before it.
    """
    from docalc.dsl.frontend import apply_intervention_text, read_source, run_stages

    text = read_source(_existing_model(path))
    checked: Any = None
    for stage, value in run_stages(text, path):
        _heading(stage.name, stage.show(value))
        checked = value
    do_text = ", ".join(do) if do else None
    if do_text is not None:
        # several --do options add up, as several do() statements in a file do
        _heading("checked IR, with --do", apply_intervention_text(checked, do_text).pretty())
    data = read_data(data_path) if data_path else None
    compiler_stages = _compiler_stage_texts()
    if compiler_stages is None:
        print("(compiler stages: not available)")
        return
    for name, shown in compiler_stages(checked, data=data, do=do_text):
        _heading(name, shown)


def _heading(name: str, shown: str) -> None:
    print(f"== {name} ==")
    print(shown, end="" if shown.endswith("\n") else "\n")


def _existing_model(path: str) -> str:
    # the same refusals (and words) as `docalc check` without --stages
    from .cli_files import existing_file

    return str(existing_file(path, "model file"))


def _compiler_stage_texts() -> Callable[..., Any] | None:
    """Return the compiler driver's ``stage_texts(checked, data=None, do=None)``, if it has one."""
    try:
        driver = importlib.import_module(COMPILER_DRIVER)
    except ModuleNotFoundError as exc:
        if exc.name != COMPILER_DRIVER:
            raise  # the driver is there but something it needs is not
        return None
    found: Callable[..., Any] | None = getattr(driver, "stage_texts", None)
    return found


def cmd_graph(args: argparse.Namespace) -> int:
    """Draw the model's graph, side by side with the intervened one under ``--do``."""
    from docalc.widgets.render import draw, write

    model = load_model(args.model, args.do)
    if args.data:
        model = observe(model, args.data, args.missing)
    digraph = draw(model)
    if args.output is None:
        print(digraph.source, end="")
    else:
        write(digraph, args.output)
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    """Simulate one data set from the (intervened) model and write it as a table."""
    if args.output is not None:
        check_table_output(args.output)
    model = load_model(args.model, args.do)
    data = read_data(args.data) if args.data else None
    try:
        df = model.simulate(n=args.n, seed=args.seed, data=data)
    except DocalcDataError as exc:
        raise (with_file(exc, args.data) if args.data else exc) from None
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
        check_writable(args.output, NETCDF_SUFFIXES, "a netCDF posterior (.nc)")
    model = observe(load_model(args.model, args.do), args.data, args.missing)
    fit = _fit(model, args)
    if args.output is not None:
        write_posterior(fit, args.output)
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
        raise interventions.no_queries(files.at_file(args.model)).error()
    fit: Fit | None = None
    if args.posterior:
        fit = fit_from_posterior_file(model, args.posterior, args.data, args.missing)
        source = f"posterior {args.posterior}"
    elif args.data:
        fit = _fit(observe(model, args.data, args.missing), args)
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


def cmd_compare(args: argparse.Namespace) -> int:
    """Fit (or read) each model and print the leave-one-out comparison table."""
    from pathlib import Path

    from .comparison import compare

    posteriors = list(args.posterior or [])
    if len(args.model) < 2:
        return _usage("give two or more MODEL files to compare")
    if posteriors and len(posteriors) != len(args.model):
        return _usage(f"give one --posterior per MODEL ({len(args.model)} models, "
                      f"{len(posteriors)} posterior{'s' if len(posteriors) != 1 else ''})")
    if not posteriors and not args.data:
        return _usage("give --data FILE to fit the models to, or their --posterior files")
    stems = [Path(m).stem for m in args.model]
    # the table names a model by its file name, or by its path where two names are alike
    names = [s if stems.count(s) == 1 else str(m) for s, m in zip(stems, args.model,
                                                                  strict=True)]
    if len(set(names)) != len(names):
        return _usage("the same model file is given twice")
    fits = {}
    for k, (name, path) in enumerate(zip(names, args.model, strict=True)):
        model = load_model(path, args.do)
        if posteriors:
            fits[name] = fit_from_posterior_file(model, posteriors[k], args.data, args.missing)
        else:
            fits[name] = _fit(observe(model, args.data, args.missing), args)
    table = compare(fits)
    print(format_comparison(table, fits, args.data or ", ".join(posteriors)))
    return EXIT_OK


def format_comparison(table: Any, fits: dict[str, Fit], source: str) -> str:
    """Format ``docalc.compare``'s table for a reader new to leave-one-out comparison."""
    ll = next(iter(fits.values())).posterior["log_likelihood"]
    units = ", ".join(f"{n} units of '{d}'" for d, n in ll.sizes.items()
                      if d not in ("chain", "draw"))
    cols = [("model", None, ""), ("rank", "rank", "d"), ("elpd_loo", "elpd", ".1f"),
            ("se", "se", ".1f"), ("elpd_diff", "elpd_diff", ".1f"), ("dse", "dse", ".1f"),
            ("weight", "weight", ".2f"), ("p_loo", "p", ".1f"), ("warning", "warning", "")]
    body = [[str(name), *(format(int(row[c]) if f == "d" else float(row[c]), f) if f
                          else ("k high" if bool(row[c]) else "") for _, c, f in cols[1:])]
            for name, row in table.iterrows()]
    header = [h for h, _, _ in cols]
    widths = [max(len(r[c]) for r in [header, *body]) for c in range(len(header))]
    lines = [f"# which model predicts the data better: leave-one-out over {units} ({source})"]
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:],
                                                                         strict=True)]
        lines.append("  ".join(cells).rstrip())
    best, second = table.index[0], table.index[1]
    diff, dse = float(table["elpd_diff"].iloc[1]), float(table["dse"].iloc[1])
    if diff > 2 * dse:
        verdict = (f"'{best}' predicts left-out units better than '{second}': the difference "
                   f"{diff:.1f} is more than twice its standard error {dse:.1f}.")
    else:
        verdict = (f"'{best}' ranks first, but its lead over '{second}' ({diff:.1f}) is not "
                   f"more than twice its standard error ({dse:.1f}): the data do not tell "
                   "them apart.")
    lines += ["", verdict, "",
              "elpd_loo   log predictive density of each unit when it is left out of the fit,",
              "           summed over units: higher predicts new units better",
              "se         its standard error",
              "elpd_diff  how far below the best model's elpd_loo; dse: its standard error",
              "weight     each model's share in the best predictive mix (stacking)",
              "p_loo      effective number of parameters"]
    if table["warning"].any():
        lines.append("k high     some units' estimates are unreliable (see the warning above)")
    return "\n".join(lines)


def _usage(message: str) -> int:
    print(f"docalc compare: error: {message}", file=sys.stderr)
    return 2  # argparse's status for a bad command line (cli.EXIT_USAGE)


def _fit(model: Model, args: argparse.Namespace) -> Fit:
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    return model.fit(method=args.method, chains=args.chains, tune=args.tune, draws=args.draws,
                     seed=args.seed, target_accept=args.target_accept, steps=args.steps,
                     progress=progress)
