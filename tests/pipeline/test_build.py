"""Tests for refugeestudy.pipeline.build: a temporary project root, small inputs, no network."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from refugeestudy.pipeline import build as bd
from refugeestudy import fetch as fx
from refugeestudy.errors import InputError
from refugeestudy.sources.reports import load_reports

HERE = Path(__file__).resolve().parents[1]
LOG_OK = HERE / "data" / "log_ok"
SHARED = HERE.parents[1] / "shared" / "data"


@pytest.fixture()
def root(tmp_path, monkeypatch):
    """A project root holding only the tiny test log; REFUGEESTUDY_ROOT points at it."""
    reports = tmp_path / "data" / "raw" / "reports"
    shutil.copytree(LOG_OK, reports)
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(tmp_path))
    monkeypatch.delenv("REFUGEESTUDY_CACHE_DIR", raising=False)
    return tmp_path


def _console() -> Console:
    return Console(file=io.StringIO(), width=200)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _readers_available() -> bool:
    try:
        bd._readers()
    except ImportError:
        return False
    return True


needs_readers = pytest.mark.skipif(not _readers_available(),
                                   reason="source readers (ucdp, acled, unhcr) not there yet")


def test_build_with_only_the_curated_log(root):
    console = _console()
    summary = bd.build(console=console)
    processed = root / "data" / "processed" / "embedded"
    log = load_reports(LOG_OK)
    assert summary.rows == {"violence_events": len(log.violence),
                           "displacement_counts": len(log.displacement),
                           "key_events": len(log.events), "report_figures": 8,
                           "report_sources": 5}
    assert (len(log.violence), len(log.displacement), len(log.events)) == (4, 3, 1)
    for name, file in bd.OUTPUTS.items():
        assert summary.outputs[name] == processed / file and (processed / file).is_file()
    # Same values as the log, with the schema's dtypes after the parquet round trip.
    built = bd.read_processed("violence_events")
    pd.testing.assert_frame_equal(built, log.violence.sort_values("event_id", ignore_index=True))
    built = bd.read_processed("displacement_counts")
    pd.testing.assert_frame_equal(built, log.displacement.sort_values("record_id",
                                                                      ignore_index=True))
    assert bd.read_processed("key_events")["label"].tolist() == ["assad_fall"]
    assert bd.read_processed("report_figures")["figure_id"].tolist() == [
        f"F00{i}" for i in range(1, 9)]
    # What was read is printed, and nothing was dropped.
    text = console.file.getvalue()
    assert "refugeestudy build: inputs" in text and "figures.csv" in text
    assert [(r.source, r.table, r.rows_read, r.rows_kept, r.dropped) for r in summary.inputs] == [
        ("reports", "violence_events", 4, 4, {}), ("reports", "displacement_counts", 3, 3, {}),
        ("reports", "key_events", 1, 1, {})]
    assert ("ucdp_ged", "not fetched (run `refugeestudy fetch ucdp_ged`, or with --mirror DIR)"
            ) in summary.skipped
    manifest = json.loads((processed / bd.MANIFEST_NAME).read_text())
    assert manifest["outputs"]["violence_events"]["rows"] == 4
    assert "T" not in json.dumps(manifest["outputs"])  # no timestamps, only checksums and counts
    assert [p.name for p in processed.parent.iterdir() if p.name.startswith(".build-")] == []


def test_second_build_is_byte_identical(root):
    processed = root / "data" / "processed" / "embedded"
    bd.build(console=_console())
    first = _snapshot(processed)
    again = bd.build(console=_console())
    assert again.unchanged and _snapshot(processed) == first
    forced = bd.build(console=_console(), force=True)  # really rewrite every file
    assert not forced.unchanged and _snapshot(processed) == first
    # A changed input is noticed.
    figures = root / "data" / "raw" / "reports" / "figures.csv"
    figures.write_text(figures.read_text().replace(",50,,approximately,", ",60,,approximately,"))
    changed = bd.build(console=_console())
    assert not changed.unchanged
    assert _snapshot(processed)["displacement_counts.parquet"] != first[
        "displacement_counts.parquet"]


def test_failing_build_leaves_previous_files_untouched(root, tmp_path):
    processed = root / "data" / "processed" / "embedded"
    bd.build(console=_console())
    before = _snapshot(processed)
    # A cached file that no longer matches its lock entry.
    mirror = tmp_path / "mirror" / "unhcr"
    mirror.mkdir(parents=True)
    (mirror / "population.csv").write_text(
        "year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,"
        "returned_refugees,idps,returned_idps,stateless,ooc,oip,hst\n"
        "2024,Syrian Arab Rep.,SYR,SYR,Lebanon,LEB,LBN,755426.0,0.0,0.0,0.0,0.0,0.0,0.0,,0.0\n")
    fx.fetch(["unhcr_population"], mirror=tmp_path / "mirror", console=_console())
    cached = root / "data" / "external" / "unhcr_population" / "population.csv"
    cached.write_text(cached.read_text().replace("755426.0", "755427.0"))
    with pytest.raises(fx.ChecksumError, match="SHA-256 mismatch: expected"):
        bd.build(console=_console())
    assert _snapshot(processed) == before
    # A broken curated log: the previous files stay as well.
    cached.unlink()
    figures = root / "data" / "raw" / "reports" / "figures.csv"
    figures.write_text(figures.read_text().replace("2025-03-07,false,2025-03-06", "2025-03-07,false,2025-13-06"))
    with pytest.raises(InputError):
        bd.build(console=_console())
    assert _snapshot(processed) == before
    assert sorted(p.name for p in processed.iterdir()) == sorted(before)  # no temp folders


def _tiny_ged(path: Path) -> None:
    """Three Syrian events of the shared GED 19.1 extract plus one moved to Lebanon."""
    with (SHARED / "ucdp" / "ged191_syria_2016_2019.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [row for _, row in zip(range(4), reader)]
        header = reader.fieldnames
    rows[3].update(country="Lebanon", country_id="660", adm_1="", adm_2="")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


@needs_readers
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not available")
def test_build_reads_fetched_sources_and_reports_drops(root, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "ucdp").mkdir(parents=True)
    (mirror / "unhcr").mkdir()
    _tiny_ged(mirror / "ucdp" / "ged191_syria_2016_2019.csv")
    lines = (SHARED / "unhcr" / "population.csv").read_text(encoding="utf-8").splitlines()[:6]
    (mirror / "unhcr" / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fx.fetch(["ucdp_ged", "unhcr_population"], mirror=mirror, console=_console())
    # The same GED events a second time, as if the UCDP API's Syria extract had been fetched.
    lock_path = root / "data" / "raw" / fx.LOCK_NAME
    lock = json.loads(lock_path.read_text())
    second = root / "data" / "external" / "ucdp_ged_syria" / "gedevents_syria.csv"
    second.parent.mkdir(parents=True)
    shutil.copy(mirror / "ucdp" / "ged191_syria_2016_2019.csv", second)
    lock["sources"]["ucdp_ged_syria"] = {**lock["sources"]["ucdp_ged"],
                                         "file": "ucdp_ged_syria/gedevents_syria.csv"}
    lock_path.write_text(json.dumps(lock))

    console = _console()
    summary = bd.build(console=console)
    by_source = {(r.source, r.table): r for r in summary.inputs}
    ged = by_source["ucdp_ged", "violence_events"]
    assert (ged.rows_read, ged.rows_kept, ged.dropped) == (4, 3, {"outside Syria (LBN)": 1})
    assert "mirror, version 19.1" in ged.note
    again = by_source["ucdp_ged_syria", "violence_events"]
    assert (again.rows_read, again.rows_kept) == (4, 0)
    assert again.dropped == {"outside Syria (LBN)": 1,
                             "duplicate of ucdp_ged/ged191_syria_2016_2019.csv": 3}
    population = by_source["unhcr_population", "displacement_counts"]
    assert (population.rows_read, population.rows_kept, population.dropped) == (5, 45, {})
    violence = bd.read_processed("violence_events")
    assert violence["source"].value_counts().to_dict() == {"reports": 4, "ucdp_ged": 3}
    assert (violence["country_iso3"] == "SYR").all()
    displacement = bd.read_processed("displacement_counts")
    assert displacement["source"].value_counts().to_dict() == {"unhcr_population": 45,
                                                               "reports": 3}
    text = console.file.getvalue()
    assert "outside Syria (LBN): 1" in text and "duplicate of" in text
    first = _snapshot(root / "data" / "processed" / "embedded")
    bd.build(console=_console(), force=True)
    assert _snapshot(root / "data" / "processed" / "embedded") == first


def _tiny_covariate_mirror(mirror: Path) -> None:
    """Synthetic files in the layouts of gdidata's wdi and IDMC flows and CEPII's dist_cepii."""
    for folder in ("wdi", "idmc", "cepii"):
        (mirror / folder).mkdir(parents=True, exist_ok=True)
    (mirror / "wdi" / "wdi_gdidata_0.3.21.csv").write_text(
        "geo,var,t,v\nAAA,pop,2022,1000\nAAA,pop,2023,1100\nAAA,income,2023,50.5\n"
        "AAA,polstb,2022,-1.5\nAAA,unem,2023,7\nBBB,pop,2023,300\n", encoding="utf-8")
    (mirror / "idmc" / "idmc_flows_gdidata_0.3.21.csv").write_text(
        "geo,t,cause,n\nAAA,2023,conflict,0\nBBB,2022,flood,40\nBBB,2022,storm,2\n", encoding="utf-8")
    header = ("iso_o,iso_d,contig,comlang_off,comlang_ethno,colony,comcol,curcol,col45,smctry,"
              "dist,distcap,distw,distwces\n")
    (mirror / "cepii" / "dist_cepii.csv").write_text(
        "\ufeff" + header + "AAA,ZAR,1,0,0,1,0,0,0,0,100,100,120.5,110\n"
        "ANT,AAA,0,0,0,0,0,0,0,0,900,900,.,.\n", encoding="utf-8")


def test_build_writes_origin_year_controls_and_dyad_geography(root, tmp_path):
    from refugeestudy.pipeline.datasets import load_dyad_geography, load_origin_year_controls

    mirror = tmp_path / "mirror"
    _tiny_covariate_mirror(mirror)
    fx.fetch(["wdi_gdidata", "idmc_displacements", "cepii_geodist"], mirror=mirror, console=_console())
    summary = bd.build(console=_console())
    assert summary.rows["origin_year_controls"] == 2 * (2023 - 1990 + 1)
    assert summary.rows["dyad_geography"] == 1  # ANT has no single successor: its pair is left out
    assert summary.dropped == {"dyad_geography": {
        "CEPII pairs with a legacy code without a single successor (ANT)": 1}}
    folder = root / "data" / "processed" / "embedded"
    controls = load_origin_year_controls(folder).set_index(["origin", "year"])
    assert controls.loc[("AAA", 2023), "population"] == 1100
    assert controls.loc[("AAA", 2023), "gdp_pc_ppp"] == 50.5
    assert pd.isna(controls.loc[("AAA", 2023), "political_stability"])  # no row: missing, not 0
    assert controls.loc[("AAA", 2023), "idmc_conflict_displacements"] == 0  # a reported zero
    assert pd.isna(controls.loc[("AAA", 2023), "idmc_disaster_displacements"])
    assert controls.loc[("BBB", 2022), "idmc_disaster_displacements"] == 42
    assert pd.isna(controls.loc[("BBB", 2022), "population"])
    assert set(controls["population_source"]) == {"UN WPP 2024 (mid-year population), gdidata 0.3.21"}
    assert controls.attrs["population_source"] == "UN WPP 2024 (mid-year population), gdidata 0.3.21"
    geography = load_dyad_geography(folder)
    assert geography.values.tolist() == [["AAA", "COD", 1, 120.5, 100.0, 0, 1]]
    lookups = {item["source"] for item in json.loads((folder / bd.MANIFEST_NAME).read_text())["lookups"]}
    assert lookups == {"wdi_gdidata", "idmc_displacements", "cepii_geodist"}
    first = _snapshot(folder)
    bd.build(console=_console(), force=True)
    assert _snapshot(folder) == first
