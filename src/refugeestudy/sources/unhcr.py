"""UNHCR Refugee Data Finder statistics as ``displacement_counts``.

:func:`read_unhcr` reads one dataset of UNHCR's Refugee Population Statistics
Database in any of three forms:

* the **population API** CSV, with the API's column names (``year``, ``coo``,
  ``coo_iso``, ``coa``, ``coa_iso``, ``refugees``, ...); counts are written as
  floats (``"10.0"``);
* the population API's **JSON** (``{"items": [...]}`` as returned by
  ``https://api.unhcr.org/population/v1/<dataset>/``); ``null``, ``""`` and
  ``"-"`` are missing;
* the **Refugee Data Finder download** CSV, with human-readable headers
  (``"Year"``, ``"Country of origin (ISO)"``, ``"Refugees under UNHCR's
  mandate"``, ...), possibly after a few preamble lines (skipped: the header
  is the first line, among the first 30, with a ``Year`` column); ``"-"`` is
  missing. It has no UNHCR country codes, so ``origin_code`` and
  ``destination_code`` stay missing; everything else matches the API form.

Long format: one record per source row × count column (:data:`COUNT_COLUMNS`;
``oip`` and ``hst``, added to UNHCR's statistics recently, may be absent).
``population_type`` is the count column (``refugees``, ``asylum_seekers``,
``returned_refugees``, ``idps``, ``returned_idps``, ``stateless``, ``ooc``,
``oip``, ``hst``; flows: ``refugees``, ``asylum_seekers``, ``refugee_like``,
``oip``; solutions: ``returned_refugees``, ``resettlement``,
``naturalisation``, ``returned_idps``), except:

* ``asylum_applications``: ``population_type`` ``"asylum_applications"``,
  ``breakdown`` ``"procedure_type=G;app_type=A;dec_level=AR;app_pc=C"``;
* ``asylum_decisions``: one record per ``dec_*`` column, ``population_type``
  ``"decisions_recognized"``, ``"decisions_other"``, ``"decisions_rejected"``,
  ``"decisions_closed"`` and ``"decisions_total"`` (kept as published: it
  differs from the sum of the four on a few rows), ``breakdown``
  ``"procedure_type=G;dec_level=AR;dec_pc=C"``;
* ``demographics``: one record per sex × age column, including UNHCR's
  totals: ``population_type`` from ``pop_type`` (``REF`` → ``refugees``,
  ``ASY`` → ``asylum_seekers``, ...), ``breakdown``
  ``"location=...;loc_type=U;acc_type=I;sex=female;age=0-4"`` with ``sex`` in
  female, male, all and ``age`` in 0-4, 5-11, 12-17, 18-59, 60+, unknown,
  total. The totals are published figures, not always the sum of their parts
  (some rows give only ``total``).

Summing ``count_best`` over ``population_type`` or totals therefore mixes
categories; select what you need first.

:func:`read_unhcr_table` reads the same files with the same checks but keeps
UNHCR's wide layout (one row per file row, counts as columns, the application
dimensions ``procedure_type``, ``app_type``, ``dec_level``, ``app_pc`` as
their own columns): the fast form for panels over every country pair.
:func:`breakdown_columns` splits ``breakdown`` back into those columns.

Empty cells stay missing, never zero: an empty cell gives a record whose
``count_best/low/high`` and ``qualifier`` are missing, so every cell of the
file has exactly one record and totals per year and country pair equal the
file's sums. Other records have ``qualifier`` ``"exact"`` and
``count_low == count_best == count_high``.

``period_start``/``period_end`` are 1 January and 31 December of ``year``;
``count_basis`` is ``"stock"`` for population and demographics (end-year
figures), ``"period"`` for the others. ``origin_country_iso3`` is ``coo_iso``,
``destination_country_iso3`` is ``coa_iso``; ``origin_code``/``destination_code``
keep UNHCR's own codes (``coo``/``coa``). ``record_id`` is
``unhcr:<dataset>:<year>:<coo_iso>:<coa_iso>:<population_type>`` plus, when
there is a breakdown, ``:`` and the first 12 hex digits of its SHA-1; a
country missing its ISO code falls back to UNHCR's code, then to ``-``.
``source_ref`` is the API query of the row's year and country pair (UNHCR
codes), or ``refugee-data-finder:<dataset>:year=...;coo_iso=...;coa_iso=...``
for a Refugee Data Finder download.

Nothing is repaired: a non-integer or negative count, a bad year or a
duplicated record (two rows with the same year, countries and breakdown) is
an :class:`~refugeestudy.errors.InputError` naming file, line and column
(JSON: the item's index).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "flows.csv"
>>> _ = path.write_text(
...     "year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,refugee_like,oip\\n"
...     "2024,Syrian Arab Rep.,SYR,SYR,Russian Federation,RUS,RUS,,700.0,,\\n")
>>> counts = read_unhcr(path, "flows")
>>> print(counts[["population_type", "count_best", "qualifier"]].to_string(index=False))
population_type  count_best qualifier
       refugees        <NA>      <NA>
 asylum_seekers         700     exact
   refugee_like        <NA>      <NA>
            oip        <NA>      <NA>
>>> counts.loc[1, "record_id"]
'unhcr:flows:2024:SYR:RUS:asylum_seekers'
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy import schema
from refugeestudy.errors import InputError, Problem
from refugeestudy.sources import _tabular

__all__ = ["DATASETS", "COUNT_COLUMNS", "breakdown_columns", "read_unhcr", "read_unhcr_table"]

#: Datasets and whether their counts are stocks or period totals.
DATASETS: dict[str, str] = {
    "population": "stock",
    "asylum_applications": "period",
    "asylum_decisions": "period",
    "flows": "period",
    "solutions": "period",
    "demographics": "stock",
}

_AGES = {"0_4": "0-4", "5_11": "5-11", "12_17": "12-17", "18_59": "18-59", "60": "60+",
         "other": "unknown", "total": "total"}

#: Count columns of each dataset, in the API's names. Every one must be present
#: (in the Refugee Data Finder form, see ``_RDF_NAMES``).
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "population": ("refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps",
                   "stateless", "ooc", "oip", "hst"),
    "asylum_applications": ("applied",),
    "asylum_decisions": ("dec_recognized", "dec_other", "dec_rejected", "dec_closed", "dec_total"),
    "flows": ("refugees", "asylum_seekers", "refugee_like", "oip"),
    "solutions": ("returned_refugees", "resettlement", "naturalisation", "returned_idps"),
    "demographics": tuple(f"{sex}_{age}" for sex in "fm" for age in _AGES) + ("total",),
}

#: Dimension columns that make up ``breakdown``.
_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "asylum_applications": ("procedure_type", "app_type", "dec_level", "app_pc"),
    "asylum_decisions": ("procedure_type", "dec_level", "dec_pc"),
    "demographics": ("pop_type", "location", "loc_type", "acc_type"),
}
# Count columns older files may lack.
_OPTIONAL_COUNTS = {"oip", "hst"}
# Optional dimensions (a Refugee Data Finder download may lack them).
_OPTIONAL_DIMENSIONS = {"location", "loc_type", "acc_type"}

_POP_TYPES = {
    "REF": "refugees", "ASY": "asylum_seekers", "RET": "returned_refugees", "IDP": "idps",
    "RDP": "returned_idps", "STA": "stateless", "OOC": "ooc", "OIP": "oip", "HST": "hst",
    "ROC": "refugee_like", "VDA": "venezuelans_displaced_abroad",
}

_ENDPOINTS = {"asylum_applications": "asylum-applications", "asylum_decisions": "asylum-decisions"}
_API = "https://api.unhcr.org/population/v1"


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", name.lower().replace("'", ""))


# Refugee Data Finder headers (compared without case, spaces or punctuation) → API names.
_RDF_NAMES: dict[str, str] = {_key(k): v for k, v in {
    "Year": "year",
    "Country of origin": "coo_name", "Country of origin (ISO)": "coo_iso",
    "Country of asylum": "coa_name", "Country of asylum (ISO)": "coa_iso",
    "Refugees under UNHCR's mandate": "refugees", "Asylum-seekers": "asylum_seekers",
    "Returned refugees": "returned_refugees", "IDPs of concern to UNHCR": "idps",
    "Returned IDPs": "returned_idps", "Returned IDPss": "returned_idps",
    "Stateless persons": "stateless", "Others of concern": "ooc",
    "Other people in need of international protection": "oip", "Host Community": "hst",
    "Refugees": "refugees", "Refugee-like situations": "refugee_like",
    "Refugees and people in refugee-like situations": "refugees",
    "Resettlement arrivals": "resettlement", "Resettlement": "resettlement",
    "Naturalisation": "naturalisation",
    "Authority": "procedure_type", "Procedure type": "procedure_type",
    "Application type": "app_type", "Decision level": "dec_level", "Stage of procedure": "dec_level",
    "Cases / Persons": "app_pc", "Application data type": "app_pc",
    "Number of applications": "applied", "Applied": "applied", "Applications": "applied",
    "Decision data type": "dec_pc",
    "Recognized decisions": "dec_recognized", "Complementary protection": "dec_other",
    "Rejected decisions": "dec_rejected", "Otherwise closed": "dec_closed",
    "Total decisions": "dec_total",
    "Population type": "pop_type", "Location": "location", "Urban / Rural": "loc_type",
    "Location type": "loc_type", "Accommodation type": "acc_type",
    **{f"{sex} {label}": f"{code}_{age}"
       for sex, code in (("Female", "f"), ("Male", "m"))
       for age, labels in (("0_4", ["0 - 4"]), ("5_11", ["5 - 11"]), ("12_17", ["12 - 17"]),
                           ("18_59", ["18 - 59"]), ("60", ["60", "60+", "60 or more"]),
                           ("other", ["other", "unknown"]), ("total", ["total"]))
       for label in labels},
    "f_other": "f_other", "m_other": "m_other", "Total": "total",
}.items()}


def _sniff(source: _tabular.Source) -> tuple[int, list[str]]:
    """Find the header line (skipping a preamble); return ``(lines before it, header)``."""
    text = _tabular.decode_head(source)
    _tabular.check_not_empty(source, text)
    lines = text.splitlines()
    for index, line in enumerate(lines[:30]):
        fields = [f.strip() for f in _tabular.first_records(line, 1)[0]] if line.strip() else []
        if any(f.lower() == "year" for f in fields):
            _tabular.check_delimiter(source, fields, line=index + 1)
            return index, fields
    first = lines[0]
    _tabular.check_delimiter(source, [first])
    raise InputError(source.label, [Problem(1, "year", "no header row with a 'year' (or 'Year') column "
                                                       "in the first 30 lines")],
                     hint="expected UNHCR's population API CSV or a Refugee Data Finder download")


def _read_json(source: _tabular.Source) -> pd.DataFrame:
    try:
        with source.open() as handle:
            document = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(source.label, [Problem(line, None, f"not valid JSON: {exc}")]) from None
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InputError(source.label, [Problem(None, "items", "expected {\"items\": [{...}, ...]} as "
                                                               "returned by UNHCR's population API")])
    frame = pd.DataFrame(items)
    for column in frame.columns:
        values = frame[column].astype(object)
        missing = values.isna() | values.isin(["", "-"])
        frame[column] = values.where(~missing, None).map(
            lambda v: v if v is None or isinstance(v, str) else repr(v)
        ).astype("string")
    return frame


def _escape(values: pd.Series) -> pd.Series:
    return (values.astype("string").fillna("").str.replace("%", "%25", regex=False)
            .str.replace(";", "%3B", regex=False).str.replace("=", "%3D", regex=False))


def _load(path: str | Path, dataset: str) -> tuple:
    """Read and check the columns and values shared by :func:`read_unhcr` and
    :func:`read_unhcr_table`; problems are collected, not raised."""
    if not isinstance(dataset, str) and dataset is not None:  # None: an unknown dataset, below
        raise TypeError(f"`dataset` is one UNHCR dataset name such as 'population', found "
                        f"{type(dataset).__name__} {dataset!r}; read each dataset with its own call")
    dataset = dataset.replace("-", "_") if dataset is not None else None
    if dataset not in DATASETS:
        raise ValueError(f"unknown UNHCR dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    counts = COUNT_COLUMNS[dataset]
    dimensions = _DIMENSIONS.get(dataset, ())
    required = ["year", "coo_iso", "coa_iso",
                *(d for d in dimensions if d not in _OPTIONAL_DIMENSIONS),
                *(c for c in counts if c not in _OPTIONAL_COUNTS)]
    path = Path(path)
    if path.suffix.lower() == ".json":
        if not path.is_file():
            raise InputError(path, [Problem(None, None, "file not found")])
        source = _tabular.Source(path)
        raw = _read_json(source)
        form, header_line = "api", None
        problems = _tabular.Problems(source, lambda positions: [None for _ in positions],
                                 prefix=lambda p: f"items[{p}]: ")
    else:
        source = _tabular.open_source(path, kind="UNHCR")
        skip, header = _sniff(source)
        form = "api" if {"coo_iso", "coa_iso"} & set(header) else "rdf"
        names = header if form == "api" else [_RDF_NAMES.get(_key(h), h) for h in header]
        header_line = skip + 1
        raw = None
        problems = _tabular.Problems(source, _tabular.LineIndex(source, skip_lines=skip))
    if form == "api":
        required[3:3] = ["coo", "coa"]
    _tabular.check_columns(source, list(raw.columns) if raw is not None else names, required,
                       line=header_line, what=f"UNHCR {dataset}")
    present = set(raw.columns) if raw is not None else set(names)
    wanted = [c for c in ("year", "coo", "coo_iso", "coa", "coa_iso", *dimensions, *counts)
              if c in present]
    if raw is None:
        raw = _tabular.read_table(source, columns=wanted, text_columns=wanted, names=names,
                              skip_lines=skip + 1, null_values=("",) if form == "api" else ("", "-"))
    raw = raw[wanted].reset_index(drop=True)
    counts = tuple(c for c in counts if c in raw)

    years = _tabular.as_years(raw["year"], "year", problems)
    values = {c: _tabular.as_integers(raw[c], c, problems, required=False) for c in counts}

    return dataset, source, form, raw, years, values, problems, dimensions, counts


def read_unhcr(path: str | Path, dataset: str) -> pd.DataFrame:
    """Read one UNHCR population-statistics dataset as ``displacement_counts``.

    Parameters
    ----------
    path : str or Path
        The population API's CSV or JSON, or a Refugee Data Finder download
        (CSV, or a zip holding one CSV).
    dataset : str
        One of :data:`DATASETS`: ``"population"``, ``"asylum_applications"``,
        ``"asylum_decisions"``, ``"flows"``, ``"solutions"`` or
        ``"demographics"`` (hyphens accepted, as in the API's URLs).

    Returns
    -------
    pandas.DataFrame
        A validated ``displacement_counts`` table, one record per row ×
        count column, in file order; the module docstring gives the rules.

    Raises
    ------
    ValueError
        For an unknown ``dataset``.
    InputError
        When a required column is missing (naming it and a close match), the
        delimiter is not a comma, or a value breaks the rules (file, line and
        column named).

    Examples
    --------
    >>> counts = read_unhcr("../shared/data/unhcr/flows.csv", "flows")  # doctest: +SKIP
    >>> sorted(counts["population_type"].unique())  # doctest: +SKIP
    ['asylum_seekers', 'oip', 'refugee_like', 'refugees']
    """
    dataset, source, form, raw, years, values, problems, dimensions, counts = _load(path, dataset)
    coo = _text(raw, "coo_iso").fillna(_text(raw, "coo")).fillna("-")
    coa = _text(raw, "coa_iso").fillna(_text(raw, "coa")).fillna("-")
    year_text = years.astype("string").fillna("-")
    dims = [d for d in dimensions if d in raw]
    long = _long_records(raw, dataset, counts, values, _breakdowns(raw, dims))
    rows = long["row"].to_numpy()
    base = f"unhcr:{dataset}:" + year_text + ":" + coo + ":" + coa + ":"
    record_id = _record_ids(base.iloc[rows].reset_index(drop=True), long, with_breakdown=bool(dims))
    _check_repeated_records(record_id, rows, len(raw), problems)
    problems.raise_if_any(hint=_hint(dataset))
    missing = pd.Series(pd.NA, index=raw.index, dtype="string")
    coo_code = raw["coo"].astype("string") if "coo" in raw else missing
    coa_code = raw["coa"].astype("string") if "coa" in raw else missing
    if form == "api":
        ref = (f"{_API}/{_ENDPOINTS.get(dataset, dataset)}/?year=" + year_text
               + "&coo=" + coo_code.fillna("-") + "&coa=" + coa_code.fillna("-"))
    else:
        ref = (f"refugee-data-finder:{dataset}:year=" + year_text + ";coo_iso=" + coo
               + ";coa_iso=" + coa)
    per_record = {"year": years.astype("string"), "origin_country_iso3": raw["coo_iso"],
                  "destination_country_iso3": raw["coa_iso"], "origin_code": coo_code,
                  "destination_code": coa_code, "source_ref": ref}
    per_record = {name: series.iloc[rows].reset_index(drop=True) for name, series in per_record.items()}
    return _displacement_counts(dataset, long, record_id, per_record)


def _text(raw: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of ``raw`` as stripped text, or all missing where the file lacks it."""
    if column in raw:
        return raw[column].astype("string").str.strip()
    return pd.Series(pd.NA, index=raw.index, dtype="string")


def _hint(dataset: str) -> str:
    """The hint of every error about a UNHCR file's values."""
    return f"expected UNHCR's {dataset} data as published by the population API or the Refugee Data Finder"


def _breakdowns(raw: pd.DataFrame, dims: list[str]) -> pd.Series:
    """Each row's ``breakdown`` from its dimension columns ``dims``: ``"k=v;k=v"``, values escaped.

    Missing on every row when the dataset has no dimensions.
    """
    if not dims:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    common = f"{dims[0]}=" + _escape(raw[dims[0]])
    for d in dims[1:]:
        common = common + f";{d}=" + _escape(raw[d])
    return common


def _long_records(raw: pd.DataFrame, dataset: str, counts: tuple[str, ...],
                  values: dict[str, pd.Series], common: pd.Series) -> pd.DataFrame:
    """One record per file row × count column, in file order, then column order.

    Columns ``row`` (the file row's position), ``column`` (the count column's
    position), ``population_type`` and ``breakdown`` (``common`` plus, for
    demographics, sex and age), ``count``; the module docstring gives the
    population type of each dataset.
    """
    frames = []
    for number, column in enumerate(counts):
        breakdown = common
        if dataset == "asylum_applications":
            population_type = pd.Series("asylum_applications", index=raw.index)
        elif dataset == "asylum_decisions":
            population_type = pd.Series("decisions_" + column.removeprefix("dec_"), index=raw.index)
        elif dataset == "demographics":
            codes = raw["pop_type"].astype("string").str.strip()
            population_type = codes.map(_POP_TYPES).fillna(codes.str.lower())
            sex, _, age = column.partition("_")
            sex = {"f": "female", "m": "male"}.get(sex, "all")
            breakdown = common + f";sex={sex};age={_AGES.get(age, 'total')}"
        else:
            population_type = pd.Series(column, index=raw.index)
        frames.append(pd.DataFrame({
            "row": np.arange(len(raw)),
            "column": number,
            "population_type": population_type.astype("string").to_numpy(),
            "breakdown": breakdown.astype("string").to_numpy(),
            "count": values[column].to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True).sort_values(["row", "column"], ignore_index=True)


def _record_ids(base: pd.Series, long: pd.DataFrame, *, with_breakdown: bool) -> pd.Series:
    """Each record's id: its row's ``base`` (``unhcr:<dataset>:<year>:<coo>:<coa>:``) and population type.

    ``with_breakdown`` (a dataset with dimensions) appends ``:`` and the first
    12 hex digits of the SHA-1 of the record's ``breakdown``, computed once per
    distinct breakdown.
    """
    record_id = base + long["population_type"]
    if with_breakdown:
        digests = {b: ":" + hashlib.sha1(b.encode("utf-8")).hexdigest()[:12]
                   for b in long["breakdown"].dropna().unique()}
        record_id = record_id + long["breakdown"].map(digests).astype("string")
    return record_id


def _check_repeated_records(record_id: pd.Series, rows: np.ndarray, row_count: int,
                            problems: _tabular.Problems) -> None:
    """Record, on its file row, each record repeating an earlier one's id.

    ``rows`` holds each record's file row (0-based); the message names the
    line of the first row with the same year, countries and breakdown.
    """
    repeated = record_id.duplicated(keep="first").to_numpy()
    if repeated.any():
        first = pd.Series(rows).groupby(record_id.to_numpy()).transform("min").to_numpy()
        first_of_row = dict(zip(rows[repeated], first[repeated]))
        row_mask = np.zeros(row_count, dtype=bool)
        row_mask[rows[repeated]] = True
        problems.rows(row_mask, None, lambda p: "repeats the year, countries and breakdown of "
                      f"the row on line {problems.locate([first_of_row[p]])[0]}")


def _displacement_counts(dataset: str, long: pd.DataFrame, record_id: pd.Series,
                         per_record: dict[str, pd.Series]) -> pd.DataFrame:
    """Assemble and validate the ``displacement_counts`` table of :func:`read_unhcr`.

    ``long`` is :func:`_long_records`' table; ``per_record`` holds the file
    row's ``year`` (text), countries, UNHCR codes and ``source_ref``, already
    repeated once per record.
    """
    year = per_record["year"]
    count = long["count"]
    frame = pd.DataFrame({
        "record_id": record_id,
        "source": f"unhcr_{dataset}",
        "period_start": pd.to_datetime(year + "-01-01", format="%Y-%m-%d"),
        "period_end": pd.to_datetime(year + "-12-31", format="%Y-%m-%d"),
        "origin_country_iso3": per_record["origin_country_iso3"],
        "destination_country_iso3": per_record["destination_country_iso3"],
        "population_type": long["population_type"],
        "count_best": count,
        "count_low": count,
        "count_high": count,
        "qualifier": pd.Series("exact", index=long.index, dtype="string").where(count.notna()),
        "count_basis": DATASETS[dataset],
        "revised_down": False,
        "reporter": "UNHCR",
        "origin_code": per_record["origin_code"],
        "destination_code": per_record["destination_code"],
        "breakdown": long["breakdown"],
        "source_ref": per_record["source_ref"],
    })
    return schema.validate(schema.conform(frame, "displacement_counts"), "displacement_counts")


def read_unhcr_table(path: str | Path, dataset: str) -> pd.DataFrame:
    """Read one UNHCR dataset as published: one row per file row, counts as columns.

    The fast, wide companion of :func:`read_unhcr` for panels over every
    country pair (the global population file has 138,893 rows, 1.25 million
    records in long form). Same checks, same errors (file, line, column);
    an empty cell stays missing, never zero.

    Parameters
    ----------
    path : str or Path
        As for :func:`read_unhcr`.
    dataset : str
        As for :func:`read_unhcr`.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int64), ``origin_iso3`` and ``destination_iso3`` (``coo_iso``/``coa_iso``,
        falling back to UNHCR's code where the ISO code is empty), ``origin_code`` and
        ``destination_code`` (UNHCR's codes; missing in a Refugee Data Finder download),
        the dataset's dimensions as text (``procedure_type``, ``app_type``, ``dec_level``,
        ``app_pc`` for applications: a code ``"NA"`` stays the code ``"NA"``), then its
        count columns (:data:`COUNT_COLUMNS`, ``Int64``).

    Raises
    ------
    InputError
        As :func:`read_unhcr`, and for a row repeating another's year, countries and
        dimensions.

    Examples
    --------
    >>> table = read_unhcr_table("../shared/data/unhcr/asylum_applications.csv",
    ...                          "asylum_applications")  # doctest: +SKIP
    >>> table.query("origin_iso3 == 'SYR' and destination_iso3 == 'RUS' and year == 2025")[
    ...     ["dec_level", "applied"]].values.tolist()  # doctest: +SKIP
    [['FI', 124], ['TA', 3196]]
    """
    dataset, source, form, raw, years, values, problems, dimensions, counts = _load(path, dataset)
    frame = pd.DataFrame({
        "year": years,
        "origin_iso3": _text(raw, "coo_iso").fillna(_text(raw, "coo")),
        "destination_iso3": _text(raw, "coa_iso").fillna(_text(raw, "coa")),
        "origin_code": _text(raw, "coo"),
        "destination_code": _text(raw, "coa"),
        **{d: _text(raw, d) for d in dimensions if d in raw},
        **values,
    })
    keys = [c for c in frame.columns if c not in values and c not in ("origin_code", "destination_code")]
    repeated = frame.duplicated(keys, keep="first").to_numpy()
    if repeated.any():
        first = frame.groupby(keys, dropna=False, sort=False).cumcount()  # 0 = first occurrence
        problems.rows(repeated, None, lambda p: "repeats the year, countries and breakdown of an "
                      f"earlier row (occurrence {int(first.iloc[p]) + 1})")
    problems.raise_if_any(hint=_hint(dataset))
    return frame.astype({"year": "int64"})


def breakdown_columns(counts: pd.DataFrame) -> pd.DataFrame:
    """Split ``displacement_counts``'s ``breakdown`` (``"k=v;k=v"``) into one text column per key.

    Parsed once per distinct breakdown; escaped ``%``, ``;`` and ``=`` are
    restored; a code ``"NA"`` stays ``"NA"``.

    Examples
    --------
    >>> rows = pd.DataFrame({"breakdown": ["procedure_type=G;app_type=N;dec_level=NA;app_pc=P"]})
    >>> breakdown_columns(rows).iloc[0].tolist()
    ['G', 'N', 'NA', 'P']
    """
    codes, uniques = pd.factorize(counts["breakdown"].astype("string"))
    parsed = []
    for text in uniques:
        pairs = (item.split("=", 1) for item in str(text).split(";") if item)
        parsed.append({k: v.replace("%3D", "=").replace("%3B", ";").replace("%25", "%") for k, v in pairs})
    table = pd.DataFrame(parsed, dtype="string")
    if not len(table.columns):
        return pd.DataFrame(index=counts.index)
    out = table.iloc[np.where(codes < 0, 0, codes)].reset_index(drop=True)
    out[codes < 0] = pd.NA
    out.index = counts.index
    return out
