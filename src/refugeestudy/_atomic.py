"""Atomic writes: a reader sees the old file or the new one, never half of one.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     target = pathlib.Path(tmp) / "out.txt"
...     atomic_write_text(target, "hello\\n")
...     target.read_text()
'hello\\n'
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "replace_directory"]


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def replace_directory(staging: str | Path, target: str | Path) -> None:
    """Move the finished folder ``staging`` to ``target``, replacing any previous one.

    The previous folder is renamed aside first and removed only once the new
    one is in place, so a crash leaves either the old or the new folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     new, old = pathlib.Path(tmp, "new"), pathlib.Path(tmp, "old")
    ...     new.mkdir(); old.mkdir(); _ = (new / "a").write_text("new")
    ...     replace_directory(new, old)
    ...     (old / "a").read_text(), new.exists()
    ('new', False)
    """
    staging, target = Path(staging), Path(target)
    aside = target.with_name(f".{target.name}.previous")
    if aside.exists():
        shutil.rmtree(aside)
    if target.exists():
        os.replace(target, aside)
    os.replace(staging, target)
    if aside.exists():
        shutil.rmtree(aside)
