"""Cleaning rules shared by every reader: places, dates and counts.

Import rule: only the shared top-level modules (``errors``, ``schema``, ``paths``);
``tests/test_architecture.py`` enforces the rule.
"""
