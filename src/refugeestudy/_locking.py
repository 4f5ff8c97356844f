"""One writer at a time: an advisory lock file per output folder, and workers that die with their parent.

``refugeestudy build`` holds ``data/processed/.<plan>.lock`` exclusively while it
writes a plan's tables; ``refugeestudy run`` holds the plan's output lock
(``reports/.run.lock``) exclusively and the tables' lock shared, so a build
never swaps tables under a running report and two runs never write one folder.
A second writer is refused at once with one line naming the holder (the lock
file records its process id). The lock is released by the kernel when the
process ends, however it ends (``kill -9`` included), so a stale lock file is
harmless: it is only a file.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with hold_lock(folder / ".demo.lock", "demo"):
...     try:
...         with hold_lock(folder / ".demo.lock", "demo"):
...             pass
...     except LockedError as exc:
...         print(str(exc).split(" (")[0])
another demo is in progress
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import signal
from collections.abc import Iterator
from pathlib import Path

from refugeestudy.errors import RefugeestudyError

__all__ = ["LockedError", "hold_lock", "die_with_parent"]

_PR_SET_PDEATHSIG = 1


class LockedError(RefugeestudyError, RuntimeError):
    """Another process holds the lock of the folder this command writes."""


@contextlib.contextmanager
def hold_lock(path: str | Path, what: str, *, shared: bool = False) -> Iterator[Path]:
    """Hold an advisory lock on ``path`` for the duration of the block.

    Parameters
    ----------
    path : str or Path
        The lock file (created if needed; never deleted, it holds no state).
    what : str
        What the lock protects, for the message (``"run of reports/"``).
    shared : bool
        A shared (reader) lock: several may hold it, no exclusive holder can.

    Raises
    ------
    LockedError
        At once, if another process holds a conflicting lock.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(
                f"another {what} is in progress (lock {path.name}, last taken by process "
                f"{holder})",
                hint="wait for it to finish and try again; the lock is released when that "
                     "process ends, however it ends") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()  # releases the lock


def die_with_parent(parent_pid: int) -> None:
    """Make this process receive SIGKILL when its parent dies (Linux), or exit if it already has.

    A worker process of ``refugeestudy run`` calls this first: if the runner is
    killed (even with ``kill -9``, which runs no clean-up), the kernel sends
    the worker SIGKILL at once, so no worker goes on to write a report. The
    notebook kernels a worker starts watch their own parent
    (``JPY_PARENT_PID``, ipykernel's parent poller) and exit within a second
    of it. Elsewhere than Linux the check of the parent's id is all there is.

    Parameters
    ----------
    parent_pid : int
        The process id the caller expects as its parent.

    Examples
    --------
    >>> die_with_parent(os.getppid())  # the parent is alive: nothing happens
    """
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)
