"""Write files so that a reader never sees a partial one.

Every writer here follows the same steps: write to a temporary file in the
*same folder* as the target (so the final rename stays on one file system),
flush and ``fsync`` it, then :func:`os.replace` it over the target, which is
atomic on POSIX and Windows. If anything fails before the rename, the
temporary file is removed and the target is left as it was.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(folder / "a.txt", "hello\\n")
PosixPath('...a.txt')
>>> (folder / "a.txt").read_text()
'hello\\n'
>>> sorted(p.name for p in folder.iterdir())
['a.txt']
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_open", "atomic_write_bytes", "atomic_write_text", "fsync_dir", "temp_path_for",
           "replace_directory", "current_umask", "honour_umask", "make_temp_dir"]

_PREFIX = ".tmp-"


def current_umask() -> int:
    """The process's file-mode creation mask (read without changing it where Linux allows).

    Examples
    --------
    >>> old = os.umask(0o022)
    >>> oct(current_umask())
    '0o22'
    >>> _ = os.umask(old)
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        pass
    mask = os.umask(0o022)  # pragma: no cover - a brief change, restored at once
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def honour_umask(path: str | Path) -> Path:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would have (0644/0755 under umask 022).

    :func:`tempfile.mkstemp` and :func:`tempfile.mkdtemp` make their file or
    folder readable by the owner only (0600/0700); a report or a table renamed
    into place from one would keep that mode, so a colleague or a web server
    could not read it.

    Examples
    --------
    >>> import tempfile
    >>> old = os.umask(0o022)
    >>> oct(honour_umask(tempfile.mkdtemp()).stat().st_mode & 0o777)
    '0o755'
    >>> _ = os.umask(old)
    """
    path = Path(path)
    base = 0o777 if path.is_dir() else 0o666
    os.chmod(path, base & ~current_umask())
    return path


def make_temp_dir(prefix: str, folder: str | Path) -> Path:
    """A fresh folder in ``folder`` (``tempfile.mkdtemp``) with the umask's mode, not 0700.

    Examples
    --------
    >>> import tempfile
    >>> make_temp_dir(".staging-", tempfile.mkdtemp()).name.startswith(".staging-")
    True
    """
    return honour_umask(tempfile.mkdtemp(prefix=prefix, dir=folder))


def temp_path_for(target: str | Path) -> Path:
    """Return a fresh, unused temporary file path next to ``target``.

    The file is created (empty, with the mode the umask gives, not mkstemp's
    0600) so that the name is reserved; the caller owns it and must rename or
    remove it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> tmp = temp_path_for(folder / "data.csv")
    >>> tmp.parent == folder, tmp.name.startswith(".tmp-data.csv.")
    (True, True)
    >>> tmp.unlink()
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{_PREFIX}{target.name}.", suffix=".part",
                                    dir=target.parent)
    os.close(handle)
    return honour_umask(name)


def fsync_dir(folder: str | Path) -> None:
    """Flush a folder's entries to disk so that a rename inside it survives a crash.

    A no-op where folders cannot be opened (Windows).

    Examples
    --------
    >>> import tempfile
    >>> fsync_dir(tempfile.gettempdir())
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that refuse fsync on folders
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "wb", **kwargs) -> Iterator[IO]:
    """Open a temporary file that replaces ``target`` when the block ends without error.

    Parameters
    ----------
    target : str or Path
        The file to create or replace; its folder is created if needed.
    mode : str
        ``"wb"`` (default) or ``"w"`` (text; pass ``encoding=`` and ``newline=``).
    **kwargs
        Passed to :func:`open`.

    Yields
    ------
    file object
        Write to it; on a clean exit it is flushed, fsynced and renamed over
        ``target``. On an exception the temporary file is removed and
        ``target`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_open(path, "w", encoding="utf-8") as handle:
    ...     _ = handle.write("complete")
    >>> path.read_text()
    'complete'
    >>> try:
    ...     with atomic_open(path, "w", encoding="utf-8") as handle:
    ...         _ = handle.write("partial")
    ...         raise RuntimeError("interrupted")
    ... except RuntimeError:
    ...     pass
    >>> path.read_text(), len(list(path.parent.iterdir()))
    ('complete', 1)
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', not {mode!r}")
    target = Path(target)
    tmp = temp_path_for(target)
    try:
        with open(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = atomic_write_bytes(pathlib.Path(tempfile.mkdtemp()) / "b.bin", b"\\x00\\x01")
    >>> path.read_bytes()
    b'\\x00\\x01'
    """
    with atomic_open(target, "wb") as handle:
        handle.write(data)
    return Path(target)


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    r"""Write ``text`` to ``target`` atomically (no newline translation) and return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = atomic_write_text(pathlib.Path(tempfile.mkdtemp()) / "t.txt", "a\nb\n")
    >>> path.read_bytes()
    b'a\nb\n'
    """
    with atomic_open(target, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return Path(target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - not Linux/glibc
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def replace_directory(staging: str | Path, target: str | Path) -> None:
    """Move the finished folder ``staging`` to ``target``, replacing any previous one.

    Where the system can, the two folders are exchanged in one atomic step
    (a reader sees the whole old folder or the whole new one); elsewhere the
    previous folder is renamed aside first and removed only once the new one
    is in place, so a crash leaves the old folder (as ``.<name>.previous``) or
    the new one, never a mix. Both must be on one file system.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     new, old = Path(tmp, "new"), Path(tmp, "old")
    ...     new.mkdir(); old.mkdir(); _ = (new / "a").write_text("new")
    ...     replace_directory(new, old)
    ...     (old / "a").read_text(), new.exists()
    ('new', False)
    """
    import shutil

    staging, target = Path(staging), Path(target)
    if target.is_dir() and not target.is_symlink() and _exchange(staging, target):
        shutil.rmtree(staging)  # now the previous folder
        fsync_dir(target.parent)
        return
    aside = target.with_name(f".{target.name}.previous")
    if aside.exists():
        shutil.rmtree(aside)
    if target.exists():
        os.replace(target, aside)
    os.replace(staging, target)
    fsync_dir(target.parent)
    if aside.exists():
        shutil.rmtree(aside)
