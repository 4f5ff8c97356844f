"""The curated report log is read back exactly as entered, and reconciled by rule.

The real committed log (``data/raw/reports/figures.csv``) is read a second
time, independently, with the :mod:`csv` module; every figure id, count,
qualifier and date that :func:`load_reports` returns must match it. The small
synthetic fixture ``tests/data/log_ok`` checks the cumulative → increment rule
on numbers worked out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import defaultdict
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from refugeestudy import load_reports, paths
from refugeestudy.clean.places import governorate_pcode
from refugeestudy.errors import InputError
from refugeestudy.sources.reports import FIGURE_COLUMNS, check_log, read_log

TESTS = Path(__file__).resolve().parents[1]
LOG_OK = TESTS / "data" / "log_ok"
REAL_DIR = paths.raw_dir() / "reports"
REAL_LOG = REAL_DIR / "figures.csv"


# --------------------------------------------------------------------------- helpers
def _raw_rows(path: Path) -> list[dict]:
    """Read figures.csv with the csv module alone; add each row's first physical line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, start = [], reader.line_num + 1
        for values in reader:
            row = {k: v.strip() for k, v in zip(header, values)}
            row["_line"] = start
            rows.append(row)
            start = reader.line_num + 1
    return rows


@cache
def _canonical_producers(folder: Path) -> dict[str, str]:
    """Every spelling in producers.csv to its canonical name, read with the csv module alone."""
    with (folder / "producers.csv").open(encoding="utf-8", newline="") as handle:
        return {name.strip(): row["producer"] for row in csv.DictReader(handle)
                for name in [row["producer"], *row["aliases"].split(";")] if name.strip()}


def _producer(row: dict) -> str | None:
    """The canonical producer of a raw row (None when the source names none)."""
    return _canonical_producers(REAL_DIR).get(row["figure_by"]) if row["figure_by"] else None


def _pcode(name: str) -> str | None:
    """A governorate's p-code; None for the Syria-wide and coast-wide codes."""
    return None if name in ("SY", "SY-COAST") else governorate_pcode(name)


def _int_or_none(text: str):
    return int(text) if text else None


def _date_or_none(text: str):
    return dt.date.fromisoformat(text) if text else None


def _stated_best(row: dict) -> int:
    """The best value of a stated count, by the README's rules (worked out here, not imported)."""
    return _stated_bounds(row)[1]


def _stated_bounds(row: dict) -> tuple:
    """(low, best, high) of a stated count by the README's rules (None = unbounded)."""
    n, q = int(row["count"]), row["qualifier"]
    if q == "more_than":
        return n + 1, n + 1, None
    if q == "at_least":
        return n, n, None
    if q == "between":
        m = int(row["count_high"])
        return n, (n + m) // 2, m
    if q == "approximately":
        return n * 9 // 10, n, -(-n * 11 // 10)
    if q == "up_to":
        return None, n, n
    return n, n, n


def _curve(rows: list[dict]) -> list[tuple[str, int, bool]]:
    """Walk one producer's running totals in date order: (figure id, level, revised down).

    The README's rule, written out here: a later figure lowers the level only when its upper
    bound is below the level's lower bound (a contradiction); a lower but compatible figure
    (a rounded or late relay) leaves the level unchanged.
    """
    level, out = None, []
    # One day's totals lowest first (the day's highest stands), then file order.
    for r in sorted(rows, key=lambda r: (r["period_end"], _stated_best(r), r["_line"])):
        low, best, high = _stated_bounds(r)
        down = level is not None and high is not None and level[0] is not None and high < level[0]
        if level is None or down or best >= level[1]:
            level = (low, best, high)
        out.append((r["figure_id"], level[1], down))
    return out


def _cell_int(value):
    return None if pd.isna(value) else int(value)


def _cell_date(value):
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _cell_str(value):
    return None if pd.isna(value) else str(value)


@pytest.fixture(scope="module")
def raw():
    return _raw_rows(REAL_LOG)


@pytest.fixture(scope="module")
def log():
    return load_reports()


@pytest.fixture(scope="module")
def by_id(log):
    return log.figures.set_index("figure_id", drop=False)


# --------------------------------------------------------------------------- the real log, as entered
def test_real_log_is_nonempty_and_has_expected_header(raw):
    with REAL_LOG.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == FIGURE_COLUMNS + ("part_of",)
    assert len(raw) == 260


def test_figures_hold_every_row_exactly_as_entered(raw, log):
    figures = log.figures
    assert figures["figure_id"].tolist() == [r["figure_id"] for r in raw]
    assert figures["line"].tolist() == [r["_line"] for r in raw]
    for row, (_, got) in zip(raw, figures.iterrows()):
        fid = row["figure_id"]
        assert _cell_int(got["count"]) == _int_or_none(row["count"]), fid
        assert _cell_int(got["count_high"]) == _int_or_none(row["count_high"]), fid
        assert _cell_str(got["qualifier"]) == (row["qualifier"] or None), fid
        assert _cell_str(got["kind"]) == row["kind"], fid
        for column in ("report_date", "period_start", "period_end"):
            assert _cell_date(got[column]) == _date_or_none(row[column]), (fid, column)
        for column in ("origin_admin1", "destination_country_iso3", "destination_admin1",
                       "subject", "basis", "attribution", "publisher", "url", "label"):
            assert _cell_str(got[column]) == (row[column] or None), (fid, column)
        assert _cell_str(got["figure_by_stated"]) == (row["figure_by"] or None), fid
        assert _cell_str(got["figure_by"]) == _producer(row), fid
        assert bool(got["report_date_inferred"]) == (row["report_date_inferred"] == "true"), fid


def test_raw_file_is_not_modified_by_loading():
    before = REAL_LOG.read_bytes()
    load_reports()
    assert REAL_LOG.read_bytes() == before


# --------------------------------------------------------------------------- Perm
def test_perm_series_reads_back_exactly(raw, log):
    perm_raw = [r for r in raw if r["destination_admin1"] == "RU-PER"]
    assert len(perm_raw) >= 5
    figures = log.figures[log.figures["destination_admin1"] == "RU-PER"]
    assert figures["figure_id"].tolist() == [r["figure_id"] for r in perm_raw]
    for row, (_, got) in zip(perm_raw, figures.iterrows()):
        assert int(got["count"]) == int(row["count"])
        assert got["qualifier"] == row["qualifier"]
        assert got["period_start"].date() == dt.date.fromisoformat(row["period_start"])
        assert got["period_end"].date() == dt.date.fromisoformat(row["period_end"])
        assert got["report_date"].date() == dt.date.fromisoformat(row["report_date"])

    # The canonical displacement table has the same Perm records.
    disp = log.displacement[log.displacement["destination_admin1"] == "RU-PER"]
    assert sorted(disp["record_id"]) == sorted(r["figure_id"] for r in perm_raw)
    assert set(disp["destination_country_iso3"]) == {"RUS"}
    assert set(disp["qualifier"]) == {r["qualifier"] for r in perm_raw}


@pytest.mark.parametrize(
    "fid, count, qualifier, low, best, high, start, end",
    [
        # Values read by eye from data/raw/reports/figures.csv.
        ("F001", 99, "exact", 99, 99, 99, "2025-02-15", "2025-02-15"),
        ("F003", 150, "approximately", 135, 150, 165, "2025-02-01", "2025-04-11"),
        ("F007", 50, "exact", 50, 50, 50, "2025-04-03", "2025-04-03"),
        ("F067", 50, "at_least", 50, 50, None, "2025-04-06", "2025-04-06"),
    ],
)
def test_perm_literal_values(by_id, log, fid, count, qualifier, low, best, high, start, end):
    got = by_id.loc[fid]
    assert got["destination_admin1"] == "RU-PER"
    assert int(got["count"]) == count
    assert got["qualifier"] == qualifier
    assert (_cell_int(got["low"]), int(got["best"]), _cell_int(got["high"])) == (low, best, high)
    assert str(got["period_start"].date()) == start
    assert str(got["period_end"].date()) == end
    # In the canonical table each of these is the only (or first) figure of its series,
    # so the stated bounds pass through unchanged.
    rec = log.displacement.set_index("record_id").loc[fid]
    assert (_cell_int(rec["count_low"]), int(rec["count_best"]), _cell_int(rec["count_high"])) \
        == (low, best, high)
    assert str(rec["period_start"].date()) == start


def test_perm_150_carries_latakia_origin(by_id):
    got = by_id.loc["F003"]
    assert got["origin_admin1"] == "Latakia"
    assert got["origin_admin1_pcode"] == "SY06"
    assert got["basis"] == "cumulative"
    assert got["figure_by"] == "Perm local authorities"


# --------------------------------------------------------------------------- governorate tolls
def test_governorate_rows_read_back_as_entered(raw, log):
    gov_raw = [r for r in raw if _pcode(r["origin_admin1"]) and r["kind"] != "event"]
    assert len(gov_raw) >= 30
    figures = log.figures[log.figures["origin_admin1_pcode"].notna() & (log.figures["kind"] != "event")]
    assert figures["figure_id"].tolist() == [r["figure_id"] for r in gov_raw]
    for row, (_, got) in zip(gov_raw, figures.iterrows()):
        assert got["origin_admin1"] == row["origin_admin1"]  # spelling kept (Tartus, Tartous)
        assert got["origin_admin1_pcode"] == governorate_pcode(row["origin_admin1"])
        assert int(got["count"]) == int(row["count"])
        assert got["qualifier"] == row["qualifier"]
    spellings = {r["origin_admin1"] for r in gov_raw if governorate_pcode(r["origin_admin1"]) == "SY10"}
    assert {"Tartus", "Tartous"} <= spellings


@pytest.mark.parametrize(
    "fid, spelling, pcode, subject, count",
    [("F018", "Latakia", "SY06", "civilians", 683), ("F019", "Tartous", "SY10", "civilians", 433),
     ("F020", "Hama", "SY05", "civilians", 255), ("F021", "Homs", "SY04", "civilians", 12),
     ("F027", "Tartus", "SY10", "civilians", 466), ("F101", "Latakia", "SY06", "civilians", 866),
     ("F155", "Tartus", "SY10", "civilians", 34), ("F174", "Sweida", "SY13", "total", 1000)],
)
def test_governorate_literal_values(by_id, fid, spelling, pcode, subject, count):
    got = by_id.loc[fid]
    assert (got["origin_admin1"], got["origin_admin1_pcode"], got["subject"], int(got["count"])) \
        == (spelling, pcode, subject, count)


def _series_check(raw_rows, violence):
    """Sum each reporter × governorate × subject × start series' increments in date order.

    A running total is "since period_start": totals since different starts are
    different series (SOHR's since 2024-12-08 vs since 2025-03-06). The running sum
    must be the series' level at each row, by the rule of :func:`_curve`.
    """
    table = violence.set_index("event_id")
    series = defaultdict(list)
    for r in raw_rows:
        if r["kind"] == "deaths" and r["basis"] == "cumulative" and not r.get("part_of"):
            key = (_producer(r), _pcode(r["origin_admin1"]), r["subject"], r["period_start"])
            series[key].append(r)
    checked = 0
    for key, rows in series.items():
        running = 0
        for fid, level, _ in _curve(rows):
            got = table.loc[fid]
            assert got["deaths_basis"] == "increment"
            running += int(got["deaths_best"])
            assert running == level, (key, fid)
            checked += 1
    return series, checked


def test_governorate_increments_sum_back_to_reported_totals(raw, log):
    gov = [r for r in raw if _pcode(r["origin_admin1"])]
    series, checked = _series_check(gov, log.violence)
    assert checked >= 12  # SOHR's per-governorate running tolls
    # Per-period governorate rows pass unchanged into the violence table.
    table = log.violence.set_index("event_id")
    for r in gov:
        if r["kind"] == "deaths" and r["basis"] == "period":
            got = table.loc[r["figure_id"]]
            assert int(got["deaths_best"]) == int(r["count"])
            assert got["deaths_basis"] == ("part" if r["part_of"] else "period")
            assert got["admin1_name"] == r["origin_admin1"]
            assert str(got["date_start"].date()) == r["period_start"]


def test_all_cumulative_tolls_sum_back_to_reported_totals(raw, log):
    _, checked = _series_check(raw, log.violence)
    assert checked == sum(r["kind"] == "deaths" and r["basis"] == "cumulative"
                          and not r["part_of"] for r in raw)


def test_latakia_sohr_civilian_series_by_hand(log):
    # SOHR civilians in Latakia: 683 as of 12 March (F018), 735 as of 13 March (F026).
    table = log.violence.set_index("event_id")
    assert int(table.loc["F018", "deaths_best"]) == 683
    assert int(table.loc["F026", "deaths_best"]) == 735 - 683
    assert str(table.loc["F026", "date_start"].date()) == "2025-03-13"
    assert int(table.loc["F018", "deaths_civilians"]) == 683


# --------------------------------------------------------------------------- downward revisions
def test_downward_revisions_only_where_a_producer_contradicts_itself(raw, log):
    # Independently: walk each producer × governorate × subject × start series by the rule.
    series = defaultdict(list)
    for r in raw:
        if r["kind"] == "deaths" and r["basis"] == "cumulative" and not r.get("part_of"):
            series[(_producer(r), _pcode(r["origin_admin1"]), r["subject"], r["period_start"])].append(r)
    expected = {fid for rows in series.values() for fid, _, down in _curve(rows) if down}
    v = log.violence.set_index("event_id")
    flagged = set(v.index[v["revised_down"].fillna(False).astype(bool)])
    assert flagged == expected
    # The real log holds none: the six of the old rule were a rounded relay after an exact
    # figure (F039, F080 "over 1,000" after 1,018; F075 1,454 after "nearly 1,500"), late relays
    # of older numbers (F129 "over 147", F131 "over 200") and a mislabelled subject (F038 after
    # F042, whose 213 counts combatants of both sides).
    assert flagged == set()
    assert int(v.loc["F080", "deaths_best"]) == 0 and not bool(v.loc["F080", "revised_down"])
    # 10 March: 1,454 (F075) and "nearly 1,500" (F072), walked lowest first: the day ends at 1,500,
    # up from the 1,311 of 9 March (AFP via LBCI).
    assert int(v.loc["F075", "deaths_best"]) + int(v.loc["F072", "deaths_best"]) == 1500 - 1311
    assert log.figures.set_index("figure_id").loc["F042", "subject"] == "combatants"


def test_a_contradicting_total_is_a_downward_revision(tmp_path):
    shutil.copy(LOG_OK / "sources.csv", tmp_path / "sources.csv")
    shutil.copy(LOG_OK / "producers.csv", tmp_path / "producers.csv")
    text = (LOG_OK / "figures.csv").read_text()
    (tmp_path / "figures.csv").write_text(text.replace("240,,exact", "240,,at_least"))
    v = load_reports(tmp_path).violence.set_index("event_id")
    assert int(v.loc["F003", "deaths_best"]) == 0  # "at least 240" after "at least 250": compatible
    assert not bool(v.loc["F003", "revised_down"])


def test_parts_keep_their_stated_value_and_are_no_revision(log):
    # SNHR's deaths by perpetrator (F098 889 of F097; F168 889 and F099 445 of F167) are parts
    # of its 1,334: not revisions.
    v = log.violence.set_index("event_id")
    for fid, count, whole in (("F098", 889, "F097"), ("F168", 889, "F167"), ("F099", 445, "F167")):
        assert int(v.loc[fid, "deaths_best"]) == count
        assert v.loc[fid, "deaths_basis"] == "part"
        assert not bool(v.loc[fid, "revised_down"])
        assert log.figures.set_index("figure_id").loc[fid, "part_of"] == whole
    assert int(v.loc["F097", "deaths_best"]) == 1334  # first of its series, kept whole


@pytest.mark.parametrize("part_of, message", [
    ("F999", "'F999' is not another figure_id of this log"),
    ("F002", "'F002' is not another figure_id of this log"),
    ("F008", "'F008' is a event figure"),
])
def test_part_of_must_name_another_figure_of_the_same_kind(tmp_path, part_of, message):
    from refugeestudy.errors import InputError
    from refugeestudy.sources.reports import check_log

    text = (LOG_OK / "figures.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",part_of"
    text = [text[0]] + [line + ("," + part_of if line.startswith("F002,") else ",")
                        for line in text[1:]]
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check_log(path)
    assert f"{path}:3: column 'part_of': {message}" in str(caught.value)


# --------------------------------------------------------------------------- events
def test_key_events(log):
    events = log.events
    dates = {label: set(events.loc[events["label"] == label, "date"].dt.strftime("%Y-%m-%d"))
             for label in ("assad_fall", "coastal_violence_start")}
    assert dates == {"assad_fall": {"2024-12-08"}, "coastal_violence_start": {"2025-03-06"}}
    assert set(events["event_id"]) == {r["figure_id"] for r in _raw_rows(REAL_LOG)
                                        if r["kind"] == "event"}


def test_sources_cover_every_url(raw, log):
    assert {r["url"] for r in raw} <= set(log.sources["url"])
    assert log.sources["url"].is_unique


# --------------------------------------------------------------------------- synthetic fixture
@pytest.fixture(scope="module")
def ok():
    return load_reports(LOG_OK)


def test_fixture_increments_by_hand(ok):
    v = ok.violence.set_index("event_id")
    rows = v.loc[["F001", "F002", "F003"]]
    assert rows["deaths_best"].tolist() == [100, 150, -10]
    assert rows["deaths_low"].tolist() == [100, 150, -10]  # at_least: low = n
    assert rows["deaths_high"].isna().all()  # at_least: no upper bound
    assert rows["revised_down"].tolist() == [False, False, True]
    assert rows["date_start"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2025-03-06", "2025-03-08", "2025-03-09"]
    assert rows["date_end"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2025-03-07", "2025-03-08", "2025-03-09"]
    assert set(rows["deaths_basis"]) == {"increment"}
    assert set(rows["admin1_pcode"]) == {"SY06"}


def test_fixture_between_and_period_rows(ok):
    f4 = ok.violence.set_index("event_id").loc["F004"]
    assert (int(f4["deaths_low"]), int(f4["deaths_best"]), int(f4["deaths_high"])) == (30, 35, 40)
    assert int(f4["deaths_civilians"]) == 35
    assert f4["admin1_pcode"] == "SY10" and f4["admin1_name"] == "Tartus Governorate"
    assert f4["deaths_basis"] == "period" and not f4["revised_down"]


def test_fixture_displacement_increments(ok):
    d = ok.displacement.set_index("record_id")
    # approximately 99 → 89/99/109; approximately 150 → 135/150/165; increment 46/51/56.
    assert (int(d.loc["F005", "count_low"]), int(d.loc["F005", "count_best"]),
            int(d.loc["F005", "count_high"])) == (89, 99, 109)
    assert (int(d.loc["F006", "count_low"]), int(d.loc["F006", "count_best"]),
            int(d.loc["F006", "count_high"])) == (46, 51, 56)
    assert str(d.loc["F006", "period_start"].date()) == "2025-02-21"
    assert d.loc["F007", "count_basis"] == "period" and int(d.loc["F007", "count_best"]) == 50
    assert d.loc["F007", "origin_admin1_pcode"] == "SY06"


def test_fixture_figures_keep_stated_totals(ok):
    f = ok.figures.set_index("figure_id")
    assert f.loc[["F001", "F002", "F003"], "count"].tolist() == [100, 250, 240]
    assert f.loc[["F001", "F002", "F003"], "best"].tolist() == [100, 250, 240]
    assert f["line"].tolist() == list(range(2, 10))
    assert ok.events.set_index("event_id").loc["F008", "label"] == "assad_fall"


def test_check_log_returns_lines_and_stripped_cells(tmp_path):
    text = (LOG_OK / "figures.csv").read_text(encoding="utf-8")
    header, first, *rest = text.splitlines(keepends=True)
    # A quoted note spanning two physical lines shifts the following lines by one.
    first = first.replace("synthetic test row", '"synthetic\ntest row"')
    target = tmp_path / "figures.csv"
    target.write_text(header + first.replace(",Latakia,", ", Latakia ,") + "".join(rest),
                      encoding="utf-8")
    rows = check_log(target)
    assert [line for line, _ in rows] == [2, 4, 5, 6, 7, 8, 9, 10]
    assert rows[0][1]["origin_admin1"] == "Latakia"
    assert rows[0][1]["note"] == "synthetic\ntest row"


def test_bom_prefixed_log_is_read(tmp_path):
    shutil.copy(LOG_OK / "sources.csv", tmp_path / "sources.csv")
    shutil.copy(LOG_OK / "producers.csv", tmp_path / "producers.csv")
    (tmp_path / "figures.csv").write_bytes(b"\xef\xbb\xbf" + (LOG_OK / "figures.csv").read_bytes())
    log = load_reports(tmp_path)
    assert log.figures["figure_id"].tolist() == [f"F00{i}" for i in range(1, 9)]


def test_read_log_rejects_bad_file_with_inputerror(tmp_path):
    target = tmp_path / "figures.csv"
    target.write_text((LOG_OK / "figures.csv").read_text().replace("at_least", "roughly", 1))
    with pytest.raises(InputError) as info:
        read_log(target)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "qualifier")]


# --------------------------------------------------------------------------- regressions
def test_running_totals_with_different_start_are_separate_series(tmp_path, log):
    # Regression: SOHR's per-governorate totals since 2024-12-08 were differenced against its
    # totals since 2025-03-06, giving Homs 212 deaths on 10-14 April. Synthetic: F003 (240)
    # counted since 1 March is its own series, not a revision of F002 (250 since 6 March).
    for name in ("sources.csv", "producers.csv"):
        shutil.copy(LOG_OK / name, tmp_path / name)
    text = (LOG_OK / "figures.csv").read_text()
    (tmp_path / "figures.csv").write_text(text.replace("2025-03-09,false,2025-03-06",
                                                       "2025-03-09,false,2025-03-01"))
    v = load_reports(tmp_path).violence.set_index("event_id")
    assert int(v.loc["F003", "deaths_best"]) == 240
    assert str(v.loc["F003", "date_start"].date()) == "2025-03-01"
    assert not bool(v.loc["F003", "revised_down"])
    # Real log: F104 (SOHR civilians in Homs, 13 as of 9 April) follows F029 (13 as of 13 March).
    real = log.violence.set_index("event_id")
    assert int(real.loc["F104", "deaths_best"]) == 0
    assert int(real.loc["F029", "deaths_best"]) == 1 and int(real.loc["F021", "deaths_best"]) == 12


def test_missing_source_url_error_names_figures_file(tmp_path):
    # Regression: the problem was reported under sources.csv with figures.csv's line number.
    shutil.copy(LOG_OK / "sources.csv", tmp_path / "sources.csv")
    shutil.copy(LOG_OK / "producers.csv", tmp_path / "producers.csv")
    text = (LOG_OK / "figures.csv").read_text().replace("https://example.org/c", "https://example.org/zzz")
    (tmp_path / "figures.csv").write_text(text)
    with pytest.raises(InputError) as info:
        load_reports(tmp_path)
    assert "https://example.org/zzz" in str(info.value)
    assert info.value.problems[0].line == 4
    assert info.value.path.name == "figures.csv"


# --------------------------------------------------------------------------- issue 16's rules
LOG_BAD = Path(__file__).resolve().parents[1] / "data" / "log_bad"


@pytest.mark.parametrize("folder, file, line, column, words", [
    ("ip_url", "sources.csv", 4, "url", "'72.46.128.21' is an IP address"),
    ("unknown_producer", "figures.csv", 5, "figure_by", "unknown producer 'Monitor B (as cited"),
    ("no_inferred_flag", "figures.csv", 3, "report_date_inferred", "is empty"),
])
def test_bad_fixture_is_refused_with_file_row_and_column(folder, file, line, column, words):
    from refugeestudy.sources.reports import validate_log

    for check in (validate_log, lambda path: load_reports(path.parent)):
        with pytest.raises(InputError) as info:
            check(LOG_BAD / folder / "figures.csv")
        assert info.value.path == LOG_BAD / folder / file
        ((got_line, got_column, message),) = [(p.line, p.column, p.message) for p in info.value.problems]
        assert (got_line, got_column) == (line, column)
        assert words in message


def test_validate_lists_the_problems_of_sources_and_producers_together(tmp_path):
    from refugeestudy.sources.reports import validate_log

    for name in ("figures.csv", "sources.csv", "producers.csv"):
        shutil.copy(LOG_BAD / "ip_url" / name, tmp_path / name)
    figures = tmp_path / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",Monitor B,", ",Monitor B (as cited),", 1),
                       encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate_log(figures)
    assert [(p.path.name, p.line, p.column) for p in info.value.problems] == [
        ("sources.csv", 4, "url"), ("figures.csv", 5, "figure_by")]
    assert str(info.value).startswith(f"{tmp_path / 'sources.csv'}, {figures}: 2 problems")


@pytest.mark.parametrize("cell, value, column, words", [
    ("figure_by", "", "attribution", "name the producer"),
    ("attribution", "the page names no source", "attribution", "must be empty"),
    ("report_date_inferred", "yes", "report_date_inferred", "expected 'true' or 'false'"),
    ("origin_admin1", "", "origin_admin1", "is empty"),
    ("origin_admin1", "SY-NORTH", "origin_admin1", "SY or SY-COAST"),
])
def test_attribution_inferred_flag_and_origin_codes_are_checked(tmp_path, cell, value, column, words):
    rows = list(csv.reader((LOG_OK / "figures.csv").open(encoding="utf-8", newline="")))
    rows[2][rows[0].index(cell)] = value
    with (tmp_path / "figures.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(InputError) as info:
        check_log(tmp_path / "figures.csv")
    assert [(p.line, p.column) for p in info.value.problems] == [(3, column)]
    assert words in info.value.problems[0].message


def test_unattributed_figure_is_no_producer_and_aliases_read_as_one_name(tmp_path):
    for name in ("sources.csv", "producers.csv"):
        shutil.copy(LOG_OK / name, tmp_path / name)
    rows = list(csv.reader((LOG_OK / "figures.csv").open(encoding="utf-8", newline="")))
    header = rows[0]
    rows[1][header.index("figure_by")] = "MA"  # alias of Monitor A
    rows[4][header.index("figure_by")], rows[4][header.index("attribution")] = "", "no source named"
    with (tmp_path / "figures.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    figures = load_reports(tmp_path).figures.set_index("figure_id")
    assert figures.loc["F001", "figure_by"] == "Monitor A"
    assert figures.loc["F001", "figure_by_stated"] == "MA"
    assert pd.isna(figures.loc["F004", "figure_by"])
    assert figures.loc["F004", "attribution"] == "no source named"
    assert figures["report_date_inferred"].tolist() == [False] * 5 + [True] + [False] * 2


@pytest.mark.parametrize("column, value, words", [
    ("url", "https://news-247.top/n/1861878", "copies other outlets' pages"),
    ("url", "https://beirut24.org/2025/03/11/%d8%a5%d8%b1", "percent-encoded"),
    ("title", "[descriptive title; page title not in stored text] Toll", "note in brackets"),
])
def test_sources_refuse_copies_encoded_urls_and_title_notes(tmp_path, column, value, words):
    shutil.copy(LOG_OK / "figures.csv", tmp_path / "figures.csv")
    shutil.copy(LOG_OK / "producers.csv", tmp_path / "producers.csv")
    rows = list(csv.reader((LOG_OK / "sources.csv").open(encoding="utf-8", newline="")))
    rows[5][rows[0].index(column)] = value
    with (tmp_path / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    from refugeestudy.sources.reports import validate_log

    with pytest.raises(InputError) as info:
        validate_log(tmp_path / "figures.csv")
    assert info.value.path.name == "sources.csv"
    assert (info.value.problems[0].line, info.value.problems[0].column) == (6, column)
    assert words in info.value.problems[0].message


def test_real_log_meets_issue_16(raw, log):
    sources = log.sources
    assert sources["read_at_url"].notna().all()
    assert not sources["title"].fillna("").str.contains(r"\[").any()
    assert not sources["url"].str.contains(r"://[0-9.]+[:/]").any()
    assert {r["report_date_inferred"] for r in raw} == {"true", "false"}
    assert "" not in {r["origin_admin1"] for r in raw}
    unnamed = [r for r in raw if not r["figure_by"]]
    assert unnamed and all(r["attribution"] for r in unnamed)
