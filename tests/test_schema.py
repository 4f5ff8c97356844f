"""Canonical tables: columns, dtypes and the rules validate() enforces."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy import schema
from refugeestudy.schema import SchemaError, conform, empty, validate


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_empty_tables_validate(table):
    frame = empty(table)
    assert list(frame.columns) == list(schema.TABLES[table])
    assert len(frame) == 0
    assert validate(frame, table) is frame


def test_column_counts_and_key_dtypes():
    assert empty("violence_events").shape == (0, 21)
    assert empty("displacement_counts").shape == (0, 21)
    assert str(empty("key_events")["date"].dtype) == "datetime64[s]"
    assert str(empty("violence_events")["deaths_best"].dtype) == "Int64"
    assert str(empty("violence_events")["revised_down"].dtype) == "boolean"


def test_conform_adds_missing_columns_orders_and_casts():
    out = conform(pd.DataFrame({"deaths_best": [3, 4], "event_id": ["a", "b"]}, index=[5, 9]),
                  "violence_events")
    assert list(out.columns) == list(schema.VIOLENCE_COLUMNS)
    assert list(out.index) == [0, 1]
    assert out["deaths_best"].tolist() == [3, 4]
    assert out["deaths_low"].isna().all() and out["revised_down"].isna().all()
    validate(out, "violence_events")


def _events(**columns):
    base = {"event_id": ["a", "b"], "date_start": pd.to_datetime(["2025-03-06", "2025-03-07"]),
            "date_end": pd.to_datetime(["2025-03-06", "2025-03-08"]),
            "deaths_low": [1, 2], "deaths_best": [2, 3], "deaths_high": [3, 4]}
    base.update(columns)
    return conform(pd.DataFrame(base), "violence_events")


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"deaths_best": [2, -1], "deaths_low": [1, -2]}, "deaths_best is negative"),
        ({"deaths_low": [-1, 2]}, "deaths_low is negative"),
        ({"deaths_low": [5, 2]}, "deaths_low > deaths_best"),
        ({"deaths_high": [1, 4]}, "deaths_best > deaths_high"),
        ({"date_end": pd.to_datetime(["2025-03-05", "2025-03-08"])}, "date_end is before date_start"),
        ({"event_id": ["a", "a"]}, "duplicated event_id"),
        ({"event_id": ["a", None]}, "event_id is missing"),
    ],
)
def test_validate_rejects(changes, words):
    with pytest.raises(SchemaError, match=words):
        validate(_events(**changes), "violence_events")


def test_validate_names_the_offending_id():
    with pytest.raises(SchemaError, match=r"\(ids: \['b'\]\)"):
        validate(_events(deaths_high=[3, 1]), "violence_events")


def test_negative_increment_allowed_when_flagged():
    frame = _events(deaths_best=[2, -10], deaths_low=[1, -12], deaths_high=[3, -5],
                    deaths_basis=["event", "increment"], revised_down=[False, True])
    assert validate(frame, "violence_events") is frame


def test_increment_bounds_need_not_be_ordered():
    frame = _events(deaths_low=[1, 9], deaths_best=[2, 3], deaths_basis=["event", "increment"])
    validate(frame, "violence_events")
    with pytest.raises(SchemaError):
        validate(_events(deaths_low=[1, 9], deaths_best=[2, 3]), "violence_events")


def test_validate_rejects_wrong_columns_and_dtypes():
    frame = _events()
    with pytest.raises(SchemaError, match="columns"):
        validate(frame.drop(columns="actor_2"), "violence_events")
    with pytest.raises(SchemaError, match="deaths_best has dtype"):
        validate(frame.assign(deaths_best=frame["deaths_best"].astype("float64")), "violence_events")


def test_displacement_rules():
    counts = conform(pd.DataFrame({
        "record_id": ["x"], "period_start": pd.to_datetime(["2025-02-01"]),
        "period_end": pd.to_datetime(["2025-04-11"]), "count_low": [135], "count_best": [150],
        "count_high": [165]}), "displacement_counts")
    validate(counts, "displacement_counts")
    bad = counts.assign(count_high=pd.array([140], dtype="Int64"))
    with pytest.raises(SchemaError, match="count_best > count_high"):
        validate(bad, "displacement_counts")
