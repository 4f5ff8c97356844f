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

__all__ = ["PALETTE", "use_house_style", "save_figure", "series_with_bounds", "colour_for"]

#: Okabe–Ito colour-blind safe palette.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

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
