"""Errors raised when an input file does not hold what the package expects.

Every error names the file, the line (1-based, counting the header as line 1,
as a text editor shows it) and the column, says what was expected and what was
found, so that a researcher can open the file and fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["RefugeestudyError", "InputError", "Problem"]


class RefugeestudyError(Exception):
    """Root of every error the package raises on purpose.

    The command line maps any of these to one line, ``error: <message>``, then
    ``hint: <hint>`` when there is one, and exit code 1 (usage errors: 2). A
    traceback from ``refugeestudy`` is therefore always a bug.

    Parameters
    ----------
    message : str
        What was expected, what was found, where.
    hint : str, optional
        What to do about it (the likely cause, the command that fixes it).

    Examples
    --------
    >>> err = RefugeestudyError("data/processed/x.parquet is missing", hint="refugeestudy build")
    >>> str(err), err.hint
    ('data/processed/x.parquet is missing', 'refugeestudy build')
    """

    def __init__(self, message: str = "", hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    line : int or None
        1-based line in the file (header is line 1); ``None`` for a problem
        with the file as a whole.
    column : str or None
        Column name, or ``None`` when the problem concerns the whole row.
    message : str
        What was expected and what was found.

    Examples
    --------
    >>> str(Problem(3, "count", "expected a non-negative integer, found '-5'"))
    "line 3, column 'count': expected a non-negative integer, found '-5'"
    """

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(RefugeestudyError, ValueError):
    """An input file is malformed; lists every problem found, not only the first.

    Parameters
    ----------
    path : str or Path
        The file that was read.
    problems : list of Problem
        What is wrong, where.
    hint : str, optional
        The likely cause or what to do about it.

    Examples
    --------
    >>> err = InputError("figures.csv", [Problem(4, "qualifier", "unknown value 'roughly'")])
    >>> print(err)
    figures.csv: 1 problem
      figures.csv:4: column 'qualifier': unknown value 'roughly'
    """

    max_listed = 20

    def __init__(self, path: str | Path, problems: list[Problem], hint: str | None = None):
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__("", hint)
        self.args = (self._render(),)

    def _render(self) -> str:
        name = str(self.path)
        count = len(self.problems)
        lines = [f"{name}: {count} problem{'s' if count != 1 else ''}"]
        for problem in self.problems[: self.max_listed]:
            loc = f"{name}:{problem.line}" if problem.line is not None else name
            column = f"column {problem.column!r}: " if problem.column is not None else ""
            lines.append(f"  {loc}: {column}{problem.message}")
        if count > self.max_listed:
            lines.append(f"  ... and {count - self.max_listed} more")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)
