"""The Gleditsch-Ward -> ISO3 crosswalk: every UCDP country, the hard cases, unknown codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from refugeestudy.clean.gleditsch_ward import UnknownCountryCode, crosswalk, to_iso3
from refugeestudy.errors import RefugeestudyError

CY = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "ucdp" / "organizedviolencecy_v25_1.csv"


def test_every_country_of_the_ucdp_file_maps_to_three_letters():
    if not CY.exists():
        pytest.skip(f"real extract {CY} is absent")
    ucdp = pd.read_csv(CY, usecols=["country_id_cy", "country_cy"]).drop_duplicates()
    assert len(ucdp) == 199
    letters = to_iso3(ucdp["country_id_cy"])
    assert all(len(code) == 3 and code.isupper() for code in letters)
    names = dict(zip(crosswalk()["gw_code"], crosswalk()["gw_name"]))
    assert all(names[c] == n for c, n in zip(ucdp["country_id_cy"], ucdp["country_cy"]))


@pytest.mark.parametrize(("code", "iso3"), [
    (345, "SRB"),  # Yugoslavia -> Serbia and Montenegro -> Serbia
    (347, "XKX"),  # Kosovo (user-assigned)
    (678, "YEM"),  # North Yemen -> Yemen
    (680, "YMD"),  # South Yemen (ISO 3166-3)
    (365, "RUS"),  # Soviet Union -> Russia
    (260, "DEU"), (255, "DEU"), (265, "DDR"),
    (625, "SDN"), (626, "SSD"),
    (490, "COD"), (484, "COG"),
    (315, "CSK"), (316, "CZE"), (317, "SVK"),
    (652, "SYR"), (660, "LBN"), (713, "TWN"), (860, "TLS"), (437, "CIV"), (572, "SWZ"),
])
def test_hard_cases(code, iso3):
    assert to_iso3([code]) == [iso3]


def test_unknown_code_is_an_error_naming_it():
    with pytest.raises(UnknownCountryCode, match="code 999 is not in the crosswalk") as info:
        to_iso3([652, 1234, 999])
    assert isinstance(info.value, RefugeestudyError)
    assert "1234" in str(info.value) and info.value.hint


def test_crosswalk_is_unique_and_documented():
    table = crosswalk()
    assert table["gw_code"].is_unique and len(table) == 200
    text = (Path(__file__).resolve().parents[2] / "src" / "refugeestudy" / "clean" / "gw_iso3.csv").read_text()
    assert text.startswith("# Gleditsch-Ward") and "ksgleditsch.com" in text
