"""Fault injection on the curated report log: every bad log is refused, named, and left as it was.

Each case starts from the synthetic fixture ``tests/data/log_ok`` (figures.csv and
sources.csv, copied to a temporary folder), injects one fault, then runs both
``refugeestudy validate`` and :func:`refugeestudy.load_reports`. Both must refuse the
log with the same message naming the file, the line (header = line 1) and the
column; the command must exit 1 without saying "all valid"; and no file of the
folder may change (hashed before and after).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from refugeestudy import load_reports
from refugeestudy.cli import app
from refugeestudy.errors import InputError

LOG_OK = Path(__file__).resolve().parents[1] / "data" / "log_ok"
runner = CliRunner()


# --------------------------------------------------------------------------- fault builders
def _rows(folder: Path, name: str = "figures.csv") -> list[list[str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def _save(folder: Path, rows: list[list[str]], name: str = "figures.csv") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / name).write_text(out.getvalue(), encoding="utf-8")


def cell(figure_id: str, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell of figures.csv."""
    def fault(folder: Path) -> None:
        rows = _rows(folder)
        (row,) = [r for r in rows if r[0] == figure_id]
        row[rows[0].index(column)] = value
        _save(folder, rows)
    return fault


def cells(*edits: tuple[str, str, str]) -> Callable[[Path], None]:
    def fault(folder: Path) -> None:
        for edit in edits:
            cell(*edit)(folder)
    return fault


def parts(mapping: dict[str, str]) -> Callable[[Path], None]:
    """Add the optional ``part_of`` column with ``{figure_id: whole}``."""
    def fault(folder: Path) -> None:
        rows = _rows(folder)
        rows[0].append("part_of")
        for row in rows[1:]:
            row.append(mapping.get(row[0], ""))
        _save(folder, rows)
    return fault


def header(transform: Callable[[list[str]], list[str]], name: str = "figures.csv"):
    """Rewrite the header row (and pad data rows to the new width)."""
    def fault(folder: Path) -> None:
        rows = _rows(folder, name)
        rows[0] = transform(rows[0])
        for row in rows[1:]:
            row.extend([""] * (len(rows[0]) - len(row)))
        _save(folder, rows, name)
    return fault


def source_cell(url: str, column: str, value: str) -> Callable[[Path], None]:
    def fault(folder: Path) -> None:
        rows = _rows(folder, "sources.csv")
        (row,) = [r for r in rows if r[0] == url]
        row[rows[0].index(column)] = value
        _save(folder, rows, "sources.csv")
    return fault


def remove_sources(folder: Path) -> None:
    (folder / "sources.csv").unlink()


def empty_sources(folder: Path) -> None:
    (folder / "sources.csv").write_text("", encoding="utf-8")


# (id, fault, file the error names, line, column, words the message must hold)
CASES = [
    # between and its upper number
    ("between-count-high-0", cell("F004", "count_high", "0"), "figures.csv", 5, "count_high",
     "0 is below count 30"),
    ("between-count-high-below", cell("F004", "count_high", "29"), "figures.csv", 5, "count_high",
     "29 is below count 30"),
    ("between-without-count-high", cell("F004", "count_high", ""), "figures.csv", 5, "count_high",
     "needs the upper number"),
    ("count-high-without-between", cell("F001", "count_high", "200"), "figures.csv", 2,
     "count_high", "only allowed with qualifier 'between'"),
    # counts a table cannot hold
    ("count-beyond-int64", cell("F002", "count", "9223372036854775808"), "figures.csv", 3, "count",
     "too large"),
    ("count-high-beyond-int64", cell("F004", "count_high", "99999999999999999999"), "figures.csv", 5,
     "count_high", "too large"),
    ("count-1e30", cell("F005", "count", "1e30"), "figures.csv", 6, "count", "whole number"),
    ("count-inf", cell("F005", "count", "inf"), "figures.csv", 6, "count", "whole number"),
    ("count-negative", cell("F002", "count", "-5"), "figures.csv", 3, "count", "non-negative"),
    # sources.csv
    ("sources-missing", remove_sources, "sources.csv", None, None, "not found"),
    ("sources-empty", empty_sources, "sources.csv", 1, None, "the file is empty"),
    ("sources-ftp-url", source_cell("https://example.org/e", "url", "ftp://example.org/e"),
     "sources.csv", 6, "url", "expected an http(s) URL"),
    ("sources-duplicated-column", header(lambda h: h + ["title"], "sources.csv"), "sources.csv", 1,
     "title", "appears more than once"),
    ("sources-bad-date", source_cell("https://example.org/a", "publication_date", "March 2025"),
     "sources.csv", 2, "publication_date", "YYYY-MM-DD"),
    ("url-not-in-sources", cell("F003", "url", "https://example.org/zzz"), "figures.csv", 4, "url",
     "is not listed in sources.csv"),
    # report dates
    ("report-date-future", cell("F003", "report_date", "2099-01-01"), "figures.csv", 4,
     "report_date", "is in the future"),
    ("report-date-far-future", cell("F006", "report_date", "2999-12-31"), "figures.csv", 7,
     "report_date", "is in the future"),
    ("report-date-before-period", cell("F001", "report_date", "2025-03-05"), "figures.csv", 2,
     "report_date", "is before period_start 2025-03-06"),
    ("event-reported-before-it-happened", cell("F008", "report_date", "2024-12-07"), "figures.csv",
     9, "report_date", "is before period_start 2024-12-08"),
    # header
    ("duplicated-count-column", header(lambda h: h + ["count"]), "figures.csv", 1, "count",
     "appears more than once"),
    ("duplicated-note-column", header(lambda h: ["note"] + h), "figures.csv", 1, "note",
     "appears more than once"),
    # URLs
    ("url-ftp", cell("F007", "url", "ftp://example.org/e"), "figures.csv", 8, "url",
     "expected an http(s) URL"),
    ("url-javascript", cell("F001", "url", "javascript:alert(1)"), "figures.csv", 2, "url",
     "expected an http(s) URL"),
    ("url-without-host", cell("F002", "url", "https://"), "figures.csv", 3, "url",
     "with a host"),
    ("url-file", cell("F003", "url", "file:///etc/passwd"), "figures.csv", 4, "url",
     "expected an http(s) URL"),
    ("url-with-space", cell("F003", "url", "https://example.org/a b"), "figures.csv", 4, "url",
     "expected an http(s) URL"),
    # part_of
    ("part-of-cycle-2", parts({"F001": "F002", "F002": "F001"}), "figures.csv", 2, "part_of",
     "part_of forms a cycle: F001 (line 2) -> F002 (line 3) -> F001 (line 2)"),
    ("part-of-cycle-3", parts({"F001": "F002", "F002": "F003", "F003": "F001"}), "figures.csv", 2,
     "part_of", "part_of forms a cycle: F001 (line 2) -> F002 (line 3) -> F003 (line 4) -> F001"),
    ("part-of-itself", parts({"F001": "F001"}), "figures.csv", 2, "part_of",
     "'F001' is not another figure_id of this log"),
    ("part-of-missing-id", parts({"F004": "F999"}), "figures.csv", 5, "part_of",
     "'F999' is not another figure_id of this log"),
    ("part-of-other-kind", parts({"F005": "F001"}), "figures.csv", 6, "part_of",
     "a part must be a toll or count of the same kind"),
    ("part-of-an-event", parts({"F001": "F008"}), "figures.csv", 2, "part_of",
     "'F008' is a event figure"),
    ("parts-above-total", parts({"F001": "F003", "F002": "F003"}), "figures.csv", 4, "count",
     ("its parts F001 (line 2) 100, F002 (line 3) 250 add up to at least 350, more than F003 can "
      "hold (exact 240)")),
    ("approximate-parts-above-total", parts({"F006": "F005", "F007": "F005"}), "figures.csv", 6,
     "count", "add up to at least 180, more than F005 can hold (approximately 99)"),
    # places
    ("unknown-iso3", cell("F005", "destination_country_iso3", "XYZ"), "figures.csv", 6,
     "destination_country_iso3", "unknown destination country 'XYZ'"),
    ("lowercase-iso3", cell("F005", "destination_country_iso3", "rus"), "figures.csv", 6,
     "destination_country_iso3", "expected an ISO 3166-1 alpha-3 code, found 'rus'"),
    ("unknown-destination-place", cell("F005", "destination_place", "Atlantis"), "figures.csv", 6,
     "destination_place", "unknown place 'Atlantis'"),
    ("place-in-another-country", cell("F005", "destination_place", "Talbireh"), "figures.csv", 6,
     "destination_place", "'Tal al-Bireh' is in LBN, but destination_country_iso3 is 'RUS'"),
    ("place-in-another-region", cells(("F007", "destination_admin1", "RU-SVE")), "figures.csv", 8,
     "destination_place", "'Perm krai' is in RU-PER, but destination_admin1 is 'RU-SVE'"),
]


def _located(text: str, where: str, words: str) -> bool:
    """Whether one problem line of ``text`` starts with ``where`` and holds ``words``."""
    return any(line.strip().startswith(where) and words in line for line in text.splitlines())


@pytest.fixture
def log_dir(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("figures.csv", "sources.csv", "producers.csv"):
        shutil.copy(LOG_OK / name, folder / name)
    return folder


@pytest.mark.parametrize("fault, name, line, column, words", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_log_is_refused_by_validate_and_load_reports(log_dir, unchanged, fault, name, line,
                                                        column, words):
    fault(log_dir)
    where = f"{log_dir / name}:{line}" if line is not None else f"{log_dir / name}:"
    if column:
        where += f": column {column!r}:"
    with unchanged(log_dir):
        result = runner.invoke(app, ["validate", str(log_dir / "figures.csv")])
        with pytest.raises(InputError) as caught:
            load_reports(log_dir)
    message = str(caught.value)
    assert _located(message, where, words), message
    assert caught.value.hint
    output = " ".join(result.output.split())  # the console may wrap long lines
    assert result.exit_code == 1, result.output
    assert "all valid" not in output
    assert " ".join(where.split()) in output and " ".join(words.split()) in output


# Neighbours that are right and must be accepted.
ACCEPTED = [
    ("between-equal-bounds", cells(("F004", "count", "35"), ("F004", "count_high", "35"))),
    ("nested-parts", parts({"F004": "F002", "F001": "F003"})),
    ("parts-up-to-their-total", parts({"F007": "F006"})),
    ("place-with-detail", cell("F005", "destination_place", "Perm region (former dormitory)")),
    ("largest-int64-count", cell("F002", "count", "9223372036854775807")),
]


@pytest.mark.parametrize("fault", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_right_neighbours_are_accepted(log_dir, unchanged, fault):
    fault(log_dir)
    with unchanged(log_dir):
        result = runner.invoke(app, ["validate", str(log_dir / "figures.csv")])
    assert result.exit_code == 0, result.output
    assert "8 figures, all valid" in " ".join(result.output.split())
