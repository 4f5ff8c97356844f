"""Counts as sources state them → bounds; cumulative tolls → increments.

A report says "at least 50", "approximately 150" or "between 2,300 and 2,400".
:func:`qualifier_bounds` turns the stated number and its qualifier into
``(low, best, high)`` by one documented rule, and :func:`cumulative_to_increments`
turns a reporter's running totals into the number added since its previous
report, flagging (never clipping) a total that went down.

Rules for the bounds (``n`` the stated number, ``m`` the upper number of a range):

============== ========================= ======== =========================
qualifier      low                       best     high
============== ========================= ======== =========================
exact          n                         n        n
approximately  floor(n × (1 − tol))      n        ceil(n × (1 + tol))
at_least       n                         n        missing (unbounded)
more_than      n + 1                     n + 1    missing (unbounded)
up_to          missing                   n        n
between        n                         (n+m)//2 m
============== ========================= ======== =========================

``tol`` is :data:`APPROXIMATE_TOLERANCE` (10 %) unless given.

Examples
--------
>>> qualifier_bounds(150, "approximately")
(135, 150, 165)
>>> qualifier_bounds(50, "at_least")
(50, 50, None)
>>> qualifier_bounds(2300, "between", 2400)
(2300, 2350, 2400)
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

__all__ = ["APPROXIMATE_TOLERANCE", "qualifier_bounds", "bounds_frame", "cumulative_to_increments"]

#: Relative tolerance read into "approximately", "about", "some", "nearly".
APPROXIMATE_TOLERANCE = 0.10


def qualifier_bounds(
    count: int,
    qualifier: str,
    count_high: int | None = None,
    tolerance: float = APPROXIMATE_TOLERANCE,
) -> tuple[int | None, int, int | None]:
    """Return ``(low, best, high)`` for a stated count and its qualifier.

    Parameters
    ----------
    count : int
        The number as stated (the lower number of a range).
    qualifier : str
        One of :data:`refugeestudy.schema.QUALIFIERS`.
    count_high : int, optional
        The upper number, required for ``"between"`` and refused otherwise.
    tolerance : float
        Relative tolerance for ``"approximately"``.

    Returns
    -------
    tuple
        ``(low, best, high)``; ``None`` marks an unknown bound.

    Raises
    ------
    ValueError
        Unknown qualifier, or ``count_high`` missing / misplaced / below ``count``.

    Examples
    --------
    >>> qualifier_bounds(1500, "more_than")
    (1501, 1501, None)
    >>> qualifier_bounds(8000, "up_to")
    (None, 8000, 8000)
    >>> qualifier_bounds(100, "approximately")
    (90, 100, 110)
    """
    if qualifier == "between":
        if count_high is None:
            raise ValueError("qualifier 'between' needs count_high (the upper number)")
        if count_high < count:
            raise ValueError(f"count_high {count_high} is below count {count}")
        return count, (count + count_high) // 2, count_high
    if count_high is not None:
        raise ValueError(f"count_high is only allowed with qualifier 'between', not {qualifier!r}")
    if qualifier == "exact":
        return count, count, count
    if qualifier == "approximately":
        share = Fraction(str(tolerance))  # exact: 100 × 1.1 must be 110, not 110.00000000000001
        return math.floor(count * (1 - share)), count, math.ceil(count * (1 + share))
    if qualifier == "at_least":
        return count, count, None
    if qualifier == "more_than":
        return count + 1, count + 1, None
    if qualifier == "up_to":
        return None, count, count
    raise ValueError(f"unknown qualifier {qualifier!r}")


def bounds_frame(
    counts: pd.Series,
    qualifiers: pd.Series,
    counts_high: pd.Series,
    tolerance: float = APPROXIMATE_TOLERANCE,
) -> pd.DataFrame:
    """Apply :func:`qualifier_bounds` to aligned columns; returns ``low, best, high``.

    Examples
    --------
    >>> out = bounds_frame(pd.Series([150, 50]), pd.Series(["approximately", "at_least"]),
    ...                    pd.Series([None, None]))
    >>> out.to_dict("list")
    {'low': [135, 50], 'best': [150, 50], 'high': [165, None]}
    """
    rows = [
        qualifier_bounds(int(n), q, None if pd.isna(h) else int(h), tolerance)
        for n, q, h in zip(counts, qualifiers, counts_high)
    ]
    low, best, high = zip(*rows) if rows else ((), (), ())
    return pd.DataFrame(
        {
            "low": pd.array(low, dtype="Int64"),
            "best": pd.array(best, dtype="Int64"),
            "high": pd.array(high, dtype="Int64"),
        },
        index=counts.index,
    )


def cumulative_to_increments(
    frame: pd.DataFrame,
    *,
    by: list[str],
    date: str,
    values: tuple[str, ...] = ("low", "best", "high"),
    start: str | None = None,
) -> pd.DataFrame:
    """Turn running totals into increments per series; flag totals that fall.

    Within each group of ``by`` (e.g. reporter × governorate × subject), rows
    are ordered by ``date``; each value becomes itself minus the previous row's
    value of the same column (the first row keeps its total). Summing a
    series' increments up to a date therefore gives back exactly the bounds
    reported on that date. A negative ``best`` increment is a downward
    revision: kept as is, and flagged in ``revised_down``. When ``start`` is
    given, each row's start becomes the day after the previous report in its
    group (or its own date, for a restatement on the same date), so the
    increments tile time without overlap.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per reported running total.
    by : list of str
        Columns that identify one running series.
    date : str
        Column of the date the total is "as of".
    values : tuple of str
        Columns holding totals (nullable integers). A missing value stays
        missing and makes the next increment of that column missing too
        (the change from an unknown bound is unknown).
    start : str, optional
        Column of period starts to rewrite.

    Returns
    -------
    pandas.DataFrame
        A copy, same index and order, with increments and ``revised_down``.

    Examples
    --------
    >>> toll = pd.DataFrame({"who": ["A", "A", "A"], "as_of": pd.to_datetime(
    ...     ["2025-03-07", "2025-03-08", "2025-03-09"]), "best": pd.array([100, 250, 240], "Int64")})
    >>> out = cumulative_to_increments(toll, by=["who"], date="as_of", values=("best",))
    >>> out["best"].tolist(), out["revised_down"].tolist()
    ([100, 150, -10], [False, False, True])
    """
    ordered = frame.sort_values([*by, date], kind="stable")
    groups = ordered.groupby(by, sort=False, dropna=False)
    first = groups.cumcount() == 0
    out = ordered.copy()
    for column in values:
        change = ordered[column] - groups[column].shift(1)
        out[column] = ordered[column].where(first, change)
    best = "best" if "best" in values else values[0]
    out["revised_down"] = (out[best] < 0).fillna(False).astype("boolean")
    if start is not None:
        day_after = groups[date].shift(1) + pd.Timedelta(days=1)
        # A restatement on the same "as of" date covers just that date.
        day_after = day_after.where(day_after <= ordered[date], ordered[date])
        out[start] = ordered[start].where(first, day_after)
    return out.loc[frame.index]
