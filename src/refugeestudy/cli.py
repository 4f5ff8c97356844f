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
) -> None:
    """Violence in Syria and the arrival of displaced Syrians: data, panels and reports."""


@app.command()
def validate(
    path: Path = typer.Argument(..., help="A curated log file (figures.csv) to check."),
) -> None:
    """Check a curated report log file; list every problem with its line and column."""
    from refugeestudy.sources.reports import check_log

    try:
        rows = check_log(path)
    except InputError as exc:
        _err.print(f"[red]invalid[/red] {exc}", markup=True, soft_wrap=True)
        raise typer.Exit(code=1) from None
    _out.print(f"{path}: {len(rows)} figures, all valid")


def main() -> None:  # pragma: no cover - console entry point
    """Run the command line interface."""
    app()
