"""The 2025 case study: Syria's coast in March 2025 and where people fled (reports 01-04).

One job: what the curated report log and the case's sources say. :mod:`.reconcile`
combines reporters as cumulative curves; :mod:`.series` puts them on a period
grid; :mod:`.analysis` and :mod:`.models` hold the series and the inference the
sample can carry; :mod:`.charts` and :mod:`.narrative` write reports 02-03's
figures and words; :mod:`.audit` and :mod:`.audit_text` the data audit (01);
:mod:`.destinations` where one origin's people sought protection (04).

Import rule: the case study may import the pipeline, :mod:`refugeestudy.panels`,
:mod:`refugeestudy.sources`, :mod:`refugeestudy.fetch`, :mod:`refugeestudy.clean`
and the shared top-level modules; never :mod:`refugeestudy.global_study`.
``tests/test_architecture.py`` enforces the rule.
"""
