"""The ``refugeestudy`` command: validate, fetch, build and run the reports.

Every deliberate error (:class:`refugeestudy.errors.RefugeestudyError`) ends a
command the same way, whichever command it is: ``error: <message>`` and, when
the error knows a fix, ``hint: <hint>``, on standard error, exit code 1. A
usage error (an unknown option, a missing argument) prints ``error: ...`` and
the command's usage line, exit code 2. A traceback is therefore always a bug.

Examples
--------
>>> from typer.testing import CliRunner
>>> result = CliRunner().invoke(app, ["--help"])
>>> result.exit_code
0
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import typer
from rich.console import Console
from typer._click import exceptions as click_errors  # typer 0.29 vendors click
from typer.core import TyperGroup

from refugeestudy.errors import RefugeestudyError

_err = Console(stderr=True, highlight=False)
_out = Console(highlight=False)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is so that its clean-up runs (as for Ctrl-C)."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def _on_sigterm_clean_up() -> None:
    """Turn SIGTERM into :class:`Terminated`: staging folders are removed, workers stopped.

    Python's default for SIGTERM ends the process at once, skipping every
    ``finally``: a run's staging folder, a build's folder and the report
    workers would be left behind.
    """
    import signal

    with contextlib.suppress(ValueError):  # not the main thread (a test runner): leave it
        signal.signal(signal.SIGTERM, _raise_terminated)


def _fail(message: str, hint: str | None, code: int) -> None:
    _err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    if hint and f"hint: {hint}" not in message:  # an InputError lists its hint already
        _err.print(f"hint: {hint}", markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(code)


def _usage_error(exc) -> None:
    usage = exc.ctx.get_usage().strip().replace("\n", " ") if exc.ctx is not None else ""
    command = exc.ctx.command_path if exc.ctx is not None else "refugeestudy"
    _fail(exc.format_message(), f"{usage} (see `{command} --help`)".strip(), 2)


class _OneLineErrors(TyperGroup):
    """Map deliberate errors to ``error:``/``hint:`` lines and an exit code (see the module)."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RefugeestudyError as exc:
            _fail(str(exc), exc.hint, 1)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as exc:
            _usage_error(exc)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            _fail(f"{exc.strerror}: {exc.filename}", "check the path and its permissions", 1)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                raise
            where = f": {exc.filename}" if exc.filename else ""
            _fail(f"{os.strerror(exc.errno)}{where}",
                  "free some space or make the folder writable, then run the command again; "
                  "outputs are written atomically, the previous ones are intact", 1)
        except Terminated:
            _fail("terminated (SIGTERM); outputs are written atomically, the previous ones are "
                  "intact", None, 143)
        except KeyboardInterrupt:
            _fail("interrupted; outputs are written atomically, the previous ones are intact",
                  None, 130)


app = typer.Typer(
    cls=_OneLineErrors,
    help="Violence in Syria and the arrival of displaced Syrians: data, panels and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    from refugeestudy.sources.reports import validate_log

    rows = validate_log(path)
    _out.print(f"{path}: {len(rows)} figures, all valid", markup=False)


@app.command()
def fetch(
    sources: list[str] = typer.Argument(None, help="Registry names, a group (ucdp, unhcr) or all."),
    mirror: Path = typer.Option(None, help="Copy the files from this local folder (e.g. ../shared/data) "
                                "instead of the network."),
    cache_dir: Path = typer.Option(None, help="Where fetched files go (default data/external, or "
                                   "$REFUGEESTUDY_CACHE_DIR)."),
    update: list[str] = typer.Option(None, "--update", metavar="NAME", help="Accept the bytes "
                                     "fetched now as NAME's new pin in data/raw/fetch.lock.json "
                                     "(repeatable); the only way a pin changes."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if the cached file is "
                               "present and verified (the bytes must still match the lock)."),
    timeout: float = typer.Option(60, min=0.01, help="Seconds to wait for data before retrying."),
    retries: int = typer.Option(3, min=0, help="Extra attempts after a server error, timeout or "
                                "cut-off download."),
    deadline: float = typer.Option(1800, min=0.01, help="Seconds one source's download may take "
                                   "in all, retries and pages included."),
    list_sources: bool = typer.Option(False, "--list", help="List the registry's sources and exit."),
    verify_only: bool = typer.Option(False, "--verify", help="Check cached files against "
                                     "data/raw/fetch.lock.json and exit."),
    allow_shrink: bool = typer.Option(False, "--allow-shrink", help="With --update: pin new "
                                      "bytes even with fewer than half the rows of the old pin."),
    max_bytes: int = typer.Option(None, "--max-bytes", min=1, help="Size cap of each source "
                                  "fetched now (default: the registry's max_bytes, else 4 x the "
                                  "pinned size, else 2 GiB)."),
) -> None:
    """Download UCDP GED, UNHCR and ACLED files (or copy them from --mirror), bound by the lock."""
    _on_sigterm_clean_up()  # a download stopped by SIGTERM leaves no temporary file either
    with _unknown_source_exits_2():
        if list_sources:
            _list_sources()
        elif verify_only:
            _verify_cache(sources, cache_dir, alone=not update and mirror is None)
        else:
            _fetch_and_say(sources, update, mirror=mirror, cache_dir=cache_dir, force=force,
                           timeout=timeout, retries=retries, deadline=deadline,
                           allow_shrink=allow_shrink, max_bytes=max_bytes)


@contextlib.contextmanager
def _unknown_source_exits_2():
    """An unknown source name is a usage error of ``fetch``: exit code 2, not 1."""
    from refugeestudy.fetch import UnknownSourceError

    try:
        yield
    except UnknownSourceError as exc:
        _fail(str(exc), exc.hint, 2)


def _list_sources() -> None:
    """``fetch --list``: each registry source with its title and licence."""
    from refugeestudy.fetch import load_registry

    for name, source in load_registry().sources.items():
        _out.print(f"{name}: {source.title} ({source.licence})", markup=False)


def _verify_cache(sources: list[str] | None, cache_dir: Path | None, alone: bool) -> None:
    """``fetch --verify``: check the cached files against the lock; nothing else may be asked."""
    from refugeestudy.fetch import verify

    if not alone:
        _fail("--verify checks the cache only; it cannot be combined with --update or --mirror",
              "run `refugeestudy fetch --verify` on its own", 2)
    verify(sources or None, cache_dir=cache_dir)
    _out.print("cached files match the lock")


def _fetch_and_say(sources: list[str] | None, update: list[str] | None, **options) -> None:
    """Fetch ``sources`` and those to ``update`` (progress on standard error), one line each."""
    from refugeestudy.fetch import fetch as fetch_sources

    if not sources and not update:
        _fail("name the sources to fetch (or 'all'), or --update NAME",
              "see `refugeestudy fetch --list`", 2)
    results = fetch_sources(sources or [], update=update or [], console=Console(stderr=True),
                            **options)
    for result in results:
        _out.print(f"{result.source}: {result.status} {result.message}", markup=False,
                   soft_wrap=True)


@app.command()
def build(
    plan: list[str] = typer.Option(None, "--plan", help="Build this plan's tables (repeatable; "
                                   "default: every plan of the run plan)."),
    plan_file: Path = typer.Option(None, help="Run-plan file (default: reports.yml at the "
                                   "project root)."),
    cache_dir: Path = typer.Option(None, help="Folder of fetched files (default data/external)."),
    force: bool = typer.Option(False, "--force", help="Rebuild even if inputs and code are unchanged."),
) -> None:
    """Build data/processed/<plan>/*.parquet for each plan, each folder swapped in atomically.

    A plan with `build: log` (embedded) reads the curated log only; `build: fetched` (full)
    reads the log and every fetched source. A failing build leaves the previous tables.
    """
    from refugeestudy.pipeline.build import build_plans

    _on_sigterm_clean_up()
    build_plans(plan or None, plan_file, _out, cache_dir=cache_dir, force=force)


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
    from refugeestudy.pipeline.plan import plan_file_default
    from refugeestudy.pipeline.render import write_index
    from refugeestudy.pipeline.run import load_plan, run_reports

    _on_sigterm_clean_up()
    plan_path = plan_file or plan_file_default()
    specs = load_plan(plan_path, plan, names or None)
    everything = load_plan(plan_path, plan)
    started = time.perf_counter()

    def show(kind: str, name: str, outcome) -> None:
        if kind == "skip":
            _out.print(f"[dim]·[/dim] {name}: up to date, skipped")
        elif kind == "changed":
            from rich.markup import escape

            _out.print(f"[yellow]![/yellow] {escape(name)}: {escape(outcome.message)}",
                       soft_wrap=True)
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
