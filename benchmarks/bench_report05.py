"""Report 05 of the full plan, every design and forecast: the runner's own timing line.

Runs ``refugeestudy run --plan full --force 05-origin-destination-panel`` and prints the
runner's line ``05-origin-destination-panel: done in X s, its cells Y s`` (target: cells
≤ 60 s on 2 cores; nothing is cached across runs). The report is re-run in place: with the
code committed, its files come out byte-identical to the committed ones. Skipped, with the
commands that make it possible, when the full plan's tables are not built.

Usage: ``python benchmarks/bench_report05.py [--root DIR]``
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = "05-origin-destination-panel"
#: The runner's line for one report (refugeestudy.pipeline.run), e.g. "done in 83.0 s, its cells 81.7 s".
TIMING = re.compile(rf"{REPORT}: done in (?P<total>[\d.]+) s, its cells (?P<cells>[\d.]+) s")


def main(argv: list[str] | None = None) -> dict:
    """Time report 05 of the full plan; return ``{"total_s", "cells_s"}`` or ``{"skipped": why}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder (default: this checkout)")
    args = parser.parse_args(argv)
    panel = args.root / "data" / "processed" / "full" / "dyad_year_panel.parquet"
    if not panel.is_file():
        why = ("the full plan is not built (refugeestudy fetch --mirror ../shared/data all && "
               "refugeestudy build --plan full)")
        print(f"bench_report05: skipped, {why}")
        return {"skipped": why}
    command = [str(Path(sys.executable).with_name("refugeestudy")), "--root", str(args.root), "run",
               "--plan", "full", "--force", REPORT]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = TIMING.search(done.stdout + done.stderr)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"bench_report05: the run failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    print(f"bench_report05: {match.group(0)} (target: cells ≤ 60 s on 2 cores)")
    return {"total_s": float(match["total"]), "cells_s": float(match["cells"])}


if __name__ == "__main__":
    main()
