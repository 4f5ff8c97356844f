"""The parquet cache of parsed inputs: hits only while file and code are unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from refugeestudy.sources import parse_cache
from refugeestudy.sources import ucdp

REAL_GED = Path(__file__).resolve().parents[3] / "shared" / "data" / "ucdp" / "ged191_syria_2016_2019.csv"


class CountingReader:
    """Reads the file's text length; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, path: Path) -> pd.DataFrame:
        self.calls += 1
        return pd.DataFrame({"text": [path.read_text()]})


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "input.csv"
    path.write_text("a" * 100)
    return path


def _read(path, reader, tmp_path, **kwargs):
    return parse_cache.cached_read("demo", path, reader, cache_dir=tmp_path / "cache",
                                   min_bytes=1, **kwargs)


def test_second_read_comes_from_the_cache(data, tmp_path):
    reader = CountingReader()
    assert _read(data, reader, tmp_path)["text"].tolist() == ["a" * 100]
    assert _read(data, reader, tmp_path)["text"].tolist() == ["a" * 100]
    assert reader.calls == 1
    assert len(list((tmp_path / "cache").glob("demo-*.parquet"))) == 1


def test_same_size_rewrite_with_same_timestamp_is_a_miss(data, tmp_path):
    reader = CountingReader()
    _read(data, reader, tmp_path)
    status = data.stat()
    data.write_text("b" * 100)
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns))  # same size, same mtime
    assert _read(data, reader, tmp_path)["text"].tolist() == ["b" * 100]
    assert reader.calls == 2
    assert len(list((tmp_path / "cache").glob("demo-*.parquet"))) == 1  # stale entry replaced


def test_code_change_is_a_miss(data, tmp_path, monkeypatch):
    reader = CountingReader()
    _read(data, reader, tmp_path)
    monkeypatch.setattr(parse_cache, "package_fingerprint", lambda: "other code")
    _read(data, reader, tmp_path)
    assert reader.calls == 2


def test_small_files_and_switched_off_cache_are_always_parsed(data, tmp_path, monkeypatch):
    reader = CountingReader()
    for _ in range(2):
        parse_cache.cached_read("demo", data, reader, cache_dir=tmp_path / "cache")  # < 32 MiB
    assert reader.calls == 2
    assert not (tmp_path / "cache").exists()
    monkeypatch.setenv("REFUGEESTUDY_PARSE_CACHE", "0")
    assert parse_cache.default_cache_dir() is None


def test_a_failing_read_caches_nothing(data, tmp_path):
    def failing(path):
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        _read(data, failing, tmp_path)
    assert not list(tmp_path.rglob("*.parquet"))


@pytest.mark.skipif(not REAL_GED.is_file(), reason="needs ../shared/data (real GED extract)")
def test_cached_ged_equals_parsed_ged_with_dtypes_and_repairs(tmp_path):
    parsed = ucdp.read_ged(REAL_GED, cache=False)
    for _ in range(2):  # a miss that writes, then a hit that reads back
        cached = parse_cache.cached_read("ucdp_ged", REAL_GED, ucdp._parse_ged,
                                         cache_dir=tmp_path, min_bytes=1, table="violence_events")
        pd.testing.assert_frame_equal(cached, parsed)
        assert cached.attrs == parsed.attrs == {"repairs": {"bounds_widened": 101, "date_precision_undefined": 0}}
        assert str(cached["date_start"].dtype) == "datetime64[s]"
