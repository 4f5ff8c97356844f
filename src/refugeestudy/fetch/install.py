"""Write a fetched file so that only complete, checked bytes ever reach the cache.

Every fetched file (download, API answer written as CSV, mirror copy) goes
through :func:`write_checked`: the bytes go to a temporary file next to the
target (:func:`refugeestudy._atomic.atomic_open`) through a :class:`Sink`
that hashes and counts them as they arrive, enforces the download's deadline
and refuses an HTML page where data was expected. The caller's check (the
lock's pin, zip integrity) runs before the rename; if it raises, the
temporary file is removed and the target is untouched.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
>>> sink = write_checked(target, lambda sink: sink.write(b"x,y\\n1,2\\n"), what="a.csv")
>>> sink.size, sink.sha256[:12], target.read_bytes()
(8, '81bf9fa83c6f', b'x,y\\n1,2\\n')
>>> write_checked(target, lambda sink: sink.write(b"<!DOCTYPE html><p>Sign in</p>"), what="GET u")
Traceback (most recent call last):
...
refugeestudy.fetch.FetchError: GET u: sent an HTML page instead of data: '<!DOCTYPE html><p>Sign in</p>'
>>> target.read_bytes()
b'x,y\\n1,2\\n'
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from refugeestudy._atomic import atomic_open
from refugeestudy.fetch.errors import FetchError

__all__ = ["Sink", "write_checked", "check_zip", "looks_like_html"]


def looks_like_html(data: bytes) -> bool:
    """Whether the first bytes of a body are an HTML page (a login, error or portal page).

    Examples
    --------
    >>> looks_like_html(b"  <!doctype HTML>"), looks_like_html(b"year,coo\\n")
    (True, False)
    """
    head = data.lstrip()[:64].lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


class Sink:
    """A file being written: hashes and counts the bytes, checks the deadline, refuses HTML.

    Parameters
    ----------
    handle : binary file
        Where the bytes go.
    what : str
        Named in errors (``GET <url>``, the mirror file, ...).
    deadline : object with ``check(what, received)``, optional
        Raises once the download's overall time is up.
    refuse_html : bool
        Whether a body starting like an HTML page is an error.
    max_bytes : int, optional
        The size cap: one byte more stops the download (:class:`FetchError`).
    cap_hint : str
        The error's hint when the cap is reached (where the cap comes from).

    Examples
    --------
    >>> import io
    >>> sink = Sink(io.BytesIO(), "demo")
    >>> sink.write(b"abc"), sink.size
    (3, 3)
    """

    def __init__(self, handle: IO[bytes], what: str, deadline: Any = None,
                 refuse_html: bool = True, max_bytes: int | None = None,
                 cap_hint: str = "") -> None:
        self.handle = handle
        self.max_bytes = max_bytes
        self.cap_hint = cap_hint
        self.what = what
        self.deadline = deadline
        self.refuse_html = refuse_html
        self.size = 0
        self._digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        """Write ``data``; raise :class:`FetchError` on HTML or a passed deadline."""
        if self.deadline is not None:
            self.deadline.check(self.what, self.size)
        if self.size == 0 and self.refuse_html and looks_like_html(data):
            excerpt = data.lstrip()[:60].decode("utf-8", "replace")
            raise FetchError(f"{self.what}: sent an HTML page instead of data: {excerpt!r}",
                             hint="the address may have moved, need a login or be down for "
                                  "maintenance; open it in a browser and check the registry's URL")
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            raise FetchError(f"{self.what}: more than {self.max_bytes:,} bytes arrived, the size "
                             "cap; stopped, nothing saved", hint=self.cap_hint or None)
        self.handle.write(data)
        self._digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Flush the underlying file."""
        self.handle.flush()

    @property
    def sha256(self) -> str:
        """SHA-256 of the bytes written so far (64 hex digits)."""
        return self._digest.hexdigest()


def check_zip(path: Path, what: str) -> None:
    """Raise :class:`FetchError` unless ``path`` is a zip archive whose members all read back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "x.zip"
    >>> _ = bad.write_bytes(b"not a zip")
    >>> check_zip(bad, "x")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: x: not a valid zip archive (File is not a zip file); the file was not saved
    """
    hint = "the server may have sent an error page or a cut-off file; try again later"
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{what}: not a valid zip archive ({exc}); the file was not saved",
                         hint=hint) from None
    if bad is not None:
        raise FetchError(f"{what}: zip member {bad} is corrupt; the file was not saved", hint=hint)


def write_checked(target: Path, produce: Callable[[Sink], Any],
                  check: Callable[[Sink, Path], Any] | None = None, *, what: str,
                  deadline: Any = None, max_bytes: int | None = None, cap_hint: str = "") -> Sink:
    """Write ``target`` atomically from ``produce(sink)``; ``check`` runs before the rename.

    Parameters
    ----------
    target : Path
        The file to create or replace (its folder is created).
    produce : callable
        Writes the bytes into the :class:`Sink` it is given.
    check : callable, optional
        ``check(sink, temporary_path)`` raises to refuse the bytes (the
        target is then left as it was). A ``.zip`` target is also checked
        with :func:`check_zip`.
    what : str
        Named in errors.
    deadline : optional
        Passed to the :class:`Sink`.
    max_bytes : int, optional
    cap_hint : str
        The size cap and its error's hint, passed to the :class:`Sink`.

    Returns
    -------
    Sink
        With the written ``size`` and ``sha256``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> target = folder / "new" / "b.txt"
    >>> def refuse(sink, tmp):
    ...     raise FetchError("refused")
    >>> write_checked(target, lambda s: s.write(b"data"), refuse, what="b")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: refused
    >>> list(folder.iterdir())  # no file, no temporary file, no folder made for it
    []
    """
    refuse_html = target.suffix.lower() not in (".html", ".htm")
    created = [folder for folder in (target.parent, *target.parent.parents) if not folder.exists()]
    try:
        with atomic_open(target, "wb") as handle:
            sink = Sink(handle, what, deadline, refuse_html, max_bytes, cap_hint)
            produce(sink)
            handle.flush()
            if target.suffix.lower() == ".zip":
                check_zip(Path(handle.name), what)
            if check is not None:
                check(sink, Path(handle.name))
    except BaseException:
        for folder in created:  # deepest first: only the empty folders made for this file
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return sink
