"""Every report figure is fit to print: checked as a matplotlib object before it is saved.

``plots.save_figure`` runs ``plots.check_figure`` and refuses a figure with a problem, so a report
with an unfit figure fails to run. This file tests the check itself and runs it on every figure the
reports draw, built from the real data (the lead extends ``FIGURES`` to 05).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from refugeestudy import load_reports, plots  # noqa: E402
from refugeestudy.case_study import analysis, audit_text, charts, destinations  # noqa: E402
from refugeestudy.clean.places import GOVERNORATES  # noqa: E402
from refugeestudy.pipeline.notebook import data_source  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def _good_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="Aleppo", color=plots.colours(2)[0])
    ax.plot([0, 1], [1, 0], label="Dar'a", color=plots.colours(2)[1])
    ax.set_xlabel("week starting")
    ax.set_ylabel("deaths (people)")
    ax.set_title("Deaths by week")
    plots.caption(fig, "UCDP GED", version="19.1", licence="CC BY 4.0")
    return fig


def test_a_labelled_captioned_figure_passes():
    fig = _good_figure()
    assert plots.check_figure(fig) == []
    plt.close(fig)


@pytest.mark.parametrize("spoil, expected", [
    (lambda fig, ax: ax.set_ylabel(""), "no y-axis label"),
    (lambda fig, ax: ax.set_xlabel(""), "no x-axis label"),
    (lambda fig, ax: ax.lines[1].set_color(ax.lines[0].get_color()), "series Aleppo, Dar'a share the colour"),
    (lambda fig, ax: ax.set_title("Deaths per W-MON"), "code 'W-MON'"),
    (lambda fig, ax: ax.set_ylabel("deaths in SY04"), "code 'SY04'"),
    (lambda fig, ax: ax.legend(["ucdp_ged", "b"]), "code 'ucdp_ged'"),
    (lambda fig, ax: [t.remove() for t in list(fig.texts)], "no source caption"),
    (lambda fig, ax: ax.set_title("A title far too long for its plot " * 6), "wider than the figure"),
])
def test_each_defect_is_named(spoil, expected):
    fig = _good_figure()
    spoil(fig, fig.axes[0])
    problems = plots.check_figure(fig)
    assert any(expected in p for p in problems), problems
    plt.close(fig)


def test_overlapping_panel_titles_are_caught():
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    for ax in (left, right):
        ax.plot([0, 1], [0, 1], label="x")
        ax.set_xlabel("year")
        ax.set_ylabel("people")
    left.set_title("Asylum applications by Syrians in every country of asylum")
    plots.caption(fig, "UNHCR", licence="CC BY 4.0")
    assert any("overlap" in p or "wider" in p for p in plots.check_figure(fig))
    plt.close(fig)


def test_a_shared_x_axis_needs_its_label_once():
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    for ax in (top, bottom):
        ax.plot([0, 1], [0, 1], label="deaths")
        ax.set_ylabel("deaths (people)")
    bottom.set_xlabel("week starting Monday")
    plots.caption(fig, "UCDP GED", licence="CC BY 4.0")
    assert plots.check_figure(fig) == []
    plt.close(fig)


def test_save_figure_refuses_an_unfit_figure_and_writes_nothing(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    with pytest.raises(plots.FigureCheckError, match="no y-axis label"):
        plots.save_figure(fig, "bad", tmp_path)
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)


def test_save_figure_adds_the_caption_it_is_given(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("year")
    ax.set_ylabel("people")
    written = plots.save_figure(fig, "ok", tmp_path, source="UNHCR Refugee Data Finder", licence="CC BY 4.0")
    assert [p.name for p in written] == ["ok.png", "ok.svg"]


def test_the_palette_tells_ten_governorates_apart():
    assert len(set(plots.colours(10))) == 10
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) == 12
    with pytest.raises(ValueError, match="small multiples"):
        plots.colours(13)


def test_gaps_stay_gaps():
    fig, ax = plt.subplots()
    x = pd.Series(pd.to_datetime(["2025-03-03", "2025-03-24"]))
    plots.series_with_bounds(ax, x, pd.Series([5, 7]), label="deaths", colour=plots.colour_for(0),
                             freq="W-MON")
    y = ax.lines[0].get_ydata()
    assert len(y) == 4 and pd.isna(y[1]) and pd.isna(y[2])  # two weeks without data: no line
    plt.close(fig)


# ---- every figure the reports draw (01 to 04 here; the lead adds 05) -------------------------

def _timeline():
    log = load_reports()
    fig = plots.reported_timeline(log.figures, audit_text.place_names(log.figures),
                                  start="2025-02-01", end="2025-05-01", title="What the reports say, as stated")
    plots.caption(fig, **data_source("reports").caption_words())
    return fig


def _destinations():
    from refugeestudy import read_unhcr

    path = SHARED / "unhcr" / "asylum_applications.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent")
    counts = read_unhcr(path, "asylum_applications")
    table = destinations.by_year_and_destination(counts, "SYR", ["asylum_applications"], 2011, 2025)
    leaders = destinations.leading_destinations(table, 8, "RUS")
    fig = destinations.destinations_figure(table, leaders, "RUS", ["asylum_applications"], [2025])
    plots.caption(fig, "UNHCR Refugee Data Finder", version="2025.12.1", licence="CC BY 4.0")
    return fig


COAST = ["SY04", "SY05", "SY06", "SY10"]  # the embedded plan's governorates (reports.yml)
WEEKS = dict(freq="W-MON", start="2025-03-01", end="2025-04-30")


def _log_caption(fig):
    plots.caption(fig, **data_source("reports").caption_words(), note="Lines: each producer's running toll")
    return fig


def _tolls():
    figures = load_reports().figures
    return [analysis.reported_series(figures, kind="deaths", scope=analysis.deaths_scope(code, "civilians"),
                                     since="2025-03-01", **WEEKS) for code in [None, *COAST]]


def _places():
    figures = load_reports().figures
    wanted = [("LB-AK+LB-AS", "arrivals")] + [(c, k) for c in ("LB-AK+LB-AS", "LB-AK", "RU-PER")
                                              for k in ("arrivals", "fled")]
    series = [analysis.reported_series(figures, kind="displacement",
                                       scope=analysis.destination_scope(code, kind, figures), **WEEKS)
              for code, kind in dict.fromkeys(wanted)]
    return [item for item in series if len(item.curves)]


def _death_curves():
    drawn = [item for item in _tolls() if len(item.curves)]
    return _log_caption(charts.curves_figure(
        drawn, ylabel="deaths (cumulative)",
        title="Reported deaths (civilians) since 1 March 2025: each producer and the reconciled curve"))


def _overall_death_curve():
    return _log_caption(charts.curves_figure(
        _tolls()[:1], ylabel="deaths (cumulative)",
        title="Reported deaths (civilians) since 1 March 2025, all places: each producer and the reconciled "
              "curve"))


def _deaths_per_period():
    drawn = [item for item in _tolls() if len(item.curves)]
    return _log_caption(charts.increments_figure(
        drawn, ylabel="deaths per week", xlabel="week starting Monday",
        title="Change of the reconciled toll per week; hatched: no report"))


def _destination_curves():
    return _log_caption(charts.curves_figure(
        _places(), ylabel="people (cumulative)",
        title="Reported people by destination: each producer and the reconciled curve"))


def _per_period():
    return _log_caption(charts.increments_figure(
        [_tolls()[0], _places()[0]], ylabel=["deaths per week", "people per week"], xlabel="week starting Monday",
        title="Change of the reconciled curves per week; hatched: no report"))


def _ged():
    from refugeestudy import read_ged

    path = SHARED / "ucdp" / "ged191_syria_2016_2019.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent")
    return read_ged(path)


def _deaths_by_governorate():
    events = _ged()
    codes = ["SY01", "SY02", "SY03", "SY04", "SY05", "SY06", "SY07", "SY09", "SY11", "SY12"]  # the full plan's
    by_place = {GOVERNORATES[code]: analysis.event_deaths_series(events, admin1=[code], freq="MS",
                                                                 start="2016-01-01", end="2019-11-30")
                for code in codes}
    fig = charts.event_deaths_figure(by_place, ylabel="deaths per month", xlabel="month",
                                          title="Deaths recorded per month by governorate, 2016 to 2019")
    plots.caption(fig, **data_source("ucdp_ged").caption_words())
    return fig


def _yearly():
    from refugeestudy import read_unhcr

    events = _ged()
    path = SHARED / "unhcr" / "asylum_applications.csv"
    if not path.exists():
        pytest.skip(f"real extract {path} is absent")
    deaths = analysis.event_deaths_series(events, admin1=sorted(GOVERNORATES), freq="YS", start="2016-01-01",
                                          end="2019-12-31")
    applications = analysis.registry_series(read_unhcr(path, "asylum_applications"), destination_country="DEU",
                                            population_types=["asylum_applications"], freq="YS",
                                            start="2016-01-01", end="2019-12-31")
    yearly = analysis.align(deaths["best"], applications["best"])
    partial = analysis.partial_periods(yearly.index, "YS", events["date_start"].max())
    fig = charts.yearly_figure(yearly, columns={"deaths": "deaths recorded per year",
                                                     "arrivals": "asylum applications per year"},
                                    partial={"deaths": partial},
                                    title="Deaths recorded in Syria and asylum applications by Syrians in Germany, by year")
    plots.caption(fig, "UCDP GED (version 19.1); UNHCR Refugee Data Finder", licence="CC BY 4.0")
    return fig


def _dyad_panel():
    from refugeestudy.panels.dyads import read_dyad_panel_sources

    files = [SHARED / "unhcr_global" / "asylum_applications.csv", SHARED / "unhcr_global" / "population.csv",
             SHARED / "ucdp" / "organizedviolencecy_v25_1.csv"]
    for path in files:
        if not path.exists():
            pytest.skip(f"real extract {path} is absent")
    return read_dyad_panel_sources(*files)


def _panel_sources(fig):
    from refugeestudy.pipeline.notebook import caption_words

    plots.caption(fig, **caption_words(data_source("unhcr_global_asylum_applications"),
                                       data_source("ucdp_country_year")))
    return fig


def _coefficients():
    from refugeestudy.global_study import origin_destination as study
    from refugeestudy.global_study.ppml import estimation_frame, fit_ppml

    panel = _dyad_panel()
    frame = study._reference_subset(estimation_frame(panel, study.MAIN), ("RUS",))  # the fit of a minute, cut
    return _panel_sources(study.coefficient_figure(fit_ppml(panel, study.MAIN, frame=frame)))


def _case():
    from refugeestudy.global_study import origin_destination as study

    panel = _dyad_panel()
    case = study.case_predictions(panel, "SYR", "RUS", [2025])
    return _panel_sources(study.case_figure(panel, case, "SYR", "RUS", "first_instance_persons"))


FIGURES = {
    "01-data-audit/timeline": _timeline,
    "02-violence-timeline/death_curves": _death_curves,
    "02-violence-timeline/deaths_per_period": _deaths_per_period,
    "02-violence-timeline/deaths_by_governorate": _deaths_by_governorate,
    "03-arrivals-vs-violence/destination_curves": _destination_curves,
    "03-arrivals-vs-violence/death_curves": _overall_death_curve,
    "03-arrivals-vs-violence/per_period": _per_period,
    "03-arrivals-vs-violence/yearly": _yearly,
    "04-destinations/destinations": _destinations,
    "05-origin-destination-panel/coefficients": _coefficients,
    "05-origin-destination-panel/case_observed_vs_predicted": _case,
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_report_figure_passes_the_check(name):
    fig = FIGURES[name]()
    assert plots.check_figure(fig) == []
    plt.close(fig)


def test_the_timeline_never_joins_different_subjects():
    """A line joins the running totals of one producer, one subject, one start date only."""
    log = load_reports()
    fig = _timeline()
    left = fig.axes[0]
    deaths = log.figures[(log.figures["kind"] == "deaths") & log.figures["origin_admin1_pcode"].notna()
                         & (log.figures["basis"] == "cumulative")
                         & log.figures["period_end"].between("2025-02-01", "2025-05-01")]
    groups = deaths.fillna({"subject": "", "figure_by": ""}).groupby(
        ["origin_admin1_pcode", "figure_by", "subject", "period_start"], dropna=False).size()
    joined = [line for line in left.lines if line.get_label() == "_curve"]
    assert len(joined) == int((groups > 1).sum())
    plt.close(fig)


def test_the_timeline_draws_its_window_and_names_the_places_left_out():
    """Figures outside the window are not drawn, and the legend says which places that leaves out."""
    log = load_reports()
    labels = audit_text.place_names(log.figures)
    fig = _timeline()
    assert "figures dated 1 February 2025 to 1 May 2025" in fig._suptitle.get_text()
    deaths = log.figures[(log.figures["kind"] == "deaths") & log.figures["origin_admin1_pcode"].notna()]
    inside = deaths["period_end"].between("2025-02-01", "2025-05-01")
    drawn = set(labels[deaths[inside].index])
    left_out = set(labels[deaths[~inside].index]) - drawn
    legend = fig.axes[0].get_legend()
    entries = [t.get_text().rsplit(" (", 1)[0] for t in legend.get_texts()]
    assert sorted(entries) == sorted(drawn)
    for place in left_out:
        assert place in legend.get_title().get_text()
    plt.close(fig)


def _figure_with_bad_legend():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=plots.colour_for(0), label="inside")
    ax.plot([5, 6], [0, 1], color=plots.colour_for(1), label="outside the axes")
    ax.plot([], [], color=plots.colour_for(2), label="a stand-in with no data")
    ax.plot([0, 1], [1, 0], color=plots.colour_for(3), label="Lebanon Disaster Risk Manag…")
    ax.set_xlim(0, 1)
    ax.set_xlabel("x (units)")
    ax.set_ylabel("y (units)")
    ax.legend()
    plots.caption(fig, "synthetic", licence="none")
    return fig


_BAD_LEGEND_PROBLEMS = [
    "plot 1: legend entry 'Lebanon Disaster Risk Manag…' is cut short (wrap it, or shorten it with a key)",
    "plot 1: legend entry 'outside the axes' has no data inside the plot (drop it or widen the axes)",
    "plot 1: legend entry 'a stand-in with no data' has no data inside the plot (drop it or widen "
    "the axes)"]


def test_check_figure_refuses_an_empty_or_cut_legend_entry():
    fig = _figure_with_bad_legend()
    assert plots.check_figure(fig) == _BAD_LEGEND_PROBLEMS
    plt.close(fig)


def test_save_figure_checks_the_laid_out_figure_as_a_drawn_one(tmp_path):
    # save_figure checks after its one layout pass (no separate draw): same problems, nothing written
    fig = _figure_with_bad_legend()
    with pytest.raises(plots.FigureCheckError) as error:
        plots.save_figure(fig, "bad_legend", tmp_path)
    assert str(error.value).startswith("figure not fit for a report: " + "; ".join(_BAD_LEGEND_PROBLEMS))
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)
