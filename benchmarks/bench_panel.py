"""Benchmark the origin x destination panel: build from the raw CSVs, and the main PPML fit.

Real data from ``../shared/data`` (UNHCR global applications and population, UCDP
country-year, Eurostat). Two figures, printed as ratios to their targets:

1. building the dyad-year panel from the raw CSVs (readers included): target ≤ 2 s;
2. the main fit (``refugeestudy.global_study.ppml.fit_ppml``, the estimation frame already made)
   against a direct ``pyfixest.fepois`` call with the same formula, frame and
   options: target ≤ 1.5 ×.

Each is timed ``--runs`` times (the first fit also pays numba's compilation, so a
warm-up fit precedes the timings); the median is reported. Nothing is asserted.

Usage::

    python benchmarks/bench_panel.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
FILES = {
    "applications": SHARED / "unhcr_global" / "asylum_applications.csv",
    "population": SHARED / "unhcr_global" / "population.csv",
    "conflict": SHARED / "ucdp" / "organizedviolencecy_v25_1.csv",
    "eurostat": SHARED / "eurostat" / "migr_asyappctza_first_time_2011_2024.csv",
}


def _median_time(function, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    missing = [str(p) for p in FILES.values() if not p.exists()]
    if missing:
        print(f"bench_panel: skipped, real data absent: {', '.join(missing)}")
        return {}

    import pyfixest as pf

    from refugeestudy.panels.dyads import read_dyad_panel_sources
    from refugeestudy.global_study.ppml import DYAD_DEMEANER, FIT_TOLERANCE, SSC, Specification, estimation_frame, fit_ppml

    build_s, build_all = _median_time(lambda: read_dyad_panel_sources(**FILES), args.runs)
    panel = read_dyad_panel_sources(**FILES)
    spec = Specification()
    frame = estimation_frame(panel, spec)

    def direct():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pf.fepois(spec.formula, frame, vcov=spec.vcov, ssc=pf.ssc(**SSC), demeaner=DYAD_DEMEANER,
                              **FIT_TOLERANCE)

    direct()  # numba compilation, not timed
    fit_s, fit_all = _median_time(lambda: fit_ppml(panel, spec, frame=frame), args.runs)
    direct_s, direct_all = _median_time(direct, args.runs)
    result = {"rows": len(panel), "frame_rows": len(frame), "build_s": build_s, "fit_s": fit_s,
              "direct_s": direct_s, "build_ratio_to_target": build_s / 2.0, "fit_ratio": fit_s / direct_s}
    verdict = lambda ok: "MET" if ok else "MISSED"  # noqa: E731
    print(f"panel build from raw CSVs: {len(panel):,} dyad-years, median {build_s:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in build_all)}); / 2 s target = {build_s / 2:.2f} "
          f"{verdict(build_s <= 2)}")
    print(f"main fit on {len(frame):,} rows: refugeestudy {fit_s:.2f} s, direct pyfixest.fepois "
          f"{direct_s:.2f} s; ratio {fit_s / direct_s:.2f} (target ≤ 1.5 {verdict(fit_s / direct_s <= 1.5)})")
    return result


if __name__ == "__main__":
    main()
