"""What a pin may hold: bytes that read, through the source's own reader, as sane data.

Before a fetch pins bytes (a first fetch, or ``--update``), :func:`check_content`
reads them with the reader the build will use (:func:`reader_for`) and
applies the sanity rules:

* the reader accepts the file (a cut-off row, a negative count, a missing
  column: the reader's own error, naming file, row and column);
* at least one row;
* no negative count in the canonical table it yields;
* not fewer than half the rows of the previous pin unless ``allow_shrink``
  (``refugeestudy fetch --update NAME --allow-shrink``): a release that lost
  most of its rows is far more often a broken export than news.

The row count, as the reader counts it, is recorded in the lock (``rows``), so
the next update compares like with like. A refusal is a
:class:`~refugeestudy.fetch.errors.FetchError`; the caller leaves the cache
and the lock as they were.

Examples
--------
>>> from refugeestudy.fetch.registry import load_registry
>>> reader_for(load_registry().sources["ucdp_ged"]).__name__
'read_ged'
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from refugeestudy.errors import RefugeestudyError
from refugeestudy.fetch.errors import FetchError
from refugeestudy.fetch.registry import Source

__all__ = ["reader_for", "count_rows", "check_content"]



def _is_count(column: object) -> bool:
    """Whether a column of a reader's table holds counts (a negative value is never a count).

    Examples
    --------
    >>> [_is_count(c) for c in ("best", "count_low", "state_based_high", "latitude")]
    [True, True, True, False]
    """
    name = str(column)
    return name in ("best", "low", "high") or name.startswith("count_") or name.endswith(
        ("_best", "_low", "_high"))


def _first_problem(exc: Exception, alias: Path, filename: str) -> str:
    r"""The reader's error in one line: its summary and its first problem.

    Examples
    --------
    >>> _first_problem(ValueError("/t/x.csv: 2 problems\n  /t/x.csv:3: bad\n  /t/x.csv:4: bad"
    ...                           "\n  hint: h"), Path("/t/x.csv"), "x.csv")
    'x.csv: 2 problems, the first: x.csv:3: bad'
    """
    lines = [line.strip() for line in str(exc).replace(str(alias), filename).splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    if not lines:
        return type(exc).__name__
    return lines[0] + (f", the first: {lines[1]}" if len(lines) > 1 else "")


def _csv_rows(path: Path) -> pd.DataFrame:
    """A plain CSV with a header (a lookup no reader of the package models): its rows."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return pd.DataFrame()
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if row and len(row) != width:
            raise FetchError(f"{path.name}:{number}: {len(row)} fields where the header has "
                             f"{width} (a cut-off or malformed row)")
    return pd.DataFrame([row for row in rows[1:] if row], columns=rows[0])


def reader_for(source: Source) -> Callable[[Path], pd.DataFrame]:
    """The reader :mod:`refugeestudy.pipeline.build` applies to ``source``'s file (one argument: the path).

    Examples
    --------
    >>> from refugeestudy.fetch.registry import load_registry
    >>> sources = load_registry().sources
    >>> [reader_for(sources[n]).__name__ for n in ("unhcr_population", "ucdp_country_year")]
    ['read_unhcr', 'read_ucdp_country_year']
    """
    from functools import partial, update_wrapper

    from refugeestudy.sources import acled, eurostat, ucdp, ucdp_country_year, unhcr

    name, dataset = source.name, source.options.get("dataset")
    if name == "ucdp_country_year":
        return ucdp_country_year.read_ucdp_country_year
    if name.startswith("eurostat"):
        return eurostat.read_eurostat_asylum
    if name.startswith("ucdp"):
        return update_wrapper(partial(ucdp.read_ged, cache=False), ucdp.read_ged)
    if name.startswith("acled"):
        return update_wrapper(partial(acled.read_acled, cache=False), acled.read_acled)
    if name.startswith("unhcr") and dataset in unhcr.DATASETS:
        read = unhcr.read_unhcr if source.table == "displacement_counts" else unhcr.read_unhcr_table
        return update_wrapper(partial(read, dataset=dataset), read)
    return _csv_rows


@contextlib.contextmanager
def _named_as(path: Path, filename: str):
    """``path`` seen under ``filename`` (readers tell a zip from a CSV by its suffix)."""
    with tempfile.TemporaryDirectory(prefix=".check-", dir=path.parent) as folder:
        alias = Path(folder) / filename
        try:
            os.link(path, alias)
        except OSError:  # a file system without hard links
            alias.symlink_to(path.resolve())
        yield alias


def count_rows(source: Source, path: str | Path, filename: str | None = None) -> int:
    """Rows of ``path`` as ``source``'s reader counts them, after the sanity rules.

    Parameters
    ----------
    source : Source
        The registry entry (its reader is :func:`reader_for`).
    path : str or Path
        The file.
    filename : str, optional
        The name the file will have (a temporary file's own name hides its suffix).

    Raises
    ------
    FetchError
        The reader refused the file, it holds no row, or a count is negative.
    """
    path = Path(path)
    with _named_as(path, filename or path.name) as alias:
        try:
            frame = reader_for(source)(alias)
        except (RefugeestudyError, ValueError, OSError, UnicodeDecodeError) as exc:
            raise FetchError(f"{source.name}: the bytes do not read as {source.name}: "
                             f"{_first_problem(exc, alias, filename or path.name)}") from None
    if len(frame) == 0:
        raise FetchError(f"{source.name}: the file holds no data row (a header only, or empty)")
    for column in filter(_is_count, frame.columns):
        if pd.api.types.is_numeric_dtype(frame[column]):
            negative = (frame[column] < 0).fillna(False).to_numpy(dtype=bool)
            if negative.any():
                row = int(negative.nonzero()[0][0])
                raise FetchError(f"{source.name}: column {column!r} holds a negative count "
                                 f"({frame[column].iloc[row]}, row {row + 1} as read)")
    return len(frame)


def check_content(source: Source, path: str | Path, filename: str, previous_rows: int | None,
                  *, allow_shrink: bool = False) -> int:
    """Refuse bytes that would make a bad pin; return their row count for the lock.

    Parameters
    ----------
    source : Source
    path : str or Path
        The bytes fetched now (not yet in the cache).
    filename : str
        Their file name in the cache.
    previous_rows : int or None
        Rows of the pin they replace (None: no pin, or its count is unknown).
    allow_shrink : bool
        Accept fewer than half the previous rows.

    Raises
    ------
    FetchError
        With a hint; the caller keeps the cache and the lock as they were.
    """
    hint = (f"the source sent something its reader cannot use; {source.name}'s pin, the cache "
            "and the lock are unchanged")
    try:
        rows = count_rows(source, path, filename)
    except FetchError as exc:
        raise FetchError(f"{exc}; not pinned", hint=hint) from None
    if previous_rows and rows < previous_rows / 2 and not allow_shrink:
        raise FetchError(
            f"{source.name}: the new file has {rows:,} rows, fewer than half the {previous_rows:,} "
            "of the current pin; not pinned",
            hint="if the publisher really cut the data, accept it with --allow-shrink; the pin, "
                 "the cache and the lock are unchanged")
    return rows
