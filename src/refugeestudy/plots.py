"""Figures in one house style, saved so that reruns give identical bytes.

:func:`use_house_style` sets the look (readable sizes, light grid, colour-blind
safe palette, no top/right spines); :func:`save_figure` writes PNG and SVG with
fixed metadata (no dates, a fixed SVG hash salt) so the same data give the same
files. :func:`series_with_bounds` draws a series with its low–high band, as the
reports show every reported figure.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> use_house_style()
>>> matplotlib.rcParams["svg.hashsalt"]
'refugeestudy'
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from refugeestudy._atomic import atomic_write_bytes

__all__ = ["PALETTE", "use_house_style", "save_figure", "series_with_bounds", "colour_for",
           "reported_timeline"]

#: Okabe–Ito colour-blind safe palette.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.figsize": (9, 5),
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.hashsalt": "refugeestudy",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def use_house_style() -> None:
    """Apply the project's matplotlib style (idempotent)."""
    mpl.rcParams.update(_STYLE)


def colour_for(index: int) -> str:
    """Return the palette colour for series ``index`` (cycling).

    Examples
    --------
    >>> colour_for(0), colour_for(8)
    ('#0072B2', '#0072B2')
    """
    return PALETTE[index % len(PALETTE)]


def save_figure(fig: mpl.figure.Figure, name: str, folder: str | Path = "figures") -> list[Path]:
    """Save ``fig`` as ``<folder>/<name>.png`` and ``.svg``, deterministically and atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed afterwards.
    name : str
        File stem, e.g. ``"timeline"``.
    folder : str or Path
        Output folder (created if missing), relative to the working directory.

    Returns
    -------
    list of Path
        The two files written.

    Examples
    --------
    >>> import tempfile
    >>> use_house_style()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_figure(fig, "line", tmp)]
    ['line.png', 'line.svg']
    """
    import io

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=metadata[fmt], bbox_inches="tight")
        target = folder / f"{name}.{fmt}"
        atomic_write_bytes(target, buffer.getvalue())
        written.append(target)
    plt.close(fig)
    return written


def series_with_bounds(
    ax: mpl.axes.Axes,
    x: pd.Series,
    best: pd.Series,
    low: pd.Series | None = None,
    high: pd.Series | None = None,
    *,
    label: str,
    colour: str,
    step: bool = False,
    marker: str | None = "o",
) -> None:
    """Draw a series and, where known, its low–high band; unknown bounds draw no band.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> x = pd.Series(pd.date_range("2025-03-01", periods=3))
    >>> series_with_bounds(ax, x, pd.Series([1, 2, 3]), pd.Series([1, 1, 2]), pd.Series([2, 3, 4]),
    ...                    label="toll", colour=colour_for(0))
    >>> len(ax.collections) >= 1
    True
    >>> plt.close(fig)
    """
    drawstyle = "steps-post" if step else "default"
    ax.plot(x, best.astype("float64"), color=colour, label=label, marker=marker,
            markersize=4, linewidth=1.6, drawstyle=drawstyle)
    if low is not None and high is not None:
        lo = low.astype("float64")
        hi = high.astype("float64")
        known = lo.notna() & hi.notna()
        if known.any():
            ax.fill_between(x[known], lo[known], hi[known], color=colour, alpha=0.18,
                            linewidth=0, step="post" if step else None)
        open_top = lo.notna() & hi.isna()
        if open_top.any():
            ax.scatter(x[open_top], lo[open_top], marker="^", color=colour, s=22, zorder=3,
                       label=f"{label}: lower bound only (\"at least\")")


def _stated_with_bounds(ax: mpl.axes.Axes, rows: pd.DataFrame, label: str, colour: str) -> None:
    """Points at each figure's as-of date, a bar from low to high, a triangle if unbounded above.

    Running (cumulative) figures are joined by a line; counts for one period or
    one moment are hollow points, not joined.
    """
    rows = rows.sort_values(["period_end", "figure_id"])
    x, best = rows["period_end"], rows["best"].astype("float64")
    low = rows["low"].astype("float64").fillna(best)
    high = rows["high"].astype("float64")
    bounded = high.notna().to_numpy()
    running = (rows["basis"] == "cumulative").to_numpy()
    for mask, face in ((running, colour), (~running, "white")):
        both = mask & bounded
        if both.any():
            ax.errorbar(x[both], best[both], yerr=[best[both] - low[both], high[both] - best[both]],
                        fmt="o", color=colour, markerfacecolor=face, markersize=4.5, capsize=2,
                        linewidth=1)
        open_top = mask & ~bounded
        if open_top.any():
            ax.scatter(x[open_top], low[open_top], marker="^", color=colour, facecolor=face,
                       s=30, zorder=3)
    if running.any():
        ax.plot(x[running], best[running], color=colour, linewidth=1, alpha=0.7)
    ax.plot([], [], marker="o", color=colour, label=label)


def reported_timeline(figures: pd.DataFrame, labels: pd.Series, *, start=None, end=None,
                      title: str = "") -> mpl.figure.Figure:
    """Reported death tolls by governorate beside reported arrivals by destination.

    Each stated figure is a point at its "as of" date with a bar from its low
    to its high bound; a triangle marks a figure with no upper bound ("at
    least", "more than"). Tolls and counts are drawn as stated (cumulative
    where the source's figure is cumulative), not reconciled.

    Parameters
    ----------
    figures : pandas.DataFrame
        The typed log (``ReportLog.figures``).
    labels : pandas.Series
        One place label per figure (:func:`refugeestudy.audit.place_label`).
    start, end : date-like, optional
        Time axis limits.
    title : str
        Figure title.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.audit import place_label
    >>> log = load_reports()
    >>> fig = reported_timeline(log.figures, place_label(log.figures))
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    use_house_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), sharex=True)
    deaths = figures[(figures["kind"] == "deaths") & figures["origin_admin1_pcode"].notna()]
    for index, (place, rows) in enumerate(deaths.groupby(labels[deaths.index], sort=True)):
        _stated_with_bounds(left, rows, f"{place} ({len(rows)})", colour_for(index))
    left.set_title("Reported deaths by governorate (as stated)")
    left.set_ylabel("deaths reported")
    counts = figures[figures["kind"] == "displacement"]
    for index, (place, rows) in enumerate(counts.groupby(labels[counts.index], sort=True)):
        _stated_with_bounds(right, rows, f"{place} ({len(rows)})", colour_for(index))
    right.set_yscale("log")
    right.set_title("Reported arrivals, flight and sheltering by destination")
    right.set_ylabel("people (log scale)")
    for ax in (left, right):
        if start is not None or end is not None:
            ax.set_xlim(pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None)
        ax.legend(fontsize=8, loc="upper left")
        ax.tick_params(axis="x", labelrotation=30)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.text(0.01, -0.02, "Filled and joined: running totals; hollow: counts for one period or "
             "moment. Bars: low–high bound from the source's qualifier; triangles: no upper bound "
             "(\"at least\"). Legend counts figures. Source: refugeestudy curated report log.",
             fontsize=8, color="#555555")
    fig.tight_layout()
    return fig
