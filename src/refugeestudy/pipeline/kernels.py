"""The kernel manager the runner gives papermill: kernels forked by the kernel server.

:class:`PreloadedKernelManager` is jupyter_client's ``AsyncKernelManager``
with one setting, ``kernel_server``: the address of a running
:mod:`refugeestudy.pipeline.kernel_server`. When it is set, a kernel whose
command is this interpreter's ``-m ipykernel_launcher`` is forked by the
server (already holding ipykernel, pandas and matplotlib) instead of started
as a new interpreter; any other kernel, or any kernel when the setting is
empty, starts the usual way. If the server cannot be reached the kernel
starts the usual way too, with one line on standard error.

Imported by the runner's workers only (it imports jupyter_client).

Examples
--------
>>> from traitlets.config import Config
>>> manager = PreloadedKernelManager(
...     kernel_name="python3",
...     config=Config({"PreloadedKernelManager": {"kernel_server": "/tmp/server"}}))
>>> manager.kernel_server
'/tmp/server'
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import uuid

from jupyter_client import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

from refugeestudy.pipeline.kernel_server import signal_kernel

__all__ = ["PreloadedKernelManager", "PreloadedProvisioner", "ForkedKernel", "is_ipykernel_command"]

#: Seconds to wait for the server to fork a kernel (it may still be importing).
SERVER_TIMEOUT = 120


def is_ipykernel_command(command: list[str]) -> bool:
    """Whether ``command`` starts an ipykernel with this interpreter, as the server would fork it.

    Examples
    --------
    >>> is_ipykernel_command([sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"])
    True
    >>> is_ipykernel_command(["R", "--slave", "-e", "IRkernel::main()"])
    False
    """
    return command[:3] == [sys.executable, "-m", "ipykernel_launcher"]


class ForkedKernel:
    """A kernel forked by the server, with the part of :class:`subprocess.Popen` jupyter_client uses.

    Its exit code comes from the server, which is its parent; closing the
    connection (:meth:`close`) makes the server kill it.
    """

    stdin = stdout = stderr = None

    def __init__(self, connection: socket.socket, pid: int):
        self.connection = connection
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def start(cls, server: str, arguments: list[str], cwd: str, environment: dict) -> ForkedKernel:
        """Ask the server at ``server`` for ``python -m ipykernel_launcher <arguments>``."""
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.settimeout(SERVER_TIMEOUT)
            connection.connect(server)
            request = {"arguments": arguments, "cwd": cwd, "environment": environment}
            connection.sendall(json.dumps(request).encode() + b"\n")
            answer = cls._read_line(connection)
            if not answer:
                raise ConnectionError("the kernel server closed the connection")
            connection.settimeout(None)
            return cls(connection, json.loads(answer)["pid"])
        except BaseException:
            connection.close()
            raise

    @staticmethod
    def _read_line(connection: socket.socket) -> bytes:
        line = b""
        while not line.endswith(b"\n"):
            chunk = connection.recv(1)
            if not chunk:
                break
            line += chunk
        return line

    def _read_exit(self) -> None:
        line = self._read_line(self.connection)
        # No answer: the server itself died, and the kernel with it (SIGKILL on its death).
        self.returncode = json.loads(line)["exit"] if line else -signal.SIGKILL
        self.close()

    def poll(self) -> int | None:
        """The exit code if the kernel has ended, else ``None`` (never blocks)."""
        if self.returncode is None and select.select([self.connection], [], [], 0)[0]:
            self._read_exit()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the kernel to end (at most ``timeout`` seconds); its exit code or ``None``."""
        if self.returncode is None and select.select([self.connection], [], [], timeout)[0]:
            self._read_exit()
        return self.returncode

    def send_signal(self, number: int) -> None:
        """Signal the kernel's session (it leads one once it runs), else the kernel."""
        if self.returncode is None:  # once reaped, its pid may already be another process's
            signal_kernel(self.pid, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def close(self) -> None:
        """Hang up: the server kills the kernel if it still runs."""
        self.connection.close()


class PreloadedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, asking the kernel server to fork ipykernels."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        """Fork the kernel from the server; start ``cmd`` the usual way when it cannot be."""
        server = self.parent.kernel_server
        if not (server and is_ipykernel_command(cmd)):
            return await super().launch_kernel(cmd, **kwargs)
        try:
            kernel = ForkedKernel.start(server, cmd[3:], str(kwargs.get("cwd") or os.getcwd()),
                                        dict(kwargs.get("env") or os.environ))
        except (OSError, ValueError, KeyError) as exc:
            print(f"refugeestudy: kernel server at {server} not reachable ({exc}); "
                  "starting the kernel the usual way", file=sys.stderr)
            return await super().launch_kernel(cmd, **kwargs)
        self.process, self.pid, self.pgid = kernel, kernel.pid, None
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        """Signal a forked kernel through :meth:`ForkedKernel.send_signal` (never a looked-up group)."""
        if isinstance(self.process, ForkedKernel):
            self.process.send_signal(signum)
        else:
            await super().send_signal(signum)

    async def cleanup(self, restart: bool = False) -> None:
        """Hang up on the server too (it then kills the kernel if it still runs)."""
        if isinstance(self.process, ForkedKernel):
            self.process.close()
        await super().cleanup(restart)


class PreloadedKernelManager(AsyncKernelManager):
    """papermill's (nbclient's) kernel manager, its ipykernels forked by a kernel server."""

    kernel_server = Unicode("", config=True,
                            help="Address of a refugeestudy kernel server; empty: start kernels as usual.")

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = PreloadedProvisioner(kernel_id=self.kernel_id,
                                                    kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
