"""Place × period panels: totals preserved, unknown bounds stay unknown, periods by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy import load_reports, schema
from refugeestudy.case_study.series import lagged, period_start, violence_panel


def _dates(*values):
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"))


@pytest.mark.parametrize(
    "freq, dates, expected",
    [
        # 2025-03-17 is a Monday
        ("W-MON", ["2025-03-19", "2025-03-17", "2025-03-16", "2025-03-23 23:59"],
         ["2025-03-17", "2025-03-17", "2025-03-10", "2025-03-17"]),
        ("W-MON", ["1969-12-31", "1970-01-01", "2024-12-08"],  # before the epoch; a Sunday
         ["1969-12-29", "1969-12-29", "2024-12-02"]),
        ("QS", ["2025-03-19", "2025-04-01", "2025-12-31", "2024-02-29"],
         ["2025-01-01", "2025-04-01", "2025-10-01", "2024-01-01"]),
        ("YS", ["2025-03-19", "2024-12-31", "2025-01-01"],
         ["2025-01-01", "2024-01-01", "2025-01-01"]),
        ("MS", ["2025-03-19", "2025-02-28"], ["2025-03-01", "2025-02-01"]),
        ("D", ["2025-03-19 17:30"], ["2025-03-19"]),
    ],
)
def test_period_start_by_hand(freq, dates, expected):
    out = period_start(_dates(*dates), freq)
    assert out.dt.strftime("%Y-%m-%d").tolist() == expected
    assert str(out.dtype) == "datetime64[s]"


def test_period_start_rejects_unknown_frequency():
    with pytest.raises(ValueError, match="unknown frequency 'W'"):
        period_start(_dates("2025-01-01"), "W")


def _events(rows):
    frame = pd.DataFrame(rows, columns=["event_id", "admin1_pcode", "date_start", "deaths_best",
                                        "deaths_low", "deaths_high"])
    frame["date_start"] = pd.to_datetime(frame["date_start"])
    frame["date_end"] = frame["date_start"]
    return schema.conform(frame, "violence_events")


EVENTS = [
    ("a", "SY06", "2025-03-06", 10, 8, 12),
    ("b", "SY06", "2025-03-20", 5, 5, None),
    ("c", "SY10", "2025-04-02", 7, 7, 9),
    ("d", "SY10", "2025-04-30", 3, 2, 4),
    ("e", "SY05", "2025-06-15", 1, 1, 1),
    ("f", "SY04", "2025-01-10", 100, 90, 110),
]


def test_violence_panel_by_hand():
    panel = violence_panel(_events(EVENTS), freq="MS", start="2025-03-01", end="2025-04-30")
    assert list(panel.columns) == ["period", "admin1_pcode", "admin1", "deaths_best", "deaths_low",
                                   "deaths_high", "records"]
    table = {(p.strftime("%F"), code): (best, low, high, n) for p, code, best, low, high, n in zip(
        panel["period"], panel["admin1_pcode"], panel["deaths_best"], panel["deaths_low"],
        panel["deaths_high"], panel["records"])}
    na = pd.NA
    assert set(table) == {("2025-03-01", "SY06"), ("2025-03-01", "SY10"),
                          ("2025-04-01", "SY06"), ("2025-04-01", "SY10")}
    assert table[("2025-03-01", "SY06")][:2] == (15, 13) and table[("2025-03-01", "SY06")][2] is na
    assert table[("2025-03-01", "SY06")][3] == 2
    assert table[("2025-04-01", "SY10")] == (10, 9, 13, 2)
    assert table[("2025-03-01", "SY10")] == (0, 0, 0, 0)
    assert panel.loc[panel["admin1_pcode"] == "SY06", "admin1"].iloc[0] == "Lattakia"


@pytest.mark.parametrize("freq", ["D", "W-MON", "MS", "QS", "YS"])
@pytest.mark.parametrize("complete", [True, False])
def test_violence_panel_preserves_totals_in_range(freq, complete):
    events = _events(EVENTS)
    start, end = "2025-03-01", "2025-05-31"
    panel = violence_panel(events, freq=freq, start=start, end=end, complete=complete)
    in_range = events[(events["date_start"] >= start) & (events["date_start"] <= end)]
    assert int(panel["deaths_best"].sum()) == int(in_range["deaths_best"].sum()) == 25
    assert int(panel["records"].sum()) == len(in_range) == 4


def test_bound_sums_missing_when_any_row_missing():
    panel = violence_panel(_events(EVENTS), freq="YS", complete=False)
    by_place = panel.set_index("admin1_pcode")
    assert pd.isna(by_place.loc["SY06", "deaths_high"])  # "b" has no upper bound
    assert int(by_place.loc["SY06", "deaths_low"]) == 13  # low is known on both rows
    assert int(by_place.loc["SY10", "deaths_high"]) == 13


def test_violence_panel_on_the_real_log_without_completion():
    violence = load_reports().violence
    panel = violence_panel(violence, freq="MS", complete=False)
    assert int(panel["deaths_best"].sum()) == int(violence["deaths_best"].sum())
    assert int(panel["records"].sum()) == len(violence)


def test_violence_panel_complete_keeps_country_level_rows():
    """Regression: complete=True used to drop rows with no governorate (country level)."""
    violence = load_reports().violence
    panel = violence_panel(violence, freq="MS")
    assert int(panel["deaths_best"].sum()) == int(violence["deaths_best"].sum())


def test_violence_panel_admin1_filter_fills_requested_places():
    panel = violence_panel(_events(EVENTS), freq="MS", start="2025-03-01", end="2025-03-31",
                           admin1=["SY06", "SY14"])
    assert panel["admin1_pcode"].tolist() == ["SY06", "SY14"]
    assert panel["deaths_best"].tolist() == [15, 0]


def test_lagged_by_hand():
    out = lagged(pd.Series([5, 6, 7, 8], name="d", index=list("wxyz")), [0, 2])
    assert list(out.columns) == ["d_lag0", "d_lag2"]
    assert list(out.index) == list("wxyz")
    assert out["d_lag0"].tolist() == [5.0, 6.0, 7.0, 8.0]
    assert out["d_lag2"].isna().tolist() == [True, True, False, False]
    assert out["d_lag2"].iloc[2:].tolist() == [5.0, 6.0]
    named = lagged(pd.Series([1, 2]), [1], name="deaths")
    assert list(named.columns) == ["deaths_lag1"]
    assert lagged(pd.Series([1, 2]), [1]).columns.tolist() == ["x_lag1"]


def test_violence_panel_keeps_syria_only_by_default():
    # A global file: an Afghan event in 1989 must not enter Syria's panel or stretch its months.
    events = schema.conform(pd.DataFrame({
        "event_id": ["syr-1", "syr-0", "afg", "unknown-placed", "unknown-country"],
        "country_iso3": ["SYR", "SYR", "AFG", None, None],
        "admin1_pcode": ["SY06", None, None, "SY10", None],
        "date_start": pd.to_datetime(["2025-03-06", "2025-04-02", "1989-01-01", "2025-03-09",
                                      "1990-05-05"]),
        "deaths_best": [10, 4, 100, 3, 50], "deaths_low": [10, 4, 100, 3, 50],
        "deaths_high": [10, 4, 100, 3, 50]}), "violence_events")
    panel = violence_panel(events, freq="MS")
    assert panel["period"].dt.strftime("%Y-%m").unique().tolist() == ["2025-03", "2025-04"]
    assert int(panel["deaths_best"].sum()) == 10 + 4 + 3
    assert int(violence_panel(events, freq="YS", country=None)["deaths_best"].sum()) == 167


def test_violence_spread_keeps_the_total_of_a_window_covering_every_span():
    tolls = load_reports().violence
    tolls = tolls[tolls["deaths_basis"] == "increment"]
    panel = violence_panel(tolls, freq="D", allocate="spread", complete=False, country=None)
    assert panel["deaths_best"].sum() == pytest.approx(float(tolls["deaths_best"].sum()))


def test_unknown_allocation_is_refused():
    with pytest.raises(ValueError, match="unknown allocation 'middle'"):
        violence_panel(schema.empty("violence_events"), allocate="middle")
