"""The lock, ``data/raw/fetch.lock.json``: the binding record of what each source's bytes are.

For every fetched source the lock holds the cache file, its SHA-256 (the
*pin*) and size, where it came from (URL or mirror file), licence, citation
and the date the bytes were first retrieved. It is committed, and it binds:

* :func:`refugeestudy.fetch.fetch` never rewrites a pin; bytes that differ
  from it are refused (``refugeestudy fetch --update NAME`` replaces a pin);
* the ``retrieved`` date changes only when the bytes change, so a routine
  fetch of identical files leaves the lock byte-identical (:func:`write_lock`
  writes only when the text changes);
* :func:`cached_path` checks the pin on every later use of a cached file.

Examples
--------
>>> import tempfile, pathlib
>>> lock_file = pathlib.Path(tempfile.mkdtemp()) / LOCK_NAME
>>> read_lock(lock_file)
{'lock_version': 1, 'sources': {}}
>>> _ = lock_file.write_text('{"lock_version": 1, "sources": {"a": {"sha256": "0"}}}')
>>> read_lock(lock_file)
Traceback (most recent call last):
...
refugeestudy.fetch.FetchError: ...fetch.lock.json: entry 'a' has no 'file'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from refugeestudy import paths
from refugeestudy._atomic import atomic_write_text
from refugeestudy._hashing import sha256_file
from refugeestudy.fetch.errors import ChecksumError, FetchError

__all__ = ["LOCK_NAME", "LOCK_VERSION", "default_cache_dir", "default_lock_path", "read_lock",
           "write_lock", "lock_text", "cached_path", "verify", "refetch_command"]

LOCK_NAME = "fetch.lock.json"
LOCK_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_RESTORE = "restore it from version control (git checkout -- data/raw/fetch.lock.json)"


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


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise _Duplicate(repeated)
    return dict(pairs)


class _Duplicate(ValueError):
    def __init__(self, keys: list[str]):
        super().__init__(keys)
        self.keys = keys


def _entry_problem(name: str, entry: Any) -> str | None:
    if not isinstance(entry, Mapping):
        return f"entry {name!r} is {type(entry).__name__}, not an object"
    file = entry.get("file")
    if file is None:
        return f"entry {name!r} has no 'file'"
    pure = PurePosixPath(str(file))
    if not isinstance(file, str) or not file or pure.is_absolute() or ".." in pure.parts:
        return f"entry {name!r}: 'file' {file!r} is not a path inside the cache folder"
    if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
        return f"entry {name!r}: 'sha256' {entry.get('sha256')!r} is not 64 lower-case hex digits"
    return None


def read_lock(lock_path: str | Path | None = None) -> dict[str, Any]:
    """Read and check the lock file; a missing file is an empty lock.

    Returns
    -------
    dict
        ``{"lock_version": 1, "sources": {name: entry}}``.

    Raises
    ------
    FetchError
        If the file is not valid JSON, repeats a source name, or an entry lacks
        ``file`` or a well-formed ``sha256``; the message names the entry.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fetch.lock.json"
    >>> _ = path.write_text('{"sources": {"a": {}, "a": {}}}')
    >>> read_lock(path)
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: ...fetch.lock.json: source 'a' appears more than once
    """
    path = Path(lock_path) if lock_path is not None else default_lock_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except FileNotFoundError:
        return {"lock_version": LOCK_VERSION, "sources": {}}
    except IsADirectoryError:
        raise FetchError(f"{path}: is a folder, not a lock file", hint=_RESTORE) from None
    except _Duplicate as exc:
        raise FetchError(f"{path}: source {', '.join(map(repr, exc.keys))} appears more than once",
                         hint="keep one entry per source (the lock is written by "
                              "`refugeestudy fetch`), or " + _RESTORE) from None
    except json.JSONDecodeError as exc:
        raise FetchError(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg}", hint=_RESTORE) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise FetchError(f"{path}: cannot be read ({exc})", hint=_RESTORE) from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise FetchError(f"{path}: not a lock file (expected an object with 'sources')",
                         hint=_RESTORE)
    for name, entry in data["sources"].items():
        problem = _entry_problem(name, entry)
        if problem:
            raise FetchError(f"{path}: {problem}", hint=_RESTORE + ", or fetch the source again "
                             f"with `refugeestudy fetch --update {name}`")
    return data


def lock_text(lock: Mapping[str, Any]) -> str:
    """Serialise a lock deterministically: sorted keys, 2-space indent, final newline.

    Examples
    --------
    >>> print(lock_text({"sources": {}}), end="")
    {
      "lock_version": 1,
      "sources": {}
    }
    """
    body = {"lock_version": LOCK_VERSION, "sources": dict(lock.get("sources", {}))}
    return json.dumps(body, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_lock(lock: Mapping[str, Any], lock_path: str | Path) -> bool:
    """Write the lock atomically, only if its text changes; return whether it was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / LOCK_NAME
    >>> write_lock({"sources": {}}, path), write_lock({"sources": {}}, path)
    (True, False)
    """
    path = Path(lock_path)
    text = lock_text(lock)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def refetch_command(name: str, entry: Mapping[str, Any], *, update: bool = False) -> str:
    """The command that fetches ``name`` again the way its lock entry was made.

    Examples
    --------
    >>> refetch_command("unhcr_population", {"method": "mirror"})
    'refugeestudy fetch unhcr_population --mirror DIR --force'
    >>> refetch_command("ucdp_ged", {"method": "download"}, update=True)
    'refugeestudy fetch --update ucdp_ged'
    """
    mirror = " --mirror DIR" if entry.get("method") == "mirror" else ""
    if update:
        return f"refugeestudy fetch --update {name}{mirror}"
    return f"refugeestudy fetch {name}{mirror} --force"


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
        and from where the file was fetched; the hint says how to repair.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> cached_path("unhcr_population", cache_dir=tempfile.mkdtemp(),
    ...             lock_path=pathlib.Path(tempfile.mkdtemp()) / "fetch.lock.json")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unhcr_population: not fetched yet (no entry in ...fetch.lock.json)
    """
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = read_lock(lock_file)["sources"].get(source)
    if entry is None:
        raise FetchError(f"{source}: not fetched yet (no entry in {lock_file})",
                         hint=f"run `refugeestudy fetch {source}` (or with --mirror DIR)")
    path = cache / entry["file"]
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "missing from the cache"
        raise FetchError(f"{path}: {what} although {lock_file.name} records it (fetched "
                         f"{entry.get('retrieved')} from {entry.get('url')})",
                         hint=f"run `{refetch_command(source, entry)}`")
    found = sha256_file(path)
    if found != entry["sha256"]:
        raise ChecksumError(
            f"{path}: SHA-256 mismatch: expected {entry['sha256']} (pinned in {lock_file.name}, "
            f"fetched {entry.get('retrieved')} from {entry.get('url')}), found {found} in the "
            "cache; the file changed after it was fetched (edited, truncated or replaced)",
            hint=f"restore the original file, or run `{refetch_command(source, entry)}` to "
                 "fetch the pinned bytes again")
    return path


def verify(sources: Iterable[str] | None = None, *, cache_dir: str | Path | None = None,
           lock_path: str | Path | None = None) -> dict[str, Path]:
    """Check every locked (or every named) source's cached file against the lock.

    ``sources`` is a list of names, or one name as a string.

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
    if isinstance(sources, str):
        sources = [sources]  # one name, never its characters
    names = list(sources) if sources is not None else sorted(lock["sources"])
    return {name: cached_path(name, cache_dir=cache_dir, lock_path=lock_path) for name in names}
