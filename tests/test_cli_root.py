"""Commands that need a project folder find it, or say in one line that there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
MAIN = "from refugeestudy.cli import app; app()"


def _cli(args, cwd, **env):
    environment = {k: v for k, v in os.environ.items() if k != "REFUGEESTUDY_ROOT"}
    environment["PYTHONPATH"] = str(PROJECT / "src")
    environment.update(env)
    return subprocess.run([sys.executable, "-c", MAIN, *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def _package_copy(tmp_path: Path) -> Path:
    """The package copied outside any checkout (in a checkout, its own location finds the project)."""
    site = tmp_path / "site"
    shutil.copytree(PROJECT / "src" / "refugeestudy", site / "refugeestudy")
    return site


def test_no_project_folder_is_one_line_and_a_hint(tmp_path):
    result = _cli(["run"], tmp_path, PYTHONPATH=str(_package_copy(tmp_path)))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: no refugeestudy project folder here")
    assert lines[1] == "hint: run inside a refugeestudy checkout, or pass --root DIR (or set REFUGEESTUDY_ROOT)"


def test_root_option_names_the_project(tmp_path):
    result = _cli(["--root", str(PROJECT), "run", "--plan", "nope"], tmp_path,
                  PYTHONPATH=str(_package_copy(tmp_path)))
    assert result.returncode == 1  # a PlanError, like every deliberate error (usage errors: 2)
    assert "no plan 'nope'" in result.stderr and "Traceback" not in result.stderr
