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

from refugeestudy.fetch.apis.base import ApiAnswer, ApiContext, page_numbers
from refugeestudy.fetch.errors import FetchError, MissingCredentialsError
from refugeestudy.fetch.http import get_json, post_json, url_with
from refugeestudy.fetch.registry import Registry, Source

__all__ = ["fetch_rows"]

_CREDENTIAL_HINT = ("set the ACLED_EMAIL and ACLED_PASSWORD environment variables (OAuth, current "
                    "API) or ACLED_EMAIL and ACLED_KEY (legacy access key); they are read from the "
                    "environment only and never written anywhere")


def _credentials(source: Source, ctx: ApiContext) -> tuple[str, str | None, str | None]:
    """``ACLED_EMAIL``, ``ACLED_PASSWORD`` and ``ACLED_KEY``, each added to the redactor.

    Raises
    ------
    MissingCredentialsError
        Without the e-mail, or without both the password and the key.
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
    return email, password, key


def _access(source: Source, registry: Registry, url: str,
            ctx: ApiContext) -> tuple[str, dict[str, str], dict[str, str]]:
    """The data URL, headers and query parameters of an authenticated request.

    With a password: the current API and a bearer token from the OAuth
    password grant; with a key only: the legacy endpoint, key and e-mail as
    query parameters.
    """
    email, password, key = _credentials(source, ctx)
    if not password:
        legacy = registry.resolve(source.options.get("legacy_url", source.url), ctx.base_urls)
        return legacy, {}, {"key": key, "email": email}
    token_url = registry.resolve(source.options["token_url"], ctx.base_urls)
    answer = post_json(ctx.http, token_url, {"username": email, "password": password,
                                             "grant_type": "password", "client_id": "acled"},
                       ctx.opts, ctx.redact, ctx.deadline)
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise FetchError(f"{source.name}: {token_url} answered without an access_token",
                         hint="check ACLED_EMAIL and ACLED_PASSWORD")
    ctx.redact.add(token)
    return url, {"Authorization": f"Bearer {token}"}, {}


def fetch_rows(source: Source, registry: Registry, url: str, ctx: ApiContext) -> ApiAnswer:
    """Authenticate, then page through the ACLED API for ``source``.

    Examples
    --------
    >>> from refugeestudy.fetch.http import Deadline, Options, Redactor
    >>> from refugeestudy.fetch.registry import load_registry
    >>> registry = load_registry()
    >>> ctx = ApiContext(None, Options(), Redactor(), Deadline(600), {"ACLED_EMAIL": "me@x.org"})
    >>> fetch_rows(registry.sources["acled"], registry, registry.url("acled"), ctx)
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.MissingCredentialsError: acled: ACLED needs an account; ACLED_PASSWORD or ACLED_KEY not set
    """
    url, headers, auth_params = _access(source, registry, url, ctx)
    page_size = int(source.options.get("page_size", 5000))
    params = {**(source.options.get("params") or {}), "_format": "json"}
    rows: list[dict] = []
    for page in page_numbers(source.name, 1, ctx):
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
    return ApiAnswer(rows, [url_with(url, {**params, "limit": page_size})])
