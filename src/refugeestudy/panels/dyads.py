"""The origin × destination × year panel: asylum applications against deaths at origin.

:func:`build_dyad_panel` joins three real sources into one row per dyad-year
(origin country, destination country, year):

* the **outcome**, one column per rule of :mod:`refugeestudy.panels.outcomes`
  (``first_instance_persons``, ``all_applications`` from UNHCR's
  ``asylum_applications``; ``eurostat_first_time`` when Eurostat's table is
  given). Missing where the source reports nothing for that dyad-year, never
  zero: UNHCR publishes no zeros in this dataset. Beside each outcome,
  ``<outcome>_destination_reported`` says whether the destination reported any
  origin under that rule that year (the condition under which an absent origin
  may be read as "fewer than UNHCR publishes", a choice the estimator makes
  explicitly, see :mod:`refugeestudy.global_study.ppml`);
* **deaths at the origin** from UCDP's Country-Year Dataset on Organized
  Violence (:func:`refugeestudy.sources.ucdp_country_year.read_ucdp_country_year`):
  ``deaths_<type>_<bound>`` for type ``total``, ``state_based``,
  ``non_state``, ``one_sided`` and bound ``best``, ``low``, ``high``, in the
  same year, lagged (``..._lag1``, ``..._lag2``, ...) and led
  (``..._lead1``); missing where UCDP has no row (a territory UCDP does not
  code separately, e.g. Palestine; a year after UCDP's last);
* the **stock** of the origin's nationals already in the destination at the end
  of the previous year, ``stock_lag1`` = refugees + asylum-seekers in UNHCR's
  ``population`` (zero only where UNHCR reports zeros; missing where UNHCR has
  no row for the dyad-year or either figure is empty), and ``stock_share_lag1``,
  that stock divided by the origin's total over **every** destination of
  UNHCR's population table that year (float; missing where ``stock_lag1`` is,
  or where the origin's total is 0 or absent).

**Israel and Palestine** (:data:`ISRAEL_PALESTINE_RULE`): UCDP's country-year
file codes the deaths in Gaza and the West Bank under Israel (Gleditsch–Ward
666), and has no row for Palestine. The deaths can therefore be attributed to
neither nationality: for each origin in :data:`DEATHS_WITHHELD` (``ISR``)
every deaths column (each type, bound, lag and lead) is set **missing**, not
zero, and ``ucdp_deaths_withheld`` is true; ``PSE`` has no UCDP row, so its deaths
are missing anyway. Both origins stay in the outcome columns (a forecast from
last year's value uses them) and drop out of every design that uses deaths;
:func:`application_share` gives the share of applications this affects (0.41 %
of first-instance persons on the real files: ISR 12,358 and PSE 123,531 of
33,159,064). Splitting the deaths would need GED's event coordinates for the
whole world, which the project does not fetch.

Rows: every dyad that any outcome reports at least once, in every year from
``first_year`` to ``last_year`` (so a reader sees which years are missing).

Examples
--------
>>> apps = pd.DataFrame({"year": [2024, 2025], "origin_iso3": ["SYR", "SYR"],
...     "destination_iso3": ["RUS", "RUS"], "procedure_type": ["G", "G"], "app_type": ["N", "N"],
...     "dec_level": ["TA", "TA"], "app_pc": ["P", "P"], "applied": [726, 3196]})
>>> population = pd.DataFrame({"year": [2023], "origin_iso3": ["SYR"], "destination_iso3": ["RUS"],
...     "refugees": [136], "asylum_seekers": [66]})
>>> kinds = {f"{k}_{b}": [3616, 2187] for k in ("total", "state_based", "non_state", "one_sided")
...          for b in ("best", "low", "high")}
>>> conflict = pd.DataFrame({"country_iso3": ["SYR", "SYR"], "year": [2024, 2023], **kinds})
>>> panel = build_dyad_panel(apps, population, conflict, first_year=2024)
>>> columns = ["year", "first_instance_persons", "deaths_total_best", "deaths_total_best_lag1", "stock_lag1"]
>>> [[None if pd.isna(v) else int(v) for v in row] for row in panel[columns].itertuples(index=False)]
[[2024, 726, 3616, 2187, 202], [2025, 3196, None, 3616, None]]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy.errors import RefugeestudyError
from refugeestudy.panels.outcomes import RULES, outcome_counts

__all__ = ["DEATH_TYPES", "DEATH_BOUNDS", "DEATHS_WITHHELD", "ISRAEL_PALESTINE_RULE", "KEYS",
           "PanelError", "application_share", "build_dyad_panel", "death_column",
           "read_dyad_panel_sources", "stock_columns"]

KEYS = ["origin_iso3", "destination_iso3", "year"]
#: Types of organised violence (UCDP) and ``total``, their sum.
DEATH_TYPES = ("total", "state_based", "non_state", "one_sided")
DEATH_BOUNDS = ("best", "low", "high")
#: Origins whose UCDP deaths are set missing in the panel (ISO3 → why).
DEATHS_WITHHELD: dict[str, str] = {
    "ISR": "UCDP's country-year file codes deaths in Gaza and the West Bank under Israel "
           "(Gleditsch-Ward 666); they cannot be told apart from deaths inside Israel",
}
#: The Israel/Palestine rule in one sentence, as a report prints it.
ISRAEL_PALESTINE_RULE = (
    "UCDP's country-year file codes deaths in Gaza and the West Bank under Israel and has no row "
    "for Palestine, so neither Israeli (ISR) nor Palestinian (PSE) applicants are given deaths: "
    "ISR's deaths are set missing (the panel's column `ucdp_deaths_withheld` says so) and PSE has none; "
    "both stay in the outcome and drop out of every design that uses deaths.")


class PanelError(RefugeestudyError, ValueError):
    """The inputs cannot be joined into a dyad-year panel."""


def death_column(kind: str = "total", bound: str = "best", shift: int = 0) -> str:
    """Name of a deaths column: ``shift`` > 0 a lag, < 0 a lead.

    Examples
    --------
    >>> death_column(), death_column("one_sided", "low", 2), death_column(shift=-1)
    ('deaths_total_best', 'deaths_one_sided_low_lag2', 'deaths_total_best_lead1')
    """
    base = f"deaths_{kind}_{bound}"
    return base if shift == 0 else f"{base}_lag{shift}" if shift > 0 else f"{base}_lead{-shift}"


def _outcomes(applications: pd.DataFrame, eurostat: pd.DataFrame | None) -> pd.DataFrame:
    tables = []
    for name, rule in RULES.items():
        rows = applications if rule.source == "unhcr" else eurostat
        if rows is None:
            continue
        counts = outcome_counts(rows, rule).set_index(KEYS)["outcome"].rename(name)
        tables.append(counts)
    return pd.concat(tables, axis=1, sort=True)


def _shifted(table: pd.DataFrame, keys: list[str], years: pd.Series, by: pd.DataFrame,
             columns: list[str], shift: int) -> pd.DataFrame:
    """``table``'s ``columns`` at ``year - shift`` for each row of ``by`` (missing if absent)."""
    index = pd.MultiIndex.from_arrays([by[k] for k in keys] + [years - shift])
    return table.set_index(keys + ["year"])[columns].reindex(index).reset_index(drop=True)


def _refuse_repeated_countries(conflict: pd.DataFrame) -> None:
    """Stop when ``conflict`` lists a country twice in a year (its deaths would be added silently).

    Examples
    --------
    >>> _refuse_repeated_countries(pd.DataFrame({"country_iso3": ["YEM", "YEM"], "year": [1990, 1990]}))
    Traceback (most recent call last):
    ...
    refugeestudy.panels.dyads.PanelError: conflict table: country YEM appears twice in 1990
    """
    repeated = conflict.duplicated(["country_iso3", "year"])
    if repeated.any():
        first = conflict.loc[repeated, ["country_iso3", "year"]].iloc[0].tolist()
        raise PanelError(f"conflict table: country {first[0]} appears twice in {first[1]}",
                         hint="two Gleditsch-Ward codes map to one ISO3 in the same year")


def _outcome_grid(reported: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Every dyad of ``reported`` in every year, its outcomes and whether the destination reported.

    Examples
    --------
    >>> index = pd.MultiIndex.from_tuples([("SYR", "DEU", 2024)], names=KEYS)
    >>> grid = _outcome_grid(pd.DataFrame({"n": [5.0]}, index=index), 2023, 2024)
    >>> grid[["year", "n", "n_destination_reported"]].values.tolist()
    [[2023, nan, False], [2024, 5.0, True]]
    """
    dyads = reported.index.droplevel("year").unique().sort_values()
    years = np.arange(first_year, last_year + 1)
    grid = pd.MultiIndex.from_arrays([
        np.repeat(dyads.get_level_values(0), len(years)),
        np.repeat(dyads.get_level_values(1), len(years)),
        np.tile(years, len(dyads))], names=KEYS)
    panel = reported.reindex(grid).reset_index()
    panel["year"] = panel["year"].astype("int64")
    for name in reported.columns:
        active = reported[name].dropna().index.droplevel("origin_iso3").unique()
        where = pd.MultiIndex.from_arrays([panel["destination_iso3"], panel["year"]])
        panel[f"{name}_destination_reported"] = where.isin(active)
    return panel


def _death_blocks(conflict: pd.DataFrame, panel: pd.DataFrame, lags: int,
                  leads: int) -> list[pd.DataFrame]:
    """The origin's deaths for each row of ``panel``: one block of columns per lag and lead.

    Examples
    --------
    >>> kinds = {f"{k}_{b}": [7] for k in DEATH_TYPES for b in DEATH_BOUNDS}
    >>> conflict = pd.DataFrame({"country_iso3": ["SYR"], "year": [2023], **kinds})
    >>> panel = pd.DataFrame({"origin_iso3": ["SYR"], "year": [2024]})
    >>> [block[death_column(shift=shift)].tolist() for block, shift in
    ...  zip(_death_blocks(conflict, panel, 1, 1), [0, 1, -1])]
    [[<NA>], [7], [<NA>]]
    """
    kinds = [f"{k}_{b}" for k in DEATH_TYPES for b in DEATH_BOUNDS]
    deaths = conflict[["country_iso3", "year", *kinds]].rename(columns={"country_iso3": "origin_iso3"})
    blocks = []
    for shift in [0, *range(1, lags + 1), *(-lead for lead in range(1, leads + 1))]:
        block = _shifted(deaths, ["origin_iso3"], panel["year"], panel, kinds, shift).astype("Int64")
        block.columns = [death_column(*c.rsplit("_", 1), shift) for c in kinds]
        blocks.append(block)
    return blocks


def build_dyad_panel(applications: pd.DataFrame, population: pd.DataFrame, conflict: pd.DataFrame,
                     eurostat: pd.DataFrame | None = None, *, lags: int = 2, leads: int = 1,
                     first_year: int = 2000, last_year: int | None = None,
                     withhold_deaths: dict[str, str] | None = None) -> pd.DataFrame:
    """Build the dyad-year panel (see the module docstring for every column).

    Parameters
    ----------
    applications : pandas.DataFrame
        UNHCR ``asylum_applications`` as read by
        :func:`refugeestudy.sources.unhcr.read_unhcr_table`.
    population : pandas.DataFrame
        UNHCR ``population`` as read by :func:`~refugeestudy.sources.unhcr.read_unhcr_table`.
    conflict : pandas.DataFrame
        UCDP country-year deaths as read by
        :func:`~refugeestudy.sources.ucdp_country_year.read_ucdp_country_year`.
    eurostat : pandas.DataFrame, optional
        Eurostat first-time applicants as read by
        :func:`~refugeestudy.sources.eurostat.read_eurostat_asylum`.
    lags, leads : int
        Deaths are given at lags ``1..lags`` and leads ``1..leads`` besides year 0.
    first_year, last_year : int
        Years of the panel; ``last_year`` defaults to the last year of ``applications``.
    withhold_deaths : dict, optional
        Origin ISO3 → reason: origins whose deaths are set missing; default
        :data:`DEATHS_WITHHELD` (``{}`` keeps every origin's deaths).

    Returns
    -------
    pandas.DataFrame
        One row per dyad and year, sorted by origin, destination, year.

    Raises
    ------
    PanelError
        If ``conflict`` lists a country twice in a year (two Gleditsch–Ward
        codes with one ISO3 at the same time would be added silently otherwise).
    """
    _refuse_repeated_countries(conflict)
    last_year = int(applications["year"].max()) if last_year is None else last_year
    withhold_deaths = DEATHS_WITHHELD if withhold_deaths is None else withhold_deaths
    reported = _outcomes(applications, eurostat)
    panel = _outcome_grid(reported, first_year, last_year)
    blocks = _death_blocks(conflict, panel, lags, leads)
    panel = pd.concat([panel, *blocks, stock_columns(population, panel)], axis=1)
    withheld = panel["origin_iso3"].isin(list(withhold_deaths))
    for block in blocks:
        panel.loc[withheld, list(block.columns)] = pd.NA
    panel["ucdp_deaths_withheld"] = withheld.to_numpy()
    for name in reported.columns:
        panel[name] = panel[name].astype("Int64")
    return panel


def stock_columns(population: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """``stock_lag1`` and ``stock_share_lag1`` for each row of ``panel`` (see the module docstring).

    Parameters
    ----------
    population : pandas.DataFrame
        UNHCR ``population`` rows: ``origin_iso3``, ``destination_iso3``, ``year``,
        ``refugees``, ``asylum_seekers``.
    panel : pandas.DataFrame
        Rows with ``origin_iso3``, ``destination_iso3``, ``year``.

    Returns
    -------
    pandas.DataFrame
        ``stock_lag1`` (Int64) and ``stock_share_lag1`` (float64, NaN where missing),
        aligned with ``panel``'s rows.

    Raises
    ------
    PanelError
        If ``population`` lists a dyad-year twice.

    Examples
    --------
    >>> population = pd.DataFrame({"origin_iso3": ["SYR", "SYR", "SYR"], "destination_iso3":
    ...     ["DEU", "TUR", "RUS"], "year": [2023] * 3, "refugees": [6, 3, 0], "asylum_seekers": [2, 1, 0]})
    >>> rows = pd.DataFrame({"origin_iso3": ["SYR"] * 3, "destination_iso3": ["DEU", "RUS", "FRA"],
    ...                      "year": [2024] * 3})
    >>> stock_columns(population, rows).astype(object).values.tolist()
    [[8, 0.6666666666666666], [0, 0.0], [<NA>, nan]]
    """
    stock = population[KEYS].copy()
    stock["stock"] = population["refugees"].astype("Int64") + population["asylum_seekers"].astype("Int64")
    if stock.duplicated(KEYS).any():
        raise PanelError("population table: a dyad-year appears twice")
    total = stock.groupby(["origin_iso3", "year"], as_index=False)["stock"].sum(min_count=1)
    lagged = _shifted(stock, ["origin_iso3", "destination_iso3"], panel["year"], panel, ["stock"], 1)
    totals = _shifted(total, ["origin_iso3"], panel["year"], panel, ["stock"], 1)["stock"]
    stock_lag1 = lagged["stock"].astype("Int64")
    share = stock_lag1.astype("Float64") / totals.astype("Float64").where(totals > 0)
    return pd.DataFrame({"stock_lag1": stock_lag1,
                         "stock_share_lag1": share.astype("float64").to_numpy()})


def application_share(panel: pd.DataFrame, rows, outcome: str = "first_instance_persons") -> float:
    """Share of the panel's applications (``outcome`` summed) on ``rows``.

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel.
    rows : numpy array or Series of bool, or collection of str
        A mask over the panel's rows, or origin ISO3 codes (e.g. ``["ISR", "PSE"]``).
    outcome : str
        The outcome column summed (missing counts as nothing, not as zero reported).

    Examples
    --------
    >>> panel = pd.DataFrame({"origin_iso3": ["ISR", "PSE", "SYR", "SYR"],
    ...                       "first_instance_persons": pd.array([10, 30, 60, None], dtype="Int64")})
    >>> application_share(panel, ["ISR", "PSE"])
    0.4
    """
    is_mask = isinstance(rows, (np.ndarray, pd.Series)) and pd.api.types.is_bool_dtype(rows)
    mask = np.asarray(rows, dtype=bool) if is_mask else panel["origin_iso3"].isin(list(rows)).to_numpy()
    values = panel[outcome].astype("Float64").fillna(0).to_numpy(dtype="float64")
    return float(values[mask].sum() / values.sum())


def read_dyad_panel_sources(applications: str | Path, population: str | Path, conflict: str | Path,
                            eurostat: str | Path | None = None, **options) -> pd.DataFrame:
    """Read the raw files with the package's readers and build the panel.

    Parameters
    ----------
    applications, population : str or Path
        UNHCR ``asylum_applications`` and ``population`` CSVs (global files).
    conflict : str or Path
        UCDP ``organizedviolencecy`` CSV (or its zip).
    eurostat : str or Path, optional
        Eurostat ``migr_asyappctza`` first-time applicants (long layout).
    **options
        Passed to :func:`build_dyad_panel`.

    Examples
    --------
    >>> panel = read_dyad_panel_sources(  # doctest: +SKIP
    ...     "../shared/data/unhcr_global/asylum_applications.csv",
    ...     "../shared/data/unhcr_global/population.csv",
    ...     "../shared/data/ucdp/organizedviolencecy_v25_1.csv")
    """
    from refugeestudy.sources.eurostat import read_eurostat_asylum
    from refugeestudy.sources.ucdp_country_year import read_ucdp_country_year
    from refugeestudy.sources.unhcr import read_unhcr_table

    return build_dyad_panel(
        read_unhcr_table(applications, "asylum_applications"),
        read_unhcr_table(population, "population"),
        read_ucdp_country_year(conflict),
        read_eurostat_asylum(eurostat) if eurostat is not None else None,
        **options)


#: The fetched sources the panel is built from (registry keys), by role.
SOURCES: dict[str, str] = {
    "applications": "unhcr_global_asylum_applications",
    "population": "unhcr_global_population",
    "conflict": "ucdp_country_year",
    "eurostat": "eurostat_asylum_first_time",
}
#: File name of the built panel in the processed folder.
PANEL_FILE = "dyad_year_panel.parquet"


def panel_from_fetched(tables: dict, fetched: dict[str, Path]) -> pd.DataFrame | None:
    """Build the panel inside ``refugeestudy build`` (a :class:`refugeestudy.pipeline.build.TableBuilder`).

    Parameters
    ----------
    tables : dict
        The canonical tables already built (unused: the panel reads its own sources).
    fetched : dict
        Registry name → verified file of each fetched source (checked against
        the lock by the build).

    Returns
    -------
    pandas.DataFrame or None
        The dyad-year panel, or ``None`` when UNHCR's global applications and
        population or UCDP's country-year file are not fetched (the table is then
        not written; report 05 names the fetch it needs). Eurostat is added when
        fetched.

    Examples
    --------
    >>> panel_from_fetched({}, {}) is None
    True
    """
    required = [SOURCES[role] for role in ("applications", "population", "conflict")]
    if any(name not in fetched for name in required):
        return None
    return read_dyad_panel_sources(fetched[SOURCES["applications"]], fetched[SOURCES["population"]],
                                   fetched[SOURCES["conflict"]], fetched.get(SOURCES["eurostat"]))

