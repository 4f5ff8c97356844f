"""SYNTHETIC files each source's reader accepts: the fetch tests pin only content that reads.

Nothing here comes from a publisher: ids start at 900001, sides are "Synthetic side A/B",
counts are small made-up numbers. Only the column layouts are the publishers' (UCDP GED's
41-column extract, UNHCR's population API, UCDP's country-year file), because a pin is
refused unless the bytes read through the source's own reader
(:mod:`refugeestudy.fetch.content`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from refugeestudy.sources.ucdp import GED_EXTRACT_COLUMNS
from refugeestudy.sources.ucdp_country_year import _SOURCE_COLUMNS, _TOTAL_BEST

_EVENT = dict(year="2016", type_of_violence="1", side_a="Synthetic side A", side_b="Synthetic side B",
              adm_1="Homs Governorate", latitude="34.8", longitude="36.7", country="Syria",
              country_id="652", date_prec="1", date_start="2016-01-01", date_end="2016-01-01",
              deaths_civilians="0", low="1", best="2", high="3")
_UNHCR_PLACES = [("Lebanon", "LEB", "LBN"), ("Germany", "GFR", "DEU"), ("Turkiye", "TUR", "TUR")]
POPULATION_COLUMNS = ("year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso", "refugees",
                      "asylum_seekers", "returned_refugees", "idps", "returned_idps", "stateless",
                      "ooc", "oip", "hst")
SOLUTIONS_COLUMNS = ("year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso",
                     "returned_refugees", "resettlement", "naturalisation", "returned_idps")


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def ged_csv(events: int = 2, *, header: bool = True) -> bytes:
    """A GED extract (41 columns) of ``events`` synthetic events in Homs, 2016."""
    rows = [[{**_EVENT, "id": str(900001 + i)}.get(c, "") for c in GED_EXTRACT_COLUMNS]
            for i in range(events)]
    return _csv(GED_EXTRACT_COLUMNS, rows) if header else _csv(GED_EXTRACT_COLUMNS, rows).split(
        b"\n", 1)[1]


def zipped(member: str, data: bytes) -> bytes:
    """``data`` as the one member of a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def ged_zip(events: int = 2) -> bytes:
    """A GED release zip holding :func:`ged_csv`."""
    return zipped("GEDEvent_v26_1.csv", ged_csv(events))


def population_csv(rows: int = 2, refugees: int = 10) -> bytes:
    """UNHCR population API rows, Syrians in ``rows`` countries (at most 3)."""
    return _csv(POPULATION_COLUMNS, [[2024, "Syrian Arab Rep.", "SYR", "SYR", name, code, iso,
                                      refugees, 0, 0, 0, 0, 0, 0, "", 0]
                                     for name, code, iso in _UNHCR_PLACES[:rows]])


def solutions_csv() -> bytes:
    """One UNHCR solutions row (3 resettled Syrians)."""
    return _csv(SOLUTIONS_COLUMNS, [[2024, "Syrian Arab Rep.", "SYR", "SYR", "Germany", "GFR",
                                     "DEU", 0, 3, 0, 0]])


def country_year_csv() -> bytes:
    """One UCDP country-year row (Syria 2016, every bound 1)."""
    header = ["country_id_cy", "country_cy", "year_cy", *_SOURCE_COLUMNS.values(), _TOTAL_BEST]
    return _csv(header, [[652, "Syria", 2016, *[1] * len(_SOURCE_COLUMNS), 3]])


def acled_csv() -> bytes:
    """The project's hand-made synthetic ACLED file (tests/data/acled)."""
    return (Path(__file__).resolve().parents[1] / "data" / "acled"
            / "synthetic_acled_api_iso_dates.csv").read_bytes()


def ged_event(number: int) -> dict:
    """One synthetic event as the UCDP API answers it (GED's columns, id ``number``)."""
    return {column: {**_EVENT, "id": str(number)}.get(column, "") for column in GED_EXTRACT_COLUMNS}


def acled_events(count: int = 3) -> list[dict]:
    """The first ``count`` rows of :func:`acled_csv` as the ACLED API answers them."""
    return list(csv.DictReader(io.StringIO(acled_csv().decode("utf-8"))))[:count]
