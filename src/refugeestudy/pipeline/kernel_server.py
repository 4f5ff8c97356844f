"""A process that has imported what report kernels need, and forks a kernel on request (Linux).

A report kernel started the usual way (``python -m ipykernel_launcher``)
spends about a second of CPU importing ipykernel, pandas, matplotlib and
pyarrow before its first cell does any work, and ``refugeestudy run`` starts
one kernel per report. The runner instead starts one kernel server
(:func:`serving`), which imports those modules once (:data:`PRELOADED`); each
report's kernel is a fork of it, which shares them and starts in about a
tenth of the CPU. The workers ask for kernels through
:class:`refugeestudy.pipeline.kernels.PreloadedKernelManager`.

What a forked kernel sees is what a fresh one sees:

- the command-line arguments, environment and working folder jupyter_client
  would have started it with, and ``sys.path`` as ``python -m`` makes it;
- the fixed hash seed of the runner's kernels (the server is started with it,
  and a fork keeps it), so reports stay byte-identical;
- ``MPLBACKEND`` set to the inline backend, which ipykernel sets in every
  kernel and matplotlib reads when it is imported: the server sets it before
  importing matplotlib;
- the project's own modules are not preloaded: each kernel imports the library
  from disk, as a fresh one does;
- a session of its own (as jupyter_client starts kernels), killed when its
  server dies (``PR_SET_PDEATHSIG``) or when the worker that asked for it
  hangs up; the server ends when the runner closes its standard input or dies.

In ``ps`` a forked kernel shows its server's command line
(``python -m refugeestudy.pipeline.kernel_server``), not ``ipykernel_launcher``.

The protocol, one Unix-socket connection per kernel: the worker sends one JSON
line ``{"arguments": [...], "cwd": ..., "environment": {...}}``; the server
answers ``{"pid": N}`` once the kernel is forked and ``{"exit": code}`` when
it has ended (a negative code is the signal that ended it), then closes the
connection. Closing the connection first kills the kernel's session.

Examples
--------
>>> "pandas" in PRELOADED and not any(name.startswith("refugeestudy") for name in PRELOADED)
True
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["PRELOADED", "INLINE_BACKEND", "KernelServer", "available", "serving", "signal_kernel"]

#: Modules the server imports once: most of a report kernel's start-up CPU. Third-party only.
PRELOADED = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "IPython.core.interactiveshell",
    "numpy", "pandas", "pandas.io.formats.style", "pyarrow.parquet", "matplotlib.pyplot",
    "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
)
#: What ipykernel puts in ``MPLBACKEND`` when it is not set (see the module's docstring).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_REQUEST_LIMIT = 1 << 20  # bytes: a kernel's environment is a few kB


def available() -> bool:
    """Whether kernels can be forked here: Linux only.

    macOS forks badly once numpy's Accelerate or Objective-C frameworks are
    loaded, and Windows has no ``fork``; kernels start the usual way there.

    Examples
    --------
    >>> available() == sys.platform.startswith("linux")
    True
    """
    return sys.platform.startswith("linux")


@dataclass(frozen=True)
class KernelServer:
    """A running kernel server: where to ask for kernels, and its process id."""

    address: str
    pid: int


@contextlib.contextmanager
def serving(hash_seed: str) -> Iterator[KernelServer | None]:
    """Run a kernel server for the duration of the block (``None`` where :func:`available` is false).

    The socket listens before the server process starts, so a worker can ask
    for a kernel at once: it waits while the server imports. Leaving the block
    closes the server's standard input; the server kills the kernels still
    running and exits, and this waits for it.

    Parameters
    ----------
    hash_seed : str
        ``PYTHONHASHSEED`` of the server, hence of every kernel forked from it.

    Examples
    --------
    >>> with serving("0") as server:
    ...     os.path.exists(server.address) if server else True
    True
    """
    if not available():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="refugeestudy-kernels-") as folder:
        address = os.path.join(folder, "server")
        environment = dict(os.environ, PYTHONHASHSEED=hash_seed)
        environment.setdefault("MPLBACKEND", INLINE_BACKEND)
        # Only the server keeps the listening socket: if it dies, a worker's request is refused at
        # once (and its kernel starts the usual way) instead of waiting in the queue.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(address)
            listener.listen(16)
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(listener.fileno()), str(os.getpid())],
                stdin=subprocess.PIPE, pass_fds=[listener.fileno()], env=environment)
        try:
            yield KernelServer(address, process.pid)
        finally:
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class _Server:
    """The server's state: the listening socket, and each kernel's connection."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.kernels: dict[int, socket.socket] = {}  # kernel pid -> its worker's connection
        self.selector = selectors.DefaultSelector()
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_read, False)
        os.set_blocking(self.wakeup_write, False)

    def own_descriptors(self) -> list[int]:
        """Every descriptor a forked kernel must not keep (the server's, and other kernels')."""
        connections = [connection.fileno() for connection in self.kernels.values()]
        return [self.listener.fileno(), self.wakeup_read, self.wakeup_write, 0, *connections]

    def serve(self) -> None:
        """Fork kernels on request until standard input closes, then kill the ones left."""
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through the pipe
        signal.set_wakeup_fd(self.wakeup_write)
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wakeup_read, selectors.EVENT_READ, "reap")
        self.selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stop")
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.data == "stop" and not os.read(sys.stdin.fileno(), 4096):
                        return
                    if key.data == "accept":
                        self.start_kernel(self.listener.accept()[0])
                    elif key.data == "reap":
                        with contextlib.suppress(BlockingIOError):
                            while os.read(self.wakeup_read, 4096):
                                pass
                        self.reap()
                    elif isinstance(key.data, int) and _hung_up(key.fileobj):
                        self.kill(key.data)  # its worker is done with it, or died
        finally:
            for pid in list(self.kernels):
                self.kill(pid)

    def start_kernel(self, connection: socket.socket) -> None:
        """Read one request from ``connection``, fork the kernel, answer with its pid."""
        connection.settimeout(30)
        try:
            with connection.makefile("rb") as stream:
                request = json.loads(stream.readline(_REQUEST_LIMIT))
        except (OSError, ValueError) as exc:
            print(f"refugeestudy kernel server: bad request ({exc}); ignored", file=sys.stderr)
            connection.close()
            return
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, self.own_descriptors() + [connection.fileno()])
        self.kernels[pid] = connection
        with contextlib.suppress(OSError):  # a worker gone meanwhile: seen as a hang-up below
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        self.selector.register(connection, selectors.EVENT_READ, pid)

    def reap(self) -> None:
        """Tell each ended kernel's worker how it ended, and hang up."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            connection = self.kernels.pop(pid, None)
            if connection is not None:
                self.stop_watching(connection)
                with contextlib.suppress(OSError):  # the worker may have hung up already
                    message = {"exit": os.waitstatus_to_exitcode(status)}
                    connection.sendall(json.dumps(message).encode() + b"\n")
                connection.close()

    def kill(self, pid: int) -> None:
        """Kill kernel ``pid`` and its session (it is reaped and its connection closed later)."""
        with contextlib.suppress(ProcessLookupError):
            signal_kernel(pid, signal.SIGKILL)
        connection = self.kernels.get(pid)
        if connection is not None:
            self.stop_watching(connection)  # nothing more to read from it

    def stop_watching(self, connection: socket.socket) -> None:
        """Stop waiting for ``connection`` to hang up (it may already have)."""
        if self.selector.get_map().get(connection.fileno()) is not None:
            self.selector.unregister(connection)


def signal_kernel(pid: int, number: int) -> None:
    """Send signal ``number`` to forked kernel ``pid`` and its session, or to it alone.

    A kernel leads its own session once it runs; until then its group is the
    server's, which is never looked up or signalled.

    Examples
    --------
    >>> import subprocess
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
    ...                          start_new_session=True)
    >>> signal_kernel(child.pid, signal.SIGKILL); child.wait()
    -9
    """
    try:
        os.killpg(pid, number)
    except ProcessLookupError:  # not a session leader (yet)
        os.kill(pid, number)


def _hung_up(connection: socket.socket) -> bool:
    """Whether the worker at the other end closed ``connection`` (it sends nothing after its request)."""
    try:
        return not connection.recv(1)
    except OSError:
        return True


def _become_kernel(request: dict, inherited: list[int]) -> None:
    """In the forked child: be ``python -m ipykernel_launcher <arguments>``; never returns."""
    code = 1
    try:
        import runpy

        from refugeestudy.pipeline._locking import die_with_parent

        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new interpreter
        for descriptor in inherited:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.setsid()
        die_with_parent(os.getppid())
        os.environ.clear()
        os.environ.update(request["environment"])
        os.chdir(request["cwd"])
        sys.path[0] = request["cwd"]  # what ``python -m`` puts first (ipykernel_launcher takes it out)
        sys.argv = ["ipykernel_launcher", *request["arguments"]]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:  # noqa: BLE001 - reported, then the child ends with 1
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)  # never back into the server's loop; atexit handlers are the server's


def main(argv: list[str]) -> None:
    """Entry point of the server process: ``python -m refugeestudy.pipeline.kernel_server FD PID``."""
    from refugeestudy.pipeline._locking import die_with_parent

    listener_fd, runner = int(argv[0]), int(argv[1])
    # Ctrl-C reaches the whole foreground group: the runner stops everything (kill_tree), and a
    # traceback from this process would only be noise. Each kernel gets Python's handler back.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(runner)
    for name in PRELOADED:
        __import__(name)
    _Server(socket.socket(fileno=listener_fd)).serve()
    sys.stderr.flush()
    # Tearing down pandas and matplotlib at exit takes a fifth of a second the runner would wait
    # for; nothing of the server's needs it (it writes no file, every kernel is killed).
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
