"""What a report notebook writes, and the provenance the runner adds.

A notebook runs with its report's staging folder as working directory and
calls :func:`write_results` (key numbers → ``results.json``), :func:`save_table`
(CSV under ``tables/``) and :func:`refugeestudy.plots.save_figure` (PNG and SVG
under ``figures/``). The runner then adds :func:`provenance` to ``results.json``:
package version, the git commit of the code and data, parameters and the
SHA-256 of every input.

JSON is written with sorted keys, two-space indentation and a final newline, so
the same results give the same bytes. Floats in results and tables are
rounded to :data:`SIGNIFICANT_DIGITS` significant digits first: the last
digits of a fitted value differ between BLAS builds and CPUs
(2678.2325426272687 on one machine, ...723 on another), and no reported
figure carries that many.

Examples
--------
>>> to_json({"b": 1.5, "a": [1, None]})
'{\\n  "a": [\\n    1,\\n    null\\n  ],\\n  "b": 1.5\\n}\\n'
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy._atomic import atomic_write_text
from refugeestudy._hashing import sha256_file

__all__ = ["to_json", "write_results", "save_table", "provenance", "git_commit",
           "normalise_float", "SIGNIFICANT_DIGITS", "TRACKED_FOR_PROVENANCE"]

#: Significant digits kept of every float written to results.json and tables.
SIGNIFICANT_DIGITS = 12

#: Paths whose last commit identifies the code and data behind a report.
TRACKED_FOR_PROVENANCE = ("src", "notebooks", "data/raw", "reports.yml", "pyproject.toml",
                          "requirements.lock", ":(exclude)data/raw/fetch.lock.json")


def normalise_float(value: float) -> float | None:
    """Round to :data:`SIGNIFICANT_DIGITS` significant digits; NaN and infinities become None.

    Examples
    --------
    >>> normalise_float(2678.2325426272687), normalise_float(2678.232542627723)
    (2678.23254263, 2678.23254263)
    >>> normalise_float(float("inf")) is None
    True
    """
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return normalise_float(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.strftime("%Y-%m-%d")
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_json(data: dict) -> str:
    """Serialise ``data`` deterministically (numpy/pandas scalars made plain, NaN → null)."""
    return json.dumps(_plain(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_results(results: dict, path: str | Path = "results.json") -> Path:
    """Write a report's key numbers to ``results.json`` (atomically, deterministically).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_results({"n": np.int64(3)}, Path(tmp) / "results.json")
    ...     p.read_text()
    '{\\n  "n": 3\\n}\\n'
    """
    path = Path(path)
    atomic_write_text(path, to_json(results))
    return path


def save_table(frame: pd.DataFrame, name: str, folder: str | Path = "tables") -> Path:
    """Write ``frame`` as ``<folder>/<name>.csv`` (UTF-8, no index, ``\\n`` line ends).

    Floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits
    (:func:`normalise_float`), in float columns and in mixed (object) ones.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     frame = pd.DataFrame({"a": [1], "b": [2678.2325426272687], "c": ["x"]})
    ...     save_table(frame, "t", tmp).read_text()
    'a,b,c\\n1,2678.23254263,x\\n'
    """
    path = Path(folder) / f"{name}.csv"
    frame = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(values.dtype):
            frame.isetitem(position, values.map(lambda v: v if pd.isna(v) else normalise_float(v)))
        elif values.dtype == object:
            frame.isetitem(position, values.map(
                lambda v: normalise_float(v) if isinstance(v, (float, np.floating))
                and not math.isnan(v) and not math.isinf(v) else v))
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))
    return path


def git_commit(root: str | Path) -> str:
    """Return the last commit touching the code and data (``-dirty`` if they have changes).

    The commit of :data:`TRACKED_FOR_PROVENANCE`, not of the whole tree: a commit
    that only adds regenerated reports does not change the provenance of the
    reports it adds. The fetch lock is left out: it records the retrieval date,
    and the files it pins are hashed among the report's inputs anyway.
    ``"unknown"`` outside a git checkout.
    """
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *TRACKED_FOR_PROVENANCE],
            cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *TRACKED_FOR_PROVENANCE],
            cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return (commit or "unknown") + ("-dirty" if dirty else "")


def provenance(root: Path, notebook: Path, parameters: dict, inputs: Iterable[Path],
               version: str, commit: str) -> dict:
    """Return the provenance block of a report's ``results.json``.

    Paths are relative to the project root, so no machine path leaks.
    """
    return {
        "package_version": version,
        "git_commit": commit,
        "notebook": notebook.relative_to(root).as_posix(),
        "notebook_sha256": sha256_file(notebook),
        "parameters": parameters,
        "inputs": {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(inputs)},
    }
