"""read_acled on hand-made (synthetic) files in ACLED's export format and on the
bad-input corpus. No ACLED data is committed: its licence forbids redistribution."""

from __future__ import annotations

import pandas as pd
import pytest

from refugeestudy import schema
from refugeestudy.errors import InputError
from refugeestudy.sources.acled import TIME_PRECISION_TO_UCDP, read_acled

EXPORT = "synthetic_acled_export_day_month_year.csv"
API = "synthetic_acled_api_iso_dates.csv"


def test_export_format_values(acled_data):
    events = read_acled(acled_data / EXPORT)
    assert list(events.columns) == list(schema.VIOLENCE_COLUMNS)
    assert events["event_id"].tolist() == [f"acled:SYN-000{i}" for i in range(1, 6)]
    assert events["source_ref"].tolist() == [f"SYN-000{i}" for i in range(1, 6)]
    assert events["date_start"].tolist() == [pd.Timestamp(f"2025-03-{d:02d}") for d in (6, 7, 10, 15, 20)]
    assert (events["date_end"] == events["date_start"]).all()
    # time_precision 1, 1, 2, 3, 1 → UCDP 1, 1, 3, 4, 1
    assert events["date_precision"].tolist() == [1, 1, 3, 4, 1]
    assert events["country_iso3"].tolist() == ["SYR", "SYR", "SYR", "SYR", "LBN"]
    assert events["admin1_name"].tolist() == ["Lattakia", "Tartous", "Hama", "Homs", "Baalbek-Hermel"]
    assert events["admin1_pcode"].tolist() == ["SY06", "SY10", "SY05", "SY04", pd.NA]
    assert events["deaths_best"].tolist() == [15, 31, 0, 0, 2]
    assert (events["deaths_low"] == events["deaths_best"]).all()
    assert (events["deaths_high"] == events["deaths_best"]).all()
    assert events["deaths_civilians"].isna().all()
    assert events["violence_type"].tolist() == [
        "Battles: Armed clash", "Violence against civilians: Attack",
        "Violence against civilians: Attack", "Protests: Peaceful protest",
        "Explosions/Remote violence: Air/drone strike"]
    assert events.loc[0, "actor_1"] == "Synthetic Group A (Syria)"
    assert events.loc[3, "actor_2"] is pd.NA
    assert set(events["reporter"]) == {"ACLED"} and set(events["source"]) == {"acled"}
    assert events.loc[1, "latitude"] == pytest.approx(35.18)


def test_arabic_text_and_quoted_commas_preserved(acled_data):
    events = read_acled(acled_data / EXPORT)
    assert events.loc[1, "actor_1"] == "Synthetic Group C, مجموعة تجريبية"


def test_both_date_formats_give_the_same_events(acled_data):
    export = read_acled(acled_data / EXPORT)
    api = read_acled(acled_data / API)
    api["event_id"] = api["event_id"].str.replace("SYN-API-", "SYN-")
    api["source_ref"] = api["source_ref"].str.replace("SYN-API-", "SYN-")
    pd.testing.assert_frame_equal(api, export)


def test_mixed_date_formats_in_one_file(tmp_path, acled_data):
    lines = (acled_data / EXPORT).read_text(encoding="utf-8").splitlines()
    iso = (acled_data / API).read_text(encoding="utf-8").splitlines()
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("\n".join([lines[0], lines[1], iso[2]]) + "\n", encoding="utf-8")
    events = read_acled(mixed)
    assert events["date_start"].tolist() == [pd.Timestamp("2025-03-06"), pd.Timestamp("2025-03-07")]


def test_zipped_export(acled_data, make_zip):
    path = make_zip("acled.zip", {EXPORT: acled_data / EXPORT})
    pd.testing.assert_frame_equal(read_acled(path), read_acled(acled_data / EXPORT))


def test_time_precision_scale():
    assert TIME_PRECISION_TO_UCDP == {1: 1, 2: 3, 3: 4}


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("acled_negative_fatalities.csv", 3, "column 'fatalities': must not be negative, found '-3'"),
        ("acled_bad_date.csv", 3, "column 'event_date': expected a date as YYYY-MM-DD or DD Month YYYY, "
                                  "found 'March 8th 2025'"),
        ("acled_unknown_admin1.csv", 3, "column 'admin1': unknown Syrian governorate 'Narnia'"),
        ("acled_bad_time_precision.csv", 3, "column 'time_precision': expected 1 (day), 2 (week) or 3 "
                                            "(month), found '7'"),
        ("acled_missing_column.csv", 1, "column 'sub_event_type': required column is missing"),
        ("acled_duplicate_ids.csv", 3, "duplicated id 'SYN0001' (first on line 2)"),
    ],
)
def test_bad_input_names_file_line_and_column(bad, name, line, expected):
    with pytest.raises(InputError) as caught:
        read_acled(bad / name)
    assert f"{name}:{line}: " in str(caught.value)
    assert expected in str(caught.value)


def test_ged_file_given_to_acled_reader_names_missing_columns(bad):
    with pytest.raises(InputError, match="column 'event_id_cnty': required column is missing"):
        read_acled(bad / "ged_bom.csv")
