"""Every benchmark runs once, on tiny sizes: a move or a rename that breaks one fails here.

Figures are not checked (the machine is shared; no test is timed); what is checked
is that each benchmark runs to its end through the public API and that what it
compares agrees (``bench_ged`` raises if its panels (a) and (b) differ).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture
def bench(monkeypatch):
    """Import a benchmark script as a module (they import each other from their folder)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name: str):
        sys.modules.pop(name, None)
        return importlib.import_module(name)

    return load


def test_bench_ged_runs_on_a_tiny_synthetic_file(bench, capsys):
    results = bench("bench_ged").main(["--rows", "2000", "--runs", "1", "--no-real"])
    (synthetic,) = results["files"]
    assert set(synthetic["methods"]) == {"a", "b", "c", "d"}
    assert "panels equal: (a) and (b) give the same" in capsys.readouterr().out


def test_profile_ged_runs_on_a_tiny_synthetic_file(bench):
    written = bench("profile_ged").main(["--rows", "2000", "--quiet"])
    assert Path(written).is_file() and "read_ged" in Path(written).read_text()


def test_bench_read_ged_real_runs(bench, capsys):
    assert bench("bench_read_ged_real").main() == 0
    out = capsys.readouterr().out
    assert ("skipped:" in out) if not SHARED.is_dir() else "16566 events" in out


@pytest.mark.skipif(not (SHARED / "unhcr_global").is_dir(),
                    reason="bench_panel reads the real UNHCR, UCDP and Eurostat files in "
                           "../shared/data, absent here")
def test_bench_panel_runs_once(bench):
    result = bench("bench_panel").main(["--runs", "1"])
    assert result["rows"] > 0 and result["fit_s"] > 0 and result["direct_s"] > 0


def test_bench_reports_runs_one_report(bench):
    result = bench("bench_reports").main(["--repeat", "1", "--reports", "01-data-audit"])
    assert result["reports"] == ["01-data-audit"]
    assert set(result["scenarios"]) >= {"cold", "warm", "touched", "floor", "cli"}
    # CPU of every process a command started (a kernel alone takes more than 0.1 s)
    assert result["scenarios"]["cold"]["cpu_s"] > 0.1 and result["scenarios"]["floor"]["cpu_s"] > 0.1


def test_bench_report05_says_skipped_without_the_full_plan(bench, tmp_path, capsys):
    # A project folder without data/processed/full: the benchmark names the commands it needs.
    result = bench("bench_report05").main(["--root", str(tmp_path)])
    assert result["skipped"].startswith("the full plan is not built")
    assert "bench_report05: skipped" in capsys.readouterr().out


def test_bench_report05_reads_the_runners_timing_line(bench):
    line = "✓ 05-origin-destination-panel: done in 83.0 s, its cells 81.7 s (27 files)"
    match = bench("bench_report05").TIMING.search(line)
    assert (float(match["total"]), float(match["cells"])) == (83.0, 81.7)
