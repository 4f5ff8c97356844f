"""UCDP Country-Year Dataset on Organized Violence 25.1: values, repairs, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.ucdp_country_year import COLUMNS, read_ucdp_country_year

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (../shared/data is not mounted)")
    return path

CY = SHARED / "ucdp" / "organizedviolencecy_v25_1.csv"


@pytest.fixture(scope="module")
def table():
    return read_ucdp_country_year(_need(CY))


def test_shape_and_columns(table):
    assert table.shape == (6936, len(COLUMNS))
    assert list(table.columns) == list(COLUMNS)
    assert table["gw_code"].nunique() == 199
    assert table.attrs["repairs"] == {"bounds_widened": 9}


def test_syria_best_by_year_matches_the_readme(table):
    syria = table[table["country_iso3"] == "SYR"].set_index("year")["total_best"]
    assert syria.loc[2012:2024].tolist() == [53699, 76500, 78689, 59609, 53891, 38517, 21730, 11208,
                                            5690, 1948, 1671, 2187, 3616]


def test_types_add_up_and_bounds_bracket(table):
    parts = sum(table[f"{k}_best"] for k in ("state_based", "non_state", "one_sided"))
    assert (parts == table["total_best"]).all()
    for kind in ("state_based", "non_state", "one_sided", "total"):
        assert (table[f"{kind}_low"] <= table[f"{kind}_best"]).all()
        assert (table[f"{kind}_best"] <= table[f"{kind}_high"]).all()


def test_zip_download_form(make_zip):
    zipped = make_zip("organizedviolencecy-251-csv.zip", {"organizedviolencecy_v25_1.csv": _need(CY)})
    assert len(read_ucdp_country_year(zipped)) == 6936


def test_errors_name_file_line_and_column(tmp_path):
    lines = _need(CY).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("country_id_cy")] = "1234"
    bad = tmp_path / "cy.csv"
    bad.write_text("\n".join([lines[0], lines[1], lines[2], ",".join(row)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_ucdp_country_year(bad)
    text = str(info.value)
    assert "cy.csv:4" in text and "country_id_cy" in text and "1234" in text

    row = lines[3].split(",")
    row[header.index("sb_total_deaths_best_cy")] = "-3"
    bad.write_text("\n".join([lines[0], ",".join(row)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cy.csv:2: column 'sb_total_deaths_best_cy': must not be negative"):
        read_ucdp_country_year(bad)

    bad.write_text(lines[0].replace("year_cy", "yr") + "\n" + lines[1] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="year_cy"):
        read_ucdp_country_year(bad)
