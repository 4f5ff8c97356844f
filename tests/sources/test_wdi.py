"""World Bank WDI / UN WPP 2024 country-year indicators (gdidata 0.3.21, long layout)."""

from __future__ import annotations

import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.wdi import COLUMNS, INDICATORS, read_wdi


@pytest.fixture(scope="module")
def table(shared_extract):
    return read_wdi(shared_extract("wdi/wdi_gdidata_0.3.21.csv"))


def _value(table, country, indicator, year):
    rows = table[(table["country_iso3"] == country) & (table["indicator"] == indicator)
                 & (table["year"] == year)]
    return rows["value"].item() if len(rows) else None


def test_rows_columns_and_indicators(table):
    assert len(table) == 92435 and list(table.columns) == list(COLUMNS)
    assert table["country_iso3"].nunique() == 239
    assert set(table["indicator"]) == set(INDICATORS)


def test_values_match_the_readme(table):
    assert _value(table, "SYR", "pop", 2023) == 23594624
    pop = table[table["indicator"] == "pop"]
    assert (pop["year"].min(), pop["year"].max()) == (1950, 2023)
    assert table.loc[table["indicator"] == "income", "year"].min() == 1990


def test_political_stability_years_are_missing_not_zero(table):
    years = set(table.loc[table["indicator"] == "polstb", "year"])
    assert min(years) == 1996 and max(years) == 2022
    assert not {1997, 1999, 2001} & years  # WGI was biennial then: no row, not a zero
    assert _value(table, "SYR", "polstb", 2001) is None
    assert _value(table, "SYR", "polstb", 2022) < 0  # an estimate on a standard-normal scale


def test_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "wdi.csv"
    bad.write_text("geo,var,t,v\nSYR,pop,2023,23594624\nSYR,pop,2023,1\nSYR,income,2023,-5\n"
                   "SYR,polstb,2022,x\nSYR,gdp,2022,\n")
    with pytest.raises(InputError) as info:
        read_wdi(bad)
    text = str(info.value)
    assert "wdi.csv:3: column 'geo, var, t': duplicated id" in text and "first on line 2" in text
    assert "wdi.csv:4: column 'v': income must be positive" in text
    assert "wdi.csv:5: column 'v': expected a number, found 'x'" in text
    assert "wdi.csv:6: column 'v': is empty" in text
    bad.write_text("geo,variable,t,v\nSYR,pop,2023,1\n")
    with pytest.raises(InputError, match="column 'var': required column is missing"):
        read_wdi(bad)
