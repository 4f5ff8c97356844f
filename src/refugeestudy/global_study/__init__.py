"""The global study: asylum applications against deaths at origin, every origin and destination (report 05).

One job: estimate and check the origin × destination relation. :mod:`.ppml`
fits Poisson pseudo-maximum likelihood with high-dimensional fixed effects;
:mod:`.designs` holds report 05's identification designs and robustness checks;
:mod:`.forecasts` measures one-year-ahead forecasts against last year's value;
:mod:`.origin_destination` turns fits into report 05's tables, words and figures.

Import rule: the global study may import the pipeline, :mod:`refugeestudy.panels`,
:mod:`refugeestudy.sources`, :mod:`refugeestudy.fetch`, :mod:`refugeestudy.clean`
and the shared top-level modules; never :mod:`refugeestudy.case_study`.
``tests/test_architecture.py`` enforces the rule.
"""
