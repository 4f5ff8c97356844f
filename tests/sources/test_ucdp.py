"""read_ged on the real UCDP GED 19.1 Syria extract, on its zipped and headerless
copies, on a hand-made 49-column global file, and on the bad-input corpus."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pandas as pd
import pytest

from refugeestudy import schema
from refugeestudy.errors import InputError
from refugeestudy.sources.ucdp import GED_COLUMNS, GED_EXTRACT_COLUMNS, read_ged


def _raw_rows(path):
    """The raw file through the csv module, as (start line, row dict)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, previous = [], reader.line_num
        for row in reader:
            rows.append((previous + 1, row))
            previous = reader.line_num
    return rows


@pytest.fixture
def real(ged_events):
    return ged_events


# --- the real extract -------------------------------------------------------------

def test_real_row_count_and_schema(real):
    assert len(real) == 16_566
    assert list(real.columns) == list(schema.VIOLENCE_COLUMNS)
    assert real["event_id"].is_unique
    assert set(real["source"]) == {"ucdp_ged"}
    assert set(real["reporter"]) == {"UCDP"} and set(real["deaths_basis"]) == {"event"}
    assert not real["revised_down"].any()
    assert set(real["country_iso3"]) == {"SYR"}


def test_real_deaths_per_year_match_raw_file(real, ged_real):
    expected = defaultdict(int)
    for _, row in _raw_rows(ged_real):
        expected[int(row["year"])] += int(row["best"])
    got = real.groupby(real["date_start"].dt.year)["deaths_best"].sum()
    assert {int(k): int(v) for k, v in got.items()} == dict(expected)
    assert dict(expected) == {2016: 48710, 2017: 33316, 2018: 20251, 2019: 10060}


def test_real_best_low_high_kept_except_documented_repair(real, ged_real):
    raw = pd.read_csv(ged_real, usecols=["id", "low", "best", "high"], dtype={"id": str})
    assert (real["deaths_best"].to_numpy() == raw["best"].to_numpy()).all()
    unordered = (raw["low"] > raw["best"]) | (raw["best"] > raw["high"])
    assert int(unordered.sum()) == 101 == real.attrs["repairs"]["bounds_widened"]
    ordered = ~unordered.to_numpy()
    assert (real["deaths_low"].to_numpy()[ordered] == raw["low"].to_numpy()[ordered]).all()
    assert (real["deaths_high"].to_numpy()[ordered] == raw["high"].to_numpy()[ordered]).all()
    assert ((real["deaths_low"] <= real["deaths_best"]) & (real["deaths_best"] <= real["deaths_high"])).all()
    # id 219459: low 177, best 142, high 177 in the file → bounds 142..177.
    row = real.set_index("source_ref").loc["219459"]
    assert (row["deaths_low"], row["deaths_best"], row["deaths_high"]) == (142, 142, 177)


def test_real_every_named_governorate_is_mapped(real, ged_real):
    raw = [row["adm_1"] for _, row in _raw_rows(ged_real)]
    empty = [name == "" for name in raw]
    assert sum(empty) == 339
    assert real["admin1_pcode"].isna().to_numpy().tolist() == empty
    assert real["admin1_name"].isna().to_numpy().tolist() == empty
    pairs = real.dropna(subset=["admin1_name"]).groupby("admin1_name")["admin1_pcode"].unique()
    mapping = {name: codes.tolist() for name, codes in pairs.items()}
    assert mapping["Hamah Governorate"] == ["SY05"]
    assert mapping["Deir ez Zor Governorate"] == ["SY09"]
    assert mapping["Rif Dimashq Governorate"] == ["SY03"]
    assert mapping["Latakia Governorate"] == ["SY06"]
    assert mapping["Ar Raqqah Governorate"] == ["SY11"]
    assert len(mapping) == 14 and all(len(codes) == 1 for codes in mapping.values())
    assert sorted(code for codes in mapping.values() for code in codes) == [f"SY{i:02d}" for i in range(1, 15)]


def test_real_spot_check_event_214797(real):
    row = real.set_index("event_id").loc["ged:214797"]
    assert row["admin1_name"] == "Homs Governorate" and row["admin1_pcode"] == "SY04"
    assert row["date_start"] == pd.Timestamp("2016-01-01") == row["date_end"]
    assert (row["deaths_best"], row["deaths_low"], row["deaths_high"], row["deaths_civilians"]) == (4, 4, 4, 0)
    assert row["date_precision"] == 1
    assert row["violence_type"] == "state-based"
    assert (row["actor_1"], row["actor_2"]) == ("Government of Syria", "Syrian insurgents")
    assert row["latitude"] == pytest.approx(34.802462) and row["longitude"] == pytest.approx(36.707602)
    assert row["source_ref"] == "214797"


def test_real_violence_types_and_precision_match_raw(real, ged_real):
    raw = _raw_rows(ged_real)
    types = Counter(row["type_of_violence"] for _, row in raw)
    assert real["violence_type"].value_counts().to_dict() == {
        "state-based": types["1"], "non-state": types["2"], "one-sided": types["3"]}
    assert types == {"1": 11507, "2": 4577, "3": 482}
    assert real["date_precision"].value_counts().to_dict() == {1: 15480, 2: 828, 4: 186, 5: 51, 3: 21}
    assert real["date_start"].dtype == "datetime64[s]"


def test_real_zipped_copy_reads_the_same(real, ged_real, make_zip):
    zipped = make_zip("ged191.zip", {"ged191_syria_2016_2019.csv": ged_real})
    pd.testing.assert_frame_equal(read_ged(zipped), real)


def test_real_headerless_copy_reads_the_same(real, ged_real, tmp_path):
    lines = ged_real.read_bytes().split(b"\n", 1)
    assert lines[0].decode().split(",") == list(GED_EXTRACT_COLUMNS)
    headerless = tmp_path / "ged_no_header.csv"
    headerless.write_bytes(lines[1])
    pd.testing.assert_frame_equal(read_ged(headerless), real)


def test_real_rewritten_as_headerless_global_layout_reads_the_same(real, ged_real, tmp_path):
    """The real rows in the 49-column global/candidate order, without header (as
    candidate files are sometimes published)."""
    target = tmp_path / "candidate_no_header.csv"
    with open(ged_real, encoding="utf-8", newline="") as src, \
            open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in csv.DictReader(src):
            writer.writerow([row.get(name, "") for name in GED_COLUMNS])
    pd.testing.assert_frame_equal(read_ged(target), real)


# --- hand-made files ------------------------------------------------------------------

def _global_file(path, rows, header=True):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(GED_COLUMNS)
        for values in rows:
            writer.writerow([values.get(name, "") for name in GED_COLUMNS])
    return path


_EVENT = dict(type_of_violence="1", side_a="A", side_b="B", latitude="33.3", longitude="44.4",
              date_prec="1", date_start="2017-01-02 00:00:00.000", date_end="2017-01-03 00:00:00.000",
              deaths_civilians="0", best="5", high="7", low="4", year="2017")


def test_global_layout_other_countries_kept_with_iso3_or_missing(tmp_path):
    rows = [
        dict(_EVENT, id="1", country="Iraq", country_id="645", adm_1="Baghdad governorate"),
        dict(_EVENT, id="2", country="Syria", country_id="652", adm_1="Tartus Governorate"),
        dict(_EVENT, id="3", country="Narnia", country_id="999", adm_1="Cair Paravel"),
    ]
    events = read_ged(_global_file(tmp_path / "GEDEvent_v25_1.csv", rows))
    assert events["country_iso3"].tolist() == ["IRQ", "SYR", pd.NA]
    assert events["admin1_pcode"].tolist() == [pd.NA, "SY10", pd.NA]
    assert events["admin1_name"].tolist() == ["Baghdad governorate", "Tartus Governorate", "Cair Paravel"]
    assert events["date_start"].tolist() == [pd.Timestamp("2017-01-02")] * 3
    assert events["date_end"].tolist() == [pd.Timestamp("2017-01-03")] * 3
    assert events[["deaths_low", "deaths_best", "deaths_high"]].iloc[0].tolist() == [4, 5, 7]
    headerless = _global_file(tmp_path / "GEDEvent_v25_0_3.csv", rows, header=False)
    pd.testing.assert_frame_equal(read_ged(headerless), events)


def test_headerless_file_with_unknown_layout_is_an_error(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("1,2017,1,A,B\n")
    with pytest.raises(InputError, match=r"odd.csv:1: no header row .* 5 fields"):
        read_ged(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_ged(tmp_path / "nope.csv")


# --- the bad-input corpus ------------------------------------------------------------

def test_bom_is_read(bad):
    events = read_ged(bad / "ged_bom.csv")
    assert events["event_id"].tolist() == ["ged:9001", "ged:9002", "ged:9003"]
    assert events["admin1_pcode"].tolist() == ["SY10", "SY06", "SY05"]


def test_non_ascii_text_is_preserved(bad):
    events = read_ged(bad / "ged_arabic.csv").set_index("source_ref")
    assert events.loc["9004", "actor_1"] == "قوات الأمن العامة, فصائل"
    assert events.loc["9004", "actor_2"] == "مدنيون"
    assert events.loc["9004", "admin1_name"] == "اللاذقية"
    assert events.loc["9004", "admin1_pcode"] == "SY06"
    assert events.loc["9005", "actor_1"] == "Groupe armé"
    assert events.loc["9005", "admin1_name"] == "Ḥamāh Governorate"
    assert events.loc["9005", "admin1_pcode"] == "SY05"
    assert events.loc["9002", "deaths_best"] == 12  # after a quoted field spanning two lines


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("ged_empty.csv", 1, "the file is empty"),
        ("ged_header_only_blank.csv", 1, "the file is empty"),
        ("ged_semicolon.csv", 1, "the delimiter looks wrong: the header holds ';'"),
        ("ged_tab.csv", 1, "the delimiter looks wrong: the header holds a tab"),
        ("ged_missing_column.csv", 1, "column 'high': required column is missing"),
        ("ged_renamed_column.csv", 1,
         "column 'best': required column is missing; found 'best_estimate', was it renamed?"),
        # Record 3 starts on line 5: record 2 holds a quoted newline.
        ("ged_truncated_in_quote.csv", 5, "malformed CSV: unexpected end of data"),
        ("ged_truncated_row.csv", 5, "expected 18 fields, found 6"),
        ("ged_negative_deaths.csv", 5, "column 'best': must not be negative, found '-3'"),
        ("ged_end_before_start.csv", 5, "column 'date_end': 2025-02-12 is before date_start 2025-03-09"),
        ("ged_unknown_place.csv", 5, "column 'adm_1': unknown Syrian governorate 'Atlantis Governorate'"),
        ("ged_duplicate_ids.csv", 5, "column 'id': duplicated id '9001' (first on line 2)"),
        ("ged_non_numeric.csv", 5, "column 'best': expected a whole number, found 'many'"),
        ("ged_bad_date.csv", 5, "column 'date_end': expected a date as YYYY-MM-DD, found '12/03/2025'"),
    ],
)
def test_bad_input_names_file_line_and_column(bad, name, line, expected):
    with pytest.raises(InputError) as caught:
        read_ged(bad / name)
    message = str(caught.value)
    assert f"{name}:{line}: " in message
    assert expected in message
    assert caught.value.problems[0].line == line


def test_zip_without_csv_member_is_an_error(bad):
    with pytest.raises(InputError, match=r"exactly one GED \(\.csv\) file, found no CSV member; "
                                         r"members: \['README.txt', 'ged_codebook.pdf'\]"):
        read_ged(bad / "ged_wrong_member.zip")


def test_zip_with_a_non_ged_csv_names_the_member(bad):
    with pytest.raises(InputError) as caught:
        read_ged(bad / "ged_unhcr_member.zip")
    assert "ged_unhcr_member.zip:population.csv:1: column 'id': required column is missing" in str(caught.value)


def test_zip_with_two_csv_members_is_an_error(make_zip):
    path = make_zip("two.zip", {"a.csv": b"id\n1\n", "b.csv": b"id\n2\n"})
    with pytest.raises(InputError, match="found 2 CSV members"):
        read_ged(path)
