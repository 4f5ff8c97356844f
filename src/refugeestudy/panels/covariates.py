"""Origin-year controls and dyad geography for the panel designs, built beside the dyad panel.

``refugeestudy build`` (a ``build: fetched`` plan) writes two tables from the
fetched sources :data:`SOURCES` into ``data/processed/<plan>/``:

``origin_year_controls.parquet`` (:data:`CONTROL_COLUMNS`), one row per origin and year:

===============================  ==================================================================
``origin``                       country code as the sources write it (ISO3; also the codes of
                                 the dyad panel's origins that no source knows, and the few
                                 non-ISO3 codes of the sources: ``AB9``, ``CHI``, ``ANT``)
``year``                         every year from :data:`FIRST_YEAR` to the last year of the panel
                                 (or of the sources, whichever is later)
``population``                   persons, UN WPP 2024 mid-year population (gdidata ``pop``)
``gdp_pc_ppp``                   GDP per capita, PPP, constant 2021 international $
``political_stability``          WGI Political Stability and Absence of Violence/Terrorism estimate
``idmc_conflict_displacements``  IDMC new internal displacements, conflict and violence
``idmc_disaster_displacements``  IDMC new internal displacements, all disaster hazards summed
``population_source``            the population series (:data:`POPULATION_SOURCE`; also
                                 ``attrs["population_source"]``, kept in the parquet's metadata)
===============================  ==================================================================

Values are those of year ``year``, **not lagged** (a design lags them).
Missing is NaN, never 0: a year a source does not cover (population and
income end in 2023, political stability in 2022 and skips 1997, 1999 and
2001, IDMC covers 2008–2023) or a country-year without a row.

``dyad_geography.parquet`` (:data:`GEOGRAPHY_COLUMNS`): ``origin``, ``destination``
(current ISO3 after :data:`refugeestudy.sources.cepii.LEGACY_CODES`),
``contig``, ``distw``, ``dist``, ``comlang_off``, ``colony``: only the pairs
CEPII GeoDist has after that mapping (no ``SSD``, ``XKX``, ``MNE``, ``CUW``,
``SXM``, ``BES``); :func:`share_without_geography` gives the share of
applications on dyads it lacks.

Examples
--------
>>> indicators = pd.DataFrame({"country_iso3": ["SYR", "SYR"], "indicator": ["pop", "polstb"],
...                            "year": [2023, 2022], "value": [23594624.0, -2.7]})
>>> displacements = pd.DataFrame({"country_iso3": ["SYR"], "year": [2023], "cause": ["conflict"],
...                               "displacements": [174420]})
>>> controls = origin_year_controls(indicators, displacements, first_year=2022)
>>> controls[["origin", "year", "population", "political_stability", "idmc_conflict_displacements"]
...          ].values.tolist()
[['SYR', 2022, nan, -2.7, nan], ['SYR', 2023, 23594624.0, nan, 174420.0]]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy.sources.cepii import LEGACY_CODES
from refugeestudy.sources.idmc import displacements_by_cause
from refugeestudy.sources.wdi import POPULATION_SOURCE, STUDY_INDICATORS

__all__ = ["CONTROL_COLUMNS", "FIRST_YEAR", "GEOGRAPHY_COLUMNS", "POPULATION_SOURCE", "SOURCES",
           "controls_from_fetched", "dyad_geography", "geography_from_fetched",
           "origin_year_controls", "share_without_geography"]

#: The fetched sources (registry keys), by role.
SOURCES: dict[str, str] = {"indicators": "wdi_gdidata", "displacements": "idmc_displacements",
                           "geography": "cepii_geodist"}
#: First year of ``origin_year_controls`` (GDP per capita PPP starts in 1990).
FIRST_YEAR = 1990

#: ``origin_year_controls``: column → dtype.
CONTROL_COLUMNS: dict[str, str] = {
    "origin": "string", "year": "int64", "population": "float64", "gdp_pc_ppp": "float64",
    "political_stability": "float64", "idmc_conflict_displacements": "float64",
    "idmc_disaster_displacements": "float64", "population_source": "string"}
#: ``dyad_geography``: column → dtype.
GEOGRAPHY_COLUMNS: dict[str, str] = {
    "origin": "string", "destination": "string", "contig": "int64", "distw": "float64",
    "dist": "float64", "comlang_off": "int64", "colony": "int64"}


def origin_year_controls(indicators: pd.DataFrame, displacements: pd.DataFrame,
                         origins: Iterable[str] = (), *, first_year: int = FIRST_YEAR,
                         through_year: int | None = None) -> pd.DataFrame:
    """Build ``origin_year_controls`` (see the module docstring).

    Parameters
    ----------
    indicators : pandas.DataFrame
        :func:`refugeestudy.sources.wdi.read_wdi`'s table.
    displacements : pandas.DataFrame
        :func:`refugeestudy.sources.idmc.read_idmc_flows`'s table.
    origins : iterable of str
        Codes that get rows even if no source has them (the dyad panel's origins).
    first_year : int
        First year of the grid.
    through_year : int, optional
        The grid runs through this year (the panel's last) or the sources' last
        year, whichever is later.

    Returns
    -------
    pandas.DataFrame
        Every code of the sources and ``origins`` × every year, sorted.

    Examples
    --------
    >>> empty = pd.DataFrame({"country_iso3": [], "indicator": [], "year": [], "value": []})
    >>> idmc = pd.DataFrame(columns=["country_iso3", "year", "cause", "displacements"])
    >>> origin_year_controls(empty, idmc, ["PSE"], first_year=2020, through_year=2021)["origin"].tolist()
    ['PSE', 'PSE']
    """
    study = indicators[indicators["indicator"].isin(list(STUDY_INDICATORS))]
    wide = study.pivot(index=["country_iso3", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=list(STUDY_INDICATORS)).rename(columns=STUDY_INDICATORS)
    idmc = displacements_by_cause(displacements).set_index(["country_iso3", "year"])
    idmc = idmc.rename(columns={"conflict": "idmc_conflict_displacements",
                                "disaster": "idmc_disaster_displacements"})
    codes = sorted({*map(str, origins), *indicators["country_iso3"].dropna().astype(str),
                    *displacements["country_iso3"].dropna().astype(str)})
    last = max([first_year, through_year or first_year,
                *(int(table["year"].max()) for table in (indicators, displacements) if len(table))])
    grid = pd.MultiIndex.from_product([codes, range(first_year, last + 1)],
                                      names=["country_iso3", "year"])
    frame = pd.concat([wide.reindex(grid), idmc.reindex(grid)], axis=1).reset_index()
    frame = frame.rename(columns={"country_iso3": "origin"})
    frame["population_source"] = POPULATION_SOURCE
    frame = frame[list(CONTROL_COLUMNS)].astype(CONTROL_COLUMNS)
    frame.attrs = {"population_source": POPULATION_SOURCE}  # also in the parquet's metadata
    return frame


def dyad_geography(geography: pd.DataFrame) -> pd.DataFrame:
    """Build ``dyad_geography`` from :func:`~refugeestudy.sources.cepii.read_cepii_geodist`'s table.

    Pairs whose legacy code has no single successor (``ANT``) are left out;
    ``attrs["dropped"]`` counts them and the reader's rows without a code (the
    build prints and records both).

    Examples
    --------
    >>> cepii = pd.DataFrame({"origin_iso3": ["SYR", None], "destination_iso3": ["LBN", "SYR"],
    ...     "contig": [1, 0], "distw": [228.363, 9000.0], "dist": [85.9, 9000.0],
    ...     "comlang_off": [1, 0], "colony": [0, 0]})
    >>> dyad_geography(cepii).values.tolist()
    [['SYR', 'LBN', 1, 228.363, 85.9, 1, 0]]
    """
    known = geography["origin_iso3"].notna() & geography["destination_iso3"].notna()
    frame = geography.loc[known].rename(columns={"origin_iso3": "origin", "destination_iso3": "destination"})
    frame = frame[list(GEOGRAPHY_COLUMNS)].astype(GEOGRAPHY_COLUMNS)
    frame = frame.sort_values(["origin", "destination"], kind="mergesort").reset_index(drop=True)
    without = ", ".join(sorted(code for code, successor in LEGACY_CODES.items() if successor is None))
    blank = (geography.attrs.get("repairs") or {}).get("rows_without_code", 0)
    frame.attrs = {"dropped": {f"CEPII pairs with a legacy code without a single successor ({without})":
                               int((~known).sum()),
                               "CEPII rows without a country code": int(blank)}}
    return frame


def share_without_geography(panel: pd.DataFrame, geography: pd.DataFrame,
                            outcome: str = "first_instance_persons") -> float:
    """Share of the panel's applications on dyads ``dyad_geography`` lacks (they drop from a dyad design).

    Examples
    --------
    >>> panel = pd.DataFrame({"origin_iso3": ["SYR", "SSD"], "destination_iso3": ["DEU", "UGA"],
    ...                       "first_instance_persons": [75, 25]})
    >>> geography = pd.DataFrame({"origin": ["SYR"], "destination": ["DEU"]})
    >>> share_without_geography(panel, geography)
    0.25
    """
    from refugeestudy.panels.dyads import application_share

    pairs = pd.MultiIndex.from_frame(geography[["origin", "destination"]])
    dyads = pd.MultiIndex.from_arrays([panel["origin_iso3"], panel["destination_iso3"]])
    return application_share(panel, ~np.asarray(dyads.isin(pairs)), outcome)


def controls_from_fetched(tables: dict, fetched: dict[str, Path]) -> pd.DataFrame | None:
    """``origin_year_controls`` inside ``refugeestudy build`` (a :class:`refugeestudy.pipeline.build.TableBuilder`).

    Returns ``None`` (the table is not written) unless both :data:`SOURCES`
    ``wdi_gdidata`` and ``idmc_displacements`` are fetched; the dyad panel's
    origins, when it was built, get rows too.

    Examples
    --------
    >>> controls_from_fetched({}, {}) is None
    True
    """
    from refugeestudy.sources.idmc import read_idmc_flows
    from refugeestudy.sources.wdi import read_wdi

    if SOURCES["indicators"] not in fetched or SOURCES["displacements"] not in fetched:
        return None
    panel = tables.get("dyad_year_panel")
    origins = () if panel is None else panel["origin_iso3"].unique()
    through_year = None if panel is None else int(panel["year"].max())
    return origin_year_controls(read_wdi(fetched[SOURCES["indicators"]]),
                                read_idmc_flows(fetched[SOURCES["displacements"]]), origins,
                                through_year=through_year)


def geography_from_fetched(tables: dict, fetched: dict[str, Path]) -> pd.DataFrame | None:
    """``dyad_geography`` inside ``refugeestudy build``; ``None`` unless ``cepii_geodist`` is fetched.

    Examples
    --------
    >>> geography_from_fetched({}, {}) is None
    True
    """
    from refugeestudy.sources.cepii import read_cepii_geodist

    if SOURCES["geography"] not in fetched:
        return None
    return dyad_geography(read_cepii_geodist(fetched[SOURCES["geography"]]))
