"""The run pipeline: from the run plan to the reports, for any study.

One job: read and check the plan (``reports.yml``: :mod:`.plan`, :mod:`.params`),
build each plan's processed tables (:mod:`.build`, read back by :mod:`.datasets`),
run the notebooks under papermill (:mod:`.run`, :mod:`.engine`), give them their shared helpers
(:mod:`.notebook`, :mod:`.report`) and render the pages (:mod:`.render`).

Import rule: the pipeline may import :mod:`refugeestudy.fetch`,
:mod:`refugeestudy.panels`, :mod:`refugeestudy.sources`, :mod:`refugeestudy.clean`
and the shared top-level modules; it never imports a study
(:mod:`refugeestudy.case_study`, :mod:`refugeestudy.global_study`). Studies reach
the reports through the notebooks, which import both. ``tests/test_architecture.py``
enforces the rule.
"""
