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
import errno
import ctypes.util
import fcntl
import os
import signal
from collections.abc import Iterator
from pathlib import Path

from refugeestudy.errors import RefugeestudyError

__all__ = ["LockedError", "hold_lock", "die_with_parent", "descendants", "kill_tree"]

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
    handle = _open_lock(path, shared)
    if handle is None:  # a reader on a read-only folder without a lock file: no writer can be there
        yield path
        return
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
        if handle.writable():
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        yield path
    finally:
        handle.close()  # releases the lock


def _open_lock(path: Path, shared: bool):
    """The lock file, opened to write our id; a reader on a read-only folder opens it to read.

    Returns None for a reader when the folder is read-only and holds no lock
    file (no writer could have made one there).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        if not shared or exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
    try:
        return open(path, encoding="utf-8")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        return None


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


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (children, grandchildren, ...), read from ``/proc``.

    Empty where ``/proc`` is not there (not Linux).

    Examples
    --------
    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    >>> child.pid in descendants(os.getpid())
    True
    >>> child.kill(); _ = child.wait()
    """
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the name may hold spaces and ")"
        if fields[0] not in ("Z", "X"):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


def kill_tree(pids: list[int], timeout: float = 5.0) -> None:
    """SIGKILL each process of ``pids`` and everything below it, and wait until they are gone.

    What :func:`refugeestudy.pipeline.run.run_reports` does to its workers when it is
    interrupted (Ctrl-C, SIGTERM): the workers, their notebook kernels and the
    kernels' own workers (joblib/loky, Dask) stop at once, so none writes
    after the runner removed its staging folder.

    Examples
    --------
    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    >>> kill_tree([child.pid]); child.wait()
    -9
    """
    import time

    def signal_all(pids, number) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, number)

    # Stop the whole tree first (a stopped process starts no new one), until no new process
    # appears below it: a child of a killed process would be handed to init and missed.
    tree: set[int] = set(pids)
    for _ in range(10):
        signal_all(tree, signal.SIGSTOP)
        grown = tree | {child for pid in tree for child in descendants(pid)}
        if grown == tree:
            break
        tree = grown
    signal_all(tree, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    """Running (not ended, not a zombie waiting for its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return not Path("/proc").is_dir()
    return stat[stat.rindex(")") + 2:].split()[0] not in ("Z", "X")
