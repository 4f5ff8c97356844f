"""The curated report log: figures compiled by this project from public reports.

The log lives in ``data/raw/reports/``: ``figures.csv`` holds one reported figure
a row (a death toll, a count of people arriving or sheltering, or a dated
event) with who produced it, who published it, the URL and how the number
was qualified; ``sources.csv`` lists every URL once. Its README defines the
columns.

:func:`check_log` validates the file and reports every problem with its file,
line and column; :func:`load_reports` turns the log into the canonical tables.
Raw rows are never edited: reconciliation is code (cumulative tolls become
increments per reporter, see :func:`refugeestudy.clean.counts.cumulative_to_increments`).

Examples
--------
>>> log = load_reports()
>>> sorted(set(log.violence["source"]))
['reports']
>>> {"assad_fall", "coastal_violence_start"} <= set(log.events["label"])
True
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from refugeestudy import packaged, paths, schema
from refugeestudy.clean.counts import bounds_frame, cumulative_to_increments
from refugeestudy.clean.dates import parse_iso_date
from refugeestudy.clean.places import check_destination_region, governorate_pcode
from refugeestudy.errors import InputError, Problem

__all__ = ["FIGURE_COLUMNS", "SOURCE_COLUMNS", "ReportLog", "check_log", "check_sources",
           "load_reports", "read_log"]

FIGURE_COLUMNS = (
    "figure_id", "kind", "report_date", "period_start", "period_end", "basis",
    "origin_admin1", "destination_country_iso3", "destination_admin1", "destination_place",
    "population_type", "subject", "count", "count_high", "qualifier", "figure_by",
    "publisher", "url", "label", "note",
)
#: Columns a log may leave out (older logs): ``part_of`` names the figure a
#: sub-total belongs to (a city within a coast-wide toll, deaths by one perpetrator).
OPTIONAL_FIGURE_COLUMNS = ("part_of",)
SOURCE_COLUMNS = ("url", "publisher", "title", "publication_date", "language", "accessed_via")

KINDS = ("deaths", "displacement", "event")
BASES = ("cumulative", "period", "stock")
POPULATION_TYPES = ("arrivals", "sheltering", "fled")
SUBJECTS = ("total", "civilians", "security_forces", "fighters", "other")

# Columns that must be filled (F) or left empty (E), by kind.
_FILLED_BY_KIND = {
    "deaths": {"basis", "count", "qualifier", "subject"},
    "displacement": {"basis", "count", "qualifier", "destination_country_iso3", "population_type"},
    "event": {"label"},
}
_EMPTY_BY_KIND = {
    "deaths": {"destination_country_iso3", "destination_admin1", "population_type", "label"},
    "displacement": {"subject", "label"},
    "event": {"basis", "count", "count_high", "qualifier", "population_type", "subject"},
}
_ALWAYS_FILLED = ("figure_id", "kind", "report_date", "period_start", "period_end",
                  "figure_by", "publisher", "url")


@dataclass(frozen=True)
class ReportLog:
    """The curated log as canonical tables.

    Attributes
    ----------
    violence : pandas.DataFrame
        ``violence_events`` rows from the death tolls (cumulative tolls as
        increments per reporter).
    displacement : pandas.DataFrame
        ``displacement_counts`` rows from arrivals, sheltering and flight counts.
    events : pandas.DataFrame
        ``key_events``: dated events with their labels.
    figures : pandas.DataFrame
        The log as entered, one row per figure, typed but not reconciled.
    sources : pandas.DataFrame
        One row per cited URL.
    """

    violence: pd.DataFrame
    displacement: pd.DataFrame
    events: pd.DataFrame
    figures: pd.DataFrame
    sources: pd.DataFrame


def _read_rows(path: Path, expected: tuple[str, ...],
               optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV into ``(line, row)`` pairs; check the header first.

    Optional columns absent from the header are read as empty cells.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(path, [Problem(None, None, "file not found")]) from None
    except IsADirectoryError:
        raise InputError(path, [Problem(None, None, "is a folder; expected a CSV file")]) from None
    with handle:
        try:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise InputError(path, [Problem(1, None, "the file is empty; expected a header row")])
            header = [name.strip() for name in header]
            missing = [name for name in expected if name not in header]
            unexpected = [name for name in header if name not in expected + optional]
            if len(header) == 1 and len(expected) > 1:
                separator = next((c for c in ";\t|" if c in header[0]), None)
                found = f"separated by {separator!r}" if separator else "a single column"
                raise InputError(path, [Problem(1, None, f"the header is {found}: {header[0][:80]!r}; "
                                                          "expected comma-separated columns")],
                                 hint="save the file as CSV with commas between fields")
            if missing or unexpected:
                problems = [Problem(1, name, "required column is missing") for name in missing]
                problems += [Problem(1, name, "unknown column") for name in unexpected]
                raise InputError(path, problems)
            rows, start = [], reader.line_num + 1
            for values in reader:
                if len(values) != len(header):
                    raise InputError(path, [Problem(
                        start, None,
                        f"expected {len(header)} fields, found {len(values)} (a stray comma or quote?)",
                    )])
                row = dict.fromkeys(optional, "")
                row.update((k, v.strip()) for k, v in zip(header, values))
                rows.append((start, row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(path, [Problem(reader.line_num, None, f"malformed CSV: {exc}")]) from None
        except UnicodeDecodeError as exc:
            raise InputError(path, [Problem(None, None, f"not UTF-8 text: {exc}")]) from None
    return rows


def _check_figure(line: int, row: dict[str, str], seen: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    for column in _ALWAYS_FILLED:
        if not row[column]:
            bad(column, "is empty; every figure needs it")
    figure_id, kind = row["figure_id"], row["kind"]
    if figure_id:
        if figure_id in seen:
            bad("figure_id", f"duplicated id {figure_id!r} (first on line {seen[figure_id]})")
        else:
            seen[figure_id] = line
    if kind and kind not in KINDS:
        bad("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    dates = {}
    for column in ("report_date", "period_start", "period_end"):
        if row[column]:
            dates[column] = parse_iso_date(row[column])
            if dates[column] is None:
                bad(column, f"expected a date as YYYY-MM-DD, found {row[column]!r}")
    if dates.get("period_start") and dates.get("period_end"):
        if dates["period_end"] < dates["period_start"]:
            bad("period_end", f"{row['period_end']} is before period_start {row['period_start']}")
    if row["url"] and not row["url"].startswith(("http://", "https://")):
        bad("url", f"expected an http(s) URL, found {row['url']!r}")
    if kind not in KINDS:
        return problems
    for column in sorted(_FILLED_BY_KIND[kind]):
        if not row[column]:
            bad(column, f"is empty; a {kind} figure needs it")
    for column in sorted(_EMPTY_BY_KIND[kind]):
        if row[column]:
            bad(column, f"must be empty for a {kind} row, found {row[column]!r}")
    for column, allowed in (("basis", BASES), ("qualifier", schema.QUALIFIERS),
                            ("population_type", POPULATION_TYPES), ("subject", SUBJECTS)):
        if row[column] and row[column] not in allowed:
            bad(column, f"unknown value {row[column]!r}; expected one of {', '.join(allowed)}")
    counts = {}
    for column in ("count", "count_high"):
        text = row[column]
        if text:
            if re.fullmatch(r"[0-9]+", text):
                counts[column] = int(text)
            else:
                bad(column, f"expected a non-negative whole number without separators, found {text!r}")
    if row["qualifier"] == "between" and "count" in counts and "count_high" not in counts:
        bad("count_high", "qualifier 'between' needs the upper number in count_high")
    if row["count_high"] and row["qualifier"] != "between":
        bad("count_high", "only allowed with qualifier 'between'")
    if counts.get("count_high", 0) and counts["count_high"] < counts.get("count", 0):
        bad("count_high", f"{counts['count_high']} is below count {counts['count']}")
    if row["origin_admin1"] and governorate_pcode(row["origin_admin1"]) is None:
        bad("origin_admin1", f"unknown Syrian governorate {row['origin_admin1']!r}")
    iso3 = row["destination_country_iso3"]
    if iso3 and not (len(iso3) == 3 and iso3.isalpha() and iso3.isupper()):
        bad("destination_country_iso3", f"expected an ISO 3166-1 alpha-3 code, found {iso3!r}")
    if row["destination_admin1"]:
        message = check_destination_region(row["destination_admin1"], iso3)
        if message:
            bad("destination_admin1", message)
    return problems


def check_log(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """Validate a ``figures.csv`` file and return its rows with their line numbers.

    Parameters
    ----------
    path : str or Path
        The log file.

    Returns
    -------
    list of (int, dict)
        ``(line, row)`` for each figure, cells stripped of blanks.

    Raises
    ------
    InputError
        Listing every problem with its line and column: an unknown governorate,
        a bad date, a negative or non-integer count, an unknown qualifier, a
        missing URL, a duplicated id, ...
    """
    path = Path(path)
    rows = _read_rows(path, FIGURE_COLUMNS, OPTIONAL_FIGURE_COLUMNS)
    seen: dict[str, int] = {}
    problems = [p for line, row in rows for p in _check_figure(line, row, seen)]
    kinds = {row["figure_id"]: row["kind"] for _, row in rows}
    for line, row in rows:
        whole = row["part_of"]
        if not whole:
            continue
        if whole == row["figure_id"] or whole not in kinds:
            problems.append(Problem(line, "part_of", f"{whole!r} is not another figure_id of this log"))
        elif kinds[whole] != row["kind"] or row["kind"] == "event":
            problems.append(Problem(line, "part_of", f"{whole!r} is a {kinds[whole]} figure; a part "
                                                     "must be a toll or count of the same kind"))
    if problems:
        raise InputError(path, problems, hint="see data/raw/reports/README.md for each column's rules")
    return rows


def check_sources(path: Path, figures: pd.DataFrame | list[tuple[int, dict[str, str]]],
                  figures_path: Path | None = None) -> pd.DataFrame:
    """Validate ``sources.csv``; every URL cited in the figures must be listed there.

    A URL missing from the list is reported against the figures file and line
    that cite it (``figures_path``).
    """
    if isinstance(figures, list):
        figures = pd.DataFrame({"line": [line for line, _ in figures],
                                "url": [row["url"] for _, row in figures]})
    rows = _read_rows(path, SOURCE_COLUMNS)
    problems, seen = [], {}
    for line, row in rows:
        if row["url"] in seen:
            problems.append(Problem(line, "url", f"listed twice (first on line {seen[row['url']]})"))
        seen[row["url"]] = line
        if parse_iso_date(row["publication_date"]) is None:
            problems.append(Problem(line, "publication_date",
                                    f"expected YYYY-MM-DD, found {row['publication_date']!r}"))
    if problems:
        raise InputError(path, problems)
    unlisted = [Problem(line, "url", f"{url} is not listed in {path.name}")
                for line, url in zip(figures["line"], figures["url"]) if url not in seen]
    if unlisted:
        raise InputError(figures_path or path.with_name("figures.csv"), unlisted,
                         hint=f"add each cited URL to {path.name} with its publisher and date")
    return pd.DataFrame([row for _, row in rows], columns=list(SOURCE_COLUMNS)).astype("string")


def read_log(path: str | Path) -> pd.DataFrame:
    """Read and validate ``figures.csv`` into a typed frame, one row per figure.

    Adds ``line`` (the row's line in the file), ``origin_admin1_pcode`` and
    ``low``/``best``/``high`` bounds from the qualifier.

    Examples
    --------
    >>> figures = read_log(paths.raw_dir() / "reports" / "figures.csv")
    >>> figures["figure_id"].is_unique
    True
    """
    rows = check_log(path)
    frame = pd.DataFrame([row for _, row in rows],
                         columns=list(FIGURE_COLUMNS + OPTIONAL_FIGURE_COLUMNS)).astype("string")
    frame = frame.mask(frame == "")
    frame.insert(0, "line", [line for line, _ in rows])
    for column in ("report_date", "period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[s]")
    for column in ("count", "count_high"):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    frame["origin_admin1_pcode"] = frame["origin_admin1"].map(
        lambda name: governorate_pcode(name) if isinstance(name, str) else None
    ).astype("string")
    counted = frame["count"].notna()
    bounds = bounds_frame(frame.loc[counted, "count"], frame.loc[counted, "qualifier"],
                          frame.loc[counted, "count_high"])
    for column in ("low", "best", "high"):
        frame[column] = bounds[column].reindex(frame.index).astype("Int64")
    return frame


def _as_increments(rows: pd.DataFrame, series: list[str], basis_column: str) -> pd.DataFrame:
    """Cumulative rows become increments per series; other rows pass unchanged.

    A part of another figure (``part_of``) is not a step of a running series:
    it keeps its stated value and the basis ``part``.
    """
    part = rows["part_of"].notna()
    cumulative = ((rows["basis"] == "cumulative") & ~part).fillna(False).astype(bool)
    stated = rows[~cumulative].assign(revised_down=pd.array([False] * int((~cumulative).sum()),
                                                          dtype="boolean"))
    increments = cumulative_to_increments(
        rows[cumulative], by=series, date="period_end", start="period_start"
    )
    out = pd.concat([stated, increments]).loc[rows.index]
    out[basis_column] = out["basis"].where(~cumulative, "increment").where(~part, "part")
    return out


def _violence(figures: pd.DataFrame) -> pd.DataFrame:
    tolls = figures[figures["kind"] == "deaths"]
    tolls = _as_increments(tolls, ["figure_by", "origin_admin1_pcode", "subject", "period_start"],
                           "deaths_basis")
    frame = pd.DataFrame({
        "event_id": tolls["figure_id"],
        "source": "reports",
        "date_start": tolls["period_start"],
        "date_end": tolls["period_end"],
        "date_precision": 1,
        "country_iso3": "SYR",
        "admin1_pcode": tolls["origin_admin1_pcode"],
        "admin1_name": tolls["origin_admin1"],
        "deaths_best": tolls["best"],
        "deaths_low": tolls["low"],
        "deaths_high": tolls["high"],
        "deaths_civilians": tolls["best"].where(tolls["subject"] == "civilians"),
        "violence_type": tolls["subject"],
        "reporter": tolls["figure_by"],
        "deaths_basis": tolls["deaths_basis"],
        "revised_down": tolls["revised_down"],
        "source_ref": tolls["url"],
    })
    return schema.validate(schema.conform(frame, "violence_events"), "violence_events")


def _displacement(figures: pd.DataFrame) -> pd.DataFrame:
    counts = figures[figures["kind"] == "displacement"]
    series = ["figure_by", "origin_admin1_pcode", "destination_country_iso3",
              "destination_admin1", "destination_place", "population_type", "period_start"]
    counts = _as_increments(counts, series, "count_basis")
    frame = pd.DataFrame({
        "record_id": counts["figure_id"],
        "source": "reports",
        "period_start": counts["period_start"],
        "period_end": counts["period_end"],
        "origin_country_iso3": "SYR",
        "origin_admin1_pcode": counts["origin_admin1_pcode"],
        "destination_country_iso3": counts["destination_country_iso3"],
        "destination_admin1": counts["destination_admin1"],
        "destination_place": counts["destination_place"],
        "population_type": counts["population_type"],
        "count_best": counts["best"],
        "count_low": counts["low"],
        "count_high": counts["high"],
        "qualifier": counts["qualifier"],
        "count_basis": counts["count_basis"],
        "revised_down": counts["revised_down"],
        "reporter": counts["figure_by"],
        "source_ref": counts["url"],
    })
    return schema.validate(schema.conform(frame, "displacement_counts"), "displacement_counts")


def _events(figures: pd.DataFrame) -> pd.DataFrame:
    rows = figures[figures["kind"] == "event"]
    frame = pd.DataFrame({
        "event_id": rows["figure_id"],
        "date": rows["period_start"],
        "label": rows["label"],
        "description": rows["note"],
        "reporter": rows["figure_by"],
        "publisher": rows["publisher"],
        "source_ref": rows["url"],
    })
    return schema.validate(schema.conform(frame, "key_events"), "key_events")


def load_reports(data_dir: str | Path | None = None) -> ReportLog:
    """Load the curated report log as canonical tables.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding ``figures.csv`` and ``sources.csv``; defaults to the
        project's ``data/raw/reports``, or outside a project to the copy shipped
        in the installed package (:func:`refugeestudy.packaged.report_log_dir`).

    Returns
    -------
    ReportLog
        With ``.violence``, ``.displacement``, ``.events``, ``.figures`` and
        ``.sources``.

    Raises
    ------
    InputError
        If either file breaks its rules (file, line and column named).

    Examples
    --------
    >>> log = load_reports()
    >>> (log.displacement["destination_admin1"] == "RU-PER").any()
    True
    """
    folder = Path(data_dir) if data_dir is not None else packaged.report_log_dir()
    figures = read_log(folder / "figures.csv")
    sources = check_sources(folder / "sources.csv", figures, folder / "figures.csv")
    return ReportLog(
        violence=_violence(figures),
        displacement=_displacement(figures),
        events=_events(figures),
        figures=figures,
        sources=sources,
    )
