"""Origin-year controls (WDI/WPP 2024, IDMC) and dyad geography (CEPII) on the real mirror files."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from refugeestudy.panels.covariates import (CONTROL_COLUMNS, GEOGRAPHY_COLUMNS, dyad_geography,
                                     origin_year_controls, share_without_geography)
from refugeestudy.sources.cepii import read_cepii_geodist
from refugeestudy.sources.idmc import read_idmc_flows
from refugeestudy.sources.wdi import read_wdi


@pytest.fixture(scope="module")
def controls(shared_extract):
    table = origin_year_controls(read_wdi(shared_extract("wdi/wdi_gdidata_0.3.21.csv")),
                                 read_idmc_flows(shared_extract("idmc/idmc_flows_gdidata_0.3.21.csv")),
                                 ["PSE", "UNK"], through_year=2025)
    return table.set_index(["origin", "year"])


@pytest.fixture(scope="module")
def geography(shared_extract):
    return dyad_geography(read_cepii_geodist(shared_extract("cepii/dist_cepii.csv")))


def test_controls_one_row_per_origin_year(controls):
    assert list(controls.reset_index().columns) == list(CONTROL_COLUMNS)
    assert controls.index.is_unique
    assert controls.index.get_level_values("year").min() == 1990
    assert controls.index.get_level_values("year").max() == 2025


def test_controls_syria_values(controls):
    syria = controls.loc["SYR"]
    assert syria.loc[2023, "population"] == 23594624
    assert syria.loc[2023, "idmc_conflict_displacements"] == 174420
    assert syria.loc[2017, "idmc_conflict_displacements"] == 2911272
    assert syria.loc[2022, "political_stability"] < -2
    assert syria.loc[2023, "population_source"] == "UN WPP 2024 (mid-year population), gdidata 0.3.21"


def test_controls_missing_never_zero(controls, shared_extract):
    syria = controls.loc["SYR"]
    assert syria.loc[[2024, 2025], ["population", "gdp_pc_ppp"]].isna().all().all()  # end in 2023
    assert syria.loc[[1997, 1999, 2001, 2023], "political_stability"].isna().all()  # no WGI rows
    assert pd.isna(syria.loc[2007, "idmc_conflict_displacements"])  # IDMC starts in 2008
    assert syria.loc[2009, "idmc_conflict_displacements"] == 0  # IDMC's own 0
    assert controls.loc["UNK"].drop(columns="population_source").isna().all().all()  # no source knows it
    # every 0 in the conflict column is a row IDMC published with n = 0, never a filled-in gap
    with open(shared_extract("idmc/idmc_flows_gdidata_0.3.21.csv"), encoding="utf-8") as handle:
        published = sum(1 for row in csv.DictReader(handle) if row["cause"] == "conflict" and row["n"] == "0")
    assert (controls["idmc_conflict_displacements"] == 0).sum() == published > 0
    assert controls["idmc_conflict_displacements"].notna().sum() == 716  # IDMC's conflict rows


def test_geography_syria_and_legacy_codes(geography):
    assert list(geography.columns) == list(GEOGRAPHY_COLUMNS)
    pairs = geography.set_index(["origin", "destination"])
    assert pairs.loc[("SYR", "LBN"), "contig"] == 1 and pairs.loc[("SYR", "LBN"), "distw"] == 228.363
    assert pairs.loc[("COD", "COG"), "contig"] == 1 and ("PSE", "ISR") in pairs.index
    codes = set(geography["origin"]) | set(geography["destination"])
    assert not {"ANT", "ZAR", "YUG", "PAL", "TMP", "SSD", "XKX", "MNE"} & codes
    assert len(geography) == 50175 - 224 - 223  # every pair with ANT at either end left out


def test_share_without_geography_hand_made():
    panel = pd.DataFrame({"origin_iso3": ["SYR", "SSD", "MNE", "SYR"],
                          "destination_iso3": ["DEU", "UGA", "DEU", "XKX"],
                          "first_instance_persons": pd.array([60, 25, 5, None], dtype="Int64")})
    geography = pd.DataFrame({"origin": ["SYR", "SRB"], "destination": ["DEU", "DEU"]})
    assert share_without_geography(panel, geography) == pytest.approx(30 / 90, rel=1e-12)
