"""UNHCR population API client: ``limit``/``page`` paging until ``maxPages``.

Every query of the registry entry (or of the ``unhcr_api`` defaults) is run
and the items are merged; a row answering two queries (e.g. SYR -> RUS) is
kept once and counted in the lock as ``duplicates_across_queries``.
``coo_id``/``coa_id`` are dropped, as UNHCR's R package does.

Examples
--------
>>> _year_params(1951, 2026)
{'yearFrom': 1951, 'yearTo': 2026}
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from typing import Any

from refugeestudy.fetch.apis.base import ApiAnswer, ApiContext, page_numbers
from refugeestudy.fetch.errors import FetchError
from refugeestudy.fetch.http import get_json, url_with
from refugeestudy.fetch.registry import Registry, Source

__all__ = ["fetch_rows"]

_API_HINT = "the API may have changed; compare its documentation with the registry entry"


def _year_params(year_from, year_to: int) -> dict[str, int]:
    return {} if year_from is None else {"yearFrom": int(year_from), "yearTo": year_to}


def _pages(name: str, url: str, params: dict[str, Any], page_size: int,
           ctx: ApiContext) -> Iterator[list[dict[str, Any]]]:
    """The items of each page of one query, until ``maxPages`` (or, without it, a short page).

    Raises
    ------
    FetchError
        If a page has no ``items`` list or an item is not a mapping.
    """
    for page in page_numbers(name, 1, ctx, f" from {url}"):
        payload = get_json(ctx.http, url, {**params, "limit": page_size, "page": page}, {},
                           ctx.opts, ctx.redact, ctx.deadline)
        items = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise FetchError(f"{name}: unexpected answer from {url} page {page}: no "
                             "'items' list", hint=_API_HINT)
        for item in items:
            if not isinstance(item, dict):
                raise FetchError(f"{name}: unexpected item on page {page} of {url}: "
                                 f"{str(item)[:60]!r}", hint=_API_HINT)
        yield items
        max_pages = payload.get("maxPages")
        ctx.show(page, None if max_pages is None else int(max_pages))
        if not items:
            break
        if max_pages is not None:
            if page >= int(max_pages):
                break
        elif len(items) < page_size:
            break


def fetch_rows(source: Source, registry: Registry, url: str, ctx: ApiContext) -> ApiAnswer:
    """Page through every query of ``source`` and return the merged rows.

    Examples
    --------
    >>> from refugeestudy.fetch.http import Deadline, Options, Redactor, session
    >>> from refugeestudy.fetch.registry import load_registry
    >>> registry = load_registry()
    >>> source = [s for s in registry.sources.values() if s.kind == "unhcr_api"][0]
    >>> ctx = ApiContext(session(), Options(), Redactor(), Deadline(600), {})
    >>> fetch_rows(source, registry, registry.url(source.name), ctx)  # network  # doctest: +SKIP
    ApiAnswer(rows=[...], ...)
    """
    page_size = int(registry.option(source, "page_size", 1000))
    year_from = registry.option(source, "year_from", 1951)
    queries = registry.option(source, "queries", [{}]) or [{}]
    extra = dict(source.options.get("params") or {})
    rows: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    urls: list[str] = []
    duplicates = 0
    for query in queries:
        params: dict[str, Any] = {**_year_params(year_from, _dt.date.today().year), **extra,
                                  **query}
        urls.append(url_with(url, {**params, "limit": page_size}))
        for items in _pages(source.name, url, params, page_size, ctx):
            for item in items:
                key = tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in item.items()))
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                rows.append(item)
    return ApiAnswer(rows, urls, ("coo_id", "coa_id"), {"duplicates_across_queries": duplicates})
