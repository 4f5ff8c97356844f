"""Large inputs parsed once: a reader's result cached as parquet beside the project.

Parsing a 260 MB GED CSV takes most of a second; reading the same table back
from parquet takes a fraction of that. :func:`cached_read` keeps a reader's
validated output in ``data/cache/parsed/`` (ignored by git), keyed on

* the reader's name,
* the file's resolved path, size, modification time and inode,
* SHA-256 of its first and last MiB (a same-size rewrite within the
  file system's timestamp granularity still changes the key),
* the package fingerprint (any code change re-parses).

Only files of at least :data:`MIN_BYTES` are cached: small files parse faster
than a cache can be checked. Outside a project checkout nothing is cached.
Set ``REFUGEESTUDY_PARSE_CACHE=0`` to turn the cache off.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> data = folder / "big.txt"
>>> _ = data.write_text("x" * 10)
>>> calls = []
>>> def reader(path):
...     calls.append(path)
...     return pd.DataFrame({"n": [len(path.read_text())]})
>>> first = cached_read("demo", data, reader, cache_dir=folder / "cache", min_bytes=1)
>>> again = cached_read("demo", data, reader, cache_dir=folder / "cache", min_bytes=1)
>>> len(calls), again["n"].tolist()
(1, [10])
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from refugeestudy import paths, schema
from refugeestudy._atomic import atomic_write_bytes
from refugeestudy._hashing import package_fingerprint

__all__ = ["MIN_BYTES", "cache_key", "cached_read", "default_cache_dir"]

#: Files smaller than this are always parsed (32 MiB).
MIN_BYTES = 32 << 20
_EDGE = 1 << 20


def default_cache_dir() -> Path | None:
    """``<project>/data/cache/parsed``, or ``None`` outside a project or when turned off."""
    if os.environ.get("REFUGEESTUDY_PARSE_CACHE", "1") == "0":
        return None
    try:
        return paths.project_root() / "data" / "cache" / "parsed"
    except FileNotFoundError:
        return None


def cache_key(reader: str, path: Path) -> str:
    """The key under which ``reader``'s result for ``path`` is cached (see module docstring)."""
    status = path.stat()
    digest = hashlib.sha256()
    for part in (reader, str(path.resolve()), status.st_size, status.st_mtime_ns, status.st_ino,
                 package_fingerprint()):
        digest.update(str(part).encode())
        digest.update(b"\0")
    with open(path, "rb") as handle:
        digest.update(handle.read(_EDGE))
        if status.st_size > _EDGE:
            handle.seek(max(_EDGE, status.st_size - _EDGE))
            digest.update(handle.read(_EDGE))
    return digest.hexdigest()


def cached_read(reader: str, path: str | Path, read: Callable[[Path], pd.DataFrame], *,
                cache_dir: Path | None = None, min_bytes: int = MIN_BYTES,
                table: str | None = None) -> pd.DataFrame:
    """Return ``read(path)``, from the parquet cache when the file is unchanged.

    Parameters
    ----------
    reader : str
        Name of the reader (part of the key and of the cache file name).
    path : str or Path
        Input file.
    read : callable
        The reader itself; called on a cache miss, its result is cached.
    cache_dir : Path, optional
        Defaults to :func:`default_cache_dir`; with none, ``read`` is called.
    min_bytes : int
        Smaller files are not cached.
    table : str, optional
        A canonical table name (:data:`refugeestudy.schema.TABLES`): a frame
        read back from the cache is cast to that schema's dtypes (parquet keeps
        no ``datetime64[s]``), its ``attrs`` (e.g. counted repairs) kept.
    """
    path = Path(path)
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    if folder is None or not path.is_file() or path.stat().st_size < min_bytes:
        return read(path)
    stem = f"{reader}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    target = Path(folder) / f"{stem}-{cache_key(reader, path)}.parquet"
    if target.is_file():
        frame = pd.read_parquet(target)
        if table is None:
            return frame
        restored = schema.conform(frame, table)
        restored.attrs = frame.attrs
        return restored
    frame = read(path)
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")
    for stale in Path(folder).glob(f"{stem}-*.parquet") if Path(folder).is_dir() else ():
        stale.unlink(missing_ok=True)  # one cached parse per file: the cache stays small
    atomic_write_bytes(target, buffer.getvalue())
    return frame
