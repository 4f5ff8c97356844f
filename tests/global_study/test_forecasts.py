"""Report 05's forecasts: history columns, every model against an independent fit, Diebold–Mariano."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refugeestudy.global_study import forecasts as fc
from refugeestudy.global_study.origin_destination import FORECAST, _reference_subset, dummy_design
from refugeestudy.global_study.ppml import ModelError

YEARS = [2023, 2024]


@pytest.fixture(scope="module")
def small_panel(global_panel):
    """The real panel's rows into Russia and Germany (feasible for dummy-variable references)."""
    return global_panel[global_panel["destination_iso3"].isin(["RUS", "DEU"])].reset_index(drop=True)


@pytest.fixture(scope="module")
def forecasts(small_panel):
    return fc.rolling_forecasts(small_panel, YEARS, FORECAST)


def _glm_forecast(frame: pd.DataFrame, year: int, columns: list[str], offset: bool) -> pd.Series:
    """statsmodels GLM Poisson on the earlier years with a constant; its forecast of ``year``."""
    import statsmodels.api as sm

    rows = frame.dropna(subset=["last_value"])
    past, target = rows[rows["year"] < year], rows[rows["year"] == year]
    result = sm.GLM(past["applications"], sm.add_constant(past[columns]), family=sm.families.Poisson(),
                    offset=np.log(past["last_value"]) if offset else None).fit(tol=1e-12)
    mean = sm.add_constant(target[columns], has_constant="add") @ result.params.to_numpy()
    if offset:
        mean = mean + np.log(target["last_value"])
    return pd.Series(np.exp(mean).to_numpy(), index=pd.MultiIndex.from_frame(target[["dyad", "year"]]))


def test_history_of_syria_russia(small_panel):
    frame = fc.forecast_frame(small_panel, FORECAST).set_index(["dyad", "year"])
    syria = small_panel[(small_panel["origin_iso3"] == "SYR") & (small_panel["destination_iso3"] == "RUS")]
    values = syria.set_index("year")["first_instance_persons"].astype("float64")
    assert frame.loc[("SYR-RUS", 2025), "last_value"] == values[2024] == 785
    assert frame.loc[("SYR-RUS", 2025), "dyad_mean"] == pytest.approx(values.loc[:2024].dropna().mean(), rel=1e-12)
    change = np.log1p(syria.set_index("year").loc[2025, ["deaths_total_best_lag1", "deaths_total_best_lag2"]]
                      .astype(float).to_numpy())
    assert frame.loc[("SYR-RUS", 2025), "change_log_deaths"] == pytest.approx(change[0] - change[1], rel=1e-12)


def test_dynamic_and_growth_match_statsmodels(small_panel, forecasts):
    frame = fc.forecast_frame(small_panel, FORECAST)
    keyed = forecasts.assign(dyad=forecasts["origin_iso3"] + "-" + forecasts["destination_iso3"])
    keyed = keyed.set_index(["dyad", "year"])
    for year in YEARS:
        dynamic = _glm_forecast(frame, year, ["log_last_value", "log_deaths_lag1", "log_deaths_lag2"], False)
        growth = _glm_forecast(frame, year, ["change_log_deaths"], True)
        mine = keyed.xs(year, level="year", drop_level=False)
        np.testing.assert_allclose(mine["dynamic_ppml"], dynamic.reindex(mine.index), rtol=1e-6)
        np.testing.assert_allclose(mine["growth_deaths"], growth.reindex(mine.index), rtol=1e-6)


def _static_reference(frame: pd.DataFrame, year: int) -> pd.Series:
    """statsmodels GLM Poisson with dyad and destination-year dummies on the earlier years.

    The forecast: dyad coefficient + the destination's coefficient of ``year`` − 1 (zero for the
    dummy left out) + slopes times deaths; NaN where the dyad has no coefficient.
    """
    import statsmodels.api as sm

    past = _reference_subset(frame[frame["year"] < year])
    design = dummy_design(past, FORECAST.regressors)
    result = sm.GLM(past["applications"], design, family=sm.families.Poisson()).fit(
        method="newton", tol=1e-12, maxiter=200)
    target = frame[frame["year"] == year]
    params = result.params
    previous = target["destination_iso3"] + "-" + (target["year"] - 1).astype(str)
    years = previous.map(lambda key: params.get(key, 0.0 if key in set(past["destination_year"]) else np.nan))
    eta = target["dyad"].map(params) + years + target[FORECAST.regressors].to_numpy() @ params[
        FORECAST.regressors].to_numpy()
    return pd.Series(np.exp(eta.to_numpy()), index=pd.MultiIndex.from_frame(target[["dyad", "year"]]))


def test_static_model_matches_statsmodels_dummies(small_panel):
    russia_panel = small_panel[small_panel["destination_iso3"] == "RUS"]
    frame = fc.forecast_frame(russia_panel, FORECAST)
    russia = fc.rolling_forecasts(russia_panel, YEARS, FORECAST)
    keyed = russia.assign(dyad=russia["origin_iso3"] + "-" + russia["destination_iso3"]).set_index(["dyad", "year"])
    for year in YEARS:
        mine = keyed.xs(year, level="year", drop_level=False)["static_ppml"]
        np.testing.assert_allclose(mine, _static_reference(frame, year).reindex(mine.index), rtol=1e-6)
    assert russia[list(fc.MODELS)].notna().all().all() and len(russia) > 50


def test_diebold_mariano_matches_statsmodels_ols_with_clusters(forecasts):
    import statsmodels.api as sm

    errors = {m: (forecasts[m] - forecasts["observed"]).abs().to_numpy() for m in fc.MODELS}
    groups = pd.factorize(forecasts["origin_iso3"])[0]
    mine = fc.diebold_mariano(errors["static_ppml"], errors["last_value"], forecasts["origin_iso3"].to_numpy())
    difference = errors["static_ppml"] - errors["last_value"]
    ols = sm.OLS(difference, np.ones((len(difference), 1))).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                                                 use_t=True)
    assert mine["clusters"] == len(np.unique(groups))
    assert mine["statistic"] == pytest.approx(float(ols.tvalues[0]), rel=1e-6)
    assert mine["p_value"] == pytest.approx(float(ols.pvalues[0]), rel=1e-6)
    assert mine["std_error"] == pytest.approx(float(ols.bse[0]), rel=1e-6)


def test_accuracy_table_relative_to_last_value(forecasts):
    table = fc.accuracy_table(forecasts).set_index("Model")
    last = (forecasts["last_value"] - forecasts["observed"]).abs().mean()
    mean = (forecasts["dyad_mean"] - forecasts["observed"]).abs().mean()
    assert table.loc["last_value", "Relative MAE"] == 1.0 and np.isnan(table.loc["last_value", "DM p-value"])
    assert table.loc["dyad_mean", "MAE"] == pytest.approx(mean, rel=1e-12)
    assert table.loc["dyad_mean", "Relative MAE"] == pytest.approx(mean / last, rel=1e-12)
    by_year = fc.accuracy_by_year(forecasts).set_index("Forecast year")
    assert by_year["Dyad-years"].sum() == len(forecasts)


def test_forecasts_refuse_deaths_of_the_forecast_year(small_panel):
    with pytest.raises(ModelError, match="lags 1 and 2"):
        fc.rolling_forecasts(small_panel, YEARS, FORECAST.but(lags=(0, 1, 2)))
