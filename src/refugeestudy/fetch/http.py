"""HTTP for fetch: retries with backoff, per-read timeouts and an overall deadline per download.

Plain files are streamed by :class:`pooch.HTTPDownloader` (requests, with
pooch's progress-bar protocol, here drawn by rich) into a
:class:`~refugeestudy.fetch.install.Sink`; the paged APIs call
:func:`get_json`. Both run under :func:`with_retries`: connection errors,
timeouts, HTTP 408/429/5xx and bodies cut short are tried again after
``backoff * 2**attempt`` seconds; anything else (HTTP 4xx, a redirect loop, an
HTML page where data was expected) fails at once. A :class:`Deadline` bounds
the whole download, all attempts and pages included: a server that drips one
byte at a time never trips a per-read timeout, but it does trip the deadline.

Only :class:`pooch.HTTPDownloader` is used, not ``pooch.retrieve`` or
``pooch.Pooch.fetch``. Measured with pooch 1.9.0 against a local server
(Nov 2026): ``retrieve`` silently downloads again a cached file whose hash no
longer matches (the lock here must refuse it and say so), and a body sent one
byte per 0.5 s took 6.0 s with ``timeout=1`` (no overall deadline); its
temporary file is also neither fsynced nor written through
:mod:`refugeestudy._atomic`, and retries exist only in ``Pooch.fetch``.

Examples
--------
>>> Options().retries, Options().deadline
(3, 1800.0)
>>> Deadline(5).remaining() > 4
True
>>> redact = Redactor(); redact.add("s3cret")
>>> redact("key=s3cret")
'key=***'
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode

from refugeestudy.fetch.errors import FetchError
from refugeestudy.fetch.install import Sink, looks_like_html

__all__ = ["Options", "Deadline", "Redactor", "Retryable", "session", "url_with", "with_retries",
           "check_status", "get_json", "post_json", "download", "RichBar", "USER_AGENT"]

USER_AGENT = "refugeestudy-fetch (research use)"
CHUNK = 1 << 16
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_MAX_REDIRECTS = 10
_NETWORK_HINT = ("check the network or try again later; --retries, --timeout and --deadline "
                 "raise the limits")
T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """Limits of one fetch run.

    Attributes
    ----------
    timeout, connect_timeout : float
        Seconds to wait for the next bytes / for a connection.
    retries : int
        Extra attempts after a transient failure.
    backoff : float
        First wait between attempts in seconds (doubled each time).
    deadline : float
        Seconds one source's download may take in all, attempts and pages included.
    max_pages : int
        Upper bound on pages per API query.
    """

    timeout: float = 60.0
    connect_timeout: float = 15.0
    retries: int = 3
    backoff: float = 1.0
    deadline: float = 1800.0
    max_pages: int = 10_000


class Deadline:
    """The overall time allowed for one download.

    Examples
    --------
    >>> Deadline(0).check("GET http://x/", 10)
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: GET http://x/: stopped at the 0 s deadline of this download (10 bytes received)
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._timers: list[threading.Timer] = []

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.end - time.monotonic()

    def check(self, what: str, received: int | None = None) -> None:
        """Raise :class:`FetchError` if the deadline has passed."""
        if self.remaining() <= 0:
            got = f" ({received} bytes received)" if received is not None else ""
            raise FetchError(f"{what}: stopped at the {self.seconds:g} s deadline of this "
                             f"download{got}",
                             hint="the server is very slow or stalls; try again later, or raise "
                                  "--deadline")

    def timeouts(self, opts: Options) -> tuple[float, float]:
        """(connect, read) timeouts for requests, never beyond the deadline."""
        left = max(0.05, self.remaining())
        return min(opts.connect_timeout, left), min(opts.timeout, left)

    def hooks(self) -> dict[str, Any]:
        """requests hooks that cut a response's connection when the deadline passes.

        A read timeout bounds each wait for bytes, so a server dripping one
        byte at a time never trips it; shutting the socket down ends the read
        (as a cut-off body) and :func:`with_retries` then reports the deadline.
        """
        def arm(response, *args, **kwargs):
            sock = _socket_of(response)
            if sock is not None:
                timer = threading.Timer(max(0.0, self.remaining()), _shutdown, (sock,))
                timer.daemon = True
                timer.start()
                self._timers.append(timer)
            return response

        return {"response": arm}

    def close(self) -> None:
        """Disarm the watchdogs (a pooled connection may serve the next download)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()


def _socket_of(response):
    """The socket a requests response reads from (kept by urllib3, or by http.client's file)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:  # "Connection: close": http.client handed the socket to the response
        reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock


def _shutdown(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: the download ended in time
        pass


class Redactor:
    """Replace secret values (and their URL-encoded forms) with ``***``.

    Examples
    --------
    >>> redact = Redactor()
    >>> redact.add("a@b.org")
    >>> redact("email=a%40b.org or a@b.org")
    'email=*** or ***'
    """

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def add(self, value: str | None) -> None:
        """Remember ``value`` as a secret."""
        if value:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                if form and form not in self.secrets:
                    self.secrets.append(form)
            self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class Retryable(Exception):
    """A transient failure raised by our own checks (e.g. a body that is not complete JSON)."""


def session():
    """A :class:`requests.Session` with the project's User-Agent and a redirect limit.

    Examples
    --------
    >>> http = session()
    >>> http.headers["User-Agent"], http.max_redirects
    ('refugeestudy-fetch (research use)', 10)
    >>> http.close()
    """
    import requests

    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    http.max_redirects = _MAX_REDIRECTS
    return http


def url_with(url: str, params: Mapping[str, Any] | None) -> str:
    """``url`` with ``params`` as its query string (for messages and the lock).

    Examples
    --------
    >>> url_with("https://x.org/a", {"page": 2, "q": "a b"})
    'https://x.org/a?page=2&q=a+b'
    """
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(list(params.items()))}"


def _http_error(status: int, reason: str, body: str) -> FetchError:
    excerpt = " ".join(body.split())[:160]
    if status in (401, 403):
        hint = "credentials missing, expired or not allowed for this data; check them"
    elif status == 404:
        hint = "the file or endpoint is not (or no longer) there; check the registry's URL"
    else:
        hint = "the server refused the request; check the registry's URL and parameters"
    return FetchError(f"HTTP {status} {reason}: {excerpt!r}".rstrip(), hint=hint)


def _classify(exc: BaseException) -> tuple[bool, str, FetchError | None]:
    """(transient?, short description, permanent error to raise) for an exception."""
    import requests

    if isinstance(exc, Retryable):
        return True, str(exc), None
    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        response = exc.response
        if response.status_code in _RETRY_STATUS:
            return True, f"HTTP {response.status_code}", None
        try:
            body = response.text
        except Exception:  # the body itself failed: keep the status
            body = ""
        return False, "", _http_error(response.status_code, response.reason or "", body)
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return False, "", FetchError(
            "redirected too many times (a redirect loop)",
            hint="the server's redirects never end; check the registry's URL in a browser")
    transient = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                 requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    if isinstance(exc, transient):
        return True, f"{type(exc).__name__}: {exc}", None
    if isinstance(exc, requests.exceptions.RequestException):
        return False, "", FetchError(f"{type(exc).__name__}: {exc}",
                                     hint="check the registry's URL")
    raise exc


def with_retries(what: str, attempt: Callable[[], T], opts: Options, redact: Redactor,
                 deadline: Deadline) -> T:
    """Call ``attempt()`` until it succeeds, retrying transient failures with backoff.

    Raises
    ------
    FetchError
        At once for a permanent failure (naming ``what``); after the last
        attempt or at the deadline for transient ones.

    Examples
    --------
    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 2:
    ...         raise Retryable("HTTP 503")
    ...     return "ok"
    >>> with_retries("GET x", flaky, Options(backoff=0), Redactor(), Deadline(5)), len(calls)
    ('ok', 2)
    """
    last = ""
    for number in range(opts.retries + 1):
        deadline.check(what)
        try:
            return attempt()
        except FetchError:
            raise
        except Exception as exc:
            transient, description, error = _classify(exc)
            if not transient:
                raise FetchError(redact(f"{what}: {error}"), hint=error.hint) from None
            deadline.check(what)  # a connection cut at the deadline is reported as such
            last = description
            if number < opts.retries:
                time.sleep(max(0.0, min(opts.backoff * 2 ** number, deadline.remaining())))
    raise FetchError(redact(f"{what}: failed after {opts.retries + 1} attempts (timeout "
                            f"{opts.timeout:g}s); last error: {last}"), hint=_NETWORK_HINT)


def check_status(response) -> None:
    """Raise :class:`requests.HTTPError` for a status of 400 or more (its body read first).

    Examples
    --------
    >>> import requests
    >>> response = requests.Response()
    >>> response.status_code, response._content = 404, b"gone"
    >>> check_status(response)
    Traceback (most recent call last):
    ...
    requests.exceptions.HTTPError: HTTP 404
    """
    if response.status_code >= 400:
        import requests

        _ = response.content  # read the error page now: the response is closed afterwards
        raise requests.exceptions.HTTPError(f"HTTP {response.status_code}", response=response)


def _json_body(what: str, content_type: str, body: bytes) -> Any:
    if "html" in content_type.lower() or looks_like_html(body):
        excerpt = body.lstrip()[:60].decode("utf-8", "replace")
        raise FetchError(f"{what}: answered with an HTML page, not JSON: {excerpt!r}",
                         hint="the API may have moved, need a login or be down for maintenance; "
                              "check the registry's URL and the API documentation")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        # A body cut short also fails to parse: try again.
        raise Retryable(f"the answer is not JSON ({len(body)} bytes)") from None


def get_json(http, url: str, params: Mapping[str, Any], headers: Mapping[str, str],
             opts: Options, redact: Redactor, deadline: Deadline) -> Any:
    """GET ``url`` and parse its JSON answer, with retries and the deadline.

    Raises
    ------
    FetchError
        For an HTTP error, an HTML page, a body that stays invalid JSON, or the deadline.

    Examples
    --------
    >>> get_json(session(), "https://api.unhcr.org/population/v1/countries/", {"limit": 1}, {},
    ...          Options(), Redactor(), Deadline(30))["items"][0]  # network  # doctest: +SKIP
    """
    what = redact(f"GET {url_with(url, params)}")

    def attempt():
        with http.get(url, params=params, headers=headers, stream=True,
                      timeout=deadline.timeouts(opts), hooks=deadline.hooks()) as response:
            check_status(response)
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                deadline.check(what, len(body))
                body += chunk
            return _json_body(what, response.headers.get("Content-Type", ""), bytes(body))

    return with_retries(what, attempt, opts, redact, deadline)


def post_json(http, url: str, data: Mapping[str, str], opts: Options, redact: Redactor,
              deadline: Deadline) -> Any:
    """POST a form to ``url`` and parse its JSON answer, with retries and the deadline.

    Examples
    --------
    >>> post_json(session(), "https://acleddata.com/oauth/token", {"grant_type": "password"},
    ...           Options(), Redactor(), Deadline(30))  # network  # doctest: +SKIP
    """
    what = f"POST {url}"

    def attempt():
        response = http.post(url, data=dict(data), timeout=deadline.timeouts(opts),
                             hooks=deadline.hooks())
        check_status(response)
        return _json_body(what, response.headers.get("Content-Type", ""), response.content)

    return with_retries(what, attempt, opts, redact, deadline)


class RichBar:
    """pooch's progress-bar protocol (``total``, ``update``, ``reset``, ``close``) on a rich task.

    Examples
    --------
    >>> import io
    >>> from rich.console import Console
    >>> from rich.progress import Progress
    >>> progress = Progress(console=Console(file=io.StringIO()))
    >>> bar = RichBar(progress, progress.add_task("demo"))
    >>> bar.total = 10
    >>> bar.update(4)
    >>> bar.total, progress.tasks[0].completed
    (10, 4)
    """

    def __init__(self, progress, task) -> None:
        self.progress, self.task = progress, task

    @property
    def total(self):
        return self.progress.tasks[self.task].total

    @total.setter
    def total(self, value) -> None:
        self.progress.update(self.task, total=value or None)

    def update(self, n: int) -> None:
        self.progress.advance(self.task, n)

    def reset(self) -> None:
        self.progress.update(self.task, completed=0)

    def close(self) -> None:
        """Nothing to close: the rich display belongs to the caller."""


def download(url: str, sink: Sink, opts: Options, deadline: Deadline, bar: RichBar | None = None
             ) -> None:
    """Stream ``url`` into ``sink`` with :class:`pooch.HTTPDownloader` (one attempt).

    A body shorter than its Content-Length raises (urllib3 enforces the
    length), so a cut-off file is retried by :func:`with_retries` and never
    reaches the cache.

    Examples
    --------
    >>> import io
    >>> sink = Sink(io.BytesIO(), "GET")
    >>> download("https://ucdp.uu.se/downloads/ged/ged261-csv.zip", sink, Options(),
    ...          Deadline(600))  # network  # doctest: +SKIP
    """
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=bar if bar is not None else False,
                                      chunk_size=CHUNK, timeout=deadline.timeouts(opts),
                                      headers={"User-Agent": USER_AGENT}, hooks=deadline.hooks())
    downloader(url, sink, None)
