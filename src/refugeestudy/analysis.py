"""Origin violence and destination arrivals on one time axis, and the models linking them.

:func:`deaths_series` and :func:`arrivals_series` reduce the canonical tables to one
series each (best, low, high per period); :func:`align` puts them on a common,
complete period index; :func:`lag_sensitivity` fits the count model of arrivals on
lagged deaths once per bound (low, best, high), so a reader sees how much an
estimate moves with the reported figure used.

Examples
--------
>>> from refugeestudy import schema
>>> events = schema.conform(pd.DataFrame({"event_id": ["a", "b"], "admin1_pcode": ["SY06", "SY06"],
...     "date_start": pd.to_datetime(["2025-03-06", "2025-04-02"]), "deaths_best": [10, 5],
...     "deaths_low": [8, 5], "deaths_high": [12, 6]}), "violence_events")
>>> deaths_series(events, admin1=["SY06"], freq="MS")["best"].tolist()
[10, 5]
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from refugeestudy.models import ModelResult, fit_count_model
from refugeestudy.panel import displacement_panel, lagged, violence_panel

__all__ = ["select_tolls", "deaths_series", "arrivals_series", "align", "lag_sensitivity", "what_the_sample_supports"]

_BOUNDS = ("best", "low", "high")


def select_tolls(events: pd.DataFrame, *, reporter: str | None = None,
                 subject: str | None = None, running_only: bool = False) -> pd.DataFrame:
    """Keep one producer's tolls of one kind, so that no death is counted twice.

    In the curated log several monitors report the same deaths, a producer
    reports civilians and totals, and daily counts overlap running totals:
    adding all rows double counts. Keep one ``reporter`` (``figure_by``), one
    ``subject`` (held in ``violence_type``: total, civilians, ...) and, with
    ``running_only``, only increments derived from running totals.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> tolls = select_tolls(load_reports().violence, reporter="Syrian Observatory for Human Rights",
    ...                      subject="civilians", running_only=True)
    >>> set(tolls["deaths_basis"]), set(tolls["violence_type"])
    ({'increment'}, {'civilians'})
    """
    keep = pd.Series(True, index=events.index)
    if reporter is not None:
        keep &= events["reporter"] == reporter
    if subject is not None:
        keep &= events["violence_type"] == subject
    if running_only:
        keep &= events["deaths_basis"] == "increment"
    return events[keep.fillna(False).astype(bool)]


def deaths_series(events: pd.DataFrame, *, admin1: Sequence[str], freq: str,
                  start=None, end=None, allocate: str = "start") -> pd.DataFrame:
    """Deaths summed over ``admin1`` governorates per period: columns best, low, high.

    ``allocate`` places multi-day records (:data:`refugeestudy.panel.ALLOCATIONS`).
    """
    panel = violence_panel(events, freq=freq, start=start, end=end, admin1=admin1, complete=False,
                           allocate=allocate)
    sums = panel.groupby("period")[["deaths_best", "deaths_low", "deaths_high"]].sum(skipna=False)
    return sums.rename(columns=lambda c: c.removeprefix("deaths_"))


def arrivals_series(counts: pd.DataFrame, *, destination_country: str,
                    destination_admin1: str | None = None,
                    population_types: Sequence[str] = ("arrivals",), freq: str,
                    start=None, end=None, combine: str = "max",
                    allocate: str = "start") -> pd.DataFrame:
    """People arriving at a destination per period: columns best, low, high.

    Parameters
    ----------
    combine : {"max", "sum"}
        How to combine several reporters' figures for one period: ``"max"``
        keeps the reporter with the largest best count, with its own bounds
        (several outlets restating one count must not be added); ``"sum"`` adds them (for a single-reporter source such as
        UNHCR, where rows are distinct people).
    allocate : {"start", "spread"}
        How multi-day counts are placed (:data:`refugeestudy.panel.ALLOCATIONS`).

    Examples
    --------
    >>> from refugeestudy import schema
    >>> counts = schema.conform(pd.DataFrame({"record_id": ["a", "b"], "reporter": ["X", "Y"],
    ...     "destination_country_iso3": ["RUS", "RUS"], "destination_admin1": ["RU-PER"] * 2,
    ...     "population_type": ["arrivals"] * 2, "period_start": pd.to_datetime(["2025-04-06"] * 2),
    ...     "count_best": [50, 52], "count_low": [45, 52], "count_high": [55, 52]}), "displacement_counts")
    >>> arrivals_series(counts, destination_country="RUS", freq="MS")["best"].tolist()
    [52]
    """
    rows = counts[counts["destination_country_iso3"] == destination_country]
    if destination_admin1 is not None:
        rows = rows[rows["destination_admin1"] == destination_admin1]
    panel = displacement_panel(rows, freq=freq, by=("reporter",), population_types=population_types,
                               start=start, end=end, allocate=allocate)
    columns = ["count_best", "count_low", "count_high"]
    if combine == "max":
        # The reporter with the largest best count stands for the period, with its own bounds.
        ranked = panel.sort_values(["period", "count_best"], ascending=[True, False], kind="stable")
        sums = ranked.groupby("period").head(1).set_index("period")[columns]
    elif combine == "sum":
        sums = panel.groupby("period")[columns].sum(skipna=False)
    else:
        raise ValueError(f"unknown combine rule {combine!r}; expected max or sum")
    return sums.rename(columns=lambda c: c.removeprefix("count_"))


def align(deaths: pd.DataFrame, arrivals: pd.DataFrame, *, freq: str, start=None,
          end=None) -> pd.DataFrame:
    """Both series on one complete period index; a period with no record counts 0.

    Columns ``deaths_best, deaths_low, deaths_high, arrivals_best, arrivals_low,
    arrivals_high``. Reading "no record" as zero is right for event data and a
    strong assumption for a log of reports: the notebook says which applies.
    """
    first = [s.index.min() for s in (deaths, arrivals) if len(s)]
    last = [s.index.max() for s in (deaths, arrivals) if len(s)]
    if not first:
        return pd.DataFrame(columns=[f"{a}_{b}" for a in ("deaths", "arrivals") for b in _BOUNDS])
    begin = pd.Timestamp(start) if start is not None else min(first)
    finish = pd.Timestamp(end) if end is not None else max(last)
    from refugeestudy.panel import period_start

    index = pd.date_range(period_start(pd.Series([begin]), freq)[0], finish, freq=freq)
    index = index.astype("datetime64[s]")
    joined = pd.concat([deaths.add_prefix("deaths_"), arrivals.add_prefix("arrivals_")], axis=1)
    joined = joined.reindex(index)
    for bound in _BOUNDS:
        joined[f"deaths_{bound}"] = joined[f"deaths_{bound}"].fillna(0) if bound == "best" \
            else joined[f"deaths_{bound}"]
        joined[f"arrivals_{bound}"] = joined[f"arrivals_{bound}"].fillna(0) if bound == "best" \
            else joined[f"arrivals_{bound}"]
    joined.index.name = "period"
    return joined


def lag_sensitivity(aligned: pd.DataFrame, *, lags: Sequence[int], family: str
                    ) -> dict[str, ModelResult | str]:
    """Fit arrivals on lagged deaths once per bound (low, best, high of both series).

    A bound that is unknown in some period (e.g. "at least" has no high) is
    filled with best there, and the result notes it. A fit that fails says why
    instead of stopping the report.
    """
    fits: dict[str, ModelResult | str] = {}
    for bound in _BOUNDS:
        y = aligned[f"arrivals_{bound}"].fillna(aligned["arrivals_best"]).astype("float64")
        x = aligned[f"deaths_{bound}"].fillna(aligned["deaths_best"]).astype("float64")
        X = lagged(x.rename("deaths"), lags)
        try:
            fits[bound] = fit_count_model(y, X, family=family)
        except Exception as exc:  # singular design, too few rows, ...
            fits[bound] = f"not estimable: {type(exc).__name__}: {exc}"
    return fits


def what_the_sample_supports(periods: int, parameters: int) -> str:
    """A plain sentence on what ``periods`` observations can support with ``parameters`` terms.

    Examples
    --------
    >>> what_the_sample_supports(4, 3)
    'With 4 periods and 3 parameters the model is descriptive only: there are too few degrees of freedom for inference, so no estimate here should be read as an effect.'
    """
    spare = periods - parameters
    if spare < 10:
        return (f"With {periods} periods and {parameters} parameters the model is descriptive "
                "only: there are too few degrees of freedom for inference, so no estimate here "
                "should be read as an effect.")
    if periods < 50:
        return (f"With {periods} periods the estimates are rough: robust standard errors are "
                "unreliable in samples this small, and serial correlation is not modelled.")
    return (f"With {periods} periods the estimates are usable for association, not causation; "
            "serial correlation and omitted drivers (border policy, transport) remain.")
