"""Design 1, the origin-year model: synthetic recovery, statsmodels reference, missing never zero, real values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refugeestudy.global_study.designs.origin_year import (CONTROLS, fit_origin_year, origin_deaths, origin_year_design,
                                              origin_year_frame, origin_year_outcome, regressors)

from ._reference import clustered_glm, drop_singletons

BETA = dict(zip(regressors("per_100k"), [0.004, 0.002, 0.001, 0.0, 0.0]))
CONTROL_EFFECTS = {"log_gdp_pc_lag1": -0.3, "political_stability_lag1": -0.2, "log_population_lag1": 0.5,
                   "log_reporting_destinations": 1.0}


def synthetic_inputs(seed: int = 5, constant_origin: str | None = None):
    """Labelled SYNTHETIC: 12 origins, 1995-2020, noise-free outcome exp(α_o + γ_t + x'β).

    ``constant_origin`` gets no deaths (its rate is 0 every year: it carries no slope).
    """
    rng = np.random.default_rng(seed)
    origins = [f"S{i:02d}" for i in range(12)]
    years = np.arange(1995, 2021)
    grid = pd.MultiIndex.from_product([origins, years], names=["origin", "year"]).to_frame(index=False)
    controls = grid.assign(population=rng.uniform(1e6, 5e7, len(grid)), gdp_pc_ppp=rng.uniform(800, 40000, len(grid)),
                           political_stability=rng.normal(0, 1, len(grid)))
    deaths = grid.rename(columns={"origin": "origin_iso3"}).assign(
        deaths=np.floor(rng.exponential(3000, len(grid)) * rng.integers(0, 2, len(grid))))
    if constant_origin:
        deaths.loc[deaths["origin_iso3"] == constant_origin, "deaths"] = 0.0
    outcome = deaths[deaths["year"] >= 2000][["origin_iso3", "year"]].reset_index(drop=True)
    outcome["reporting_destinations"] = rng.integers(3, 40, len(outcome))
    outcome["applications"] = 1.0
    frame, _ = origin_year_frame(outcome, deaths, controls)
    alpha = dict(zip(origins, rng.normal(6, 1, len(origins))))
    gamma = dict(zip(years, rng.normal(0, 0.3, len(years))))
    eta = frame["origin_iso3"].map(alpha) + frame["year"].map(gamma)
    for name, value in {**BETA, **CONTROL_EFFECTS}.items():
        eta += value * frame[name]
    outcome = outcome.merge(frame[["origin_iso3", "year"]].assign(applications=np.exp(eta)),
                            on=["origin_iso3", "year"], suffixes=("_unused", ""))
    return outcome.drop(columns="applications_unused"), deaths, controls


def test_recovers_known_effects_on_noise_free_synthetic_data():
    outcome, deaths, controls = synthetic_inputs()
    frame, counts = origin_year_frame(outcome, deaths, controls)
    result = fit_origin_year(frame, details=counts)
    assert result.estimate == pytest.approx(0.007, rel=1e-6)
    for name, value in {**BETA, **CONTROL_EFFECTS}.items():
        assert result.fit.coefficients[name] == pytest.approx(value, rel=1e-6, abs=1e-9)
    assert result.n_clusters == 12 and result.n_observations == len(frame) == 12 * 19  # lead 2: deaths end 2020


def test_missing_controls_are_dropped_never_zero():
    outcome, deaths, controls = synthetic_inputs()
    controls.loc[(controls["origin"] == "S03") & (controls["year"] == 2009), "gdp_pc_ppp"] = np.nan
    controls.loc[(controls["origin"] == "S04") & (controls["year"] == 2014), "population"] = np.nan
    deaths = deaths[~((deaths["origin_iso3"] == "S05") & (deaths["year"] == 2012))]
    frame, counts = origin_year_frame(outcome, deaths, controls)
    rows = set(zip(frame["origin_iso3"], frame["year"]))
    assert ("S03", 2010) not in rows and ("S03", 2009) in rows  # income enters at t - 1
    # population of 2014 is the t - 1 control of 2015 and the rate's denominator of deaths 2015 (lag 0 in 2015,
    # lag 1 in 2016, lag 2 in 2017, lead 1 in 2014, lead 2 in 2013)
    assert {y for o, y in set(zip(outcome["origin_iso3"], outcome["year"])) - rows if o == "S04"} == \
        {2013, 2014, 2015, 2016, 2017}
    # deaths: S05's missing 2012 removes 2010-2014 (lags 0-2, leads 1-2); controls: S03 2010, S04 2013-2017
    assert counts == {"dropped_missing_deaths": 5, "dropped_missing_controls": 1 + 5}
    assert len(frame) == 12 * 19 - 11 and frame.notna().all().all()


def test_outcome_sums_reporting_dyads_only():
    panel = pd.DataFrame({"origin_iso3": ["A", "A", "A", "A"], "destination_iso3": ["X", "Y", "X", "Y"],
                          "year": [2010, 2010, 2011, 2011], "apps": [7, None, None, None],
                          "apps_destination_reported": [True, True, True, False]})
    out = origin_year_outcome(panel, "apps").set_index("year")
    assert out.loc[2010, "applications"] == 7 and out.loc[2010, "reporting_destinations"] == 2
    assert np.isnan(out.loc[2011, "applications"])  # no reporting dyad: missing, not 0


@pytest.fixture(scope="module")
def real_frame(global_panel, origin_controls):
    outcome = origin_year_outcome(global_panel)
    return origin_year_frame(outcome, origin_deaths(global_panel), origin_controls)


def test_real_deaths_and_outcome_values(global_panel):
    deaths = origin_deaths(global_panel).set_index(["origin_iso3", "year"])["deaths"]
    assert deaths[("SYR", 2014)] == 78689 and deaths[("SYR", 2024)] == 3616 and deaths[("SYR", 1998)] == 0
    assert ("ISR", 2023) not in deaths.index  # the Israel/Palestine rule: withheld, not zero
    outcome = origin_year_outcome(global_panel).set_index(["origin_iso3", "year"])
    syria = global_panel[(global_panel["origin_iso3"] == "SYR") & (global_panel["year"] == 2015)]
    assert outcome.loc[("SYR", 2015), "applications"] == syria["first_instance_persons"].sum() == 408_231


def test_matches_statsmodels_glm_with_dummies_on_the_real_frame(real_frame):
    frame = drop_singletons(real_frame[0], ["origin_iso3"])
    names = regressors("per_100k") + CONTROLS + ["log_reporting_destinations"]
    design = pd.concat([frame[names], pd.get_dummies(frame["origin_iso3"], dtype=float),
                        pd.get_dummies(frame["year"], prefix="y", dtype=float).iloc[:, 1:]], axis=1)
    params, cov = clustered_glm(frame["applications"], design, frame["origin_iso3"])
    result = fit_origin_year(frame)
    np.testing.assert_allclose(result.fit.coefficients[names], params[names], rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(result.fit.vcov.loc[names, names])),
                               np.sqrt(np.diag(cov.loc[names, names])), rtol=1e-4)
    assert result.estimate == pytest.approx(params[names[:3]].sum(), rel=1e-6)
    assert result.n_observations == len(frame) > 3000 and result.n_clusters == frame["origin_iso3"].nunique()


def test_design_on_real_inputs(global_panel, origin_controls, geography, real_frame):
    result = origin_year_design(global_panel, origin_controls, geography)
    assert set(result.variants) == {"log1p_deaths", "balanced_destinations", "neighbours", "rest",
                                    "idmc_conflict_displacements"}
    assert result.details["dropped_missing_controls"] == real_frame[1]["dropped_missing_controls"] > 0
    assert result.ci_low < result.estimate < result.ci_high
    assert result.details["first_year"] == 2001 and result.details["last_year"] == 2022  # lead 2; WGI to 2022
    assert result.variants["idmc_conflict_displacements"].details["first_year"] >= 2008
    assert "origin-years" in result.words and f"{result.n_clusters} origins" in result.words
