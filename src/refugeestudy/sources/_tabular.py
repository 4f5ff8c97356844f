"""Shared machinery for the source readers: open a CSV (or a zip holding one), sniff
its header, read it fast with pyarrow, and turn failed checks into
:class:`~refugeestudy.errors.InputError` naming file, line and column.

The fast path never scans the file in Python. Line numbers are computed only
when something is wrong (:class:`LineIndex` rescans the file with the
:mod:`csv` module), so quoted fields holding newlines (the real UCDP GED
files have them) still get the right line: a record's line is the physical
line where it starts, the header being line 1.

Examples
--------
>>> close_match("best_estimate", ["best", "low", "high"])
'best'
>>> _delimiter_hint("id;year;best")
"the delimiter looks wrong: the header holds ';' but no comma; expected a comma-separated file"
"""

from __future__ import annotations

import csv
import difflib
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from refugeestudy.clean.places import to_pcodes
from refugeestudy.errors import InputError, Problem

__all__: list[str] = []  # private helpers; the readers are the public API

#: How many offending rows one check lists before summarising the rest.
MAX_ROWS_PER_CHECK = 5
_HEAD_BYTES = 1 << 16


class _ZipMember(io.BufferedIOBase):
    """A zip member's stream that also closes its archive."""

    def __init__(self, path: Path, member: str):
        self._archive = zipfile.ZipFile(path)
        self._stream = self._archive.open(member)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._stream.read1(size)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._archive.close()
        super().close()


@dataclass(frozen=True)
class Source:
    """An input: a CSV file on disk, or the single CSV member of a zip file."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """Name used in error messages: ``file.csv`` or ``file.zip:member.csv``."""
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    def open(self) -> IO[bytes]:
        """Open the bytes of the CSV (a fresh stream each call)."""
        if self.member is None:
            return self.path.open("rb")
        return _ZipMember(self.path, self.member)

    def open_text(self) -> IO[str]:
        """Open as text, UTF-8 with an optional byte-order mark, newlines kept."""
        return io.TextIOWrapper(self.open(), encoding="utf-8-sig", newline="")

    def head(self, size: int = _HEAD_BYTES) -> bytes:
        """The first ``size`` bytes."""
        with self.open() as handle:
            return handle.read(size)


def open_source(path: str | Path, *, kind: str = "CSV") -> Source:
    """Return the :class:`Source` for ``path``: a CSV file, or a zip with exactly one CSV.

    Raises
    ------
    InputError
        If the file does not exist, or is a zip without exactly one ``.csv`` member.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, [Problem(None, None, "file not found")])
    if path.suffix.lower() != ".zip" and not zipfile.is_zipfile(path):
        return Source(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InputError(path, [Problem(None, None, f"not a readable zip file: {exc}")]) from None
    names = [n for n in names if not n.startswith("__MACOSX/") and not Path(n).name.startswith(".")]
    members = [n for n in names if n.lower().endswith(".csv")]
    if len(members) != 1:
        found = "no CSV member" if not members else f"{len(members)} CSV members"
        raise InputError(
            path,
            [Problem(None, None, f"expected a zip holding exactly one {kind} (.csv) file, "
                                 f"found {found}; members: {names}")],
            hint="unzip the archive and pass the CSV itself, or a zip with only that CSV",
        )
    return Source(path, members[0])


def _delimiter_hint(first_line: str) -> str | None:
    """Say so if a header line looks separated by something other than commas."""
    if "," in first_line:
        return None
    for name, char in (("';'", ";"), ("a tab", "\t"), ("'|'", "|")):
        if char in first_line:
            return (f"the delimiter looks wrong: the header holds {name} but no comma; "
                    "expected a comma-separated file")
    return None


def decode_head(source: Source, size: int = _HEAD_BYTES) -> str:
    """The start of the file as text; a cut multi-byte character at the end is dropped."""
    raw = source.head(size)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 4 and len(raw) == size:
            return raw[: exc.start].decode("utf-8-sig")
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(source.label, [Problem(line, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")],
                         hint="save the file as UTF-8") from None


def first_records(text: str, count: int = 1) -> list[list[str]]:
    """Parse up to ``count`` non-blank records from the start of ``text``."""
    records = []
    for record in csv.reader(io.StringIO(text)):
        if record:
            records.append(record)
            if len(records) == count:
                break
    return records


def check_not_empty(source: Source, text: str) -> None:
    """Raise if the file holds nothing but blanks."""
    if not text.strip():
        raise InputError(source.label, [Problem(1, None, "the file is empty; expected a header row and records")])


def check_delimiter(source: Source, header: Sequence[str], line: int = 1) -> None:
    """Raise if a one-field header looks separated by ``;``, a tab or ``|``."""
    if len(header) == 1:
        hint = _delimiter_hint(header[0])
        if hint:
            raise InputError(source.label, [Problem(line, None, hint)],
                             hint="re-export the file as CSV with commas (UTF-8)")


def close_match(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name`` (case- and punctuation-insensitive), if any is close."""
    candidates = list(candidates)
    simple = {c.lower().replace(" ", "_").replace("-", "_"): c for c in candidates}
    key = name.lower().replace(" ", "_").replace("-", "_")
    if key in simple:
        return simple[key]
    match = difflib.get_close_matches(key, list(simple), n=1, cutoff=0.6)
    if not match:  # a renamed column often keeps the required name inside it
        match = [c for c in simple if len(c) > 2 and (c in key or key in c)][:1]
    return simple[match[0]] if match else None


def check_columns(source: Source, header: Sequence[str], required: Iterable[str],
                  line: int = 1, what: str = "") -> None:
    """Raise, naming each missing required column and a close match in the header."""
    present = set(header)
    problems = []
    wanted = set(required)
    for name in sorted({h for h in header if h in wanted and list(header).count(h) > 1}):
        positions = [str(i + 1) for i, h in enumerate(header) if h == name]
        problems.append(Problem(line, name, f"appears {len(positions)} times in the header "
                                            f"(columns {', '.join(positions)}); which one is meant?"))
    for name in required:
        if name in present:
            continue
        extra = [h for h in header if h not in set(required)]
        guess = close_match(name, extra)
        message = "required column is missing"
        if guess is not None:
            message += f"; found {guess!r}, was it renamed?"
        problems.append(Problem(line, name, message))
    if problems:
        raise InputError(source.label, problems,
                         hint=f"expected {what or 'the documented'} column names in the header row")


class LineIndex:
    """Physical start line of each record, computed by rescanning (error path only).

    Parameters
    ----------
    source : Source
        The file.
    skip_lines : int
        Lines before the header (a preamble), or before the first record when
        ``header`` is false.
    header : bool
        Whether a header row comes first.
    """

    def __init__(self, source: Source, skip_lines: int = 0, header: bool = True):
        self.source, self.skip_lines, self.header = source, skip_lines, header
        self._lines: np.ndarray | None = None

    def lines(self) -> np.ndarray:
        if self._lines is None:
            starts = []
            with self.source.open_text() as handle:
                for _ in range(self.skip_lines):
                    handle.readline()
                reader = csv.reader(handle)
                previous, skip_header = 0, self.header
                for record in reader:
                    start = previous + 1
                    previous = reader.line_num
                    if not record:  # blank line: pyarrow skips it too
                        continue
                    if skip_header:
                        skip_header = False
                        continue
                    starts.append(start + self.skip_lines)
            self._lines = np.asarray(starts, dtype=np.int64)
        return self._lines

    def __call__(self, positions: Iterable[int]) -> list[int]:
        lines = self.lines()
        return [int(lines[p]) if p < len(lines) else int(p) + 2 + self.skip_lines for p in positions]


class Problems:
    """Collects problems found by vectorised checks; lines are looked up only if any."""

    def __init__(self, source: Source, locate: Callable[[Iterable[int]], list[int | None]],
                 prefix: Callable[[int], str] | None = None):
        self.source = source
        self.locate = locate
        self.prefix = prefix
        self._checks: list[tuple[np.ndarray, str | None, Callable[[int], str]]] = []
        self.problems: list[Problem] = []

    def rows(self, mask, column: str | None, message: Callable[[int], str] | str) -> None:
        """Record a problem on every row where ``mask`` is true (0-based positions)."""
        mask = np.asarray(pd.Series(mask).fillna(False).astype(bool))
        if mask.any():
            text = message if callable(message) else (lambda _position, m=message: m)
            self._checks.append((np.flatnonzero(mask), column, text))

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def __bool__(self) -> bool:
        return bool(self._checks or self.problems)

    def raise_if_any(self, hint: str | None = None) -> None:
        if not self:
            return
        problems = list(self.problems)
        for positions, column, message in self._checks:
            shown = positions[:MAX_ROWS_PER_CHECK]
            for position, line in zip(shown, self.locate(shown)):
                text = message(int(position))
                if self.prefix is not None:
                    text = self.prefix(int(position)) + text
                problems.append(Problem(line, column, text))
            if len(positions) > len(shown):
                problems.append(Problem(None, column, f"... the same problem on {len(positions) - len(shown)} "
                                                      "more rows"))
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise InputError(self.source.label, problems, hint=hint)


def _diagnose(source: Source, skip_lines: int, width: int | None) -> Problem | None:
    """Find where a CSV the fast reader rejected goes wrong, with its line."""
    try:
        with source.open_text() as handle:
            for _ in range(skip_lines):
                handle.readline()
            reader = csv.reader(handle, strict=True)
            previous = 0
            for record in reader:
                start = previous + 1 + skip_lines
                previous = reader.line_num
                if not record:
                    continue
                if width is None:
                    width = len(record)
                elif len(record) != width:
                    return Problem(start, None, f"expected {width} fields, found {len(record)} "
                                                "(a truncated row, a stray comma or an unbalanced quote?)")
    except csv.Error as exc:
        return Problem(previous + 1 + skip_lines, None,
                       f"malformed CSV: {exc} (the file may be truncated inside a quoted field)")
    except UnicodeDecodeError as exc:
        return Problem(None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    return None


def _read_arrow(source: Source, read, parse, convert) -> pa.Table:
    """Stream the CSV block by block (memory ~ table + a few blocks, not the whole file);
    if a later block breaks the types inferred from the first one, re-read the whole
    file with whole-file inference so the caller can report the bad cells."""
    target = str(source.path) if source.member is None else None
    try:
        if target is not None:
            reader = pacsv.open_csv(target, read_options=read, parse_options=parse, convert_options=convert)
            return reader.read_all()
        with source.open() as handle:
            return pacsv.open_csv(handle, read_options=read, parse_options=parse,
                                  convert_options=convert).read_all()
    except pa.ArrowInvalid:
        pass
    if target is not None:
        return pacsv.read_csv(target, read_options=read, parse_options=parse, convert_options=convert)
    with source.open() as handle:
        return pacsv.read_csv(handle, read_options=read, parse_options=parse, convert_options=convert)


def read_table(
    source: Source,
    *,
    columns: Sequence[str],
    text_columns: Iterable[str] = (),
    names: Sequence[str] | None = None,
    skip_lines: int = 0,
    null_values: Sequence[str] = ("",),
) -> pd.DataFrame:
    """Read ``columns`` of a CSV with pyarrow's multithreaded reader.

    Parameters
    ----------
    source : Source
        The file.
    columns : sequence of str
        Columns to read (by name); the others are skipped while parsing.
    text_columns : iterable of str
        Columns read as text, whatever they look like (other columns get
        pyarrow's type inference: int64, double or text if any value is not a
        number, which the caller then reports).
    names : sequence of str, optional
        Column names for a file without a header row.
    skip_lines : int
        Lines to skip before the header (a preamble).
    null_values : sequence of str
        Cell values read as missing. Only the empty cell by default: ``"NA"``
        or ``"NULL"`` in a text column stay text.

    Raises
    ------
    InputError
        If the CSV is malformed (wrong field count, unbalanced quote, not
        UTF-8), naming the line.
    """
    read, parse, convert = _csv_options(columns, text_columns, names, skip_lines, null_values)
    try:
        table = _read_arrow(source, read, parse, convert)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        problem = _diagnose(source, skip_lines, len(names) if names is not None else None)
        if problem is None:
            problem = Problem(None, None, f"could not be read as CSV: {exc}")
        raise InputError(source.label, [problem]) from None
    return _dates_to_seconds(table).to_pandas()


def _csv_options(columns: Sequence[str], text_columns: Iterable[str], names: Sequence[str] | None,
                 skip_lines: int, null_values: Sequence[str]) -> tuple:
    """pyarrow's read, parse and convert options for :func:`read_table`.

    Only ``columns`` are converted, ``text_columns`` among them as text; cells
    equal to one of ``null_values`` are missing, quoted or not; quoted fields
    may hold newlines; the file is streamed in blocks of 1 MiB.
    """
    text = set(text_columns)
    read = pacsv.ReadOptions(
        skip_rows=skip_lines,
        column_names=list(names) if names is not None else None,
        block_size=1 << 20,
    )
    parse = pacsv.ParseOptions(newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        include_columns=list(columns),
        column_types={name: pa.string() for name in columns if name in text},
        null_values=list(null_values),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    return read, parse, convert


def _dates_to_seconds(table: pa.Table) -> pa.Table:
    """Turn the columns pyarrow inferred as dates or timestamps into ``timestamp[s]`` at midnight.

    pyarrow recognises ISO dates, with or without a time of day; the time of
    day is dropped. A column with any other value stays text and the caller
    reports the bad cells.
    """
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
            column = table.column(index)
            if pa.types.is_timestamp(field.type):
                column = column.cast(pa.date32(), safe=False)
            table = table.set_column(index, field.name, column.cast(pa.timestamp("s")))
    return table


def header_fields(source: Source) -> list[str]:
    """The fields of the file's first record, stripped, once the file is known to be a CSV.

    Raises :class:`~refugeestudy.errors.InputError`, naming the line, if the
    start of the file is not UTF-8, the file holds nothing but blanks, or its
    header is one field that looks separated by ``;``, a tab or ``|``.
    """
    text = decode_head(source)
    check_not_empty(source, text)
    header = [field.strip() for field in first_records(text, 1)[0]]
    check_delimiter(source, header)
    return header


def read_headed_csv(path: str | Path, *, kind: str, required: Sequence[str], what: str,
                    text_columns: Iterable[str] = (), null_values: Sequence[str] = ("",),
                    optional: Sequence[str] = ()) -> tuple[pd.DataFrame, LineIndex, Problems]:
    """Open a CSV whose first line is its header, check it and read its ``required`` columns.

    The common start of the readers of headed files (Eurostat, gdidata's WDI and IDMC,
    CEPII, ACLED, UCDP country-year): not empty, comma-delimited, every required column
    present (with a close match suggested), then the required columns and those of
    ``optional`` the header holds read as text or numbers.

    Returns
    -------
    tuple
        ``(raw, lines, problems)``: the columns read, the file's line index and an empty
        :class:`Problems` for the reader's own row checks.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp, "x.csv")
    ...     _ = path.write_text("geo,t,n\\nSY,2020,5\\n")
    ...     raw, lines, problems = read_headed_csv(path, kind="test", required=["geo", "n"],
    ...                                            what="geo, n", text_columns=["geo"])
    >>> raw.to_dict("records")
    [{'geo': 'SY', 'n': 5}]
    """
    source = open_source(path, kind=kind)
    header = header_fields(source)
    check_columns(source, header, required, what=what)
    columns = [c for c in (*required, *optional) if c in header]
    raw = read_table(source, columns=columns, text_columns=text_columns, null_values=null_values)
    lines = LineIndex(source)
    return raw, lines, Problems(source, lines)


def cell(values: pd.Series, position: int) -> str:
    """A cell as quoted text for a message (``'7'``, not ``np.int64(7)``)."""
    value = values.iloc[position]
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and values.dtype.kind == "f":
        return repr(format(value, "g"))
    return repr(str(value))


_LARGEST_COUNT = 2**53  # floats hold every whole number up to here exactly


def as_integers(values: pd.Series, column: str, problems: Problems, *,
                required: bool = True, non_negative: bool = True) -> pd.Series:
    """Convert a column to ``Int64``, recording non-numbers, fractions, negatives, blanks.

    Accepts integers and whole floats (``"10.0"``); a missing cell stays missing
    (an error if ``required``).
    """
    if values.dtype.kind in "iu":
        result = values.astype("Int64")
    else:
        numbers = values if values.dtype.kind == "f" else pd.to_numeric(values, errors="coerce")
        numbers = numbers.astype("float64")
        bad = numbers.isna() & values.notna()
        bad |= numbers.notna() & ~np.isinf(numbers) & (numbers != np.floor(numbers))
        problems.rows(bad, column, lambda p: f"expected a whole number, found {cell(values, p)}")
        # 1e30 or inf would overflow the integer column (a crash); no count comes near 2**53
        huge = numbers.notna() & ~bad & (numbers.abs() > _LARGEST_COUNT)
        problems.rows(huge, column, lambda p: f"expected a whole number up to "
                                              f"{_LARGEST_COUNT:,}, found {cell(values, p)}")
        bad |= huge
        result = numbers.where(~bad).astype("Int64")
    if required:
        problems.rows(values.isna(), column, "is empty; a value is required")
    if non_negative:
        problems.rows(result < 0, column, lambda p: f"must not be negative, found {cell(values, p)}")
    return result


def as_years(values: pd.Series, column: str, problems: Problems, first: int = 1900,
             last: int = 2100) -> pd.Series:
    """Convert a year column to ``Int64`` (:func:`as_integers`); record years outside ``[first, last]``.

    Examples
    --------
    >>> problems = Problems(Source(Path("x.csv")), lambda positions: [p + 2 for p in positions])
    >>> as_years(pd.Series(["2024", "1800"]), "year", problems).tolist()
    [2024, 1800]
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    refugeestudy.errors.InputError: x.csv: 1 problem
      x.csv:3: column 'year': expected a year, found '1800'
    """
    years = as_integers(values, column, problems)
    problems.rows((years < first) | (years > last), column,
                  lambda p: f"expected a year, found {cell(values, p)}")
    return years


def as_floats(values: pd.Series, column: str, problems: Problems, low: float, high: float) -> pd.Series:
    """Convert a column to float64 in ``[low, high]``; a missing cell stays missing."""
    numbers = values if values.dtype.kind in "fiu" else pd.to_numeric(values, errors="coerce")
    if values.dtype.kind not in "fiu":
        problems.rows(numbers.isna() & values.notna(), column,
                      lambda p: f"expected a number, found {cell(values, p)}")
    numbers = numbers.astype("float64")
    problems.rows((numbers < low) | (numbers > high), column,
                  lambda p: f"expected a number between {low:g} and {high:g}, found {cell(values, p)}")
    return numbers


def as_dates(values: pd.Series, column: str, problems: Problems,
             formats: Sequence[str] = ("%Y-%m-%d",), required: bool = True) -> pd.Series:
    """Parse dates to ``datetime64[s]``; a time of day after the date (``"2016-01-01 00:00:00.000"``)
    is ignored for ISO dates. Each value may be in any of ``formats``."""
    if values.dtype.kind == "M":
        parsed = values.astype("datetime64[s]")
        if required:
            problems.rows(parsed.isna(), column, "is empty; a date is required")
        return parsed
    text = values.astype("string").str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    for fmt in formats:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        candidate = text[todo]
        if fmt == "%Y-%m-%d":
            candidate = candidate.str.slice(0, 10)
        parsed[todo] = pd.to_datetime(candidate, format=fmt, errors="coerce").astype("datetime64[s]")
    shown = " or ".join(fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
                        .replace("%B", "Month").replace("%b", "Mon") for fmt in formats)
    problems.rows(parsed.isna() & text.notna(), column,
                  lambda p: f"expected a date as {shown}, found {cell(values, p)}")
    if required:
        problems.rows(text.isna(), column, "is empty; a date is required")
    return parsed


def duplicates(ids: pd.Series, column: str, problems: Problems, locate: Callable) -> None:
    """Record every repeated id with the line of its first occurrence."""
    repeated = ids.duplicated(keep="first") & ids.notna()
    if repeated.any():
        first = pd.Series(np.arange(len(ids)), index=ids.index).groupby(ids.to_numpy()).transform("min")
        problems.rows(repeated, column,
                      lambda p: f"duplicated id {cell(ids, p)} (first on line {locate([int(first.iloc[p])])[0]})")


def duplicate_rows(parts: Sequence[pd.Series], column: str, problems: Problems, locate: Callable) -> None:
    """Record every row repeating an earlier row's values of ``parts`` (see :func:`duplicates`).

    The rows' key is the parts as text joined by ``|``, a missing value as
    empty; ``column`` names the parts in the message.
    """
    key = parts[0].astype("string").fillna("")
    for part in parts[1:]:
        key = key + "|" + part.astype("string").fillna("")
    duplicates(key, column, problems, locate)


def map_values(values: pd.Series, mapping: dict, *, normalise: Callable[[str], str] | None = None) -> pd.Series:
    """Map a column through ``mapping`` once per distinct value; unmapped → missing (``string``)."""
    codes, uniques = pd.factorize(values)
    keys = [normalise(u) if normalise else u for u in uniques]
    looked_up = pa.array([mapping.get(k) for k in keys], type=pa.string())
    taken = looked_up.take(pa.array(codes, mask=codes < 0)) if len(looked_up) else \
        pa.nulls(len(codes), pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=values.index).astype("string")


def governorates(names: pd.Series, rows: np.ndarray, column: str, problems: Problems,
                 locate: Callable) -> pd.Series:
    """P-codes of ``names`` on the ``rows`` (a boolean mask) of a Syrian place; missing elsewhere.

    An unknown name is recorded in ``problems`` with its true line numbers.
    """
    pcodes = pd.Series(pd.NA, index=names.index, dtype="string")
    if not rows.any():
        return pcodes
    subset = names[rows]
    codes, uniques = pd.factorize(subset)
    try:  # once per distinct name
        found = to_pcodes(pd.Series(uniques, dtype="string"), path=problems.source.label, column=column)
    except InputError:
        try:  # again, on every row, with its line (fields may span lines)
            to_pcodes(subset, path=problems.source.label, column=column,
                      lines=locate(np.flatnonzero(rows).tolist()))
        except InputError as exc:
            for problem in exc.problems:
                problems.add(problem)
        return pcodes
    mapping = pa.array([None if pd.isna(v) else v for v in found], type=pa.string())
    taken = mapping.take(pa.array(codes, mask=codes < 0)) if len(mapping) else pa.nulls(len(codes), pa.string())
    pcodes[rows] = pd.Series(pd.arrays.ArrowStringArray(taken), index=subset.index).astype("string")
    return pcodes
