"""Fetch sources into the cache, checked against the binding lock.

For each source :func:`fetch`:

1. with a pin in the lock and the pinned file in the cache, checks its
   SHA-256 and stops there (``unchanged``); a cached file that differs is
   refused (``--force`` fetches the pinned bytes again);
2. otherwise gets the bytes (a mirror file, a download, or an API's pages
   written as CSV) into a temporary file next to the target, hashing them on
   the way (:func:`~refugeestudy.fetch.install.write_checked`);
3. compares them with the pin: bytes that differ are refused, naming the
   file, both hashes and where they came from; the cache and the lock stay as
   they were. Only ``update=[NAME]`` (``refugeestudy fetch --update NAME``)
   replaces a pin. A source without a pin is pinned on its first fetch;
4. renames the checked file into place, and writes the lock only if an entry
   changed (the ``retrieved`` date changes only with the bytes).

Examples
--------
>>> FetchResult("unhcr_population", "unchanged").status
'unchanged'
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from refugeestudy._hashing import sha256_file
from refugeestudy.fetch.apis import CLIENTS, ApiContext, columns_of, rows_to_csv
from refugeestudy.fetch.content import check_content
from refugeestudy.fetch.errors import ChecksumError, FetchError, MissingCredentialsError
from refugeestudy.fetch.http import (Deadline, Options, Redactor, RichBar, download, session,
                                     with_retries)
from refugeestudy.fetch.install import write_checked
from refugeestudy.fetch.lock import (default_cache_dir, default_lock_path, read_lock,
                                     refetch_command, write_lock)
from refugeestudy.fetch.mirror import check_mirror_dir, copy_mirror_file, mirror_file
from refugeestudy.fetch.registry import Registry, Source, expand_sources, load_registry

__all__ = ["FetchResult", "fetch", "size_cap", "UNPINNED_MAX_BYTES"]


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did for one source.

    Attributes
    ----------
    source : str
    status : str
        ``pinned`` (first fetch, its hash is now in the lock), ``fetched``
        (got the pinned bytes again), ``updated`` (``--update``: new bytes,
        new pin), ``unchanged`` (the cached file matches the lock, nothing
        fetched) or ``skipped`` (a group was asked and credentials are not set).
    path : Path or None
    sha256 : str or None
    message : str
    """

    source: str
    status: str
    path: Path | None = None
    sha256: str | None = None
    message: str = ""


def _today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def _progress(console):
    """The download bars, on ``console`` (default: standard error)."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TimeElapsedColumn(), transient=False,
                    console=console if console is not None else Console(stderr=True))


@contextlib.contextmanager
def _session(mirror: Path | None):
    """An HTTP session for a fetch from the network (``None`` from a mirror), closed at the end."""
    http = session() if mirror is None else None
    try:
        yield http
    finally:
        if http is not None:
            http.close()


@dataclass
class _Run:
    """What every source of one :func:`fetch` call shares."""

    registry: Registry
    mirror: Path | None
    cache: Path
    lock_name: str
    base_urls: Mapping[str, str] | None
    opts: Options
    force: bool
    http: Any
    progress: Any
    environ: Mapping[str, str]
    allow_shrink: bool = False
    max_bytes: int | None = None


def _check_cached(name: str, pinned: Mapping[str, Any], cache: Path) -> FetchResult | None:
    """``unchanged`` if the pinned file is in the cache and matches; refuse it if it differs."""
    path = cache / pinned["file"]
    if not (path.exists() or path.is_symlink()):
        return None
    if not path.is_file():
        raise FetchError(f"{name}: the cached {path} is not a file",
                         hint=f"remove it, then run `refugeestudy fetch {name}`")
    found = sha256_file(path)
    if found != pinned["sha256"]:
        raise ChecksumError(
            f"{name}: {path} from the cache differs from the lock: expected SHA-256 "
            f"{pinned['sha256']}, actual {found}",
            hint=f"the cached file was edited, truncated or replaced; run "
                 f"`{refetch_command(name, pinned)}` to fetch the pinned bytes again")
    return FetchResult(name, "unchanged", path, found,
                       f"in the cache, matches the lock (retrieved {pinned.get('retrieved')} from "
                       f"{pinned.get('url')})")


#: The size cap of a source with no pin and no ``max_bytes`` in the registry.
UNPINNED_MAX_BYTES = 2 * 1024 ** 3


def size_cap(source: Source, pinned: Mapping[str, Any] | None,
             override: int | None = None) -> tuple[int, str]:
    """The most bytes one fetch of ``source`` may bring, and where that cap comes from.

    ``override`` (``--max-bytes``), else the registry's ``max_bytes``, else 4 ×
    the pinned size, else 2 GiB.

    Examples
    --------
    >>> from refugeestudy.fetch.registry import load_registry
    >>> source = load_registry().sources["unhcr_population"]
    >>> size_cap(source, {"size": 1000})
    (4000, '4 × the pinned size of 1,000 bytes')
    >>> size_cap(source, None, 10)
    (10, '--max-bytes')
    """
    if override is not None:
        return int(override), "--max-bytes"
    if source.options.get("max_bytes") is not None:
        return int(source.options["max_bytes"]), "the registry's max_bytes"
    if pinned and pinned.get("size"):
        return 4 * int(pinned["size"]), f"4 × the pinned size of {int(pinned['size']):,} bytes"
    return UNPINNED_MAX_BYTES, "2 GiB for a source without a pin"


def _previous_rows(source: Source, pinned: Mapping[str, Any] | None, cache: Path) -> int | None:
    """Rows of the pin being replaced: the lock's count, else its cached file's, else unknown."""
    from refugeestudy.fetch.content import count_rows

    if not pinned:
        return None
    if pinned.get("rows") is not None:
        return int(pinned["rows"])
    path = cache / pinned["file"]
    if path.is_file() and sha256_file(path) == pinned.get("sha256"):
        with contextlib.suppress(FetchError):
            return count_rows(source, path)
    return None


def _entry_base(source: Source, run: _Run, method: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": source.title, "licence": source.licence,
                             "citation": source.citation,
                             "official_url": run.registry.url(source.name), "method": method,
                             "retrieved": _today()}
    if source.docs:
        entry["docs"] = source.docs
    return entry


def _fetch_one(source: Source, run: _Run, pinned: Mapping[str, Any] | None, updating: bool,
               redact: Redactor) -> tuple[FetchResult, dict[str, Any] | None]:
    """Fetch one source; return the result and the new lock entry (``None``: keep the lock)."""
    deadline = Deadline(run.opts.deadline)
    try:
        return _fetch_source(source, run, pinned, updating, redact, deadline)
    finally:
        deadline.close()


@dataclass
class _Plan:
    """How one source's bytes are obtained: file name, origin (for messages), writer, lock fields."""

    filename: str
    origin: str
    what: str
    produce: Callable[[Any], None]
    fields: dict[str, Any]
    retry: bool = False


def _plan_mirror(source: Source, run: _Run) -> _Plan:
    if not source.mirror:
        raise FetchError(f"{source.name}: no mirror file is registered for this source",
                         hint="fetch it from its official endpoint (without --mirror)")
    relative = source.mirror["path"]
    src = mirror_file(run.mirror, source.name, relative)
    fields: dict[str, Any] = {
        "url": f"mirror:{relative}", "mirror_path": relative,
        "version": str(source.mirror.get("version") or source.version or "") or None}
    note = source.mirror.get("note") or source.note
    if note:
        fields["note"] = " ".join(str(note).split())
    return _Plan(Path(relative).name, f"the mirror ({src})", str(src),
                 lambda sink: copy_mirror_file(src, source.name, sink), fields)


def _plan_network(source: Source, run: _Run, redact: Redactor, deadline: Deadline,
                  task) -> _Plan:
    if source.kind == "mirror_only":
        raise FetchError(f"{source.name}: no official machine endpoint; only --mirror DIR can "
                         "provide it", hint=f"{source.note + ' ' if source.note else ''}Official "
                                            f"publication: {source.url}")
    url = run.registry.url(source.name, run.base_urls)
    fields: dict[str, Any] = {"version": source.version, "note": source.note}
    if source.kind == "file":
        bar = RichBar(run.progress, task) if run.progress is not None else None
        return _Plan(source.filename, f"the network ({url})", f"GET {url}",
                     lambda sink: download(url, sink, run.opts, deadline, bar),
                     {"url": url, **fields}, retry=True)
    ctx = ApiContext(run.http, run.opts, redact, deadline, run.environ, run.base_urls,
                     run.progress, task)
    answer = CLIENTS[source.kind](source, run.registry, url, ctx)
    columns = columns_of(answer.rows, source.options.get("columns"), answer.drop, source.name)
    fields.update(url=answer.urls[0] if len(answer.urls) == 1 else answer.urls,
                  rows=len(answer.rows), **answer.extra)
    return _Plan(source.filename, f"the network ({url})", f"GET {url}",
                 lambda sink: rows_to_csv(answer.rows, columns, sink), fields)


def _accept_bytes(source: Source, run: _Run, pinned: Mapping[str, Any] | None, pin: str | None,
                  target: Path, origin: str, method: str, entry: dict[str, Any], sink, tmp: Path):
    """Before the rename: new bytes (no pin to match) must read as the source, and their rows
    go into ``entry``; otherwise the bytes must be the pinned ones."""
    if pin is None:
        entry["rows"] = check_content(source, tmp, target.name,
                                      _previous_rows(source, pinned, run.cache),
                                      allow_shrink=run.allow_shrink)
    elif sink.sha256 != pin:
        raise ChecksumError(
            f"{source.name}: {target.name} from {origin} differs from the lock: expected SHA-256 "
            f"{pin}, actual {sink.sha256}; not saved, {run.lock_name} unchanged",
            hint="if the source really published new data, accept it with "
                 f"`{refetch_command(source.name, {'method': method}, update=True)}`; otherwise "
                 "restore the original file")


def _fetch_source(source: Source, run: _Run, pinned: Mapping[str, Any] | None, updating: bool,
                  redact: Redactor, deadline: Deadline) -> tuple[FetchResult, dict[str, Any] | None]:
    """Check the cached pin, else get, check and place the bytes; return the result and lock entry."""
    name = source.name
    method = "mirror" if run.mirror is not None else (
        "download" if source.kind == "file" else "api")
    pin = None if pinned is None or updating else pinned["sha256"]
    if pin is not None and not run.force:
        cached = _check_cached(name, pinned, run.cache)
        if cached is not None:
            return cached, None
    task = run.progress.add_task(name, total=None) if run.progress is not None else None
    plan = (_plan_mirror(source, run) if run.mirror is not None
            else _plan_network(source, run, redact, deadline, task))
    entry = {**_entry_base(source, run, method), **plan.fields}
    target = run.cache / (pinned["file"] if pin is not None else Path(name, plan.filename))
    check = partial(_accept_bytes, source, run, pinned, pin, target, plan.origin, method, entry)
    sink = _write(source, run, pinned, plan, target, check, redact, deadline)
    if run.progress is not None:
        run.progress.update(task, total=sink.size, completed=sink.size)
    entry.update(file=target.relative_to(run.cache).as_posix(), sha256=sink.sha256,
                 size=sink.size)
    entry = json.loads(redact(json.dumps({k: v for k, v in entry.items() if v is not None})))
    return _outcome(name, run, pinned, updating, target, sink, entry)


def _write(source: Source, run: _Run, pinned: Mapping[str, Any] | None, plan: _Plan, target: Path,
           check: Callable, redact: Redactor, deadline: Deadline):
    """Write the plan's bytes to ``target`` through ``check``, within the size cap.

    A download is tried again after a transient failure; the returned sink has
    the bytes' ``sha256`` and ``size``.
    """
    limit, why = size_cap(source, pinned, run.max_bytes)

    def attempt():
        return write_checked(target, plan.produce, check, what=redact(plan.what), deadline=deadline,
                             max_bytes=limit, cap_hint=f"{source.name}'s cap is {why}; if the source "
                             "really grew, raise it with --max-bytes N (or max_bytes in the registry)")

    return (with_retries(redact(plan.what), attempt, run.opts, redact, deadline) if plan.retry
            else attempt())


def _outcome(name: str, run: _Run, pinned: Mapping[str, Any] | None, updating: bool, target: Path,
             sink, entry: dict[str, Any]) -> tuple[FetchResult, dict[str, Any] | None]:
    """What fetching ``sink``'s bytes into ``target`` did, and the lock entry (``None``: keep it).

    A first fetch pins the bytes; the pinned bytes fetched again keep the
    lock; ``--update`` replaces the pin (and the source's previous file), or
    keeps its date when the bytes are the same.
    """
    source_of = entry["url"] if isinstance(entry["url"], str) else entry["url"][0]
    if pinned is None:
        return FetchResult(name, "pinned", target, sink.sha256,
                           f"(first fetch) SHA-256 {sink.sha256} recorded in {run.lock_name} "
                           f"({sink.size} bytes from {source_of}); commit the lock to keep this "
                           "pin"), entry
    if not updating:
        return FetchResult(name, "fetched", target, sink.sha256,
                           f"{sink.size} bytes from {source_of}, match the lock"), None
    if pinned.get("file") != entry["file"]:
        old = run.cache / pinned["file"]
        if old.is_file() and run.cache / name in old.parents:
            old.unlink()  # the source's previous file (e.g. a mirror stand-in before a download)
    if sink.sha256 == pinned["sha256"]:
        entry["retrieved"] = pinned.get("retrieved", entry["retrieved"])
        return FetchResult(name, "fetched", target, sink.sha256,
                           f"same bytes as the pin; {run.lock_name} keeps its date"), entry
    return FetchResult(name, "updated", target, sink.sha256,
                       f"(--update) SHA-256 {pinned['sha256']} -> {sink.sha256} ({sink.size} "
                       f"bytes from {source_of}); commit the lock to keep this pin"), entry


def _fetch_guarded(source: Source, run: _Run, pinned: Mapping[str, Any] | None, updating: bool,
                   named: bool) -> tuple[FetchResult, dict[str, Any] | None]:
    """Fetch one source (:func:`_fetch_one`), every error redacted and said in one line.

    A source not ``named`` (only part of a group) whose credentials are not set is ``skipped``.
    """
    name, redact = source.name, Redactor()
    try:
        return _fetch_one(source, run, pinned, updating, redact)
    except MissingCredentialsError as exc:
        if named:
            raise MissingCredentialsError(redact(str(exc)), hint=redact(exc.hint)) from None
        return FetchResult(name, "skipped", message=redact(str(exc))), None
    except FetchError as exc:
        raise type(exc)(redact(str(exc)), hint=redact(exc.hint)) from None
    except OSError as exc:
        raise FetchError(redact(f"{name}: {exc}"),
                         hint="check free space and permissions of the cache folder "
                              f"{run.cache}") from None
    except Exception as exc:  # never a traceback, never a secret
        raise FetchError(redact(f"{name}: unexpected {type(exc).__name__}: {exc}"),
                         hint="please report this with the command you ran") from None


def _fetch_all(run: _Run, chosen: list[str], updating: set[str], named: set[str],
               lock: dict[str, Any], lock_file: Path) -> list[FetchResult]:
    """Fetch ``chosen`` in order, writing the lock after each source whose entry changed."""
    results: list[FetchResult] = []
    for name in chosen:
        result, entry = _fetch_guarded(run.registry.sources[name], run,
                                       lock["sources"].get(name), name in updating, name in named)
        results.append(result)
        if entry is not None:
            lock["sources"][name] = entry
            write_lock(lock, lock_file)  # after each source: a later failure keeps it
    return results


def _names(value: str | Iterable[str], argument: str) -> list[str]:
    """One name (a string) or several: never a string's characters.

    Examples
    --------
    >>> _names("unhcr_population", "sources"), _names(("a", "b"), "sources")
    (['unhcr_population'], ['a', 'b'])
    """
    if isinstance(value, str):
        return [value]
    names = list(value)
    wrong = [name for name in names if not isinstance(name, str)]
    if wrong:
        raise TypeError(f"fetch(): `{argument}` holds source names (text), found "
                        f"{type(wrong[0]).__name__} {wrong[0]!r}")
    return names


def _chosen(names: list[str], update_names: list[str], registry: Registry,
            mirror: bool) -> tuple[list[str], set[str]]:
    """The sources to fetch (the named ones, then those to update) and those whose pin may change.

    Examples
    --------
    >>> _chosen(["ucdp_ged"], ["unhcr_population"], load_registry(), mirror=True)
    (['ucdp_ged', 'unhcr_population'], {'unhcr_population'})
    """
    updating = set(expand_sources(update_names, registry, mirror=mirror))
    chosen = expand_sources(names, registry, mirror=mirror)
    chosen += [name for name in registry.sources if name in updating and name not in chosen]
    if not chosen:
        raise FetchError(f"nothing to fetch for {' '.join(names + update_names) or '(no name)'}",
                         hint="with --mirror only sources with a mirror file can be fetched; "
                              "see `refugeestudy fetch --list`")
    return chosen, updating


def _checked_lock(lock_file: Path, registry: Registry) -> dict[str, Any]:
    """The lock, refused if an entry names no source of the registry."""
    lock = read_lock(lock_file)
    strangers = sorted(set(lock["sources"]) - set(registry.sources))
    if strangers:
        raise FetchError(f"{lock_file}: entry {', '.join(map(repr, strangers))} names no source of "
                         f"the registry {registry.path or ''}".rstrip(),
                         hint="remove the entry from the lock, or restore the source in the "
                              "registry")
    return lock


# Long function: the public entry point documents each of its 19 parameters; the code is 12 lines
def fetch(sources: Iterable[str] = (), *, update: Iterable[str] = (), mirror: str | Path | None = None,
          cache_dir: str | Path | None = None, lock_path: str | Path | None = None,
          registry: Registry | str | Path | None = None, base_urls: Mapping[str, str] | None = None,
          force: bool = False, timeout: float = 60.0, connect_timeout: float = 15.0, retries: int = 3,
          backoff: float = 1.0, deadline: float = 1800.0, max_pages: int = 10_000, console=None,
          environ: Mapping[str, str] | None = None, allow_shrink: bool = False,
          max_bytes: int | None = None) -> list[FetchResult]:
    """Fetch sources into the cache, checked against (and recorded in) the binding lock.

    Bytes that become a pin (a first fetch, or ``update``) must read as the source through its
    reader, hold at least one row, no negative count and at least half the rows of the pin they
    replace (:func:`~refugeestudy.fetch.content.check_content`); the lock records them as ``rows``.

    Parameters
    ----------
    sources : str or iterable of str
        Registry keys, ``all``, or a group prefix (``unhcr``, ``ucdp``, ``acled``); see
        :func:`~refugeestudy.fetch.registry.expand_sources`. One string is one name.
    update : str or iterable of str
        Sources to fetch, too, whose pin the bytes fetched now replace (the only way a pin changes).
    mirror : str or Path, optional
        Copy the sources' registered mirror files from this folder (e.g. ``../shared/data``), no network.
    cache_dir : str or Path, optional
        Where files go (``<cache>/<source>/<file>``); default
        :func:`~refugeestudy.fetch.lock.default_cache_dir`.
    lock_path : str or Path, optional
        Default :func:`~refugeestudy.fetch.lock.default_lock_path`.
    registry : Registry, str or Path, optional
        Default :func:`~refugeestudy.fetch.registry.load_registry` ``()``.
    base_urls : mapping, optional
        Override registry bases, e.g. ``{"unhcr_api": "http://127.0.0.1:8000/"}``.
    force : bool
        Fetch again even if the cached file is present and verified (and replace a cached file that
        no longer matches its pin; the new bytes must match the pin).
    timeout, connect_timeout, deadline : float
        Seconds to wait for the next data, for a connection, for one source in all (retries and pages included).
    retries : int
        Extra attempts after a transient failure (connection error, timeout, HTTP 408/429/5xx,
        truncated body); waits ``backoff * 2**attempt`` s.
    max_pages : int
        Upper bound on pages per API query.
    console : rich.console.Console, optional
        Where the progress bar goes (default: standard error).
    environ : mapping, optional
        Where credentials are read (default :data:`os.environ`).
    allow_shrink : bool
        Pin new bytes even when they hold fewer than half the rows of the pin they replace.
    max_bytes : int, optional
        The size cap of every source fetched now (default :func:`size_cap`: the registry's
        ``max_bytes``, else 4 × the pinned size, else 2 GiB).

    Returns
    -------
    list of FetchResult

    Raises
    ------
    FetchError
        On the first source that fails (earlier ones stay fetched and locked), with a ``hint``: a
        :class:`~refugeestudy.fetch.ChecksumError` when bytes differ from the pin, a
        :class:`~refugeestudy.fetch.MissingCredentialsError` when a named source lacks credentials.

    Examples
    --------
    >>> fetch(["unhcr_population"], mirror="../shared/data")  # doctest: +SKIP
    [FetchResult(source='unhcr_population', status='unchanged', ...)]
    >>> fetch(update=["ucdp_ged"])  # network; replaces the pin  # doctest: +SKIP
    """
    reg = registry if isinstance(registry, Registry) else load_registry(registry)
    mirror_dir = check_mirror_dir(mirror) if mirror is not None else None
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    names, update_names = _names(sources, "sources"), _names(update, "update")
    chosen, updating = _chosen(names, update_names, reg, mirror=mirror_dir is not None)
    lock = _checked_lock(lock_file, reg)
    opts = Options(timeout, connect_timeout, max(0, retries), max(0.0, backoff), deadline, max_pages)
    with _session(mirror_dir) as http, _progress(console) as progress:
        run = _Run(reg, mirror_dir, cache, lock_file.name, base_urls, opts, force, http, progress,
                   os.environ if environ is None else environ, allow_shrink, max_bytes)
        return _fetch_all(run, chosen, updating, set(names) | set(update_names), lock, lock_file)
