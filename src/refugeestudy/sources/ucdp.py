"""UCDP Georeferenced Event Dataset (GED) files as ``violence_events``.

:func:`read_ged` reads every GED CSV layout UCDP publishes or that circulates:

* the **global** file and the **candidate** (monthly) files: 49 columns, in the
  order of :data:`GED_COLUMNS` (``code_status``, the candidate's review flag, is
  not kept); candidate files are sometimes published
  *without* a header row, which is detected (the first field is a numeric
  event id, not ``id``) and the documented order assigned;
* **country extracts** with fewer columns in another order (the GED 19.1
  Syria extract has 41): columns are always selected by *name*;
* any of these as a ``.zip`` holding exactly one CSV.

The file is parsed once by pyarrow's multithreaded CSV reader, reading only the
columns the table needs; all checks and mappings are vectorised and places are
looked up once per distinct value. Line numbers in errors (header = line 1; a
record's line is the line where it starts, quoted fields in GED do hold
newlines) are computed only when there is an error.

Mapping (GED codebook → ``violence_events``):

========================  ===========================================================
``event_id``              ``"ged:" + id``; ``source_ref`` is ``id``
``date_start/end``        ``date_start``/``date_end`` (a time of day is ignored)
``date_precision``        ``date_prec`` (1 exact day ... 5 a year or more); ``0``, which
                          the codebook does not define (GED Candidate 26.0.1 has it on
                          3 of 1,727 events), becomes missing and is counted in
                          ``attrs["repairs"]["date_precision_undefined"]``
``country_iso3``          from ``country_id`` (Gleditsch–Ward number, through
                          :mod:`refugeestudy.clean.gleditsch_ward`) or, without it,
                          ``country``; an unlisted country stays missing, rows kept
``admin1_name``           ``adm_1`` as written
``admin1_pcode``          ``adm_1`` through :func:`refugeestudy.clean.places.to_pcodes`
                          on Syrian rows (an unknown name is an error); missing when
                          ``adm_1`` is empty or the event is outside Syria
``deaths_best/low/high``  ``best``/``low``/``high``
``deaths_civilians``      ``deaths_civilians``
``violence_type``         ``type_of_violence``: 1 state-based, 2 non-state, 3 one-sided
``actor_1``/``actor_2``   ``side_a``/``side_b``
``reporter``              ``"UCDP"``; ``deaths_basis`` ``"event"``; ``revised_down`` False
========================  ===========================================================

One repair, documented and counted: GED publishes some events whose bounds do
not bracket the best estimate (``low > best`` or ``best > high``: 101 of the
16,566 events of the 19.1 Syria extract, where ``best`` always equals
``deaths_a + deaths_b + deaths_civilians + deaths_unknown``). Their bounds are
widened to include ``best`` (``low = min(low, best)``, ``high = max(high,
best)``); ``best`` is never changed. The count is in
``frame.attrs["repairs"]["bounds_widened"]`` and logged at INFO level.

Nothing else is repaired: a missing required value, a negative or non-integer
death count, ``date_end`` before
``date_start``, an unknown code, an unknown Syrian governorate or a duplicated
id is an :class:`~refugeestudy.errors.InputError` listing file, line and column.

Examples
--------
>>> import io, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ged.csv").write_text(
...     "id,country,country_id,adm_1,type_of_violence,side_a,side_b,latitude,longitude,"
...     "date_prec,date_start,date_end,deaths_civilians,best,low,high\\n"
...     "7,Syria,652,Latakia Governorate,3,IS,Civilians,35.5,35.8,1,"
...     "2016-05-23,2016-05-23,120,148,148,160\\n")
>>> events = read_ged(folder / "ged.csv")
>>> events.loc[0, ["event_id", "admin1_pcode", "violence_type"]].tolist()
['ged:7', 'SY06', 'one-sided']
>>> int(events.loc[0, "deaths_best"]), int(events.loc[0, "deaths_high"])
(148, 160)
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy import schema
from refugeestudy.sources import parse_cache
from refugeestudy.clean.gleditsch_ward import crosswalk
from refugeestudy.errors import InputError, Problem
from refugeestudy.sources import _tabular

__all__ = ["GED_COLUMNS", "GED_EXTRACT_COLUMNS", "READ_COLUMNS", "VIOLENCE_TYPES", "read_ged"]

#: Column order of the GED global and candidate CSV files (49 columns), used for
#: files published without a header row.
GED_COLUMNS: tuple[str, ...] = tuple((
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
    "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
    "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
    "source_date,source_headline,source_original,where_prec,where_coordinates,"
    "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
).split(","))

#: Column order of the GED 19.1 country extracts (41 columns; no relid, code_status,
#: *_dset_id, gwnoa, where_description), used if such a file comes without header.
GED_EXTRACT_COLUMNS: tuple[str, ...] = tuple((
    "id,year,active_year,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,"
    "side_a_new_id,side_a,side_b_new_id,gwnob,side_b,number_of_sources,source_article,"
    "source_office,source_date,source_headline,source_original,where_prec,where_coordinates,"
    "adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,"
    "event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,"
    "deaths_unknown,low,best,high"
).split(","))

_log = logging.getLogger(__name__)

_LAYOUTS = {len(GED_COLUMNS): GED_COLUMNS, len(GED_EXTRACT_COLUMNS): GED_EXTRACT_COLUMNS}

#: ``type_of_violence`` codes of the GED codebook.
VIOLENCE_TYPES: dict[int, str] = {1: "state-based", 2: "non-state", 3: "one-sided"}

_REQUIRED = (
    "id", "type_of_violence", "side_a", "side_b", "adm_1", "latitude", "longitude",
    "country", "date_prec", "date_start", "date_end", "deaths_civilians", "best", "low", "high",
)
_OPTIONAL = ("country_id",)
#: The columns :func:`read_ged` reads (those of a file's header among them); the rest are skipped.
READ_COLUMNS: tuple[str, ...] = (*_REQUIRED, *_OPTIONAL)
_TEXT = ("side_a", "side_b", "adm_1", "country")

# GED country names → ISO 3166-1 alpha-3, used only where a file lacks ``country_id``
# (Gleditsch–Ward numbers go through refugeestudy.clean.gleditsch_ward).
_NAME_TO_ISO3: dict[str, str] = {
    "syria": "SYR", "lebanon": "LBN", "jordan": "JOR", "israel": "ISR", "iraq": "IRQ",
    "turkey": "TUR", "iran": "IRN", "egypt": "EGY", "saudi arabia": "SAU",
    "yemen (north yemen)": "YEM", "yemen": "YEM", "libya": "LBY", "algeria": "DZA",
    "tunisia": "TUN", "morocco": "MAR", "russia (soviet union)": "RUS", "russia": "RUS",
    "ukraine": "UKR", "armenia": "ARM", "georgia": "GEO", "azerbaijan": "AZE",
    "afghanistan": "AFG", "pakistan": "PAK", "india": "IND", "bangladesh": "BGD",
    "myanmar (burma)": "MMR", "philippines": "PHL", "sudan": "SDN", "south sudan": "SSD",
    "somalia": "SOM", "ethiopia": "ETH", "dr congo (zaire)": "COD", "nigeria": "NGA",
    "mali": "MLI", "burkina faso": "BFA", "colombia": "COL", "mexico": "MEX",
}


def _sniff(source: _tabular.Source) -> tuple[tuple[str, ...] | None, list[str]]:
    """Return ``(names, header)``: ``names`` for a headerless file, else the header."""
    first = _tabular.header_fields(source)
    if not re.fullmatch(r"\d+", first[0]):
        return None, first
    layout = _LAYOUTS.get(len(first))
    row = dict(zip(layout or (), first))
    plausible = layout is not None and re.match(r"\d{4}-\d{2}-\d{2}", row.get("date_start", "")) \
        and row.get("type_of_violence") in {"1", "2", "3"}
    if not plausible:
        raise InputError(source.label, [Problem(1, None,
            f"no header row (the first field is {first[0]!r}) and {len(first)} fields, which is "
            f"not a known GED layout ({len(GED_COLUMNS)}-column global/candidate file, or the "
            f"{len(GED_EXTRACT_COLUMNS)}-column 19.1 country extract)")],
            hint="add the header row of the GED release the file comes from")
    return layout, first


def read_ged(path: str | Path, *, cache: bool = True) -> pd.DataFrame:
    """Read a UCDP GED file (global, candidate or country extract; CSV or zip).

    Parameters
    ----------
    path : str or Path
        A GED ``.csv`` (with or without header row), or a ``.zip`` holding
        exactly one such CSV.
    cache : bool
        Keep the result of a large file (≥ 32 MiB, e.g. the global file) as
        parquet in the project's ``data/cache/parsed`` and read it from there
        while the file and the package are unchanged
        (:mod:`refugeestudy.sources.parse_cache`). ``False`` always parses.

    Returns
    -------
    pandas.DataFrame
        A validated ``violence_events`` table (see :mod:`refugeestudy.schema`),
        one row per GED event, in file order. The module docstring lists the
        mapping.

    Raises
    ------
    InputError
        When a required column is missing (naming it and a close match), the
        delimiter is not a comma, the CSV is malformed or truncated, or values
        break the rules listed in the module docstring; every problem names
        file, line and column.

    Examples
    --------
    >>> events = read_ged("../shared/data/ucdp/ged191_syria_2016_2019.csv")  # doctest: +SKIP
    >>> len(events), int(events["deaths_best"].sum())  # doctest: +SKIP
    (16566, 112337)
    """
    if not cache:
        return _parse_ged(Path(path))
    return parse_cache.cached_read("ucdp_ged", path, _parse_ged, table="violence_events")


def _parse_ged(path: Path) -> pd.DataFrame:
    """Read, check and map a GED file (the uncached work of :func:`read_ged`).

    Every problem of the file is collected (ids, codes, counts, dates,
    coordinates, governorates, in that order) and raised together, before the
    ``violence_events`` table is assembled, validated and its repairs counted.
    """
    source = _tabular.open_source(path, kind="GED")
    raw, lines, problems = _read(source)
    checked, repairs = _checked_values(raw, problems, lines)
    iso3 = _country_iso3(raw)
    admin1 = raw["adm_1"].astype("string")
    pcodes = _tabular.governorates(admin1, (iso3 == "SYR").fillna(False).to_numpy(), "adm_1", problems, lines)
    problems.raise_if_any(hint="see the UCDP GED codebook (https://ucdp.uu.se/downloads/)")

    frame = pd.DataFrame({
        "event_id": "ged:" + checked["ids"],
        "source": "ucdp_ged",
        "date_start": checked["date_start"],
        "date_end": checked["date_end"],
        "date_precision": checked["date_precision"],
        "country_iso3": iso3,
        "admin1_pcode": pcodes,
        "admin1_name": admin1,
        "latitude": checked["latitude"],
        "longitude": checked["longitude"],
        "deaths_best": checked["deaths_best"],
        "deaths_low": checked["deaths_low"],
        "deaths_high": checked["deaths_high"],
        "deaths_civilians": checked["deaths_civilians"],
        "violence_type": _tabular.map_values(checked["type_of_violence"], VIOLENCE_TYPES),
        "actor_1": raw["side_a"],
        "actor_2": raw["side_b"],
        "reporter": "UCDP",
        "deaths_basis": "event",
        "revised_down": False,
        "source_ref": checked["ids"],
    })
    del raw, admin1, checked  # the frame holds what it needs; free the rest before converting
    events = schema.conform(frame, "violence_events")
    del frame
    events = schema.validate(events, "violence_events", unique_ids_checked=True)
    events.attrs["repairs"] = repairs
    if repairs["bounds_widened"]:
        _log.info("%s: widened low/high to include best on %d events", source.label,
                  repairs["bounds_widened"])
    return events


def _read(source: _tabular.Source) -> tuple[pd.DataFrame, _tabular.LineIndex, _tabular.Problems]:
    """Read the columns of :data:`READ_COLUMNS` a GED file holds, by name.

    A file with a header must hold every required column (a missing one is
    an error naming a close match); a headerless one gets its layout's names
    from :func:`_sniff`. Returns ``(raw, lines, problems)``: the columns, the
    file's line index and an empty :class:`~refugeestudy.sources._tabular.Problems`.
    """
    names, header = _sniff(source)
    if names is None:
        _tabular.check_columns(source, header, _REQUIRED, what="UCDP GED")
    columns = [c for c in READ_COLUMNS if c in (names or header)]
    raw = _tabular.read_table(source, columns=columns, text_columns=_TEXT, names=names)
    lines = _tabular.LineIndex(source, header=names is None)
    return raw, lines, _tabular.Problems(source, lines)


def _checked_values(raw: pd.DataFrame, problems: _tabular.Problems,
                    lines: _tabular.LineIndex) -> tuple[dict[str, pd.Series], dict[str, int]]:
    """Check and convert the ids, codes, death counts, dates and coordinates of a GED file.

    Problems are recorded in ``problems`` (not raised). Returns the converted
    columns by name (``ids`` as text, then GED's or the table's column names;
    ``deaths_low``/``deaths_high`` widened to include ``best``) and the counts
    of the two documented repairs (``bounds_widened``, ``date_precision_undefined``).
    """
    # GED ids are integers (checked and deduplicated as such, fast); other ids as text.
    ids = raw["id"]
    problems.rows(ids.isna(), "id", "is empty; every event needs its GED id")
    _tabular.duplicates(ids, "id", problems, lines)
    ids = (ids.astype("string") if ids.dtype.kind in "iu" else ids.astype("string").str.strip())
    kind = _tabular.as_integers(raw["type_of_violence"], "type_of_violence", problems)
    problems.rows(kind.notna() & ~kind.isin(list(VIOLENCE_TYPES)), "type_of_violence",
                  lambda p: f"expected 1, 2 or 3, found {_tabular.cell(raw['type_of_violence'], p)}")
    precision = _tabular.as_integers(raw["date_prec"], "date_prec", problems)
    problems.rows(precision.notna() & (precision > 5), "date_prec",
                  lambda p: f"expected 1 to 5, found {_tabular.cell(raw['date_prec'], p)}")
    undefined_precision = (precision == 0).fillna(False)  # GED Candidate 26.0.1: 3 events
    deaths = {c: _tabular.as_integers(raw[c], c, problems) for c in ("best", "low", "high")}
    civilians = _tabular.as_integers(raw["deaths_civilians"], "deaths_civilians", problems, required=False)
    # Repair (documented, counted): GED bounds that do not bracket best are widened.
    unordered = ((deaths["low"] > deaths["best"]) | (deaths["best"] > deaths["high"])).fillna(False)
    start = _tabular.as_dates(raw["date_start"], "date_start", problems)
    end = _tabular.as_dates(raw["date_end"], "date_end", problems)
    problems.rows(end < start, "date_end",
                  lambda p: f"{end.iloc[p].date()} is before date_start {start.iloc[p].date()}")
    checked = {
        "ids": ids, "type_of_violence": kind, "date_precision": precision.mask(undefined_precision),
        "deaths_best": deaths["best"],
        "deaths_low": deaths["low"].where(~unordered, np.minimum(deaths["low"], deaths["best"])),
        "deaths_high": deaths["high"].where(~unordered, np.maximum(deaths["high"], deaths["best"])),
        "deaths_civilians": civilians, "date_start": start, "date_end": end,
        "latitude": _tabular.as_floats(raw["latitude"], "latitude", problems, -90, 90),
        "longitude": _tabular.as_floats(raw["longitude"], "longitude", problems, -180, 180),
    }
    return checked, {"bounds_widened": int(unordered.sum()),
                     "date_precision_undefined": int(undefined_precision.sum())}


def _country_iso3(raw: pd.DataFrame) -> pd.Series:
    """ISO alpha-3 code of each event's country: by Gleditsch-Ward number, else by name.

    The number (``country_id``, where the file has it) goes through
    :func:`refugeestudy.clean.gleditsch_ward.crosswalk`, the name through
    :data:`_NAME_TO_ISO3`; a country in neither stays missing (the row is kept).
    """
    iso3 = pd.Series(pd.NA, index=raw.index, dtype="string")
    if "country_id" in raw:
        gw = crosswalk()
        iso3 = _tabular.map_values(raw["country_id"], dict(zip(gw["gw_code"].astype(str), gw["iso3"])),
                                   normalise=lambda v: str(v).strip().removesuffix(".0"))
    todo = iso3.isna().to_numpy()
    if todo.any():
        iso3[todo] = _tabular.map_values(raw["country"][todo], _NAME_TO_ISO3,
                                         normalise=lambda v: str(v).strip().lower())
    return iso3
