"""The fault classes issue 18 found untried: signals, a full disk, read-only folders, run and build at once.

Each case checks the same four things afterwards: the previous reports and
``data/`` are byte-identical, no staging (``reports/.staging-*``) or build
folder (``data/processed/.build-*``) is left, no process the command started
is alive (report workers, notebook kernels and the kernels' joblib/loky
workers), and the next command works.

The runs use a small synthetic notebook (a heartbeat file shows it is busy;
it also starts joblib's loky workers, as report 05 does); the builds build the
embedded plan, slowed by a patched ``write_parquet`` so that a signal lands
while the build folder is being written. A full disk is a small tmpfs where
the machine allows mounting one (root), else a patched write raising
``ENOSPC``; a read-only folder is a read-only bind mount (root) or, for
another user, a folder without write permission.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from rich.console import Console

from refugeestudy.pipeline import build as bd
from refugeestudy.pipeline._locking import LockedError, descendants
from refugeestudy.pipeline.run import load_plan, run_reports

from .conftest import make_project, tree_digest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, signals, mounts")

_BUSY = """\
import os, time
from joblib import Parallel, delayed
Parallel(n_jobs=2)(delayed(abs)(i) for i in range(4))  # loky workers, as report 05 starts
with open(beat, "a") as f:
    f.write(f"{os.getpid()}\\n"); f.flush()
    for _ in range(int(wait * 20)):
        f.write("."); f.flush(); time.sleep(0.05)
"""


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('beat = ""\nwait = 0  # range: 0..600')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params,
                nbformat.v4.new_code_cell("from refugeestudy.pipeline.report import write_results\n"
                                          "write_results({'headline': 'busy', 'wait': wait})"),
                nbformat.v4.new_code_cell(_BUSY)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _plan(root: Path, beat: Path, wait: int) -> Path:
    path = root / f"busy-{wait}.yml"
    report = {"notebook": "notebooks/busy.ipynb", "parameters": {"beat": str(beat), "wait": wait}}
    path.write_text(yaml.safe_dump({"plans": {"embedded": {"output": "reports",
                                                           "reports": {"busy": report}}}}))
    return path


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    """Once per module: a project with a good ``reports/busy`` report and embedded tables."""
    root = make_project(tmp_path_factory.mktemp("template") / "project")
    _notebook(root / "notebooks" / "busy.ipynb")
    saved = {name: os.environ.get(name) for name in ("REFUGEESTUDY_ROOT", "REFUGEESTUDY_PLAN")}
    os.environ["REFUGEESTUDY_ROOT"] = str(root)
    os.environ.pop("REFUGEESTUDY_PLAN", None)
    try:
        (good,) = run_reports(load_plan(_plan(root, root / "beat.txt", 0)), jobs=1)
        assert good.status == "ran", good.message
        bd.build_plans(["embedded"], console=Console(file=io.StringIO()))
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
    (root / "beat.txt").unlink()
    return root


@pytest.fixture
def busy(_template, tmp_path, monkeypatch):
    """A copy of the template project (cwd, REFUGEESTUDY_ROOT) and its heartbeat file's path."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(_template, root, symlinks=True)
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(root))
    monkeypatch.delenv("REFUGEESTUDY_PLAN", raising=False)
    monkeypatch.chdir(root)
    return root, tmp_path / "beat.txt"


def _state(root: Path) -> dict[str, str]:
    """Every file of reports/ and data/, minus lock files (they record the last holder's pid)."""
    return {k: v for k, v in tree_digest(root).items()
            if k.startswith(("reports/", "data/")) and not k.endswith(".lock")
            and not k.startswith("reports/.runcache/")}


def _leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for pattern in
                  ("reports/.staging-*", "data/processed/.build-*", "**/.tmp-*") for p in
                  root.glob(pattern))


def _start(root: Path, *args: str, patch: str = "") -> subprocess.Popen:
    """The command in its own process group (a terminal's Ctrl-C reaches the whole group)."""
    code = textwrap.dedent(patch) + "\nfrom refugeestudy.cli import app\napp()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=root,
                            env={**os.environ, "REFUGEESTUDY_ROOT": str(root)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _wait_for(beat: Path, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not (beat.exists() and "\n" in beat.read_text()):
        assert process.poll() is None, f"ended before {what}: {process.communicate()[0]}"
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.1)


def _all_gone(pids: list[int]) -> list[int]:
    from refugeestudy.pipeline._locking import _alive

    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


def _send(process: subprocess.Popen, how: str) -> None:
    if how == "ctrl-c":  # what a terminal does: SIGINT to every process of the foreground group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGINT)


# --------------------------------------------------------------------------- signals
@pytest.mark.parametrize("how, code, words", [
    ("sigterm", 143, "error: terminated (SIGTERM); outputs are written atomically"),
    ("sigint", 130, "error: interrupted; outputs are written atomically"),
    ("ctrl-c", 130, "error: interrupted; outputs are written atomically"),
])
def test_run_stopped_by_a_signal_leaves_nothing_behind(busy, how, code, words):
    project, beat = busy
    before = _state(project)
    runner = _start(project, "run", "--plan-file", str(_plan(project, beat, 600)), "--force",
                    "--jobs", "1")
    try:
        _wait_for(beat, runner, "the notebook's busy cell")
        started = descendants(runner.pid)  # worker, kernel, loky workers
        assert len(started) >= 3, started
        _send(runner, how)
        output, _ = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == code, output
    assert words in output and "Traceback" not in output, output
    assert _all_gone(started) == [], "a worker, kernel or loky worker outlived the runner"
    size = beat.stat().st_size
    time.sleep(0.5)
    assert beat.stat().st_size == size, "something still writes after the runner ended"
    assert _state(project) == before
    assert _leftovers(project) == []
    (again,) = run_reports(load_plan(_plan(project, beat, 0)), jobs=1, force=True)
    assert again.status == "ran", again.message


_SLOW_WRITES = """\
import os, time
import refugeestudy.pipeline.build as b
_write = b.write_parquet
def slow(frame, path):
    with open(os.environ["BEAT"], "a") as f:
        f.write(f"{path}\\n")
    time.sleep(0.4)
    return _write(frame, path)
b.write_parquet = slow
"""


@pytest.mark.parametrize("how, code", [("sigterm", 143), ("sigint", 130), ("ctrl-c", 130)])
def test_build_stopped_by_a_signal_leaves_the_previous_tables(busy, monkeypatch, how, code):
    project, beat = busy
    monkeypatch.setenv("BEAT", str(beat))
    before = _state(project)
    builder = _start(project, "build", "--plan", "embedded", "--force", patch=_SLOW_WRITES)
    try:
        _wait_for(beat, builder, "the build's first table")
        assert list((project / "data" / "processed").glob(".build-embedded-*"))  # mid-build
        _send(builder, how)
        output, _ = builder.communicate(timeout=60)
    finally:
        if builder.poll() is None:
            builder.kill()
    assert builder.returncode == code, output
    assert "Traceback" not in output, output
    assert _state(project) == before
    assert _leftovers(project) == []
    summary = bd.build_plans(["embedded"], console=Console(file=io.StringIO()))["embedded"]
    assert summary.unchanged  # the previous tables were kept whole


def test_build_killed_with_sigkill_leaves_a_folder_the_next_build_removes(busy, monkeypatch):
    """SIGKILL runs no clean-up: the next build (of any plan) removes what was left."""
    project, beat = busy
    monkeypatch.setenv("BEAT", str(beat))
    before = _state(project)
    builder = _start(project, "build", "--plan", "embedded", "--force", patch=_SLOW_WRITES)
    _wait_for(beat, builder, "the build's first table")
    builder.kill()
    builder.wait()
    assert [p.name[:15] for p in (project / "data" / "processed").glob(".build-*")] == [
        ".build-embedded"]
    bd.build_plans(["full"], console=Console(file=io.StringIO()))  # another plan's build
    assert _leftovers(project) == []
    assert {k: v for k, v in _state(project).items() if "processed/full" not in k} == before


# --------------------------------------------------------------------------- a full disk
@contextlib.contextmanager
def _small_disk(folder: Path, size: str, kind: str):
    """A tmpfs of ``size`` mounted on ``folder`` (its files copied in); None for ``patched``.

    Where the machine does not allow mounting one, the ``tmpfs`` case is skipped (the
    ``patched`` case still runs).
    """
    import shutil

    if kind == "patched":
        yield None
        return
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root here; the patched case covers a full disk")
    keep = folder.with_name(folder.name + ".kept")
    shutil.copytree(folder, keep)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode != 0:
        shutil.rmtree(keep)
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        shutil.copytree(keep, folder, dirs_exist_ok=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(keep)


def _fill(folder: Path) -> Path:
    """Take every free byte of ``folder``'s file system."""
    filler = folder / "filler.bin"
    with open(filler, "wb") as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
    return filler


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "data/processed/.build-embedded-x")


@pytest.mark.parametrize("kind", ["tmpfs", "patched"])
def test_build_on_a_full_disk_keeps_the_previous_tables(busy, cli, kind):
    project, _ = busy
    processed = project / "data" / "processed"
    with _small_disk(processed, "4m", kind) as disk, pytest.MonkeyPatch.context() as patch:
        if disk is None:  # no tmpfs here: the write itself says the disk is full
            patch.setattr(bd, "write_parquet", _no_space)
        else:
            filler = _fill(disk)
        before = _state(project)
        code, output = cli("build", "--plan", "embedded", "--force")
        assert code == 1, output
        assert output.startswith("error: No space left on device"), output
        assert "hint: free some space" in output
        assert _state(project) == before
        assert _leftovers(project) == []
        if disk is not None:
            filler.unlink()
        patch.undo()
        code, output = cli("build", "--plan", "embedded", "--force")
        assert code == 0, output


@pytest.mark.parametrize("kind", ["tmpfs", "patched"])
def test_run_on_a_full_disk_keeps_the_previous_report(busy, cli, kind):
    import refugeestudy.pipeline.run as run_module

    project, beat = busy
    plan = str(_plan(project, beat, 0))
    with _small_disk(project / "reports", "8m", kind) as disk, pytest.MonkeyPatch.context() as patch:
        if disk is None:
            patch.setattr(run_module, "replace_directory", _no_space)
        else:
            filler = _fill(disk)
        before = _state(project)
        code, output = cli("run", "--plan-file", plan, "--force")
        assert code == 1, output
        assert "No space left on device" in output and "Traceback" not in output, output
        assert {k: v for k, v in _state(project).items() if not k.endswith(".failed.ipynb")} == before
        assert _leftovers(project) == []
        if disk is not None:
            filler.unlink()
        patch.undo()
        code, output = cli("run", "--plan-file", plan, "--force")
        assert code == 0, output


# --------------------------------------------------------------------------- read-only folders
@contextlib.contextmanager
def _read_only(folder: Path):
    """``folder`` read-only: a read-only bind mount (root), else no write permission."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for path in modes:
            path.chmod(0o555)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True,
                             check=False).returncode == 0 and subprocess.run(
        ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True,
        check=False).returncode == 0
    if not mounted:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)
        pytest.skip("cannot make a read-only bind mount here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("folder, args, words", [
    ("reports", ("run", "--force"), "error: Read-only file system: "),
    ("data", ("build", "--plan", "embedded", "--force"), "error: Read-only file system: "),
], ids=["run-reports-read-only", "build-data-read-only"])
def test_read_only_output_folder_is_refused_with_one_line(busy, cli, folder, args, words):
    project, beat = busy
    args = (*args, "--plan-file", str(_plan(project, beat, 0))) if args[0] == "run" else args
    before = _state(project)
    with _read_only(project / folder):
        code, output = cli(*args)
    assert code == 1, output
    if os.geteuid() != 0:
        words = "error: Permission denied: "
    assert output.startswith(words) and "hint: " in output, output
    assert _state(project) == before
    assert _leftovers(project) == []
    assert cli(*args)[0] == 0  # writable again: it works


def test_run_reads_a_read_only_data_folder(busy, cli):
    """Rightly accepted: a run only reads data/ (its shared lock opens the lock file to read)."""
    project, beat = busy
    with _read_only(project / "data"):
        code, output = cli("run", "--plan-file", str(_plan(project, beat, 0)), "--force")
    assert code == 0, output
    assert _leftovers(project) == []


# --------------------------------------------------------------------------- run and build at once
def test_build_while_a_run_reads_the_tables_is_refused(busy, tmp_path):
    project, beat = busy
    runner = _start(project, "run", "--plan-file", str(_plan(project, beat, 600)), "--force",
                    "--jobs", "1")
    try:
        _wait_for(beat, runner, "the notebook's busy cell")
        before = _state(project)
        with pytest.raises(LockedError, match=r"another build of data/processed/embedded \(or a "
                                              r"run reading it\) is in progress"):
            bd.build_plans(["embedded"], console=Console(file=io.StringIO()), force=True)
        assert _state(project) == before
    finally:
        started = descendants(runner.pid)
        runner.send_signal(signal.SIGTERM)
        runner.communicate(timeout=60)
    assert _all_gone(started) == []
    assert _leftovers(project) == []


def test_run_while_a_build_writes_the_tables_is_refused(busy, cli, monkeypatch):
    project, beat = busy
    monkeypatch.setenv("BEAT", str(beat))
    builder = _start(project, "build", "--plan", "embedded", "--force", patch=_SLOW_WRITES)
    try:
        _wait_for(beat, builder, "the build's first table")
        before = _state(project)
        code, output = cli("run", "--plan-file", str(_plan(project, beat, 0)), "--force")
        assert code == 1, output
        assert output.startswith("error: another build of data/processed/embedded is in progress")
        assert {k: v for k, v in _state(project).items() if k.startswith("reports/")} == {
            k: v for k, v in before.items() if k.startswith("reports/")}
    finally:
        output, _ = builder.communicate(timeout=120)
    assert builder.returncode == 0, output
    assert _leftovers(project) == []
