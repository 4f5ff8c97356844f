"""Notebook 04's analysis, on the real UNHCR extract (../shared/data/unhcr) and by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from refugeestudy import load_reports, read_unhcr
from refugeestudy.case_study import destinations

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "unhcr"


@pytest.fixture(scope="module")
def counts():
    path = SHARED / "asylum_applications.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (../shared/data is not mounted)")
    return read_unhcr(path, "asylum_applications")


@pytest.fixture(scope="module")
def raw_sums():
    """Applications by (year, country of asylum) for Syrians, summed straight from the CSV."""
    sums: dict[tuple[int, str], int] = {}
    with open(SHARED / "asylum_applications.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["coo_iso"] == "SYR" and row["applied"]:
                key = (int(row["year"]), row["coa_iso"])
                sums[key] = sums.get(key, 0) + int(float(row["applied"]))
    return sums


def test_table_equals_the_raw_sums_and_missing_is_not_zero(counts, raw_sums):
    table = destinations.by_year_and_destination(counts, "SYR", ["asylum_applications"], 2011, 2025)
    assert table.loc[2025, "RUS"] == raw_sums[(2025, "RUS")] == 3320  # 124 FI + 3,196 TA (README)
    assert table.loc[2024, "RUS"] == raw_sums[(2024, "RUS")]
    assert table.loc[2016, "DEU"] == raw_sums[(2016, "DEU")]
    assert (2021, "HUN") not in raw_sums
    assert pd.isna(table.loc[2021, "HUN"])  # no row: a gap, not 0
    assert (table.fillna(1) > 0).all().all()


def test_change_share_and_leaders_use_the_year_parameters(counts, raw_sums):
    table = destinations.by_year_and_destination(counts, "SYR", ["asylum_applications"], 2011, 2024)
    results = destinations.destination_results(table, ["DEU", "RUS"], "RUS", 2024)
    assert results["change_from_previous_year"] == {
        "from": 2023, "to": 2024, "ratio": round(raw_sums[(2024, "RUS")] / raw_sums[(2023, "RUS")], 4)}
    total_2024 = sum(v for (y, _), v in raw_sums.items() if y == 2024)
    assert results["focus_share_percent"][2024] == round(raw_sums[(2024, "RUS")] / total_2024 * 100, 4)
    assert 2025 not in results["focus_series"]
    leaders = destinations.leading_destinations(table, 3, "RUS")
    assert leaders[0] == "DEU" and leaders[-1] == "RUS" and len(leaders) == 4


def test_headline_and_findings_are_written_from_the_numbers(counts):
    table = destinations.by_year_and_destination(counts, "SYR", ["asylum_applications"], 2011, 2025)
    headline, paragraph = destinations.findings_text(table, "RUS", "SYR", ["asylum_applications"], 2011, 2025)
    assert headline == ("Russian Federation: asylum applications by people from Syria, 785 in 2024 → "
                        "3,320 in 2025 (×4.2)")
    assert "Germany received the most" in paragraph
    assert "RUS" not in headline and "_" not in headline


def test_caveats_come_from_the_data(counts):
    table = destinations.by_year_and_destination(counts, "SYR", ["asylum_applications"], 2011, 2025)
    leaders = destinations.leading_destinations(table, 8, "RUS")
    notes = destinations.counting_caveats(counts, "SYR", "RUS", leaders, table)
    assert any(n.startswith("Hungary has no UNHCR figure for 2021, 2022, 2023") for n in notes)
    assert any("temporary asylum" in n for n in notes)
    assert any("count cases" in n for n in notes)


def test_yearly_table_names_countries_and_units():
    table = pd.DataFrame({"DEU": [100.0, None], "RUS": [20.0, 60.0]}, index=pd.Index([2024, 2025], name="year"))
    out = destinations.yearly_table(table, ["DEU", "RUS"], "RUS")
    assert out.columns.tolist() == ["year", "Germany", "Russian Federation", "all countries",
                                    "Russian Federation: share (%)"]
    assert out["all countries"].tolist() == [120.0, 60.0]
    assert out["Russian Federation: share (%)"].round(4).tolist() == [16.6667, 100.0]


def test_log_destinations_abroad_and_what_is_kept_apart():
    table, apart = destinations.log_destinations(load_reports().figures)
    largest = table.set_index(["country", "place", "counted"])["largest figure stated (people)"]
    # stated figures, never an increment between two of them (the report once showed 93,001 for
    # Syria: 172,340 - 79,339, a number no source gave)
    assert largest[("Lebanon", "Akkar and North", "fled")] == 29079
    assert largest[("Russian Federation", "Perm Krai", "arrivals")] == 150
    # internal displacement (Sweida: over 191,000 displaced inside Syria; Hmeimim) is never a destination
    # abroad, and the evacuation counted from 8 December 2024 lies before the case window
    assert set(table["country"]) == {"Lebanon", "Russian Federation"}
    assert (table["counted from"] >= "2025-01-01").all()
    reasons = apart.set_index(["country", "place", "counted"])["kept apart because"]
    assert reasons[("Syria", "no region stated", "fled")].startswith("inside Syria")
    assert apart.set_index(["country", "place", "counted"]).loc[
        ("Syria", "no region stated", "fled"), "largest figure stated (people)"] == 191000
    # a count that began before the case window is kept apart too (here: Perm's February arrivals
    # when the window starts on 1 March 2025)
    _, apart_march = destinations.log_destinations(load_reports().figures, since="2025-03-01")
    early = apart_march.set_index(["country", "place", "counted"])["kept apart because"]
    assert early[("Russian Federation", "Perm Krai", "arrivals")] == (
        "counted from before 1 March 2025, outside the case window")
    headline, paragraph, limitations = destinations.log_findings(table, apart)
    assert headline.startswith(f"The curated log reports {int(table['figures'].sum())} figures")
    assert f"{int(apart['figures'].sum())} other figures are kept apart" in paragraph
    assert "191,000" not in paragraph
    assert any("not a total" in n for n in limitations)
