"""Readers, one per external format, each returning a canonical table.

One job: raw files in, validated canonical tables out (see :mod:`refugeestudy.schema`),
with a clear error naming file, row and column. :mod:`.packaged` says where the
curated log is read from and :mod:`.parse_cache` caches large parsed inputs.

Import rule: readers may import :mod:`refugeestudy.clean` and the shared top-level
modules (``errors``, ``schema``, ``paths``, ``_atomic``, ``_hashing``); nothing above
them. ``tests/test_architecture.py`` enforces the rule.
"""
