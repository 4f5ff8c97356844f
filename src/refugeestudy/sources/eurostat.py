"""Eurostat first-time asylum applicants (table ``migr_asyappctza``) as ``asylum_first_time``.

:func:`read_eurostat_asylum` reads the yearly first-time applicants of
Eurostat's table ``migr_asyappctza`` in the long layout of IOM's ``gdidata``
package (columns ``geo, t, nat, sex, n``: destination ISO3, year, citizenship
ISO3, sex, persons), the form in which the project's mirror holds it. Columns
are selected by name.

The canonical table, :data:`COLUMNS` (file order):

=====================  ==============================================================
``destination_iso3``   ``geo``; ``EU27`` is the EU aggregate, not a country
``is_aggregate``       true for ``EU27`` (:data:`AGGREGATES`): never add it to the
                       member states, it already holds them
``origin_iso3``        ``nat`` (citizenship; Eurostat's ``STL`` stateless,
                       ``OOO`` unknown, ``XKX`` Kosovo kept as written)
``year``               ``t``
``sex``                ``sex``: ``female``, ``male`` or ``unknown`` (disjoint: a total
                       over sex is their sum)
``applicants``         ``n``, persons applying for the first time (Eurostat rounds to
                       multiples of 5; a combination absent from the file is not a
                       reported zero)
=====================  ==============================================================

A missing column, a negative or non-integer ``n``, an unknown ``sex`` or a
repeated ``geo, t, nat, sex`` is an :class:`~refugeestudy.errors.InputError`
naming file, line and column.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "asy.csv"
>>> _ = path.write_text("geo,t,nat,sex,n\\nAUT,2015,SYR,male,15000\\nEU27,2015,SYR,male,250000\\n")
>>> table = read_eurostat_asylum(path)
>>> table[["destination_iso3", "is_aggregate", "applicants"]].values.tolist()
[['AUT', False, 15000], ['EU27', True, 250000]]
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from refugeestudy.sources import _tabular

__all__ = ["AGGREGATES", "COLUMNS", "SEXES", "read_eurostat_asylum"]

#: Destination codes that are aggregates of other rows.
AGGREGATES: tuple[str, ...] = ("EU27", "EU27_2020", "EU28", "EU")
#: Values of ``sex``.
SEXES: tuple[str, ...] = ("female", "male", "unknown")

#: The canonical ``asylum_first_time`` table: column → dtype.
COLUMNS: dict[str, str] = {"destination_iso3": "string", "is_aggregate": "bool",
                           "origin_iso3": "string", "year": "int64", "sex": "string",
                           "applicants": "int64"}

_REQUIRED = ("geo", "t", "nat", "sex", "n")


def read_eurostat_asylum(path: str | Path) -> pd.DataFrame:
    """Read Eurostat's first-time asylum applicants (``migr_asyappctza``, long layout).

    Parameters
    ----------
    path : str or Path
        A CSV (or a zip holding one) with columns ``geo, t, nat, sex, n``.

    Returns
    -------
    pandas.DataFrame
        The ``asylum_first_time`` table (:data:`COLUMNS`), one row per file row.

    Raises
    ------
    InputError
        Naming file, line and column of each problem (see the module docstring).

    Examples
    --------
    >>> table = read_eurostat_asylum("../shared/data/eurostat/migr_asyappctza_first_time_2011_2024.csv")  # doctest: +SKIP
    >>> int(table.query("destination_iso3 == 'EU27' and origin_iso3 == 'SYR' and year == 2015")["applicants"].sum())  # doctest: +SKIP
    365540
    """
    raw, lines, problems = _tabular.read_headed_csv(
        path, kind="Eurostat", required=_REQUIRED, what="Eurostat migr_asyappctza (geo, t, nat, sex, n)",
        text_columns=["geo", "nat", "sex"])

    year = _tabular.as_years(raw["t"], "t", problems, first=1950)
    applicants = _tabular.as_integers(raw["n"], "n", problems)
    geo = raw["geo"].astype("string").str.strip()
    nat = raw["nat"].astype("string").str.strip()
    sex = raw["sex"].astype("string").str.strip().str.lower()
    for name, values in (("geo", geo), ("nat", nat)):
        problems.rows(values.isna(), name, "is empty; a country code is required")
    problems.rows(~sex.isin(SEXES).fillna(False), "sex",
                  lambda p: f"expected one of {', '.join(SEXES)}, found {_tabular.cell(raw['sex'], p)}")
    _tabular.duplicate_rows([geo, year, nat, sex], "geo, t, nat, sex", problems, lines)
    problems.raise_if_any(hint="expected Eurostat's migr_asyappctza in the long layout geo, t, nat, sex, n")

    frame = pd.DataFrame({"destination_iso3": geo, "is_aggregate": geo.isin(AGGREGATES),
                          "origin_iso3": nat, "year": year, "sex": sex, "applicants": applicants})
    return frame.astype(COLUMNS)
