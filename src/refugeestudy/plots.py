"""Figures in one house style that cannot mislead, saved so that reruns give identical bytes.

:func:`use_house_style` sets the look (readable sizes, light grid, a 12-colour
qualitative palette, no top/right spines). :func:`caption` puts the source
caption (source, version, licence) under a figure. :func:`save_figure` checks
the figure (:func:`check_figure`: axis labels with units, a source caption,
one colour per series, titles that fit, no pandas or internal codes in the
text) and refuses to save one that fails, then writes PNG and SVG with fixed
metadata (no dates, a fixed SVG hash salt) so the same data give the same files.
:func:`series_with_bounds` draws a series with its low–high band, gaps as gaps;
:func:`mark_partial` shades a period the data cover only in part.

The contract for every report figure::

    fig, ax = plt.subplots()
    ax.plot(x, y, label="Germany")
    ax.set_xlabel("year"); ax.set_ylabel("asylum applications (persons)")
    plots.save_figure(fig, "name", source="UNHCR Refugee Data Finder", version="2025.12.1",
                      licence="CC BY 4.0")

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> use_house_style()
>>> matplotlib.rcParams["svg.hashsalt"]
'refugeestudy'
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from refugeestudy._atomic import atomic_write_bytes
from refugeestudy.errors import RefugeestudyError

__all__ = ["PALETTE", "FigureCheckError", "use_house_style", "subplots", "count_axis", "colours", "colour_for", "caption",
           "figure_caption", "check_figure", "validate_figure", "save_figure", "series_with_bounds",
           "mark_partial", "tight_layout", "wrap_title", "period_words", "small_multiples", "reported_timeline"]

#: Twelve qualitative colours, told apart in print and by most colour-blind readers:
#: Okabe–Ito's eight (yellow last: weak on white) and four of Paul Tol's "muted" set.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#882255", "#44AA99", "#999933", "#332288", "#F0E442")

#: ``gid`` of the caption text artist that :func:`caption` adds (what the check looks for).
CAPTION_GID = "refugeestudy-source-caption"

# Pandas frequency codes and internal names that must not reach a reader.
_CODES = re.compile(r"(?<![\w-])(W-[A-Z]{3}|MS|YS|QS|AS|SY\d\d|ucdp_ged|unhcr_[a-z_]+|"
                    r"asylum_applications|PosixPath)(?![\w-])")


class FigureCheckError(RefugeestudyError, ValueError):
    """A figure is missing an axis label, its source caption or distinct colours, or has codes."""

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


def subplots(*args, **kwargs):
    """``plt.subplots`` with the house style applied first: every figure of the reports starts here.

    Report notebooks do not import matplotlib until they draw (its import costs a
    report without figures about half a second), so the style is set when a
    figure is made, not when the notebook starts.

    Examples
    --------
    >>> fig, ax = subplots(figsize=(4, 3))
    >>> mpl.rcParams["axes.spines.top"]
    False
    >>> plt.close(fig)
    """
    use_house_style()
    return plt.subplots(*args, **kwargs)


def count_axis(axis: mpl.axis.Axis) -> None:
    """Ticks at whole numbers, with thousands separators, on an axis of counts (people, deaths).

    Matplotlib's default ticks step by 2.5 on a short range (0 to 13), which a
    whole-number format would print as "2", "5", "8", each at the wrong height.

    Examples
    --------
    >>> fig, ax = subplots()
    >>> _ = ax.plot([0, 1], [0, 13])
    >>> _ = ax.set_ylim(0, 13)
    >>> count_axis(ax.yaxis)
    >>> fig.draw_without_rendering()
    >>> [t.get_text() for t in ax.get_yticklabels()][:7]  # (matplotlib also lists 14, outside the limits)
    ['0', '2', '4', '6', '8', '10', '12']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def colours(n: int) -> list[str]:
    """Return ``n`` distinct palette colours; more series than colours need small multiples.

    Raises
    ------
    ValueError
        If ``n`` exceeds the palette (draw one panel per group instead).

    Examples
    --------
    >>> colours(2)
    ['#0072B2', '#D55E00']
    >>> len(set(colours(10)))
    10
    """
    if n > len(PALETTE):
        raise ValueError(f"{n} series but {len(PALETTE)} distinct colours: draw small multiples "
                         "(one panel per group) instead of one crowded panel")
    return list(PALETTE[:n])


def colour_for(index: int) -> str:
    """Return the palette colour for series ``index`` (cycling after 12; see :func:`colours`).

    Examples
    --------
    >>> colour_for(0), colour_for(9), colour_for(12)
    ('#0072B2', '#999933', '#0072B2')
    """
    return PALETTE[index % len(PALETTE)]


_PERIODS = {"D": ("day", "day"), "W": ("week starting", "week"), "MS": ("month", "month"),
            "M": ("month", "month"), "ME": ("month", "month"), "QS": ("quarter", "quarter"),
            "YS": ("year", "year"), "Y": ("year", "year"), "YE": ("year", "year"), "AS": ("year", "year")}


def period_words(freq: str) -> tuple[str, str]:
    """A pandas frequency in words: the x-axis label and the unit ("per ...").

    Examples
    --------
    >>> period_words("W-MON")
    ('week starting Monday', 'week')
    >>> period_words("MS"), period_words("YS")
    (('month', 'month'), ('year', 'year'))
    """
    if freq.startswith("W"):
        day = {"MON": "Monday", "TUE": "Tuesday", "WED": "Wednesday", "THU": "Thursday", "FRI": "Friday",
               "SAT": "Saturday", "SUN": "Sunday"}.get(freq.partition("-")[2], "")
        return (f"week starting {day}".strip(), "week")
    return _PERIODS.get(freq.partition("-")[0], ("period", "period"))


def wrap_title(text: str, width: int = 60) -> str:
    """Wrap a title onto lines of at most ``width`` characters, so it fits its plot.

    Examples
    --------
    >>> print(wrap_title("Asylum applications by Syrians in the twelve countries that received most", 40))
    Asylum applications by Syrians in the
    twelve countries that received most
    """
    return "\n".join(textwrap.wrap(text, width)) or text


def tight_layout(fig: mpl.figure.Figure) -> None:
    """Lay ``fig`` out once, as ``fig.tight_layout()`` does, leaving no layout engine.

    ``Figure.tight_layout`` leaves a placeholder engine on the figure (any engine
    makes every later save lay the whole figure out again), and measures every
    plot twice, the second time to fit a rectangle that is the whole figure
    already; here each plot is measured once: the same layout, in half the work.
    A figure title (``fig.suptitle``) is given its measured room above the plots.

    Examples
    --------
    >>> fig, axes = plt.subplots(1, 2)
    >>> _ = fig.suptitle("Two plots")
    >>> tight_layout(fig)
    >>> fig.get_layout_engine() is None
    True
    >>> reference, _ = plt.subplots(1, 2)
    >>> _ = reference.suptitle("Two plots")
    >>> reference.tight_layout()
    >>> all(abs(getattr(fig.subplotpars, side) - getattr(reference.subplotpars, side)) < 1e-12
    ...     for side in ("left", "bottom", "right", "top", "wspace", "hspace"))
    True
    >>> plt.close(fig), plt.close(reference)
    (None, None)
    """
    from matplotlib.layout_engine import TightLayoutEngine

    engine = TightLayoutEngine()
    engine._params["rect"] = None  # matplotlib then skips its second, rectangle-fitting pass
    engine.execute(fig)


def caption(fig: mpl.figure.Figure, source: str, *, licence: str, version: str | None = None,
            note: str | None = None) -> mpl.text.Text:
    """Put the source caption under ``fig``: what is drawn (optional), source, version, licence.

    A second call replaces the first caption.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    source : str
        Who published the data, e.g. ``"UNHCR Refugee Data Finder"``.
    licence : str
        E.g. ``"CC BY 4.0"``.
    version : str, optional
        Release or retrieval of the data, e.g. ``"release 2025.12.1"``.
    note : str, optional
        How to read the figure, written before the source.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = caption(fig, "UNHCR Refugee Data Finder", version="2025.12.1", licence="CC BY 4.0")
    >>> figure_caption(fig)
    'Source: UNHCR Refugee Data Finder, version 2025.12.1. Licence: CC BY 4.0.'
    >>> plt.close(fig)
    """
    for text in list(fig.texts):
        if text.get_gid() == CAPTION_GID:
            text.remove()
    words = f"{note.rstrip('.')}. " if note else ""
    words += f"Source: {source}" + (f", version {version}" if version else "") + f". Licence: {licence}."
    width = max(60, int(fig.get_figwidth() * 15))  # about 15 characters of 8 pt text per inch
    return fig.text(0.01, 0.0, "\n".join(textwrap.wrap(words, width)), ha="left", va="top",
                    fontsize=8, color="#444444", gid=CAPTION_GID)


def figure_caption(fig: mpl.figure.Figure) -> str | None:
    """Return the text of the caption :func:`caption` put on ``fig`` (one line), or ``None``."""
    for text in fig.texts:
        if text.get_gid() == CAPTION_GID:
            return " ".join(text.get_text().split())
    return None


def _series(ax: mpl.axes.Axes) -> list[tuple[str, str]]:
    """(label, colour) of every labelled series on ``ax`` (lines, bars, scatters, bands)."""
    found = []
    for artist in (*ax.lines, *ax.collections, *ax.containers):
        label = artist.get_label() or ""
        if label.startswith("_") or not label:
            continue
        if isinstance(artist, mpl.container.Container):
            patches = [a for a in artist if hasattr(a, "get_facecolor")]
            colour = patches[0].get_facecolor() if patches else None
        elif isinstance(artist, mpl.lines.Line2D):
            colour = artist.get_color()
        else:
            faces = artist.get_facecolor()
            colour = faces[0] if len(faces) else artist.get_edgecolor()[0]
        if colour is not None:
            found.append((label, mpl.colors.to_hex(colour)))
    return found


def _plot_problems(ax: mpl.axes.Axes, number: int, texts: list[str]) -> list[str]:
    """:func:`check_figure` for one plot: axis labels, colours, legend, and codes in its texts
    (and in ``texts``, the figure's own title for plot 1)."""
    problems = []
    title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
    short = title if len(title) <= 40 else title[:39] + "…"
    where = f"plot {number}" + (f" ({short!r})" if title else "")
    shared = [other for other in ax.get_shared_x_axes().get_siblings(ax) if other is not ax]
    if not ax.get_xlabel().strip() and not any(o.get_xlabel().strip() for o in shared):
        problems.append(f"{where}: no x-axis label")
    shared = [other for other in ax.get_shared_y_axes().get_siblings(ax) if other is not ax]
    if not ax.get_ylabel().strip() and not any(o.get_ylabel().strip() for o in shared):
        problems.append(f"{where}: no y-axis label (name the quantity and its unit)")
    by_colour: dict[str, list[str]] = {}
    for label, colour in _series(ax):
        by_colour.setdefault(colour, [])
        if label not in by_colour[colour]:
            by_colour[colour].append(label)
    for colour, labels in by_colour.items():
        if len(labels) > 1:
            problems.append(f"{where}: series {', '.join(labels)} share the colour {colour}")
    texts = [*texts, *(ax.get_title(loc) for loc in ("left", "center", "right")),
             ax.get_xlabel(), ax.get_ylabel()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
        problems += [f"{where}: {problem}" for problem in _legend_problems(ax, legend)]
    for text in texts:
        for code in _CODES.findall(text or ""):
            problems.append(f"{where}: code {code!r} in {text!r} (write it in words)")
    return problems


def check_figure(fig: mpl.figure.Figure, *, laid_out: bool = False) -> list[str]:
    """List what makes ``fig`` unfit for a report (empty when it is fit).

    Checked: every plot has an x and a y label (or shares that axis with a plot
    that has one, as in :func:`small_multiples`); the figure has a source caption
    naming source and licence (:func:`caption`); on each plot, every labelled
    series has its own colour; titles fit inside the figure and do not run into
    each other; no pandas frequency code (``W-MON``, ``MS``, ``YS``) or internal
    code (``SY04``, ``ucdp_ged``) in titles, labels or legends; no legend entry
    cut short with "…" and none for a series that draws nothing inside its plot.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    laid_out : bool, default False
        Whether ``fig.get_tightbbox`` has just been computed (limits, ticks and
        titles placed), as :func:`save_figure` does; otherwise the figure is
        drawn, without rendering, before it is checked.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], color="red", label="Aleppo")
    >>> _ = ax.plot([0, 1], [1, 0], color="red", label="Dar'a")
    >>> _ = ax.set_title("Deaths per W-MON")
    >>> for problem in check_figure(fig):
    ...     print(problem)
    plot 1 ('Deaths per W-MON'): no x-axis label
    plot 1 ('Deaths per W-MON'): no y-axis label (name the quantity and its unit)
    plot 1 ('Deaths per W-MON'): series Aleppo, Dar'a share the colour #ff0000
    plot 1 ('Deaths per W-MON'): code 'W-MON' in 'Deaths per W-MON' (write it in words)
    figure: no source caption (plots.caption(fig, source=..., licence=...))
    >>> plt.close(fig)
    """
    problems = []
    if not laid_out:
        fig.draw_without_rendering()  # limits and extents as they will be saved, nothing rasterised
    texts = [fig._suptitle.get_text()] if fig._suptitle is not None else []  # checked with plot 1
    plots = [ax for ax in fig.axes if ax.get_visible() and ax.axison
             and (ax.lines or ax.collections or ax.patches or ax.images)]
    for number, ax in enumerate(plots, start=1):
        problems += _plot_problems(ax, number, texts)
        texts = []
    problems += _title_fit(fig)
    words = figure_caption(fig)
    if not words:
        problems.append("figure: no source caption (plots.caption(fig, source=..., licence=...))")
    elif "Source:" not in words or "Licence:" not in words:
        problems.append(f"figure: the caption {words!r} names no source or no licence")
    return problems


def _has_data_inside(artist, ax: mpl.axes.Axes, renderer) -> bool:
    """Whether ``artist`` (a line, collection, patch or container) draws anything inside ``ax``."""
    if isinstance(artist, mpl.container.Container):
        return any(_has_data_inside(child, ax, renderer) for child in artist.get_children())
    if isinstance(artist, mpl.lines.Line2D):
        xy = ax.transData.transform(artist.get_xydata()) if len(artist.get_xydata()) else []
        box = ax.bbox
        return any(box.x0 - 1 <= x <= box.x1 + 1 and box.y0 - 1 <= y <= box.y1 + 1
                   for x, y in xy if x == x and y == y)
    extent = artist.get_window_extent(renderer)
    if not (extent.width >= 0 and extent.height >= 0) or extent.width + extent.height == 0:
        return False
    return bool(extent.overlaps(ax.bbox)) or bool(ax.bbox.contains(extent.x0, extent.y0))


def _legend_problems(ax: mpl.axes.Axes, legend) -> list[str]:
    """Legend entries cut with "…", or naming a series that draws nothing inside the plot."""
    problems = []
    shown = [t.get_text() for t in legend.get_texts()]
    for text in shown:
        if text.rstrip().endswith(("…", "...")):
            problems.append(f"legend entry {text!r} is cut short (wrap it, or shorten it with a key)")
    renderer = ax.figure.canvas.get_renderer()
    for handle, label in zip(*ax.get_legend_handles_labels()):
        if label in shown and not _has_data_inside(handle, ax, renderer):
            problems.append(f"legend entry {label!r} has no data inside the plot (drop it or widen "
                            "the axes)")
    return problems


def _title_fit(fig: mpl.figure.Figure) -> list[str]:
    """Titles wider than the figure, or overlapping one another (the figure is drawn)."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            title = ax._left_title if loc == "left" else (ax.title if loc == "center" else ax._right_title)
            if title.get_text():
                boxes.append((title.get_text(), title.get_window_extent(renderer)))
    if fig._suptitle is not None and fig._suptitle.get_text():
        boxes.append((fig._suptitle.get_text(), fig._suptitle.get_window_extent(renderer)))
    problems = []
    width = fig.bbox.width
    for text, box in boxes:
        if box.x0 < -1 or box.x1 > width + 1:
            problems.append(f"figure: the title {text!r} is wider than the figure (shorten it or "
                            "plots.wrap_title)")
    for i, (text, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1:]:
            if box.overlaps(other_box):
                problems.append(f"figure: the titles {text!r} and {other!r} overlap")
    return problems


def _place_caption(fig: mpl.figure.Figure) -> mpl.transforms.Bbox:
    """Move the caption just under everything else drawn (tick labels, legends below plots).

    Returns the figure's tight box in inches, caption included: what
    ``bbox_inches="tight"`` would compute, from one layout pass instead of two.
    """
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.texts if t.get_gid() == CAPTION_GID and t.get_visible()]
    for text in texts:
        text.set_visible(False)
    box = fig.get_tightbbox(renderer)  # inches; places limits, ticks and titles as a draw would
    for text in texts:
        text.set_visible(True)
        text.set_y(box.y0 / fig.get_figheight() - 0.015)
    to_inches = fig.dpi_scale_trans.inverted()
    return mpl.transforms.Bbox.union(
        [box, *(mpl.transforms.TransformedBbox(t.get_window_extent(renderer), to_inches) for t in texts)])


def validate_figure(fig: mpl.figure.Figure, *, laid_out: bool = False) -> None:
    """Raise :class:`FigureCheckError` listing every problem :func:`check_figure` finds.

    ``laid_out`` is passed on to :func:`check_figure`.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> validate_figure(fig)
    Traceback (most recent call last):
    ...
    refugeestudy.plots.FigureCheckError: figure not fit for a report: plot 1: no x-axis label; ...
    >>> plt.close(fig)
    """
    problems = check_figure(fig, laid_out=laid_out)
    if problems:
        raise FigureCheckError("figure not fit for a report: " + "; ".join(problems),
                               hint="label both axes with units, give each series its own colour "
                                    "and add plots.caption(fig, source=..., licence=...)")


def save_figure(fig: mpl.figure.Figure, name: str, folder: str | Path = "figures", *,
                source: str | None = None, licence: str | None = None,
                version: str | None = None, note: str | None = None) -> list[Path]:
    """Check ``fig``, then save it as ``<folder>/<name>.png`` and ``.svg``, deterministically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed afterwards.
    name : str
        File stem, e.g. ``"timeline"``.
    folder : str or Path
        Output folder (created if missing), relative to the working directory.
    source, licence, version, note : str, optional
        When ``source`` is given, :func:`caption` is added with these first.

    Returns
    -------
    list of Path
        The two files written.

    Raises
    ------
    FigureCheckError
        If :func:`check_figure` finds a problem; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> use_house_style()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> _ = ax.set_xlabel("year"), ax.set_ylabel("people")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_figure(fig, "line", tmp, source="synthetic", licence="none")]
    ['line.png', 'line.svg']
    """
    import io

    if source is not None:
        caption(fig, source, licence=licence or "not stated", version=version, note=note)
    # One layout pass places the caption, readies the figure for its check and gives the tight
    # box for both formats (``bbox_inches="tight"`` would lay the figure out again for each),
    # padded as savefig pads it.
    box = _place_caption(fig).padded(mpl.rcParams["savefig.pad_inches"])
    validate_figure(fig, laid_out=True)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=metadata[fmt], bbox_inches=box)
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
    freq: str | None = None,
) -> None:
    """Draw a series and, where known, its low–high band; unknown bounds draw no band.

    A missing value (NaN) is a gap in the line, never a zero. With ``freq``
    (a pandas frequency such as ``"W-MON"``) the series is first put on the
    complete grid of periods from its first to its last, so a period with no
    data is a gap too instead of a line jumping across it.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> x = pd.Series(pd.to_datetime(["2025-03-03", "2025-03-17"]))
    >>> series_with_bounds(ax, x, pd.Series([1, 3]), pd.Series([1, 2]), pd.Series([2, 4]),
    ...                    label="toll", colour=colour_for(0), freq="W-MON")
    >>> ax.lines[0].get_ydata().tolist()  # the week of 10 March has no data: a gap
    [1.0, nan, 3.0]
    >>> plt.close(fig)
    """
    x = pd.Series(x).reset_index(drop=True)
    frame = pd.DataFrame({"best": pd.Series(best).reset_index(drop=True).astype("float64")})
    for name, values in (("low", low), ("high", high)):
        if values is not None:
            frame[name] = pd.Series(values).reset_index(drop=True).astype("float64")
    frame.index = pd.Index(x)
    if freq is not None and len(frame):
        grid = pd.date_range(frame.index.min(), frame.index.max(), freq=freq)
        frame = frame.reindex(grid.union(frame.index))
    x = pd.Series(frame.index)
    drawstyle = "steps-post" if step else "default"
    ax.plot(x, frame["best"].to_numpy(), color=colour, label=label, marker=marker,
            markersize=4, linewidth=1.6, drawstyle=drawstyle)
    if "low" in frame and "high" in frame:
        lo = frame["low"].reset_index(drop=True)
        hi = frame["high"].reset_index(drop=True)
        known = lo.notna() & hi.notna()
        if known.any():
            ax.fill_between(x.where(known), lo.where(known), hi.where(known), color=colour,
                            alpha=0.18, linewidth=0, step="post" if step else None)
        open_top = lo.notna() & hi.isna()
        if open_top.any():
            ax.scatter(x[open_top], lo[open_top], marker="^", color=colour, s=22, zorder=3,
                       label=f"_{label}: lower bound only")


def mark_partial(ax: mpl.axes.Axes, start, end, label: str = "partial period") -> None:
    """Shade ``start``–``end`` on ``ax`` as a period the data cover only in part.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> mark_partial(ax, pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-31"),
    ...              "2019: data to 30 November only")
    >>> ax.patches[0].get_label()
    '2019: data to 30 November only'
    >>> plt.close(fig)
    """
    ax.axvspan(start, end, color="#bbbbbb", alpha=0.3, linewidth=0, label=label, zorder=0)


def small_multiples(names: list[str], *, xlabel: str, ylabel: str, ncols: int = 4,
                    panel_size: tuple[float, float] = (3.2, 2.4), sharey: bool = True):
    """One small panel per series, on shared axes: for more series than one plot can tell apart.

    Each panel is titled with its name; the bottom row carries the x label and
    the first column the y label (the other panels share them).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : dict
        Panel per name, in the order given; unused panels are hidden.

    Examples
    --------
    >>> fig, axes = small_multiples(["Aleppo", "Idleb", "Homs"], xlabel="month",
    ...                             ylabel="deaths per month (people)", ncols=2)
    >>> [ax.get_title("left") for ax in axes.values()]
    ['Aleppo', 'Idleb', 'Homs']
    >>> for name, ax in axes.items():
    ...     _ = ax.plot([0, 1], [0, 1], color=colour_for(0), label=name)
    >>> _ = caption(fig, "UCDP GED", licence="CC BY 4.0")
    >>> check_figure(fig)
    []
    >>> plt.close(fig)
    """
    nrows = -(-len(names) // ncols)
    fig, grid = subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                         sharex=True, sharey=sharey, squeeze=False)
    flat = list(grid.flat)
    axes = {}
    for index, (name, ax) in enumerate(zip(names, flat)):
        ax.set_title(name, fontsize=10)
        if index % ncols == 0:
            ax.set_ylabel(ylabel)
        if index >= len(names) - ncols:
            ax.set_xlabel(xlabel)
        axes[name] = ax
    for ax in flat[len(names):]:
        ax.set_visible(False)
    tight_layout(fig)
    return fig, axes


def _stated_with_bounds(ax: mpl.axes.Axes, rows: pd.DataFrame, label: str, colour: str) -> None:
    """Points at each figure's as-of date, a bar from low to high, a triangle if unbounded above.

    Running (cumulative) figures are joined by a line only within one curve:
    the same producer, subject and start of the count ("civilians since 6
    March" is never joined to "all deaths since 8 December"). Counts for one
    period or one moment are hollow points, not joined. The first marks drawn
    carry ``label`` (the legend entry is the data, never an empty stand-in).
    """
    rows = rows.sort_values(["period_end", "figure_id"])
    x, best = rows["period_end"], rows["best"].astype("float64")
    low = rows["low"].astype("float64").fillna(best)
    high = rows["high"].astype("float64")
    bounded = high.notna().to_numpy()
    running = (rows["basis"] == "cumulative").to_numpy()
    labels = iter([label])
    for mask, face in ((running, colour), (~running, "white")):
        both = mask & bounded
        if both.any():
            ax.errorbar(x[both], best[both], yerr=[best[both] - low[both], high[both] - best[both]],
                        fmt="o", color=colour, markerfacecolor=face, markersize=4.5, capsize=2,
                        linewidth=1, label=next(labels, "_bounds"))
        open_top = mask & ~bounded
        if open_top.any():
            ax.scatter(x[open_top], low[open_top], marker="^", color=colour, facecolor=face,
                       s=30, zorder=3, label=next(labels, "_at least"))
    curves = rows[running].fillna({"subject": "", "figure_by": ""})
    for _, curve in curves.groupby(["figure_by", "subject", "period_start"], dropna=False):
        if len(curve) > 1:
            ax.plot(curve["period_end"], curve["best"].astype("float64"), color=colour,
                    linewidth=1, alpha=0.7, label="_curve")


def _timeline_panel(ax: mpl.axes.Axes, figures: pd.DataFrame, labels: pd.Series, start, end) -> str:
    """One panel of :func:`reported_timeline`: the places with a figure in the window, one colour
    each; returns the legend title, naming the places whose figures all fall outside it."""
    inside = figures["period_end"].between(pd.Timestamp(start) if start is not None else pd.Timestamp.min,
                                           pd.Timestamp(end) if end is not None else pd.Timestamp.max)
    groups = list(figures[inside].groupby(labels[figures[inside].index], sort=True))
    for (place, rows), colour in zip(groups, colours(len(groups))):
        _stated_with_bounds(ax, rows, f"{place} ({len(rows)})", colour)
    outside = figures[~inside].groupby(labels[figures[~inside].index], sort=True).size()
    outside = outside[~outside.index.isin([place for place, _ in groups])]
    title = "place (figures in the window)"
    if len(outside):
        title += "\n" + wrap_title("not drawn, all outside the window: " + ", ".join(
            f"{place} ({count})" for place, count in outside.items()), 70)
    return title


def _window_title(title: str, start, end) -> str:
    """``title`` with the window of :func:`reported_timeline` (``title`` when there is none).

    Examples
    --------
    >>> _window_title("Tolls", None, "2025-05-01")
    'Tolls, figures dated the first figure to 1 May 2025'
    >>> _window_title("", "2025-02-01", None)
    'Figures dated 1 February 2025 to the last figure'
    """
    if start is None and end is None:
        return title
    first = f"{pd.Timestamp(start):%-d %B %Y}" if start is not None else "the first figure"
    last = f"{pd.Timestamp(end):%-d %B %Y}" if end is not None else "the last figure"
    return f"{title}, figures dated {first} to {last}" if title else f"Figures dated {first} to {last}"


def reported_timeline(figures: pd.DataFrame, labels: pd.Series, *, start=None, end=None,
                      title: str = "") -> mpl.figure.Figure:
    """Reported death tolls by governorate beside reported arrivals by destination.

    Each stated figure is a point at its "as of" date with a bar from its low
    to its high bound; a triangle marks a figure with no upper bound ("at
    least", "more than"). Tolls and counts are drawn as stated (cumulative
    where the source's figure is cumulative), not reconciled; a line joins the
    running totals of one producer for one subject and start date only. Each
    place has its own colour (at most 12 per panel). Only figures dated inside
    ``start``–``end`` are drawn (the axes are scaled to them); the title states
    the window and each legend names the places left out.

    Parameters
    ----------
    figures : pandas.DataFrame
        The typed log (``ReportLog.figures``).
    labels : pandas.Series
        One plain-language place label per figure (e.g. ``"Lattakia"``,
        ``"Russia: Perm Krai"``).
    start, end : date-like, optional
        The window drawn (default: every figure).
    title : str
        Figure title.

    Examples
    --------
    >>> from refugeestudy import load_reports
    >>> from refugeestudy.case_study.audit import place_label
    >>> log = load_reports()
    >>> fig = reported_timeline(log.figures, place_label(log.figures), start="2025-02-01",
    ...                         end="2025-05-01", title="t")
    >>> len(fig.axes), fig._suptitle.get_text()
    (2, 't, figures dated 1 February 2025 to 1 May 2025')
    >>> plt.close(fig)
    """
    fig, (left, right) = subplots(1, 2, figsize=(13, 6.8), sharex=True)
    deaths = figures[(figures["kind"] == "deaths") & figures["origin_admin1_pcode"].notna()]
    counts = figures[figures["kind"] == "displacement"]
    titles = [_timeline_panel(left, deaths, labels, start, end),
              _timeline_panel(right, counts, labels, start, end)]
    left.set_title("Deaths reported, by governorate")
    left.set_ylabel("deaths reported (people)")
    right.set_yscale("log")
    right.set_title("People arriving, fleeing or sheltering, by place")
    right.set_ylabel("people (log scale)")
    for ax, legend_title in zip((left, right), titles):
        if start is not None or end is not None:
            ax.set_xlim(pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None)
        ax.set_xlabel("date the figure refers to")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.24), ncol=2,
                  title=legend_title, title_fontsize=8, alignment="left")
        ax.tick_params(axis="x", labelrotation=30)
    title = _window_title(title, start, end)
    if title:
        fig.suptitle(wrap_title(title, 100), x=0.01, ha="left", fontsize=13, fontweight="bold")
    tight_layout(fig)
    return fig
