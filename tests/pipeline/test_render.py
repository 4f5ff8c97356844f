"""The report template, the index of both plans, and the screenshot script's page checks."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from refugeestudy.pipeline import render

PROJECT = Path(__file__).resolve().parents[2]


def _load_checker():
    spec = importlib.util.spec_from_file_location("screenshot_reports",
                                                  PROJECT / "benchmarks" / "screenshot_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def commit():
    return subprocess.run(["git", "log", "-1", "--format=%H"], cwd=PROJECT, capture_output=True,
                          text=True, check=True).stdout.strip()


def _notebook(path: Path) -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell("# 09 · Demo: a report\n\nWhat the report is about."),
        new_code_cell("x = 1", outputs=[new_output("display_data", data={"text/markdown": "Some **prose**."})]),
    ])
    nbformat.write(nb, str(path))
    return path


def _results(commit: str) -> dict:
    return {"headline": "3 things", "summary": "How do things relate?",
            "findings": "Things relate, descriptively.",
            "data_sources": {"unhcr": {"name": "unhcr", "title": "UNHCR Refugee Data Finder",
                                       "version": "2025.12.1", "licence": "CC BY 4.0",
                                       "url": "https://www.unhcr.org/refugee-statistics/"}},
            "provenance": {"git_commit": commit, "package_version": "0.1.0",
                           "parameters": {"freq": "W-MON"},
                           "inputs": {"data/processed/x.parquet": "ab" * 32}}}


def test_report_page_has_the_title_block_from_results_and_git(tmp_path, commit):
    target = render.render_report(_notebook(tmp_path / "demo.ipynb"), tmp_path / "demo.html",
                                  _results(commit), PROJECT)
    page = target.read_text()
    date = subprocess.run(["git", "show", "-s", "--format=%cs", commit], cwd=PROJECT,
                          capture_output=True, text=True, check=True).stdout.strip()
    assert "<h1>09 · Demo: a report</h1>" in page and page.count("09 · Demo: a report") == 2  # h1, <title>
    assert "How do things relate?" in page
    assert "What this shows" in page and "Things relate, descriptively." in page
    assert '<a href="https://www.unhcr.org/refugee-statistics/">UNHCR Refugee Data Finder</a>' in page
    assert "version 2025.12.1" in page and f"commit <code>{commit[:12]}</code> of {date}" in page
    assert "Some <strong>prose</strong>." in page
    assert "require.js" not in page and "mathjax" not in page.lower()  # no network at read time
    assert "x = 1" not in page  # code hidden
    checker = _load_checker()
    assert checker.check_page(target)[0] == []  # the parameters' W-MON is inside <details>


def test_same_inputs_render_the_same_bytes(tmp_path, commit):
    nb = _notebook(tmp_path / "demo.ipynb")
    first = render.render_report(nb, tmp_path / "a.html", _results(commit), PROJECT).read_bytes()
    second = render.render_report(nb, tmp_path / "b.html", _results(commit), PROJECT).read_bytes()
    assert first == second


def test_index_lists_both_plans_with_headline_version_and_date(tmp_path, commit, monkeypatch):
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(tmp_path))  # the plans are read confined to it
    (tmp_path / "data" / "raw" / "reports").mkdir(parents=True)
    (tmp_path / "n.ipynb").write_text("{}")
    (tmp_path / "reports.yml").write_text(
        "plans:\n  embedded:\n    output: reports\n    reports:\n      01-a:\n        notebook: n.ipynb\n"
        "        summary: First question.\n  full:\n    output: reports/full\n    reports:\n"
        "      02-b:\n        notebook: n.ipynb\n        summary: Second question.\n")
    folder = tmp_path / "reports" / "01-a"
    folder.mkdir(parents=True)
    (folder / "01-a.html").write_text("<html></html>")
    (folder / "results.json").write_text(json.dumps(_results(commit)))
    (tmp_path / "reports" / "full").mkdir()
    written = render.write_index(tmp_path / "reports.yml", git_root=PROJECT)
    assert written == [tmp_path / "reports" / "index.html", tmp_path / "reports" / "full" / "index.html"]
    top = written[0].read_text()
    assert 'href="01-a/01-a.html"' in top and "3 things" in top and "First question." in top
    assert "Full plan" in top and "02-b (not yet run)" in top and "0.1.0" in top
    assert render.commit_date(PROJECT, commit) in top
    assert "<th>Package version</th><th>Commit date (code and data)</th>" in top  # every column named
    assert 'href="../01-a/01-a.html"' in written[1].read_text()


@pytest.mark.parametrize("html, words", [
    ("<p>PosixPath('results.json')</p>", "PosixPath"),
    ("<p>Deaths per W-MON</p>", "W-MON"),
    ("<p>freq MS</p>", "MS"),
    ("<table><tr><th></th><th>a</th></tr><tr><th>0</th><td>1</td></tr></table>", "first header cell is empty"),
    ("<table><tr><th>index</th><th>a</th></tr><tr><td>0</td><td>5</td></tr><tr><td>1</td><td>6</td></tr></table>",
     "unnamed 0..1 range"),
    ('<a href="https://x.org/long">https://x.org/lo…</a>', "cut short"),
    ("<table><thead><tr><th>Check</th></tr></thead><tbody></tbody></table>", "body has no row"),
    ("<table><tr><th>Check</th></tr></table>", "body has no row"),
])
def test_screenshot_checker_fails_on_reader_facing_defects(tmp_path, html, words):
    page = tmp_path / "r" / "r.html"
    page.parent.mkdir()
    page.write_text(f"<html><body>{html}</body></html>")
    failures, _ = _load_checker().check_page(page)
    assert any(words in f for f in failures), failures


def test_screenshot_checker_passes_plain_text(tmp_path):
    page = tmp_path / "r" / "r.html"
    page.parent.mkdir()
    page.write_text("<html><body><p>MSF teams, Msida, YSL: no codes.</p><h2>Limitations</h2>"
                    "<table><tr><th>year</th></tr><tr><td>0</td></tr><tr><td>1</td></tr></table>"
                    "</body></html>")
    assert _load_checker().check_page(page) == ([], [])


def test_screenshot_checker_warns_on_internal_codes_in_prose_not_in_commands(tmp_path):
    page = tmp_path / "r" / "r.html"
    page.parent.mkdir()
    page.write_text("<html><body><p>Run <code>refugeestudy fetch unhcr_population</code>.</p>"
                    "<h2>Limitations</h2></body></html>")
    assert _load_checker().check_page(page) == ([], [])
    page.write_text("<html><body><p>Counts from unhcr_population by SY04.</p><h2>Limitations</h2></body></html>")
    assert _load_checker().check_page(page)[1] == ["internal code(s) in the text: SY04, unhcr_population"]
