"""Poisson pseudo-maximum likelihood on the dyad-year panel, with high-dimensional fixed effects.

The model (:class:`Specification` fixes every choice):

    E[applications_odt] = exp(α_od + γ_dt + Σ_k β_k log(1 + deaths_o,t-k) + λ log(1 + deaths_o,t+1))

with a fixed effect for each dyad (origin × destination, α) and each
destination-year (γ), distributed lags k = 0, 1, 2 of deaths at the origin and
a one-year *lead* λ as a placebo (applications this year cannot respond to
next year's deaths; a lead clearly different from zero says the lags pick up
something else, e.g. an escalation that was already under way). Estimated by
:func:`pyfixest.fepois` (iteratively reweighted least squares with the fixed
effects swept out), so tens of thousands of dyads need no dummy matrix.

Inference: standard errors clustered by origin (deaths vary by origin-year,
so errors of one origin's dyads are not independent), two-way by origin and
destination as a variant. The small-sample factor is stated, not left to a
default: ``G/(G-1)`` with G the number of clusters (the smaller dimension for
two-way), and no ``(n-1)/(n-K)`` factor (``pyfixest.ssc(k_adj=False,
G_adj=True)``); intervals and tests use Student's t / F with G - 1 degrees
of freedom. ``tests/global_study/test_ppml.py`` checks coefficients and standard errors
against statsmodels' GLM Poisson with dummy fixed effects on a subset.

Sample: rows where the outcome and every regressor are observed. With
``absent="zero"`` a dyad-year the source does not report, in a year when the
destination reported other origins, counts as 0 applications; by default
(``"missing"``) it is left out (UNHCR publishes nothing below 5, so "absent"
is "0 to 4 or not reported", not zero). Observations in fixed-effect groups
with a single observation or only zeros (separation) are dropped by the
estimator (they carry no information about β); ``n_obs`` counts what was used.

Examples
--------
>>> spec = Specification(lags=(0, 1), leads=())
>>> spec.regressors
['log_deaths_lag0', 'log_deaths_lag1']
>>> spec.formula
'applications ~ log_deaths_lag0 + log_deaths_lag1 | dyad + destination_year'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from pyfixest.demeaners import MapDemeaner

from refugeestudy.panels.dyads import death_column
from refugeestudy.errors import RefugeestudyError

__all__ = ["Specification", "PanelFit", "ModelError", "estimation_frame", "fit_ppml", "fit_ols_log1p",
           "predict_left_out"]

#: pyfixest's small-sample correction used everywhere: only G/(G-1).
SSC = {"k_adj": False, "k_fixef": "none", "G_adj": True, "G_df": "min"}
#: pyfixest's convergence tolerance for every PPML fit (a direct pyfixest call compares with it).
FIT_TOLERANCE = {"iwls_tol": 1e-10}
#: The demeaner of the dyad-year fits (:func:`fit_ppml`): alternating projections to 1e-5.
#: pyfixest's default 1e-6 takes ~60 % more time per fit and moves the main fit's coefficients
#: by less than 1e-8 relative (below the 4 significant digits published); the designs'
#: weakly identified event-study cells need 1e-10 and set their own (``designs._fit``).
DYAD_DEMEANER = MapDemeaner(fixef_tol=1e-5)
#: Stopping tolerances of the sparse least squares (LSQR) that recovers the fixed effects for
#: predictions. pyfixest's default (1e-6) left the recovered effects, and so every forecast and
#: left-out prediction, dependent on the machine, the thread count and the BLAS kernel in the 7th
#: digit; at 1e-13 they agree to 1e-11 relative or better (issue 18, item 0).
FIXEF_TOL = {"atol": 1e-13, "btol": 1e-13}


class ModelError(RefugeestudyError, ValueError):
    """A specification that cannot be estimated on the given panel."""


@dataclass(frozen=True)
class Specification:
    """Every choice of one PPML fit.

    Attributes
    ----------
    outcome : str
        A panel outcome column (a rule of :mod:`refugeestudy.panels.outcomes`).
    deaths : str
        ``total``, ``state_based``, ``non_state`` or ``one_sided``.
    bound : str
        ``best``, ``low`` or ``high``.
    lags, leads : tuple of int
        Years of deaths entered (0 = same year).
    absent : str
        ``"missing"`` (drop unreported dyad-years) or ``"zero"`` (0 when the destination
        reported other origins that year).
    exclude_origins : tuple of str
        ISO3 codes of origins left out.
    first_year, last_year : int, optional
        Outcome years kept.
    cluster : str
        ``"origin"`` or ``"origin+destination"``.
    """

    outcome: str = "first_instance_persons"
    deaths: str = "total"
    bound: str = "best"
    lags: tuple[int, ...] = (0, 1, 2)
    leads: tuple[int, ...] = (1,)
    absent: str = "missing"
    exclude_origins: tuple[str, ...] = ()
    first_year: int | None = None
    last_year: int | None = None
    cluster: str = "origin"
    label: str = field(default="main", compare=False)

    @property
    def shifts(self) -> list[int]:
        return [*self.lags, *(-lead for lead in self.leads)]

    @property
    def regressors(self) -> list[str]:
        return [f"log_deaths_lag{k}" for k in self.lags] + [f"log_deaths_lead{k}" for k in self.leads]

    @property
    def lag_terms(self) -> list[str]:
        return [f"log_deaths_lag{k}" for k in self.lags]

    @property
    def formula(self) -> str:
        return f"applications ~ {' + '.join(self.regressors)} | dyad + destination_year"

    @property
    def vcov(self) -> dict[str, str]:
        columns = {"origin": "origin_iso3", "origin+destination": "origin_iso3+destination_iso3"}
        if self.cluster not in columns:
            raise ModelError(f"unknown cluster {self.cluster!r}; expected one of {', '.join(columns)}")
        return {"CRV1": columns[self.cluster]}

    def but(self, **changes) -> Specification:
        """A copy with ``changes`` (e.g. ``spec.but(cluster="origin+destination")``)."""
        return replace(self, **changes)


def estimation_frame(panel: pd.DataFrame, spec: Specification) -> pd.DataFrame:
    """The rows and columns one fit uses: keys, fixed-effect ids, outcome, regressors, deaths.

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, destination_iso3, year, dyad, destination_year, applications``, the
        regressors ``log_deaths_lag<k>``/``log_deaths_lead<k>`` (log(1 + deaths)), and the
        deaths themselves ``deaths_lag<k>``/``deaths_lead<k>``; only complete rows, sorted.

    Raises
    ------
    ModelError
        For an outcome the panel lacks or a bad ``absent`` value.
    """
    if spec.outcome not in panel:
        raise ModelError(f"the panel has no outcome {spec.outcome!r}",
                         hint="build the panel with the source that outcome needs")
    if spec.absent not in ("missing", "zero"):
        raise ModelError(f"absent must be 'missing' or 'zero', not {spec.absent!r}")
    outcome = panel[spec.outcome].astype("Float64")
    if spec.absent == "zero":
        outcome = outcome.mask(outcome.isna() & panel[f"{spec.outcome}_destination_reported"], 0.0)
    frame = pd.DataFrame({
        "origin_iso3": panel["origin_iso3"], "destination_iso3": panel["destination_iso3"],
        "year": panel["year"], "applications": outcome})
    for shift in spec.shifts:
        name = f"lag{shift}" if shift >= 0 else f"lead{-shift}"
        deaths = panel[death_column(spec.deaths, spec.bound, shift)].astype("Float64")
        frame[f"deaths_{name}"] = deaths
        frame[f"log_deaths_{name}"] = np.log1p(deaths)
    keep = frame.notna().all(axis=1)
    keep &= ~frame["origin_iso3"].isin(spec.exclude_origins)
    if spec.first_year is not None:
        keep &= frame["year"] >= spec.first_year
    if spec.last_year is not None:
        keep &= frame["year"] <= spec.last_year
    frame = frame[keep].astype({c: "float64" for c in frame.columns if c.startswith(("applications", "deaths",
                                                                                      "log_deaths"))})
    frame.insert(3, "dyad", frame["origin_iso3"] + "-" + frame["destination_iso3"])
    frame.insert(4, "destination_year", frame["destination_iso3"] + "-" + frame["year"].astype(str))
    return frame.sort_values(["origin_iso3", "destination_iso3", "year"]).reset_index(drop=True)


@dataclass
class PanelFit:
    """A fitted specification: estimates, covariance, sample sizes, fitted values."""

    spec: Specification
    model: object
    frame: pd.DataFrame
    estimator: str = "PPML"

    @property
    def coefficients(self) -> pd.Series:
        return self.model.coef()

    @property
    def vcov(self) -> pd.DataFrame:
        names = list(self.model.coef().index)
        return pd.DataFrame(self.model._vcov, index=names, columns=names)

    @property
    def used(self) -> pd.DataFrame:
        """The rows the estimator used (singletons and all-zero groups removed)."""
        dropped = sorted(getattr(self.model, "_na_index", None) or ())
        return self.frame.drop(index=self.frame.index[dropped])

    @property
    def n_obs(self) -> int:
        return int(self.model._N)

    @property
    def n_dyads(self) -> int:
        return int(self.used["dyad"].nunique())

    @property
    def n_clusters(self) -> int:
        return int(min(self.model._G))

    @property
    def dispersion(self) -> float:
        """Pearson χ² / residual degrees of freedom: about 1 under Poisson variance.

        The degrees of freedom are n minus the slope coefficients minus the fixed
        effects (dyads + destination-years − 1, one level being redundant).
        """
        used = self.used
        y = used["applications"].to_numpy()
        mu = np.asarray(self.model._Y_hat_response, dtype=float)
        effects = used["dyad"].nunique() + used["destination_year"].nunique() - 1
        return float(((y - mu) ** 2 / mu).sum() / (len(y) - len(self.coefficients) - effects))

    def _t(self) -> float:
        from scipy import stats  # on first use: importing scipy.stats costs report workers ~0.5 s

        return float(stats.t.ppf(0.975, self.n_clusters - 1))

    def table(self) -> pd.DataFrame:
        """One row per regressor: estimate, standard error, 95% interval."""
        b, se = self.coefficients, np.sqrt(np.diag(self.vcov))
        return pd.DataFrame({"term": b.index, "estimate": b.to_numpy(), "std_error": se,
                             "ci_low": b.to_numpy() - self._t() * se, "ci_high": b.to_numpy() + self._t() * se})

    def combination(self, weights: dict[str, float]) -> dict[str, float]:
        """A linear combination of coefficients with its standard error and 95% interval."""
        c = pd.Series(weights).reindex(self.coefficients.index).fillna(0.0)
        estimate = float(c @ self.coefficients)
        se = float(np.sqrt(c @ self.vcov @ c))
        return {"estimate": estimate, "std_error": se, "ci_low": estimate - self._t() * se,
                "ci_high": estimate + self._t() * se}

    def lag_sum(self) -> dict[str, float]:
        """Σ β_k over the lags: the long-run elasticity of applications to (1 + deaths)."""
        return self.combination({term: 1.0 for term in self.spec.lag_terms})

    def lead_test(self) -> dict[str, float] | None:
        """Wald test that every lead coefficient is zero: F with (q, G - 1) df and its p-value."""
        leads = [f"log_deaths_lead{k}" for k in self.spec.leads]
        if not leads:
            return None
        b = self.coefficients[leads].to_numpy()
        v = self.vcov.loc[leads, leads].to_numpy()
        statistic = float(b @ np.linalg.solve(v, b)) / len(leads)
        df2 = self.n_clusters - 1
        from scipy import stats

        return {"statistic": statistic, "df_num": len(leads), "df_den": df2,
                "p_value": float(stats.f.sf(statistic, len(leads), df2))}

    def response_per_1000_deaths(self, threshold: int = 25) -> pd.DataFrame:
        """Extra applications per year, summed over destinations, for 1,000 more deaths at origin.

        For each origin-year used whose deaths (in the lag's year) reach
        ``threshold`` (25, UCDP's threshold of an active conflict), the
        predicted applications to every destination are recomputed with
        1,000 more deaths in that lag's year: Δ = Σ_d μ · (r^β − 1) with
        r = (1 + deaths + 1,000) / (1 + deaths); the table gives the mean of
        Δ over those origin-years, per lag and for 1,000 more deaths in each
        of the lag years together (Π r_k^β_k − 1). The 95% interval is the
        delta method on β (μ held at its fitted values).
        """
        used = self.fitted()
        b = self.coefficients
        v = self.vcov
        rows = []
        sets = [[term] for term in self.spec.lag_terms] + [list(self.spec.lag_terms)]
        for terms in sets:
            deaths = {t: used[t.replace("log_deaths", "deaths")].to_numpy() for t in terms}
            active = np.all([d >= threshold for d in deaths.values()], axis=0)
            ratio = {t: (1.0 + d + 1000.0) / (1.0 + d) for t, d in deaths.items()}
            factor = np.prod([ratio[t] ** b[t] for t in terms], axis=0)
            mu = used["predicted"].to_numpy()
            origin_year = used["origin_iso3"] + "-" + used["year"].astype(str)
            groups = origin_year[active]
            n = groups.nunique()
            change = float((mu * (factor - 1.0))[active].sum() / n) if n else float("nan")
            gradient = pd.Series({t: float((mu * factor * np.log(ratio[t]))[active].sum() / n) if n else 0.0
                                  for t in terms}).reindex(b.index).fillna(0.0)
            se = float(np.sqrt(gradient @ v @ gradient))
            rows.append({"term": terms[0] if len(terms) == 1 else "all lags together",
                         "origin_years": int(n), "estimate": change, "std_error": se,
                         "ci_low": change - self._t() * se, "ci_high": change + self._t() * se})
        return pd.DataFrame(rows)

    def fitted(self) -> pd.DataFrame:
        """The used rows with their fitted mean ``predicted``."""
        used = self.used.copy()
        used["predicted"] = np.asarray(self.model._Y_hat_response, dtype=float)
        return used


def fit_ppml(panel: pd.DataFrame, spec: Specification | None = None, *,
             frame: pd.DataFrame | None = None) -> PanelFit:
    """Fit ``spec`` (default :class:`Specification` ()) by PPML with pyfixest.

    Parameters
    ----------
    panel : pandas.DataFrame
        The dyad-year panel (:func:`refugeestudy.panels.dyads.build_dyad_panel`); ignored
        when ``frame`` is given.
    spec : Specification, optional
    frame : pandas.DataFrame, optional
        An estimation frame already made by :func:`estimation_frame`.

    Raises
    ------
    ModelError
        If no row is left to fit.
    """
    import pyfixest as pf

    spec = spec or Specification()
    frame = estimation_frame(panel, spec) if frame is None else frame
    if frame.empty:
        raise ModelError(f"specification {spec.label!r}: no complete row to fit")
    with warnings.catch_warnings():  # singletons, separated rows: dropped, counted in n_obs (docstring)
        warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
        warnings.filterwarnings("ignore", message=".*removed because of separation.*")
        model = pf.fepois(spec.formula, frame, vcov=spec.vcov, ssc=pf.ssc(**SSC), demeaner=DYAD_DEMEANER,
                          **FIT_TOLERANCE)
    return PanelFit(spec, model, frame)


def fit_ols_log1p(panel: pd.DataFrame, spec: Specification) -> PanelFit:
    """The same design by OLS on log(1 + applications) (a robustness check, not PPML)."""
    import pyfixest as pf

    frame = estimation_frame(panel, spec)
    frame["log_applications"] = np.log1p(frame["applications"])
    formula = spec.formula.replace("applications ~", "log_applications ~", 1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
        model = pf.feols(formula, frame, vcov=spec.vcov, ssc=pf.ssc(**SSC))
    return PanelFit(spec, model, frame, estimator="OLS on log(1 + applications)")


def predict_left_out(panel: pd.DataFrame, spec: Specification, origin: str, destination: str,
                     year: int) -> dict[str, float]:
    """Predict one dyad-year from a fit that leaves it out, with a 95% prediction interval.

    The fit uses every other row, so the dyad's own effect comes from its other
    years and the destination-year effect from the other origins. The interval
    adds the outcome's overdispersed Poisson variance (dispersion × μ) and the
    slope coefficients' uncertainty (μ² · x'Vx); the fixed effects' own
    estimation error is not included, so the interval is somewhat too narrow.

    Raises
    ------
    ModelError
        If the dyad-year is not in the estimation frame, or a fixed effect it needs
        is not estimable without it.
    """
    frame = estimation_frame(panel, spec)
    target = (frame["origin_iso3"] == origin) & (frame["destination_iso3"] == destination) & (frame["year"] == year)
    if target.sum() != 1:
        raise ModelError(f"{origin} -> {destination} {year} is not in the estimation frame of {spec.label!r}")
    fit = fit_ppml(panel, spec, frame=frame[~target].reset_index(drop=True))
    row = frame[target]
    try:
        mu = float(np.asarray(fit.model.predict(newdata=row, type="response", **FIXEF_TOL))[0])
    except Exception as exc:  # pyfixest raises plain errors for unseen levels
        raise ModelError(f"cannot predict {origin} -> {destination} {year}: {exc}") from None
    if not np.isfinite(mu):
        raise ModelError(f"cannot predict {origin} -> {destination} {year}: a fixed effect is not estimable")
    x = row[fit.coefficients.index].to_numpy()[0]
    variance = fit.dispersion * mu + mu ** 2 * float(x @ fit.vcov.to_numpy() @ x)
    half = 1.959963984540054 * np.sqrt(variance)
    return {"observed": float(row["applications"].iloc[0]), "predicted": mu,
            "pi_low": max(0.0, mu - half), "pi_high": mu + half, "dispersion": fit.dispersion}
