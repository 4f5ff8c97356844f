"""Statistical models of arrivals on violence, with naive baselines beside them.

Thin, tested wrappers around statsmodels:

* :func:`cross_correlation` — correlation of ``y_t`` with ``x_{t-k}`` by lag ``k``;
* :func:`fit_count_model` — Poisson or negative binomial regression of counts
  with heteroskedasticity-robust standard errors;
* :func:`interrupted_time_series` — level and slope changes at event dates;
* :func:`naive_baselines` — one-step-ahead errors of "last value" and
  "historical mean", the floor any model must beat.

Every fit returns a :class:`ModelResult` whose :meth:`~ModelResult.to_dict`
is plain JSON (rounded so reruns give identical bytes).

Examples
--------
>>> y = pd.Series([2, 3, 2, 8, 9, 7])
>>> X = pd.DataFrame({"after": [0, 0, 0, 1, 1, 1]})
>>> fit = fit_count_model(y, X, family="poisson")
>>> round(float(np.exp(fit.params["after"])), 4)  # ratio of group means 8 / (7/3)
3.4286
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

__all__ = [
    "FAMILIES",
    "ModelResult",
    "cross_correlation",
    "fit_count_model",
    "interrupted_time_series",
    "its_design",
    "naive_baselines",
]

FAMILIES = ("poisson", "negbin")
_MIN_SIDE = 3  # periods needed on each side of an interrupted-time-series breakpoint
_DIGITS = 8


def _round(value: float) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.{_DIGITS}g}")


@dataclass(frozen=True)
class ModelResult:
    """A fitted model reduced to what a report needs.

    Attributes
    ----------
    family : str
        ``"poisson"``, ``"negbin"`` or ``"ols"``.
    params, bse, pvalues : pandas.Series
        Coefficients, robust standard errors and p-values, by term.
    conf_low, conf_high : pandas.Series
        95 % confidence interval.
    nobs : int
        Observations used.
    aic : float
        Akaike information criterion.
    fitted : pandas.Series
        In-sample fitted means.
    converged : bool
        Whether the optimiser converged.
    notes : list of str
        Warnings met while fitting (separation, non-convergence, ...).
    """

    family: str
    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    conf_low: pd.Series
    conf_high: pd.Series
    nobs: int
    aic: float
    fitted: pd.Series
    converged: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the result as JSON-ready data, floats to 8 significant digits.

        Examples
        --------
        >>> fit = fit_count_model(pd.Series([1, 2, 3, 4]), pd.DataFrame({"t": [0, 1, 2, 3]}))
        >>> sorted(fit.to_dict()["terms"])
        ['const', 't']
        """
        terms = {
            name: {
                "estimate": _round(self.params[name]),
                "std_error": _round(self.bse[name]),
                "p_value": _round(self.pvalues[name]),
                "ci_low": _round(self.conf_low[name]),
                "ci_high": _round(self.conf_high[name]),
            }
            for name in self.params.index
        }
        return {
            "family": self.family,
            "nobs": self.nobs,
            "aic": _round(self.aic),
            "converged": self.converged,
            "terms": terms,
            "notes": list(self.notes),
        }


def cross_correlation(x: pd.Series, y: pd.Series, lags: Sequence[int]) -> pd.DataFrame:
    """Pearson correlation of ``y_t`` with ``x_{t-k}`` for each lag ``k``.

    Parameters
    ----------
    x, y : pandas.Series
        Aligned series on the same index (periods).
    lags : sequence of int
        Lags in periods; positive ``k`` means ``x`` leads ``y`` by ``k``.

    Returns
    -------
    pandas.DataFrame
        Columns ``lag, correlation, pairs`` (pairs with both values present);
        the correlation is missing when fewer than 3 pairs or a constant series.

    Examples
    --------
    >>> x = pd.Series([0, 1, 0, 0, 2, 0, 0])
    >>> y = x.shift(1).fillna(0)
    >>> cross_correlation(x, y, [0, 1])["correlation"].round(3).tolist()
    [-0.346, 1.0]
    """
    rows = []
    for lag in lags:
        pair = pd.DataFrame({"x": x.shift(lag), "y": y}).dropna().astype("float64")
        usable = len(pair) >= 3 and pair["x"].std() > 0 and pair["y"].std() > 0
        value = float(np.corrcoef(pair["x"], pair["y"])[0, 1]) if usable else float("nan")
        rows.append({"lag": int(lag), "correlation": value, "pairs": len(pair)})
    return pd.DataFrame(rows)


def fit_count_model(
    y: pd.Series,
    X: pd.DataFrame,
    *,
    family: str = "poisson",
    cov_type: str = "HC1",
    add_constant: bool = True,
) -> ModelResult:
    """Regress counts ``y`` on ``X`` by Poisson GLM or negative binomial (NB2).

    Parameters
    ----------
    y : pandas.Series
        Non-negative counts.
    X : pandas.DataFrame
        Regressors, aligned with ``y``; rows with any missing value are dropped
        (the count used is reported in ``nobs``).
    family : {"poisson", "negbin"}
        ``negbin`` estimates the dispersion ``alpha`` by maximum likelihood
        (statsmodels ``NegativeBinomial``), reported as the term ``alpha``.
    cov_type : str
        statsmodels covariance type. ``"HC1"`` (default) gives
        heteroskedasticity-robust (sandwich) standard errors with the
        ``n / (n - k)`` small-sample factor, ``k`` counting every estimated
        parameter (``alpha`` included); p-values and 95 % intervals are normal
        (Wald) ones from those errors.
    add_constant : bool
        Add an intercept named ``const``.

    Returns
    -------
    ModelResult

    Examples
    --------
    >>> y = pd.Series([0, 1, 0, 2, 5, 4, 6, 9])
    >>> fit = fit_count_model(y, pd.DataFrame({"x": [0, 0, 0, 0, 1, 1, 1, 1]}), family="negbin")
    >>> fit.family, fit.nobs, "alpha" in fit.params
    ('negbin', 8, True)
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    data = pd.concat([y.rename("_y"), X], axis=1).dropna().astype("float64")
    if (data["_y"] < 0).any():
        raise ValueError("counts must be non-negative")
    exog = sm.add_constant(data.drop(columns="_y"), has_constant="add") if add_constant \
        else data.drop(columns="_y")
    notes: list[str] = []
    # statsmodels' GLM and discrete models compute "HC1" without the n/(n-k)
    # small-sample factor (the same as HC0); apply it here so HC1 means HC1.
    small_sample = cov_type == "HC1"
    fit_cov = "HC0" if small_sample else cov_type
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if family == "poisson":
            result = sm.GLM(data["_y"], exog, family=sm.families.Poisson()).fit(cov_type=fit_cov)
            converged = bool(result.converged)
        else:
            model = sm.NegativeBinomial(data["_y"], exog, loglike_method="nb2")
            result = model.fit(disp=0, maxiter=500, cov_type=fit_cov)
            converged = bool(result.mle_retvals.get("converged", False))
    notes += sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    if not converged:
        notes.append("the optimiser did not converge: estimates are unreliable")
    params = result.params
    bse = result.bse
    if small_sample:
        nobs, k = int(result.nobs), len(params)
        bse = bse * np.sqrt(nobs / (nobs - k)) if nobs > k else bse * np.nan
    z = stats.norm.ppf(0.975)
    return ModelResult(
        family=family,
        params=params,
        bse=bse,
        pvalues=pd.Series(2 * stats.norm.sf(np.abs(params / bse)), index=params.index),
        conf_low=params - z * bse,
        conf_high=params + z * bse,
        nobs=int(result.nobs),
        aic=float(result.aic),
        fitted=pd.Series(np.asarray(result.predict(exog)), index=data.index),
        converged=converged,
        notes=notes,
    )


def its_design(periods: pd.Series, breakpoints: dict[str, pd.Timestamp]) -> pd.DataFrame:
    """Design matrix of an interrupted time series: trend, and per breakpoint a level and slope change.

    Parameters
    ----------
    periods : pandas.Series
        Period start dates, in order, one per observation.
    breakpoints : dict of str to Timestamp
        Label → date; ``level_<label>`` is 1 from the first period on or after
        the date, ``slope_<label>`` counts periods since then.

    Examples
    --------
    >>> p = pd.Series(pd.date_range("2025-01-01", periods=4, freq="MS"))
    >>> its_design(p, {"fall": pd.Timestamp("2025-03-01")}).to_dict("list")
    {'trend': [0, 1, 2, 3], 'level_fall': [0, 0, 1, 1], 'slope_fall': [0, 0, 0, 1]}
    """
    trend = np.arange(len(periods))
    design = {"trend": trend}
    for label, date in breakpoints.items():
        after = (periods >= pd.Timestamp(date)).to_numpy()
        first = int(np.argmax(after)) if after.any() else len(periods)
        design[f"level_{label}"] = after.astype(int)
        design[f"slope_{label}"] = np.where(after, trend - first, 0)
    return pd.DataFrame(design, index=periods.index)


def interrupted_time_series(
    y: pd.Series,
    periods: pd.Series,
    breakpoints: dict[str, pd.Timestamp],
    *,
    family: str = "poisson",
) -> ModelResult:
    """Fit a count model of ``y`` with a trend and level/slope changes at ``breakpoints``.

    Breakpoints with fewer than three observations on either side are left
    out and a note says so: with two, a side's level and slope fit it exactly
    (no residual to estimate anything from), which only looks like precision.

    Examples
    --------
    >>> p = pd.Series(pd.date_range("2025-01-01", periods=6, freq="MS"))
    >>> y = pd.Series([1, 1, 1, 5, 5, 5])
    >>> fit = interrupted_time_series(y, p, {"shock": pd.Timestamp("2025-04-01")})
    >>> round(float(np.exp(fit.params["level_shock"])), 3)
    5.0
    """
    usable, notes = {}, []
    for label, date in breakpoints.items():
        after = int((periods >= pd.Timestamp(date)).sum())
        if after < _MIN_SIDE or len(periods) - after < _MIN_SIDE:
            notes.append(f"breakpoint {label} ({pd.Timestamp(date).date()}) left out: "
                         f"{len(periods) - after} periods before, {after} after")
        else:
            usable[label] = date
    design = its_design(periods, usable)
    fit = fit_count_model(y, design, family=family)
    return ModelResult(**{**fit.__dict__, "notes": notes + fit.notes})


def naive_baselines(y: pd.Series, fitted: pd.Series | None = None) -> pd.DataFrame:
    """Mean absolute one-step-ahead error of naive forecasts, and of a model's fit.

    ``last_value`` forecasts each period by the previous one, ``historical_mean``
    by the mean of all earlier periods; both start from the second period. When
    ``fitted`` is given its in-sample error over the same periods is added, so a
    reader sees what the model adds (an in-sample fit flatters the model).

    Examples
    --------
    >>> naive_baselines(pd.Series([1, 3, 2, 4])).round(3).to_dict("list")
    {'method': ['last_value', 'historical_mean'], 'mae': [1.667, 1.333], 'periods': [3, 3]}
    """
    values = y.astype("float64").reset_index(drop=True)
    forecasts = {
        "last_value": values.shift(1),
        "historical_mean": values.expanding().mean().shift(1),
    }
    if fitted is not None:
        forecasts["model_in_sample"] = fitted.astype("float64").reset_index(drop=True)
    rows = []
    for method, forecast in forecasts.items():
        error = (values - forecast).iloc[1:].abs().dropna()
        rows.append({"method": method, "mae": float(error.mean()) if len(error) else float("nan"),
                     "periods": int(len(error))})
    return pd.DataFrame(rows)
