"""Design 2, dyad exposure: synthetic recovery, statsmodels reference on a real subset, CEPII coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refugeestudy.global_study.designs.dyad_exposure import (EXPOSURES, dyad_exposure_frame, fit_dyad_exposure,
                                                interaction_names)
from refugeestudy.global_study.designs.robustness import largest_origins

from ._reference import clustered_glm, drop_singletons, independent_dummies

TRUE = {"contig": [0.3, 0.2, 0.1, 0.0], "log_distance_centred": [-0.1, -0.05, 0.0, 0.0],
        "stock_share_lag1": [0.5, 0.0, 0.2, 0.0]}


def synthetic_panel(seed: int = 11):
    """Labelled SYNTHETIC: 6 origins × 8 destinations × 2000-2012, noise-free exp(α_ot + δ_od + γ_dt + x'β)."""
    rng = np.random.default_rng(seed)
    origins, destinations, years = [f"O{i}" for i in range(6)], [f"D{j}" for j in range(8)], range(2000, 2013)
    panel = pd.MultiIndex.from_product([origins, destinations, years],
                                       names=["origin_iso3", "destination_iso3", "year"]).to_frame(index=False)
    deaths = {(o, y): float(rng.integers(0, 5000)) for o in origins for y in range(1996, 2015)}
    for column, shift in (("deaths_total_best", 0), ("deaths_total_best_lag1", 1), ("deaths_total_best_lag2", 2),
                          ("deaths_total_best_lead1", -1)):
        panel[column] = [deaths[(o, y - shift)] for o, y in zip(panel["origin_iso3"], panel["year"])]
    panel["stock_share_lag1"] = rng.uniform(0, 0.4, len(panel))
    geography = pd.MultiIndex.from_product([origins, destinations], names=["origin", "destination"]).to_frame(index=False)
    geography["contig"] = rng.integers(0, 2, len(geography))
    geography["distw"] = rng.uniform(200, 9000, len(geography))
    panel["first_instance_persons"] = 1.0
    frame, _ = dyad_exposure_frame(panel, geography)
    eta = sum(frame[key].map(dict(zip(frame[key].unique(), rng.normal(0, 1, frame[key].nunique()))))
              for key in ("origin_year", "dyad", "destination_year")) + 0.7 * frame["stock_share_lag1"] + 4.0
    for exposure, values in TRUE.items():
        for name, value in zip(interaction_names(exposure), values):
            eta += value * frame[name]
    outcome = frame[["origin_iso3", "destination_iso3", "year"]].assign(first_instance_persons=np.exp(eta))
    panel = panel.drop(columns="first_instance_persons").merge(outcome, on=["origin_iso3", "destination_iso3", "year"])
    return panel, geography


def test_recovers_known_effects_on_noise_free_synthetic_data():
    panel, geography = synthetic_panel()
    frame, counts = dyad_exposure_frame(panel, geography)
    result = fit_dyad_exposure(frame, details=counts)
    assert result.estimate == pytest.approx(0.6, rel=1e-6)
    for exposure, values in TRUE.items():
        for name, value in zip(interaction_names(exposure), values):
            assert result.fit.coefficients[name] == pytest.approx(value, rel=1e-6, abs=1e-8)
    assert result.fit.coefficients["stock_share_lag1"] == pytest.approx(0.7, rel=1e-6)
    assert result.terms["stock_share_lag1_lag_sum"]["estimate"] == pytest.approx(0.7, rel=1e-6)
    assert counts["rows_without_cepii"] == 0 and result.n_clusters == 6


def test_dyads_without_cepii_or_stock_share_drop_and_are_counted():
    panel, geography = synthetic_panel()
    geography = geography[~((geography["origin"] == "O1") & (geography["destination"] == "D2"))]
    panel.loc[(panel["origin_iso3"] == "O2") & (panel["year"] == 2005), "stock_share_lag1"] = np.nan
    frame, counts = dyad_exposure_frame(panel, geography)
    assert counts["rows_without_cepii"] == 13 and counts["rows_without_stock_share"] == 8
    share = panel.loc[(panel["origin_iso3"] == "O1") & (panel["destination_iso3"] == "D2"), "first_instance_persons"]
    assert counts["applications_share_without_cepii"] == pytest.approx(share.sum() / panel["first_instance_persons"].sum())
    assert len(frame) == len(panel) - 13 - 8
    without_share, counts = dyad_exposure_frame(panel, geography, exposures=("contig", "log_distance_centred"))
    assert counts["rows_without_stock_share"] == 0 and len(without_share) == len(panel) - 13


def test_matches_statsmodels_glm_with_dummies_on_a_real_subset(global_panel, geography):
    origins = largest_origins(global_panel, 15)
    subset = global_panel[global_panel["origin_iso3"].isin(origins)
                          & global_panel["destination_iso3"].isin(["RUS", "DEU", "FRA", "SWE", "AUT", "POL"])]
    frame, _ = dyad_exposure_frame(subset, geography)
    frame = drop_singletons(frame, ["origin_year", "dyad", "destination_year"])
    assert frame["contig"].sum() > 20  # neighbours inside the subset (e.g. UKR-RUS, UKR-POL)
    assert frame["origin_iso3"].nunique() > 10
    names = [n for e in EXPOSURES for n in interaction_names(e)] + ["stock_share_lag1"]
    dummies = independent_dummies(frame, ["origin_year", "dyad", "destination_year"])
    design = pd.concat([frame[names], dummies], axis=1)
    params, cov = clustered_glm(frame["applications"], design, frame["origin_iso3"])
    result = fit_dyad_exposure(frame)
    np.testing.assert_allclose(result.fit.coefficients[names], params[names], rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(result.fit.vcov.loc[names, names])),
                               np.sqrt(np.diag(cov.loc[names, names])), rtol=1e-4)
    assert result.estimate == pytest.approx(params[interaction_names("contig", (0, 1, 2))].sum(), rel=1e-6)
