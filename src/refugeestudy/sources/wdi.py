"""Country-year indicators (World Bank WDI, UN WPP 2024 population) as the ``country_indicators`` table.

:func:`read_wdi` reads the ``wdi`` data frame of IOM's ``gdidata`` R package
(version 0.3.21), the form in which the project's mirror holds it: long
format, one row per country, indicator and year, columns ``geo, var, t, v``.
Columns are selected by name.

The canonical table, :data:`COLUMNS` (file order):

================  =================================================================
``country_iso3``  ``geo`` as written: ISO3, plus the World Bank's ``XKX`` (Kosovo)
                  and ``CHI`` (Channel Islands) and the former ``ANT``
                  (Netherlands Antilles)
``indicator``     ``var``, gdidata's short name (:data:`INDICATORS` says what each is)
``year``          ``t``
``value``         ``v`` (float; units of the indicator)
================  =================================================================

The three the study uses (:data:`STUDY_INDICATORS`): ``pop``, mid-year total
population from the UN World Population Prospects 2024 (persons, 1950–2023;
*not* the World Bank API's ``SP.POP.TOTL``, which differs for some countries:
never mix the two in one series); ``income``, GDP per capita, PPP, constant
2021 international $ (``NY.GDP.PCAP.PP.KD``, 1990–2023); ``polstb``, the
Worldwide Governance Indicators' Political Stability and Absence of
Violence/Terrorism estimate (``PV.EST``, 1996–2022, no 1997, 1999, 2001). A
country-year without a row is missing, never zero.

A missing column, an empty or non-numeric cell, a year outside 1900–2100, a
population or income that is not positive, or a repeated ``geo, var, t`` is an
:class:`~refugeestudy.errors.InputError` naming file, line and column.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "wdi.csv"
>>> _ = path.write_text("geo,var,t,v\\nSYR,pop,2023,23594624\\nSYR,polstb,2022,-2.73\\n")
>>> table = read_wdi(path)
>>> table[["country_iso3", "indicator", "year", "value"]].values.tolist()
[['SYR', 'pop', 2023, 23594624.0], ['SYR', 'polstb', 2022, -2.73]]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy.sources import _tabular

__all__ = ["COLUMNS", "INDICATORS", "POPULATION_SOURCE", "STUDY_INDICATORS", "read_wdi"]

#: gdidata's indicator name → what it is (World Bank code where there is one).
INDICATORS: dict[str, str] = {
    "pop": "mid-year total population, persons (UN World Population Prospects 2024)",
    "income": "GDP per capita, PPP, constant 2021 international $ (NY.GDP.PCAP.PP.KD)",
    "gdp": "GDP, current US$ (NY.GDP.MKTP.CD)",
    "polstb": "Political Stability and Absence of Violence/Terrorism, estimate (WGI, PV.EST)",
    "unem": "unemployment, % of labour force",
    "inf": "inflation, consumer prices, annual %",
    "birth": "crude birth rate, per 1,000 people",
    "depend": "age dependency ratio, % of working-age population",
    "nmig": "net migration, persons",
    "remin": "personal remittances received",
    "remout": "personal remittances paid",
    "fdiin": "foreign direct investment, net inflows",
    "fdiout": "foreign direct investment, net outflows",
}
#: The indicators the study's designs use: gdidata name → column of ``origin_year_controls``.
STUDY_INDICATORS: dict[str, str] = {"pop": "population", "income": "gdp_pc_ppp",
                                    "polstb": "political_stability"}
#: The population series, as a report names it.
POPULATION_SOURCE = "UN WPP 2024 (mid-year population), gdidata 0.3.21"

#: The canonical ``country_indicators`` table: column → dtype.
COLUMNS: dict[str, str] = {"country_iso3": "string", "indicator": "string", "year": "int64",
                           "value": "float64"}

_REQUIRED = ("geo", "var", "t", "v")
_POSITIVE = ("pop", "income")


def read_wdi(path: str | Path) -> pd.DataFrame:
    """Read gdidata's ``wdi`` country-year indicators (long layout ``geo, var, t, v``).

    Parameters
    ----------
    path : str or Path
        A CSV (or a zip holding one) with columns ``geo, var, t, v``.

    Returns
    -------
    pandas.DataFrame
        The ``country_indicators`` table (:data:`COLUMNS`), one row per file row.

    Raises
    ------
    InputError
        Naming file, line and column of each problem (see the module docstring).

    Examples
    --------
    >>> table = read_wdi("../shared/data/wdi/wdi_gdidata_0.3.21.csv")  # doctest: +SKIP
    >>> table.query("country_iso3 == 'SYR' and indicator == 'pop' and year == 2023")["value"].item()  # doctest: +SKIP
    23594624.0
    """
    raw, lines, problems = _tabular.read_headed_csv(
        path, kind="WDI (gdidata)", required=_REQUIRED, what="gdidata's wdi (geo, var, t, v)",
        text_columns=["geo", "var"])

    year = _tabular.as_years(raw["t"], "t", problems)
    value = _tabular.as_floats(raw["v"], "v", problems, -np.inf, np.inf)
    problems.rows(raw["v"].isna(), "v", "is empty; a value is required (an absent value has no row)")
    geo = raw["geo"].astype("string").str.strip()
    indicator = raw["var"].astype("string").str.strip()
    for name, values in (("geo", geo), ("var", indicator)):
        problems.rows(values.isna(), name, "is empty; a code is required")
    problems.rows(indicator.isin(_POSITIVE).fillna(False) & (value <= 0), "v",
                  lambda p: f"{indicator.iloc[p]} must be positive, found {_tabular.cell(raw['v'], p)}")
    _tabular.duplicate_rows([geo, indicator, year], "geo, var, t", problems, lines)
    problems.raise_if_any(hint="expected the wdi table of IOM's gdidata package in the long "
                               "layout geo, var, t, v")

    frame = pd.DataFrame({"country_iso3": geo, "indicator": indicator, "year": year, "value": value})
    return frame.astype(COLUMNS)
