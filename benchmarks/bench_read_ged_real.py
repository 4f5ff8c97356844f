"""Print the median wall time of ``read_ged`` on the real UCDP GED Syria extract.

Print-only (no assertions, not a test): ``.venv/bin/python benchmarks/bench_read_ged_real.py``.
The extract lives outside the project, in ``../shared/data`` (see its README).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from refugeestudy.sources.ucdp import read_ged

PATH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "ucdp" / "ged191_syria_2016_2019.csv"
RUNS = 5


def main() -> int:
    if not PATH.exists():
        print(f"skipped: {PATH} is absent")
        return 0
    read_ged(PATH)  # warm-up: imports, page cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        events = read_ged(PATH)
        times.append(time.perf_counter() - start)
    print(f"read_ged({PATH.name}): {len(events)} events, median {statistics.median(times) * 1000:.1f} ms "
          f"over {RUNS} runs (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
