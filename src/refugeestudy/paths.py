"""Where the project's folders are: raw data and each plan's processed data.

The project root is, in order: the ``REFUGEESTUDY_ROOT`` environment variable;
the nearest folder above the working directory holding ``data/raw/reports``;
the checkout this package was installed from (an editable install).

Each run plan reads its own built tables, ``data/processed/<plan>/``, so
building the full plan never changes what the embedded plan reads. The plan
comes from the ``REFUGEESTUDY_PLAN`` environment variable (the runner sets it
for every notebook kernel), else ``embedded``: a notebook opened by hand
reads the embedded plan's tables.

Examples
--------
>>> (project_root() / "data" / "raw").is_dir()
True
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from refugeestudy.errors import RefugeestudyError

__all__ = ["PLAN_VARIABLE", "DEFAULT_PLAN", "MANIFEST_NAME", "ProjectRootError", "project_root",
           "raw_dir", "processed_dir", "current_plan"]

_MARKER = Path("data") / "raw" / "reports"
#: Environment variable naming the plan whose tables the notebooks read.
PLAN_VARIABLE = "REFUGEESTUDY_PLAN"
#: The plan read when the variable is not set (a notebook run by hand).
DEFAULT_PLAN = "embedded"
#: File in each plan's ``data/processed/<plan>/`` listing what its build read and wrote.
MANIFEST_NAME = "build_manifest.json"
_PLAN_NAME = re.compile(r"[0-9a-z][0-9a-z_-]*\Z")


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


def current_plan() -> str:
    """Return the plan named by ``REFUGEESTUDY_PLAN``, else ``embedded``.

    Raises
    ------
    ValueError
        If the variable holds something other than a plan name (it becomes a
        folder name, so ``../x`` is refused).

    Examples
    --------
    >>> os.environ.pop(PLAN_VARIABLE, None) and None
    >>> current_plan()
    'embedded'
    """
    plan = os.environ.get(PLAN_VARIABLE) or DEFAULT_PLAN
    if not _PLAN_NAME.match(plan):
        raise ValueError(f"{PLAN_VARIABLE}={plan!r} is not a plan name (expected lower-case "
                         "letters, digits, '-' or '_', e.g. embedded or full)")
    return plan


def processed_dir(plan: str | None = None) -> Path:
    """Return ``<root>/data/processed/<plan>``, that plan's tables built by ``refugeestudy build``.

    Parameters
    ----------
    plan : str, optional
        Default :func:`current_plan`.

    Examples
    --------
    >>> processed_dir("full").relative_to(project_root()).as_posix()
    'data/processed/full'
    """
    plan = plan or current_plan()
    if not _PLAN_NAME.match(plan):
        raise ValueError(f"{plan!r} is not a plan name")
    return project_root() / "data" / "processed" / plan
