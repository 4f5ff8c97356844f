"""Build each plan's ``data/processed/<plan>/*.parquet`` from the curated log and the fetched sources.

:func:`build_plans` builds the plans of the run plan (``reports.yml``), each
into its own folder: a plan with ``build: log`` (``embedded``) from the
curated log only, so fetching and building never change what it reads; a plan
with ``build: fetched`` (``full``) from the log and every fetched source.
:func:`build` builds one folder and reads:

* the curated report log, always (:func:`refugeestudy.load_reports`);
* each source recorded in the fetch lock (``data/raw/fetch.lock.json``) whose
  file is in the cache, after checking its SHA-256 against the lock
  (:func:`refugeestudy.fetch.cached_path`): UCDP GED and ACLED through
  ``read_ged``/``read_acled`` into ``violence_events``, UNHCR datasets through
  ``read_unhcr`` into ``displacement_counts``.

It writes ``violence_events.parquet``, ``displacement_counts.parquet``,
``key_events.parquet``, ``report_figures.parquet`` and
``report_sources.parquet`` plus ``build_manifest.json`` (inputs with their
checksums, row counts, the outputs' checksums; no timestamps).

Rules, each reported with its count (no silent drops):

* violence events outside :data:`VIOLENCE_COUNTRIES` (a global GED file holds
  the whole world) are dropped: ``outside Syria (<ISO3>)``;
* an event already read from another file of the same source (the GED global
  file and the UCDP API's Syria extract share GED ids) is dropped the second
  time: ``duplicate of <file>``. Rows of *different* sources reporting the same
  event are all kept: reconciling them is analysis, not building.

After the canonical tables, each :data:`TABLE_BUILDERS` entry may derive a
table of its own from them and the fetched files (append one to add a table):
``dyad_year_panel`` (:mod:`refugeestudy.panels.dyads`), ``origin_year_controls``
and ``dyad_geography`` (:mod:`refugeestudy.panels.covariates`); the rows a builder
leaves out are recorded in the manifest and printed.

Every output is written first to a temporary folder beside the plan's folder
(``data/processed/.build-<plan>-<random>/``); only when all are written is it
swapped for the plan's folder in one atomic step, so a reader (or a crash)
sees the old set or the new set, never a mix. A failure before that (a bad
input, a checksum mismatch, a schema error) leaves the previous files
untouched, and the build folders a killed build leaves (``kill -9``, a
full disk) are removed by the next build, of any plan whose lock no live
build or run holds. One build per folder at a time (a lock file,
``data/processed/.<plan>.lock``). Same inputs give byte-identical
files: rows are sorted by source and id, parquet is written with fixed options
and carries no timestamps. When the inputs, the package code and the outputs
are unchanged since the last build, nothing is rewritten.

Examples
--------
>>> summary = build()  # doctest: +SKIP
>>> summary.rows["key_events"]  # doctest: +SKIP
7
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from refugeestudy import paths, schema
from refugeestudy.paths import MANIFEST_NAME
from refugeestudy._hashing import package_fingerprint, sha256_file

__all__ = ["OUTPUTS", "MANIFEST_NAME", "VIOLENCE_COUNTRIES", "TABLE_BUILDERS", "TableBuilder",
           "BuildError", "InputReport", "BuildSummary", "build", "build_plans", "read_processed",
           "write_parquet"]

#: Output name → file name in the processed folder.
OUTPUTS: dict[str, str] = {
    "violence_events": "violence_events.parquet",
    "displacement_counts": "displacement_counts.parquet",
    "key_events": "key_events.parquet",
    "report_figures": "report_figures.parquet",
    "report_sources": "report_sources.parquet",
}
#: Countries whose violence events are kept (the study's origin country).
VIOLENCE_COUNTRIES: tuple[str, ...] = ("SYR",)
_SORT = {"violence_events": ["source", "event_id"], "displacement_counts": ["source", "record_id"],
         "key_events": ["date", "event_id"], "report_figures": ["figure_id"],
         "report_sources": ["url"]}
_ID = {"violence_events": "event_id", "displacement_counts": "record_id", "key_events": "event_id"}
_COUNTRY_NAMES = {"SYR": "Syria"}
_STAGING_PREFIX = ".build-"
_STAGING_MARK = ".refugeestudy-build-staging"
#: The random part :func:`tempfile.mkdtemp` gives a build folder's name.
_RANDOM_PART = re.compile(r"[a-z0-9_]{8}\Z")


@dataclass(frozen=True)
class TableBuilder:
    """A table derived from the canonical tables and the fetched files, built after them.

    Attributes
    ----------
    name : str
        The table's name; it is written as ``<name>.parquet``.
    make : callable
        ``make(tables, fetched) -> DataFrame or None``: ``tables`` maps each
        canonical table's name to its frame, ``fetched`` each fetched source's
        registry name to its verified file (empty for a ``build: log`` plan).
        Return ``None`` when the inputs it needs are not there (the table is
        then not written); raise :class:`BuildError` for inputs it cannot use.
    sort : tuple of str
        Columns the rows are sorted by (byte-identical output).

    Examples
    --------
    >>> TableBuilder("n_events", lambda tables, fetched: None).sort
    ()
    """

    name: str
    make: Callable[[dict[str, pd.DataFrame], dict[str, Path]], pd.DataFrame | None]
    sort: tuple[str, ...] = ()


def _dyad_year_panel(tables, fetched):
    from refugeestudy.panels.dyads import panel_from_fetched

    return panel_from_fetched(tables, fetched)


def _origin_year_controls(tables, fetched):
    from refugeestudy.panels.covariates import controls_from_fetched

    return controls_from_fetched(tables, fetched)


def _dyad_geography(tables, fetched):
    from refugeestudy.panels.covariates import geography_from_fetched

    return geography_from_fetched(tables, fetched)


#: Derived tables, in build order: append a :class:`TableBuilder` to add one.
TABLE_BUILDERS: list[TableBuilder] = [
    TableBuilder("dyad_year_panel", _dyad_year_panel,
                 sort=("origin_iso3", "destination_iso3", "year")),
    TableBuilder("origin_year_controls", _origin_year_controls, sort=("origin", "year")),
    TableBuilder("dyad_geography", _dyad_geography, sort=("origin", "destination")),
]


class BuildError(RefugeestudyError, RuntimeError):
    """The inputs cannot be combined into the canonical tables (nothing was written).

    Examples
    --------
    >>> str(BuildError("violence_events: id 'x' comes from two sources"))
    "violence_events: id 'x' comes from two sources"
    """


@dataclass(frozen=True)
class InputReport:
    """What the build read from one file into one table.

    Attributes
    ----------
    source : str
        ``reports`` or a registry key (``unhcr_population``, ``ucdp_ged``, ...).
    file : str
        The file, relative to the project root or the cache folder.
    table : str
        The canonical table it went into.
    rows_read : int
        Data rows in the file (for the log: figures of this kind).
    rows_kept : int
        Records written to the table (UNHCR files give one record per row ×
        count column, so this can exceed ``rows_read``).
    dropped : dict
        Reason → number of records dropped by the build.
    note : str
        How rows become records, repairs reported by the reader.
    """

    source: str
    file: str
    table: str
    rows_read: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    note: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class BuildSummary:
    """The result of :func:`build`.

    Attributes
    ----------
    processed_dir : Path
    outputs : dict
        Output name → path of the parquet file.
    rows : dict
        Output name → number of rows.
    inputs : list of InputReport
    skipped : list of (str, str)
        Registry sources not used, with the reason (not fetched, lookup, ...).
    unchanged : bool
        True when nothing was rewritten because nothing changed.
    fingerprint : str
        SHA-256 over the inputs' checksums and the package code.
    dropped : dict
        Derived table → reason → rows its builder left out (from the frame's
        ``attrs["dropped"]``), e.g. CEPII pairs without a current code.

    Examples
    --------
    >>> BuildSummary(Path("p"), {}, {}, [], [], False, "f").unchanged
    False
    """

    processed_dir: Path
    outputs: dict[str, Path]
    rows: dict[str, int]
    inputs: list[InputReport]
    skipped: list[tuple[str, str]]
    unchanged: bool
    fingerprint: str
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def _count_rows(path: Path) -> int:
    """Data rows of a CSV file, or of the single CSV inside a zip (quoted newlines handled)."""

    def count(handle) -> int:
        reader = csv.reader(handle)
        return max(0, sum(1 for _ in reader) - 1)

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist()
                       if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
            if len(members) != 1:
                return 0
            with archive.open(members[0]) as raw:
                return count(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace",
                                              newline=""))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        return count(handle)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as parquet with fixed options, so equal frames give equal bytes.

    No index, zstd compression, statistics on, pandas' dtype metadata kept
    (it holds no timestamps). Not atomic by itself: :func:`build` writes into
    a temporary folder and renames.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> frame = schema.empty("key_events")
    >>> a = write_parquet(frame, folder / "a.parquet").read_bytes()
    >>> b = write_parquet(frame, folder / "b.parquet").read_bytes()
    >>> a == b
    True
    >>> pd.read_parquet(folder / "a.parquet").dtypes["date"]  # parquet has no seconds unit
    dtype('<M8[ms]')
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=3, use_dictionary=True,
                   write_statistics=True, version="2.6", data_page_version="1.0")
    return Path(path)


def read_processed(name: str, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Read one built table back with the canonical dtypes.

    Parquet stores no ``datetime64[s]`` (it keeps milliseconds); this casts the
    canonical tables back to :mod:`refugeestudy.schema`'s dtypes so that a
    built table and one made by a reader compare equal.

    Parameters
    ----------
    name : str
        One of :data:`OUTPUTS` (``violence_events``, ``displacement_counts``,
        ``key_events``, ``report_figures``, ``report_sources``).
    processed_dir : str or Path, optional
        Default :func:`refugeestudy.paths.processed_dir` (the plan in
        ``REFUGEESTUDY_PLAN``, else ``embedded``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_parquet(schema.empty("key_events"), folder / "key_events.parquet")
    >>> read_processed("key_events", folder).dtypes["date"]
    dtype('<M8[s]')
    """
    known = {**OUTPUTS, **{b.name: f"{b.name}.parquet" for b in TABLE_BUILDERS}}
    if name not in known:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(known)}")
    folder = Path(processed_dir) if processed_dir is not None else paths.processed_dir()
    frame = pd.read_parquet(folder / known[name])
    if name in schema.TABLES:
        frame = schema.validate(schema.conform(frame, name), name)
    return frame


def _readers() -> dict[str, Any]:
    """Reader per registry kind/table, imported only when a build needs them."""
    from refugeestudy.sources.acled import read_acled
    from refugeestudy.sources.ucdp import read_ged
    from refugeestudy.sources.unhcr import read_unhcr

    return {"ucdp": read_ged, "acled": read_acled, "unhcr": read_unhcr}


def _read_source(name: str, source, path: Path) -> pd.DataFrame:
    readers = _readers()
    if name.startswith("ucdp"):
        return readers["ucdp"](path)
    if name.startswith("acled"):
        return readers["acled"](path)
    if name.startswith("unhcr"):
        return readers["unhcr"](path, source.options.get("dataset") or name[len("unhcr_"):])
    raise BuildError(f"{name}: no reader is known for this source")


def _concat(frames: list[pd.DataFrame], table: str) -> pd.DataFrame:
    frames = [schema.conform(frame, table) for frame in frames if len(frame)]
    if not frames:
        return schema.empty(table)
    return pd.concat(frames, ignore_index=True)


def _sorted(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = [key for key in _SORT[name] if key in frame.columns]
    return frame.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)


def _reports_rel(path: Path, root: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(root.resolve()).as_posix()
    return str(path)


# --------------------------------------------------------------------------- build


def _gather(reports_dir: Path, cache: Path, lock_path: Path, registry, root: Path,
            include_fetched: bool = True):
    """Find and verify the inputs; return (inputs, lookups, skipped) without reading tables.

    ``lookups`` maps each fetched source that is not a canonical table (a
    lookup, a country-year file) to its verified path, for :data:`TABLE_BUILDERS`.
    """
    from refugeestudy.fetch import cached_path, read_lock

    inputs: list[dict[str, Any]] = []
    for name in ("figures.csv", "sources.csv", "producers.csv"):
        path = reports_dir / name
        inputs.append({"source": "reports", "path": path, "file": _reports_rel(path, root),
                       "sha256": sha256_file(path) if path.is_file() else "missing"})
    skipped: list[tuple[str, str]] = []
    lookups: dict[str, dict[str, Any]] = {}
    if not include_fetched:
        return inputs, lookups, skipped
    lock = read_lock(lock_path)["sources"]
    for name, source in registry.sources.items():
        entry = lock.get(name)
        if entry is None:
            if source.table is not None:
                skipped.append((name, "not fetched (run `refugeestudy fetch "
                                      f"{name}`, or with --mirror DIR)"))
            continue
        if not (cache / entry["file"]).is_file():
            skipped.append((name, f"in {lock_path.name} but not in the cache {cache} (run "
                                  f"`refugeestudy fetch {name}`)"))
            continue
        path = cached_path(name, cache_dir=cache, lock_path=lock_path)  # raises on a mismatch
        item = {"source": name, "path": path, "file": entry["file"], "sha256": entry["sha256"],
                "table": source.table, "entry": entry}
        if source.table not in OUTPUTS:  # a lookup or a derived table's source
            lookups[name] = item
        else:
            inputs.append(item)
    return inputs, lookups, skipped


def _fingerprint(inputs: list[dict[str, Any]], lookups: dict[str, dict[str, Any]]) -> str:
    from refugeestudy import __version__

    payload = {"version": __version__, "code": package_fingerprint(),
               "inputs": [[i["source"], i["file"], i["sha256"]] for i in inputs],
               "lookups": [[i["source"], i["file"], i["sha256"]] for i in lookups.values()],
               "countries": list(VIOLENCE_COUNTRIES)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _unchanged(processed: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        manifest = json.loads((processed / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        return None
    recorded = manifest.get("outputs", {})
    if not set(OUTPUTS) <= set(recorded):
        return None
    for item in recorded.values():
        path = processed / item.get("file", "")
        if not path.is_file() or sha256_file(path) != item.get("sha256"):
            return None
    return manifest


def _log_reports(log, figures: dict[str, Any]) -> list[InputReport]:
    """What the build took from the curated log (``figures``: its input), one report per table.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> [r.table for r in _log_reports(load_reports(), {"file": "figures.csv", "sha256": "x"})]
    ['violence_events', 'displacement_counts', 'key_events']
    """
    kinds = log.figures["kind"].value_counts()
    return [
        InputReport("reports", figures["file"], "violence_events", int(kinds.get("deaths", 0)),
                    len(log.violence), note="cumulative tolls as increments per reporter",
                    sha256=figures["sha256"]),
        InputReport("reports", figures["file"], "displacement_counts",
                    int(kinds.get("displacement", 0)), len(log.displacement),
                    note="cumulative counts as increments", sha256=figures["sha256"]),
        InputReport("reports", figures["file"], "key_events", int(kinds.get("event", 0)),
                    len(log.events), sha256=figures["sha256"]),
    ]


def _outside_countries(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop the violence events outside :data:`VIOLENCE_COUNTRIES`; return (kept, reason → count).

    Examples
    --------
    >>> kept, dropped = _outside_countries(pd.DataFrame({"country_iso3": ["SYR", "IRQ", None]}))
    >>> len(kept), dropped
    (1, {'outside Syria (IRQ)': 1, 'outside Syria (unknown)': 1})
    """
    inside = frame["country_iso3"].isin(list(VIOLENCE_COUNTRIES)).fillna(False).astype(bool)
    where = "/".join(_COUNTRY_NAMES.get(c, c) for c in VIOLENCE_COUNTRIES)
    dropped = {f"outside {where} ({code})": int(count) for code, count in
               frame.loc[~inside, "country_iso3"].fillna("unknown").value_counts(
                   sort=False).sort_index().items()}
    return frame[inside], dropped


def _drop_seen(frame: pd.DataFrame, table: str, seen: dict[str, str]
               ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop the records whose id an earlier file gave (``seen``: id → file); return (kept, reasons).

    Examples
    --------
    >>> frame = pd.DataFrame({"event_id": ["a", "b"]})
    >>> kept, dropped = _drop_seen(frame, "violence_events", {"a": "ged.csv"})
    >>> kept["event_id"].tolist(), dropped
    (['b'], {'duplicate of ged.csv': 1})
    """
    ids = frame[_ID[table]]
    duplicate = ids.map(lambda key: key in seen).astype(bool)
    if not duplicate.any():
        return frame, {}
    dropped = {f"duplicate of {origin}": int(count)
               for origin, count in ids[duplicate].map(seen).value_counts().sort_index().items()}
    return frame[~duplicate], dropped


def _read_fetched(item: dict[str, Any], registry, seen: dict[str, str]
                  ) -> tuple[pd.DataFrame, InputReport]:
    """Read one fetched file into its table's rows, drop what the build rules drop, report it.

    ``seen`` (id → file of the table's records so far) is updated with the ids kept.
    """
    name, table, path = item["source"], item["table"], item["path"]
    frame = _read_source(name, registry.sources[name], path)
    read = _count_rows(path)
    notes = []
    repairs = {k: v for k, v in (frame.attrs.get("repairs") or {}).items() if v}
    if repairs:
        notes.append("reader repaired: " + ", ".join(f"{k} {v}" for k, v in sorted(repairs.items())))
    if name.startswith("unhcr"):
        notes.append("one record per row × count column")
    dropped: dict[str, int] = {}
    if table == "violence_events" and len(frame):
        frame, dropped = _outside_countries(frame)
    frame, duplicates = _drop_seen(frame, table, seen)
    dropped.update(duplicates)
    seen.update({key: item["file"] for key in frame[_ID[table]]})
    if table != "displacement_counts":
        unexplained = read - len(frame) - sum(dropped.values())
        if unexplained > 0:
            dropped["not returned by the reader (reason not reported)"] = unexplained
    entry = item.get("entry", {})
    if entry.get("method") == "mirror" and entry.get("version"):
        notes.append(f"mirror, version {entry['version']}")
    return frame, InputReport(name, item["file"], table, read, len(frame), dropped,
                              "; ".join(notes), item["sha256"])


def _refuse_id_clash(tables: dict[str, pd.DataFrame]) -> None:
    """Stop when one id of ``violence_events`` or ``displacement_counts`` comes from two sources.

    Examples
    --------
    >>> _refuse_id_clash({"violence_events": pd.DataFrame({"event_id": ["a", "a"],
    ...                   "source": ["ged", "acled"]}), "displacement_counts": pd.DataFrame(
    ...                   {"record_id": [], "source": []})})
    Traceback (most recent call last):
    ...
    refugeestudy.pipeline.build.BuildError: violence_events: the same event_id comes from different sources: 'a' in acled, ged. Readers must prefix ids with their source
    """
    for table in ("violence_events", "displacement_counts"):
        frame = tables[table]
        clash = frame[frame[_ID[table]].duplicated(keep=False)]
        if len(clash):
            examples = clash.groupby(_ID[table])["source"].apply(lambda s: sorted(set(s)))
            raise BuildError(f"{table}: the same {_ID[table]} comes from different sources: "
                             + "; ".join(f"{k!r} in {', '.join(v)}" for k, v in
                                         examples.head(5).items())
                             + ". Readers must prefix ids with their source")


def _with_derived(out: dict[str, pd.DataFrame], fetched: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """``out`` and, in order, each table of :data:`TABLE_BUILDERS` that can be built, rows sorted.

    Each builder sees the canonical tables and the derived ones built before it.

    Examples
    --------
    >>> list(_with_derived({}, {}))  # no fetched source: nothing to derive
    []
    """
    out = dict(out)
    for builder in TABLE_BUILDERS:
        frame = builder.make(dict(out), fetched)
        if frame is not None:
            keys = [key for key in builder.sort if key in frame.columns]
            out[builder.name] = (frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
                                 if keys else frame.reset_index(drop=True))
    return out


def _tables(inputs: list[dict[str, Any]], reports_dir: Path, registry,
            lookups: dict[str, dict[str, Any]] | None = None):
    """Read every input into the canonical tables and the derived ones; return (tables, reports)."""
    from refugeestudy.sources.reports import load_reports

    log = load_reports(reports_dir)
    reports = _log_reports(log, inputs[0])
    collected: dict[str, list[pd.DataFrame]] = {"violence_events": [log.violence],
                                                 "displacement_counts": [log.displacement]}
    seen = {table: dict.fromkeys(frames[0][_ID[table]], inputs[0]["file"])
            for table, frames in collected.items()}
    fetched_inputs = [i for i in inputs if i["source"] != "reports"]
    for item in fetched_inputs:
        frame, report = _read_fetched(item, registry, seen[item["table"]])
        collected[item["table"]].append(frame)
        reports.append(report)
    tables = {table: _concat(frames, table) for table, frames in collected.items()}
    tables["key_events"] = schema.conform(log.events, "key_events")
    _refuse_id_clash(tables)
    out = {name: schema.validate(_sorted(frame, name), name) for name, frame in tables.items()}
    out["report_figures"] = _sorted(log.figures.copy(), "report_figures")
    out["report_sources"] = _sorted(log.sources.copy(), "report_sources")
    fetched = {item["source"]: item["path"] for item in [*fetched_inputs, *(lookups or {}).values()]}
    return _with_derived(out, fetched), reports


def _print(console, summary: BuildSummary) -> None:
    from rich.table import Table

    table = Table(title=f"refugeestudy build: inputs of "
                        f"{_reports_rel(summary.processed_dir, paths.project_root())}",
                  title_justify="left")
    rows = [[item.source, item.file, item.table, f"{item.rows_read:,}", f"{item.rows_kept:,}",
             "; ".join(f"{reason}: {n}" for reason, n in item.dropped.items()) or "0", item.note]
            for item in summary.inputs]
    columns = ("source", "file", "table", "rows read", "kept", "dropped (reason: n)", "note")
    widths = []
    for number, column in enumerate(columns):
        # names, paths and numbers never break; the free text (last two) wraps at spaces
        whole = number < 5
        natural = max([len(column), *(len(row[number]) for row in rows)])
        widths.append(natural if whole else min(natural, 36))
        table.add_column(column, justify="right" if number in (3, 4) else "left",
                         no_wrap=whole, min_width=widths[-1])
    for row in rows:
        table.add_row(*row)
    needed = sum(widths) + 3 * len(widths) + 1
    width = console.width
    console.width = max(width, needed)  # a narrow console would break names and paths
    try:
        console.print(table)
    finally:
        console.width = width
    for name, reason in summary.skipped:
        console.print(f"  skipped {name}: {reason}", soft_wrap=True)
    for name, reasons in sorted(summary.dropped.items()):
        console.print(f"  {name} left out: " + "; ".join(f"{reason}: {n:,}" for reason, n in reasons.items()),
                      soft_wrap=True)
    state = "unchanged (inputs and code as at the last build)" if summary.unchanged else "written"
    console.print(f"{_reports_rel(summary.processed_dir, paths.project_root())}: {state}: "
                  + ", ".join(f"{Path(path).name} {summary.rows.get(name, 0):,} rows"
                              for name, path in sorted(summary.outputs.items())), soft_wrap=True)


def _dropped(outputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Derived table → reason → rows left out, from the manifest's ``outputs``.

    Examples
    --------
    >>> _dropped({"a": {"rows": 1}, "b": {"rows": 2, "dropped": {"no code": 3}}})
    {'b': {'no code': 3}}
    """
    return {name: dict(item["dropped"]) for name, item in outputs.items() if item.get("dropped")}


def _plan_of_staging(folder: Path) -> str | None:
    """``.build-<plan>-<random>`` → ``<plan>``, or None for a folder no build made.

    A build's folder carries its mark while it is written; after the swap the
    previous tables, on their way out, sit under the same mkdtemp-made name
    without it (a build killed then leaves them): either tells a build's own.

    Examples
    --------
    >>> import tempfile
    >>> _plan_of_staging(Path(tempfile.mkdtemp(prefix=".build-full-")))
    'full'
    >>> _plan_of_staging(Path(tempfile.gettempdir(), ".build-full-my-notes")) is None
    True
    """
    plan, _, random_part = folder.name[len(_STAGING_PREFIX):].rpartition("-")
    if not plan or not (_RANDOM_PART.match(random_part) or (folder / _STAGING_MARK).is_file()):
        return None
    return plan


def _remove_leftovers(parent: Path, name: str) -> None:
    """Remove the build folders killed builds left in ``parent``, of any plan not being built.

    A build's folder (:func:`_plan_of_staging`) is read by nothing once its
    build has ended. Those of plan ``name`` (whose lock the caller holds) go at
    once; another plan's go when its lock is free (no live build or run of
    that plan holds it). Folders no build made are kept.
    """
    from refugeestudy.pipeline._locking import LockedError, hold_lock

    leftovers: dict[str, list[Path]] = {}
    for folder in parent.glob(f"{_STAGING_PREFIX}*"):
        plan = _plan_of_staging(folder) if folder.is_dir() else None
        if plan is not None:
            leftovers.setdefault(plan, []).append(folder)
    for plan, folders in sorted(leftovers.items()):
        with contextlib.ExitStack() as held:
            if plan != name and (parent / f".{plan}.lock").exists():  # none: no build made one
                try:
                    held.enter_context(hold_lock(parent / f".{plan}.lock", f"build of {plan}"))
                except LockedError:
                    continue  # a live build (or run) of that plan: its folders are its own
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
    aside = parent / f".{name}.previous"  # refugeestudy._atomic.replace_directory's fallback
    if aside.is_dir() and not (parent / name).exists():
        os.replace(aside, parent / name)  # the crash came between its two renames: restore


def _refuse_empty_required(requires: tuple[str, ...], reports: list[InputReport],
                           lookups: dict[str, dict[str, Any]]) -> None:
    """Stop a build whose required source is there but yields no row (nothing is written).

    A source that is not there at all is left to ``refugeestudy run``, which names the fetch.

    Examples
    --------
    >>> _refuse_empty_required(("ucdp_ged",), [InputReport("ucdp_ged", "g.csv", "violence_events",
    ...                        0, 0)], {})
    Traceback (most recent call last):
    ...
    refugeestudy.pipeline.build.BuildError: required source 'ucdp_ged' yields no row (g.csv: 0 rows read, 0 kept)
    """
    kept: dict[str, int] = {}
    for item in reports:
        kept[item.source] = kept.get(item.source, 0) + item.rows_kept
    for item in lookups.values():
        rows = item["entry"].get("rows")
        if rows is not None:
            kept[item["source"]] = kept.get(item["source"], 0) + int(rows)
    for source in requires:
        if kept.get(source, 1) > 0:
            continue
        files = "; ".join(f"{r.file}: {r.rows_read:,} rows read, {r.rows_kept:,} kept"
                          for r in reports if r.source == source) or "its lock entry records 0 rows"
        raise BuildError(f"required source {source!r} yields no row ({files})",
                         hint=f"fetch it again (refugeestudy fetch --update {source}, or with "
                              "--mirror DIR); the previous tables are left as they were")


def _refuse_non_folder(processed: Path, root: Path) -> None:
    """Stop a build whose folder is a file or a symbolic link (build deletes nothing it did not make).

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "embedded"
    >>> _ = file.write_text("notes")
    >>> try:
    ...     _refuse_non_folder(file, file.parent)
    ... except BuildError as exc:
    ...     print(str(exc).rsplit("/", 1)[1])
    embedded is a file; build writes a folder there
    """
    if processed.is_symlink() or (processed.exists() and not processed.is_dir()):
        kind = "a symbolic link" if processed.is_symlink() else "a file"
        shown = _reports_rel(processed.parent, root) + "/" + processed.name
        raise BuildError(f"{shown} is {kind}; build writes a folder there",
                         hint=f"move the {kind.split()[-1]} away (build deletes nothing it did "
                              "not make)")


def _build_sources(cache_dir, lock_path, reports_dir, registry) -> tuple[Path, Path, Path, Any]:
    """The cache folder, fetch lock, log folder and registry a build reads, defaults filled in.

    Examples
    --------
    >>> _build_sources("c", "l.json", "r", None)[:3]
    (PosixPath('c'), PosixPath('l.json'), PosixPath('r'))
    """
    from refugeestudy.fetch import default_cache_dir, default_lock_path, load_registry

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    log_dir = Path(reports_dir) if reports_dir is not None else paths.raw_dir() / "reports"
    return cache, lock_file, log_dir, registry if hasattr(registry, "sources") else load_registry(registry)


def _summary(processed: Path, outputs: dict[str, dict[str, Any]], inputs: list[InputReport],
             skipped: list[tuple[str, str]], unchanged: bool, fingerprint: str) -> BuildSummary:
    """The :class:`BuildSummary` of ``outputs`` (a manifest's: name → file, rows, dropped).

    Examples
    --------
    >>> _summary(Path("p"), {"a": {"file": "a.parquet", "rows": 2}}, [], [], True, "f").rows
    {'a': 2}
    """
    return BuildSummary(processed, {k: processed / v["file"] for k, v in outputs.items()},
                        {k: v["rows"] for k, v in outputs.items()}, inputs, skipped, unchanged,
                        fingerprint, _dropped(outputs))


def _write_table(frame: pd.DataFrame, folder: Path, name: str) -> dict[str, Any]:
    """Write one table into ``folder``, synced to disk; return its manifest entry.

    Examples
    --------
    >>> import tempfile
    >>> entry = _write_table(schema.empty("key_events"), Path(tempfile.mkdtemp()), "key_events")
    >>> entry["file"], entry["rows"]
    ('key_events.parquet', 0)
    """
    file = OUTPUTS.get(name, f"{name}.parquet")
    path = write_parquet(frame, folder / file)
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
    entry = {"file": file, "rows": len(frame), "sha256": sha256_file(path)}
    dropped = {reason: int(n) for reason, n in (frame.attrs.get("dropped") or {}).items() if n}
    if dropped:
        entry["dropped"] = dropped
    return entry


def _manifest(fingerprint: str, reports: list[InputReport], lookups: dict[str, dict[str, Any]],
              skipped: list[tuple[str, str]]) -> dict[str, Any]:
    """What ``build_manifest.json`` records besides the outputs: the inputs with their checksums.

    Examples
    --------
    >>> sorted(_manifest("f", [], {}, [("acled", "not fetched")]).items())
    [('fingerprint', 'f'), ('inputs', []), ('lookups', []), ('skipped', [['acled', 'not fetched']])]
    """
    return {
        "fingerprint": fingerprint,
        "inputs": [{"source": r.source, "file": r.file, "table": r.table,
                    "rows_read": r.rows_read, "rows_kept": r.rows_kept,
                    "dropped": r.dropped, "note": r.note, "sha256": r.sha256}
                   for r in reports],
        "lookups": [{"source": i["source"], "file": i["file"], "sha256": i["sha256"]}
                    for i in lookups.values()],
        "skipped": [list(item) for item in skipped],
    }


def _publish(tables: dict[str, pd.DataFrame], processed: Path,
             manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Write ``tables`` and the manifest into a build folder, then swap it for ``processed``.

    ``manifest`` (:func:`_manifest`) is written with the tables' ``outputs``.
    Whatever fails, the build folder is removed and ``processed`` holds the
    old set or the new one, never a mix. Returns the ``outputs``.
    """
    from refugeestudy._atomic import make_temp_dir, replace_directory

    staging = make_temp_dir(f"{_STAGING_PREFIX}{processed.name}-", processed.parent)
    try:
        (staging / _STAGING_MARK).touch()
        written = {name: _write_table(frame, staging, name) for name, frame in tables.items()}
        (staging / MANIFEST_NAME).write_text(
            json.dumps({**manifest, "outputs": written}, sort_keys=True, indent=2,
                       ensure_ascii=False) + "\n", encoding="utf-8")
        (staging / _STAGING_MARK).unlink()
        # Everything is written: swap the whole folder in one step.
        replace_directory(staging, processed)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _build_locked(processed: Path, root: Path, sources: tuple[Path, Path, Path, Any], *,
                  force: bool, include_fetched: bool, requires: tuple[str, ...]) -> BuildSummary:
    """:func:`build`'s work once it holds the folder's lock: reuse the last build, or build anew.

    ``sources`` is :func:`_build_sources`' (cache, fetch lock, log folder, registry).
    """
    cache, lock_file, log_dir, registry = sources
    _remove_leftovers(processed.parent, processed.name)
    inputs, lookups, skipped = _gather(log_dir, cache, lock_file, registry, root, include_fetched)
    fingerprint = _fingerprint(inputs, lookups)
    manifest = None if force else _unchanged(processed, fingerprint)
    if manifest is not None:
        return _summary(processed, manifest["outputs"],
                        [InputReport(**item) for item in manifest["inputs"]], skipped, True,
                        fingerprint)
    tables, reports = _tables(inputs, log_dir, registry, lookups)
    _refuse_empty_required(requires, reports, lookups)
    written = _publish(tables, processed, _manifest(fingerprint, reports, lookups, skipped))
    return _summary(processed, written, reports, skipped, False, fingerprint)


# Long function: its docstring (parameters, errors, a runnable example) is 55 of its 76 lines
def build(processed_dir: str | Path | None = None, cache_dir: str | Path | None = None,
          console=None, *, lock_path: str | Path | None = None,
          reports_dir: str | Path | None = None, registry=None,
          force: bool = False, include_fetched: bool = True,
          requires: tuple[str, ...] = ()) -> BuildSummary:
    """Rebuild the processed parquet files from the curated log and the cached sources.

    Parameters
    ----------
    processed_dir : str or Path, optional
        The folder to (re)place; default :func:`refugeestudy.paths.processed_dir`
        (``<root>/data/processed/<plan>``). :func:`build_plans` picks it per plan.
    cache_dir : str or Path, optional
        Where fetched files are; default :func:`refugeestudy.fetch.default_cache_dir`.
    console : rich.console.Console, optional
        Where the summary table is printed (default: standard output).
    lock_path : str or Path, optional
        Default ``<root>/data/raw/fetch.lock.json``.
    reports_dir : str or Path, optional
        The curated log folder; default ``<root>/data/raw/reports``.
    registry : Registry or path, optional
        Default :func:`refugeestudy.fetch.load_registry` ``()``.
    force : bool
        Rebuild even if nothing changed since the last build.
    include_fetched : bool
        Read the fetched sources too (a ``build: fetched`` plan); False reads
        the curated log only.
    requires : tuple of str
        Sources the plan cannot do without (its ``requires``): one that is
        there but yields no row stops the build (:class:`BuildError`, naming it).

    Returns
    -------
    BuildSummary

    Raises
    ------
    refugeestudy.fetch.ChecksumError
        When a cached file differs from its lock entry (nothing is written).
    refugeestudy.pipeline._locking.LockedError
        When another build writes the same folder (nothing is written).
    InputError
        When an input breaks its format (nothing is written).
    BuildError
        When inputs cannot be combined (nothing is written).

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = shutil.copytree(paths.raw_dir() / "reports", root / "data" / "raw" / "reports")
    >>> from rich.console import Console
    >>> summary = build(root / "data" / "processed" / "embedded", root / "data" / "external",
    ...                 Console(file=io.StringIO()), lock_path=root / "data" / "raw" / "x.json",
    ...                 reports_dir=root / "data" / "raw" / "reports", include_fetched=False)
    >>> sorted(p.name for p in (root / "data" / "processed" / "embedded").iterdir())[:3]
    ['build_manifest.json', 'displacement_counts.parquet', 'key_events.parquet']
    >>> summary.unchanged
    False
    """
    from rich.console import Console

    from refugeestudy.pipeline._locking import hold_lock

    root = paths.project_root()
    processed = Path(processed_dir) if processed_dir is not None else paths.processed_dir()
    sources = _build_sources(cache_dir, lock_path, reports_dir, registry)
    console = console if console is not None else Console(highlight=False)
    _refuse_non_folder(processed, root)
    processed.parent.mkdir(parents=True, exist_ok=True)
    with hold_lock(processed.parent / f".{processed.name}.lock",
                   f"build of {_reports_rel(processed, root)} (or a run reading it)"):
        summary = _build_locked(processed, root, sources, force=force,
                                include_fetched=include_fetched, requires=requires)
    _print(console, summary)
    return summary


def build_plans(plans: list[str] | None = None, plan_file: str | Path | None = None,
                console=None, *, cache_dir: str | Path | None = None,
                force: bool = False) -> dict[str, BuildSummary]:
    """Build the tables of each plan of the run plan into ``data/processed/<plan>/``.

    Parameters
    ----------
    plans : list of str or str, optional
        Plan names, or one name (default: every plan of the file).
    plan_file : str or Path, optional
        Default ``<root>/reports.yml``.
    console : rich.console.Console, optional
    cache_dir : str or Path, optional
        Where fetched files are (default :func:`refugeestudy.fetch.default_cache_dir`).
    force : bool
        Rebuild even if nothing changed.

    Returns
    -------
    dict
        Plan name → :class:`BuildSummary`.

    Raises
    ------
    refugeestudy.pipeline.plan.PlanError
        An unknown plan name or a malformed plan file.

    Examples
    --------
    >>> summaries = build_plans(["embedded"])  # doctest: +SKIP
    >>> summaries["embedded"].processed_dir.name  # doctest: +SKIP
    'embedded'
    """
    from refugeestudy.pipeline.plan import PlanError, plan_file_default, read_plans

    known = read_plans(plan_file if plan_file is not None else plan_file_default())
    plans = [plans] if isinstance(plans, str) else plans  # one plan's name, never its characters
    unknown = [name for name in plans or [] if name not in known]
    if unknown:
        raise PlanError(f"no plan {unknown[0]!r}; plans: {', '.join(known)}",
                        hint="choose one with --plan, or leave it out to build every plan")
    return {name: build(known[name].processed_dir, cache_dir, console, force=force,
                        include_fetched=known[name].build == "fetched", requires=known[name].requires)
            for name in (plans or list(known))}
