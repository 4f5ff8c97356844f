"""Shared paths and fixtures for the reader tests.

Real extracts live outside the project, in ``../shared/data`` (see its README);
tests that need them are skipped, with the reason, only when that folder is absent.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared" / "data"
BAD = ROOT / "tests" / "data" / "bad"
ACLED = ROOT / "tests" / "data" / "acled"
GED_REAL = SHARED / "ucdp" / "ged191_syria_2016_2019.csv"
UNHCR_REAL = SHARED / "unhcr"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real extract {path} is absent (the shared data folder ../shared/data "
                    "is not mounted on this machine)")
    return path


@pytest.fixture
def ged_real() -> Path:
    """The real UCDP GED 19.1 Syria extract (16,566 events, 41 columns)."""
    return _need(GED_REAL)


@pytest.fixture
def unhcr_real() -> Path:
    """The folder of real UNHCR population-API extracts."""
    return _need(UNHCR_REAL)


@pytest.fixture
def make_zip(tmp_path):
    """Zip ``members`` ({name: path or bytes}) into ``tmp_path`` and return the zip's path."""

    def make(name: str, members: dict[str, Path | bytes]) -> Path:
        target = tmp_path / name
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for member, content in members.items():
                if isinstance(content, Path):
                    archive.write(content, member)
                else:
                    archive.writestr(member, content)
        return target

    return make


@pytest.fixture
def bad() -> Path:
    """The bad-input corpus (small files made for these tests)."""
    return BAD


@pytest.fixture
def acled_data() -> Path:
    """Hand-made files in ACLED's export format (synthetic, see their README)."""
    return ACLED


@pytest.fixture(scope="session")
def ged_events():
    """``read_ged`` of the real Syria extract, read once per session."""
    from refugeestudy.sources.ucdp import read_ged

    return read_ged(_need(GED_REAL))
