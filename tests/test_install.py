"""The package works where it is installed: a fresh venv outside the checkout.

Slow (a virtualenv and a full ``pip install``), so it runs only when
``REFUGEESTUDY_TEST_INSTALL=1`` (``.ci/check-install`` sets it; ``.ci/run`` calls that).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import refugeestudy

PROJECT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(os.environ.get("REFUGEESTUDY_TEST_INSTALL") != "1",
                                reason="set REFUGEESTUDY_TEST_INSTALL=1 to build and install the package")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv, outside the checkout, with the package installed (not editable)."""
    where = tmp_path_factory.mktemp("install")
    venv = where / "venv"
    subprocess.run([os.environ.get("REFUGEESTUDY_INSTALL_PYTHON", sys.executable), "-m", "venv",
                    str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", str(PROJECT)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "REFUGEESTUDY_ROOT"}}
    return venv / "bin", where, env


def test_installed_package_loads_the_shipped_log(installed):
    bin_dir, where, env = installed
    expected = len(refugeestudy.load_reports(PROJECT / "data" / "raw" / "reports").figures)
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          "import refugeestudy, refugeestudy.sources.packaged as p; "
                          "print(len(refugeestudy.load_reports().figures)); "
                          "print(p.report_log_dir() == p.packaged_log_dir())"],
                         cwd=where, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(expected), "True"]


def test_commands_outside_a_project_say_so_in_one_line(installed):
    bin_dir, where, env = installed
    out = subprocess.run([str(bin_dir / "refugeestudy"), "run"], cwd=where, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("error: no refugeestudy project folder here")
    assert lines[1].startswith("hint:") and "--root" in lines[1]
    assert "Traceback" not in out.stderr


def test_root_option_points_at_a_project(installed):
    bin_dir, where, env = installed
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          "import refugeestudy.paths as p; print(p.project_root())"],
                         cwd=where, env={**env, "REFUGEESTUDY_ROOT": str(PROJECT)},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(PROJECT)


def test_report_templates_ship_with_the_package(installed):
    bin_dir, where, env = installed
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          "from refugeestudy.pipeline import render; "
                          "print(all((render.TEMPLATES / p).is_file() for p in ('report.css', "
                          "'index_page.html.j2', 'refugeestudy/index.html.j2', 'refugeestudy/conf.json')))"],
                         cwd=where, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_jupyterlab_is_not_installed_by_default(installed):
    bin_dir, where, env = installed
    out = subprocess.run([str(bin_dir / "python"), "-c",
                          "import importlib.util as u; print(u.find_spec('jupyterlab') is None)"],
                         cwd=where, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
