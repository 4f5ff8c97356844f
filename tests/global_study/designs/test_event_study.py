"""Design 3, the event study: the onset rule by hand, synthetic recovery, statsmodels + hand-weighted Sun-Abraham."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refugeestudy.global_study.designs.event_study import (EVENT_TIMES, conflict_onsets, event_study_design, event_study_frame,
                                              fit_event_study)
from refugeestudy.global_study.designs.origin_year import origin_deaths, origin_year_outcome

from ._reference import clustered_glm, drop_singletons


def series(origin, first_year, values):
    return pd.DataFrame({"origin_iso3": origin, "year": range(first_year, first_year + len(values)),
                         "deaths": [float(v) for v in values]})


def test_onset_rule_on_hand_made_series():
    deaths = pd.concat([
        series("A", 2001, [0, 30, 0, 0, 0, 40, 0, 50, 0, 0]),              # 2002 too early; 2008 not after 3 quiet years
        series("B", 2001, [0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 30, 0]),     # 2005, and a second onset 2012 ignored
        series("C", 1989, [900] * 5 + [0] * 30),                           # quiet from 2001 on: never treated
        series("D", 1989, [60] * 36),                                      # in conflict throughout: neither
        series("E", 2001, [0, 0, 50, 50, 50, 50]),                         # onset 2003, before 2004: neither
        series("F", 2001, [0, 0, 0, 0, 0, 30]).drop(index=[3]),            # 2004 missing: 2006 not eligible
        series("G", 2001, [0, 0, 0, 500, 1500, 0])])
    table = conflict_onsets(deaths).set_index("origin_iso3")
    assert table["onset"].to_dict() == {"A": 2006, "B": 2005, "C": None, "D": None, "E": None, "F": None,
                                        "G": 2004}
    assert table["status"].to_dict() == {"A": "onset", "B": "onset", "C": "never", "D": "excluded",
                                         "E": "excluded", "F": "excluded", "G": "onset"}
    assert table["ignored_onsets"].to_dict() == {"A": 0, "B": 1, "C": 0, "D": 0, "E": 0, "F": 0, "G": 0}
    thousand = conflict_onsets(deaths, threshold=1000).set_index("origin_iso3")
    assert thousand.loc["G", "onset"] == 2005 and thousand.loc["D", "status"] == "never"


TAU = {2008: lambda e: 0.5 + 0.05 * e, 2012: lambda e: 0.2 + 0.1 * e}


def synthetic_event_study(seed: int = 3):
    """Labelled SYNTHETIC: 6 never-treated origins, cohorts 2008 (3) and 2012 (2), noise-free effects by cohort."""
    rng = np.random.default_rng(seed)
    cohorts = {**{f"N{i}": None for i in range(6)}, "A1": 2008, "A2": 2008, "A3": 2008, "B1": 2012, "B2": 2012}
    rows = pd.MultiIndex.from_product([list(cohorts), range(2000, 2021)], names=["origin_iso3", "year"])
    outcome = rows.to_frame(index=False)
    outcome["reporting_destinations"] = rng.integers(2, 30, len(outcome))
    alpha = {o: rng.normal(7, 1) for o in cohorts}
    gamma = {y: rng.normal(0, 0.2) for y in range(2000, 2021)}
    effect = [TAU[cohorts[o]](y - cohorts[o]) if cohorts[o] and y >= cohorts[o] else 0.0
              for o, y in zip(outcome["origin_iso3"], outcome["year"])]
    outcome["applications"] = np.exp(outcome["origin_iso3"].map(alpha) + outcome["year"].map(gamma) + np.array(effect)
                                     + 0.3 * np.log(outcome["reporting_destinations"]))
    onsets = pd.DataFrame({"origin_iso3": list(cohorts), "onset": pd.array(list(cohorts.values()), dtype="Int64"),
                           "status": ["never" if c is None else "onset" for c in cohorts.values()],
                           "ignored_onsets": 0})
    return outcome, onsets


def test_sun_abraham_recovers_cohort_effects_on_noise_free_synthetic_data():
    outcome, onsets = synthetic_event_study()
    frame = event_study_frame(outcome, onsets)
    assert frame["event_time"].dropna().between(-4, 5).all()
    result = fit_event_study(frame)
    for cohort, tau in TAU.items():
        for e in [k for k in EVENT_TIMES if k != -1]:
            name = f"cohort{cohort}_e{e}".replace("-", "m")
            if name in result.fit.coefficients:
                assert result.fit.coefficients[name] == pytest.approx(tau(e) if e >= 0 else 0.0, abs=1e-7)
    expected = np.mean([(3 * TAU[2008](e) + 2 * TAU[2012](e)) / 5 for e in range(6)])  # cohort shares 3:2
    assert result.estimate == pytest.approx(expected, rel=1e-6)
    assert result.terms["event_times"][-2]["estimate"] == pytest.approx(0.0, abs=1e-7)
    assert abs(result.variants["twfe"].estimate - expected) > 1e-3  # TWFE is not robust to the heterogeneity


@pytest.fixture(scope="module")
def real_frame(global_panel):
    onsets = conflict_onsets(origin_deaths(global_panel))
    return event_study_frame(origin_year_outcome(global_panel), onsets), onsets


def test_real_onsets(real_frame):
    onsets = real_frame[1].set_index("origin_iso3")
    assert onsets.loc["SYR", "onset"] == 2011  # UCDP: 4,347 deaths in 2011, at most 1 a year in 2008-2010
    assert onsets.loc["UKR", "onset"] == 2014
    assert onsets.loc["AFG", "status"] == "excluded"  # in conflict throughout
    assert onsets["status"].value_counts().to_dict() == {"never": 104, "onset": 61, "excluded": 28}
    assert onsets["ignored_onsets"].sum() == 26


def test_matches_statsmodels_glm_and_hand_weights_on_the_real_frame(real_frame):
    frame = drop_singletons(real_frame[0], ["origin_iso3"])
    result = fit_event_study(frame)
    cells = list(result.fit.coefficients.index.drop("log_reporting_destinations"))
    design = pd.concat([frame[cells + ["log_reporting_destinations"]],
                        pd.get_dummies(frame["origin_iso3"], dtype=float),
                        pd.get_dummies(frame["year"], prefix="y", dtype=float).iloc[:, 1:]], axis=1)
    params, cov = clustered_glm(frame["applications"], design, frame["origin_iso3"])
    np.testing.assert_allclose(result.fit.coefficients[cells], params[cells], rtol=1e-6, atol=1e-9)
    treated = frame[frame["event_time"].notna()]
    means = []
    for e in range(6):
        at = treated[treated["event_time"] == e]
        counts = at.groupby("cohort").size()
        means.append(sum(params[f"cohort{c}_e{e}"] * n for c, n in counts.items()) / counts.sum())
    assert result.estimate == pytest.approx(np.mean(means), rel=1e-6)


def test_design_on_the_real_panel(global_panel):
    result = event_study_design(global_panel)
    assert result.details["threshold"] == 25 and "threshold_1000" in result.variants
    assert 0 <= result.pre_trend_p <= 1 and "pre_trend_p" in result.to_dict()
    assert result.details["onsets"] == 61 and result.details["ignored_later_onsets"] == 26
    assert 0 < result.details["onsets_used"] <= 61  # an onset without applications in -4..+5 is not used
    assert set(result.terms["event_times"]) == {-4, -3, -2, 0, 1, 2, 3, 4, 5}
