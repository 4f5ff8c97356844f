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
digits of a fitted value differ between BLAS builds, CPUs and thread counts,
and no reported figure carries that many. The digits kept are fewer than the
agreement measured between machines (see :data:`SIGNIFICANT_DIGITS`), and a
value that lies so close to a rounding boundary that another machine could
round it the other way is flagged (:data:`ROUNDING_MARGIN`): a warning, or an
error when ``REFUGEESTUDY_STRICT_ROUNDING=1`` (as in CI).

Examples
--------
>>> to_json({"b": 1.5, "a": [1, None]})
'{\\n  "a": [\\n    1,\\n    null\\n  ],\\n  "b": 1.5\\n}\\n'
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from refugeestudy._atomic import atomic_write_text
from refugeestudy._hashing import sha256_file

if TYPE_CHECKING:  # numpy and pandas are imported where used: the report runner needs neither
    import pandas as pd

__all__ = ["to_json", "write_results", "save_table", "provenance", "git_commit",
           "normalise_float", "boundary_distance", "RoundingBoundaryError", "SIGNIFICANT_DIGITS",
           "ROUNDING_MARGIN", "EXACT_DIGITS", "STRICT_ROUNDING_VARIABLE", "TRACKED_FOR_PROVENANCE",
           "RUN_STAGING_MARK"]

#: The file ``refugeestudy run`` puts in its staging folder; a kernel working in
#: ``<staging>/<name>/`` is the runner's (:func:`refugeestudy.pipeline.notebook.output_folder`).
RUN_STAGING_MARK = ".refugeestudy-run-staging"

#: Significant digits kept of every float written to results.json and tables (but see
#: :func:`normalise_float` for whole numbers and ``save_table(exact=True)``). Measured on report 05
#: of the full plan (PPML fits, left-out predictions, rolling forecasts): across machines, run with
#: 1 and 2 threads, with ``NUMBA_CPU_NAME=generic OPENBLAS_CORETYPE=Haswell`` and with numpy's
#: AVX-512 loops off and ``OPENBLAS_CORETYPE=Sandybridge``, the values agree to 6.3e-12 relative;
#: along a perturbed iteration path (other IRLS and demeaning tolerances, as from other starting
#: values) the Pearson dispersion moves by 3.1e-7 and a prediction interval by 1.5e-7: about 6.5
#: agreeing digits. Four digits keep two and a half in reserve of the weaker of the two.
SIGNIFICANT_DIGITS = 4

#: Significant digits of a table marked ``exact`` (computed from the data without an iterative
#: estimator, such as an estimation frame): the same on every machine, so nothing to give up.
EXACT_DIGITS = 12

#: Relative distance to a rounding boundary (the half-unit of the last digit kept) below which a
#: value could round the other way on another machine: 15 times the worst disagreement measured
#: across machines (6.3e-12, see :data:`SIGNIFICANT_DIGITS`).
ROUNDING_MARGIN = 1e-10

#: Environment variable that turns a value within :data:`ROUNDING_MARGIN` of a boundary into an error.
STRICT_ROUNDING_VARIABLE = "REFUGEESTUDY_STRICT_ROUNDING"


class RoundingBoundaryError(ValueError):
    """A published value lies within :data:`ROUNDING_MARGIN` of a rounding boundary."""


def boundary_distance(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """Relative distance from ``value`` to the nearest boundary of rounding to ``digits`` digits.

    The boundaries are the half-units of the last digit kept: 1.5 and 2.5 for one digit.

    Examples
    --------
    >>> round(boundary_distance(1.25, digits=2), 12), round(boundary_distance(1.2, digits=2), 12)
    (0.0, 0.041666666667)
    >>> boundary_distance(0.0)
    inf
    """
    magnitude = abs(float(value))
    if magnitude == 0.0 or not math.isfinite(magnitude):
        return math.inf
    unit = 10.0 ** (math.floor(math.log10(magnitude)) - digits + 1)
    fraction = magnitude / unit - math.floor(magnitude / unit)
    return abs(fraction - 0.5) * unit / magnitude


def _guard_boundary(value: float, digits: int) -> None:
    if boundary_distance(value, digits) >= ROUNDING_MARGIN:
        return
    message = (f"{value!r} lies within {ROUNDING_MARGIN:g} (relative) of a boundary of rounding to "
               f"{digits} significant digits: another machine could publish it rounded "
               "the other way")
    if os.environ.get(STRICT_ROUNDING_VARIABLE) == "1":
        raise RoundingBoundaryError(message)
    warnings.warn(message, stacklevel=3)

#: Paths whose last commit identifies the code and data behind a report.
TRACKED_FOR_PROVENANCE = ("src", "notebooks", "data/raw", "reports.yml", "pyproject.toml",
                          "requirements.lock", ":(exclude)data/raw/fetch.lock.json")


def normalise_float(value: float, guard: bool = True, digits: int = SIGNIFICANT_DIGITS) -> float | None:
    """Round to ``digits`` significant digits; NaN and infinities become None.

    A whole number (a count held as a float) is kept whole: no estimator gives one, and
    rounding 21637 to 21640 would publish a figure no source gave.

    Parameters
    ----------
    value : float
    guard : bool, default True
        Flag a value within :data:`ROUNDING_MARGIN` of a rounding boundary (a warning, or
        :class:`RoundingBoundaryError` when ``REFUGEESTUDY_STRICT_ROUNDING=1``).
    digits : int, default :data:`SIGNIFICANT_DIGITS`

    Examples
    --------
    >>> normalise_float(2678.2325426272687), normalise_float(2678.232542627723)
    (2678.0, 2678.0)
    >>> normalise_float(0.1341329848628068), normalise_float(21637.0)
    (0.1341, 21637.0)
    >>> normalise_float(float("inf")) is None
    True
    """
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    if value.is_integer() and abs(value) < 2.0 ** 53:
        return value
    if guard:
        _guard_boundary(value, digits)
    return float(f"{value:.{digits}g}")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):  # numpy's float64 too
        return normalise_float(value)
    if value is None or isinstance(value, (str, int)):  # bool is an int
        return value
    return _plain_scalar(value)


def _plain_scalar(value):
    """A numpy or pandas scalar as plain JSON (numpy and pandas imported only for such a value)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return normalise_float(value)
    if isinstance(value, pd.Timestamp):
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
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_results({"n": np.int64(3)}, Path(tmp) / "results.json")
    ...     p.read_text()
    '{\\n  "n": 3\\n}\\n'
    """
    path = Path(path)
    atomic_write_text(path, to_json(results))
    return path


def save_table(frame: pd.DataFrame, name: str, folder: str | Path = "tables", *,
               exact: bool = False) -> Path:
    """Write ``frame`` as ``<folder>/<name>.csv`` (UTF-8, no index, ``\\n`` line ends).

    Floats are rounded to :data:`SIGNIFICANT_DIGITS` significant digits
    (:func:`normalise_float`), in float columns and in mixed (object) ones.
    ``exact=True`` marks a table computed from the data without an iterative
    estimator (an estimation frame): its values keep :data:`EXACT_DIGITS` digits
    and are not checked against rounding boundaries.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     frame = pd.DataFrame({"a": [1], "b": [2678.2325426272687], "c": ["x"]})
    ...     save_table(frame, "t", tmp).read_text()
    'a,b,c\\n1,2678.0,x\\n'
    """
    import numpy as np
    import pandas as pd

    path = Path(folder) / f"{name}.csv"
    frame = frame.copy()

    def publish(v):
        return normalise_float(v, guard=not exact, digits=EXACT_DIGITS if exact else SIGNIFICANT_DIGITS)

    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(values.dtype):
            frame.isetitem(position, values.map(lambda v: v if pd.isna(v) else publish(v)))
        elif values.dtype == object:
            frame.isetitem(position, values.map(
                lambda v: publish(v) if isinstance(v, (float, np.floating))
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
