"""Model wrappers against reference values worked out by hand.

Tolerances: closed-form maximum likelihood estimates to 1e-6 (relative); the
negative-binomial dispersion, found here by a separate 1-D optimisation of the
profile likelihood with scipy, to 1e-5 (relative); correlations to 1e-12.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.optimize import minimize_scalar
from scipy.special import gammaln

from refugeestudy.case_study.models import (
    fit_count_model,
    overdispersion,
    p_value_allowed,
    permutation_test,
    placebo_dates,
    rolling_origin,
)

GROUP0 = [2, 3, 2]
GROUP1 = [8, 9, 7]


@pytest.fixture(scope="module")
def poisson():
    y = pd.Series(GROUP0 + GROUP1)
    X = pd.DataFrame({"after": [0] * 3 + [1] * 3})
    return fit_count_model(y, X, family="poisson")


def test_poisson_binary_regressor_closed_form(poisson):
    mean0, mean1 = np.mean(GROUP0), np.mean(GROUP1)  # 7/3 and 8
    assert np.exp(poisson.params["const"]) == pytest.approx(mean0, rel=1e-6)
    assert np.exp(poisson.params["const"] + poisson.params["after"]) == pytest.approx(mean1, rel=1e-6)
    assert np.exp(poisson.params["after"]) == pytest.approx(24 / 7, rel=1e-6)
    assert poisson.fitted.tolist() == pytest.approx([mean0] * 3 + [mean1] * 3, rel=1e-6)
    assert poisson.nobs == 6 and poisson.converged and poisson.family == "poisson"


def test_poisson_aic_by_hand(poisson):
    y = np.array(GROUP0 + GROUP1, dtype=float)
    mu = np.array([7 / 3] * 3 + [8.0] * 3)
    loglik = np.sum(y * np.log(mu) - mu - gammaln(y + 1))
    assert poisson.aic == pytest.approx(-2 * loglik + 2 * 2, rel=1e-6)


def test_poisson_hc0_standard_errors_are_the_sandwich():
    poisson = fit_count_model(pd.Series(GROUP0 + GROUP1),
                              pd.DataFrame({"after": [0] * 3 + [1] * 3}), cov_type="HC0")
    # Sandwich (X'WX)^-1 X' diag((y-mu)^2) X (X'WX)^-1 for a saturated binary design:
    # var(const) = sum_g0 (y-mu0)^2 / (n0 mu0)^2, var(const + after) likewise in group 1.
    y0, y1 = np.array(GROUP0, float), np.array(GROUP1, float)
    v0 = np.sum((y0 - y0.mean()) ** 2) / (3 * y0.mean()) ** 2
    v1 = np.sum((y1 - y1.mean()) ** 2) / (3 * y1.mean()) ** 2
    assert poisson.bse["const"] == pytest.approx(np.sqrt(v0), rel=1e-6)
    assert poisson.bse["after"] == pytest.approx(np.sqrt(v0 + v1), rel=1e-6)


def test_poisson_hc1_has_small_sample_factor(poisson):
    y0 = np.array(GROUP0, float)
    v0 = np.sum((y0 - y0.mean()) ** 2) / (3 * y0.mean()) ** 2
    assert poisson.bse["const"] == pytest.approx(np.sqrt(v0 * 6 / (6 - 2)), rel=1e-6)


Y_NB = np.array([0, 3, 1, 7, 0, 12, 2, 5, 0, 9], dtype=float)


def _nb2_alpha_by_profile(y: np.ndarray) -> float:
    """MLE of NB2 alpha with mu fixed at the sample mean (its MLE with a constant only)."""
    mu = y.mean()

    def nll(log_alpha):
        r = 1 / np.exp(log_alpha)
        return -np.sum(gammaln(y + r) - gammaln(r) - gammaln(y + 1)
                       + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))

    best = minimize_scalar(nll, bounds=(-10, 5), method="bounded", options={"xatol": 1e-12})
    return float(np.exp(best.x))


def test_negbin_constant_only_mean_and_alpha():
    fit = fit_count_model(pd.Series(Y_NB), pd.DataFrame(index=range(len(Y_NB))), family="negbin")
    assert list(fit.params.index) == ["const", "alpha"]
    assert np.exp(fit.params["const"]) == pytest.approx(Y_NB.mean(), rel=1e-5)  # 3.9
    assert fit.params["alpha"] == pytest.approx(_nb2_alpha_by_profile(Y_NB), rel=1e-5)
    assert fit.converged and fit.notes == []


def test_negbin_matches_statsmodels_discrete_model():
    x = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=float)
    fit = fit_count_model(pd.Series(Y_NB), pd.DataFrame({"x": x}), family="negbin")
    ref = sm.NegativeBinomial(Y_NB, sm.add_constant(x), loglike_method="nb2").fit(disp=0, maxiter=500)
    assert fit.params.to_numpy() == pytest.approx(ref.params, rel=1e-5)
    assert fit.aic == pytest.approx(ref.aic, rel=1e-6)
    # with one binary regressor the NB2 means are the group means too
    assert np.exp(fit.params["const"]) == pytest.approx(Y_NB[:5].mean(), rel=1e-5)
    assert np.exp(fit.params["const"] + fit.params["x"]) == pytest.approx(Y_NB[5:].mean(), rel=1e-5)


def test_fit_drops_missing_rows_and_reports_nobs():
    y = pd.Series([2, 3, None, 8, 9, 7, 4])
    X = pd.DataFrame({"after": [0, 0, 0, 1, 1, 1, None]})
    fit = fit_count_model(y, X)
    assert fit.nobs == 5
    assert np.exp(fit.params["const"]) == pytest.approx(2.5, rel=1e-6)
    assert np.exp(fit.params["const"] + fit.params["after"]) == pytest.approx(8.0, rel=1e-6)
    assert list(fit.fitted.index) == [0, 1, 3, 4, 5]


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        fit_count_model(pd.Series([1, -1, 2]), pd.DataFrame({"x": [0, 1, 0]}))
    with pytest.raises(ValueError, match="unknown family 'ols'"):
        fit_count_model(pd.Series([1, 1, 2]), pd.DataFrame({"x": [0, 1, 0]}), family="ols")


def test_to_dict_is_plain_rounded_json(poisson):
    data = poisson.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["terms"]["const"]["estimate"] == float(f"{np.log(7 / 3):.8g}")
    assert sorted(data["terms"]["after"]) == ["ci_high", "ci_low", "estimate", "p_value", "std_error"]
    assert data["nobs"] == 6 and data["family"] == "poisson"


# --------------------------------------------------------------------------- baselines, out of sample
def test_rolling_origin_baselines_by_hand():
    out = rolling_origin(pd.Series([1, 3, 2, 4]), min_train=1)
    # last value: forecasts 1, 3, 2 for 3, 2, 4 -> errors 2, 1, 2
    # historical mean: forecasts 1, 2, 2 -> errors 2, 0, 2
    assert out["method"].tolist() == ["last_value", "historical_mean"]
    assert out["mae"].tolist() == pytest.approx([5 / 3, 4 / 3], abs=1e-12)
    assert out["forecasts"].tolist() == [3, 3]


def test_rolling_origin_model_forecasts_only_from_the_past():
    # Poisson on a binary regressor predicts the training mean of its group (closed form)
    y = pd.Series([2.0, 4.0, 10.0, 12.0, 3.0, 11.0])
    X = pd.DataFrame({"x": [0, 0, 1, 1, 0, 1]})
    out = rolling_origin(y, X, min_train=4).set_index("method")
    # origin 4: train groups 0 -> mean 3, forecast 3 for y=3 (error 0);
    # origin 5: train x=1 rows 10, 12 -> 11, forecast 11 for 11 (error 0)
    assert out.loc["model", "mae"] == pytest.approx(0.0, abs=1e-6)
    assert out.loc["model", "forecasts"] == 2
    # last value: |3-12|, |11-3| -> 8.5; mean: |3-7|, |11-6.2| -> 4.4
    assert out.loc["last_value", "mae"] == pytest.approx(8.5)
    assert out.loc["historical_mean", "mae"] == pytest.approx((4 + 4.8) / 2)


# --------------------------------------------------------------------------- ModelResult API
def test_conf_int_and_summary_frame_by_hand(poisson):
    from scipy import stats

    ci = poisson.conf_int(0.10)
    z = stats.norm.ppf(0.95)
    assert ci.loc["after", "lower"] == pytest.approx(poisson.params["after"] - z * poisson.bse["after"])
    assert ci.loc["after", "upper"] == pytest.approx(poisson.params["after"] + z * poisson.bse["after"])
    table = poisson.summary_frame()
    assert table.columns.tolist() == ["term", "estimate", "std_error", "p_value", "ci_lower", "ci_upper"]
    assert table["term"].tolist() == ["const", "after"]
    ratios = poisson.summary_frame(rate_ratios=True)
    assert ratios.loc[1, "estimate"] == pytest.approx(24 / 7, rel=1e-6)
    assert poisson.cov_type == "HC1" and poisson.to_dict()["cov_type"] == "HC1"
    with pytest.raises(ValueError, match="alpha"):
        poisson.conf_int(1.5)


def test_quasi_poisson_standard_errors_by_hand():
    # quasi-Poisson SE = Poisson model SE x sqrt(Pearson chi2 / (n - k)), computed by hand
    y = np.array([0, 3, 1, 7, 0, 12, 2, 5, 0, 9], dtype=float)
    t = np.arange(10, dtype=float)
    fit = fit_count_model(pd.Series(y), pd.DataFrame({"t": t}), cov_type="X2")
    X = np.column_stack([np.ones(10), t])
    mu = np.exp(X @ fit.params.to_numpy())
    information = X.T @ (X * mu[:, None])
    phi = np.sum((y - mu) ** 2 / mu) / (10 - 2)
    expected = np.sqrt(np.diag(np.linalg.inv(information)) * phi)
    assert fit.bse.to_numpy() == pytest.approx(expected, rel=1e-6)
    assert fit.cov_type == "X2"
    with pytest.raises(ValueError, match="quasi-Poisson"):
        fit_count_model(pd.Series(y), pd.DataFrame({"t": t}), family="negbin", cov_type="X2")


def test_hac_standard_errors_by_hand():
    # Newey-West with 1 lag (Bartlett weight 1/2) on Poisson scores, no small-sample factor
    y = np.array([0, 3, 1, 7, 0, 12, 2, 5, 0, 9], dtype=float)
    t = np.arange(10, dtype=float)
    fit = fit_count_model(pd.Series(y), pd.DataFrame({"t": t}), cov_type="HAC", hac_lags=1)
    X = np.column_stack([np.ones(10), t])
    mu = np.exp(X @ fit.params.to_numpy())
    scores = X * (y - mu)[:, None]
    meat = scores.T @ scores + 0.5 * (scores[1:].T @ scores[:-1] + scores[:-1].T @ scores[1:])
    bread = np.linalg.inv(X.T @ (X * mu[:, None]))
    expected = np.sqrt(np.diag(bread @ meat @ bread))
    assert fit.bse.to_numpy() == pytest.approx(expected, rel=1e-6)


def test_overdispersion_by_hand():
    y = np.array([0, 3, 1, 7, 0, 12, 2, 5, 0, 9], dtype=float)
    t = np.arange(10, dtype=float)
    out = overdispersion(pd.Series(y), pd.DataFrame({"t": t}))
    mu = fit_count_model(pd.Series(y), pd.DataFrame({"t": t})).fitted.to_numpy()
    assert out["pearson_dispersion"] == pytest.approx(np.sum((y - mu) ** 2 / mu) / 8, rel=1e-6)
    dean = np.sum((y - mu) ** 2 - y) / np.sqrt(2 * np.sum(mu ** 2))
    assert out["dean_statistic"] == pytest.approx(dean, rel=1e-6)
    assert out["nobs"] == 10 and out["dean_p_value"] < 0.001


def test_permutation_p_value_matches_an_exhaustive_enumeration():
    x = pd.Series([0.0, 1.0, 5.0, 2.0])
    y = pd.Series([1.0, 0.0, 4.0, 3.0])
    out = permutation_test(x, y)
    # by enumeration of the 24 orders of y written out here, independently of the function
    import itertools

    r = np.corrcoef(x, y)[0, 1]
    count = sum(np.corrcoef(x, p)[0, 1] >= r - 1e-12 for p in itertools.permutations(y))
    assert out["exact"] and out["permutations"] == 24
    assert out["p_value"] == pytest.approx(count / 24)
    # r(x, y) is the 2nd largest of the 24 (only y sorted as x beats it): p = 2/24
    assert out["p_value"] == pytest.approx(2 / 24)
    sampled = permutation_test(pd.Series(range(12)), pd.Series(range(12)), draws=999)
    assert not sampled["exact"] and sampled["p_value"] == pytest.approx(1 / 1000)


def test_placebo_dates_by_hand():
    y = pd.Series([1.0, 1.0, 2.0, 8.0, 6.0, 1.0, None, 2.0])
    out = placebo_dates(y, event=3, window=2)
    # positions 2..6 need two values each side; 5 and 6 touch the missing value
    assert out["position"].tolist() == [2, 3, 4]
    assert out["jump"].tolist() == pytest.approx([(2 + 8) / 2 - 1, (8 + 6) / 2 - 1.5, (6 + 1) / 2 - 5])
    assert out.loc[out["event"], "rank"].item() == 1


def test_p_values_need_the_stated_number_of_observations():
    assert not p_value_allowed(19) and p_value_allowed(20) and p_value_allowed(4, minimum=4)
