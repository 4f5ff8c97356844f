"""What the data audit lists: downward revisions a producer made, and the episodes covered."""

from __future__ import annotations

from pathlib import Path

from refugeestudy import audit, load_reports

LOG_OK = Path(__file__).resolve().parent / "data" / "log_ok"


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
    assert table["figures"].sum() == 198
    assert table.loc[("sweida_2025", "deaths"), "producers"] == 3
    assert table.loc[("sweida_2025", "displacement"), "producers"] == 2
    assert table.loc[("sweida_2025", "deaths"), "first_report"] == "2025-07-16"
    assert table.loc[("coast_2025", "deaths"), "first_report"] == "2025-03-07"
