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
