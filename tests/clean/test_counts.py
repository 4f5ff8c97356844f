"""Qualified counts → (low, best, high); running totals → increments."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy.clean.counts import (
    APPROXIMATE_TOLERANCE,
    bounds_frame,
    cumulative_to_increments,
    qualifier_bounds,
)
from refugeestudy.schema import QUALIFIERS


@pytest.mark.parametrize(
    "count, qualifier, high, expected",
    [
        (50, "exact", None, (50, 50, 50)),
        (0, "exact", None, (0, 0, 0)),
        (100, "approximately", None, (90, 100, 110)),  # exactly, no float drift
        (150, "approximately", None, (135, 150, 165)),
        (99, "approximately", None, (89, 99, 109)),  # floor(89.1), ceil(108.9)
        (1, "approximately", None, (0, 1, 2)),  # floor(0.9), ceil(1.1)
        (8000, "approximately", None, (7200, 8000, 8800)),
        (50, "at_least", None, (50, 50, None)),
        (1500, "more_than", None, (1501, 1501, None)),
        (8000, "up_to", None, (None, 8000, 8000)),
        (2300, "between", 2400, (2300, 2350, 2400)),
        (1, "between", 2, (1, 1, 2)),  # (1 + 2) // 2
        (30, "between", 30, (30, 30, 30)),
    ],
)
def test_qualifier_bounds_table(count, qualifier, high, expected):
    assert qualifier_bounds(count, qualifier, high) == expected


def test_default_tolerance_and_custom_tolerance():
    assert APPROXIMATE_TOLERANCE == 0.10
    assert qualifier_bounds(100, "approximately", tolerance=0.05) == (95, 100, 105)
    assert qualifier_bounds(100, "approximately", tolerance=0.2) == (80, 100, 120)
    assert qualifier_bounds(1000, "approximately", tolerance=0.3) == (700, 1000, 1300)


def test_every_schema_qualifier_is_handled():
    for qualifier in QUALIFIERS:
        high = 20 if qualifier == "between" else None
        low, best, upper = qualifier_bounds(10, qualifier, high)
        assert best is not None


@pytest.mark.parametrize(
    "count, qualifier, high, words",
    [
        (10, "between", None, "needs count_high"),
        (10, "between", 5, "count_high 5 is below count 10"),
        (10, "exact", 20, "only allowed with qualifier 'between'"),
        (10, "at_least", 20, "only allowed with qualifier 'between'"),
        (10, "roughly", None, "unknown qualifier 'roughly'"),
        (10, "", None, "unknown qualifier ''"),
    ],
)
def test_invalid_combinations_raise(count, qualifier, high, words):
    with pytest.raises(ValueError, match=words):
        qualifier_bounds(count, qualifier, high)


def test_bounds_frame_aligned_columns():
    idx = [7, 3, 5]
    out = bounds_frame(pd.Series([150, 50, 10], index=idx),
                       pd.Series(["approximately", "at_least", "between"], index=idx),
                       pd.Series([None, None, 14], index=idx, dtype="Int64"))
    assert list(out.index) == idx
    assert out["low"].tolist() == [135, 50, 10]
    assert out["best"].tolist() == [150, 50, 12]
    assert out["high"].iloc[[0, 2]].tolist() == [165, 14]
    assert pd.isna(out["high"].iloc[1])
    assert all(str(out[c].dtype) == "Int64" for c in out)


def test_bounds_frame_empty():
    out = bounds_frame(pd.Series([], dtype="Int64"), pd.Series([], dtype="string"),
                       pd.Series([], dtype="Int64"))
    assert list(out.columns) == ["low", "best", "high"] and len(out) == 0


def _toll(rows):
    frame = pd.DataFrame(rows, columns=["who", "start", "as_of", "low", "best", "high"])
    for c in ("start", "as_of"):
        frame[c] = pd.to_datetime(frame[c])
    for c in ("low", "best", "high"):
        frame[c] = frame[c].astype("Int64")
    return frame


def test_increments_by_hand_with_interleaved_series():
    toll = _toll([
        ("A", "2025-03-06", "2025-03-09", 240, 240, 240),
        ("B", "2025-03-06", "2025-03-07", 10, 10, 10),
        ("A", "2025-03-06", "2025-03-07", 100, 100, None),
        ("A", "2025-03-06", "2025-03-08", 250, 250, None),
        ("B", "2025-03-06", "2025-03-10", 25, 30, 35),
    ])
    out = cumulative_to_increments(toll, by=["who"], date="as_of", start="start")
    assert list(out.index) == [0, 1, 2, 3, 4]  # same order as given
    assert out["best"].tolist() == [-10, 10, 100, 150, 20]
    assert out["low"].tolist() == [-10, 10, 100, 150, 15]
    assert out["high"].isna().tolist() == [True, False, True, True, False]
    assert out.loc[4, "high"] == 25
    assert out["revised_down"].tolist() == [True, False, False, False, False]
    assert out["start"].dt.strftime("%F").tolist() == \
        ["2025-03-09", "2025-03-06", "2025-03-06", "2025-03-08", "2025-03-08"]
    # summing a series' increments in date order gives back each reported total
    for _who, rows in toll.groupby("who"):
        got = out.loc[rows.sort_values("as_of").index, "best"].cumsum().tolist()
        assert got == rows.sort_values("as_of")["best"].tolist()
    # the input is not modified
    assert toll["best"].tolist() == [240, 10, 100, 250, 30]


def test_missing_bound_makes_next_increment_missing():
    toll = _toll([("A", "2025-03-06", "2025-03-07", 10, 10, 10),
                  ("A", "2025-03-06", "2025-03-08", 20, 20, None),
                  ("A", "2025-03-06", "2025-03-09", 30, 30, 40)])
    out = cumulative_to_increments(toll, by=["who"], date="as_of")
    assert out["best"].tolist() == [10, 10, 10]
    assert out["high"].iloc[0] == 10
    assert out["high"].iloc[1:].isna().all()


def test_restatement_on_same_date_covers_that_date():
    toll = _toll([("A", "2025-03-06", "2025-03-08", 100, 100, 100),
                  ("A", "2025-03-06", "2025-03-08", 120, 120, 120)])
    out = cumulative_to_increments(toll, by=["who"], date="as_of", start="start")
    assert out["best"].tolist() == [100, 20]
    assert out["start"].dt.strftime("%F").tolist() == ["2025-03-06", "2025-03-08"]


def test_lower_but_compatible_figure_is_no_revision_and_keeps_the_level():
    # SOHR: exactly 1,018 (8 March), then "over 1,000" (a rounded relay, best 1,001) and
    # "nearly 1,500" (1,350-1,650), then exactly 1,454: only a contradiction is a revision.
    toll = _toll([("A", "2025-03-06", "2025-03-08", 1018, 1018, 1018),
                  ("A", "2025-03-06", "2025-03-08", 1001, 1001, None),
                  ("A", "2025-03-06", "2025-03-10", 1350, 1500, 1650),
                  ("A", "2025-03-06", "2025-03-10", 1454, 1454, 1454),
                  ("A", "2025-03-06", "2025-03-12", 1300, 1300, 1300)])
    out = cumulative_to_increments(toll, by=["who"], date="as_of", start="start")
    # Totals stated the same day are taken lowest first, so the day's highest sets the level.
    assert out["best"].tolist() == [17, 1001, 46, 436, -200]
    assert out["revised_down"].tolist() == [False, False, False, False, True]
    by_day = out.groupby("as_of")[["best", "low"]].sum().cumsum()
    assert by_day["best"].tolist() == [1018, 1500, 1300]
    assert by_day["low"].tolist() == [1018, 1350, 1300]
