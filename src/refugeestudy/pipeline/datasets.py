"""The tables a report reads, from ``data/processed/<plan>`` (built by ``refugeestudy build``).

Data move one way: ``data/raw`` → ``refugeestudy build`` → ``data/processed/<plan>`` →
notebooks. The folder is :func:`refugeestudy.paths.processed_dir`: the runner
names the plan in ``REFUGEESTUDY_PLAN`` for every kernel; a notebook run by
hand reads the embedded plan's tables. ``build`` writes ``violence_events.parquet``,
``displacement_counts.parquet`` and ``key_events.parquet``, each holding every
source available; :func:`load_violence` and :func:`load_displacement` return
the rows of one source. A source that is not there raises
:class:`MissingSource` saying how to get it, so a report can state which inputs
it used and which it lacks (:func:`source_status`).

Examples
--------
>>> import tempfile
>>> from refugeestudy import load_reports
>>> from refugeestudy.pipeline.build import write_parquet
>>> folder = Path(tempfile.mkdtemp())
>>> log = load_reports()
>>> _ = write_parquet(log.violence, folder / "violence_events.parquet")
>>> len(load_violence("reports", folder)) == len(log.violence)
True
>>> load_violence("ucdp_ged", folder)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
refugeestudy.pipeline.datasets.MissingSource: source 'ucdp_ged' is not in .../violence_events.parquet; to add it: refugeestudy fetch ucdp_ged && refugeestudy build --plan full (or --mirror DIR to take the files from a folder)
"""

from __future__ import annotations

from pathlib import Path

from refugeestudy.errors import RefugeestudyError
import pandas as pd

from refugeestudy import paths

__all__ = ["VIOLENCE_SOURCES", "DISPLACEMENT_SOURCES", "MissingSource", "load_violence",
           "load_displacement", "load_dyad_geography", "load_key_events",
           "load_origin_year_controls", "source_status"]

VIOLENCE_SOURCES = ("reports", "ucdp_ged", "acled")
DISPLACEMENT_SOURCES = ("reports", "unhcr_population", "unhcr_asylum_applications",
                        "unhcr_asylum_decisions", "unhcr_flows", "unhcr_solutions",
                        "unhcr_demographics")
_HOW_TO_GET = {
    "reports": "refugeestudy build",
    "acled": "set ACLED_EMAIL and ACLED_PASSWORD (or ACLED_KEY), then refugeestudy fetch acled "
             "&& refugeestudy build --plan full",
}


class MissingSource(RefugeestudyError, LookupError):
    """A report asked for a source that has not been fetched and built."""


def _folder(processed_dir: Path | None) -> Path:
    return Path(processed_dir) if processed_dir is not None else paths.processed_dir()


def _shown(path: Path) -> str:
    """``path`` relative to the project root when it is inside it (no machine path in a report)."""
    try:
        return path.resolve().relative_to(paths.project_root()).as_posix()
    except (ValueError, FileNotFoundError):
        return str(path)


def _table(name: str, processed_dir: Path | None) -> pd.DataFrame:
    from refugeestudy.pipeline.build import read_processed

    folder = _folder(processed_dir)
    if not (folder / f"{name}.parquet").exists():
        raise MissingSource(f"{_shown(folder / name)}.parquet does not exist; to make it: "
                            f"refugeestudy build --plan {folder.name}")
    return read_processed(name, folder)


def _one_source(table: str, source: str, processed_dir: Path | None) -> pd.DataFrame:
    frame = _table(table, processed_dir)
    if (frame["source"] == source).any():
        return frame[frame["source"] == source].reset_index(drop=True)
    how = _HOW_TO_GET.get(source, f"refugeestudy fetch {source} && refugeestudy build --plan full")
    raise MissingSource(f"source {source!r} is not in {_shown(_folder(processed_dir) / table)}"
                        f".parquet; to add it: {how} (or --mirror DIR to take the files from "
                        "a folder)")


def load_violence(source: str, processed_dir: Path | None = None) -> pd.DataFrame:
    """Return the ``violence_events`` rows of one source (``reports``, ``ucdp_ged``, ``acled``).

    Raises
    ------
    MissingSource
        If that source was not fetched and built.
    """
    if source not in VIOLENCE_SOURCES:
        raise ValueError(f"unknown violence source {source!r}; expected one of {VIOLENCE_SOURCES}")
    return _one_source("violence_events", source, processed_dir)


def load_displacement(source: str, processed_dir: Path | None = None) -> pd.DataFrame:
    """Return the ``displacement_counts`` rows of one source (``reports``, ``unhcr_<dataset>``).

    Raises
    ------
    MissingSource
        If that source was not fetched and built.
    """
    if source not in DISPLACEMENT_SOURCES:
        raise ValueError(f"unknown displacement source {source!r}; expected one of "
                         f"{DISPLACEMENT_SOURCES}")
    return _one_source("displacement_counts", source, processed_dir)


def load_key_events(processed_dir: Path | None = None) -> pd.DataFrame:
    """Return the dated key events of the curated log, the earliest row per label.

    Several outlets date the same event; the earliest date (then the lowest
    figure id) stands for the label.
    """
    events = _table("key_events", processed_dir).sort_values(["date", "event_id"])
    return events.drop_duplicates("label", keep="first").reset_index(drop=True)


def _derived(name: str, sources: str, processed_dir: Path | None) -> pd.DataFrame:
    """A table ``build`` derives from fetched sources; :class:`MissingSource` naming the fetch if absent."""
    folder = _folder(processed_dir)
    if not (folder / f"{name}.parquet").exists():
        raise MissingSource(f"{_shown(folder / name)}.parquet does not exist; to make it: "
                            f"refugeestudy fetch {sources} (or --mirror DIR), then "
                            f"refugeestudy build --plan {folder.name}")
    return _table(name, processed_dir)


def load_origin_year_controls(processed_dir: Path | None = None) -> pd.DataFrame:
    """Return ``origin_year_controls``: population, income, political stability, IDMC displacements.

    One row per origin and year, values not lagged, NaN where a source has no
    figure (see :mod:`refugeestudy.panels.covariates`).

    Raises
    ------
    MissingSource
        If the table was not built (its sources ``wdi_gdidata`` and
        ``idmc_displacements`` not fetched, or the plan not built).

    Examples
    --------
    >>> import tempfile
    >>> load_origin_year_controls(Path(tempfile.mkdtemp()) / "full")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    refugeestudy.pipeline.datasets.MissingSource: .../full/origin_year_controls.parquet does not exist; to make it: refugeestudy fetch wdi_gdidata idmc_displacements (or --mirror DIR), then refugeestudy build --plan full
    """
    return _derived("origin_year_controls", "wdi_gdidata idmc_displacements", processed_dir)


def load_dyad_geography(processed_dir: Path | None = None) -> pd.DataFrame:
    """Return ``dyad_geography``: CEPII contiguity, distances, official language, colonial tie per dyad.

    Raises
    ------
    MissingSource
        If the table was not built (``cepii_geodist`` not fetched, or the plan not built).

    Examples
    --------
    >>> import tempfile
    >>> load_dyad_geography(Path(tempfile.mkdtemp()) / "full")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    refugeestudy.pipeline.datasets.MissingSource: .../full/dyad_geography.parquet does not exist; to make it: refugeestudy fetch cepii_geodist (or --mirror DIR), then refugeestudy build --plan full
    """
    return _derived("dyad_geography", "cepii_geodist", processed_dir)


def source_status(sources: str | list[str], table: str = "violence_events",
                  processed_dir: Path | None = None) -> pd.DataFrame:
    """Which of ``sources`` a report can use now: one row each, with rows available."""
    loader = load_violence if table == "violence_events" else load_displacement
    rows = []
    for source in [sources] if isinstance(sources, str) else sources:  # one name, never its characters
        try:
            rows.append({"source": source, "available": True,
                         "rows": len(loader(source, processed_dir)), "how_to_add": ""})
        except MissingSource as exc:
            rows.append({"source": source, "available": False, "rows": 0,
                         "how_to_add": str(exc).split("to add it: ")[-1].split("to make it: ")[-1]})
    return pd.DataFrame(rows)
