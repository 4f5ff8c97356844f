"""Design 2: dyad exposure, how the same origin-year shock spreads across destinations.

With origin × year fixed effects every origin-level shock (deaths themselves,
the economy, policy, disasters) is absorbed; what identifies the slopes is how
applications to destinations *more exposed* to the origin respond more:

    E[y_odt] = exp(α_ot + δ_od + γ_dt + Σ_k log(1 + deaths_o,t-k) · (β_k contig_od
               + θ_k logdist~_od + φ_k share_od,t-1) + ψ share_od,t-1)

for k = lags 0-2 and a lead (placebo), with ``contig`` CEPII contiguity,
``logdist~`` the log of CEPII's population-weighted distance (``distw``)
centred on its mean over the dyads in the sample, and ``share`` the lagged
stock share (refugees + asylum seekers of o in d at t - 1 over o's total).
Dyads without a CEPII row and dyad-years without a stock share drop, and
``details`` says how many rows and which share of applications. PPML,
clustered by origin. The estimate is Σ_k β_k (lags), the extra log change in
applications to a neighbour for deaths (1 + deaths) e times larger in each year.

Examples
--------
>>> interaction_names("contig")
['log_deaths_lag0_x_contig', 'log_deaths_lag1_x_contig', 'log_deaths_lag2_x_contig', \
'log_deaths_lead1_x_contig']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from refugeestudy.global_study.designs._fit import DYAD_FIXEF_TOL, DesignResult, fit_poisson, percent_words, with_keys
from refugeestudy.panels.dyads import death_column

__all__ = ["EXPOSURES", "SHIFTS", "interaction_names", "dyad_exposure_frame", "fit_dyad_exposure",
           "dyad_exposure_design"]

#: Exposures interacted with deaths: contiguity, centred log distance, lagged stock share.
EXPOSURES = ("contig", "log_distance_centred", "stock_share_lag1")
#: Deaths shifts: lags 0-2 (positive) and the lead 1 (negative).
SHIFTS = (0, 1, 2, -1)
FIXED_EFFECTS = ["origin_year", "dyad", "destination_year"]


def _shift_name(shift: int) -> str:
    return f"lag{shift}" if shift >= 0 else f"lead{-shift}"


def interaction_names(exposure: str, shifts=SHIFTS) -> list[str]:
    """Names of the deaths × ``exposure`` regressors, in the order of ``shifts``."""
    return [f"log_deaths_{_shift_name(s)}_x_{exposure}" for s in shifts]


def dyad_exposure_frame(panel: pd.DataFrame, geography: pd.DataFrame, *, outcome: str = "first_instance_persons",
                        exposures=EXPOSURES, shifts=SHIFTS, extra_columns=()) -> tuple[pd.DataFrame, dict]:
    """Complete dyad-years with deaths × exposure regressors, and what was dropped.

    Returns
    -------
    (pandas.DataFrame, dict)
        The frame (keys, fixed-effect ids, ``applications``, interactions,
        ``stock_share_lag1``, ``extra_columns``) and counts: rows and applications of
        reported dyad-years without a CEPII row, without deaths, without a stock share.
    """
    geo = with_keys(geography)[["origin_iso3", "destination_iso3", "contig", "distw"]]
    rows = panel[panel[outcome].notna()]
    keys = ["origin_iso3", "destination_iso3", "year"]
    frame = rows[keys].copy()
    frame["applications"] = rows[outcome].astype("Float64").astype(float)
    for column in ["stock_share_lag1", *extra_columns]:
        frame[column] = rows[column].astype("Float64").astype(float)
    deaths = {s: np.log1p(rows[death_column("total", "best", s)].astype("Float64").astype(float)) for s in shifts}
    frame = frame.merge(geo, on=["origin_iso3", "destination_iso3"], how="left", indicator=True)
    total = frame["applications"].sum()
    no_cepii = (frame.pop("_merge") != "both") | frame["distw"].isna()
    has_deaths = pd.concat(deaths, axis=1).notna().all(axis=1).to_numpy()
    needs_share = "stock_share_lag1" in exposures
    no_share = frame["stock_share_lag1"].isna() if needs_share else pd.Series(False, index=frame.index)
    keep = ~no_cepii & has_deaths & ~no_share & frame[list(extra_columns)].notna().all(axis=1)
    counts = {"rows_without_cepii": int(no_cepii.sum()),
              "applications_share_without_cepii": float(frame.loc[no_cepii, "applications"].sum() / total),
              "rows_without_deaths": int((~no_cepii & ~has_deaths).sum()),
              "rows_without_stock_share": int((~no_cepii & has_deaths & no_share).sum())}
    frame = frame[keep].reset_index(drop=True)
    log_distance = np.log(frame["distw"])
    dyad_mean = log_distance.groupby(frame["origin_iso3"] + frame["destination_iso3"]).first().mean()
    frame["log_distance_centred"] = log_distance - dyad_mean
    for shift in shifts:
        for exposure, name in zip(exposures, [f"log_deaths_{_shift_name(shift)}_x_{e}" for e in exposures]):
            frame[name] = deaths[shift].to_numpy()[keep.to_numpy()] * frame[exposure]
    frame["dyad"] = frame["origin_iso3"] + "-" + frame["destination_iso3"]
    frame["origin_year"] = frame["origin_iso3"] + "-" + frame["year"].astype(str)
    frame["destination_year"] = frame["destination_iso3"] + "-" + frame["year"].astype(str)
    return frame, counts


def fit_dyad_exposure(frame: pd.DataFrame, *, exposures=EXPOSURES, shifts=SHIFTS, extra_regressors=(),
                      details: dict | None = None) -> DesignResult:
    """PPML with origin-year, dyad and destination-year effects; estimate Σ lags of deaths × contiguity.

    ``terms`` holds, for each exposure, the lag sum with its interval
    (``<exposure>_lag_sum``), and the joint placebo test of the lead interactions
    (``lead_p_value``).
    """
    names = [n for e in exposures for n in interaction_names(e, shifts)]
    levels = ["stock_share_lag1"] if "stock_share_lag1" in exposures else []
    fit = fit_poisson(frame, "applications", names + levels + list(extra_regressors), FIXED_EFFECTS,
                      fixef_tol=DYAD_FIXEF_TOL)
    lags = [s for s in shifts if s >= 0]
    terms = {f"{e}_lag_sum": fit.combination({n: 1.0 for n in interaction_names(e, lags)}) for e in exposures}
    leads = [n for e in exposures for n in interaction_names(e, [s for s in shifts if s < 0])]
    present = [n for n in leads if n in fit.coefficients.index]
    if present:
        terms["lead_p_value"] = fit.wald_test(present)["p_value"]
    headline = terms.pop("contig_lag_sum")
    scale = np.log(2.0)
    words = (f"When (1 + deaths) at the origin doubles in each of the same and two previous years, applications "
             f"to a neighbouring destination change by {percent_words(scale * headline['estimate'])} relative to "
             f"a non-neighbour at the same distance and stock share (95 % interval "
             f"{percent_words(scale * headline['ci_low'])} to {percent_words(scale * headline['ci_high'])}; "
             f"{fit.n_observations:,} dyad-years, {fit.n_clusters} origins; every origin-year shock absorbed).")
    return DesignResult(**headline, n_observations=fit.n_observations, n_clusters=fit.n_clusters, words=words,
                        terms=terms, details=dict(details or {}), fit=fit)


def dyad_exposure_design(panel: pd.DataFrame, geography: pd.DataFrame, *,
                         without_stock_share: bool = True) -> DesignResult:
    """Design 2 with the variant without the stock share (contiguity and distance only, more dyads).

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel with ``stock_share_lag1``.
    geography : pandas.DataFrame
        CEPII dyads: ``origin, destination, contig, distw``.
    without_stock_share : bool
        Fit the variant ``variants["without_stock_share"]`` too (a second fit of
        three-way fixed effects, about as long as the first).
    """
    frame, counts = dyad_exposure_frame(panel, geography)
    main = fit_dyad_exposure(frame, details=counts)
    if not without_stock_share:
        return main
    exposures = ("contig", "log_distance_centred")
    frame, counts = dyad_exposure_frame(panel, geography, exposures=exposures)
    main.variants["without_stock_share"] = fit_dyad_exposure(frame, exposures=exposures, details=counts)
    return main
