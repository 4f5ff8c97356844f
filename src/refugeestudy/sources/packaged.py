"""Where the curated report log is read from: the checkout, or the copy inside the package.

In a checkout the log is ``<project root>/data/raw/reports`` (see
:mod:`refugeestudy.paths`). An installed wheel carries a copy of the same files
in ``refugeestudy/curated_log`` (the build maps ``data/raw/reports`` there; see
``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``), so
:func:`refugeestudy.load_reports` works after ``pip install`` anywhere.

Examples
--------
>>> (report_log_dir() / "figures.csv").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from refugeestudy import paths
from refugeestudy.errors import RefugeestudyError

__all__ = ["report_log_dir", "packaged_log_dir", "PACKAGED_LOG"]

#: Folder, inside the installed package, holding the shipped copy of the log.
PACKAGED_LOG = "curated_log"


def packaged_log_dir() -> Path | None:
    """Return the log copy shipped in the installed package, or ``None`` (a checkout has none).

    Examples
    --------
    >>> folder = packaged_log_dir()
    >>> folder is None or (folder / "sources.csv").is_file()
    True
    """
    folder = resources.files("refugeestudy") / PACKAGED_LOG
    if isinstance(folder, Path) and (folder / "figures.csv").is_file():
        return folder
    return None


def report_log_dir() -> Path:
    """Return the folder holding ``figures.csv`` and ``sources.csv``.

    The project's ``data/raw/reports`` when a project root is found (the working
    directory, ``REFUGEESTUDY_ROOT`` or the checkout of an editable install),
    otherwise the copy shipped inside the package.

    Raises
    ------
    RefugeestudyError
        If there is neither (a source tree without its data).
    """
    try:
        folder = paths.raw_dir() / "reports"
    except FileNotFoundError:
        folder = None
    if folder is not None and folder.is_dir():
        return folder
    shipped = packaged_log_dir()
    if shipped is None:
        raise RefugeestudyError(
            "the curated report log was not found: no project folder holding data/raw/reports "
            "and no copy inside the installed package",
            hint="run inside the refugeestudy checkout, set REFUGEESTUDY_ROOT, or reinstall the "
                 "package from a wheel or sdist")
    return shipped
