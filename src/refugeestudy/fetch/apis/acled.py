"""ACLED API client: ``limit``/``page`` paging until a short page.

Authentication, from environment variables only (never written anywhere,
redacted from every message): OAuth password grant with ``ACLED_EMAIL`` and
``ACLED_PASSWORD`` (current API), or the legacy ``ACLED_KEY`` with
``ACLED_EMAIL`` sent as query parameters to the legacy endpoint.

Examples
--------
>>> "ACLED_KEY" in _CREDENTIAL_HINT and "never written" in _CREDENTIAL_HINT
True
"""

from __future__ import annotations

from refugeestudy.fetch.apis.base import ApiAnswer, ApiContext
from refugeestudy.fetch.errors import FetchError, MissingCredentialsError
from refugeestudy.fetch.http import get_json, post_json, url_with
from refugeestudy.fetch.registry import Registry, Source

__all__ = ["fetch_rows"]

_CREDENTIAL_HINT = ("set the ACLED_EMAIL and ACLED_PASSWORD environment variables (OAuth, current "
                    "API) or ACLED_EMAIL and ACLED_KEY (legacy access key); they are read from the "
                    "environment only and never written anywhere")


def fetch_rows(source: Source, registry: Registry, url: str, ctx: ApiContext) -> ApiAnswer:
    """Authenticate, then page through the ACLED API for ``source``.

    Examples
    --------
    >>> from refugeestudy.fetch.http import Deadline, Options, Redactor, session
    >>> from refugeestudy.fetch.registry import load_registry
    >>> registry = load_registry()
    >>> source = [s for s in registry.sources.values() if s.kind == "acled_api"][0]
    >>> ctx = ApiContext(session(), Options(), Redactor(), Deadline(600), {})
    >>> fetch_rows(source, registry, registry.url(source.name), ctx)  # network  # doctest: +SKIP
    ApiAnswer(rows=[...], ...)
    """
    email = ctx.environ.get("ACLED_EMAIL")
    password = ctx.environ.get("ACLED_PASSWORD")
    key = ctx.environ.get("ACLED_KEY")
    for secret in (email, password, key):
        ctx.redact.add(secret)
    if not email or not (password or key):
        missing = [name for name, value in (("ACLED_EMAIL", email),
                                            ("ACLED_PASSWORD or ACLED_KEY", password or key))
                   if not value]
        raise MissingCredentialsError(f"{source.name}: ACLED needs an account; "
                                      f"{' and '.join(missing)} not set", hint=_CREDENTIAL_HINT)
    headers: dict[str, str] = {}
    auth_params: dict[str, str] = {}
    if password:
        token_url = registry.resolve(source.options["token_url"], ctx.base_urls)
        answer = post_json(ctx.http, token_url, {"username": email, "password": password,
                                                 "grant_type": "password", "client_id": "acled"},
                           ctx.opts, ctx.redact, ctx.deadline)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise FetchError(f"{source.name}: {token_url} answered without an access_token",
                             hint="check ACLED_EMAIL and ACLED_PASSWORD")
        ctx.redact.add(token)
        headers["Authorization"] = f"Bearer {token}"
    else:
        url = registry.resolve(source.options.get("legacy_url", source.url), ctx.base_urls)
        auth_params = {"key": key, "email": email}
    page_size = int(source.options.get("page_size", 5000))
    params = {**(source.options.get("params") or {}), "_format": "json"}
    rows: list[dict] = []
    page = 1
    while True:
        if page > ctx.opts.max_pages:
            raise FetchError(f"{source.name}: more than {ctx.opts.max_pages} pages; stopped",
                             hint="raise max_pages if the data really is that large")
        payload = get_json(ctx.http, url, {**params, **auth_params, "limit": page_size,
                                           "page": page}, headers, ctx.opts, ctx.redact,
                           ctx.deadline)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            status = payload.get("status") if isinstance(payload, dict) else "?"
            raise FetchError(ctx.redact(f"{source.name}: unexpected answer from {url}: no 'data' "
                                        f"list (status {status})"),
                             hint="the API may have changed; see "
                                  "https://acleddata.com/api-documentation/getting-started")
        rows.extend(data)
        ctx.show(page)
        if len(data) < page_size:
            break
        page += 1
    return ApiAnswer(rows, [url_with(url, {**params, "limit": page_size})])
