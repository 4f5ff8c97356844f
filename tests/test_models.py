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

from refugeestudy.models import (
    cross_correlation,
    fit_count_model,
    interrupted_time_series,
    its_design,
    naive_baselines,
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


# --------------------------------------------------------------------------- cross-correlation
def test_cross_correlation_against_corrcoef_on_shifted_arrays():
    x = np.array([0, 1, 0, 0, 2, 0, 0, 5, 1, 0, 3, 2], dtype=float)
    y = np.array([1, 0, 2, 0, 1, 3, 0, 1, 6, 2, 0, 4], dtype=float)
    out = cross_correlation(pd.Series(x), pd.Series(y), [0, 1, 2, 3])
    assert out["lag"].tolist() == [0, 1, 2, 3]
    for k in range(4):
        xs, ys = (x, y) if k == 0 else (x[:-k], y[k:])  # y_t with x_{t-k}
        assert out.loc[k, "correlation"] == pytest.approx(np.corrcoef(xs, ys)[0, 1], abs=1e-12)
        assert out.loc[k, "pairs"] == len(x) - k


def test_cross_correlation_detects_a_one_period_lead():
    x = pd.Series([0, 1, 0, 0, 2, 0, 0])
    y = x.shift(1).fillna(0)
    out = cross_correlation(x, y, [0, 1])
    assert out.loc[1, "correlation"] == pytest.approx(1.0, abs=1e-12)
    # by hand: lag 0 pairs (x, y) = (0,0),(1,0),(0,1),(0,0),(2,0),(0,2),(0,0)
    assert out.loc[0, "correlation"] == pytest.approx(
        np.corrcoef([0, 1, 0, 0, 2, 0, 0], [0, 0, 1, 0, 0, 2, 0])[0, 1], abs=1e-12)


def test_cross_correlation_missing_when_undefined():
    out = cross_correlation(pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([5.0, 5.0, 5.0, 5.0]), [0, 2])
    assert out["correlation"].isna().all()
    assert out["pairs"].tolist() == [4, 2]


# --------------------------------------------------------------------------- interrupted time series
def test_its_design_by_hand():
    periods = pd.Series(pd.date_range("2025-01-01", periods=6, freq="MS"))
    design = its_design(periods, {"a": pd.Timestamp("2025-03-15"), "b": pd.Timestamp("2025-05-01"),
                                  "late": pd.Timestamp("2026-01-01")})
    assert design.to_dict("list") == {
        "trend": [0, 1, 2, 3, 4, 5],
        "level_a": [0, 0, 0, 1, 1, 1],  # first period on or after 15 March is April
        "slope_a": [0, 0, 0, 0, 1, 2],
        "level_b": [0, 0, 0, 0, 1, 1],
        "slope_b": [0, 0, 0, 0, 0, 1],
        "level_late": [0, 0, 0, 0, 0, 0],
        "slope_late": [0, 0, 0, 0, 0, 0],
    }


def test_interrupted_time_series_level_change():
    periods = pd.Series(pd.date_range("2025-01-01", periods=6, freq="MS"))
    y = pd.Series([1, 1, 1, 5, 5, 5])
    fit = interrupted_time_series(y, periods, {"shock": pd.Timestamp("2025-04-01"),
                                              "edge": pd.Timestamp("2025-06-01")})
    assert np.exp(fit.params["level_shock"]) == pytest.approx(5.0, rel=1e-5)
    assert abs(fit.params["trend"]) < 1e-5 and abs(fit.params["slope_shock"]) < 1e-5
    assert "level_edge" not in fit.params
    assert fit.notes[0] == "breakpoint edge (2025-06-01) left out: 5 periods before, 1 after"


# --------------------------------------------------------------------------- baselines
def test_naive_baselines_by_hand():
    y = pd.Series([1, 3, 2, 4])
    out = naive_baselines(y, fitted=pd.Series([1.0, 2.0, 3.0, 4.0]))
    # last value: forecasts 1, 3, 2 for 3, 2, 4 → errors 2, 1, 2
    # historical mean: forecasts 1, 2, 2 → errors 2, 0, 2; model: 2, 3, 4 → errors 1, 1, 0
    assert out["method"].tolist() == ["last_value", "historical_mean", "model_in_sample"]
    assert out["mae"].tolist() == pytest.approx([5 / 3, 4 / 3, 2 / 3], abs=1e-12)
    assert out["periods"].tolist() == [3, 3, 3]


def test_naive_baselines_ignore_index_labels():
    y = pd.Series([10, 0, 5], index=pd.date_range("2025-01-01", periods=3, freq="MS"))
    out = naive_baselines(y)
    # last value: |0-10|, |5-0| → 7.5; historical mean: |0-10|, |5-5| → 5
    assert out["mae"].tolist() == pytest.approx([7.5, 5.0], abs=1e-12)


def test_interrupted_time_series_needs_three_periods_each_side():
    # Two periods before the break would be fitted exactly by level and trend: left out, said so.
    periods = pd.Series(pd.date_range("2025-01-01", periods=6, freq="MS"))
    fit = interrupted_time_series(pd.Series([2, 3, 9, 8, 9, 10]), periods,
                                  {"early": pd.Timestamp("2025-03-01")})
    assert list(fit.params.index) == ["const", "trend"]
    assert fit.notes[0] == "breakpoint early (2025-03-01) left out: 2 periods before, 4 after"
