"""What the case reports (02 violence timeline, 03 arrivals and violence) say, written from their results.

The figures and models come from :mod:`refugeestudy.case_study.analysis`; this module only
turns them into what a reader sees: the one-line ``headline`` of the index
page, the "what this shows" ``findings`` paragraph and the event-data summary
table. Every number in the text is read from the series or tables passed in;
a figure nobody reported is said to be missing, never 0.

* :func:`timeline_text` — the curated log's death tolls (report 02);
* :func:`event_deaths_table`, :func:`events_text`, :func:`event_limitations` —
  deaths from an event dataset by governorate (report 02, full plan);
* :func:`arrivals_text` — reconciled arrivals and deaths and what the sample
  supports (report 03);
* :func:`yearly_text` — yearly deaths beside yearly registry counts (report 03,
  full plan).

Examples
--------
>>> from refugeestudy import load_reports
>>> from refugeestudy.case_study.analysis import deaths_scope, reported_series
>>> log = load_reports()
>>> coast = reported_series(log.figures, kind="deaths", scope=deaths_scope(None, "civilians"),
...                         freq="W-MON", start="2025-03-01", end="2025-04-30", since="2025-03-01")
>>> print(timeline_text([coast], subject="civilians", end="2025-04-30", period="week")[0])
Civilians killed, all governorates: reconciled toll 1,676 by 30 April 2025 from 5 producers; 4 weeks with a report, 6 without
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from refugeestudy.case_study.analysis import ReportedSeries, scope_name

__all__ = ["SOURCE_NAMES", "band_rule", "timeline_text", "event_deaths_table", "events_text", "event_limitations",
           "arrivals_text", "yearly_text"]

#: What a reader calls each violence or displacement source.
SOURCE_NAMES = {"reports": "the curated report log", "ucdp_ged": "UCDP GED", "acled": "ACLED",
                "unhcr_asylum_applications": "UNHCR", "unhcr_population": "UNHCR",
                "unhcr_flows": "UNHCR"}


def _day(date) -> str:
    return f"{pd.Timestamp(date):%-d %B %Y}"


def _number(value: float) -> str:
    return "no figure" if value is None or math.isnan(value) else f"{value:,.0f}"


def _listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _band(item: ReportedSeries) -> str:
    """``band 135 to 165`` when the reconciled level's bounds differ from it, else empty."""
    if not len(item.periods):
        return ""
    last = item.periods.iloc[-1]
    low, high = float(last["level_low"]), float(last["level_high"])
    if math.isnan(high):
        return "no upper bound stated"
    if low == high == item.total:
        return ""
    return f"band {_number(low)} to {_number(high)}"


def band_rule(item: ReportedSeries, *, fresh_days: int = 7) -> str:
    """How the band of ``item``'s last reconciled level is made, with the producers that set it.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.case_study.analysis import deaths_scope, reported_series
    >>> coast = reported_series(load_reports().figures, kind="deaths",
    ...     scope=deaths_scope(None, "civilians"), freq="W-MON", start="2025-03-01",
    ...     end="2025-04-30", since="2025-03-01")
    >>> print(band_rule(coast))  # doctest: +NORMALIZE_WHITESPACE
    The band runs from the smallest latest figure of any producer, 111 (UN Human Rights Office (OHCHR),
    as of 11 March 2025), to the largest stated upper bound, 1,676. Every producer's latest figure is
    kept whatever its age; those more than 7 days older than the last figure (9 April 2025) are stale:
    Syrian Network for Human Rights (9 days); UN Human Rights Office (OHCHR) (29 days); UNFPA Arab
    States Regional Office (24 days).
    """
    if not len(item.reconciled):
        return ""
    last = item.reconciled.iloc[-1]
    low, high = float(last["low"]), float(last["high"])
    curves = item.curves[item.curves["date"] <= last["date"]]
    latest = curves.groupby("figure_by").tail(1)
    setter = latest[latest["low"] == low].sort_values("figure_by").head(1)
    source = (f" ({setter['figure_by'].iloc[0]}, as of {_day(setter['date'].iloc[0])})"
              if len(setter) else "")
    top = ("no upper bound (a producer states more without one)" if math.isnan(high)
           else f"the largest stated upper bound, {_number(high)}")
    text = f"The band runs from the smallest latest figure of any producer, {_number(low)}{source}, to {top}."
    stale = str(last.get("stale", "") or "")
    if stale:
        text += (f" Every producer's latest figure is kept whatever its age; those more than {fresh_days} "
                 f"days older than the last figure ({_day(last['date'])}) are stale: {stale}.")
    return text


def _level(item: ReportedSeries) -> str:
    """``150 (band 135 to 165; 4 producers)``."""
    notes = [_band(item), _plural(len(item.reporters), "producer")]
    return f"{_number(item.total)} ({'; '.join(n for n in notes if n)})"


def _place(item: ReportedSeries) -> str:
    """The place of a scope without what is counted: ``Akkar (Lebanon)``."""
    return scope_name(item.scope).rsplit(", ", 1)[0]


def timeline_text(tolls: Sequence[ReportedSeries], *, subject: str, end, period: str) -> tuple[str, str]:
    """Headline and findings of the curated log's death tolls (report 02).

    ``tolls[0]`` is the toll not split by governorate, the others one
    governorate each (:func:`refugeestudy.case_study.analysis.reported_series`).

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.case_study.analysis import deaths_scope, reported_series
    >>> log = load_reports()
    >>> tolls = [reported_series(log.figures, kind="deaths", scope=deaths_scope(code, "civilians"),
    ...                          freq="W-MON", start="2025-03-01", end="2025-04-30", since="2025-03-01")
    ...          for code in (None, "SY06", "SY04")]
    >>> print(timeline_text(tolls, subject="civilians", end="2025-04-30", period="week")[1])  # doctest: +NORMALIZE_WHITESPACE
    By 30 April 2025 the highest toll of civilians killed that any of 5 producers had reported, not
    split by governorate, was 1,676 (band 111 to 1,676). The band runs from the smallest latest figure
    of any producer, 111 (UN Human Rights Office (OHCHR), as of 11 March 2025), to the largest stated
    upper bound, 1,676. Every producer's latest figure is kept whatever its age; those more than 7 days
    older than the last figure (9 April 2025) are stale: Syrian Network for Human Rights (9 days); UN
    Human Rights Office (OHCHR) (29 days); UNFPA Arab States Regional Office (24 days). Split by
    governorate (Syrian Observatory for Human Rights): Lattakia 866 and Homs 13; together 879. The toll
    not split by governorate has a report in 4 of 10 weeks; the other 6 weeks have none and are gaps,
    not zeros.
    """
    whole, parts = tolls[0], list(tolls[1:])
    words = subject.replace("_", " ")
    headline = (f"{words.capitalize()} killed, all governorates: reconciled toll {whole.total:,.0f} by "
                f"{_day(end)} from {len(whole.reporters)} producers; {whole.reported_periods} {period}s "
                f"with a report, {whole.unreported_periods} without")
    findings = (f"By {_day(end)} the highest toll of {words} killed that any of "
                f"{len(whole.reporters)} producers had reported, not split by governorate, was "
                f"{_number(whole.total)}" + (f" ({_band(whole)})." if _band(whole) else "."))
    if _band(whole):
        findings += " " + band_rule(whole)
    reported = sorted((p for p in parts if not math.isnan(p.total)), key=lambda p: -p.total)
    if reported:
        producers = sorted({who for p in reported for who in p.reporters})
        total = sum(p.total for p in reported)
        findings += (f" Split by governorate ({'; '.join(producers)}): "
                     f"{_listing([f'{_place(p)} {_number(p.total)}' for p in reported])}")
        findings += f"; together {_number(total)}." if len(reported) > 1 else "."
    silent = [_place(p) for p in parts if math.isnan(p.total)]
    if silent:
        findings += f" No toll was reported for {_listing(silent)}."
    span = whole.reported_periods + whole.unreported_periods
    findings += (f" The toll not split by governorate has a report in {whole.reported_periods} of {span} "
                 f"{period}s; the other {_plural(whole.unreported_periods, period)} have none and are "
                 "gaps, not zeros.")
    return headline, findings


def event_deaths_table(by_place: dict[str, pd.DataFrame], *, period: str) -> pd.DataFrame:
    """Deaths per governorate from event data: totals with bounds, periods with a recorded death.

    ``by_place`` maps a governorate's name to
    :func:`refugeestudy.case_study.analysis.event_deaths_series` output.

    Examples
    --------
    Synthetic numbers:

    >>> months = pd.date_range("2018-01-01", periods=3, freq="MS", name="period")
    >>> series = pd.DataFrame({"best": [4, 0, 9], "low": [3, 0, 9], "high": [6, 0, 12]}, index=months)
    >>> event_deaths_table({"Homs": series}, period="month").to_dict("records")
    [{'Governorate': 'Homs', 'Deaths, best': 13, 'Deaths, low': 12, 'Deaths, high': 18, 'Months with a recorded death': 2, 'Months': 3}]
    """
    word = period.capitalize()
    return pd.DataFrame([{"Governorate": place, "Deaths, best": series["best"].sum(),
                          "Deaths, low": series["low"].sum(), "Deaths, high": series["high"].sum(),
                          f"{word}s with a recorded death": int((series["best"] > 0).sum()),
                          f"{word}s": len(series)} for place, series in by_place.items()])


def events_text(table: pd.DataFrame, *, source: str, start, end, period: str) -> tuple[str, str]:
    """Headline and findings of deaths by governorate from an event dataset (report 02, full plan).

    ``table`` is :func:`event_deaths_table`; ``source`` the dataset's name
    (``"UCDP GED"``).

    Examples
    --------
    Synthetic numbers:

    >>> table = pd.DataFrame({"Governorate": ["Homs", "Hama"], "Deaths, best": [13, 40],
    ...     "Deaths, low": [12, 38], "Deaths, high": [18, 41], "Months with a recorded death": [2, 3],
    ...     "Months": [3, 3]})
    >>> headline, findings = events_text(table, source="UCDP GED", start="2018-01-01",
    ...                                  end="2018-03-31", period="month")
    >>> headline
    '53 deaths recorded (best) in 2 governorates, UCDP GED, 2018-01-01 to 2018-03-31'
    >>> print(findings)  # doctest: +NORMALIZE_WHITESPACE
    UCDP GED records 53 deaths (best estimate; 50 to 59 from its low and high estimates) in 2
    governorates from 1 January 2018 to 31 March 2018. Most were recorded in Hama (40) and Homs (13),
    fewest in Homs (13). Months with at least one recorded death range from 2 (Homs) to 3 (Hama) of the
    3 months.
    """
    total = float(table["Deaths, best"].sum())
    headline = (f"{total:,.0f} deaths recorded (best) in {len(table)} governorates, {source}, "
                f"{start} to {end}")
    ranked = table.sort_values("Deaths, best", ascending=False, kind="stable")
    top = [f"{row['Governorate']} ({row['Deaths, best']:,.0f})" for _, row in ranked.head(2).iterrows()]
    last = ranked.iloc[-1]
    word = period.capitalize()
    active = table[f"{word}s with a recorded death"]
    span = f"{table[f'{word}s'].max():,} {period}s"
    findings = (f"{source} records {total:,.0f} deaths (best estimate; {table['Deaths, low'].sum():,.0f} "
                f"to {table['Deaths, high'].sum():,.0f} from its low and high estimates) in "
                f"{len(table)} governorates from {_day(start)} to {_day(end)}. Most were recorded in "
                f"{_listing(top)}, fewest in {last['Governorate']} ({last['Deaths, best']:,.0f}). ")
    if active.max() == active.min():
        findings += f"Every governorate had a recorded death in {active.min():,} of the {span}"
    else:
        def which(count: int) -> str:
            places = table.loc[active == count, "Governorate"].tolist()
            return places[0] if len(places) == 1 else f"{len(places)} governorates"

        findings += (f"{word}s with at least one recorded death range from {active.min():,} "
                     f"({which(active.min())}) to {active.max():,} ({which(active.max())}) of the {span}")
    return headline, findings + "."


def event_limitations(events: pd.DataFrame, *, source: str, period: str, allocate: str) -> list[str]:
    """The limits of deaths from an event dataset, with the dates its events cover.

    Examples
    --------
    >>> events = pd.DataFrame({"date_start": pd.to_datetime(["2016-01-01", "2019-11-30"])})
    >>> event_limitations(events, source="UCDP GED", period="month", allocate="start")[0]
    'UCDP GED records events it could verify; a month without an event is 0 recorded deaths, not a count of all deaths.'
    >>> event_limitations(events, source="UCDP GED", period="month", allocate="start")[2]
    'The events read run from 1 January 2016 to 30 November 2019; a period outside those dates is not covered.'
    """
    lines = [f"{source} records events it could verify; a {period} without an event is 0 recorded "
             "deaths, not a count of all deaths.",
             "Events are placed in the period of their first day"
             + (" (multi-day events shared over their days)." if allocate == "spread" else "."),
             f"The events read run from {_day(events['date_start'].min())} to "
             f"{_day(events['date_start'].max())}; a period outside those dates is not covered."]
    if "admin1_pcode" in events.columns and events["admin1_pcode"].isna().any():
        nowhere = events[events["admin1_pcode"].isna()]
        lines.append(f"{len(nowhere):,} of {len(events):,} events ({nowhere['deaths_best'].sum():,.0f} deaths, "
                     f"best estimate) name no governorate in {source} (the whole country or a region across "
                     "governorates) and are in no governorate's count.")
    return lines + ["Descriptive only: no model is fitted here."]


def _inference_sentence(timing: dict, period: str) -> str:
    """What the models, tests and forecasts of :func:`refugeestudy.case_study.analysis.timing_inference` gave."""
    nobs, parameters = timing["nobs"], timing["parameters"]
    text = (f"Arrivals and deaths were both reported in {_plural(nobs, period)}, for a model of "
            f"{parameters} parameters")
    fit, over = timing["quasi_poisson"], timing["overdispersion"]
    if isinstance(fit, str):
        return text + f": the count model was {fit.split(':')[0]}, so no association is estimated."
    text += (f"; the Poisson model's Pearson dispersion is {over['pearson_dispersion']:,.1f} "
             f"(1 if Poisson), so its errors are scaled (quasi-Poisson)")
    forecasts = timing["rolling_origin"].set_index("method")
    if "model" in forecasts.index and forecasts["forecasts"].max() > 0:
        errors = ", ".join(f"{name.replace('_', ' ')} {value:,.0f}"
                           for name, value in forecasts["mae"].items() if not math.isnan(value))
        text += (f". Out of sample ({forecasts['forecasts'].max()} one-step forecasts), the mean "
                 f"absolute errors are: {errors}")
    return text + "."


def arrivals_text(arrivals: ReportedSeries, deaths: ReportedSeries, places: Sequence[ReportedSeries],
                  timing: dict, supports: str, *, end, period: str) -> tuple[str, str]:
    """Headline and findings of the reconciled arrivals and deaths and their inference (report 03).

    ``arrivals`` is the destination modelled, ``places`` every destination drawn
    (it may include ``arrivals``), ``deaths`` the toll not split by governorate,
    ``timing`` :func:`refugeestudy.case_study.analysis.timing_inference` and ``supports``
    :func:`refugeestudy.case_study.analysis.what_the_sample_supports`.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.case_study.analysis import (align, deaths_scope, destination_scope, reported_series,
    ...                                    timing_inference, what_the_sample_supports)
    >>> log = load_reports()
    >>> window = dict(freq="W-MON", start="2025-03-01", end="2025-04-30")
    >>> lebanon = reported_series(log.figures, kind="displacement",
    ...                           scope=destination_scope("LB-AK+LB-AS", "arrivals", log.figures), **window)
    >>> coast = reported_series(log.figures, kind="deaths", scope=deaths_scope(None, "civilians"),
    ...                         since="2025-03-01", **window)
    >>> both = align(coast.periods.set_index("period")["increment"],
    ...              lebanon.periods.set_index("period")["increment"])
    >>> timing = timing_inference(both, lags=[0, 1], event_position=None, min_observations=20)
    >>> supports = what_the_sample_supports(timing["nobs"], timing["parameters"], 20)
    >>> headline, findings = arrivals_text(lebanon, coast, [lebanon], timing, supports,
    ...                                    end="2025-04-30", period="week")
    >>> headline
    'Akkar and North (Lebanon), arrivals: reconciled total 21,637 by 30 April 2025, 2 weeks with a report and 8 without; with 1 period and 3 parameters the analysis is descriptive only'
    >>> print(findings)  # doctest: +NORMALIZE_WHITESPACE
    By 30 April 2025 the highest totals reported in the log were: Akkar and North (Lebanon), arrivals:
    21,637 (band 7,650 to 21,637; 2 producers). The toll of civilians killed, not split by governorate,
    reached 1,676 (band 111 to 1,676; 5 producers). The band runs from the smallest latest figure of any
    producer, 111 (UN Human Rights Office (OHCHR), as of 11 March 2025), to the largest stated upper
    bound, 1,676. Every producer's latest figure is kept whatever its age; those more than 7 days older
    than the last figure (9 April 2025) are stale: Syrian Network for Human Rights (9 days); UN Human
    Rights Office (OHCHR) (29 days); UNFPA Arab States Regional Office (24 days). Arrivals and deaths
    were both reported in 1 week, for a model of 3 parameters: the count model was not fitted, so no
    association is estimated. With 1 period and 3 parameters the analysis is descriptive only: no
    p-value is shown below 20 periods, so no estimate here should be read as an effect.
    """
    headline = (f"{scope_name(arrivals.scope)}: reconciled total {arrivals.total:,.0f} by {_day(end)}, "
                f"{arrivals.reported_periods} {period}s with a report and {arrivals.unreported_periods} "
                f"without; {supports[:1].lower()}{supports.split(':')[0][1:]}")
    shown = [p for p in places if not math.isnan(p.total)]
    totals = "; ".join(f"{scope_name(p.scope)}: {_level(p)}" for p in shown)
    missing = [scope_name(p.scope) for p in places if math.isnan(p.total)]
    findings = f"By {_day(end)} the highest totals reported in the log were: {totals or 'none'}."
    if missing:
        findings += f" No figure for {_listing(missing)}."
    subject = deaths.scope["subject"].replace("_", " ")
    findings += f" The toll of {subject} killed, not split by governorate, reached {_level(deaths)}."
    if _band(deaths):
        findings += " " + band_rule(deaths)
    return headline, findings + " " + _inference_sentence(timing, period) + " " + supports


def yearly_text(yearly: pd.DataFrame, *, violence: str, label: str, country: str, partial: Sequence,
                min_observations: int) -> tuple[str, str]:
    """Headline and findings of yearly deaths beside yearly registry counts (report 03, full plan).

    ``yearly`` has a ``deaths`` and an ``arrivals`` column by year
    (:func:`refugeestudy.case_study.analysis.align`); ``partial`` the years the violence
    data cover only in part.

    Examples
    --------
    Synthetic numbers:

    >>> years = pd.to_datetime(["2016-01-01", "2017-01-01"])
    >>> yearly = pd.DataFrame({"deaths": [300, 120], "arrivals": [2000.0, 900.0]}, index=years)
    >>> headline, findings = yearly_text(yearly, violence="UCDP GED", label="asylum applications",
    ...                                  country="Germany", partial=[years[1]], min_observations=20)
    >>> headline
    '2 years of deaths in Syria and asylum applications in Germany: descriptive only'
    >>> print(findings)  # doctest: +NORMALIZE_WHITESPACE
    UCDP GED recorded deaths in Syria: 300 in 2016 and 120 in 2017 (a partial year). Asylum
    applications by Syrians in Germany: 2,000 in 2016 and 900 in 2017. 2 years are fewer than the
    20 periods a model needs here, so no model is fitted: the two series are shown side by side, not
    related to each other.
    """
    both = yearly.dropna()
    nobs = len(both)
    headline = f"{nobs} years of deaths in Syria and {label} in {country}: descriptive only"

    def path(column: str, partial: Sequence = ()) -> str:
        values = yearly[column].dropna()
        if not len(values):
            return "not reported"
        return _listing([f"{value:,.0f} in {year:%Y}" + (" (a partial year)" if year in list(partial) else "")
                         for year, value in values.items()])

    findings = (f"{violence} recorded deaths in Syria: {path('deaths', partial)}. "
                f"{label.capitalize()} by Syrians in {country}: {path('arrivals')}. ")
    if nobs < min_observations:
        findings += (f"{_plural(nobs, 'year')} {'are' if nobs != 1 else 'is'} fewer than the "
                     f"{min_observations} periods a model needs here, so no model is fitted: ")
    else:
        findings += "No model is fitted to yearly series here: "
    return headline, findings + "the two series are shown side by side, not related to each other."
