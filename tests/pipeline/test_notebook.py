"""The shared notebook setup, its output folder, tables for reading and the closing section."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from refugeestudy import paths
from refugeestudy.pipeline.notebook import (RUN_STAGING_MARK, ReportNotebook, data_source, format_table, output_folder,
                                  setup_notebook)


def test_a_notebook_run_by_hand_writes_to_the_scratch_folder_from_anywhere(tmp_path):
    root = tmp_path
    (root / "notebooks").mkdir()
    scratch = root / "reports" / ".interactive" / "04-destinations"
    for cwd in (root / "notebooks", root, root / "reports" / "04-destinations", tmp_path.parent):
        assert output_folder("04-destinations", cwd=cwd, root=root) == scratch
    # The runner's staging folder (its parent marked) is the one place a kernel writes in place.
    staging = root / "reports" / ".staging-abc" / "04-destinations"
    staging.mkdir(parents=True)
    assert output_folder("04-destinations", cwd=staging, root=root) == scratch
    (staging.parent / RUN_STAGING_MARK).touch()
    assert output_folder("04-destinations", cwd=staging, root=root) == staging
    assert output_folder("01-data-audit", cwd=staging, root=root) != staging  # another report's


def test_setup_notebook_run_by_hand_says_where_and_never_writes_the_report(tmp_path, monkeypatch,
                                                                          capfd):
    (tmp_path / "data" / "raw" / "reports").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path / "notebooks")
    nb = setup_notebook("01-data-audit")
    scratch = tmp_path / "reports" / ".interactive" / "01-data-audit"
    assert nb.output == scratch
    assert os.getcwd() == str(scratch)
    assert list((tmp_path / "notebooks").iterdir()) == []
    assert not (tmp_path / "reports" / "01-data-audit").exists()
    assert f"go to {scratch}/ (a scratch folder git ignores)" in capfd.readouterr().err


def test_scratch_folder_is_ignored_by_git():
    import subprocess

    root = paths.project_root()
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    found = subprocess.run(["git", "check-ignore", "-q", "reports/.interactive/03-x/results.json"],
                           cwd=root, check=False)
    assert found.returncode == 0


def test_format_table_has_no_index_and_reads_well():
    frame = pd.DataFrame({"year": [2024, 2025], "applications": [1234567, None],
                          "share (%)": [0.43271, 4.61], "address": ["https://example.org/a?b=1&c=2", None]})
    html = format_table(frame, caption="Table 1. Test", decimals={"share (%)": 2}, table_id="t").to_html()
    assert "1,234,567" in html and ">2024<" in html and "2,024" not in html
    assert "0.43" in html and "0.4327" not in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>' in html
    assert "blank" not in html and "index_name" not in html and "row_heading" not in html
    assert html == format_table(frame, caption="Table 1. Test", decimals={"share (%)": 2},
                                table_id="t").to_html()  # same bytes


def test_data_source_versions_never_use_the_retrieval_date():
    source = data_source("unhcr_flows")  # no release recorded: the file's checksum stands for it
    lock = json.loads((paths.raw_dir() / "fetch.lock.json").read_text())["sources"]["unhcr_flows"]
    assert source.version == f"file SHA-256 {lock['sha256'][:12]}"
    assert source.licence == "CC BY 4.0"
    assert lock["retrieved"] not in source.cite()
    assert data_source("ucdp_ged").version == "19.1"
    # the Syria extract and the global tables of one UNHCR release say so the same way
    assert data_source("unhcr_asylum_applications").version == "2025.12.1"
    assert data_source("unhcr_global_asylum_applications").version == "2025.12.1"


def test_finish_writes_findings_limitations_and_sources(tmp_path):
    nb = ReportNotebook("demo", tmp_path)
    nb.source("reports")
    nb.finish({"headline": "one line"}, findings="A paragraph.", limitations=["One.", "Two."])
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["findings"] == "A paragraph."
    assert results["limitations"] == ["One.", "Two."]
    assert results["data_sources"]["reports"]["licence"] == "CC BY 4.0"
    with pytest.raises(ValueError, match="headline"):
        nb.finish({}, findings="", limitations=[])


def test_an_empty_table_is_saved_but_shown_as_one_sentence(tmp_path, monkeypatch):
    nb = ReportNotebook("demo", tmp_path)
    said = []
    monkeypatch.setattr(nb, "say", said.append)
    nb.table(pd.DataFrame({"Producer": [], "Count": []}), "none_here", caption="Tolls that went down",
             empty="No toll went down.")
    nb.table(pd.DataFrame({"Producer": ["A"], "Count": [3]}), "one_here", caption="Tolls")
    assert (tmp_path / "tables" / "none_here.csv").read_text() == "Producer,Count\n"
    assert said == ["No toll went down."]
    assert nb.tables == 1  # the empty one takes no table number
