"""What every report notebook shares: its setup, its figures, tables and closing section.

A report notebook is a ``parameters`` cell, a handful of library calls and
prose. Its first code cell after the parameters is::

    from refugeestudy.pipeline.notebook import setup_notebook
    nb = setup_notebook("04-destinations")

:func:`setup_notebook` replaces the setup cell the notebooks used to repeat:
it selects matplotlib's non-interactive backend (without importing matplotlib
when the report draws nothing; the house style comes with each figure,
:func:`refugeestudy.plots.subplots`), sets pandas display options and chooses
where the report's files go. Run by ``refugeestudy run`` (papermill),
the kernel's working directory is the report's folder in the run's staging
folder and files are written there; the runner swaps them in. Run any other
way (JupyterLab, papermill by hand, from any folder, the project root
included), the files go to ``reports/.interactive/<name>/``, a scratch folder
git ignores, and the notebook says so: a committed report changes only
through ``refugeestudy run``.

The returned :class:`ReportNotebook` then does the rest, each call one line::

    unhcr = nb.source("unhcr_asylum_applications")   # who made the data, version, licence
    nb.figure(fig, "destinations", source=unhcr, note="How to read it.")
    nb.table(frame, "by_year", caption="Asylum applications by year", decimals={"share (%)": 2})
    nb.say(f"Russia's share rose to **{share:.1f} %**.")
    nb.finish(results, findings="One paragraph written from the results.",
              limitations=["A limitation the data show.", ...])

:meth:`ReportNotebook.figure` checks the figure (axis labels, a source caption
naming source, version and licence, one colour per series; see
:func:`refugeestudy.plots.check_figure`), saves it and shows it with a numbered
caption. :meth:`ReportNotebook.table` saves the CSV and shows the table for
reading (no index column, thousands separators, fixed decimals, dates as
dates, links as links). :meth:`ReportNotebook.finish` shows the Limitations
section and writes ``results.json`` with ``headline``, ``findings``,
``limitations`` and ``data_sources``, which the report template
(:mod:`refugeestudy.pipeline.render`) shows in the title block.

Examples
--------
>>> import os, tempfile
>>> here = os.getcwd()
>>> folder = tempfile.mkdtemp()
>>> os.chdir(folder)
>>> Path(folder, RUN_STAGING_MARK).touch()  # as the runner marks its staging folder
>>> os.mkdir(Path(folder, "demo"))
>>> os.chdir(Path(folder, "demo"))
>>> nb = setup_notebook("demo")
>>> nb.output == Path(folder, "demo").resolve()
True
>>> nb.source("reports").licence
'CC BY 4.0'
>>> os.chdir(here)
"""

from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from refugeestudy import __version__, paths
from refugeestudy.pipeline.report import RUN_STAGING_MARK, save_table, write_results

__all__ = ["DataSource", "ReportNotebook", "caption_words", "data_source", "format_table", "output_folder",
           "setup_notebook", "RUN_STAGING_MARK", "INTERACTIVE_FOLDER"]

_CC_BY = "CC BY 4.0"
#: Where a notebook run outside ``refugeestudy run`` writes, under ``reports/`` (git-ignored).
INTERACTIVE_FOLDER = ".interactive"


@dataclass(frozen=True)
class DataSource:
    """Who made a data set, which version a report read, under which licence.

    Attributes
    ----------
    name : str
        The project's name for it (``reports``, ``unhcr_asylum_applications``, ...).
    title : str
        What a reader calls it.
    version : str
        The release, or the SHA-256 of the file read when the publisher gives no
        release number (deterministic: never a retrieval date).
    licence : str
        E.g. ``"CC BY 4.0"``.
    url : str or None
        Where to find it.
    """

    name: str
    title: str
    version: str
    licence: str
    url: str | None = None

    def caption_words(self) -> dict:
        """Keyword arguments for :func:`refugeestudy.plots.caption` / ``save_figure``."""
        return {"source": self.title, "version": self.version, "licence": self.licence}

    def cite(self) -> str:
        """One line: title, version, licence and URL.

        Examples
        --------
        >>> DataSource("x", "UCDP GED", "19.1", "CC BY 4.0", "https://ucdp.uu.se/downloads/").cite()
        'UCDP GED, version 19.1. Licence: CC BY 4.0. https://ucdp.uu.se/downloads/'
        """
        return (f"{self.title}, version {self.version}. Licence: {self.licence}."
                + (f" {self.url}" if self.url else ""))


def caption_words(*sources: DataSource) -> dict:
    """Keyword arguments for :func:`refugeestudy.plots.save_figure` naming every source once.

    Examples
    --------
    >>> a = DataSource("a", "UCDP GED", "19.1", "CC BY 4.0")
    >>> b = DataSource("b", "UNHCR Refugee Data Finder", "file SHA-256 feddf9422f91", "CC BY 4.0")
    >>> caption_words(a, b, a)["source"]
    'UCDP GED (version 19.1); UNHCR Refugee Data Finder (version file SHA-256 feddf9422f91)'
    >>> caption_words(a)
    {'source': 'UCDP GED', 'version': '19.1', 'licence': 'CC BY 4.0'}
    """
    unique = list(dict.fromkeys(sources))
    if len(unique) == 1:
        return unique[0].caption_words()
    return {"source": "; ".join(f"{s.title} (version {s.version})" for s in unique),
            "licence": "; ".join(sorted({s.licence for s in unique}))}


def data_source(name: str, root: Path | None = None) -> DataSource:
    """Describe a data source from the fetch lock (``data/raw/fetch.lock.json``) or the log.

    ``reports`` is the curated report log of this package (CC BY 4.0, the
    package version); any other name is looked up in the fetch lock.

    Examples
    --------
    >>> data_source("reports").title
    'refugeestudy curated report log'
    >>> data_source("ucdp_ged").version
    '19.1'
    """
    if name == "reports":
        return DataSource("reports", "refugeestudy curated report log", f"refugeestudy {__version__}",
                          _CC_BY)
    root = Path(root) if root is not None else paths.project_root()
    lock = root / "data" / "raw" / "fetch.lock.json"
    entries = json.loads(lock.read_text(encoding="utf-8")).get("sources", {}) if lock.exists() else {}
    if name not in entries:
        return DataSource(name, name.replace("_", " "), "not recorded", "not recorded")
    entry = entries[name]
    version = entry.get("version") or f"file SHA-256 {entry['sha256'][:12]}"
    licence = str(entry.get("licence", "not recorded")).split(" (")[0]
    return DataSource(name, entry.get("title", name), str(version), licence,
                      entry.get("docs") or entry.get("official_url"))


def output_folder(name: str, cwd: Path | None = None, root: Path | None = None) -> Path:
    """Where a notebook's figures, tables and ``results.json`` go.

    The working directory when it is ``refugeestudy run``'s (``<staging>/<name>``,
    its parent holding :data:`RUN_STAGING_MARK`); otherwise the scratch folder
    ``<root>/reports/.interactive/<name>`` (git-ignored), or outside any
    project ``<cwd>/refugeestudy-output/<name>``: a notebook run by hand never
    writes into a committed report, ``notebooks/`` or the project root.

    Examples
    --------
    >>> root = paths.project_root()
    >>> output_folder("04-destinations", cwd=root / "notebooks", root=root) == (
    ...     root / "reports" / ".interactive" / "04-destinations")
    True
    >>> output_folder("04-destinations", cwd=root, root=root).relative_to(root).as_posix()
    'reports/.interactive/04-destinations'
    """
    cwd = Path(cwd if cwd is not None else Path.cwd()).resolve()
    if cwd.name == name and (cwd.parent / RUN_STAGING_MARK).is_file():
        return cwd
    try:
        root = Path(root) if root is not None else paths.project_root()
    except FileNotFoundError:
        return cwd / "refugeestudy-output" / name
    return root / "reports" / INTERACTIVE_FOLDER / name


def _is_int_like(column: pd.Series) -> bool:
    if pd.api.types.is_integer_dtype(column):
        return True
    if pd.api.types.is_float_dtype(column):
        values = column.dropna()
        return bool(len(values)) and bool((values == values.round()).all())
    return False


def format_table(frame: pd.DataFrame, *, caption: str | None = None,
                 decimals: dict[str, int] | None = None, table_id: str = "table"):
    """A pandas Styler for reading: no index, thousands separators, fixed decimals, links.

    Integers (and floats that are whole numbers) get thousands separators and
    no decimals; other floats one decimal unless ``decimals`` names the
    column; dates are shown as ``YYYY-MM-DD``; a missing value is a dash
    (missing is not zero); a URL is a link showing the full address. The HTML
    has a fixed id (``table_id``), so the same table gives the same bytes.

    Examples
    --------
    >>> frame = pd.DataFrame({"country": ["Germany"], "applications": [125123],
    ...                       "share (%)": [0.4327], "missing": [float("nan")]})
    >>> html_text = format_table(frame, decimals={"share (%)": 2}).to_html()
    >>> "125,123" in html_text and "0.43" in html_text and "–" in html_text
    True
    """
    decimals = decimals or {}
    shown = frame.copy()
    formats = {}
    numbers, dates = [], []
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers.append(column)
        if pd.api.types.is_datetime64_any_dtype(values):
            dates.append(column)
            shown[column] = values.dt.strftime("%Y-%m-%d")
        elif column in decimals:
            formats[column] = f"{{:,.{decimals[column]}f}}"
        elif pd.api.types.is_bool_dtype(values):
            shown[column] = values.map({True: "yes", False: "no"})
        elif _is_int_like(values):
            formats[column] = "{:.0f}" if "year" in str(column).lower() else "{:,.0f}"
        elif pd.api.types.is_float_dtype(values):
            formats[column] = "{:,.1f}"
        elif values.astype("string").str.startswith("http").fillna(False).any():
            shown[column] = values.map(
                lambda url: f'<a href="{html.escape(url)}">{html.escape(url)}</a>'
                if isinstance(url, str) and url.startswith("http") else url)
            formats[column] = lambda value: value if isinstance(value, str) else "–"
    styler = shown.style.hide(axis="index")
    links = [c for c in shown.columns if callable(formats.get(c))]
    others = [c for c in shown.columns if c not in links]
    if links:
        styler = styler.format({c: formats[c] for c in links}, subset=links)
    if others:
        styler = styler.format({c: formats[c] for c in others if c in formats}, subset=others,
                               escape="html", na_rep="–")
    if numbers:
        styler = styler.set_properties(subset=numbers, **{"text-align": "right", "white-space": "nowrap"})
    if dates:
        styler = styler.set_properties(subset=dates, **{"white-space": "nowrap"})
    styler = styler.set_uuid(table_id).set_table_attributes('class="report-table"')
    if caption:
        styler = styler.set_caption(caption)
    return styler


@dataclass
class ReportNotebook:
    """The handle :func:`setup_notebook` returns; see the module docstring for the calls."""

    name: str
    output: Path
    sources: dict[str, DataSource] = field(default_factory=dict)
    figures: int = 0
    tables: int = 0

    def source(self, name: str) -> DataSource:
        """Describe data source ``name`` (:func:`data_source`) and list it in ``results.json``."""
        if name not in self.sources:
            self.sources[name] = data_source(name)
        return self.sources[name]

    def say(self, markdown: str) -> None:
        """Show a paragraph of Markdown."""
        from IPython.display import Markdown, display

        display(Markdown(markdown))

    def figure(self, fig, name: str, *, source: DataSource | list[DataSource], title: str,
               note: str | None = None) -> None:
        """Caption, check, save and show ``fig`` as Figure N with its source, version and licence.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
        name : str
            File stem under ``figures/``.
        source : DataSource or list of DataSource
            The data drawn (from :meth:`source`).
        title : str
            The caption's first sentence, e.g. "Asylum applications by Syrians, by country".
        note : str, optional
            How to read the figure (drawn under it, with the source).
        """
        from IPython.display import HTML, display

        from refugeestudy import plots

        used = list(dict.fromkeys(source if isinstance(source, list) else [source]))
        plots.save_figure(fig, name, self.output / "figures", **caption_words(*used), note=note)
        self.figures += 1
        links = "; ".join(
            (f'<a href="{html.escape(s.url)}">{html.escape(s.title)}</a>' if s.url else html.escape(s.title))
            + f", version {html.escape(s.version)}, licence {html.escape(s.licence)}" for s in used)
        display(HTML(
            f'<figure class="report-figure" id="figure-{self.figures}">'
            f'<img src="figures/{html.escape(name)}.png" alt="{html.escape(title)}">'
            f"<figcaption><b>Figure {self.figures}.</b> {html.escape(title)}."
            + (f" {html.escape(note.rstrip('.'))}." if note else "")
            + f" Source: {links}.</figcaption></figure>"))

    def table(self, frame: pd.DataFrame, name: str, *, caption: str,
              decimals: dict[str, int] | None = None, show: int | None = None,
              empty: str | None = None) -> None:
        """Save ``frame`` as ``tables/<name>.csv`` and show it as Table N, formatted for reading.

        ``show`` limits the rows shown (the CSV keeps them all). A frame with no row
        is saved (its header) but shown as one sentence, ``empty`` or
        "<caption>: none.", never as a table with an empty body.
        """
        from IPython.display import HTML, display

        save_table(frame, name, self.output / "tables")
        if frame.empty:
            self.say(empty or f"*{caption}: none.*")
            return
        self.tables += 1
        shown = frame if show is None else frame.head(show)
        more = "" if show is None or len(frame) <= show else f" (first {show} of {len(frame)} rows)"
        styler = format_table(shown, caption=f"Table {self.tables}. {caption}{more}",
                              decimals=decimals, table_id=name)
        display(HTML(styler.to_html()))  # HTML, not the Styler: its text form holds a memory address

    def finish(self, results: dict, *, findings: str, limitations: list[str]) -> None:
        """Show the Limitations section and write ``results.json``.

        ``results`` gains ``findings`` (the "what this shows" paragraph of the
        title block), ``limitations`` and ``data_sources``; it must hold a
        one-line ``headline`` for the index page.
        """
        if "headline" not in results:
            raise ValueError("results need a one-line 'headline' for the index page")
        self.say("## Limitations\n\n" + "\n".join(f"- {item}" for item in limitations))
        results = {**results, "findings": findings, "limitations": list(limitations),
                   "data_sources": {k: asdict(v) for k, v in sorted(self.sources.items())}}
        write_results(results, self.output / "results.json")


def setup_notebook(name: str) -> ReportNotebook:
    """Set up a report notebook: backend, display options, output folder (the house style comes with each figure).

    Parameters
    ----------
    name : str
        The report's name in ``reports.yml`` (e.g. ``"04-destinations"``).

    Returns
    -------
    ReportNotebook
        ``.output`` is the folder the report writes to (see :func:`output_folder`);
        run by hand, the notebook prints where that is.

    Examples
    --------
    In a notebook, the first cell after ``parameters``::

        from refugeestudy.pipeline.notebook import setup_notebook
        nb = setup_notebook("01-data-audit")
    """
    _draw_off_screen()
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", None)
    output = output_folder(name)
    output.mkdir(parents=True, exist_ok=True)
    if output != Path.cwd().resolve():
        os.chdir(output)
    if not (output.parent / RUN_STAGING_MARK).is_file():
        _say_where(name, output)
    return ReportNotebook(name, output.resolve())


def _draw_off_screen() -> None:
    """Make matplotlib draw with Agg (files, no window, no inline display), importing it only if loaded.

    A report without figures never imports matplotlib (about half a second of a
    worker's time); the house style is applied when a figure is made
    (:func:`refugeestudy.plots.subplots`). The kernel's own default backend (inline)
    is overridden either way.
    """
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"


def _say_where(name: str, output: Path) -> None:
    """Tell whoever runs the notebook by hand where its files went.

    Written to the process's own standard error: papermill's console shows it,
    and so does the notebook (ipykernel copies it into the cell's output).
    """
    message = (f"refugeestudy: {name} run outside `refugeestudy run`: its figures, tables and "
               f"results.json go to {output}/ (a scratch folder git ignores); the committed report "
               f"changes only with `refugeestudy run`\n")
    stream = sys.__stderr__ or sys.stderr
    stream.write(message)
    stream.flush()
