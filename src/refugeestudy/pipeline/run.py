"""Run the report plan: papermill notebooks → ``reports/<name>/``, cached, in parallel.

The run plan (``reports.yml``, read and confined by :mod:`refugeestudy.pipeline.plan`)
names each report's notebook, parameters, input files and a one-line summary,
grouped in plans: ``embedded`` runs on the data committed in ``data/raw``
(offline, the default); ``full`` also needs the fetched sources
(``refugeestudy fetch``). Each plan reads its own built tables,
``data/processed/<plan>/``: an input written ``data/processed/<file>`` in the
plan means that plan's folder, and every kernel is told the plan in
``REFUGEESTUDY_PLAN`` (:func:`refugeestudy.paths.processed_dir`).

:func:`run_reports`:

1. refuses to start when another run writes the same output folder (a lock
   file, ``<output>/.run.lock``), when an input is missing (naming the command
   that makes it, usually ``refugeestudy build --plan <plan>``) or when the
   plan's built tables lack a source the plan ``requires``: a report never
   degrades to an empty "source not available" version of itself;
2. skips a report when nothing changed: the cache key hashes the notebook, the
   parameters, every input file, the package version and its source code, and
   the report folder still holds exactly the files the runner wrote (their
   SHA-256 are recorded in ``<output>/.runcache/<name>.json``): a report
   whose outputs changed behind its back runs again, never "up to date";
3. executes the others with papermill in a staging folder of this run
   (``<output>/.staging-<random>/``, removed on every exit path), with a
   per-cell timeout, in worker processes that die with the runner
   (:func:`refugeestudy.pipeline._locking.die_with_parent`); on Linux each
   report's kernel is forked by one kernel server that has already imported
   ipykernel, pandas and matplotlib (:mod:`refugeestudy.pipeline.kernel_server`);
4. normalises the executed notebook (no timestamps, no machine paths), adds
   provenance to ``results.json`` (in the worker), then renders HTML without
   code in one renderer process while the workers go on to the next notebooks
   (:func:`refugeestudy.pipeline.render.render_report`);
5. swaps the staged folder in place of the previous report (the runner does
   this, never a worker) and removes an older ``<name>.failed.ipynb``; on
   failure, keeps the failed notebook as ``<name>.failed.ipynb`` beside the
   untouched previous report and names the failing cell.

:func:`refugeestudy.pipeline.render.write_index` then links every report of both plans.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from refugeestudy import __version__, paths
from refugeestudy.pipeline import kernel_server, render
from refugeestudy._atomic import atomic_write_text, make_temp_dir, replace_directory
from refugeestudy._hashing import package_fingerprint, sha256_file
from refugeestudy.pipeline._locking import die_with_parent, hold_lock, kill_tree
from refugeestudy.errors import RefugeestudyError
from refugeestudy.pipeline.params import ParameterError, check_parameters, declared_parameters
from refugeestudy.pipeline.plan import PlanError, read_plans
from refugeestudy.pipeline.report import RUN_STAGING_MARK as _STAGING_MARK
from refugeestudy.pipeline.report import git_commit, provenance, to_json

__all__ = ["ReportSpec", "RunOutcome", "PlanError", "MissingInput", "load_plan", "run_reports"]

DEFAULT_CELL_TIMEOUT = 600
#: ``PYTHONHASHSEED`` of every report kernel (see :func:`_execute`): byte-identical reports.
KERNEL_HASH_SEED = "0"
# The kernel's own log (its "running over TCP without encryption" warning for a local kernel,
# "KeyboardInterrupt caught" at shutdown) is noise in the console; cell errors are in the notebook.
_QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
_CACHE_FOLDER = ".runcache"
_STAGING_PREFIX = ".staging-"
_LOCK_NAME = ".run.lock"
_PROCESSED = "data/processed/"
#: Optional modules a worker never imports (see :func:`_worker_init`).
_NOT_IN_WORKERS = ("rfc3987_syntax", "pyarrow.fs")
#: Parameter pairs that must come in order (first ≤ second) when a report declares both.
ORDERED_PARAMETERS = (("start", "end"), ("first_year", "last_year"))


class MissingInput(RefugeestudyError, FileNotFoundError):
    """A report's input (a built table, a raw file, a required source) is not there.

    Examples
    --------
    >>> MissingInput("data/processed/full has not been built",
    ...              hint="run: refugeestudy build --plan full").hint
    'run: refugeestudy build --plan full'
    """


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
        Glob patterns, relative to the project root, of the files it reads
        (``data/processed/...`` already mapped to the plan's folder).
    summary : str
        One line for the index.
    output_root : Path
        The plan's output folder (``reports`` or ``reports/full``).
    plan : str
        The plan's name; its tables are in ``data/processed/<plan>``.
    requires : tuple of str
        Sources the plan's built tables must hold.
    """

    name: str
    notebook: Path
    parameters: dict
    inputs: tuple[str, ...]
    summary: str
    output_root: Path
    plan: str = "embedded"
    requires: tuple[str, ...] = ()

    @property
    def output(self) -> Path:
        """The report's folder."""
        return self.output_root / self.name

    @property
    def processed_dir(self) -> Path:
        """The plan's built tables, ``<root>/data/processed/<plan>``."""
        return paths.project_root() / "data" / "processed" / self.plan


@dataclass
class RunOutcome:
    """What happened to one report: ``ran``, ``skipped`` or ``failed``."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""
    outputs: list[str] = field(default_factory=list)
    cell_seconds: float = 0.0  # time the notebook's own cells took (papermill's timing)


def _plan_input(pattern: str, plan: str, plans: set[str] = frozenset()) -> str:
    """``data/processed/x`` → ``data/processed/<plan>/x`` (a plan reads its own tables).

    A pattern that already names a plan's folder (``data/processed/full/x``) is kept.

    Examples
    --------
    >>> _plan_input("data/processed/violence_events.parquet", "full", {"embedded", "full"})
    'data/processed/full/violence_events.parquet'
    >>> _plan_input("data/processed/embedded/key_events.parquet", "full", {"embedded", "full"})
    'data/processed/embedded/key_events.parquet'
    """
    if not pattern.startswith(_PROCESSED):
        return pattern
    rest = pattern[len(_PROCESSED):]
    if rest.split("/", 1)[0] in {plan, *plans} and "/" in rest:
        return pattern
    return f"{_PROCESSED}{plan}/{rest}"


def _check_order(values: dict) -> None:
    for first, second in ORDERED_PARAMETERS:
        a, b = values.get(first), values.get(second)
        if a is None or b is None:
            continue
        try:
            ordered = (dt.date.fromisoformat(a) <= dt.date.fromisoformat(b)
                       if isinstance(a, str) else a <= b)
        except (TypeError, ValueError):
            continue  # each value's own check names a malformed one
        if not ordered:
            raise ParameterError(f"parameter {first!r} ({a}) is after {second!r} ({b})")


def load_plan(plan_file: str | Path, plan: str = "embedded",
              names: list[str] | None = None) -> list[ReportSpec]:
    """Read one plan of the run-plan file and check every report's parameters.

    Parameters
    ----------
    plan_file : str or Path
        The YAML run plan (``reports.yml``); relative to the working folder.
    plan : str
        Which plan: ``embedded`` or ``full``.
    names : list of str or str, optional
        Run only these reports (one name may be given as a string).

    Raises
    ------
    PlanError
        A malformed or unconfined plan (:func:`refugeestudy.pipeline.plan.read_plans`),
        an unknown plan or report name, or a parameter the notebook does not
        declare, of the wrong type, out of range, or out of order (``start``
        after ``end``).

    Examples
    --------
    >>> specs = load_plan(paths.project_root() / "reports.yml")
    >>> specs[0].name
    '01-data-audit'
    """
    plans = read_plans(plan_file)
    plan_file = Path(plan_file).resolve()
    names = [names] if isinstance(names, str) else names  # one report's name, never its letters
    if plan not in plans:
        raise PlanError(f"{plan_file}: no plan {plan!r}; plans: {', '.join(plans)}",
                        hint="choose one with --plan")
    entry = plans[plan]
    unknown = sorted(set(names or []) - set(entry.reports))
    if unknown:
        raise PlanError(f"unknown report(s) {', '.join(unknown)}; plan {plan!r} has: "
                        f"{', '.join(entry.reports)}", hint="name reports of the plan, or none")
    specs = []
    for name, item in entry.reports.items():
        if names and name not in names:
            continue
        try:
            values = check_parameters(declared_parameters(item["notebook"]), item["parameters"])
            _check_order(values)
        except (ValueError, OSError) as exc:
            raise PlanError(f"{plan_file}: report {name!r}: {exc}",
                            hint="fix the report's parameters in the plan (the notebook's "
                                 "parameters cell declares each one)") from None
        specs.append(ReportSpec(name, item["notebook"], values,
                                tuple(_plan_input(p, plan, set(plans)) for p in item["inputs"]),
                                item["summary"], entry.output_root, plan, entry.requires))
    return specs


def _input_files(root: Path, spec: ReportSpec) -> list[Path]:
    """The files a report reads; each pattern must match at least one.

    Raises
    ------
    MissingInput
        Naming the pattern and the command that makes it.
    """
    found: set[Path] = set()
    for pattern in spec.inputs:
        matches = {Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file()}
        if not matches:
            if pattern.startswith(f"{_PROCESSED}{spec.plan}/"):
                hint = f"build the plan's tables first: refugeestudy build --plan {spec.plan}"
            else:
                hint = "restore the file (git status shows a deleted one) or fix `inputs` in the plan"
            raise MissingInput(f"report {spec.name!r}: input {pattern} not found", hint=hint)
        found.update(matches)
    return sorted(found)


def _check_required_sources(spec: ReportSpec) -> None:
    """Refuse a plan whose built tables lack a source it requires."""
    if not spec.requires:
        return
    folder = spec.processed_dir
    shown = f"{_PROCESSED}{spec.plan}"
    build = f"refugeestudy build --plan {spec.plan}"
    try:
        manifest = json.loads((folder / paths.MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingInput(f"plan {spec.plan!r}: {shown} has not been built",
                           hint=f"run: {build}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MissingInput(f"plan {spec.plan!r}: {shown}/{paths.MANIFEST_NAME} is damaged",
                           hint=f"rebuild: {build} --force") from None
    held = {item.get("source") for item in manifest.get("inputs", [])
            if item.get("rows_kept", 0) > 0}
    held |= {item.get("source") for item in manifest.get("lookups", [])}  # read by derived tables
    for source in spec.requires:
        if source not in held:
            fetch = "" if source == "reports" else f"refugeestudy fetch {source} (or --mirror DIR), then "
            raise MissingInput(f"plan {spec.plan!r} requires source {source!r}, which {shown} "
                               "does not hold", hint=f"{fetch}{build}")


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
    return spec.output_root / _CACHE_FOLDER / f"{spec.name}.json"


def _output_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a report folder, by path relative to it."""
    return {p.relative_to(folder).as_posix(): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _record_run(spec: ReportSpec, key: str) -> None:
    """Remember the cache key and a hash of every output the runner just swapped in."""
    record = {"key": key, "outputs": _output_hashes(spec.output)}
    atomic_write_text(_cache_file(spec), json.dumps(record, indent=1, sort_keys=True) + "\n")


def _stale_reason(spec: ReportSpec, key: str) -> str | None:
    """Why a report must run again, or None when it is up to date.

    Up to date means: the cache key (notebook, parameters, inputs, package) is
    the recorded one *and* the report folder holds exactly the files the
    runner wrote, byte for byte. A file edited, added or removed behind the
    runner's back (a notebook run by hand into the folder, a stray edit) is
    named in the reason.
    """
    try:
        record = json.loads(_cache_file(spec).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return "never run here"
    if not isinstance(record, dict) or record.get("key") != key:
        return "its notebook, parameters, inputs or the package changed"
    if not spec.output.is_dir():
        return "its folder is missing"
    recorded, found = record.get("outputs") or {}, _output_hashes(spec.output)
    changed = sorted(name for name in recorded.keys() | found.keys()
                     if recorded.get(name) != found.get(name))
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        return (f"its outputs changed since the runner wrote them ({', '.join(changed[:3])}{more}); "
                "running it again")
    return None


def _failed_file(spec: ReportSpec) -> Path:
    return spec.output_root / f"{spec.name}.failed.ipynb"


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


def _failing_cell(executed: Path, timeout: float | None = None) -> tuple[int, str] | None:
    """Index, in the source notebook, and first line of the cell that raised or timed out.

    papermill's own index counts the cell it injects (and the error banners it
    adds): those are left out here, so the index is the one a reader sees in
    the notebook they edit. With ``timeout`` set, the cell is the one that ran
    that long (a cell stopped by the timeout has no error output).
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    added = {"injected-parameters", "papermill-error-cell-tag"}
    source_cells = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]

    def failed(cell) -> bool:
        if timeout is not None:
            duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
            return float(duration) >= 0.9 * timeout
        return any(output.get("output_type") == "error" for output in cell.get("outputs", []))

    for index, cell in enumerate(source_cells):
        if failed(cell):
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            return index, first_line.strip()[:60]
    return None


def _describe_failure(exc: Exception, executed: Path, cell_timeout: int) -> str:
    """What went wrong, naming the cell (as the source notebook counts it) where one is to blame.

    An executed notebook that cannot be read (cut short by a full disk) is removed: there is
    nothing to keep as ``<name>.failed.ipynb``.
    """
    from papermill.exceptions import PapermillExecutionError

    timed_out = type(exc).__name__ == "CellTimeoutError"
    try:
        located = (_failing_cell(executed, cell_timeout if timed_out else None)
                   if executed.exists() else None)
    except Exception:  # noqa: BLE001 - a notebook cut short: nothing to keep
        located = None
        executed.unlink(missing_ok=True)
    if isinstance(exc, PapermillExecutionError):
        where = f"cell {located[0]} `{located[1]}`" if located else f"cell {exc.cell_index}"
        return f"{where} (execution count {exc.exec_count}) raised {exc.ename}: {exc.evalue}"
    if timed_out:
        where = f"cell {located[0]} `{located[1]}`" if located else "a cell"
        return f"{where} did not finish within the cell timeout of {cell_timeout} s"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _worker_init(parent_pid: int) -> None:
    """First thing in a worker (or the renderer) process: die with the runner (see :func:`die_with_parent`).

    Also keeps two optional imports out of the worker, which needs neither:
    ``rfc3987_syntax``, which jsonschema (through nbformat, which papermill and nbconvert
    import) loads when it is installed (a JupyterLab dependency) and which compiles a grammar on
    import, over a second of CPU per worker, for IRI formats that no notebook schema uses; and
    ``pyarrow.fs``, which papermill imports for HDFS paths (pyarrow and numpy with it, 0.1 s of
    CPU per worker); the worker reads and writes only local files.
    """
    for optional in _NOT_IN_WORKERS:
        sys.modules.setdefault(optional, None)
    die_with_parent(parent_pid)


@contextlib.contextmanager
def _kernel_settings(kernel_server: str | None = None):
    """How one report's kernel is started and reached: papermill's keyword arguments.

    The kernel talks over Unix sockets in a folder of its own. By default
    jupyter_client gives a kernel TCP ports that it found free by binding and
    releasing them; two workers starting kernels at the same moment can be
    handed the same port, and one kernel then dies before it starts
    (``Address already in use``: seen once in a cold ``make bench`` on 2
    cores). Sockets that are files in a new folder per kernel cannot collide,
    and nothing listens on the network. ZeroMQ has no such transport on
    Windows, where the kernel keeps TCP. The folder is removed afterwards.

    With ``kernel_server`` (the runner's :mod:`~refugeestudy.pipeline.kernel_server`), the
    kernel is forked by that server (:class:`~refugeestudy.pipeline.kernels.PreloadedKernelManager`).

    Yields
    ------
    dict
        Keyword arguments for ``papermill.execute_notebook``: its ``config`` (handed to the
        kernel manager) and ``kernel_manager_class``; empty on Windows without a server.

    Examples
    --------
    >>> with _kernel_settings("/tmp/server") as settings:
    ...     config = settings["config"]
    ...     (os.name == "nt" or config.KernelManager.transport == "ipc",
    ...      config.PreloadedKernelManager.kernel_server, settings["kernel_manager_class"].__name__)
    (True, '/tmp/server', 'PreloadedKernelManager')
    """
    from traitlets.config import Config

    settings: dict = {}
    if kernel_server:
        from refugeestudy.pipeline.kernels import PreloadedKernelManager

        settings = {"config": Config({"PreloadedKernelManager": {"kernel_server": kernel_server}}),
                    "kernel_manager_class": PreloadedKernelManager}
    if os.name == "nt":
        yield settings
        return
    # A short absolute path: a Unix socket's path must stay under about 100 bytes.
    with tempfile.TemporaryDirectory(prefix="refugeestudy-kernel-") as folder:
        config = settings.setdefault("config", Config())
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(folder, "kernel")
        yield settings


def _execute(spec: ReportSpec, root: Path, staging: Path, inputs: list[Path], cell_timeout: int,
             commit: str, kernel_server: str | None = None) -> RunOutcome:
    """Run one report into ``staging/<name>`` (in a worker); the runner swaps it in.

    On failure the executed notebook is left as ``staging/<name>.failed.ipynb``.
    ``kernel_server``: the address of the runner's kernel server, if it has one.
    """
    import papermill

    from refugeestudy.pipeline.engine import ENGINE_NAME

    os.environ[paths.PLAN_VARIABLE] = spec.plan  # the kernel reads data/processed/<plan>
    # A fixed string-hash seed: set and dict-of-set iteration orders (inside pyfixest's fixed-effect
    # handling, for one) then never change the order of floating-point sums, so the panel's
    # estimates are the same to the last bit on every run (they moved by up to 5e-8 relative).
    os.environ["PYTHONHASHSEED"] = KERNEL_HASH_SEED
    started = time.perf_counter()
    folder = staging / spec.name
    folder.mkdir()
    executed = folder / f"{spec.name}.ipynb"
    failed = _failed_file(spec)
    kept = f"failed notebook kept as {failed.relative_to(root)}, previous report left untouched"
    try:
        with _kernel_settings(kernel_server) as settings:
            papermill.execute_notebook(
                str(spec.notebook), str(executed), parameters=spec.parameters, cwd=str(folder),
                engine_name=ENGINE_NAME,  # written once it ends (kept on a timeout too), not per cell
                kernel_name="python3", execution_timeout=cell_timeout, progress_bar=False,
                log_output=False, request_save_on_cell_execute=True,
                shutdown_kernel="immediate",  # every cell has finished (or timed out): no waiting
                extra_arguments=_QUIET_KERNEL, **settings,
            )
    except Exception as exc:  # a cell raised, timed out, the kernel died, ...
        what = _describe_failure(exc, executed, cell_timeout)
        if executed.exists():
            _normalise_notebook(executed, root, spec.parameters)
            os.replace(executed, staging / f"{spec.name}.failed.ipynb")
            return RunOutcome(spec.name, "failed", time.perf_counter() - started,
                              f"{what}; {kept}")
        return RunOutcome(spec.name, "failed", time.perf_counter() - started,
                          f"{what}; previous report left untouched")
    cell_seconds = _normalise_notebook(executed, root, spec.parameters)
    results_path = folder / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["provenance"] = provenance(root, spec.notebook, spec.parameters, inputs,
                                       __version__, commit)
    results.setdefault("summary", spec.summary)
    atomic_write_text(results_path, to_json(results))
    outputs = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return RunOutcome(spec.name, "ran", time.perf_counter() - started, outputs=outputs,
                      cell_seconds=cell_seconds)


def _render(spec: ReportSpec, staging: Path, root: Path) -> float:
    """Render a report that ran into ``staging/<name>/<name>.html`` (in the renderer); seconds taken.

    One process renders every report, while the workers go on to the next
    notebooks: nbconvert is imported and its template compiled once (about a
    second of CPU) instead of once per worker.
    """
    started = time.perf_counter()
    folder = staging / spec.name
    results = json.loads((folder / "results.json").read_text())
    render.render_report(folder / f"{spec.name}.ipynb", folder / f"{spec.name}.html", results, root)
    return time.perf_counter() - started


def _remove_own_leftovers(output_root: Path) -> None:
    """Remove staging folders of earlier runs that were killed (each marked as a run's own)."""
    for folder in output_root.glob(f"{_STAGING_PREFIX}*"):
        if folder.is_dir() and (folder / _STAGING_MARK).is_file():
            shutil.rmtree(folder, ignore_errors=True)


def _settle(spec: ReportSpec, staging: Path, outcome: RunOutcome, key: str) -> RunOutcome:
    """In the runner: swap a finished report in, or keep the failed notebook beside the old one."""
    if outcome.status == "ran":
        replace_directory(staging / spec.name, spec.output)
        _record_run(spec, key)
        _failed_file(spec).unlink(missing_ok=True)
    else:
        failed = staging / f"{spec.name}.failed.ipynb"
        if failed.exists():
            os.replace(failed, _failed_file(spec))
    return outcome


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
        From :func:`load_plan` (one plan).
    force : bool
        Run even when the cache says nothing changed.
    jobs : int, optional
        Reports run at once (default: the number of cores).
    cell_timeout : int
        Seconds a cell may run before the report fails.
    on_event : callable, optional
        Called as ``on_event(kind, name, outcome_or_None)`` with kind
        ``"skip"``, ``"changed"`` (its outputs were changed behind the
        runner's back; the outcome's message names them), ``"start"`` or
        ``"done"``, for progress display.

    Raises
    ------
    LockedError
        Another run writes the same output folder (nothing was done).
    MissingInput
        An input is missing or the built tables lack a required source
        (nothing was done).

    Examples
    --------
    >>> outcomes = run_reports(load_plan("reports.yml"), jobs=2)  # doctest: +SKIP
    >>> {o.status for o in outcomes}  # doctest: +SKIP
    {'skipped'}
    """
    on_event = on_event or (lambda *args: None)
    if not specs:
        return []
    output_root = _output_root(specs)
    root = paths.project_root()
    with _run_locks(specs[0], root):
        _remove_own_leftovers(output_root)
        _check_output_folders(specs, root)
        _check_required_sources(specs[0])
        fingerprint = package_fingerprint()
        planned = [(spec, _input_files(root, spec)) for spec in specs]  # all checked before any runs
        outcomes, pending = _split_up_to_date(planned, fingerprint, force, on_event)
        if pending:
            outcomes.update(_run_staged(pending, output_root, root, jobs, cell_timeout, on_event))
    return [outcomes[spec.name] for spec in specs]


def _output_root(specs: list[ReportSpec]) -> Path:
    """The one output folder of the specs' plan, created if missing.

    Raises
    ------
    PlanError
        The specs come from more than one plan.
    """
    roots = {spec.output_root for spec in specs}
    if len(roots) != 1:
        raise PlanError("run_reports runs the reports of one plan at a time")
    (output_root,) = roots
    output_root.mkdir(parents=True, exist_ok=True)
    return output_root


@contextlib.contextmanager
def _run_locks(spec: ReportSpec, root: Path):
    """Hold the plan's output folder (no other run writes it) and its built tables (no build
    swaps them under a running report) for the length of the ``with`` block."""
    output_root = spec.output_root
    shown = output_root.relative_to(root).as_posix() if root in output_root.parents else output_root
    processed = spec.processed_dir
    with contextlib.ExitStack() as locks:
        locks.enter_context(hold_lock(output_root / _LOCK_NAME, f"run writing {shown}/"))
        if processed.parent.is_dir():
            locks.enter_context(hold_lock(processed.parent / f".{spec.plan}.lock",
                                          f"build of {_PROCESSED}{spec.plan}", shared=True))
        yield


def _check_output_folders(specs: list[ReportSpec], root: Path) -> None:
    """Refuse a report whose folder is a file or a symbolic link: the runner replaces only folders."""
    for spec in specs:
        if spec.output.is_symlink() or (spec.output.exists() and not spec.output.is_dir()):
            kind = "a symbolic link" if spec.output.is_symlink() else "a file"
            raise PlanError(f"report {spec.name!r}: {spec.output.relative_to(root)} is {kind}; "
                            "the runner replaces only the report folders it makes",
                            hint=f"move the {kind.split()[-1]} away")


def _run_staged(pending, output_root: Path, root: Path, jobs: int | None, cell_timeout: int,
                on_event) -> dict[str, RunOutcome]:
    """Run the pending reports in a staging folder of this run, removed on every exit path."""
    commit = git_commit(root)
    staging = make_temp_dir(_STAGING_PREFIX, output_root)
    try:
        (staging / _STAGING_MARK).touch()
        return _run_pending(pending, staging, root, commit, jobs, cell_timeout, on_event)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _split_up_to_date(planned, fingerprint: str, force: bool, on_event):
    """Skip the reports that are up to date; return their outcomes and the ``(spec, inputs, key)``
    of the others, saying which ones had their outputs changed behind the runner's back."""
    outcomes: dict[str, RunOutcome] = {}
    pending = []
    for spec, inputs in planned:
        key = _cache_key(spec, inputs, fingerprint)
        reason = "--force" if force else _stale_reason(spec, key)
        if reason is None:
            outcomes[spec.name] = RunOutcome(spec.name, "skipped", message="up to date")
            _failed_file(spec).unlink(missing_ok=True)
            on_event("skip", spec.name, outcomes[spec.name])
            continue
        if reason.startswith("its outputs changed"):
            on_event("changed", spec.name, RunOutcome(spec.name, "pending", message=reason))
        pending.append((spec, inputs, key))
    return outcomes, pending


def _most_figures_first(pending: list) -> list:
    """The pending reports, those that drew most figures at their last run first.

    Figures are most of a report's work (each is laid out, checked and drawn
    twice, as PNG and SVG), so starting the reports that draw most first keeps
    the workers busy to the end instead of leaving one waiting on a long report
    started last. Reports that never ran keep their plan order, after the others
    with figures. Only the order of the work changes, never what is written.

    Examples
    --------
    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folders = {name: Path(tmp, name) for name in ("01", "02", "03")}
    ...     for name, figures in (("02", 1), ("03", 2)):
    ...         (folders[name] / "figures").mkdir(parents=True)
    ...         for number in range(figures):
    ...             (folders[name] / "figures" / f"{number}.png").touch()
    ...     pending = [(SimpleNamespace(name=name, output=folder), [], "key")
    ...                for name, folder in folders.items()]
    ...     [spec.name for spec, _, _ in _most_figures_first(pending)]
    ['03', '02', '01']
    """
    def figures(item) -> int:
        folder = item[0].output / "figures"
        return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0

    return sorted(pending, key=lambda item: -figures(item))


def _run_pending(pending, staging: Path, root: Path, commit: str, jobs: int | None,
                 cell_timeout: int, on_event) -> dict[str, RunOutcome]:
    """Run the pending reports in worker processes; on an interrupt, stop every one of them.

    Ctrl-C, SIGTERM (turned into an exception by the command line) or any
    error here kills the workers and everything they started (notebook
    kernels, their joblib/loky or Dask workers) before the caller removes the
    staging folder, instead of waiting for the running notebooks to finish.
    """
    outcomes = {}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
    context = multiprocessing.get_context("spawn")
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(kernel_server.serving(KERNEL_HASH_SEED))
        address = server.address if server else None
        pools = [futures.ProcessPoolExecutor(max_workers=count, mp_context=context,
                                             initializer=_worker_init, initargs=(os.getpid(),))
                 for count in (jobs, 1)]
        workers, renderer = pools
        for pool in pools:  # stopped before the kernel server
            stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        try:
            running = {}  # future -> (spec, cache key, the worker's outcome once it is rendering)
            for spec, inputs, key in _most_figures_first(pending):
                on_event("start", spec.name, None)
                future = workers.submit(_execute, spec, root, staging, inputs, cell_timeout, commit,
                                        address)
                running[future] = (spec, key, None)
            while running:
                done, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
                for future in done:
                    spec, key, ran = running.pop(future)
                    outcome = _outcome(spec, future, ran)
                    if ran is None and outcome.status == "ran":
                        running[renderer.submit(_render, spec, staging, root)] = (spec, key, outcome)
                        continue
                    outcomes[spec.name] = _settle(spec, staging, outcome, key)
                    on_event("done", spec.name, outcome)
        except BaseException:
            processes = [pid for pool in pools for pid in getattr(pool, "_processes", None) or {}]
            kill_tree(processes + ([server.pid] if server else []))
            raise
    return outcomes


def _outcome(spec: ReportSpec, future: futures.Future, ran: RunOutcome | None) -> RunOutcome:
    """What a finished task says: a worker's outcome, or (``ran`` given) the report once rendered.

    A task that raised (a dead worker, a full disk...) is a failed report.
    """
    try:
        result = future.result()
    except futures.process.BrokenProcessPool as exc:
        return RunOutcome(spec.name, "failed", message=f"worker process died ({exc}); "
                          "previous report left untouched")
    except Exception as exc:  # noqa: BLE001 - e.g. a full disk while the worker wrote
        first = str(exc).splitlines()[0] if str(exc) else ""
        what = "rendering its HTML: " if ran else ""
        return RunOutcome(spec.name, "failed", message=f"{what}{type(exc).__name__}: {first}; "
                          "previous report left untouched")
    if ran is None:
        return result
    return dataclasses.replace(ran, seconds=ran.seconds + result,
                               outputs=sorted([*ran.outputs, f"{spec.name}.html"]))
