"""UCDP API client: ``pagesize``/``page`` (0-based) paging until ``TotalPages``.

Since February 2026 the API needs a token in the ``x-ucdp-access-token``
header, read from the environment variable named by ``token_env`` (default
``UCDP_API_TOKEN``); it is never written anywhere.

Examples
--------
>>> from refugeestudy.fetch.registry import load_registry
>>> load_registry().sources["ucdp_ged_syria"].options["token_env"]
'UCDP_API_TOKEN'
"""

from __future__ import annotations

from refugeestudy.fetch.apis.base import ApiAnswer, ApiContext, page_numbers
from refugeestudy.fetch.errors import FetchError, MissingCredentialsError
from refugeestudy.fetch.http import get_json, url_with
from refugeestudy.fetch.registry import Registry, Source

__all__ = ["fetch_rows"]


def fetch_rows(source: Source, registry: Registry, url: str, ctx: ApiContext) -> ApiAnswer:
    """Page through the UCDP API for ``source`` and return its rows.

    Examples
    --------
    >>> from refugeestudy.fetch.registry import load_registry
    >>> registry = load_registry()
    >>> no_token = ApiContext(http=None, opts=None, redact=None, deadline=None, environ={})
    >>> fetch_rows(registry.sources["ucdp_ged_syria"], registry, "https://ucdp.uu.se/", no_token)
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.MissingCredentialsError: ucdp_ged_syria: the UCDP API needs an access token (since February 2026); UCDP_API_TOKEN is not set
    """
    token_env = source.options.get("token_env", "UCDP_API_TOKEN")
    token = ctx.environ.get(token_env)
    if not token:
        raise MissingCredentialsError(
            f"{source.name}: the UCDP API needs an access token (since February 2026); "
            f"{token_env} is not set",
            hint=f"set the environment variable {token_env} (request a token as described at "
                 "https://ucdp.uu.se/apidocs/), or fetch ucdp_ged (the CSV download needs none)")
    ctx.redact.add(token)
    headers = {"x-ucdp-access-token": token}
    page_size = int(source.options.get("page_size", 1000))
    params = dict(source.options.get("params") or {})
    rows: list[dict] = []
    for page in page_numbers(source.name, 0, ctx):
        payload = get_json(ctx.http, url, {**params, "pagesize": page_size, "page": page},
                           headers, ctx.opts, ctx.redact, ctx.deadline)
        result = payload.get("Result") if isinstance(payload, dict) else None
        if not isinstance(result, list):
            raise FetchError(f"{source.name}: unexpected answer from {url}: no 'Result' list",
                             hint="the API may have changed; see https://ucdp.uu.se/apidocs/")
        rows.extend(result)
        total_pages = int(payload.get("TotalPages") or 0)
        ctx.show(page + 1, total_pages or None)
        if not result or page + 1 >= total_pages:
            break
    return ApiAnswer(rows, [url_with(url, {**params, "pagesize": page_size})])
