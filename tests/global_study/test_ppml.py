"""PPML: the reference test against statsmodels with dummy fixed effects, and the derived quantities.

Reference: on the rows into Russia and five EU states (where ~850 dummies are
feasible), statsmodels' GLM Poisson with one dummy per dyad and per
destination-year (each destination's first year dropped: the dyad dummies span
it) and cluster-robust covariance by origin, ``use_correction=False`` then
multiplied by G/(G-1) by hand; refugeestudy's estimator uses pyfixest with
``ssc(k_adj=False, G_adj=True)``, the same G/(G-1) and no (n-1)/(n-K).
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy import stats

from refugeestudy.global_study.ppml import ModelError, Specification, estimation_frame, fit_ppml, predict_left_out

DESTINATIONS = ("RUS", "DEU", "FRA", "SWE", "AUT", "BEL")


@pytest.fixture(scope="module")
def panel(global_panel):
    return global_panel


@pytest.fixture(scope="module")
def subset(panel):
    frame = estimation_frame(panel, Specification())
    frame = frame[frame["destination_iso3"].isin(DESTINATIONS)]
    while True:  # no fixed-effect group of one row (pyfixest would drop it; statsmodels fits it exactly)
        keep = (frame.groupby("dyad")["year"].transform("size") > 1) & \
               (frame.groupby("destination_year")["year"].transform("size") > 1)
        if keep.all():
            return frame.reset_index(drop=True)
        frame = frame[keep]


def test_matches_statsmodels_glm_with_dummies(panel, subset):
    import statsmodels.api as sm

    spec = Specification()
    first_years = subset.groupby("destination_iso3")["destination_year"].min().tolist()
    design = pd.concat([subset[spec.regressors], pd.get_dummies(subset["dyad"], dtype=float),
                        pd.get_dummies(subset["destination_year"], dtype=float).drop(columns=first_years)],
                       axis=1)
    groups = pd.factorize(subset["origin_iso3"])[0]
    clusters = len(np.unique(groups))
    reference = sm.GLM(subset["applications"], design, family=sm.families.Poisson()).fit(
        method="newton", tol=1e-12, maxiter=100, cov_type="cluster",
        cov_kwds={"groups": groups, "use_correction": False})
    ref_b = reference.params[spec.regressors].to_numpy()
    ref_se = np.sqrt(np.diag(reference.cov_params().loc[spec.regressors, spec.regressors]) * clusters / (clusters - 1))

    fit = fit_ppml(panel, spec, frame=subset)
    assert fit.n_obs == len(subset) > 10_000
    assert fit.n_clusters == clusters
    np.testing.assert_allclose(fit.coefficients.to_numpy(), ref_b, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov)), ref_se, rtol=1e-4)


def test_lag_sum_lead_test_and_intervals_by_hand(panel, subset):
    fit = fit_ppml(panel, Specification(), frame=subset)
    b, v = fit.coefficients, fit.vcov
    lags = ["log_deaths_lag0", "log_deaths_lag1", "log_deaths_lag2"]
    total = fit.lag_sum()
    assert total["estimate"] == pytest.approx(b[lags].sum(), rel=1e-12)
    assert total["std_error"] == pytest.approx(np.sqrt(v.loc[lags, lags].to_numpy().sum()), rel=1e-12)
    t = stats.t.ppf(0.975, fit.n_clusters - 1)
    assert total["ci_high"] - total["estimate"] == pytest.approx(t * total["std_error"], rel=1e-12)
    lead = fit.lead_test()
    z = b["log_deaths_lead1"] / np.sqrt(v.loc["log_deaths_lead1", "log_deaths_lead1"])
    assert lead["statistic"] == pytest.approx(z ** 2, rel=1e-10)
    assert lead["p_value"] == pytest.approx(2 * stats.t.sf(abs(z), fit.n_clusters - 1), rel=1e-8)


def test_two_way_clusters_differ_and_use_the_smaller_dimension(panel, subset):
    one = fit_ppml(panel, Specification(), frame=subset)
    two = fit_ppml(panel, Specification(cluster="origin+destination"), frame=subset)
    np.testing.assert_allclose(one.coefficients, two.coefficients, rtol=1e-12)
    assert two.n_clusters == len(DESTINATIONS)
    assert not np.allclose(np.diag(one.vcov), np.diag(two.vcov))


def test_absent_as_zero_adds_rows_only_in_reporting_destination_years(panel):
    missing = estimation_frame(panel, Specification())
    zero = estimation_frame(panel, Specification(absent="zero"))
    added = len(zero) - len(missing)
    assert added > 0 and (zero["applications"] == 0).sum() == added
    assert (missing["applications"] >= 5).all()


def test_left_out_prediction_syria_russia_2025(panel):
    forecast = Specification(lags=(1, 2), leads=())
    case = predict_left_out(panel, forecast, "SYR", "RUS", 2025)
    assert case["observed"] == 3320
    assert 0 < case["predicted"] < case["pi_high"] < case["observed"]  # far above what the model expects
    assert case["pi_low"] <= case["predicted"]


def test_bad_specifications(panel):
    with pytest.raises(ModelError, match="no outcome 'eurostat_first_time'"):
        estimation_frame(panel, Specification(outcome="eurostat_first_time"))
    with pytest.raises(ModelError, match="absent must be"):
        estimation_frame(panel, Specification(absent="zeros"))
    with pytest.raises(ModelError, match="not in the estimation frame"):
        predict_left_out(panel, Specification(lags=(1, 2), leads=()), "SYR", "RUS", 1990)


def test_dispersion_by_hand(panel, subset):
    fit = fit_ppml(panel, Specification(), frame=subset)
    fitted = fit.fitted()
    y, mu = fitted["applications"].to_numpy(), fitted["predicted"].to_numpy()
    df = len(subset) - 4 - (subset["dyad"].nunique() + subset["destination_year"].nunique() - 1)
    assert fit.dispersion == pytest.approx(((y - mu) ** 2 / mu).sum() / df, rel=1e-12)
    assert fit.dispersion == pytest.approx(float(fit.model._pearson_chi2) / df, rel=1e-6)  # pyfixest's own
    assert fit.dispersion > 10  # counts of thousands: strongly overdispersed
