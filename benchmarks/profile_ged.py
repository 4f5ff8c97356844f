"""Profile benchmark (a), ``read_ged`` + ``violence_panel``, with pyinstrument.

Writes ``benchmarks/output/profile_ged_<rows>.txt`` (call tree, text) and
``.html``, and prints the tree. The file is read once before profiling so the
profile shows the warm (page-cached) case the benchmark times.

Usage::

    python benchmarks/profile_ged.py [--rows 400000] [--interval 0.001]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval, s")
    parser.add_argument("--quiet", action="store_true", help="do not print the tree")
    args = parser.parse_args(argv)

    from pyinstrument import Profiler

    import make_synthetic_ged
    from refugeestudy.case_study.series import violence_panel
    from refugeestudy.sources.ucdp import read_ged

    path = make_synthetic_ged.ensure(args.rows)
    violence_panel(read_ged(path, cache=False), freq="MS")  # warm: page cache, lazy imports
    profiler = Profiler(interval=args.interval)
    profiler.start()
    violence_panel(read_ged(path, cache=False), freq="MS")  # the parse itself, not the cache
    profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    out = HERE / "output" / f"profile_ged_{args.rows}.txt"
    out.write_text(f"pyinstrument profile of read_ged + violence_panel(freq='MS') on {path.name}\n\n{text}")
    out.with_suffix(".html").write_text(profiler.output_html())
    if not args.quiet:
        print(text)
    print(f"profile written to {out} (and .html)")
    return out


if __name__ == "__main__":
    main()
