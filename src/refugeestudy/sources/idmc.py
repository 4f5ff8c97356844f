"""IDMC new internal displacements by cause as the ``internal_displacements`` table.

:func:`read_idmc_flows` reads the Internal Displacement Monitoring Centre's
(IDMC) Global Internal Displacement Database, *internal displacements* (flows:
movements inside the country during the year), 2008–2023, by cause, in the
long layout of IOM's ``gdidata`` package 0.3.21 (columns ``geo, t, cause,
n``), the form in which the project's mirror holds it. Columns are selected by
name.

The canonical table, :data:`COLUMNS` (file order):

=================  ================================================================
``country_iso3``   ``geo`` as written: ISO3, plus ``AB9`` (the Abyei area, which
                   IDMC counts apart from Sudan and South Sudan)
``year``           ``t``
``cause``          ``cause``: ``conflict`` (conflict and violence) or one of the
                   disaster hazards of :data:`DISASTER_CAUSES`
``displacements``  ``n``, new internal displacements (movements, not people: one
                   person displaced twice counts twice)
=================  ================================================================

IDMC publishes zeros (e.g. Syria, conflict, 2009 and 2010): a 0 is a reported
zero. A country-year **without a row** is not a zero: IDMC has no figure
there, and :func:`displacements_by_cause` leaves it missing.

A missing column, an unknown cause, a negative or non-integer ``n``, a year
outside 1900–2100 or a repeated ``geo, t, cause`` is an
:class:`~refugeestudy.errors.InputError` naming file, line and column.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "idmc.csv"
>>> _ = path.write_text("geo,t,cause,n\\nSYR,2023,conflict,174420\\nSYR,2023,earthquake,1000\\n"
...                     "SYR,2023,flood,20\\nLBN,2023,flood,5\\n")
>>> wide = displacements_by_cause(read_idmc_flows(path))
>>> [[None if pd.isna(v) else v for v in row] for row in wide.itertuples(index=False)]
[['LBN', 2023, None, 5.0], ['SYR', 2023, 174420.0, 1020.0]]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from refugeestudy.sources import _tabular

__all__ = ["COLUMNS", "CONFLICT_CAUSE", "DISASTER_CAUSES", "displacements_by_cause", "read_idmc_flows"]

#: The cause IDMC gives displacements by conflict and violence.
CONFLICT_CAUSE = "conflict"
#: Disaster hazards (gdidata's names of IDMC's hazard types).
DISASTER_CAUSES: tuple[str, ...] = ("drought", "earthquake", "erosion", "extreme temperature",
                                    "flood", "mass movement", "storm", "volcanic activity",
                                    "wave action", "wildfire")

#: The canonical ``internal_displacements`` table: column → dtype.
COLUMNS: dict[str, str] = {"country_iso3": "string", "year": "int64", "cause": "string",
                           "displacements": "int64"}

_REQUIRED = ("geo", "t", "cause", "n")


def read_idmc_flows(path: str | Path) -> pd.DataFrame:
    """Read IDMC's new internal displacements by cause (gdidata's long layout ``geo, t, cause, n``).

    Parameters
    ----------
    path : str or Path
        A CSV (or a zip holding one) with columns ``geo, t, cause, n``.

    Returns
    -------
    pandas.DataFrame
        The ``internal_displacements`` table (:data:`COLUMNS`), one row per file row.

    Raises
    ------
    InputError
        Naming file, line and column of each problem (see the module docstring).

    Examples
    --------
    >>> table = read_idmc_flows("../shared/data/idmc/idmc_flows_gdidata_0.3.21.csv")  # doctest: +SKIP
    >>> int(table.query("country_iso3 == 'SYR' and cause == 'conflict' and year == 2017")["displacements"].item())  # doctest: +SKIP
    2911272
    """
    raw, lines, problems = _tabular.read_headed_csv(
        path, kind="IDMC (gdidata)", required=_REQUIRED, what="gdidata's IDMC flows (geo, t, cause, n)",
        text_columns=["geo", "cause"])

    year = _tabular.as_years(raw["t"], "t", problems)
    displacements = _tabular.as_integers(raw["n"], "n", problems)
    geo = raw["geo"].astype("string").str.strip()
    cause = raw["cause"].astype("string").str.strip().str.lower()
    problems.rows(geo.isna(), "geo", "is empty; a country code is required")
    known = (CONFLICT_CAUSE, *DISASTER_CAUSES)
    problems.rows(~cause.isin(known).fillna(False), "cause",
                  lambda p: f"expected one of {', '.join(known)}, found {_tabular.cell(raw['cause'], p)}")
    _tabular.duplicate_rows([geo, year, cause], "geo, t, cause", problems, lines)
    problems.raise_if_any(hint="expected IDMC's internal displacements in gdidata's long layout "
                               "geo, t, cause, n")

    frame = pd.DataFrame({"country_iso3": geo, "year": year, "cause": cause,
                          "displacements": displacements})
    return frame.astype(COLUMNS)


def displacements_by_cause(table: pd.DataFrame) -> pd.DataFrame:
    """New internal displacements per country-year: conflict and disasters (all hazards summed).

    Parameters
    ----------
    table : pandas.DataFrame
        The ``internal_displacements`` table of :func:`read_idmc_flows`.

    Returns
    -------
    pandas.DataFrame
        Columns ``country_iso3``, ``year``, ``conflict``, ``disaster`` (float64),
        one row per country-year with any IDMC row, sorted. ``conflict`` is
        missing where IDMC has no conflict row that year, ``disaster`` where it
        has no hazard row (never 0 for an absent row; a reported 0 stays 0).

    Examples
    --------
    >>> rows = pd.DataFrame({"country_iso3": ["SYR", "SYR"], "year": [2009, 2010],
    ...                      "cause": ["conflict", "flood"], "displacements": [0, 12]})
    >>> displacements_by_cause(rows)[["conflict", "disaster"]].values.tolist()
    [[0.0, nan], [nan, 12.0]]
    """
    kind = table["cause"].where(table["cause"] == CONFLICT_CAUSE, "disaster").astype(str)
    summed = (table.assign(kind=kind).groupby(["country_iso3", "year", "kind"])["displacements"]
              .sum().unstack("kind"))
    summed = summed.reindex(columns=[CONFLICT_CAUSE, "disaster"]).astype("float64")
    summed.columns.name = None
    return summed.reset_index().astype({"country_iso3": "string", "year": "int64"})
