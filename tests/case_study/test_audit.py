"""What the data audit lists: downward revisions a producer made, and the episodes covered."""

from __future__ import annotations

from pathlib import Path

from refugeestudy import load_reports
from refugeestudy.case_study import audit

LOG_OK = Path(__file__).resolve().parents[1] / "data" / "log_ok"


def test_downward_revision_of_the_fixture_is_listed_with_its_change():
    # Monitor A: at least 250 (8 March), then exactly 240 (9 March): a contradiction.
    log = load_reports(LOG_OK)
    table = audit.downward_revisions(log.violence, log.figures)
    assert table.to_dict("records") == [{
        "figure_id": "F003", "producer": "Monitor A", "place": "Lattakia (SY06)",
        "subject": "total", "as_of": "2025-03-09", "stated": 240, "change": -10,
    }]


def test_real_log_lists_no_downward_revision():
    log = load_reports()
    assert audit.downward_revisions(log.violence, log.figures).empty
    assert not log.displacement["revised_down"].fillna(False).any()


def test_coverage_by_episode_of_the_real_log():
    table = audit.coverage_by_episode(load_reports().figures).set_index(["episode", "kind"])
    assert table["figures"].sum() == 260
    assert table.loc[("sweida_2025", "deaths"), "producers"] == 3
    assert table.loc[("sweida_2025", "displacement"), "producers"] == 2
    assert table.loc[("sweida_2025", "deaths"), "first_report"] == "2025-07-15"  # SOHR 89 (ABNA)
    assert table.loc[("coast_2025", "deaths"), "first_report"] == "2025-03-07"


def test_key_figures_count_inferred_dates_and_producers_from_their_columns():
    import csv

    from refugeestudy import paths
    from refugeestudy.case_study.audit_text import limitations

    log = load_reports()
    key = audit.key_figures(log.figures, log.sources)
    with (paths.raw_dir() / "reports" / "figures.csv").open(encoding="utf-8", newline="") as handle:
        raw = list(csv.DictReader(handle))
    assert key["report_dates_inferred"] == sum(r["report_date_inferred"] == "true" for r in raw) > 40
    assert key["figures_without_producer"] == sum(not r["figure_by"] for r in raw) > 0
    # Aliases are one producer: fewer producers than spellings, none of them "not named".
    spellings = {r["figure_by"] for r in raw if r["figure_by"]}
    assert key["producers"] < len(spellings)
    assert not any("not named" in name for name in log.figures["figure_by"].dropna())
    notes = " ".join(limitations(log.figures, log.sources))
    assert f"{key['report_dates_inferred']} figures carry a report date inferred" in notes
