"""One-year-ahead forecasts of dyad-year applications, measured against last year's value.

Rolling origin: for each forecast year t, every model is fitted on the years
before t only and forecasts the dyad-years of t. The models (:data:`MODELS`):

* ``last_value`` — the dyad's reported applications in t − 1 (the naive baseline);
* ``dyad_mean`` — the dyad's mean over every reported year before t;
* ``static_ppml`` — PPML with dyad and destination-year effects and deaths at
  origin one and two years before (:data:`refugeestudy.global_study.origin_destination.FORECAST`);
  the destination-year effect of t cannot be estimated from the past, so that
  of t − 1 is carried forward;
* ``dynamic_ppml`` — PPML of applications on log(1 + last year's applications)
  and log(1 + deaths) one and two years before, with a constant (no fixed
  effects, so every dyad with a last value gets a forecast);
* ``growth_deaths`` — last year's value times exp(c + β Δ), Δ the change in
  log(1 + deaths) from t − 2 to t − 1, fitted by PPML with log(last value) as
  offset: growth relative to the last value driven by the change in deaths.

Deaths of year t are never used (they are not known when forecasting t).
Models are compared on the same dyad-years: those where every model gives a
forecast. :func:`diebold_mariano` tests a model's mean absolute error against
last value's on the absolute-error differences pooled over dyad-years, with a
variance clustered by origin (G/(G − 1) factor, Student's t with G − 1 df).

Examples
--------
>>> MODELS
('last_value', 'dyad_mean', 'static_ppml', 'dynamic_ppml', 'growth_deaths')
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from refugeestudy.global_study.ppml import FIXEF_TOL, SSC, ModelError, Specification, estimation_frame, fit_ppml

__all__ = ["MODELS", "MODEL_LABELS", "forecast_frame", "rolling_forecasts", "diebold_mariano",
           "accuracy_table", "accuracy_by_year", "accuracy_words", "dyad_forecasts"]

MODELS = ("last_value", "dyad_mean", "static_ppml", "dynamic_ppml", "growth_deaths")
MODEL_LABELS = {"last_value": "Last year's value", "dyad_mean": "Dyad mean so far",
                "static_ppml": "PPML, dyad and destination-year effects, deaths lags 1-2",
                "dynamic_ppml": "PPML on log(1 + last year's value) and deaths lags 1-2",
                "growth_deaths": "Last value × growth driven by the change in deaths"}
_DYNAMIC = "applications ~ log_last_value + log_deaths_lag1 + log_deaths_lag2"
_GROWTH = "applications ~ change_log_deaths"


def forecast_frame(panel: pd.DataFrame, spec: Specification) -> pd.DataFrame:
    """The estimation frame of ``spec`` with each dyad's history: last value and mean so far.

    ``last_value`` is the dyad's reported ``spec.outcome`` in the year before (missing
    when the source reports nothing that year, never zero); ``dyad_mean`` the mean of
    its reported values over every earlier year; ``change_log_deaths`` is
    log(1 + deaths in t − 1) − log(1 + deaths in t − 2).

    Examples
    --------
    >>> from refugeestudy.global_study.origin_destination import FORECAST
    >>> panel = pd.DataFrame({"origin_iso3": ["A"] * 3, "destination_iso3": ["B"] * 3, "year": [1, 2, 3],
    ...     "first_instance_persons": pd.array([10, None, 30], "Int64"),
    ...     "deaths_total_best_lag1": pd.array([0, 9, 99], "Int64"),
    ...     "deaths_total_best_lag2": pd.array([0, 0, 9], "Int64")})
    >>> forecast_frame(panel, FORECAST)[["year", "applications", "last_value", "dyad_mean"]].to_dict("list")
    {'year': [1, 3], 'applications': [10.0, 30.0], 'last_value': [nan, nan], 'dyad_mean': [nan, 10.0]}
    """
    frame = estimation_frame(panel, spec)
    history = pd.DataFrame({"dyad": panel["origin_iso3"] + "-" + panel["destination_iso3"],
                            "year": panel["year"], "value": panel[spec.outcome].astype("float64")})
    history = history.dropna().sort_values(["dyad", "year"])
    history["year"] += 1  # a value of year t - 1 is the history of year t
    by_dyad = history.groupby("dyad")["value"]
    history["dyad_mean"] = by_dyad.cumsum() / (by_dyad.cumcount() + 1)
    means = history[["dyad", "year", "dyad_mean"]]
    last = history[["dyad", "year", "value"]].rename(columns={"value": "last_value"})
    frame = frame.merge(last, on=["dyad", "year"], how="left")
    frame = pd.merge_asof(frame.sort_values("year"), means.sort_values("year"), on="year", by="dyad",
                          allow_exact_matches=True)
    frame["log_last_value"] = np.log1p(frame["last_value"])
    frame["log_offset"] = np.log(frame["last_value"])
    frame["change_log_deaths"] = frame["log_deaths_lag1"] - frame["log_deaths_lag2"]
    return frame.sort_values(["origin_iso3", "destination_iso3", "year"]).reset_index(drop=True)


def _fepois(formula: str, frame: pd.DataFrame, offset: str | None = None):
    """PPML with pyfixest, clustered by origin (the project's small-sample factor)."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
        warnings.filterwarnings("ignore", message=".*removed because of separation.*")
        return pf.fepois(formula, frame, vcov={"CRV1": "origin_iso3"}, ssc=pf.ssc(**SSC), offset=offset,
                         iwls_tol=1e-10)


def _linear_predictor(model, rows: pd.DataFrame) -> np.ndarray:
    """Constant plus slopes times regressors (no fixed effects) for ``rows``."""
    coefficients = model.coef()
    slopes = coefficients.drop("Intercept", errors="ignore")
    eta = rows[slopes.index].to_numpy() @ slopes.to_numpy()
    return eta + float(coefficients.get("Intercept", 0.0))


def _static_forecast(past: pd.DataFrame, target: pd.DataFrame, spec: Specification) -> np.ndarray:
    """Dyad effect + last fitted destination-year effect + slopes; NaN where an effect is unknown."""
    fit = fit_ppml(past, spec, frame=past)
    effects = fit.model.fixef(**FIXEF_TOL)
    dyad = target["dyad"].map(pd.Series(effects["C(dyad)"], dtype=float))
    previous = target["destination_iso3"] + "-" + (target["year"] - 1).astype(str)
    destination = previous.map(pd.Series(effects["C(destination_year)"], dtype=float))
    return np.exp((dyad + destination).to_numpy() + _linear_predictor(fit.model, target))


def _forecast_year(frame: pd.DataFrame, spec: Specification, year: int) -> pd.DataFrame:
    """Every model's forecast of the dyad-years of ``year``, each fitted on earlier years only."""
    past = frame[frame["year"] < year].reset_index(drop=True)
    target = frame[frame["year"] == year].reset_index(drop=True)
    if past.empty or target.empty:
        raise ModelError(f"no dyad-year to fit or forecast for {year}")
    with_last = past.dropna(subset=["last_value"]).reset_index(drop=True)
    dynamic = _fepois(_DYNAMIC, with_last)
    growth = _fepois(_GROWTH, with_last, offset="log_offset")
    out = target[["origin_iso3", "destination_iso3", "year", "applications", "last_value", "dyad_mean"]]
    out = out.rename(columns={"applications": "observed"})
    out["static_ppml"] = _static_forecast(past, target, spec)
    out["dynamic_ppml"] = np.exp(_linear_predictor(dynamic, target))  # NaN without a last value
    out["growth_deaths"] = target["last_value"] * np.exp(_linear_predictor(growth, target))
    return out


def rolling_forecasts(panel: pd.DataFrame, years: list[int], spec: Specification, *,
                      jobs: int = 1) -> pd.DataFrame:
    """One-year-ahead forecasts of every model in :data:`MODELS`, for each of ``years``.

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel.
    years : list of int
        Forecast years; each is forecast from the years before it only.
    spec : Specification
        The static model (lags ≥ 1, no lead); its outcome, deaths and bound are
        those of every model.
    jobs : int
        Years fitted at once (joblib).

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, destination_iso3, year, observed`` and one column per model, for the
        dyad-years where every model gives a forecast.

    Raises
    ------
    ModelError
        If ``spec`` uses deaths of the forecast year or a lead.
    """
    from joblib import Parallel, delayed

    if min(spec.lags) < 1 or spec.leads or not {1, 2} <= set(spec.lags):
        raise ModelError("forecasts need deaths lags 1 and 2 (and none of the forecast year), no lead")
    frame = forecast_frame(panel, spec)
    parts = Parallel(n_jobs=jobs)(delayed(_forecast_year)(frame, spec, year) for year in years)
    forecasts = pd.concat(parts, ignore_index=True)
    return forecasts.dropna(subset=list(MODELS)).reset_index(drop=True)


def diebold_mariano(loss: np.ndarray, baseline_loss: np.ndarray, groups: np.ndarray) -> dict:
    """Test equal mean loss: the mean loss difference over its origin-clustered standard error.

    d = loss − baseline_loss per dyad-year; the statistic is mean(d) / se, with
    se² = G/(G − 1) · Σ_g (Σ_{i in g} (d_i − mean d))² / n² (OLS of d on a
    constant, errors clustered by ``groups``); p is two-sided from Student's t
    with G − 1 degrees of freedom. Identical losses give NaN (no test).

    Examples
    --------
    >>> out = diebold_mariano(np.array([1., 2, 3, 6]), np.array([1., 1, 1, 1]), np.array(["a", "a", "b", "b"]))
    >>> round(out["mean_difference"], 3), round(out["std_error"], 3), out["clusters"]
    (2.0, 1.5, 2)
    """
    difference = np.asarray(loss, dtype=float) - np.asarray(baseline_loss, dtype=float)
    n = len(difference)
    codes, clusters = pd.factorize(pd.Series(groups))
    g = len(clusters)
    mean = float(difference.mean())
    sums = np.bincount(codes, weights=difference - mean, minlength=g)
    std_error = float(np.sqrt(g / (g - 1) * np.sum(sums ** 2)) / n)
    statistic = mean / std_error if std_error > 0 else float("nan")  # identical losses: nothing to test
    from scipy import stats  # on first use: importing scipy.stats costs report workers ~0.5 s

    return {"mean_difference": mean, "std_error": std_error, "statistic": statistic, "clusters": g,
            "p_value": float(2 * stats.t.sf(abs(statistic), g - 1))}


def accuracy_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Per model: MAE, MAE relative to last value, and the Diebold–Mariano test against last value.

    Examples
    --------
    >>> f = pd.DataFrame({"origin_iso3": ["A", "A", "B", "C"], "observed": [10., 20, 30, 40],
    ...                   **{m: [11., 22, 33, 44] for m in MODELS}})
    >>> accuracy_table(f.assign(dyad_mean=[10., 20, 30, 44]))[["Model", "MAE", "Relative MAE"]].values.tolist()[:2]
    [['last_value', 2.5, 1.0], ['dyad_mean', 1.0, 0.4]]
    """
    errors = {m: (forecasts[m] - forecasts["observed"]).abs().to_numpy() for m in MODELS}
    groups = forecasts["origin_iso3"].to_numpy()
    rows = []
    for model in MODELS:
        test = (diebold_mariano(errors[model], errors["last_value"], groups) if model != "last_value"
                else {"statistic": np.nan, "p_value": np.nan})
        rows.append({"Model": model, "Description": MODEL_LABELS[model], "Dyad-years": len(forecasts),
                     "MAE": float(errors[model].mean()),
                     "Relative MAE": float(errors[model].mean() / errors["last_value"].mean()),
                     "DM statistic": test["statistic"], "DM p-value": test["p_value"]})
    return pd.DataFrame(rows)


def accuracy_words(table: pd.DataFrame) -> str:
    """Which model wins against last year's value, in one sentence (from :func:`accuracy_table`).

    A model "beats" last value when its relative MAE is below 1 and the
    Diebold–Mariano p-value is below 0.05.

    Examples
    --------
    >>> t = pd.DataFrame({"Model": ["last_value", "a", "b"], "Relative MAE": [1.0, 0.99, 1.3],
    ...                   "DM p-value": [float("nan"), 0.8, 0.001]})
    >>> accuracy_words(t)
    "No model beats last year's value: the closest, a, has a mean absolute error 0.990 times last value's (Diebold–Mariano p = 0.80, a difference the data cannot tell from none); b is 1.300 times (p = 0.001)."
    """
    others = table[table["Model"] != "last_value"].sort_values("Relative MAE")
    best = others.iloc[0]
    rest = "; ".join(f"{_in_words(row['Model'])} is {row['Relative MAE']:.3f} times (p = {row['DM p-value']:.2g})"
                     for _, row in others.iloc[1:].iterrows())
    if best["Relative MAE"] < 1 and best["DM p-value"] < 0.05:
        return (f"{_in_words(best['Model'])} beats last year's value: its mean absolute error is {best['Relative MAE']:.3f} "
                f"times last value's (Diebold–Mariano p = {best['DM p-value']:.2g}); {rest}.")
    verdict = ("a difference the data cannot tell from none" if best["DM p-value"] >= 0.05 else
               "worse, and the difference is clear")
    return (f"No model beats last year's value: the closest, {_in_words(best['Model'])}, has a mean absolute error "
            f"{best['Relative MAE']:.3f} times last value's (Diebold–Mariano p = {best['DM p-value']:.2f}, "
            f"{verdict}); {rest}.")


def _in_words(model: str) -> str:
    """A model's description for a sentence (``MODEL_LABELS``; a key not listed stays as it is)."""
    label = MODEL_LABELS.get(model, model)
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def accuracy_by_year(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute error of each model per forecast year (applications per dyad-year)."""
    errors = forecasts[list(MODELS)].sub(forecasts["observed"], axis=0).abs()
    table = errors.groupby(forecasts["year"]).mean()
    table.insert(0, "Dyad-years", forecasts.groupby("year").size())
    return table.reset_index().rename(columns={"year": "Forecast year"})


def dyad_forecasts(forecasts: pd.DataFrame, origin: str, destination: str) -> pd.DataFrame:
    """One dyad's observed applications and every model's forecast, per forecast year."""
    rows = forecasts[(forecasts["origin_iso3"] == origin) & (forecasts["destination_iso3"] == destination)]
    return rows[["year", "observed", *MODELS]].reset_index(drop=True)
