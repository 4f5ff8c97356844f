"""Outcome rules on real rows: which codes each keeps, and Syria -> Russia."""

from __future__ import annotations


import pytest

from refugeestudy.panels.outcomes import RULES, UnknownOutcome, outcome_counts
from refugeestudy.sources.eurostat import read_eurostat_asylum
from refugeestudy.sources.unhcr import read_unhcr_table



@pytest.fixture(scope="module")
def applications(shared_extract):
    return read_unhcr_table(shared_extract("unhcr_global/asylum_applications.csv"), "asylum_applications")


def _series(counts, origin, destination):
    rows = counts[(counts["origin_iso3"] == origin) & (counts["destination_iso3"] == destination)]
    return dict(zip(rows["year"], rows["outcome"]))


def test_first_instance_persons_keeps_fi_and_ta(applications):
    counts = outcome_counts(applications, "first_instance_persons")
    syria_russia = _series(counts, "SYR", "RUS")
    assert syria_russia[2024] == 785 and syria_russia[2025] == 3320  # 59 + 726; 124 + 3,196


def test_first_instance_persons_leaves_out_appeals_repeats_and_cases(applications):
    counts = outcome_counts(applications, "first_instance_persons")
    rule = RULES["first_instance_persons"]
    kept = applications[rule.mask(applications)]
    assert set(kept["app_pc"]) == {"P"}
    assert set(kept["dec_level"]) <= {"FI", "TA", "NA", "IN", "EO", "FA"}
    assert not kept["app_type"].isin(["A", "R", "RA", "J"]).any()
    # Syria -> Germany 2016: Germany reports first claims as NA (new applications), repeats as RA
    de = applications[(applications["origin_iso3"] == "SYR") & (applications["destination_iso3"] == "DEU")
                      & (applications["year"] == 2016)]
    expected = int(de.loc[(de["dec_level"] == "NA") & (de["app_pc"] == "P")
                          & ~de["app_type"].isin(["A", "R", "RA", "J"]), "applied"].sum())
    assert expected > 200_000
    assert _series(counts, "SYR", "DEU")[2016] == expected
    assert int(counts["outcome"].sum()) < int(applications["applied"].sum())


def test_all_applications_adds_every_row(applications):
    counts = outcome_counts(applications, "all_applications")
    assert int(counts["outcome"].sum()) == int(applications["applied"].sum())
    assert int(counts["rows"].sum()) == len(applications)
    assert _series(counts, "SYR", "RUS")[2025] == 3320


def test_eurostat_first_time_drops_the_eu27_aggregate(shared_extract):
    table = read_eurostat_asylum(shared_extract("eurostat/migr_asyappctza_first_time_2011_2024.csv"))
    counts = outcome_counts(table, "eurostat_first_time")
    assert "EU27" not in set(counts["destination_iso3"])
    germany = table[(table["destination_iso3"] == "DEU") & (table["origin_iso3"] == "SYR") & (table["year"] == 2016)]
    assert _series(counts, "SYR", "DEU")[2016] == int(germany["applicants"].sum())


def test_unknown_rule():
    with pytest.raises(UnknownOutcome, match="unknown outcome 'first_time'"):
        outcome_counts(None, "first_time")
