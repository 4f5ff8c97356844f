"""The origin × destination study behind report 05: fits, checks, the Syria → Russia case, figures.

Everything report ``05-origin-destination-panel`` shows is computed here, so
tests reach it and the notebook only calls these functions:

* :func:`load_dyad_panel` — the built panel, or a :class:`~refugeestudy.pipeline.datasets.MissingSource`
  naming the fetch it needs;
* :data:`MAIN` and :data:`FORECAST` — the main specification (lags 0–2 and a
  lead) and the forecasting one (lags 1–2: deaths of the forecast year are
  not known, and UCDP 25.1 ends in 2024);
* :func:`robustness_checks` — one row per check, each a refit;
* :func:`case_predictions` and :func:`rank_among_origins` — a dyad-year
  predicted from a fit that leaves it out, and how unusual it is among the
  destination's origins;
* :func:`coefficient_figure`, :func:`case_figure` — the figures (the report's
  :meth:`~refugeestudy.pipeline.notebook.ReportNotebook.figure` adds the source caption);
* :func:`interval_words` — how a 95% interval reads in the report's prose;
* :func:`limitations` — the report's closing section, computed from the data.

Examples
--------
>>> MAIN.regressors
['log_deaths_lag0', 'log_deaths_lag1', 'log_deaths_lag2', 'log_deaths_lead1']
>>> FORECAST.regressors
['log_deaths_lag1', 'log_deaths_lag2']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy import paths
from refugeestudy.pipeline.datasets import MissingSource
from refugeestudy.panels.dyads import PANEL_FILE, SOURCES
from refugeestudy.panels.outcomes import RULES
from refugeestudy.global_study.ppml import (ModelError, PanelFit, Specification, estimation_frame, fit_ols_log1p, fit_ppml,
                               predict_left_out)

__all__ = ["MAIN", "FORECAST", "REFERENCE_DESTINATIONS", "load_dyad_panel", "interval_words",
           "outcome_rules_table", "estimates_table", "reclustered", "robustness_checks", "negative_binomial_check",
           "case_predictions", "rank_among_origins", "coefficient_figure",
           "case_figure", "limitations", "term_label", "dummy_design", "country_name", "design_table",
           "check_table", "variant_label", "eurostat_lead_words", "fetch_command", "coverage_words", "overdispersion_alpha", "fit_nb2", "NB2Fit"]

MAIN = Specification()
FORECAST = Specification(lags=(1, 2), leads=(), label="forecast")
#: Destinations of the subset where dummy fixed effects are feasible (reference test, NB check).
REFERENCE_DESTINATIONS = ("RUS", "DEU", "FRA", "SWE", "AUT", "BEL")

_TERMS = {"log_deaths_lead1": "deaths next year (placebo lead)", "log_deaths_lag0": "deaths the same year",
          "log_deaths_lag1": "deaths 1 year before", "log_deaths_lag2": "deaths 2 years before",
          "log_distance_centred_lag_sum": "lag sum × log distance (centred on the origin's mean)",
          "stock_share_lag1_lag_sum": "lag sum × last year's share of the origin's stock"}

_VARIANTS = {"headline": "headline",
             "log1p_deaths": "log(1 + deaths) instead of deaths per 100,000",
             "balanced_destinations": "destinations reporting every year",
             "neighbours": "applications to neighbouring countries only",
             "rest": "applications to non-neighbouring countries only",
             "idmc_conflict_displacements": "outcome: new internal displacements by conflict (IDMC)",
             "without_stock_share": "without the stock-share interaction",
             "twfe": "two-way fixed effects instead of Sun-Abraham"}


def term_label(term: str) -> str:
    """Reader-facing name of a regressor.

    Examples
    --------
    >>> term_label("log_deaths_lag1")
    'deaths 1 year before'
    """
    return _TERMS.get(term, term.replace("_", " "))


def variant_label(variant: str) -> str:
    """Reader-facing name of a design's variant (the key in ``DesignResult.variants``).

    Examples
    --------
    >>> variant_label("twfe"), variant_label("threshold_1000")
    ('two-way fixed effects instead of Sun-Abraham', 'onset at 1,000 deaths')
    """
    if variant.startswith("threshold_") and variant[len("threshold_"):].isdigit():
        return f"onset at {int(variant[len('threshold_'):]):,} deaths"
    return _VARIANTS.get(variant, variant.replace("_", " "))


def country_name(iso3: str) -> str:
    """A country's name for readers, from the crosswalk (UCDP's names, parenthesis dropped).

    Examples
    --------
    >>> country_name("RUS"), country_name("SYR"), country_name("PSE")
    ('Russia', 'Syria', 'PSE')
    """
    from refugeestudy.clean.gleditsch_ward import crosswalk

    table = crosswalk()
    names = table.loc[table["iso3"] == iso3, "gw_name"]
    return names.iloc[-1].split(" (")[0] if len(names) else iso3


def load_dyad_panel(processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The dyad-year panel built by ``refugeestudy build``.

    Raises
    ------
    MissingSource
        Naming the sources to fetch when the panel has not been built.
    """
    folder = Path(processed_dir) if processed_dir is not None else paths.processed_dir()
    path = folder / PANEL_FILE
    if not path.is_file():
        needed = " ".join(SOURCES[role] for role in ("applications", "population", "conflict"))
        raise MissingSource(f"data/processed/{PANEL_FILE} is not built; to add it: refugeestudy fetch "
                            f"{needed} && refugeestudy build (or fetch with --mirror DIR, which also "
                            f"provides the optional {SOURCES['eurostat']})")
    return pd.read_parquet(path)


def _left_out_words(column: str, values: tuple) -> str:
    """Say which rows a rule leaves out.

    Examples
    --------
    >>> _left_out_words("app_type", ("A", "R"))
    'app_type in A, R'
    >>> _left_out_words("is_aggregate", (True,))
    'aggregate rows (e.g. EU27)'
    """
    if tuple(values) == (True,) and column.startswith("is_"):
        return f"{column[3:]} rows (e.g. EU27)"
    return f"{column} in {', '.join(map(str, values))}"


def outcome_rules_table() -> pd.DataFrame:
    """The outcome rules as a reader-facing table (no data needed)."""
    rows = []
    for rule in RULES.values():
        keeps = "; ".join(f"{k} in {', '.join(map(str, v))}" for k, v in rule.keep.items()) or "every row"
        drops = "; ".join(_left_out_words(k, v) for k, v in rule.drop.items()) or "none"
        rows.append({"Outcome": rule.label, "Source": "UNHCR" if rule.source == "unhcr" else "Eurostat",
                     "Rows kept": keeps, "Rows left out": drops})
    return pd.DataFrame(rows)


def estimates_table(fit: PanelFit) -> pd.DataFrame:
    """Coefficients, then the sum of lags, with 95% intervals, in reader-facing terms."""
    table = fit.table()
    table["term"] = table["term"].map(term_label)
    total = {"term": "sum of the lags (long-run elasticity)", **fit.lag_sum()}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return table.rename(columns={"term": "Regressor: log(1 + deaths at origin)", "estimate": "Estimate",
                                 "std_error": "Std. error (origin clusters)", "ci_low": "95% CI low",
                                 "ci_high": "95% CI high"})


def _summary(check: str, fit: PanelFit) -> dict:
    lag_sum = fit.lag_sum()
    lead = fit.lead_test()
    lead_term = [t for t in fit.coefficients.index if "lead" in t]
    return {"Check": check, "Estimator": fit.estimator, "Sum of lags": lag_sum["estimate"],
            "95% CI low": lag_sum["ci_low"], "95% CI high": lag_sum["ci_high"],
            "Lead": float(fit.coefficients[lead_term[0]]) if lead_term else np.nan,
            "Lead p-value": lead["p_value"] if lead else np.nan,
            "Observations": fit.n_obs, "Dyads": fit.n_dyads, "Clusters": fit.n_clusters}


def reclustered(fit: PanelFit, cluster: str) -> PanelFit:
    """The same fit with standard errors clustered another way (no refit; ``fit`` is unchanged)."""
    import copy

    spec = fit.spec.but(cluster=cluster)
    model = copy.deepcopy(fit.model)
    model.vcov(spec.vcov)
    return PanelFit(spec, model, fit.frame, fit.estimator)


def robustness_checks(panel: pd.DataFrame, main_fit: PanelFit | None = None,
                      forecast_fit: PanelFit | None = None) -> pd.DataFrame:
    """Refit the main specification with one change at a time; one row per check.

    The sum of the lag coefficients (with its 95% interval), the lead, the
    sample sizes. Fits already made are reused: ``main_fit`` (:data:`MAIN`), whose
    two-way clustered errors need no refit, and ``forecast_fit`` (:data:`FORECAST`).
    Leaving out Syria (or any of the largest origins) and Eurostat's outcome are
    refits of :func:`refugeestudy.global_study.designs.dyad_robustness` and
    :func:`refugeestudy.global_study.designs.eurostat_lead_checks`, not repeated here.
    """
    main_fit = main_fit or fit_ppml(panel, MAIN)
    checks = [
        ("Main: PPML, dyad and destination-year effects", main_fit),
        ("Two-way clusters (origin and destination)", reclustered(main_fit, "origin+destination")),
        ("Deaths: UCDP low estimate", MAIN.but(bound="low")),
        ("Deaths: UCDP high estimate", MAIN.but(bound="high")),
        ("Deaths: state-based violence only", MAIN.but(deaths="state_based")),
        ("Unreported dyad-years as zero", MAIN.but(absent="zero")),
        ("Outcome: all applications (every stage)", MAIN.but(outcome="all_applications")),
        ("Lags 1-2, no lead, years to 2025", forecast_fit or FORECAST),
        ("Lags 1-2, no lead, excluding 2025 (provisional)", FORECAST.but(last_year=2024)),
    ]
    fits = [(label, item if isinstance(item, PanelFit) else fit_ppml(panel, item.but(label=label)))
            for label, item in checks]
    fits.append(("OLS on log(1 + applications), same effects", fit_ols_log1p(panel, MAIN)))
    return pd.DataFrame([_summary(label, fit) for label, fit in fits])


def _reference_subset(frame: pd.DataFrame, destinations=REFERENCE_DESTINATIONS) -> pd.DataFrame:
    """Rows into ``destinations``, without fixed-effect groups of one observation (repeatedly)."""
    subset = frame[frame["destination_iso3"].isin(destinations)]
    while True:
        keep = (subset.groupby("dyad")["year"].transform("size") > 1) & \
               (subset.groupby("destination_year")["year"].transform("size") > 1)
        if keep.all():
            return subset.reset_index(drop=True)
        subset = subset[keep]


def dummy_design(frame: pd.DataFrame, regressors: list[str]) -> pd.DataFrame:
    """Regressors, one dummy per dyad and one per destination-year except each destination's first.

    Dyad dummies already span each destination's level, so one destination-year
    per destination is dropped to keep the design of full rank.
    """
    first = frame.groupby("destination_iso3")["destination_year"].min().tolist()
    years = pd.get_dummies(frame["destination_year"], dtype=float).drop(columns=first)
    return pd.concat([frame[regressors], pd.get_dummies(frame["dyad"], dtype=float), years], axis=1)


def overdispersion_alpha(fit: PanelFit) -> float:
    """NB2's α by Cameron and Trivedi's auxiliary regression on a Poisson fit's means.

    ((y − μ)² − y) / μ regressed on μ without a constant: α = Σ ((y − μ)² − y) / Σ μ².
    """
    fitted = fit.fitted()
    y, mu = fitted["applications"].to_numpy(), fitted["predicted"].to_numpy()
    return float(np.sum((y - mu) ** 2 - y) / np.sum(mu * mu))


@dataclass
class NB2Fit(PanelFit):
    """A negative binomial fit (:func:`fit_nb2`): the :class:`PanelFit` interface without pyfixest."""

    beta: pd.Series = None
    covariance: pd.DataFrame = None
    clusters: int = 0

    @property
    def coefficients(self) -> pd.Series:
        return self.beta

    @property
    def vcov(self) -> pd.DataFrame:
        return self.covariance

    @property
    def used(self) -> pd.DataFrame:
        return self.frame

    @property
    def n_obs(self) -> int:
        return len(self.frame)

    @property
    def n_clusters(self) -> int:
        return self.clusters


def _demeaned(columns: np.ndarray, effects: np.ndarray, weights: np.ndarray) -> np.ndarray:
    from pyfixest.estimation import demean

    result, converged = demean(columns, effects, weights, tol=1e-12, maxiter=100_000)
    if not converged:
        raise ModelError("NB2: the fixed effects did not converge in the demeaning")
    return result


def _nb2_deviance(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 deviance: 2 Σ [y log(y / μ) − (y + 1/α) log((1 + α y) / (1 + α μ))] (y > 0 here)."""
    return 2 * float(np.sum(y * np.log(y / mu) - (y + 1 / alpha) * np.log((1 + alpha * y) / (1 + alpha * mu))))


def fit_nb2(frame: pd.DataFrame, spec: Specification, alpha: float, start: PanelFit, *,
            tol: float = 1e-11, max_steps: int = 200) -> NB2Fit:
    """Negative binomial (NB2, α given) with dyad and destination-year effects, by IRLS.

    Each step is the GLM's weighted least squares with the fixed effects swept out
    (weights μ / (1 + α μ), working response η + (y − μ) / μ), from the PPML fit
    ``start`` on the same rows, each step halved while it raises the deviance
    (Fisher scoring overshoots where α μ is large); standard errors clustered by origin: the
    sandwich of the observed information (weights μ (1 + α y) / (1 + α μ)², the fixed
    effects swept out with them) and the scores x̃ (y − μ) / (1 + α μ), times G/(G − 1). ``frame`` must have no fixed-effect group of one row.
    ``tests/global_study/test_origin_destination.py`` checks it against statsmodels' NB2 GLM with dummies.

    Raises
    ------
    ModelError
        If the coefficients still move by ``tol`` or more after ``max_steps`` steps.
    """
    y = frame["applications"].to_numpy()
    x = frame[spec.regressors].to_numpy()
    effects = np.column_stack([pd.factorize(frame[c])[0] for c in ("dyad", "destination_year")]).astype(np.uint64)
    eta = np.log(start.fitted()["predicted"].to_numpy())
    beta = start.coefficients[spec.regressors].to_numpy()
    last = _nb2_deviance(y, np.exp(eta), alpha)
    for _ in range(max_steps):
        mu = np.exp(eta)
        weights = mu / (1.0 + alpha * mu)
        working = eta + (y - mu) / mu
        both = _demeaned(np.column_stack([working, x]), effects, weights)
        z, xt = both[:, 0], both[:, 1:]
        full = np.linalg.solve(xt.T @ (weights[:, None] * xt), xt.T @ (weights * z))
        step, fraction = working - (z - xt @ full) - eta, 1.0
        for _halving in range(30):
            deviance = _nb2_deviance(y, np.exp(eta + fraction * step), alpha)
            if deviance <= last:
                break
            fraction /= 2
        move = fraction * (full - beta)
        eta, beta, last = eta + fraction * step, beta + move, deviance
        if np.max(np.abs(move)) < tol:
            break
    else:
        raise ModelError(f"NB2 ({spec.label!r}): no convergence in {max_steps} steps")
    mu = np.exp(eta)
    weights = mu * (1.0 + alpha * y) / (1.0 + alpha * mu) ** 2  # observed information, as statsmodels' Newton
    xt = _demeaned(x, effects, weights)
    groups, names = pd.factorize(frame["origin_iso3"])[0], spec.regressors
    scores = xt * ((y - mu) / (1.0 + alpha * mu))[:, None]
    meat = np.stack([np.bincount(groups, weights=scores[:, k]) for k in range(len(names))], axis=1)
    bread = np.linalg.inv(xt.T @ (weights[:, None] * xt))
    g = int(groups.max()) + 1
    covariance = g / (g - 1) * bread @ (meat.T @ meat) @ bread
    return NB2Fit(spec, None, frame, estimator="NB2 GLM, fixed effects", beta=pd.Series(beta, index=names),
                  covariance=pd.DataFrame(covariance, index=names, columns=names), clusters=g)


def negative_binomial_check(panel: pd.DataFrame, spec: Specification = MAIN) -> pd.DataFrame:
    """PPML and a negative binomial (NB2) with the same fixed effects on the reference subset.

    Both on the destinations of :data:`REFERENCE_DESTINATIONS` (as the reference
    test of the estimators). NB2's α is set by :func:`overdispersion_alpha` from the
    PPML fit, then NB2 is fitted with that α by :func:`fit_nb2`; standard errors
    clustered by origin with the same G/(G−1) factor.
    """
    frame = _reference_subset(estimation_frame(panel, spec))
    ppml = fit_ppml(panel, spec, frame=frame)
    alpha = overdispersion_alpha(ppml)
    nb2 = fit_nb2(frame, spec, alpha, ppml)
    return pd.DataFrame([_summary("PPML on the subset (Russia and 5 EU states)", ppml),
                         _summary(f"Negative binomial (NB2, alpha {alpha:.2f}) on the same subset", nb2)])


def case_predictions(panel: pd.DataFrame, origin: str, destination: str, years: list[int],
                     spec: Specification = FORECAST) -> pd.DataFrame:
    """Observed vs predicted (left out of the fit) with 95% prediction intervals, per year."""
    rows = []
    for year in years:
        rows.append({"year": year, **predict_left_out(panel, spec, origin, destination, year)})
    return pd.DataFrame(rows)


def rank_among_origins(fit: PanelFit, destination: str, year: int, origin: str) -> dict:
    """Where ``origin`` stands among the destination's origins that year, by observed / fitted.

    Uses the in-sample fit of every origin (one fit, not one per origin): rank 1 is the
    largest ratio of observed to fitted applications.
    """
    rows = fit.fitted()
    rows = rows[(rows["destination_iso3"] == destination) & (rows["year"] == year)].copy()
    rows["ratio"] = rows["applications"] / rows["predicted"]
    rows = rows.sort_values("ratio", ascending=False).reset_index(drop=True)
    match = rows.index[rows["origin_iso3"] == origin]
    table = rows[["origin_iso3", "applications", "predicted", "ratio"]].copy()
    table.insert(0, "Origin", table.pop("origin_iso3").map(country_name))
    table.columns = ["Origin", "Observed applications", "Fitted applications", "Observed / fitted"]
    return {"rank": int(match[0]) + 1 if len(match) else None, "origins": int(len(rows)), "table": table}


def interval_words(low: float, high: float) -> str:
    """Where a 95% interval lies relative to zero, in words for the report's prose.

    Examples
    --------
    >>> interval_words(0.02, 0.31), interval_words(-0.4, 0.1), interval_words(-0.5, -0.1)
    ('above zero', 'includes zero', 'below zero')
    """
    if low > 0:
        return "above zero"
    if high < 0:
        return "below zero"
    return "includes zero"


def coefficient_figure(fit: PanelFit):
    """The lead and lag coefficients with 95% intervals."""
    from refugeestudy import plots

    table = fit.table().set_index("term")
    order = [t for t in ("log_deaths_lag2", "log_deaths_lag1", "log_deaths_lag0", "log_deaths_lead1")
             if t in table.index]
    fig, ax = plots.subplots(figsize=(8, 4.5))
    drawn = set()
    for position, term in enumerate(order):
        row = table.loc[term]
        kind = "placebo lead" if "lead" in term else "lags"
        ax.errorbar([position], [row["estimate"]],
                    yerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                    fmt="s" if kind == "placebo lead" else "o", capsize=4,
                    color="#D55E00" if kind == "placebo lead" else "#0072B2",
                    label=None if kind in drawn else kind)
        drawn.add(kind)
    positions = np.arange(len(order))
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(positions, [term_label(t) for t in order], fontsize=8)
    ax.set_ylabel("coefficient (change in log applications\nper unit of log(1 + deaths))")
    ax.set_title("Asylum applications and deaths at origin: lags and placebo lead")
    ax.set_xlabel("deaths at origin (year relative to the applications); bars: 95% interval")
    ax.legend(fontsize=8)
    return fig


def case_figure(panel: pd.DataFrame, predictions: pd.DataFrame, origin: str, destination: str,
                outcome: str, first_year: int = 2011):
    """The dyad's observed series with the left-out predictions and their 95% intervals."""
    from refugeestudy import plots

    series = panel[(panel["origin_iso3"] == origin) & (panel["destination_iso3"] == destination)
                   & (panel["year"] >= first_year)][["year", outcome]].dropna()
    fig, ax = plots.subplots(figsize=(7, 4))
    ax.plot(series["year"], series[outcome].astype(float), marker="o", color="#0072B2", label="observed")
    ax.errorbar(predictions["year"], predictions["predicted"],
                yerr=[predictions["predicted"] - predictions["pi_low"],
                      predictions["pi_high"] - predictions["predicted"]],
                fmt="s", color="#D55E00", capsize=4, label="predicted, left out of the fit (95% interval)")
    ax.set_ylabel(f"{RULES[outcome].label}\nper year")
    plots.count_axis(ax.yaxis)
    ax.set_xlabel("year")
    ax.legend(fontsize=8)
    ax.set_title(f"{country_name(origin)} to {country_name(destination)}: observed vs predicted")
    return fig


def design_table(results: dict) -> pd.DataFrame:
    """One row per design and per variant: estimate, 95% interval, observations, clusters, words.

    ``results`` maps a design's name to its :class:`~refugeestudy.global_study.designs.DesignResult`;
    variants that are results themselves get a row each.

    Examples
    --------
    >>> from refugeestudy.global_study.designs import DesignResult
    >>> r = DesignResult(0.1, 0.05, 0.0, 0.2, 100, 10, "Words.", variants={"v": DesignResult(
    ...     0.3, 0.1, 0.1, 0.5, 50, 5, "More words.")})
    >>> design_table({"one": r})[["Design", "Variant", "Estimate", "Clusters (origins)"]].values.tolist()
    [['one', 'headline', 0.1, 10], ['one', 'v', 0.3, 5]]
    >>> design_table({"two": DesignResult(0.1, 0.05, 0.0, 0.2, 100, 10, "W.", variants={"twfe": r})})["Variant"].tolist()
    ['headline', 'two-way fixed effects instead of Sun-Abraham']
    """
    rows = []
    for name, result in results.items():
        entries = [("headline", result)] + [(k, v) for k, v in result.variants.items() if hasattr(v, "estimate")]
        for variant, entry in entries:
            rows.append({"Design": name, "Variant": variant_label(variant), "Estimate": entry.estimate,
                         "95% CI low": entry.ci_low, "95% CI high": entry.ci_high,
                         "Observations": entry.n_observations, "Clusters (origins)": entry.n_clusters,
                         "In words": entry.words})
    return pd.DataFrame(rows)


def check_table(rows: pd.DataFrame) -> pd.DataFrame:
    """A robustness frame of :mod:`refugeestudy.global_study.designs.robustness` with reader-facing column names."""
    return rows.rename(columns={"check": "Check", "estimate": "Sum of lags", "ci_low": "95% CI low",
                                "ci_high": "95% CI high", "lead": "Lead", "lead_p_value": "Lead p-value",
                                "n_observations": "Observations", "n_clusters": "Clusters",
                                "origin_iso3": "Origin left out"})


def eurostat_lead_words(table: pd.DataFrame) -> str:
    """What the placebo lead does on the samples of ``eurostat_lead_checks``, and where its failure comes from.

    The rows are in that function's order: UNHCR's outcome on samples growing closer to
    Eurostat's (the second last: Eurostat's destinations and years), then Eurostat's own.
    If UNHCR's outcome fails on Eurostat's sample too, the failure comes with the sample,
    not with Eurostat's outcome.

    Examples
    --------
    >>> t = pd.DataFrame({"check": ["UNHCR, all", "UNHCR, EU from 2011", "Eurostat"],
    ...                   "lead": [0.0, -0.04, -0.05], "lead_p_value": [0.99, 0.04, 0.03]})
    >>> print(eurostat_lead_words(t))
    The placebo lead is -0.050 (p = 0.03) on Eurostat, against 0.000 (p = 0.99) on UNHCR, all; -0.040 (p = 0.04) on UNHCR, EU from 2011. UNHCR's own outcome fails the placebo on Eurostat's sample too, so the failure comes with those destinations and years, not with Eurostat's outcome.
    """
    eurostat, comparable = table.iloc[-1], table.iloc[-2]
    others = "; ".join(f"{row['lead']:.3f} (p = {row['lead_p_value']:.2g}) on {row['check']}"
                       for _, row in table.iloc[:-1].iterrows())
    text = (f"The placebo lead is {eurostat['lead']:.3f} (p = {eurostat['lead_p_value']:.2g}) on "
            f"{eurostat['check']}, against {others}. ")
    if eurostat["lead_p_value"] >= 0.05:
        return text + "It does not fail on any outcome at the 5% level."
    if comparable["lead_p_value"] < 0.05:
        return text + ("UNHCR's own outcome fails the placebo on Eurostat's sample too, so the failure comes with "
                       "those destinations and years, not with Eurostat's outcome.")
    return text + ("UNHCR's outcome passes on Eurostat's sample, so the failure is Eurostat's outcome's "
                   "(first-time applicants, counted where the claim is lodged).")


def fetch_command() -> str:
    """The command that fetches and builds everything report 05 reads.

    Examples
    --------
    >>> fetch_command().split(" && ")[1]
    'refugeestudy build --plan full'
    """
    from refugeestudy.panels.covariates import SOURCES as COVARIATE_SOURCES

    return (f"refugeestudy fetch {' '.join([*SOURCES.values(), *COVARIATE_SOURCES.values()])} "
            "&& refugeestudy build --plan full")


def coverage_words(controls: pd.DataFrame, panel: pd.DataFrame) -> str:
    """Which years each input covers (the limitations' coverage sentence), from the data.

    Examples
    --------
    >>> controls = pd.DataFrame({"year": [2021, 2022, 2023], "population": [1.0, 2.0, 3.0],
    ...     "gdp_pc_ppp": [1.0, 2.0, None], "political_stability": [1.0, None, None],
    ...     "idmc_conflict_displacements": [1.0, 1.0, 1.0]})
    >>> panel = pd.DataFrame({"year": [2023, 2024], "deaths_total_best": pd.array([1, 2], "Int64")})
    >>> coverage_words(controls, panel)
    'Population (UN WPP) covers 2021–2023, income 2021–2022, political stability 2021–2021, IDMC displacements 2021–2023 and UCDP deaths 2023–2024; controls enter lagged one year, so a design with controls stops a year after the last control year, and an origin-year with a missing control is dropped, never imputed.'
    """
    def span(frame: pd.DataFrame, column: str) -> str:
        years = sorted(frame.loc[frame[column].notna(), "year"].unique())
        gaps = [y for y in range(years[0], years[-1] + 1) if y not in set(years)]
        return f"{years[0]}–{years[-1]}" + (f" (no {', '.join(map(str, gaps))})" if gaps else "")

    return (f"Population (UN WPP) covers {span(controls, 'population')}, income {span(controls, 'gdp_pc_ppp')}, "
            f"political stability {span(controls, 'political_stability')}, IDMC displacements "
            f"{span(controls, 'idmc_conflict_displacements')} and UCDP deaths {span(panel, 'deaths_total_best')}; "
            "controls enter lagged one year, so a design with controls stops a year after the last control "
            "year, and an origin-year with a missing control is dropped, never imputed.")


def limitations(panel: pd.DataFrame, fit: PanelFit, outcome: str) -> list[str]:
    """The report's limitations, each computed from the data and the fit."""
    reported = panel[outcome].notna()
    at_floor = int((panel.loc[reported, outcome] == 5).sum())
    deaths = panel["deaths_total_best"].notna()
    last_deaths_year = int(panel.loc[deaths, "year"].max())
    covered = panel.groupby("origin_iso3")["deaths_total_best"].transform(lambda s: s.notna().any())
    no_ucdp = panel.loc[~covered, "origin_iso3"].nunique()
    uncovered_share = float(panel.loc[~covered, outcome].sum() / panel[outcome].sum())
    return [
        f"{(~reported).mean():.0%} of the panel's dyad-years have no {RULES[outcome].label} in the source; "
        "they are left out of the main fit, not set to zero (UNHCR publishes nothing below 5, and "
        f"{at_floor:,} reported values are exactly 5).",
        f"UCDP's country-year deaths end in {last_deaths_year}; models with same-year deaths or a lead stop "
        f"at {last_deaths_year} or {last_deaths_year - 1}, and the {last_deaths_year + 1} predictions use "
        "deaths of the two previous years only.",
        f"{no_ucdp} origins have no UCDP row and drop out (territories UCDP does not code separately, "
        f"UNHCR's stateless and unknown categories); they hold {uncovered_share:.1%} of the reported "
        "applications.",
        f"Overdispersion: Pearson dispersion {fit.dispersion:,.0f} (1 under Poisson); PPML stays consistent, "
        "but prediction intervals are wide and leave out the fixed effects' own estimation error.",
        "The decision levels IN, EO (United States) and FA (first instance and appeal together) are kept "
        "as first-instance claims from how the file uses them, not from a UNHCR code list; FA counts "
        "some appeals.",
        "The 2025 figures are provisional (UNHCR release 2025.12.1) and will be revised.",
        f"Standard errors rest on {fit.n_clusters} origin clusters; the lead is a placebo for "
        "anticipation, not a test of causality.",
    ]
