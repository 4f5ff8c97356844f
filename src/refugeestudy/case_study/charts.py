"""Figures of the case study: reporters' curves, reconciled curves, and periods with gaps.

* :func:`curves_figure` — per scope, each reporter's cumulative step curve and the
  reconciled curve with its disagreement band;
* :func:`increments_figure` — per scope, the reconciled increment per period;
  a period without a report is a shaded gap, never a bar of 0;
* :func:`event_deaths_figure` — deaths per period from event data, one panel per
  governorate, the best estimate with its low to high band;
* :func:`yearly_figure` — two yearly registry or event series side by side,
  a partial year hatched.

Every figure has axis labels with units. The source caption is added by
:meth:`refugeestudy.pipeline.notebook.ReportNotebook.figure` (or pass ``caption``:
:func:`add_caption`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from refugeestudy import load_reports
>>> from refugeestudy.case_study.analysis import destination_scope, reported_series
>>> log = load_reports()
>>> perm = reported_series(log.figures, kind="displacement",
...     scope=destination_scope("RU-PER", "arrivals", log.figures), freq="W-MON",
...     start="2025-02-10", end="2025-04-13")
>>> fig = curves_figure([perm], ylabel="people arrived (cumulative)", title="Perm")
>>> len(fig.axes), fig.axes[0].get_ylabel()
(1, 'people arrived (cumulative)')
>>> plt.close(fig)
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt  # noqa: F401 - the examples close their figures with plt.close
import pandas as pd

from refugeestudy import plots
from refugeestudy.case_study.analysis import ReportedSeries, scope_name

__all__ = ["CAPTION_GID", "add_caption", "curves_figure", "increments_figure", "event_deaths_figure",
           "yearly_figure"]

#: ``gid`` of the caption text (the shared figure check looks for it).
CAPTION_GID = "refugeestudy-source-caption"
_RECONCILED = "#333333"


def add_caption(fig, text: str) -> None:
    """Put ``text`` (how to read the figure, then "Source: ... Licence: ...") under ``fig``.

    Examples
    --------
    >>> fig = plt.figure()
    >>> add_caption(fig, "Source: curated report log. Licence: CC BY 4.0.")
    >>> [t.get_text() for t in fig.texts if t.get_gid() == CAPTION_GID]
    ['Source: curated report log. Licence: CC BY 4.0.']
    >>> plt.close(fig)
    """
    width = max(60, int(fig.get_figwidth() * 15))
    fig.text(0.01, 0.0, "\n".join(textwrap.wrap(text, width)), ha="left", va="top", fontsize=8,
             color="#444444", gid=CAPTION_GID)


def _label(name: str, width: int = 40) -> str:
    """A legend or panel label wrapped onto lines of ``width`` characters, never cut."""
    return "\n".join(textwrap.wrap(name, width)) or name


def _window(first, last) -> str:
    """``15 February to 9 April 2025`` (the year once when both dates share it).

    Examples
    --------
    >>> _window("2025-02-15", "2025-04-09"), _window("2024-12-08", "2025-03-14")
    ('15 February to 9 April 2025', '8 December 2024 to 14 March 2025')
    """
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    start = f"{first:%-d %B}" if first.year == last.year else f"{first:%-d %B %Y}"
    return f"{start} to {last:%-d %B %Y}"


def _grid(n: int, width: float = 12.0, height: float = 3.2, cols: int = 1, *, xlabel: str | None = None):
    """``n`` panels in ``cols`` columns; with ``xlabel``, on one time axis labelled under each column.

    A shared x axis shows its tick labels and ``xlabel`` only under the lowest
    panel of each column (the panel above an unused cell included), instead
    of repeating the dates under every panel.
    """
    rows = math.ceil(n / cols)
    fig, axes = plots.subplots(rows, cols, figsize=(width, height * rows + 0.6), squeeze=False,
                               sharex=xlabel is not None)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    shown = list(axes.flat[:n])
    if xlabel is not None:
        for ax in shown[-cols:]:  # filled row by row: the last ``cols`` panels end their columns
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel(xlabel)
    return fig, shown


def curves_figure(series: Sequence[ReportedSeries], *, ylabel: str, title: str,
                  caption: str | None = None, xlabel: str = "date the figure is as of"):
    """Each reporter's cumulative step curve and the reconciled curve, one panel per scope.

    Reporters' figures are markers joined by steps (a level holds until that
    reporter's next figure); the reconciled curve is the dark step line, its
    disagreement band (low to high) shaded where both bounds are known (the band
    is evaluated at the dates of figures). With more producers than distinct
    colours, those with the smallest counts are grey crosses. ``caption``, if
    given, is put under the figure (:func:`add_caption`).
    """
    fig, axes = _grid(len(series), xlabel=xlabel)
    dates = pd.concat([item.curves["date"] for item in series if len(item.curves)])
    span = (dates.min() - pd.Timedelta(days=2), dates.max() + pd.Timedelta(days=2))
    for ax, item in zip(axes, series):
        colours = [c for c in plots.PALETTE if c.lower() != "#000000"]  # dark is the reconciled line's
        ranked = item.curves.groupby("figure_by")["best"].max().sort_values(ascending=False, kind="stable")
        shown = sorted(ranked.index[:len(colours)])
        for index, who in enumerate(shown):
            rows = item.curves[item.curves["figure_by"] == who]
            ax.plot(rows["date"], rows["best"], drawstyle="steps-post", marker="o", markersize=4,
                    linewidth=1.0, alpha=0.85, color=colours[index], label=_label(who))
        rest = item.curves[~item.curves["figure_by"].isin(shown)]
        if len(rest):  # more producers than distinct colours: the smallest as grey points
            ax.plot(rest["date"], rest["best"], linestyle="none", marker="x", color="#aaaaaa",
                    label=f"{rest['figure_by'].nunique()} other producers (smaller counts)")
        curve = item.reconciled
        if len(curve):
            ax.plot(curve["date"], curve["best"], drawstyle="steps-post", color=_RECONCILED,
                    linewidth=2.4, marker="_" if len(curve) == 1 else None, markersize=14,
                    label="reconciled (highest level by date)")
            known = curve["low"].notna() & curve["high"].notna()
            if (curve.loc[known, "high"] > curve.loc[known, "low"]).any():
                ax.fill_between(curve.loc[known, "date"], curve.loc[known, "low"],
                                curve.loc[known, "high"], step="post", color="#999999", alpha=0.3,
                                linewidth=0, label="band: smallest latest figure to largest upper bound")
        ax.set_title(_label(scope_name(item.scope), 90), fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_xlim(*span)
        _date_axis(ax)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _finish(fig, f"{title} (figures dated {_window(dates.min(), dates.max())})", caption)
    return fig


def increments_figure(series: Sequence[ReportedSeries], *, ylabel: str | Sequence[str], title: str,
                      caption: str | None = None, xlabel: str = "week starting"):
    """The reconciled increment per period, one panel per scope; no report = shaded gap.

    ``ylabel`` is one label for every panel or one per panel; ``caption`` as in
    :func:`curves_figure`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.case_study.analysis import destination_scope, reported_series
    >>> log = load_reports()
    >>> lebanon = reported_series(log.figures, kind="displacement",
    ...     scope=destination_scope("LB-AK+LB-AS", "arrivals", log.figures), freq="W-MON",
    ...     start="2025-03-01", end="2025-04-30")
    >>> fig = increments_figure([lebanon], ylabel="people", title="t")
    >>> bars = fig.axes[0].containers[0]
    >>> len(bars) == lebanon.reported_periods
    True
    >>> plt.close(fig)
    """
    fig, axes = _grid(len(series), cols=min(2, len(series)), height=3.6, xlabel=xlabel)
    labels = [ylabel] * len(series) if isinstance(ylabel, str) else list(ylabel)
    for index, (ax, item) in enumerate(zip(axes, series)):
        periods = item.periods
        reported = periods[periods["reported"]]
        step = (periods["period"].diff().median() if len(periods) > 1 else pd.Timedelta(days=7))
        ax.bar(reported["period"], reported["increment"], width=step * 0.8, align="edge",
               color=plots.colour_for(index), label="change since the previous report")
        gaps = periods[~periods["reported"]]
        for n, start in enumerate(gaps["period"]):
            ax.axvspan(start, start + step, color="#bbbbbb", alpha=0.35, hatch="//", linewidth=0,
                       label="no report (missing, not 0)" if n == 0 else None)
        ax.axhline(0, color="#666666", linewidth=0.6)
        ax.set_title(_label(scope_name(item.scope), 60), fontsize=10)
        ax.set_ylabel(labels[index])
        _date_axis(ax)
        ax.legend(fontsize=7, loc="upper right")
    grid = pd.concat([item.periods["period"] for item in series])
    _finish(fig, f"{title} ({xlabel} {_window(grid.min(), grid.max())})", caption)
    return fig


def event_deaths_figure(by_place: dict[str, pd.DataFrame], *, ylabel: str, xlabel: str, title: str,
                        caption: str | None = None):
    """Deaths per period from event data, one panel per place (own scale), best with its band.

    ``by_place`` maps a place name to :func:`refugeestudy.case_study.analysis.event_deaths_series`
    output (``best, low, high`` by ``period``); a period without an event is 0
    recorded deaths there, so the line is drawn through it.

    Examples
    --------
    Synthetic numbers:

    >>> months = pd.date_range("2018-01-01", periods=3, freq="MS", name="period")
    >>> series = pd.DataFrame({"best": [4, 0, 9], "low": [3, 0, 9], "high": [6, 0, 12]}, index=months)
    >>> fig = event_deaths_figure({"Homs": series, "Hama": series}, ylabel="deaths per month",
    ...                           xlabel="month", title="t")
    >>> [ax.get_title("left") for ax in fig.axes if ax.get_visible()]
    ['Homs', 'Hama']
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [4, 0, 9]
    >>> plt.close(fig)
    """
    fig, axes = _grid(len(by_place), cols=min(2, len(by_place)), height=2.4, xlabel=xlabel)
    for index, (ax, (place, series)) in enumerate(zip(axes, by_place.items())):
        ax.fill_between(series.index, series["low"], series["high"], step="post", alpha=0.35,
                        color="#999999", linewidth=0, label="low to high estimate")
        ax.step(series.index, series["best"], where="post", color=plots.colour_for(0),
                label="best estimate")
        ax.set_title(place, fontsize=10)
        ax.set_ylabel(ylabel)
        plots.count_axis(ax.yaxis)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        if index == 0:
            ax.legend(fontsize=7, loc="upper right")
    _finish(fig, title, caption)
    return fig


def yearly_figure(frame: pd.DataFrame, *, columns: dict[str, str], partial: dict[str, Sequence],
                  title: str, caption: str | None = None):
    """Yearly series side by side (``columns``: column -> y-axis label); partial years hatched.

    ``partial`` maps a column to the periods that are not complete years.

    Examples
    --------
    Synthetic numbers:

    >>> years = pd.to_datetime(["2018-01-01", "2019-01-01"])
    >>> frame = pd.DataFrame({"deaths": [10.0, 4.0]}, index=years)
    >>> fig = yearly_figure(frame, columns={"deaths": "deaths per year"},
    ...                     partial={"deaths": [years[1]]}, title="t")
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['complete year', 'partial year (not comparable)']
    >>> plt.close(fig)
    """
    fig, axes = _grid(len(columns), height=3.8, cols=min(2, len(columns)))
    years = frame.index.year
    for index, (ax, (column, label)) in enumerate(zip(axes, columns.items())):
        values = frame[column]
        present = values.notna()
        incomplete = frame.index.isin(list(partial.get(column, [])))
        full = present & ~incomplete
        ax.bar(years[full], values[full], color=plots.colour_for(index), label="complete year")
        if (present & incomplete).any():
            ax.bar(years[present & incomplete], values[present & incomplete], color="white",
                   edgecolor=plots.colour_for(index), hatch="//", label="partial year (not comparable)")
        ax.set_xticks(list(years))
        ax.set_xlabel("year")
        ax.set_ylabel(label)
        plots.count_axis(ax.yaxis)
        ax.legend(fontsize=7, loc="upper right")
    _finish(fig, title, caption)
    return fig


def _date_axis(ax) -> None:
    """Day and month on the x axis, whole counts with thousands separators on the y axis."""
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
    ax.tick_params(axis="x", labelrotation=30)
    plots.count_axis(ax.yaxis)


def _finish(fig, title: str, caption: str | None = None) -> None:
    """Title above the panels (never over them), a tight layout, the caption if given.

    The title hangs a twentieth of an inch under the top edge, whatever the
    figure's height, and the layout leaves it its measured height: the same gap
    under it for one panel or twelve (matplotlib's default, 2 % of the height
    from the top, ran into the first panel's title on tall figures).
    """
    fig.suptitle(_wrap(title), x=0.01, y=1 - 0.05 / fig.get_figheight(), ha="left", va="top",
                 fontsize=12, fontweight="bold")
    plots.tight_layout(fig)
    if caption:
        add_caption(fig, caption)


def _wrap(text: str, width: int = 90) -> str:
    """Wrap a figure title so it fits its figure."""
    return "\n".join(textwrap.wrap(text, width)) or text
