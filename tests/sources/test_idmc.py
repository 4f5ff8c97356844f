"""IDMC new internal displacements by cause (gdidata 0.3.21): reported zeros vs absent rows."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.idmc import COLUMNS, displacements_by_cause, read_idmc_flows


@pytest.fixture(scope="module")
def table(shared_extract):
    return read_idmc_flows(shared_extract("idmc/idmc_flows_gdidata_0.3.21.csv"))


@pytest.fixture(scope="module")
def wide(table):
    return displacements_by_cause(table).set_index(["country_iso3", "year"])


def test_rows_columns_and_years(table):
    assert len(table) == 4071 and list(table.columns) == list(COLUMNS)
    assert (table["year"].min(), table["year"].max()) == (2008, 2023)
    assert table.loc[table["cause"] == "conflict", "country_iso3"].nunique() == 83


def test_syria_conflict_matches_the_readme(wide):
    syria = wide.loc["SYR", "conflict"]
    assert syria.loc[[2012, 2013, 2017, 2023]].tolist() == [2_400_000, 3_500_000, 2_911_272, 174_420]


def test_reported_zero_stays_zero_and_absent_row_is_missing(table, wide):
    assert wide.loc[("SYR", 2009), "conflict"] == 0  # IDMC published a 0
    syria_years = set(table.loc[(table["country_iso3"] == "SYR") & (table["cause"] == "conflict"), "year"])
    assert 2008 not in syria_years and ("SYR", 2008) not in wide.index  # no row: absent, not 0
    disaster_only = wide[wide["conflict"].isna()]
    assert len(disaster_only) > 0 and disaster_only["disaster"].notna().all()
    assert (wide["conflict"].notna() | wide["disaster"].notna()).all()


def test_disaster_is_the_sum_of_the_hazards(table, wide):
    rows = table[(table["country_iso3"] == "SYR") & (table["year"] == 2023) & (table["cause"] != "conflict")]
    assert len(rows) >= 1 and wide.loc[("SYR", 2023), "disaster"] == rows["displacements"].sum()


def test_hand_made_frame_missing_not_zero():
    rows = pd.DataFrame({"country_iso3": ["AAA", "AAA", "BBB"], "year": [2010, 2010, 2011],
                         "cause": ["flood", "storm", "conflict"], "displacements": [3, 4, 0]})
    out = displacements_by_cause(rows)
    assert out["country_iso3"].tolist() == ["AAA", "BBB"]
    assert pd.isna(out.loc[0, "conflict"]) and out.loc[0, "disaster"] == 7
    assert out.loc[1, "conflict"] == 0 and pd.isna(out.loc[1, "disaster"])


def test_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "idmc.csv"
    bad.write_text("geo,t,cause,n\nSYR,2023,conflict,10\nSYR,2023,conflict,12\nSYR,2023,locusts,1\n"
                   "SYR,2022,flood,-3\n")
    with pytest.raises(InputError) as info:
        read_idmc_flows(bad)
    text = str(info.value)
    assert "idmc.csv:3: column 'geo, t, cause': duplicated id" in text
    assert "idmc.csv:4: column 'cause': expected one of conflict" in text and "'locusts'" in text
    assert "idmc.csv:5: column 'n': must not be negative" in text
