"""Report 05's library: missing panel, outcome table, response per 1,000 deaths and rank by hand."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from refugeestudy.global_study import origin_destination as study
from refugeestudy.pipeline.datasets import MissingSource
from refugeestudy.global_study.ppml import estimation_frame, fit_ppml



@pytest.fixture(scope="module")
def panel(global_panel):
    return global_panel


@pytest.fixture(scope="module")
def russia_fit(panel):
    frame = estimation_frame(panel, study.FORECAST)
    frame = study._reference_subset(frame, ("RUS",))
    return fit_ppml(panel, study.FORECAST, frame=frame)


def test_missing_panel_names_the_fetch(tmp_path):
    with pytest.raises(MissingSource, match="refugeestudy fetch unhcr_global_asylum_applications "
                                            "unhcr_global_population ucdp_country_year"):
        study.load_dyad_panel(tmp_path)


def test_outcome_rules_table_lists_codes():
    table = study.outcome_rules_table()
    assert len(table) == 3
    assert "TA" in table.loc[0, "Rows kept"] and "A, R, RA, J" in table.loc[0, "Rows left out"]


def test_response_per_1000_deaths_by_hand(russia_fit):
    table = russia_fit.response_per_1000_deaths().set_index("term")
    fitted = russia_fit.fitted()
    beta = russia_fit.coefficients["log_deaths_lag1"]
    d = fitted["deaths_lag1"].to_numpy()
    active = d >= 25
    change = fitted["predicted"].to_numpy() * (((1 + d + 1000) / (1 + d)) ** beta - 1)
    origin_years = (fitted["origin_iso3"] + fitted["year"].astype(str))[active].nunique()
    assert table.loc["log_deaths_lag1", "origin_years"] == origin_years
    assert table.loc["log_deaths_lag1", "estimate"] == pytest.approx(change[active].sum() / origin_years, rel=1e-10)
    assert table.loc["all lags together", "ci_low"] < table.loc["all lags together", "estimate"]


def test_rank_among_origins_by_hand(russia_fit):
    rank = study.rank_among_origins(russia_fit, "RUS", 2025, "SYR")
    fitted = russia_fit.fitted()
    rows = fitted[(fitted["year"] == 2025)]
    ratio = (rows["applications"] / rows["predicted"]).to_numpy()
    syria = ratio[(rows["origin_iso3"] == "SYR").to_numpy()][0]
    assert rank["rank"] == int((ratio > syria).sum()) + 1
    assert rank["origins"] == len(rows)
    assert list(rank["table"].columns)[0] == "Origin" and rank["table"]["Origin"].iloc[0] != "SYR"
    assert np.all(np.diff(rank["table"]["Observed / fitted"].to_numpy()) <= 0)


def test_nb2_matches_statsmodels_with_dummies(panel):
    """NB2 by reweighted PPML against statsmodels' NB2 GLM with dummy fixed effects (Russia's rows)."""
    import statsmodels.api as sm

    spec = study.MAIN
    frame = study._reference_subset(estimation_frame(panel, spec), ("RUS",))
    ppml = fit_ppml(panel, spec, frame=frame)
    alpha = study.overdispersion_alpha(ppml)
    mine = study.fit_nb2(frame, spec, alpha, ppml)
    groups = pd.factorize(frame["origin_iso3"])[0]
    clusters = len(np.unique(groups))
    design = study.dummy_design(frame, spec.regressors)
    poisson = sm.GLM(frame["applications"], design, family=sm.families.Poisson()).fit(
        method="newton", tol=1e-12, maxiter=100)  # the start: Newton diverges from zeros, IRLS oscillates
    reference = sm.GLM(frame["applications"], design, family=sm.families.NegativeBinomial(alpha=alpha)).fit(
        start_params=poisson.params, method="newton", tol=1e-13, maxiter=100, cov_type="cluster",
        cov_kwds={"groups": groups, "use_correction": False})
    names = spec.regressors
    se = np.sqrt(np.diag(reference.cov_params().loc[names, names]) * clusters / (clusters - 1))
    assert 0 < alpha and mine.n_obs == len(frame)
    np.testing.assert_allclose(mine.coefficients[names].to_numpy(), reference.params[names].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(mine.vcov.loc[names, names])), se, rtol=1e-6)


def test_reclustered_equals_a_refit_with_two_way_clusters(panel):
    frame = study._reference_subset(estimation_frame(panel, study.MAIN), study.REFERENCE_DESTINATIONS)
    origin = fit_ppml(panel, study.MAIN, frame=frame)
    before = origin.vcov.to_numpy().copy()
    mine = study.reclustered(origin, "origin+destination")
    refit = fit_ppml(panel, study.MAIN.but(cluster="origin+destination"), frame=frame)
    np.testing.assert_allclose(mine.vcov.to_numpy(), refit.vcov.to_numpy(), rtol=1e-10)
    np.testing.assert_array_equal(origin.vcov.to_numpy(), before)  # the original fit keeps its errors
    assert mine.n_clusters == refit.n_clusters == len(study.REFERENCE_DESTINATIONS)
