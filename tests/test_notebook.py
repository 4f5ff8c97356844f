"""The shared notebook setup, its output folder, tables for reading and the closing section."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from refugeestudy import paths
from refugeestudy.notebook import ReportNotebook, data_source, format_table, output_folder, setup_notebook


def test_a_notebook_run_from_notebooks_writes_to_reports(tmp_path):
    root = tmp_path
    (root / "notebooks").mkdir()
    assert output_folder("04-destinations", cwd=root / "notebooks", root=root) == root / "reports" / "04-destinations"
    staging = root / "reports" / ".staging" / "04-destinations"
    assert output_folder("04-destinations", cwd=staging, root=root) == staging


def test_setup_notebook_changes_directory_out_of_notebooks(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw" / "reports").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path / "notebooks")
    nb = setup_notebook("01-data-audit")
    assert nb.output == tmp_path / "reports" / "01-data-audit"
    assert os.getcwd() == str(tmp_path / "reports" / "01-data-audit")
    assert list((tmp_path / "notebooks").iterdir()) == []


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
