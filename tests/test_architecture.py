"""The package layout's rules (docs/architecture.md), checked on the source tree.

* the top level holds at most 8 modules, the ones every part shares;
* each part imports only the parts below it (an AST walk over every import,
  function-level ones included): readers never import the pipeline, the
  pipeline never imports a study, the two studies never import each other;
* no package attribute named after a submodule is anything but that module;
* no function is longer than 60 lines, or 80 with a ``# Long function:`` comment
  on the line above its ``def`` (or its decorators) saying why;
* the public API stays at the top level;
* every import written as text outside the package (tests' ``python -c`` strings,
  notebooks, benchmarks, docs) names a module or attribute that exists.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import refugeestudy

PACKAGE = Path(refugeestudy.__file__).resolve().parent

SHARED = {"errors", "schema", "paths", "plots", "_atomic", "_hashing"}
"""Top-level modules every part may import."""

MAY_IMPORT = {
    "shared": {"shared"},
    "clean": {"shared"},
    "sources": {"clean", "shared"},
    "fetch": {"sources", "clean", "shared"},
    "panels": {"sources", "clean", "shared"},
    "pipeline": {"fetch", "panels", "sources", "clean", "shared"},
    "case_study": {"pipeline", "panels", "sources", "fetch", "clean", "shared"},
    "global_study": {"pipeline", "panels", "sources", "fetch", "clean", "shared"},
}
"""Which parts each part may import; a part always imports itself. ``cli`` and the
package's ``__init__`` sit above everything and may import any part."""

NEVER = {"refugeestudy.global_study.designs": {"pipeline"}}
"""Stricter rules inside a part: the designs are pure functions on DataFrames, called by the
notebook, so they never reach for the pipeline that runs it."""

ROOT_NAMES = {"__version__"}
"""Names a lower part may take from the package root itself (not a re-export)."""

LIMIT, LIMIT_WITH_REASON, REASON = 60, 80, "# Long function:"


def _part(dotted: str) -> str:
    """The part a module belongs to, from its dotted name below ``refugeestudy``.

    Examples
    --------
    >>> _part("refugeestudy.pipeline.run"), _part("refugeestudy.errors"), _part("refugeestudy.cli")
    ('pipeline', 'shared', 'cli')
    """
    parts = dotted.split(".")
    if len(parts) == 1:
        return "root"
    return "shared" if parts[1] in SHARED else parts[1]


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    names = list(relative.parts)
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every ``refugeestudy`` module a source imports, with the line of the import.

    ``from refugeestudy import x`` names the submodule ``x`` when there is one,
    else the package root itself (``refugeestudy:x``, for the root-name check).

    Examples
    --------
    >>> imported_modules("from refugeestudy.pipeline import run\\nimport pandas", "refugeestudy.cli")
    [(1, 'refugeestudy.pipeline')]
    >>> imported_modules("from ..panels import dyads", "refugeestudy.pipeline.build")
    [(1, 'refugeestudy.panels')]
    """
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names
                      if alias.name.split(".")[0] == "refugeestudy"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "refugeestudy":
                continue
            if base == "refugeestudy":
                found += [(node.lineno, f"refugeestudy.{alias.name}"
                           if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file()
                           else f"refugeestudy:{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def forbidden_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports of one module that break the layout's rules, as readable lines.

    Examples
    --------
    >>> forbidden_imports("from refugeestudy.case_study import reconcile", "refugeestudy.pipeline.run")
    ['refugeestudy.pipeline.run line 1: pipeline may not import case_study (refugeestudy.case_study)']
    >>> forbidden_imports("from refugeestudy import __version__, paths", "refugeestudy.sources.ucdp")
    []
    """
    part = _part(module)
    if part in {"root", "cli"}:
        return []
    problems = []
    for line, target in imported_modules(source, module, is_package):
        if ":" in target:
            name = target.partition(":")[2]
            if name not in ROOT_NAMES:
                problems.append(f"{module} line {line}: takes {name!r} from the package root; "
                                f"import it from the module that defines it")
            continue
        target_part = _part(target)
        if target_part != part and target_part not in MAY_IMPORT[part]:
            problems.append(f"{module} line {line}: {part} may not import {target_part} ({target})")
        for inner, never in NEVER.items():
            if (module == inner or module.startswith(inner + ".")) and target_part in never:
                problems.append(f"{module} line {line}: {inner} may not import {target_part} ({target})")
    return problems


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, _module_name(path), path.read_text(encoding="utf-8")


def test_the_top_level_holds_at_most_eight_modules_every_part_shares():
    modules = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules
    assert set(modules) == SHARED | {"__init__", "cli"}


def test_every_part_is_a_known_layer():
    parts = sorted(path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file())
    assert parts == sorted(set(MAY_IMPORT) - {"shared"})


def test_no_module_imports_a_part_above_it():
    problems = []
    for path, module, source in _sources():
        problems += forbidden_imports(source, module, path.name == "__init__.py")
    assert problems == []


@pytest.mark.parametrize("module, source, expected", [
    ("refugeestudy.sources.ucdp", "from refugeestudy.pipeline.paths import x", "sources may not import pipeline"),
    ("refugeestudy.pipeline.build", "def f():\n    from refugeestudy.global_study import ppml",
     "pipeline may not import global_study"),
    ("refugeestudy.case_study.series", "import refugeestudy.global_study.ppml", "case_study may not import global_study"),
    ("refugeestudy.panels.dyads", "from ..pipeline import run", "panels may not import pipeline"),
    ("refugeestudy.clean.places", "from refugeestudy import load_reports", "takes 'load_reports' from the package root"),
    ("refugeestudy.errors", "from refugeestudy.sources import ucdp", "shared may not import sources"),
    ("refugeestudy.global_study.designs.robustness", "from refugeestudy.pipeline import datasets",
     "refugeestudy.global_study.designs may not import pipeline"),
])
def test_a_forbidden_import_is_reported_with_its_line(module, source, expected):
    problems = forbidden_imports(source, module)
    assert len(problems) == 1 and expected in problems[0]
    assert f"{module} line {source.count(chr(10)) + 1}" in problems[0]


def _packages():
    yield refugeestudy
    for info in pkgutil.walk_packages(refugeestudy.__path__, "refugeestudy."):
        module = importlib.import_module(info.name)
        if info.ispkg:
            yield module


def test_no_package_attribute_shadows_a_submodule():
    shadowed = []
    for package in _packages():
        for info in pkgutil.iter_modules(package.__path__):
            value = getattr(package, info.name, None)
            if value is not None and value is not sys.modules.get(f"{package.__name__}.{info.name}"):
                shadowed.append(f"{package.__name__}.{info.name} is {type(value).__name__}")
    assert shadowed == []


def long_functions(source: str, name: str = "<source>") -> list[str]:
    """Functions over 60 lines (``def`` to last line, docstring included), or over 80 with a reason.

    Examples
    --------
    >>> long_functions("def f():\\n" + "    x = 1\\n" * 60)
    ['<source>:1 f: 61 lines']
    >>> long_functions("# Long function: one table, read top to bottom\\ndef f():\\n" + "    x = 1\\n" * 60)
    []
    """
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        length = node.end_lineno - node.lineno + 1
        first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
        reason = first >= 2 and lines[first - 2].strip().startswith(REASON)
        if length > (LIMIT_WITH_REASON if reason else LIMIT):
            found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_function_is_longer_than_sixty_lines_or_eighty_with_a_reason():
    found = []
    for path, _module, source in _sources():
        found += long_functions(source, str(path.relative_to(PACKAGE)))
    assert found == []


def test_the_public_api_stays_at_the_top_level():
    from refugeestudy.case_study.reconcile import reconcile
    from refugeestudy.sources.reports import load_reports
    from refugeestudy.sources.ucdp import read_ged
    from refugeestudy.sources.unhcr import read_unhcr

    assert refugeestudy.reconcile is reconcile and refugeestudy.load_reports is load_reports
    assert refugeestudy.read_ged is read_ged and refugeestudy.read_unhcr is read_unhcr
    assert {"read_acled", "read_ucdp_country_year", "read_eurostat_asylum", "InputError"} <= set(refugeestudy.__all__)


# ------------------------------------------------------------------ imports written as text
PROJECT = PACKAGE.parents[1]
_IMPORT_TEXT = re.compile(
    r"\bfrom (refugeestudy(?:\.\w+)*) import (\w+)|\bimport (refugeestudy(?:\.\w+)+)")


def _stale_import_texts(text: str) -> list[str]:
    """Every ``from refugeestudy... import name`` / ``import refugeestudy.x`` in ``text`` that does
    not resolve, strings included (``python -c "..."`` in a test, a notebook's code, a docs example)."""
    stale = []
    for match in _IMPORT_TEXT.finditer(text):
        package, name, dotted = match.groups()
        try:
            if dotted:
                importlib.import_module(dotted)
            elif not hasattr(importlib.import_module(package), name):
                importlib.import_module(f"{package}.{name}")
        except ImportError:
            stale.append(match.group(0))
    return stale


def test_stale_import_texts_are_found():
    assert _stale_import_texts('run(["python", "-c", "from refugeestudy import render"])') == [
        "from refugeestudy import render"]
    assert _stale_import_texts("import refugeestudy.panel_study") == ["import refugeestudy.panel_study"]
    assert _stale_import_texts("from refugeestudy.pipeline import render; import refugeestudy.plots") == []


def test_imports_written_in_tests_benchmarks_notebooks_and_docs_resolve():
    """The layout move left ``from refugeestudy import render`` inside a ``python -c`` string of
    the install test, which only CI runs: imports written as text are checked here, everywhere."""
    files = [p for folder in ("tests", "benchmarks", "notebooks", "docs", ".ci")
             for p in (PROJECT / folder).rglob("*") if p.suffix in {".py", ".ipynb", ".md", ""} and p.is_file()]
    files += [PROJECT / "README.md"]
    stale = {str(p.relative_to(PROJECT)): found for p in files
             if p != Path(__file__).resolve() and "data" not in p.relative_to(PROJECT).parts
             and (found := _stale_import_texts(p.read_text(encoding="utf-8", errors="replace")))}
    assert stale == {}
