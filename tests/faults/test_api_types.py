"""The public API with the wrong type of argument: a clear error, or one string taken as one name.

Regression (issue 18): ``read_unhcr(path, ['population'])`` raised ``TypeError: unhashable
type: 'list'`` and ``fetch('unhcr_population')`` iterated the string ("unknown source 'u'").
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from refugeestudy import fetch as fx
from refugeestudy.pipeline.build import build_plans
from refugeestudy.pipeline.run import load_plan
from refugeestudy.sources.unhcr import read_unhcr

from fetch import synthetic


def test_read_unhcr_with_a_list_of_datasets_says_so(tmp_path):
    path = tmp_path / "population.csv"
    path.write_bytes(synthetic.population_csv())
    with pytest.raises(TypeError, match=r"^`dataset` is one UNHCR dataset name such as "
                                        r"'population', found list \['population'\]"):
        read_unhcr(path, ["population"])
    assert len(read_unhcr(path, "population")) == 18  # 2 rows x 9 population types


def test_fetch_takes_one_string_as_one_source(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "unhcr").mkdir(parents=True)
    (mirror / "unhcr" / "population.csv").write_bytes(synthetic.population_csv())
    lock = tmp_path / "fetch.lock.json"
    results = fx.fetch("unhcr_population", mirror=mirror, cache_dir=tmp_path / "cache",
                       lock_path=lock, console=Console(file=io.StringIO()))
    assert [(r.source, r.status) for r in results] == [("unhcr_population", "pinned")]
    entry = json.loads(lock.read_text())["sources"]["unhcr_population"]
    assert entry["rows"] == 18  # as the reader counts them
    assert fx.verify("unhcr_population", cache_dir=tmp_path / "cache", lock_path=lock) == {
        "unhcr_population": tmp_path / "cache" / "unhcr_population" / "population.csv"}
    with pytest.raises(TypeError, match="`sources` holds source names"):
        fx.fetch([["unhcr_population"]], mirror=mirror, cache_dir=tmp_path / "cache",
                 lock_path=lock)


def test_expand_sources_takes_one_string_as_one_name():
    assert fx.expand_sources("ucdp_ged", fx.load_registry()) == ["ucdp_ged"]


def test_plans_and_reports_take_one_string_as_one_name(project):
    assert [s.name for s in load_plan(project / "reports.yml", names="01-data-audit")] == [
        "01-data-audit"]
    assert list(build_plans("embedded", console=Console(file=io.StringIO()))) == ["embedded"]
