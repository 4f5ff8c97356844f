"""Counts as sources state them → bounds; cumulative tolls → increments.

A report says "at least 50", "approximately 150" or "between 2,300 and 2,400".
:func:`qualifier_bounds` turns the stated number and its qualifier into
``(low, best, high)`` by one documented rule, and :func:`cumulative_to_increments`
turns a reporter's running totals into the number added since its previous
report, flagging (never clipping) a real downward revision: a later total that
contradicts the earlier one, not a rounded or late relay of it.

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

Rule for the increments: within each group of ``by`` (e.g. producer × governorate ×
subject), rows are ordered by ``date`` and walked as one cumulative step curve. The
curve's *level* is the latest figure that is at least as high as the level before it,
or that revises it downward (:func:`is_downward_revision`); a lower figure compatible
with the level (a rounded or late relay) leaves the level where it is. Totals stated as
of the same day are walked lowest first, so the day's highest stands. Each row's values
become the change of the level it leaves (the first row keeps its total), so summing a
series' increments up to a row gives the curve's level there. A real downward revision
is kept as a negative increment and flagged in ``revised_down``. When ``start`` is
given, each row's start becomes the day after the previous report in its group (or its
own date, for a restatement on the same date), so the increments tile time without
overlap.

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

__all__ = ["APPROXIMATE_TOLERANCE", "qualifier_bounds", "bounds_frame", "cumulative_to_increments",
           "is_downward_revision"]

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


def is_downward_revision(previous: tuple, current: tuple) -> bool:
    """Whether ``current`` contradicts ``previous`` downward: a real revision.

    Both are ``(low, best, high)`` bounds of one producer's running total for
    one subject and scope, ``current`` reported as of a later (or the same)
    date. A running total cannot fall, so a later figure is a downward revision
    only when it cannot be true if the earlier one was: its upper bound is
    below the earlier lower bound. A lower but compatible figure is not one:
    "over 1,000" after "1,018" (a rounded relay), "1,454" after "nearly 1,500".

    Examples
    --------
    >>> is_downward_revision((1018, 1018, 1018), (1001, 1001, None))  # "over 1,000"
    False
    >>> is_downward_revision((1350, 1500, 1650), (1454, 1454, 1454))  # "nearly 1,500"
    False
    >>> is_downward_revision((250, 250, None), (240, 240, 240))
    True
    """
    earlier_low, current_high = previous[0], current[2]
    if earlier_low is None or current_high is None or pd.isna(earlier_low) or pd.isna(current_high):
        return False
    return bool(current_high < earlier_low)


def cumulative_to_increments(frame: pd.DataFrame, *, by: list[str], date: str,
                             values: tuple[str, ...] = ("low", "best", "high"),
                             start: str | None = None) -> pd.DataFrame:
    """Turn running totals into increments of each series' level; flag real revisions.

    The module docstring gives the rule (the level of a series, what counts as
    a downward revision, how ``start`` is rewritten).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per reported running total.
    by : list of str
        Columns that identify one running series (same producer, subject, scope).
    date : str
        Column of the date the total is "as of".
    values : tuple of str
        Columns holding ``low, best, high`` totals (nullable integers), in that
        order when all three are given. A missing value stays missing and makes
        the next change of that column missing too (the change from an unknown
        bound is unknown).
    start : str, optional
        Column of period starts to rewrite.

    Returns
    -------
    pandas.DataFrame
        A copy, same index and order, with increments and ``revised_down``.

    Examples
    --------
    >>> toll = pd.DataFrame({"who": ["A", "A", "A", "A"], "as_of": pd.to_datetime(
    ...     ["2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"]),
    ...     "low": pd.array([100, 250, 201, 240], "Int64"),
    ...     "best": pd.array([100, 250, 201, 240], "Int64"),
    ...     "high": pd.array([100, 250, None, 240], "Int64")})
    >>> out = cumulative_to_increments(toll, by=["who"], date="as_of")
    >>> out["best"].tolist(), out["revised_down"].tolist()
    ([100, 150, 0, -10], [False, False, False, True])

    "Over 200" on 9 March is compatible with 250 and leaves the level at 250;
    exactly 240 on 10 March contradicts it: a downward revision of 10.
    """
    bounds = _bound_columns(values)
    # Totals stated as of one day are walked lowest first: the day's highest stands and a lower
    # statement of the same day (an earlier update) is no revision of a later one.
    ordered = frame.sort_values([*by, date, bounds[1]], kind="stable", na_position="first")
    groups = ordered.groupby(by, sort=False, dropna=False)
    levels, flags = _levels(ordered, groups, list(values), bounds)
    out = ordered.copy()
    first = groups.cumcount() == 0
    for column in values:
        level = pd.Series(pd.array(levels[column].tolist(), dtype=ordered[column].dtype), index=ordered.index)
        change = level - level.groupby([ordered[c] for c in by], sort=False, dropna=False).shift(1)
        out[column] = level.where(first, change)
    out["revised_down"] = pd.array(flags, dtype="boolean")
    if start is not None:
        out[start] = _period_starts(ordered, groups, date, start, first)
    return out.loc[frame.index]


def _bound_columns(values: tuple[str, ...]) -> tuple[str, str, str]:
    """Name the ``(low, best, high)`` columns among ``values``.

    Three values are taken in that order; with fewer, the ``best`` column is
    the one called ``best`` or else the first, and ``low``/``high`` keep their
    own names (absent columns give missing bounds).
    """
    named = dict(zip(("low", "best", "high"), values)) if len(values) == 3 else {}
    best = "best" if "best" in values else named.get("best", values[0])
    return named.get("low", "low"), best, named.get("high", "high")


def _period_starts(ordered: pd.DataFrame, groups, date: str, start: str, first: pd.Series) -> pd.Series:
    """Each row's new period start: the day after its group's previous report.

    The first row of a group keeps its own ``start``; a restatement on the same
    "as of" date as the previous report covers just that date.
    """
    day_after = groups[date].shift(1) + pd.Timedelta(days=1)
    day_after = day_after.where(day_after <= ordered[date], ordered[date])
    return ordered[start].where(first, day_after)


def _levels(ordered: pd.DataFrame, groups, columns: list[str],
            bounds: tuple[str, str, str]) -> tuple[pd.DataFrame, list[bool]]:
    """Walk each group of ``ordered`` (sorted) and return every row's level and revision flag.

    ``bounds`` names the ``(low, best, high)`` columns among ``columns``. A row
    becomes the level when it is the group's first, revises the level down
    (:func:`is_downward_revision`) or states a ``best`` at least as high; the
    levels come back as a frame aligned with ``ordered`` (missing as ``None``),
    the flags as a list in the same order.
    """
    best = bounds[1]
    stated = ordered[columns].astype(object).where(ordered[columns].notna(), None)
    level_rows, revised = [], []
    for index in groups.indices.values():
        level = None
        for position in index:
            row = stated.iloc[position]
            down = level is not None and is_downward_revision(
                tuple(level.get(c) for c in bounds), tuple(row.get(c) for c in bounds))
            if level is None or down or (row[best] is not None and level[best] is not None
                                         and row[best] >= level[best]):
                level = row
            level_rows.append((position, level))
            revised.append((position, down))
    levels = pd.DataFrame([lvl for _, lvl in sorted(level_rows, key=lambda t: t[0])],
                          index=ordered.index, columns=columns)
    return levels, [flag for _, flag in sorted(revised, key=lambda t: t[0])]
