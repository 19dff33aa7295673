"""Data that does not fit the model: E90x the table, E96x values, E97x units, E98x ``backdoor``.

E975 is the ``missing=`` option of ``observe``; E988 and E989 are missing values that
cannot be imputed (an unbounded discrete node's, a ``data`` input's).

Columns and rows are named in the message; there is no place in the text.
"""

from __future__ import annotations

from ..spans import Span
from .base import DocalcDataError, DocalcSizeError
from .catalogue import entry

_LEAVE_N_OUT = "leave n out"


@entry("E901", DocalcDataError, "data must be a pandas DataFrame or a dict of arrays, got {got}")
def data_type(span: Span | None, *, got: str) -> None:
    """Report data of another type (a list, a NumPy array)."""


@entry("E902", DocalcDataError, "duplicate column names: {names}")
def duplicate_columns(span: Span | None, *, names: str) -> None:
    """Report a DataFrame with two columns of one name."""


@entry("E903", DocalcDataError, "{what} is missing column(s) {names}, declared as `data` in "
       "the model", "add the column(s) to the data")
def missing_columns(span: Span | None, *, what: str, names: str) -> None:
    """Report data without a column for a ``data`` input."""


@entry("E904", DocalcDataError, "column '{name}': '{name}' is global (one value per model) but "
       "{size} values were given", "give a single number for '{name}'")
def global_column(span: Span | None, *, name: str, size: int) -> None:
    """Report several values for a global node."""


@entry("E905", DocalcDataError, "column '{name}' must be one-dimensional, got shape {shape}")
def not_one_dimensional(span: Span | None, *, name: str, shape: tuple[int, ...]) -> None:
    """Report a column given as a matrix."""


@entry("E906", DocalcDataError, "columns of plate '{plate}' have different lengths "
       "({lengths})", "every column of a plate has one value per unit")
def lengths_differ(span: Span | None, *, plate: str, lengths: str) -> None:
    """Report columns of one plate with different numbers of rows."""


@entry("E907", DocalcDataError, "plate '{plate}' has no rows: its columns ({columns}) are empty",
       "give at least one row of data")
def empty_plate(span: Span | None, *, plate: str, columns: str) -> None:
    """Report columns with no rows."""


@entry("E908", DocalcDataError, "plate '{plate}' has {size} units but its columns ({columns}) "
       "have {rows} rows")
def plate_size_mismatch(span: Span | None, *, plate: str, size: int, columns: str,
                        rows: int) -> None:
    """Report columns whose length disagrees with the plate's fixed (or fitted) size."""


@entry("E909", DocalcDataError, "plate '{plate}' has no size",
       "give {what} with a column of plate '{plate}', n=... when simulating, or a fixed size "
       "`plate {plate}[N]`")
def unsized_plate(span: Span | None, *, plate: str, what: str) -> None:
    """Report a plate that neither data, ``n`` nor the model sizes."""


# -- values -----------------------------------------------------------------------------------
@entry("E960", DocalcDataError, "column '{name}' is categorical; '{name}' needs numbers",
       "encode categories as integer codes")
def categorical_column(span: Span | None, *, name: str) -> None:
    """Report a pandas categorical column for a numeric node."""


@entry("E961", DocalcDataError, "column '{name}' holds non-numeric values (e.g. {sample!r})",
       "'{name}' needs numbers; encode labels as codes")
def non_numeric(span: Span | None, *, name: str, sample: object) -> None:
    """Report text in a numeric column."""


@entry("E962", DocalcDataError, "column '{name}' has {kind} values in rows {rows}", "{fix}")
def non_finite(span: Span | None, *, name: str, kind: str, rows: str,
               input: bool = False) -> dict[str, object]:
    """Report NaN or inf in a column (``kind`` says which; ``input``: of a ``data`` input)."""
    if kind != "NaN":
        fix = "replace those values with finite numbers, or drop the rows"
    elif input:
        fix = (f"'{name}' is a `data` input, which the model does not describe, so its "
               "missing values cannot be imputed: drop or fill those rows")
    else:
        fix = ("pass missing=\"impute\" to observe() (--missing impute on the command "
               "line) to infer those cells as latents of their units, or drop the rows")
    return {"name": name, "kind": kind, "rows": rows, "fix": fix}


@entry("E963", DocalcDataError, "column '{name}' has values too large for {kind} in rows {rows}",
       "the model stores '{name}' as {kind} (at most {largest:.3g} in size); rescale the column")
def too_large(span: Span | None, *, name: str, kind: str, rows: str, largest: float) -> None:
    """Report values the model's 32-bit dtype cannot hold."""


@entry("E964", DocalcDataError, "column '{name}' has values outside the support of {dist} "
       "({constraint}) in rows {rows}", "{fix}")
def outside_support(span: Span | None, *, name: str, dist: str, constraint: str, rows: str,
                    rounded: bool) -> dict[str, object]:
    """Report observed values the node's distribution cannot produce.

    ``rounded``: they are inside the support, but not once rounded to 32-bit floats.
    """
    fix = ("these values round onto a bound in 32-bit floats, which the model computes in; "
           "move them further inside" if rounded
           else f"'{name} ~ {dist}' cannot produce these values")
    return {"name": name, "dist": dist, "constraint": constraint, "rows": rows, "fix": fix}


@entry("E965", DocalcDataError, "index column '{name}' holds non-integer codes in rows {rows}")
def non_integer_codes(span: Span | None, *, name: str, rows: str) -> None:
    """Report an index column with 2.5 in it."""


@entry("E966", DocalcDataError, "column '{name}' has missing labels in rows {rows}")
def missing_labels(span: Span | None, *, name: str, rows: str) -> None:
    """Report an index column of labels with NaN or None."""


@entry("E967", DocalcDataError, "column '{name}' has labels the fit never saw in rows {rows}",
       "known labels: {known}")
def unseen_labels(span: Span | None, *, name: str, rows: str, known: str) -> None:
    """Report new data whose group labels are not the fitted ones."""


@entry("E968", DocalcDataError, "column '{name}' has {labels} distinct labels but plate "
       "'{plate}' has {size} units")
def too_many_labels(span: Span | None, *, name: str, labels: int, plate: str, size: int) -> None:
    """Report more group labels than the group plate has units."""


@entry("E969", DocalcDataError, "column '{name}' indexes plate '{plate}' of {size} units, but "
       "rows {rows} hold codes outside 0..{last}", "index codes run from 0 to the group size "
       "minus one; or give labels, which are factorized")
def codes_out_of_range(span: Span | None, *, name: str, plate: str, size: int, rows: str,
                       last: int) -> None:
    """Report index codes below 0 or past the group plate's size."""


# -- units ------------------------------------------------------------------------------------
@entry("E970", DocalcDataError, "n must be a positive whole number of units, got {n!r}")
def bad_n(span: Span | None, *, n: object) -> None:
    """Report ``simulate(n=0)`` or ``n=2.5``."""


@entry("E971", DocalcDataError, "n={n} but the model has no plate, so there are no units to "
       "count", "leave n out: a model of globals only has one value per node")
def n_without_plate(span: Span | None, *, n: object) -> None:
    """Report ``n`` given for a model of globals only."""


@entry("E972", DocalcDataError, "n={n} sizes no plate: every plate of the model has a fixed "
       "size ({sizes})", _LEAVE_N_OUT)
def n_sizes_no_plate(span: Span | None, *, n: object, sizes: str) -> None:
    """Report ``n`` given when every plate is sized already."""


@entry("E973", DocalcDataError, "n={n} but {what} gives {rows} rows for plate '{plate}'",
       "leave n out (the data sizes the plate) or make them agree")
def n_disagrees(span: Span | None, *, n: object, what: str, rows: int, plate: str) -> None:
    """Report ``n`` and the data size a plate differently."""


@entry("E974", DocalcSizeError, "{what} would hold {values:,} values ({gib:.3g} GiB) in memory: "
       "{detail}; the limit is {limit:,} values", "{fix}; the limit is the DOCALC_MAX_VALUES "
       "environment variable (see docs/limits.md)")
def run_too_large(span: Span | None, *, what: str, values: int, detail: str, limit: int,
                  fix: str) -> dict[str, object]:
    """Report a run (``simulate(n=10**12)``, draws x units) too large to hold, before allocating."""
    return {"what": what, "values": values, "gib": values * 4 / 2**30, "detail": detail,
            "limit": limit, "fix": fix}


# -- tables for backdoor() --------------------------------------------------------------------
@entry("E975", DocalcDataError, "missing={value!r} is not an option; it is one of {options}",
       "missing=\"raise\" (the default) refuses NaN cells; missing=\"impute\" infers them")
def bad_missing(span: Span | None, *, value: object, options: str) -> None:
    """Report an unknown ``missing=`` option of ``observe``."""


@entry("E980", DocalcDataError, "column {name!r} is not in the table; its columns are: "
       "{columns}")
def column_not_in_table(span: Span | None, *, name: str, columns: str) -> None:
    """Report ``backdoor`` names a column the table lacks."""


@entry("E981", DocalcDataError, "treatment {treatment!r}, outcome {outcome!r} and the "
       "adjustment set {adjust} must not share a column")
def shared_column(span: Span | None, *, treatment: str, outcome: str, adjust: list[str]) -> None:
    """Report ``backdoor`` with one column in two roles."""


@entry("E982", DocalcDataError, "no row has a value in every one of the columns {columns}")
def no_complete_row(span: Span | None, *, columns: str) -> None:
    """Report every row misses a value of the columns ``backdoor`` uses."""


@entry("E983", DocalcDataError, "treatment value {value!r} never occurs in column "
       "{column!r}; {seen}")
def treatment_value_absent(span: Span | None, *, value: object, column: str, seen: str) -> None:
    """Report ``backdoor(treatment_value=...)`` that no row has."""


@entry("E984", DocalcDataError, "outcome value {value!r} never occurs in column {column!r}; "
       "{seen}")
def outcome_value_absent(span: Span | None, *, value: object, column: object,
                         seen: str) -> None:
    """Report ``backdoor(outcome_value=...)`` that no row has."""


@entry("E985", DocalcDataError, "outcome_value=None asks for the mean of {column!r}, but that "
       "column is not numeric; give the outcome value whose probability you want instead")
def outcome_not_numeric(span: Span | None, *, column: object) -> None:
    """Report the mean of a text outcome."""


@entry("E987", DocalcDataError, "backdoor() needs the table as a pandas DataFrame, got {got}",
       "{fix}")
def table_type(span: Span | None, *, got: str, fix: str) -> None:
    """Report ``backdoor`` given a dict, a list or an array instead of a DataFrame."""


@entry("E986", DocalcDataError, "positivity fails: no row of the stratum {where} has "
       "{setting}, so P(outcome | treatment, stratum) and the adjustment formula are undefined "
       "there ({empty} of {strata} strata lack it)")
def positivity(span: Span | None, *, where: str, setting: str, empty: int, strata: int) -> None:
    """Report a stratum of the adjustment set where no row has the treatment value."""


@entry("E988", DocalcDataError, "column '{name}' has NaN values in rows {rows}, but '{name}' is "
       "discrete with unbounded support ({dist}): its missing cells cannot be summed out, and "
       "NUTS and SVI need continuous unknowns", "drop or fill those rows, or model '{name}' "
       "with a finite support (Bernoulli, Categorical, or Binomial with a literal "
       "total_count), whose missing cells are marginalized exactly")
def discrete_imputation(span: Span | None, *, name: str, rows: str, dist: str) -> None:
    """Report NaN cells of an unbounded discrete node's column under ``missing="impute"``."""


@entry("E989", DocalcDataError, "column '{name}' has NaN values in rows {rows}, but '{name}' is "
       "a `data` input: the model does not describe it, so missing=\"impute\" has nothing to "
       "impute it from", "drop or fill those rows, or make '{name}' a stochastic node "
       "(`{name} ~ ...`) so that its missing cells can be inferred")
def nan_in_input(span: Span | None, *, name: str, rows: str) -> None:
    """Report NaN in a ``data`` input's column under ``missing="impute"``."""
