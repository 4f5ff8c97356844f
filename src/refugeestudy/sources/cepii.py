"""CEPII GeoDist bilateral geography (``dist_cepii``) as the ``bilateral_geography`` table.

:func:`read_cepii_geodist` reads CEPII's GeoDist dyadic file ``dist_cepii``
(Mayer & Zignago 2011; 224 × 224 country pairs, time-invariant). Columns are
selected by name; a byte-order mark before the header is accepted.

The canonical table, :data:`COLUMNS` (file order):

==========================================  ===================================================
``cepii_origin``, ``cepii_destination``     ``iso_o``, ``iso_d`` as written
``origin_iso3``, ``destination_iso3``       the same through :data:`LEGACY_CODES` (missing
                                            where a legacy code has no single successor)
``contig``                                  1 if the two share a land border
``comlang_off``, ``comlang_ethno``          a common official language; a language spoken
                                            by at least 9 % of both populations
``colony``, ``comcol``, ``curcol``,         ever in a colonial relationship; a common
``col45``, ``smctry``                       coloniser after 1945; currently colonial; a
                                            colonial relationship after 1945; ever one country
``dist``, ``distcap``                       km between the most populated cities; capitals
``distw``, ``distwces``                     km, population-weighted over the main cities
                                            (``.`` in the file: missing)
==========================================  ===================================================

The 0/1 columns are nullable integers, the distances float64.

**Legacy codes.** GeoDist predates some ISO 3166 changes. The rule: a legacy
code that a single current state took over (same state renamed, or the
continuator of a union) is mapped to that state's ISO3; a legacy code with
several successors and no continuator is mapped to nothing (its rows keep
``cepii_origin``/``cepii_destination`` and get a missing ISO3, so a builder
drops them and says how many); its successors get **no** row (GeoDist has
none for them) rather than a copy of the predecessor's. Concretely
(:data:`LEGACY_CODES`): ``ZAR`` → ``COD`` (Zaire renamed DR Congo, 1997),
``TMP`` → ``TLS`` (East Timor, ISO code changed 2002), ``PAL`` → ``PSE``
(Palestine), ``YUG`` → ``SRB`` (Serbia and Montenegro: Serbia is its continuator
since June 2006, so ``MNE`` and ``XKX`` have no row; the distances are those of
the former union, an approximation for Serbia), ``ANT`` → none (the Netherlands
Antilles dissolved in 2010 into ``CUW``, ``SXM`` and ``BES``, none a
continuator). GeoDist also has no ``SSD``: its ``SDN`` is Sudan before 2011.

A row with an empty ``iso_o`` or ``iso_d`` is dropped and counted in
``frame.attrs["repairs"]["rows_without_code"]``, never guessed: the mirror holds
one, line 49,384 (``ZAF`` to an empty code; ``KAZ`` is the one destination
``ZAF`` lacks and ``KAZ``–``ZAF`` has the same distances, but the pair is left
out rather than filled in).

A missing column, a code that is not three capital letters, a value other than
0/1 in a 0/1 column, a distance that is not a non-negative number, or a pair
repeated after the mapping is an :class:`~refugeestudy.errors.InputError`
naming file, line and column. One exception, documented and counted: the
published file holds ``ROU`` in ``curcol`` on the pair ROU–BOL (a known
defect; the column is a 0/1 flag); a non-0/1 ``curcol`` is read as missing and
counted in ``frame.attrs["repairs"]["curcol_not_0_1"]``.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "dist.csv"
>>> head = "iso_o,iso_d,contig,comlang_off,comlang_ethno,colony,comcol,curcol,col45,smctry,dist,distcap,distw,distwces"
>>> _ = path.write_text(head + "\\nSYR,LBN,1,1,1,0,0,0,0,0,85.94135,85.94135,228.363,156.0477\\n"
...                     "ZAR,ANT,0,0,0,0,0,0,0,0,9000,9000,.,.\\n")
>>> table = read_cepii_geodist(path)
>>> table[["origin_iso3", "destination_iso3", "contig", "distw"]].values.tolist()
[['SYR', 'LBN', 1, 228.363], ['COD', <NA>, 0, nan]]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from refugeestudy.sources import _tabular

__all__ = ["BINARY", "COLUMNS", "DISTANCES", "LEGACY_CODES", "current_iso3", "read_cepii_geodist"]

#: GeoDist's legacy code → current ISO3, or ``None`` where there is no single successor.
LEGACY_CODES: dict[str, str | None] = {"ZAR": "COD", "TMP": "TLS", "PAL": "PSE", "YUG": "SRB",
                                       "ANT": None}
#: The 0/1 columns, and the distances (km).
BINARY: tuple[str, ...] = ("contig", "comlang_off", "comlang_ethno", "colony", "comcol", "curcol",
                           "col45", "smctry")
DISTANCES: tuple[str, ...] = ("dist", "distcap", "distw", "distwces")

#: The canonical ``bilateral_geography`` table: column → dtype.
COLUMNS: dict[str, str] = {"cepii_origin": "string", "cepii_destination": "string",
                           "origin_iso3": "string", "destination_iso3": "string",
                           **{name: "Int64" for name in BINARY},
                           **{name: "float64" for name in DISTANCES}}

_CODES = ("iso_o", "iso_d")
_REPAIRED = "curcol"


def current_iso3(codes: pd.Series) -> pd.Series:
    """Map GeoDist codes to current ISO3 by the module's rule (:data:`LEGACY_CODES`).

    Examples
    --------
    >>> current_iso3(pd.Series(["SYR", "ZAR", "YUG", "ANT"], dtype="string")).tolist()
    ['SYR', 'COD', 'SRB', <NA>]
    """
    mapped = codes.astype("string").copy()
    legacy = mapped.isin(list(LEGACY_CODES)).fillna(False)
    mapped[legacy] = [LEGACY_CODES[code] for code in mapped[legacy]]
    return mapped.astype("string")


def _binary(raw: pd.Series, name: str, problems) -> tuple[pd.Series, int]:
    """A 0/1 column as Int64; a non-0/1 ``curcol`` becomes missing (counted), elsewhere an error."""
    text = raw.astype("string").str.strip()
    bad = ~text.isin(["0", "1"]).fillna(False)
    if name == _REPAIRED:
        return pd.to_numeric(text.where(~bad), errors="coerce").astype("Int64"), int(bad.sum())
    problems.rows(bad, name, lambda p: f"expected 0 or 1, found {_tabular.cell(raw, p)}")
    return pd.to_numeric(text.where(~bad), errors="coerce").astype("Int64"), 0


def read_cepii_geodist(path: str | Path) -> pd.DataFrame:
    """Read CEPII GeoDist's ``dist_cepii`` and map its legacy codes to current ISO3.

    Parameters
    ----------
    path : str or Path
        ``dist_cepii.csv`` (or a zip holding it).

    Returns
    -------
    pandas.DataFrame
        The ``bilateral_geography`` table (:data:`COLUMNS`), one row per file row.

    Raises
    ------
    InputError
        Naming file, line and column of each problem (see the module docstring).

    Examples
    --------
    >>> table = read_cepii_geodist("../shared/data/cepii/dist_cepii.csv")  # doctest: +SKIP
    >>> table.query("origin_iso3 == 'SYR' and destination_iso3 == 'LBN'")["distw"].item()  # doctest: +SKIP
    228.363
    """
    source = _tabular.open_source(path, kind="CEPII GeoDist")
    text = _tabular.decode_head(source)
    _tabular.check_not_empty(source, text)
    header = [field.strip() for field in _tabular.first_records(text, 1)[0]]
    _tabular.check_delimiter(source, header)
    required = [*_CODES, *BINARY, *DISTANCES]
    _tabular.check_columns(source, header, required, what="CEPII GeoDist dist_cepii")
    raw = _tabular.read_table(source, columns=required, text_columns=[*_CODES, *BINARY],
                              null_values=("", "."))
    lines = _tabular.LineIndex(source)
    problems = _tabular.Problems(source, lines)

    codes = {name: raw[name].astype("string").str.strip() for name in _CODES}
    blank = codes["iso_o"].isna() | codes["iso_d"].isna()
    for name in _CODES:
        problems.rows(codes[name].notna() & ~codes[name].str.fullmatch(r"[A-Z]{3}").fillna(False), name,
                      lambda p, n=name: f"expected a three-letter code, found {_tabular.cell(raw[n], p)}")
    binary, repaired = {}, 0
    for name in BINARY:
        binary[name], count = _binary(raw[name], name, problems)
        repaired += count
    distances = {name: _tabular.as_floats(raw[name], name, problems, 0.0, np.inf) for name in DISTANCES}
    for name in ("dist", "distcap"):
        problems.rows(raw[name].isna(), name, "is empty; a distance is required")
    origin, destination = current_iso3(codes["iso_o"]), current_iso3(codes["iso_d"])
    key = (origin.fillna(codes["iso_o"]) + "|" + destination.fillna(codes["iso_d"])).where(~blank)
    _tabular.duplicates(key, "iso_o, iso_d (after mapping legacy codes)", problems, lines)
    problems.raise_if_any(hint="expected CEPII GeoDist's dist_cepii (iso_o, iso_d, contig, ..., distw)")

    frame = pd.DataFrame({"cepii_origin": codes["iso_o"], "cepii_destination": codes["iso_d"],
                          "origin_iso3": origin, "destination_iso3": destination,
                          **binary, **distances})
    frame = frame.loc[~blank, list(COLUMNS)].astype(COLUMNS).reset_index(drop=True)
    frame.attrs["repairs"] = {"curcol_not_0_1": repaired, "rows_without_code": int(blank.sum())}
    return frame
