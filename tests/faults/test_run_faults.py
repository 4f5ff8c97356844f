"""``refugeestudy run`` under faults: refused before anything changes, or failed beside the good report.

Most cases never start a kernel: the runner refuses first (no built tables, a
required source missing, another run holding the lock). A few run a small
synthetic notebook: a cell that outlives its timeout, and a runner killed with
SIGKILL while a worker is busy (no worker or kernel may write afterwards).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from refugeestudy import paths
from refugeestudy.pipeline import datasets
from refugeestudy.pipeline._locking import LockedError, hold_lock
from refugeestudy.pipeline.run import MissingInput, load_plan, run_reports

from .conftest import make_project


def _notebook(path: Path, parameters: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _plan(root: Path, name: str, reports: dict) -> Path:
    import yaml

    path = root / name
    path.write_text(yaml.safe_dump({"plans": {"embedded": {"output": "reports", "reports": reports}}}),
                    encoding="utf-8")
    return path


@pytest.fixture
def with_reports(tmp_path, monkeypatch):
    """A project copy holding the committed reports (a fault must never replace them)."""
    root = make_project(tmp_path / "project", reports=True)
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(root))
    monkeypatch.delenv("REFUGEESTUDY_PLAN", raising=False)
    monkeypatch.chdir(root)
    return root


# --------------------------------------------------------------------------- refused before any kernel
def test_run_before_build_refuses_and_keeps_the_committed_reports(with_reports, cli, unchanged):
    """Regression: `run` before `build` replaced 02 and 03 with empty "available: false" reports."""
    with unchanged(with_reports, exclude=("reports/.run.lock",)):
        code, output = cli("run")
    assert code == 1
    assert output.splitlines() == [
        "error: plan 'embedded': data/processed/embedded has not been built",
        "hint: run: refugeestudy build --plan embedded"]


def test_deleted_built_table_refuses(with_reports, cli, unchanged):
    cli("build", "--plan", "embedded")
    (with_reports / "data" / "processed" / "embedded" / "key_events.parquet").unlink()
    with unchanged(with_reports, exclude=("reports/.run.lock",)):
        code, output = cli("run")
    assert code == 1
    assert output.splitlines() == [
        "error: report '03-arrivals-vs-violence': input "
        "data/processed/embedded/key_events.parquet not found",
        "hint: build the plan's tables first: refugeestudy build --plan embedded"]


def test_full_plan_without_its_sources_refuses(with_reports, cli, unchanged):
    cli("build", "--plan", "full")  # the log only: nothing fetched
    with unchanged(with_reports, exclude=("reports/full/.run.lock",)):
        code, output = cli("run", "--plan", "full")
    assert code == 1
    assert output.splitlines() == [
        "error: plan 'full' requires source 'ucdp_ged', which data/processed/full does not hold",
        "hint: refugeestudy fetch ucdp_ged (or --mirror DIR), then refugeestudy build --plan full"]


def test_full_plan_never_built(with_reports, cli, unchanged):
    with unchanged(with_reports, exclude=("reports/full/.run.lock",)):
        code, output = cli("run", "--plan", "full")
    assert code == 1
    assert "error: plan 'full': data/processed/full has not been built" in output
    assert "hint: run: refugeestudy build --plan full" in output


def test_damaged_build_manifest(with_reports, cli, unchanged):
    cli("build", "--plan", "full")
    (with_reports / "data" / "processed" / "full" / "build_manifest.json").write_text("{oops")
    with unchanged(with_reports, exclude=("reports/full/.run.lock",)):
        code, output = cli("run", "--plan", "full")
    assert code == 1 and "build_manifest.json is damaged" in output
    assert "refugeestudy build --plan full --force" in output


def test_deleted_raw_input(with_reports, cli, unchanged):
    cli("build", "--plan", "embedded")
    (with_reports / "data" / "raw" / "reports" / "sources.csv").unlink()
    with unchanged(with_reports, exclude=("reports/.run.lock",)):
        code, output = cli("run", "01-data-audit")
    assert code == 1
    assert "input data/raw/reports/sources.csv not found" in output
    assert "hint: restore the file" in output


def test_second_run_on_one_output_folder_is_refused(with_reports, cli, unchanged):
    cli("build", "--plan", "embedded")
    with hold_lock(with_reports / "reports" / ".run.lock", "test"):
        with unchanged(with_reports):
            code, output = cli("run", "--force")
    assert code == 1
    assert output.startswith(f"error: another run writing reports/ is in progress (lock .run.lock, "
                             f"last taken by process {os.getpid()})")
    assert "hint: wait for it to finish" in output


def test_run_refused_while_its_tables_are_being_built(with_reports, unchanged):
    from refugeestudy.pipeline.build import build_plans
    import io
    from rich.console import Console

    build_plans(["embedded"], console=Console(file=io.StringIO()))
    lock = with_reports / "data" / "processed" / ".embedded.lock"
    with hold_lock(lock, "build"), unchanged(with_reports, exclude=("reports/.run.lock",)):
        with pytest.raises(LockedError, match="another build of data/processed/embedded"):
            run_reports(load_plan("reports.yml"), force=True)


def test_leftover_staging_of_a_killed_run_is_removed_others_kept(with_reports, cli):
    reports = with_reports / "reports"
    ours = reports / ".staging-killed"
    ours.mkdir()
    (ours / ".refugeestudy-run-staging").touch()
    (ours / "01-data-audit").mkdir()
    foreign = reports / ".staging-notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    legacy = reports / ".staging"
    legacy.mkdir()
    code, _ = cli("run")  # refused (not built), but the lock was held: leftovers are its to clear
    assert code == 1
    assert not ours.exists()
    assert (foreign / "keep.txt").read_text() == "mine" and legacy.is_dir()


@pytest.mark.parametrize("args, words", [
    (("run", "--jobs", "0"), "Invalid value for '--jobs'"),
    (("run", "--cell-timeout", "-5"), "Invalid value for '--cell-timeout'"),
    (("run", "--bogus"), "No such option: --bogus"),
    (("build", "--plan"), "Option '--plan' requires an argument"),
    (("validate",), "Missing argument"),
    (("nonsense",), "No such command 'nonsense'"),
], ids=["jobs-0", "timeout-negative", "unknown-option", "plan-without-value", "validate-no-path",
        "unknown-command"])
def test_usage_errors_exit_2_with_the_same_prefix(project, cli, unchanged, args, words):
    with unchanged(project):
        code, output = cli(*args)
    assert code == 2
    assert output.startswith("error: ") and words in output and "hint: " in output


@pytest.mark.parametrize("value", ["../data", "/tmp", "Full", ""], ids=["dotdot", "absolute", "upper", "empty"])
def test_plan_variable_is_confined(project, monkeypatch, unchanged, value):
    monkeypatch.setenv(paths.PLAN_VARIABLE, value)
    if value == "":
        assert paths.processed_dir() == project / "data" / "processed" / "embedded"
        return
    with unchanged(project), pytest.raises(ValueError, match="is not a plan name"):
        datasets.load_violence("reports")


def test_notebook_run_by_hand_reads_the_embedded_tables(project, cli):
    """Rightly accepted: without REFUGEESTUDY_PLAN the loaders read data/processed/embedded."""
    cli("build")
    embedded = datasets.load_violence("reports")
    assert len(embedded) > 0
    os.environ[paths.PLAN_VARIABLE] = "full"
    try:
        with pytest.raises(datasets.MissingSource, match="data/processed/full/violence_events"):
            datasets.load_violence("ucdp_ged")
    finally:
        del os.environ[paths.PLAN_VARIABLE]


# --------------------------------------------------------------------------- with a kernel
def test_cell_timeout_names_the_cell_and_keeps_the_good_report(project):
    _notebook(project / "notebooks" / "wait.ipynb", "wait = 0  # range: 0..60",
              "from refugeestudy.pipeline.report import write_results\nwrite_results({'waited': wait})",
              "import time\ntime.sleep(wait)")
    plan = _plan(project, "wait.yml", {"wait": {"notebook": "notebooks/wait.ipynb"}})
    (good,) = run_reports(load_plan(plan), jobs=1)
    assert good.status == "ran", good.message
    report = project / "reports" / "wait"
    before = {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()}

    slow = _plan(project, "slow.yml", {"wait": {"notebook": "notebooks/wait.ipynb",
                                                "parameters": {"wait": 60}}})
    started = time.monotonic()
    (outcome,) = run_reports(load_plan(slow), jobs=1, cell_timeout=2)
    print(f"timed-out run: {time.monotonic() - started:.1f} s")
    assert outcome.status == "failed"
    assert outcome.message.startswith("cell 2 `import time` did not finish within the cell "
                                      "timeout of 2 s; failed notebook kept as "
                                      "reports/wait.failed.ipynb, previous report left untouched")
    assert (project / "reports" / "wait.failed.ipynb").is_file()
    assert {p.relative_to(report): p.read_bytes() for p in report.rglob("*") if p.is_file()} == before

    (again,) = run_reports(load_plan(plan), jobs=1, force=True)  # a later success
    assert again.status == "ran"
    assert not (project / "reports" / "wait.failed.ipynb").exists()
    assert json.loads((report / "results.json").read_text())["waited"] == 0
    assert [p.name for p in (project / "reports").iterdir() if p.name.startswith(".staging")] == []


def _dead(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG")
def test_runner_killed_with_sigkill_leaves_no_writer(project, tmp_path):
    beat = tmp_path / "heartbeat.txt"
    _notebook(project / "notebooks" / "slow.ipynb", 'beat = ""',
              "import os, time\n"
              "with open(beat, 'a') as f:\n"
              "    f.write(f'{os.getpid()} {os.getppid()}\\n'); f.flush()\n"
              "    for _ in range(600):\n"
              "        f.write('.'); f.flush(); time.sleep(0.05)\n"
              "open('late.txt', 'w').write('written after the loop')")
    plan = _plan(project, "slow.yml", {"slow": {"notebook": "notebooks/slow.ipynb",
                                                "parameters": {"beat": str(beat)}}})
    env = {**os.environ, "REFUGEESTUDY_ROOT": str(project)}
    runner = subprocess.Popen(
        [sys.executable, "-c", "from refugeestudy.cli import app; app()", "run", "--plan-file",
         str(plan), "--jobs", "1"], cwd=project, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not (beat.exists() and "\n" in beat.read_text()):
            assert time.monotonic() < deadline, "the notebook never started"
            assert runner.poll() is None, "the runner ended early"
            time.sleep(0.2)
        kernel, worker = map(int, beat.read_text().split("\n")[0].split())
        runner.send_signal(signal.SIGKILL)
        runner.wait()
    finally:
        if runner.poll() is None:
            runner.kill()
    deadline = time.monotonic() + 10
    while not (_dead(worker) and _dead(kernel)):
        assert time.monotonic() < deadline, f"worker {worker} or kernel {kernel} still alive"
        time.sleep(0.1)
    size = beat.stat().st_size
    time.sleep(1.5)
    assert beat.stat().st_size == size, "something still writes after the runner died"
    assert not (project / "reports" / "slow").exists()  # never swapped in
    assert list((project / "reports").glob(".staging-*/slow/late.txt")) == []
    # The next run clears the killed run's staging folder (and refuses: its input is missing).
    other = _plan(project, "other.yml", {"slow": {"notebook": "notebooks/slow.ipynb",
                                                  "inputs": ["data/raw/none.csv"]}})
    with pytest.raises(MissingInput):
        run_reports(load_plan(other))
    assert list((project / "reports").glob(".staging-*")) == []


@pytest.mark.parametrize("kind", ["symlink", "file"])
def test_report_folder_replaced_by_a_link_or_file(with_reports, cli, unchanged, kind):
    """A report folder that is a link (to data/, say) or a file is never replaced or followed."""
    cli("build", "--plan", "embedded")
    target = with_reports / "reports" / "01-data-audit"
    import shutil

    shutil.rmtree(target)
    if kind == "symlink":
        target.symlink_to(with_reports / "data")
    else:
        target.write_text("a note")
    with unchanged(with_reports, exclude=("reports/.run.lock",)):
        code, output = cli("run", "--force")
    assert code == 1
    words = "a symbolic link" if kind == "symlink" else "a file"
    assert (f"error: report '01-data-audit': reports/01-data-audit is {words}; the runner replaces "
            "only the report folders it makes") in output
