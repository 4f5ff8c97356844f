"""ACLED export files as ``violence_events``.

:func:`read_acled` reads the CSV that ACLED's data export tool and API
(``format=csv``) produce. Columns are selected by name; extra columns are
ignored. This module reads files only: it never reads ACLED credentials (an
access key belongs to the download step, from the environment).

Mapping (ACLED codebook → ``violence_events``):

========================  ===========================================================
``event_id``              ``"acled:" + event_id_cnty``; ``source_ref`` is ``event_id_cnty``
``date_start/end``        both ``event_date``, written ``16 May 2025`` (export tool)
                          or ``2025-05-16`` (API); the two may be mixed in a file
``date_precision``        ``time_precision`` on UCDP's scale: 1 (day) → 1 (exact day);
                          2 (the week is known) → 3 (UCDP: only the week is known);
                          3 (only the month is known) → 4 (UCDP: 8–30 days or the month)
``country_iso3``          from ``iso`` (ISO 3166-1 numeric) or ``country``; an unlisted
                          country stays missing, its rows are kept
``admin1_name``           ``admin1`` as written
``admin1_pcode``          ``admin1`` through :func:`refugeestudy.clean.places.to_pcodes`
                          on Syrian rows (an unknown name is an error)
``deaths_best/low/high``  all three ``fatalities`` (ACLED gives one figure)
``deaths_civilians``      missing (ACLED does not split fatalities)
``violence_type``         ``event_type + ": " + sub_event_type``, e.g.
                          ``"Violence against civilians: Attack"`` (ACLED's own typology,
                          not UCDP's three types)
``actor_1``/``actor_2``   ``actor1``/``actor2`` (empty stays missing)
``reporter``              ``"ACLED"``; ``deaths_basis`` ``"event"``; ``revised_down`` False
========================  ===========================================================

ACLED's ``event_date`` of a week- or month-precision event is a date inside
that period; it is kept as both ``date_start`` and ``date_end`` and
``date_precision`` says how far to trust it.

Nothing is repaired: a missing required value, a negative or non-integer
``fatalities``, an unknown ``time_precision``, an unparsable date, an unknown
Syrian governorate or a duplicated ``event_id_cnty`` is an
:class:`~refugeestudy.errors.InputError` naming file, line and column.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "acled.csv"
>>> _ = path.write_text(
...     "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,"
...     "iso,country,admin1,latitude,longitude,fatalities\\n"
...     'SYR1,7 March 2025,1,Violence against civilians,Attack,"Militia, armed",'
...     "Civilians,760,Syria,Lattakia,35.5,35.8,12\\n", encoding="utf-8")
>>> events = read_acled(path)
>>> events.loc[0, ["event_id", "date_start", "admin1_pcode", "actor_1"]].tolist()
['acled:SYR1', Timestamp('2025-03-07 00:00:00'), 'SY06', 'Militia, armed']
>>> int(events.loc[0, "deaths_best"]), int(events.loc[0, "date_precision"])
(12, 1)
>>> events.loc[0, "violence_type"]
'Violence against civilians: Attack'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from refugeestudy import schema
from refugeestudy.sources import parse_cache
from refugeestudy.sources import _tabular

__all__ = ["ACLED_COLUMNS", "TIME_PRECISION_TO_UCDP", "read_acled"]

#: Columns :func:`read_acled` needs (``iso`` is optional).
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
    "actor1", "actor2", "country", "admin1", "latitude", "longitude", "fatalities",
)
_OPTIONAL = ("iso",)
_TEXT = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
         "country", "admin1")

#: ACLED ``time_precision`` → UCDP ``date_prec``.
TIME_PRECISION_TO_UCDP: dict[int, int] = {1: 1, 2: 3, 3: 4}

# ISO 3166-1 numeric codes and ACLED country names → alpha-3, for Syria, its
# neighbours and the destinations of Syrians. Others stay missing (rows kept).
_NUMERIC_TO_ISO3 = {
    760: "SYR", 422: "LBN", 400: "JOR", 376: "ISR", 275: "PSE", 368: "IRQ", 792: "TUR",
    364: "IRN", 818: "EGY", 682: "SAU", 887: "YEM", 434: "LBY", 643: "RUS", 804: "UKR",
    196: "CYP", 276: "DEU", 31: "AZE", 51: "ARM", 268: "GEO",
}
_NAME_TO_ISO3 = {
    "syria": "SYR", "lebanon": "LBN", "jordan": "JOR", "israel": "ISR", "palestine": "PSE",
    "iraq": "IRQ", "turkey": "TUR", "iran": "IRN", "egypt": "EGY", "saudi arabia": "SAU",
    "yemen": "YEM", "libya": "LBY", "russia": "RUS", "ukraine": "UKR", "cyprus": "CYP",
    "germany": "DEU", "azerbaijan": "AZE", "armenia": "ARM", "georgia": "GEO",
}


def read_acled(path: str | Path, *, cache: bool = True) -> pd.DataFrame:
    """Read an ACLED export CSV (or a zip holding one) as ``violence_events``.

    Parameters
    ----------
    path : str or Path
        The export file, as downloaded from ACLED (never committed: ACLED's
        licence forbids redistribution).
    cache : bool
        Keep the result of a large export (≥ 32 MiB) as parquet in the
        project's ``data/cache/parsed`` and read it from there while the file
        and the package are unchanged (:mod:`refugeestudy.sources.parse_cache`).

    Returns
    -------
    pandas.DataFrame
        A validated ``violence_events`` table, one row per ACLED event, in
        file order; the module docstring lists the mapping.

    Raises
    ------
    InputError
        When a required column is missing (naming it and a close match), the
        delimiter is not a comma, the CSV is malformed or truncated, or values
        break the rules in the module docstring; every problem names file,
        line and column.

    Examples
    --------
    >>> events = read_acled("data/external/acled/acled_syria.csv")  # doctest: +SKIP
    >>> events["source"].unique().tolist()  # doctest: +SKIP
    ['acled']
    """
    if not cache:
        return _parse_acled(Path(path))
    return parse_cache.cached_read("acled", path, _parse_acled, table="violence_events")


def _parse_acled(path: Path) -> pd.DataFrame:
    """Read, check and map an ACLED export (the uncached work of :func:`read_acled`).

    Every problem of the file is collected (ids, dates, codes, counts,
    coordinates, governorates, in that order) and raised together, before the
    ``violence_events`` table is assembled and validated.
    """
    raw, lines, problems = _tabular.read_headed_csv(
        path, kind="ACLED export", required=ACLED_COLUMNS, what="ACLED export",
        text_columns=_TEXT, optional=_OPTIONAL)
    checked = _checked_values(raw, problems, lines)
    iso3 = _country_iso3(raw)
    syrian = (iso3 == "SYR").fillna(False).to_numpy()
    admin1 = raw["admin1"].astype("string")
    pcodes = _tabular.governorates(admin1, syrian, "admin1", problems, lines)
    problems.raise_if_any(hint="see ACLED's codebook (https://acleddata.com/knowledge-base/codebook/)")

    frame = pd.DataFrame({
        "event_id": "acled:" + checked["ids"],
        "source": "acled",
        "date_start": checked["dates"],
        "date_end": checked["dates"],
        "date_precision": checked["precision"].map(TIME_PRECISION_TO_UCDP, na_action="ignore").astype("Int8"),
        "country_iso3": iso3,
        "admin1_pcode": pcodes,
        "admin1_name": admin1,
        "latitude": checked["latitude"],
        "longitude": checked["longitude"],
        "deaths_best": checked["fatalities"],
        "deaths_low": checked["fatalities"],
        "deaths_high": checked["fatalities"],
        "violence_type": raw["event_type"].astype("string").str.strip() + ": "
        + raw["sub_event_type"].astype("string").str.strip(),
        "actor_1": raw["actor1"],
        "actor_2": raw["actor2"],
        "reporter": "ACLED",
        "deaths_basis": "event",
        "revised_down": False,
        "source_ref": checked["ids"],
    })
    return schema.validate(schema.conform(frame, "violence_events"), "violence_events")


def _checked_values(raw: pd.DataFrame, problems: _tabular.Problems,
                    lines: _tabular.LineIndex) -> dict[str, pd.Series]:
    """Check and convert the ids, dates, codes, counts and coordinates of an export.

    Problems are recorded in ``problems`` (not raised); the converted columns
    come back by name: ``ids`` (stripped text), ``dates``, ``precision``
    (ACLED's code), ``fatalities``, ``latitude`` and ``longitude``.
    """
    ids = raw["event_id_cnty"].astype("string").str.strip()
    problems.rows(ids.isna(), "event_id_cnty", "is empty; every event needs its ACLED id")
    _tabular.duplicates(ids, "event_id_cnty", problems, lines)
    dates = _tabular.as_dates(raw["event_date"], "event_date", problems, formats=("%Y-%m-%d", "%d %B %Y"))
    precision = _tabular.as_integers(raw["time_precision"], "time_precision", problems)
    problems.rows(precision.notna() & ~precision.isin(list(TIME_PRECISION_TO_UCDP)), "time_precision",
                  lambda p: "expected 1 (day), 2 (week) or 3 (month), "
                            f"found {_tabular.cell(raw['time_precision'], p)}")
    fatalities = _tabular.as_integers(raw["fatalities"], "fatalities", problems)
    latitude = _tabular.as_floats(raw["latitude"], "latitude", problems, -90, 90)
    longitude = _tabular.as_floats(raw["longitude"], "longitude", problems, -180, 180)
    for column in ("event_type", "sub_event_type"):
        problems.rows(raw[column].isna(), column, "is empty; every ACLED event has one")
    return {"ids": ids, "dates": dates, "precision": precision, "fatalities": fatalities,
            "latitude": latitude, "longitude": longitude}


def _country_iso3(raw: pd.DataFrame) -> pd.Series:
    """ISO alpha-3 code of each event's country: by ``iso`` where the file has it, else by name.

    A country in neither :data:`_NUMERIC_TO_ISO3` nor :data:`_NAME_TO_ISO3`
    stays missing (the row is kept).
    """
    iso3 = _tabular.map_values(raw["country"], _NAME_TO_ISO3, normalise=lambda v: str(v).strip().lower())
    if "iso" in raw:
        by_code = _tabular.map_values(raw["iso"], {str(k): v for k, v in _NUMERIC_TO_ISO3.items()},
                                      normalise=lambda v: str(v).strip().removesuffix(".0"))
        iso3 = by_code.fillna(iso3)
    return iso3
