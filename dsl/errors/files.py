"""Files (E0xx): model, data, posterior and output files that cannot be read or written.

Their diagnostics have the file's path as place (a span of line 0), so they print as
``PATH: error: WHY``.
"""

from __future__ import annotations

from ..spans import Span
from .base import DocalcFileError
from .catalogue import entry

_REFIT = "refit: `docalc fit MODEL --data DATA -o POSTERIOR`"
_WRITE_POSTERIOR = "write one with `docalc fit MODEL --data DATA -o posterior.nc`"


def at_file(path: object) -> Span:
    """Return the place of an error about a whole file: its path, no line."""
    return Span(0, 0, 0, 0, str(path))


@entry("E001", DocalcFileError, "no such file")
def no_such_file(span: Span | None) -> None:
    """Report a path that does not exist."""


@entry("E002", DocalcFileError, "is a directory, not a {what}")
def is_a_directory(span: Span | None, *, what: str) -> None:
    """Report a folder where a file was expected (``what``: "model file", "data file", ...)."""


@entry("E003", DocalcFileError, "is not UTF-8 text ({reason} at byte {byte})")
def not_utf8(span: Span | None, *, reason: str, byte: int) -> None:
    """Report a model or data file in another encoding."""


@entry("E004", DocalcFileError, "{why}")
def unreadable(span: Span | None, *, why: str) -> None:
    """Report that the operating system refused to read the file (``why``: its own words)."""


@entry("E005", DocalcFileError, "cannot tell the data format from the suffix {suffix!r}",
       "use a .csv, .tsv or .parquet file")
def unknown_data_format(span: Span | None, *, suffix: str) -> None:
    """Report a data file whose suffix is none of .csv, .txt, .tsv, .parquet, .pq."""


@entry("E006", DocalcFileError, "{action} Parquet needs pyarrow ({why})",
       "pip install 'docalc[parquet]'")
def parquet_missing(span: Span | None, *, action: str, why: str) -> None:
    """Report reading or writing Parquet without pyarrow (``action``: "reading" or "writing")."""


@entry("E007", DocalcFileError, "the file is empty")
def empty_file(span: Span | None) -> None:
    """Report a data file with nothing in it."""


@entry("E008", DocalcFileError, "cannot be read as a table: {why}")
def not_a_table(span: Span | None, *, why: str) -> None:
    """Report a data file pandas cannot parse (ragged rows, a broken Parquet file)."""


@entry("E009", DocalcFileError, "is not a netCDF file", _WRITE_POSTERIOR)
def not_netcdf(span: Span | None) -> None:
    """Report a posterior file that xarray cannot open."""


@entry("E010", DocalcFileError, "cannot be read as a netCDF posterior: {why}", _WRITE_POSTERIOR)
def unreadable_posterior(span: Span | None, *, why: str) -> None:
    """Report a netCDF file that fails while being read."""


@entry("E011", DocalcFileError, "has no 'posterior' group", _WRITE_POSTERIOR)
def no_posterior_group(span: Span | None) -> None:
    """Report a netCDF file that is not a docalc posterior."""


@entry("E012", DocalcFileError, "the posterior has variables the model lacks: {names}; it was "
       "fitted to another model", _REFIT)
def posterior_of_other_model(span: Span | None, *, names: str) -> None:
    """Report a posterior whose variables the model does not define."""


@entry("E013", DocalcFileError, "the posterior lacks the model's latent variables: {names}; it "
       "was fitted to another model or data", _REFIT)
def posterior_lacks_latents(span: Span | None, *, names: str) -> None:
    """Report a posterior without the variables the model's fit infers."""


@entry("E014", DocalcFileError, "plate '{plate}' has {size} units in the posterior but {rows} "
       "in the data", _REFIT)
def posterior_size_mismatch(span: Span | None, *, plate: str, size: int, rows: int) -> None:
    """Report a posterior fitted to data of another size."""


@entry("E015", DocalcFileError, "cannot tell the output format from the suffix {suffix!r}",
       "use .csv, .tsv or .parquet")
def unknown_output_format(span: Span | None, *, suffix: str) -> None:
    """Report a table output whose suffix is none of .csv, .tsv, .parquet."""


@entry("E016", DocalcFileError, "cannot be written: {why}")
def cannot_write(span: Span | None, *, why: str) -> None:
    """Report an output file that cannot be written (no folder, permission, disk)."""


@entry("E017", DocalcFileError, "is not a name for {what}",
       "use a file name ending in {suffixes}")
def wrong_output_suffix(span: Span | None, *, what: str, suffixes: str) -> None:
    """Report ``fit -o post.csv``: the output must be a netCDF file."""


@entry("E018", DocalcFileError, "the data are not the data the posterior was fitted to: {what}",
       "leave --data out to use the data saved in the posterior, or refit to these data: "
       "`docalc fit MODEL --data DATA -o POSTERIOR`")
def posterior_data_differ(span: Span | None, *, what: str) -> None:
    """Report data given with a posterior that differ from the data saved in it (column, rows)."""


@entry("E019", DocalcFileError, "is too large to read: more than {limit:,} bytes",
       "the limit is the DOCALC_MAX_FILE_BYTES environment variable (see docs/limits.md)")
def file_too_large(span: Span | None, *, limit: int) -> None:
    """Report a data file (or a device such as /dev/zero) larger than the limit on reading one."""


@entry("E020", DocalcFileError, "has no single outcome to take the effect on (outcomes: {found})",
       "name the node with --outcome NAME")
def effect_outcome(span: Span | None, *, found: str) -> None:
    """Report ``docalc effect`` without --outcome for a model with zero or several outcomes."""


@entry("E021", DocalcFileError, "cannot be read in row batches: {why}",
       "read the table into a DataFrame (pandas.read_parquet, pandas.read_csv) and pass that")
def not_row_batches(span: Span | None, *, why: str) -> None:
    """Report a table path for a model whose rows are not the units of one plate that can be cut."""
