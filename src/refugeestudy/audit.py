"""What the curated log holds: coverage tables and key figures for the data audit.

Examples
--------
>>> from refugeestudy import load_reports
>>> table = coverage_by_place(load_reports().figures)
>>> list(table.columns)
['kind', 'place', 'figures', 'reporters', 'first_report', 'last_report']
"""

from __future__ import annotations

import pandas as pd

from refugeestudy.clean.places import DESTINATION_REGIONS, GOVERNORATES

__all__ = ["place_label", "coverage_by_place", "coverage_by_reporter", "key_figures"]


def place_label(figures: pd.DataFrame) -> pd.Series:
    """One readable place per figure: the governorate for tolls, the destination for counts.

    Examples
    --------
    >>> f = pd.DataFrame({"kind": ["deaths", "displacement"], "origin_admin1_pcode": ["SY06", None],
    ...     "destination_country_iso3": [None, "RUS"], "destination_admin1": [None, "RU-PER"]})
    >>> place_label(f).tolist()
    ['Lattakia (SY06)', 'RUS: Perm Krai']
    """
    governorate = figures["origin_admin1_pcode"].map(
        lambda code: f"{GOVERNORATES[code]} ({code})" if isinstance(code, str) else "Syria, no governorate")
    region = figures["destination_admin1"].map(
        lambda code: DESTINATION_REGIONS.get(code, code) if isinstance(code, str) else "whole country")
    destination = figures["destination_country_iso3"].astype("string") + ": " + region.astype("string")
    label = governorate.where(figures["kind"] != "displacement", destination)
    return label.where(figures["kind"] != "event", "key event").astype("string")


def coverage_by_place(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per kind and place, with distinct reporters and the span of report dates."""
    frame = figures.assign(place=place_label(figures))
    table = frame.groupby(["kind", "place"], sort=True).agg(
        figures=("figure_id", "size"),
        reporters=("figure_by", "nunique"),
        first_report=("report_date", "min"),
        last_report=("report_date", "max"),
    ).reset_index()
    for column in ("first_report", "last_report"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def coverage_by_reporter(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per producer of the figure and kind, most prolific first."""
    table = figures.groupby(["figure_by", "kind"]).size().rename("figures").reset_index()
    return table.sort_values(["figures", "figure_by", "kind"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def key_figures(figures: pd.DataFrame, sources: pd.DataFrame) -> dict:
    """The headline counts of the log (what ``results.json`` of the audit reports)."""
    by_kind = figures["kind"].value_counts().sort_index()
    counted = figures[figures["kind"] == "displacement"]
    return {
        "figures": int(len(figures)),
        "figures_by_kind": {k: int(v) for k, v in by_kind.items()},
        "distinct_report_dates": int(figures["report_date"].nunique()),
        "first_report_date": figures["report_date"].min().strftime("%Y-%m-%d"),
        "last_report_date": figures["report_date"].max().strftime("%Y-%m-%d"),
        "sources": int(len(sources)),
        "publishers": int(figures["publisher"].nunique()),
        "producers": int(figures["figure_by"].nunique()),
        "origin_governorates": sorted(figures["origin_admin1_pcode"].dropna().unique().tolist()),
        "destination_countries": sorted(counted["destination_country_iso3"].dropna().unique().tolist()),
        "destination_regions": sorted(counted["destination_admin1"].dropna().unique().tolist()),
    }
