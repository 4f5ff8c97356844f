"""Cleaning rules shared by every reader: places, dates and counts."""
