"""Reconcile conflicting reporters as cumulative curves, never by adding increments.

The curated log holds figures from many reporters (``figure_by``: who produced
the figure) for the same place and subject. :func:`reporter_curves` turns each
reporter's figures into that reporter's **cumulative step curve**, and
:func:`reconcile` combines the curves of one scope into one reconciled curve.

Rules (one scope = one combination of the ``by`` columns, e.g. destination
country × region × population type; Akkar and all of Lebanon, arrivals and
"fled", civilians and all deaths are different scopes and never share a curve):

1. **One statement counts once.** Figures of the same producer, scope, basis,
   period and number relayed by several outlets are one figure (the relay with
   a known upper bound is kept when the wording of the bounds differs).
2. **Parts are left out.** A figure with ``part_of`` (deaths by one
   perpetrator, a town within a district) is never added to its total.
3. **A reporter's curve.** In order of the date a figure is "as of"
   (``period_end``): a running total (basis ``cumulative``) or a stock is a
   *level* and replaces the reporter's level (of several levels as of one day,
   the highest), unless it is lower but consistent with it ("more than 1,000"
   after "1,018": its upper bound is unknown or above the level); a period count (basis
   ``period``) is an *increment* on the reporter's level as of the day before
   its period starts, and the curve takes the larger of that sum and the
   current level (a count inside a running total already reported adds
   nothing). Bounds (low, high) follow their figure's qualifier.
4. **Across reporters** (at every date where a figure of the scope is known):
   ``best`` is the highest level among the reporters' curves by that date, never
   a sum across reporters, and never below the largest running total stated
   as a floor ("at least", "more than") by then, even if its reporter later
   gives a lower exact figure. ``high`` is the largest known upper bound of any
   reporter (unknown when a reporter without an upper bound, "at least", states
   more). ``low`` is the smallest lower bound among the latest levels of the
   reporters who state a running total, whatever their age: the disagreement
   band between producers. A latest figure more than ``fresh_days`` old is kept
   in the band and marked **stale** with its age (column ``stale``), never
   dropped. So when producers disagree (1,334 against 1,676), ``low < high``.
   A reporter that only counts single periods (one flight, one incident) raises
   ``best`` when it exceeds the others, but does not lower ``low``: its curve is
   not a count since the start.

Increments per period are differences of the reconciled curve
(:func:`refugeestudy.case_study.series.reconciled_periods`), so they always add up to the
reconciled total.

Examples
--------
Synthetic figures (not from any source): reporter A says 100 by 5 March and 300
by 20 March; reporter B counts 150 in the week to 12 March.

>>> figures = pd.DataFrame({
...     "figure_id": ["s1", "s2", "s3"], "scope": ["X"] * 3, "figure_by": ["A", "A", "B"],
...     "basis": ["cumulative", "cumulative", "period"],
...     "period_start": pd.to_datetime(["2025-03-01", "2025-03-01", "2025-03-06"]),
...     "period_end": pd.to_datetime(["2025-03-05", "2025-03-20", "2025-03-12"]),
...     "low": [100, 300, 150], "best": [100, 300, 150], "high": [100, 300, 150]})
>>> out = reconcile(figures, by=["scope"])
>>> out["best"].tolist(), out["top_reporter"].tolist()
([100.0, 150.0, 300.0], ['A', 'B', 'A'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from refugeestudy.errors import RefugeestudyError

__all__ = ["DISPLACEMENT_SCOPE", "DEATHS_SCOPE", "FRESH_DAYS", "ReconcileError", "prepare_figures",
           "reporter_curves", "reconcile", "curves_and_reconciled"]

#: Columns that make a scope for counts of people: a curve never mixes two of these.
DISPLACEMENT_SCOPE = ("destination_country_iso3", "destination_admin1", "population_type")
#: Columns that make a scope for death tolls (governorate p-code; empty = not split by governorate).
DEATHS_SCOPE = ("origin_admin1_pcode", "subject")
#: Default age (days) beyond which a reporter's latest figure in the band is marked stale.
FRESH_DAYS = 7

_LEVEL_BASES = ("cumulative", "stock")
_BOUNDS = ("low", "best", "high")
_REQUIRED = ("figure_id", "figure_by", "basis", "period_start", "period_end", *_BOUNDS)


class ReconcileError(RefugeestudyError, ValueError):
    """The figures cannot be reconciled as given (a missing column, an unknown basis)."""


def prepare_figures(figures: pd.DataFrame, *, by: Sequence[str], reporter: str = "figure_by",
                    since: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Figures ready to become curves: duplicates of one statement and parts removed.

    Parameters
    ----------
    figures : pandas.DataFrame
        The log as read (:attr:`refugeestudy.ReportLog.figures`) or any frame with
        ``figure_id, basis, period_start, period_end, low, best, high``, the
        ``reporter`` column and the ``by`` columns; ``part_of`` is optional.
    by : sequence of str
        Columns naming a scope.
    reporter : str
        Column naming who produced each figure.
    since : str or Timestamp, optional
        Keep only figures counted from this date on (``period_start >= since``):
        a toll counted since 8 December is not a point on a curve counted since
        6 March.

    Returns
    -------
    pandas.DataFrame
        The kept rows, sorted by scope, reporter and date, with bounds as float
        (missing bound = NaN). Figures without a named producer (empty
        ``reporter``, the log's ``attribution`` says why) are left out.

    Examples
    --------
    Two outlets relay one statement (synthetic):

    >>> figures = pd.DataFrame({"figure_id": ["a", "b"], "scope": ["X", "X"],
    ...     "figure_by": ["A", "A"], "basis": ["period", "period"],
    ...     "period_start": pd.to_datetime(["2025-03-01"] * 2),
    ...     "period_end": pd.to_datetime(["2025-03-02"] * 2),
    ...     "low": [5, 5], "best": [5, 5], "high": [5, 5]})
    >>> prepare_figures(figures, by=["scope"])["figure_id"].tolist()
    ['a']
    """
    missing = [c for c in (*_REQUIRED, reporter, *by) if c not in figures.columns]
    if missing:
        raise ReconcileError(f"figures lack the column(s) {', '.join(dict.fromkeys(missing))}",
                             hint="pass the log's figures (refugeestudy.load_reports().figures)")
    frame = figures[figures["best"].notna()]
    unknown = sorted(set(frame["basis"].dropna()) - {*_LEVEL_BASES, "period"})
    if unknown or frame["basis"].isna().any():
        raise ReconcileError(f"unknown basis {unknown or [None]}; expected cumulative, stock or period")
    if "part_of" in frame.columns:
        frame = frame[frame["part_of"].isna()]
    frame = frame[frame[reporter].notna()]  # a figure no producer is named for is no curve
    if since is not None:
        frame = frame[frame["period_start"] >= pd.Timestamp(since)]
    frame = frame.assign(**{b: frame[b].astype("Float64").astype("float64") for b in _BOUNDS})
    # One statement (producer, scope, period, number), however each relay words its bounds:
    # the relay with a known upper bound (the tighter one) is kept.
    statement = [reporter, *by, "basis", "period_start", "period_end", "best"]
    frame = frame.assign(_open=frame["high"].isna())
    frame = frame.sort_values([*by, reporter, "period_end", "_open", "figure_id"], kind="stable",
                              na_position="first")
    frame = frame.drop_duplicates(statement, keep="first").drop(columns="_open")
    return frame.reset_index(drop=True)


def _one_curve(rows: pd.DataFrame) -> list[dict]:
    """The step curve of one reporter in one scope (rows sorted by date)."""
    points: list[dict] = []  # one per date, the level after every figure of that date
    # On one date, increments first, then levels (a level states the whole total).
    order = rows.assign(_level=rows["basis"].isin(_LEVEL_BASES))
    order = order.sort_values(["period_end", "_level", "figure_id"], kind="stable")
    for row in order[["period_start", "period_end", "_level", "figure_id", *_BOUNDS]].to_dict("records"):
        date = row["period_end"]
        stated = np.array([row[b] for b in _BOUNDS], dtype="float64")
        same_day_level = bool(points) and points[-1]["date"] == date and points[-1]["step"] == "level"
        if row["_level"]:
            new = stated
            if same_day_level and points[-1]["best"] > new[1]:
                continue  # several relays of one day's running total: the highest stands
            consistent = np.isnan(new[2]) or new[2] >= points[-1]["best"] if points else False
            if points and points[-1]["best"] > new[1] and consistent:
                # "more than 1,000" after "1,018" does not lower the curve (a report, no change);
                # only a lower figure whose upper bound is below the level is a revision down
                new = np.array([points[-1][b] for b in _BOUNDS])
        else:
            before = [p for p in points if p["date"] < row["period_start"]]
            base = np.array([before[-1][b] for b in _BOUNDS]) if before else np.zeros(3)
            new = base + stated
            current = [p for p in points if p["date"] <= date]
            if current and current[-1]["best"] >= new[1]:
                new = np.array([current[-1][b] for b in _BOUNDS])
        point = {"date": date, **dict(zip(_BOUNDS, new)), "figure_id": row["figure_id"],
                 "step": "level" if row["_level"] else "increment"}
        if points and points[-1]["date"] == date:
            points[-1] = point
        else:
            points.append(point)
    return points


def reporter_curves(figures: pd.DataFrame, *, by: Sequence[str], reporter: str = "figure_by",
                    since: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Each reporter's cumulative step curve, one row per date it gives a figure.

    Parameters
    ----------
    figures, by, reporter, since
        As in :func:`prepare_figures`.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, reporter, date, low, best, high, figure_id, step``
        (``step`` is ``level`` or ``increment``: what the figure on that date was).

    Examples
    --------
    Synthetic: a running total of 100 on 5 March, then a day count of 20 on 6 March.

    >>> figures = pd.DataFrame({"figure_id": ["a", "b"], "scope": ["X", "X"],
    ...     "figure_by": ["A", "A"], "basis": ["cumulative", "period"],
    ...     "period_start": pd.to_datetime(["2025-03-01", "2025-03-06"]),
    ...     "period_end": pd.to_datetime(["2025-03-05", "2025-03-06"]),
    ...     "low": [100, 20], "best": [100, 20], "high": [100, 20]})
    >>> reporter_curves(figures, by=["scope"])["best"].tolist()
    [100.0, 120.0]
    """
    return _curves(prepare_figures(figures, by=by, reporter=reporter, since=since), by, reporter)


def _curves(frame: pd.DataFrame, by: Sequence[str], reporter: str) -> pd.DataFrame:
    """:func:`reporter_curves` of figures already prepared (:func:`prepare_figures`)."""
    rows = []
    for key, group in frame.groupby([*by, reporter], sort=True, dropna=False):
        for point in _one_curve(group):
            rows.append({**dict(zip([*by, reporter], key)), **point})
    columns = [*by, reporter, "date", *_BOUNDS, "figure_id", "step"]
    out = pd.DataFrame(rows, columns=columns)
    out["date"] = out["date"].astype("datetime64[s]")
    return out


def _high(best: np.ndarray, high: np.ndarray) -> float:
    """Largest known upper bound; unknown when an unbounded reporter states more."""
    known = high[~np.isnan(high)]
    unbounded = best[np.isnan(high)]
    top = known.max() if len(known) else np.nan
    if len(unbounded) and (np.isnan(top) or unbounded.max() > top):
        return np.nan
    return float(top)


def _plain_key(key) -> tuple:
    """A group key as a tuple with missing values as None (NaN never equals itself)."""
    key = key if isinstance(key, tuple) else (key,)
    return tuple(None if pd.isna(k) else k for k in key)


def _floors(frame: pd.DataFrame, by: Sequence[str]) -> dict[tuple, pd.Series]:
    """Per scope, the lower bounds of running totals stated as floors, by date."""
    if "qualifier" not in frame.columns:
        return {}
    floors = frame[frame["qualifier"].isin(["at_least", "more_than"])
                   & (frame["basis"] == "cumulative")]
    out = {}
    for key, group in floors.groupby(list(by), sort=True, dropna=False):
        out[_plain_key(key)] = pd.Series(group["low"].to_numpy(), index=group["period_end"].to_numpy())
    return out


def _band(latest: dict, levels: set, top: str, date, fresh_days: int) -> tuple[float, str]:
    """The band's lower end and its stale members (``"B (10 days)"``) at ``date``.

    ``latest`` maps each reporter to its latest point by ``date``; ``levels`` holds
    the reporters that have stated a running total by then (the top reporter
    always counts).
    """
    band = {who: point for who, point in latest.items() if who in levels or who == top}
    lows = [point["low"] for point in band.values()]
    ages = {who: (pd.Timestamp(date) - pd.Timestamp(point["date"])).days for who, point in band.items()}
    stale = "; ".join(f"{who} ({days} days)" for who, days in sorted(ages.items()) if days > fresh_days)
    return (float(min(lows)) if not np.isnan(lows).any() else np.nan), stale


def _combine(scope: pd.DataFrame, floor: pd.Series, reporter: str, fresh_days: int) -> list[dict]:
    """The reconciled points of one scope's curves (sorted by reporter and date)."""
    points = scope.sort_values(["date", reporter], kind="stable").to_dict("records")
    latest: dict = {}
    levels: set = set()
    out = []
    for index, point in enumerate(points):
        latest[point[reporter]] = point
        levels.update([point[reporter]] if point["step"] == "level" else [])
        if index + 1 < len(points) and points[index + 1]["date"] == point["date"]:
            continue  # every reporter's point of this date first
        date = point["date"]
        names = sorted(latest)
        best = np.array([latest[n]["best"] for n in names])
        highs = np.array([latest[n]["high"] for n in names])
        top = names[int(np.argmax(best))]
        stated_floor = floor[floor.index <= date]
        if len(stated_floor) and stated_floor.max() > best.max():  # a stated floor, unbounded above
            best, highs = np.append(best, stated_floor.max()), np.append(highs, np.nan)
        low, stale = _band(latest, levels, top, date, fresh_days)
        out.append({"date": pd.Timestamp(date), "low": low, "best": float(best.max()),
                    "high": _high(best, highs), "reporters": len(names), "top_reporter": top,
                    "stale": stale, "figure_ids": ", ".join(
                        p["figure_id"] for p in sorted(points, key=lambda p: p[reporter])
                        if p["date"] == date)})
    return out


def reconcile(figures: pd.DataFrame, *, by: Sequence[str], reporter: str = "figure_by",
              since: str | pd.Timestamp | None = None, fresh_days: int = FRESH_DAYS
              ) -> pd.DataFrame:
    """Combine the reporters of each scope into one reconciled cumulative curve.

    The rule is the module's (see :mod:`refugeestudy.case_study.reconcile`): at each date,
    ``best`` is the highest level any reporter's curve has reached by then;
    ``high`` the largest upper bound stated; ``low`` the smallest lower bound
    among the latest levels of every reporter, whatever their age; ``stale``
    names the reporters in the band whose latest figure is more than
    ``fresh_days`` old, with its age.

    Parameters
    ----------
    figures : pandas.DataFrame
        The log's figures (see :func:`prepare_figures`).
    by : sequence of str
        Columns naming a scope, e.g. :data:`DISPLACEMENT_SCOPE` or :data:`DEATHS_SCOPE`.
    reporter : str
        Column naming who produced each figure.
    since : str or Timestamp, optional
        Keep only figures counted from this date on.
    fresh_days : int
        Age in days after which a reporter's latest figure is marked stale.

    Returns
    -------
    pandas.DataFrame
        One row per scope and date with a figure: ``*by, date, low, best, high,
        reporters`` (reporters with a figure by then), ``top_reporter`` (whose
        curve gives ``best``), ``stale`` (``"B (10 days); C (12 days)"``, empty
        when none) and ``figure_ids`` (the figures dated that day).

    Examples
    --------
    Synthetic: A says "about 100" (90-110) on 2 April and B exactly 80 on 12 April.

    >>> figures = pd.DataFrame({"figure_id": ["a", "b"], "scope": ["X", "X"],
    ...     "figure_by": ["A", "B"], "basis": ["cumulative", "cumulative"],
    ...     "period_start": pd.to_datetime(["2025-02-01"] * 2),
    ...     "period_end": pd.to_datetime(["2025-04-02", "2025-04-12"]),
    ...     "low": [90, 80], "best": [100, 80], "high": [110, 80]})
    >>> reconcile(figures, by=["scope"])[["best", "low", "high", "stale"]].values.tolist()
    [[100.0, 90.0, 110.0, ''], [100.0, 80.0, 110.0, 'A (10 days)']]
    """
    return curves_and_reconciled(figures, by=by, reporter=reporter, since=since, fresh_days=fresh_days)[1]


def curves_and_reconciled(figures: pd.DataFrame, *, by: Sequence[str], reporter: str = "figure_by",
                          since: str | pd.Timestamp | None = None, fresh_days: int = FRESH_DAYS
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`reporter_curves` and :func:`reconcile` of the same figures, prepared once.

    Examples
    --------
    >>> figures = pd.DataFrame({"figure_id": ["a"], "scope": ["X"], "figure_by": ["A"],
    ...     "basis": ["cumulative"], "period_start": pd.to_datetime(["2025-03-01"]),
    ...     "period_end": pd.to_datetime(["2025-03-05"]), "low": [9], "best": [10], "high": [11]})
    >>> curves, reconciled = curves_and_reconciled(figures, by=["scope"])
    >>> curves["best"].tolist(), reconciled["low"].tolist()
    ([10.0], [9.0])
    """
    by = [by] if isinstance(by, str) else list(by)  # one column name, never its characters
    prepared = prepare_figures(figures, by=by, reporter=reporter, since=since)
    curves = _curves(prepared, by, reporter)
    floors = _floors(prepared, by)
    empty = pd.Series([], index=pd.DatetimeIndex([]), dtype="float64")
    rows = []
    for key, scope in curves.groupby(list(by), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for point in _combine(scope, floors.get(_plain_key(key), empty), reporter, fresh_days):
            rows.append({**dict(zip(by, key)), **point})
    columns = [*by, "date", *_BOUNDS, "reporters", "top_reporter", "stale", "figure_ids"]
    out = pd.DataFrame(rows, columns=columns)
    out["date"] = out["date"].astype("datetime64[s]")
    return curves, out
