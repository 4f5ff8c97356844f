"""Readers, one per external format, each returning a canonical table."""
