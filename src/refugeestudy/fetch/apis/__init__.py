"""Clients of the paged APIs (UNHCR, UCDP, ACLED) behind one interface, and their CSV output.

Each client is ``fetch_rows(source, registry, url, ctx) -> ApiAnswer`` (see
:mod:`refugeestudy.fetch.apis.base`); :data:`CLIENTS` maps a registry kind to
its client. :func:`rows_to_csv` writes the rows with the registry's column
order, an empty cell for the API's missing values.

Examples
--------
>>> sorted(CLIENTS)
['acled_api', 'ucdp_api', 'unhcr_api']
>>> import io
>>> out = io.BytesIO()
>>> rows_to_csv([{"year": 2024, "oip": "-", "ok": True}], ["year", "oip", "ok"], out)
>>> out.getvalue()
b'year,oip,ok\\n2024,,true\\n'
"""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from refugeestudy.fetch.apis import acled, ucdp, unhcr
from refugeestudy.fetch.apis.base import ApiAnswer, ApiContext
from refugeestudy.fetch.errors import FetchError

__all__ = ["CLIENTS", "ApiAnswer", "ApiContext", "columns_of", "rows_to_csv"]

CLIENTS = {"unhcr_api": unhcr.fetch_rows, "ucdp_api": ucdp.fetch_rows,
           "acled_api": acled.fetch_rows}


def columns_of(rows: list[dict[str, Any]], expected: list[str] | None, drop: tuple[str, ...],
               what: str) -> list[str]:
    """The CSV columns: the registry's ``columns`` first, then any new field, sorted.

    Raises
    ------
    FetchError
        If the API no longer returns a column the registry (and the reader) expects.

    Examples
    --------
    >>> columns_of([{"b": 1, "a": 2, "x_id": 0}], ["a"], ("x_id",), "demo")
    ['a', 'b']
    >>> columns_of([{"b": 1}], ["a"], (), "demo")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: demo: the API no longer returns a; it returned b
    """
    seen: list[str] = []
    for row in rows:
        for key in row:
            if key not in seen and key not in drop:
                seen.append(key)
    if not expected:
        return seen
    if rows:
        missing = [column for column in expected if column not in seen]
        if missing:
            raise FetchError(f"{what}: the API no longer returns {', '.join(missing)}; "
                             f"it returned {', '.join(seen)}",
                             hint="update 'columns' in the registry and the reader together")
    return list(expected) + sorted(column for column in seen if column not in expected)


def _cell(value: Any) -> str:
    if value is None or value == "-":
        return ""  # the API's missing value; the published CSVs leave the cell empty
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


class _Encoder:
    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink

    def write(self, text: str) -> None:
        self.sink.write(text.encode("utf-8"))


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str], sink: IO[bytes]) -> None:
    """Write ``rows`` as UTF-8 CSV (``\\n`` line ends) with ``columns`` to a binary ``sink``."""
    writer = csv.writer(_Encoder(sink), lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
