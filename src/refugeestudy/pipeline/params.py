"""A notebook's parameters: read from its ``parameters`` cell, checked before a kernel starts.

papermill silently injects a misspelt parameter as a new variable and the
notebook runs on its default (papermill issue 667). Here every notebook declares
its parameters in a cell tagged ``parameters``, one assignment a line, with an
optional constraint in the trailing comment:

.. code-block:: python

    source = "reports"        # one of: reports, ucdp_ged, acled
    max_lag = 3               # range: 0..12
    admin1 = ["SY06", "SY10"] # list of str
    lags = [0, 1]             # list of int, non-empty, range: 0..10
    years = []                # list of int, range: 1951..2030
    start = "2025-01-01"      # date
    country = "LBN"           # ISO3 of the destination country
    region = None             # optional: ISO 3166-2 region, e.g. RU-PER
    event = "assad_fall"      # key event label ("" for none)

A parameter whose default is ``None`` takes a single value (text, number,
true/false) or, when its comment says "list", a list; never a mapping. A
comment naming "ISO3" asks for a three-letter upper-case country code, one
naming "ISO 3166-2" for a region the package knows
(:data:`refugeestudy.clean.places.DESTINATION_REGIONS`): a place the analysis
cannot match would otherwise select nothing, silently. "list of int" (or str,
float) types the items even of an empty default; "non-empty" refuses ``[]``;
"key event" asks for a label of the curated log's key events
(:func:`key_event_labels`), ``""`` allowed when the comment says so; "within
first_year..last_year" keeps each value between two other parameters'.

:func:`declared_parameters` reads them (name, default, constraint) without a
kernel; :func:`check_parameters` rejects unknown names, wrong types and
out-of-range values with a message naming the parameter.

Examples
--------
>>> cell = 'max_lag = 3  # range: 0..12\\nfreq = "MS"  # one of: MS, QS'
>>> specs = parse_parameter_cell(cell)
>>> check_parameters(specs, {"max_lag": 6})
{'max_lag': 6, 'freq': 'MS'}
>>> check_parameters(specs, {"max_lags": 6})
Traceback (most recent call last):
...
refugeestudy.pipeline.params.ParameterError: unknown parameter 'max_lags' (did you mean 'max_lag'?); declared: max_lag, freq
"""

from __future__ import annotations

from refugeestudy.errors import RefugeestudyError
import ast
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import json

__all__ = ["ParameterSpec", "ParameterError", "parse_parameter_cell", "declared_parameters",
           "check_parameters", "key_event_labels", "SECRET_NAMES"]

#: Parameter names refused outright: secrets come from the environment only.
SECRET_NAMES = re.compile(r"(key|token|secret|password|passwd|email)", re.IGNORECASE)


class ParameterError(RefugeestudyError, ValueError):
    """A report's parameters do not match what its notebook declares."""


_ITEM_TYPES = {"int": int, "str": str, "float": float, "bool": bool}


def key_event_labels(figures: str | Path | None = None) -> list[str]:
    """The labels of the key events in the curated log (``kind`` ``event`` rows of figures.csv).

    Read with the standard library (no kernel, no pandas): a parameter naming
    an event is checked before a report starts.

    Examples
    --------
    >>> "coastal_violence_start" in key_event_labels()
    True
    """
    import csv

    from refugeestudy import paths

    path = Path(figures) if figures is not None else paths.raw_dir() / "reports" / "figures.csv"
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return sorted({row["label"] for row in csv.DictReader(handle)
                       if row.get("kind") == "event" and row.get("label")})


def _item_type(default: object, constraint: str) -> type | None:
    """The type of a list parameter's items: "list of <type>" in the comment, else the default's."""
    match = re.search(r"list of (int|str|float|bool)\b", constraint)
    if match:
        return _ITEM_TYPES[match.group(1)]
    if isinstance(default, list) and default:
        return type(default[0])
    return None


@dataclass(frozen=True)
class ParameterSpec:
    """One declared parameter.

    Attributes
    ----------
    name : str
    default : object
        The literal assigned in the parameters cell.
    constraint : str
        The trailing comment ("range: 0..12", "one of: a, b", "date", ...), or "".
    """

    name: str
    default: object
    constraint: str

    def check(self, value: object) -> object:
        """Return ``value`` if it fits this parameter, else raise :class:`ParameterError`.

        Examples
        --------
        >>> ParameterSpec("lag", 3, "range: 0..12").check(13)
        Traceback (most recent call last):
        ...
        refugeestudy.pipeline.params.ParameterError: parameter 'lag': 13 is outside the range 0..12
        >>> ParameterSpec("lags", [0], "list of int, non-empty").check([])
        Traceback (most recent call last):
        ...
        refugeestudy.pipeline.params.ParameterError: parameter 'lags': expected a non-empty list of int, found []
        """
        value = self._check_type(value)
        if value is None:
            return value
        items = value if isinstance(value, list) else [value]
        self._check_items(value)
        self._check_range(items)
        self._check_choices(items)
        self._check_places(items)
        if "key event" in self.constraint:
            for item in items:
                self._check_key_event(item)
        if re.search(r"\bdate\b", self.constraint):
            for item in items:
                try:
                    dt.date.fromisoformat(str(item))
                except ValueError:
                    raise ParameterError(f"parameter {self.name!r}: expected a date as YYYY-MM-DD, "
                                         f"found {item!r}") from None
        return value

    def _check_type(self, value: object) -> object:
        """The value's own type: the default's (an int given for a float becomes a float)."""
        name, expected = self.name, type(self.default)
        if self.default is None:
            allowed = (str, int, float, bool, list) if "list" in self.constraint else (
                str, int, float, bool)
            if value is not None and not isinstance(value, allowed):
                kinds = "text, a number, true/false" + (" or a list" if list in allowed else "")
                raise ParameterError(f"parameter {name!r}: expected {kinds} (or null), found "
                                     f"{type(value).__name__} {value!r}")
        elif expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            if not (value is None and "optional" in self.constraint):
                raise ParameterError(f"parameter {name!r}: expected {expected.__name__}, found "
                                     f"{type(value).__name__} {value!r}")
        return value

    def _check_items(self, value: object) -> None:
        """A list's items: present when "non-empty", each of the declared item type."""
        if not isinstance(value, list):
            return
        item_type = _item_type(self.default, self.constraint)
        if not value and "non-empty" in self.constraint:
            of = f" of {item_type.__name__}" if item_type else ""
            raise ParameterError(f"parameter {self.name!r}: expected a non-empty list{of}, found []")
        if item_type is None:
            return
        for item in value:
            numeric = item_type is float and isinstance(item, int) and not isinstance(item, bool)
            if not (numeric or (isinstance(item, item_type)
                                and isinstance(item, bool) == (item_type is bool))):
                raise ParameterError(
                    f"parameter {self.name!r}: expected a list of {item_type.__name__}, found "
                    f"{type(item).__name__} {item!r} in it")

    def _check_range(self, items: list) -> None:
        match = re.search(r"range:\s*(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)", self.constraint)
        if not match:
            return
        low, high = float(match.group(1)), float(match.group(2))
        shown = f"{match.group(1)}..{match.group(2)}"
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise ParameterError(f"parameter {self.name!r}: expected a number in the range "
                                     f"{shown}, found {type(item).__name__} {item!r}")
            if not low <= item <= high:
                raise ParameterError(f"parameter {self.name!r}: {item!r} is outside the range {shown}")

    def _check_choices(self, items: list) -> None:
        match = re.search(r"one of:\s*(.+)$", self.constraint)
        if not match:
            return
        allowed = [option.strip() for option in match.group(1).split(",")]
        for item in items:
            if str(item) not in allowed:
                raise ParameterError(
                    f"parameter {self.name!r}: {item!r} is not one of {', '.join(allowed)}")

    def _check_places(self, items: list) -> None:
        """ISO3 country codes and the ISO 3166-2 regions the package knows, as the comment asks."""
        wants_country, wants_region = "ISO3" in self.constraint, "ISO 3166-2" in self.constraint
        if not (wants_country or wants_region):
            return
        from refugeestudy.clean.places import DESTINATION_REGIONS

        for item in items:
            is_country = isinstance(item, str) and re.fullmatch(r"[A-Z]{3}", item) is not None
            if (wants_country and is_country) or (wants_region and item in DESTINATION_REGIONS):
                continue
            if wants_country and not wants_region:
                raise ParameterError(f"parameter {self.name!r}: expected an ISO3 country code such "
                                     f"as 'LBN', found {item!r}")
            either = "an ISO3 country code or " if wants_country else ""
            raise ParameterError(
                f"parameter {self.name!r}: expected {either}a known ISO 3166-2 region, found "
                f"{item!r}; known regions: {', '.join(sorted(DESTINATION_REGIONS))}")

    def _check_key_event(self, value: object) -> None:
        """Refuse a label naming no key event of the log ("" only when the comment allows it)."""
        allows_none = '""' in self.constraint
        if value == "" and allows_none:
            return
        labels = key_event_labels()
        if value not in labels:
            close = difflib.get_close_matches(str(value), labels, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            either = ' or ""' if allows_none else ""
            raise ParameterError(
                f"parameter {self.name!r}: expected the label of a key event of the curated log"
                f"{either}, found {value!r}{hint}; labels: {', '.join(labels)}")


def parse_parameter_cell(source: str) -> dict[str, ParameterSpec]:
    """Read the assignments of a parameters cell.

    Raises
    ------
    ParameterError
        If a line is not ``name = literal``, or a name looks like a secret.

    Examples
    --------
    >>> parse_parameter_cell('lags = [0, 1]  # list of int, range: 0..6')["lags"].default
    [0, 1]
    """
    specs: dict[str, ParameterSpec] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        code, _, comment = line.partition("#")
        if not code.strip():
            continue
        try:
            node = ast.parse(code.strip()).body[0]
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                raise SyntaxError("not a simple assignment")
            default = ast.literal_eval(node.value)
        except (SyntaxError, ValueError) as exc:
            raise ParameterError(
                f"parameters cell, line {number}: expected `name = literal`, found {line!r} ({exc})"
            ) from None
        name = node.targets[0].id
        if SECRET_NAMES.search(name):
            raise ParameterError(
                f"parameter {name!r} looks like a secret; secrets come from environment "
                "variables, never from parameters (they would be written into the executed notebook)")
        specs[name] = ParameterSpec(name, default, comment.strip())
    return specs


def declared_parameters(notebook: str | Path) -> dict[str, ParameterSpec]:
    """Return the parameters declared in ``notebook``'s cell tagged ``parameters``.

    Raises
    ------
    ParameterError
        If the notebook has no such cell, or more than one.
    """
    # Plain JSON (nbformat v4): importing nbformat costs ~0.8 s (jsonschema → rfc3987_syntax),
    # paid by every `refugeestudy run`, even when every report is up to date.
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as exc:
        raise ParameterError(f"{notebook}: not a Jupyter notebook ({exc})") from None
    cells = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{notebook}: expected one cell tagged 'parameters', found {len(cells)}")
    source = cells[0].get("source", "")
    return parse_parameter_cell("".join(source) if isinstance(source, list) else source)


def check_parameters(specs: dict[str, ParameterSpec], given: dict[str, object]) -> dict[str, object]:
    """Check ``given`` against ``specs``; return every parameter's value (given or default).

    Raises
    ------
    ParameterError
        Naming the first unknown, mistyped or out-of-range parameter.
    """
    for name in given:
        if name not in specs:
            close = difflib.get_close_matches(name, list(specs), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"unknown parameter {name!r}{hint}; declared: {', '.join(specs)}")
    values = {}
    for name, spec in specs.items():
        values[name] = spec.check(given[name]) if name in given else spec.default
    for spec in specs.values():
        _check_within(spec, values)
    return values


def _check_within(spec: ParameterSpec, values: dict[str, object]) -> None:
    """"within first..last" in the comment: each value lies between two other parameters' values.

    Examples
    --------
    >>> spec = ParameterSpec("years", [], "list of int, within first..last")
    >>> _check_within(spec, {"years": [2030], "first": 2011, "last": 2025})
    Traceback (most recent call last):
    ...
    refugeestudy.pipeline.params.ParameterError: parameter 'years': 2030 is outside first..last (2011..2025)
    """
    match = re.search(r"within\s+(\w+)\s*\.\.\s*(\w+)", spec.constraint)
    value = values.get(spec.name)
    if not match or value is None:
        return
    first, last = match.groups()
    low, high = values.get(first), values.get(last)
    if low is None or high is None or low > high:
        return  # the bounds' own order is checked with them (refugeestudy.pipeline.run)
    for item in value if isinstance(value, list) else [value]:
        if not low <= item <= high:
            raise ParameterError(f"parameter {spec.name!r}: {item!r} is outside {first}..{last} "
                                 f"({low}..{high})")
