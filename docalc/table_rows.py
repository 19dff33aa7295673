"""A data table read in row batches (pyarrow for Parquet, pandas for CSV), never whole.

``Fit.effect(data="big.parquet")`` and ``docalc effect --data big.parquet`` run on tables
that need not fit in memory: each batch of rows is bound, checked and run in turn. Every
batch is indexed by its rows' numbers in the whole table, so a data error names the row of
the file, and each unit draws from the random stream of its row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from docalc.dsl.errors import files

from .cli_files import DELIMITED, PARQUET_SUFFIXES, existing_file, table_errors

if TYPE_CHECKING:
    import pandas as pd

#: Rows read at a time: 2**20 (a few columns of float64 are tens of MB).
READ_ROWS = 2**20


def is_table_path(data: object) -> bool:
    """Whether ``data`` names a table file (a str or path), not a table in memory."""
    return isinstance(data, str | Path)


def row_batches(path: str | Path, rows: int | None = None) -> Generator[pd.DataFrame]:
    """Yield the table at ``path`` in batches of ``rows`` rows, indexed by row number.

    ``rows`` defaults to :data:`READ_ROWS` (read when the batches start).

    Close the generator when stopping early (``contextlib.closing``): that closes the file.

    Raises
    ------
    DocalcFileError
        A missing or unreadable file, an unknown suffix, a file that cannot be parsed, or
        one without rows; the message names the file.
    """
    import pandas as pd

    rows = rows or READ_ROWS
    name = str(path)
    p = existing_file(name, "data file")
    suffix = p.suffix.lower()
    if suffix not in PARQUET_SUFFIXES and suffix not in DELIMITED:
        raise files.unknown_data_format(files.at_file(name), suffix=suffix).error()
    start = 0
    with table_errors(name), contextlib.ExitStack() as files_open:
        if suffix in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            table = files_open.enter_context(pq.ParquetFile(p))
            parts: Iterator[pd.DataFrame] = (b.to_pandas()
                                             for b in table.iter_batches(batch_size=rows))
        else:
            parts = files_open.enter_context(pd.read_csv(p, sep=DELIMITED[suffix],
                                                         chunksize=rows))
        for part in parts:
            if len(part) == 0:
                continue
            part.index = pd.RangeIndex(start, start + len(part))
            start += len(part)
            yield part
    if start == 0:
        raise files.empty_file(files.at_file(name)).error()
