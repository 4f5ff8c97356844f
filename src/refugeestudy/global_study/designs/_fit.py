"""What every design shares: one PPML fit with absorbed fixed effects, its result, its words.

:func:`fit_poisson` runs :func:`pyfixest.fepois` with the package's stated
small-sample factor (:data:`refugeestudy.global_study.ppml.SSC`: only G/(G-1)) and standard
errors clustered by origin; :class:`PoissonFit` keeps what a design reports
(coefficients, covariance, n, clusters) and forms linear combinations with
Student-t intervals on G - 1 degrees of freedom; :class:`DesignResult` is the
small object each design returns (``estimate``, ``ci_low``, ``ci_high``,
``n_observations``, ``n_clusters``, ``words``, ``variants``, ``terms``).

Examples
--------
>>> result = DesignResult(estimate=0.1, std_error=0.05, ci_low=0.0, ci_high=0.2,
...                       n_observations=10, n_clusters=3, words="A sentence.")
>>> sorted(result.to_dict())[:4]
['ci_high', 'ci_low', 'details', 'estimate']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from refugeestudy.global_study.ppml import SSC, ModelError

#: Tolerance of the fixed-effect demeaning: pyfixest's default (1e-6) leaves 1e-5 relative error in
#: weakly identified event-study cells against statsmodels, and at 1e-10 refits in two processes still
#: differed by 3e-8 in a standard error; at 1e-13 they agree to 1e-12 and statsmodels to 1e-6.
FIXEF_TOL = 1e-13
#: The same for three-way fixed effects on the dyad panel, where 1e-13 triples the time (23 s → 67 s
#: for design 2 on a shared 2-core machine); agreement across processes there is ~1e-8 relative.
DYAD_FIXEF_TOL = 1e-10
#: Convergence of the IWLS iterations (change in deviance), as the panel's fits (ppml.FIT_TOLERANCE).
IWLS_TOL = 1e-10

__all__ = ["FIXEF_TOL", "DYAD_FIXEF_TOL", "IWLS_TOL", "DesignResult", "PoissonFit", "fit_poisson", "percent_words", "p_words", "with_keys"]


def with_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the panel's key names (``origin`` → ``origin_iso3``, ``destination`` → ...).

    The contract frames (origin-year controls, dyad geography) name their keys
    ``origin``/``destination``; the panel ``origin_iso3``/``destination_iso3``.

    Examples
    --------
    >>> with_keys(pd.DataFrame({"origin": ["SYR"], "year": [2020]})).columns.tolist()
    ['origin_iso3', 'year']
    """
    return frame.rename(columns={"origin": "origin_iso3", "destination": "destination_iso3"})


@dataclass
class PoissonFit:
    """One PPML fit: coefficients, clustered covariance, observations used, clusters.

    ``collinear`` names the regressors the estimator dropped as collinear with the
    fixed effects (e.g. a control constant within every origin of a subsample).
    """

    coefficients: pd.Series
    vcov: pd.DataFrame
    n_observations: int
    n_clusters: int
    model: object = field(repr=False, default=None)
    collinear: list[str] = field(default_factory=list)

    def t_quantile(self) -> float:
        """Student-t 97.5 % quantile on G - 1 degrees of freedom."""
        from scipy import stats  # on first use: importing scipy.stats costs report workers ~0.5 s

        return float(stats.t.ppf(0.975, self.n_clusters - 1))

    def combination(self, weights: dict[str, float]) -> dict[str, float]:
        """Σ w_k β_k with its standard error and 95 % interval (t, G - 1 df).

        Examples
        --------
        >>> names = ["a", "b"]
        >>> fit = PoissonFit(pd.Series([1.0, 2.0], names),
        ...                  pd.DataFrame(np.eye(2), names, names), 100, 11)
        >>> round(fit.combination({"a": 1, "b": 1})["std_error"], 6)
        1.414214
        """
        c = pd.Series(weights, dtype=float).reindex(self.coefficients.index).fillna(0.0)
        estimate = float(c @ self.coefficients)
        se = float(np.sqrt(c @ self.vcov @ c))
        half = self.t_quantile() * se
        return {"estimate": estimate, "std_error": se, "ci_low": estimate - half, "ci_high": estimate + half}

    def wald_test(self, terms: list[str] | pd.DataFrame) -> dict[str, float]:
        """Joint test that the coefficients (or rows of a weight matrix) are zero: F(q, G - 1)."""
        weights = (terms if isinstance(terms, pd.DataFrame)
                   else pd.DataFrame(np.eye(len(terms)), index=terms, columns=terms))
        r = weights.reindex(columns=self.coefficients.index).fillna(0.0).to_numpy()
        b = r @ self.coefficients.to_numpy()
        v = r @ self.vcov.to_numpy() @ r.T
        q, df = len(b), self.n_clusters - 1
        statistic = float(b @ np.linalg.solve(v, b)) / q
        from scipy import stats

        return {"statistic": statistic, "df_num": q, "df_den": df, "p_value": float(stats.f.sf(statistic, q, df))}


def fit_poisson(frame: pd.DataFrame, outcome: str, regressors: list[str], fixed_effects: list[str],
                cluster: str = "origin_iso3", fixef_tol: float = FIXEF_TOL) -> PoissonFit:
    """PPML of ``outcome`` on ``regressors`` with absorbed ``fixed_effects``, clustered by ``cluster``.

    Rows in fixed-effect groups of one observation or with only zeros are dropped by
    the estimator (they carry no information on the slopes); ``n_observations``
    counts the rows used. Regressors collinear with the fixed effects are dropped
    and listed in ``collinear`` (the estimator's warning is replaced by that list).

    Raises
    ------
    ModelError
        If ``frame`` is empty.
    """
    import pyfixest as pf

    if frame.empty:
        raise ModelError(f"no complete row to fit {outcome} on {', '.join(regressors)}")
    formula = f"{outcome} ~ {' + '.join(regressors)} | {' + '.join(fixed_effects)}"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
        warnings.filterwarnings("ignore", message=".*removed because of separation.*")
        warnings.filterwarnings("ignore", message="(?s).*dropped due to multicollinearity.*")
        model = pf.fepois(formula, frame, vcov={"CRV1": cluster}, ssc=pf.ssc(**SSC), fixef_tol=fixef_tol,
                          iwls_tol=IWLS_TOL, iwls_maxiter=50)
    names = list(model.coef().index)
    collinear = [name for name in regressors if name in frame and name not in names]
    return PoissonFit(model.coef(), pd.DataFrame(model._vcov, index=names, columns=names),
                      int(model._N), int(min(model._G)), model, collinear)


@dataclass
class DesignResult:
    """What a design reports: a headline estimate with its 95 % interval, n, clusters, words.

    Attributes
    ----------
    estimate, std_error, ci_low, ci_high : float
        The headline quantity (defined by each design) and its 95 % interval.
    n_observations, n_clusters : int
        Rows used by the estimator; origins (the clusters).
    words : str
        One sentence a reader can quote.
    variants : dict
        Name → the same keys for other outcomes, exposures, thresholds.
    terms : dict
        Name → secondary quantities (e.g. the distance interaction).
    details : dict
        Counts a report states (rows dropped and why, onsets ignored, ...).
    pre_trend_p : float, optional
        p-value of the joint test of pre-period coefficients (event studies only).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    n_observations: int
    n_clusters: int
    words: str
    variants: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    pre_trend_p: float | None = None
    fit: PoissonFit | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Plain values for ``results.json`` (variants and terms as nested dicts, no fit)."""
        out = {k: getattr(self, k) for k in ("estimate", "std_error", "ci_low", "ci_high",
                                              "n_observations", "n_clusters", "words")}
        out["variants"] = {k: v.to_dict() if isinstance(v, DesignResult) else v for k, v in self.variants.items()}
        out["terms"] = dict(self.terms)
        out["details"] = dict(self.details)
        if self.pre_trend_p is not None:
            out["pre_trend_p"] = self.pre_trend_p
        return out


def percent_words(log_change: float) -> str:
    """A log change as a signed percentage for prose.

    Examples
    --------
    >>> percent_words(0.0953), percent_words(-0.5)
    ('+10.0 %', '-39.3 %')
    """
    return f"{100 * np.expm1(log_change):+.1f} %"


def p_words(p_value: float) -> str:
    """A p-value for prose: two significant digits, or a bound below 0.001.

    Examples
    --------
    >>> p_words(0.05335), p_words(0.0000123)
    ('p = 0.053', 'p < 0.001')
    """
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"
