"""Fixtures of the fault-injection suite: every case asserts its message and that nothing
outside the run's own outputs changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def tree_digest(root: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """Map every file below ``root`` (relative POSIX path) to its SHA-256.

    Parameters
    ----------
    root : Path
        Folder to hash.
    exclude : tuple of str
        Relative path prefixes left out (a run's own outputs).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.txt").write_text("x")
    ...     tree_digest(Path(tmp))["a.txt"][:8]
    '2d711642'
    """
    digests = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in exclude):
            continue
        digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@pytest.fixture
def unchanged():
    """Assert a tree is byte-identical after a fault: ``with unchanged(root): ...``."""
    import contextlib

    @contextlib.contextmanager
    def check(root: Path, exclude: tuple[str, ...] = ()):
        before = tree_digest(Path(root), exclude)
        yield
        after = tree_digest(Path(root), exclude)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, f"files changed, appeared or disappeared: {changed[:10]}"

    return check


REPO = Path(__file__).resolve().parents[2]


def make_project(root: Path, *, reports: bool = False) -> Path:
    """A throw-away copy of the project: notebooks, reports.yml, data/raw (and reports/ if asked).

    Parameters
    ----------
    root : Path
        An empty folder (``tmp_path``).
    reports : bool
        Copy the committed reports too (to check a fault never replaces a good report).
    """
    import shutil

    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copy(REPO / "reports.yml", root / "reports.yml")
    if reports:
        shutil.copytree(REPO / "reports", root / "reports",
                        ignore=shutil.ignore_patterns(".runcache", ".staging*", "*.failed.ipynb",
                                                      ".run.lock"))
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project in ``tmp_path``, REFUGEESTUDY_ROOT pointing at it, cwd inside it."""
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("REFUGEESTUDY_ROOT", str(root))
    monkeypatch.delenv("REFUGEESTUDY_PLAN", raising=False)
    monkeypatch.delenv("REFUGEESTUDY_CACHE_DIR", raising=False)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def cli():
    """Invoke the ``refugeestudy`` command in process: ``code, output = cli("run", ...)``."""
    from typer.testing import CliRunner

    from refugeestudy.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args))
        assert not (result.exception and not isinstance(result.exception, SystemExit)), \
            f"traceback instead of a message: {result.exception!r}"
        return result.exit_code, result.output

    return invoke
