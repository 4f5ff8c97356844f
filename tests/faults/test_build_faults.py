"""``refugeestudy build`` under faults: the previous tables stay whole, nothing else changes.

Each plan's folder (``data/processed/<plan>``) is swapped in at once, one build
per folder at a time, and a build's own leftovers are removed when the next
one starts; a fault leaves the old set byte-identical and no temporary folder.
No kernel starts here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from refugeestudy.pipeline import build as bd
from refugeestudy.pipeline._locking import LockedError, hold_lock
from refugeestudy.errors import InputError


def _quiet() -> Console:
    return Console(file=io.StringIO(), width=100)


def _built(root, plan="embedded"):
    bd.build_plans([plan], console=_quiet())
    return root / "data" / "processed" / plan


def _leftovers(root):
    return sorted(p.name for p in (root / "data" / "processed").iterdir()
                  if p.name.startswith((".build-", ".embedded.previous", ".full.previous")))


def test_unknown_plan(project, cli, unchanged):
    with unchanged(project):
        code, output = cli("build", "--plan", "nightly")
    assert code == 1
    assert output.splitlines()[:2] == [
        "error: no plan 'nightly'; plans: embedded, full",
        "hint: choose one with --plan, or leave it out to build every plan"]


@pytest.mark.parametrize("old, new, words", [
    ("2025-03-07,false,2025-03-06", "2025-03-07,false,2025-13-06", "YYYY-MM-DD"),
    ("F001,displacement,", "F001,displacement,,", "expected 23 fields"),
], ids=["bad-date", "extra-field"])
def test_broken_log_leaves_previous_tables(project, cli, unchanged, old, new, words):
    processed = _built(project)
    figures = project / "data" / "raw" / "reports" / "figures.csv"
    text = figures.read_text(encoding="utf-8")
    assert old in text
    figures.write_text(text.replace(old, new, 1), encoding="utf-8")
    with unchanged(project):
        code, output = cli("build", "--plan", "embedded")
    assert code == 1 and output.startswith("error: ")
    assert "figures.csv" in output and words in output, output
    assert _leftovers(project) == [] and processed.is_dir()


def test_missing_log_file(project, cli, unchanged):
    (project / "data" / "raw" / "reports" / "sources.csv").unlink()
    with unchanged(project, exclude=("data/processed/.embedded.lock",)):  # the build's own lock
        code, output = cli("build", "--plan", "embedded")
    assert code == 1 and output.startswith("error: ") and "sources.csv" in output
    assert not (project / "data" / "processed" / "embedded").exists()


def test_second_build_of_one_folder_is_refused(project, unchanged):
    processed = _built(project)
    with hold_lock(processed.parent / ".embedded.lock", "test"):
        with unchanged(project), pytest.raises(LockedError) as info:
            bd.build_plans(["embedded"], console=_quiet(), force=True)
    assert str(info.value).startswith("another build of data/processed/embedded (or a run reading "
                                      "it) is in progress "
                                      f"(lock .embedded.lock, last taken by process {os.getpid()})")
    assert "wait for it to finish" in info.value.hint


def test_build_refused_while_a_run_reads_the_tables(project, unchanged):
    processed = _built(project)
    with hold_lock(processed.parent / ".embedded.lock", "run", shared=True):
        with unchanged(project), pytest.raises(LockedError, match="another build of"):
            bd.build_plans(["embedded"], console=_quiet(), force=True)


def test_crash_while_writing_leaves_the_old_set(project, unchanged, monkeypatch):
    _built(project)
    written = []

    def failing_write(frame, path):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(path)
        return real(frame, path)

    real = bd.write_parquet
    monkeypatch.setattr(bd, "write_parquet", failing_write)
    with unchanged(project), pytest.raises(OSError, match="No space left"):
        bd.build_plans(["embedded"], console=_quiet(), force=True)
    assert _leftovers(project) == []


def test_own_leftovers_removed_foreign_ones_kept(project, unchanged):
    processed = _built(project)
    parent = processed.parent
    ours = parent / ".build-embedded-killed"
    ours.mkdir()
    (ours / ".refugeestudy-build-staging").touch()
    (ours / "violence_events.parquet").write_bytes(b"half")
    foreign = parent / ".build-embedded-mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not the build's")
    with unchanged(project, exclude=("data/processed/.build-embedded-killed",)):
        summary = bd.build_plans(["embedded"], console=_quiet())["embedded"]
    assert summary.unchanged
    assert not ours.exists() and (foreign / "notes.txt").read_text() == "not the build's"


def test_crash_between_the_two_renames_is_repaired(project):
    processed = _built(project)
    before = {p.name: p.read_bytes() for p in processed.iterdir()}
    os.replace(processed, processed.parent / ".embedded.previous")  # as a crash would leave it
    summary = bd.build_plans(["embedded"], console=_quiet())["embedded"]
    assert summary.unchanged
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == before
    assert _leftovers(project) == []


def test_a_file_where_the_folder_goes(project, cli, unchanged):
    target = project / "data" / "processed" / "embedded"
    target.parent.mkdir(parents=True)
    target.write_text("someone's notes")
    with unchanged(project):
        code, output = cli("build", "--plan", "embedded")
    assert code == 1
    assert "error: data/processed/embedded is a file; build writes a folder there" in output


def test_building_full_never_changes_embedded(project, unchanged):
    _built(project, "embedded")
    with unchanged(project / "data" / "processed" / "embedded"):
        bd.build_plans(["full"], console=_quiet(), force=True)
        bd.build_plans(None, console=_quiet())
    assert (project / "data" / "processed" / "full" / "violence_events.parquet").is_file()


def test_derived_table_builder_fault_writes_nothing(project, unchanged, monkeypatch):
    _built(project)

    def broken(tables, fetched):
        raise bd.BuildError("dyad_year_panel: no UCDP country-year file",
                            hint="refugeestudy fetch ucdp_country_year")

    monkeypatch.setattr(bd, "TABLE_BUILDERS", [bd.TableBuilder("dyad_year_panel", broken)])
    with unchanged(project), pytest.raises(bd.BuildError, match="no UCDP country-year file"):
        bd.build_plans(["embedded"], console=_quiet(), force=True)
    assert _leftovers(project) == []


def test_derived_table_builder_that_cannot_build_is_left_out(project, monkeypatch):
    """Rightly accepted: a builder returning None (inputs absent) writes no table."""
    calls = []
    builders = [bd.TableBuilder("not_here", lambda t, f: calls.append(sorted(t)) or None),
                bd.TableBuilder("n_events", lambda t, f: t["key_events"][["event_id"]],
                                sort=("event_id",))]
    monkeypatch.setattr(bd, "TABLE_BUILDERS", builders)
    processed = _built(project)
    assert calls == [sorted(bd.OUTPUTS)]
    assert not (processed / "not_here.parquet").exists()
    assert bd.read_processed("n_events", processed)["event_id"].is_monotonic_increasing


def test_unchanged_inputs_rewrite_nothing_and_forced_builds_are_identical(project):
    """Rightly accepted: a second build says unchanged; a forced one gives the same bytes."""
    processed = _built(project)
    first = {p.name: p.read_bytes() for p in processed.iterdir()}
    assert bd.build_plans(["embedded"], console=_quiet())["embedded"].unchanged
    bd.build_plans(["embedded"], console=_quiet(), force=True)
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == first


def test_console_table_never_breaks_a_path(project):
    console = Console(file=io.StringIO(), width=60)
    bd.build_plans(["embedded"], console=console)
    assert "data/raw/reports/figures.csv" in console.file.getvalue()


def test_input_error_names_file_and_line(project, unchanged):
    figures = project / "data" / "raw" / "reports" / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].rstrip("\n").split(",")
    row[header.index("count")] = "1e30"
    lines[1] = ",".join(row) + "\n"
    figures.write_text("".join(lines), encoding="utf-8")
    with unchanged(project, exclude=("data/processed/.embedded.lock",)):
        with pytest.raises(InputError) as info:
            bd.build_plans(["embedded"], console=_quiet())
    assert f"{figures}:2: column 'count'" in str(info.value)


def test_a_link_where_the_folder_goes(project, cli, unchanged, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the build's")
    target = project / "data" / "processed" / "embedded"
    target.parent.mkdir(parents=True)
    target.symlink_to(elsewhere)
    with unchanged(project), unchanged(elsewhere):
        code, output = cli("build", "--plan", "embedded")
    assert code == 1
    assert "error: data/processed/embedded is a symbolic link; build writes a folder there" in output


# --------------------------------------------------------------------------- issue 18
def test_leftovers_of_any_unlocked_plan_are_removed_live_ones_kept(project, unchanged):
    """Regression (issue 18): a build killed while it removed the previous tables (after the
    swap, unmarked) left a ``.build-*`` folder that no later build removed."""
    import tempfile

    processed = _built(project)
    parent = processed.parent
    after_swap = tempfile.mkdtemp(prefix=".build-embedded-", dir=parent)  # old tables, no mark
    (Path(after_swap) / "violence_events.parquet").write_bytes(b"old")
    other_plan = tempfile.mkdtemp(prefix=".build-full-", dir=parent)
    live = tempfile.mkdtemp(prefix=".build-nightly-", dir=parent)
    with hold_lock(parent / ".nightly.lock", "a live build of nightly"):
        with unchanged(project, exclude=tuple(f"data/processed/{Path(f).name}"
                                              for f in (after_swap, other_plan))):
            bd.build_plans(["embedded"], console=_quiet())
    assert not Path(after_swap).exists() and not Path(other_plan).exists()
    assert Path(live).is_dir()  # its build is alive: its folder is its own
    bd.build_plans(["embedded"], console=_quiet())  # that build has ended: now removed
    assert _leftovers(project) == []


def test_required_source_without_rows_stops_the_build(project, cli, unchanged):
    """Regression (issue 18): a header-only pin gave a full build with the source silently empty."""
    import hashlib
    import json

    from refugeestudy.sources.ucdp import GED_EXTRACT_COLUMNS

    bd.build_plans(["full"], console=_quiet())  # the previous tables (the log only)
    header = (",".join(GED_EXTRACT_COLUMNS) + "\n").encode()
    cached = project / "data" / "external" / "ucdp_ged" / "ged191_syria_2016_2019.csv"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(header)
    lock_path = project / "data" / "raw" / "fetch.lock.json"
    lock = json.loads(lock_path.read_text())
    lock["sources"] = {"ucdp_ged": {**lock["sources"]["ucdp_ged"], "size": len(header),
                                    "sha256": hashlib.sha256(header).hexdigest()}}
    lock["sources"]["ucdp_ged"].pop("rows", None)
    lock_path.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    with unchanged(project):
        code, output = cli("build", "--plan", "full")
    assert code == 1, output
    assert output.startswith("error: required source 'ucdp_ged' yields no row "
                             "(ucdp_ged/ged191_syria_2016_2019.csv: 0 rows read, 0 kept)"), output
    assert "hint: fetch it again (refugeestudy fetch --update ucdp_ged" in output
    assert _leftovers(project) == []
