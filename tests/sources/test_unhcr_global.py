"""UNHCR's global files: read_unhcr keeps the application dimensions; read_unhcr_table is its wide form."""

from __future__ import annotations

from pathlib import Path

import pytest

from refugeestudy.errors import InputError
from refugeestudy.sources.unhcr import breakdown_columns, read_unhcr, read_unhcr_table

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (../shared/data is not mounted)")
    return path

GLOBAL = SHARED / "unhcr_global"


@pytest.fixture(scope="module")
def applications():
    return read_unhcr_table(_need(GLOBAL / "asylum_applications.csv"), "asylum_applications")


def test_global_applications_keep_dimensions_and_na_codes(applications):
    assert len(applications) == 120597
    assert applications["dec_level"].value_counts()["NA"] == 2180  # the code "NA", not missing
    assert applications["app_type"].value_counts()["NA"] == 358
    assert applications[["procedure_type", "app_type", "dec_level", "app_pc"]].notna().all().all()
    rows = applications[(applications["origin_iso3"] == "SYR") & (applications["destination_iso3"] == "RUS")
                        & (applications["year"] == 2025)]
    assert sorted(zip(rows["dec_level"], rows["applied"])) == [("FI", 124), ("TA", 3196)]


def test_long_and_wide_forms_agree(applications):
    long = read_unhcr(_need(GLOBAL / "asylum_applications.csv"), "asylum_applications")
    dims = breakdown_columns(long)
    assert list(dims.columns) == ["procedure_type", "app_type", "dec_level", "app_pc"]
    assert (dims["dec_level"] == "NA").sum() == 2180
    assert long["count_best"].sum() == applications["applied"].sum()
    assert (dims.reset_index(drop=True) == applications[list(dims.columns)].astype("string")).all().all()


def test_population_blank_stays_missing_zero_stays_zero():
    population = read_unhcr_table(_need(GLOBAL / "population.csv"), "population")
    assert len(population) == 138893
    assert population["oip"].isna().sum() == 138738
    assert (population["asylum_seekers"] == 0).sum() == 58095
    row = population[(population["origin_iso3"] == "SYR") & (population["destination_iso3"] == "RUS")
                     & (population["year"] == 2025)]
    assert row[["refugees", "asylum_seekers"]].iloc[0].tolist() == [3309, 358]


def test_repeated_row_is_an_error(tmp_path):
    text = (_need(SHARED / "unhcr" / "asylum_applications.csv")).read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "apps.csv"
    bad.write_text("\n".join([text[0], text[1], text[1]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"apps.csv:3: repeats the year, countries and breakdown"):
        read_unhcr_table(bad, "asylum_applications")
