"""Reconciliation of reporters as cumulative curves.

Synthetic frames (built here, labelled synthetic, from no source) check the rules by hand;
the real log checks properties that must hold whatever figures it holds (bounds computed
from the log itself), plus two named checks: Lebanon by 2 April 2025 and Perm by 11 April.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import refugeestudy
from refugeestudy import load_reports
from refugeestudy.case_study.series import reconciled_periods
from refugeestudy.case_study.reconcile import (
    DEATHS_SCOPE,
    DISPLACEMENT_SCOPE,
    ReconcileError,
    prepare_figures,
    reconcile,
    reporter_curves,
)


def synthetic(rows):
    """A synthetic figures frame: (id, reporter, basis, start, end, low, best, high[, qualifier, part_of])."""
    frame = pd.DataFrame(rows, columns=["figure_id", "figure_by", "basis", "period_start",
                                        "period_end", "low", "best", "high", "qualifier", "part_of"])
    frame["scope"] = "X"
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def row(fid, who, basis, start, end, best, low=None, high=None, qualifier="exact", part_of=None):
    low = best if low is None and qualifier == "exact" else low
    high = best if high is None and qualifier == "exact" else high
    return (fid, who, basis, start, end, low, best, high, qualifier, part_of)


# ------------------------------------------------------------------ synthetic, by hand
def test_overlapping_reporters_are_not_added():
    # synthetic: A and B both count the same arrivals; max of curves, not sum of increments
    figures = synthetic([
        row("a1", "A", "cumulative", "2025-03-01", "2025-03-05", 100),
        row("a2", "A", "cumulative", "2025-03-01", "2025-03-12", 250),
        row("b1", "B", "cumulative", "2025-03-01", "2025-03-08", 180),
        row("b2", "B", "cumulative", "2025-03-01", "2025-03-15", 240),
    ])
    out = reconcile(figures, by=["scope"])
    assert out["date"].dt.strftime("%d").tolist() == ["05", "08", "12", "15"]
    assert out["best"].tolist() == [100, 180, 250, 250]
    assert out["top_reporter"].tolist() == ["A", "B", "A", "A"]
    # the old rule (largest increment per period) would have summed 100 + 80 + 150 + 60


def test_period_count_inside_a_running_total_adds_nothing():
    # synthetic: a 2-day count (5,000) that the same reporter's running total already holds
    figures = synthetic([
        row("t", "A", "cumulative", "2025-03-01", "2025-04-01", 20496),
        row("p", "A", "period", "2025-03-31", "2025-04-01", 5000),
    ])
    assert reconcile(figures, by=["scope"])["best"].tolist() == [20496]


def test_period_counts_add_on_their_own_reporters_curve():
    # synthetic: about 100 by 2 April, then a group of 50 on 3 April: 150 (140 to 160)
    figures = synthetic([
        row("lvl", "A", "cumulative", "2025-02-01", "2025-04-02", 100, 90, 110, "approximately"),
        row("grp", "A", "period", "2025-04-03", "2025-04-03", 50),
    ])
    curve = reporter_curves(figures, by=["scope"])
    assert curve[["low", "best", "high"]].values.tolist() == [[90, 100, 110], [140, 150, 160]]
    assert curve["step"].tolist() == ["level", "increment"]


def test_relayed_statement_counts_once_and_parts_are_left_out():
    # synthetic: one day count relayed by two outlets; a part of a total
    figures = synthetic([
        row("x1", "A", "period", "2025-03-07", "2025-03-07", 60),
        row("x2", "A", "period", "2025-03-07", "2025-03-07", 60),
        row("tot", "A", "cumulative", "2025-03-06", "2025-03-09", 100),
        row("prt", "A", "cumulative", "2025-03-06", "2025-03-09", 70, part_of="tot"),
    ])
    assert prepare_figures(figures, by=["scope"])["figure_id"].tolist() == ["x1", "tot"]
    assert reconcile(figures, by=["scope"])["best"].tolist() == [60, 100]


def test_band_and_unbounded_high():
    # synthetic: A exact 100 on day 1; B "at least 120" on day 3; C about 90 on day 3
    figures = synthetic([
        row("a", "A", "cumulative", "2025-03-01", "2025-03-01", 100),
        row("b", "B", "cumulative", "2025-03-01", "2025-03-03", 120, 120, None, "at_least"),
        row("c", "C", "cumulative", "2025-03-01", "2025-03-03", 90, 81, 99, "approximately"),
    ])
    out = reconcile(figures, by=["scope"])
    last = out.iloc[-1]
    assert last["best"] == 120 and np.isnan(last["high"])  # the top claim has no upper bound
    assert last["low"] == 81  # C's own lower bound is the smallest among current reporters


def test_stale_reporters_stay_in_the_band_marked_with_their_age():
    # synthetic: B's 50 is 10 days old when A says 300: kept (low 50), marked stale
    figures = synthetic([
        row("b", "B", "cumulative", "2025-03-01", "2025-03-02", 50),
        row("a", "A", "cumulative", "2025-03-01", "2025-03-12", 300),
    ])
    out = reconcile(figures, by=["scope"], fresh_days=7)
    assert out["low"].tolist() == [50, 50]
    assert out["high"].tolist() == [50, 300]
    assert out["stale"].tolist() == ["", "B (10 days)"]
    assert reconcile(figures, by=["scope"], fresh_days=14)["stale"].tolist() == ["", ""]


def test_a_period_only_reporter_does_not_lower_the_band():
    # synthetic: C only counts one day (20); A's running total is 300
    figures = synthetic([
        row("c", "C", "period", "2025-03-02", "2025-03-02", 20),
        row("a", "A", "cumulative", "2025-03-01", "2025-03-12", 300),
    ])
    assert reconcile(figures, by=["scope"])[["low", "best"]].values.tolist() == [[20, 20], [300, 300]]


def test_a_stated_floor_holds_after_a_lower_exact_figure():
    # synthetic: "more than 1018" (1019) on 8 March, then exactly 1018 on 9 March
    figures = synthetic([
        row("m", "A", "cumulative", "2025-03-06", "2025-03-08", 1019, 1019, None, "more_than"),
        row("e", "A", "cumulative", "2025-03-06", "2025-03-09", 1018),
    ])
    assert reconcile(figures, by=["scope"])["best"].tolist() == [1019, 1019]


def test_scopes_never_share_a_curve():
    # synthetic: a district and the whole country are two curves
    figures = synthetic([
        row("d", "A", "cumulative", "2025-03-01", "2025-03-05", 900),
        row("c", "B", "cumulative", "2025-03-01", "2025-03-05", 700),
    ])
    figures["scope"] = ["district", "country"]
    out = reconcile(figures, by=["scope"]).set_index("scope")["best"]
    assert out.to_dict() == {"country": 700, "district": 900}


def test_since_drops_totals_counted_from_earlier():
    # synthetic: a toll since 8 December is not on a curve counted since 6 March
    figures = synthetic([
        row("old", "A", "cumulative", "2024-12-08", "2025-04-14", 2161),
        row("new", "A", "cumulative", "2025-03-06", "2025-04-09", 1676),
    ])
    assert reconcile(figures, by=["scope"], since="2025-03-01")["best"].tolist() == [1676]


def test_missing_column_is_a_clear_error():
    with pytest.raises(ReconcileError, match="lack the column"):
        reconcile(pd.DataFrame({"figure_id": ["a"]}), by=["scope"])


def test_reconcile_is_re_exported_at_the_package_root():
    assert refugeestudy.reconcile is reconcile


def test_periods_missing_not_zero_and_increments_sum_to_the_level():
    # synthetic curve: 100 on 4 March, 300 on 19 March, 450 on 1 April; weeks from 3 March
    curve = pd.DataFrame({"date": pd.to_datetime(["2025-03-04", "2025-03-19", "2025-04-01"]),
                          "low": [90.0, 300.0, 450.0], "best": [100.0, 300.0, 450.0],
                          "high": [110.0, 300.0, np.nan]})
    out = reconciled_periods(curve, freq="W-MON", start="2025-03-03", end="2025-04-06")
    assert out["reported"].tolist() == [True, False, True, False, True]
    assert out["increment"].isna().tolist() == [False, True, False, True, False]
    assert out["increment"].sum() == 450 == out["level_best"].iloc[-1]
    assert out["carried"].tolist() == [False, True, False, True, False]
    # a level known before the window is the baseline, not an increment
    late = reconciled_periods(curve, freq="W-MON", start="2025-03-10", end="2025-04-06")
    assert late["increment"].sum() == 350 and late["level_best"].iloc[0] == 100
    assert bool(late["carried"].iloc[0])


# ------------------------------------------------------------------ the real log
@pytest.fixture(scope="module")
def log():
    return load_reports()


def _cases(log):
    figures = log.figures
    return [
        (figures[figures["kind"] == "displacement"], DISPLACEMENT_SCOPE, None),
        (figures[figures["kind"] == "deaths"], DEATHS_SCOPE, "2025-03-01"),
    ]


def _same_scope(frame, by, key):
    keep = pd.Series(True, index=frame.index)
    for column, value in zip(by, key):
        keep &= frame[column].isna() if pd.isna(value) else frame[column] == value
    return frame[keep]


def test_real_log_reconciled_best_stays_within_what_single_sources_state(log):
    """Upper bound: no reporter's own figures by that date can reach more; lower: every floor."""
    checked = 0
    for figures, by, since in _cases(log):
        kept = prepare_figures(figures, by=by, since=since)
        for _, point in reconcile(figures, by=by, since=since).iterrows():
            scope = _same_scope(kept, by, [point[c] for c in by])
            known = scope[scope["period_end"] <= point["date"]]
            top = known["high"].fillna(known["best"])
            ceiling = 0.0
            for _, mine in known.assign(top=top).groupby("figure_by"):
                levels = mine[mine["basis"] != "period"]
                increments = mine[mine["basis"] == "period"]
                ceiling = max(ceiling, (levels["top"].max() if len(levels) else 0)
                              + increments["top"].sum())
            floors = known[known["qualifier"].isin(["at_least", "more_than"])
                           & (known["basis"] != "stock")]["low"]
            assert point["best"] <= ceiling, point.to_dict()
            assert point["best"] >= (floors.max() if len(floors) else 0), point.to_dict()
            if not np.isnan(point["low"]):
                assert point["low"] <= point["best"]
            if not np.isnan(point["high"]):
                assert point["high"] >= point["best"]
            checked += 1
    assert checked > 50


def test_real_log_lebanon_by_2_april_is_a_sourced_total_not_a_sum(log):
    figures = log.figures[log.figures["kind"] == "displacement"]
    curve = reconcile(figures, by=DISPLACEMENT_SCOPE)
    lebanon = curve[curve["destination_admin1"] == "LB-AK+LB-AS"]
    by_2_april = lebanon[lebanon["date"] <= "2025-04-02"]
    country = figures[(figures["destination_admin1"] == "LB-AK+LB-AS")
                      & (figures["period_end"] <= "2025-04-02")]
    largest = max(29079, int(country["best"].max()))
    assert by_2_april["best"].max() <= largest
    for population_type in ("arrivals",):
        rows = lebanon[lebanon["population_type"] == population_type]
        weeks = reconciled_periods(rows, freq="W-MON", start="2025-03-01", end="2025-04-02")
        total = weeks["increment"].sum()
        assert total == weeks["level_best"].iloc[-1] <= largest
        assert total < 41635  # the old weekly series' sum, the bug this replaces
        assert weeks["increment"].notna().sum() == weeks["reported"].sum()


def test_real_log_perm_about_150_by_11_april(log):
    figures = log.figures[log.figures["kind"] == "displacement"]
    curve = reconcile(figures, by=DISPLACEMENT_SCOPE)
    perm = curve[(curve["destination_admin1"] == "RU-PER") & (curve["population_type"] == "arrivals")]
    best = perm[perm["date"] <= "2025-04-11"]["best"].iloc[-1]
    assert 135 <= best <= 165  # "approximately 150", not 99 + 100 + 50 (249) or 199
    weeks = reconciled_periods(perm, freq="W-MON", start="2025-02-01", end="2025-04-13")
    assert weeks["increment"].sum() == best


def test_a_consistent_lower_figure_does_not_lower_the_curve_but_a_revision_does():
    # synthetic: 1,018 on 8 March, "more than 1,000" on 9 March (consistent), exactly 900 on 10 March
    figures = synthetic([
        row("a", "A", "cumulative", "2025-03-06", "2025-03-08", 1018),
        row("b", "A", "cumulative", "2025-03-06", "2025-03-09", 1001, 1001, None, "more_than"),
        row("c", "A", "cumulative", "2025-03-06", "2025-03-10", 900),
    ])
    assert reporter_curves(figures, by=["scope"])["best"].tolist() == [1018, 1018, 900]


def test_one_statement_with_differently_worded_bounds_counts_once():
    # synthetic: "at least 32" and "32" for the same period by the same producer
    figures = synthetic([
        row("open", "A", "period", "2025-03-08", "2025-03-09", 32, 32, None, "at_least"),
        row("exact", "A", "period", "2025-03-08", "2025-03-09", 32),
    ])
    kept = prepare_figures(figures, by=["scope"])
    assert kept["figure_id"].tolist() == ["exact"]
    assert reconcile(figures, by=["scope"])[["best", "high"]].values.tolist() == [[32, 32]]


def test_real_log_coast_civilian_toll_band_spans_the_producers(log):
    """SNHR's 1,334 (31 March) and SOHR's 1,676 (9 April) disagree: low < high, SNHR marked stale."""
    figures = log.figures[log.figures["kind"] == "deaths"]
    curve = reconcile(figures, by=DEATHS_SCOPE, since="2025-03-01")
    coast = curve[curve["origin_admin1_pcode"].isna() & (curve["subject"] == "civilians")
                  & (curve["date"] <= "2025-04-30")]
    last = coast.iloc[-1]
    assert last["best"] == 1676 and last["high"] == 1676
    kept = prepare_figures(figures, by=DEATHS_SCOPE, since="2025-03-01")
    kept = kept[kept["origin_admin1_pcode"].isna() & (kept["subject"] == "civilians")
                & (kept["period_end"] <= last["date"]) & (kept["basis"] != "period")]
    latest = kept.sort_values("period_end").groupby("figure_by").tail(1)
    assert last["low"] == latest["low"].min() <= 1334 < last["high"]
    assert "Syrian Network for Human Rights (9 days)" in last["stale"]


def test_one_scope_column_given_as_a_string_is_one_column_not_its_characters():
    figures = pd.DataFrame({"figure_id": ["a"], "scope": ["X"], "figure_by": ["A"],
                            "basis": ["cumulative"], "period_start": pd.to_datetime(["2025-03-01"]),
                            "period_end": pd.to_datetime(["2025-03-05"]), "low": [9], "best": [10], "high": [11]})
    assert reconcile(figures, by="scope")[["scope", "best"]].values.tolist() == [["X", 10.0]]
