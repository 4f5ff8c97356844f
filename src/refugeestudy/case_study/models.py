"""Statistical models of arrivals on violence, with naive baselines beside them.

Thin, tested wrappers around statsmodels:

* :func:`fit_count_model` — Poisson or negative binomial regression of counts
  with robust (HC1), quasi-Poisson (``"X2"``) or HAC standard errors;
* :func:`overdispersion` — Pearson dispersion and Dean's score test, to run
  whenever a count model is shown;
* :func:`permutation_test` and :func:`placebo_dates` — exact (enumerated) or
  seeded Monte Carlo inference for an association or a timing claim;
* :func:`rolling_origin` — out-of-sample one-step-ahead errors of the model
  and of the naive baselines "last value" and "historical mean";
* :func:`p_value_allowed` — the rule that withholds p-values on small samples.

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

# statsmodels and scipy.stats are imported inside the functions that fit or test: importing
# them takes seconds, and most reports never fit a model.

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FAMILIES",
    "ModelResult",
    "fit_count_model",
    "MIN_OBSERVATIONS",
    "overdispersion",
    "p_value_allowed",
    "permutation_test",
    "placebo_dates",
    "rolling_origin",
]

FAMILIES = ("poisson", "negbin")
#: Observations below which a report prints no p-value (asymptotic or permutation).
MIN_OBSERVATIONS = 20
COV_TYPES = ("HC0", "HC1", "nonrobust", "X2", "HAC")
_DIGITS = 8


def _round(value: float) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return float(f"{value:.{_DIGITS}g}")


@dataclass(frozen=True)
class ModelResult:
    """A fitted model reduced to what a report needs, in the manner of statsmodels' results.

    Attributes
    ----------
    family : str
        ``"poisson"`` or ``"negbin"``.
    params, bse, pvalues : pandas.Series
        Coefficients, standard errors (of ``cov_type``) and two-sided normal
        (Wald) p-values, by term.
    cov_type : str
        How ``bse`` was computed: ``"HC1"`` (sandwich with the ``n / (n - k)``
        factor), ``"HC0"``, ``"nonrobust"``, ``"X2"`` (quasi-Poisson: the
        model-based covariance times the Pearson dispersion chi2 / (n - k)) or
        ``"HAC"`` (Newey-West, ``hac_lags`` lags).
    nobs : int
        Observations used.
    aic : float
        Akaike information criterion (of the likelihood; not defined by
        quasi-likelihood, so a comparison of AICs ignores ``cov_type``).
    fitted : pandas.Series
        In-sample fitted means.
    converged : bool
        Whether the optimiser converged.
    notes : list of str
        Warnings met while fitting (separation, non-convergence, ...).

    References
    ----------
    .. [1] Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count
       Data*, 2nd ed. Cambridge University Press (quasi-Poisson, robust errors).
    .. [2] McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*,
       2nd ed. Chapman and Hall (Pearson dispersion estimate).
    .. [3] Newey, W. K. and West, K. D. (1987). A simple, positive semi-definite,
       heteroskedasticity and autocorrelation consistent covariance matrix.
       *Econometrica* 55(3), 703-708.
    .. [4] statsmodels ``GLMResults.conf_int`` and ``summary_frame``, whose
       interface this class follows.
    """

    family: str
    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    nobs: int
    aic: float
    fitted: pd.Series
    converged: bool
    cov_type: str = "HC1"
    notes: list[str] = field(default_factory=list)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal (Wald) confidence intervals at level ``1 - alpha``: columns ``lower, upper``.

        Examples
        --------
        >>> fit = fit_count_model(pd.Series([2, 3, 2, 8, 9, 7]),
        ...                       pd.DataFrame({"after": [0, 0, 0, 1, 1, 1]}))
        >>> ci = fit.conf_int(0.05)
        >>> bool((ci["lower"] < fit.params).all() and (fit.params < ci["upper"]).all())
        True
        """
        from scipy import stats

        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, found {alpha}")
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"lower": self.params - z * self.bse,
                             "upper": self.params + z * self.bse})

    def summary_frame(self, alpha: float = 0.05, *, rate_ratios: bool = False) -> pd.DataFrame:
        """One row per term: ``term, estimate, std_error, p_value, ci_lower, ci_upper``.

        With ``rate_ratios`` the estimate and interval are exponentiated (the
        multiplicative change in the expected count; ``alpha`` of a negative
        binomial is left as is) and the standard error is dropped.

        Examples
        --------
        >>> fit = fit_count_model(pd.Series([2, 3, 2, 8, 9, 7]),
        ...                       pd.DataFrame({"after": [0, 0, 0, 1, 1, 1]}))
        >>> table = fit.summary_frame(rate_ratios=True)
        >>> table["term"].tolist(), round(float(table.loc[1, "estimate"]), 4)
        (['const', 'after'], 3.4286)
        """
        ci = self.conf_int(alpha)
        frame = pd.DataFrame({"term": self.params.index, "estimate": self.params.to_numpy(),
                              "std_error": self.bse.to_numpy(), "p_value": self.pvalues.to_numpy(),
                              "ci_lower": ci["lower"].to_numpy(), "ci_upper": ci["upper"].to_numpy()})
        if rate_ratios:
            scaled = frame["term"] != "alpha"
            for column in ("estimate", "ci_lower", "ci_upper"):
                frame.loc[scaled, column] = np.exp(frame.loc[scaled, column])
            frame = frame.drop(columns="std_error")
        return frame

    def to_dict(self, alpha: float = 0.05) -> dict:
        """Return the result as JSON-ready data, floats to 8 significant digits.

        Examples
        --------
        >>> fit = fit_count_model(pd.Series([1, 2, 3, 4]), pd.DataFrame({"t": [0, 1, 2, 3]}))
        >>> sorted(fit.to_dict()["terms"]), fit.to_dict()["cov_type"]
        (['const', 't'], 'HC1')
        """
        table = self.summary_frame(alpha).set_index("term")
        terms = {
            name: {
                "estimate": _round(row["estimate"]),
                "std_error": _round(row["std_error"]),
                "p_value": _round(row["p_value"]),
                "ci_low": _round(row["ci_lower"]),
                "ci_high": _round(row["ci_upper"]),
            }
            for name, row in table.iterrows()
        }
        return {
            "family": self.family,
            "cov_type": self.cov_type,
            "nobs": self.nobs,
            "aic": _round(self.aic),
            "converged": self.converged,
            "terms": terms,
            "notes": list(self.notes),
        }


def _check_options(family: str, cov_type: str) -> None:
    """Refuse an unknown family or covariance, or quasi-Poisson errors on a negative binomial.

    Examples
    --------
    >>> _check_options("negbin", "X2")
    Traceback (most recent call last):
    ...
    ValueError: cov_type 'X2' (quasi-Poisson) needs family 'poisson'
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    if cov_type not in COV_TYPES:
        raise ValueError(f"unknown cov_type {cov_type!r}; expected one of {', '.join(COV_TYPES)}")
    if cov_type == "X2" and family != "poisson":
        raise ValueError("cov_type 'X2' (quasi-Poisson) needs family 'poisson'")


def _design(y: pd.Series, X: pd.DataFrame, add_constant: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The complete rows as float (``y`` as column ``_y``) and the regressors, with ``const`` if asked.

    Examples
    --------
    >>> data, exog = _design(pd.Series([1, 2, None]), pd.DataFrame({"x": [0, 1, 1]}), True)
    >>> data["_y"].tolist(), list(exog.columns)
    ([1.0, 2.0], ['const', 'x'])
    """
    import statsmodels.api as sm

    data = pd.concat([y.rename("_y"), X], axis=1).dropna().astype("float64")
    exog = sm.add_constant(data.drop(columns="_y"), has_constant="add") if add_constant \
        else data.drop(columns="_y")
    return data, exog


def _fit(endog: pd.Series, exog: pd.DataFrame, family: str, cov_type: str,
         hac_lags: int) -> tuple[Any, bool, list[str]]:
    """Fit the count model; return (statsmodels result, converged, notes on warnings and convergence).

    ``"HC1"`` is fitted as ``"HC0"`` (statsmodels' GLM and discrete models
    give HC1 without the small-sample factor: :func:`_standard_errors` adds
    it) and ``"X2"`` as the non-robust covariance scaled by Pearson's chi2.
    """
    import statsmodels.api as sm

    fit_cov = {"HC1": "HC0", "X2": "nonrobust"}.get(cov_type, cov_type)
    options = {"cov_kwds": {"maxlags": hac_lags}} if cov_type == "HAC" else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if family == "poisson":
            glm = sm.GLM(endog, exog, family=sm.families.Poisson())
            scale = "X2" if cov_type == "X2" else None
            result = glm.fit(cov_type=fit_cov, scale=scale, **options)
            converged = bool(result.converged)
        else:
            model = sm.NegativeBinomial(endog, exog, loglike_method="nb2")
            result = model.fit(disp=0, maxiter=500, cov_type=fit_cov, **options)
            converged = bool(result.mle_retvals.get("converged", False))
    notes = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    if not converged:
        notes.append("the optimiser did not converge: estimates are unreliable")
    return result, converged, notes


def _standard_errors(result, cov_type: str) -> pd.Series:
    """The fit's standard errors; for ``"HC1"`` times sqrt(n / (n - k)), ``k`` every parameter.

    Missing when n <= k (no degree of freedom left).
    """
    if cov_type != "HC1":
        return result.bse
    nobs, k = int(result.nobs), len(result.params)
    return result.bse * np.sqrt(nobs / (nobs - k)) if nobs > k else result.bse * np.nan


def fit_count_model(y: pd.Series, X: pd.DataFrame, *, family: str = "poisson", cov_type: str = "HC1",
                    hac_lags: int = 1, add_constant: bool = True) -> ModelResult:
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
    cov_type : {"HC1", "HC0", "nonrobust", "X2", "HAC"}
        ``"HC1"`` (default) gives heteroskedasticity-robust (sandwich) standard
        errors with the ``n / (n - k)`` small-sample factor, ``k`` counting every
        estimated parameter (``alpha`` included). ``"X2"`` is quasi-Poisson:
        the Poisson GLM's covariance scaled by the Pearson chi2 / (n - k)
        (Poisson only). ``"HAC"`` is Newey-West with ``hac_lags`` lags, for
        serially correlated periods. p-values and intervals are normal (Wald)
        ones from those errors.
    hac_lags : int
        Lags of the HAC (Newey-West) covariance.
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
    from scipy import stats

    _check_options(family, cov_type)
    data, exog = _design(y, X, add_constant)
    if (data["_y"] < 0).any():
        raise ValueError("counts must be non-negative")
    result, converged, notes = _fit(data["_y"], exog, family, cov_type, hac_lags)
    params, bse = result.params, _standard_errors(result, cov_type)
    return ModelResult(
        family=family, params=params, bse=bse,
        pvalues=pd.Series(2 * stats.norm.sf(np.abs(params / bse)), index=params.index),
        cov_type=cov_type, nobs=int(result.nobs), aic=float(result.aic),
        fitted=pd.Series(np.asarray(result.predict(exog)), index=data.index),
        converged=converged, notes=notes)


def overdispersion(y: pd.Series, X: pd.DataFrame, *, add_constant: bool = True) -> dict:
    """Is a Poisson model of ``y`` on ``X`` overdispersed? Pearson dispersion and Dean's test.

    Returns ``nobs``, ``pearson_dispersion`` (Pearson chi2 / (n - k): 1 under
    the Poisson model, the factor by which quasi-Poisson variances grow) and
    Dean's score statistic for the alternative ``var = mu (1 + a mu)``
    (statsmodels ``PoissonDiagnostic``, "Dean A": sum((y - mu)^2 - y) /
    sqrt(2 sum mu^2)) with its one-sided normal p-value.

    Examples
    --------
    >>> out = overdispersion(pd.Series([0, 3, 1, 7, 0, 12, 2, 5, 0, 9]),
    ...                      pd.DataFrame({"t": range(10)}))
    >>> round(out["pearson_dispersion"], 3), round(out["dean_statistic"], 3)
    (4.595, 5.756)
    """
    import statsmodels.api as sm
    from scipy import stats

    from statsmodels.discrete.diagnostic import PoissonDiagnostic

    data, exog = _design(y, X, add_constant)
    glm = sm.GLM(data["_y"], exog, family=sm.families.Poisson()).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        discrete = sm.Poisson(data["_y"], exog).fit(disp=0)
        tests = PoissonDiagnostic(discrete).test_dispersion().summary_frame()
    dean = tests[tests["method"] == "Dean A"].iloc[0]
    return {"nobs": int(glm.nobs), "pearson_chi2": float(glm.pearson_chi2),
            "df_resid": float(glm.df_resid),
            "pearson_dispersion": float(glm.pearson_chi2 / glm.df_resid),
            "dean_statistic": float(dean["statistic"]),
            "dean_p_value": float(stats.norm.sf(dean["statistic"]))}


def p_value_allowed(nobs: int, minimum: int = MIN_OBSERVATIONS) -> bool:
    """Whether a report may print a p-value from ``nobs`` observations (at least ``minimum``).

    Examples
    --------
    >>> p_value_allowed(9), p_value_allowed(20)
    (False, True)
    """
    return int(nobs) >= int(minimum)


def permutation_test(x: pd.Series, y: pd.Series, *, statistic=None, exhaustive_up_to: int = 8,
                     draws: int = 9999, seed: int = 20250306) -> dict:
    """Permutation p-value of ``statistic(x, y)`` (default: Pearson correlation), one-sided (>=).

    With at most ``exhaustive_up_to`` pairs every permutation of ``y`` is
    enumerated (an exact p-value); otherwise ``draws`` seeded random
    permutations are used, and p = (1 + count) / (1 + draws).

    Examples
    --------
    >>> out = permutation_test(pd.Series([1, 2, 3]), pd.Series([1, 2, 3]))
    >>> out["p_value"], out["permutations"], out["exact"]
    (0.16666666666666666, 6, True)
    """
    from itertools import permutations

    pair = pd.DataFrame({"x": x, "y": y}).dropna().astype("float64")
    xs, ys = pair["x"].to_numpy(), pair["y"].to_numpy()
    statistic = statistic or (lambda a, b: float(np.corrcoef(a, b)[0, 1]))
    observed = statistic(xs, ys)
    if len(ys) <= exhaustive_up_to:
        values = np.array([statistic(xs, np.array(p)) for p in permutations(ys)])
        p_value, count, exact = float(np.mean(values >= observed - 1e-12)), len(values), True
    else:
        rng = np.random.default_rng(seed)
        values = np.array([statistic(xs, rng.permutation(ys)) for _ in range(draws)])
        p_value = float((1 + np.sum(values >= observed - 1e-12)) / (1 + draws))
        count, exact = draws, False
    return {"statistic": observed, "p_value": p_value, "permutations": count, "exact": exact,
            "nobs": len(ys)}


def placebo_dates(y: pd.Series, event: int, *, window: int = 2) -> pd.DataFrame:
    """The event's jump in ``y`` against the same jump at every other (placebo) position.

    The statistic at position ``t`` is the mean of ``y`` over the ``window``
    periods from ``t`` minus the mean over the ``window`` periods before it;
    positions with a full window on both sides (and all values present) are
    the placebo dates. ``rank`` is 1 for the largest jump; a timing claim is
    only as strong as the event's rank among all placebo dates (p = rank / dates).

    Examples
    --------
    >>> out = placebo_dates(pd.Series([0, 0, 0, 9, 8, 1, 0]), event=3, window=2)
    >>> out.loc[out["event"], ["jump", "rank"]].values.tolist(), len(out)
    ([[8.5, 1.0]], 4)
    """
    values = y.astype("float64").reset_index(drop=True)
    rows = []
    for t in range(window, len(values) - window + 1):
        before, after = values.iloc[t - window:t], values.iloc[t:t + window]
        if before.notna().all() and after.notna().all():
            rows.append({"position": t, "period": y.index[t], "jump": after.mean() - before.mean(),
                         "event": t == event})
    out = pd.DataFrame(rows, columns=["position", "period", "jump", "event"])
    out["rank"] = out["jump"].rank(ascending=False, method="max")
    return out


def rolling_origin(y: pd.Series, X: pd.DataFrame | None = None, *, family: str = "poisson",
                   min_train: int = 4) -> pd.DataFrame:
    """Out-of-sample one-step-ahead mean absolute error of the model and of naive baselines.

    For each origin ``t >= min_train`` (over rows where ``y`` and ``X`` are
    present) everything is fitted on rows ``0 .. t-1`` only and forecasts row
    ``t``: ``last_value`` (the previous value), ``historical_mean`` (the mean of
    the rows before) and, when ``X`` is given, ``model`` (the count model's
    predicted mean at row ``t``). A fit that fails leaves its forecast missing.

    Returns
    -------
    pandas.DataFrame
        ``method, mae, forecasts`` (origins with a forecast).

    Examples
    --------
    >>> rolling_origin(pd.Series([1, 3, 2, 4]), min_train=1).round(3).to_dict("list")
    {'method': ['last_value', 'historical_mean'], 'mae': [1.667, 1.333], 'forecasts': [3, 3]}
    """
    frame = pd.concat([y.rename("_y")] + ([X] if X is not None else []), axis=1).dropna()
    frame = frame.astype("float64").reset_index(drop=True)
    errors: dict[str, list[float]] = {"last_value": [], "historical_mean": []}
    if X is not None:
        errors["model"] = []
    for t in range(min_train, len(frame)):
        train, actual = frame.iloc[:t], frame["_y"].iloc[t]
        errors["last_value"].append(abs(actual - train["_y"].iloc[-1]))
        errors["historical_mean"].append(abs(actual - train["_y"].mean()))
        if X is not None:
            try:
                import statsmodels.api as sm

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exog = sm.add_constant(train.drop(columns="_y"), has_constant="add")
                    fit = sm.GLM(train["_y"], exog, family=sm.families.Poisson()).fit() \
                        if family == "poisson" else \
                        sm.NegativeBinomial(train["_y"], exog).fit(disp=0, maxiter=500)
                    new = sm.add_constant(frame.drop(columns="_y").iloc[[t]], has_constant="add")
                    forecast = float(np.asarray(fit.predict(new))[0])
                errors["model"].append(abs(actual - forecast) if np.isfinite(forecast) else np.nan)
            except Exception:  # singular design on a short training window
                errors["model"].append(np.nan)
    rows = []
    for method, values in errors.items():
        found = [v for v in values if np.isfinite(v)]
        rows.append({"method": method, "mae": float(np.mean(found)) if found else float("nan"),
                     "forecasts": len(found)})
    return pd.DataFrame(rows)
