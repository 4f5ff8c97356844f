"""CEPII GeoDist dist_cepii: values, the legacy-code rule, the file's two known defects."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.cepii import COLUMNS, LEGACY_CODES, current_iso3, read_cepii_geodist

HEADER = ("iso_o,iso_d,contig,comlang_off,comlang_ethno,colony,comcol,curcol,col45,smctry,"
          "dist,distcap,distw,distwces\n")


@pytest.fixture(scope="module")
def table(shared_extract):
    return read_cepii_geodist(shared_extract("cepii/dist_cepii.csv"))


def _pair(table, origin, destination):
    rows = table[(table["origin_iso3"] == origin) & (table["destination_iso3"] == destination)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_rows_and_columns(table):
    # 224 x 224 = 50,176 rows in the file; the one row without a destination code is dropped
    assert len(table) == 50175 and list(table.columns) == list(COLUMNS)
    assert table.attrs["repairs"] == {"curcol_not_0_1": 1, "rows_without_code": 1}


def test_syria_values_match_the_readme(table):
    lebanon = _pair(table, "SYR", "LBN")
    assert lebanon["contig"] == 1 and lebanon["distw"] == 228.363 and lebanon["comlang_off"] == 1
    assert round(_pair(table, "SYR", "DEU")["distw"]) == 2843
    neighbours = set(table.loc[(table["origin_iso3"] == "SYR") & (table["contig"] == 1), "destination_iso3"])
    assert neighbours == {"LBN", "JOR", "TUR", "IRQ", "ISR"}


def test_legacy_codes_mapped_by_the_rule(table):
    assert LEGACY_CODES == {"ZAR": "COD", "TMP": "TLS", "PAL": "PSE", "YUG": "SRB", "ANT": None}
    assert _pair(table, "COD", "COG")["contig"] == 1  # ZAR-COG in the file
    assert _pair(table, "PSE", "ISR")["cepii_origin"] == "PAL"
    assert _pair(table, "SRB", "HRV")["cepii_origin"] == "YUG"
    assert _pair(table, "TLS", "IDN")["contig"] == 1
    codes = set(table["origin_iso3"].dropna())
    assert not {"ZAR", "TMP", "PAL", "YUG", "ANT"} & codes
    assert not {"MNE", "XKX", "SSD", "CUW", "SXM", "BES"} & codes  # successors without a row
    antilles = table[table["cepii_origin"] == "ANT"]
    assert len(antilles) == 224 and antilles["origin_iso3"].isna().all()


def test_missing_distance_is_missing_not_zero(table):
    macao = table[(table["cepii_origin"] == "MAC") & (table["cepii_destination"] == "DEU")].iloc[0]
    assert pd.isna(macao["distw"]) and macao["dist"] > 0
    assert table["distw"].isna().sum() == 2215  # the cells holding "." in the file


def test_the_two_known_defects(table):
    romania_bolivia = _pair(table, "ROU", "BOL")
    assert pd.isna(romania_bolivia["curcol"]) and romania_bolivia["colony"] == 0
    assert not ((table["cepii_origin"] == "ZAF") & (table["cepii_destination"] == "KAZ")).any()
    assert _pair(table, "KAZ", "ZAF")["dist"] == 10441.83


def test_current_iso3_rule():
    codes = pd.Series(["ZAR", "TMP", "PAL", "YUG", "ANT", "SYR", None], dtype="string")
    assert current_iso3(codes).tolist() == ["COD", "TLS", "PSE", "SRB", pd.NA, "SYR", pd.NA]


def test_a_legacy_code_beside_its_successor_is_an_error(tmp_path):
    bad = tmp_path / "dist.csv"
    bad.write_text(HEADER + "YUG,HRV,1,1,1,0,0,0,0,0,300,300,300,300\n"
                            "SRB,HRV,1,1,1,0,0,0,0,0,300,300,300,300\n")
    with pytest.raises(InputError, match=r"dist.csv:3: column 'iso_o, iso_d \(after mapping legacy codes\)'"):
        read_cepii_geodist(bad)


def test_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "dist.csv"
    bad.write_text(HEADER + "SYR,LBN,2,1,1,0,0,0,0,0,85,85,228,156\nsyr,LBN,1,1,1,0,0,0,0,0,85,85,x,156\n"
                            "SYR,TUR,1,1,1,0,0,0,0,0,.,779,753,574\n")
    with pytest.raises(InputError) as info:
        read_cepii_geodist(bad)
    text = str(info.value)
    assert "dist.csv:2: column 'contig': expected 0 or 1, found '2'" in text
    assert "dist.csv:3: column 'iso_o': expected a three-letter code, found 'syr'" in text
    assert "dist.csv:3: column 'distw': expected a number, found 'x'" in text
    assert "dist.csv:4: column 'dist': is empty" in text
