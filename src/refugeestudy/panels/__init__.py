"""Processed tables built from the canonical tables: the inputs every design reads.

One job: turn readers' canonical tables into analysis tables. :mod:`.dyads`
builds the origin × destination × year panel (asylum applications against deaths
at origin), :mod:`.outcomes` names which applications count, and
:mod:`.covariates` adds origin-year controls and dyad geography.

Import rule: panels may import :mod:`refugeestudy.sources`,
:mod:`refugeestudy.clean` and the shared top-level modules; never the pipeline,
nor a study. ``tests/test_architecture.py`` enforces the rule.
"""
