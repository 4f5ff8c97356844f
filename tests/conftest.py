"""Fixtures shared by the test modules: the real extracts in ``../shared/data``.

A test that needs a real extract asks for :func:`shared_extract` (it skips, naming the file,
when ``../shared/data`` is not mounted); the global dyad-year panel is built once per session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_extract():
    """Return ``path(relative) -> Path`` into ``../shared/data``; skip when the file is absent."""

    def path(relative: str) -> Path:
        file = SHARED / relative
        if not file.exists():
            pytest.skip(f"real extract {file} is absent (../shared/data is not mounted)")
        return file

    return path


def _global_panel(shared_extract, *extra: str):
    from refugeestudy.panels.dyads import read_dyad_panel_sources

    return read_dyad_panel_sources(shared_extract("unhcr_global/asylum_applications.csv"),
                                   shared_extract("unhcr_global/population.csv"),
                                   shared_extract("ucdp/organizedviolencecy_v25_1.csv"),
                                   *(shared_extract(name) for name in extra))


@pytest.fixture(scope="session")
def global_panel(shared_extract):
    """The dyad-year panel of the real global files (UNHCR, UCDP country-year), built once."""
    return _global_panel(shared_extract)


@pytest.fixture(scope="session")
def global_panel_with_eurostat(shared_extract):
    """The same panel with Eurostat's first-time applicants added."""
    return _global_panel(shared_extract, "eurostat/migr_asyappctza_first_time_2011_2024.csv")
