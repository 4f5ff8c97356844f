"""The case study's series and the inference the sample can carry.

Two kinds of input, two rules:

* **The curated log** (many reporters): :func:`reported_series` reconciles the
  reporters of one scope as cumulative curves (:func:`refugeestudy.reconcile`)
  and puts the reconciled curve on a period grid where a period without a
  report is **missing** (:func:`refugeestudy.case_study.series.reconciled_periods`).
* **Event data and registries** (one producer, distinct records: UCDP GED,
  ACLED, UNHCR): :func:`event_deaths_series` sums deaths per period, where a
  period without an event recorded is 0 recorded deaths (the dataset's own
  meaning); :func:`registry_series` sums counts per period and leaves a period
  without a row missing.

:func:`align` joins two series without filling anything; :func:`timing_inference`
builds every table of the arrivals-versus-violence report (overdispersion,
quasi-Poisson fit, permutation and placebo dates, rolling-origin baselines),
withholding p-values below a stated number of observations; :func:`limitations`
writes the report's closing section from the data.

Examples
--------
>>> from refugeestudy import load_reports
>>> perm = reported_series(load_reports().figures, kind="displacement",
...     scope=destination_scope("RU-PER", "arrivals", load_reports().figures),
...     freq="W-MON", start="2025-02-10", end="2025-04-13")
>>> perm.total
150.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from refugeestudy.case_study import models
from refugeestudy.clean.places import DESTINATION_REGIONS, GOVERNORATES
from refugeestudy.case_study.series import (lagged, period_grid, period_start, reconciled_periods,
                                              violence_panel)
from refugeestudy.case_study.reconcile import DEATHS_SCOPE, DISPLACEMENT_SCOPE, curves_and_reconciled

__all__ = ["POPULATION_TYPES", "population_definitions", "ReportedSeries", "destination_scope", "deaths_scope", "scope_name", "reported_series",
           "event_deaths_series", "registry_series", "align", "timing_inference",
           "what_the_sample_supports", "limitations", "series_table", "inference_tables", "inference_not_run",
           "partial_periods"]

_SCOPES = {"displacement": DISPLACEMENT_SCOPE, "deaths": DEATHS_SCOPE}
_COUNTRIES = {"LBN": "Lebanon", "RUS": "Russia", "SYR": "Syria", "DEU": "Germany", "TUR": "Türkiye",
              "IRQ": "Iraq", "JOR": "Jordan"}


#: What each population type of the log counts (the log's README gives the same definitions).
POPULATION_TYPES = {
    "arrivals": "people counted as having reached the place (entries; a source's running total "
                "or a count of one group)",
    "fled": "people a source says fled towards the place or from their homes, counted at departure "
            "or on the way; not a count of people who arrived",
    "sheltering": "people staying at a place on a date (a stock, not a running total of entries)",
    "asylum_applications": "asylum applications lodged, not people arriving",
}


def population_definitions(population_types: Sequence[str]) -> str:
    """One sentence defining the population types a page shows.

    Examples
    --------
    >>> print(population_definitions(["arrivals", "fled"]))
    Arrivals: people counted as having reached the place (entries; a source's running total or a count of one group). Fled: people a source says fled towards the place or from their homes, counted at departure or on the way; not a count of people who arrived.
    """
    return " ".join(f"{kind.replace('_', ' ').capitalize()}: {POPULATION_TYPES[kind]}."
                    for kind in dict.fromkeys(population_types) if kind in POPULATION_TYPES)


def destination_scope(code: str, population_type: str, figures: pd.DataFrame | None = None
                      ) -> dict:
    """The scope of counts for a destination code: a country (ISO3) or a region (ISO 3166-2).

    A country code means figures for the whole country (no region given); a
    region's country is read from the log's figures.

    Examples
    --------
    >>> destination_scope("LBN", "arrivals")
    {'destination_country_iso3': 'LBN', 'destination_admin1': None, 'population_type': 'arrivals'}
    """
    if "-" not in code:
        return {"destination_country_iso3": code, "destination_admin1": None,
                "population_type": population_type}
    rows = figures[figures["destination_admin1"] == code] if figures is not None else []
    if not len(rows):
        raise ValueError(f"no figure in the log for the region {code!r}")
    return {"destination_country_iso3": rows["destination_country_iso3"].iloc[0],
            "destination_admin1": code, "population_type": population_type}


def deaths_scope(governorate: str | None, subject: str) -> dict:
    """The scope of a death toll: a governorate p-code (``None``: not split) and a subject.

    Examples
    --------
    >>> deaths_scope("SY06", "civilians")
    {'origin_admin1_pcode': 'SY06', 'subject': 'civilians'}
    """
    return {"origin_admin1_pcode": governorate, "subject": subject}


def scope_name(scope: dict) -> str:
    """A plain-language name for a scope, for titles and tables.

    Examples
    --------
    >>> scope_name({"destination_country_iso3": "LBN", "destination_admin1": "LB-AK",
    ...             "population_type": "arrivals"})
    'Akkar (Lebanon), arrivals'
    >>> scope_name(deaths_scope(None, "civilians"))
    'All places (not split by governorate), civilians killed'
    """
    if "subject" in scope:
        code = scope["origin_admin1_pcode"]
        place = GOVERNORATES.get(code, code) if code else "All places (not split by governorate)"
        return f"{place}, {scope['subject'].replace('_', ' ')} killed"
    country = _COUNTRIES.get(scope["destination_country_iso3"], scope["destination_country_iso3"])
    region = scope["destination_admin1"]
    place = f"{DESTINATION_REGIONS.get(region, region)} ({country})" if region else f"{country} (no region stated)"
    return f"{place}, {scope['population_type'].replace('_', ' ')}"


def _in_scope(frame: pd.DataFrame, scope: dict) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, value in scope.items():
        keep &= frame[column].isna() if value is None else (frame[column] == value).fillna(False)
    return frame[keep.astype(bool)]


@dataclass(frozen=True)
class ReportedSeries:
    """One scope of the log, reconciled.

    Attributes
    ----------
    scope : dict
        The scope's columns and values.
    curves : pandas.DataFrame
        Each reporter's cumulative step curve (:func:`refugeestudy.case_study.reconcile.reporter_curves`).
    reconciled : pandas.DataFrame
        The reconciled curve at each date with a figure (``date, low, best, high, ...``).
    periods : pandas.DataFrame
        The reconciled curve per period (:func:`refugeestudy.case_study.series.reconciled_periods`).
    """

    scope: dict
    curves: pd.DataFrame
    reconciled: pd.DataFrame
    periods: pd.DataFrame

    @property
    def total(self) -> float:
        """The reconciled level at the end of the window (NaN before any figure)."""
        return float(self.periods["level_best"].iloc[-1]) if len(self.periods) else float("nan")

    @property
    def reported_periods(self) -> int:
        """Periods with at least one figure."""
        return int(self.periods["reported"].sum())

    @property
    def unreported_periods(self) -> int:
        """Periods without any figure (their increment is missing, never 0)."""
        return int((~self.periods["reported"]).sum())

    @property
    def reporters(self) -> list[str]:
        """The producers whose figures the curve uses, sorted."""
        return sorted(self.curves["figure_by"].unique())


def reported_series(figures: pd.DataFrame, *, kind: str, scope: dict, freq: str, start, end,
                    since=None, fresh_days: int = 7) -> ReportedSeries:
    """Reconcile the log's reporters for one scope and place the curve on periods.

    Parameters
    ----------
    figures : pandas.DataFrame
        The log's figures (``load_reports().figures`` or ``report_figures.parquet``).
    kind : {"displacement", "deaths"}
        Which figures.
    scope : dict
        From :func:`destination_scope` or :func:`deaths_scope`.
    freq, start, end
        The period grid (:func:`refugeestudy.case_study.series.reconciled_periods`).
    since, fresh_days
        As in :func:`refugeestudy.case_study.reconcile.reconcile`.

    Returns
    -------
    ReportedSeries

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> figures = load_reports().figures
    >>> lebanon = reported_series(figures, kind="displacement",
    ...     scope=destination_scope("LB-AK+LB-AS", "arrivals", figures), freq="W-MON",
    ...     start="2025-03-01", end="2025-04-30")
    >>> bool(lebanon.periods["increment"].sum() == lebanon.total)
    True
    >>> bool(lebanon.periods.loc[~lebanon.periods["reported"], "increment"].isna().all())
    True
    """
    by = list(_SCOPES[kind])
    rows = figures[(figures["kind"] == kind) & (figures["period_end"] <= pd.Timestamp(end))]
    rows = _in_scope(rows, scope)
    if len(rows):
        curves, curve = curves_and_reconciled(rows, by=by, since=since, fresh_days=fresh_days)
    else:
        curves = pd.DataFrame(columns=[*by, "figure_by", "date", "low", "best", "high", "figure_id", "step"])
        curve = pd.DataFrame({"date": pd.Series([], dtype="datetime64[s]"), "low": [], "best": [], "high": []})
    periods = reconciled_periods(curve, freq=freq, start=start, end=end)
    return ReportedSeries(scope=scope, curves=curves, reconciled=curve, periods=periods)


def event_deaths_series(events: pd.DataFrame, *, admin1: Sequence[str], freq: str, start, end,
                        allocate: str = "start") -> pd.DataFrame:
    """Deaths per period summed over ``admin1`` from event data (one producer, distinct events).

    A period without an event is 0 *recorded* deaths, the event dataset's own
    meaning; never use this for the curated log (use :func:`reported_series`).
    Columns ``best, low, high`` indexed by ``period``.

    Examples
    --------
    >>> from refugeestudy import schema
    >>> events = schema.conform(pd.DataFrame({"event_id": ["a", "b"], "admin1_pcode": ["SY06", "SY06"],
    ...     "date_start": pd.to_datetime(["2025-03-06", "2025-05-02"]), "deaths_best": [10, 5],
    ...     "deaths_low": [8, 5], "deaths_high": [12, 6]}), "violence_events")
    >>> event_deaths_series(events, admin1=["SY06"], freq="MS", start="2025-03-01",
    ...                     end="2025-05-31")["best"].tolist()
    [10, 0, 5]
    """
    panel = violence_panel(events, freq=freq, start=start, end=end, admin1=admin1, complete=True,
                           allocate=allocate)
    sums = panel.groupby("period")[["deaths_best", "deaths_low", "deaths_high"]].sum(skipna=False)
    return sums.rename(columns=lambda c: c.removeprefix("deaths_"))


def registry_series(counts: pd.DataFrame, *, destination_country: str,
                    population_types: Sequence[str], freq: str, start, end) -> pd.DataFrame:
    """People per period at a destination from a registry (UNHCR): distinct rows are summed.

    A period without a row is **missing**, not 0. Columns ``best, low, high``
    indexed by every ``period`` of the window.

    Examples
    --------
    >>> from refugeestudy import schema
    >>> counts = schema.conform(pd.DataFrame({"record_id": ["a", "b"],
    ...     "destination_country_iso3": ["DEU", "DEU"], "population_type": ["asylum_applications"] * 2,
    ...     "period_start": pd.to_datetime(["2016-01-01", "2018-01-01"]),
    ...     "count_best": [10, 7], "count_low": [10, 7], "count_high": [10, 7]}), "displacement_counts")
    >>> registry_series(counts, destination_country="DEU", population_types=["asylum_applications"],
    ...                 freq="YS", start="2016-01-01", end="2018-12-31")["best"].tolist()
    [10.0, nan, 7.0]
    """
    rows = counts[(counts["destination_country_iso3"] == destination_country)
                  & counts["population_type"].isin(list(population_types))]
    rows = rows[(rows["period_start"] >= pd.Timestamp(start)) & (rows["period_start"] <= pd.Timestamp(end))]
    rows = rows.assign(period=period_start(rows["period_start"], freq))
    sums = rows.groupby("period")[["count_best", "count_low", "count_high"]].sum(min_count=1)
    sums = sums.reindex(period_grid(start, end, freq)).astype("float64")
    sums.index.name = "period"
    return sums.rename(columns=lambda c: c.removeprefix("count_"))


def align(deaths: pd.Series, arrivals: pd.Series) -> pd.DataFrame:
    """The two series side by side on the union of their periods; nothing is filled.

    Examples
    --------
    >>> i = pd.to_datetime(["2025-03-03", "2025-03-10"])
    >>> align(pd.Series([5.0, None], index=i), pd.Series([None, 7.0], index=i)).to_dict("list")
    {'deaths': [5.0, nan], 'arrivals': [nan, 7.0]}
    """
    return pd.concat([deaths.rename("deaths"), arrivals.rename("arrivals")], axis=1)


def timing_inference(aligned: pd.DataFrame, *, lags: Sequence[int], event_position: int | None,
                     min_observations: int = models.MIN_OBSERVATIONS, window: int = 2,
                     min_train: int = 4) -> dict:
    """Every inferential table of the arrivals-versus-violence report, from one aligned frame.

    Uses only periods where both series were reported (missing stays out).
    Returns a dict with ``nobs``; ``overdispersion`` (Pearson dispersion and
    Dean's test, of the Poisson model of arrivals on lagged deaths);
    ``quasi_poisson`` (a :class:`refugeestudy.case_study.models.ModelResult` with
    ``cov_type="X2"``, or a reason it was not fitted); ``permutation``
    (correlation of arrivals with deaths at the first lag); ``placebo`` (the
    event date's jump in arrivals against every other date, or ``None``);
    ``rolling_origin`` (out-of-sample MAE of the model and the baselines); and
    ``p_values_shown`` (False when ``nobs < min_observations``: the report then
    shows estimates, ranks and errors but no p-value).

    Examples
    --------
    >>> frame = pd.DataFrame({"deaths": [0, 5, 9, 2, 1, 0], "arrivals": [1, 2, 8, 9, 3, 1]})
    >>> out = timing_inference(frame, lags=[0], event_position=2, min_observations=20)
    >>> out["nobs"], out["p_values_shown"]
    (6, False)
    """
    X = lagged(aligned["deaths"], lags, name="deaths")
    data = pd.concat([aligned["arrivals"].rename("arrivals"), X], axis=1).dropna()
    nobs = len(data)
    out: dict = {"nobs": nobs, "min_observations": int(min_observations),
                 "p_values_shown": models.p_value_allowed(nobs, min_observations),
                 "parameters": len(lags) + 1}
    y, design = data["arrivals"], data.drop(columns="arrivals")
    enough = nobs > len(lags) + 1 and y.sum() > 0
    if enough:
        try:
            out["overdispersion"] = models.overdispersion(y, design)
            out["quasi_poisson"] = models.fit_count_model(y, design, family="poisson", cov_type="X2")
        except Exception as exc:  # singular design on a handful of periods
            out["overdispersion"] = out["quasi_poisson"] = f"not estimable: {exc}"
    else:
        reason = (f"not fitted: {nobs} period{'s' * (nobs != 1)} with both series for "
                  f"{len(lags) + 1} parameters")
        out["overdispersion"] = out["quasi_poisson"] = reason
    first = design.columns[0]
    out["permutation"] = (models.permutation_test(design[first], y) if nobs >= 3
                          else f"not computed: {nobs} period{'s' * (nobs != 1)}")
    if event_position is not None:
        out["placebo"] = models.placebo_dates(aligned["arrivals"], event_position, window=window)
    else:
        out["placebo"] = None
    out["rolling_origin"] = models.rolling_origin(y, design if enough else None, min_train=min_train)
    return out


def what_the_sample_supports(periods: int, parameters: int,
                             min_observations: int = models.MIN_OBSERVATIONS) -> str:
    """A plain sentence on what ``periods`` observations can support with ``parameters`` terms.

    Examples
    --------
    >>> what_the_sample_supports(4, 3)
    'With 4 periods and 3 parameters the analysis is descriptive only: no p-value is shown below 20 periods, so no estimate here should be read as an effect.'
    """
    if periods < min_observations or periods - parameters < 10:
        return (f"With {periods} period{'s' * (periods != 1)} and {parameters} parameters the analysis is descriptive "
                f"only: no p-value is shown below {min_observations} periods, so no estimate here "
                "should be read as an effect.")
    if periods < 50:
        return (f"With {periods} periods the estimates are rough: standard errors are "
                "unreliable in samples this small, and serial correlation is only partly handled.")
    return (f"With {periods} periods the estimates are usable for association, not causation; "
            "serial correlation and omitted drivers (border policy, transport) remain.")


def limitations(series: Sequence[ReportedSeries] = (), *, nobs: int | None = None,
                min_observations: int = models.MIN_OBSERVATIONS,
                extra: Sequence[str] = ()) -> list[str]:
    """The Limitations section's bullet points, written from the data.

    For each reconciled series: its periods with and without a report and the
    producers it rests on; then what the sample supports; then ``extra``.

    Examples
    --------
    >>> limitations(nobs=6, min_observations=20)[0]
    '6 periods have both series reported; below 20 no p-value is shown, so the results are descriptive.'
    """
    lines = []
    for item in series:
        total = item.reported_periods + item.unreported_periods
        who = "; ".join(item.reporters) or "none"
        lines.append(f"{scope_name(item.scope)}: {item.reported_periods} of {total} periods have a "
                     f"report, {item.unreported_periods} have none (shown as gaps, never as 0); "
                     f"{len(item.reporters)} producer(s): {who}.")
    if nobs is not None:
        verdict = ("so the results are descriptive" if nobs < min_observations
                   else "p-values are shown but rest on few periods")
        lines.append(f"{nobs} period{'s have' if nobs != 1 else ' has'} both series reported; below "
                     f"{min_observations} no p-value is shown, {verdict}.")
    lines.extend(extra)
    return lines


def series_table(series: Sequence[ReportedSeries], *, unit: str) -> pd.DataFrame:
    """One row per reconciled scope: producers, figures, total with band, the band's stale producers,
    periods with/without a report.

    A producer in the band whose latest figure is more than the freshness limit older than the
    scope's last figure is listed with its age (:func:`refugeestudy.case_study.reconcile.reconcile`), never
    dropped.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> log = load_reports()
    >>> perm = reported_series(log.figures, kind="displacement",
    ...     scope=destination_scope("RU-PER", "arrivals", log.figures), freq="W-MON",
    ...     start="2025-02-10", end="2025-04-13")
    >>> float(series_table([perm], unit="people").iloc[0]["Reconciled total (people)"])
    150.0
    >>> coast = reported_series(log.figures, kind="deaths", scope=deaths_scope(None, "civilians"),
    ...     freq="W-MON", start="2025-03-01", end="2025-04-30", since="2025-03-01")
    >>> series_table([coast], unit="deaths").iloc[0]["Stale in the band (age)"].split("; ")[0]
    'Syrian Network for Human Rights (9 days)'
    """
    rows = []
    for item in series:
        last = item.periods.iloc[-1] if len(item.periods) else None
        rows.append({
            "Scope": scope_name(item.scope),
            "Producers": len(item.reporters),
            "Figures used": int(item.curves["figure_id"].nunique()),
            f"Reconciled total ({unit})": item.total,
            f"Low ({unit})": float(last["level_low"]) if last is not None else np.nan,
            f"High ({unit})": float(last["level_high"]) if last is not None else np.nan,
            "Stale in the band (age)": (str(item.reconciled["stale"].iloc[-1] or "none")
                                        if len(item.reconciled) and "stale" in item.reconciled else "none"),
            "Periods with a report": item.reported_periods,
            "Periods without a report": item.unreported_periods,
        })
    return pd.DataFrame(rows)


def inference_tables(timing: dict) -> dict[str, pd.DataFrame]:
    """The report's tables from :func:`timing_inference`: only what was computed, p-values
    dropped when not allowed.

    Returns ``model`` (rate ratios with their interval, quasi-Poisson) when the
    model was fitted, ``checks`` (overdispersion, permutation and placebo, one
    row each that has a value) and ``forecasts`` (rolling-origin mean absolute
    errors of the methods that made a forecast); a table with nothing in it is
    left out, and :func:`inference_not_run` says why in one sentence.

    Examples
    --------
    >>> frame = pd.DataFrame({"deaths": [0, 5, 9, 2, 1, 0], "arrivals": [1, 2, 8, 9, 3, 1]})
    >>> tables = inference_tables(timing_inference(frame, lags=[0], event_position=2))
    >>> "p_value" in tables["model"].columns, tables["checks"]["Check"].tolist()[1:]
    (False, ["Dean's test statistic", 'Permutation: correlation', 'Placebo dates: rank of the event'])
    >>> tables["forecasts"]["Forecast"].tolist()
    ['last value', 'historical mean', 'model (quasi-Poisson mean)']
    """
    shown = timing["p_values_shown"]
    fit = timing["quasi_poisson"]
    tables = {}
    if not isinstance(fit, str):
        model = fit.summary_frame(rate_ratios=True)
        if not shown:
            model = model.drop(columns="p_value")
        tables["model"] = model.rename(columns={"term": "Term", "estimate": "Rate ratio",
                                                "ci_lower": "95 % CI low", "ci_upper": "95 % CI high",
                                                "p_value": "p-value"})
    checks = []

    def check(name, value, p_value=np.nan, periods=np.nan, note=""):
        checks.append({"Check": name, "Value": value, "p-value": p_value if shown else np.nan,
                       "Periods": periods, "Note": note})

    over = timing["overdispersion"]
    if isinstance(over, dict):
        check("Overdispersion (Pearson chi2 / df)", over["pearson_dispersion"], periods=over["nobs"],
              note="1 if Poisson; quasi-Poisson errors grow by its square root")
        check("Dean's test statistic", over["dean_statistic"], over["dean_p_value"], over["nobs"])
    perm = timing["permutation"]
    if isinstance(perm, dict):
        check("Permutation: correlation", perm["statistic"], perm["p_value"], perm["nobs"],
              "exact (all orders)" if perm["exact"] else f"{perm['permutations']:,} random orders")
    placebo = timing["placebo"]
    if placebo is not None and placebo["event"].any():
        rank = float(placebo.loc[placebo["event"], "rank"].iloc[0])
        check("Placebo dates: rank of the event", rank, rank / len(placebo), len(placebo),
              f"rank 1 = largest jump of {len(placebo)} possible dates")
    if checks:
        tables["checks"] = pd.DataFrame(checks).astype({"Periods": "Int64"})
    names = {"last_value": "last value", "historical_mean": "historical mean",
             "model": "model (quasi-Poisson mean)"}
    forecasts = timing["rolling_origin"]
    forecasts = forecasts[forecasts["forecasts"] > 0].assign(method=lambda f: f["method"].map(names))
    if len(forecasts):
        tables["forecasts"] = forecasts.rename(columns={
            "method": "Forecast", "mae": "Mean absolute error (out of sample)", "forecasts": "Forecasts"})
    return tables


def inference_not_run(timing: dict) -> str:
    """One sentence on what :func:`timing_inference` could not compute and why (empty if none).

    Examples
    --------
    >>> frame = pd.DataFrame({"deaths": [0.0, np.nan, 9], "arrivals": [1.0, 2, np.nan]})
    >>> print(inference_not_run(timing_inference(frame, lags=[0], event_position=1)))
    Not computed: the count model and its overdispersion check (not fitted: 1 period with both series for 2 parameters); the permutation test (not computed: 1 period); the placebo dates (the event has no run of reported periods on both sides); out-of-sample forecasts (too few periods with both series to train on).
    """
    missing = []
    if isinstance(timing["quasi_poisson"], str):
        missing.append(f"the count model and its overdispersion check ({timing['quasi_poisson']})")
    if isinstance(timing["permutation"], str):
        missing.append(f"the permutation test ({timing['permutation']})")
    placebo = timing["placebo"]
    if placebo is not None and not placebo["event"].any():
        missing.append("the placebo dates (the event has no run of reported periods on both sides)")
    if not (timing["rolling_origin"]["forecasts"] > 0).any():
        missing.append("out-of-sample forecasts (too few periods with both series to train on)")
    return f"Not computed: {'; '.join(missing)}." if missing else ""


def partial_periods(periods: pd.Index, freq: str, data_end) -> list:
    """Periods of ``periods`` that the data cover only in part (they end after ``data_end``).

    Examples
    --------
    >>> years = pd.to_datetime(["2018-01-01", "2019-01-01"])
    >>> partial_periods(pd.DatetimeIndex(years), "YS", "2019-11-30")
    [Timestamp('2019-01-01 00:00:00')]
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    return [p for p in periods if p + offset - pd.Timedelta(days=1) > pd.Timestamp(data_end)]
