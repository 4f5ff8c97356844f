"""A local mirror folder (e.g. ``../shared/data``) standing in for the network.

The registry maps a source to a file inside the mirror folder (``mirror:
{path: ...}``); :func:`mirror_file` finds it and says precisely what is wrong
when it cannot be used (missing, a folder, not a regular file), and
:func:`copy_mirror_file` streams it into a
:class:`~refugeestudy.fetch.install.Sink`. The mirror is only read, never
written.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> mirror_file(folder, "unhcr_population", "unhcr/population.csv")
Traceback (most recent call last):
...
refugeestudy.fetch.FetchError: unhcr_population: mirror file .../unhcr/population.csv not found
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import IO

from refugeestudy.fetch.errors import FetchError

__all__ = ["check_mirror_dir", "mirror_file", "copy_mirror_file"]

_CHUNK = 1 << 20


def check_mirror_dir(folder: str | Path) -> Path:
    """Return the mirror folder, resolved, or raise if it is not a folder.

    Examples
    --------
    >>> check_mirror_dir("/nonexistent/mirror")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: mirror folder /nonexistent/mirror not found
    """
    path = Path(folder).resolve()
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "not found"
        raise FetchError(f"mirror folder {path} {what}",
                         hint="pass the folder that holds ucdp/ and unhcr/ (e.g. ../shared/data)")
    return path


def mirror_file(folder: Path, name: str, relative: str) -> Path:
    """The mirror file of source ``name``: a regular file at ``folder / relative``.

    Raises
    ------
    FetchError
        Naming the file and whether it is missing, a folder or not a regular file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "unhcr").mkdir()
    >>> mirror_file(folder, "unhcr_population", "unhcr")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unhcr_population: mirror file .../unhcr is a folder, not a file
    """
    path = folder / relative
    hint = (f"the registry maps {name} to {relative} inside the mirror folder; restore that "
            "file in the mirror, or fetch the source from its official endpoint (without --mirror)")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FetchError(f"{name}: mirror file {path} not found", hint=hint) from None
    except OSError as exc:
        raise FetchError(f"{name}: mirror file {path} cannot be read ({exc.strerror})",
                         hint=hint) from None
    if stat.S_ISDIR(mode):
        raise FetchError(f"{name}: mirror file {path} is a folder, not a file", hint=hint)
    if not stat.S_ISREG(mode):
        raise FetchError(f"{name}: mirror file {path} is not a regular file (a pipe, socket or "
                         "device)", hint=hint)
    return path


def copy_mirror_file(path: Path, name: str, sink: IO[bytes]) -> None:
    """Stream the mirror file ``path`` into ``sink``.

    Raises
    ------
    FetchError
        If the file cannot be opened or read (permissions, I/O error).

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_bytes(b"year\\n2024\\n")
    >>> out = io.BytesIO()
    >>> copy_mirror_file(path, "demo", out)
    >>> out.getvalue()
    b'year\\n2024\\n'
    """

    def unreadable(exc: OSError) -> FetchError:
        return FetchError(f"{name}: mirror file {path} cannot be read ({exc.strerror or exc})",
                          hint="check the file's permissions in the mirror folder")

    try:
        reader = open(path, "rb")
    except OSError as exc:
        raise unreadable(exc) from None
    with reader:
        while True:
            try:
                chunk = reader.read(_CHUNK)
            except OSError as exc:
                raise unreadable(exc) from None
            if not chunk:
                return
            sink.write(chunk)
