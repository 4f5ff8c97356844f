"""The canonical tables every reader returns, and their validation.

Two tables carry the data (see ``DESIGN.md``):

* ``violence_events``: one row per event (UCDP GED, ACLED) or per reported toll
  (curated log), deaths with low/best/high bounds.
* ``displacement_counts``: one row per reported count of people moving, arriving
  or present (UNHCR statistics, curated log), with low/best/high bounds.

A third, ``key_events``, lists dated events (fall of the government, start of the
coastal violence) that models use as breakpoints.

Columns are described by :data:`VIOLENCE_COLUMNS`, :data:`DISPLACEMENT_COLUMNS`
and :data:`KEY_EVENT_COLUMNS` (name → pandas dtype); :func:`validate` checks a
frame against one of them and :func:`empty` makes an empty, correctly typed one.

Examples
--------
>>> frame = empty("violence_events")
>>> list(frame.columns)[:4]
['event_id', 'source', 'date_start', 'date_end']
>>> validate(frame, "violence_events").shape
(0, 21)
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError
import pandas as pd

__all__ = [
    "VIOLENCE_COLUMNS",
    "DISPLACEMENT_COLUMNS",
    "KEY_EVENT_COLUMNS",
    "TABLES",
    "QUALIFIERS",
    "empty",
    "conform",
    "validate",
    "SchemaError",
]

#: How a reported number was qualified in its source.
QUALIFIERS = ("exact", "approximately", "at_least", "more_than", "up_to", "between")

_DATE = "datetime64[s]"

VIOLENCE_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "source": "string",  # ucdp_ged, acled, reports
    "date_start": _DATE,
    "date_end": _DATE,
    "date_precision": "Int8",  # UCDP scale: 1 exact day ... 5 year or longer
    "country_iso3": "string",
    "admin1_pcode": "string",  # OCHA p-code SY01..SY14; missing = country level
    "admin1_name": "string",  # as written in the source
    "latitude": "float64",
    "longitude": "float64",
    "deaths_best": "Int64",
    "deaths_low": "Int64",
    "deaths_high": "Int64",
    "deaths_civilians": "Int64",
    "violence_type": "string",
    "actor_1": "string",
    "actor_2": "string",
    "reporter": "string",  # who produced the figure (a monitor, a dataset)
    "deaths_basis": "string",  # event, period, increment (from a cumulative toll), part (of another)
    "revised_down": "boolean",  # a cumulative toll fell: negative increment, kept
    "source_ref": "string",  # id or URL in the source
}

DISPLACEMENT_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "source": "string",  # unhcr_population, unhcr_flows, ..., reports
    "period_start": _DATE,
    "period_end": _DATE,
    "origin_country_iso3": "string",
    "origin_admin1_pcode": "string",
    "destination_country_iso3": "string",
    "destination_admin1": "string",  # ISO 3166-2, e.g. RU-PER
    "destination_place": "string",
    "population_type": "string",
    "count_best": "Int64",
    "count_low": "Int64",
    "count_high": "Int64",
    "qualifier": "string",
    "count_basis": "string",  # stock, period, increment (from a cumulative count), part (of another)
    "revised_down": "boolean",
    "reporter": "string",
    "origin_code": "string",  # the source's own country code (UNHCR's coo)
    "destination_code": "string",  # the source's own country code (UNHCR's coa)
    "breakdown": "string",  # further dimensions, "key=value;key=value"
    "source_ref": "string",
}

KEY_EVENT_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "date": _DATE,
    "label": "string",
    "description": "string",
    "reporter": "string",
    "publisher": "string",
    "source_ref": "string",
}

TABLES: dict[str, dict[str, str]] = {
    "violence_events": VIOLENCE_COLUMNS,
    "displacement_counts": DISPLACEMENT_COLUMNS,
    "key_events": KEY_EVENT_COLUMNS,
}

_BOUNDS = {
    "violence_events": (
        "deaths_low", "deaths_best", "deaths_high", "date_start", "date_end", "deaths_basis"
    ),
    "displacement_counts": (
        "count_low", "count_best", "count_high", "period_start", "period_end", "count_basis"
    ),
}
_ID = {"violence_events": "event_id", "displacement_counts": "record_id", "key_events": "event_id"}


class SchemaError(RefugeestudyError, ValueError):
    """A canonical table breaks its schema: a bug in a reader, never bad user input."""


def empty(table: str) -> pd.DataFrame:
    """Return an empty frame with the columns and dtypes of ``table``.

    Examples
    --------
    >>> empty("key_events").dtypes["date"]
    dtype('<M8[s]')
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in TABLES[table].items()})


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Add missing optional columns as missing values, order and cast to the schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        A reader's output, holding at least the columns it knows.
    table : str
        One of :data:`TABLES`.

    Returns
    -------
    pandas.DataFrame
        Exactly the schema's columns, in order, with its dtypes.

    Examples
    --------
    >>> out = conform(pd.DataFrame({"event_id": ["a"], "deaths_best": [3]}), "violence_events")
    >>> out.loc[0, "deaths_best"], out["revised_down"].isna().all()
    (np.int64(3), np.True_)
    """
    columns = TABLES[table]
    length = len(frame)
    out = {}
    for name, dtype in columns.items():
        if name in frame.columns:
            out[name] = frame[name].astype(dtype)
        else:
            out[name] = pd.Series(pd.array([None] * length, dtype=dtype), index=frame.index)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def validate(frame: pd.DataFrame, table: str, *, unique_ids_checked: bool = False) -> pd.DataFrame:
    """Check that ``frame`` is a valid ``table`` and return it unchanged.

    Checks columns and dtypes, unique non-missing ids, non-negative and ordered
    bounds (``low <= best <= high`` where present, except on increments derived
    from cumulative totals; a negative best only on a row flagged
    ``revised_down``), and ``end >= start``. ``unique_ids_checked=True`` skips
    the uniqueness pass when the caller has already checked the ids (a GED
    reader checks the integer ids, cheaper than the prefixed text).

    Raises
    ------
    SchemaError
        Naming the column, the rule and up to five offending ids.

    Examples
    --------
    >>> bad = conform(pd.DataFrame({"event_id": ["a"], "deaths_best": [-1]}), "violence_events")
    >>> validate(bad, "violence_events")
    Traceback (most recent call last):
    ...
    refugeestudy.schema.SchemaError: violence_events: deaths_best is negative on a row not flagged revised_down (ids: ['a'])
    """
    columns = TABLES[table]
    if list(frame.columns) != list(columns):
        raise SchemaError(f"{table}: columns {list(frame.columns)} != schema {list(columns)}")
    for name, dtype in columns.items():
        if str(frame[name].dtype) != str(pd.Series(dtype=dtype).dtype):
            raise SchemaError(f"{table}: column {name} has dtype {frame[name].dtype}, expected {dtype}")
    ids = frame[_ID[table]]
    if ids.isna().any():
        raise SchemaError(f"{table}: {_ID[table]} is missing on {int(ids.isna().sum())} rows")
    if not unique_ids_checked:  # a reader that checked its source's ids says so: no second pass
        duplicated = ids[ids.duplicated()]
        if len(duplicated):
            raise SchemaError(f"{table}: duplicated {_ID[table]}: {duplicated.head(5).tolist()}")
    if table in _BOUNDS:
        low, best, high, start, end, basis = _BOUNDS[table]

        def fail(mask: pd.Series, rule: str) -> None:
            mask = mask.fillna(False).astype(bool)
            if mask.any():
                raise SchemaError(f"{table}: {rule} (ids: {ids[mask].head(5).tolist()})")

        revised = frame["revised_down"].fillna(False).astype(bool)
        fail((frame[best] < 0) & ~revised, f"{best} is negative on a row not flagged revised_down")
        # Increments are differences of reported bounds: they need not be ordered.
        stated = (frame[basis] != "increment").fillna(True).astype(bool)
        fail((frame[low] < 0) & stated, f"{low} is negative")
        fail((frame[low] > frame[best]) & stated, f"{low} > {best}")
        fail((frame[best] > frame[high]) & stated, f"{best} > {high}")
        fail(frame[end] < frame[start], f"{end} is before {start}")
    return frame
