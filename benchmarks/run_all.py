"""Run every benchmark and print one summary table (``make bench``).

1. ``make_synthetic_ged.py`` — the SYNTHETIC GED file (written once per size, then reused);
2. ``bench_ged.py``          — (a) refugeestudy, (b) DuckDB, (c) the pyarrow floor, on the
                               synthetic file and on the real GED 19.1 Syria extract;
3. ``bench_reports.py``      — ``make reports``-equivalent cold / warm / touched timings;
4. ``profile_ged.py``        — pyinstrument profile of (a), written to ``benchmarks/output/``;
5. ``bench_panel.py``        — the origin x destination panel: build from the raw CSVs (≤ 2 s)
                               and the main PPML fit against a direct pyfixest call (≤ 1.5 ×);
6. ``bench_report05.py``     — report 05 of the full plan, the runner's timing line (cells ≤ 60 s),
                               "skipped" when the full plan is not built.

Figures only: nothing is asserted about speed (the one assertion is that panels
(a) and (b) are equal). The summary is also written to
``benchmarks/output/summary_<rows>.txt``.

Usage::

    python benchmarks/run_all.py                  # 400,000 synthetic events
    python benchmarks/run_all.py --rows 20000 --runs 3 --repeat 1   # a quick check
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def _mb(value: float) -> str:
    return f"{value / 1e6:.0f}"


def summary(ged: dict, reports: dict | None, profile_lines: list[str], elapsed: float,
            load: tuple[tuple[float, ...], tuple[float, ...]]) -> str:
    import bench_ged

    lines = ["", "=" * 100, "SUMMARY", "=" * 100]
    head = (f"{'file':<30} {'method':<44} {'median s':>9} {'min–max s':>13} {'peak ΔRSS MB':>13}")
    lines += [head, "-" * len(head)]
    for entry in ged["files"]:
        name = ("synthetic " if "SYNTHETIC" in entry["label"] else "real ") + f"{entry['bytes'] / 1e6:.0f} MB"
        for m in bench_ged.METHODS:
            r = entry["methods"][m]
            lines.append(f"{name:<30} {bench_ged.LABELS[m]:<44} {r['median_s']:>9.3f} "
                         f"{r['min_s']:>6.3f}–{r['max_s']:<6.3f} {_mb(r['peak_delta_bytes']):>13}")
            name = ""
        ratios = entry["ratios"]
        mem = entry["memory_ratio_a_to_file"]
        verdict = lambda ok: "MET" if ok else "MISSED"  # noqa: E731
        lines.append(f"{'':<30} a/b = {ratios['a/b']:.2f} (≤ 1.0 {verdict(ratios['a/b'] <= 1.0)}); "
                     f"a/c = {ratios['a/c']:.2f} (≤ 1.5 {verdict(ratios['a/c'] <= 1.5)}); "
                     f"peak(a)/file = {mem:.2f} (≤ 1.0 {verdict(mem <= 1.0)}); panels (a) = (b): equal")
        cached = ratios["a'/b"]
        lines.append(f"{'':<30} a'/b = {cached:.2f} with the parse cache warm "
                     f"(peak(a')/file = {entry['methods']['d']['peak_delta_bytes'] / entry['bytes']:.2f})")
        lines.append("")
    if reports:
        floor = reports["scenarios"]["floor"]["total_s"]
        head = f"{'make reports (build + run --plan embedded)':<44} {'build s':>8} {'run s':>8} {'total s':>8} {'× floor':>8}"
        lines += [head, "-" * len(head)]
        for key, label in (("cold", "cold: empty cache, --force"), ("warm", "warm: nothing changed"),
                           ("touched", "touched: sources.csv edited")):
            r = reports["scenarios"][key]
            lines.append(f"{label:<44} {r['build_s']:>8.2f} {r['run_s']:>8.2f} {r['total_s']:>8.2f} "
                         f"{r['total_s'] / floor:>8.2f}")
        f = reports["scenarios"]["floor"]
        lines.append(f"{'floor: papermill, empty notebook × ' + str(len(reports['reports'])):<44} "
                     f"{'':>8} {'':>8} {floor:>8.2f} {1:>8.2f}  (min {f['min_total_s']:.2f}, "
                     f"max {f['max_total_s']:.2f})")
        lines.append(f"{'CLI start (refugeestudy --version)':<44} {'':>8} {'':>8} "
                     f"{reports['scenarios']['cli']['total_s']:>8.2f}")
        cold_cpu, floor_cpu = reports["scenarios"]["cold"]["cpu_s"], reports["scenarios"]["floor"]["cpu_s"]
        lines.append(f"CPU, every process included: cold {cold_cpu:.2f} s, floor {floor_cpu:.2f} s "
                     f"({cold_cpu / floor_cpu:.2f} × floor; wall times scatter with the machine's load)")
        compute = reports["reports_own_compute_s"]
        targets = reports["targets"]
        cold = reports["scenarios"]["cold"]["total_s"]
        verdict = lambda ok: "MET" if ok else "MISSED"  # noqa: E731
        lines.append(f"targets: warm ≤ 2 s {verdict(targets['warm_le_2s'])}; cold ≤ 1.5 × floor = "
                     f"{1.5 * floor:.2f} s: cold {cold:.2f} s = {cold / floor:.2f} × floor "
                     f"{verdict(cold <= 1.5 * floor)} (the reports' own cells: {compute:.2f} s); an edited "
                     "input re-runs only the reports that read it: MET (checked, or the benchmark stops)")
        if reports.get("per_report_cold_s"):
            lines.append("cold, per report (s): " + ", ".join(
                f"{k} {v:.1f}" for k, v in reports["per_report_cold_s"].items()))
        lines.append("")
    if profile_lines:
        lines.append("profile of (a) (pyinstrument, warm; full tree in benchmarks/output/):")
        lines += ["  " + line for line in profile_lines]
        lines.append("")
    lines.append(bench_ged.METHOD_NOTE)
    lines.append(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; load average "
                 f"at start {load[0][0]:.2f}, at end {load[1][0]:.2f} (other work on the machine "
                 "inflates and scatters the figures)")
    lines.append(f"run_all.py took {elapsed:.0f} s")
    return "\n".join(lines)


def _profile_key_lines(path: Path, limit: int = 16) -> list[str]:
    text = path.read_text().splitlines()
    tree = [line for line in text if any(ch in line for ch in "├└│") or "main" in line]
    keep = [line for line in tree if "frames hidden" not in line]
    return keep[:limit]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000, help="synthetic GED events (default 400,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per GED method (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each report scenario (default 3)")
    parser.add_argument("--skip-reports", action="store_true", help="skip the report timings")
    parser.add_argument("--skip-profile", action="store_true", help="skip the pyinstrument profile")
    args = parser.parse_args(argv)

    import bench_ged
    import bench_reports
    import make_synthetic_ged
    import profile_ged

    (HERE / "output").mkdir(exist_ok=True)
    started = time.perf_counter()
    load_start = os.getloadavg()
    if load_start[0] > 0.5:
        print(f"note: load average {load_start[0]:.2f} on {os.cpu_count()} cores — other work is running; "
              "figures will be slower and more scattered than on an idle machine")
    make_synthetic_ged.ensure(args.rows)
    ged = bench_ged.main(["--rows", str(args.rows), "--runs", str(args.runs)])
    reports = None if args.skip_reports else bench_reports.main(["--repeat", str(args.repeat)])
    profile_lines: list[str] = []
    if not args.skip_profile:
        out = profile_ged.main(["--rows", str(args.rows), "--quiet"])
        profile_lines = _profile_key_lines(out)
    import bench_panel

    bench_panel.main(["--runs", str(args.runs)])
    import bench_report05

    bench_report05.main([])
    text = summary(ged, reports, profile_lines, time.perf_counter() - started,
                   (load_start, os.getloadavg()))
    print(text)
    target = HERE / "output" / f"summary_{args.rows}.txt"
    target.write_text(text + "\n")
    print(f"summary written to {target}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
