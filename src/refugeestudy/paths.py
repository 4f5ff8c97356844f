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

__all__ = ["project_root", "raw_dir", "processed_dir", "reports_dir"]

_MARKER = Path("data") / "raw" / "reports"


def project_root() -> Path:
    """Return the project root folder (see the module docstring for the search order).

    Raises
    ------
    FileNotFoundError
        If no folder holding ``data/raw/reports`` is found.
    """
    configured = os.environ.get("REFUGEESTUDY_ROOT")
    if configured:
        return Path(configured).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, *Path(__file__).resolve().parents):
        if (folder / _MARKER).is_dir():
            return folder
    raise FileNotFoundError(
        f"no project root found: expected a folder holding {_MARKER} above {here}; "
        "run from inside the refugeestudy checkout or set REFUGEESTUDY_ROOT"
    )


def raw_dir() -> Path:
    """Return ``<root>/data/raw``, the immutable inputs."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Return ``<root>/data/processed``, rebuilt from raw by ``refugeestudy build``."""
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """Return ``<root>/reports``, where ``refugeestudy run`` writes each report."""
    return project_root() / "reports"
