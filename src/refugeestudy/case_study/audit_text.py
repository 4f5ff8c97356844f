"""The data audit's tables and text (notebook 01), in plain language.

The counting is :mod:`refugeestudy.case_study.audit`'s; this module names places,
producers and events as a reader would (governorate and country names, no
p-codes or internal labels), lays out the tables with readable headers, and
writes the audit's overview, findings and limitations from the log itself.

Examples
--------
>>> from refugeestudy import load_reports
>>> log = load_reports()
>>> labels = place_names(log.figures)
>>> {"Hama", "Homs", "Lattakia"} <= set(labels[log.figures["kind"] == "deaths"].dropna())
True
"""

from __future__ import annotations

import pandas as pd

from refugeestudy.case_study import audit
from refugeestudy.clean.places import DESTINATION_REGIONS, GOVERNORATES
from refugeestudy.case_study.destinations import country_name

__all__ = ["place_names", "event_name", "coverage_by_place", "coverage_by_producer",
           "downward_revisions", "key_events", "sources_table", "overview", "findings",
           "limitations"]

_KINDS = {"deaths": "deaths", "displacement": "people displaced", "event": "key event"}
_ORIGIN_SCOPES = {"SY-COAST": "Syrian coast, no single governorate", "SY": "Syria as a whole"}


def place_names(figures: pd.DataFrame) -> pd.Series:
    """One place name per figure: the governorate for tolls, "country: region" for people.

    Examples
    --------
    >>> f = pd.DataFrame({"kind": ["deaths", "displacement", "displacement"],
    ...                   "origin_admin1_pcode": ["SY06", None, None],
    ...                   "destination_country_iso3": [None, "RUS", "LBN"],
    ...                   "destination_admin1": [None, "RU-PER", None]})
    >>> place_names(f).tolist()
    ['Lattakia', 'Russian Federation: Perm Krai', 'Lebanon: whole country']
    """
    scope = figures["origin_scope"] if "origin_scope" in figures else figures["origin_admin1_pcode"]
    governorate = scope.map(lambda code: GOVERNORATES.get(code) or _ORIGIN_SCOPES.get(code, code)
                            if isinstance(code, str) else "Syria, no governorate")
    region = figures["destination_admin1"].map(
        lambda code: DESTINATION_REGIONS.get(code, code) if isinstance(code, str) else "whole country")
    country = figures["destination_country_iso3"].map(
        lambda code: country_name(code) if isinstance(code, str) else "unknown country")
    destination = country.astype("string") + ": " + region.astype("string")
    label = governorate.astype("string").where(figures["kind"] != "displacement", destination)
    return label.where(figures["kind"] != "event", "key event").astype("string")


def event_name(label: str) -> str:
    """A key event's label in words.

    Examples
    --------
    >>> event_name("perm_first_group_arrival")
    'Perm first group arrival'
    """
    return label.replace("_", " ").strip().capitalize()


def coverage_by_place(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per kind and place, with distinct producers and the span of report dates."""
    frame = figures.assign(place=place_names(figures))
    table = frame.groupby(["kind", "place"], sort=True).agg(
        figures=("figure_id", "size"), producers=("figure_by", "nunique"),
        first=("report_date", "min"), last=("report_date", "max")).reset_index()
    table["kind"] = table["kind"].map(_KINDS)
    return table.rename(columns={"kind": "what is counted", "producers": "producers of figures",
                                 "first": "first report", "last": "last report"})


def coverage_by_producer(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per producer and kind, most prolific first (:func:`refugeestudy.case_study.audit.coverage_by_reporter`)."""
    table = audit.coverage_by_reporter(figures)
    table["kind"] = table["kind"].map(_KINDS)
    return table.rename(columns={"figure_by": "producer of the figure", "kind": "what is counted"})


def downward_revisions(violence: pd.DataFrame) -> pd.DataFrame:
    """Toll rows whose running total went down since the producer's previous report."""
    rows = violence[violence["revised_down"].fillna(False).astype(bool)]
    rows = rows.sort_values(["date_end", "event_id"], kind="stable")
    return pd.DataFrame({
        "as of": rows["date_end"],
        "governorate": rows["admin1_pcode"].map(lambda c: GOVERNORATES.get(c, c) if isinstance(c, str)
                                                else "Syria, no governorate"),
        "who died": rows["violence_type"].str.replace("_", " "),
        "change since previous report (deaths)": rows["deaths_best"],
        "producer": rows["reporter"],
        "source": rows["source_ref"],
    }).reset_index(drop=True)


def key_events(events: pd.DataFrame) -> pd.DataFrame:
    """The log's dated key events, in words, by date."""
    rows = events.sort_values(["date", "event_id"])
    return pd.DataFrame({"date": rows["date"], "event": rows["label"].map(event_name),
                         "what the source says": rows["description"], "producer": rows["reporter"],
                         "published by": rows["publisher"]}).reset_index(drop=True)


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """Every source page: date, publisher, title, its address and where its text was read.

    "read at" is empty when the text was read on the page itself.

    Examples
    --------
    >>> s = pd.DataFrame({"publication_date": ["2025-03-07"], "publisher": ["DW"], "title": [""],
    ...                   "url": ["https://www.dw.com/a"], "read_at_url": ["http://proxy.example/a"]})
    >>> sources_table(s)["read at"].tolist()
    ['http://proxy.example/a']
    """
    rows = sources.sort_values(["publication_date", "url"])
    read_at = rows["read_at_url"].where(rows["read_at_url"] != rows["url"], "")
    return pd.DataFrame({"published": rows["publication_date"], "publisher": rows["publisher"],
                         "title": rows["title"], "address": rows["url"],
                         "read at": read_at}).reset_index(drop=True)


def overview(key: dict) -> str:
    """One paragraph of what the log holds (from :func:`refugeestudy.case_study.audit.key_figures`)."""
    kinds = ", ".join(f"{count} {_KINDS.get(kind, kind)}" for kind, count in key["figures_by_kind"].items())
    return (f"The log holds **{key['figures']} figures** ({kinds}) from **{key['sources']} source "
            f"pages**, reported on {key['distinct_report_dates']} distinct dates between "
            f"{key['first_report_date']} and {key['last_report_date']}, produced by "
            f"{key['producers']} bodies and published by {key['publishers']} outlets; "
            f"{key['figures_without_producer']} figures name no producer and are counted apart.")


def findings(figures: pd.DataFrame, violence: pd.DataFrame, key: dict) -> tuple[str, str]:
    """The headline (one line) and the "what this shows" paragraph of the audit."""
    deaths = figures[figures["kind"] == "deaths"]
    counts = figures[figures["kind"] == "displacement"]
    by_place = place_names(deaths[deaths["origin_admin1_pcode"].notna()]).value_counts()
    dates = figures["report_date"].sort_values()
    middle = (dates.quantile(0.25).strftime("%-d %B %Y"), dates.quantile(0.75).strftime("%-d %B %Y"))
    revised = int(violence["revised_down"].fillna(False).astype(bool).sum())
    headline = (f"{key['figures']} figures from {key['sources']} sources on "
                f"{key['distinct_report_dates']} report dates")
    paragraph = (
        f"The log's death tolls cover {deaths['origin_admin1_pcode'].nunique()} governorates, most "
        f"often {by_place.index[0]} ({by_place.iloc[0]} figures); its counts of people cover "
        f"{counts['destination_country_iso3'].nunique()} countries "
        f"({', '.join(sorted(country_name(c) for c in counts['destination_country_iso3'].dropna().unique()))}). "
        f"Half of the figures were reported between {middle[0]} and {middle[1]}; {revised} "
        "running tolls went down between two "
        "reports of the same producer and are kept and flagged, not clipped.")
    return headline, paragraph


def limitations(figures: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Limitations read off the log: open bounds, inferred dates, thin places, overlap."""
    open_top = figures["qualifier"].isin(["at_least", "more_than"]).sum()
    approximate = (figures["qualifier"] == "approximately").sum()
    inferred = int(figures["report_date_inferred"].fillna(False).astype(bool).sum())
    counted = figures[figures["kind"] != "event"]
    places = place_names(counted).value_counts()
    thin = sorted(places[places == 1].index)
    notes = [
        f"{open_top} of {len(figures)} figures are stated as \"at least\" or \"more than\" (no upper "
        f"bound) and {approximate} as approximate: drawn with open or wide bounds, never as exact.",
        "Figures are recorded as each page stated them, not reconciled: outlets relaying the same "
        "monitor's figure each have a row, so figures must not be added up.",
    ]
    if inferred:
        notes.append(f"{inferred} figures carry a report date inferred from a cue on the page (a weekday, "
                     "a dateline, a photo caption or a date in the URL), not printed on it; the log marks "
                     "each in report_date_inferred.")
    if thin:
        notes.append(f"{len(thin)} places rest on a single figure: {', '.join(thin)}.")
    untitled = int(sources["title"].astype("string").fillna("").eq("").sum())
    if untitled:
        notes.append(f"{untitled} of {len(sources)} source pages showed no title in the stored text; "
                     "their title is left empty.")
    copies = int((sources["read_at_url"] != sources["url"]).sum())
    if copies:
        notes.append(f"{copies} of {len(sources)} source pages were read on a copy (a proxy or the "
                     "same page under another address), named under \"read at\".")
    return notes
