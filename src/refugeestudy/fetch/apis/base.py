"""The one small interface of the paged API clients.

A client is a function ``fetch_rows(source, registry, url, ctx) -> ApiAnswer``:
it pages through one API for one registry source and returns the rows (dicts
keyed by the API's field names), the query URLs to record in the lock (no
secrets), the fields to leave out of the CSV and extra lock fields.
:func:`refugeestudy.fetch.apis.rows_to_csv` then writes the rows as CSV.
Every client counts its pages with :func:`page_numbers`, which stops a
runaway API at ``max_pages``.

Examples
--------
>>> ApiAnswer(rows=[{"a": 1}], urls=["https://x.org/?page=1"]).drop
()
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from refugeestudy.fetch.errors import FetchError
from refugeestudy.fetch.http import Deadline, Options, Redactor

__all__ = ["ApiAnswer", "ApiContext", "page_numbers"]


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


def page_numbers(name: str, first: int, ctx: ApiContext, where: str = "") -> Iterator[int]:
    """Page numbers from ``first`` on (APIs count from 0 or 1), at most ``ctx.opts.max_pages``.

    The client stops iterating after its last page; asking for one more page
    than ``max_pages`` allows is an error naming the source (and ``where``).

    Raises
    ------
    FetchError
        On the page after the ``max_pages``-th.

    Examples
    --------
    >>> ctx = ApiContext(None, Options(max_pages=3), None, None, {})
    >>> pages = page_numbers("demo", 1, ctx)
    >>> next(pages), next(pages), next(pages)
    (1, 2, 3)
    >>> list(page_numbers("demo", 0, ctx))  # an API that never says it is done
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: demo: more than 3 pages; stopped
    """
    for count, page in enumerate(itertools.count(first), start=1):
        if count > ctx.opts.max_pages:
            raise FetchError(f"{name}: more than {ctx.opts.max_pages} pages{where}; stopped",
                             hint="raise max_pages if the data really is that large")
        yield page
