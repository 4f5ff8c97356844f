"""Render reports for reading: one HTML template for every report, and the index of both plans.

:func:`render_report` turns an executed notebook into ``<name>.html`` with the
nbconvert template shipped in ``refugeestudy/templates/refugeestudy`` (code
hidden): a title block with the question (the report's ``summary`` in
``reports.yml``), the data versions (``results["data_sources"]``, written by
:meth:`refugeestudy.pipeline.notebook.ReportNotebook.finish`; otherwise the input files
and their checksums), the package version, the commit of the code and data and
its date, and a "what this shows" paragraph (``results["findings"]``, else the
``headline``); then the notebook's prose, figures and tables; then the
provenance. The date is the commit's date from git, never the clock, so the
same commit renders the same bytes.

:func:`write_index` writes ``index.html`` in every plan's output folder: the
plan file's plans (embedded and full), each report with its summary, headline,
package version and date.

Examples
--------
>>> commit_date(paths.project_root(), "unknown")
'date unknown'
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path


from refugeestudy import paths
from refugeestudy._atomic import atomic_write_text

__all__ = ["TEMPLATES", "commit_date", "render_report", "write_index"]

#: Folder of the templates shipped with the package.
TEMPLATES = Path(__file__).parent / "templates"

_PLAN_TEXT = {
    "embedded": ("Embedded plan: the curated report log, offline",
                 "Runs on a fresh machine from the data committed in data/raw (make reports)."),
    "full": ("Full plan: with UCDP GED and UNHCR",
             "Needs the fetched sources: refugeestudy fetch, then refugeestudy build and "
             "refugeestudy run --plan full."),
}


def commit_date(root: str | Path, commit: str) -> str:
    """Return the commit's date (``YYYY-MM-DD``) from git, noting uncommitted changes.

    Examples
    --------
    >>> commit_date(".", "unknown")
    'date unknown'
    """
    plain = commit.removesuffix("-dirty")
    if plain in ("", "unknown"):
        return "date unknown"
    try:
        date = subprocess.run(["git", "show", "-s", "--format=%cs", plain], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "date unknown"
    return date + (" (with uncommitted changes)" if commit.endswith("-dirty") else "")


def _title_and_intro(nb) -> tuple[str, str, int | None]:
    """The first Markdown cell's heading and the rest of that cell; its index."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.strip().splitlines()
        if lines and lines[0].startswith("# "):
            return lines[0][2:].strip(), "\n".join(lines[1:]).strip(), index
        return "", "", None
    return "", "", None


def _sources(results: dict) -> list[dict]:
    sources = results.get("data_sources") or {}
    if sources:
        return [sources[name] for name in sorted(sources)]
    inputs = results.get("provenance", {}).get("inputs", {})
    return [{"title": path, "version": f"file SHA-256 {digest[:12]}", "licence": "see the source",
             "url": None} for path, digest in sorted(inputs.items())]


def _report_context(nb, results: dict, root: Path, index_href: str) -> dict:
    provenance = results.get("provenance", {})
    commit = provenance.get("git_commit", "unknown")
    title, intro, _ = _title_and_intro(nb)
    return {
        "title": title or provenance.get("notebook", "report"),
        "intro": intro,
        "question": results.get("summary", ""),
        "findings": results.get("findings") or results.get("headline", ""),
        "sources": _sources(results),
        "package_version": provenance.get("package_version", "unknown"),
        "commit": commit,
        "commit_short": commit.removesuffix("-dirty")[:12] + ("-dirty" if commit.endswith("-dirty") else ""),
        "date": commit_date(root, commit),
        "parameters": [(k, json.dumps(v, ensure_ascii=False)) for k, v in
                       sorted(provenance.get("parameters", {}).items())],
        "inputs": sorted(provenance.get("inputs", {}).items()),
        "index_href": index_href,
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
    }


def render_report(notebook: str | Path, target: str | Path, results: dict,
                  root: str | Path | None = None, index_href: str = "../index.html") -> Path:
    """Render an executed notebook to HTML with the report template (code hidden).

    Parameters
    ----------
    notebook : str or Path
        The executed, normalised notebook.
    target : str or Path
        The HTML file to write (atomically).
    results : dict
        The report's ``results.json`` content, with its ``provenance`` and ``summary``.
    root : str or Path, optional
        The project root (for the commit date); default :func:`refugeestudy.paths.project_root`.
    index_href : str
        Link to the plan's index page, relative to the report.

    Returns
    -------
    Path
        ``target``.
    """
    import nbformat

    root = Path(root) if root is not None else paths.project_root()
    nb = nbformat.read(str(notebook), as_version=4)
    report = _report_context(nb, results, root, index_href)
    _, _, heading = _title_and_intro(nb)
    if heading is not None:
        nb.cells.pop(heading)  # shown in the title block instead
    nb.metadata["title"] = report["title"]
    body, _ = _exporter().from_notebook_node(nb, resources={"report": report})
    atomic_write_text(Path(target), body)
    return Path(target)


@functools.lru_cache(maxsize=1)
def _exporter():
    """The report template's HTML exporter, made once per process (its templates compile once)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="refugeestudy", extra_template_basedirs=[str(TEMPLATES)],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def _plan_reports(plan, index_folder: Path, git_root: Path) -> list[dict]:
    output = plan.output_root
    rows = []
    for name, item in plan.reports.items():
        folder = output / name
        results_path = folder / "results.json"
        results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
        provenance = results.get("provenance", {})
        html = folder / f"{name}.html"
        rows.append({
            "name": name,
            "href": Path(_relative(html, index_folder)).as_posix() if html.exists() else None,
            "summary": str(item.get("summary", "")),
            "headline": results.get("headline", ""),
            "version": provenance.get("package_version", ""),
            "date": commit_date(git_root, provenance["git_commit"]) if provenance.get("git_commit") else "",
        })
    return rows


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path, start)


def write_index(plan_file: str | Path, git_root: str | Path | None = None) -> list[Path]:
    """Write ``index.html`` into every plan's output folder, listing the reports of all plans.

    ``git_root`` is where git is asked for the commits' dates (default: the
    project root). The plans are read with :func:`refugeestudy.pipeline.plan.read_plans`,
    so an index is only ever written inside ``reports/``.

    Returns
    -------
    list of Path
        The index pages written, the first plan's first.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from refugeestudy.pipeline.plan import read_plans

    plans = read_plans(plan_file)  # outputs resolved and confined to reports/
    git_root = (Path(git_root) if git_root is not None
                else next(iter(plans.values())).root if plans else Path(plan_file).parent)
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                              autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    template = environment.get_template("index_page.html.j2")
    written = []
    for plan in plans.values():
        folder = plan.output_root
        if not folder.is_dir():
            continue
        sections = []
        for name, other in plans.items():
            title, note = _PLAN_TEXT.get(name, (f"Plan {name}", ""))
            sections.append({"title": title, "note": note,
                             "reports": _plan_reports(other, folder, git_root)})
        target = folder / "index.html"
        atomic_write_text(target, template.render(plans=sections))
        written.append(target)
    return written
