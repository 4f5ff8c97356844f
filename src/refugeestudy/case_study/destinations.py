"""Where people from one origin sought protection, by year and country (notebook 04).

UNHCR's annual counts (``displacement_counts`` rows of one UNHCR dataset) are
turned into a year × destination table (:func:`by_year_and_destination`; a
year without a row is missing, never zero), the leading destinations
(:func:`leading_destinations`), one destination's share of the total
(:func:`share_of_total`) and its change between two years
(:func:`change_between`). :func:`destinations_figure` draws them;
:func:`counting_caveats` reads the limitations off the data (persons versus
cases, temporary asylum, years without data); :func:`log_destinations`
summarises what the curated log reports by destination (offline).

Examples
--------
>>> counts = pd.DataFrame({
...     "origin_country_iso3": ["SYR"] * 4, "population_type": ["asylum_applications"] * 4,
...     "destination_country_iso3": ["DEU", "RUS", "DEU", "RUS"],
...     "period_start": pd.to_datetime(["2024-01-01", "2024-01-01", "2025-01-01", "2025-01-01"]),
...     "count_best": [100, 20, 60, 60]})
>>> table = by_year_and_destination(counts, "SYR", ["asylum_applications"], 2024, 2025)
>>> table.to_dict()
{'DEU': {2024: 100.0, 2025: 60.0}, 'RUS': {2024: 20.0, 2025: 60.0}}
>>> share_of_total(table, "RUS").round(2).tolist()
[16.67, 50.0]
>>> change_between(table["RUS"], 2024, 2025)
3.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from refugeestudy.clean.places import DESTINATION_REGIONS

if TYPE_CHECKING:
    import matplotlib as mpl

__all__ = ["COUNTRY_NAMES", "country_name", "by_year_and_destination", "leading_destinations",
           "share_of_total", "change_between", "destinations_figure", "counting_caveats",
           "log_destinations", "log_findings", "findings_text", "yearly_table", "destination_results"]

#: English short names of the countries where Syrians most often sought protection (ISO 3166-1
#: alpha-3). A code not listed is shown as itself.
COUNTRY_NAMES = {
    "ARE": "United Arab Emirates", "ARG": "Argentina", "ARM": "Armenia", "AUS": "Australia",
    "AUT": "Austria", "AZE": "Azerbaijan", "BEL": "Belgium", "BGR": "Bulgaria", "BHR": "Bahrain",
    "BLR": "Belarus", "BRA": "Brazil", "CAN": "Canada", "CHE": "Switzerland", "CYP": "Cyprus",
    "CZE": "Czechia", "DEU": "Germany", "DNK": "Denmark", "DZA": "Algeria", "EGY": "Egypt",
    "ESP": "Spain", "EST": "Estonia", "FIN": "Finland", "FRA": "France", "GBR": "United Kingdom",
    "GEO": "Georgia", "GRC": "Greece", "HRV": "Croatia", "HUN": "Hungary", "IRL": "Ireland",
    "IRQ": "Iraq", "ISL": "Iceland", "ITA": "Italy", "JOR": "Jordan", "JPN": "Japan",
    "KAZ": "Kazakhstan", "KOR": "Republic of Korea", "KWT": "Kuwait", "LBN": "Lebanon",
    "LBY": "Libya", "LIE": "Liechtenstein", "LTU": "Lithuania", "LUX": "Luxembourg",
    "LVA": "Latvia", "MAR": "Morocco", "MDA": "Moldova", "MKD": "North Macedonia", "MLT": "Malta",
    "MNE": "Montenegro", "MYS": "Malaysia", "NLD": "Netherlands", "NOR": "Norway",
    "NZL": "New Zealand", "OMN": "Oman", "POL": "Poland", "PRT": "Portugal", "QAT": "Qatar",
    "ROU": "Romania", "RUS": "Russian Federation", "SAU": "Saudi Arabia", "SDN": "Sudan",
    "SRB": "Serbia", "SVK": "Slovakia", "SVN": "Slovenia", "SWE": "Sweden", "SYR": "Syria",
    "TUN": "Tunisia", "TUR": "Türkiye", "UKR": "Ukraine", "USA": "United States", "YEM": "Yemen",
}

#: Readable names of UNHCR population types.
POPULATION_LABELS = {
    "asylum_applications": "asylum applications",
    "refugees": "refugees",
    "asylum_seekers": "asylum seekers",
    "returned_refugees": "returned refugees",
}


def country_name(iso3: str) -> str:
    """Return a country's English short name, or the code itself when it is not listed.

    Examples
    --------
    >>> country_name("RUS"), country_name("XXX")
    ('Russian Federation', 'XXX')
    """
    return COUNTRY_NAMES.get(iso3, iso3)


def _population_label(population_types: list[str]) -> str:
    return " and ".join(POPULATION_LABELS.get(p, p.replace("_", " ")) for p in population_types)


def by_year_and_destination(counts: pd.DataFrame, origin: str, population_types: list[str],
                            first_year: int, last_year: int) -> pd.DataFrame:
    """Sum the counts of ``origin`` by year (rows) and destination (columns).

    A year with no row for a destination is missing (NaN), not zero: UNHCR
    publishes no row where it has no figure, or suppresses a small one.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``displacement_counts`` rows of one UNHCR dataset.
    origin : str
        ISO3 of the origin country.
    population_types : list of str
        Population types summed, e.g. ``["asylum_applications"]``.
    first_year, last_year : int
        Years kept (inclusive).
    """
    rows = counts[(counts["origin_country_iso3"] == origin)
                  & counts["population_type"].isin(population_types)]
    rows = rows.assign(year=rows["period_start"].dt.year.astype(int))
    rows = rows[(rows["year"] >= first_year) & (rows["year"] <= last_year)]
    table = (rows.groupby(["year", "destination_country_iso3"])["count_best"].sum(min_count=1)
             .astype("float64").unstack())
    table.columns = table.columns.astype(str)
    table.columns.name = None
    table.index.name = "year"
    return table.sort_index()


def leading_destinations(table: pd.DataFrame, top: int, focus: str) -> list[str]:
    """The ``top`` destinations with most over the whole period, and ``focus`` last if not among them.

    Examples
    --------
    >>> t = pd.DataFrame({"DEU": [5.0, 9.0], "SWE": [3.0, 1.0], "RUS": [1.0, None]})
    >>> leading_destinations(t, 1, "RUS")
    ['DEU', 'RUS']
    """
    leaders = table.sum().sort_values(ascending=False, kind="stable").head(top).index.tolist()
    if focus not in leaders:
        leaders.append(focus)
    return leaders


def share_of_total(table: pd.DataFrame, focus: str) -> pd.Series:
    """``focus``'s share (%) of the year's total over the destinations with data."""
    totals = table.sum(axis=1, min_count=1)
    if focus not in table:
        return pd.Series(float("nan"), index=table.index, name="share (%)")
    return (table[focus] / totals * 100).rename("share (%)")


def change_between(series: pd.Series, first: int, last: int) -> float | None:
    """``series[last] / series[first]``, or ``None`` when either is missing or the first is 0."""
    if first not in series.index or last not in series.index:
        return None
    before, after = series.loc[first], series.loc[last]
    if pd.isna(before) or pd.isna(after) or before == 0:
        return None
    return float(after / before)


def destinations_figure(table: pd.DataFrame, leaders: list[str], focus: str,
                        population_types: list[str], provisional_years: list[int] = ()) -> mpl.figure.Figure:
    """Counts by year for the leading destinations (log scale) beside ``focus``'s share.

    One colour per destination (:func:`refugeestudy.plots.colours`), the focus
    drawn thicker; a year without data is a gap; provisional years are shaded.
    """
    from refugeestudy import plots  # matplotlib only when a figure is drawn

    what = _population_label(population_types)
    fig, (left, right) = plots.subplots(1, 2, figsize=(13, 5.2))
    for iso3, colour in zip(leaders, plots.colours(len(leaders))):
        left.plot(table.index, table[iso3] if iso3 in table else float("nan"), marker="o",
                  markersize=3, color=colour, label=country_name(iso3),
                  linewidth=2.6 if iso3 == focus else 1.2)
    left.set_yscale("log")
    left.set_title(plots.wrap_title(f"{what.capitalize()} by country: the largest destinations and "
                                    f"{country_name(focus)}", 55))
    left.set_ylabel(f"{what} per year (log scale)")
    share = share_of_total(table, focus)
    right.bar(share.index, share.to_numpy(), color=plots.colour_for(leaders.index(focus)),
              label=country_name(focus))
    right.set_title(plots.wrap_title(f"{country_name(focus)}: share of all {what}", 55))
    right.set_ylabel(f"share of all {what} (%)")
    for ax in (left, right):
        ax.set_xlabel("year")
        for year in provisional_years:
            if year in table.index:
                plots.mark_partial(ax, year - 0.5, year + 0.5,
                                   label="provisional" if year == provisional_years[0] else "_")
    left.legend(fontsize=8, ncol=2, loc="lower left")
    if provisional_years:
        right.legend(fontsize=8, loc="upper left")
    plots.tight_layout(fig)
    return fig


def counting_caveats(counts: pd.DataFrame, origin: str, focus: str, leaders: list[str],
                     table: pd.DataFrame) -> list[str]:
    """Limitations read off the data: cases among persons, temporary asylum, years without data.

    Uses the ``breakdown`` column UNHCR rows carry (``app_pc`` P persons or C
    cases; ``dec_level`` TA temporary asylum, FI first instance).
    """
    notes = []
    years = counts["period_start"].dt.year
    rows = counts[(counts["origin_country_iso3"] == origin)
                  & years.between(table.index.min(), table.index.max())]
    breakdown = rows["breakdown"].astype("string").fillna("") if "breakdown" in rows else None
    if breakdown is not None:
        cases = rows[breakdown.str.contains("app_pc=C", regex=False)]
        if len(cases):
            where = ", ".join(sorted({country_name(c) for c in cases["destination_country_iso3"]
                                      if c in leaders}))
            notes.append(f"{len(cases):,} of {len(rows):,} UNHCR rows count cases (a family can be "
                         "one case), not persons; the totals add both"
                         + (f" (among the countries shown: {where})." if where else "."))
        temporary = rows[breakdown.str.contains("dec_level=TA", regex=False)
                         & (rows["destination_country_iso3"] == focus)]
        if len(temporary):
            years = temporary["period_start"].dt.year
            total = int(temporary["count_best"].sum())
            notes.append(f"{total:,} of the applications counted for {country_name(focus)} "
                         f"({int(years.min())}–{int(years.max())}) are for temporary asylum, a "
                         "procedure separate from refugee status; both are counted.")
    for iso3 in leaders:
        missing = [int(y) for y in table.index if iso3 not in table or pd.isna(table.loc[y, iso3])]
        if missing:
            notes.append(f"{country_name(iso3)} has no UNHCR figure for "
                         f"{', '.join(map(str, missing))}: drawn as a gap, not as zero.")
    notes.append("Applications are counted where they were lodged; one person can apply more "
                 "than once (a new application, a repeat, an appeal) and in more than one country.")
    return notes


_LARGEST = "largest figure stated (people)"


def _stated_by_place(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures and the largest stated, by country, place and what is counted."""
    frame = figures.assign(
        country=figures["destination_country_iso3"].map(country_name),
        place=figures["destination_admin1"].map(
            lambda code: DESTINATION_REGIONS.get(code, code) if isinstance(code, str) else "no region stated"),
        counted=figures["population_type"].astype("string").str.replace("_", " "))
    table = frame.groupby(["country", "place", "counted"], sort=True).agg(
        figures=("figure_id", "size"), largest=("count", "max"), first=("period_start", "min"),
        last=("period_end", "max")).reset_index()
    return table.rename(columns={"largest": _LARGEST, "first": "counted from", "last": "latest as of"})


def _apart(figures: pd.DataFrame, origin: str, since) -> pd.Series:
    """Why each displacement figure is not a destination abroad in the window (empty: it is)."""
    reasons = pd.Series("", index=figures.index, dtype="object")
    before = figures["period_start"] < pd.Timestamp(since)
    reasons[before] = f"counted from before {pd.Timestamp(since):%-d %B %Y}, outside the case window"
    inside = figures["destination_country_iso3"] == origin
    reasons[inside] = "inside Syria: internal displacement, not a destination abroad"
    return reasons


def log_destinations(figures: pd.DataFrame, *, origin: str = "SYR", since="2025-01-01"
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the curated log reports by destination abroad, and the figures kept apart.

    Read from the log's figures as stated (``load_reports().figures`` or the
    built ``report_figures`` table), not from the displacement table, whose
    running totals are turned into increments per producer: the largest
    *increment* is no figure any source stated. The largest stated figure is
    not a total either (figures overlap and cover different periods); it shows
    the order of magnitude the reports give.

    Returns
    -------
    abroad : pandas.DataFrame
        Per country, place and what is counted (arrivals, fled, sheltering):
        figures, the largest stated, the first day counted and the latest
        as-of date, for places outside ``origin`` counted from ``since`` on.
    apart : pandas.DataFrame
        The same for the other figures, with ``kept apart because``: displacement
        inside ``origin`` (never a destination abroad) or a count that began
        before ``since`` (outside the case window).

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> abroad, apart = log_destinations(load_reports().figures)
    >>> list(abroad.columns)
    ['country', 'place', 'counted', 'figures', 'largest figure stated (people)', 'counted from', 'latest as of']
    >>> int(abroad.set_index("place").loc["Perm Krai", "largest figure stated (people)"])
    150
    >>> "Syria" in set(abroad["country"])
    False
    """
    stated = figures[figures["kind"] == "displacement"]
    reasons = _apart(stated, origin, since)
    abroad = _stated_by_place(stated[reasons == ""])
    parts = [_stated_by_place(rows).assign(**{"kept apart because": reason})
             for reason, rows in stated[reasons != ""].groupby(reasons[reasons != ""], sort=True)]
    apart = pd.concat(parts, ignore_index=True) if parts else abroad.iloc[:0].assign(
        **{"kept apart because": pd.Series(dtype="object")})
    return abroad, apart


def log_findings(table: pd.DataFrame, apart: pd.DataFrame | None = None) -> tuple[str, str, list[str]]:
    """Headline, paragraph and limitations for the log's destinations abroad (the offline report).

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> headline, _, _ = log_findings(*log_destinations(load_reports().figures))
    >>> headline.startswith("The curated log reports")
    True
    """
    countries = table["country"].nunique()
    places = len(table.drop_duplicates(["country", "place"]))
    headline = (f"The curated log reports {int(table['figures'].sum())} figures on people reaching "
                f"{places} places in {countries} countries abroad")
    largest = table.sort_values(_LARGEST, ascending=False, kind="stable").iloc[0]
    paragraph = (f"{headline}. The largest figure any report states for a place abroad is "
                 f"{largest[_LARGEST]:,.0f} people ({largest['counted']}, {largest['place']}, "
                 f"{largest['country']}).")
    if apart is not None and len(apart):
        paragraph += (f" {int(apart['figures'].sum())} other figures are kept apart: displacement inside "
                      "Syria and counts that began before the case window.")
    paragraph += " UNHCR's yearly counts by country are not available offline; the full plan adds them."
    single = table[table["figures"] == 1]
    limitations = [
        "A largest stated figure is not a total: reports overlap and are not added up here.",
        "Arrivals, fled and sheltering are different counts (see their definitions above) and are "
        "never compared with each other.",
        "Without UNHCR's data (fetched for the full plan) there is no count by year or country "
        "to set these reports against.",
    ]
    if len(single):
        limitations.append(f"{len(single)} of {len(table)} rows rest on a single reported figure: "
                           + ", ".join(f"{r.place} ({r.country}, {r.counted})" for r in single.itertuples())
                           + ".")
    return headline, paragraph, limitations


def findings_text(table: pd.DataFrame, focus: str, origin: str, population_types: list[str],
                  first_year: int, last_year: int) -> tuple[str, str]:
    """The headline (one line) and the "what this shows" paragraph, from the results.

    Examples
    --------
    >>> t = pd.DataFrame({"DEU": [100.0, 60.0], "RUS": [20.0, 60.0]}, index=[2024, 2025])
    >>> headline, paragraph = findings_text(t, "RUS", "SYR", ["asylum_applications"], 2024, 2025)
    >>> headline
    'Russian Federation: asylum applications by people from Syria, 20 in 2024 → 60 in 2025 (×3.0)'
    """
    what = _population_label(population_types)
    people = f"people from {country_name(origin)}"
    series = table[focus] if focus in table else pd.Series(dtype="float64")
    previous = last_year - 1
    change = change_between(series, previous, last_year)
    if change is None:
        headline = (f"{country_name(focus)}: no {what} by {people} for both {previous} and "
                    f"{last_year} in the data")
    else:
        headline = (f"{country_name(focus)}: {what} by {people}, {series.loc[previous]:,.0f} in "
                    f"{previous} → {series.loc[last_year]:,.0f} in {last_year} (×{change:.1f})")
    totals = table.sum()
    leader = totals.idxmax() if len(totals) else None
    share = share_of_total(table, focus)
    parts = [f"Between {first_year} and {last_year}, UNHCR counted {totals.sum():,.0f} {what} by "
             f"{people} in {table.notna().any().sum()} countries"]
    if leader is not None:
        parts[0] += (f"; {country_name(leader)} received the most ({totals[leader]:,.0f}, "
                     f"{totals[leader] / totals.sum() * 100:.0f} %).")
    if last_year in share.index and pd.notna(share.loc[last_year]):
        parts.append(f"In {last_year}, {country_name(focus)} received {share.loc[last_year]:.1f} % "
                     f"of them, against {share.drop(last_year).median():.1f} % in a median year "
                     "before.")
    if change is not None:
        parts.append(f"Its count changed ×{change:.1f} from {previous} to {last_year}; these are "
                     "counts of applications, not of arrivals, and the figure is descriptive.")
    return headline, " ".join(parts)


def yearly_table(table: pd.DataFrame, leaders: list[str], focus: str) -> pd.DataFrame:
    """A table for reading: year, one column per leading destination (names), total and share.

    Examples
    --------
    >>> t = pd.DataFrame({"DEU": [100.0, 60.0], "RUS": [20.0, 60.0]}, index=[2024, 2025])
    >>> yearly_table(t, ["DEU", "RUS"], "RUS").columns.tolist()
    ['year', 'Germany', 'Russian Federation', 'all countries', 'Russian Federation: share (%)']
    """
    out = table.reindex(columns=leaders).rename(columns=country_name)
    out["all countries"] = table.sum(axis=1, min_count=1)
    out[f"{country_name(focus)}: share (%)"] = share_of_total(table, focus)
    out.index.name = "year"
    return out.reset_index()


def destination_results(table: pd.DataFrame, leaders: list[str], focus: str,
                        last_year: int) -> dict:
    """The key numbers of the report (``results.json``): the focus series, its share, its change.

    Examples
    --------
    >>> t = pd.DataFrame({"DEU": [100.0, 60.0], "RUS": [20.0, 60.0]}, index=[2024, 2025])
    >>> destination_results(t, ["DEU", "RUS"], "RUS", 2025)["change_from_previous_year"]
    {'from': 2024, 'to': 2025, 'ratio': 3.0}
    """
    series = table[focus] if focus in table else pd.Series(dtype="float64")
    share = share_of_total(table, focus)
    change = change_between(series, last_year - 1, last_year)
    return {
        "focus_series": {int(y): (None if pd.isna(v) else int(v)) for y, v in series.items()},
        "focus_share_percent": {int(y): (None if pd.isna(v) else round(float(v), 4))
                                for y, v in share.items()},
        "change_from_previous_year": {"from": last_year - 1, "to": last_year,
                                      "ratio": None if change is None else round(change, 4)},
        "top_destinations": leaders,
    }
