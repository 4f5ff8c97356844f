"""Report kernels forked by the kernel server: the same kernel as a fresh one, and no stray process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import nbformat
import papermill
import pytest
from traitlets.config import Config

from refugeestudy.pipeline import kernel_server
from refugeestudy.pipeline.kernels import ForkedKernel, PreloadedKernelManager

pytestmark = pytest.mark.skipif(not kernel_server.available(), reason="kernels are forked on Linux only")

# What a cell can see of how its kernel was started. `preloaded` is the one value that differs.
PROBE = """\
import json, os, sys
import matplotlib
seen = {"cwd": os.getcwd(), "variable": os.environ.get("REFUGEESTUDY_TEST_VARIABLE"),
        "hash": hash("refugeestudy"), "backend": matplotlib.get_backend(),
        "path0": sys.path[0], "argv_tail": sys.argv[1:2], "main": sys.modules["__main__"].__name__,
        "session_leader": os.getsid(0) == os.getpid(), "parent": os.getppid(),
        "stdin_is_tty": sys.stdin is not None and sys.stdin.isatty()}
print(json.dumps(seen))
"""
PRELOADED_PROBE = "import sys; print('pandas' in sys.modules)"


def _notebook(folder, *cells) -> str:
    path = folder / "probe.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return str(path)


def _run(notebook: str, folder, server: str | None) -> list[str]:
    """Run ``notebook`` in ``folder`` and return each cell's printed text."""
    settings = {}
    if server is not None:
        settings = {"kernel_manager_class": PreloadedKernelManager,
                    "config": Config({"PreloadedKernelManager": {"kernel_server": server}})}
    done = papermill.execute_notebook(notebook, str(folder / "out.ipynb"), kernel_name="python3",
                                      cwd=str(folder), progress_bar=False, shutdown_kernel="immediate",
                                      **settings)
    return [cell.outputs[0]["text"].strip() for cell in done.cells]


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture()
def seeded(monkeypatch):
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("REFUGEESTUDY_TEST_VARIABLE", "seen by the kernel")


def test_a_forked_kernel_sees_what_a_fresh_one_sees(tmp_path, seeded):
    notebook = _notebook(tmp_path, PROBE, PRELOADED_PROBE)
    fresh_probe, fresh_preloaded = _run(notebook, tmp_path, None)
    with kernel_server.serving("0") as server:
        forked_probe, forked_preloaded = _run(notebook, tmp_path, server.address)
    fresh, forked = json.loads(fresh_probe), json.loads(forked_probe)
    assert forked.pop("parent") == server.pid  # forked by the server...
    assert fresh.pop("parent") != server.pid
    assert (fresh_preloaded, forked_preloaded) == ("False", "True")  # ...with pandas imported
    assert forked == fresh  # and otherwise the same kernel
    expected_hash = subprocess.run([sys.executable, "-c", "print(hash('refugeestudy'))"],
                                   env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True,
                                   text=True, check=True).stdout.strip()
    assert forked["hash"] == int(expected_hash)  # the seed is in effect, not only in the variable
    assert forked["cwd"] == str(tmp_path) and forked["variable"] == "seen by the kernel"
    assert forked["backend"] == kernel_server.INLINE_BACKEND and forked["session_leader"]


def _bare_kernel(server: str, folder) -> ForkedKernel:
    return ForkedKernel.start(server, ["-f", str(folder / "kernel.json")], str(folder), dict(os.environ))


def test_hanging_up_kills_the_kernel(tmp_path):
    with kernel_server.serving("0") as server:
        kernel = _bare_kernel(server.address, tmp_path)
        assert kernel.poll() is None  # running
        kernel.close()
        assert _gone(kernel.pid)
        time.sleep(0.2)  # the server reaps it
        another = _bare_kernel(server.address, tmp_path)  # and goes on serving
        assert another.poll() is None


def test_a_killed_kernel_reports_its_signal(tmp_path):
    with kernel_server.serving("0") as server:
        kernel = _bare_kernel(server.address, tmp_path)
        kernel.kill()
        assert kernel.wait(timeout=10) == -9


def test_leaving_the_server_kills_its_kernels(tmp_path):
    with kernel_server.serving("0") as server:
        kernel = _bare_kernel(server.address, tmp_path)
    assert _gone(server.pid) and _gone(kernel.pid)
    assert not os.path.exists(server.address)


def test_a_bad_request_is_refused_and_the_server_goes_on(tmp_path, capfd):
    import socket

    with kernel_server.serving("0") as server:
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(server.address)
            connection.sendall(b"not json\n")
            assert connection.recv(100) == b""  # hung up on, nothing forked
        kernel = _bare_kernel(server.address, tmp_path)
        assert kernel.poll() is None
    assert "bad request" in capfd.readouterr().err


def test_without_a_server_the_kernel_starts_the_usual_way(tmp_path, seeded, capfd):
    notebook = _notebook(tmp_path, PRELOADED_PROBE)
    assert _run(notebook, tmp_path, str(tmp_path / "no-server-here")) == ["False"]
    assert "not reachable" in capfd.readouterr().err


def test_a_forked_kernel_can_be_interrupted(tmp_path):
    # How jupyter_client interrupts a cell: SIGINT to the kernel, which Python's handler turns into
    # KeyboardInterrupt (the server ignores SIGINT; each kernel gets it back).
    notebook = _notebook(tmp_path, "import time\ntime.sleep(60)")
    started = time.monotonic()
    with kernel_server.serving("0") as server, pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(
            notebook, str(tmp_path / "out.ipynb"), kernel_name="python3", cwd=str(tmp_path),
            progress_bar=False, execution_timeout=2, interrupt_on_timeout=True,
            kernel_manager_class=PreloadedKernelManager,
            config=Config({"PreloadedKernelManager": {"kernel_server": server.address}}))
    assert error.value.ename == "KeyboardInterrupt"
    assert time.monotonic() - started < 30


def test_a_dead_server_is_refused_at_once_and_kernels_start_the_usual_way(tmp_path, seeded, capfd):
    notebook = _notebook(tmp_path, PRELOADED_PROBE)
    with kernel_server.serving("0") as server:
        os.kill(server.pid, 9)
        os.waitpid(server.pid, 0)  # this process started it
        started = time.monotonic()
        assert _run(notebook, tmp_path, server.address) == ["False"]
        assert time.monotonic() - started < 30  # not the server timeout's 120 s
    assert "not reachable" in capfd.readouterr().err
