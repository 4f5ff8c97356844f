"""Design 1: the origin-year model, how applications from an origin respond to its deaths.

One row per origin and year. The outcome is the origin's applications summed
over the destinations that report it that year (a dyad without a report is not
a zero: an origin-year with no reporting dyad is missing, not 0), with
log(number of the origin's destinations that report any origin that year) as a
control for coverage. Deaths at the origin (UCDP, ``total``/``best``) enter as
deaths per 100,000 population (population of the year before the deaths:
WPP ends in 2023, UCDP in 2024) or as log(1 + deaths), at leads 1-2 (placebos)
and lags 0-2. Controls enter lagged one year: log GDP per capita (PPP), political
stability (WGI), log population. Origin and year fixed effects; PPML,
standard errors clustered by origin.

An origin-year with a missing control is dropped, never imputed, and
``details["dropped_missing_controls"]`` says how many. The headline estimate
is Σ_{k=0..2} β_k of deaths per 100,000: the log change in applications for one
more death per 100,000 in each of the current and two previous years.

Examples
--------
>>> regressors("per_100k")
['deaths_per_100k_lag0', 'deaths_per_100k_lag1', 'deaths_per_100k_lag2', 'deaths_per_100k_lead1', \
'deaths_per_100k_lead2']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from refugeestudy.global_study.designs._fit import DesignResult, fit_poisson, percent_words, with_keys
from refugeestudy.panels.dyads import death_column

__all__ = ["LAGS", "LEADS", "CONTROLS", "regressors", "origin_deaths", "origin_year_outcome",
           "balanced_destinations", "origin_year_frame", "fit_origin_year", "origin_year_design"]

LAGS = (0, 1, 2)
LEADS = (1, 2)
#: Controls of the origin-year model, each at t - 1.
CONTROLS = ["log_gdp_pc_lag1", "political_stability_lag1", "log_population_lag1"]
_PREFIX = {"per_100k": "deaths_per_100k", "log1p": "log_deaths"}


def regressors(measure: str = "per_100k", lags=LAGS, leads=LEADS) -> list[str]:
    """Names of the deaths regressors: lags then leads."""
    prefix = _PREFIX[measure]
    return [f"{prefix}_lag{k}" for k in lags] + [f"{prefix}_lead{k}" for k in leads]


def origin_deaths(panel: pd.DataFrame, kind: str = "total", bound: str = "best") -> pd.DataFrame:
    """Deaths per origin and year, read back from the panel's same-year, lag and lead columns.

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, year, deaths`` (float), one row per origin-year UCDP covers.

    Examples
    --------
    >>> panel = pd.DataFrame({"origin_iso3": ["SYR"] * 2, "year": [2020, 2021],
    ...     "deaths_total_best": [5690, 1948], "deaths_total_best_lag1": [11208, 5690],
    ...     "deaths_total_best_lag2": [21730, 11208], "deaths_total_best_lead1": [1948, 1671]})
    >>> origin_deaths(panel)["deaths"].tolist()
    [21730.0, 11208.0, 5690.0, 1948.0, 1671.0]
    """
    pieces = []
    for shift in (2, 1, 0, -1):
        column = death_column(kind, bound, shift)
        if column in panel:
            pieces.append(pd.DataFrame({"origin_iso3": panel["origin_iso3"], "year": panel["year"] - shift,
                                        "deaths": panel[column].astype("Float64").astype(float)}))
    long = pd.concat(pieces).dropna().drop_duplicates(["origin_iso3", "year"])
    return long.sort_values(["origin_iso3", "year"]).reset_index(drop=True)


def origin_year_outcome(panel: pd.DataFrame, outcome: str = "first_instance_persons",
                        destinations=None) -> pd.DataFrame:
    """Applications per origin-year summed over reporting dyads, and the destinations reporting.

    ``reporting_destinations`` counts the origin's dyads (into ``destinations`` if
    given) whose destination reported any origin that year; ``applications`` is
    missing when none of them reported this origin.

    Examples
    --------
    >>> panel = pd.DataFrame({"origin_iso3": ["SYR"] * 3, "destination_iso3": ["DEU", "RUS", "SWE"],
    ...     "year": [2020] * 3, "apps": [10, None, 5], "apps_destination_reported": [True, True, False]})
    >>> origin_year_outcome(panel, "apps").to_dict("records")
    [{'origin_iso3': 'SYR', 'year': 2020, 'applications': 15.0, 'reporting_destinations': 2}]
    """
    rows = panel if destinations is None else panel[panel["destination_iso3"].isin(destinations)]
    values = rows[outcome].astype("Float64").astype(float)
    grouped = rows.assign(applications=values).groupby(["origin_iso3", "year"])
    out = grouped.agg(applications=("applications", lambda s: s.sum(min_count=1)),
                      reporting_destinations=(f"{outcome}_destination_reported", "sum"))
    out["reporting_destinations"] = out["reporting_destinations"].astype("int64")
    return out.reset_index()


def balanced_destinations(panel: pd.DataFrame, outcome: str, first_year: int, last_year: int) -> list[str]:
    """Destinations that report ``outcome`` for some origin in every year ``first_year``..``last_year``."""
    years = panel[(panel["year"] >= first_year) & (panel["year"] <= last_year)]
    reported = years[years[f"{outcome}_destination_reported"]]
    counts = reported.groupby("destination_iso3")["year"].nunique()
    return sorted(counts.index[counts == last_year - first_year + 1])


def _deaths_regressor(frame: pd.DataFrame, deaths: pd.Series, population: pd.Series, shift: int,
                      measure: str) -> tuple[pd.Series, pd.Series]:
    """Raw deaths at ``year - shift`` and the regressor made of them (rate or log1p)."""
    at = pd.MultiIndex.from_arrays([frame["origin_iso3"], frame["year"] - shift])
    raw = pd.Series(deaths.reindex(at).to_numpy(), index=frame.index)
    if measure == "log1p":
        return raw, np.log1p(raw)
    before = pd.MultiIndex.from_arrays([frame["origin_iso3"], frame["year"] - shift - 1])
    return raw, raw / population.reindex(before).to_numpy() * 1e5


def origin_year_frame(outcome: pd.DataFrame, deaths: pd.DataFrame, controls: pd.DataFrame, *,
                      measure: str = "per_100k", lags=LAGS, leads=LEADS,
                      column: str = "applications") -> tuple[pd.DataFrame, dict]:
    """The estimation frame of design 1 and the counts of origin-years dropped, by reason.

    Parameters
    ----------
    outcome : pandas.DataFrame
        ``origin_iso3, year, <column>`` (and ``reporting_destinations``, which then
        enters as ``log_reporting_destinations``), e.g. :func:`origin_year_outcome`.
    deaths : pandas.DataFrame
        :func:`origin_deaths`.
    controls : pandas.DataFrame
        The origin-year controls (``origin, year, population, gdp_pc_ppp, political_stability``).
    measure : {"per_100k", "log1p"}

    Returns
    -------
    (pandas.DataFrame, dict)
        Complete rows only, and ``{"dropped_missing_deaths": n, "dropped_missing_controls": n}``
        (controls include the population a rate needs); nothing is imputed.
    """
    controls = with_keys(controls).set_index(["origin_iso3", "year"])
    frame = outcome.dropna(subset=[column]).reset_index(drop=True)
    deaths_by_key = deaths.set_index(["origin_iso3", "year"])["deaths"]
    raw_columns = []
    for shift, name in zip([*lags, *(-k for k in leads)], regressors(measure, lags, leads)):
        raw, frame[name] = _deaths_regressor(frame, deaths_by_key, controls["population"], shift, measure)
        raw_columns.append(raw)
    before = pd.MultiIndex.from_arrays([frame["origin_iso3"], frame["year"] - 1])
    frame["log_gdp_pc_lag1"] = np.log(controls["gdp_pc_ppp"].reindex(before).to_numpy())
    frame["political_stability_lag1"] = controls["political_stability"].reindex(before).to_numpy()
    frame["log_population_lag1"] = np.log(controls["population"].reindex(before).to_numpy())
    if "reporting_destinations" in frame:
        frame["log_reporting_destinations"] = np.log(frame["reporting_destinations"].astype(float))
    has_deaths = pd.concat(raw_columns, axis=1).notna().all(axis=1)
    complete = frame.notna().all(axis=1)
    counts = {"dropped_missing_deaths": int((~has_deaths).sum()),
              "dropped_missing_controls": int((has_deaths & ~complete).sum())}
    return frame[complete].reset_index(drop=True), counts


def _words(estimate: dict, measure: str, what: str, n: int, clusters: int) -> str:
    unit = ("one more death per 100,000 inhabitants" if measure == "per_100k"
            else "twice as many (1 + deaths)")
    scale = 1.0 if measure == "per_100k" else np.log(2.0)
    return (f"{what} change by {percent_words(scale * estimate['estimate'])} for {unit} in each of the same "
            f"and two previous years (95 % interval {percent_words(scale * estimate['ci_low'])} to "
            f"{percent_words(scale * estimate['ci_high'])}; {n:,} origin-years, {clusters} origins).")


def fit_origin_year(frame: pd.DataFrame, *, measure: str = "per_100k", lags=LAGS, leads=LEADS,
                    column: str = "applications", what: str = "Applications to all reporting destinations",
                    details: dict | None = None) -> DesignResult:
    """PPML of ``column`` on the deaths regressors and :data:`CONTROLS`, origin and year effects.

    The estimate is Σ_{k in lags} β_k; ``terms`` holds each coefficient and the joint
    placebo test of the leads (``lead_p_value``).
    """
    names = regressors(measure, lags, leads)
    extra = [c for c in ("log_reporting_destinations",) if c in frame]
    fit = fit_poisson(frame, column, names + CONTROLS + extra, ["origin_iso3", "year"])
    lag_sum = fit.combination({name: 1.0 for name in names[:len(lags)]})
    terms = {name: float(fit.coefficients[name]) for name in names}
    if leads:
        terms["lead_p_value"] = fit.wald_test(names[len(lags):])["p_value"]
    words = _words(lag_sum, measure, what, fit.n_observations, fit.n_clusters)
    details = {**(details or {}), "first_year": int(frame["year"].min()), "last_year": int(frame["year"].max()),
               "collinear_dropped": fit.collinear}
    return DesignResult(**lag_sum, n_observations=fit.n_observations, n_clusters=fit.n_clusters, words=words,
                        terms=terms, details=details, fit=fit)


def _variant(panel, deaths, controls, *, destinations=None, measure="per_100k", what: str) -> DesignResult:
    outcome = origin_year_outcome(panel, destinations=destinations)
    frame, counts = origin_year_frame(outcome, deaths, controls, measure=measure)
    return fit_origin_year(frame, measure=measure, what=what, details=counts)


def origin_year_design(panel: pd.DataFrame, controls: pd.DataFrame,
                       geography: pd.DataFrame | None = None) -> DesignResult:
    """Design 1 with its variants: log1p deaths, balanced destinations, neighbours, the rest, IDMC.

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel (:func:`refugeestudy.global_study.origin_destination.load_dyad_panel`).
    controls : pandas.DataFrame
        The origin-year controls (``origin, year, population, gdp_pc_ppp,
        political_stability, idmc_conflict_displacements``).
    geography : pandas.DataFrame, optional
        The dyad geography (``origin, destination, contig``); without it the
        neighbours/rest variants are left out.

    Returns
    -------
    DesignResult
        The headline (deaths per 100,000, all reporting destinations) with
        ``variants``: ``log1p_deaths``, ``balanced_destinations``, ``neighbours``,
        ``rest``, ``idmc_conflict_displacements``.
    """
    deaths = origin_deaths(panel)
    main = _variant(panel, deaths, controls, what="Applications to all reporting destinations")
    balanced = balanced_destinations(panel, "first_instance_persons", main.details["first_year"],
                                     main.details["last_year"])
    main.details["balanced_destinations"] = len(balanced)
    main.variants["log1p_deaths"] = _variant(panel, deaths, controls, measure="log1p",
                                             what="Applications to all reporting destinations")
    main.variants["balanced_destinations"] = _variant(
        panel, deaths, controls, destinations=balanced,
        what=f"Applications to the {len(balanced)} destinations reporting every year")
    if geography is not None:
        contig = with_keys(geography)
        for name, value, what in (("neighbours", 1, "Applications to neighbouring countries"),
                                  ("rest", 0, "Applications to non-neighbouring countries")):
            dyads = contig.loc[contig["contig"] == value, ["origin_iso3", "destination_iso3"]]
            rows = panel.merge(dyads, on=["origin_iso3", "destination_iso3"])
            main.variants[name] = _variant(rows, deaths, controls, what=what)
    idmc = with_keys(controls)[["origin_iso3", "year", "idmc_conflict_displacements"]]
    frame, counts = origin_year_frame(idmc, deaths, controls, column="idmc_conflict_displacements")
    main.variants["idmc_conflict_displacements"] = fit_origin_year(
        frame, column="idmc_conflict_displacements", what="New internal displacements by conflict (IDMC)",
        details=counts)
    return main
