"""Checksums shared by fetch, build, the parse cache and the report runner.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x"
>>> _ = path.write_bytes(b"abc")
>>> sha256_file(path)[:16]
'ba7816bf8f01cfea'
>>> len(package_fingerprint())
64
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

__all__ = ["sha256_file", "package_fingerprint"]

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Return the SHA-256 of a file as 64 hex digits, reading it in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """SHA-256 over the package's Python sources: any code change gives a new value.

    Computed once per process (the sources do not change under a running process).
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
