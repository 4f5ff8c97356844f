"""The errors of :mod:`refugeestudy.fetch`: one family under :class:`FetchError`.

Every message is one line (what, which file or URL, expected and found); what to
do about it is in ``.hint``. The command line prints ``error: <message>`` and
``hint: <hint>`` and exits with 1 (:class:`UnknownSourceError`, a usage error: 2).

Examples
--------
>>> err = ChecksumError("x.csv differs from the lock", hint="refugeestudy fetch --update x")
>>> isinstance(err, FetchError), err.hint
(True, 'refugeestudy fetch --update x')
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError

__all__ = ["FetchError", "ChecksumError", "MissingCredentialsError", "UnknownSourceError"]


class FetchError(RefugeestudyError, RuntimeError):
    """A source could not be fetched, or the cache, lock or registry is not as expected.

    Examples
    --------
    >>> raise FetchError("unhcr_population: HTTP 404 from https://example.org/")
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: unhcr_population: HTTP 404 from https://example.org/
    """


class ChecksumError(FetchError):
    """A file's bytes differ from the SHA-256 pinned in the lock (or from what the cache held).

    Examples
    --------
    >>> issubclass(ChecksumError, FetchError)
    True
    """


class MissingCredentialsError(FetchError):
    """A source needs credentials that are not set in the environment.

    Examples
    --------
    >>> issubclass(MissingCredentialsError, FetchError)
    True
    """


class UnknownSourceError(FetchError):
    """A name on the command line is not a source of the registry (a usage error).

    Examples
    --------
    >>> issubclass(UnknownSourceError, FetchError)
    True
    """


# The public home of these classes is ``refugeestudy.fetch`` (tracebacks, pickling, docs).
for _cls in (FetchError, ChecksumError, MissingCredentialsError, UnknownSourceError):
    _cls.__module__ = "refugeestudy.fetch"
del _cls
