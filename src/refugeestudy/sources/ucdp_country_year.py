"""UCDP Country-Year Dataset on Organized Violence as the ``conflict_country_year`` table.

:func:`read_ucdp_country_year` reads UCDP's *Country-Year Dataset on Organized
Violence within Country Borders* (file ``organizedviolencecy_v25_1.csv``, or
the ``organizedviolencecy-251-csv.zip`` download holding it): one row per
country (Gleditsch–Ward code ``country_id_cy``) and year (``year_cy``),
deaths by type of organised violence. Columns are selected by name.

The canonical table, :data:`COLUMNS` (one row per country and year, sorted by
``gw_code``, ``year``):

=============================  ================================================================
``gw_code``                    ``country_id_cy`` (Gleditsch–Ward)
``country``                    ``country_cy`` as written (``"Russia (Soviet Union)"``)
``country_iso3``               ``gw_code`` through :mod:`refugeestudy.clean.gleditsch_ward`
                               (an unknown code is an error naming it)
``year``                       ``year_cy``
``state_based_best/low/high``  ``sb_total_deaths_{best,low,high}_cy``
``non_state_best/low/high``    ``ns_total_deaths_{best,low,high}_cy``
``one_sided_best/low/high``    ``os_total_deaths_{best,low,high}_cy``
``total_best/low/high``        sum of the three types; ``total_best`` equals UCDP's
                               ``cumulative_total_deaths_in_orgvio_best_cy``, which is the
                               total *of that year* despite its name (checked on read)
=============================  ================================================================

Deaths are whole numbers; UCDP codes a country-year without organised violence
as 0 (a country is listed every year it exists), so a 0 here is a reported
zero.

One repair, documented and counted as in :func:`refugeestudy.sources.ucdp.read_ged`:
where UCDP's bounds do not bracket the best estimate (25.1: state-based
``low > best`` twice and ``best > high`` six times, one-sided ``low > best``
once), the bound is widened to ``best``; ``best`` is never changed. The count
is ``frame.attrs["repairs"]["bounds_widened"]``.

Anything else (a missing column, a non-integer or negative count, a
duplicated country-year, a total that is not the sum of its parts) is an
:class:`~refugeestudy.errors.InputError` naming file, line and column.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cy.csv"
>>> kinds = [f"{t}_total_deaths_{b}_cy" for t in ("sb", "ns", "os") for b in ("best", "low", "high")]
>>> totals = [f"cumulative_total_deaths_in_orgvio_{b}_cy" for b in ("best", "low", "high")]
>>> _ = path.write_text("country_id_cy,country_cy,year_cy," + ",".join(kinds + totals) + "\\n"
...                     "652,Syria,2024,3000,2900,3100,16,16,16,600,590,610,3616,3506,3726\\n")
>>> table = read_ucdp_country_year(path)
>>> row = table.iloc[0]
>>> row["country_iso3"], int(row["year"]), int(row["total_best"]), int(row["one_sided_high"])
('SYR', 2024, 3616, 610)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy.clean.gleditsch_ward import crosswalk, to_iso3
from refugeestudy.sources import _tabular

__all__ = ["COLUMNS", "VIOLENCE_TYPES", "read_ucdp_country_year"]

#: Type of violence → UCDP's column prefix.
VIOLENCE_TYPES: dict[str, str] = {"state_based": "sb", "non_state": "ns", "one_sided": "os"}
_BOUNDS = ("best", "low", "high")

#: The canonical ``conflict_country_year`` table: column → dtype.
COLUMNS: dict[str, str] = {
    "gw_code": "int64", "country": "string", "country_iso3": "string", "year": "int64",
    **{f"{kind}_{bound}": "int64" for kind in (*VIOLENCE_TYPES, "total") for bound in _BOUNDS},
}

_SOURCE_COLUMNS = {f"{kind}_{bound}": f"{prefix}_total_deaths_{bound}_cy"
                   for kind, prefix in VIOLENCE_TYPES.items() for bound in _BOUNDS}
_TOTAL_BEST = "cumulative_total_deaths_in_orgvio_best_cy"


def read_ucdp_country_year(path: str | Path) -> pd.DataFrame:
    """Read UCDP's Country-Year Dataset on Organized Violence (CSV, or the zip holding it).

    Parameters
    ----------
    path : str or Path
        ``organizedviolencecy_v25_1.csv`` or UCDP's ``organizedviolencecy-251-csv.zip``.

    Returns
    -------
    pandas.DataFrame
        The ``conflict_country_year`` table (:data:`COLUMNS`), one row per
        country and year; the module docstring gives the mapping and the
        one repair.

    Raises
    ------
    InputError
        Naming file, line and column of a missing column, a bad count, a
        duplicated country-year, an unknown Gleditsch–Ward code, or a total
        that is not the sum of the three types.

    Examples
    --------
    >>> table = read_ucdp_country_year("../shared/data/ucdp/organizedviolencecy_v25_1.csv")  # doctest: +SKIP
    >>> int(table.query("country_iso3 == 'SYR' and year == 2013")["total_best"].item())  # doctest: +SKIP
    76500
    """
    required = ["country_id_cy", "country_cy", "year_cy", *_SOURCE_COLUMNS.values(), _TOTAL_BEST]
    raw, _lines, problems = _tabular.read_headed_csv(
        path, kind="UCDP country-year", required=required,
        what="UCDP Country-Year Dataset on Organized Violence", text_columns=["country_cy"])
    gw, year, deaths = _checked_counts(raw, problems)
    problems.raise_if_any(hint="expected UCDP's Country-Year Dataset on Organized Violence "
                               "(https://ucdp.uu.se/downloads/)")
    widened = _widen_bounds(deaths)
    for bound in _BOUNDS:
        deaths[f"total_{bound}"] = sum(deaths[f"{kind}_{bound}"] for kind in VIOLENCE_TYPES)
    codes = sorted(int(code) for code in gw.unique())
    iso3 = dict(zip(codes, to_iso3(codes)))
    frame = pd.DataFrame({"gw_code": gw, "country": raw["country_cy"].astype("string").str.strip(),
                          "country_iso3": gw.map(iso3).astype("string"), "year": year, **deaths})
    frame = frame[list(COLUMNS)].astype(COLUMNS)
    frame = frame.sort_values(["gw_code", "year"], kind="mergesort").reset_index(drop=True)
    frame.attrs["repairs"] = {"bounds_widened": widened}
    return frame


def _checked_counts(raw: pd.DataFrame, problems: _tabular.Problems) -> tuple:
    """Check and convert the codes, years and death counts of the file.

    Problems are recorded in ``problems`` (not raised): bad numbers, a year
    outside 1946-2100, a repeated country-year, a total that is not the sum of
    the three types' best estimates, a code not in the Gleditsch-Ward
    crosswalk. Returns ``(gw, year, deaths)``, ``deaths`` keyed by
    ``<type>_<bound>``.
    """
    gw = _tabular.as_integers(raw["country_id_cy"], "country_id_cy", problems)
    year = _tabular.as_years(raw["year_cy"], "year_cy", problems, first=1946)
    deaths = {name: _tabular.as_integers(raw[column], column, problems)
              for name, column in _SOURCE_COLUMNS.items()}
    total_best = _tabular.as_integers(raw[_TOTAL_BEST], _TOTAL_BEST, problems)
    key = pd.Series(list(zip(gw.fillna(-1), year.fillna(-1))), index=raw.index).astype("string")
    problems.rows(key.duplicated(keep="first"), "year_cy",
                  lambda p: f"repeats country {gw.iloc[p]} in year {year.iloc[p]}")
    summed = sum(deaths[f"{kind}_best"] for kind in VIOLENCE_TYPES)
    problems.rows(summed != total_best, _TOTAL_BEST,
                  lambda p: f"{total_best.iloc[p]} is not the sum of the state-based, non-state and "
                            f"one-sided best estimates ({summed.iloc[p]})")
    problems.rows(gw.notna() & ~gw.isin(crosswalk()["gw_code"].tolist()), "country_id_cy",
                  lambda p: f"Gleditsch-Ward code {gw.iloc[p]} ({raw['country_cy'].iloc[p]}) is not in "
                            "the crosswalk refugeestudy/clean/gw_iso3.csv")
    return gw, year, deaths


def _widen_bounds(deaths: dict[str, pd.Series]) -> int:
    """Widen, in ``deaths``, each type's low and high bounds to include its best estimate.

    The module docstring's one repair: ``best`` is never changed. Returns the
    number of (type, country-year) pairs whose bounds did not bracket ``best``.
    """
    widened = 0
    for kind in VIOLENCE_TYPES:
        best, low, high = (deaths[f"{kind}_{b}"] for b in _BOUNDS)
        widened += int(((low > best) | (best > high)).sum())
        deaths[f"{kind}_low"] = np.minimum(low, best)
        deaths[f"{kind}_high"] = np.maximum(high, best)
    return widened
