"""Build ``data/processed/*.parquet`` from the curated log and the fetched sources.

:func:`build` reads everything available:

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

Every output is written first to a temporary folder inside the processed
folder; only when all are written are they renamed into place (each rename
atomic). A failure before that (a bad input, a checksum mismatch, a schema
error) leaves the previous files untouched. Same inputs give byte-identical
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
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from refugeestudy import paths, schema
from refugeestudy._hashing import package_fingerprint, sha256_file

__all__ = ["OUTPUTS", "MANIFEST_NAME", "VIOLENCE_COUNTRIES", "BuildError", "InputReport",
           "BuildSummary", "build", "read_processed", "write_parquet"]

#: Output name → file name in the processed folder.
OUTPUTS: dict[str, str] = {
    "violence_events": "violence_events.parquet",
    "displacement_counts": "displacement_counts.parquet",
    "key_events": "key_events.parquet",
    "report_figures": "report_figures.parquet",
    "report_sources": "report_sources.parquet",
}
MANIFEST_NAME = "build_manifest.json"
#: Countries whose violence events are kept (the study's origin country).
VIOLENCE_COUNTRIES: tuple[str, ...] = ("SYR",)
_SORT = {"violence_events": ["source", "event_id"], "displacement_counts": ["source", "record_id"],
         "key_events": ["date", "event_id"], "report_figures": ["figure_id"],
         "report_sources": ["url"]}
_ID = {"violence_events": "event_id", "displacement_counts": "record_id", "key_events": "event_id"}
_COUNTRY_NAMES = {"SYR": "Syria"}


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
        Default :func:`refugeestudy.paths.processed_dir`.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_parquet(schema.empty("key_events"), folder / "key_events.parquet")
    >>> read_processed("key_events", folder).dtypes["date"]
    dtype('<M8[s]')
    """
    if name not in OUTPUTS:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(OUTPUTS)}")
    folder = Path(processed_dir) if processed_dir is not None else paths.processed_dir()
    frame = pd.read_parquet(folder / OUTPUTS[name])
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


def _gather(reports_dir: Path, cache: Path, lock_path: Path, registry, root: Path):
    """Find and verify the inputs; return (inputs, skipped) without reading tables."""
    from refugeestudy.fetch import cached_path, read_lock

    inputs: list[dict[str, Any]] = []
    for name in ("figures.csv", "sources.csv"):
        path = reports_dir / name
        inputs.append({"source": "reports", "path": path, "file": _reports_rel(path, root),
                       "sha256": sha256_file(path) if path.is_file() else "missing"})
    skipped: list[tuple[str, str]] = []
    lock = read_lock(lock_path)["sources"]
    for name, source in registry.sources.items():
        if source.table is None:
            if name in lock:
                skipped.append((name, "lookup table, not built into a canonical table"))
            continue
        if source.table == "dyad_year_panel":  # built by refugeestudy.dyad_panel.build_processed
            continue
        entry = lock.get(name)
        if entry is None:
            skipped.append((name, "not fetched (run `refugeestudy fetch "
                                  f"{name}`, or with --mirror DIR)"))
            continue
        if not (cache / entry["file"]).is_file():
            skipped.append((name, f"in {lock_path.name} but not in the cache {cache} (run "
                                  f"`refugeestudy fetch {name}`)"))
            continue
        path = cached_path(name, cache_dir=cache, lock_path=lock_path)  # raises on a mismatch
        inputs.append({"source": name, "path": path, "file": entry["file"],
                       "sha256": entry["sha256"], "table": source.table, "entry": entry})
    return inputs, skipped


def _fingerprint(inputs: list[dict[str, Any]]) -> str:
    from refugeestudy import __version__

    payload = {"version": __version__, "code": package_fingerprint(),
               "inputs": [[i["source"], i["file"], i["sha256"]] for i in inputs],
               "countries": list(VIOLENCE_COUNTRIES)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _unchanged(processed: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        manifest = json.loads((processed / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        return None
    for name, file in OUTPUTS.items():
        recorded = manifest.get("outputs", {}).get(name, {})
        path = processed / file
        if not path.is_file() or sha256_file(path) != recorded.get("sha256"):
            return None
    return manifest


def _tables(inputs: list[dict[str, Any]], reports_dir: Path, registry):
    """Read every input into the canonical tables; return (tables, reports)."""
    from refugeestudy.sources.reports import load_reports

    log = load_reports(reports_dir)
    figures_file = inputs[0]["file"]
    kinds = log.figures["kind"].value_counts()
    reports = [
        InputReport("reports", figures_file, "violence_events", int(kinds.get("deaths", 0)),
                    len(log.violence), note="cumulative tolls as increments per reporter",
                    sha256=inputs[0]["sha256"]),
        InputReport("reports", figures_file, "displacement_counts",
                    int(kinds.get("displacement", 0)), len(log.displacement),
                    note="cumulative counts as increments", sha256=inputs[0]["sha256"]),
        InputReport("reports", figures_file, "key_events", int(kinds.get("event", 0)),
                    len(log.events), sha256=inputs[0]["sha256"]),
    ]
    collected: dict[str, list[pd.DataFrame]] = {"violence_events": [log.violence],
                                                 "displacement_counts": [log.displacement]}
    seen: dict[str, dict[str, str]] = {"violence_events": {}, "displacement_counts": {}}
    for table in seen:
        ids = collected[table][0][_ID[table]]
        seen[table].update({key: figures_file for key in ids})
    for item in inputs[2:]:
        name, table, path = item["source"], item["table"], item["path"]
        frame = _read_source(name, registry.sources[name], path)
        read = _count_rows(path)
        dropped: dict[str, int] = {}
        notes = []
        repairs = {k: v for k, v in (frame.attrs.get("repairs") or {}).items() if v}
        if repairs:
            notes.append("reader repaired: " + ", ".join(f"{k} {v}" for k, v in sorted(repairs.items())))
        if name.startswith("unhcr"):
            notes.append("one record per row × count column")
        if table == "violence_events" and len(frame):
            inside = frame["country_iso3"].isin(list(VIOLENCE_COUNTRIES)).fillna(False).astype(bool)
            for code, count in frame.loc[~inside, "country_iso3"].fillna("unknown").value_counts(
                    sort=False).sort_index().items():
                where = "/".join(_COUNTRY_NAMES.get(c, c) for c in VIOLENCE_COUNTRIES)
                dropped[f"outside {where} ({code})"] = int(count)
            frame = frame[inside]
        ids = frame[_ID[table]]
        duplicate = ids.map(lambda key: key in seen[table]).astype(bool)
        if duplicate.any():
            for origin, count in ids[duplicate].map(seen[table]).value_counts().sort_index().items():
                dropped[f"duplicate of {origin}"] = int(count)
            frame = frame[~duplicate]
        seen[table].update({key: item["file"] for key in frame[_ID[table]]})
        collected[table].append(frame)
        if table != "displacement_counts":
            unexplained = read - len(frame) - sum(dropped.values())
            if unexplained > 0:
                dropped["not returned by the reader (reason not reported)"] = unexplained
        entry = item.get("entry", {})
        if entry.get("method") == "mirror" and entry.get("version"):
            notes.append(f"mirror, version {entry['version']}")
        reports.append(InputReport(name, item["file"], table, read, len(frame), dropped,
                                   "; ".join(notes), item["sha256"]))
    tables = {
        "violence_events": _concat(collected["violence_events"], "violence_events"),
        "displacement_counts": _concat(collected["displacement_counts"], "displacement_counts"),
        "key_events": schema.conform(log.events, "key_events"),
    }
    for table in ("violence_events", "displacement_counts"):
        frame = tables[table]
        clash = frame[frame[_ID[table]].duplicated(keep=False)]
        if len(clash):
            examples = clash.groupby(_ID[table])["source"].apply(lambda s: sorted(set(s)))
            raise BuildError(f"{table}: the same {_ID[table]} comes from different sources: "
                             + "; ".join(f"{k!r} in {', '.join(v)}" for k, v in
                                         examples.head(5).items())
                             + ". Readers must prefix ids with their source")
    out = {name: schema.validate(_sorted(frame, name), name) for name, frame in tables.items()}
    figures = log.figures.copy()
    out["report_figures"] = _sorted(figures, "report_figures")
    out["report_sources"] = _sorted(log.sources.copy(), "report_sources")
    return out, reports


def _print(console, summary: BuildSummary) -> None:
    from rich.table import Table

    table = Table(title="refugeestudy build: inputs", title_justify="left")
    for column, justify in (("source", "left"), ("file", "left"), ("table", "left"),
                            ("rows read", "right"), ("kept", "right"),
                            ("dropped (reason: n)", "left"), ("note", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for item in summary.inputs:
        dropped = "; ".join(f"{reason}: {n}" for reason, n in item.dropped.items()) or "0"
        table.add_row(item.source, item.file, item.table, f"{item.rows_read:,}",
                      f"{item.rows_kept:,}", dropped, item.note)
    console.print(table)
    for name, reason in summary.skipped:
        console.print(f"  skipped {name}: {reason}")
    state = "unchanged (inputs and code as at the last build)" if summary.unchanged else "written"
    console.print(f"{summary.processed_dir}: {state}: " + ", ".join(
        f"{OUTPUTS[name]} {summary.rows.get(name, 0):,} rows" for name in OUTPUTS))


def build(processed_dir: str | Path | None = None, cache_dir: str | Path | None = None,
          console=None, *, lock_path: str | Path | None = None,
          reports_dir: str | Path | None = None, registry=None,
          force: bool = False) -> BuildSummary:
    """Rebuild the processed parquet files from the curated log and the cached sources.

    Parameters
    ----------
    processed_dir : str or Path, optional
        Default :func:`refugeestudy.paths.processed_dir` (``<root>/data/processed``).
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

    Returns
    -------
    BuildSummary

    Raises
    ------
    refugeestudy.fetch.ChecksumError
        When a cached file differs from its lock entry (nothing is written).
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
    >>> summary = build(root / "data" / "processed", root / "data" / "external",
    ...                 Console(file=io.StringIO()), lock_path=root / "data" / "raw" / "x.json",
    ...                 reports_dir=root / "data" / "raw" / "reports")
    >>> sorted(p.name for p in (root / "data" / "processed").iterdir())[:3]
    ['build_manifest.json', 'displacement_counts.parquet', 'key_events.parquet']
    >>> summary.unchanged
    False
    """
    from rich.console import Console

    from refugeestudy.fetch import default_cache_dir, default_lock_path, load_registry

    root = paths.project_root()
    processed = Path(processed_dir) if processed_dir is not None else paths.processed_dir()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lock_file = Path(lock_path) if lock_path is not None else default_lock_path()
    log_dir = Path(reports_dir) if reports_dir is not None else paths.raw_dir() / "reports"
    reg = registry if hasattr(registry, "sources") else load_registry(registry)
    console = console if console is not None else Console(highlight=False)

    from refugeestudy.dyad_panel import build_processed as build_dyad_panel

    console.print(build_dyad_panel(processed, cache_dir=cache, lock_path=lock_file)[1])
    inputs, skipped = _gather(log_dir, cache, lock_file, reg, root)
    fingerprint = _fingerprint(inputs)
    outputs = {name: processed / file for name, file in OUTPUTS.items()}
    manifest = None if force else _unchanged(processed, fingerprint)
    if manifest is not None:
        summary = BuildSummary(processed, outputs,
                               {k: v["rows"] for k, v in manifest["outputs"].items()},
                               [InputReport(**item) for item in manifest["inputs"]], skipped,
                               True, fingerprint)
        _print(console, summary)
        return summary

    tables, reports = _tables(inputs, log_dir, reg)
    processed.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=processed))
    try:
        written: dict[str, dict[str, Any]] = {}
        for name, file in OUTPUTS.items():
            path = write_parquet(tables[name], staging / file)
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
            written[name] = {"file": file, "rows": len(tables[name]), "sha256": sha256_file(path)}
        manifest = {
            "fingerprint": fingerprint,
            "inputs": [{"source": r.source, "file": r.file, "table": r.table,
                        "rows_read": r.rows_read, "rows_kept": r.rows_kept,
                        "dropped": r.dropped, "note": r.note, "sha256": r.sha256}
                       for r in reports],
            "skipped": [list(item) for item in skipped],
            "outputs": written,
        }
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
        # Everything is written: move into place, the manifest last.
        for file in [*OUTPUTS.values(), MANIFEST_NAME]:
            os.replace(staging / file, processed / file)
        from refugeestudy._atomic import fsync_dir

        fsync_dir(processed)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary = BuildSummary(processed, outputs, {k: v["rows"] for k, v in written.items()},
                           reports, skipped, False, fingerprint)
    _print(console, summary)
    return summary
