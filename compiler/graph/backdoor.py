"""The nonparametric backdoor adjustment formula, computed on a table of data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from docalc.dsl.errors import data as errors
from docalc.dsl.errors import runtime

#: How many distinct values an error message lists before it stops.
_SHOWN_VALUES = 10


@dataclass(frozen=True)
class BackdoorResult:
    """The adjusted and the plain conditional answer for one treatment value.

    Attributes
    ----------
    adjusted : float
        P(outcome=outcome_value | do(treatment=treatment_value)) by the backdoor
        formula: the sum over strata s of `adjust` of P(outcome | treatment, s) P(s).
        With ``outcome_value=None`` it is E[outcome | do(treatment=treatment_value)].
    naive : float
        P(outcome=outcome_value | treatment=treatment_value), or the plain
        conditional mean when ``outcome_value`` is None.
    treatment, outcome : str
        The columns used.
    adjust : tuple of str
        The adjustment columns; empty when nothing is adjusted for.
    treatment_value, outcome_value : object
        The values asked about; ``outcome_value`` None means the outcome's mean.
    strata : pandas.DataFrame
        One row per stratum of `adjust` (index: its values), with columns
        ``p_stratum`` (P(stratum)), ``conditional`` (P(outcome | treatment, stratum),
        or the mean), ``count`` (rows in the stratum) and ``treated_count`` (rows of
        the stratum with the treatment value).

    """

    adjusted: float
    naive: float
    treatment: str
    outcome: str
    adjust: tuple[str, ...]
    treatment_value: object
    outcome_value: object
    strata: pd.DataFrame = field(compare=False, repr=False)

    def __str__(self) -> str:
        x = f"{self.treatment}={self.treatment_value}"
        if self.outcome_value is None:
            do, plain = f"E[{self.outcome} | do({x})]", f"E[{self.outcome} | {x}]"
        else:
            y = f"{self.outcome}={self.outcome_value}"
            do, plain = f"P({y} | do({x}))", f"P({y} | {x})"
        over = ", ".join(self.adjust) if self.adjust else "nothing (no adjustment)"
        return "\n".join([
            f"{do} = {self.adjusted:.4g}  (backdoor adjustment over {over})",
            f"{plain} = {self.naive:.4g}  (plain conditional)",
            "Strata:",
            self.strata.to_string(),
        ])


def backdoor(
    table: pd.DataFrame,
    treatment: str,
    outcome: str,
    adjust: Sequence[str] | str = (),
    treatment_value: object = 1,
    outcome_value: object = 1,
) -> BackdoorResult:
    """Apply the backdoor adjustment formula to a table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit. Rows with a missing value in any used column are dropped.
    treatment, outcome : str
        Column names.
    adjust : str or sequence of str, default ()
        The adjustment set; its distinct value combinations are the strata.
    treatment_value : object, default 1
        The value the treatment is set to.
    outcome_value : object, default 1
        The outcome value whose probability is wanted; None asks for the mean of a
        numeric outcome instead.

    Returns
    -------
    BackdoorResult
        The adjusted and the plain conditional answers, and the per-stratum table.

    Raises
    ------
    DocalcDataError
        For a missing column, a value that never occurs in its column, a non-numeric
        outcome with ``outcome_value=None``, or a stratum with no row having the
        treatment value (positivity fails, and the formula is undefined there).

    """
    keys = _arguments(table, treatment, outcome, adjust)
    data = _used_rows(table, treatment, outcome, keys)
    treated = data[treatment] == treatment_value
    if not treated.any():
        raise errors.treatment_value_absent(None, value=treatment_value, column=treatment,
                                            seen=_values_seen(data[treatment])).error()
    y = _outcome_as_number(data[outcome], outcome_value)
    naive = float(y[treated].mean())
    if keys:
        strata = _strata(data, keys, y, treated, f"{treatment}={treatment_value!r}")
    else:
        strata = pd.DataFrame(
            {"p_stratum": [1.0], "conditional": [naive], "count": [len(data)],
             "treated_count": [int(treated.sum())]},
            index=pd.Index(["all"], name="stratum"),
        )
    adjusted = float((strata["p_stratum"] * strata["conditional"]).sum())
    return BackdoorResult(adjusted, naive, treatment, outcome, tuple(keys), treatment_value,
                          outcome_value, strata)


def _arguments(table: object, treatment: object, outcome: object,
               adjust: object) -> list[str]:
    """Refuse arguments of the wrong type; return the adjustment columns as a list."""
    if not isinstance(table, pd.DataFrame):
        fix = ("pass pd.DataFrame(table)" if isinstance(table, dict)
               else "read the table with pandas, e.g. pd.read_csv(path)")
        raise errors.table_type(None, got=type(table).__name__, fix=fix).error()
    for argument, value in (("treatment", treatment), ("outcome", outcome)):
        if not isinstance(value, str | int) or isinstance(value, bool):
            # (integer labels are pandas' own column names for a table built from an array)
            raise runtime.argument_type(None, argument=argument,
                                        expected="a column name", value=value).error()
    if isinstance(adjust, str | int) and not isinstance(adjust, bool):
        return [adjust]  # type: ignore[list-item]
    if not isinstance(adjust, Sequence | set | frozenset):
        raise runtime.argument_type(None, argument="adjust", expected="a column name or a "
                                    "list of column names", value=adjust).error()
    keys = list(adjust)
    for key in keys:
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise runtime.argument_type(None, argument="each of adjust",
                                        expected="a column name", value=key).error()
    return keys


def _used_rows(table: pd.DataFrame, treatment: str, outcome: str, keys: list[str]) -> pd.DataFrame:
    used = list(dict.fromkeys([treatment, outcome, *keys]))
    for name in used:
        if name not in table.columns:
            raise errors.column_not_in_table(
                None, name=name, columns=", ".join(map(str, table.columns))).error()
    if treatment == outcome or treatment in keys or outcome in keys:
        raise errors.shared_column(None, treatment=treatment, outcome=outcome,
                                   adjust=keys).error()
    data = table[used].dropna()
    if data.empty:
        raise errors.no_complete_row(None, columns=", ".join(used)).error()
    return data


def _outcome_as_number(column: pd.Series, outcome_value: object) -> pd.Series:
    if outcome_value is None:
        if not pd.api.types.is_numeric_dtype(column):
            raise errors.outcome_not_numeric(None, column=column.name).error()
        return column.astype(float)
    hits = column == outcome_value
    if not hits.any():
        raise errors.outcome_value_absent(None, value=outcome_value, column=column.name,
                                          seen=_values_seen(column)).error()
    return hits.astype(float)


def _strata(
    data: pd.DataFrame, keys: list[str], y: pd.Series, treated: pd.Series, setting: str
) -> pd.DataFrame:
    counts = data.groupby(keys, observed=True).size()
    within = y[treated].groupby([data.loc[treated, k] for k in keys], observed=True).agg(
        ["mean", "size"]).reindex(counts.index)
    strata = pd.DataFrame({
        "p_stratum": counts / counts.sum(),
        "conditional": within["mean"],
        "count": counts,
        "treated_count": within["size"].fillna(0).astype(int),
    })
    empty = strata.index[strata["treated_count"] == 0]
    if len(empty):
        first = empty[0] if isinstance(empty[0], tuple) else (empty[0],)
        where = ", ".join(f"{k}={v!r}" for k, v in zip(keys, first, strict=True))
        raise errors.positivity(None, where=where, setting=setting, empty=len(empty),
                                strata=len(strata)).error()
    return strata


def _values_seen(column: pd.Series) -> str:
    values = list(column.drop_duplicates()[:_SHOWN_VALUES])
    more = ", ..." if column.nunique() > _SHOWN_VALUES else ""
    return "values seen: " + ", ".join(map(repr, values)) + more
