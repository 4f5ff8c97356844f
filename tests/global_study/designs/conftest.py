"""Fixtures of the design tests: the real inputs (panel, origin-year controls, dyad geography) from the mirrors."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def origin_controls(shared_extract):
    """``origin_year_controls`` built from the WDI/WPP and IDMC mirrors."""
    from refugeestudy.panels.covariates import origin_year_controls
    from refugeestudy.sources.idmc import read_idmc_flows
    from refugeestudy.sources.wdi import read_wdi

    return origin_year_controls(read_wdi(shared_extract("wdi/wdi_gdidata_0.3.21.csv")),
                                read_idmc_flows(shared_extract("idmc/idmc_flows_gdidata_0.3.21.csv")))


@pytest.fixture(scope="session")
def geography(shared_extract):
    """``dyad_geography`` built from the CEPII GeoDist mirror."""
    from refugeestudy.panels.covariates import dyad_geography
    from refugeestudy.sources.cepii import read_cepii_geodist

    return dyad_geography(read_cepii_geodist(shared_extract("cepii/dist_cepii.csv")))
