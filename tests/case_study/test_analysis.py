"""The case study's series and inference tables: hand values and the real log.

Synthetic frames are built here and labelled synthetic; the real log checks that the
reconciled Lebanon and Perm series keep weeks without a report missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refugeestudy import load_reports, schema
from refugeestudy.case_study import analysis


@pytest.fixture(scope="module")
def figures():
    return load_reports().figures


def test_lebanon_weekly_series_is_reconciled_with_gaps(figures):
    scope = analysis.destination_scope("LB-AK+LB-AS", "arrivals", figures)
    series = analysis.reported_series(figures, kind="displacement", scope=scope, freq="W-MON",
                                      start="2025-03-01", end="2025-04-30")
    periods = series.periods
    assert series.reported_periods + series.unreported_periods == len(periods)
    # no week without a report holds an increment, let alone 0
    assert periods.loc[~periods["reported"], "increment"].isna().all()
    assert periods["increment"].sum() == series.total
    stated = figures[(figures["kind"] == "displacement") & (figures["destination_country_iso3"] == "LBN")
                     & (figures["destination_admin1"] == "LB-AK+LB-AS") & (figures["population_type"] == "arrivals")
                     & (figures["period_end"] <= "2025-04-30")]
    assert series.total <= stated["high"].fillna(stated["best"]).max()  # one source's figure, not a sum
    assert series.unreported_periods >= 1


def test_perm_by_11_april_is_about_150(figures):
    scope = analysis.destination_scope("RU-PER", "arrivals", figures)
    assert scope["destination_country_iso3"] == "RUS"
    series = analysis.reported_series(figures, kind="displacement", scope=scope, freq="D",
                                      start="2025-02-01", end="2025-04-11")
    assert 135 <= series.total <= 165


def test_registry_series_missing_year_is_missing():
    # synthetic registry rows
    counts = schema.conform(pd.DataFrame({
        "record_id": ["a", "b", "c"], "destination_country_iso3": ["DEU"] * 3,
        "population_type": ["asylum_applications"] * 3,
        "period_start": pd.to_datetime(["2016-01-01", "2016-01-01", "2018-01-01"]),
        "count_best": [10, 5, 7], "count_low": [10, 5, 7], "count_high": [10, 5, 7]}),
        "displacement_counts")
    out = analysis.registry_series(counts, destination_country="DEU",
                                   population_types=["asylum_applications"], freq="YS",
                                   start="2016-01-01", end="2018-12-31")
    assert out["best"].tolist()[0] == 15 and np.isnan(out["best"].iloc[1])


def test_align_fills_nothing():
    index = pd.to_datetime(["2025-03-03", "2025-03-10"])
    out = analysis.align(pd.Series([np.nan, 2.0], index=index), pd.Series([1.0, np.nan], index=index))
    assert out.isna().sum().sum() == 2


def test_timing_inference_by_hand():
    # synthetic: 6 periods, deaths at lag 0
    frame = pd.DataFrame({"deaths": [0.0, 5, 9, 2, 1, 0], "arrivals": [1.0, 2, 8, 9, 3, 1]})
    out = analysis.timing_inference(frame, lags=[0], event_position=2, min_observations=20,
                                    min_train=3)
    assert out["nobs"] == 6 and not out["p_values_shown"]
    assert out["quasi_poisson"].cov_type == "X2" and out["quasi_poisson"].nobs == 6
    assert out["permutation"]["exact"] and out["permutation"]["permutations"] == 720
    assert out["placebo"].loc[out["placebo"]["event"], "jump"].item() == pytest.approx(
        (8 + 9) / 2 - (1 + 2) / 2)
    assert set(out["rolling_origin"]["method"]) == {"last_value", "historical_mean", "model"}
    assert out["rolling_origin"]["forecasts"].tolist() == [3, 3, 3]


def test_timing_inference_with_missing_periods_uses_only_reported_ones():
    frame = pd.DataFrame({"deaths": [0.0, np.nan, 9, 2], "arrivals": [1.0, 2, np.nan, 9]})
    out = analysis.timing_inference(frame, lags=[0], event_position=None)
    assert out["nobs"] == 2 and isinstance(out["quasi_poisson"], str)


def test_limitations_name_gaps_and_producers(figures):
    scope = analysis.destination_scope("RU-PER", "arrivals", figures)
    series = analysis.reported_series(figures, kind="displacement", scope=scope, freq="W-MON",
                                      start="2025-02-10", end="2025-04-13")
    lines = analysis.limitations([series], nobs=3)
    assert lines[0].startswith("Perm Krai (Russia), arrivals: ")
    assert f"{series.reported_periods} of {len(series.periods)} periods have a report" in lines[0]
    assert "Perm local authorities" in lines[0]
    assert "below 20 no p-value is shown" in lines[1]


def test_inference_tables_withhold_p_values_below_the_stated_number():
    # synthetic: 6 periods, stated minimum 20, then 4
    frame = pd.DataFrame({"deaths": [0.0, 5, 9, 2, 1, 0], "arrivals": [1.0, 2, 8, 9, 3, 1]})
    few = analysis.inference_tables(analysis.timing_inference(frame, lags=[0], event_position=2))
    assert "p-value" not in few["model"].columns and few["checks"]["p-value"].isna().all()
    allowed = analysis.inference_tables(analysis.timing_inference(frame, lags=[0], event_position=2,
                                                                  min_observations=4))
    assert "p-value" in allowed["model"].columns
    assert allowed["checks"]["p-value"].iloc[1:].notna().all()  # the dispersion ratio has none
    placebo = allowed["checks"].set_index("Check").loc["Placebo dates: rank of the event"]
    assert placebo["Value"] == 1 and placebo["p-value"] == pytest.approx(1 / 3)


def test_inference_tables_leave_out_what_was_not_computed_and_say_why():
    frame = pd.DataFrame({"deaths": [0.0, np.nan, 9], "arrivals": [1.0, 2, np.nan]})
    timing = analysis.timing_inference(frame, lags=[0], event_position=1)
    assert analysis.inference_tables(timing) == {}  # no table of dashes
    sentence = analysis.inference_not_run(timing)
    assert sentence.startswith("Not computed: the count model and its overdispersion check (not fitted: "
                               "1 period with both")
    assert "the placebo dates (the event has no run" in sentence
