"""One way to fail, whichever command: ``error: <what>``, ``hint: <what to do>``, exit 1 (usage: 2).

A traceback from ``refugeestudy`` is a bug; the ``cli`` fixture fails a test on one.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args, words, hint", [
    (("validate", "no-such-figures.csv"), "no-such-figures.csv", None),
    (("validate", "notebooks"), "notebooks", None),
    (("build", "--plan-file", "no-such-plan.yml"), "no such run-plan file",
     "run from the project root or pass --plan-file PATH"),
    (("build", "--plan", "full", "--plan", "nightly"), "no plan 'nightly'", "choose one with --plan"),
    (("run", "--plan-file", "no-such-plan.yml"), "no such run-plan file",
     "run from the project root or pass --plan-file PATH"),
    (("run", "--plan", "full", "99-none"), "unknown report(s) 99-none", "name reports of the plan"),
], ids=["validate-missing", "validate-folder", "build-no-plan-file", "build-unknown-plan",
        "run-no-plan-file", "run-unknown-report"])
def test_every_command_fails_the_same_way(project, cli, unchanged, args, words, hint):
    with unchanged(project):
        code, output = cli(*args)
    assert code == 1, output
    lines = output.splitlines()
    assert lines[0].startswith("error: ") and words in output
    if hint:
        assert f"hint: {hint}" in output


def test_hint_is_printed_verbatim(project, cli):
    """Rich markup must not eat brackets in a message or a hint."""
    (project / "odd.yml").write_text("plans:\n  embedded:\n    output: '[bold]reports'\n    reports: {}\n")
    code, output = cli("run", "--plan-file", "odd.yml")
    assert code == 1 and "'[bold]reports'" in output
