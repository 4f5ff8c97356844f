"""The run plan (``reports.yml``): read, checked and confined before anything runs.

A plan file holds named plans; each plan names its output folder, how its
tables are built, the sources it cannot do without, and its reports::

    plans:
      embedded:
        output: reports          # inside the project's reports/ folder
        build: log               # data/processed/embedded: the curated log only
        requires: [reports]      # sources the plan's tables must hold
        reports:
          01-data-audit:
            notebook: notebooks/01-data-audit.ipynb
            inputs: [data/raw/reports/figures.csv]
            parameters: {start: "2025-02-01"}

:func:`read_plans` refuses, with one line naming the plan file and the report,
everything that could make a run write where it should not or read what it
should not: names outside ``[0-9a-z][0-9a-z-]*`` (a report named ``../data``),
an ``output`` that resolves outside ``reports/`` (``/tmp/x``, ``../data``), a
report folder that is another plan's output folder, notebooks or inputs
outside the project, unknown keys (a misspelt ``paramters`` would otherwise
be ignored), invalid YAML, a missing file or section.

Paths in the plan are relative to the project root
(:func:`refugeestudy.paths.project_root`), wherever the plan file is.

Examples
--------
>>> from refugeestudy import paths
>>> plans = read_plans(paths.project_root() / "reports.yml")
>>> plans["full"].output_root.relative_to(paths.project_root()).as_posix()
'reports/full'
>>> plans["embedded"].processed_dir.name
'embedded'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from refugeestudy import paths
from refugeestudy.errors import RefugeestudyError

__all__ = ["NAME_PATTERN", "BUILD_KINDS", "PlanError", "Plan", "read_plans", "plan_file_default"]

#: Report and plan names: they become folder names, so nothing else is accepted.
NAME_PATTERN = re.compile(r"[0-9a-z][0-9a-z-]*\Z")
#: What a plan's tables are built from: the curated log only, or the log and every fetched source.
BUILD_KINDS = ("log", "fetched")
_PLAN_KEYS = {"output", "build", "requires", "reports"}
_REPORT_KEYS = {"notebook", "summary", "inputs", "parameters"}
_SOURCE_NAME = re.compile(r"[a-z0-9_]+\Z")
_HINT = "see the comment at the top of reports.yml for the plan's format"


class PlanError(RefugeestudyError, ValueError):
    """The run plan is malformed, names an unknown report, or a parameter is wrong."""


@dataclass(frozen=True)
class Plan:
    """One plan of the plan file, its paths resolved and confined.

    Attributes
    ----------
    name : str
    output_root : Path
        Resolved folder of its reports, inside ``<root>/reports``.
    build : str
        ``log`` or ``fetched`` (:data:`BUILD_KINDS`).
    requires : tuple of str
        Sources its built tables must hold (``reports``, ``ucdp_ged``, ...).
    reports : dict
        Report name → its entry (``notebook``, ``summary``, ``inputs``, ``parameters``).
    plan_file : Path
    root : Path
        The project root.

    Examples
    --------
    >>> Plan("full", Path("/p/reports/full"), "fetched", (), {}, root=Path("/p")).processed_dir
    PosixPath('/p/data/processed/full')
    """

    name: str
    output_root: Path
    build: str
    requires: tuple[str, ...]
    reports: dict = field(repr=False)
    plan_file: Path = Path("reports.yml")
    root: Path = Path(".")

    @property
    def processed_dir(self) -> Path:
        """``<root>/data/processed/<plan>``: the tables this plan's reports read."""
        return self.root / "data" / "processed" / self.name


def plan_file_default() -> Path:
    """``<root>/reports.yml``.

    Examples
    --------
    >>> plan_file_default().name
    'reports.yml'
    """
    return paths.project_root() / "reports.yml"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _load_yaml(plan_file: Path) -> dict:
    if not plan_file.is_file():
        raise PlanError(f"{plan_file}: no such run-plan file",
                        hint="run from the project root or pass --plan-file PATH")
    try:
        document = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanError(f"{plan_file}: not valid YAML{where}: {problem}", hint=_HINT) from None
    except UnicodeDecodeError as exc:
        raise PlanError(f"{plan_file}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                        hint=_HINT) from None
    if not isinstance(document, dict) or not isinstance(document.get("plans"), dict) \
            or not document["plans"]:
        raise PlanError(f"{plan_file}: expected a mapping `plans:` holding at least one plan",
                        hint=_HINT)
    return document


def _check_name(plan_file: Path, kind: str, name: object, where: str = "") -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise PlanError(f"{plan_file}: {where}{kind} name {name!r} is refused: names are folder "
                        "names, lower-case letters, digits and '-' (pattern "
                        "[0-9a-z][0-9a-z-]*)", hint=f"rename the {kind} in {plan_file.name}")
    return name


def _project_path(plan_file: Path, root: Path, where: str, key: str, value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f"{plan_file}: {where}: `{key}` must be a path relative to the project "
                        f"root, found {value!r}", hint=_HINT)
    path = (root / value).resolve()
    if not _inside(path, root):
        raise PlanError(f"{plan_file}: {where}: `{key}` {value!r} is outside the project "
                        f"({root})", hint="plans read and write inside the project only")
    return path


def _check_mapping(plan_file: Path, where: str, entry: object, expected: str, kind: str,
                   keys: frozenset | set) -> None:
    """Refuse an entry that is not a mapping, or that has keys a ``kind`` does not know."""
    if not isinstance(entry, dict):
        raise PlanError(f"{plan_file}: {where}: expected a mapping with {expected}, found "
                        f"{entry!r}", hint=_HINT)
    unknown = sorted(set(map(str, entry)) - keys)
    if unknown:
        raise PlanError(f"{plan_file}: {where}: unknown key(s) {', '.join(unknown)}; a {kind} "
                        f"has {', '.join(sorted(keys))}", hint=_HINT)


def _check_report(plan_file: Path, root: Path, plan: str, name: str, item: object) -> dict:
    """Check one report's entry; return its notebook path, inputs, parameters and summary.

    Examples
    --------
    >>> root = paths.project_root().resolve()
    >>> item = {"notebook": "notebooks/01-data-audit.ipynb", "parameters": {"start": "2025-02-01"}}
    >>> _check_report(root / "plan.yml", root, "x", "a", item)["parameters"]
    {'start': '2025-02-01'}
    """
    where = f"plan {plan!r}, report {name!r}"
    _check_mapping(plan_file, where, item, "`notebook:`", "report", _REPORT_KEYS)
    if "notebook" not in item:
        raise PlanError(f"{plan_file}: {where}: no `notebook:`", hint=_HINT)
    notebook = _project_path(plan_file, root, where, "notebook", item["notebook"])
    if not notebook.is_file():
        raise PlanError(f"{plan_file}: {where}: notebook {item['notebook']} not found",
                        hint="check the path (relative to the project root)")
    inputs = item.get("inputs") or []
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise PlanError(f"{plan_file}: {where}: `inputs` must be a list of paths or globs, "
                        f"found {inputs!r}", hint=_HINT)
    for pattern in inputs:
        _project_path(plan_file, root, where, "inputs", pattern)
    parameters = item.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise PlanError(f"{plan_file}: {where}: `parameters` must be a mapping, found "
                        f"{parameters!r}", hint=_HINT)
    summary = item.get("summary", "")
    if not isinstance(summary, str):
        raise PlanError(f"{plan_file}: {where}: `summary` must be text, found {summary!r}",
                        hint=_HINT)
    return {"notebook": notebook, "inputs": tuple(inputs), "parameters": parameters,
            "summary": summary}


def _check_plan(plan_file: Path, root: Path, plan_name: str, entry: object) -> Plan:
    """Check one plan's entry (name, output folder, build, requires, each report); return it.

    Examples
    --------
    >>> root = paths.project_root().resolve()
    >>> entry = {"output": "reports/x", "build": "log",
    ...          "reports": {"a": {"notebook": "notebooks/01-data-audit.ipynb"}}}
    >>> plan = _check_plan(root / "plan.yml", root, "x", entry)
    >>> plan.build, list(plan.reports)
    ('log', ['a'])
    """
    _check_name(plan_file, "plan", plan_name)
    where = f"plan {plan_name!r}"
    _check_mapping(plan_file, where, entry, "`output:` and `reports:`", "plan", _PLAN_KEYS)
    if "output" not in entry:
        raise PlanError(f"{plan_file}: {where}: no `output:` folder", hint=_HINT)
    output = _project_path(plan_file, root, where, "output", entry["output"])
    if not _inside(output, root / "reports"):
        raise PlanError(f"{plan_file}: {where}: output {entry['output']!r} is outside the "
                        "project's reports/ folder",
                        hint="a plan writes under reports/, e.g. `output: reports/full`")
    build = entry.get("build", "log")
    if build not in BUILD_KINDS:
        raise PlanError(f"{plan_file}: {where}: `build` must be one of "
                        f"{', '.join(BUILD_KINDS)}, found {build!r}", hint=_HINT)
    requires = entry.get("requires") or []
    if not isinstance(requires, list) or not all(
            isinstance(s, str) and _SOURCE_NAME.match(s) for s in requires):
        raise PlanError(f"{plan_file}: {where}: `requires` must be a list of source names "
                        f"(reports, ucdp_ged, ...), found {requires!r}", hint=_HINT)
    reports = entry.get("reports")
    if not isinstance(reports, dict) or not reports:
        raise PlanError(f"{plan_file}: {where}: no `reports:` (a mapping of report name to "
                        "its notebook and parameters)", hint=_HINT)
    checked = {}
    for name, item in reports.items():
        _check_name(plan_file, "report", name, f"{where}: ")
        checked[name] = _check_report(plan_file, root, plan_name, name, item)
    return Plan(plan_name, output, build, tuple(requires), checked, plan_file, root)


def _refuse_shared_folders(plan_file: Path, root: Path, plans: dict[str, Plan]) -> None:
    """Refuse two plans writing to one folder, or a report folder that is another plan's output.

    Examples
    --------
    >>> root = paths.project_root().resolve()
    >>> plans = {name: Plan(name, root / "reports", "log", (), {}, root / "p.yml", root)
    ...          for name in ("a", "b")}
    >>> try:
    ...     _refuse_shared_folders(root / "p.yml", root, plans)
    ... except PlanError as exc:
    ...     print(str(exc).split(": ", 1)[1])
    plans 'a' and 'b' write to the same folder
    """
    outputs: dict[Path, str] = {}
    for plan in plans.values():
        if plan.output_root in outputs:
            raise PlanError(f"{plan_file}: plans {outputs[plan.output_root]!r} and {plan.name!r} "
                            "write to the same folder", hint="give each plan its own `output`")
        outputs[plan.output_root] = plan.name
    for plan in plans.values():
        for name in plan.reports:
            folder = plan.output_root / name
            clash = [other for path, other in outputs.items() if _inside(path, folder)]
            if clash:
                raise PlanError(f"{plan_file}: plan {plan.name!r}, report {name!r}: its folder "
                                f"{folder.relative_to(root)} is the output of plan {clash[0]!r}",
                                hint=f"rename the report in {plan_file.name}")


def read_plans(plan_file: str | Path) -> dict[str, Plan]:
    """Read and check every plan of ``plan_file``.

    Parameters
    ----------
    plan_file : str or Path
        The YAML run plan; a relative path is taken from the working folder.

    Returns
    -------
    dict
        Plan name → :class:`Plan`, in file order.

    Raises
    ------
    PlanError
        One line naming the plan file, the plan and the report: see the
        module docstring for what is refused.

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "plan.yml"
    >>> _ = bad.write_text("plans:\\n  embedded:\\n    output: ../data\\n    reports: {}\\n")
    >>> try:
    ...     read_plans(bad)
    ... except PlanError as exc:
    ...     print(str(exc).split(": ", 1)[1].split(" (")[0], "|", exc.hint)
    plan 'embedded': `output` '../data' is outside the project | plans read and write inside the project only
    """
    plan_file = Path(plan_file).resolve()
    root = paths.project_root().resolve()
    document = _load_yaml(plan_file)
    plans: dict[str, Plan] = {}
    for plan_name, entry in document["plans"].items():
        plans[plan_name] = _check_plan(plan_file, root, plan_name, entry)
    _refuse_shared_folders(plan_file, root, plans)
    return plans
