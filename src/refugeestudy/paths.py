"""Where the project's folders are: raw data, processed data, reports.

The project root is, in order: the ``REFUGEESTUDY_ROOT`` environment variable;
the nearest folder above the working directory holding ``data/raw/reports``;
the checkout this package was installed from (an editable install).

Examples
--------
>>> (project_root() / "data" / "raw").is_dir()
True
"""

from __future__ import annotations

import os
from pathlib import Path

from refugeestudy.errors import RefugeestudyError

__all__ = ["ProjectRootError", "project_root", "raw_dir", "processed_dir", "reports_dir"]

_MARKER = Path("data") / "raw" / "reports"


class ProjectRootError(RefugeestudyError, FileNotFoundError):
    """No project folder (one holding ``data/raw/reports``) was found."""


def project_root() -> Path:
    """Return the project root folder (see the module docstring for the search order).

    Raises
    ------
    ProjectRootError
        If no folder holding ``data/raw/reports`` is found (a ``FileNotFoundError``).
    """
    configured = os.environ.get("REFUGEESTUDY_ROOT")
    if configured:
        return Path(configured).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, *Path(__file__).resolve().parents):
        if (folder / _MARKER).is_dir():
            return folder
    raise ProjectRootError(
        f"no refugeestudy project folder here: none of {here} and the folders above it holds "
        f"{_MARKER.as_posix()}",
        hint="run inside a refugeestudy checkout, or pass --root DIR (or set REFUGEESTUDY_ROOT)")


def raw_dir() -> Path:
    """Return ``<root>/data/raw``, the immutable inputs."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Return ``<root>/data/processed``, rebuilt from raw by ``refugeestudy build``."""
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """Return ``<root>/reports``, where ``refugeestudy run`` writes each report."""
    return project_root() / "reports"
