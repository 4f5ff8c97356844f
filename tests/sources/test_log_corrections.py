"""The curated log reads back with the corrections of issue 8 (each test names its figure ids).

Every expectation is written out here from the README and the sources, not computed with the
package's own helpers; the Perm curves are walked by hand.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from refugeestudy import load_reports, paths
from refugeestudy.case_study import audit

REAL = paths.raw_dir() / "reports"


@pytest.fixture(scope="module")
def log():
    return load_reports()


@pytest.fixture(scope="module")
def fig(log):
    return log.figures.set_index("figure_id")


@pytest.fixture(scope="module")
def raw():
    with (REAL / "figures.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- single figures
@pytest.mark.parametrize("fid, count", [("F100", 1676), ("F101", 866), ("F102", 525),
                                        ("F103", 272), ("F104", 13)])
def test_sohr_9_april_series_counts_civilians(fig, fid, count):
    row = fig.loc[fid]
    assert (row["subject"], int(row["count"]), row["figure_by"]) == \
        ("civilians", count, "Syrian Observatory for Human Rights")


def test_sohr_civilian_series_rises_from_1383_to_1676(log):
    v = log.violence.set_index("event_id")
    # F017 1,383 (12 March) -> F025 1,476 (13 March) -> F100 1,676 (9 April): one series.
    assert int(v.loc["F025", "deaths_best"]) == 1476 - 1383
    assert int(v.loc["F100", "deaths_best"]) == 1676 - 1501  # after "over 1,500" (F199, 15 March)
    assert v.loc["F100", "violence_type"] == "civilians"


def test_f042_counts_combatants_of_both_sides_and_f041_is_its_part(fig):
    assert fig.loc["F042", "subject"] == "combatants"
    assert int(fig.loc["F042", "count"]) == 213
    assert fig.loc["F041", "part_of"] == "F042" and int(fig.loc["F041", "count"]) == 93
    assert "both sides" in fig.loc["F042", "note"]


def test_f095_is_exact_and_its_period_start_is_an_assumption(fig):
    row = fig.loc["F095"]
    assert (row["qualifier"], int(row["count"]), int(row["low"]), int(row["high"])) == \
        ("exact", 50000, 50000, 50000)
    assert "assumption" in row["note"]


def test_snhr_parts_889_and_445_make_1334(fig):
    assert (int(fig.loc["F099", "count"]), fig.loc["F099", "part_of"]) == (445, "F167")
    assert "syria-online.net" in fig.loc["F099", "url"]
    parts = fig[fig["part_of"] == "F167"]
    assert sorted(int(c) for c in parts["count"]) == [445, 889]
    assert int(fig.loc["F167", "count"]) == 1334
    for whole in ("F097", "F167", "F169"):
        members = fig[fig["part_of"] == whole]
        assert members["count"].sum() <= int(fig.loc[whole, "count"]), whole


# --------------------------------------------------------------------------- merged rows
MERGED = {"F079": "F036", "F086": "F075", "F011": "F010", "F012": "F009",
          "F015": "F035", "F016": "F036", "F040": "F036"}


def test_duplicates_and_two_period_statements_are_merged(fig):
    assert not set(MERGED) & set(fig.index)
    assert set(MERGED.values()) <= set(fig.index)
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for gone, kept in MERGED.items():
        assert gone in readme and kept in readme, gone


def test_sohr_1018_statement_is_one_figure_per_subject_as_of_8_march(fig):
    as_of = {fid: str(fig.loc[fid, "period_end"].date()) for fid in ("F035", "F036", "F037", "F038")}
    assert as_of == dict.fromkeys(as_of, "2025-03-08")
    rows = [(fid, r["figure_by"], str(r["period_end"].date()), r["subject"], r["count"])
            for fid, r in fig.fillna({"figure_by": ""}).iterrows() if r["kind"] == "deaths"]
    sohr = "Syrian Observatory for Human Rights"
    assert [fid for fid, by, end, _, n in rows if (by, end, n) == (sohr, "2025-03-08", 1018)] == ["F035"]
    assert [fid for fid, _, end, subject, n in rows
            if (end, subject, n) == ("2025-03-08", "civilians", 745)] == ["F036"]


def test_zakharova_statement_has_one_period(fig):
    rows = fig[fig["figure_by"] == "Russian Foreign Ministry"]
    counted = rows[rows["count"].notna()]
    assert set(counted["period_end"].dt.strftime("%F")) == {"2025-03-12"}
    assert sorted(counted.loc[["F009", "F010"], "count"].tolist()) == [8000, 9000]


# --------------------------------------------------------------------------- Perm
def _perm_curves(raw) -> dict[str, int]:
    """Each reporter's cumulative arrivals in Perm krai by 11 April, walked by hand.

    A cumulative figure since February is a level; a period count adds to the level
    reached before it; a reporter's curve never adds another reporter's figures.
    """
    by_reporter = defaultdict(list)
    for r in raw:
        if r["destination_admin1"] == "RU-PER" and r["kind"] == "displacement" \
                and r["period_end"] <= "2025-04-11":
            by_reporter[r["figure_by"] or r["attribution"]].append(r)
    curves = {}
    for reporter, rows in by_reporter.items():
        level = 0
        for r in sorted(rows, key=lambda r: (r["period_end"], r["basis"] != "cumulative")):
            n = int(r["count"])
            level = max(level, n) if r["basis"] == "cumulative" else level + n
        curves[reporter] = level
    return curves


def test_perm_curves_reach_about_150_not_199_or_249(raw):
    curves = _perm_curves(raw)
    assert curves == {
        "United Russia Perm krai regional branch": 150,  # ~100 by 2 Apr (has the 99) + 50 on 3 Apr
        "Perm local authorities": 150,                   # roughly 150 since February (11 Apr)
        # no producer named: the 6 April flight alone (the aggregator's rows were dropped, a copy)
        "IntelliNews cites unnamed Russian media": 50,
    }
    assert max(curves.values()) == 150


def test_perm_april_group_is_one_group_in_every_row(fig):
    for fid in ("F007", "F067"):
        assert int(fig.loc[fid, "count"]) == 50
        assert fig.loc[fid, "basis"] == "period"
    assert "same group" in fig.loc["F067", "note"].lower()
    assert "f067" in fig.loc["F007", "note"].lower()


# --------------------------------------------------------------------------- places
@pytest.mark.parametrize("fid, entered, place", [
    ("F089", "Tal al-Bireh", "Tal al-Bireh"),
    ("F090", "Massoudiyeh", "Massoudiyeh"), ("F093", "Massaoudieh", "Massoudiyeh"),
    ("F091", "Akkar (27 localities)", "Akkar"),
])
def test_destination_spellings_read_as_one_place(raw, fig, fid, entered, place):
    assert {r["figure_id"]: r["destination_place"] for r in raw}[fid] == entered
    assert fig.loc[fid, "destination_place"] == place


def test_displacement_table_uses_the_gazetteer_names(log):
    places = set(log.displacement["destination_place"].dropna())
    assert {"Tal al-Bireh", "Massoudiyeh", "Akkar", "Perm krai"} <= places
    assert not {"Talbireh", "Massaoudieh", "Perm region"} & places


# --------------------------------------------------------------------------- revisions, episodes
def test_no_downward_revision_a_producer_did_not_make(log):
    table = audit.downward_revisions(log.violence, log.figures)
    assert table.empty


def test_every_episode_has_two_independent_producers_of_tolls_and_counts(log):
    f = log.figures.assign(episode=audit.episode(log.figures))
    counted = f[f["kind"] != "event"]
    producers = counted.groupby(["episode", "kind"])["figure_by"].nunique().to_dict()
    assert producers[("sweida_2025", "deaths")] == 3  # SOHR, SNHR, Amnesty
    assert producers[("sweida_2025", "displacement")] == 2  # UN OCHA, IOM
    assert min(producers.values()) >= 2
    assert f["episode"].value_counts().to_dict() == {"coast_2025": 175, "sweida_2025": 85}


def test_log_size_and_sources(log, raw):
    assert len(raw) == 260
    assert len(log.sources) == 109
    assert set(log.sources["url"]) == {r["url"] for r in raw}
