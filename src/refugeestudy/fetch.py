"""Fetch external sources into a local cache, with checksums, licences and citations.

The registry (``data/raw/fetch_registry.yml``) says where each source's
official copy lives, how to fetch it, its licence and citation, and which file
of a local mirror stands in for it. :func:`fetch` downloads (or copies from a
mirror) into a cache folder (default ``data/external/``, not committed) and
records what it got in a lock file (``data/raw/fetch.lock.json``): the file,
its SHA-256 and size, the URL or mirror file actually used, the licence,
citation and retrieval date. :func:`cached_path` checks that checksum on every
later use.

Nothing partial is ever left where a complete file is expected: each file is
written to a temporary file in the same folder, checked (length, checksum,
zip integrity), fsynced and only then renamed over the target.

Credentials (ACLED, the UCDP API token) come from environment variables only;
they are never written to the cache, the lock, a log or an error message.

Official endpoints (checked with public documentation and code, Nov 2026):

* UCDP GED global CSV: https://ucdp.uu.se/downloads/ ; files follow
  ``https://ucdp.uu.se/downloads/ged/ged{MAJOR}{MINOR}-csv.zip`` (26.1 is the
  newest release cited publicly).
* UCDP API: https://ucdp.uu.se/apidocs/ ; needs a token in the
  ``x-ucdp-access-token`` header since February 2026 (env ``UCDP_API_TOKEN``).
* UNHCR population API: https://api.unhcr.org/docs/refugee-statistics.html ;
  ``https://api.unhcr.org/population/v1/<dataset>/`` with ``limit``/``page``
  and ``maxPages`` in the answer (as UNHCR's R package ``refugees`` pages it).
  ``flows`` is not an API dataset (UNHCR publishes an Excel workbook).
* ACLED: https://acleddata.com/api-documentation/getting-started ; OAuth
  password grant at ``https://acleddata.com/oauth/token``, data at
  ``https://acleddata.com/api/acled/read``.

Examples
--------
>>> registry = load_registry()
>>> {"acled", "ucdp_ged", "ucdp_ged_syria"} <= set(registry.sources)
True
>>> registry.sources["ucdp_ged"].mirror["path"]
'ucdp/ged191_syria_2016_2019.csv'
>>> expand_sources(["unhcr"], registry, mirror=True)[:2]
['unhcr_population', 'unhcr_asylum_applications']
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError
import contextlib
import csv
import datetime as _dt
import json
import os
import shutil
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from refugeestudy import paths
from refugeestudy._atomic import atomic_write_text, fsync_dir, temp_path_for
from refugeestudy._hashing import sha256_file

__all__ = [
    "REGISTRY_NAME",
    "LOCK_NAME",
    "FetchError",
    "ChecksumError",
    "MissingCredentialsError",
    "Source",
    "Registry",
    "FetchResult",
    "load_registry",
    "expand_sources",
    "default_cache_dir",
    "default_lock_path",
    "read_lock",
    "cached_path",
    "verify",
    "fetch",
]

REGISTRY_NAME = "fetch_registry.yml"
LOCK_NAME = "fetch.lock.json"
LOCK_VERSION = 1
_CHUNK = 1 << 16
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_USER_AGENT = "refugeestudy-fetch (+https://github.com/; research use)"


# --------------------------------------------------------------------------- errors


class FetchError(RefugeestudyError, RuntimeError):
    """A source could not be fetched, or the cache does not hold what the lock says.

    Examples
    --------
    >>> raise FetchError("unhcr_population: HTTP 404 from https://example.org/")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unhcr_population: HTTP 404 from https://example.org/
    """


class ChecksumError(FetchError):
    """A cached or downloaded file's SHA-256 differs from the one expected.

    Examples
    --------
    >>> issubclass(ChecksumError, FetchError)
    True
    """


class MissingCredentialsError(FetchError):
    """A source needs credentials that are not set in the environment.

    Examples
    --------
    >>> issubclass(MissingCredentialsError, FetchError)
    True
    """


class _Retryable(Exception):
    """A transient failure (server error, timeout, truncated body): try again."""


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Source:
    """One registry entry: where a source lives and how to fetch it.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"unhcr_population"``.
    kind : str
        ``file``, ``unhcr_api``, ``ucdp_api``, ``acled_api`` or ``mirror_only``.
    url : str
        URL template (``{base:NAME}`` placeholders resolved by :meth:`Registry.url`).
    filename : str
        Name of the file in ``<cache>/<name>/``.
    licence, citation : str
        What the lock records and a report must show.
    table : str or None
        The canonical table built from it (``violence_events``,
        ``displacement_counts``) or ``None`` for a lookup.
    mirror : dict or None
        ``path`` (relative to the mirror folder) and optionally ``version`` and
        ``note`` when the mirror file differs from the official release.
    options : dict
        Everything else in the entry (``params``, ``columns``, ``queries``, ...).

    Examples
    --------
    >>> source = load_registry().sources["unhcr_population"]
    >>> source.kind, source.filename, source.options["dataset"]
    ('unhcr_api', 'population.csv', 'population')
    """

    name: str
    kind: str
    title: str
    url: str
    filename: str
    licence: str
    citation: str
    table: str | None = None
    version: str | None = None
    docs: str | None = None
    note: str | None = None
    mirror: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_credentials(self) -> tuple[str, ...]:
        """Environment variables this source reads, if any.

        Examples
        --------
        >>> load_registry().sources["acled"].needs_credentials
        ('ACLED_EMAIL', 'ACLED_PASSWORD', 'ACLED_KEY')
        """
        if self.kind == "acled_api":
            return ("ACLED_EMAIL", "ACLED_PASSWORD", "ACLED_KEY")
        if self.kind == "ucdp_api":
            return (self.options.get("token_env", "UCDP_API_TOKEN"),)
        return ()


_KINDS = ("file", "unhcr_api", "ucdp_api", "acled_api", "mirror_only")
_ENTRY_FIELDS = ("kind", "title", "url", "filename", "licence", "citation", "table", "version",
                 "docs", "note", "mirror")


@dataclass(frozen=True)
class Registry:
    """The parsed registry: base URLs, per-kind defaults and the sources.

    Examples
    --------
    >>> registry = load_registry()
    >>> registry.url("unhcr_population")
    'https://api.unhcr.org/population/v1/population/'
    >>> registry.url("unhcr_population", {"unhcr_api": "http://127.0.0.1:8000/"})
    'http://127.0.0.1:8000/population/'
    """

    path: Path | None
    bases: dict[str, str]
    sources: dict[str, Source]
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    def resolve(self, template: str, base_urls: Mapping[str, str] | None = None) -> str:
        """Replace ``{base:NAME}`` in ``template`` with the (possibly overridden) base URL."""
        bases = {**self.bases, **(base_urls or {})}
        out = template
        while "{base:" in out:
            start = out.index("{base:")
            end = out.index("}", start)
            name = out[start + 6:end]
            if name not in bases:
                raise FetchError(f"registry: unknown base {name!r} in {template!r}; "
                                 f"known bases: {', '.join(sorted(bases))}")
            base = bases[name]
            if not base.endswith("/"):
                base += "/"
            out = out[:start] + base + out[end + 1:]
        return out

    def url(self, name: str, base_urls: Mapping[str, str] | None = None) -> str:
        """Return the resolved URL of source ``name``."""
        return self.resolve(self.sources[name].url, base_urls)

    def option(self, source: Source, key: str, default: Any = None) -> Any:
        """Return ``key`` from the entry, else from the registry's defaults for its kind."""
        if key in source.options:
            return source.options[key]
        return self.defaults.get(source.kind, {}).get(key, default)


def _default_registry_path() -> Path:
    candidates = []
    with contextlib.suppress(FileNotFoundError):
        candidates.append(paths.raw_dir() / REGISTRY_NAME)
    # The checkout this package was installed from (editable install).
    candidates.append(Path(__file__).resolve().parents[2] / "data" / "raw" / REGISTRY_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FetchError(f"no {REGISTRY_NAME} found (looked in {', '.join(map(str, candidates))})")


def load_registry(path: str | Path | Mapping | None = None) -> Registry:
    """Read and check the download registry.

    Parameters
    ----------
    path : str, Path or mapping, optional
        The YAML file (default: ``data/raw/fetch_registry.yml`` of the project,
        else of the checkout the package was installed from), or an already
        parsed mapping.

    Returns
    -------
    Registry

    Raises
    ------
    FetchError
        If an entry lacks a required field or names an unknown kind.

    Examples
    --------
    >>> registry = load_registry()
    >>> registry.sources["ucdp_ged"].licence.startswith("CC BY 4.0")
    True
    >>> load_registry({"sources": {"x": {"kind": "ftp"}}})
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: registry: source 'x': unknown kind 'ftp' (expected one of file, unhcr_api, ucdp_api, acled_api, mirror_only); missing url, filename, licence, citation
    """
    if isinstance(path, Mapping):
        data, where = dict(path), None
    else:
        import yaml

        where = Path(path) if path is not None else _default_registry_path()
        try:
            data = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise FetchError(f"registry {where} not found") from None
        except yaml.YAMLError as exc:
            raise FetchError(f"registry {where} is not valid YAML: {exc}") from None
    sources: dict[str, Source] = {}
    for name, entry in (data.get("sources") or {}).items():
        entry = dict(entry or {})
        problems = []
        kind = entry.get("kind")
        if kind not in _KINDS:
            problems.append(f"unknown kind {kind!r} (expected one of {', '.join(_KINDS)})")
        missing = [key for key in ("url", "filename", "licence", "citation") if not entry.get(key)]
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if problems:
            raise FetchError(f"registry: source {name!r}: {'; '.join(problems)}")
        known = {key: entry.pop(key) for key in _ENTRY_FIELDS if key in entry}
        known.setdefault("title", name)
        if known.get("version") is not None:
            known["version"] = str(known["version"])
        for key in ("licence", "citation", "note"):
            if isinstance(known.get(key), str):
                known[key] = " ".join(known[key].split())
        sources[name] = Source(name=name, options=entry, **known)
    bases = {key: str(value) for key, value in (data.get("bases") or {}).items()}
    defaults = {kind: dict(data[kind]) for kind in _KINDS if isinstance(data.get(kind), Mapping)}
    return Registry(path=where, bases=bases, sources=sources, defaults=defaults)


def expand_sources(names: Iterable[str], registry: Registry, mirror: bool = False) -> list[str]:
    """Turn the names given on the command line into registry keys.

    ``all`` means every source the chosen mode can provide (with ``mirror``:
    those with a mirror file; without: those with an official endpoint); a
    prefix such as ``unhcr`` or ``ucdp`` means every ``unhcr_*`` / ``ucdp_*``
    source the mode can provide. Order follows the registry, without repeats.

    Raises
    ------
    FetchError
        Naming an unknown source and listing the known ones.

    Examples
    --------
    >>> registry = load_registry()
    >>> expand_sources(["ucdp_ged", "unhcr_population", "ucdp_ged"], registry)
    ['ucdp_ged', 'unhcr_population']
    >>> "unhcr_flows" in expand_sources(["all"], registry, mirror=False)
    False
    >>> expand_sources(["nope"], registry)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unknown source 'nope'; known: acled, ..., ucdp_ged, ... (or all, acled, ...)
    """

    def available(source: Source) -> bool:
        return bool(source.mirror) if mirror else source.kind != "mirror_only"

    groups = sorted({name.split("_")[0] for name in registry.sources})
    chosen: list[str] = []
    for name in names:
        if name in registry.sources:
            matches = [name]
        elif name == "all":
            matches = [key for key, source in registry.sources.items() if available(source)]
        elif name in groups:
            matches = [key for key, source in registry.sources.items()
                       if key.split("_")[0] == name and available(source)]
        else:
            raise FetchError(f"unknown source {name!r}; known: {', '.join(sorted(registry.sources))} "
                             f"(or all, {', '.join(groups)})")
        chosen.extend(match for match in matches if match not in chosen)
    return chosen


# --------------------------------------------------------------------------- lock and cache


def default_cache_dir() -> Path:
    """Return the cache folder: ``$REFUGEESTUDY_CACHE_DIR`` or ``<root>/data/external``.

    Examples
    --------
    >>> import os
    >>> default_cache_dir() == (Path(os.environ["REFUGEESTUDY_CACHE_DIR"]).resolve()
    ...     if os.environ.get("REFUGEESTUDY_CACHE_DIR") else paths.project_root() / "data" / "external")
    True
    """
    configured = os.environ.get("REFUGEESTUDY_CACHE_DIR")
    if configured:
        return Path(configured).resolve()
    return paths.project_root() / "data" / "external"


def default_lock_path() -> Path:
    """Return the lock file, ``<root>/data/raw/fetch.lock.json``.

    Examples
    --------
    >>> default_lock_path().name
    'fetch.lock.json'
    """
    return paths.raw_dir() / LOCK_NAME


def read_lock(lock_path: str | Path | None = None) -> dict[str, Any]:
    """Read the lock file; a missing file is an empty lock.

    Returns
    -------
    dict
        ``{"lock_version": 1, "sources": {name: entry}}``.

    Raises
    ------
    FetchError
        If the file is not valid JSON or not a lock.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> read_lock(pathlib.Path(tempfile.mkdtemp()) / "none.json")
    {'lock_version': 1, 'sources': {}}
    """
    path = Path(lock_path) if lock_path is not None else default_lock_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"lock_version": LOCK_VERSION, "sources": {}}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FetchError(f"{path}: not a valid lock file ({exc}); restore it from version "
                         "control or delete it and fetch again") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise FetchError(f"{path}: not a lock file (expected an object with 'sources')")
    return data


def _write_lock(lock: dict[str, Any], lock_path: Path) -> None:
    """Write the lock deterministically: sorted keys, 2-space indent, final newline."""
    lock = {"lock_version": LOCK_VERSION, "sources": lock.get("sources", {})}
    text = json.dumps(lock, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(lock_path, text)


def _refetch_hint(name: str, entry: Mapping[str, Any]) -> str:
    mirror = " --mirror DIR" if entry.get("method") == "mirror" else ""
    return (f"restore the original file, or run `refugeestudy fetch {name}{mirror} --force` to "
            "replace it and record the new checksum")


def cached_path(source: str, *, cache_dir: str | Path | None = None,
                lock_path: str | Path | None = None) -> Path:
    """Return the cached file of ``source`` after checking its SHA-256 against the lock.

    Parameters
    ----------
    source : str
        Registry key, e.g. ``"unhcr_population"``.
    cache_dir, lock_path : str or Path, optional
        Default to :func:`default_cache_dir` and :func:`default_lock_path`.

    Returns
    -------
    Path

    Raises
    ------
    FetchError
        If the lock has no entry for ``source`` or the file is missing.
    ChecksumError
        If the file's SHA-256 differs from the lock's: says both values, when
        and from where the file was fetched, and how to repair.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> cached_path("unhcr_population", cache_dir=tempfile.mkdtemp(),
    ...             lock_path=pathlib.Path(tempfile.mkdtemp()) / "fetch.lock.json")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unhcr_population: not fetched yet (no entry in ...fetch.lock.json); run `refugeestudy fetch unhcr_population` (or with --mirror DIR)
    """
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = read_lock(lock_file)["sources"].get(source)
    if entry is None:
        raise FetchError(f"{source}: not fetched yet (no entry in {lock_file}); run "
                         f"`refugeestudy fetch {source}` (or with --mirror DIR)")
    path = cache / entry["file"]
    if not path.is_file():
        raise FetchError(f"{path}: missing from the cache although {lock_file} records it "
                         f"(fetched {entry.get('retrieved')} from {entry.get('url')}); run "
                         f"`refugeestudy fetch {source}`"
                         f"{' --mirror DIR' if entry.get('method') == 'mirror' else ''}")
    found = sha256_file(path)
    if found != entry["sha256"]:
        raise ChecksumError(
            f"{path}: SHA-256 mismatch: expected {entry['sha256']} (recorded in {lock_file}, "
            f"fetched {entry.get('retrieved')} from {entry.get('url')}), found {found}. The file "
            f"changed after it was fetched (edited, truncated or replaced); "
            f"{_refetch_hint(source, entry)}"
        )
    return path


def verify(sources: Iterable[str] | None = None, *, cache_dir: str | Path | None = None,
           lock_path: str | Path | None = None) -> dict[str, Path]:
    """Check every locked (or every named) source's cached file against the lock.

    Returns
    -------
    dict
        Source name → verified path.

    Raises
    ------
    FetchError, ChecksumError
        On the first missing or changed file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> verify(cache_dir=tempfile.mkdtemp(), lock_path=pathlib.Path(tempfile.mkdtemp()) / "l.json")
    {}
    """
    lock = read_lock(lock_path)
    names = list(sources) if sources is not None else sorted(lock["sources"])
    return {name: cached_path(name, cache_dir=cache_dir, lock_path=lock_path) for name in names}


# --------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did for one source.

    Attributes
    ----------
    source : str
    status : str
        ``fetched``, ``unchanged`` (cached file verified, nothing fetched) or
        ``skipped`` (``all`` was asked and the credentials are not set).
    path : Path or None
    sha256 : str or None
    message : str
    """

    source: str
    status: str
    path: Path | None = None
    sha256: str | None = None
    message: str = ""


@dataclass
class _Options:
    timeout: float
    connect_timeout: float
    retries: int
    backoff: float
    max_pages: int


class _Redactor:
    """Replace secret values (and their URL-encoded forms) with ``***``."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def add(self, value: str | None) -> None:
        if value:
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                if form and form not in self.secrets:
                    self.secrets.append(form)
            self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def _url_with(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(list(params.items()))}"


def _session():
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = _USER_AGENT
    return session


def _transient_errors() -> tuple[type[BaseException], ...]:
    import requests

    return (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
            _Retryable)


def _with_retries(what: str, attempt_fn, opts: _Options, redact: _Redactor):
    """Call ``attempt_fn()`` until it succeeds, retrying transient failures with backoff."""
    transient = _transient_errors()
    last = ""
    for attempt in range(opts.retries + 1):
        try:
            return attempt_fn()
        except transient as exc:
            last = f"{type(exc).__name__}: {exc}"
            if attempt < opts.retries:
                time.sleep(opts.backoff * (2 ** attempt))
    raise FetchError(redact(f"{what}: failed after {opts.retries + 1} attempts "
                            f"(timeout {opts.timeout:g}s); last error: {last}. Check the network "
                            "or try again later; --retries and --timeout raise the limits"))


def _check_status(response, what: str, redact: _Redactor) -> None:
    if response.status_code in _RETRY_STATUS:
        raise _Retryable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        body = response.text[:200].strip()
        hint = ""
        if response.status_code in (401, 403):
            hint = " (credentials missing, expired or not allowed for this data)"
        raise FetchError(redact(f"{what}: HTTP {response.status_code}{hint}: {body!r}"))


def _get_json(session, url: str, params: Mapping[str, Any], headers: Mapping[str, str],
              opts: _Options, redact: _Redactor) -> Any:
    what = f"GET {_url_with(url, params)}"

    def attempt():
        response = session.get(url, params=params, headers=headers,
                               timeout=(opts.connect_timeout, opts.timeout))
        _check_status(response, what, redact)
        try:
            return response.json()
        except ValueError:
            # A body cut short also fails to parse: treat as transient.
            raise _Retryable(f"the answer is not JSON ({len(response.content)} bytes)") from None

    return _with_retries(redact(what), attempt, opts, redact)


def _download(session, url: str, target: Path, opts: _Options, redact: _Redactor,
              progress, task) -> Path:
    """Stream ``url`` into a temporary file next to ``target``; return the temporary path.

    The body length is checked against Content-Length; a short body is retried
    and never reaches ``target``.
    """
    what = f"GET {url}"

    def attempt() -> Path:
        tmp = temp_path_for(target)
        try:
            with session.get(url, stream=True, timeout=(opts.connect_timeout, opts.timeout)) as r:
                _check_status(r, what, redact)
                declared = r.headers.get("Content-Length")
                encoded = r.headers.get("Content-Encoding", "identity") not in ("", "identity")
                expected = int(declared) if declared and declared.isdigit() and not encoded else None
                if progress is not None:
                    progress.update(task, total=expected, completed=0)
                received = 0
                with open(tmp, "wb") as handle:
                    for chunk in r.iter_content(_CHUNK):
                        handle.write(chunk)
                        received += len(chunk)
                        if progress is not None:
                            progress.update(task, advance=len(chunk))
                    handle.flush()
                    os.fsync(handle.fileno())
            if expected is not None and received != expected:
                raise _Retryable(f"truncated download: received {received} of {expected} bytes")
            return tmp
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    return _with_retries(redact(what), attempt, opts, redact)


def _write_csv(rows: list[dict[str, Any]], columns: list[str], target: Path) -> Path:
    """Write ``rows`` as CSV to a temporary file next to ``target`` and return it."""

    def cell(value: Any) -> str:
        if value is None or value == "-":
            return ""  # the API's missing value; the published CSVs leave the cell empty
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value, sort_keys=True, ensure_ascii=False)
        return str(value)

    tmp = temp_path_for(target)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([cell(row.get(column)) for column in columns])
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def _columns_of(rows: list[dict[str, Any]], expected: list[str] | None, drop: tuple[str, ...],
                what: str) -> list[str]:
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
                             f"it returned {', '.join(seen)}. Update 'columns' in the registry "
                             "and the reader together")
    return list(expected) + sorted(column for column in seen if column not in expected)


def _fetch_unhcr(source: Source, registry: Registry, url: str, session, opts: _Options,
                 redact: _Redactor, progress, task) -> tuple[list[dict], list[str], list[str], dict]:
    page_size = int(registry.option(source, "page_size", 1000))
    year_from = registry.option(source, "year_from", 1951)
    queries = registry.option(source, "queries", [{}]) or [{}]
    extra = dict(source.options.get("params") or {})
    rows: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    urls: list[str] = []
    duplicates = 0
    for query in queries:
        params: dict[str, Any] = {}
        if year_from is not None:
            params.update(yearFrom=int(year_from), yearTo=_dt.date.today().year)
        params.update(extra)
        params.update(query)
        urls.append(_url_with(url, {**params, "limit": page_size}))
        page = 1
        while True:
            if page > opts.max_pages:
                raise FetchError(f"{source.name}: more than {opts.max_pages} pages from {url}; "
                                 "stopped (raise max_pages if the data really is that large)")
            payload = _get_json(session, url, {**params, "limit": page_size, "page": page}, {},
                                opts, redact)
            items = payload.get("items") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise FetchError(f"{source.name}: unexpected answer from {url} page {page}: "
                                 "no 'items' list (has the API changed?)")
            for item in items:
                key = tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in item.items()))
                if key in seen:
                    duplicates += 1  # e.g. SYR -> RUS rows answer both queries
                    continue
                seen.add(key)
                rows.append(item)
            max_pages = payload.get("maxPages")
            if progress is not None:
                progress.update(task, total=None if max_pages is None else int(max_pages),
                                completed=page)
            if not items:
                break
            if max_pages is not None:
                if page >= int(max_pages):
                    break
            elif len(items) < page_size:
                break
            page += 1
    return rows, urls, ["coo_id", "coa_id"], {"duplicates_across_queries": duplicates}


def _fetch_ucdp_api(source: Source, registry: Registry, url: str, session, opts: _Options,
                    redact: _Redactor, progress, task, environ: Mapping[str, str]):
    token_env = source.options.get("token_env", "UCDP_API_TOKEN")
    token = environ.get(token_env)
    if not token:
        raise MissingCredentialsError(
            f"{source.name}: the UCDP API needs an access token since February 2026; set the "
            f"environment variable {token_env} (request a token as described at "
            "https://ucdp.uu.se/apidocs/), or fetch ucdp_ged (the CSV download needs none)")
    redact.add(token)
    headers = {"x-ucdp-access-token": token}
    page_size = int(source.options.get("page_size", 1000))
    params = dict(source.options.get("params") or {})
    rows: list[dict] = []
    page = 0
    while True:
        if page >= opts.max_pages:
            raise FetchError(f"{source.name}: more than {opts.max_pages} pages; stopped")
        payload = _get_json(session, url, {**params, "pagesize": page_size, "page": page},
                            headers, opts, redact)
        result = payload.get("Result") if isinstance(payload, dict) else None
        if not isinstance(result, list):
            raise FetchError(f"{source.name}: unexpected answer from {url}: no 'Result' list")
        rows.extend(result)
        total_pages = int(payload.get("TotalPages") or 0)
        if progress is not None:
            progress.update(task, total=total_pages or None, completed=page + 1)
        if not result or page + 1 >= total_pages:
            break
        page += 1
    return rows, [_url_with(url, {**params, "pagesize": page_size})], (), {}


def _fetch_acled(source: Source, registry: Registry, url: str, session, opts: _Options,
                 redact: _Redactor, progress, task, environ: Mapping[str, str],
                 base_urls: Mapping[str, str] | None):
    email = environ.get("ACLED_EMAIL")
    password = environ.get("ACLED_PASSWORD")
    key = environ.get("ACLED_KEY")
    for secret in (email, password, key):
        redact.add(secret)
    if not email or not (password or key):
        raise MissingCredentialsError(
            f"{source.name}: ACLED needs an account; set the environment variables ACLED_EMAIL "
            "and ACLED_PASSWORD (OAuth, current API) or ACLED_EMAIL and ACLED_KEY (legacy access "
            "key). They are read from the environment only and never written anywhere")
    headers: dict[str, str] = {}
    auth_params: dict[str, str] = {}
    if password:
        token_url = registry.resolve(source.options["token_url"], base_urls)

        def attempt():
            response = session.post(token_url, data={
                "username": email, "password": password, "grant_type": "password",
                "client_id": "acled"}, timeout=(opts.connect_timeout, opts.timeout))
            _check_status(response, f"POST {token_url}", redact)
            try:
                return response.json()["access_token"]
            except (ValueError, KeyError, TypeError):
                raise FetchError(f"{source.name}: {token_url} answered without an access_token; "
                                 "check ACLED_EMAIL and ACLED_PASSWORD") from None

        token = _with_retries(f"POST {token_url}", attempt, opts, redact)
        redact.add(token)
        headers["Authorization"] = f"Bearer {token}"
    else:
        url = registry.resolve(source.options.get("legacy_url", source.url), base_urls)
        auth_params = {"key": key, "email": email}
    page_size = int(source.options.get("page_size", 5000))
    params = {**(source.options.get("params") or {}), "_format": "json"}
    rows: list[dict] = []
    page = 1
    while True:
        if page > opts.max_pages:
            raise FetchError(f"{source.name}: more than {opts.max_pages} pages; stopped")
        payload = _get_json(session, url, {**params, **auth_params, "limit": page_size,
                                           "page": page}, headers, opts, redact)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise FetchError(redact(f"{source.name}: unexpected answer from {url}: no 'data' "
                                    f"list (status {payload.get('status') if isinstance(payload, dict) else '?'})"))
        rows.extend(data)
        if progress is not None:
            progress.update(task, total=None, completed=page)
        if len(data) < page_size:
            break
        page += 1
    return rows, [_url_with(url, {**params, "limit": page_size})], (), {}


def _progress(console):
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _install(tmp: Path, target: Path, expected_sha: str | None, what: str) -> tuple[str, int]:
    """Verify a finished temporary file and rename it over ``target``."""
    try:
        found = sha256_file(tmp)
        if expected_sha and found != expected_sha.lower():
            raise ChecksumError(f"{what}: SHA-256 mismatch: expected {expected_sha} (pinned in the "
                                f"registry), found {found}; the file was not saved. The source "
                                "may have published a new release: check it, then update the "
                                "registry's sha256")
        if target.suffix == ".zip":
            try:
                with zipfile.ZipFile(tmp) as archive:
                    bad = archive.testzip()
            except zipfile.BadZipFile as exc:
                raise FetchError(f"{what}: not a valid zip archive ({exc}); the file was not "
                                 "saved") from None
            if bad is not None:
                raise FetchError(f"{what}: zip member {bad} is corrupt; the file was not saved")
        size = tmp.stat().st_size
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return found, size


def _copy_from_mirror(src: Path, target: Path) -> Path:
    tmp = temp_path_for(target)
    try:
        with open(src, "rb") as reader, open(tmp, "wb") as writer:
            shutil.copyfileobj(reader, writer, _CHUNK)
            writer.flush()
            os.fsync(writer.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def _fetch_one(source: Source, registry: Registry, *, mirror: Path | None, cache: Path,
               lock: dict[str, Any], base_urls: Mapping[str, str] | None, opts: _Options,
               force: bool, session, progress, environ: Mapping[str, str],
               redact: _Redactor) -> FetchResult:
    method = "mirror" if mirror is not None else ("download" if source.kind == "file" else "api")
    previous = lock["sources"].get(source.name)
    if previous is not None and not force and previous.get("method") == method:
        path = cache / previous["file"]
        if path.is_file():
            found = sha256_file(path)
            if found == previous["sha256"]:
                return FetchResult(source.name, "unchanged", path, found,
                                   f"already in the cache, checksum verified ({previous['retrieved']})")
            raise ChecksumError(
                f"{path}: SHA-256 mismatch: expected {previous['sha256']} (recorded "
                f"{previous.get('retrieved')} from {previous.get('url')}), found {found}; "
                f"{_refetch_hint(source.name, previous)}")

    official = registry.url(source.name, None if mirror is not None else base_urls)
    entry: dict[str, Any] = {
        "title": source.title,
        "licence": source.licence,
        "citation": source.citation,
        "official_url": registry.url(source.name),
        "method": method,
        "retrieved": _today(),
    }
    if source.docs:
        entry["docs"] = source.docs
    if mirror is not None:
        if not source.mirror:
            raise FetchError(f"{source.name}: no mirror file is registered for this source; fetch "
                             "it from its official endpoint (without --mirror)")
        relative = source.mirror["path"]
        src = mirror / relative
        if not src.is_file():
            raise FetchError(f"{source.name}: mirror file {src} not found (the registry maps "
                             f"{source.name} to {relative} inside the mirror folder {mirror})")
        target = cache / source.name / Path(relative).name
        target.parent.mkdir(parents=True, exist_ok=True)
        task = progress.add_task(f"{source.name} (mirror)", total=src.stat().st_size) if progress else None
        tmp = _copy_from_mirror(src, target)
        if progress is not None:
            progress.update(task, completed=src.stat().st_size)
        entry.update(url=f"mirror:{relative}", mirror_path=relative,
                     version=str(source.mirror.get("version") or source.version or "") or None)
        note = source.mirror.get("note") or source.note
        if note:
            entry["note"] = " ".join(str(note).split())
        expected = source.mirror.get("sha256")
    else:
        if source.kind == "mirror_only":
            raise FetchError(f"{source.name}: no official machine endpoint: {source.note or ''} "
                             f"Official publication: {source.url}. Use --mirror DIR".strip())
        target = cache / source.name / source.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        task = progress.add_task(source.name, total=None) if progress else None
        expected = source.options.get("sha256")
        if source.kind == "file":
            tmp = _download(session, official, target, opts, redact, progress, task)
            entry["url"] = official
        else:
            if source.kind == "unhcr_api":
                rows, urls, drop, extra = _fetch_unhcr(source, registry, official, session, opts,
                                                       redact, progress, task)
            elif source.kind == "ucdp_api":
                rows, urls, drop, extra = _fetch_ucdp_api(source, registry, official, session,
                                                          opts, redact, progress, task, environ)
            else:
                rows, urls, drop, extra = _fetch_acled(source, registry, official, session, opts,
                                                       redact, progress, task, environ, base_urls)
            columns = _columns_of(rows, source.options.get("columns"), tuple(drop), source.name)
            tmp = _write_csv(rows, columns, target)
            entry.update(url=urls[0] if len(urls) == 1 else urls, rows=len(rows), **extra)
            expected = None  # API answers change with every release: nothing to pin
        if source.version:
            entry["version"] = source.version
        if source.note:
            entry["note"] = source.note
    sha, size = _install(tmp, target, expected, source.name)
    entry.update(file=target.relative_to(cache).as_posix(), sha256=sha, size=size)
    entry = {key: value for key, value in entry.items() if value is not None}
    if previous is not None and previous.get("file") != entry["file"]:
        old = cache / previous["file"]
        if old.is_file() and cache / source.name in old.parents:
            old.unlink()  # the source's previous file (e.g. mirror stand-in before a download)
    lock["sources"][source.name] = json.loads(redact(json.dumps(entry)))
    return FetchResult(source.name, "fetched", target, sha,
                       f"{size} bytes from {entry['url'] if isinstance(entry['url'], str) else entry['url'][0]}")


def fetch(sources: Iterable[str], *, mirror: str | Path | None = None,
          cache_dir: str | Path | None = None, lock_path: str | Path | None = None,
          registry: Registry | str | Path | None = None,
          base_urls: Mapping[str, str] | None = None, force: bool = False,
          timeout: float = 60.0, connect_timeout: float = 15.0, retries: int = 3,
          backoff: float = 1.0, max_pages: int = 10_000, console=None,
          environ: Mapping[str, str] | None = None) -> list[FetchResult]:
    """Fetch sources into the cache and record them in the lock file.

    Parameters
    ----------
    sources : iterable of str
        Registry keys, ``all``, or a group prefix (``unhcr``, ``ucdp``,
        ``acled``); see :func:`expand_sources`.
    mirror : str or Path, optional
        Copy each source's registered mirror file from this folder instead of
        using the network (e.g. ``../shared/data``).
    cache_dir : str or Path, optional
        Where files go (``<cache>/<source>/<file>``); default
        :func:`default_cache_dir`.
    lock_path : str or Path, optional
        Default :func:`default_lock_path`.
    registry : Registry, str or Path, optional
        Default :func:`load_registry` ``()``.
    base_urls : mapping, optional
        Override registry bases, e.g. ``{"unhcr_api": "http://127.0.0.1:8000/"}``.
    force : bool
        Fetch again even if the cached file is present and verified (and
        replace a cached file whose checksum no longer matches).
    timeout, connect_timeout : float
        Seconds to wait for data / for a connection.
    retries : int
        Extra attempts after a transient failure (connection error, timeout,
        HTTP 408/429/5xx, truncated body); waits ``backoff * 2**attempt`` s.
    max_pages : int
        Upper bound on pages per API query.
    console : rich.console.Console, optional
        Where the progress bar goes (default: standard error).
    environ : mapping, optional
        Where credentials are read (default :data:`os.environ`).

    Returns
    -------
    list of FetchResult

    Raises
    ------
    FetchError
        On the first source that fails (earlier sources stay fetched and
        locked); :class:`MissingCredentialsError` when a named source needs
        credentials that are not set; :class:`ChecksumError` when a cached file
        changed (use ``force``).

    Examples
    --------
    >>> fetch(["unhcr_population"], mirror="../shared/data")  # doctest: +SKIP
    [FetchResult(source='unhcr_population', status='fetched', ...)]
    >>> fetch(["ucdp_ged"])  # network  # doctest: +SKIP
    """
    from rich.console import Console

    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    mirror_dir = Path(mirror).resolve() if mirror is not None else None
    if mirror_dir is not None and not mirror_dir.is_dir():
        raise FetchError(f"mirror folder {mirror_dir} not found")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    names = list(sources)
    chosen = expand_sources(names, reg, mirror=mirror_dir is not None)
    if not chosen:
        raise FetchError(f"nothing to fetch for {' '.join(names) or '(no source named)'}")
    env = os.environ if environ is None else environ
    opts = _Options(timeout=timeout, connect_timeout=connect_timeout, retries=max(0, retries),
                    backoff=max(0.0, backoff), max_pages=max_pages)
    console = console if console is not None else Console(stderr=True)
    lock = read_lock(lock_file)
    results: list[FetchResult] = []
    session = _session() if mirror_dir is None else None
    explicit = set(names)
    try:
        with _progress(console) as progress:
            for name in chosen:
                source = reg.sources[name]
                redact = _Redactor()
                try:
                    result = _fetch_one(source, reg, mirror=mirror_dir, cache=cache, lock=lock,
                                        base_urls=base_urls, opts=opts, force=force,
                                        session=session, progress=progress, environ=env,
                                        redact=redact)
                except MissingCredentialsError as exc:
                    if name in explicit:
                        raise MissingCredentialsError(redact(str(exc))) from None
                    result = FetchResult(name, "skipped", message=redact(str(exc)))
                except FetchError as exc:
                    raise type(exc)(redact(str(exc))) from None
                except OSError as exc:
                    raise FetchError(redact(f"{name}: {exc}")) from None
                except Exception as exc:  # requests' own errors: never show secrets in them
                    raise FetchError(redact(f"{name}: {type(exc).__name__}: {exc}")) from None
                results.append(result)
                if result.status == "fetched":
                    _write_lock(lock, lock_file)  # after each source: a later failure keeps it
    finally:
        if session is not None:
            session.close()
    return results
