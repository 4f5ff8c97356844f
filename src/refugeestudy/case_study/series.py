"""Place × period series from the canonical tables, bounds kept.

:func:`violence_panel` sums event data's deaths (best, low, high) per governorate
and period; :func:`reconciled_periods` puts a reconciled curve of the report log
(:mod:`refugeestudy.case_study.reconcile`) on a period grid, a period without a report
missing. A bound that is unknown on any row of a cell (e.g. "at least 50" has no upper
bound) makes that cell's bound unknown: a sum is never smaller than it should
be because a missing value was read as zero.

By default a row is placed in the period of its start date (``date_start`` /
``period_start``), UCDP's convention: an event known only to the month counts in
the period where it begins. ``allocate="spread"`` shares a multi-day record
equally over the days it covers instead (an event dated 1 to 25 March).

Examples
--------
>>> events = schema.conform(pd.DataFrame({
...     "event_id": ["a", "b", "c"], "admin1_pcode": ["SY06", "SY06", "SY10"],
...     "date_start": pd.to_datetime(["2025-03-06", "2025-03-20", "2025-04-02"]),
...     "deaths_best": [10, 5, 7], "deaths_low": [8, 5, 7], "deaths_high": [12, None, 9]}),
...     "violence_events")
>>> panel = violence_panel(events, freq="MS")
>>> panel[["period", "admin1_pcode", "deaths_best", "deaths_high"]].to_string(index=False)
'    period admin1_pcode  deaths_best  deaths_high\\n2025-03-01         SY06           15         <NA>\\n2025-03-01         SY10            0            0\\n2025-04-01         SY06            0            0\\n2025-04-01         SY10            7            9'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from refugeestudy import schema
from refugeestudy.clean.places import GOVERNORATES
from refugeestudy.panels.dyads import build_dyad_panel  # noqa: F401  (the origin x destination panel)

__all__ = ["FREQUENCIES", "ALLOCATIONS", "violence_panel", "period_start", "period_grid",
           "spread_over_days", "lagged", "reconciled_periods"]

#: How a record that spans several days is placed in periods: all of it in the
#: period of its first day (``start``, the GED convention), or an equal share on
#: each day it covers (``spread``; a weekly count of 700 adds 100 to each day).
ALLOCATIONS = ("start", "spread")

#: Accepted period frequencies: pandas offset aliases of period starts.
FREQUENCIES = {"D": "day", "W-MON": "week (from Monday)", "MS": "month", "QS": "quarter", "YS": "year"}


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """Return the start of the period (of ``freq``) holding each date.

    Examples
    --------
    >>> period_start(pd.Series(pd.to_datetime(["2025-03-19", "2025-04-01"])), "MS").dt.strftime("%F").tolist()
    ['2025-03-01', '2025-04-01']
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"unknown frequency {freq!r}; expected one of {', '.join(FREQUENCIES)}")
    values = dates.to_numpy(dtype="datetime64[s]")
    if freq == "D":
        out = values.astype("datetime64[D]")
    elif freq == "MS":
        out = values.astype("datetime64[M]")
    elif freq == "YS":
        out = values.astype("datetime64[Y]")
    elif freq == "QS":
        months = values.astype("datetime64[M]").astype("int64")
        out = (months - months % 3).astype("datetime64[M]")
    else:  # W-MON: 1970-01-01 was a Thursday
        days = values.astype("datetime64[D]").astype("int64")
        out = (days - (days + 3) % 7).astype("datetime64[D]")
    return pd.Series(out.astype("datetime64[s]"), index=dates.index)


def period_grid(start: str | pd.Timestamp, end: str | pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Every period start from the period holding ``start`` to ``end``, in seconds.

    Examples
    --------
    >>> period_grid("2025-03-05", "2025-03-20", "W-MON").strftime("%d %b").tolist()
    ['03 Mar', '10 Mar', '17 Mar']
    """
    first = period_start(pd.Series([pd.Timestamp(start)]), freq)[0]
    return pd.date_range(first, end, freq=freq).astype("datetime64[s]")


def spread_over_days(frame: pd.DataFrame, start: str, end: str,
                     values: Sequence[str]) -> pd.DataFrame:
    """One row per day a record covers, each holding an equal share of its values.

    The result has the record's other columns, a ``day`` column and a
    ``_record`` column (the record's position), values as float64 shares;
    a missing value stays missing on every day.

    Examples
    --------
    >>> counts = pd.DataFrame({"from": pd.to_datetime(["2025-03-01", "2025-03-05"]),
    ...                        "to": pd.to_datetime(["2025-03-02", "2025-03-05"]),
    ...                        "n": pd.array([10, None], dtype="Int64")})
    >>> out = spread_over_days(counts, "from", "to", ["n"])
    >>> out["day"].dt.strftime("%d").tolist(), out["n"].tolist()
    (['01', '02', '05'], [5.0, 5.0, nan])
    """
    first = frame[start].to_numpy(dtype="datetime64[D]")
    last = frame[end].fillna(frame[start]).to_numpy(dtype="datetime64[D]")
    days = (last - first).astype("int64") + 1
    if (days < 1).any():
        raise ValueError(f"{end} before {start} on {int((days < 1).sum())} records")
    positions = np.repeat(np.arange(len(frame)), days)
    offsets = np.arange(len(positions)) - np.repeat(np.cumsum(days) - days, days)
    out = frame.iloc[positions].reset_index(drop=True)
    out["day"] = (first[positions] + offsets.astype("timedelta64[D]")).astype("datetime64[s]")
    out["_record"] = positions
    share = np.repeat(days, days).astype("float64")
    for column in values:
        out[column] = out[column].astype("float64") / share
    return out


def _sum_bounds(frame: pd.DataFrame, keys: list[str], columns: Sequence[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=True, observed=True, dropna=False)
    sums = grouped[list(columns)].sum(skipna=False)
    sums["records"] = grouped["_record"].nunique() if "_record" in frame else grouped.size()
    return sums


def _allocated(frame: pd.DataFrame, start: str, end: str, values: Sequence[str],
               allocate: str) -> tuple[pd.DataFrame, str]:
    """The frame to aggregate and the date column that places each row."""
    if allocate == "start":
        return frame, start
    if allocate == "spread":
        return spread_over_days(frame, start, end, values), "day"
    raise ValueError(f"unknown allocation {allocate!r}; expected one of {', '.join(ALLOCATIONS)}")


def _complete(sums: pd.DataFrame, keys: list[str], periods: pd.DatetimeIndex,
              places: Sequence) -> pd.DataFrame:
    grid = pd.MultiIndex.from_product([periods, list(places)], names=keys)
    return sums.reindex(grid, fill_value=0)


def _in_scope(events: pd.DataFrame, values: Sequence[str], country: str | None,
              admin1: Sequence[str] | None) -> pd.DataFrame:
    """The events of ``country`` (or of unknown country with a p-code) and of ``admin1``.

    Only the columns the panel needs are kept: filtering copies what it keeps.

    Examples
    --------
    >>> events = pd.DataFrame({"date_start": pd.NaT, "date_end": pd.NaT, "deaths_best": [1, 2, 3],
    ...                        "admin1_pcode": ["SY01", None, "SY02"], "country_iso3": ["SYR", "IRQ", None]})
    >>> _in_scope(events, ["deaths_best"], "SYR", None)["deaths_best"].tolist()
    [1, 3]
    """
    frame = events[["date_start", "date_end", "admin1_pcode", "country_iso3", *values]]
    if country is not None:
        same = (frame["country_iso3"] == country).fillna(False).astype(bool)
        placed = frame["country_iso3"].isna() & frame["admin1_pcode"].notna()
        frame = frame[same | placed]
    if admin1 is not None:
        frame = frame[frame["admin1_pcode"].isin(list(admin1))]
    return frame


def _within(frame: pd.DataFrame, when: str, start, end) -> pd.DataFrame:
    """The rows whose ``when`` falls in ``[start, end]`` (an open side when None).

    Examples
    --------
    >>> days = pd.DataFrame({"day": pd.to_datetime(["2025-03-01", "2025-03-09"])})
    >>> len(_within(days, "day", "2025-03-02", None))
    1
    """
    if start is not None:
        frame = frame[frame[when] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame[when] <= pd.Timestamp(end)]
    return frame


def _places(frame: pd.DataFrame, admin1: Sequence[str] | None) -> list:
    """The p-codes a complete panel has a row for: ``admin1``, else those seen (and missing, if seen).

    Examples
    --------
    >>> _places(pd.DataFrame({"admin1_pcode": ["SY02", None, "SY01"]}), None)
    ['SY01', 'SY02', <NA>]
    """
    if admin1 is not None:
        return list(admin1)
    places = sorted(frame["admin1_pcode"].dropna().unique())
    if frame["admin1_pcode"].isna().any():
        places.append(pd.NA)  # country-level rows keep their own row
    return places


def violence_panel(events: pd.DataFrame, *, freq: str = "MS", start: str | pd.Timestamp | None = None,
                   end: str | pd.Timestamp | None = None, admin1: Sequence[str] | None = None,
                   complete: bool = True, country: str | None = "SYR",
                   allocate: str = "start") -> pd.DataFrame:
    """Deaths per governorate and period, with low/high bounds.

    Parameters
    ----------
    events : pandas.DataFrame
        A ``violence_events`` table (one source; mixing sources double counts).
    freq : str
        One of :data:`FREQUENCIES`.
    start, end : str or Timestamp, optional
        Keep events starting within ``[start, end]`` (with ``spread``: the
        days within it).
    admin1 : sequence of str, optional
        p-codes to keep (``None`` keeps all, including missing = country level).
    complete : bool
        Fill every period × governorate cell, with 0 where nothing was recorded
        (right for event data such as GED, where no event means no recorded
        death; wrong for a log of reports, where no report means unknown).
    country : str or None
        Keep the events of this country (ISO3; default Syria, whose governorates
        the p-codes name): a global GED file's other countries would otherwise
        fall into the "no governorate" row and stretch the period range back to
        1989. An event of unknown country is kept only if it has a governorate
        p-code. ``None`` keeps every event.
    allocate : {"start", "spread"}
        See :data:`ALLOCATIONS`. With ``spread`` the sums are float shares and
        ``start``/``end`` cut a record's span (only its days inside count).

    Returns
    -------
    pandas.DataFrame
        Columns ``period, admin1_pcode, admin1, deaths_best, deaths_low,
        deaths_high, records``, sorted by period then p-code.
    """
    values = ("deaths_best", "deaths_low", "deaths_high")
    frame, when = _allocated(_in_scope(events, values, country, admin1), "date_start", "date_end",
                             values, allocate)
    frame = _within(frame, when, start, end)
    keys = ["period", "admin1_pcode"]
    frame = frame.assign(period=period_start(frame[when], freq))
    sums = _sum_bounds(frame, keys, values)
    if complete and len(frame):
        first = pd.Timestamp(start) if start is not None else frame["period"].min()
        last = pd.Timestamp(end) if end is not None else frame["period"].max()
        sums = _complete(sums, keys, period_grid(first, last, freq), _places(frame, admin1))
    out = sums.reset_index()
    out.insert(2, "admin1", out["admin1_pcode"].map(GOVERNORATES).astype("string"))
    out["records"] = out["records"].astype("int64")
    return out.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def lagged(series: pd.Series, lags: Sequence[int], name: str | None = None) -> pd.DataFrame:
    """Columns of ``series`` shifted by each lag (``lag_k`` holds the value k periods earlier).

    Examples
    --------
    >>> lagged(pd.Series([1, 2, 3], name="x"), [0, 1]).to_dict("list")
    {'x_lag0': [1.0, 2.0, 3.0], 'x_lag1': [nan, 1.0, 2.0]}
    """
    name = name or series.name or "x"
    values = series.astype("float64")
    return pd.DataFrame({f"{name}_lag{k}": values.shift(k) for k in lags}, index=series.index)




def reconciled_periods(curve: pd.DataFrame, *, freq: str, start: str | pd.Timestamp,
                       end: str | pd.Timestamp) -> pd.DataFrame:
    """One scope's reconciled curve on a complete period grid; no report is missing, never 0.

    Parameters
    ----------
    curve : pandas.DataFrame
        The rows of one scope from :func:`refugeestudy.case_study.reconcile.reconcile`
        (``date, low, best, high``).
    freq : str
        One of :data:`FREQUENCIES`.
    start, end : str or Timestamp
        First and last day of the window; figures dated after ``end`` are left out.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period``; ``reported`` (a figure is dated in the
        period); ``level_low, level_best, level_high``, the reconciled level at
        the period's last figure, or carried forward from an earlier period
        (``carried`` True; missing before the first figure); ``increment``, the
        change of ``level_best`` since the previous period with a figure (the
        level before ``start`` as baseline), **missing** in a period without a
        figure. The increments therefore add up to the level at the end minus
        the level before ``start``.

    Examples
    --------
    Synthetic: levels 100 on 4 March and 300 on 19 March, nothing in the week of 10 March.

    >>> curve = pd.DataFrame({"date": pd.to_datetime(["2025-03-04", "2025-03-19"]),
    ...                       "low": [90.0, 300.0], "best": [100.0, 300.0], "high": [110.0, 300.0]})
    >>> out = reconciled_periods(curve, freq="W-MON", start="2025-03-03", end="2025-03-23")
    >>> out[["reported", "level_best", "carried", "increment"]].values.tolist()
    [[True, 100.0, False, 100.0], [False, 100.0, True, nan], [True, 300.0, False, 200.0]]
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    curve = curve[curve["date"] <= last].sort_values("date", kind="stable")
    before = curve[curve["date"] < first]
    baseline = float(before["best"].iloc[-1]) if len(before) else 0.0
    inside = curve[curve["date"] >= first]
    placed = inside.assign(period=period_start(inside["date"], freq)).groupby("period").tail(1)
    placed = placed.set_index("period")
    out = pd.DataFrame({"period": period_grid(first, last, freq)})
    out["reported"] = out["period"].isin(placed.index)
    for bound in ("low", "best", "high"):
        level = placed[bound].reindex(out["period"]).to_numpy()
        carried = pd.Series(level).ffill()
        if len(before):
            carried = carried.fillna(float(before[bound].iloc[-1]))
        out[f"level_{bound}"] = carried.to_numpy()
    out["carried"] = ~out["reported"] & out["level_best"].notna()
    reported_levels = out["level_best"].where(out["reported"])
    previous = reported_levels.ffill().shift(1).fillna(baseline)
    out["increment"] = (reported_levels - previous).where(out["reported"])
    return out
