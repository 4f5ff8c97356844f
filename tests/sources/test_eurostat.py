"""Eurostat first-time asylum applicants (migr_asyappctza, gdidata's long layout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.eurostat import COLUMNS, read_eurostat_asylum

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (../shared/data is not mounted)")
    return path

ASY = SHARED / "eurostat" / "migr_asyappctza_first_time_2011_2024.csv"


@pytest.fixture(scope="module")
def table():
    return read_eurostat_asylum(_need(ASY))


def test_rows_columns_and_aggregate_flag(table):
    assert len(table) == 43896 and list(table.columns) == list(COLUMNS)
    assert set(table.loc[table["is_aggregate"], "destination_iso3"]) == {"EU27"}
    assert set(table["sex"]) == {"female", "male", "unknown"}


def test_syrians_in_the_eu27_match_the_readme(table):
    syrians = table[(table["destination_iso3"] == "EU27") & (table["origin_iso3"] == "SYR")]
    by_year = syrians.groupby("year")["applicants"].sum()
    assert by_year.loc[[2015, 2016, 2023, 2024]].tolist() == [365540, 337675, 186390, 153405]


def test_errors(tmp_path):
    bad = tmp_path / "asy.csv"
    bad.write_text("geo,t,nat,sex,n\nAUT,2015,SYR,male,10\nAUT,2015,SYR,male,12\nAUT,2016,SYR,other,1.5\n")
    with pytest.raises(InputError) as info:
        read_eurostat_asylum(bad)
    text = str(info.value)
    assert "asy.csv:3" in text and "first on line 2" in text
    assert "asy.csv:4: column 'sex'" in text and "asy.csv:4: column 'n': expected a whole number" in text
    bad.write_text("geo;t;nat;sex;n\nAUT;2015;SYR;male;10\n")
    with pytest.raises(InputError, match="delimiter"):
        read_eurostat_asylum(bad)
