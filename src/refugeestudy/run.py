"""Run the report plan: papermill notebooks → ``reports/<name>/``, cached, in parallel.

The run plan (``reports.yml``) names each report's notebook, parameters, input
files and a one-line summary, grouped in plans: ``embedded`` runs on the data
committed in ``data/raw`` (offline, the default); ``full`` also needs the
fetched sources (``refugeestudy fetch``).

For each report :func:`run_reports`:

1. checks its parameters against the notebook's ``parameters`` cell before any
   kernel starts (:mod:`refugeestudy.params`);
2. skips it when nothing changed: the cache key hashes the notebook, the
   parameters, every input file, the package version and its source code;
3. executes it with papermill in a staging folder (the working directory of
   the kernel), with a per-cell timeout;
4. normalises the executed notebook (no timestamps, no machine paths), adds
   provenance to ``results.json``, renders HTML without code
   (:func:`refugeestudy.render.render_report`);
5. swaps the staging folder in place of the previous report — or, on failure,
   keeps the failed notebook as ``<name>.failed.ipynb`` beside the untouched
   previous report and names the failing cell.


:func:`refugeestudy.render.write_index` then links every report of both plans.
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError
import concurrent.futures as futures
import glob
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from refugeestudy import __version__, paths, render
from refugeestudy._atomic import atomic_write_bytes, atomic_write_text, replace_directory
from refugeestudy._hashing import package_fingerprint, sha256_file
from refugeestudy.params import check_parameters, declared_parameters
from refugeestudy.report import git_commit, provenance, to_json

__all__ = ["ReportSpec", "RunOutcome", "PlanError", "load_plan", "run_reports"]

DEFAULT_CELL_TIMEOUT = 600
# The kernel's own log (its "running over TCP without encryption" warning for a local kernel,
# "KeyboardInterrupt caught" at shutdown) is noise in the console; cell errors are in the notebook.
_QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
_CACHE_FOLDER = ".runcache"


class PlanError(RefugeestudyError, ValueError):
    """The run plan is malformed, names an unknown report, or a parameter is wrong."""


@dataclass(frozen=True)
class ReportSpec:
    """One report of the plan: a notebook and its parameters.

    Attributes
    ----------
    name : str
        Folder name under the plan's output folder, e.g. ``01-data-audit``.
    notebook : Path
        Absolute path of the notebook.
    parameters : dict
        Values checked against the notebook's declared parameters.
    inputs : tuple of str
        Glob patterns, relative to the project root, of the files it reads.
    summary : str
        One line for the index.
    output_root : Path
        The plan's output folder (``reports`` or ``reports/full``).
    """

    name: str
    notebook: Path
    parameters: dict
    inputs: tuple[str, ...]
    summary: str
    output_root: Path

    @property
    def output(self) -> Path:
        """The report's folder."""
        return self.output_root / self.name


@dataclass
class RunOutcome:
    """What happened to one report: ``ran``, ``skipped`` or ``failed``."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""
    outputs: list[str] = field(default_factory=list)
    cell_seconds: float = 0.0  # time the notebook's own cells took (papermill's timing)


def load_plan(plan_file: str | Path, plan: str = "embedded",
              names: list[str] | None = None) -> list[ReportSpec]:
    """Read one plan of the run-plan file and check every report's parameters.

    Parameters
    ----------
    plan_file : str or Path
        The YAML run plan (``reports.yml``).
    plan : str
        Which plan: ``embedded`` or ``full``.
    names : list of str, optional
        Run only these reports.

    Raises
    ------
    PlanError
        Unknown plan or report name, a missing notebook, or a parameter the
        notebook does not declare, of the wrong type or out of range.

    Examples
    --------
    >>> specs = load_plan(paths.project_root() / "reports.yml")
    >>> specs[0].name
    '01-data-audit'
    """
    plan_file = Path(plan_file)
    root = plan_file.parent
    document = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    plans = document.get("plans", {})
    if plan not in plans:
        raise PlanError(f"{plan_file}: no plan {plan!r}; plans: {', '.join(plans)}")
    entry = plans[plan]
    reports = entry["reports"]
    unknown = sorted(set(names or []) - set(reports))
    if unknown:
        raise PlanError(f"unknown report(s) {', '.join(unknown)}; plan {plan!r} has: "
                        f"{', '.join(reports)}")
    specs = []
    for name, item in reports.items():
        if names and name not in names:
            continue
        notebook = root / item["notebook"]
        if not notebook.is_file():
            raise PlanError(f"{plan_file}: report {name!r}: notebook {item['notebook']} not found")
        try:
            values = check_parameters(declared_parameters(notebook), item.get("parameters") or {})
        except ValueError as exc:
            raise PlanError(f"{plan_file}: report {name!r}: {exc}") from None
        specs.append(ReportSpec(name, notebook, values, tuple(item.get("inputs", ())),
                                str(item.get("summary", "")), root / entry["output"]))
    return specs


def _input_files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file())
    return sorted(found)


def _cache_key(spec: ReportSpec, inputs: list[Path], fingerprint: str) -> str:
    digest = hashlib.sha256()
    digest.update(sha256_file(spec.notebook).encode())
    digest.update(json.dumps(spec.parameters, sort_keys=True, default=str).encode())
    for path in inputs:
        digest.update(path.name.encode())
        digest.update(sha256_file(path).encode())
    digest.update(__version__.encode())
    digest.update(fingerprint.encode())
    return digest.hexdigest()


def _cache_file(spec: ReportSpec) -> Path:
    return spec.output_root / _CACHE_FOLDER / f"{spec.name}.key"


def _scrub(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def _normalise_notebook(path: Path, root: Path, parameters: dict) -> float:
    """Drop timestamps and machine paths from an executed notebook.

    Returns the seconds its cells took to execute, read from papermill's
    timings before they are dropped.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["papermill"] = {"parameters": parameters}
    cell_seconds = 0.0
    for number, cell in enumerate(nb.cells):
        cell_seconds += float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{number}"  # papermill gives its injected cell a random id
    replacements = {str(root): "<project>", sys.prefix: "<venv>", str(Path.home()): "~"}
    text = _scrub(nbformat.writes(nb), replacements)
    atomic_write_text(path, text)
    return cell_seconds


def _failing_cell(executed: Path) -> tuple[int, str] | None:
    """Index, in the source notebook, and first line of the cell that raised.

    papermill's own index counts the cell it injects (and the error banners it
    adds): those are left out here, so the index is the one a reader sees in
    the notebook they edit.
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    added = {"injected-parameters", "papermill-error-cell-tag"}
    source_cells = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]
    for index, cell in enumerate(source_cells):
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            return index, first_line.strip()[:60]
    return None


def _execute(spec: ReportSpec, root: Path, inputs: list[Path], cell_timeout: int,
             commit: str) -> RunOutcome:
    """Run one report in a staging folder; swap it in only if it succeeded."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    staging = spec.output_root / ".staging" / spec.name
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    executed = staging / f"{spec.name}.ipynb"
    try:
        papermill.execute_notebook(
            str(spec.notebook), str(executed), parameters=spec.parameters, cwd=str(staging),
            kernel_name="python3", execution_timeout=cell_timeout, progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,
            extra_arguments=_QUIET_KERNEL,
        )
    except PapermillExecutionError as exc:
        failed = spec.output_root / f"{spec.name}.failed.ipynb"
        where = f"cell {exc.cell_index}"
        if executed.exists():
            located = _failing_cell(executed)
            if located is not None:
                where = f"cell {located[0]} `{located[1]}`"
            _normalise_notebook(executed, root, spec.parameters)
            shutil.move(executed, failed)
        shutil.rmtree(staging, ignore_errors=True)
        return RunOutcome(spec.name, "failed", time.perf_counter() - started,
                          f"{where} (execution count {exc.exec_count}) raised "
                          f"{exc.ename}: {exc.evalue}; failed notebook kept as "
                          f"{failed.relative_to(root)}, previous report left untouched")
    except Exception as exc:  # kernel died, timeout, ...
        shutil.rmtree(staging, ignore_errors=True)
        return RunOutcome(spec.name, "failed", time.perf_counter() - started,
                          f"{type(exc).__name__}: {exc}; previous report left untouched")
    cell_seconds = _normalise_notebook(executed, root, spec.parameters)
    results_path = staging / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["provenance"] = provenance(root, spec.notebook, spec.parameters, inputs,
                                       __version__, commit)
    results.setdefault("summary", spec.summary)
    atomic_write_text(results_path, to_json(results))
    render.render_report(executed, staging / f"{spec.name}.html", results, root)
    outputs = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    replace_directory(staging, spec.output)
    return RunOutcome(spec.name, "ran", time.perf_counter() - started, outputs=outputs,
                      cell_seconds=cell_seconds)


def run_reports(
    specs: list[ReportSpec],
    *,
    force: bool = False,
    jobs: int | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    on_event=None,
) -> list[RunOutcome]:
    """Run (or skip) each report; return what happened to each.

    Parameters
    ----------
    specs : list of ReportSpec
        From :func:`load_plan`.
    force : bool
        Run even when the cache says nothing changed.
    jobs : int, optional
        Reports run at once (default: the number of cores).
    cell_timeout : int
        Seconds a cell may run before the report fails.
    on_event : callable, optional
        Called as ``on_event(kind, name, outcome_or_None)`` with kind
        ``"skip"``, ``"start"`` or ``"done"``, for progress display.
    """
    on_event = on_event or (lambda *args: None)
    root = paths.project_root()
    fingerprint = package_fingerprint()
    commit = git_commit(root)
    outcomes: dict[str, RunOutcome] = {}
    pending = []
    for spec in specs:
        inputs = _input_files(root, spec.inputs)
        key = _cache_key(spec, inputs, fingerprint)
        cache = _cache_file(spec)
        if not force and spec.output.exists() and cache.exists() and cache.read_text() == key:
            outcomes[spec.name] = RunOutcome(spec.name, "skipped", message="up to date")
            on_event("skip", spec.name, outcomes[spec.name])
        else:
            pending.append((spec, inputs, key))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        running = {}
        for spec, inputs, key in pending:
            on_event("start", spec.name, None)
            future = pool.submit(_execute, spec, root, inputs, cell_timeout, commit)
            running[future] = (spec, key)
        for future in futures.as_completed(running):
            spec, key = running[future]
            outcome = future.result()
            if outcome.status == "ran":
                atomic_write_bytes(_cache_file(spec), key.encode())
            outcomes[spec.name] = outcome
            on_event("done", spec.name, outcome)
    for output_root in sorted({spec.output_root for spec in specs}):
        shutil.rmtree(output_root / ".staging", ignore_errors=True)
    return [outcomes[spec.name] for spec in specs]
