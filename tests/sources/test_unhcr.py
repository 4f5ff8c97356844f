"""read_unhcr on the real UNHCR extracts (API column names), on Refugee Data Finder
style and JSON copies derived from real rows, and on the bad-input corpus."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pandas as pd
import pytest

from refugeestudy import schema
from refugeestudy.errors import InputError
from refugeestudy.sources.unhcr import COUNT_COLUMNS, DATASETS, read_unhcr

_KEYS = {"year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso", "procedure_type",
         "app_type", "dec_level", "app_pc", "dec_pc", "pop_type", "location", "loc_type", "acc_type"}


def _raw(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def counts(request):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "unhcr"
    if not folder.exists():
        pytest.skip(f"real extracts {folder} are absent (../shared/data is not mounted)")
    return {name: (read_unhcr(folder / f"{name}.csv", name), _raw(folder / f"{name}.csv"))
            for name in DATASETS}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_totals_per_year_and_country_pair_equal_raw_sums(counts, dataset):
    frame, raw = counts[dataset]
    columns = [c for c in raw[0] if c not in _KEYS]
    assert tuple(columns) == COUNT_COLUMNS[dataset]
    expected = defaultdict(float)
    for row in raw:
        for column in columns:
            if row[column] != "":
                expected[(int(row["year"]), row["coo_iso"], row["coa_iso"])] += float(row[column])
    got = frame.groupby([frame["period_start"].dt.year, "origin_country_iso3",
                         "destination_country_iso3"])["count_best"].sum()
    assert {k: int(v) for k, v in got.items()} == {k: int(v) for k, v in expected.items()}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_one_record_per_cell_and_empty_cells_stay_missing(counts, dataset):
    frame, raw = counts[dataset]
    columns = COUNT_COLUMNS[dataset]
    assert len(frame) == len(raw) * len(columns)
    empty = sum(row[c] == "" for row in raw for c in columns)
    assert int(frame["count_best"].isna().sum()) == empty
    assert int(frame["qualifier"].isna().sum()) == empty
    assert (frame["qualifier"].dropna() == "exact").all()
    assert frame["record_id"].is_unique
    assert list(frame.columns) == list(schema.DISPLACEMENT_COLUMNS)
    assert set(frame["source"]) == {f"unhcr_{dataset}"} and set(frame["reporter"]) == {"UNHCR"}
    assert set(frame["count_basis"]) == {DATASETS[dataset]}
    assert (frame["period_start"].dt.strftime("%m-%d") == "01-01").all()
    assert (frame["period_end"].dt.strftime("%m-%d") == "12-31").all()
    same = frame["count_best"].isna() | ((frame["count_low"] == frame["count_best"])
                                         & (frame["count_high"] == frame["count_best"]))
    assert same.all()
    # UNHCR's codes kept next to ISO3 (they differ, e.g. Lebanon LEB/LBN, Germany GFR/DEU).
    pairs = set(zip(frame["destination_code"], frame["destination_country_iso3"]))
    assert {(row["coa"], row["coa_iso"]) for row in raw} == pairs


def test_population_spot_checks(counts):
    frame, raw = counts["population"]
    by_id = frame.set_index("record_id")["count_best"]
    row = next(r for r in raw if r["year"] == "2015" and r["coo_iso"] == "SYR" and r["coa_iso"] == "LBN")
    assert row["refugees"] == "1062690.0" and row["coa"] == "LEB"
    assert by_id["unhcr:population:2015:SYR:LBN:refugees"] == 1_062_690
    assert by_id["unhcr:population:2016:SYR:LBN:refugees"] == 1_005_503
    assert by_id["unhcr:population:2025:SYR:RUS:refugees"] == 3309
    assert by_id["unhcr:population:2024:SYR:RUS:asylum_seekers"] == 700
    assert by_id["unhcr:population:2016:SYR:LBN:oip"] is pd.NA  # empty cell, not zero
    record = frame.set_index("record_id").loc["unhcr:population:2025:SYR:RUS:refugees"]
    assert (record["origin_code"], record["destination_code"]) == ("SYR", "RUS")
    assert record["period_start"] == pd.Timestamp("2025-01-01")
    assert record["period_end"] == pd.Timestamp("2025-12-31")
    assert record["source_ref"] == "https://api.unhcr.org/population/v1/population/?year=2025&coo=SYR&coa=RUS"


def test_asylum_applications_syrians_in_russia_rose_several_fold(counts):
    frame, _ = counts["asylum_applications"]
    russia = frame[(frame["origin_country_iso3"] == "SYR") & (frame["destination_country_iso3"] == "RUS")]
    per_year = russia.groupby(russia["period_start"].dt.year)["count_best"].sum()
    assert (int(per_year[2024]), int(per_year[2025])) == (59 + 726, 124 + 3196)
    assert set(russia["population_type"]) == {"asylum_applications"}
    assert set(russia.loc[russia["period_start"].dt.year == 2025, "breakdown"]) == {
        "procedure_type=G;app_type=N;dec_level=FI;app_pc=P",
        "procedure_type=G;app_type=N;dec_level=TA;app_pc=P"}


def test_decisions_and_demographics_breakdowns(counts):
    decisions, _ = counts["asylum_decisions"]
    row = decisions[decisions["record_id"].str.startswith("unhcr:asylum_decisions:2025:SYR:RUS:")
                    & decisions["breakdown"].str.contains("dec_level=TA")]
    assert dict(zip(row["population_type"], row["count_best"])) == {
        "decisions_recognized": 3390, "decisions_other": 0, "decisions_rejected": 0,
        "decisions_closed": 150, "decisions_total": 3540}
    demographics, _ = counts["demographics"]
    russia = demographics[demographics["record_id"].str.startswith("unhcr:demographics:2025:SYR:RUS:")
                          & demographics["breakdown"].str.endswith("sex=all;age=total")]
    assert dict(zip(russia["population_type"], russia["count_best"])) == {
        "asylum_seekers": 358, "refugees": 3309}
    assert set(demographics["breakdown"].str.extract(r"sex=(\w+);age=([\w+-]+)$")
               .apply(tuple, axis=1)) >= {("female", "0-4"), ("male", "60+"), ("male", "unknown"),
                                          ("female", "total"), ("all", "total")}


def test_reading_twice_gives_identical_ids(unhcr_real):
    first = read_unhcr(unhcr_real / "demographics.csv", "demographics")
    again = read_unhcr(unhcr_real / "demographics.csv", "demographics")
    pd.testing.assert_frame_equal(first, again)


# --- other forms, derived from real rows ----------------------------------------------

_RDF_HEADER = {
    "year": "Year", "coo_name": "Country of origin", "coo_iso": "Country of origin (ISO)",
    "coa_name": "Country of asylum", "coa_iso": "Country of asylum (ISO)",
    "refugees": "Refugees under UNHCR's mandate", "asylum_seekers": "Asylum-seekers",
    "returned_refugees": "Returned refugees", "idps": "IDPs of concern to UNHCR",
    "returned_idps": "Returned IDPss", "stateless": "Stateless persons", "ooc": "Others of concern",
    "oip": "Other people in need of international protection", "hst": "Host Community",
}


def _sample(unhcr_real):
    """A few real population rows: Syrians in Lebanon and Russia, 2023-2025."""
    rows = [r for r in _raw(unhcr_real / "population.csv")
            if r["year"] in {"2023", "2024", "2025"} and r["coo_iso"] == "SYR"
            and r["coa_iso"] in {"LBN", "RUS"}]
    assert len(rows) == 6
    return rows


def test_refugee_data_finder_download_gives_the_same_records(unhcr_real, tmp_path):
    rows = _sample(unhcr_real)
    api = tmp_path / "population_api_sample.csv"
    with open(api, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    rdf = tmp_path / "population_refugee_data_finder_sample_DERIVED.csv"
    with open(rdf, "w", encoding="utf-8", newline="") as handle:
        handle.write('"Extracted from the UNHCR Population Statistics Reference Database",'
                     '"United Nations High Commissioner for Refugees"\n'
                     '"Date extracted: (derived test file made from real API rows)"\n\n')
        writer = csv.writer(handle)
        writer.writerow(list(_RDF_HEADER.values()))
        for row in rows:  # the download writes whole numbers and "-" for no data
            writer.writerow([(str(int(float(row[k]))) if row[k] else "-") if k in COUNT_COLUMNS["population"]
                             else row[k] for k in _RDF_HEADER])
    from_api = read_unhcr(api, "population")
    from_rdf = read_unhcr(rdf, "population")
    assert from_rdf["origin_code"].isna().all() and from_rdf["destination_code"].isna().all()
    assert from_rdf["source_ref"].iloc[0] == "refugee-data-finder:population:year=2023;coo_iso=SYR;coa_iso=LBN"
    same = [c for c in from_api.columns if c not in ("origin_code", "destination_code", "source_ref")]
    pd.testing.assert_frame_equal(from_rdf[same], from_api[same])
    assert from_api.set_index("record_id").loc["unhcr:population:2025:SYR:RUS:refugees", "count_best"] == 3309


def test_api_json_gives_the_same_records(unhcr_real, tmp_path):
    rows = _sample(unhcr_real)
    items = [{k: (int(v) if k == "year" else (float(v) if v else None) if k in COUNT_COLUMNS["population"]
                  else v) for k, v in row.items()} for row in rows]
    path = tmp_path / "population.json"
    path.write_text(json.dumps({"page": 1, "maxPages": 1, "items": items}), encoding="utf-8")
    api = tmp_path / "population.csv"
    with open(api, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    pd.testing.assert_frame_equal(read_unhcr(path, "population"), read_unhcr(api, "population"))


def test_zipped_and_hyphenated_dataset_name(unhcr_real, make_zip):
    path = make_zip("asylum-applications.zip", {"asylum_applications.csv": unhcr_real / "asylum_applications.csv"})
    pd.testing.assert_frame_equal(read_unhcr(path, "asylum-applications"),
                                  read_unhcr(unhcr_real / "asylum_applications.csv", "asylum_applications"))


def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown UNHCR dataset 'returns'"):
        read_unhcr("x.csv", "returns")


# --- the bad-input corpus ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("unhcr_empty.csv", 1, "the file is empty"),
        ("unhcr_population_semicolon.csv", 1, "the delimiter looks wrong"),
        ("unhcr_population_renamed.csv", 1, "column 'asylum_seekers': required column is missing; "
                                            "found 'asylum-seekers_total', was it renamed?"),
        ("unhcr_population_fraction.csv", 3, "column 'refugees': expected a whole number, found '3309.5'"),
        ("unhcr_population_non_numeric.csv", 3, "column 'asylum_seekers': expected a whole number, found 'n/a'"),
        ("unhcr_population_negative.csv", 3, "column 'asylum_seekers': must not be negative, found '-358.0'"),
        ("unhcr_population_duplicate.csv", 4, "repeats the year, countries and breakdown of the row on line 2"),
    ],
)
def test_bad_input_names_file_line_and_column(bad, name, line, expected):
    with pytest.raises(InputError) as caught:
        read_unhcr(bad / name, "population")
    assert f"{name}:{line}: " in str(caught.value)
    assert expected in str(caught.value)


def test_bad_json_names_the_item(bad):
    with pytest.raises(InputError, match=r"column 'asylum_seekers': items\[0\]: expected a whole number, "
                                         r"found '12.5'"):
        read_unhcr(bad / "unhcr_population_bad_json.json", "population")
