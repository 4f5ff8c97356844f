"""Robustness a referee asks for: leave-one-origin-out, the largest origins, the stock, trends, the lead.

* :func:`leave_one_origin_out` — design 1 refitted without each origin whose
  deaths vary (the only origins that move the coefficients), in parallel
  (:mod:`refugeestudy.global_study.designs.parallel`); :func:`leave_one_out_figure` draws the
  distribution of the lag sum;
* :func:`origin_year_trends` — design 1 with a linear trend per origin;
* :func:`dyad_robustness` — the global dyad model of :mod:`refugeestudy.global_study.ppml`
  (dyad and destination-year effects, :data:`refugeestudy.global_study.ppml.Specification`
  defaults) without each of the ten origins with most applications, without
  the four largest together, and with log(1 + lagged stock) as a control
  (origin-specific trends are not fitted on the dyad model: with pyfixest 0.60
  they are ~190 dense regressors demeaned at each iteration, over two minutes;
  they are fitted on the origin-year model instead);
* :func:`eurostat_lead_checks` — where the placebo lead fails on Eurostat:
  UNHCR's outcome on all destinations, on Eurostat's destinations only, from
  2011, both, and Eurostat's own, side by side (data for the report's words).

Every row holds the lag sum with its 95 % interval, the lead (coefficient and
p-value where the model has one), observations and clusters.

Examples
--------
>>> largest_origins(pd.DataFrame({"origin_iso3": ["A", "B", "B"], "first_instance_persons": [5, 3, 4]}), 1)
['B']
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from refugeestudy.global_study.designs._fit import fit_poisson
from refugeestudy.global_study.designs.origin_year import CONTROLS, fit_origin_year, regressors
from refugeestudy.global_study.designs.parallel import refit_in_parallel
from refugeestudy.global_study.ppml import Specification, estimation_frame, fit_ppml

__all__ = ["largest_origins", "varying_origins", "leave_one_origin_out", "leave_one_out_figure",
           "origin_year_trends", "dyad_robustness", "eurostat_lead_checks"]


def largest_origins(panel: pd.DataFrame, count: int, outcome: str = "first_instance_persons") -> list[str]:
    """The ``count`` origins with most applications over the panel, largest first."""
    totals = panel.groupby("origin_iso3")[outcome].sum().sort_values(ascending=False, kind="stable")
    return totals.index[:count].tolist()


def varying_origins(frame: pd.DataFrame, column: str = "deaths_per_100k_lag0") -> list[str]:
    """Origins whose ``column`` takes more than one value in ``frame`` (they carry the slopes)."""
    spread = frame.groupby("origin_iso3")[column].nunique()
    return sorted(spread.index[spread > 1])


def _row(label: str, estimate: dict, n: int, clusters: int, lead: float = np.nan, lead_p: float = np.nan) -> dict:
    return {"check": label, "estimate": estimate["estimate"], "ci_low": estimate["ci_low"],
            "ci_high": estimate["ci_high"], "lead": lead, "lead_p_value": lead_p,
            "n_observations": n, "n_clusters": clusters}


def _origin_year_without(frame: pd.DataFrame, origin: str) -> dict:
    result = fit_origin_year(frame[frame["origin_iso3"] != origin])
    return {"origin_iso3": origin, "estimate": result.estimate, "ci_low": result.ci_low,
            "ci_high": result.ci_high, "n_observations": result.n_observations}


def leave_one_origin_out(frame: pd.DataFrame, *, n_jobs: int | None = None) -> pd.DataFrame:
    """Design 1's lag sum without each origin whose deaths vary, one refit each, in parallel.

    Parameters
    ----------
    frame : pandas.DataFrame
        Design 1's estimation frame (:func:`~refugeestudy.global_study.designs.origin_year.origin_year_frame`,
        deaths per 100,000).

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, estimate, ci_low, ci_high, n_observations``, one row per origin left out.
    """
    origins = varying_origins(frame)
    return pd.DataFrame(refit_in_parallel(partial(_origin_year_without, frame), origins, n_jobs=n_jobs))


def leave_one_out_figure(table: pd.DataFrame, full_estimate: float, label_extremes: int = 3):
    """Sorted lag sums without each origin, with the full-sample estimate; the extremes named."""
    from refugeestudy import plots

    ordered = table.sort_values("estimate", kind="stable").reset_index(drop=True)
    fig, ax = plots.subplots(figsize=(8, 4.5))
    ax.errorbar(ordered.index, ordered["estimate"],
                yerr=[ordered["estimate"] - ordered["ci_low"], ordered["ci_high"] - ordered["estimate"]],
                fmt="o", markersize=3, color="#0072B2", ecolor="#9ecae1", label="without one origin (95 % interval)")
    ax.axhline(full_estimate, color="#D55E00", label="all origins")
    ax.axhline(0, color="grey", linewidth=0.8)
    for position in [*range(label_extremes), *range(len(ordered) - label_extremes, len(ordered))]:
        ax.annotate(ordered.loc[position, "origin_iso3"], (position, ordered.loc[position, "estimate"]),
                    fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("origins left out, sorted by the resulting estimate")
    ax.set_ylabel("sum of lag 0-2 coefficients\n(deaths per 100,000)")
    ax.set_title("Origin-year model without one origin at a time")
    ax.legend(fontsize=8)
    return fig


def origin_year_trends(frame: pd.DataFrame) -> dict:
    """Design 1 with a linear trend per origin (``i(origin, year)``): one robustness row."""
    frame = frame.assign(trend=(frame["year"] - frame["year"].min()).astype(float))
    names = regressors("per_100k")
    fit = fit_poisson(frame, "applications", names + CONTROLS + ["log_reporting_destinations",
                                                                 "i(origin_iso3, trend)"], ["origin_iso3", "year"])
    return _row("Origin-year model with a linear trend per origin", fit.combination(dict.fromkeys(names[:3], 1.0)),
                fit.n_observations, fit.n_clusters, lead_p=fit.wald_test(names[3:])["p_value"])


def _dyad_row(label: str, fit) -> dict:
    lead = fit.lead_test()
    lead_terms = [t for t in fit.coefficients.index if "lead" in t]
    return _row(label, fit.lag_sum(), fit.n_obs, fit.n_clusters,
                lead=float(fit.coefficients[lead_terms[0]]) if lead_terms else np.nan,
                lead_p=lead["p_value"] if lead else np.nan)


def _dyad_without(frame: pd.DataFrame, origins: tuple[str, ...]) -> dict:
    label = f"Dyad model without {', '.join(origins)}"
    spec = Specification(label=label)
    return _dyad_row(label, fit_ppml(None, spec, frame=frame[~frame["origin_iso3"].isin(origins)]
                                     .reset_index(drop=True)))


def _dyad_with_stock(panel: pd.DataFrame, frame: pd.DataFrame) -> dict:
    keys = ["origin_iso3", "destination_iso3", "year"]
    stock = panel[keys].assign(log_stock_lag1=np.log1p(panel["stock_lag1"].astype("Float64").astype(float)))
    with_stock = frame.merge(stock, on=keys, how="left").dropna(subset=["log_stock_lag1"]).reset_index(drop=True)
    spec = Specification()
    fit = fit_poisson(with_stock, "applications", spec.regressors + ["log_stock_lag1"], ["dyad", "destination_year"])
    lead_p = fit.wald_test(["log_deaths_lead1"])["p_value"]
    return _row(f"Dyad model with log(1 + lagged stock) ({len(frame) - len(with_stock):,} rows without a stock "
                "dropped)", fit.combination(dict.fromkeys(spec.lag_terms, 1.0)), fit.n_observations,
                fit.n_clusters, lead=float(fit.coefficients["log_deaths_lead1"]), lead_p=lead_p)


def dyad_robustness(panel: pd.DataFrame, *, largest: int = 10, together: int = 4,
                    n_jobs: int | None = None) -> pd.DataFrame:
    """The global dyad model without the largest origins (each, and the first ``together`` jointly), with stock.

    The refits without one origin run in parallel (:func:`refit_in_parallel`); each
    is a fit of the whole dyad model (``largest=4`` keeps the report's time down).
    Rows: ``check, estimate, ci_low, ci_high`` (lag sum), ``lead, lead_p_value,
    n_observations, n_clusters``.
    """
    frame = estimation_frame(panel, Specification())
    origins = largest_origins(panel, largest)
    tasks = [(origin,) for origin in origins] + [tuple(origins[:together])]
    rows = refit_in_parallel(partial(_dyad_without, frame), tasks, n_jobs=n_jobs)
    rows.append(_dyad_with_stock(panel, frame))
    return pd.DataFrame(rows)


def eurostat_lead_checks(panel: pd.DataFrame) -> pd.DataFrame:
    """The placebo lead of the dyad model on UNHCR and Eurostat outcomes, on comparable samples.

    Rows: UNHCR first-instance applications on all destinations; on the
    destinations Eurostat covers; from 2011 (Eurostat's first year); both; and
    Eurostat's first-time applicants. If the lead fails only on Eurostat, the
    failure comes from the outcome, not from the European sample or the years.
    """
    spec = Specification()
    eurostat = panel["eurostat_first_time"].notna()
    european = panel["destination_iso3"].isin(panel.loc[eurostat, "destination_iso3"].unique())
    first = int(panel.loc[eurostat, "year"].min())
    samples = [("UNHCR first instance, all destinations", panel, spec),
               ("UNHCR first instance, Eurostat's destinations", panel[european], spec),
               (f"UNHCR first instance, all destinations, from {first}", panel, spec.but(first_year=first)),
               (f"UNHCR first instance, Eurostat's destinations, from {first}", panel[european],
                spec.but(first_year=first)),
               ("Eurostat first-time applicants", panel, spec.but(outcome="eurostat_first_time"))]
    return pd.DataFrame([_dyad_row(label, fit_ppml(rows, s.but(label=label))) for label, rows, s in samples])
