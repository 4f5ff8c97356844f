"""The estimators of report 05's designs and robustness checks, as pure functions on DataFrames.

One job: given the dyad-year panel and the origin-year and dyad inputs, fit each
design and return a small :class:`DesignResult` (``estimate``, ``ci_low``,
``ci_high`` (95 %), ``n_observations``, ``n_clusters`` (origins), ``words``,
``variants``, ``terms``, ``details``; ``to_dict()`` for ``results.json``). This
subpackage may import the readers, :mod:`refugeestudy.global_study.ppml` and
:mod:`refugeestudy.panels.outcomes`, never the run pipeline (``run``, ``notebook``,
``report``): the notebook calls it, not the other way round.

Inputs (column names are the contract):

* ``panel`` — :func:`refugeestudy.global_study.origin_destination.load_dyad_panel` (``origin_iso3,
  destination_iso3, year``, outcomes, deaths, ``stock_lag1``, ``stock_share_lag1``);
* ``controls`` — origin-year: ``origin, year, population, gdp_pc_ppp,
  political_stability, idmc_conflict_displacements, idmc_disaster_displacements``
  (unlagged; NaN = missing);
* ``geography`` — dyad: ``origin, destination, contig, distw, dist, comlang_off, colony``.

Public API:

* :func:`origin_year_design` (design 1) — ``estimate``: Σ lag 0-2 of deaths per 100,000;
* :func:`dyad_exposure_design` (design 2) — ``estimate``: Σ lag 0-2 of log(1 + deaths) × contiguity;
* :func:`event_study_design` (design 3) — ``estimate``: mean of event times 0…+5 of the
  Sun-Abraham PPML estimator, onset at 25 deaths; ``pre_trend_p``; :func:`event_study_figure`;
* :func:`conflict_onsets` — the onset rule;
* robustness: :func:`leave_one_origin_out` (takes design 1's frame: build it with
  :func:`origin_year_outcome`, :func:`origin_deaths`, :func:`origin_year_frame`),
  :func:`leave_one_out_figure`, :func:`origin_year_trends`, :func:`dyad_robustness`,
  :func:`eurostat_lead_checks` (each a table, one row per check);
* :func:`refit_in_parallel` — joblib (loky, or Dask when ``REFUGEESTUDY_DASK_SCHEDULER`` is set).

A notebook cell, e.g.::

    from refugeestudy.global_study import designs
    panel, controls, geography = load_dyad_panel(), load_origin_year_controls(), load_dyad_geography()
    results = {"origin_year": designs.origin_year_design(panel, controls, geography),
               "dyad_exposure": designs.dyad_exposure_design(panel, geography),
               "event_study": designs.event_study_design(panel)}
    json_ready = {name: result.to_dict() for name, result in results.items()}

Examples
--------
>>> from refugeestudy.global_study import designs
>>> sorted(designs.DesignResult.__dataclass_fields__)[:4]
['ci_high', 'ci_low', 'details', 'estimate']
"""

from refugeestudy.global_study.designs._fit import DesignResult
from refugeestudy.global_study.designs.dyad_exposure import dyad_exposure_design
from refugeestudy.global_study.designs.event_study import conflict_onsets, event_study_design, event_study_figure
from refugeestudy.global_study.designs.origin_year import origin_deaths, origin_year_design, origin_year_frame, origin_year_outcome
from refugeestudy.global_study.designs.parallel import refit_in_parallel
from refugeestudy.global_study.designs.robustness import (dyad_robustness, eurostat_lead_checks, leave_one_origin_out,
                                             leave_one_out_figure, origin_year_trends)

__all__ = ["DesignResult", "origin_year_design", "dyad_exposure_design", "event_study_design",
           "event_study_figure", "conflict_onsets", "origin_deaths", "origin_year_outcome", "origin_year_frame",
           "leave_one_origin_out", "leave_one_out_figure", "origin_year_trends", "dyad_robustness",
           "eurostat_lead_checks", "refit_in_parallel"]
