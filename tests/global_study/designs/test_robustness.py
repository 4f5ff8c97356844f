"""Robustness refits: each row equals the refit done by hand; trends recovered on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from refugeestudy.global_study.designs.origin_year import fit_origin_year, origin_year_frame
from refugeestudy.global_study.designs.robustness import (dyad_robustness, eurostat_lead_checks, largest_origins,
                                             leave_one_origin_out, origin_year_trends, varying_origins)
from refugeestudy.global_study.ppml import Specification, fit_ppml

from .test_origin_year_design import synthetic_inputs


def synthetic_frame(trend_slopes=None):
    """Labelled SYNTHETIC (see ``synthetic_inputs``); origin S11's deaths constant; optional origin trends."""
    outcome, deaths, controls = synthetic_inputs(constant_origin="S11")
    frame, _ = origin_year_frame(outcome, deaths, controls)
    if trend_slopes:
        slope = frame["origin_iso3"].map(trend_slopes).fillna(0.0)
        frame["applications"] *= np.exp(slope * (frame["year"] - frame["year"].min()))
    return frame


def test_leave_one_origin_out_equals_refits_by_hand():
    frame = synthetic_frame()
    assert varying_origins(frame) == [f"S{i:02d}" for i in range(11)]  # S11's deaths never change
    table = leave_one_origin_out(frame, n_jobs=1).set_index("origin_iso3")
    assert len(table) == 11
    for origin in ("S00", "S07"):
        by_hand = fit_origin_year(frame[frame["origin_iso3"] != origin])
        assert table.loc[origin, "estimate"] == pytest.approx(by_hand.estimate, rel=1e-12)
        assert table.loc[origin, "n_observations"] == by_hand.n_observations


def test_origin_trends_recover_known_effects_on_noise_free_synthetic_data():
    slopes = {f"S{i:02d}": 0.03 * (i - 5) for i in range(12)}
    row = origin_year_trends(synthetic_frame(slopes))
    assert row["estimate"] == pytest.approx(0.007, rel=1e-6)
    assert fit_origin_year(synthetic_frame(slopes)).estimate != pytest.approx(0.007, rel=1e-3)  # trends matter


@pytest.fixture(scope="module")
def small_panel(global_panel_with_eurostat):
    """The real panel, 20 largest origins into Russia and 8 EU+ states (keeps the refits fast)."""
    panel = global_panel_with_eurostat
    destinations = ["RUS", "DEU", "FRA", "SWE", "AUT", "BEL", "ITA", "NLD", "CHE"]
    return panel[panel["origin_iso3"].isin(largest_origins(panel, 20))
                 & panel["destination_iso3"].isin(destinations)].reset_index(drop=True)


def test_dyad_robustness_rows_equal_refits_by_hand(small_panel):
    table = dyad_robustness(small_panel, largest=2, together=2, n_jobs=1)
    first, second = largest_origins(small_panel, 2)
    assert table["check"].tolist()[:3] == [f"Dyad model without {first}", f"Dyad model without {second}",
                                           f"Dyad model without {first}, {second}"]
    by_hand = fit_ppml(small_panel, Specification(exclude_origins=(first, second)))
    assert table.loc[2, "estimate"] == pytest.approx(by_hand.lag_sum()["estimate"], rel=1e-9)
    assert table.loc[2, "n_observations"] == by_hand.n_obs
    assert "lagged stock" in table.loc[3, "check"] and table.loc[3, "n_observations"] < fit_ppml(small_panel).n_obs


def test_eurostat_lead_checks_rows(small_panel):
    table = eurostat_lead_checks(small_panel)
    assert len(table) == 5
    eurostat = fit_ppml(small_panel, Specification(outcome="eurostat_first_time"))
    assert table.loc[4, "lead"] == pytest.approx(float(eurostat.coefficients["log_deaths_lead1"]), rel=1e-9)
    unhcr_from_2011 = fit_ppml(small_panel, Specification(first_year=2011))
    assert table.loc[2, "estimate"] == pytest.approx(unhcr_from_2011.lag_sum()["estimate"], rel=1e-9)
    assert table["lead_p_value"].between(0, 1).all()
