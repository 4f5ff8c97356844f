"""Design 3: an event study of applications around conflict onsets (origin-year outcome of design 1).

Onset (:func:`conflict_onsets`): the first year t ≥ 2004 with deaths ≥ the
threshold (25, UCDP's conflict threshold, or 1,000) whose three previous years
are all observed and below it. One onset per origin: later qualifying years
are ignored and counted. Origins whose deaths stay below the threshold in every
year from 2001 on are *never treated*, the comparison group; origins with no
onset but deaths at or above the threshold at some time (in conflict
throughout, or an onset before 2004) are neither and are left out (counted).

Event time e = year - onset, kept in -4…+5 (treated years outside dropped),
reference e = -1. Two PPML estimators with origin and year effects and the
coverage control log(reporting destinations), clustered by origin:

* two-way fixed effects (TWFE): one dummy per event time, pooled over cohorts;
* Sun and Abraham (2021) interaction weights: one dummy per cohort (onset
  year) × event time, then for each e the average over cohorts weighted by each
  cohort's share of the treated origin-years at e (weights held fixed in the
  covariance, as ``fixest::sunab`` does). Robust to effects that differ by cohort,
  which biases TWFE.

The estimate is the mean of the Sun-Abraham coefficients at e = 0…+5; the
pre-period coefficients (e = -4…-2) are tested jointly (``pre_trend_p``).

Examples
--------
>>> deaths = pd.DataFrame({"origin_iso3": ["A"] * 8, "year": range(2001, 2009),
...                        "deaths": [0, 30, 0, 0, 0, 40, 0, 50]})
>>> conflict_onsets(deaths).to_dict("records")
[{'origin_iso3': 'A', 'onset': 2006, 'status': 'onset', 'ignored_onsets': 0}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from refugeestudy.global_study.designs._fit import DesignResult, fit_poisson, p_words, percent_words
from refugeestudy.global_study.designs.origin_year import origin_deaths, origin_year_outcome

__all__ = ["EVENT_TIMES", "REFERENCE", "conflict_onsets", "event_study_frame", "fit_event_study",
           "event_study_design", "event_study_figure"]

EVENT_TIMES = tuple(range(-4, 6))
REFERENCE = -1
FIRST_ONSET_YEAR = 2004
_PRE = 3


def _qualifying_years(series: pd.Series, threshold: float, first_year: int) -> list[int]:
    """Years t ≥ ``first_year`` with deaths ≥ threshold and the 3 previous years observed and below."""
    years = []
    for year, value in series.items():
        before = series.reindex(range(year - _PRE, year))
        if year >= first_year and value >= threshold and before.notna().all() and (before < threshold).all():
            years.append(int(year))
    return years


def conflict_onsets(deaths: pd.DataFrame, threshold: float = 25, first_year: int = FIRST_ONSET_YEAR
                    ) -> pd.DataFrame:
    """The onset of each origin, or why it has none.

    Parameters
    ----------
    deaths : pandas.DataFrame
        ``origin_iso3, year, deaths`` (:func:`~refugeestudy.global_study.designs.origin_year.origin_deaths`).

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, onset`` (year, or NA), ``status`` (``onset``, ``never`` =
        below the threshold in every year from ``first_year`` - 3 on, ``excluded`` =
        no onset but at or above it some year) and ``ignored_onsets`` (later
        qualifying years, not used).
    """
    rows = []
    for origin, group in deaths.groupby("origin_iso3", sort=True):
        series = group.set_index("year")["deaths"].sort_index()
        onsets = _qualifying_years(series, threshold, first_year)
        window = series[series.index >= first_year - _PRE]
        status = "onset" if onsets else "never" if (window < threshold).all() else "excluded"
        rows.append({"origin_iso3": origin, "onset": onsets[0] if onsets else pd.NA, "status": status,
                     "ignored_onsets": max(len(onsets) - 1, 0)})
    out = pd.DataFrame(rows)
    out["onset"] = out["onset"].astype("Int64")
    return out


def _cell(cohort: int, event_time: int) -> str:
    return f"cohort{cohort}_e{event_time}".replace("-", "m")


def _event(event_time: int) -> str:
    return f"e{event_time}".replace("-", "m")


def event_study_frame(outcome: pd.DataFrame, onsets: pd.DataFrame, event_times=EVENT_TIMES) -> pd.DataFrame:
    """Origin-years of onset and never-treated origins, with event-time and cohort × event-time dummies.

    Parameters
    ----------
    outcome : pandas.DataFrame
        ``origin_iso3, year, applications, reporting_destinations``
        (:func:`~refugeestudy.global_study.designs.origin_year.origin_year_outcome`).
    onsets : pandas.DataFrame
        :func:`conflict_onsets`.

    Returns
    -------
    pandas.DataFrame
        Rows with an observed outcome; treated rows only inside ``event_times``;
        ``cohort`` and ``event_time`` (NA for never-treated), dummies ``e<k>`` and
        ``cohort<year>_e<k>`` for every k but the reference (``m`` for minus).
    """
    kept = onsets[onsets["status"] != "excluded"][["origin_iso3", "onset"]]
    frame = outcome.dropna(subset=["applications"]).merge(kept, on="origin_iso3")
    frame = frame.rename(columns={"onset": "cohort"})
    frame["event_time"] = frame["year"] - frame["cohort"]
    inside = frame["event_time"].isna() | frame["event_time"].between(min(event_times), max(event_times))
    frame = frame[inside.astype(bool)].reset_index(drop=True)
    frame["log_reporting_destinations"] = np.log(frame["reporting_destinations"].astype(float))
    treated = frame["event_time"].notna()
    event = frame["event_time"].where(treated, REFERENCE).astype(int)
    cohort = frame["cohort"].where(treated, 0).astype(int)
    columns = {}
    for k in event_times:
        if k == REFERENCE:
            continue
        columns[_event(k)] = (event == k).astype(float)
        for c in sorted(frame.loc[treated & (event == k), "cohort"].unique()):
            columns[_cell(int(c), k)] = ((event == k) & (cohort == c)).astype(float)
    return pd.concat([frame, pd.DataFrame(columns)], axis=1)


def _sun_abraham(fit, frame: pd.DataFrame, event_times) -> tuple[pd.DataFrame, dict[int, dict]]:
    """Each event time's cohort weights (rows) and the weighted coefficient with its interval."""
    treated = frame[frame["event_time"].notna()]
    weights, estimates = {}, {}
    for k in event_times:
        if k == REFERENCE:
            continue
        shares = treated[treated["event_time"] == k]["cohort"].value_counts(normalize=True)
        cells = {_cell(int(c), k): share for c, share in shares.items() if _cell(int(c), k) in fit.coefficients}
        total = sum(cells.values())
        weights[k] = {name: share / total for name, share in cells.items()}
        estimates[k] = fit.combination(weights[k])
    matrix = pd.DataFrame.from_dict(weights, orient="index").fillna(0.0)
    return matrix, estimates


def fit_event_study(frame: pd.DataFrame, event_times=EVENT_TIMES, details: dict | None = None) -> DesignResult:
    """Sun-Abraham PPML (the estimate) with TWFE beside it (``variants["twfe"]``).

    ``terms["event_times"]`` maps each event time to the Sun-Abraham estimate and
    interval; the TWFE variant has its own. The estimate is the mean at e = 0…+5;
    ``pre_trend_p`` tests e = -4…-2 jointly (F, G - 1 df).
    """
    pre = [k for k in event_times if k < REFERENCE]
    post = [k for k in event_times if k >= 0]
    cells = [c for c in frame.columns if c.startswith("cohort") and "_e" in c]
    fit = fit_poisson(frame, "applications", cells + ["log_reporting_destinations"], ["origin_iso3", "year"])
    weights, by_event = _sun_abraham(fit, frame, event_times)
    headline = fit.combination((weights.loc[post].sum() / len(post)).to_dict())
    pre_test = fit.wald_test(weights.loc[pre])
    twfe_fit = fit_poisson(frame, "applications", [_event(k) for k in event_times if k != REFERENCE]
                           + ["log_reporting_destinations"], ["origin_iso3", "year"])
    twfe = twfe_fit.combination({_event(k): 1.0 / len(post) for k in post})
    twfe_terms = {k: twfe_fit.combination({_event(k): 1.0}) for k in event_times if k != REFERENCE}
    onsets = int(frame.loc[frame["event_time"].notna(), "origin_iso3"].nunique())
    words = (f"In the six years from a conflict onset, applications from the origin are on average "
             f"{percent_words(headline['estimate'])} from what origins without an onset predict (95 % interval "
             f"{percent_words(headline['ci_low'])} to {percent_words(headline['ci_high'])}; Sun-Abraham PPML, "
             f"{onsets} onsets, {fit.n_observations:,} origin-years, {fit.n_clusters} origins); the joint test of "
             f"the three pre-onset years gives {p_words(pre_test['p_value'])}.")
    twfe_result = DesignResult(**twfe, n_observations=twfe_fit.n_observations, n_clusters=twfe_fit.n_clusters,
                               words="The same average from two-way fixed effects, pooled over onset years.",
                               terms={"event_times": twfe_terms},
                               pre_trend_p=twfe_fit.wald_test([_event(k) for k in pre])["p_value"], fit=twfe_fit)
    return DesignResult(**headline, n_observations=fit.n_observations, n_clusters=fit.n_clusters, words=words,
                        terms={"event_times": by_event}, details={**(details or {}), "onsets_used": onsets},
                        variants={"twfe": twfe_result}, pre_trend_p=pre_test["p_value"], fit=fit)


def _onset_details(onsets: pd.DataFrame) -> dict:
    return {"onsets": int((onsets["status"] == "onset").sum()),
            "ignored_later_onsets": int(onsets["ignored_onsets"].sum()),
            "never_treated": int((onsets["status"] == "never").sum()),
            "excluded_no_onset_but_conflict": int((onsets["status"] == "excluded").sum())}


def event_study_design(panel: pd.DataFrame, thresholds=(25, 1000)) -> DesignResult:
    """Design 3 at the first threshold, the others as ``variants["threshold_<n>"]``.

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel (deaths by origin and year are read back from it).
    """
    deaths = origin_deaths(panel)
    outcome = origin_year_outcome(panel)
    results = {}
    for threshold in thresholds:
        onsets = conflict_onsets(deaths, threshold)
        details = {"threshold": threshold, **_onset_details(onsets)}
        results[threshold] = fit_event_study(event_study_frame(outcome, onsets), details=details)
    main = results[thresholds[0]]
    main.variants.update({f"threshold_{t}": results[t] for t in thresholds[1:]})
    return main


def event_study_figure(result: DesignResult):
    """Event-time coefficients (Sun-Abraham and TWFE) with 95 % intervals; pre-onset years hollow."""
    from refugeestudy import plots

    fig, ax = plots.subplots(figsize=(8, 4.5))
    series = [("Sun-Abraham (PPML)", result.terms["event_times"], -0.1, "#0072B2"),
              ("two-way fixed effects", result.variants["twfe"].terms["event_times"], 0.1, "#D55E00")]
    for label, terms, offset, color in series:
        times = sorted(terms)
        estimates = np.array([terms[k]["estimate"] for k in times])
        errors = [estimates - np.array([terms[k]["ci_low"] for k in times]),
                  np.array([terms[k]["ci_high"] for k in times]) - estimates]
        x = np.array(times) + offset
        ax.errorbar(x, estimates, yerr=errors, fmt="none", ecolor=color, capsize=3)
        pre = np.array(times) < 0
        ax.plot(x[pre], estimates[pre], "o", mfc="white", color=color)
        ax.plot(x[~pre], estimates[~pre], "o", color=color, label=label)
    ax.plot([REFERENCE], [0.0], "kx", label="reference year (-1)")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("years since the conflict onset (hollow: before the onset)")
    ax.set_ylabel("log change in applications\nrelative to the year before the onset")
    ax.set_title(f"Applications around conflict onsets (≥ {result.details.get('threshold', 25):,} deaths)")
    ax.legend(fontsize=8)
    return fig
