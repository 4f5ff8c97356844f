"""Loading built tables for the reports: one source at a time, missing ones said plainly."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy import load_reports
from refugeestudy.pipeline import datasets
from refugeestudy.pipeline.build import write_parquet


@pytest.fixture(scope="module")
def log():
    return load_reports()


@pytest.fixture
def processed(tmp_path, log):
    write_parquet(log.violence, tmp_path / "violence_events.parquet")
    write_parquet(log.displacement, tmp_path / "displacement_counts.parquet")
    write_parquet(log.events, tmp_path / "key_events.parquet")
    return tmp_path


def test_one_source_round_trips_with_schema_dtypes(processed, log):
    pd.testing.assert_frame_equal(datasets.load_violence("reports", processed), log.violence)
    counts = datasets.load_displacement("reports", processed)
    assert counts["record_id"].tolist() == log.displacement["record_id"].tolist()
    assert str(counts["period_start"].dtype) == "datetime64[s]"


def test_missing_source_and_missing_build_say_what_to_run(processed, tmp_path):
    with pytest.raises(datasets.MissingSource, match="refugeestudy fetch ucdp_ged && refugeestudy build"):
        datasets.load_violence("ucdp_ged", processed)
    with pytest.raises(datasets.MissingSource, match="ACLED_EMAIL"):
        datasets.load_violence("acled", processed)
    empty = tmp_path / "nothing-built"
    empty.mkdir()
    with pytest.raises(datasets.MissingSource, match="violence_events.parquet does not exist"):
        datasets.load_violence("reports", empty)
    with pytest.raises(ValueError, match="unknown violence source 'ged'"):
        datasets.load_violence("ged", processed)


def test_source_status_counts_rows_and_explains_gaps(processed, log):
    status = datasets.source_status(["reports", "ucdp_ged"], processed_dir=processed)
    assert status["available"].tolist() == [True, False]
    assert status["rows"].tolist() == [len(log.violence), 0]
    assert status.loc[1, "how_to_add"].startswith("refugeestudy fetch ucdp_ged")
    one = datasets.source_status("reports", processed_dir=processed)  # one name, not its characters
    assert one["source"].tolist() == ["reports"] and one["rows"].tolist() == [len(log.violence)]


def test_key_events_one_row_per_label_the_earliest(processed, log):
    events = datasets.load_key_events(processed)
    assert events["label"].is_unique
    assert set(events["label"]) == set(log.events["label"])
    by_label = events.set_index("label")["date"].dt.strftime("%Y-%m-%d")
    assert by_label["assad_fall"] == "2024-12-08"
    assert by_label["coastal_violence_start"] == "2025-03-06"
    # coastal_operation_end is logged twice (F-rows of two outlets); the earliest id stands
    rows = log.events[log.events["label"] == "coastal_operation_end"].sort_values(["date", "event_id"])
    assert events.set_index("label").loc["coastal_operation_end", "event_id"] == rows["event_id"].iloc[0]
