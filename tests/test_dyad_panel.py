"""The dyad-year panel on the real global files: hand-checked rows, missing vs zero, lags and leads."""

from __future__ import annotations


import pandas as pd
import pytest

from refugeestudy import panel as panel_module
from refugeestudy.dyad_panel import PanelError, build_dyad_panel, death_column



@pytest.fixture(scope="module")
def panel(global_panel_with_eurostat):
    return global_panel_with_eurostat


def _row(panel, origin, destination, year):
    rows = panel[(panel["origin_iso3"] == origin) & (panel["destination_iso3"] == destination)
                 & (panel["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_re_exported_from_panel():
    assert panel_module.build_dyad_panel is build_dyad_panel


def test_grid_every_dyad_every_year(panel):
    assert panel["year"].min() == 2000 and panel["year"].max() == 2025
    assert len(panel) == panel[["origin_iso3", "destination_iso3"]].drop_duplicates().shape[0] * 26
    assert not panel.duplicated(["origin_iso3", "destination_iso3", "year"]).any()


def test_syria_russia_hand_checked(panel):
    # UNHCR: 2024 FI 59 + TA 726; 2025 FI 124 + TA 3,196. Stock at end-2024: 142 refugees + 700
    # asylum-seekers. UCDP 25.1 Syria best: 2023 2,187; 2024 3,616; 2022 1,671.
    row = _row(panel, "SYR", "RUS", 2025)
    assert row["first_instance_persons"] == 3320 and row["all_applications"] == 3320
    assert row["stock_lag1"] == 842
    assert pd.isna(row["deaths_total_best"])  # UCDP 25.1 ends in 2024: missing, not zero
    assert row["deaths_total_best_lag1"] == 3616 and row["deaths_total_best_lag2"] == 2187
    row = _row(panel, "SYR", "RUS", 2024)
    assert row["first_instance_persons"] == 785
    assert row["stock_lag1"] == 136 + 66
    assert (row["deaths_total_best"], row["deaths_total_best_lag1"], row["deaths_total_best_lag2"]) == (3616, 2187, 1671)
    assert pd.isna(row["deaths_total_best_lead1"])
    assert _row(panel, "SYR", "RUS", 2023)["deaths_total_best_lead1"] == 3616
    assert pd.isna(row["eurostat_first_time"])  # Russia is not an EU+ reporter


def test_types_and_bounds(panel):
    row = _row(panel, "SYR", "DEU", 2016)
    parts = sum(row[death_column(k, "best")] for k in ("state_based", "non_state", "one_sided"))
    assert parts == row["deaths_total_best"] == 53891
    assert row["deaths_total_low"] <= row["deaths_total_best"] <= row["deaths_total_high"]
    assert row["eurostat_first_time"] > 200_000


def test_missing_is_never_zero(panel):
    # No UNHCR application row is 0, so no reported outcome is 0
    assert (panel["first_instance_persons"].dropna() > 0).all()
    assert panel["first_instance_persons"].isna().any()
    # Palestine has no UCDP row: deaths missing, not zero
    assert panel.loc[panel["origin_iso3"] == "PSE", "deaths_total_best"].isna().all()
    # The stock is zero only where UNHCR reports zeros: Syria -> Russia 2001 stock (end-2000) is absent
    assert pd.isna(_row(panel, "SYR", "RUS", 2001)["stock_lag1"])
    assert (panel["stock_lag1"] == 0).any()


def test_destination_reported_flag(panel):
    row = _row(panel, "SYR", "RUS", 2025)
    assert row["first_instance_persons_destination_reported"]
    assert not panel.loc[panel["year"] == 2025, "eurostat_first_time_destination_reported"].any()


def test_conflict_table_with_a_country_twice_is_an_error():
    conflict = pd.DataFrame({"country_iso3": ["DEU", "DEU"], "year": [1990, 1990]})
    with pytest.raises(PanelError, match="DEU appears twice in 1990"):
        build_dyad_panel(pd.DataFrame(), pd.DataFrame(), conflict)
