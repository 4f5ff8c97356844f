"""The curated report log: figures compiled by this project from public reports.

The log lives in ``data/raw/reports/``: ``figures.csv`` holds one reported figure
a row (a death toll, a count of people arriving or sheltering, or a dated
event) with who produced it, who published it, the URL and how the number
was qualified; ``sources.csv`` lists every URL once. Its README defines the
columns.

:func:`check_log` validates the file and reports every problem with its file,
line and column; :func:`validate_log` also checks the ``sources.csv`` beside it
(what ``refugeestudy validate`` runs); :func:`load_reports` turns the log into
the canonical tables. Raw rows are never edited: reconciliation is code
(cumulative tolls become changes of each producer's curve, see
:func:`refugeestudy.clean.counts.cumulative_to_increments`), and destination
places are read in the gazetteer's spelling
(:data:`refugeestudy.clean.places.LOCALITIES`).

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
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from refugeestudy import paths, schema
from refugeestudy.sources import packaged
from refugeestudy.clean.counts import (
    bounds_frame,
    cumulative_to_increments,
    qualifier_bounds,
)
from refugeestudy.clean.dates import parse_iso_date
from refugeestudy.clean.places import (
    DESTINATION_COUNTRIES,
    check_destination_region,
    governorate_pcode,
    locality,
    split_place,
)
from refugeestudy.errors import InputError, Problem

__all__ = ["FIGURE_COLUMNS", "ORIGIN_SCOPES", "PRODUCER_COLUMNS", "SOURCE_COLUMNS", "ReportLog",
           "check_log", "check_producers", "check_sources", "load_reports", "read_log",
           "validate_log"]

FIGURE_COLUMNS = (
    "figure_id", "kind", "report_date", "report_date_inferred", "period_start", "period_end",
    "basis", "origin_admin1", "destination_country_iso3", "destination_admin1",
    "destination_place", "population_type", "subject", "count", "count_high", "qualifier",
    "figure_by", "attribution", "publisher", "url", "label", "note",
)
#: Columns a log may leave out (older logs): ``part_of`` names the figure a
#: sub-total belongs to (a city within a coast-wide toll, deaths by one perpetrator).
OPTIONAL_FIGURE_COLUMNS = ("part_of",)
SOURCE_COLUMNS = ("url", "read_at_url", "publisher", "title", "publication_date", "language",
                  "accessed_via")
PRODUCER_COLUMNS = ("producer", "kind", "aliases")
#: What a producer is (``producers.csv``, column ``kind``).
PRODUCER_KINDS = ("monitor", "un_agency", "government", "local_authority", "armed_group",
                  "political_party", "media", "ngo", "investigation", "individual")
#: ``origin_admin1`` codes for figures about more than one governorate: the whole country,
#: and the coast (Latakia, Tartus and the Hama and Homs countryside the sources call "the coast").
ORIGIN_SCOPES = {"SY": "Syria-wide", "SY-COAST": "Syrian coast"}
#: Hosts that copy other outlets' pages (scrapers, mirrors, proxies): never a source's ``url``,
#: only its ``read_at_url``.
COPY_HOSTS = ("news-247.top", "hathalyoum.net", "nsh-em.com", "daily8.com", "news.science",
              "storage.googleapis.com", "thejewishworldseenby.com", "pressmediaofindia.com",
              "conservativenewsbriefing.com", "todayheadline.co", "web.lifelines.name",
              "news-pravda.com", "stkittsgazette.com", "elawnj.com", "naslovi.net", "e4a.fr",
              "ammarjohmani.blogspot.com")

KINDS = ("deaths", "displacement", "event")
BASES = ("cumulative", "period", "stock")
POPULATION_TYPES = ("arrivals", "sheltering", "fled")
#: ``combatants`` counts the armed dead of both sides together (security forces and the
#: fighters they fought), when a source gives no split; ``other`` any other subset.
SUBJECTS = ("total", "civilians", "security_forces", "fighters", "combatants", "other")
#: Largest count a table can hold (int64).
MAX_COUNT = 2**63 - 1

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
#: What to read when a log file breaks a rule.
README_HINT = "see data/raw/reports/README.md for each column's rules"
_ALWAYS_FILLED = ("figure_id", "kind", "report_date", "report_date_inferred", "period_start",
                  "period_end", "origin_admin1", "publisher", "url")


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
        raise InputError(path, [Problem(None, None, "file not found")], hint=README_HINT) from None
    except IsADirectoryError:
        raise InputError(path, [Problem(None, None, "is a folder; expected a CSV file")],
                         hint=README_HINT) from None
    with handle:
        try:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise InputError(path, [Problem(1, None, "the file is empty; expected a header row")],
                                 hint=README_HINT)
            header = [name.strip() for name in header]
            duplicated = sorted({name for name in header if header.count(name) > 1})
            if duplicated:
                raise InputError(path, [Problem(1, name, "column appears more than once in the header")
                                        for name in duplicated],
                                 hint="keep one column of each name")
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
                raise InputError(path, problems, hint=README_HINT)
            rows, start = [], reader.line_num + 1
            for values in reader:
                if len(values) != len(header):
                    raise InputError(path, [Problem(
                        start, None,
                        f"expected {len(header)} fields, found {len(values)} (a stray comma or quote?)",
                    )], hint=README_HINT)
                row = dict.fromkeys(optional, "")
                row.update((k, v.strip()) for k, v in zip(header, values))
                rows.append((start, row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(path, [Problem(reader.line_num, None, f"malformed CSV: {exc}")],
                             hint=README_HINT) from None
        except UnicodeDecodeError as exc:
            raise InputError(path, [Problem(None, None, f"not UTF-8 text: {exc}")],
                             hint="save the file as UTF-8 text") from None
    return rows


def _url_problem(url: str) -> str | None:
    """What is wrong with a cited URL, or ``None``: it must be http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return f"expected an http(s) URL with a host, found {url!r}"
    return None


def _attribution_problems(row: dict[str, str]) -> list[tuple[str, str]]:
    """Problems with ``report_date_inferred``, ``figure_by`` and ``attribution``.

    ``report_date_inferred`` is ``true`` or ``false``; a figure names its producer in
    ``figure_by`` or, when the source names none, says why in ``attribution`` (never both).

    Examples
    --------
    >>> _attribution_problems({"report_date_inferred": "yes", "figure_by": "SNHR",
    ...                        "attribution": ""})
    [('report_date_inferred', "expected 'true' or 'false', found 'yes'")]
    """
    problems = []
    inferred = row["report_date_inferred"]
    if inferred and inferred not in ("true", "false"):
        problems.append(("report_date_inferred", f"expected 'true' or 'false', found {inferred!r}"))
    if not row["figure_by"] and not row["attribution"]:
        problems.append(("attribution", "is empty and so is figure_by; name the producer, or say "
                                        "here why the source names none"))
    elif row["figure_by"] and row["attribution"]:
        problems.append(("attribution", "must be empty when figure_by names the producer"))
    return problems


def _citation_problem(url: str) -> str | None:
    """What keeps ``url`` from being cited as the original page, or ``None``.

    An original page is not an IP address, not on a copying host (:data:`COPY_HOSTS`) and is
    written decoded (no percent-encoded non-ASCII letters).

    Examples
    --------
    >>> _citation_problem("http://72.46.128.21/arabic/levant/458879")
    "the host '72.46.128.21' is an IP address; cite the publisher's own page (a copy goes in read_at_url)"
    >>> _citation_problem("https://www.sana.sy/en/?p=365511") is None
    True
    """
    host = (urlsplit(url).hostname or "").lower()
    where = "cite the publisher's own page (a copy goes in read_at_url)"
    if re.fullmatch(r"[0-9.]+|[0-9a-f:]*:[0-9a-f:]*", host):
        return f"the host {host!r} is an IP address; {where}"
    copier = next((h for h in COPY_HOSTS if host == h or host.endswith("." + h)), None)
    if copier:
        return f"{copier} copies other outlets' pages (a scraper or mirror); {where}"
    if re.search(r"%[89a-fA-F][0-9a-fA-F]", url):
        return "is percent-encoded; write the URL decoded (urllib.parse.unquote)"
    return None


def _title_problem(title: str) -> str | None:
    """A title is the page's own title or empty: no bracketed notes of ours.

    Examples
    --------
    >>> _title_problem("[descriptive title; page title not in stored text] Toll rises")
    "holds a note in brackets ('[descriptive title; page title not in stored text]'); leave the title empty when the page's title is not known"
    """
    note = re.search(r"\[[^\]]*\]", title)
    if note:
        return (f"holds a note in brackets ({note.group(0)!r}); leave the title empty when the "
                "page's title is not known")
    return None


def _check_place(row: dict[str, str]) -> list[tuple[str, str]]:
    """Problems with ``destination_place``: a gazetteer place, in the row's country and region."""
    name, _ = split_place(row["destination_place"])
    place = locality(name)
    if place is None:
        message = (f"unknown place {name!r}; add it (with its spellings) to "
                   "refugeestudy.clean.places.LOCALITIES")
        return [("destination_place", message)]
    problems = []
    iso3, region = row["destination_country_iso3"], row["destination_admin1"]
    if iso3 and iso3 != place.country_iso3:
        message = f"{place.name!r} is in {place.country_iso3}, but destination_country_iso3 is {iso3!r}"
        problems.append(("destination_place", message))
    if region and place.region and region != place.region:
        message = f"{place.name!r} is in {place.region}, but destination_admin1 is {region!r}"
        problems.append(("destination_place", message))
    return problems


def _date_problems(row: dict[str, str], today: dt.date) -> list[tuple[str, str]]:
    """(column, message) for each unreadable or impossible date of one figure row."""
    problems, dates = [], {}
    for column in ("report_date", "period_start", "period_end"):
        if row[column]:
            dates[column] = parse_iso_date(row[column])
            if dates[column] is None:
                problems.append((column, f"expected a date as YYYY-MM-DD, found {row[column]!r}"))
    if dates.get("period_start") and dates.get("period_end"):
        if dates["period_end"] < dates["period_start"]:
            problems.append(("period_end", f"{row['period_end']} is before period_start {row['period_start']}"))
    if dates.get("report_date"):
        if dates["report_date"] > today:
            problems.append(("report_date",
                             f"{row['report_date']} is in the future (today is {today.isoformat()})"))
        elif dates.get("period_start") and dates["report_date"] < dates["period_start"]:
            problems.append(("report_date", f"{row['report_date']} is before period_start "
                                            f"{row['period_start']}: a report cannot cover a period that "
                                            "had not begun"))
    return problems


def _count_problems(row: dict[str, str]) -> list[tuple[str, str]]:
    """(column, message) for each unreadable count of one figure row, or a bad ``between`` pair."""
    problems, counts = [], {}
    for column in ("count", "count_high"):
        text = row[column]
        if text:
            if re.fullmatch(r"[0-9]+", text) and int(text) <= MAX_COUNT:
                counts[column] = int(text)
            elif re.fullmatch(r"[0-9]+", text):
                problems.append((column, f"{text} is too large (the largest count a table holds is {MAX_COUNT})"))
            else:
                problems.append((column, f"expected a non-negative whole number without separators, "
                                         f"found {text!r}"))
    if row["qualifier"] == "between" and "count" in counts and "count_high" not in counts:
        problems.append(("count_high", "qualifier 'between' needs the upper number in count_high"))
    if row["count_high"] and row["qualifier"] != "between":
        problems.append(("count_high", "only allowed with qualifier 'between'"))
    if "count_high" in counts and "count" in counts and counts["count_high"] < counts["count"]:
        problems.append(("count_high", f"{counts['count_high']} is below count {counts['count']}"))
    return problems


def _check_figure(line: int, row: dict[str, str], seen: dict[str, int],
                  today: dt.date) -> list[Problem]:
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
    for column, message in _date_problems(row, today):
        bad(column, message)
    if row["url"]:
        message = _url_problem(row["url"])
        if message:
            bad("url", message)
    for column, message in _attribution_problems(row):
        bad(column, message)
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
    for column, message in _count_problems(row):
        bad(column, message)
    origin = row["origin_admin1"]
    if origin and origin not in ORIGIN_SCOPES and governorate_pcode(origin) is None:
        bad("origin_admin1", f"unknown Syrian governorate {origin!r}; a figure about several "
                             f"governorates uses {' or '.join(ORIGIN_SCOPES)}")
    iso3 = row["destination_country_iso3"]
    if iso3 and not (len(iso3) == 3 and iso3.isalpha() and iso3.isupper()):
        bad("destination_country_iso3", f"expected an ISO 3166-1 alpha-3 code, found {iso3!r}")
    elif iso3 and iso3 not in DESTINATION_COUNTRIES:
        bad("destination_country_iso3", f"unknown destination country {iso3!r}; known: "
                                        f"{', '.join(sorted(DESTINATION_COUNTRIES))} (a new one must be "
                                        "added to refugeestudy.clean.places.DESTINATION_COUNTRIES)")
    if row["destination_admin1"]:
        message = check_destination_region(row["destination_admin1"], iso3)
        if message:
            bad("destination_admin1", message)
    if row["destination_place"]:
        for column, message in _check_place(row):
            bad(column, message)
    return problems


def _part_of_problems(rows: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    """``part_of`` must name another figure of the same kind, form no cycle, and the parts of
    one figure must not add up to more than it (their lower bounds above its upper bound)."""
    problems: list[Problem] = []
    by_id = {row["figure_id"]: (line, row) for line, row in rows}
    parent = {row["figure_id"]: row["part_of"] for _, row in rows if row["part_of"]}
    for line, row in rows:
        whole = row["part_of"]
        if not whole:
            continue
        if whole == row["figure_id"] or whole not in by_id:
            problems.append(Problem(line, "part_of", f"{whole!r} is not another figure_id of this log"))
        elif by_id[whole][1]["kind"] != row["kind"] or row["kind"] == "event":
            problems.append(Problem(line, "part_of", f"{whole!r} is a {by_id[whole][1]['kind']} "
                                                     "figure; a part must be a toll or count of the "
                                                     "same kind"))
    reported: set[str] = set()
    for start, whole in parent.items():
        chain, current = [start], whole
        while current in parent and current not in chain:
            chain.append(current)
            current = parent[current]
        if current in chain and not reported & set(chain):
            cycle = chain[chain.index(current):] + [current]
            reported |= set(cycle)
            problems.append(Problem(by_id[current][0], "part_of",
                                    "part_of forms a cycle: " + " -> ".join(
                                        f"{fid} (line {by_id[fid][0]})" for fid in cycle)))
    parts: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        if row["part_of"] in by_id and row["part_of"] not in reported:
            parts.setdefault(row["part_of"], []).append((line, row))
    for whole, members in parts.items():
        whole_line, whole_row = by_id[whole]
        high = _bound(whole_row, 2)
        lows = [_bound(row, 0) for _, row in members]
        if high is None or any(low is None for low in lows) or sum(lows) <= high:
            continue
        listed = ", ".join(f"{row['figure_id']} (line {line}) {row['count']}" for line, row in members)
        problems.append(Problem(whole_line, "count", f"its parts {listed} add up to at least "
                                                     f"{sum(lows)}, more than {whole} can hold "
                                                     f"({whole_row['qualifier']} {whole_row['count']})"))
    return problems


def _bound(row: dict[str, str], which: int) -> int | None:
    """Low (0) or high (2) bound of a row's stated count; ``None`` if unknown or invalid.

    An unknown lower bound ("up to n") counts as 0 in a sum of parts.
    """
    try:
        count = int(row["count"])
        high = int(row["count_high"]) if row["count_high"] else None
        bound = qualifier_bounds(count, row["qualifier"], high)[which]
    except (ValueError, TypeError):
        return None
    return 0 if bound is None and which == 0 else bound


def check_log(path: str | Path, today: dt.date | None = None) -> list[tuple[int, dict[str, str]]]:
    """Validate a ``figures.csv`` file and return its rows with their line numbers.

    Parameters
    ----------
    path : str or Path
        The log file.
    today : datetime.date, optional
        Report dates after this day are refused (default: today's date).

    Returns
    -------
    list of (int, dict)
        ``(line, row)`` for each figure, cells stripped of blanks.

    Raises
    ------
    InputError
        Listing every problem with its line and column: an unknown governorate
        or destination place, a bad date, a report dated in the future or before
        its period, a negative, non-integer or too large count, an unknown
        qualifier, a non-http(s) URL, a duplicated id, a ``part_of`` that names
        no figure or forms a cycle, parts adding up to more than their total, ...
    """
    path = Path(path)
    today = today or dt.date.today()
    rows = _read_rows(path, FIGURE_COLUMNS, OPTIONAL_FIGURE_COLUMNS)
    seen: dict[str, int] = {}
    problems = [p for line, row in rows for p in _check_figure(line, row, seen, today)]
    problems += _part_of_problems(rows)
    if problems:
        raise InputError(path, problems, hint=README_HINT)
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
        for column, check in (("url", _url_problem), ("url", _citation_problem),
                              ("read_at_url", _url_problem), ("title", _title_problem)):
            message = check(row[column]) if row[column] or column == "url" else None
            if message:
                problems.append(Problem(line, column, message))
    if problems:
        raise InputError(path, problems, hint=README_HINT)
    unlisted = [Problem(line, "url", f"{url} is not listed in {path.name}")
                for line, url in zip(figures["line"], figures["url"]) if url not in seen]
    if unlisted:
        raise InputError(figures_path or path.with_name("figures.csv"), unlisted,
                         hint=f"add each cited URL to {path.name} with its publisher and date")
    return pd.DataFrame([row for _, row in rows], columns=list(SOURCE_COLUMNS)).astype("string")


def check_producers(path: Path, figures: list[tuple[int, dict[str, str]]],
                    figures_path: Path | None = None) -> dict[str, str]:
    """Validate ``producers.csv``; every ``figure_by`` must be one of its names or aliases.

    Parameters
    ----------
    path : Path
        The ``producers.csv`` file (columns ``producer, kind, aliases``; aliases
        separated by ``;``).
    figures : list of (int, dict)
        The log's rows with their lines (:func:`check_log`).
    figures_path : Path, optional
        The log file, named in the errors about its rows.

    Returns
    -------
    dict
        Every spelling (canonical name or alias) to its canonical name.

    Raises
    ------
    InputError
        A producer or alias listed twice, an unknown kind, or a ``figure_by``
        spelling that is neither a name nor an alias (with the figure's line).

    Examples
    --------
    >>> folder = paths.raw_dir() / "reports"
    >>> names = check_producers(folder / "producers.csv", check_log(folder / "figures.csv"))
    >>> names["SNHR"]
    'Syrian Network for Human Rights'
    """
    rows = _read_rows(path, PRODUCER_COLUMNS)
    problems, names = [], {}
    for line, row in rows:
        if row["kind"] not in PRODUCER_KINDS:
            problems.append(Problem(line, "kind", f"unknown kind {row['kind']!r}; expected one of "
                                                  f"{', '.join(PRODUCER_KINDS)}"))
        spellings = [("producer", row["producer"])]
        spellings += [("aliases", a.strip()) for a in row["aliases"].split(";") if a.strip()]
        for column, name in spellings:
            if not name:
                problems.append(Problem(line, column, "is empty; every producer needs a name"))
            elif name in names:
                problems.append(Problem(line, column, f"{name!r} is already a name of "
                                                      f"{names[name]!r}"))
            else:
                names[name] = row["producer"]
    if problems:
        raise InputError(path, problems, hint=README_HINT)
    unknown = [Problem(line, "figure_by", f"unknown producer {row['figure_by']!r}; use a name or "
                                          f"alias of {path.name} (or add it there)")
               for line, row in figures if row["figure_by"] and row["figure_by"] not in names]
    if unknown:
        raise InputError(figures_path or path.with_name("figures.csv"), unknown, hint=README_HINT)
    return names


def validate_log(path: str | Path, today: dt.date | None = None) -> list[tuple[int, dict[str, str]]]:
    """Check a ``figures.csv`` and the ``sources.csv`` beside it, as ``refugeestudy validate`` does.

    Parameters
    ----------
    path : str or Path
        The log file; its ``sources.csv`` must sit in the same folder.
    today : datetime.date, optional
        Report dates after this day are refused (default: today's date).

    Returns
    -------
    list of (int, dict)
        ``(line, row)`` for each figure.

    Raises
    ------
    InputError
        Every problem of the log, with its line and column; once the log reads
        cleanly, every problem of its ``sources.csv`` and ``producers.csv`` too, in
        one error, each with its file, line and column. A missing ``sources.csv`` is
        an error (the log's URLs could not be checked).

    Examples
    --------
    >>> len(validate_log(paths.raw_dir() / "reports" / "figures.csv")) > 100
    True
    """
    path = Path(path)
    rows = check_log(path, today)  # the checks below need its rows
    errors = []
    for check, name in ((check_sources, "sources.csv"), (check_producers, "producers.csv")):
        try:
            check(_sources_beside(path, name), rows, path)
        except InputError as error:
            errors.append(error)
    if errors:
        raise InputError.combine(errors)
    return rows


def _sources_beside(figures_path: Path, name: str = "sources.csv") -> Path:
    """The ``sources.csv`` (or ``producers.csv``) next to a log; a clear error when it is missing."""
    sources = figures_path.parent / name
    what = "URL cited in" if name == "sources.csv" else "figure_by spelling of"
    if not sources.is_file():
        raise InputError(sources, [Problem(None, None, f"not found; every {what} "
                                                       f"{figures_path.name} must be listed there")],
                         hint=f"create {sources.name} beside {figures_path.name} (see "
                              "data/raw/reports/README.md)")
    return sources


def read_log(path: str | Path) -> pd.DataFrame:
    """Read and validate ``figures.csv`` into a typed frame, one row per figure.

    Adds ``line`` (the row's line in the file), ``origin_admin1_pcode`` (a
    governorate's p-code; empty for the codes of :data:`ORIGIN_SCOPES`),
    ``origin_scope`` (that p-code, ``SY-COAST`` or ``SY``) and ``low``/``best``/``high``
    bounds from the qualifier. ``figure_by`` holds the producer's canonical name
    from the ``producers.csv`` beside the log (the spelling as entered stays in
    ``figure_by_stated``); ``report_date_inferred`` is boolean. ``destination_place``
    is written in the gazetteer's spelling (``Talbireh`` and ``Tal al-Bireh``
    are one place); the detail in parentheses moves to ``destination_detail``.

    Examples
    --------
    >>> figures = read_log(paths.raw_dir() / "reports" / "figures.csv")
    >>> figures["figure_id"].is_unique
    True
    """
    path = Path(path)
    rows = check_log(path)
    return _figures_frame(rows, check_producers(_sources_beside(path, "producers.csv"), rows, path))


def _figures_frame(rows: list[tuple[int, dict[str, str]]], producers: dict[str, str]
                   ) -> pd.DataFrame:
    """The checked rows as the typed frame of :func:`read_log` (producers: spelling to name)."""
    frame = pd.DataFrame([row for _, row in rows],
                         columns=list(FIGURE_COLUMNS + OPTIONAL_FIGURE_COLUMNS)).astype("string")
    frame = frame.mask(frame == "")
    frame.insert(0, "line", [line for line, _ in rows])
    frame["report_date_inferred"] = (frame["report_date_inferred"] == "true").astype("boolean")
    frame["figure_by_stated"] = frame["figure_by"]
    frame["figure_by"] = frame["figure_by"].map(producers.get).astype("string")
    for column in ("report_date", "period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[s]")
    for column in ("count", "count_high"):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    frame["origin_admin1_pcode"] = frame["origin_admin1"].map(
        lambda name: None if name in ORIGIN_SCOPES else governorate_pcode(name)
    ).astype("string")
    frame["origin_scope"] = frame["origin_admin1_pcode"].fillna(frame["origin_admin1"])
    named = frame["destination_place"].map(lambda text: split_place(text) if isinstance(text, str)
                                           else (None, None))
    frame["destination_place"] = pd.array([locality(name).name if name else None
                                           for name, _ in named], dtype="string")
    frame["destination_detail"] = pd.array([detail for _, detail in named], dtype="string")
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
        "admin1_name": tolls["origin_admin1"].where(tolls["origin_admin1_pcode"].notna()),
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
        in the installed package (:func:`refugeestudy.sources.packaged.report_log_dir`).

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
    path = folder / "figures.csv"
    rows = check_log(path)
    sources = check_sources(_sources_beside(path), rows, path)
    figures = _figures_frame(rows, check_producers(_sources_beside(path, "producers.csv"), rows, path))
    return ReportLog(
        violence=_violence(figures),
        displacement=_displacement(figures),
        events=_events(figures),
        figures=figures,
        sources=sources,
    )
