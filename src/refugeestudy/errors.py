"""Errors raised when an input file does not hold what the package expects.

Every error names the file, the line (1-based, counting the header as line 1,
as a text editor shows it) and the column, says what was expected and what was
found, so that a researcher can open the file and fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    path : Path, optional
        The file, when an error lists problems of several files
        (:meth:`InputError.combine`); otherwise the error's own file.

    Examples
    --------
    >>> str(Problem(3, "count", "expected a non-negative integer, found '-5'"))
    "line 3, column 'count': expected a non-negative integer, found '-5'"
    """

    line: int | None
    column: str | None
    message: str
    path: Path | None = None

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

    @classmethod
    def combine(cls, errors: list[InputError]) -> InputError:
        """One error listing the problems of several (each keeps its file); the first hint.

        Examples
        --------
        >>> both = InputError.combine([InputError("figures.csv", [Problem(4, "figure_by", "unknown")]),
        ...                            InputError("sources.csv", [Problem(3, "url", "an IP address")])])
        >>> print(both)
        figures.csv, sources.csv: 2 problems
          figures.csv:4: column 'figure_by': unknown
          sources.csv:3: column 'url': an IP address
        """
        problems = [replace(p, path=p.path or e.path) for e in errors for p in e.problems]
        return cls(errors[0].path, problems, hint=next((e.hint for e in errors if e.hint), None))

    def _render(self) -> str:
        files = list(dict.fromkeys(str(p.path or self.path) for p in self.problems)) or [str(self.path)]
        count = len(self.problems)
        lines = [f"{', '.join(files)}: {count} problem{'s' if count != 1 else ''}"]
        for problem in self.problems[: self.max_listed]:
            name = str(problem.path or self.path)
            loc = f"{name}:{problem.line}" if problem.line is not None else name
            column = f"column {problem.column!r}: " if problem.column is not None else ""
            lines.append(f"  {loc}: {column}{problem.message}")
        if count > self.max_listed:
            lines.append(f"  ... and {count - self.max_listed} more")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)
