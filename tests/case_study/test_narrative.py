"""What reports 02 and 03 say: every number of the headline and findings comes from the real data.

The curated log is the package's own; the event and registry extracts are the real ones in
``../shared/data`` (skipped when absent). The expected numbers are those the reports state.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from refugeestudy import load_reports
from refugeestudy.case_study import analysis, narrative
from refugeestudy.clean.places import GOVERNORATES

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
COAST = ["SY04", "SY05", "SY06", "SY10"]
WEEKS = dict(freq="W-MON", start="2025-03-01", end="2025-04-30")


@pytest.fixture(scope="module")
def figures():
    return load_reports().figures


@pytest.fixture(scope="module")
def tolls(figures):
    return [analysis.reported_series(figures, kind="deaths", scope=analysis.deaths_scope(code, "civilians"),
                                     since="2025-03-01", **WEEKS) for code in [None, *COAST]]


@pytest.fixture(scope="module")
def ged():
    from refugeestudy import read_ged

    path = SHARED / "ucdp" / "ged191_syria_2016_2019.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent")
    return read_ged(path)


def test_the_timeline_states_the_reconciled_toll_and_the_governorates(tolls):
    headline, findings = narrative.timeline_text(tolls, subject="civilians", end="2025-04-30", period="week")
    assert headline == ("Civilians killed, all governorates: reconciled toll 1,676 by 30 April 2025 from 5 "
                        "producers; 4 weeks with a report, 6 without")
    assert "any of 5 producers had reported, not split by governorate, was 1,676 (band 111 to 1,676)." in findings
    # the band's rule in words, with the stale producers and their age (SNHR's 1,334 is kept)
    assert "The band runs from the smallest latest figure of any producer, 111" in findings
    assert "Syrian Network for Human Rights (9 days)" in findings
    assert "Lattakia 866, Tartous 525, Hama 272 and Homs 13; together 1,676." in findings
    assert "has a report in 4 of 10 weeks; the other 6 weeks have none" in findings


def test_a_governorate_nobody_reported_is_said_to_have_no_toll(figures):
    tolls = [analysis.reported_series(figures, kind="deaths", scope=analysis.deaths_scope(code, "civilians"),
                                      since="2025-03-01", **WEEKS) for code in (None, "SY06", "SY01")]
    findings = narrative.timeline_text(tolls, subject="civilians", end="2025-04-30", period="week")[1]
    assert "No toll was reported for Damascus." in findings and "Damascus 0" not in findings


def test_arrivals_findings_name_every_destination_with_its_band(figures, tolls):
    places = [analysis.reported_series(figures, kind="displacement",
                                       scope=analysis.destination_scope(code, kind, figures), **WEEKS)
              for code, kind in [("LB-AK+LB-AS", "arrivals"), ("LB-AK", "fled"), ("RU-PER", "arrivals")]]
    aligned = analysis.align(tolls[0].periods.set_index("period")["increment"],
                             places[0].periods.set_index("period")["increment"])
    timing = analysis.timing_inference(aligned, lags=[0, 1], event_position=None, min_observations=20)
    supports = analysis.what_the_sample_supports(timing["nobs"], timing["parameters"], 20)
    headline, findings = narrative.arrivals_text(places[0], tolls[0], places, timing, supports,
                                                  end="2025-04-30", period="week")
    assert headline.startswith("Akkar and North (Lebanon), arrivals: reconciled total 21,637 by 30 April 2025, "
                               "2 weeks with a report and 8 without; with 1 period and 3 parameters")
    assert "Akkar and North (Lebanon), arrivals: 21,637 (band 7,650 to 21,637; 2 producers)" in findings
    assert "Akkar (Lebanon), fled: 19,000 (no upper bound stated; 1 producer)" in findings
    assert "Perm Krai (Russia), arrivals: 150 (band 135 to 165; 2 producers)" in findings
    assert "reached 1,676 (band 111 to 1,676; 5 producers)" in findings
    assert "the count model was not fitted, so no association is estimated" in findings


def test_a_fitted_model_is_reported_with_its_dispersion_and_forecast_errors():
    """Synthetic counts: enough periods for the model, so the findings quote its checks."""
    frame = pd.DataFrame({"deaths": [0, 5, 9, 2, 1, 0, 4, 7, 3, 1], "arrivals": [1, 2, 8, 9, 3, 1, 2, 6, 5, 2]})
    timing = analysis.timing_inference(frame, lags=[0], event_position=None, min_observations=20)
    text = narrative._inference_sentence(timing, "week")
    assert f"Pearson dispersion is {timing['overdispersion']['pearson_dispersion']:,.1f}" in text
    errors = timing["rolling_origin"].set_index("method")["mae"]
    assert f"last value {errors['last_value']:,.0f}" in text and f"model {errors['model']:,.0f}" in text


def test_event_deaths_by_governorate_from_the_real_extract(ged):
    codes = ["SY01", "SY02", "SY03", "SY04", "SY05", "SY06", "SY07", "SY09", "SY11", "SY12"]
    by_place = {GOVERNORATES[code]: analysis.event_deaths_series(ged, admin1=[code], freq="MS",
                                                                 start="2016-01-01", end="2019-11-30")
                for code in codes}
    table = narrative.event_deaths_table(by_place, period="month")
    assert table.set_index("Governorate").loc["Aleppo", ["Deaths, best", "Deaths, low", "Deaths, high"]].tolist() \
        == [19864, 18668, 21066]
    assert table["Months"].eq(47).all()
    headline, findings = narrative.events_text(table, source="UCDP GED", start="2016-01-01", end="2019-11-30",
                                                period="month")
    assert headline == "83,986 deaths recorded (best) in 10 governorates, UCDP GED, 2016-01-01 to 2019-11-30"
    assert "Most were recorded in Aleppo (19,864) and Deir-ez-Zor (14,581), fewest in Damascus (1,961)" in findings
    assert "range from 33 (Damascus) to 47" in findings
    limits = narrative.event_limitations(ged, source="UCDP GED", period="month", allocate="start")
    assert "run from 1 January 2016 to 30 November 2019" in limits[2]


def test_yearly_findings_from_the_real_extracts(ged):
    from refugeestudy import read_unhcr

    path = SHARED / "unhcr" / "asylum_applications.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent")
    deaths = analysis.event_deaths_series(ged, admin1=sorted(GOVERNORATES), freq="YS", start="2016-01-01",
                                          end="2019-12-31")
    applications = analysis.registry_series(read_unhcr(path, "asylum_applications"), destination_country="DEU",
                                            population_types=["asylum_applications"], freq="YS",
                                            start="2016-01-01", end="2019-12-31")
    yearly = analysis.align(deaths["best"], applications["best"])
    partial = analysis.partial_periods(yearly.index, "YS", ged["date_start"].max())
    headline, findings = narrative.yearly_text(yearly, violence="UCDP GED", label="asylum applications",
                                                country="Germany", partial=partial, min_observations=20)
    assert headline == "4 years of deaths in Syria and asylum applications in Germany: descriptive only"
    assert ("UCDP GED recorded deaths in Syria: 30,791 in 2016, 28,973 in 2017, 18,339 in 2018 and 9,483 in "
            "2019 (a partial year).") in findings
    assert "Germany: 268,866 in 2016, 50,422 in 2017, 60,399 in 2018 and 41,094 in 2019." in findings
    assert "4 years are fewer than the 20 periods" in findings
