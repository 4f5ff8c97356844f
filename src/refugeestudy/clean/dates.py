"""Parsing dates in input files, with errors that say where.

Examples
--------
>>> parse_iso_date("2025-03-06")
datetime.date(2025, 3, 6)
>>> parse_iso_date("06/03/2025") is None
True
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["parse_iso_date"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(text: str) -> dt.date | None:
    """Return the date written as ``YYYY-MM-DD``, or ``None`` if ``text`` is not one.

    Parameters
    ----------
    text : str
        The cell as read; surrounding blanks are ignored.

    Examples
    --------
    >>> parse_iso_date("2025-02-30") is None
    True
    """
    text = text.strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
