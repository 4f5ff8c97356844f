"""The dyad-year panel on the real global files: hand-checked rows, missing vs zero, lags and leads."""

from __future__ import annotations


import pandas as pd
import pytest

from refugeestudy.case_study import series as panel_module
from refugeestudy.panels.dyads import PanelError, build_dyad_panel, death_column



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


# --------------------------------------------------------------------------- stock share (issue 15)


def test_stock_share_on_a_hand_made_frame():
    from refugeestudy.panels.dyads import stock_columns

    population = pd.DataFrame({"origin_iso3": ["AAA"] * 3 + ["BBB"], "destination_iso3": ["X", "Y", "Z", "X"],
                               "year": [2020] * 4, "refugees": [30, 10, 0, 0], "asylum_seekers": [10, 0, 0, 0]})
    rows = pd.DataFrame({"origin_iso3": ["AAA", "AAA", "AAA", "AAA", "BBB", "AAA"],
                         "destination_iso3": ["X", "Y", "Z", "W", "X", "X"],
                         "year": [2021, 2021, 2021, 2021, 2021, 2020]})
    out = stock_columns(population, rows)
    assert out["stock_lag1"].tolist()[:3] == [40, 10, 0]
    assert out["stock_share_lag1"].tolist()[:3] == [0.8, 0.2, 0.0]
    assert pd.isna(out.loc[3, "stock_lag1"]) and pd.isna(out.loc[3, "stock_share_lag1"])  # no row: not 0
    assert out.loc[4, "stock_lag1"] == 0 and pd.isna(out.loc[4, "stock_share_lag1"])  # total 0: 0/0
    assert pd.isna(out.loc[5, "stock_lag1"]) and pd.isna(out.loc[5, "stock_share_lag1"])  # no 2019 row
    with pytest.raises(PanelError, match="appears twice"):
        stock_columns(pd.concat([population, population.head(1)]), rows)


def test_stock_share_on_the_real_panel(panel):
    # UNHCR, end-2015: 2,503,549 refugees + 297 asylum-seekers from Syria in Turkey, out of
    # 5,119,093 Syrian refugees and asylum-seekers in every country of asylum.
    row = _row(panel, "SYR", "TUR", 2016)
    assert row["stock_lag1"] == 2503846
    assert row["stock_share_lag1"] == pytest.approx(2503846 / 5119093, rel=1e-12)
    assert panel["stock_share_lag1"].isna().equals(panel["stock_lag1"].isna())  # no 0 total here
    shares = panel[(panel["origin_iso3"] == "SYR") & (panel["year"] == 2016)]["stock_share_lag1"]
    assert 0.99 < shares.sum() <= 1 + 1e-12  # the panel's dyads hold nearly all of Syria's stock
    assert panel["stock_share_lag1"].between(0, 1).sum() == panel["stock_share_lag1"].notna().sum()


# --------------------------------------------------------------------------- Israel / Palestine


def _israel_inputs():
    apps = pd.DataFrame({"year": [2023, 2023], "origin_iso3": ["ISR", "PSE"], "destination_iso3": ["DEU", "DEU"],
                         "procedure_type": ["G", "G"], "app_type": ["N", "N"], "dec_level": ["FI", "FI"],
                         "app_pc": ["P", "P"], "applied": [10, 90]})
    population = pd.DataFrame({"year": [2022], "origin_iso3": ["PSE"], "destination_iso3": ["DEU"],
                               "refugees": [5], "asylum_seekers": [1]})
    kinds = {f"{k}_{b}": [27434] for k in ("total", "state_based", "non_state", "one_sided")
             for b in ("best", "low", "high")}
    conflict = pd.DataFrame({"country_iso3": ["ISR"], "year": [2023], **kinds})
    return apps, population, conflict


def test_israel_deaths_are_withheld_and_palestine_has_none():
    from refugeestudy.panels.dyads import DEATHS_WITHHELD, ISRAEL_PALESTINE_RULE

    assert set(DEATHS_WITHHELD) == {"ISR"} and "Gaza" in ISRAEL_PALESTINE_RULE
    panel = build_dyad_panel(*_israel_inputs(), first_year=2023)
    israel, palestine = panel.iloc[0], panel.iloc[1]
    assert israel["ucdp_deaths_withheld"] and not palestine["ucdp_deaths_withheld"]
    deaths = [c for c in panel.columns if c.startswith("deaths_")]
    assert len(deaths) == 48 and panel[deaths].isna().all().all()  # missing, never 0
    assert israel["first_instance_persons"] == 10 and palestine["stock_lag1"] == 6  # outcome kept
    kept = build_dyad_panel(*_israel_inputs(), first_year=2023, withhold_deaths={})
    assert kept.loc[0, "deaths_total_best"] == 27434 and not kept["ucdp_deaths_withheld"].any()


def test_israel_palestine_on_the_real_panel(panel):
    from refugeestudy.panels.dyads import application_share

    israel = panel[panel["origin_iso3"] == "ISR"]
    assert israel["ucdp_deaths_withheld"].all() and israel["deaths_total_best"].isna().all()
    assert not panel.loc[panel["origin_iso3"] != "ISR", "ucdp_deaths_withheld"].any()
    assert panel.loc[panel["origin_iso3"] == "PSE", "deaths_total_best"].isna().all()
    assert _row(panel, "SYR", "DEU", 2016)["deaths_total_best"] == 53891  # others untouched
    # First-instance persons: ISR 12,358 and PSE 123,531 of 33,159,064 in the panel.
    assert application_share(panel, ["ISR", "PSE"]) == pytest.approx((12358 + 123531) / 33159064, rel=1e-12)
