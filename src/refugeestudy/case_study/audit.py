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

__all__ = ["EPISODES", "place_label", "episode", "coverage_by_place", "coverage_by_reporter",
           "coverage_by_episode", "downward_revisions", "key_figures"]

#: The episodes of violence and flight the log covers, as :func:`episode` names them.
EPISODES = {
    "coast_2025": "Syrian coast, March 2025 (and the flight of Alawites to Lebanon and Russia)",
    "sweida_2025": "Sweida, July 2025",
}


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


def episode(figures: pd.DataFrame) -> pd.Series:
    """The episode each figure belongs to, by one documented rule.

    A figure is about Sweida (``sweida_2025``) when its origin governorate is
    As-Sweida (SY13) or it is a key event labelled ``sweida_...``; every other
    figure is about the violence on the coast from March 2025 and the flight it
    caused (``coast_2025``), including the arrivals in Russia that began after
    the fall of Assad.

    Examples
    --------
    >>> f = pd.DataFrame({"origin_admin1_pcode": ["SY13", None, None],
    ...                   "label": [None, "sweida_ceasefire", "assad_fall"]})
    >>> episode(f).tolist()
    ['sweida_2025', 'sweida_2025', 'coast_2025']
    """
    sweida = (figures["origin_admin1_pcode"] == "SY13").fillna(False).astype(bool)
    sweida |= figures["label"].astype("string").str.startswith("sweida_").fillna(False).astype(bool)
    return pd.Series(["sweida_2025" if s else "coast_2025" for s in sweida], index=figures.index,
                     dtype="string")


def coverage_by_episode(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures and distinct producers per episode and kind (see :func:`episode`).

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> table = coverage_by_episode(load_reports().figures)
    >>> bool((table.groupby("episode")["producers"].max() >= 2).all())
    True
    """
    return _coverage(figures.assign(episode=episode(figures)), ["episode", "kind"], "producers")


def downward_revisions(violence: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """The tolls a producer revised downward: one row per flagged figure.

    A running toll is flagged only when the same producer, for the same subject
    and scope (governorate, period start), later states a total that contradicts
    its earlier one (its upper bound below the earlier lower bound); a rounded or
    late relay of an older number is not a revision (see
    :func:`refugeestudy.clean.counts.is_downward_revision`).

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> log = load_reports()
    >>> list(downward_revisions(log.violence, log.figures).columns)
    ['figure_id', 'producer', 'place', 'subject', 'as_of', 'stated', 'change']
    """
    flagged = violence[violence["revised_down"].fillna(False).astype(bool)]
    stated = figures.set_index("figure_id")
    rows = stated.loc[flagged["event_id"]]
    return pd.DataFrame({
        "figure_id": flagged["event_id"].to_numpy(),
        "producer": rows["figure_by"].to_numpy(),
        "place": place_label(rows.reset_index()).to_numpy(),
        "subject": rows["subject"].to_numpy(),
        "as_of": rows["period_end"].dt.strftime("%Y-%m-%d").to_numpy(),
        "stated": rows["count"].to_numpy(),
        "change": flagged["deaths_best"].to_numpy(),
    })


def coverage_by_place(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per kind and place, with distinct reporters and the span of report dates."""
    return _coverage(figures.assign(place=place_label(figures)), ["kind", "place"], "reporters")


def _coverage(frame: pd.DataFrame, keys: list[str], producers: str) -> pd.DataFrame:
    """Figures per group of ``keys``: their count, distinct producers and span of report dates."""
    table = frame.groupby(keys, sort=True).agg(
        figures=("figure_id", "size"),
        **{producers: ("figure_by", "nunique")},
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
        "figures_without_producer": int(figures["figure_by"].isna().sum()),
        "report_dates_inferred": int(figures["report_date_inferred"].fillna(False).astype(bool).sum()),
        "origin_governorates": sorted(figures["origin_admin1_pcode"].dropna().unique().tolist()),
        "destination_countries": sorted(counted["destination_country_iso3"].dropna().unique().tolist()),
        "destination_regions": sorted(counted["destination_admin1"].dropna().unique().tolist()),
    }
