"""The one small interface of the paged API clients.

A client is a function ``fetch_rows(source, registry, url, ctx) -> ApiAnswer``:
it pages through one API for one registry source and returns the rows (dicts
keyed by the API's field names), the query URLs to record in the lock (no
secrets), the fields to leave out of the CSV and extra lock fields.
:func:`refugeestudy.fetch.apis.rows_to_csv` then writes the rows as CSV.

Examples
--------
>>> ApiAnswer(rows=[{"a": 1}], urls=["https://x.org/?page=1"]).drop
()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from refugeestudy.fetch.http import Deadline, Options, Redactor

__all__ = ["ApiAnswer", "ApiContext"]


@dataclass
class ApiAnswer:
    """What a client got: rows, the URLs asked, fields to drop, extra lock fields."""

    rows: list[dict[str, Any]]
    urls: list[str]
    drop: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ApiContext:
    """Everything a client needs besides the source: HTTP session, limits, secrets, progress."""

    http: Any
    opts: Options
    redact: Redactor
    deadline: Deadline
    environ: Mapping[str, str]
    base_urls: Mapping[str, str] | None = None
    progress: Any = None
    task: Any = None

    def show(self, page: int, total: int | None = None) -> None:
        """Report progress in pages (nothing without a progress display).

        Examples
        --------
        >>> ApiContext(None, None, None, None, {}).show(3, 10)
        """
        if self.progress is not None:
            self.progress.update(self.task, total=total, completed=page)
