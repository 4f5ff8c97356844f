"""Bad-input cases for the readers (GED, ACLED, UNHCR): each a small real or synthetic file with one fault.

A case names its reader, a base file, one edit and what must happen: the words
of the error (file, line and column named) or ``None`` for an input rightly
accepted. Kept apart from the test so the list reads as a table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

TESTS = Path(__file__).resolve().parents[1]
SHARED = TESTS.parents[1] / "shared" / "data"
ACLED_BASE = TESTS / "data" / "acled" / "synthetic_acled_api_iso_dates.csv"
GED_BASE = SHARED / "ucdp" / "ged191_syria_2016_2019.csv"
UNHCR_FLOWS = SHARED / "unhcr" / "flows.csv"
UNHCR_POPULATION = SHARED / "unhcr" / "population.csv"


def _rows(base: Path, n: int) -> list[list[str]]:
    with base.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return [row for _, row in zip(range(n + 1), reader)]


def _text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def cell(row: int, column: str, value: str) -> Callable[[list[list[str]]], str]:
    """Edit: data row ``row`` (1 = first data row, file line row + 1), ``column`` := ``value``."""

    def edit(rows):
        rows[row][rows[0].index(column)] = value
        return _text(rows)

    return edit


def drop_column(column: str):
    def edit(rows):
        i = rows[0].index(column)
        return _text([r[:i] + r[i + 1:] for r in rows])

    return edit


def rename_column(column: str, new: str):
    def edit(rows):
        rows[0][rows[0].index(column)] = new
        return _text(rows)

    return edit


def text(transform: Callable[[str], str]):
    def edit(rows):
        return transform(_text(rows))

    return edit


def duplicate_row(row: int):
    def edit(rows):
        return _text(rows + [list(rows[row])])

    return edit


def duplicate_header(column: str):
    def edit(rows):
        rows[0][1] = column
        return _text(rows)

    return edit


@dataclass(frozen=True)
class Case:
    id: str
    reader: str            # ged, acled, unhcr:<dataset>
    base: Path
    edit: Callable | None  # None: the file is written as given by `raw`
    expected: str | None   # words of the error; None = rightly accepted
    raw: bytes | None = None
    suffix: str = ".csv"
    rows: int = 3


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


G, A, F, P = GED_BASE, ACLED_BASE, UNHCR_FLOWS, UNHCR_POPULATION
WHOLE = "expected a whole number"
CASES = [
    # ---- UCDP GED
    Case("ged-best-1e30", "ged", G, cell(1, "best", "1e30"), "column 'best': expected a whole number up to"),
    Case("ged-best-inf", "ged", G, cell(1, "best", "inf"), "column 'best': expected a whole number up to"),
    Case("ged-best-nan", "ged", G, cell(1, "best", "nan"), "column 'best': is empty"),
    Case("ged-best-fraction", "ged", G, cell(2, "best", "2.5"), "column 'best': " + WHOLE),
    Case("ged-best-negative", "ged", G, cell(1, "best", "-4"), "column 'best': must not be negative"),
    Case("ged-best-empty", "ged", G, cell(1, "best", ""), "column 'best': is empty"),
    Case("ged-low-words", "ged", G, cell(3, "low", "few"), "column 'low': " + WHOLE),
    Case("ged-high-huge", "ged", G, cell(1, "high", "99999999999999999999"), "column 'high': expected a whole number up to"),
    Case("ged-civilians-1e30", "ged", G, cell(1, "deaths_civilians", "1e30"), "column 'deaths_civilians'"),
    Case("ged-date-start-bad", "ged", G, cell(1, "date_start", "2016-02-30"), "column 'date_start'"),
    Case("ged-date-start-slash", "ged", G, cell(1, "date_start", "01/01/2016"), "column 'date_start'"),
    Case("ged-date-end-empty", "ged", G, cell(2, "date_end", ""), "column 'date_end': is empty; a date is required"),
    Case("ged-end-before-start", "ged", G, cell(1, "date_end", "2015-12-01"), "2015-12-01 is before date_start 2016-01-01"),
    Case("ged-latitude-200", "ged", G, cell(1, "latitude", "200"), "column 'latitude': expected a number between -90 and 90"),
    Case("ged-longitude-words", "ged", G, cell(1, "longitude", "east"), "column 'longitude': expected a number"),
    Case("ged-type-words", "ged", G, cell(1, "type_of_violence", "war"), "column 'type_of_violence'"),
    Case("ged-type-7", "ged", G, cell(1, "type_of_violence", "7"), "column 'type_of_violence': expected 1, 2 or 3, found '7'"),
    Case("ged-date-prec-9", "ged", G, cell(1, "date_prec", "9"), "column 'date_prec': expected 1 to 5, found '9'"),
    Case("ged-date-prec-words", "ged", G, cell(1, "date_prec", "exact"), "column 'date_prec'"),
    Case("ged-missing-best", "ged", G, drop_column("best"), "column 'best': required column is missing"),
    Case("ged-missing-date-start", "ged", G, drop_column("date_start"), "column 'date_start': required column is missing"),
    Case("ged-renamed-id", "ged", G, rename_column("id", "event_id"), "found 'event_id', was it renamed?"),
    Case("ged-duplicate-id", "ged", G, duplicate_row(1), "duplicated id '214797' (first on line 2)"),
    Case("ged-duplicate-header", "ged", G, duplicate_header("best"), "column 'best': appears 2 times"),
    Case("ged-semicolon", "ged", G, text(lambda t: t.replace(",", ";")), "the delimiter looks wrong"),
    Case("ged-truncated", "ged", G, text(lambda t: t[: len(t) // 2]), "a truncated row"),
    Case("ged-empty-file", "ged", G, text(lambda t: ""), "the file is empty"),
    Case("ged-binary", "ged", G, None, "not UTF-8 text", raw=b"\xff\xfe\x00\x01garbage\x00"),
    Case("ged-bom", "ged", G, text(lambda t: "\ufeff" + t), None),
    Case("ged-crlf", "ged", G, text(lambda t: t.replace("\n", "\r\n")), None),
    Case("ged-zip-two-csv", "ged", G, None, "found 2 CSV members", suffix=".zip",
         raw=_zip({"a.csv": "id\n1\n", "b.csv": "id\n2\n"})),
    Case("ged-zip-no-csv", "ged", G, None, "found no CSV member", suffix=".zip", raw=_zip({"readme.txt": "x"})),
    Case("ged-zip-corrupt", "ged", G, None, "not a readable zip file", suffix=".zip", raw=b"PK\x03\x04broken"),
    # ---- ACLED
    Case("acled-fatalities-1e30", "acled", A, cell(1, "fatalities", "1e30"), "column 'fatalities': expected a whole number up to"),
    Case("acled-fatalities-inf", "acled", A, cell(1, "fatalities", "inf"), "column 'fatalities': expected a whole number up to"),
    Case("acled-fatalities-negative", "acled", A, cell(1, "fatalities", "-1"), "column 'fatalities': must not be negative"),
    Case("acled-fatalities-words", "acled", A, cell(2, "fatalities", "dozens"), "column 'fatalities': " + WHOLE),
    Case("acled-fatalities-empty", "acled", A, cell(1, "fatalities", ""), "column 'fatalities'"),
    Case("acled-date-bad", "acled", A, cell(1, "event_date", "2025-02-30"), "column 'event_date'"),
    Case("acled-date-words", "acled", A, cell(1, "event_date", "yesterday"), "column 'event_date'"),
    Case("acled-precision-9", "acled", A, cell(1, "time_precision", "9"), "column 'time_precision': expected 1 (day), 2 (week) or 3 (month)"),
    Case("acled-latitude-91", "acled", A, cell(1, "latitude", "91"), "column 'latitude'"),
    Case("acled-unknown-admin1", "acled", A, cell(1, "admin1", "Atlantis"), "unknown Syrian governorate 'Atlantis'"),
    Case("acled-missing-fatalities", "acled", A, drop_column("fatalities"), "column 'fatalities': required column is missing"),
    Case("acled-missing-event-date", "acled", A, drop_column("event_date"), "column 'event_date': required column is missing"),
    Case("acled-duplicate-id", "acled", A, duplicate_row(1), "duplicated id 'SYN-API-0001' (first on line 2)"),
    Case("acled-semicolon", "acled", A, text(lambda t: t.replace(",", ";")), "the delimiter looks wrong"),
    Case("acled-empty-file", "acled", A, text(lambda t: ""), "the file is empty"),
    Case("acled-duplicate-header", "acled", A, duplicate_header("fatalities"), "column 'fatalities': appears 2 times"),
    Case("acled-bom", "acled", A, text(lambda t: "\ufeff" + t), None),
    # ---- UNHCR
    Case("unhcr-refugees-1e30", "unhcr:flows", F, cell(1, "refugees", "1e30"), "column 'refugees': expected a whole number up to"),
    Case("unhcr-refugees-inf", "unhcr:flows", F, cell(1, "refugees", "inf"), "column 'refugees': expected a whole number up to"),
    Case("unhcr-refugees-minus-inf", "unhcr:flows", F, cell(1, "refugees", "-inf"), "column 'refugees': expected a whole number up to"),
    Case("unhcr-refugees-beyond-int64", "unhcr:flows", F, cell(1, "refugees", "9223372036854775808"), "expected a whole number up to"),
    Case("unhcr-refugees-nan", "unhcr:flows", F, cell(1, "refugees", "nan"), "column 'refugees': " + WHOLE),
    Case("unhcr-refugees-fraction", "unhcr:flows", F, cell(2, "asylum_seekers", "1.5"), "column 'asylum_seekers': " + WHOLE),
    Case("unhcr-refugees-negative", "unhcr:flows", F, cell(1, "asylum_seekers", "-3"), "must not be negative"),
    Case("unhcr-refugees-words", "unhcr:flows", F, cell(1, "asylum_seekers", "n/a"), "column 'asylum_seekers': " + WHOLE),
    Case("unhcr-year-1800", "unhcr:flows", F, cell(1, "year", "1800"), "column 'year': expected a year"),
    Case("unhcr-year-words", "unhcr:flows", F, cell(1, "year", "last"), "column 'year'"),
    Case("unhcr-year-empty", "unhcr:flows", F, cell(1, "year", ""), "column 'year'"),
    Case("unhcr-missing-coa-iso", "unhcr:flows", F, drop_column("coa_iso"), "column 'coa_iso': required column is missing"),
    Case("unhcr-missing-year", "unhcr:flows", F, drop_column("year"), "no header row with a 'year'"),
    Case("unhcr-duplicate-row", "unhcr:flows", F, duplicate_row(1), "repeats the year, countries"),
    Case("unhcr-semicolon", "unhcr:flows", F, text(lambda t: t.replace(",", ";")), "the delimiter looks wrong"),
    Case("unhcr-empty-file", "unhcr:flows", F, text(lambda t: ""), "the file is empty"),
    Case("unhcr-population-1e30", "unhcr:population", P, cell(1, "refugees", "1e30"), "expected a whole number up to"),
    Case("unhcr-population-renamed", "unhcr:population", P, rename_column("refugees", "refugee"), "found 'refugee', was it renamed?"),
    Case("unhcr-dataset-none", "unhcr:None", F, cell(1, "refugees", ""), "unknown UNHCR dataset None"),
    Case("unhcr-dataset-unknown", "unhcr:returns", F, cell(1, "refugees", ""), "unknown UNHCR dataset 'returns'"),
    Case("unhcr-json-invalid", "unhcr:flows", F, None, "not valid JSON", suffix=".json", raw=b"{items: ["),
    Case("unhcr-json-no-items", "unhcr:flows", F, None, 'expected {"items": [{...}, ...]}', suffix=".json", raw=b'{"data": []}'),
    Case("unhcr-duplicate-header", "unhcr:flows", F, duplicate_header("refugees"), "column 'refugees': appears 2 times"),
    Case("unhcr-empty-counts", "unhcr:flows", F, cell(1, "refugees", ""), None),
    Case("unhcr-bom", "unhcr:flows", F, text(lambda t: "\ufeff" + t), None),
    Case("unhcr-hyphenated-dataset", "unhcr:asylum-applications", SHARED / "unhcr" / "asylum_applications.csv", cell(1, "applied", "12"), None),
]


def materialise(case: Case, folder: Path) -> Path:
    """Write the case's file into ``folder`` and return its path."""
    path = folder / f"{case.id}{case.suffix}"
    if case.raw is not None:
        path.write_bytes(case.raw)
    else:
        path.write_text(case.edit(_rows(case.base, case.rows)), encoding="utf-8", newline="")
    return path


def call(case: Case, path: Path):
    """Run the case's reader on ``path``."""
    if case.reader == "ged":
        from refugeestudy.sources.ucdp import read_ged

        return read_ged(path, cache=False)
    if case.reader == "acled":
        from refugeestudy.sources.acled import read_acled

        return read_acled(path, cache=False)
    from refugeestudy.sources.unhcr import read_unhcr

    dataset = case.reader.split(":", 1)[1]
    return read_unhcr(path, None if dataset == "None" else dataset)
