"""read_ged on UCDP's GED Candidate 26.0.1 (global 49-column format with code_status)."""

from __future__ import annotations

from pathlib import Path

import pytest

from refugeestudy.sources.ucdp import read_ged

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (../shared/data is not mounted)")
    return path

CANDIDATE = SHARED / "ucdp" / "GEDEvent_v26_0_1.csv"


def test_candidate_file_reads_every_event():
    events = read_ged(_need(CANDIDATE), cache=False)
    assert len(events) == 1727
    assert events["country_iso3"].notna().all()
    syria = events[events["country_iso3"] == "SYR"]
    assert len(syria) == 53
    assert syria["admin1_pcode"].notna().all()
    assert int(syria["deaths_best"].sum()) == 121
    # date_prec 0 (undefined in the codebook) on 3 events becomes missing, counted
    assert events.attrs["repairs"] == {"bounds_widened": 5, "date_precision_undefined": 3}
    assert int(events["date_precision"].isna().sum()) == 3
    assert events["date_start"].min().year == 2025 and events["date_end"].max().year == 2026
