"""The ``refugeestudy`` command: help, version, and ``validate`` on bad curated logs.

Each bad log is the synthetic fixture ``tests/data/log_ok/figures.csv`` with one
cell edited (or a whole-file fault from ``tests/data/log_bad``). ``validate``
must exit non-zero and name the file, the line as an editor shows it (header =
line 1), the column and the bad value, and must leave the file untouched.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import refugeestudy
from refugeestudy.cli import app

TESTS = Path(__file__).resolve().parent
LOG_OK = TESTS / "data" / "log_ok"
LOG_BAD = TESTS / "data" / "log_bad"
PROJECT = TESTS.parent

runner = CliRunner()


def _invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _ok_rows() -> list[list[str]]:
    with (LOG_OK / "figures.csv").open(encoding="utf-8", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def _write(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "figures.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    shutil.copy(LOG_OK / "sources.csv", folder / "sources.csv")
    shutil.copy(LOG_OK / "producers.csv", folder / "producers.csv")
    return target


def _edited(tmp_path: Path, figure_id: str, column: str, value: str) -> Path:
    rows = _ok_rows()
    header = rows[0]
    (row,) = [r for r in rows if r[0] == figure_id]
    row[header.index(column)] = value
    return _write(tmp_path, rows)


# (figure id edited, column, bad value, file line of that row, words the message must hold)
BAD_CELLS = [
    ("F002", "origin_admin1", "Atlantis", 3, "unknown Syrian governorate"),
    ("F003", "report_date", "2025-02-30", 4, "YYYY-MM-DD"),
    ("F001", "period_start", "07/03/2025", 2, "YYYY-MM-DD"),
    ("F002", "count", "-5", 3, "non-negative whole number"),
    ("F004", "count", "12.5", 5, "whole number"),
    ("F005", "count", "1,500", 6, "without separators"),
    ("F006", "qualifier", "roughly", 7, "unknown value"),
    ("F007", "url", "example.org/a", 8, "http(s) URL"),
    ("F003", "figure_id", "F002", 4, "first on line 3"),
    ("F002", "period_end", "2025-03-01", 3, "before period_start 2025-03-06"),
    ("F005", "destination_admin1", "RU-XXX", 6, "unknown ISO 3166-2 region"),
    ("F007", "destination_admin1", "LB-AK", 8, "destination country is 'RUS'"),
    ("F001", "kind", "death", 2, "unknown kind"),
    ("F001", "basis", "running", 2, "unknown value"),
]


@pytest.mark.parametrize("fid, column, value, line, words", BAD_CELLS,
                         ids=[f"{c[1]}={c[2]}" for c in BAD_CELLS])
def test_validate_names_file_line_column_value(tmp_path, fid, column, value, line, words):
    path = _edited(tmp_path, fid, column, value)
    before = path.read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 1, output
    assert f"{path}:{line}: column {column!r}:" in output
    assert repr(value) in output or value in output
    assert words in output
    assert path.read_bytes() == before


def test_validate_missing_url(tmp_path):
    path = _edited(tmp_path, "F007", "url", "")
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:8: column 'url': is empty" in output


def test_validate_between_without_count_high(tmp_path):
    path = _edited(tmp_path, "F004", "count_high", "")
    before = path.read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:5: column 'count_high': qualifier 'between' needs the upper number" in output
    assert path.read_bytes() == before


def test_validate_count_high_below_count(tmp_path):
    path = _edited(tmp_path, "F004", "count_high", "20")
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:5: column 'count_high': 20 is below count 30" in output


def test_validate_lists_every_problem_not_only_the_first(tmp_path):
    rows = _ok_rows()
    header = rows[0]
    rows[2][header.index("qualifier")] = "roughly"
    rows[6][header.index("report_date")] = "2025-13-01"
    path = _write(tmp_path, rows)
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert "2 problems" in output
    assert f"{path}:3: column 'qualifier'" in output
    assert f"{path}:7: column 'report_date'" in output


def test_validate_missing_column(tmp_path):
    rows = _ok_rows()
    drop = rows[0].index("qualifier")
    path = _write(tmp_path, [r[:drop] + r[drop + 1:] for r in rows])
    before = path.read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:1: column 'qualifier': required column is missing" in output
    assert path.read_bytes() == before


def test_validate_semicolon_delimited(tmp_path):
    path = tmp_path / "figures.csv"
    shutil.copy(LOG_BAD / "semicolon.csv", path)
    before = path.read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:1:" in output
    assert "'figure_id;kind;report_date" in output  # what was found
    assert "';'" in output and "comma-separated" in output  # what was expected
    assert path.read_bytes() == before


def test_validate_missing_column_message_not_truncated(tmp_path):
    """Regression: for a ';' file the 20 'missing column' lines used to hide what was found."""
    rows = _ok_rows()
    path = _write(tmp_path, [r[:1] + r[2:] for r in rows])  # drop 'kind'
    code, output = _invoke("validate", str(path))
    assert code == 1 and "... and" not in output


def test_validate_row_with_stray_field(tmp_path):
    rows = _ok_rows()
    rows[3].append("extra")
    path = _write(tmp_path, rows)
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:4: expected 22 fields, found 23" in output


def test_validate_line_numbers_count_physical_lines(tmp_path):
    """A quoted note over two lines shifts the lines below it, as an editor shows them."""
    rows = _ok_rows()
    header = rows[0]
    rows[1][header.index("note")] = "line one\nline two"
    rows[3][header.index("qualifier")] = "roughly"  # F003: line 4 + 1
    path = _write(tmp_path, rows)
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:5: column 'qualifier'" in output


def test_validate_bom_prefixed_file_is_accepted(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (LOG_OK / "figures.csv").read_bytes())
    shutil.copy(LOG_OK / "sources.csv", tmp_path / "sources.csv")
    shutil.copy(LOG_OK / "producers.csv", tmp_path / "producers.csv")
    before = path.read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 0, output
    assert "8 figures, all valid" in " ".join(output.split())  # stdout may wrap at 80 columns
    assert path.read_bytes() == before


def test_validate_good_fixture_and_real_log():
    code, output = _invoke("validate", str(LOG_OK / "figures.csv"))
    assert code == 0 and "8 figures, all valid" in " ".join(output.split())
    real = PROJECT / "data" / "raw" / "reports" / "figures.csv"
    with real.open(encoding="utf-8-sig", newline="") as handle:
        n = sum(1 for _ in csv.DictReader(handle))
    code, output = _invoke("validate", str(real))
    assert code == 0 and f"{n} figures, all valid" in " ".join(output.split())


def test_validate_missing_file(tmp_path):
    code, output = _invoke("validate", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "nope.csv" in output and "file not found" in output


def test_validate_as_a_subprocess(tmp_path):
    path = _edited(tmp_path, "F002", "origin_admin1", "Atlantis")
    before = path.read_bytes()
    script = Path(sys.executable).parent / "refugeestudy"
    done = subprocess.run([str(script), "validate", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert f"{path}:3: column 'origin_admin1': unknown Syrian governorate 'Atlantis'" in done.stderr
    assert done.stdout == ""
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- regressions
def test_validate_url_missing_from_sources(tmp_path):
    """Regression: `validate` used to check figures.csv only."""
    path = _edited(tmp_path, "F003", "url", "https://example.org/zzz")
    before = path.read_bytes(), (tmp_path / "sources.csv").read_bytes()
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:4: column 'url': https://example.org/zzz is not listed in sources.csv" in output
    assert (path.read_bytes(), (tmp_path / "sources.csv").read_bytes()) == before


@pytest.mark.parametrize("value", ["²", "١٥٠"])
def test_validate_non_ascii_digits(tmp_path, value):
    """Regression: str.isdigit() accepted '²' (then crashed) and Arabic-Indic digits."""
    path = _edited(tmp_path, "F001", "count", value)
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert f"{path}:2: column 'count'" in output and repr(value) in output


def test_validate_shows_bracketed_value_verbatim(tmp_path):
    """Regression: rich markup rendered '[bold]' away from the bad value."""
    path = _edited(tmp_path, "F001", "origin_admin1", "[bold]Latakia")
    code, output = _invoke("validate", str(path))
    assert code == 1
    assert "'[bold]Latakia'" in output


def test_validate_directory_gives_a_message(tmp_path):
    """Regression: `validate DIRECTORY` crashed with IsADirectoryError."""
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code in (1, 2)
    assert isinstance(result.exception, SystemExit)
    assert str(tmp_path) in result.output


# --------------------------------------------------------------------------- help and version
def _commands() -> list[str]:
    return sorted(typer.main.get_command(app).commands)


def test_every_command_is_listed_in_help():
    assert {"validate", "run"} <= set(_commands())
    code, output = _invoke("--help")
    assert code == 0
    for name in _commands():
        assert name in output


@pytest.mark.parametrize("name", _commands())
def test_help_of_each_command(name):
    code, output = _invoke(name, "--help")
    assert code == 0, output
    assert "Usage:" in output and name in output


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "Usage:" in result.output
    for name in _commands():
        assert name in result.output


def test_version_matches_package_and_pyproject():
    code, output = _invoke("--version")
    assert code == 0
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    assert output.strip() == f"refugeestudy {refugeestudy.__version__}"
    assert refugeestudy.__version__ == pyproject["project"]["version"]


def test_run_with_unknown_parameter_exits_1_naming_it(tmp_path, monkeypatch):
    notebook = tmp_path / "nb.ipynb"
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('max_lag = 3  # range: 0..12')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, str(notebook))
    plan = tmp_path / "reports.yml"
    plan.write_text("plans:\n  embedded:\n    output: reports\n    reports:\n      r1:\n"
                    "        notebook: nb.ipynb\n        parameters: {max_lags: 4}\n")
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(tmp_path))
    code, output = _invoke("run", "--plan-file", str(plan))
    assert code == 1
    assert output.startswith("error: ") and "hint: " in output
    assert "max_lags" in output and "did you mean 'max_lag'" in output
    assert not (tmp_path / "reports").exists()
