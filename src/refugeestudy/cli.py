"""The ``refugeestudy`` command: validate, fetch, build and run the reports.

Examples
--------
>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["--help"])
>>> result.exit_code
0
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from refugeestudy.errors import InputError

app = typer.Typer(
    help="Violence in Syria and the arrival of displaced Syrians: data, panels and reports.",
    no_args_is_help=True,
    add_completion=False,
)
_err = Console(stderr=True, highlight=False)
_out = Console(highlight=False)


def _show_version(value: bool) -> None:
    if value:
        from refugeestudy import __version__

        _out.print(f"refugeestudy {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
    root: Path = typer.Option(None, "--root", help="The project folder (default: the folder above "
                              "the working directory holding data/raw/reports, or $REFUGEESTUDY_ROOT)."),
) -> None:
    """Violence in Syria and the arrival of displaced Syrians: data, panels and reports."""
    if root is not None:
        import os

        os.environ["REFUGEESTUDY_ROOT"] = str(root.resolve())


@app.command()
def validate(
    path: Path = typer.Argument(..., help="A curated log file (figures.csv) to check."),
) -> None:
    """Check a curated report log file (and its sources.csv beside it); list every problem."""
    from refugeestudy.sources.reports import check_log, check_sources

    try:
        rows = check_log(path)
        sources = path.parent / "sources.csv"
        if sources.is_file():
            check_sources(sources, rows, path)
    except InputError as exc:
        _err.print("invalid ", style="red", end="")
        _err.print(str(exc), markup=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    _out.print(f"{path}: {len(rows)} figures, all valid", markup=False)


@app.command()
def fetch(
    sources: list[str] = typer.Argument(None, help="Registry names, a group (ucdp, unhcr) or all."),
    mirror: Path = typer.Option(None, help="Copy the files from this local folder (e.g. ../shared/data) "
                                "instead of the network."),
    cache_dir: Path = typer.Option(None, help="Where fetched files go (default data/external, or "
                                   "$REFUGEESTUDY_CACHE_DIR)."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if the cached file is "
                               "present and verified."),
    timeout: float = typer.Option(60, min=1, help="Seconds to wait for data before retrying."),
    retries: int = typer.Option(3, min=0, help="Extra attempts after a server error, timeout or "
                                "cut-off download."),
    list_sources: bool = typer.Option(False, "--list", help="List the registry's sources and exit."),
    verify_only: bool = typer.Option(False, "--verify", help="Check cached files against "
                                     "data/raw/fetch.lock.json and exit."),
) -> None:
    """Download UCDP GED, UNHCR and ACLED files (or copy them from --mirror), checksummed in a lock."""
    from refugeestudy import fetch as fetching

    if list_sources:
        for name, source in fetching.load_registry().sources.items():
            _out.print(f"{name}: {source.title} ({source.licence})")
        return
    try:
        if verify_only:
            fetching.verify(sources or None, cache_dir=cache_dir)
            _out.print("cached files match the lock")
            return
        if not sources:
            _err.print("name the sources to fetch (or 'all'); see --list")
            raise typer.Exit(code=2)
        results = fetching.fetch(sources, mirror=mirror, cache_dir=cache_dir, force=force,
                                 timeout=timeout, retries=retries, console=Console(stderr=True))
    except fetching.FetchError as exc:
        _err.print(f"[red]fetch failed[/red] {exc}", soft_wrap=True)
        raise typer.Exit(code=1) from None
    for result in results:
        _out.print(f"{result.source}: {result.status} {result.message}")


@app.command()
def build(
    processed_dir: Path = typer.Option(None, help="Output folder (default data/processed)."),
    cache_dir: Path = typer.Option(None, help="Folder of fetched files (default data/external)."),
    force: bool = typer.Option(False, "--force", help="Rebuild even if inputs and code are unchanged."),
) -> None:
    """Build data/processed/*.parquet from the curated log and every fetched source, atomically."""
    from refugeestudy.build import BuildError
    from refugeestudy.build import build as build_tables
    from refugeestudy.fetch import FetchError
    from refugeestudy.schema import SchemaError

    try:
        build_tables(processed_dir, cache_dir, _out, force=force)
    except (FetchError, InputError, BuildError, SchemaError) as exc:
        _err.print(f"[red]build failed (previous files left as they were)[/red]\n{exc}",
                   soft_wrap=True)
        raise typer.Exit(code=1) from None


@app.command()
def run(
    names: list[str] = typer.Argument(None, help="Reports to run (default: every report of the plan)."),
    plan: str = typer.Option("embedded", help="Plan in the run-plan file: embedded (offline) or full."),
    plan_file: Path = typer.Option(None, help="Run-plan file (default: reports.yml at the project root)."),
    force: bool = typer.Option(False, "--force", help="Run even the reports whose inputs are unchanged."),
    jobs: int = typer.Option(None, min=1, help="Reports run at once (default: the number of cores)."),
    cell_timeout: int = typer.Option(600, min=1, help="Seconds a notebook cell may run."),
) -> None:
    """Execute the report notebooks with papermill into reports/<name>/ (cached, in parallel)."""
    import time

    from refugeestudy import paths
    from refugeestudy.render import write_index
    from refugeestudy.run import PlanError, load_plan, run_reports

    plan_path = plan_file or paths.project_root() / "reports.yml"
    try:
        specs = load_plan(plan_path, plan, names or None)
        everything = load_plan(plan_path, plan)
    except PlanError as exc:
        _err.print(f"[red]error[/red] {exc}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    started = time.perf_counter()

    def show(kind: str, name: str, outcome) -> None:
        if kind == "skip":
            _out.print(f"[dim]·[/dim] {name}: up to date, skipped")
        elif kind == "start":
            _out.print(f"[cyan]▶[/cyan] {name}: running")
        elif outcome.status == "ran":
            _out.print(f"[green]✓[/green] {name}: done in {outcome.seconds:.1f} s, its cells "
                       f"{outcome.cell_seconds:.1f} s ({len(outcome.outputs)} files)")
        else:
            _err.print(f"[red]✗[/red] {name}: failed after {outcome.seconds:.1f} s: "
                       f"{outcome.message}", soft_wrap=True)

    outcomes = run_reports(specs, force=force, jobs=jobs, cell_timeout=cell_timeout, on_event=show)
    write_index(plan_path)
    index = everything[0].output_root / "index.html"
    ran = sum(o.status == "ran" for o in outcomes)
    failed = [o.name for o in outcomes if o.status == "failed"]
    if ran == 0 and not failed:
        _out.print(f"nothing to do: all {len(outcomes)} reports up to date "
                   f"({time.perf_counter() - started:.1f} s)")
    else:
        _out.print(f"{ran} ran, {len(outcomes) - ran - len(failed)} skipped, {len(failed)} failed "
                   f"in {time.perf_counter() - started:.1f} s; index: "
                   f"{index.relative_to(paths.project_root())}")
    if failed:
        raise typer.Exit(code=1)


def main() -> None:  # pragma: no cover - console entry point
    """Run the command line interface; a deliberate error is one line (and its hint), no traceback."""
    from refugeestudy.errors import RefugeestudyError

    try:
        app(standalone_mode=True)
    except RefugeestudyError as exc:
        _err.print(f"error: {exc}", markup=False, soft_wrap=True)
        if exc.hint:
            _err.print(f"hint: {exc.hint}", markup=False, soft_wrap=True)
        raise SystemExit(1) from None
